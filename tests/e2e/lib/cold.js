// The worker cold start as `./build.sh bench` measures it: the worker stopped over CDP, then
// one message from an extension page, timed from the page until the answer; then the
// restarted worker's own timeline (self.cgCost, ms since its global scope started).
export const STEPS = ['module', 'listening', 'event', 'fetched', 'compiled', 'started', 'answered'];

export const median = (xs) => { const s = xs.filter(Number.isFinite).sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : NaN; };

/** `n` cold starts of the extension in `dir` (loaded in `browser`): the median and every value. */
export async function coldRun(browser, dir, n) {
  const id = browser.extensionId(dir);
  const cold = [];
  const tl = [];
  const opts = await browser.openExtensionPage(id, 'ui/options.html');
  for (let i = 0; i < n; i++) {
    await browser.stopServiceWorker(id);
    cold.push(await opts.evaluate(async () => {
      const t = performance.now();
      await chrome.runtime.sendMessage({ type: 'get-settings' });
      return performance.now() - t;
    }));
    let t = null;
    for (let k = 0; k < 40 && !t; k++) {
      t = await (await browser.serviceWorker(id)).evaluate(() => self.cgCost || null).catch(() => null);
      if (!t) await new Promise((r) => setTimeout(r, 50));
    }
    tl.push(t);
  }
  await opts.close();
  const steps = {};
  for (const k of STEPS) steps[k] = median(tl.map((x) => (x && Number.isFinite(x[k]) ? x[k] : NaN)));
  return { cold: median(cold), all: cold, steps };
}
