// Shared set-up for the end-to-end tests: the fixture server plus Chromium with the built
// extension (dist/extension), and helpers that read the contract's test hooks.
import path from 'node:path';
import fs from 'node:fs';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.js';
import { launchBrowser } from './browser.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const EXT_DIR = path.resolve(HERE, '..', '..', '..', 'dist', 'extension');
export const FIXTURE_EXT = (name) => path.resolve(HERE, '..', 'fixtures', name);
const CG_CONFIG = path.resolve(HERE, '..', '..', '..', 'target', 'debug', 'cg-config');

/**
 * A test build of the extension: dist/extension copied, with `grant` moved from the
 * optional to the granted permissions (a headless browser cannot accept a permission
 * prompt) and `config` merged into the operator config (e.g. a short order-check delay,
 * `test_hooks`). Same key, so the same extension id.
 */
export function variant({ grant = [], config = {} } = {}) {
  const name = crypto.createHash('sha256').update(JSON.stringify({ grant, config })).digest('hex').slice(0, 12);
  const dir = path.resolve(HERE, '..', '.out', `variant-${name}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(EXT_DIR, dir, { recursive: true });
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  manifest.permissions = [...manifest.permissions, ...grant];
  manifest.optional_permissions = (manifest.optional_permissions || []).filter((p) => !grant.includes(p));
  fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  const configFile = path.join(dir, 'config', 'config.json');
  const cfg = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  fs.writeFileSync(configFile, JSON.stringify({ ...cfg, ...config }, null, 2));
  // What the config decides in the manifest (externally_connectable for an account site),
  // by the same tool build.sh uses.
  execFileSync(CG_CONFIG, [configFile, '--manifest', manifestFile, manifestFile], { stdio: 'pipe' });
  return dir;
}

export async function setUp(opts = {}) {
  if (!fs.existsSync(path.join(EXT_DIR, 'manifest.json'))) {
    throw new Error(`${EXT_DIR} is missing: run ./build.sh first`);
  }
  const extDir = opts.variant ? variant(opts.variant) : EXT_DIR;
  const server = await startServer(opts.server || {});
  const launchedAt = Date.now();
  const browser = await launchBrowser({
    extensions: [extDir, ...(opts.extraExtensions || [])],
    port: server.port,
    locale: opts.locale || 'en-US',
    headless: opts.headless !== false,
    profileDir: opts.profileDir,
    mapAllHosts: opts.mapAllHosts,
    failOtherHosts: opts.failOtherHosts,
    args: opts.args,
  });
  const id = browser.extensionId(extDir);
  const sw = await browser.serviceWorker(extDir, { timeout: 15000 });
  // A freshly installed worker's webRequest listeners reach the browser a moment after it
  // starts: the first navigation can go unseen. Warm up with one page load (not counted).
  const warm = await browser.newPage();
  await warm.goto(`https://www.aliexpress.com/?warmup`).catch(() => {});
  await warm.close();
  // A new install opens the first-run disclosure page by itself: closed here so that tests
  // start from the same pages as before, unless the test is about that page (keepWelcome).
  if (!opts.keepWelcome) await closeWelcome(browser, id, sw, launchedAt);
  server.reset();
  return {
    server, browser, id, sw, extDir,
    async tabIdOf(page) {
      const url = page.url().split('#')[0];
      const worker = await browser.serviceWorker(extDir);
      return worker.evaluate(async (u) => {
        const tabs = await chrome.tabs.query({});
        const t = tabs.find((x) => x.url === u);
        return t ? t.id : null;
      }, url);
    },
    async popup(page, tabId) {
      const tab = tabId ?? await this.tabIdOf(page);
      const p = await browser.newPage();
      await p.setViewportSize({ width: 380, height: 600 });
      await p.goto(`chrome-extension://${id}/ui/popup.html?tabId=${tab}`);
      await p.locator('[data-testid="cg-status"]').waitFor();
      return p;
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

export const WELCOME = 'ui/welcome.html';

/**
 * Closes the first-run page (ui/welcome.html) if this launch installed the extension. The
 * worker writes `disclosure.opened_ms` to storage.local before it opens the tab: an entry
 * from this launch means the page is coming (wait for it); an older entry means it was a
 * relaunch of the same profile (nothing opens).
 */
export async function closeWelcome(browser, id, sw, since, timeout = 10000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const d = await sw.evaluate(() => chrome.storage.local.get('disclosure').then((r) => r.disclosure || null)).catch(() => null);
    if (d && d.opened_ms < since - 1000) return false; // installed by an earlier launch
    if (d) break;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  // Polled: a tab the browser opens may show about:blank for a moment before its URL.
  const page = await welcomePage(browser, id, Math.max(2000, deadline - Date.now()));
  if (page) await page.close();
  return Boolean(page);
}

/** The open first-run page, waiting up to `timeout` ms for it (null if none opens). */
export async function welcomePage(browser, id, timeout = 10000) {
  const url = `chrome-extension://${id}/${WELCOME}`;
  const deadline = Date.now() + timeout;
  for (;;) {
    const page = browser.context.pages().find((p) => !p.isClosed() && p.url().startsWith(url));
    if (page || Date.now() > deadline) return page || null;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const banner = (page) => page.locator('#cashback-guard-root [data-testid="cg-banner"]');
export const inBanner = (page, testid) => page.locator(`#cashback-guard-root [data-testid="${testid}"]`);

/** Waits until the banner shows `state` (polls; the banner re-renders on every change). */
export async function waitForState(page, state, timeout = 15000) {
  await page.waitForFunction((s) => {
    const host = document.getElementById('cashback-guard-root');
    const b = host && host.shadowRoot && host.shadowRoot.querySelector('[data-testid="cg-banner"]');
    return b && b.getAttribute('data-state') === s;
  }, state, { timeout });
}
