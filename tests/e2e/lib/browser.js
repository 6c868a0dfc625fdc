// Launches the system Chromium with unpacked extensions through playwright-core.
//
//   const b = await launchBrowser({ extensions: [EXT_DIR], port: server.port });
//   const sw = await b.serviceWorker(EXT_DIR);           // Playwright Worker
//   const page = await b.newPage();
//   await page.goto('https://www.aliexpress.com/item/1.html');  // served by server.js
//   await b.stopServiceWorker(EXT_DIR);                  // worker really stopped
//   await b.close();
//
// Findings on this machine (Chromium 156, playwright-core 1.65.1):
//  * Playwright's `headless: true` (it passes `--headless`, i.e. new headless) keeps
//    MV3 extensions, their service workers and content scripts working; no need for
//    `headless:false` + a manual `--headless`. Only `--disable-extensions` has to be
//    removed from Playwright's default args (ignoreDefaultArgs).
//  * Stopping a worker: `Target.closeTarget` on the worker target answers
//    {success:true} but does NOTHING (worker keeps running); `ServiceWorker.stopAllWorkers`
//    does not exist on the browser target. What works: a CDP session on any page target,
//    `ServiceWorker.enable` -> workerVersionUpdated gives the versionId ->
//    `ServiceWorker.stopWorker({versionId})`. The worker's CDP target disappears within
//    ~50-150 ms and the next event starts a fresh instance (new global scope).
//    Playwright does NOT emit 'close' for the Worker and context.serviceWorkers() keeps
//    listing it: the same Worker object is re-used by the restarted instance (same
//    targetId), and an evaluate() on it while stopped waits until something restarts it
//    (it does not wake the worker). Use isServiceWorkerRunning() to check.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Hosts the fixture server answers for; all mapped to 127.0.0.1:<port>. */
export const MAPPED_HOSTS = [
  '*.aliexpress.com', 'aliexpress.com',
  '*.aliexpress.ru', 'aliexpress.ru',
  '*.aliexpress.us', 'aliexpress.us',
  'alitems.com', '*.alitems.com',
  // AliExpress's own script hosts (affiliate tracker, referral scripts; field-facts §4).
  'assets.alicdn.com', 'assets.aliexpress-media.com',
  // The operator's site (account linking) and an unrelated origin, served by test routes.
  'cashback.example', 'evil.example',
];

/**
 * The id Chromium gives an unpacked extension: from manifest.key if present, else
 * from its absolute (symlink-resolved) path. Same algorithm as crx_file::id_util.
 */
export function extensionIdFor(dir) {
  const abs = fs.realpathSync(path.resolve(dir));
  let input = Buffer.from(abs, 'utf8');
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(abs, 'manifest.json'), 'utf8'));
    if (manifest.key) input = Buffer.from(manifest.key, 'base64');
  } catch { /* no/invalid manifest: Chromium will refuse to load it anyway */ }
  const hex = crypto.createHash('sha256').update(input).digest('hex').slice(0, 32);
  return [...hex].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
}

const EXT_ID_RE = /^[a-p]{32}$/;

/**
 * @param {object} o
 * @param {string[]} [o.extensions] unpacked extension dirs
 * @param {string} [o.profileDir] user data dir to use (kept on close); default: fresh temp dir (deleted on close)
 * @param {number} [o.port] fixture server port; AliExpress hosts are mapped to 127.0.0.1:port
 * @param {{width:number,height:number}|null} [o.viewport]
 * @param {boolean} [o.headless=true]
 * @param {string[]} [o.args] extra Chromium switches
 * @param {string} [o.locale]
 * @param {number} [o.slowMo]
 * @param {boolean} [o.mapAllHosts] send every host name to the fixture server (it logs every request)
 * @param {boolean} [o.failOtherHosts] every host not mapped fails to resolve at once (saved real pages
 *   reference alicdn.com, google-analytics.com, …: fail fast rather than wait)
 */
export async function launchBrowser({
  extensions = [], profileDir, port, viewport, headless = true, args = [], locale, slowMo, mapAllHosts = false, failOtherHosts = false,
} = {}) {
  const extDirs = extensions.map((d) => fs.realpathSync(path.resolve(d)));
  for (const d of extDirs) {
    if (!fs.existsSync(path.join(d, 'manifest.json'))) throw new Error(`no manifest.json in extension dir ${d}`);
  }
  const ownProfile = !profileDir;
  const userDataDir = profileDir || fs.mkdtempSync(path.join(os.tmpdir(), 'cbg-e2e-profile-'));
  fs.mkdirSync(userDataDir, { recursive: true });

  const chromeArgs = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-quic',
    '--disable-sync',
    '--ignore-certificate-errors',
    ...(extDirs.length
      ? [`--disable-extensions-except=${extDirs.join(',')}`, `--load-extension=${extDirs.join(',')}`]
      : ['--disable-extensions']),
    ...(port ? [`--host-resolver-rules=${[...(mapAllHosts ? ['*'] : MAPPED_HOSTS).map((h) => `MAP ${h} 127.0.0.1:${port}`),
      ...(failOtherHosts && !mapAllHosts ? ['MAP * ~NOTFOUND'] : [])].join(', ')}`] : []),
    ...args,
  ];

  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless,
    args: chromeArgs,
    ignoreDefaultArgs: ['--disable-extensions'],
    ignoreHTTPSErrors: true,
    viewport: viewport === undefined ? { width: 1280, height: 800 } : viewport,
    locale,
    slowMo,
  });

  const idByDir = new Map(extDirs.map((d) => [d, extensionIdFor(d)]));
  const toId = (idOrDir) => {
    if (EXT_ID_RE.test(idOrDir)) return idOrDir;
    const abs = fs.realpathSync(path.resolve(idOrDir));
    return idByDir.get(abs) || extensionIdFor(abs);
  };
  const workerOf = (id) => context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${id}/`));

  let browserCdp = null;
  async function cdp() {
    if (!browserCdp) browserCdp = await context.browser().newBrowserCDPSession();
    return browserCdp;
  }

  async function serviceWorker(idOrDir, { timeout = 10000 } = {}) {
    const id = toId(idOrDir);
    const existing = workerOf(id);
    if (existing) return existing;
    return context.waitForEvent('serviceworker', {
      predicate: (w) => w.url().startsWith(`chrome-extension://${id}/`),
      timeout,
    });
  }

  async function swTargets(id) {
    const { targetInfos } = await (await cdp()).send('Target.getTargets');
    return targetInfos.filter((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${id}/`));
  }

  /**
   * Stops the extension's service worker for real (like Chrome's idle shutdown).
   * Method: CDP `ServiceWorker.stopWorker(versionId)` on a CDP session of any page
   * (the ServiceWorker domain does not exist on the browser target). Returns once the
   * worker's CDP target is gone and its version reports runningStatus 'stopped'.
   * Returns false if it was not running. The next extension event (message, alarm,
   * tab event, ...) starts a fresh instance.
   */
  async function stopServiceWorker(idOrDir, { timeout = 5000 } = {}) {
    const id = toId(idOrDir);
    if (!(await swTargets(id)).length) return false;
    let page = context.pages().find((p) => !p.isClosed());
    const tempPage = !page;
    if (tempPage) page = await context.newPage();
    const session = await context.newCDPSession(page);
    try {
      const versions = new Map();
      let notify = () => {};
      session.on('ServiceWorker.workerVersionUpdated', (e) => {
        for (const v of e.versions) versions.set(v.versionId, v);
        notify();
      });
      await session.send('ServiceWorker.enable');
      const mine = () => [...versions.values()].filter((v) => v.scriptURL.startsWith(`chrome-extension://${id}/`));
      const deadline = Date.now() + timeout;
      while (!mine().some((v) => v.runningStatus !== 'stopped') && Date.now() < deadline) {
        await new Promise((r) => { notify = r; setTimeout(r, 100); });
        if (!(await swTargets(id)).length) return true; // stopped by itself meanwhile
      }
      const running = mine().filter((v) => v.runningStatus !== 'stopped');
      if (running.length) {
        for (const v of running) await session.send('ServiceWorker.stopWorker', { versionId: v.versionId });
      } else {
        await session.send('ServiceWorker.stopAllWorkers'); // fallback: no version info seen
      }
      for (;;) {
        const gone = !(await swTargets(id)).length && mine().every((v) => v.runningStatus === 'stopped');
        if (gone) return true;
        if (Date.now() > deadline) throw new Error(`service worker of extension ${id} still running ${timeout} ms after ServiceWorker.stopWorker`);
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      await session.send('ServiceWorker.disable').catch(() => {});
      await session.detach().catch(() => {});
      if (tempPage) await page.close().catch(() => {});
    }
  }

  /** Is the extension's service worker running right now (per CDP targets)? */
  async function isServiceWorkerRunning(idOrDir) {
    return (await swTargets(toId(idOrDir))).length > 0;
  }

  function extensionIds() {
    const out = {};
    for (const [d, id] of idByDir) out[d] = id;
    return out;
  }

  async function openExtensionPage(idOrDir, relPath = '') {
    const page = await context.newPage();
    await page.goto(`chrome-extension://${toId(idOrDir)}/${relPath.replace(/^\//, '')}`);
    return page;
  }

  let closed = false;
  async function close() {
    if (closed) return;
    closed = true;
    await context.close().catch(() => {});
    if (ownProfile) fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
  }

  return {
    context,
    profileDir: userDataDir,
    /** { [absolute dir]: id } for the loaded extensions (computed like Chromium does; no chrome://extensions needed). */
    extensionIds,
    extensionId: toId,
    serviceWorker,
    stopServiceWorker,
    isServiceWorkerRunning,
    newPage: () => context.newPage(),
    openExtensionPage,
    cdp,
    close,
  };
}
