//! AliExpress storefront / page / product-id recognition. Total functions.

use super::url::{host_is_within, is_normal_host, normalize_host, parse_with_base, Url};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Storefront {
    Com,
    Ru,
    Us,
}

/// Redirect-only subdomains of aliexpress.com that are not storefronts.
const NON_STOREFRONT_HOSTS: &[&str] = &["s.click.aliexpress.com", "click.aliexpress.com", "star.aliexpress.com"];

/// `aliexpress.com` / `.ru` / `.us` and any subdomain (language, mobile,
/// `h5.<lang>.`, `shoppingcart.` ...). The affiliate redirect hosts
/// `s.click.`, `click.` and `star.aliexpress.com` are NOT storefronts.
pub fn storefront(host: &str) -> Option<Storefront> {
    if is_normal_host(host) {
        return storefront_normal(host);
    }
    storefront_normal(&normalize_host(host)?)
}

fn storefront_normal(h: &str) -> Option<Storefront> {
    if NON_STOREFRONT_HOSTS.contains(&h) {
        return None;
    }
    if host_is_within(h, "aliexpress.com") {
        Some(Storefront::Com)
    } else if host_is_within(h, "aliexpress.ru") {
        Some(Storefront::Ru)
    } else if host_is_within(h, "aliexpress.us") {
        Some(Storefront::Us)
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    Product,
    Cart,
    Checkout,
    PaymentResult,
    Other,
}

super::json::unit_enum!(PageKind {
    "product" => PageKind::Product,
    "cart" => PageKind::Cart,
    "checkout" => PageKind::Checkout,
    "payment-result" => PageKind::PaymentResult,
    "other" => PageKind::Other,
});
super::json::serde_via_json!(PageKind);

fn all_digits(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

fn strip_html(seg: &str) -> Option<&str> {
    let n = seg.len();
    if n < 5 || !seg.is_char_boundary(n - 5) {
        return None;
    }
    let (stem, ext) = seg.split_at(n - 5);
    ext.eq_ignore_ascii_case(".html").then_some(stem)
}

/// Product id from a path: `/item/<id>.html` or
/// `/store/product/<slug>/<storeId>_<id>.html`; id is 9..=16 digits.
fn product_id_from_path(path: &str) -> Option<String> {
    let rest = path.strip_prefix('/')?;
    let segs: Vec<&str> = rest.split('/').collect();
    let id = match segs.as_slice() {
        [item, file] if item.eq_ignore_ascii_case("item") => strip_html(file)?,
        [store, product, slug, file]
            if store.eq_ignore_ascii_case("store") && product.eq_ignore_ascii_case("product") && !slug.is_empty() =>
        {
            let (store_id, id) = strip_html(file)?.split_once('_')?;
            if !all_digits(store_id, 1, 12) {
                return None;
            }
            id
        }
        _ => return None,
    };
    all_digits(id, 9, 16).then(|| id.to_string())
}

/// Classifies an AliExpress page; non-storefront hosts are always `Other`.
pub fn page_kind(url: &Url) -> PageKind {
    let Some(sf) = storefront(&url.host) else {
        return PageKind::Other;
    };
    let path = url.path.to_ascii_lowercase();
    if product_id_from_path(&url.path).is_some() {
        return PageKind::Product;
    }
    let cart = path == "/p/shoppingcart/index.html"
        || (url.host == "shoppingcart.aliexpress.com" && path == "/shopcart/shopcartdetail.htm")
        || (sf == Storefront::Ru && (path == "/cart" || path == "/cart/"));
    if cart {
        PageKind::Cart
    } else if path == "/p/trade/confirm.html" {
        PageKind::Checkout
    } else if path == "/p/second-payment/pay-result.html" {
        PageKind::PaymentResult
    } else {
        PageKind::Other
    }
}

/// Product id (9..=16 digits) of a product page on a storefront host.
pub fn product_id(url: &Url) -> Option<String> {
    storefront(&url.host)?;
    product_id_from_path(&url.path)
}

/// Product id of a link found on a page (relative, protocol-relative or absolute).
pub fn product_id_from_href(href: &str, base: &Url) -> Option<String> {
    product_id(&parse_with_base(href, base).ok()?)
}

/// Category id (1..=12 digits) from `/category/<id>[/...]` links; relative
/// paths must start with `/`; absolute and protocol-relative links must be on
/// a storefront host.
pub fn category_from_href(href: &str) -> Option<String> {
    let base =
        Url { scheme: "https".into(), host: "www.aliexpress.com".into(), port: None, path: "/".into(), query: Default::default(), fragment: None };
    let t = href.trim_matches(|c: char| c.is_ascii_whitespace());
    if !(t.starts_with('/') || t.starts_with('\\') || t.contains(':')) {
        return None; // bare relative paths are ambiguous
    }
    let u = parse_with_base(t, &base).ok()?;
    storefront(&u.host)?;
    let mut segs = u.path.strip_prefix('/')?.split('/');
    if !segs.next()?.eq_ignore_ascii_case("category") {
        return None;
    }
    let id = segs.next()?;
    all_digits(id, 1, 12).then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::url::parse;
    use super::*;

    fn pid(s: &str) -> Option<String> {
        product_id(&parse(s).unwrap())
    }

    #[test]
    fn storefront_table() {
        let cases = [
            ("aliexpress.com", Some(Storefront::Com)),
            ("www.aliexpress.com", Some(Storefront::Com)),
            ("M.AliExpress.com.", Some(Storefront::Com)),
            ("es.aliexpress.com", Some(Storefront::Com)),
            ("h5.fr.aliexpress.com", Some(Storefront::Com)),
            ("shoppingcart.aliexpress.com", Some(Storefront::Com)),
            ("aliexpress.ru", Some(Storefront::Ru)),
            ("www.aliexpress.ru", Some(Storefront::Ru)),
            ("aliexpress.us", Some(Storefront::Us)),
            ("s.click.aliexpress.com", None),
            ("click.aliexpress.com", None),
            ("star.aliexpress.com", None),
            ("aliexpress.com.evil.org", None),
            ("evilaliexpress.com", None),
            ("aliexpress.co", None),
            ("aliexpress.com:443", None),
            ("", None),
            ("ália.aliexpress.com", None),
        ];
        for (h, want) in cases {
            assert_eq!(storefront(h), want, "{h}");
        }
    }

    #[test]
    fn product_id_forms() {
        let id = Some("1005001234567890".to_string());
        let ok = [
            "https://www.aliexpress.com/item/1005001234567890.html",
            "https://m.aliexpress.com/item/1005001234567890.html",
            "https://es.aliexpress.com/item/1005001234567890.html?spm=a2g0o&gatewayAdapt=glo2esp",
            "https://he.aliexpress.com/item/1005001234567890.html#reviews",
            "https://h5.fr.aliexpress.com/item/1005001234567890.html",
            "https://aliexpress.ru/item/1005001234567890.html?sku_id=1",
            "https://www.aliexpress.us/item/1005001234567890.html",
            "http://aliexpress.com/item/1005001234567890.HTML",
            "https://www.aliexpress.com/store/product/cool-thing/1234567_1005001234567890.html",
            "https://WWW.ALIEXPRESS.COM/item/1005001234567890.html?a=1#x",
        ];
        for u in ok {
            assert_eq!(pid(u), id, "{u}");
        }
        assert_eq!(pid("https://www.aliexpress.com/item/123456789.html"), Some("123456789".into()));
        let bad = [
            "https://www.aliexpress.com/item/12345678.html",          // 8 digits
            "https://www.aliexpress.com/item/12345678901234567.html", // 17 digits
            "https://www.aliexpress.com/item/1005001234567890.html/", // trailing slash
            "https://www.aliexpress.com/item/1005001234567890",       // no .html
            "https://www.aliexpress.com/item/10050012345a7890.html",
            "https://www.aliexpress.com/item/x/1005001234567890.html",
            "https://www.aliexpress.com/category/1005001234567890.html",
            "https://www.aliexpress.com/?item=1005001234567890",
            "https://aliexpress.com.evil.org/item/1005001234567890.html",
            "https://evilaliexpress.com/item/1005001234567890.html",
            "https://aliexpress.co/item/1005001234567890.html",
            "https://s.click.aliexpress.com/item/1005001234567890.html",
            "https://www.aliexpress.com/store/product/x/abc_1005001234567890.html",
            "https://www.aliexpress.com/store/product//1_1005001234567890.html",
            "https://www.aliexpress.com/item/١٠٠٥٠٠١٢٣٤٥.html",
        ];
        for u in bad {
            assert_eq!(pid(u), None, "{u}");
        }
    }

    #[test]
    fn page_kind_table() {
        let cases = [
            ("https://www.aliexpress.com/item/1005001234567890.html", PageKind::Product),
            ("https://www.aliexpress.com/p/shoppingcart/index.html", PageKind::Cart),
            ("https://pt.aliexpress.com/p/shoppingcart/index.html?x=1", PageKind::Cart),
            ("https://shoppingcart.aliexpress.com/shopcart/shopcartDetail.htm", PageKind::Cart),
            ("https://www.aliexpress.com/shopcart/shopcartDetail.htm", PageKind::Other),
            ("https://aliexpress.ru/cart", PageKind::Cart),
            ("https://aliexpress.ru/cart/", PageKind::Cart),
            ("https://www.aliexpress.com/cart", PageKind::Other),
            ("https://www.aliexpress.com/p/trade/confirm.html?itemId=1", PageKind::Checkout),
            ("https://www.aliexpress.com/p/second-payment/pay-result.html", PageKind::PaymentResult),
            ("https://www.aliexpress.com/", PageKind::Other),
            ("https://evil.org/p/shoppingcart/index.html", PageKind::Other),
            ("https://aliexpress.com.evil.org/item/1005001234567890.html", PageKind::Other),
        ];
        for (u, want) in cases {
            assert_eq!(page_kind(&parse(u).unwrap()), want, "{u}");
        }
    }

    #[test]
    fn product_id_from_href_forms() {
        let base = parse("https://www.aliexpress.com/p/shoppingcart/index.html").unwrap();
        let id = Some("1005001234567890".to_string());
        assert_eq!(product_id_from_href("/item/1005001234567890.html", &base), id);
        assert_eq!(product_id_from_href("//www.aliexpress.com/item/1005001234567890.html", &base), id);
        assert_eq!(product_id_from_href("//m.aliexpress.com/item/1005001234567890.html?x=1", &base), id);
        assert_eq!(product_id_from_href("https://aliexpress.ru/item/1005001234567890.html", &base), id);
        assert_eq!(product_id_from_href("../../item/1005001234567890.html", &base), id);
        assert_eq!(product_id_from_href("//evil.org/item/1005001234567890.html", &base), None);
        assert_eq!(product_id_from_href("javascript:void(0)", &base), None);
        assert_eq!(product_id_from_href("", &base), None);
        assert_eq!(product_id_from_href("#", &base), None);
    }

    #[test]
    fn category_table() {
        let cases = [
            ("/category/200000920/x.html", Some("200000920")),
            ("//he.aliexpress.com/category/200000920/x.html", Some("200000920")),
            ("https://www.aliexpress.com/category/44/consumer-electronics.html", Some("44")),
            ("https://aliexpress.ru/category/123", Some("123")),
            ("https://www.aliexpress.us/category/123456789012/a.html?x=1", Some("123456789012")),
            ("/category/1234567890123/x.html", None),
            ("/category//x.html", None),
            ("/category/abc/x.html", None),
            ("/item/1005001234567890.html", None),
            ("category/1/x.html", None),
            ("//evil.org/category/1/x.html", None),
            ("https://aliexpress.com.evil.org/category/1/x.html", None),
            ("javascript:/category/1/x.html", None),
            ("", None),
            ("/Category/7/x.html", Some("7")),
        ];
        for (h, want) in cases {
            assert_eq!(category_from_href(h).as_deref(), want, "{h}");
        }
    }
}
