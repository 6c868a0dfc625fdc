// Expected cashback (issue 6) on fixture product pages of several layouts: the amount shown
// matches floor(price × quantity × rate / 10000) to the minor unit, in the page's currency.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, inBanner, waitForState } from './lib/harness.js';

const floorBp = (minor, bp, qty = 1) => String((BigInt(minor) * BigInt(qty) * BigInt(bp)) / 10000n);

const CASES = [
  // layout, url, currency, price minor (min, max), rate
  { name: 'JSON-LD (.com)', url: 'https://www.aliexpress.com/item/1005001000000001.html', cur: 'USD', min: 2500, bp: 700 },
  { name: 'embedded runParams priceModule with a SKU range, category rate', url: 'https://www.aliexpress.com/item/1005001000000002.html', cur: 'USD', min: 1079, max: 1444, bp: 500 },
  { name: 'embedded runParams priceComponent (DOM split into spans)', url: 'https://www.aliexpress.com/item/1005001000000003.html', cur: 'USD', min: 3499, max: 4199, bp: 700 },
  { name: 'gift certificate (category 201768104 at 3%)', url: 'https://www.aliexpress.com/item/1005001000000004.html', cur: 'USD', min: 5000, bp: 300 },
  { name: 'DOM-only .com with breadcrumbs', url: 'https://www.aliexpress.com/item/1005009999999999.html', cur: 'USD', min: 1234, bp: 500 },
  { name: 'aliexpress.ru __AER_DATA__ in RUB', url: 'https://aliexpress.ru/item/1005001000000009.html', cur: 'RUB', min: 136666, bp: 500 },
  { name: 'DOM-only .ru in RUB (narrow no-break spaces)', url: 'https://aliexpress.ru/item/1005001000000005.html', cur: 'RUB', min: 123456, bp: 700 },
  { name: 'aliexpress.us', url: 'https://www.aliexpress.us/item/1005001000000001.html', cur: 'USD', min: 2500, bp: 700 },
];

let h;
before(async () => { h = await setUp(); });
after(async () => { await h?.close(); });

for (const c of CASES) {
  test(`expected cashback: ${c.name}`, async () => {
    const page = await h.browser.newPage();
    await page.goto(c.url);
    await waitForState(page, 'inactive');
    const e = inBanner(page, 'cg-expected');
    await e.waitFor({ timeout: 10000 });
    assert.equal(await e.getAttribute('data-currency'), c.cur);
    assert.equal(await e.getAttribute('data-amount-minor'), floorBp(c.min, c.bp));
    assert.equal(await e.getAttribute('data-amount-max-minor'), c.max ? floorBp(c.max, c.bp) : null);
    assert.equal(await inBanner(page, 'cg-rate').getAttribute('data-rate-bp'), String(c.bp));
    const text = await e.textContent();
    assert.doesNotMatch(text, /NaN|undefined/);
    assert.match(text, /^≈/);
    await page.close();
  });
}

test('a SKU click changes the price without a reload: the amount follows', async () => {
  const page = await h.browser.newPage();
  await page.goto('https://www.aliexpress.com/item/1005009999999999.html');
  const e = inBanner(page, 'cg-expected');
  await e.waitFor();
  assert.equal(await e.getAttribute('data-amount-minor'), floorBp(1234, 500));
  await page.click('[data-sku-col="14-771"]'); // US $15.49
  await page.waitForFunction(() => document.getElementById('cashback-guard-root').shadowRoot
    .querySelector('[data-testid="cg-expected"]')?.getAttribute('data-amount-minor') === '77', null, { timeout: 5000 });
  assert.equal(await e.getAttribute('data-amount-minor'), floorBp(1549, 500));
  await page.close();
});

test('on a JSON-LD page a SKU click that changes only the visible price moves the amount too', async () => {
  h.server.route('www.aliexpress.com', '/item/1005005555555555.html', () => `<!doctype html><html><head>
    <script type="application/ld+json">{"@type":"Product","offers":{"price":"25.00","priceCurrency":"USD"}}</script></head><body>
    <div class="product-price"><span class="price-default--current--F8OlYIo">US $25.00</span></div>
    <button id="sku" type="button" onclick="document.querySelector('.price-default--current--F8OlYIo').textContent='US $30.00';
      history.replaceState(null, '', location.pathname + '?sku_id=12000')">Blue</button></body></html>`);
  const page = await h.browser.newPage();
  await page.goto('https://www.aliexpress.com/item/1005005555555555.html');
  const e = inBanner(page, 'cg-expected');
  await e.waitFor();
  assert.equal(await e.getAttribute('data-amount-minor'), floorBp(2500, 700));
  await page.click('#sku');
  await page.waitForFunction((want) => document.getElementById('cashback-guard-root').shadowRoot
    .querySelector('[data-testid="cg-expected"]')?.getAttribute('data-amount-minor') === want, floorBp(3000, 700), { timeout: 5000 });
  await page.close();
});

test('Russian UI formats money with Intl: "≈ 86,41 ₽ (7%)"', async () => {
  const opts = await h.browser.openExtensionPage(h.id, 'ui/options.html');
  await opts.check('input[name="lang"][value="ru"]');
  await opts.waitForFunction(() => document.documentElement.lang === 'ru');
  const page = await h.browser.newPage();
  await page.goto('https://aliexpress.ru/item/1005001000000005.html');
  const e = inBanner(page, 'cg-expected');
  await e.waitFor();
  assert.equal((await e.textContent()).replace(/\s/g, ' '), '≈ 86,41 ₽');
  assert.equal(await inBanner(page, 'cg-rate').textContent(), '(7%)');
  assert.match(await inBanner(page, 'cg-status').textContent(), /Кэшбэк не активирован/);
  await opts.check('input[name="lang"][value="auto"]');
  await opts.close();
  await page.close();
});

test('a price that cannot be read shows no number, says so, and keeps the raw text', async () => {
  h.server.route('www.aliexpress.com', '/item/1005007777777777.html', () =>
    '<!doctype html><html><body><h1>Odd item</h1><div class="product-price"><span class="price-default--current--F8OlYIo">Price on request</span></div></body></html>');
  const page = await h.browser.newPage();
  await page.goto('https://www.aliexpress.com/item/1005007777777777.html');
  await waitForState(page, 'inactive');
  await page.waitForFunction(() => /price/i.test(document.getElementById('cashback-guard-root').shadowRoot.textContent || '') &&
    /Could not read the price/.test(document.getElementById('cashback-guard-root').shadowRoot.textContent));
  assert.equal(await inBanner(page, 'cg-expected').count(), 0);
  const popup = await h.popup(page);
  await popup.locator('summary').click();
  assert.match(await popup.locator('[data-testid="cg-diagnostics"]').textContent(), /Price on request/);
  await popup.close();
  await page.close();
});

test('a product page still loading: the expected cashback is in the banner before DOMContentLoaded', async () => {
  // The head, the structured data and the price arrive at once; the rest of the HTML 3 s later
  // (a slow connection). The content script runs from document_start and reads as it goes.
  const release = [];
  const unroute = h.server.route('*', '/item/1005001000000077.html', (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.write(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Slow product</title>
<script type="application/ld+json">{"@type":"Product","productID":"1005001000000077","offers":{"price":"40.00","priceCurrency":"USD"}}</script>
</head><body><h1>Slow product</h1>${' '.repeat(4096)}\n`);
    const t = setTimeout(() => res.end('<p>the rest of the page</p></body></html>'), 3000);
    release.push(() => { clearTimeout(t); res.end('</body></html>'); });
  });
  const page = await h.browser.newPage();
  try {
    await page.goto('https://www.aliexpress.com/item/1005001000000077.html', { waitUntil: 'commit' });
    const e = inBanner(page, 'cg-expected');
    await e.waitFor({ timeout: 10000 });
    assert.equal(await page.evaluate(() => document.readyState), 'loading', 'the banner came only after the HTML finished');
    assert.equal(await e.getAttribute('data-amount-minor'), floorBp(4000, 700));
  } finally {
    release.forEach((f) => f());
    unroute();
    await page.close();
  }
});
