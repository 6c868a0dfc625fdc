//! `cg-bench`: native throughput of the core's hot parsers (used by `./build.sh bench`).
//! Prints JSON: per-operation nanoseconds (median of repeated batches).

use cashback_guard::domain::{price, referral, url};
use std::hint::black_box;
use std::time::Instant;

const URLS: &[&str] = &[
    "https://www.aliexpress.com/item/1005001234567890.html?spm=a2g0o.home.0.0&aff_fsk=cgDemo0001&sk=cgDemo0001&aff_platform=portals-tool",
    "https://aliexpress.ru/item/1005001234567890.html?sku_id=12000023456789",
    "https://s.click.aliexpress.com/deep_link.htm?aff_short_key=rival1&dl_target_url=https%3A%2F%2Fwww.aliexpress.com%2F",
    "https://m.aliexpress.com/item/1005001234567890.html",
    "https://alitems.com/g/1e8d114494b7e165239416525dc3e8/?ulp=https%3A%2F%2Faliexpress.ru%2F",
    "https://example.org/some/other/page?x=1",
];

const PRICES: &[&str] = &["US $12.34", "12,34 €", "1\u{202f}234,56\u{a0}₽", "€ 1.234,56", "US $3.10 - 5.20", "от 99 ₽", "¥1,500"];

/// Median nanoseconds per call of `f` over `batches` batches of `n` calls.
fn bench(n: usize, batches: usize, mut f: impl FnMut(usize)) -> f64 {
    let mut per: Vec<f64> = (0..batches)
        .map(|_| {
            let t = Instant::now();
            for i in 0..n {
                f(i);
            }
            t.elapsed().as_nanos() as f64 / n as f64
        })
        .collect();
    per.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    per[per.len() / 2]
}

fn main() {
    let url_ns = bench(20_000, 15, |i| {
        let s = URLS[i % URLS.len()];
        if let Ok(u) = url::parse(black_box(s)) {
            black_box(referral::classify_host(&u.host));
            black_box(referral::landing_attribution(&u));
            black_box(referral::redirect_key(&u));
        }
    });
    let price_ns = bench(20_000, 15, |i| {
        black_box(price::parse_price(black_box(PRICES[i % PRICES.len()]), None).ok());
    });
    println!(
        "{{\"url_classify_ns\": {url_ns:.1}, \"price_parse_ns\": {price_ns:.1}, \"urls\": {}, \"prices\": {}}}",
        URLS.len(),
        PRICES.len()
    );
}
