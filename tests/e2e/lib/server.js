// Fixture AliExpress server for the Cashback Guard e2e tests.
//
// One HTTPS server on 127.0.0.1:<random port> answers for every AliExpress
// host; the browser is pointed at it with --host-resolver-rules (see
// browser.js), so pages load as https://www.aliexpress.com/... etc.
// Requests are dispatched on the Host header (port stripped) + path.
//
//   const server = await startServer({ deepLinkMode: 'normal' });
//   server.port, server.counters(), server.hits('deep_link'), server.log,
//   server.reset(), server.setCart('com', [{ id, title, qty }]), server.cart('com'),
//   server.route(host, pathOrRegex, handler), server.setDeepLinkMode(mode), server.close()

import https from 'node:https';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES_DIR = path.resolve(HERE, '..', 'fixtures');

export const DEEP_LINK_MODES = ['normal', 'no-cookie', 'error', 'drop'];

// ---------------------------------------------------------------------------
// Certificate: generated once per process (per test run) into a temp dir.
let certPromise = null;
export function getCert() {
  if (!certPromise) {
    certPromise = Promise.resolve().then(() => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cbg-e2e-cert-'));
      const keyFile = path.join(dir, 'key.pem');
      const certFile = path.join(dir, 'cert.pem');
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
        '-keyout', keyFile, '-out', certFile,
        '-subj', '/CN=aliexpress.com',
        '-addext',
        'subjectAltName=DNS:*.aliexpress.com,DNS:aliexpress.com,DNS:*.aliexpress.ru,DNS:aliexpress.ru,DNS:*.aliexpress.us,DNS:alitems.com,DNS:assets.alicdn.com,DNS:assets.aliexpress-media.com,DNS:cashback.example,DNS:evil.example',
      ], { stdio: 'pipe' });
      const cert = { dir, key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) };
      process.once('exit', () => { try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* ignore */ } });
      return cert;
    });
  }
  return certPromise;
}

// ---------------------------------------------------------------------------
// Helpers

const hex = (bytes) => crypto.randomBytes(bytes).toString('hex');
const digits = (n) => Array.from({ length: n }, () => crypto.randomInt(10)).join('');

/** Host header → bare lower-case host name (port stripped). */
export function hostOf(req) {
  const h = String(req.headers.host || '').toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.replace(/:\d+$/, '');
}

/** Which fixture folder a host uses: 'ru' for aliexpress.ru, 'com' for .com/.us/alitems, else null. */
export function storefrontOf(host) {
  if (host === 'aliexpress.ru' || host.endsWith('.aliexpress.ru')) return 'ru';
  if (host === 'aliexpress.com' || host.endsWith('.aliexpress.com')) return 'com';
  if (host === 'aliexpress.us' || host.endsWith('.aliexpress.us')) return 'com';
  if (host === 'alitems.com' || host.endsWith('.alitems.com')) return 'com';
  return null;
}

/** A fresh affiliate trace id: `<32 hex>-<13-digit ms>-<5 digits>-<key>`. */
export function makeTrace(key, now = Date.now()) {
  return `${hex(16)}-${String(now).padStart(13, '0')}-${digits(5)}-${key}`;
}

/** Appends the parameters AliExpress adds to the landing URL of an affiliate redirect. */
export function affiliateLanding(target, key, trace, custom = {}) {
  const params = new URLSearchParams({
    aff_fcid: trace,
    aff_fsk: key,
    aff_platform: 'portals-tool',
    sk: key,
    aff_trace_key: trace,
    terminal_id: hex(16),
    // Portals' custom tracking strings travel on to the landing (ePN traffic lands with them).
    ...custom,
  }).toString();
  const hashAt = target.indexOf('#');
  const base = hashAt >= 0 ? target.slice(0, hashAt) : target;
  const hash = hashAt >= 0 ? target.slice(hashAt) : '';
  const sep = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  return `${base}${sep}${params}${hash}`;
}

/** The two Set-Cookie values of an affiliate redirect. */
export function affiliateCookies(key, trace, now = Date.now(), maxAge = 2592000, httpOnly = false) {
  const xman = {
    aeuCID: trace, affiliateKey: key, channel: 'AFFILIATE', cv: '1',
    isCookieCache: 'N', ms: '1', pid: '12345', tagtime: now,
  };
  const ho = httpOnly ? '; HttpOnly' : '';
  return [
    `aeu_cid=${trace}; Domain=.aliexpress.com; Path=/; Secure; SameSite=None; Max-Age=${maxAge}${ho}`,
    `xman_us_f=x_l=1&x_locale=en_US&x_as_i=${encodeURIComponent(JSON.stringify(xman))}&acs_rt=abc; Domain=.aliexpress.com; Path=/; Secure; SameSite=None${ho}`,
  ];
}

const GIF_1x1 = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

function send(res, status, body, headers = {}) {
  if (res.writableEnded) return;
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(String(body ?? ''), 'utf8');
  res.writeHead(status, { 'Cache-Control': 'no-store', 'Content-Length': buf.length, ...headers });
  res.end(buf);
}
const sendJson = (res, status, obj) => send(res, status, JSON.stringify(obj), { 'Content-Type': 'application/json; charset=utf-8' });
const sendHtml = (res, status, html) => send(res, status, html, { 'Content-Type': 'text/html; charset=utf-8' });

// ---------------------------------------------------------------------------

/**
 * Starts the fixture server.
 * @param {object} [opts]
 * @param {'normal'|'no-cookie'|'error'|'drop'} [opts.deepLinkMode='normal']
 *   normal: 302 + params + 2 cookies; no-cookie: 302 + params, no Set-Cookie;
 *   error: HTTP 500; drop: socket destroyed without a response.
 * @param {boolean} [opts.shortLinkCookies=true] whether /e/<code> also sets the cookies (as real short links do)
 * @param {number} [opts.cookieMaxAge=2592000] Max-Age of aeu_cid
 * @param {boolean} [opts.cookieHttpOnly=false] add HttpOnly to both cookies (the brief's headers have none,
 *   so by default page scripts DO see them in document.cookie); runtime setter setCookieHttpOnly(bool)
 * @param {number} [opts.port=0] listen port (0 = random)
 * @param {string} [opts.fixturesDir] override fixtures root
 * @param {boolean} [opts.verbose] log every request to stderr
 */
export async function startServer(opts = {}) {
  const { key, cert } = await getCert();
  const fixturesDir = opts.fixturesDir || FIXTURES_DIR;
  let deepLinkMode = opts.deepLinkMode || 'normal';
  const shortLinkCookies = opts.shortLinkCookies !== false;
  const cookieMaxAge = opts.cookieMaxAge ?? 2592000;
  let cookieHttpOnly = !!opts.cookieHttpOnly;
  let deepLinkDelayMs = 0;
  if (!DEEP_LINK_MODES.includes(deepLinkMode)) throw new Error(`deepLinkMode must be one of ${DEEP_LINK_MODES.join(', ')}`);

  let counts = new Map();
  const log = [];
  const requests = []; // every request: {url, method, referer, origin, dest}
  const carts = { com: new Map(), ru: new Map() };
  const routes = []; // { host, path, handler }

  const bump = (name) => counts.set(name, (counts.get(name) || 0) + 1);

  function logHit(name, req, url, keyVal) {
    bump(name);
    log.push({
      name,
      url: url.href,
      key: keyVal ?? null,
      time: Date.now(),
      method: req.method,
      referer: req.headers.referer || null,
      cookie: req.headers.cookie || null,
    });
  }

  function cartItems(sf) {
    return [...(carts[sf] || new Map()).values()].map((x) => ({ ...x }));
  }
  function cartCount(sf) {
    return cartItems(sf).reduce((n, x) => n + (Number(x.qty) || 0), 0);
  }
  function setCart(sf, items = []) {
    if (!carts[sf]) throw new Error(`unknown storefront ${sf}`);
    carts[sf] = new Map(items.map((x) => [String(x.id), { id: String(x.id), title: x.title || `Product ${x.id}`, qty: Number(x.qty ?? 1) }]));
  }

  function template(file, vars) {
    let html = fs.readFileSync(file, 'utf8');
    // One level of includes: <!--#include file="_header.html"--> (same folder).
    html = html.replace(/<!--#include file="([\w.-]+)"-->/g, (_, name) => {
      const inc = path.join(path.dirname(file), name);
      return fs.existsSync(inc) ? fs.readFileSync(inc, 'utf8') : '';
    });
    for (const [k, v] of Object.entries(vars)) html = html.split(`{{${k}}}`).join(String(v));
    return html;
  }
  function fixture(sf, name) {
    const f = path.join(fixturesDir, sf, name);
    return fs.existsSync(f) ? f : null;
  }
  function servePage(res, sf, file, extra = {}, status = 200) {
    // NONCE: a fresh value per page (e.g. tracking pixels that must not come from a cache).
    const NONCE = `${Date.now()}${crypto.randomInt(1e6)}`;
    sendHtml(res, status, template(file, { CART_COUNT: cartCount(sf), STOREFRONT: sf, NONCE, ...extra }));
  }
  function notFound(res, sf, url) {
    const f = sf && fixture(sf, '404.html');
    if (f) return servePage(res, sf, f, { PATH: url.pathname.replace(/[<>&"']/g, '') }, 404);
    return sendHtml(res, 404, `<!doctype html><title>404</title><h1>Not found</h1><p>${url.pathname.replace(/[<>&]/g, '')}</p>`);
  }

  async function redirectAffiliate(req, res, url, { name, keyVal, target, cookies }) {
    logHit(name, req, url, keyVal);
    if (deepLinkDelayMs > 0) await new Promise((r) => setTimeout(r, deepLinkDelayMs));
    if (deepLinkMode === 'drop') { req.socket.destroy(); return; }
    if (deepLinkMode === 'error') return sendHtml(res, 500, '<!doctype html><title>500</title><h1>System error</h1>');
    if (!keyVal) {
      // No affiliate key reached AliExpress (a filter removed it): nothing to attribute, no
      // cookie; the shopper just lands on the page.
      return send(res, 302, '', { Location: target, 'Content-Type': 'text/html; charset=utf-8' });
    }
    const now = Date.now();
    const trace = makeTrace(keyVal, now);
    const custom = {};
    for (const p of ['af', 'cn', 'cv', 'dp']) if (url.searchParams.has(p)) custom[p] = url.searchParams.get(p);
    const headers = { Location: affiliateLanding(target, keyVal, trace, custom), 'Content-Type': 'text/html; charset=utf-8' };
    if (cookies && deepLinkMode === 'normal') headers['Set-Cookie'] = affiliateCookies(keyVal, trace, now, cookieMaxAge, cookieHttpOnly);
    send(res, 302, '', headers);
  }

  async function handle(req, res) {
    const host = hostOf(req);
    const url = new URL(req.url, `https://${host || 'unknown'}`);
    const p = url.pathname;
    const sf = storefrontOf(host);
    if (opts.verbose) process.stderr.write(`[fixture-server] ${req.method} ${host}${req.url}\n`);

    requests.push({
      url: url.href, method: req.method, referer: req.headers.referer || null,
      origin: req.headers.origin || null, dest: req.headers['sec-fetch-dest'] || null,
    });
    if (p !== '/__counters') {
      bump(p);
      bump(`${host}${p}`);
    }

    // 1. Routes added by tests win.
    for (const r of [...routes].reverse()) {
      const hostOk = r.host === '*' || (r.host instanceof RegExp ? r.host.test(host) : r.host === host);
      const pathOk = r.path instanceof RegExp ? r.path.test(p) : r.path === p;
      if (!hostOk || !pathOk) continue;
      const body = await readBody(req);
      const out = await r.handler(req, res, { url, host, storefront: sf, body, server: api });
      if (!res.writableEnded && !res.headersSent && !req.socket.destroyed) {
        if (out === undefined) send(res, 204, '');
        else if (typeof out === 'string' || Buffer.isBuffer(out)) sendHtml(res, 200, out);
        else sendJson(res, 200, out);
      }
      return;
    }

    // AliExpress's own referral reporting and analytics (field-facts §4), counted by name:
    // tracker_affiliate_js, tracker_referral_js, tracker_landing_report, tracker_trace_report, tracker_fourier.
    const CORS = { 'Access-Control-Allow-Origin': req.headers.origin || '*', 'Access-Control-Allow-Credentials': 'true' };
    if (host === 'assets.alicdn.com' || host === 'assets.aliexpress-media.com') {
      const which = p.endsWith('/affiliate-tracker.js') ? 'tracker_affiliate_js' : p.endsWith('/pc/referral-insights.js') ? 'tracker_referral_js' : null;
      if (!which) return send(res, 404, '', { 'Content-Type': 'text/plain' });
      logHit(which, req, url);
      return send(res, 200, `window.__${which} = true;`, { 'Content-Type': 'application/javascript' });
    }
    if (/^acs\.aliexpress\.(com|us|ru)$/.test(host) && /^\/h5\/mtop\.aliexpress\.traffic\.web\.(direct\.landing\.click|cross\.trace)\.report\//.test(p)) {
      logHit(p.includes('landing.click') ? 'tracker_landing_report' : 'tracker_trace_report', req, url);
      return send(res, 200, JSON.stringify({ ret: ['SUCCESS::调用成功'], data: {} }), { 'Content-Type': 'application/json', ...CORS });
    }
    if (host === 'fourier.aliexpress.com' || host === 'moduleanalysis.aliexpress.com') {
      logHit('tracker_fourier', req, url);
      return send(res, 200, GIF_1x1, { 'Content-Type': 'image/gif' });
    }

    if (!sf) return send(res, 421, `fixture server does not serve host ${host}`, { 'Content-Type': 'text/plain' });

    // 2. Affiliate endpoints on s.click.aliexpress.com.
    if (host === 's.click.aliexpress.com') {
      if (p === '/deep_link.htm') {
        const keyVal = url.searchParams.get('aff_short_key') || '';
        const target = url.searchParams.get('dl_target_url') || 'https://www.aliexpress.com/';
        return redirectAffiliate(req, res, url, { name: 'deep_link', keyVal, target, cookies: true });
      }
      const m = p.match(/^\/e\/([^/]+)$/);
      if (m) {
        return redirectAffiliate(req, res, url, { name: 'short_link', keyVal: 'short', target: 'https://www.aliexpress.com/', cookies: shortLinkCookies });
      }
      if (p === '/af_pixel.htm') {
        logHit('af_pixel', req, url, url.searchParams.get('aff_short_key') || url.searchParams.get('sk') || null);
        return send(res, 200, GIF_1x1, { 'Content-Type': 'image/gif' });
      }
    }

    // 3. Test helpers available on every AliExpress host.
    if (p === '/__counters') return sendJson(res, 200, Object.fromEntries(counts));
    if (p === '/__cart.json') return sendJson(res, 200, { storefront: sf, items: cartItems(sf), count: cartCount(sf) });
    if (p === '/__cart/add') {
      const id = url.searchParams.get('id');
      if (!id) return sendJson(res, 400, { error: 'id required' });
      const qty = Number(url.searchParams.get('qty') || 1);
      const cur = carts[sf].get(id);
      if (cur) cur.qty += qty;
      else carts[sf].set(id, { id, title: url.searchParams.get('title') || `Product ${id}`, qty });
      bump('cart_add');
      return sendJson(res, 200, { ok: true, items: cartItems(sf), count: cartCount(sf) });
    }
    if (p === '/__cart/remove') {
      const id = url.searchParams.get('id');
      const ok = carts[sf].delete(String(id));
      bump('cart_remove');
      return sendJson(res, ok ? 200 : 404, { ok, items: cartItems(sf), count: cartCount(sf) });
    }
    if (p === '/__cart/set-qty') {
      const id = String(url.searchParams.get('id'));
      const qty = Math.max(1, Number(url.searchParams.get('qty') || 1));
      const cur = carts[sf].get(id);
      if (cur) cur.qty = qty;
      return sendJson(res, cur ? 200 : 404, { ok: !!cur, items: cartItems(sf), count: cartCount(sf) });
    }

    // 4. Pages.
    const item = p.match(/^\/item\/(\d+)\.html$/);
    if (item) {
      const id = item[1];
      bump('item');
      const f = fixture(sf, `item-${id}.html`) || fixture(sf, 'item-default.html');
      if (!f) return notFound(res, sf, url);
      return servePage(res, sf, f, { ID: id });
    }
    if (p === '/' || p === '/index.html') {
      bump('home');
      const f = fixture(sf, 'home.html');
      return f ? servePage(res, sf, f) : notFound(res, sf, url);
    }
    if ((sf === 'com' && p === '/p/shoppingcart/index.html') || (sf === 'ru' && (p === '/cart' || p === '/cart/'))) {
      bump('cart_page');
      return servePage(res, sf, fixture(sf, 'cart.html'));
    }
    if (sf === 'com' && p === '/p/trade/confirm.html') {
      bump('checkout');
      return servePage(res, sf, fixture(sf, 'checkout.html'), { PAYMENT_ID: `PAY${digits(12)}` });
    }
    if (sf === 'com' && p === '/p/second-payment/pay-result.html') {
      bump('pay_result');
      return servePage(res, sf, fixture(sf, 'pay-result.html'), { ORDER_ID: `81${digits(14)}` });
    }
    if (p === '/favicon.ico') return send(res, 204, '');
    return notFound(res, sf, url);
  }

  const server = https.createServer({ key, cert }, (req, res) => {
    handle(req, res).catch((err) => {
      process.stderr.write(`[fixture-server] handler error: ${err && err.stack}\n`);
      if (!res.headersSent) send(res, 500, String(err && err.message), { 'Content-Type': 'text/plain' });
      else res.destroy();
    });
  });
  server.on('tlsClientError', () => {}); // the browser probing / aborting is not our problem

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port || 0, '127.0.0.1', resolve);
  });

  const api = {
    port: server.address().port,
    /** All counters: named ones (deep_link, short_link, af_pixel, item, home, cart_page, cart_add, cart_remove) and per path ('/item/1.html', 'www.aliexpress.com/item/1.html'). */
    counters: () => Object.fromEntries(counts),
    /** One counter (name, '/path' or 'host/path'); 0 if never hit. */
    hits: (name) => counts.get(name) || 0,
    /** Affiliate-endpoint hits: { name, url, key, time, method, referer, cookie }. */
    log,
    /** Every request received: { url, method, referer, origin, dest }. */
    requests,
    /** Clears counters, logs and both carts (routes and deep-link mode are kept). */
    reset() {
      counts = new Map();
      log.length = 0;
      requests.length = 0;
      carts.com = new Map();
      carts.ru = new Map();
    },
    setCart,
    cart: (sf) => cartItems(sf),
    /**
     * Adds an endpoint. host: exact host, '*' or RegExp; pathOrRegex: exact pathname or RegExp.
     * handler(req, res, { url, host, storefront, body, server }) may write res itself or return
     * a string (HTML 200), an object (JSON 200) or undefined (204). Later routes win. Returns an unroute fn.
     */
    route(host, pathOrRegex, handler) {
      const r = { host, path: pathOrRegex, handler };
      routes.push(r);
      return () => { const i = routes.indexOf(r); if (i >= 0) routes.splice(i, 1); };
    },
    setDeepLinkMode(mode) {
      if (!DEEP_LINK_MODES.includes(mode)) throw new Error(`deep link mode must be one of ${DEEP_LINK_MODES.join(', ')}`);
      deepLinkMode = mode;
    },
    get deepLinkMode() { return deepLinkMode; },
    setCookieHttpOnly(v) { cookieHttpOnly = !!v; },
    /** Delays affiliate redirects (to act while an activation is in flight). */
    setDeepLinkDelay(ms) { deepLinkDelayMs = Math.max(0, Number(ms) || 0); },
    /** https://<host><path> on the real-looking origin (use in the browser). */
    url: (p = '/', host = 'www.aliexpress.com') => `https://${host}${p}`,
    async close() {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}
