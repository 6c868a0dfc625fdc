// Content-script cost of built packages side by side: one browser per package, loads of the
// bench's product page alternating package by package in one run, so the machine's load falls
// on every side alike (runs minutes apart on this shared machine differ by 2× on code that did
// not change). Prints the own timers (window.__cgCost, every phase) per package: median
// (mean) of BENCH_PAIRS loads each (default 20).
// Usage, after ./build.sh: node tests/e2e/bench-content.js DIR_A DIR_B …   (default dist/extension)
// e.g. main's dist/extension copied aside against this one.
import { startServer } from './lib/server.js';
import { launchBrowser } from './lib/browser.js';
import { EXT_DIR } from './lib/harness.js';
import { bigPage, PNG } from './lib/bench-page.js';

const DIRS = process.argv.slice(2).length ? process.argv.slice(2) : [EXT_DIR];
const N = Number(process.env.BENCH_PAIRS || 20);
const URL_ = 'https://www.aliexpress.com/item/1005003000000001.html';
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

const server = await startServer();
server.route('*', /^\/item\/1005003000000001\.html$/, () => bigPage('1005003000000001'));
server.route('*', /^\/static\/img-\d+\.png$/, (req, res) => { res.writeHead(200, { 'Content-Type': 'image/png', 'Cache-Control': 'no-store' }); res.end(PNG); });
const browsers = [];
for (const dir of DIRS) {
  const b = await launchBrowser({ extensions: [dir], port: server.port });
  await b.serviceWorker(dir, { timeout: 15000 });
  browsers.push(b);
}

// One load; the phases are read over CDP from the content script's isolated world afterwards.
async function load(browser) {
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  const worlds = [];
  cdp.on('Runtime.executionContextCreated', (e) => { if (e.context.auxData && e.context.auxData.type === 'isolated') worlds.push(e.context.id); });
  await page.goto(URL_, { waitUntil: 'load' });
  await page.waitForTimeout(400); // the idle-time read and the bait check
  await cdp.send('Runtime.enable');
  let cost = null;
  for (const contextId of worlds) {
    const r = await cdp.send('Runtime.evaluate', { contextId, expression: 'JSON.stringify(window.__cgCost || null)', returnByValue: true }).catch(() => null);
    cost = r && r.result && r.result.value && JSON.parse(r.result.value);
    if (cost) break;
  }
  await cdp.detach().catch(() => {});
  await page.close();
  return cost;
}

const runs = DIRS.map(() => []);
for (let i = 0; i < N; i++) {
  for (let k = 0; k < DIRS.length; k++) { // rotate which goes first
    const j = (i + k) % DIRS.length;
    const cost = await load(browsers[j]);
    if (cost) runs[j].push(cost);
  }
}
for (const b of browsers) await b.close();
await server.close();

const phases = [...new Set(runs.flat().flatMap((c) => Object.keys(c).filter((k) => typeof c[k] === 'number')))];
const cell = (xs) => `${median(xs).toFixed(2)} (${mean(xs).toFixed(2)})`;
console.log(`\ncontent script own timers, ms: median (mean) of ${N} loads per package, alternating\n`);
console.log(['phase', ...DIRS.map((d, j) => `${String.fromCharCode(65 + j)}: ${d}`)].join(' | '));
for (const k of [...phases, 'all phases']) {
  const f = (c) => (k === 'all phases' ? phases.reduce((t, q) => t + (c[q] || 0), 0) : c[k] || 0);
  console.log([k, ...runs.map((r) => (r.length ? cell(r.map(f)) : 'n/a'))].join(' | '));
}
console.log(`loads read: ${runs.map((r) => r.length).join(', ')}`);
