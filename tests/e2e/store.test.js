// Store package (issue 21, item 2): the Chrome zip `dist/cashback-guard-<version>.zip` as a
// store reviewer's tools see it. Read with a small zip reader (no browser), except the last
// test, which loads the unpacked zip (no `key`, so a new id) in Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { EXT_DIR } from './lib/harness.js';
import { startServer } from './lib/server.js';
import { launchBrowser } from './lib/browser.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'manifest.json'), 'utf8')).version;
const ZIP = path.join(ROOT, 'dist', `cashback-guard-${VERSION}.zip`);

/** The entries of a zip file: Map name → Buffer (stored and deflated entries). */
function readZip(file) {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  assert.ok(eocd >= 0, `${file}: no end of central directory`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map();
  for (let n = 0; n < count; n++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, 'central directory entry');
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue; // a directory entry
    assert.equal(buf.readUInt32LE(local), 0x04034b50, `${name}: local header`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + csize);
    assert.ok(method === 0 || method === 8, `${name}: compression method ${method}`);
    out.set(name, method === 0 ? Buffer.from(raw) : zlib.inflateRawSync(raw));
  }
  return out;
}

const files = readZip(ZIP);
const text = (name) => {
  assert.ok(files.has(name), `${name} is not in the zip`);
  return files.get(name).toString('utf8');
};
const manifest = JSON.parse(text('manifest.json'));
const locales = [...files.keys()].filter((f) => /^_locales\/[^/]+\/messages\.json$/.test(f)).map((f) => f.split('/')[1]);
const catalog = (lang) => JSON.parse(text(`_locales/${lang}/messages.json`));
/** `__MSG_name__` → the message in `lang` (chrome.i18n matches names case-insensitively). */
const resolve = (s, lang) => s.replace(/__MSG_(\w+)__/g, (_, k) => {
  const c = catalog(lang);
  const key = Object.keys(c).find((x) => x.toLowerCase() === k.toLowerCase());
  return key ? c[key].message : `<missing ${k}>`;
});

test('the zip carries no `key`; the development build keeps it (fixed id)', () => {
  assert.ok(fs.existsSync(ZIP), `${ZIP} is missing: run ./build.sh`);
  assert.equal('key' in manifest, false, 'a store upload must not carry `key`');
  const dev = JSON.parse(fs.readFileSync(path.join(EXT_DIR, 'manifest.json'), 'utf8'));
  assert.equal(typeof dev.key, 'string', 'dist/extension/manifest.json keeps `key` for development');
  const { key, ...rest } = dev;
  assert.deepEqual(manifest, rest, 'otherwise the same manifest');
});

test('the zip holds exactly the files of dist/extension', () => {
  const walk = (dir, pre = '') => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory()
    ? walk(path.join(dir, e.name), `${pre}${e.name}/`) : [`${pre}${e.name}`]));
  assert.deepEqual([...files.keys()].sort(), walk(EXT_DIR).sort());
  for (const [name, data] of files) {
    if (name !== 'manifest.json') assert.ok(data.equals(fs.readFileSync(path.join(EXT_DIR, name))), `${name} differs from dist/extension`);
  }
});

test('manifest valid for upload: MV3, name, version, description, locales, CSP', () => {
  assert.equal(manifest.manifest_version, 3);
  assert.equal(manifest.version, VERSION);
  assert.match(manifest.version, /^(0|[1-9]\d{0,4})(\.(0|[1-9]\d{0,4})){0,3}$/, 'one to four dot-separated integers');
  assert.ok(manifest.version.split('.').every((n) => Number(n) <= 65535));
  for (const f of ['name', 'description']) assert.equal(typeof manifest[f], 'string', `${f} present`);
  assert.ok(manifest.default_locale, 'default_locale (the manifest uses __MSG_ names)');
  assert.ok(locales.includes(manifest.default_locale), `_locales/${manifest.default_locale}/messages.json`);
  assert.deepEqual(locales.sort(), ['en', 'ru']);
  for (const lang of locales) {
    const name = resolve(manifest.name, lang);
    const desc = resolve(manifest.description, lang);
    assert.ok(name.length > 0 && name.length <= 75, `${lang} name "${name}": 1–75 characters`);
    assert.ok(desc.length > 0 && desc.length <= 132, `${lang} description: 1–132 characters (${desc.length})`);
    if (manifest.short_name) assert.ok(resolve(manifest.short_name, lang).length <= 12);
  }
  // Every catalog is valid chrome.i18n: an object of { message } entries, names chrome accepts.
  for (const lang of locales) {
    for (const [k, v] of Object.entries(catalog(lang))) {
      assert.match(k, /^[A-Za-z0-9_@]+$/, `${lang}: message name ${k}`);
      assert.equal(typeof v.message, 'string', `${lang}: ${k}.message`);
    }
  }
  // No remote code: MV3 forbids it, and the CSP allows only the package's own scripts.
  const csp = manifest.content_security_policy && manifest.content_security_policy.extension_pages;
  if (csp) assert.doesNotMatch(csp, /https?:|'unsafe-eval'|'unsafe-inline'|\*/, `extension_pages CSP: ${csp}`);
  assert.equal(manifest.background.type, 'module');
  // Nothing asked at install that the store would question beyond what the listing explains.
  assert.deepEqual([...manifest.permissions].sort(), ['alarms', 'cookies', 'storage', 'webRequest']);
  assert.deepEqual([...(manifest.optional_permissions || [])].sort(), ['management', 'notifications']);
  for (const h of manifest.host_permissions) {
    assert.match(h, /^https:\/\/(\*\.)?(aliexpress\.(com|ru|us)|assets\.alicdn\.com|assets\.aliexpress-media\.com)\/\*$/, `host permission ${h}`);
  }
});

test('every __MSG_x__ in the manifest resolves in both locales', () => {
  const names = [];
  const walk = (v) => {
    if (typeof v === 'string') for (const m of v.matchAll(/__MSG_(\w+)__/g)) names.push(m[1]);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(manifest);
  assert.ok(names.length >= 2, 'name and description are localized');
  for (const lang of ['en', 'ru']) {
    const keys = Object.keys(catalog(lang)).map((k) => k.toLowerCase());
    for (const n of names) assert.ok(keys.includes(n.toLowerCase()), `__MSG_${n}__ missing in _locales/${lang}`);
  }
});

/** Width and height from a PNG's IHDR chunk. */
function pngSize(buf, name) {
  assert.ok(buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${name}: PNG signature`);
  assert.equal(buf.toString('latin1', 12, 16), 'IHDR', `${name}: IHDR first`);
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

test('icons: 16, 32, 48 and 128 declared, PNG files of exactly those sizes', () => {
  for (const [where, icons] of [['icons', manifest.icons], ['action.default_icon', manifest.action.default_icon]]) {
    assert.deepEqual(Object.keys(icons).sort((a, b) => a - b), ['16', '32', '48', '128'], `${where}: sizes`);
    for (const [size, file] of Object.entries(icons)) {
      assert.match(file, /\.png$/, `${where}.${size}: a PNG`);
      const { width, height } = pngSize(files.get(file) || assert.fail(`${file} is not in the zip`), file);
      assert.deepEqual([width, height], [Number(size), Number(size)], `${file}: ${width}×${height}, declared ${size}`);
    }
  }
});

// What may be in the package, by top-level entry: the store rejects nothing else, but a
// reviewer asks about every file nothing uses.
const ALLOWED = {
  'manifest.json': 'the manifest',
  background: 'the service worker and its data module (config, catalogs, layouts, banner CSS, registry)',
  inject: 'the content scripts',
  pkg: 'the wasm core and its bindings',
  _locales: 'chrome.i18n catalogs',
  ui: 'extension pages (popup, options, first run) and their scripts and styles',
  icons: 'the icons',
};

/** Every file the manifest references, and transitively the pages, scripts and styles. */
function referenced() {
  const refs = new Map(); // path → who references it
  const queue = [];
  const add = (p, by, must = true) => {
    const norm = path.posix.normalize(p.replace(/^\//, '')).replace(/[?#].*$/, '');
    if (!must && !files.has(norm)) return;
    if (!refs.has(norm)) { refs.set(norm, by); queue.push(norm); }
  };
  add('manifest.json', 'root');
  const m = manifest;
  add(m.background.service_worker, 'manifest background');
  for (const cs of m.content_scripts || []) [...(cs.js || []), ...(cs.css || [])].forEach((f) => add(f, 'manifest content_scripts'));
  if (m.action && m.action.default_popup) add(m.action.default_popup, 'manifest action.default_popup');
  if (m.options_ui) add(m.options_ui.page, 'manifest options_ui');
  if (m.options_page) add(m.options_page, 'manifest options_page');
  for (const f of Object.values(m.icons || {})) add(f, 'manifest icons');
  for (const f of Object.values((m.action && m.action.default_icon) || {})) add(f, 'manifest action.default_icon');
  for (const w of m.web_accessible_resources || []) for (const f of w.resources) add(f, 'manifest web_accessible_resources');
  for (const lang of locales) add(`_locales/${lang}/messages.json`, 'manifest default_locale');
  while (queue.length) {
    const f = queue.shift();
    if (!files.has(f)) continue; // reported below
    const dir = path.posix.dirname(f);
    const rel = (p) => path.posix.join(dir, p);
    const body = f.endsWith('.wasm') || f.endsWith('.png') ? '' : files.get(f).toString('utf8');
    if (f.endsWith('.html')) {
      for (const x of body.matchAll(/\b(?:src|href)\s*=\s*"([^"]+)"/g)) {
        if (!/^(https?:|mailto:|#|chrome:|data:)/.test(x[1])) add(rel(x[1]), f);
      }
    } else if (f.endsWith('.css')) {
      for (const x of body.matchAll(/url\(\s*['"]?([^'")]+)['"]?\s*\)/g)) if (!/^(data:|https?:)/.test(x[1])) add(rel(x[1]), f);
    } else if (f.endsWith('.js')) {
      // Static imports and `new URL(…, import.meta.url)` must exist; any other string literal
      // that names a file of the package (from the root, as chrome.runtime.getURL takes it,
      // or relative to the script) references it.
      for (const x of body.matchAll(/\bimport\s[^'"]*?from\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url/g)) {
        add(rel(x[1] || x[2] || x[3]), f);
      }
      for (const x of body.matchAll(/'([\w./-]+\.[a-z0-9]+)'|"([\w./-]+\.[a-z0-9]+)"|`([\w./-]+\.[a-z0-9]+)`/g)) {
        const s = x[1] || x[2] || x[3];
        add(s, f, false);
        add(rel(s), f, false);
      }
    }
  }
  return refs;
}

test('every file in the zip is referenced, every referenced file exists, only allowed places', () => {
  const refs = referenced();
  const missing = [...refs].filter(([f]) => !files.has(f)).map(([f, by]) => `${f} (referenced by ${by})`);
  assert.deepEqual(missing, [], 'referenced but not in the zip');
  const unused = [...files.keys()].filter((f) => !refs.has(f));
  assert.deepEqual(unused, [], 'in the zip but referenced by nothing');
  const outside = [...files.keys()].filter((f) => !(f.split('/')[0] in ALLOWED));
  assert.deepEqual(outside, [], `only ${Object.keys(ALLOWED).join(', ')}`);
  // What a reviewer must never find: development leftovers.
  const junk = [...files.keys()].filter((f) => /(^|\/)\.|\.map$|\.ts$|\.rs$|\.orig$|~$|(^|\/)(node_modules|tests?)\//.test(f));
  assert.deepEqual(junk, []);
  // The pages and scripts that must be there.
  for (const f of ['ui/welcome.html', 'ui/welcome.js', 'ui/welcome.css', 'ui/popup.html', 'ui/options.html',
    'pkg/cashback_guard_bg.wasm', 'pkg/cashback_guard.js', 'background/data.js']) {
    assert.ok(refs.has(f) && files.has(f), f);
  }
  // Zip entries are safe paths (no absolute paths, no `..`).
  for (const f of files.keys()) assert.ok(!f.startsWith('/') && !f.split('/').includes('..'), f);
});

test('the store listing texts and the privacy policy are there and say what the zip does', () => {
  const store = path.join(ROOT, 'docs', 'store');
  const read = (f) => fs.readFileSync(path.join(store, f), 'utf8');
  const en = read('listing-en.md');
  const ru = read('listing-ru.md');
  const privacy = read('privacy-policy.md');
  // The affiliate disclosure up front: the first paragraph of the text to paste (below the
  // `---` line; above it are notes for whoever uploads).
  const lead = (md) => md.split(/^---$/m)[1].split(/\n\s*\n/).find((p) => p.trim());
  assert.match(lead(en), /commission/i);
  assert.match(lead(en), /affiliate/i);
  assert.match(lead(ru), /комисси/i);
  assert.match(lead(ru), /партн[её]рск/i);
  for (const p of [...(manifest.permissions || []), ...(manifest.optional_permissions || [])]) {
    assert.ok(privacy.includes(`\`${p}\``), `privacy policy justifies the permission ${p}`);
  }
  for (const w of ['aeu_cid', 'xman_us_f', 'chrome.storage.session', 'chrome.storage.local']) assert.ok(privacy.includes(w), w);
});

test('the unpacked zip loads in Chromium: worker starts, first-run page opens, banner on a product page', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cbg-store-'));
  for (const [name, data] of files) {
    fs.mkdirSync(path.join(dir, path.dirname(name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), data);
  }
  const server = await startServer({});
  const browser = await launchBrowser({ extensions: [dir], port: server.port, locale: 'en-US' });
  try {
    const id = browser.extensionId(dir);
    assert.notEqual(id, 'mflipbpjpaibekgkgnkkhfgdndeomlaf', 'no key: an id of its own');
    const sw = await browser.serviceWorker(dir, { timeout: 15000 });
    assert.ok(sw.url().endsWith('/background/worker.js'));
    let welcome = null;
    for (let i = 0; i < 200 && !welcome; i++) {
      welcome = browser.context.pages().find((p) => p.url() === `chrome-extension://${id}/ui/welcome.html`);
      if (!welcome) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(welcome, 'the first-run page opened');
    await welcome.locator('[data-testid="cg-disclosure"]:not([hidden])').waitFor();
    const page = await browser.newPage();
    await page.goto('https://www.aliexpress.com/item/1005001000000001.html');
    await page.waitForFunction(() => {
      const host = document.getElementById('cashback-guard-root');
      const b = host && host.shadowRoot && host.shadowRoot.querySelector('[data-testid="cg-banner"]');
      return b && b.getAttribute('data-state') === 'inactive';
    }, null, { timeout: 15000 });
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
