// `BENCH_ONLY=cold ./build.sh bench`: only the worker cold start, BENCH_COLD_RUNS runs
// (default 5) of BENCH_PAIRS cold starts (default 10) each, for one or more built packages
// (BENCH_COLD_DIRS, comma-separated, default dist/extension), each in its own browser, the
// packages alternating run by run so that the machine's drift falls on all of them. Prints
// each run's median, the median of the runs and their spread (max − min), and the timeline.
// Usage: node bench-cold.js
import { startServer } from './lib/server.js';
import { launchBrowser } from './lib/browser.js';
import { EXT_DIR } from './lib/harness.js';
import { coldRun, median, STEPS } from './lib/cold.js';

const PAIRS = Number(process.env.BENCH_PAIRS || 10);
const RUNS = Number(process.env.BENCH_COLD_RUNS || 5);
const DIRS = (process.env.BENCH_COLD_DIRS || EXT_DIR).split(',').filter(Boolean);
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

const server = await startServer();
const browsers = [];
for (const dir of DIRS) {
  const b = await launchBrowser({ extensions: [dir], port: server.port });
  await b.serviceWorker(dir, { timeout: 15000 });
  browsers.push(b);
}
const results = DIRS.map(() => []);
for (let r = 0; r < RUNS; r++) {
  for (let i = 0; i < DIRS.length; i++) {
    const k = (r + i) % DIRS.length; // rotate which goes first
    results[k].push(await coldRun(browsers[k], DIRS[k], PAIRS));
  }
}
for (const b of browsers) await b.close();
await server.close();

console.log(`\nworker cold start, ${RUNS} runs × ${PAIRS} cold starts (ms; each run's median, then the median of the runs and max − min)\n`);
for (let i = 0; i < DIRS.length; i++) {
  const runs = results[i];
  const m = runs.map((x) => x.cold);
  console.log(`${DIRS[i]}`);
  console.log(`  cold start     ${m.map((x) => fmt(x)).join(', ')} → median ${fmt(median(m))} (spread ${fmt(Math.max(...m) - Math.min(...m))})`);
  for (const k of STEPS) {
    const s = runs.map((x) => x.steps[k]);
    console.log(`  ${k.padEnd(14)} ${s.map((x) => fmt(x)).join(', ')} → median ${fmt(median(s))}`);
  }
}
