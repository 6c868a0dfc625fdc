// Real Firefox ESR (Debian's /usr/bin/firefox-esr) driven by geckodriver through
// selenium-webdriver, for the Firefox end-to-end layer (tests/e2e/firefox/).
//
// Host mapping: Firefox has no --host-resolver-rules. Every request goes through a small
// CONNECT proxy started here (Firefox's own proxy prefs); a CONNECT to one of the fixture
// hosts (browser.js MAPPED_HOSTS) is tunnelled to the fixture server on 127.0.0.1:<port>,
// anything else gets 502 at once (no traffic leaves the machine). TLS ends at the fixture
// server with its self-signed certificate (`acceptInsecureCerts`).
//
// Add-ons are installed as temporary add-ons (what about:debugging's "Load Temporary
// Add-on" does); `extensions.webextensions.uuids` fixes each one's moz-extension:// uuid so
// tests can open our pages (moz-extension://<uuid>/ui/popup.html?tabId=N).
import fs from 'node:fs';
import net from 'node:net';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Builder, By, until } from 'selenium-webdriver';
import firefox from 'selenium-webdriver/firefox.js';
import command from 'selenium-webdriver/lib/command.js';
import { MAPPED_HOSTS } from './browser.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const FF_EXT_DIR = path.resolve(HERE, '..', '..', '..', 'dist', 'extension-firefox');
export const FIREFOX_PATH = process.env.FIREFOX || '/usr/bin/firefox-esr';
export const GECKODRIVER_PATH = process.env.GECKODRIVER || path.join(process.env.HOME || '/root', '.cargo', 'bin', 'geckodriver');
export const UBLOCK_DIR = process.env.UBLOCK_DIR
  || '/usr/share/mozilla/extensions/{ec8030f7-c20a-464f-9b0e-13a3a9e97384}/uBlock0@raymondhill.net';

export const OUR_ID = 'cashback-guard@cashback-guard.example';
export const OUR_UUID = '0c6b1f4e-5a1d-4c39-9a63-6a1d2f0c4b01';
export const UBO_ID = 'uBlock0@raymondhill.net';
export const UBO_UUID = '7d9e2c11-3b4a-4f5e-8c6d-1a2b3c4d5e6f';

const mapped = (host) => MAPPED_HOSTS.some((h) => (h.startsWith('*.') ? host.endsWith(h.slice(1)) : host === h));

/** The CONNECT proxy: mapped hosts → the fixture server; everything else refused. */
export function startProxy(targetPort) {
  const refused = [];
  // Tunnels are sockets the HTTP server no longer tracks: keep them, so close() can end them
  // (a tunnel left half-open after Firefox quit once kept server.close() waiting forever).
  const tunnels = new Set();
  const server = http.createServer((req, res) => { refused.push(req.url); res.writeHead(502); res.end(); });
  server.on('connect', (req, client, head) => {
    tunnels.add(client);
    client.on('close', () => tunnels.delete(client));
    const [host] = String(req.url).split(':');
    if (!mapped(host.toLowerCase())) {
      refused.push(req.url);
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head && head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    tunnels.add(upstream);
    upstream.on('close', () => tunnels.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    port: server.address().port,
    refused,
    close: () => new Promise((r) => {
      for (const s of tunnels) s.destroy();
      server.closeAllConnections?.();
      server.close(() => r());
    }),
  })));
}

/**
 * Firefox with the given unpacked add-ons (temporary install, in order).
 * @param {object} o
 * @param {number} o.proxyPort the CONNECT proxy (startProxy)
 * @param {{dir:string, id?:string, uuid?:string}[]} o.addons
 * @param {object} [o.prefs] extra prefs
 * @param {string} [o.locale]
 */
export async function launchFirefox({ proxyPort, addons = [], prefs = {}, locale = 'en-US' } = {}) {
  const options = new firefox.Options();
  options.setBinary(FIREFOX_PATH);
  options.addArguments('-headless');
  options.windowSize({ width: 1280, height: 900 });
  const uuids = {};
  for (const a of addons) if (a.id && a.uuid) uuids[a.id] = a.uuid;
  const all = {
    'network.proxy.type': 1,
    'network.proxy.http': '127.0.0.1',
    'network.proxy.http_port': proxyPort,
    'network.proxy.ssl': '127.0.0.1',
    'network.proxy.ssl_port': proxyPort,
    'network.proxy.no_proxies_on': '',
    'network.proxy.allow_hijacking_localhost': true,
    'network.proxy.share_proxy_settings': false,
    'network.dns.disablePrefetch': true,
    'network.http.speculative-parallel-limit': 0,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
    'browser.safebrowsing.downloads.enabled': false,
    'extensions.update.enabled': false,
    'extensions.getAddons.cache.enabled': false,
    'extensions.webextensions.uuids': JSON.stringify(uuids),
    'intl.locale.requested': locale,
    'intl.accept_languages': locale,
    'dom.security.https_first': false,
    ...prefs,
  };
  for (const [k, v] of Object.entries(all)) options.setPreference(k, v);
  options.setAcceptInsecureCerts(true);
  // --allow-system-access: the chrome (privileged) context, used only to stop the event page
  // the way about:debugging's "Terminate background script" does (terminateBackground).
  const service = new firefox.ServiceBuilder(GECKODRIVER_PATH).addArguments('--allow-system-access');
  // FF_LOG=file: geckodriver's and Firefox's output (console messages of pages, content
  // scripts and the event page included) go there.
  if (process.env.FF_LOG) {
    const fd = fs.openSync(process.env.FF_LOG, 'a');
    service.setStdio(['ignore', fd, fd]);
    all['devtools.console.stdout.content'] = true;
    all['devtools.console.stdout.chrome'] = true;
    options.setPreference('devtools.console.stdout.content', true);
    options.setPreference('devtools.console.stdout.chrome', true);
  }
  const driver = await new Builder().forBrowser('firefox').setFirefoxOptions(options).setFirefoxService(service).build();
  // geckodriver's own install from a directory path (as about:debugging's Load Temporary
  // Add-on does): selenium's installAddon zips it first, and Firefox then fails to read the
  // content scripts out of that temporary xpi here ("Unable to load script").
  for (const a of addons) {
    await driver.execute(new command.Command('install addon').setParameter('path', path.resolve(a.dir)).setParameter('temporary', true));
  }
  return driver;
}

/** The extension page URL (fixed uuid). */
export const extUrl = (p, uuid = OUR_UUID) => `moz-extension://${uuid}/${p}`;

/** Waits until `fn()` (async) returns a truthy value; returns it. */
export async function poll(fn, { timeout = 15000, every = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try { last = await fn(); } catch (e) { last = undefined; if (Date.now() > deadline) throw e; }
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Reads the banner's test hooks from its open shadow root (null when absent). */
export function bannerInfo(driver) {
  return driver.executeScript(() => {
    const host = document.getElementById('cashback-guard-root');
    const root = host && host.shadowRoot;
    const b = root && root.querySelector('[data-testid="cg-banner"]');
    if (!b) return null;
    const attrs = (el) => Object.fromEntries([...el.attributes].map((a) => [a.name, a.value]));
    const one = (id) => { const el = root.querySelector(`[data-testid="${id}"]`); return el ? { ...attrs(el), text: el.textContent } : null; };
    return {
      state: b.getAttribute('data-state'),
      status: one('cg-status'),
      expected: one('cg-expected'),
      rate: one('cg-rate'),
      activate: one('cg-activate'),
      warnings: [...root.querySelectorAll('[data-testid="cg-warning"]')].map((w) => ({ ...attrs(w), text: w.textContent })),
      text: b.textContent,
    };
  });
}

export async function waitForBannerState(driver, state, timeout = 15000) {
  return poll(async () => { const b = await bannerInfo(driver); return b && b.state === state ? b : null; }, { timeout, what: `banner state ${state}` });
}

/** A real (trusted) click on a banner element: WebDriver's element click, into the shadow root. */
/** `noWait`: a pointer action instead (element click waits for the navigation it starts). */
/** The banner redraws when the worker pushes a new view: an element found just before a
 *  redraw is stale, so it is found again (a few times) and clicked once. */
export async function clickInBanner(driver, testid, { noWait = false } = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      const host = await driver.findElement(By.id('cashback-guard-root'));
      const root = await host.getShadowRoot();
      const el = await root.findElement(By.css(`[data-testid="${testid}"]`));
      if (noWait) await driver.actions().move({ origin: el }).click().perform();
      else await el.click();
      return;
    } catch (e) {
      if (e.name !== 'StaleElementReferenceError' || attempt >= 5) throw e;
    }
  }
}

export { By, until };

/**
 * A test-only fixture add-on (tests/e2e/fixtures/<name>, written for Chromium) made loadable in
 * Firefox: the same files, with the service worker as an event page and a gecko id.
 */
export function firefoxFixture(name) {
  const src = path.resolve(HERE, '..', 'fixtures', name);
  const dir = path.resolve(HERE, '..', '.out', `firefox-${name}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(src, dir, { recursive: true });
  const file = path.join(dir, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (m.background && m.background.service_worker) m.background = { scripts: [m.background.service_worker] };
  const id = `${name}@cashback-guard.test`;
  m.browser_specific_settings = { gecko: { id } };
  fs.writeFileSync(file, JSON.stringify(m, null, 1));
  return { dir, id };
}

/**
 * The fixture server, the proxy, Firefox with our add-on (dist/extension-firefox) and any
 * `extra` add-ons; the first-run page closed. Returns helpers:
 *   ext(fn, ...args)   runs async fn(...args) in an extension page of ours (chrome.* APIs)
 *   tabIdOf(url)       the browser's tab id for the tab showing url
 *   chrome(fn, ...)    runs async fn(...args) in Firefox's privileged context
 */
export async function setUpFirefox({ extra = [], prefs = {}, ourDir = FF_EXT_DIR } = {}) {
  if (!fs.existsSync(path.join(ourDir, 'manifest.json'))) throw new Error(`${ourDir} is missing: run ./build.sh first`);
  const { startServer } = await import('./server.js');
  const server = await startServer();
  const proxy = await startProxy(server.port);
  const driver = await launchFirefox({ proxyPort: proxy.port, prefs, addons: [{ dir: ourDir, id: OUR_ID, uuid: OUR_UUID }, ...extra] });
  const main = await driver.getWindowHandle();
  // One tab of ours kept open for API calls (an extension page has the chrome.* APIs).
  await driver.switchTo().newWindow('tab');
  const extHandle = await driver.getWindowHandle();
  await driver.get(extUrl('ui/options.html'));
  // The first-run page opens by itself on install: close it.
  const welcome = await poll(async () => {
    for (const hnd of await driver.getAllWindowHandles()) {
      if (hnd === main || hnd === extHandle) continue;
      await driver.switchTo().window(hnd);
      if ((await driver.getCurrentUrl()).includes('/ui/welcome.html')) return hnd;
    }
    return null;
  }, { timeout: 10000, what: 'the first-run page' }).catch(() => null);
  if (welcome) { await driver.switchTo().window(welcome); await driver.close(); }
  await driver.switchTo().window(main);
  const h = {
    server, proxy, driver, main, extHandle,
    async ext(fn, ...args) {
      const back = await driver.getWindowHandle();
      await driver.switchTo().window(extHandle);
      try {
        return await driver.executeAsyncScript(`const done = arguments[arguments.length - 1];
          (${fn}).apply(null, Array.from(arguments).slice(0, -1)).then((v) => done({ v }), (e) => done({ e: String(e && e.message || e) }));`, ...args)
          .then((r) => { if (r && 'e' in r) throw new Error(r.e); return r && r.v; });
      } finally { await driver.switchTo().window(back); }
    },
    async tabIdOf(url) {
      return h.ext(async (u) => { const t = (await chrome.tabs.query({})).find((x) => x.url === u); return t ? t.id : null; }, url);
    },
    async chrome(fn, ...args) {
      await driver.setContext(firefox.Context.CHROME);
      try {
        return await driver.executeAsyncScript(`const done = arguments[arguments.length - 1];
          (${fn}).apply(null, Array.from(arguments).slice(0, -1)).then((v) => done({ v }), (e) => done({ e: String(e && e.message || e) }));`, ...args)
          .then((r) => { if (r && 'e' in r) throw new Error(r.e); return r && r.v; });
      } finally { await driver.setContext(firefox.Context.CONTENT); }
    },
    /** Opens popup.html?tabId=N in a new tab; returns to the current one after `fn(driver)`. */
    async popup(tabId, fn) {
      const back = await driver.getWindowHandle();
      await driver.switchTo().newWindow('tab');
      try {
        await driver.get(extUrl(`ui/popup.html?tabId=${tabId}`));
        return await fn(driver);
      } finally { await driver.close(); await driver.switchTo().window(back); }
    },
    /** Session and cookies cleared, server counters reset (a fresh start between tests). */
    async clean() {
      await h.ext(async () => {
        for (const name of ['aeu_cid', 'xman_us_f']) await chrome.cookies.remove({ url: 'https://www.aliexpress.com/', name });
        await chrome.runtime.sendMessage({ type: 'clear-session' });
      });
      server.reset();
    },
    async close() {
      await driver.quit().catch(() => {});
      await proxy.close();
      await server.close();
    },
  };
  return h;
}
