// Issue 16: whose cashback. With `account` in the operator config, the deep link carries the
// shopper's linked id; linking from the options page or from the operator's site by a real
// `chrome.runtime.sendMessage`; no other page can; no account means no redirect.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, inBanner, waitForState } from './lib/harness.js';

const ITEM = 'https://www.aliexpress.com/item/1005001000000001.html';
const CHECKOUT = 'https://www.aliexpress.com/p/trade/confirm.html?objectId=1005001000000001&skuId=1&quantity=1&aeOrderFrom=main_detail';
const SITE = 'https://cashback.example';
const ACCOUNT = { param: 'af', pattern: '^[0-9A-Za-z_-]{3,40}$', site: SITE };

// The operator's page: after sign-in, "Connect" sends the id to the extension.
const connectPage = (extId) => `<!doctype html><title>Cashback account</title>
<button id="connect">Connect</button><pre id="out"></pre>
<script>
  window.link = (account) => new Promise((resolve) => {
    try {
      chrome.runtime.sendMessage(${JSON.stringify(extId)}, { type: 'link-account', account }, (r) => {
        resolve(r || { ok: false, error: String(chrome.runtime.lastError && chrome.runtime.lastError.message) });
      });
    } catch (e) { resolve({ ok: false, error: 'no runtime: ' + e.message }); }
  });
</script>`;

let h;
before(async () => {
  h = await setUp({ variant: { grant: ['notifications'], config: { account: ACCOUNT, order_check_s: 3600 } } });
  h.server.route('cashback.example', '/connect', () => connectPage(h.id));
  h.server.route('evil.example', '/connect', () => connectPage(h.id));
});
after(async () => { await h?.close(); });

const linked = async () => (await h.sw.evaluate(() => chrome.storage.local.get('settings'))).settings?.account ?? null;

async function unlink() {
  const ext = await h.browser.newPage();
  await ext.goto(`chrome-extension://${h.id}/ui/options.html`);
  await ext.evaluate(() => chrome.runtime.sendMessage({ type: 'unlink-account' }));
  await ext.evaluate(() => chrome.runtime.sendMessage({ type: 'clear-session' }));
  await ext.close();
  await h.sw.evaluate(async () => {
    for (const name of ['aeu_cid', 'xman_us_f']) await chrome.cookies.remove({ url: 'https://www.aliexpress.com/', name });
  });
  h.server.reset();
}

test('the manifest lets only the operator site message us', async () => {
  const m = await h.sw.evaluate(() => chrome.runtime.getManifest());
  assert.deepEqual(m.externally_connectable, { matches: [`${SITE}/*`], ids: [] });
});

test('no account linked: Activate sends nothing, says why, and opens the options page', async () => {
  await unlink();
  const page = await h.browser.newPage();
  await page.goto(ITEM);
  await waitForState(page, 'inactive');
  assert.match(await inBanner(page, 'cg-account-needed').textContent(), /credit this cashback to nobody/);
  const opened = h.browser.context.waitForEvent('page', { predicate: (p) => p.url().includes('/ui/options.html'), timeout: 10000 });
  await inBanner(page, 'cg-activate').click();
  const options = await opened;
  await page.waitForTimeout(500);
  assert.equal(h.server.hits('deep_link'), 0);
  assert.equal(await inBanner(page, 'cg-banner').getAttribute('data-state'), 'inactive');
  await options.close();
  await page.close();
});

test('linked in the options page: the deep link carries af=<id>, the landing proves it, the order records it', async () => {
  await unlink();
  const options = await h.browser.newPage();
  await options.goto(`chrome-extension://${h.id}/ui/options.html`);
  await options.locator('#account:not([hidden])').waitFor();
  // A bad id: a message, nothing saved.
  await options.locator('[data-testid="cg-account"]').fill('not valid!');
  await options.locator('[data-testid="cg-account-save"]').click();
  await options.locator('#account-msg', { hasText: 'not a valid account id' }).waitFor();
  assert.equal(await linked(), null);
  await options.locator('[data-testid="cg-account"]').fill('shopper_42');
  await options.locator('[data-testid="cg-account-save"]').click();
  await options.locator('[data-testid="cg-account-status"][data-account="shopper_42"]').waitFor();
  assert.equal(await linked(), 'shopper_42');
  await options.close();

  const page = await h.browser.newPage();
  await page.goto(ITEM);
  await waitForState(page, 'inactive');
  await inBanner(page, 'cg-activate').click();
  await waitForState(page, 'active', 20000);
  const deep = h.server.log.filter((l) => l.name === 'deep_link');
  assert.equal(deep.length, 1);
  assert.equal(new URL(deep[0].url).searchParams.get('af'), 'shopper_42');
  assert.equal(new URL(page.url()).searchParams.get('af'), 'shopper_42', 'AliExpress forwarded it to the landing');
  const popup = await h.popup(page);
  assert.equal(await popup.locator('[data-testid="cg-account-status"]').getAttribute('data-account'), 'shopper_42');
  await popup.close();
  // An order paid now is logged with the account it was credited to.
  await page.goto(CHECKOUT);
  await inBanner(page, 'cg-banner').waitFor();
  await page.locator('.place-order-primary-btn').click();
  await page.waitForURL(/pay-result\.html/);
  await inBanner(page, 'cg-order').waitFor({ timeout: 10000 });
  const orders = (await h.sw.evaluate(() => chrome.storage.local.get('orders'))).orders.orders;
  assert.equal(orders.at(-1).account, 'shopper_42');
  await page.close();
});

test('the operator site links by a real runtime.sendMessage; an AliExpress page and another origin cannot', async () => {
  await unlink();
  // Another origin: the browser gives it no way to message us.
  const evil = await h.browser.newPage();
  await evil.goto('https://evil.example/connect');
  const r1 = await evil.evaluate(() => window.link('thief_1'));
  assert.equal(r1.ok, false);
  await evil.close();
  // An AliExpress page (our content script runs there, but the page itself cannot reach us).
  const ali = await h.browser.newPage();
  await ali.goto(ITEM);
  await waitForState(ali, 'inactive');
  const r2 = await ali.evaluate((id) => new Promise((resolve) => {
    try {
      chrome.runtime.sendMessage(id, { type: 'link-account', account: 'thief_2' }, (r) => resolve(r || { ok: false }));
    } catch (e) { resolve({ ok: false, error: e.message }); }
  }).catch((e) => ({ ok: false, error: String(e) })), h.id).catch((e) => ({ ok: false, error: String(e) }));
  assert.equal(r2.ok, false);
  assert.equal(await linked(), null, 'nothing changed');

  const site = await h.browser.newPage();
  await site.goto(`${SITE}/connect`);
  assert.equal((await site.evaluate(() => window.link('x'))).ok, false, 'the id must match the operator pattern');
  const r3 = await site.evaluate(() => window.link('shopper_77'));
  assert.deepEqual(r3, { ok: true });
  assert.equal(await linked(), 'shopper_77');
  await site.close();
  const popup = await h.popup(ali);
  assert.equal(await popup.locator('[data-testid="cg-account-status"]').getAttribute('data-account'), 'shopper_77');
  assert.match(await popup.locator('[data-testid="cg-account-status"]').textContent(), /Linked to shopper_77/);
  // Unlinking from the popup.
  await popup.locator('[data-testid="cg-account-status"] [data-action="unlink-account"]').click();
  await popup.locator('[data-testid="cg-account-status"][data-account=""]').waitFor();
  assert.equal(await linked(), null);
  await popup.close();
  await ali.close();
});
