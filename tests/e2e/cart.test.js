// Cart before activation (issue 5) on the .com and .ru cart layouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, inBanner, waitForState } from './lib/harness.js';

const STORES = [
  { sf: 'com', cart: 'https://www.aliexpress.com/p/shoppingcart/index.html', item: 'https://www.aliexpress.com/item/1005001000000001.html', remove: (id) => `.cart-product:has(a.cart-product-name-title[href*="/item/${id}.html"]) button[aria-label="delete product"]` },
  { sf: 'ru', cart: 'https://aliexpress.ru/cart', item: 'https://aliexpress.ru/item/1005001000000009.html', remove: (id) => `[data-testid="productContainer"]:has(a[href*="/item/${id}.html"]) button[aria-label="Удалить"]` },
];
const A = '1005001000000101';
const B = '1005001000000102';
const C = '1005001000000103';

const flags = (page) => page.$$eval('[data-testid="cg-cart-flag"]', (els) => els.map((e) => e.getAttribute('data-product-id')).sort());
async function waitFlags(page, want) {
  await page.waitForFunction((w) => JSON.stringify(Array.from(document.querySelectorAll('[data-testid="cg-cart-flag"]'))
    .map((e) => e.getAttribute('data-product-id')).sort()) === JSON.stringify(w), want, { timeout: 10000 });
}
const cartWarning = (page) => inBanner(page, 'cg-warning').and(page.locator('[data-kind="cart"]'));

for (const s of STORES) {
  test(`${s.sf}: filled cart → activate → warning with ids, flags on old items only, remove and re-add clears`, async () => {
    const h = await setUp();
    try {
      h.server.setCart(s.sf, [{ id: A, title: 'Old A' }, { id: B, title: 'Old B', qty: 2 }]);
      const page = await h.browser.newPage();
      await page.goto(s.cart);
      await waitForState(page, 'inactive');
      // Before activation: the warning is already there, naming both items (the header's count
      // may come a moment before the page has rendered its lines).
      await cartWarning(page).waitFor();
      await page.waitForFunction((want) => {
        const host = document.getElementById('cashback-guard-root');
        const w = host && host.shadowRoot && host.shadowRoot.querySelector('[data-testid="cg-warning"][data-kind="cart"]');
        return w && w.getAttribute('data-subject') === want;
      }, `${A},${B}`, { timeout: 10000 });
      assert.deepEqual(await flags(page), [], 'no flags before activation');

      await inBanner(page, 'cg-activate').click();
      await page.waitForURL(/aff_fsk=/);
      await waitForState(page, 'active');
      await waitFlags(page, [A, B]);
      assert.equal(await cartWarning(page).getAttribute('data-subject'), `${A},${B}`);
      assert.match(await cartWarning(page).textContent(), /2/);

      // A new item added after activation gets no flag.
      await page.evaluate((id) => fetch(`/__cart/add?id=${id}&title=New`, { method: 'POST' }), C);
      await page.reload();
      await waitFlags(page, [A, B]);
      // The worker pushes views to every tab as the cart changes, maybe before this tab's
      // `hello` is answered: the banner must still carry its style (a fixed box, not page flow).
      await inBanner(page, 'cg-banner').waitFor();
      assert.equal(await page.evaluate(() => getComputedStyle(document.getElementById('cashback-guard-root').shadowRoot
        .querySelector('[data-testid="cg-banner"]')).position), 'fixed', 'the banner is drawn without its CSS');

      // Remove A (the page re-renders without reload) and add it again: its flag goes.
      await page.click(s.remove(A));
      await waitFlags(page, [B]);
      await page.evaluate((id) => fetch(`/__cart/add?id=${id}&title=Again`, { method: 'POST' }), A);
      await page.reload();
      await waitFlags(page, [B]);
      assert.equal(await cartWarning(page).getAttribute('data-subject'), B);

      // On a product page the warning shows too.
      const other = await h.browser.newPage();
      await other.goto(s.item);
      await waitForState(other, 'active');
      assert.equal(await cartWarning(other).getAttribute('data-subject'), B);
    } finally {
      await h.close();
    }
  });
}

test('empty cart before activation: no cart warning after it', async () => {
  const h = await setUp();
  try {
    const page = await h.browser.newPage();
    await page.goto(STORES[0].cart);
    await waitForState(page, 'inactive');
    await inBanner(page, 'cg-activate').click();
    await waitForState(page, 'active');
    await page.evaluate((id) => fetch(`/__cart/add?id=${id}&title=New`, { method: 'POST' }), C);
    await page.reload();
    await waitForState(page, 'active');
    await page.waitForTimeout(800);
    assert.equal(await cartWarning(page).count(), 0);
    assert.deepEqual(await flags(page), []);
  } finally {
    await h.close();
  }
});

test('a cart page whose markup matches no profile: no flags, no warning, the banner says the cart could not be read, a diagnostics line', async () => {
  const h = await setUp();
  try {
    h.server.route('www.aliexpress.com', '/p/shoppingcart/index.html', () =>
      '<!doctype html><html><body><section class="totally-new-cart"><article><a href="/item/1005001000000101.html">x</a></article></section></body></html>');
    const page = await h.browser.newPage();
    await page.goto(STORES[0].cart);
    await waitForState(page, 'inactive');
    // Not at once (a cart may still be rendering), but once the page had its time.
    await inBanner(page, 'cg-cart-unread').waitFor({ timeout: 10000 });
    assert.equal(await cartWarning(page).count(), 0);
    assert.deepEqual(await flags(page), []);
    const popup = await h.popup(page);
    await popup.locator('summary').click();
    assert.match(await popup.locator('[data-testid="cg-diagnostics"]').textContent(), /cart page layout not recognised by profile aliexpress-com-2026: no cart_item candidate matched/);
  } finally {
    await h.close();
  }
});
