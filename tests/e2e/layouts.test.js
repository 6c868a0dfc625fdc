// The link and frame selectors of every layout profile (extension/layouts/layouts.json), run by
// real Chromium over the saved real pages of tests/real and a page with one link per rival
// pattern plus near misses: they select exactly the elements the patterns describe. The
// selectors are written for speed (`a:is([href*=…], …)` matches each element once instead of
// once per alternative, see README "Benchmarks"); this pins what they select.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './lib/browser.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const REAL = path.resolve(ROOT, 'tests', 'real');
const layouts = JSON.parse(fs.readFileSync(path.join(ROOT, 'extension', 'layouts', 'layouts.json'), 'utf8'));

// What the selectors are meant to find (the contract of the data, written out for the test).
const AFFILIATE_LINK = ['s.click.aliexpress.com', 'alitems.', 'admitad.com', 'aflink.ru', 'rzekl.com', 'ali.pub'];
const AFFILIATE_FRAME = ['s.click.aliexpress.com', 'alitems.', 'admitad.com'];
const CATEGORY = ['/category/'];

const SYNTHETIC = `<!doctype html><html><head><meta charset="utf-8"></head><body>
<nav aria-label="breadcrumb"><a href="//www.aliexpress.com/category/44/x.html">c</a></nav>
<nav aria-label="breadcrumbs"><a href="https://aliexpress.ru/category/63705/y.html">c</a></nav>
<a href="/category/1.html">c</a><a href="/Category/2.html">not</a><a>no href</a>
${AFFILIATE_LINK.map((p, i) => `<a href="https://${p.endsWith('.') ? p + 'com' : p}/deep_link.htm?k=${i}">r</a><a href="https://x.example/?u=${p}">in query</a>`).join('\n')}
<a href="https://S.CLICK.ALIEXPRESS.COM/x">upper case: not matched</a><a href="https://ali-pub.example/">near miss</a>
<a href="https://www.aliexpress.com/item/1005001.html">item</a><a data-href="https://s.click.aliexpress.com/x">data-href</a>
<area href="https://s.click.aliexpress.com/x">
${AFFILIATE_FRAME.map((p) => `<iframe src="https://${p.endsWith('.') ? p + 'com' : p}/f"></iframe>`).join('')}
<iframe src="https://aflink.ru/f"></iframe><iframe></iframe><div src="https://s.click.aliexpress.com/x"></div>
</body></html>`;

let browser;
before(async () => { browser = await launchBrowser({ extensions: [] }); });
after(async () => { if (browser) await browser.close(); });

const pages = () => [['synthetic', SYNTHETIC],
  ...fs.readdirSync(REAL).filter((f) => f.endsWith('.html')).map((f) => [f, fs.readFileSync(path.join(REAL, f), 'utf8')])];

test('every profile\'s affiliate-link, frame and category selectors select exactly the patterned elements, on real pages and near misses', async () => {
  const page = await browser.newPage();
  // Saved pages reference hosts we do not serve: nothing but the document itself loads.
  await page.route('**/*', (r) => r.abort());
  let checked = 0;
  for (const [name, html] of pages()) {
    await page.setContent(html, { waitUntil: 'domcontentloaded' }).catch(() => {});
    for (const p of layouts.profiles) {
      const s = p.selectors;
      const got = await page.evaluate(([sel, kinds]) => {
        const idx = new Map([...document.querySelectorAll('*')].map((e, i) => [e, i]));
        const pick = (css) => [...document.querySelectorAll(css)].map((e) => idx.get(e));
        const want = (tag, attr, subs) => [...document.querySelectorAll(tag)]
          .filter((e) => { const v = e.getAttribute(attr); return v !== null && subs.some((x) => v.includes(x)); }).map((e) => idx.get(e));
        return {
          links: [pick(sel.affiliate_links), want('a', 'href', kinds.link)],
          frames: [pick(sel.affiliate_frames), want('iframe', 'src', kinds.frame)],
          category: [pick(sel.category_links), want('a', 'href', kinds.category)],
        };
      }, [s, { link: AFFILIATE_LINK, frame: AFFILIATE_FRAME, category: CATEGORY }]);
      for (const [k, [sel, want]] of Object.entries(got)) {
        assert.deepEqual(sel, want, `${name}, ${p.id}: ${k}`);
        checked += want.length;
      }
      if (name === 'synthetic') {
        // The fault the near misses stand for really is in the page: every pattern is there.
        assert.equal(got.links[1].length, AFFILIATE_LINK.length * 2, `${p.id}: one link and one query mention per pattern`);
        assert.equal(got.frames[1].length, AFFILIATE_FRAME.length, `${p.id}: one frame per pattern`);
        assert.equal(got.category[1].length, 3, `${p.id}: three category links`);
      }
    }
  }
  assert.ok(checked > 20, `elements checked: ${checked}`);
  await page.close();
});
