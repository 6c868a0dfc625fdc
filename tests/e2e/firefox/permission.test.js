// Issue 20 item 2: Firefox lets the shopper withhold or revoke host permissions. Revoked
// (permissions.remove from our own page), the popup must say so (warning kind `permission`)
// and never claim `active`; the popup's button asks again (permissions.request on the click).
// `extensions.webextOptionalPermissionPrompts: false` answers Firefox's permission prompt
// with "allow" (headless Firefox cannot show the doorhanger); the request still has to come
// from a user gesture (Firefox rejects it otherwise), here WebDriver's click.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setUpFirefox, waitForBannerState, clickInBanner, poll, By } from '../lib/firefox.js';

const ITEM = 'https://www.aliexpress.com/item/1005001000000001.html';

let h;
before(async () => { h = await setUpFirefox({ prefs: { 'extensions.webextOptionalPermissionPrompts': false } }); });
after(async () => { await h?.close(); });

const granted = () => h.ext(async () => chrome.permissions.contains({ origins: chrome.runtime.getManifest().host_permissions }));

/** The popup's warnings and status, once its view is drawn. */
async function popupInfo(d) {
  const status = await poll(async () => (await d.findElements(By.css('[data-testid="cg-status"]')))[0], { what: 'the popup status' });
  const warnings = [];
  for (const w of await d.findElements(By.css('[data-testid="cg-warning"]'))) {
    warnings.push({ kind: await w.getAttribute('data-kind'), subject: await w.getAttribute('data-subject'), text: await w.getText() });
  }
  const states = [];
  for (const s of await d.findElements(By.css('[data-testid="cg-status"]'))) states.push(await s.getAttribute('data-state'));
  return { states, warnings, text: await status.getText() };
}

test('firefox: host access revoked → popup warns (permission), never says active; its button grants it back', async () => {
  await h.clean();
  await h.driver.get(ITEM);
  await waitForBannerState(h.driver, 'inactive');
  await clickInBanner(h.driver, 'cg-activate');
  await waitForBannerState(h.driver, 'active', 20000);
  const tabId = await h.tabIdOf(await h.driver.getCurrentUrl());
  assert.ok(Number.isInteger(tabId));
  assert.equal(await granted(), true, 'the temporary install grants the host permissions');
  await h.popup(tabId, async (d) => {
    const before = await popupInfo(d);
    assert.deepEqual(before.states, ['active']);
    assert.equal(before.warnings.filter((w) => w.kind === 'permission').length, 0);

    // Revoke from this extension page (what the shopper does in about:addons).
    const removed = await d.executeAsyncScript(`const done = arguments[0];
      chrome.permissions.remove({ origins: chrome.runtime.getManifest().host_permissions }).then(done, (e) => done('error: ' + e.message));`);
    assert.equal(removed, true);
    // The fault really happened: the browser now withholds our host access.
    assert.equal(await granted(), false, 'permissions.contains says the host access is gone');

    await d.navigate().refresh();
    const revoked = await poll(async () => { const x = await popupInfo(d); return x.warnings.some((w) => w.kind === 'permission') ? x : null; },
      { what: 'the permission warning' });
    const perm = revoked.warnings.find((w) => w.kind === 'permission');
    assert.equal(perm.subject, 'aliexpress');
    assert.match(perm.text, /no access to AliExpress/);
    assert.ok(!revoked.states.includes('active'), `no active claim without host access: ${revoked.states}`);
    assert.ok((await d.findElements(By.css('[data-testid="cg-status"][data-state="active"]'))).length === 0);
    // No second activation offered on a session that may be active (AliExpress's anti-spam),
    // and the status says it cannot be checked rather than "not active".
    assert.equal((await d.findElements(By.css('[data-testid="cg-activate"]'))).length, 0, 'no Activate without host access');
    assert.match(revoked.text, /can't be checked/);
    // CG_SHOTS=<dir>: the popup in this state, for the README (docs/screenshots).
    if (process.env.CG_SHOTS) {
      const png = await (await d.findElement(By.id('app'))).takeScreenshot();
      fs.writeFileSync(path.join(process.env.CG_SHOTS, 'permission-popup-en.png'), Buffer.from(png, 'base64'));
    }

    // Ask again from the popup: a real click on its button.
    await (await d.findElement(By.css('[data-testid="cg-permission-request"]'))).click();
    await poll(async () => granted(), { what: 'the host permissions granted again' });
    const back = await poll(async () => { const x = await popupInfo(d); return x.warnings.some((w) => w.kind === 'permission') ? null : x; },
      { what: 'the permission warning gone' });
    assert.deepEqual(back.states, ['active'], 'the session was active all along: with access it says so again');
    assert.equal((await d.findElements(By.css('[data-testid="cg-permission-request"]'))).length, 0);
  });
});
