// Shared set-up for the end-to-end tests: the fixture server plus Chromium with the built
// extension (dist/extension), and helpers that read the contract's test hooks.
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.js';
import { launchBrowser } from './browser.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const EXT_DIR = path.resolve(HERE, '..', '..', '..', 'dist', 'extension');
export const FIXTURE_EXT = (name) => path.resolve(HERE, '..', 'fixtures', name);

export async function setUp(opts = {}) {
  if (!fs.existsSync(path.join(EXT_DIR, 'manifest.json'))) {
    throw new Error(`${EXT_DIR} is missing: run ./build.sh first`);
  }
  const server = await startServer(opts.server || {});
  const browser = await launchBrowser({
    extensions: [EXT_DIR, ...(opts.extraExtensions || [])],
    port: server.port,
    locale: opts.locale || 'en-US',
    headless: opts.headless !== false,
    profileDir: opts.profileDir,
  });
  const id = browser.extensionId(EXT_DIR);
  const sw = await browser.serviceWorker(EXT_DIR, { timeout: 15000 });
  // A freshly installed worker's webRequest listeners reach the browser a moment after it
  // starts: the first navigation can go unseen. Warm up with one page load (not counted).
  const warm = await browser.newPage();
  await warm.goto(`https://www.aliexpress.com/?warmup`).catch(() => {});
  await warm.close();
  server.reset();
  return {
    server, browser, id, sw,
    async tabIdOf(page) {
      const url = page.url().split('#')[0];
      const worker = await browser.serviceWorker(EXT_DIR);
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
