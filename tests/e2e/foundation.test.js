// Foundation: the extension loads, the worker starts, the content script shows the banner
// on fixture AliExpress pages, the popup shows the same state, and state survives a worker
// restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, banner, inBanner, waitForState } from './lib/harness.js';

let h;
before(async () => { h = await setUp(); });
after(async () => { await h?.close(); });

test('worker starts and the content script shows an inactive banner on a product page', async () => {
  assert.match(h.sw.url(), new RegExp(`^chrome-extension://${h.id}/background/worker.js$`));
  const page = await h.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(h.server.url('/item/1005001000000001.html'));
  await waitForState(page, 'inactive');
  assert.equal(await inBanner(page, 'cg-status').getAttribute('data-state'), 'inactive');
  assert.match(await inBanner(page, 'cg-status').textContent(), /not active/);
  assert.equal(await inBanner(page, 'cg-activate').isEnabled(), true);
  // 25.00 USD × 7 % = 1.75 USD
  const expected = inBanner(page, 'cg-expected');
  await expected.waitFor();
  assert.equal(await expected.getAttribute('data-amount-minor'), '175');
  assert.equal(await expected.getAttribute('data-currency'), 'USD');
  assert.equal(await inBanner(page, 'cg-rate').getAttribute('data-rate-bp'), '700');
  assert.deepEqual(errors, []);
  await page.close();
});

test('banner appears on home and cart pages too', async () => {
  const page = await h.browser.newPage();
  for (const p of ['/', '/p/shoppingcart/index.html']) {
    await page.goto(h.server.url(p));
    await waitForState(page, 'inactive');
    assert.equal(await inBanner(page, 'cg-expected').count(), 0, `no expected cashback on ${p}`);
  }
  await page.close();
});

test('popup shows the state of the tab', async () => {
  const page = await h.browser.newPage();
  await page.goto(h.server.url('/item/1005001000000001.html'));
  await waitForState(page, 'inactive');
  await inBanner(page, 'cg-expected').waitFor();
  const popup = await h.popup(page);
  assert.equal(await popup.locator('[data-testid="cg-status"]').getAttribute('data-state'), 'inactive');
  assert.equal(await popup.locator('[data-testid="cg-activate"]').isEnabled(), true);
  assert.equal(await popup.locator('[data-testid="cg-expected"]').getAttribute('data-amount-minor'), '175');
  await popup.close();
  await page.close();
});

test('one click activates once, verified ours; a worker restart keeps the state', async () => {
  h.server.reset();
  const page = await h.browser.newPage();
  await page.goto(h.server.url('/item/1005001000000001.html'));
  await waitForState(page, 'inactive');
  await inBanner(page, 'cg-activate').click();
  await page.waitForURL(/aff_fsk=cgDemo0001/, { timeout: 15000 });
  await waitForState(page, 'active');
  assert.equal(h.server.hits('deep_link'), 1);
  assert.equal(await inBanner(page, 'cg-activate').count(), 0, 'no Activate button while active');

  assert.equal(await h.browser.stopServiceWorker(h.id), true);
  const other = await h.browser.newPage();
  await other.goto(h.server.url('/item/1005001000000002.html'));
  await waitForState(other, 'active');
  await page.reload();
  await waitForState(page, 'active');
  assert.equal(h.server.hits('deep_link'), 1, 'active never redirects again');
  const popup = await h.popup(other);
  assert.equal(await popup.locator('[data-testid="cg-status"]').getAttribute('data-state'), 'active');
  assert.equal(await popup.locator('[data-testid="cg-activate"]').count(), 0);
  await popup.close();
  await other.close();
  await page.close();
});

test('a release build without test hooks refuses the debug-panic message', async () => {
  const page = await h.browser.newPage();
  await page.goto(`chrome-extension://${h.id}/ui/options.html`);
  const r = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'debug-panic' }));
  assert.equal(r.type, 'error');
  assert.match(r.error, /not allowed/);
  assert.equal((await page.evaluate(() => chrome.runtime.sendMessage({ type: 'get-settings' }))).type, 'settings');
  await page.close();
});
