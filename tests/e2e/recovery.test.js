// Issue 9: a panic in the core is caught, logged to the diagnostics, and the worker keeps
// serving; a worker stopped at every step of the flow ends exactly where an undisturbed run
// ends; and our extension makes no network request of its own but the shopper's deep link.
// A test build enables the deliberately panicking `debug-panic` message (`test_hooks`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, inBanner, waitForState } from './lib/harness.js';

const ITEM = 'https://www.aliexpress.com/item/1005001000000001.html';
const CHECKOUT = 'https://www.aliexpress.com/p/trade/confirm.html?objectId=1005001000000001&skuId=1&quantity=1&aeOrderFrom=main_detail';

let h;
before(async () => {
  h = await setUp({ variant: { grant: ['notifications'], config: { test_hooks: true, order_check_s: 3600 } }, mapAllHosts: true });
});
after(async () => { await h?.close(); });

const session = async () => (await h.sw.evaluate(() => chrome.storage.session.get('session'))).session;

test('a panic in the core is caught, logged, and the worker keeps serving', async () => {
  const page = await h.browser.newPage();
  await page.goto(ITEM);
  await waitForState(page, 'inactive');
  const popup = await h.popup(page);
  const r = await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'debug-panic' }));
  assert.equal(r.type, 'error');
  assert.match(r.error, /recovered/);
  // The same worker instance answers the next message, from a fresh core.
  const tab = await h.tabIdOf(page);
  const view = await popup.evaluate((t) => chrome.runtime.sendMessage({ type: 'popup', tabId: t }), tab);
  assert.equal(view.state, 'inactive');
  const notes = (await session()).notes.join('\n');
  assert.match(notes, /internal error, recovered .*debug-panic requested/s);
  await popup.reload();
  assert.match(await popup.locator('[data-testid="cg-diagnostics"]').textContent(), /internal error, recovered/);
  // And the product still works: one click, one redirect, active.
  h.server.reset();
  await inBanner(page, 'cg-activate').click();
  await waitForState(page, 'active');
  assert.equal(h.server.hits('deep_link'), 1);
  await popup.close();
  await page.close();
});

/**
 * A clean start: no attribution cookies, no orders, and the session cleared through the
 * worker's own queue (a write of an event still in flight cannot resurrect the old record).
 */
async function cleanStart() {
  await h.sw.evaluate(async () => {
    for (const name of ['aeu_cid', 'xman_us_f']) await chrome.cookies.remove({ url: 'https://www.aliexpress.com/', name });
    await chrome.storage.local.remove('orders');
  });
  const ext = await h.browser.newPage();
  await ext.goto(`chrome-extension://${h.id}/ui/options.html`);
  assert.equal((await ext.evaluate(() => chrome.runtime.sendMessage({ type: 'clear-session' }))).type, 'ok');
  await ext.close();
}

/**
 * The flow of issue 9.3: activation → verification → hijack detection → cart snapshot →
 * order logging. `kill(step)` runs after each step (stopping the worker, or not). Returns
 * what the run ended with.
 */
async function flow(kill) {
  await cleanStart();
  h.server.reset();
  h.server.setCart('com', [{ id: '1005001000000003', qty: 1 }]);
  const page = await h.browser.newPage();
  await page.goto(ITEM);
  await waitForState(page, 'inactive').catch(async (e) => {
    const b = await inBanner(page, 'cg-banner').getAttribute('data-state').catch(() => 'none');
    throw new Error(`${e.message}; banner state ${b}; session ${JSON.stringify(await session())}`.slice(0, 3000));
  });
  await kill('loaded');
  await inBanner(page, 'cg-activate').click(); // activation
  await kill('activation sent');
  await waitForState(page, 'active', 20000); // verification
  await kill('verified');
  await page.goto(`https://s.click.aliexpress.com/deep_link.htm?aff_short_key=rivalKill1&dl_target_url=${encodeURIComponent(ITEM)}`);
  await waitForState(page, 'hijacked', 20000); // hijack detection
  await kill('hijacked');
  await inBanner(page, 'cg-activate').click();
  await waitForState(page, 'active', 20000);
  await kill('re-activated');
  await page.goto('https://www.aliexpress.com/p/shoppingcart/index.html'); // cart snapshot
  // The warning naming the item: the header's count can come a moment before the cart lines
  // are read, and leaving the page then would leave the stale list empty.
  await page.locator('#cashback-guard-root [data-testid="cg-warning"][data-kind="cart"][data-subject*="1005001000000003"]').waitFor({ timeout: 10000 });
  await kill('cart');
  await page.goto(CHECKOUT); // order logging
  await inBanner(page, 'cg-banner').waitFor();
  await page.locator('.place-order-primary-btn').click();
  await page.waitForURL(/pay-result\.html/);
  await inBanner(page, 'cg-order').waitFor({ timeout: 10000 });
  await kill('order logged');
  await page.reload();
  await inBanner(page, 'cg-order').waitFor({ timeout: 10000 });
  const s = await session();
  const orders = (await h.sw.evaluate(() => chrome.storage.local.get('orders'))).orders.orders;
  await page.close();
  return {
    state: s.referral.state,
    ourHits: h.server.log.filter((l) => l.name === 'deep_link' && l.key === 'cgDemo0001').length,
    rivalHits: h.server.log.filter((l) => l.name === 'deep_link' && l.key === 'rivalKill1').length,
    staleInCart: s.cart.stale,
    orders: orders.map((o) => [o.snapshot.state, o.snapshot.cookie, o.snapshot.cookie_key, o.amount_minor]),
  };
}

test('a worker stopped at every step ends exactly like an undisturbed run', async () => {
  const undisturbed = await flow(async () => {});
  assert.deepEqual(undisturbed, {
    state: 'active', ourHits: 2, rivalHits: 1, staleInCart: ['1005001000000003'],
    orders: [['active', 'ours', 'cgDemo0001', 2598]],
  });
  const stopped = [];
  const woken = []; // stopped, but a page's message started a new instance before the check
  const disturbed = await flow(async (step) => {
    try {
      if (await h.browser.stopServiceWorker(h.id)) stopped.push(step);
    } catch (e) {
      if (!/still running/.test(e.message)) throw e;
      woken.push(step);
    }
  });
  assert.deepEqual(disturbed, undisturbed);
  assert.ok(stopped.length >= 3 && stopped.length + woken.length >= 6, `stopped at ${stopped.join(', ')}; woken at once at ${woken.join(', ')}`);
});

test('our extension makes no network request of its own, only the shopper-initiated deep link', async () => {
  // Every host name resolves to the fixture server in this browser (`mapAllHosts`), so any
  // request from any of our contexts (worker, content script, popup), to any host, lands in
  // its log. Allowed: what the test navigates to, what the fixture pages load themselves,
  // and the one deep link after the click.
  const pageOwn = /^\/(__cart\.json|favicon\.ico)$|^\/af_pixel\.htm$/;
  // Chromium's own services (autofill, etc.) also resolve here; they are the browser's, not ours.
  const browserOwn = /(^|\.)(googleapis|gstatic|google)\.com$/;
  await cleanStart();
  h.server.reset();
  const page = await h.browser.newPage();
  const navigations = [];
  page.on('request', (r) => { if (r.isNavigationRequest()) navigations.push(r.url()); });
  await page.goto(ITEM);
  await waitForState(page, 'inactive');
  await inBanner(page, 'cg-activate').click();
  await waitForState(page, 'active', 20000);
  await page.goto(CHECKOUT);
  await inBanner(page, 'cg-banner').waitFor();
  const popup = await h.popup(page);
  await popup.close();
  const options = await h.browser.newPage();
  await options.goto(`chrome-extension://${h.id}/ui/options.html`);
  await options.locator('input[name="banner"]:not([disabled])').waitFor();
  await options.close();
  await page.waitForTimeout(500);
  const unexplained = h.server.requests.filter((r) => {
    const u = new URL(r.url);
    if (u.hostname === 's.click.aliexpress.com' && u.pathname === '/deep_link.htm') return false; // checked below
    if (navigations.some((n) => n.split('#')[0] === r.url.split('#')[0])) return false;
    if (browserOwn.test(u.hostname) && !`${r.origin} ${r.referer}`.includes('chrome-extension:')) return false;
    return !pageOwn.test(u.pathname);
  });
  assert.deepEqual(unexplained.map((r) => r.url), [], 'requests nobody but our extension could have made');
  assert.deepEqual(h.server.requests.filter((r) => `${r.origin} ${r.referer}`.includes('chrome-extension:')), []);
  const deep = h.server.log.filter((l) => l.name === 'deep_link');
  assert.equal(deep.length, 1);
  assert.equal(deep[0].key, 'cgDemo0001');
  await page.close();
});
