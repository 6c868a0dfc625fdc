// Issue 20: the same extension in real Firefox ESR (Debian's firefox-esr, geckodriver from
// crates.io), installed as a temporary add-on from dist/extension-firefox, against the same
// fixture server as the Chromium suite. See lib/firefox.js for how hosts are mapped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  setUpFirefox, bannerInfo, waitForBannerState, clickInBanner, poll, firefoxFixture, OUR_ID, By,
} from '../lib/firefox.js';

const ITEM = 'https://www.aliexpress.com/item/1005001000000001.html';
const CART = 'https://www.aliexpress.com/p/shoppingcart/index.html';
const ours = (h) => h.server.log.filter((l) => l.name === 'deep_link' && l.key === 'cgDemo0001').length;
const cookie = (h, name) => h.ext(async (n) => (await chrome.cookies.get({ url: 'https://www.aliexpress.com/', name: n }))?.value ?? null, name);

let h;
before(async () => { h = await setUpFirefox(); });
after(async () => { await h?.close(); });

test('firefox: the manifest Firefox loaded is the generated one (event page, gecko id, no key)', async () => {
  const m = await h.ext(async () => chrome.runtime.getManifest());
  // Firefox gives the script as a full moz-extension:// URL.
  assert.equal(m.background.scripts.length, 1);
  assert.match(m.background.scripts[0], /^moz-extension:\/\/[0-9a-f-]+\/background\/worker\.js$/);
  assert.equal(m.background.type, 'module');
  assert.equal(m.background.service_worker ?? null, null);
  assert.equal(m.browser_specific_settings.gecko.id, OUR_ID);
  assert.equal(m.key ?? null, null);
  assert.equal(m.externally_connectable ?? null, null);
  assert.equal(await h.ext(async () => chrome.runtime.id), OUR_ID);
});

test('firefox: product page → banner with the expected cashback', async () => {
  await h.clean();
  await h.driver.get(ITEM);
  const b = await poll(async () => { const x = await bannerInfo(h.driver); return x && x.state === 'inactive' && x.expected ? x : null; }, { what: 'the expected cashback' });
  assert.equal(b.expected['data-amount-minor'], '175');
  assert.equal(b.expected['data-currency'], 'USD');
  assert.equal(b.rate['data-rate-bp'], '700');
  assert.ok(b.activate, 'Activate is offered');
  assert.match(b.status.text, /not active/i);
});

test('firefox: one click → one redirect → active, proven by the cookie of this click; popup agrees', async () => {
  await h.clean();
  await h.driver.get(ITEM);
  await waitForBannerState(h.driver, 'inactive');
  await clickInBanner(h.driver, 'cg-activate');
  const b = await waitForBannerState(h.driver, 'active', 20000);
  assert.equal(ours(h), 1, 'one redirect through our deep link');
  assert.match(await h.driver.getCurrentUrl(), /aff_fsk=cgDemo0001/);
  assert.match(await cookie(h, 'aeu_cid'), /-cgDemo0001$/);
  assert.equal(b.activate, null, 'active offers no second activation');
  // Another AliExpress tab shows the same state; no second redirect.
  await h.driver.get('https://www.aliexpress.com/item/1005001000000002.html');
  await waitForBannerState(h.driver, 'active');
  assert.equal(ours(h), 1);
  // The popup of this tab (popup.html?tabId=N on moz-extension://).
  const tabId = await h.tabIdOf(await h.driver.getCurrentUrl());
  assert.ok(Number.isInteger(tabId));
  const status = await h.popup(tabId, async (d) => {
    const el = await poll(async () => (await d.findElements(By.css('[data-testid="cg-status"][data-state="active"]')))[0], { what: 'popup status active' });
    return { state: await el.getAttribute('data-state'), text: await el.getText() };
  });
  assert.equal(status.state, 'active');
  assert.match(status.text, /active/i);
});

test('firefox: a filled cart is warned about before activation, naming the items', async () => {
  await h.clean();
  h.server.setCart('com', [{ id: '1005001000000101', title: 'Old A' }, { id: '1005001000000102', title: 'Old B', qty: 2 }]);
  await h.driver.get(CART);
  const b = await poll(async () => {
    const x = await bannerInfo(h.driver);
    return x && x.warnings.find((w) => w['data-kind'] === 'cart' && w['data-subject'] === '1005001000000101,1005001000000102') ? x : null;
  }, { what: 'the cart warning naming both items' });
  assert.equal(b.state, 'inactive');
  h.server.setCart('com', []);
});

test('firefox: the event page terminated mid-activation (as about:debugging does) → still one redirect, active', async () => {
  await h.clean();
  await h.driver.get(ITEM);
  await waitForBannerState(h.driver, 'inactive');
  // The deep link answers after 3 s: the activation is in flight when the page stops.
  h.server.setDeepLinkDelay(3000);
  const state = () => h.chrome(async (id) => {
    const { ExtensionParent } = ChromeUtils.importESModule('resource://gre/modules/ExtensionParent.sys.mjs');
    return String(ExtensionParent.GlobalManager.getExtension(id).backgroundState);
  }, OUR_ID);
  try {
    await clickInBanner(h.driver, 'cg-activate', { noWait: true });
    // The tab is on its way to the deep link (no banner meanwhile): the session says activating.
    await poll(async () => (await h.ext(async () => (await chrome.storage.session.get('session')).session))?.referral?.state === 'activating',
      { what: 'the session in state activating' });
    assert.equal(await state(), 'running');
    await h.chrome(async (id) => {
      const { ExtensionParent } = ChromeUtils.importESModule('resource://gre/modules/ExtensionParent.sys.mjs');
      await ExtensionParent.GlobalManager.getExtension(id).terminateBackground();
    }, OUR_ID);
    // The fault happened: the event page is gone while the redirect is still pending.
    assert.equal(await state(), 'stopped');
    // …with the activation still in flight (read from storage by our page: no event page needed).
    assert.equal((await h.ext(async () => (await chrome.storage.session.get('session')).session)).referral.state, 'activating');
  } finally {
    h.server.setDeepLinkDelay(0);
  }
  await waitForBannerState(h.driver, 'active', 25000);
  assert.equal(ours(h), 1, 'one click, one redirect');
  assert.equal(await state(), 'running', 'the landing woke the event page again');
});

test('firefox: a rival add-on that tabs.updates through its own deep link → hijacked, named; one click re-activates', async () => {
  const rival = firefoxFixture('rival-tabs-ext');
  const r = await setUpFirefox({ extra: [{ dir: rival.dir, id: rival.id }] });
  try {
    await r.driver.get(ITEM);
    await waitForBannerState(r.driver, 'inactive');
    await clickInBanner(r.driver, 'cg-activate');
    await waitForBannerState(r.driver, 'hijacked', 25000);
    const b = await poll(async () => {
      const x = await bannerInfo(r.driver);
      return x && x.warnings.find((w) => w['data-kind'] === 'rival' && w['data-subject'] === 'rivalTabs1') ? x : null;
    }, { what: 'the rival warning naming rivalTabs1' });
    assert.match(b.text, /rivalTabs1/);
    assert.match(await cookie(r, 'aeu_cid'), /-rivalTabs1$/, 'the rival really took the cookie');
    assert.equal(ours(r), 1);
    await clickInBanner(r.driver, 'cg-activate');
    await waitForBannerState(r.driver, 'active', 20000);
    assert.equal(ours(r), 2, 'one click, one redirect');
  } finally {
    await r.close();
  }
});
