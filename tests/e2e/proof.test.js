// Issue 17: `active` means this click took. An old cookie of ours is history; a real
// URL-cleaning rule that strips the referral ends `blocked` with an `adblock` warning; a worker
// stopped at any point of the activation ends like an undisturbed run; a page cannot turn a
// click on another element of our banner into an activation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, inBanner, waitForState } from './lib/harness.js';
import { adguardUrlTracking } from './lib/adguard.js';

const ITEM = 'https://www.aliexpress.com/item/1005001000000001.html';
const KEY = 'cgDemo0001';
// A cookie of ours from an activation last week (`<32 hex>-<ms>-<5 digits>-<key>`).
const weekAgo = () => Date.now() - 7 * 24 * 3600 * 1000;
const OLD_CID = () => `0123456789abcdef0123456789abcdef-${weekAgo()}-01234-${KEY}`;

test('an old cookie of ours and the real AdGuard URL-tracking rule: blocked with an adblock warning, never active', async () => {
  const h = await setUp({ extraExtensions: [adguardUrlTracking()] });
  try {
    // The old cookie is really there before the click.
    await h.sw.evaluate(async (v) => {
      await chrome.cookies.set({ url: 'https://www.aliexpress.com/', name: 'aeu_cid', value: v, domain: '.aliexpress.com',
        secure: true, sameSite: 'no_restriction', expirationDate: Date.now() / 1000 + 20 * 86400 });
    }, OLD_CID());
    const before = await h.sw.evaluate(() => chrome.cookies.get({ url: 'https://www.aliexpress.com/', name: 'aeu_cid' }));
    assert.match(before.value, new RegExp(`-${KEY}$`));
    const page = await h.browser.newPage();
    await page.goto(ITEM);
    await waitForState(page, 'inactive');
    await inBanner(page, 'cg-activate').click();
    await waitForState(page, 'blocked', 20000);
    // The filter really acted: the deep link reached AliExpress without our key.
    const deep = h.server.log.filter((l) => l.name === 'deep_link');
    assert.equal(deep.length, 1);
    assert.equal(new URL(deep[0].url).searchParams.get('aff_short_key'), null, 'aff_short_key removed by the rule');
    const warn = page.locator('#cashback-guard-root [data-testid="cg-warning"][data-kind="adblock"]');
    assert.equal(await warn.count(), 1);
    assert.equal(await warn.getAttribute('data-subject'), 's.click.aliexpress.com');
    assert.match(await warn.textContent(), /URL-cleaning/);
    // Later pages never claim `active` from the old cookie either.
    await page.reload();
    await waitForState(page, 'blocked');
    await page.close();
  } finally {
    await h.close();
  }
});

let h;
before(async () => {
  h = await setUp({ variant: { config: { test_hooks: true } } });
});
after(async () => { await h?.close(); });

async function cleanStart() {
  await h.sw.evaluate(async () => {
    for (const name of ['aeu_cid', 'xman_us_f']) await chrome.cookies.remove({ url: 'https://www.aliexpress.com/', name });
    self.cgCheckpoint = undefined;
  });
  const ext = await h.browser.newPage();
  await ext.goto(`chrome-extension://${h.id}/ui/options.html`);
  assert.equal((await ext.evaluate(() => chrome.runtime.sendMessage({ type: 'clear-session' }))).type, 'ok');
  await ext.close();
  h.server.reset();
  h.server.setDeepLinkDelay(0);
}

const ourHits = () => h.server.log.filter((l) => l.name === 'deep_link' && l.key === KEY).length;

/** Waits until the banner leaves `activating` on a landing; returns ms from landing to that. */
async function settleAfterLanding(page) {
  await page.waitForURL(/aff_fsk=cgDemo0001/, { timeout: 20000 });
  const landed = Date.now();
  await page.waitForFunction(() => {
    const b = document.getElementById('cashback-guard-root')?.shadowRoot?.querySelector('[data-testid="cg-banner"]');
    return b && b.getAttribute('data-state') !== 'activating';
  }, null, { timeout: 20000 });
  return Date.now() - landed;
}

// Each kill point: the worker is held there (test hook), stopped for real, and the run
// must end as the undisturbed one: `active`, one pass through the deep link, and the
// banner out of `activating` within 5 s of the landing.
for (const point of ['undisturbed', 'activate', 'saved', 'navigated', 'redirect', 'landing', 'verify']) {
  test(`worker stopped at "${point}": active, one deep-link hit, banner settled within 5 s of the landing`, async () => {
    await cleanStart();
    const page = await h.browser.newPage();
    await page.goto(ITEM);
    await waitForState(page, 'inactive');
    // A mark in this worker instance: gone after a real stop (a new global scope).
    await h.sw.evaluate((p) => {
      self.cgMark = 'before';
      self.cgCheckpoint = (name) => (name === p ? new Promise(() => { self.cgHeld = name; }) : Promise.resolve());
    }, point);
    if (point === 'redirect') h.server.setDeepLinkDelay(2000);
    await inBanner(page, 'cg-activate').click({ noWaitAfter: true });
    if (point === 'redirect') {
      for (let i = 0; i < 200 && ourHits() === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(ourHits(), 1, 'the deep link is in flight');
    } else if (point !== 'undisturbed') {
      await h.sw.evaluate(async (p) => {
        for (let i = 0; i < 400 && self.cgHeld !== p; i++) await new Promise((r) => setTimeout(r, 25));
        if (self.cgHeld !== p) throw new Error(`never held at ${p}`);
      }, point);
    }
    if (point !== 'undisturbed') {
      // Stopped for real; the browser's next event (the navigation's) may start a new
      // instance at once, which the harness reports as "still running": the mark below
      // tells that a new instance finished the run.
      await h.browser.stopServiceWorker(h.id).catch((e) => { if (!/still running/.test(e.message)) throw e; });
    }
    const ms = await settleAfterLanding(page);
    await waitForState(page, 'active', 15000);
    const mark = await h.sw.evaluate(() => self.cgMark);
    if (point === 'undisturbed') assert.equal(mark, 'before');
    else assert.equal(mark, undefined, 'a new worker instance finished the run');
    assert.equal(ourHits(), 1, 'one pass through the deep link');
    assert.ok(ms <= 5000, `banner left activating ${ms} ms after the landing`);
    console.log(`# kill point ${point}: active, 1 hit, settled ${ms} ms after landing`);
    await page.close();
  });
}

test('a worker stopped right after the click, 20 times in a row: 20/20 end active with one hit', async () => {
  const results = [];
  for (let i = 0; i < 20; i++) {
    await cleanStart();
    const page = await h.browser.newPage();
    await page.goto(ITEM);
    await waitForState(page, 'inactive');
    await h.sw.evaluate(() => { self.cgMark = 'before'; });
    await inBanner(page, 'cg-activate').click({ noWaitAfter: true });
    let stopped = false;
    try {
      stopped = await h.browser.stopServiceWorker(h.id);
    } catch (e) {
      if (!/still running/.test(e.message)) throw e;
    }
    let outcome;
    try {
      const ms = await settleAfterLanding(page);
      await waitForState(page, 'active', 10000);
      outcome = { ok: ourHits() === 1 && ms <= 5000, hits: ourHits(), ms, stopped, fresh: (await h.sw.evaluate(() => self.cgMark)) === undefined };
    } catch (e) {
      outcome = { ok: false, error: e.message.split('\n')[0], hits: ourHits(), stopped };
    }
    results.push(outcome);
    await page.close();
  }
  const passed = results.filter((r) => r.ok).length;
  const reallyStopped = results.filter((r) => r.stopped && r.fresh).length;
  console.log(`# mid-click stop: ${passed}/20 active with one hit; worker really stopped in ${reallyStopped}/20`);
  assert.equal(passed, 20, JSON.stringify(results));
  // The stop races the click: on a loaded machine the worker is sometimes not yet running or
  // already done. At least half the runs must have really lost their worker mid-activation.
  assert.ok(reallyStopped >= 10, `the worker was stopped in only ${reallyStopped} of 20 runs`);
});

test('a page that relabels another banner element as the activate button gets no activation', async () => {
  await cleanStart();
  const page = await h.browser.newPage();
  await page.goto(ITEM);
  await waitForState(page, 'inactive');
  // The page script: the collapse button now claims to be the activate button, and our real
  // button is made invisible under it.
  await page.evaluate(() => {
    const root = document.getElementById('cashback-guard-root').shadowRoot;
    const collapse = root.querySelector('[data-action="collapse"]');
    collapse.setAttribute('data-action', 'activate');
    collapse.setAttribute('data-testid', 'cg-fake');
    collapse.textContent = 'Activate cashback';
    root.querySelector('[data-testid="cg-activate"]').style.opacity = '0';
  });
  assert.equal(await inBanner(page, 'cg-fake').getAttribute('data-action'), 'activate', 'the relabelling really happened');
  await inBanner(page, 'cg-activate').click({ force: true }); // on our button, made invisible
  await inBanner(page, 'cg-fake').click(); // a trusted click by the shopper
  await page.waitForTimeout(1500);
  assert.equal(h.server.hits('deep_link'), 0);
  assert.equal(await inBanner(page, 'cg-banner').getAttribute('data-state'), 'inactive');
  await page.close();
});
