// Hostile pages (part of issue 9): a page that clobbers globals, pollutes prototypes, forges
// events and messages, smuggles markup into prices, or keeps removing our banner.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp } from './lib/harness.js';

let h;
before(async () => { h = await setUp(); });
after(async () => { await h?.close(); });

const ATTACK = `<!doctype html><html><head>
<script>
  // Prototype pollution and clobbered built-ins in the main world.
  Object.prototype.type = 'activate'; Object.prototype.tabId = 1; Array.prototype.push = function () { return 0; };
  JSON.parse = function () { return { type: 'activate' }; }; window.fetch = function () { return new Promise(() => {}); };
  window.Promise = function () { throw new Error('no promises'); };
</script></head><body>
<form id="chrome"><input name="runtime"></form><img name="cashback-guard-root"><div id="cashback-guard-root">decoy</div>
<h1>Title <img src=x onerror="document.title = 'loaded-broken-image'"></h1>
<div class="product-price"><span class="price-default--current--F8OlYIo">US $12.00&lt;img src=x onerror="document.title='pwned'"&gt;</span></div>
<script>
  const host = () => document.querySelectorAll('[id="cashback-guard-root"]');
  setInterval(() => {
    for (const el of host()) {
      const root = el.shadowRoot; if (!root) continue;
      const b = root.querySelector('[data-testid="cg-activate"]');
      if (b) { b.click(); b.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true })); }
      root.dispatchEvent(new CustomEvent('click', { bubbles: true, composed: true, detail: { action: 'activate' } }));
    }
    window.postMessage({ type: 'activate', source: 'cashback-guard' }, '*');
    document.dispatchEvent(new CustomEvent('cashback-guard:activate'));
  }, 50);
</script></body></html>`;

test('a page that clobbers (<form id=chrome>), pollutes and forges never activates; a real click still works', async () => {
  h.server.route('www.aliexpress.com', '/item/1005004444444444.html', () => ATTACK);
  h.server.reset();
  const page = await h.browser.newPage();
  await page.goto('https://www.aliexpress.com/item/1005004444444444.html');
  // (The page broke Promise and JSON in its main world: read it with locators and CDP only.)
  const banner = (state) => page.locator(`#cashback-guard-root >> [data-testid="cg-banner"][data-state="${state}"]`).first();
  await banner('inactive').waitFor();
  await page.waitForTimeout(1500);
  assert.equal(h.server.hits('deep_link'), 0);
  assert.equal(await banner('inactive').count(), 1, 'no state change');
  assert.notEqual(await page.title(), 'pwned', 'the markup inside the price text never ran');
  // Markup inside the price text is text: not a price, so no number, and nothing runs.
  await page.locator('#cashback-guard-root >> text=Could not read the price').first().waitFor();
  assert.equal(await page.locator('#cashback-guard-root >> [data-testid="cg-expected"]').count(), 0);
  await page.locator('#cashback-guard-root >> [data-testid="cg-activate"]').first().click();
  await banner('active').waitFor({ timeout: 15000 });
  assert.equal(h.server.hits('deep_link'), 1);
  await page.close();
});

test('a page that keeps removing the banner gets it back once per navigation, no loop', async () => {
  h.server.route('www.aliexpress.com', '/item/1005004444444445.html', () => `<!doctype html><html><body>
    <div class="product-price"><span class="price-default--current--F8OlYIo">US $5.00</span></div>
    <script>
      window.__removed = 0;
      new MutationObserver(() => {
        const el = document.getElementById('cashback-guard-root');
        if (el) { el.remove(); window.__removed++; }
      }).observe(document.body, { childList: true });
    </script></body></html>`);
  const page = await h.browser.newPage();
  await page.goto('https://www.aliexpress.com/item/1005004444444445.html');
  await page.waitForFunction(() => window.__removed >= 1);
  await page.waitForTimeout(1500);
  const removed = await page.evaluate(() => window.__removed);
  assert.ok(removed <= 4, `re-inserted ${removed} times`);
  await page.close();
});

test('the shared renderer (banner and popup) never interprets markup or unsafe attributes', async () => {
  const page = await h.browser.newPage();
  await page.goto(`chrome-extension://${h.id}/ui/popup.html?tabId=999999`);
  const html = await page.evaluate(() => {
    const node = { t: 'div', a: [['class', 'x'], ['onclick', 'alert(1)'], ['data-testid', 'cg-banner'], ['style', 'display:none'],
      ['data-Upper', 'u'], ['data-x1', 'd'], ['', 'e'], [7, 'n'], ['data-ok', 7]], c: [
      { t: 'script', x: 'alert(2)' },
      { t: 'a', a: [['href', 'javascript:alert(3)']], x: '<b>bold</b>' },
      { t: 'a', a: [['href', 'https://example.org/']], x: 'ok' },
      { t: 'a', a: [['href', 'HTTPS://example.org/upper']], x: 'upper' },
      { t: 'img', a: [['src', 'x'], ['onerror', 'alert(4)']] },
      'not a node', { t: 'p', a: 'nope', c: 'nope', x: 7 },
    ] };
    const el = cgRender.build(node); // eslint-disable-line no-undef
    return el.outerHTML;
  });
  assert.doesNotMatch(html, /onclick|onerror|<script|<img|javascript:|style=/);
  // Attribute names: lower-case letters and '-' only; values: strings; links: https:// only.
  assert.doesNotMatch(html, /data-upper|data-x1|data-ok|\b7=|upper"/i);
  assert.match(html, /&lt;b&gt;bold&lt;\/b&gt;/);
  assert.match(html, /href="https:\/\/example\.org\/"/);
  assert.match(html, /data-testid="cg-banner"/);
  await page.close();
});

test('hostile titles (100 kB, RTL override, </style>, <img onerror>) and a 50 000-node page with 5 000 mutations/s: text stays text, the banner works', async () => {
  const title = `<img src=x onerror="window.__pwned=1">\u202eevil</style><script>window.__pwned=2</script>${'x'.repeat(100000)}`;
  const ld = JSON.stringify({ '@type': 'Product', name: title, offers: { price: '25.00', priceCurrency: 'USD' } });
  h.server.route('www.aliexpress.com', '/item/1005004444444446.html', () => `<!doctype html><html><head>
    <script type="application/ld+json">${ld.replace(/</g, '\\u003c')}</script></head><body>
    <h1 data-pl="product-title">${title.replace(/</g, '&lt;')}</h1>
    <div class="product-price"><span class="price-default--current--F8OlYIo">US $25.00</span></div>
    <div id="box"></div>
    <script>
      window.__pwned = 0;
      const box = document.getElementById('box');
      for (let i = 0; i < 50000; i++) box.appendChild(document.createElement('span'));
      let n = 0;
      setInterval(() => { for (let i = 0; i < 50; i++) box.children[(n++ * 7919) % 50000].textContent = String(n); }, 10);
    </script></body></html>`);
  h.server.reset();
  const page = await h.browser.newPage();
  await page.goto('https://www.aliexpress.com/item/1005004444444446.html');
  const expected = page.locator('#cashback-guard-root [data-testid="cg-expected"]');
  await expected.waitFor({ timeout: 15000 });
  assert.equal(await expected.getAttribute('data-amount-minor'), '175', '25.00 × 7 %');
  await page.waitForTimeout(2000); // 10 000 mutations later
  assert.equal(await page.evaluate(() => window.__pwned), 0, 'nothing from the title ever ran');
  const html = await page.evaluate(() => document.getElementById('cashback-guard-root').shadowRoot.innerHTML);
  assert.doesNotMatch(html, /<img|<script|onerror/);
  assert.equal(await page.locator('#cashback-guard-root [data-testid="cg-banner"]').count(), 1);
  // Still answering under the mutation storm: the popup shows this tab's amount too.
  const popup = await h.popup(page);
  assert.equal(await popup.locator('[data-testid="cg-expected"]').getAttribute('data-amount-minor'), '175');
  await popup.close();
  assert.equal(h.server.hits('deep_link'), 0, 'nothing activated by itself');
  await page.close();
});
