// Service worker (module). Listeners are registered synchronously at top level; the wasm
// core is loaded on the first event after every (re)start and keeps no state between
// events: everything lives in chrome.storage. Events are handled one at a time, in order.
import init, { start, handle_event, __wbg_reset_state as resetCore } from '../pkg/cashback_guard.js';
// The package's data files (config, catalogs, layouts, banner CSS, registry) as one module
// that build.sh generates from them (cg-config --data): it comes with this script from the
// worker's script cache, where six fetches from the package cost a cold start ~20 ms.
import * as data from './data.js';

// The sites and hosts are the manifest's (one list, no copy here): AliExpress's own sites
// are where the content script runs; the host permissions add its affiliate and asset hosts.
const MANIFEST = chrome.runtime.getManifest();
const ALIEXPRESS = MANIFEST.content_scripts[0].matches;

// The cold start's timeline (ms since this instance started), read by `./build.sh bench`.
const cost = self.cgCost = { module: performance.now() };
const mark = (k) => (v) => { cost[k] ??= performance.now(); return v; };

const utf8 = new TextEncoder();
let ready = null;
function boot() {
  if (!ready) {
    const wasm = fetch(new URL('../pkg/cashback_guard_bg.wasm', import.meta.url)).then(mark('fetched'));
    ready = init({ module_or_path: wasm }).then(mark('compiled'))
      // As UTF-8 bytes (one copy into the wasm; see `start`), with the digest of the checked files.
      .then(() => start(...[data.config, data.en, data.ru, data.layouts, data.css, data.registry].map((t) => utf8.encode(t)), data.checked))
      .then(mark('started'))
      .catch((e) => {
        ready = null; // try again on the next event
        throw new Error('Cashback Guard could not start: ' + (e && e.message ? e.message : e));
      });
  }
  return ready;
}

// A panic in the core traps its wasm instance (panic = "abort") inside an async task, so
// the event's promise would never settle: the core's panic hook calls `cgOnPanic`, which
// fails the event in flight (events run one at a time). Then start a fresh instance, tell
// the core what happened (it lands in the popup's Diagnostics), and keep serving.
class CorePanic extends Error {}
let failInFlight = null;
self.cgOnPanic = (message) => { if (failInFlight) failInFlight(new CorePanic(String(message))); };

function call(event) {
  return new Promise((resolve, reject) => {
    failInFlight = reject;
    handle_event(event).then(resolve, reject);
  }).finally(() => { failInFlight = null; });
}

function recover(e) {
  if (!(e instanceof CorePanic || e instanceof WebAssembly.RuntimeError)) throw e;
  const message = String(e.message);
  console.error('[cashback-guard] core trapped, restarting it:', message);
  resetCore();
  ready = null; // the new instance reads its config and data again
  return boot()
    .then(() => call({ kind: 'fault', message }))
    .then(() => ({ type: 'error', error: 'internal error; the extension recovered' }));
}

let queue = Promise.resolve();
function run(event) {
  self.cgBenchEvents = (self.cgBenchEvents || 0) + 1; // an event counter for ./build.sh bench, not state
  mark('event')();
  const result = queue.then(boot).then(() => call(event)).then(mark('answered')).catch(recover);
  queue = result.catch(() => {});
  return result;
}

function report(e) {
  console.error('[cashback-guard]', e);
  return { type: 'error', error: String(e && e.message ? e.message : e) };
}

const from = (sender) => ({
  id: sender.id,
  url: sender.url,
  origin: sender.origin,
  frameId: sender.frameId,
  tab: sender.tab ? { id: sender.tab.id } : undefined,
});
// Firefox's stand-in for `externally_connectable`: inject/account-relay.js (listed only for
// the account site) forwards the page's window message. It reaches the core as a web page's
// message (no extension id; origin and frame of the page), which the core checks as it does
// `onMessageExternal`.
const asPage = (sender) => {
  let origin;
  try { origin = new URL(sender.url).origin; } catch { origin = undefined; }
  return { url: sender.url, origin, frameId: sender.frameId, tab: sender.tab ? { id: sender.tab.id, url: sender.tab.url } : undefined };
};
chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  if (msg && msg.relay === 'external' && sender.id === chrome.runtime.id && sender.tab) {
    run({ kind: 'external', msg: msg.msg, sender: asPage(sender) })
      .then(sendResponse, (e) => sendResponse({ ok: false, error: report(e).error }));
    return true;
  }
  // The popup's view: whether the browser grants our host permissions (Firefox lets the
  // shopper withhold them) is a browser fact the core needs; the core decides the rest.
  const facts = msg && msg.type === 'popup'
    ? chrome.permissions.contains({ origins: MANIFEST.host_permissions }).then((ok) => ({ ...msg, noHostAccess: !ok }), () => msg)
    : Promise.resolve(msg);
  facts.then((m) => run({ kind: 'message', msg: m, sender: from(sender) })).then(sendResponse, (e) => sendResponse(report(e)));
  return true; // answer asynchronously
});
// The operator's site linking the shopper's account (`externally_connectable` lists only
// that origin; the core checks the sender again).
chrome.runtime.onMessageExternal.addListener((msg, sender, sendResponse) => {
  run({ kind: 'external', msg, sender: from(sender) })
    .then(sendResponse, (e) => sendResponse({ ok: false, error: report(e).error }));
  return true;
});

const mainFrames = { urls: ALIEXPRESS, types: ['main_frame'] };
// Affiliate and tracking requests of any type (pixels, scripts, hidden iframes), and
// AliExpress's own referral reporting that tracking-protection filters block: every failed
// request of our hosts goes to the core, whose trackers table decides what each one is (the
// rest it drops before reading storage).
const TRACKING = MANIFEST.host_permissions;
const onRedirect = (d) => {
  run({ kind: 'redirect', tabId: d.tabId, url: d.url, redirectUrl: d.redirectUrl, type: d.type }).catch(report);
};
const onError = (d) => {
  run({ kind: 'net-error', tabId: d.tabId, url: d.url, error: d.error, type: d.type }).catch(report);
};
chrome.webRequest.onBeforeRedirect.addListener(onRedirect, { urls: ALIEXPRESS, types: ['main_frame', 'sub_frame'] });
chrome.webRequest.onErrorOccurred.addListener(onError, mainFrames);
// A second function, not `onError` again: Firefox keeps one registration per function and
// event, so the same function added with a second filter would never hear these.
chrome.webRequest.onErrorOccurred.addListener((d) => onError(d), {
  urls: TRACKING, types: ['sub_frame', 'image', 'script', 'xmlhttprequest', 'ping', 'other'],
});
chrome.webRequest.onCompleted.addListener((d) => {
  run({ kind: 'completed', tabId: d.tabId, url: d.url }).catch(report);
}, mainFrames);

// Every cookie change of our hosts: the core keeps the attribution cookies, drops the rest.
chrome.cookies.onChanged.addListener((c) => {
  run({ kind: 'cookie', removed: c.removed, cookie: { name: c.cookie.name, value: c.cookie.value } }).catch(report);
});

chrome.alarms.onAlarm.addListener((a) => {
  run({ kind: 'alarm', name: a.name }).catch(report);
});

chrome.tabs.onRemoved.addListener((tabId) => {
  run({ kind: 'tab-removed', tabId }).catch(report);
});

// First run: the disclosure page (ui/welcome.html), once, on a new install only (not on an
// update, a reload or a browser restart). Plain JS, outside the core: `disclosure` in
// storage.local remembers that it was opened (and, from the page, when it was read), so a
// second `install` for the same profile does not open it again.
chrome.runtime.onInstalled.addListener((d) => {
  if (d.reason !== 'install') return;
  chrome.storage.local.get('disclosure')
    .then((got) => {
      if (got.disclosure) return null;
      return chrome.storage.local.set({ disclosure: { opened_ms: Date.now() } })
        .then(() => chrome.tabs.create({ url: chrome.runtime.getURL('ui/welcome.html') }));
    })
    .catch(report);
});

mark('listening')(); // the module evaluated, every listener registered
