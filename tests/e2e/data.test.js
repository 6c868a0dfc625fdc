// The worker's data (config, catalogs, layouts, banner CSS, registry) comes from one module
// generated at build time (cg-config --data → background/data.js), which the worker imports
// with its own script instead of fetching six files at each cold start. A test variant's
// config must reach the worker through that module (the harness regenerates it with the same
// generator), and a corrupt module gives a clear error on every event, never a dead worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { setUp, variant, dataModule, packageConfig, EXT_DIR, inBanner, waitForState } from './lib/harness.js';

const ITEM = '/item/1005001000000001.html';

test("a variant's config reaches the worker through the regenerated data module", async () => {
  const built = packageConfig(EXT_DIR);
  assert.equal(built.rates.default_bp, 700);
  const h = await setUp({ variant: { config: { rates: { default_bp: 450, categories: {} } } } });
  try {
    // The variant's module holds the merged config, and nothing else changed in it.
    assert.equal(packageConfig(h.extDir).rates.default_bp, 450);
    assert.equal(packageConfig(h.extDir).affiliate_key, built.affiliate_key);
    const page = await h.browser.newPage();
    await page.goto(h.server.url(ITEM));
    await waitForState(page, 'inactive');
    await inBanner(page, 'cg-rate').waitFor();
    assert.equal(await inBanner(page, 'cg-rate').getAttribute('data-rate-bp'), '450');
    // And after a cold start of the worker too (the module comes from the worker's own scripts).
    assert.ok(await h.browser.stopServiceWorker(h.id));
    await page.reload();
    await waitForState(page, 'inactive');
    await inBanner(page, 'cg-rate').waitFor();
    assert.equal(await inBanner(page, 'cg-rate').getAttribute('data-rate-bp'), '450');
    await page.close();
  } finally {
    await h.close();
  }
});

test('a corrupt data module: every event answers a clear error, the worker keeps listening', async () => {
  const dir = variant({ config: {} });
  const file = dataModule(dir);
  const text = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, text.replace(/^export const config = .*$/m, 'export const config = "{\\"program_name\\": ";'));
  assert.throws(() => packageConfig(dir), SyntaxError); // the fault is really in the package
  const h = await setUp({ extDir: dir });
  try {
    const opts = await h.browser.openExtensionPage(h.id, 'ui/options.html');
    const ask = () => opts.evaluate(() => chrome.runtime.sendMessage({ type: 'get-settings' }));
    for (let i = 0; i < 2; i++) {
      const r = await ask();
      assert.equal(r.type, 'error');
      assert.match(r.error, /^Cashback Guard could not start: config field `\(file\)`: is not valid JSON/);
    }
    // A cold start meets the same error, and the listeners are there to report it.
    assert.ok(await h.browser.stopServiceWorker(h.id));
    assert.match((await ask()).error, /could not start: config/);
    // A product page: the content script gets the error, shows no banner with garbage, and
    // the page itself is unharmed.
    const page = await h.browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(h.server.url(ITEM));
    await page.waitForTimeout(1000);
    assert.equal(await page.locator('[data-testid="cg-expected"]').count(), 0);
    assert.deepEqual(errors, []);
    await page.close();
    await opts.close();
  } finally {
    await h.close();
  }
});

test('a catalog changed after cg-config checked it: the start fails naming the file, even for an event that needs no words', async () => {
  // The worker parses the catalogs on first use only when they match the digest cg-config
  // wrote beside them (`checked`); these no longer do, so start() parses them at once.
  const dir = variant({ config: {} });
  const file = dataModule(dir);
  const text = fs.readFileSync(file, 'utf8');
  const corrupt = text.replace(/^export const ru = .*$/m, 'export const ru = "{\\"k\\": 1}";');
  assert.notEqual(corrupt, text); // the fault is really in the package…
  assert.match(corrupt, /^export const checked = \d+;$/m); // …and the digest is the one cg-config wrote
  fs.writeFileSync(file, corrupt);
  const h = await setUp({ extDir: dir });
  try {
    const opts = await h.browser.openExtensionPage(h.id, 'ui/options.html');
    const ask = () => opts.evaluate(() => chrome.runtime.sendMessage({ type: 'get-settings' }));
    const r = await ask();
    assert.equal(r.type, 'error');
    assert.match(r.error, /^Cashback Guard could not start: _locales\/ru\/messages\.json: `k` has no message/);
    // A cold start meets the same error.
    assert.ok(await h.browser.stopServiceWorker(h.id));
    assert.match((await ask()).error, /could not start: _locales\/ru\/messages\.json/);
    await opts.close();
  } finally {
    await h.close();
  }
});
