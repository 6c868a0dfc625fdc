// Activation (issue 3): once per session, on a trusted click only, verified ours; blocked
// and stripped referrals are named; a worker stopped mid-activation loses nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setUp, inBanner, waitForState, FIXTURE_EXT } from './lib/harness.js';

const ITEM = '/item/1005001000000001.html';

test('page scripts cannot activate: .click(), synthetic events, postMessage', async () => {
  const h = await setUp();
  try {
    const page = await h.browser.newPage();
    await page.goto(h.server.url(ITEM));
    await waitForState(page, 'inactive');
    await page.evaluate(() => {
      const btn = document.getElementById('cashback-guard-root').shadowRoot.querySelector('[data-testid="cg-activate"]');
      btn.click();
      btn.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
      window.postMessage({ type: 'activate' }, '*');
    });
    await page.waitForTimeout(1500);
    assert.equal(h.server.hits('deep_link'), 0);
    assert.equal(await inBanner(page, 'cg-banner').getAttribute('data-state'), 'inactive');
  } finally {
    await h.close();
  }
});

test('second click from the popup and reloads: still one hit; a new browser session allows a new activation', async () => {
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cbg-e2e-keep-'));
  let h = await setUp({ profileDir });
  try {
    const page = await h.browser.newPage();
    await page.goto(h.server.url(ITEM));
    await waitForState(page, 'inactive');
    await inBanner(page, 'cg-activate').click();
    await page.waitForURL(/aff_fsk=cgDemo0001/);
    assert.match(page.url(), /\/item\/1005001000000001\.html\?/, 'back on the product page');
    await waitForState(page, 'active');
    const popup = await h.popup(page);
    assert.equal(await popup.locator('[data-testid="cg-activate"]').count(), 0);
    assert.match(await popup.locator('[data-testid="cg-status"]').textContent(), /active since \d\d:\d\d/);
    await popup.close();
    await page.reload();
    await waitForState(page, 'active');
    assert.equal(h.server.hits('deep_link'), 1);
    await h.browser.close();

    // Same profile, new browser session: storage.session is empty again.
    const server = h.server;
    h = await setUp({ profileDir });
    const again = await h.browser.newPage();
    await again.goto(h.server.url(ITEM));
    await waitForState(again, 'inactive');
    await inBanner(again, 'cg-activate').click();
    await waitForState(again, 'active');
    assert.equal(h.server.hits('deep_link'), 1, 'one hit in the new session');
    await server.close();
  } finally {
    await h.close();
    fs.rmSync(profileDir, { recursive: true, force: true });
  }
});

test('worker stopped while activating: ends active with exactly one hit', async () => {
  const h = await setUp();
  try {
    h.server.setDeepLinkDelay(2000);
    const page = await h.browser.newPage();
    await page.goto(h.server.url(ITEM));
    await waitForState(page, 'inactive');
    await inBanner(page, 'cg-activate').click({ noWaitAfter: true });
    const stored = () => h.sw.evaluate(async () => (await chrome.storage.session.get('session')).session?.referral?.state);
    // Stop it once the deep link request reached the server (whose answer is delayed 2 s).
    for (let i = 0; i < 100 && h.server.hits('deep_link') === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await stored(), 'activating');
    assert.equal(await h.browser.stopServiceWorker(h.id), true);
    assert.equal(h.server.hits('deep_link'), 1, 'the redirect is in flight while the worker is down');
    await page.waitForURL(/aff_fsk=cgDemo0001/, { timeout: 15000 });
    await waitForState(page, 'active');
    assert.equal(h.server.hits('deep_link'), 1);
  } finally {
    await h.close();
  }
});

test('a blocker that blocks the deep link (DNR, real filter syntax) ends blocked and is named', async () => {
  const h = await setUp({ extraExtensions: [FIXTURE_EXT('blocker-ext')] });
  try {
    const page = await h.browser.newPage();
    await page.goto(h.server.url(ITEM));
    await waitForState(page, 'inactive');
    const tab = await h.tabIdOf(page);
    await inBanner(page, 'cg-activate').click();
    const popupUrl = `chrome-extension://${h.id}/ui/popup.html?tabId=${tab}`;
    const popup = await h.browser.newPage();
    await popup.goto(popupUrl);
    await popup.waitForFunction(() => document.querySelector('[data-testid="cg-status"]')?.getAttribute('data-state') === 'blocked', null, { timeout: 15000 });
    const warning = popup.locator('[data-testid="cg-warning"][data-kind="adblock"]');
    assert.equal(await warning.getAttribute('data-subject'), 's.click.aliexpress.com');
    assert.equal(await popup.locator('[data-testid="cg-activate"]').isEnabled(), true, 'one new activation allowed');
    assert.equal(h.server.hits('deep_link'), 0);
    // Back on AliExpress the banner says the same.
    await page.goto(h.server.url(ITEM));
    await waitForState(page, 'blocked');
    assert.equal(await inBanner(page, 'cg-warning').first().getAttribute('data-kind'), 'adblock');
  } finally {
    await h.close();
  }
});

test('a referral stripped on the way (DNR removeParams, no cookie) ends blocked', async () => {
  const h = await setUp({ extraExtensions: [FIXTURE_EXT('stripper-ext')], server: { deepLinkMode: 'no-cookie' } });
  try {
    const page = await h.browser.newPage();
    await page.goto(h.server.url(ITEM));
    await waitForState(page, 'inactive');
    await inBanner(page, 'cg-activate').click();
    await waitForState(page, 'blocked');
    assert.equal(h.server.hits('deep_link'), 1);
    assert.doesNotMatch(page.url(), /aff_fsk/, 'the parameters were removed');
    assert.match(await inBanner(page, 'cg-status').textContent(), /blocked/i);
    assert.match(await inBanner(page, 'cg-banner').textContent(), /removed on the way/);
  } finally {
    await h.close();
  }
});
