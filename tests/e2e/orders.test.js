// Orders (issue 8): the order log with its proof of attribution, the 10-minute check, and
// the checkout pitfalls, on fixture checkout and payment-result pages. A test build grants
// `notifications` (a headless browser cannot accept the prompt) and shortens the check to
// 2 seconds (`order_check_s`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, inBanner, waitForState } from './lib/harness.js';

const ITEM = 'https://www.aliexpress.com/item/1005001000000001.html';
const CHECKOUT = 'https://www.aliexpress.com/p/trade/confirm.html?objectId=1005001000000001&skuId=1&quantity=1&aeOrderFrom=main_detail';

let h;
before(async () => { h = await setUp({ variant: { grant: ['notifications'], config: { order_check_s: 2 } } }); });
after(async () => { await h?.close(); });

const storedOrders = async () => (await h.sw.evaluate(() => chrome.storage.local.get('orders'))).orders;
const warnings = (page) => page.locator('#cashback-guard-root [data-testid="cg-warning"]');

async function checkoutAndPay(page) {
  await page.goto(CHECKOUT);
  await inBanner(page, 'cg-banner').waitFor();
  await page.locator('.place-order-primary-btn').click();
  await page.waitForURL(/pay-result\.html/);
  await inBanner(page, 'cg-order').waitFor({ timeout: 10000 });
}

test('checkout while not active says so before payment', async () => {
  const page = await h.browser.newPage();
  await page.goto(CHECKOUT);
  await waitForState(page, 'inactive');
  const risk = inBanner(page, 'cg-checkout-risk');
  await risk.waitFor();
  assert.equal(await risk.getAttribute('data-state'), 'inactive');
  assert.match(await risk.textContent(), /not active for this order/);
  await page.close();
});

test('a typed promo code and the opened app-payment block are warned about on the checkout', async () => {
  const page = await h.browser.newPage();
  await page.goto(CHECKOUT);
  await waitForState(page, 'inactive');
  assert.equal(await warnings(page).count(), 0, 'no pitfall on a clean checkout');
  await page.locator('input.pl-promoCode-input').fill('HONEY-SAVE10');
  const coupon = page.locator('#cashback-guard-root [data-testid="cg-warning"][data-kind="coupon"]');
  await coupon.waitFor({ timeout: 5000 });
  assert.equal(await coupon.getAttribute('data-subject'), 'HONEY-SAVE10');
  // AliExpress's own coupon (a checkbox in its coupon list) is not a promo code: no change.
  await page.locator('.pl-coupon-select').check();
  await page.locator('.pl-app-price-link').click();
  const app = page.locator('#cashback-guard-root [data-testid="cg-warning"][data-kind="app-payment"]');
  await app.waitFor({ timeout: 5000 });
  assert.match(await app.textContent(), /app/i);
  assert.equal(await warnings(page).count(), 2);
  await page.close();
});

test('paying while active logs the order with our referral as proof; the check notifies', async () => {
  h.server.reset();
  const page = await h.browser.newPage();
  await page.goto(ITEM);
  await waitForState(page, 'inactive');
  await inBanner(page, 'cg-activate').click();
  await waitForState(page, 'active');
  await checkoutAndPay(page);
  assert.match(await inBanner(page, 'cg-order').textContent(), /Order logged: expected cashback .*1\.81.*active at payment/);
  const orders = (await storedOrders()).orders;
  assert.equal(orders.length, 1);
  const o = orders[0];
  assert.equal(o.amount_minor, 2598);
  assert.equal(o.currency, 'USD');
  assert.equal(o.expected_minor, 181);
  assert.equal(o.order_ids.length, 1);
  assert.match(o.order_ids[0], /^81\d{14}$/);
  assert.match(o.payment_id, /^PAY\d{12}$/);
  assert.deepEqual([o.snapshot.state, o.snapshot.cookie, o.snapshot.cookie_key], ['active', 'ours', 'cgDemo0001']);
  // Reloading the payment page logs nothing more.
  await page.reload();
  await inBanner(page, 'cg-order').waitFor();
  assert.equal((await storedOrders()).orders.length, 1);
  // Two seconds later (test config) the reminder is a real notification.
  await h.sw.evaluate(() => new Promise((r) => setTimeout(r, 2500)));
  const deadline = Date.now() + 10000;
  let shown = {};
  while (Date.now() < deadline) {
    shown = await h.sw.evaluate(() => chrome.notifications.getAll());
    if (Object.keys(shown).length) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const notes = await h.sw.evaluate(async () => (await chrome.storage.session.get('session')).session.notes);
  assert.deepEqual(Object.keys(shown), [`order-check:${o.id}`], JSON.stringify(notes));
  assert.equal((await storedOrders()).orders[0].reminder, 'shown');
  // The popup lists the order as attributed, and the export carries it.
  const popup = await h.popup(page);
  const row = popup.locator('[data-testid="cg-order-row"]');
  assert.equal(await row.count(), 1);
  assert.equal(await row.getAttribute('data-attributed'), 'true');
  assert.equal(await row.getAttribute('data-status'), 'expected');
  const [download] = await Promise.all([
    popup.waitForEvent('download'),
    popup.locator('[data-action="export"][data-format="csv"]').click(),
  ]);
  assert.match(download.suggestedFilename(), /^cashback-guard-orders-\d{4}-\d{2}-\d{2}\.csv$/);
  // A partial refund recomputes the cashback; more than paid is refused with a message.
  await row.locator('input[data-refund-for]').fill('30');
  await row.locator('[data-action="refund"]').click();
  await popup.locator('[data-testid="cg-order-row"] [data-refund-msg]').filter({ hasText: /larger than the amount paid/ }).waitFor();
  await popup.locator('[data-testid="cg-order-row"] input[data-refund-for]').fill('5.98');
  await popup.locator('[data-testid="cg-order-row"] [data-action="refund"]').click();
  await popup.locator('[data-testid="cg-order-row"][data-status="reduced"]').waitFor();
  assert.equal((await storedOrders()).orders[0].expected_minor, 140, '7% of the 20.00 finally paid');
  await popup.close();
  await page.close();
});

test('an order paid after a rival took the referral is logged with the hijack', async () => {
  h.server.reset();
  const page = await h.browser.newPage();
  await page.goto(ITEM);
  // The previous test left the session active; a rival's link (here, followed in the tab) takes it.
  await waitForState(page, 'active');
  await page.goto(`https://s.click.aliexpress.com/deep_link.htm?aff_short_key=rivalPay1&dl_target_url=${encodeURIComponent(ITEM)}`);
  await waitForState(page, 'hijacked', 15000);
  await checkoutAndPay(page);
  assert.match(await inBanner(page, 'cg-order').textContent(), /not ours/);
  const orders = (await storedOrders()).orders;
  const o = orders[orders.length - 1];
  assert.deepEqual([o.snapshot.state, o.snapshot.cookie, o.snapshot.cookie_key], ['hijacked', 'other', 'rivalPay1']);
  assert.ok(o.snapshot.warnings.includes('rival:rivalPay1'), JSON.stringify(o.snapshot));
  const popup = await h.popup(page);
  const row = popup.locator(`[data-testid="cg-order-row"][data-order-id="${o.id}"]`);
  assert.equal(await row.getAttribute('data-attributed'), 'false');
  assert.match(await row.textContent(), /another key: rivalPay1/);
  await popup.close();
  await page.close();
});
