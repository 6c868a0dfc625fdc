// UI (issue 7): accessibility with axe-core, isolation from hostile page CSS, no overlap with
// the shop's buy buttons, both locales complete, Russian plurals, language switch live.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { setUp, inBanner, waitForState, EXT_DIR } from './lib/harness.js';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const ITEM = 'https://www.aliexpress.com/item/1005009999999999.html'; // DOM layout with SKUs and Buy now

let h;
before(async () => { h = await setUp(); });
after(async () => { await h?.close(); });

async function axe(page, context) {
  await page.evaluate(AXE); // (through CDP: extension pages' CSP forbids inline scripts)
  const r = await page.evaluate((ctx) => window.axe.run(ctx || document, { resultTypes: ['violations'] }), context);
  return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('every message key exists in both shipped locales', () => {
  const en = JSON.parse(fs.readFileSync(path.join(EXT_DIR, '_locales/en/messages.json'), 'utf8'));
  const ru = JSON.parse(fs.readFileSync(path.join(EXT_DIR, '_locales/ru/messages.json'), 'utf8'));
  const base = (k) => k.replace(/_(one|few|many|other)$/, '');
  assert.deepEqual([...new Set(Object.keys(en).map(base))].sort(), [...new Set(Object.keys(ru).map(base))].sort());
});

test('axe-core: banner, popup and options have zero violations', async () => {
  const page = await h.browser.newPage();
  await page.goto(ITEM);
  await waitForState(page, 'inactive');
  await inBanner(page, 'cg-expected').waitFor();
  assert.deepEqual(await axe(page, { include: [['#cashback-guard-root']] }), []);
  const popup = await h.popup(page);
  assert.deepEqual(await axe(popup), []);
  await popup.close();
  const opts = await h.browser.openExtensionPage(h.id, 'ui/options.html');
  await opts.waitForFunction(() => document.querySelector('input[name="banner"]').checked);
  assert.deepEqual(await axe(opts), []);
  await opts.close();
  await page.close();
});

test('axe-core: banner and popup in Russian have zero violations too', async () => {
  const opts = await h.browser.openExtensionPage(h.id, 'ui/options.html');
  await opts.check('input[name="lang"][value="ru"]');
  await opts.waitForFunction(() => document.documentElement.lang === 'ru');
  const page = await h.browser.newPage();
  await page.goto(ITEM);
  await waitForState(page, 'inactive');
  await page.waitForFunction(() => document.getElementById('cashback-guard-root').shadowRoot.querySelector('[lang="ru"]'));
  assert.deepEqual(await axe(page, { include: [['#cashback-guard-root']] }), []);
  const popup = await h.popup(page);
  assert.equal(await popup.evaluate(() => document.documentElement.lang), 'ru');
  assert.deepEqual(await axe(popup), []);
  await popup.close();
  await opts.check('input[name="lang"][value="auto"]');
  await opts.close();
  await page.close();
});

// (`* { display: none }` would match <html> itself and blank the whole page, shop included;
// every other element, including our host, is covered by `body *`.)
test('a hostile page stylesheet does not hide or break the banner', async () => {
  h.server.route('www.aliexpress.com', '/item/1005006666666666.html', () => `<!doctype html><html><head>
    <style>body * { display: none !important; font-size: 0 !important } * { font-size: 0 !important }
      div { all: unset } body > div:last-child { visibility: hidden !important; transform: scale(0) }</style>
    </head><body><h1>Hostile</h1><span class="price-default--current--F8OlYIo">US $10.00</span></body></html>`);
  const page = await h.browser.newPage();
  await page.goto('https://www.aliexpress.com/item/1005006666666666.html');
  await waitForState(page, 'inactive');
  const box = await inBanner(page, 'cg-banner').boundingBox();
  assert.ok(box && box.width > 200 && box.height > 60, JSON.stringify(box));
  assert.ok(await inBanner(page, 'cg-activate').isVisible());
  // Read from the live shadow root (a later view update may replace the element).
  const size = await page.evaluate(() => {
    const s = document.getElementById('cashback-guard-root').shadowRoot.querySelector('[data-testid="cg-status"]');
    return getComputedStyle(s).fontSize;
  });
  assert.equal(size, '14px');
  await page.close();
});

for (const vp of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
  test(`the banner does not cover the Buy now / Add to cart buttons at ${vp.width}×${vp.height}`, async () => {
    const page = await h.browser.newPage();
    await page.setViewportSize(vp);
    await page.goto(ITEM);
    await waitForState(page, 'inactive');
    await inBanner(page, 'cg-expected').waitFor();
    const b = await inBanner(page, 'cg-banner').boundingBox();
    for (const sel of ['button[class*="buy-now"]', 'button[class*="addtocart"]']) {
      await page.locator(sel).scrollIntoViewIfNeeded();
      const r = await page.locator(sel).boundingBox();
      const banner = await inBanner(page, 'cg-banner').boundingBox();
      const overlap = !(r.x + r.width <= banner.x || banner.x + banner.width <= r.x || r.y + r.height <= banner.y || banner.y + banner.height <= r.y);
      assert.equal(overlap, false, `${sel} ${JSON.stringify(r)} vs banner ${JSON.stringify(banner)}`);
    }
    assert.ok(b.x >= 0 && b.x + b.width <= vp.width, 'inside the viewport');
    await page.close();
  });
}

test('the language switches live, with Russian plurals (1 товар, 2 товара, 5 товаров)', async () => {
  const opts = await h.browser.openExtensionPage(h.id, 'ui/options.html');
  await opts.check('input[name="lang"][value="ru"]');
  await opts.waitForFunction(() => document.documentElement.lang === 'ru');
  const page = await h.browser.newPage();
  for (const [n, word] of [[1, 'товар'], [2, 'товара'], [5, 'товаров']]) {
    h.server.setCart('ru', Array.from({ length: n }, (_, i) => ({ id: `10050010000002${i}0`, title: `T${i}` })));
    await page.goto('https://aliexpress.ru/cart');
    await waitForState(page, 'inactive');
    const w = inBanner(page, 'cg-warning').and(page.locator('[data-kind="cart"]'));
    await page.waitForFunction((t) => document.getElementById('cashback-guard-root').shadowRoot.textContent.includes(t), `${n} ${word} в корзине`);
    assert.match(await w.textContent(), new RegExp(`${n} ${word} в корзине`));
  }
  await opts.check('input[name="lang"][value="en"]');
  await page.waitForFunction(() => /in the cart/.test(document.getElementById('cashback-guard-root').shadowRoot.textContent));
  await opts.check('input[name="lang"][value="auto"]');
  h.server.setCart('ru', []);
  await opts.close();
  await page.close();
});
