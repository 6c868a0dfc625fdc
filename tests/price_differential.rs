//! Differential test of the allocation-free price parser against the parser it replaced
//! (tests/reference/price_old.rs, verbatim): the same result, value or error, for every price
//! string of the fuzz seeds (the unit tables' literals), every short string with a digit in the
//! saved real pages (tests/real), and pseudo-random strings built from price pieces, alone and
//! spliced into the seeds, under several fallback currencies.
#![cfg(not(target_arch = "wasm32"))]

#[allow(dead_code)]
#[path = "reference/price_old.rs"]
mod old;

use cashback_guard::domain::price;
use std::path::Path;

const FALLBACKS: &[Option<&str>] = &[None, Some("USD"), Some("EUR"), Some("SEK"), Some("JPY"), Some("KWD"), Some("bogus")];

/// Both parsers' results in one comparable form.
fn new_result(s: &str, fb: Option<&str>) -> String {
    match price::parse_price(s, fb) {
        Ok(p) => format!("ok {} {} {:?} {}", p.currency, p.min_minor, p.max_minor, p.from),
        Err(e) => format!("{e:?}"),
    }
}

fn old_result(s: &str, fb: Option<&str>) -> String {
    match old::parse_price(s, fb) {
        Ok(p) => format!("ok {} {} {:?} {}", p.currency, p.min_minor, p.max_minor, p.from),
        Err(e) => format!("{e:?}"),
    }
}

struct Diff {
    cases: usize,
    oks: usize,
    failures: Vec<String>,
}

impl Diff {
    fn check(&mut self, s: &str, fb: Option<&str>) {
        let (new, old) = (new_result(s, fb), old_result(s, fb));
        self.cases += 1;
        self.oks += usize::from(new.starts_with("ok "));
        if new != old && self.failures.len() < 30 {
            self.failures.push(format!("{s:?} (fallback {fb:?}): new {new}, old {old}"));
        }
        for cur in ["USD", "JPY", "KWD", "XYZ"] {
            let (new, old) = (format!("{:?}", price::parse_amount_value(s, cur)), format!("{:?}", old::parse_amount_value(s, cur)));
            if new != old && self.failures.len() < 30 {
                self.failures.push(format!("amount {s:?} {cur}: new {new}, old {old}"));
            }
        }
    }

    fn all_fallbacks(&mut self, s: &str) {
        for &fb in FALLBACKS {
            self.check(s, fb);
        }
    }

    fn finish(self, what: &str, min_cases: usize, min_oks: usize) {
        assert!(self.failures.is_empty(), "{what}: {} differences, first ones:\n{}", self.failures.len(), self.failures.join("\n"));
        // Enough inputs, and enough of them prices, or the comparison proves little.
        assert!(self.cases >= min_cases && self.oks >= min_oks, "{what}: {} cases, {} parsed", self.cases, self.oks);
    }
}

fn seeds() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/seeds/price");
    let mut out: Vec<String> =
        std::fs::read_dir(&dir).expect("fuzz seeds").map(|e| String::from_utf8_lossy(&std::fs::read(e.unwrap().path()).unwrap()).into_owned()).collect();
    out.sort();
    out
}

#[test]
fn same_results_on_fuzz_seeds() {
    let seeds = seeds();
    let mut d = Diff { cases: 0, oks: 0, failures: Vec::new() };
    for s in &seeds {
        d.all_fallbacks(s);
    }
    d.finish("seeds", 300 * FALLBACKS.len(), 500);
}

/// Every quoted string and every text between tags of the saved pages that is short and holds
/// a digit: the prices as the shops wrote them, and much that is not a price.
#[test]
fn same_results_on_real_page_strings() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/real");
    let mut strings = std::collections::BTreeSet::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let text = String::from_utf8_lossy(&std::fs::read(e.unwrap().path()).unwrap()).into_owned();
        for delims in [('"', '"'), ('>', '<')] {
            for (k, part) in text.split(delims.0).enumerate() {
                let piece = if delims.0 == delims.1 { (k % 2 == 1).then_some(part) } else { part.split(delims.1).next() };
                if let Some(p) = piece.filter(|p| p.chars().count() <= 60 && p.contains(|c: char| c.is_ascii_digit())) {
                    strings.insert(p.to_string());
                }
            }
        }
    }
    let mut d = Diff { cases: 0, oks: 0, failures: Vec::new() };
    for s in &strings {
        d.all_fallbacks(s);
    }
    d.finish("real pages", 1000, 100);
}

const PIECES: &[&str] = &[
    "0", "1", "2", "3", "5", "9", "00", "12", "123", "1234", "000", ".", ",", " ", "  ", "\u{A0}", "\u{202F}", "\u{2009}", "\u{2007}", "\t",
    "\n", "'", "\u{2019}", "-", "–", "—", "~", "\u{2212}", "$", "€", "£", "₽", "₪", "¥", "￥", "₩", "₹", "₺", "US", "us", "AU", "C", "CN",
    "JP", "NT", "R", "kr", "руб", "руб.", "р.", "Р", "грн", "от", "ОТ", "from", "From", "à", "partir", "de", "à partir de", "a partir de",
    "starting", "at", "ab", "to", "до", "bis", "a", "zł", "Kč", "CHF", "KWD", "JPY", "SEK", "NOK", "EUR", "MXN", "Fr.", "fr", "lei", "Ft",
    "TL", "đ", "元", "円", "\u{200F}", "\u{202E}", "\u{FEFF}", "\u{00AD}", "😀", "é", "É", "e", "E", "NaN", ",-", ",–", ".-", "--", "ß",
    "İ", "\u{0301}", "\0", "%", "٣", "x", "гривень", "ГРИВЕНЬ", "starting at", "abcdefghijklmnopq", "ПРИВЕТСТВУЮЩИЙ", "ÀÁÂÃ", "ΑΩ", "Ѐ",
];

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn same_results_on_pseudo_random_prices() {
    let mut rng = XorShift(0x5EED_CAFE_F00D_1234);
    let mut d = Diff { cases: 0, oks: 0, failures: Vec::new() };
    for _ in 0..60_000 {
        let len = 1 + rng.below(12);
        let s: String = (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect();
        d.check(&s, FALLBACKS[rng.below(FALLBACKS.len())]);
    }
    // Seeds with pieces spliced in, replaced or removed.
    let seeds = seeds();
    for _ in 0..40_000 {
        let mut s: Vec<char> = seeds[rng.below(seeds.len())].chars().collect();
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(s.len() + 1);
            match rng.below(3) {
                0 => s.splice(at..at, PIECES[rng.below(PIECES.len())].chars()).for_each(drop),
                1 if at < s.len() => s.splice(at..=at, PIECES[rng.below(PIECES.len())].chars()).for_each(drop),
                _ if at < s.len() => drop(s.remove(at)),
                _ => {}
            }
        }
        let s: String = s.into_iter().collect();
        d.check(&s, FALLBACKS[rng.below(FALLBACKS.len())]);
    }
    d.finish("pseudo-random", 100_000, 3_000);
}

/// Strings shaped like prices: `[from] [mark] number [mark] [sep [mark] number [mark]]`, the
/// numbers with random digit groups and separators, so that most parse and the number rules
/// (decimal or thousands, grouping, exponent, size) are compared on many values.
#[test]
fn same_results_on_price_shaped_strings() {
    const FROM: &[&str] = &["", "", "от ", "from ", "à partir de ", "ab ", "starting at ", "a partir de "];
    const MARKS: &[&str] = &["", "", "", "$", "US $", "€", "₽", "¥", "kr", " руб.", " zł", "KWD ", "CHF ", " SEK", "R$", "₹", " р.", " Kč"];
    const SEPS: &[&str] = &[".", ",", " ", "\u{A0}", "\u{202F}", "'", "\u{2019}", ".", ","];
    const RANGE: &[&str] = &[" - ", "–", " — ", " ~ ", " to ", " до ", " à "];
    let mut rng = XorShift(0xC0FF_EE00_1234_5678);
    fn digits(rng: &mut XorShift, s: &mut String, len: usize) {
        s.extend((0..len).map(|_| char::from(b'0' + rng.below(10) as u8)));
    }
    // Mostly well formed (one thousands separator, groups of 3, an optional decimal part),
    // sometimes not (a group of 2 or 4, a second separator kind, 16 digits).
    let number = |rng: &mut XorShift| {
        let mut s = String::new();
        let t = SEPS[rng.below(SEPS.len())];
        let len = [1, 1, 2, 3, 3, 4, 16][rng.below(7)];
        digits(rng, &mut s, len);
        for _ in 0..rng.below(4) {
            s.push_str(if rng.below(12) == 0 { SEPS[rng.below(SEPS.len())] } else { t });
            let len = [3, 3, 3, 3, 2, 4][rng.below(6)];
            digits(rng, &mut s, len);
        }
        match rng.below(8) {
            0..=3 => {
                s.push_str([".", ","][rng.below(2)]);
                let len = 1 + rng.below(3);
                digits(rng, &mut s, len);
            }
            4 => s.push_str([",-", ".–", ",--"][rng.below(3)]),
            _ => {}
        }
        s
    };
    let mut d = Diff { cases: 0, oks: 0, failures: Vec::new() };
    for _ in 0..40_000 {
        // One currency mark, before or after the numbers; now and then a second, other one.
        let mark = MARKS[rng.below(MARKS.len())];
        let (before, after) = if rng.below(2) == 0 { (mark, "") } else { ("", mark) };
        let mut s = String::from(FROM[rng.below(FROM.len())]);
        s += before;
        s += &number(&mut rng);
        s += after;
        if rng.below(3) == 0 {
            s += RANGE[rng.below(RANGE.len())];
            s += if rng.below(2) == 0 { before } else { "" };
            s += &number(&mut rng);
            s += if rng.below(2) == 0 { after } else { "" };
        }
        if rng.below(10) == 0 {
            s += MARKS[rng.below(MARKS.len())];
        }
        d.check(&s, FALLBACKS[rng.below(FALLBACKS.len())]);
    }
    d.finish("price-shaped", 40_000, 10_000);
}
