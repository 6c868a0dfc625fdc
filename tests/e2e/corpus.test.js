// Real AliExpress pages (issue 18): every saved page of tests/real/ is served at its real URL
// and the banner must show what tests/real/corpus.json (written by hand from the pages) says
// a person reads there: the expected cashback computed here from the row's price and the
// rates of extension/config/default.json, the rate and the product id; or, where the page
// has no readable price, no amount and a Diagnostics line saying so. One line per page,
// then `N/M pages read`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setUp, inBanner, waitForState } from './lib/harness.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REAL = path.resolve(HERE, '..', 'real');
const ROOT = path.resolve(HERE, '..', '..');
const corpus = JSON.parse(fs.readFileSync(path.join(REAL, 'corpus.json'), 'utf8'));
const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'extension', 'config', 'default.json'), 'utf8'));

/** "97.39" → 9739n (the currencies of the corpus all have two minor digits). */
function minor(decimal) {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(decimal);
  assert.ok(m, `table price ${decimal}`);
  return BigInt(m[1]) * 100n + BigInt((m[2] || '').padEnd(2, '0'));
}
/** The rate: the first of the product's categories (most specific first) the config names, else the default. */
function rateOf(categories) {
  const named = (categories || []).find((c) => Object.hasOwn(config.rates.categories, c));
  return named ? config.rates.categories[named] : config.rates.default_bp;
}
const cashback = (decimal, bp) => String((minor(decimal) * BigInt(bp)) / 10000n);

/** The page as served: the saved bytes, or a dump inside the smallest page embedding it. */
function body(row) {
  const bytes = fs.readFileSync(path.join(REAL, row.file));
  const wrap = (pre, post) => Buffer.concat([Buffer.from(`<!doctype html><html><head><meta charset="utf-8"><title>AliExpress</title></head><body>${pre}`), bytes, Buffer.from(`${post}</body></html>`)]);
  if (row.wrap === 'window.runParams') return wrap('<script>window.runParams = ', ';</script>');
  if (row.wrap === 'script') return wrap('<script>', '</script>');
  return bytes;
}

let h;
const results = [];
before(async () => {
  h = await setUp({ failOtherHosts: true });
  for (const row of corpus.pages) {
    const u = new URL(row.url);
    h.server.route(u.hostname, u.pathname, (req, res) => {
      const b = body(row);
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': b.length });
      res.end(b);
    });
  }
});
after(async () => {
  for (const r of results) console.log(`${r.ok ? 'read  ' : 'UNREAD'} ${r.file}: ${r.line}`);
  const read = results.filter((r) => r.ok).length;
  console.log(`${read}/${corpus.pages.length} pages read`);
  await h?.close();
});

const attr = (page, testid, name) => inBanner(page, testid).getAttribute(name, { timeout: 1000 }).catch(() => null);

for (const row of corpus.pages) {
  test(`real page ${row.file}`, async () => {
    const r = { file: row.file, ok: false, line: '' };
    results.push(r);
    const page = await h.browser.newPage();
    try {
      await page.goto(row.url, { waitUntil: 'load', timeout: 30000 });
      await waitForState(page, 'inactive', 20000);
      if (row.price) {
        const bp = rateOf(row.categories);
        const want = {
          min: cashback(row.price.min, bp),
          max: row.price.max ? cashback(row.price.max, bp) : null,
          currency: row.price.currency,
          bp: String(bp),
          id: row.product_id,
        };
        await inBanner(page, 'cg-expected').waitFor({ timeout: 15000 }).catch(() => {});
        const got = {
          min: await attr(page, 'cg-expected', 'data-amount-minor'),
          max: await attr(page, 'cg-expected', 'data-amount-max-minor'),
          currency: await attr(page, 'cg-expected', 'data-currency'),
          bp: await attr(page, 'cg-rate', 'data-rate-bp'),
          id: await attr(page, 'cg-expected', 'data-product-id'),
        };
        r.line = `expected ${JSON.stringify(want)}, banner ${JSON.stringify(got)}`;
        assert.deepEqual(got, want);
        r.ok = true;
      } else {
        // Give the page time to settle (late scripts, re-reads), then: no amount, never a wrong one.
        await page.waitForTimeout(1500);
        assert.equal(await inBanner(page, 'cg-expected').count(), 0, 'no expected amount without a price');
        if (row.kind === 'product') {
          const popup = await h.popup(page);
          await popup.locator('summary').click();
          const diag = await popup.locator('[data-testid="cg-diagnostics"]').textContent();
          await popup.close();
          assert.match(diag, /price not found/i, 'Diagnostics says the price could not be read');
          r.line = `no price on the page: no amount, Diagnostics says so (${row.product_id})`;
        } else {
          r.line = `${row.kind} page: no amount, no crash`;
        }
        r.ok = true;
      }
    } finally {
      await page.close();
    }
  });
}
