// The JS side of the core throughput bench (./build.sh bench): the same kind of work as the
// Rust core's URL/referral classification and price parsing, timed in a fresh Node process.
// Used by bench.js (once, after criterion) and core-bench.js (rounds alternating with criterion).
import { execFileSync } from 'node:child_process';

// Median ns per operation of 15 timed runs, for each side: { url, price, sink }.
export function measureJs() {
  return JSON.parse(execFileSync(process.execPath, ['-e', `
  const urls = ${JSON.stringify([
    'https://www.aliexpress.com/item/1005001234567890.html?spm=a2g0o.home.0.0&aff_fsk=cgDemo0001&sk=cgDemo0001&aff_platform=portals-tool',
    'https://aliexpress.ru/item/1005001234567890.html?sku_id=12000023456789',
    'https://s.click.aliexpress.com/deep_link.htm?aff_short_key=rival1&dl_target_url=https%3A%2F%2Fwww.aliexpress.com%2F',
    'https://m.aliexpress.com/item/1005001234567890.html',
    'https://alitems.com/g/1e8d114494b7e165239416525dc3e8/?ulp=https%3A%2F%2Faliexpress.ru%2F',
    'https://example.org/some/other/page?x=1'])};
  const prices = ['US $12.34', '12,34 €', '1\\u202f234,56\\u00a0₽', '€ 1.234,56', 'US $3.10 - 5.20', 'от 99 ₽', '¥1,500'];
  const store = /(^|\\.)aliexpress\\.(com|ru|us)$/;
  const redirect = /^(click|star)\\.aliexpress\\.com$|(^|\\.)(alitems\\.(com|site|co)|admitad\\.com|rzekl\\.com|aflink\\.ru|ali\\.(pub|ski))$/;
  const validKey = /^\\w{1,64}$/;
  const trace = /^[0-9a-f]{1,64}-\\d{1,16}-(?:\\d{1,10}-)?(\\w{1,64})$/i;
  const fromTrace = (t) => { const m = t && trace.exec(t.trim()); return m && !/^\\d+$/.test(m[1]) ? m[1] : null; };
  let sink = 0;
  function classify(s) {
    const x = new URL(s); const h = x.hostname;
    const kind = h === 's.click.aliexpress.com' ? 1 : redirect.test(h) ? 2 : store.test(h) ? 3 : 0;
    if (kind === 3) {
      const q = x.searchParams; const direct = (n) => { const v = (q.get(n) || '').trim(); return validKey.test(v) ? v : null; };
      const key = direct('sk') || direct('aff_fsk') || fromTrace(q.get('aff_trace_key')) || fromTrace(q.get('aff_fcid'));
      if (key) sink += key.length + (q.get('aff_trace_key') || q.get('aff_fcid') || '').length + (q.get('aff_platform') || '').length;
    }
    if (kind === 1 && x.pathname.toLowerCase() === '/deep_link.htm') { const k = (x.searchParams.get('aff_short_key') || '').trim(); if (validKey.test(k)) sink += k.length; }
    return kind;
  }
  function b(n, f) { const r = []; for (let k = 0; k < 15; k++) { const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) f(i); r.push(Number(process.hrtime.bigint() - t) / n); } r.sort((a, c) => a - c); return r[7]; }
  const u = b(20000, (i) => { sink += classify(urls[i % urls.length]); });
  const p = b(20000, (i) => { const m = /([\\d\\s\\u00a0\\u202f.,]+)/.exec(prices[i % prices.length]); sink += m ? parseFloat(m[1].replace(/[\\s\\u00a0\\u202f]/g, '').replace(',', '.')) : 0; });
  console.log(JSON.stringify({ url: u, price: p, sink }));
`]).toString());
}
