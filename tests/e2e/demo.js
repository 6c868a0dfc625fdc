// `./build.sh demo`: the demo store (fixture server) plus Chromium with the extension.
// With $DISPLAY: a visible browser on the demo product page; close it to finish.
// Without: headless, writing screenshots of every state of the banner and popup, in English
// and Russian, to dist/screenshots/.
import fs from 'node:fs';
import path from 'node:path';
import { setUp, inBanner, waitForState, FIXTURE_EXT } from './lib/harness.js';
import { adguardUrlTracking } from './lib/adguard.js';

const ACCOUNT = { param: 'af', pattern: '^[0-9A-Za-z_-]{3,40}$', site: 'https://cashback.example' };

const OUT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'dist', 'screenshots');
const ITEM = '/item/1005001000000001.html';
const CHECKOUT = '/p/trade/confirm.html?objectId=1005001000000001&skuId=1&quantity=1&aeOrderFrom=main_detail';

async function shootBanner(page, name) {
  const box = await inBanner(page, 'cg-banner').boundingBox();
  const pad = 12;
  await page.screenshot({
    path: path.join(OUT, name),
    clip: { x: Math.max(0, box.x - pad), y: Math.max(0, box.y - pad), width: box.width + 2 * pad, height: box.height + 2 * pad },
  });
  console.log(`  ${name}`);
}

async function shootPopup(h, page, name, tabId) {
  const popup = await h.popup(page, tabId);
  const height = await popup.evaluate(() => Math.ceil(document.getElementById('app').getBoundingClientRect().height));
  await popup.setViewportSize({ width: 360, height: Math.min(height, 800) });
  await popup.screenshot({ path: path.join(OUT, name) });
  console.log(`  ${name}`);
  await popup.close();
}

async function setLang(h, lang) {
  const opts = await h.browser.openExtensionPage(h.id, 'ui/options.html');
  await opts.check(`input[name="lang"][value="${lang}"]`);
  await opts.waitForFunction((l) => document.documentElement.lang === l, lang);
  await opts.close();
}

/** One scenario in a fresh browser: `run(h, page)` brings the page to the state to shoot. */
async function scenario(lang, name, opts, run) {
  const h = await setUp(opts);
  try {
    await setLang(h, lang);
    const page = await h.browser.newPage();
    await page.setViewportSize({ width: 1100, height: 700 });
    const tabId = await run(h, page);
    await shootBanner(page, `${name}-banner-${lang}.png`);
    await shootPopup(h, page, `${name}-popup-${lang}.png`, tabId);
    if (name === 'cart') await page.screenshot({ path: path.join(OUT, `cart-page-${lang}.png`) });
  } finally {
    await h.close();
  }
}

const activate = async (page) => {
  await inBanner(page, 'cg-activate').click();
};

if (process.env.DISPLAY) {
  const h = await setUp({ headless: false });
  const page = await h.browser.newPage();
  await page.goto(h.server.url(ITEM));
  console.log(`demo store on https://127.0.0.1:${h.server.port}; extension ${h.id}`);
  console.log('Chromium is open on a demo product page. Close the browser window to stop.');
  await new Promise((resolve) => h.browser.context.on('close', resolve));
  await h.server.close();
} else {
  fs.mkdirSync(OUT, { recursive: true });
  console.log(`screenshots in ${OUT}:`);
  for (const lang of ['en', 'ru']) {
    await scenario(lang, 'inactive', {}, async (h, page) => {
      await page.goto(h.server.url(ITEM));
      await waitForState(page, 'inactive');
      await inBanner(page, 'cg-expected').waitFor();
    });
    await scenario(lang, 'active', {}, async (h, page) => {
      await page.goto(h.server.url(ITEM));
      await waitForState(page, 'inactive');
      await activate(page);
      await waitForState(page, 'active');
      await inBanner(page, 'cg-expected').waitFor();
    });
    await scenario(lang, 'cart', {}, async (h, page) => {
      h.server.setCart('com', [{ id: '1005001000000101', title: 'Phone case' }, { id: '1005001000000102', title: 'USB cable', qty: 2 }]);
      await page.goto(h.server.url('/p/shoppingcart/index.html'));
      await waitForState(page, 'inactive');
      await activate(page);
      await waitForState(page, 'active');
      await page.waitForSelector('[data-testid="cg-cart-flag"]', { state: 'attached' });
    });
    await scenario(lang, 'blocked', { extraExtensions: [FIXTURE_EXT('blocker-ext')] }, async (h, page) => {
      await page.goto(h.server.url(ITEM));
      await waitForState(page, 'inactive');
      const tab = await h.tabIdOf(page);
      await activate(page);
      await new Promise((r) => setTimeout(r, 1500));
      await page.goto(h.server.url(ITEM));
      await waitForState(page, 'blocked');
      return tab;
    });
    await scenario(lang, 'hijacked', { extraExtensions: [FIXTURE_EXT('rival-tabs-ext')] }, async (h, page) => {
      await page.goto(h.server.url(ITEM));
      await waitForState(page, 'inactive');
      await activate(page);
      await waitForState(page, 'hijacked', 20000);
    });
    // Checkout pitfalls while not active: a typed promo code and the app-payment block.
    await scenario(lang, 'checkout', {}, async (h, page) => {
      await page.goto(h.server.url(CHECKOUT));
      await waitForState(page, 'inactive');
      await page.locator('input.pl-promoCode-input').fill('SAVE10');
      await page.locator('.pl-app-price-link').click();
      await page.locator('#cashback-guard-root [data-kind="app-payment"]').waitFor();
      await page.locator('#cashback-guard-root [data-kind="coupon"]').waitFor();
    });
    // A URL-cleaning filter (the real AdGuard URL Tracking rule) strips the referral.
    await scenario(lang, 'stripped', { extraExtensions: [adguardUrlTracking()] }, async (h, page) => {
      await page.goto(h.server.url(ITEM));
      await waitForState(page, 'inactive');
      await activate(page);
      await waitForState(page, 'blocked', 20000);
    });
    // The operator uses accounts and none is linked: Activate leads to linking.
    await scenario(lang, 'account-needed', { variant: { config: { account: ACCOUNT } } }, async (h, page) => {
      await page.goto(h.server.url(ITEM));
      await waitForState(page, 'inactive');
      await inBanner(page, 'cg-account-needed').waitFor();
    });
    // Linked in the options page (shot too), then active with the id in the referral.
    await scenario(lang, 'account-linked', { variant: { config: { account: ACCOUNT } } }, async (h, page) => {
      const opts = await h.browser.openExtensionPage(h.id, 'ui/options.html');
      await opts.setViewportSize({ width: 640, height: 760 });
      await opts.locator('#account:not([hidden])').waitFor();
      await opts.locator('[data-testid="cg-account"]').fill('shopper_42');
      await opts.locator('[data-testid="cg-account-save"]').click();
      await opts.locator('[data-testid="cg-account-status"][data-account="shopper_42"]').waitFor();
      await opts.screenshot({ path: path.join(OUT, `account-options-${lang}.png`), fullPage: true });
      console.log(`  account-options-${lang}.png`);
      await opts.close();
      await page.goto(h.server.url(ITEM));
      await waitForState(page, 'inactive');
      await activate(page);
      await waitForState(page, 'active');
    });
    // An order paid while active: logged with its proof; the popup's Orders section.
    await scenario(lang, 'order', {}, async (h, page) => {
      await page.goto(h.server.url(ITEM));
      await waitForState(page, 'inactive');
      await activate(page);
      await waitForState(page, 'active');
      await page.goto(h.server.url(CHECKOUT));
      await inBanner(page, 'cg-banner').waitFor();
      await page.locator('.place-order-primary-btn').click();
      await inBanner(page, 'cg-order').waitFor();
    });
  }
  // Store screenshots, exactly 1280×800 (the Chrome Web Store's size): a product page with
  // the banner, the popup over a product page, the first-run page; English and Russian.
  const { welcomePage, WELCOME } = await import('./lib/harness.js');
  const STORE = { width: 1280, height: 800 };
  const storeShot = async (page, name) => {
    await page.setViewportSize(STORE);
    await page.screenshot({ path: path.join(OUT, name) });
    console.log(`  ${name}`);
  };
  for (const lang of ['en', 'ru']) {
    const h = await setUp({ keepWelcome: true });
    try {
      // The first-run page as it opens on install, then in the chosen language.
      const first = await welcomePage(h.browser, h.id, 10000);
      if (first) await first.close();
      await setLang(h, lang);
      const welcome = await h.browser.openExtensionPage(h.id, WELCOME);
      await welcome.waitForFunction((l) => document.documentElement.lang === l, lang);
      await welcome.locator('[data-testid="cg-disclosure"]').waitFor({ state: 'visible' });
      await storeShot(welcome, `store-welcome-${lang}.png`);
      await welcome.close();
      const page = await h.browser.newPage();
      await page.setViewportSize(STORE);
      await page.goto(h.server.url(ITEM));
      await waitForState(page, 'inactive');
      await inBanner(page, 'cg-expected').waitFor();
      await storeShot(page, `store-banner-${lang}.png`);
      // The popup over the page: the popup drawn where the browser shows it (under the
      // toolbar, at the right), on top of the page's screenshot.
      const tabId = await h.tabIdOf(page);
      const under = (await page.screenshot()).toString('base64');
      const popup = await h.popup(page, tabId);
      const height = await popup.evaluate(() => Math.ceil(document.getElementById('app').getBoundingClientRect().height));
      await popup.setViewportSize({ width: 360, height: Math.min(height, 760) });
      const pop = (await popup.screenshot()).toString('base64');
      await popup.close();
      const board = await h.browser.newPage();
      await board.setViewportSize(STORE);
      await board.setContent(`<body style="margin:0;position:relative;width:1280px;height:800px;overflow:hidden">
        <img src="data:image/png;base64,${under}" style="position:absolute;left:0;top:0;width:1280px;height:800px;filter:brightness(0.93)">
        <img src="data:image/png;base64,${pop}" style="position:absolute;right:16px;top:8px;width:360px;border:1px solid #d0d7de;border-radius:8px;box-shadow:0 8px 24px rgba(0,0,0,.25)"></body>`);
      await board.evaluate(() => Promise.all([...document.images].map((i) => i.decode())));
      await storeShot(board, `store-popup-${lang}.png`);
      await board.close();
      await page.close();
    } finally {
      await h.close();
    }
  }
}
