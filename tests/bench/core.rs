//! `./build.sh bench`, core throughput: URL/referral classification and price parsing, with
//! criterion (`cargo bench --bench core`). build.sh reads criterion's estimates
//! (`target/criterion/core/*/new/estimates.json`) and compares them with the same kind of
//! work done by JS `URL` + regex in Node (tests/e2e/bench.js).

use cashback_guard::domain::{attribution, price, url};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

const URLS: &[&str] = &[
    "https://www.aliexpress.com/item/1005001234567890.html?spm=a2g0o.home.0.0&aff_fsk=cgDemo0001&sk=cgDemo0001&aff_platform=portals-tool",
    "https://aliexpress.ru/item/1005001234567890.html?sku_id=12000023456789",
    "https://s.click.aliexpress.com/deep_link.htm?aff_short_key=rival1&dl_target_url=https%3A%2F%2Fwww.aliexpress.com%2F",
    "https://m.aliexpress.com/item/1005001234567890.html",
    "https://alitems.com/g/1e8d114494b7e165239416525dc3e8/?ulp=https%3A%2F%2Faliexpress.ru%2F",
    "https://example.org/some/other/page?x=1",
];

const PRICES: &[&str] = &["US $12.34", "12,34 €", "1\u{202f}234,56\u{a0}₽", "€ 1.234,56", "US $3.10 - 5.20", "от 99 ₽", "¥1,500"];

fn core(c: &mut Criterion) {
    let mut g = c.benchmark_group("core");
    // One iteration classifies every URL (parse, host class, landing attribution, redirect key);
    // the throughput says how many, so per-operation times can be read off.
    g.throughput(Throughput::Elements(URLS.len() as u64));
    g.bench_function("url_classify", |b| {
        b.iter(|| {
            for s in URLS {
                if let Ok(u) = url::parse(black_box(s)) {
                    black_box(attribution::classify_host(&u.host));
                    black_box(attribution::landing_attribution(&u));
                    black_box(attribution::redirect_key(&u));
                }
            }
        })
    });
    g.throughput(Throughput::Elements(PRICES.len() as u64));
    g.bench_function("price_parse", |b| {
        b.iter(|| {
            for p in PRICES {
                black_box(price::parse_price(black_box(p), None).ok());
            }
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(3));
    targets = core
}
criterion_main!(benches);
