// `BENCH_ONLY=core ./build.sh bench`: only the core throughput, Rust vs JS, in several rounds.
// Each round runs criterion (`cargo bench --bench core`, native, release profile as shipped)
// and right after it the same work in JS (lib/core-js.js), so both sides of one ratio see the
// same machine; the rounds show what is noise on a shared machine. Prints every round, then
// the median ratio and its spread (max − min over the rounds). No browser, no build of dist/.
// Usage: node core-bench.js   (BENCH_CORE_ROUNDS, default 5)
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { measureJs } from './lib/core-js.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROUNDS = Number(process.env.BENCH_CORE_ROUNDS || 5);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

// criterion's median per iteration, divided by the items an iteration handles.
function perOp(name) {
  const d = path.join(ROOT, 'target', 'criterion', 'core', name, 'new');
  const median = JSON.parse(fs.readFileSync(path.join(d, 'estimates.json'))).median.point_estimate;
  const n = JSON.parse(fs.readFileSync(path.join(d, 'benchmark.json'))).throughput.Elements;
  return median / n;
}

const rounds = [];
for (let i = 0; i < ROUNDS; i++) {
  // Same panic strategy as build.sh's full bench (see the comment there).
  execFileSync('cargo', ['bench', '-q', '--bench', 'core'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CARGO_PROFILE_RELEASE_PANIC: 'unwind' } });
  const r = { rustUrl: perOp('url_classify'), rustPrice: perOp('price_parse'), ...measureJs() };
  r.urlRatio = r.rustUrl / r.url;
  r.priceRatio = r.rustPrice / r.price;
  rounds.push(r);
  console.log(`round ${i + 1}: URL ${fmt(r.rustUrl)} ns Rust / ${fmt(r.url)} ns JS = ${fmt(r.urlRatio, 2)}; price ${fmt(r.rustPrice)} ns Rust / ${fmt(r.price)} ns JS = ${fmt(r.priceRatio, 2)}`);
}
const summary = (key) => { const xs = rounds.map((r) => r[key]); return `${fmt(median(xs), 2)} (spread ${fmt(Math.max(...xs) - Math.min(...xs), 2)}, ${xs.map((x) => fmt(x, 2)).join(' ')})`; };
console.log(`\ncore, ${ROUNDS} rounds, ratio Rust/JS (≤ 1.0 is the budget): median (spread max − min, rounds)`);
console.log(`  URL + referral classification  ${summary('urlRatio')}   Rust ${fmt(median(rounds.map((r) => r.rustUrl)))} ns/op, JS ${fmt(median(rounds.map((r) => r.url)))} ns/op`);
console.log(`  price parsing                  ${summary('priceRatio')}   Rust ${fmt(median(rounds.map((r) => r.rustPrice)))} ns/op, JS ${fmt(median(rounds.map((r) => r.price)))} ns/op`);
