// Self-test of the e2e harness (server.js + browser.js + fixtures) with a dummy
// MV3 extension. Run: `node --test tests/e2e/` (from the repo root) or `npm test` in tests/e2e.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './lib/server.js';
import { launchBrowser, extensionIdFor } from './lib/browser.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DUMMY = path.join(HERE, 'fixtures', 'dummy-ext');
const ITEM = 'https://www.aliexpress.com/item/1005001234567890.html';

/** Plain HTTPS request to the fixture server, as if to `host` (no redirects followed). */
function rawGet(port, host, p) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path: p, servername: host, headers: { host }, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('fixture server (no browser)', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server.close(); });

  it('deep link modes: normal / no-cookie / error / drop', async () => {
    const q = '/deep_link.htm?aff_short_key=KEY1&dl_target_url=' + encodeURIComponent('https://www.aliexpress.com/item/1.html?x=1');
    const n = await rawGet(server.port, 's.click.aliexpress.com', q);
    assert.equal(n.status, 302);
    const loc = new URL(n.headers.location);
    assert.equal(loc.searchParams.get('x'), '1');
    assert.equal(loc.searchParams.get('sk'), 'KEY1');
    assert.equal(loc.searchParams.get('aff_platform'), 'portals-tool');
    assert.match(loc.searchParams.get('aff_trace_key'), /^[0-9a-f]{32}-\d{13}-\d{5}-KEY1$/);
    assert.equal(loc.searchParams.get('aff_fcid'), loc.searchParams.get('aff_trace_key'));
    assert.match(loc.searchParams.get('terminal_id'), /^[0-9a-f]{32}$/);
    assert.equal(n.headers['set-cookie'].length, 2);
    const x = decodeURIComponent(n.headers['set-cookie'][1].match(/x_as_i=([^&;]+)/)[1]);
    assert.equal(JSON.parse(x).affiliateKey, 'KEY1');

    server.setDeepLinkMode('no-cookie');
    const nc = await rawGet(server.port, 's.click.aliexpress.com', q);
    assert.equal(nc.status, 302);
    assert.equal(nc.headers['set-cookie'], undefined);
    server.setDeepLinkMode('error');
    assert.equal((await rawGet(server.port, 's.click.aliexpress.com', q)).status, 500);
    server.setDeepLinkMode('drop');
    await assert.rejects(rawGet(server.port, 's.click.aliexpress.com', q));
    server.setDeepLinkMode('normal');
    assert.equal(server.hits('deep_link'), 4);
    assert.deepEqual(server.log.map((l) => l.key), ['KEY1', 'KEY1', 'KEY1', 'KEY1']);

    const e = await rawGet(server.port, 's.click.aliexpress.com', '/e/_abc123');
    assert.equal(e.status, 302);
    assert.equal(new URL(e.headers.location).searchParams.get('sk'), 'short');
    const px = await rawGet(server.port, 's.click.aliexpress.com', '/af_pixel.htm?aff_short_key=P1');
    assert.equal(px.headers['content-type'], 'image/gif');
    assert.equal(server.hits('short_link'), 1);
    assert.equal(server.hits('af_pixel'), 1);
  });

  it('pages, cart API, routes, counters, reset', async () => {
    server.reset();
    const ru = await rawGet(server.port, 'aliexpress.ru', '/item/42.html');
    assert.equal(ru.status, 200);
    assert.ok(ru.body.includes('1\u00a0366,66\u00a0₽'));
    assert.ok(ru.body.includes('"id":"42"'));
    const gift = await rawGet(server.port, 'www.aliexpress.com', '/item/1005001000000004.html');
    assert.ok(gift.body.includes('201768104'));
    assert.equal((await rawGet(server.port, 'www.aliexpress.com', '/nope')).status, 404);
    await rawGet(server.port, 'www.aliexpress.com', '/__cart/add?id=7');
    await rawGet(server.port, 'www.aliexpress.com', '/__cart/add?id=7');
    assert.deepEqual(server.cart('com'), [{ id: '7', title: 'Product 7', qty: 2 }]);
    assert.deepEqual(server.cart('ru'), []);
    assert.ok((await rawGet(server.port, 'www.aliexpress.com', '/')).body.includes('<span class="shop-cart--number--Ab12Cd">2</span>'));
    const un = server.route('www.aliexpress.com', /^\/api\/x\/(\d+)$/, (req, res, { url }) => ({ got: url.pathname }));
    assert.deepEqual(JSON.parse((await rawGet(server.port, 'www.aliexpress.com', '/api/x/5')).body), { got: '/api/x/5' });
    un();
    assert.equal((await rawGet(server.port, 'www.aliexpress.com', '/api/x/5')).status, 404);
    const c = JSON.parse((await rawGet(server.port, 'm.aliexpress.com', '/__counters')).body);
    assert.equal(c['/api/x/5'], 2);
    assert.equal(c['aliexpress.ru/item/42.html'], 1);
    server.reset();
    assert.deepEqual(server.counters(), {});
    assert.deepEqual(server.cart('com'), []);
  });
});

describe('browser + dummy extension', () => {
  let server;
  let b;
  let swStartMs;
  before(async () => {
    server = await startServer();
    const t0 = Date.now();
    b = await launchBrowser({ extensions: [DUMMY], port: server.port });
    swStartMs = Date.now() - t0;
  });
  after(async () => {
    await b?.close();
    await server?.close();
  });

  it('service worker starts (id computed == id in worker URL)', async () => {
    const sw = await b.serviceWorker(DUMMY);
    const id = extensionIdFor(DUMMY);
    assert.equal(sw.url(), `chrome-extension://${id}/sw.js`);
    assert.deepEqual(Object.values(b.extensionIds()), [id]);
    assert.equal(await sw.evaluate(() => globalThis.__dummyReady), 1);
    assert.equal(await b.isServiceWorkerRunning(id), true);
    assert.ok(swStartMs < 15000, `launch+worker took ${swStartMs} ms`);
  });

  it('content script runs on the fixture product page over HTTPS', async () => {
    server.reset();
    const page = await b.newPage();
    const resp = await page.goto(ITEM);
    assert.equal(resp.status(), 200);
    await page.waitForSelector('#dummy-ran', { state: 'attached', timeout: 5000 });
    assert.match(await page.textContent('h1[data-pl="product-title"]'), /1005001234567890/);
    // SKU switch changes the price without reload.
    await page.evaluate(() => { window.__marker = 1; });
    await page.click('[data-sku-col="14-771"]');
    assert.equal(await page.textContent('.price-default--current--F8OlYIo'), 'US $15.49');
    assert.equal(await page.evaluate(() => window.__marker), 1);
    // Add to cart updates the header counter in place.
    await page.click('.add-to-cart--addtocart--RXmuNXk');
    await page.waitForFunction(() => document.querySelector('.shop-cart--number--Ab12Cd').textContent === '1');
    assert.equal(server.cart('com').length, 1);
    assert.equal(server.hits('/item/1005001234567890.html'), 1);
    await page.close();
  });

  it('deep link: 302 + two cookies, lands with sk=K, counted once', async () => {
    server.reset();
    await b.context.clearCookies();
    const K = 'TESTKEY9';
    const page = await b.newPage();
    const link = `https://s.click.aliexpress.com/deep_link.htm?aff_short_key=${K}&dl_target_url=${encodeURIComponent(ITEM)}`;
    const resp = await page.goto(link);
    const redirect = await resp.request().redirectedFrom().response();
    assert.equal(redirect.status(), 302);
    const setCookies = (await redirect.headersArray()).filter((h) => h.name.toLowerCase() === 'set-cookie');
    assert.equal(setCookies.length, 2, JSON.stringify(setCookies));
    const landed = new URL(page.url());
    assert.equal(landed.origin + landed.pathname, ITEM);
    assert.equal(landed.searchParams.get('sk'), K);
    await page.waitForSelector('#dummy-ran', { state: 'attached' });

    const cookies = await b.context.cookies('https://www.aliexpress.com/');
    const aeu = cookies.find((c) => c.name === 'aeu_cid');
    const xman = cookies.find((c) => c.name === 'xman_us_f');
    assert.ok(aeu && xman, JSON.stringify(cookies));
    assert.equal(aeu.domain, '.aliexpress.com');
    assert.equal(aeu.secure, true);
    assert.equal(aeu.sameSite, 'None');
    assert.ok(aeu.value.endsWith(`-${K}`));
    assert.equal(aeu.value, landed.searchParams.get('aff_trace_key'));
    assert.ok(decodeURIComponent(xman.value).includes(`"affiliateKey":"${K}"`));
    // The brief's Set-Cookie lines carry no HttpOnly, so page JS sees them ...
    assert.ok((await page.evaluate(() => document.cookie)).includes('aeu_cid='));

    assert.equal(server.hits('deep_link'), 1);
    const deepLinks = server.log.filter((l) => l.name === 'deep_link'); // pages also fire af_pixel
    assert.equal(deepLinks.length, 1);
    assert.equal(deepLinks[0].key, K);

    // ... and with cookieHttpOnly they are document.cookie-invisible but context.cookies()-visible.
    await b.context.clearCookies();
    server.setCookieHttpOnly(true);
    await page.goto(link.replace(K, 'HOKEY'));
    server.setCookieHttpOnly(false);
    assert.ok(!(await page.evaluate(() => document.cookie)).includes('aeu_cid'));
    const ho = (await b.context.cookies('https://www.aliexpress.com/')).find((c) => c.name === 'aeu_cid');
    assert.equal(ho.httpOnly, true);
    assert.ok(ho.value.endsWith('-HOKEY'));
    assert.equal(server.hits('deep_link'), 2);
    await page.close();
  });

  it('cart pages remove items without reload (com and ru)', async () => {
    server.reset();
    server.setCart('com', [
      { id: '1005001000000001', title: 'Wireless Earbuds', qty: 1 },
      { id: '1005001000000002', title: 'USB C Cable', qty: 2 },
    ]);
    const page = await b.newPage();
    await page.goto('https://www.aliexpress.com/p/shoppingcart/index.html');
    await page.waitForFunction(() => document.querySelectorAll('div.cart-product-wrap-group > div.cart-product').length === 2);
    assert.equal(await page.textContent('.shop-cart--number--Ab12Cd'), '3');
    assert.equal(await page.textContent('button.cart-summary-button'), 'Checkout (3)');
    await page.evaluate(() => { window.__marker = 'same-document'; });
    await page.click('.cart-product:has(a.cart-product-name-title[href="//www.aliexpress.com/item/1005001000000002.html"]) button[aria-label="delete product"]');
    await page.waitForFunction(() => document.querySelectorAll('div.cart-product').length === 1);
    assert.equal(await page.evaluate(() => window.__marker), 'same-document');
    assert.equal(await page.textContent('.shop-cart--number--Ab12Cd'), '1');
    assert.equal(await page.textContent('button.cart-summary-button'), 'Checkout (1)');
    assert.equal(await page.inputValue('input.comet-v2-input-number-input'), '1');
    assert.deepEqual(server.cart('com').map((x) => x.id), ['1005001000000001']);
    assert.equal(server.hits('cart_page'), 1);

    server.setCart('ru', [{ id: '11', title: 'Чехол', qty: 1 }, { id: '12', title: 'Кабель', qty: 1 }]);
    await page.goto('https://aliexpress.ru/cart');
    // Real .ru markup (field-facts §7): `[id^="cart-item-"]` lines with `[data-product-title]`.
    await page.waitForSelector('#cart-item-120001 [data-product-title]');
    assert.equal(await page.textContent('.RedHeaderNavItem_RedHeaderNavItem__counter__1fx0h'), '2');
    await page.evaluate(() => { window.__marker = 'ru-same'; });
    await page.click('#cart-item-120001 button');
    await page.waitForSelector('#cart-item-120001', { state: 'detached' });
    assert.equal(await page.evaluate(() => window.__marker), 'ru-same');
    assert.equal(await page.textContent('.RedHeaderNavItem_RedHeaderNavItem__counter__1fx0h'), '1');
    assert.equal(await page.getAttribute('[data-testid="productContainer"] a', 'href'), 'https://aliexpress.ru/item/11.html?sku_id=120011');
    await page.close();
  });

  it('stopServiceWorker really stops it; a message restarts it (starts == 2)', async () => {
    const sw = await b.serviceWorker(DUMMY);
    const boot1 = await sw.evaluate(() => globalThis.__dummyBootId);
    const t0 = Date.now();
    assert.equal(await b.stopServiceWorker(DUMMY), true);
    const stopMs = Date.now() - t0;
    assert.equal(await b.isServiceWorkerRunning(DUMMY), false);
    assert.equal(await b.stopServiceWorker(DUMMY), false); // already stopped

    const page = await b.openExtensionPage(DUMMY, 'popup.html');
    const pong = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'ping' }));
    assert.equal(pong.pong, true);
    assert.equal(pong.starts, 2);
    assert.notEqual(pong.bootId, boot1);
    assert.equal(await b.isServiceWorkerRunning(DUMMY), true);
    const sw2 = await b.serviceWorker(DUMMY);
    assert.equal(await sw2.evaluate(() => globalThis.__dummyBootId), pong.bootId);
    assert.ok(stopMs < 3000, `stop took ${stopMs} ms`);
    await page.close();
  });
});

describe('browser restart with the same profile', () => {
  it('relaunching profileDir keeps the extension id and persistent cookies, resets storage.session', async () => {
    const server = await startServer();
    const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cbg-e2e-restart-'));
    try {
      let b = await launchBrowser({ extensions: [DUMMY], port: server.port, profileDir });
      const page = await b.newPage();
      await page.goto(`https://s.click.aliexpress.com/deep_link.htm?aff_short_key=RK&dl_target_url=${encodeURIComponent(ITEM)}`);
      assert.equal(await (await b.serviceWorker(DUMMY)).evaluate(() => globalThis.__dummyReady), 1);
      await b.close(); // profileDir given: kept
      b = await launchBrowser({ extensions: [DUMMY], port: server.port, profileDir });
      try {
        const sw = await b.serviceWorker(DUMMY);
        assert.equal(sw.url(), `chrome-extension://${extensionIdFor(DUMMY)}/sw.js`);
        assert.equal(await sw.evaluate(() => globalThis.__dummyReady), 1); // storage.session is per browser session
        const names = (await b.context.cookies('https://www.aliexpress.com/')).map((c) => c.name);
        assert.ok(names.includes('aeu_cid'), 'aeu_cid (Max-Age) survives the restart');
        assert.ok(!names.includes('xman_us_f'), 'xman_us_f is a session cookie (no Max-Age) and is dropped');
      } finally {
        await b.close();
      }
    } finally {
      fs.rmSync(profileDir, { recursive: true, force: true });
      await server.close();
    }
  });
});
