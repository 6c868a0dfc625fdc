//! Affiliate attribution (landing params, cookies) and deep-link building.
//! All functions are total: they never panic on any input.

use super::lenient;
use super::url::{encode_component, is_normal_host, normalize_host, parse, percent_decode_keep_plus, Url};
use serde_json::Value;

pub const LANDING_PARAMS: &[&str] = &[
    "aff_fcid",
    "aff_fsk",
    "aff_platform",
    "aff_trace_key",
    "sk",
    "terminal_id",
    "aff_request_id",
    "afSmartRedirect",
    "tt",
    "af",
    "cv",
    "cn",
    "dp",
    "afref",
    "aff_short_key",
];

/// Landing params that do not by themselves indicate a referral.
const HARMLESS_PARAMS: &[&str] = &["tt", "cv", "cn"];

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Source {
    LandingParam,
    AeuCidCookie,
    XmanCookie,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attribution {
    pub key: String,
    pub source: Source,
    /// `aff_trace_key` (or `aff_fcid`) / aeuCID value.
    pub trace: Option<String>,
    /// `aff_platform`.
    pub platform: Option<String>,
}

/// 1..=64 chars of `[A-Za-z0-9_]`.
pub fn valid_key(key: &str) -> bool {
    (1..=64).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn digits(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// Extracts the affiliate key from `<hex>-<ms digits>-<digits>-<key>`.
///
/// Loose validation: first part 1..=64 hex chars, second 1..=16 digits,
/// third 1..=10 digits; the key is everything after the third dash and must
/// satisfy [`valid_key`] (so keys containing '-' are rejected).
/// Also tolerated: `<hex>-<ms>-<key>` (missing numeric part) when `<key>` is
/// not all digits; an all-digit third part with no fourth part is read as the
/// numeric part and yields `None`.
pub fn key_from_trace(trace: &str) -> Option<String> {
    let t = trace.trim();
    let mut parts = t.splitn(4, '-');
    let hex = parts.next()?;
    let ms = parts.next()?;
    let third = parts.next()?;
    let fourth = parts.next();
    if hex.is_empty() || hex.len() > 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    if !digits(ms, 16) {
        return None;
    }
    let key = match fourth {
        Some(k) => {
            if !digits(third, 10) {
                return None;
            }
            k
        }
        None => {
            if third.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            third
        }
    };
    valid_key(key).then(|| key.to_string())
}

fn is_storefront(host: &str) -> bool {
    classify_host(host) == HostKind::Storefront
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|v| !v.is_empty()).map(String::from)
}

/// Attribution carried by a storefront landing URL: key from `sk`, else
/// `aff_fsk`, else the key part of `aff_trace_key` / `aff_fcid`.
pub fn landing_attribution(url: &Url) -> Option<Attribution> {
    if !is_storefront(&url.host) {
        return None;
    }
    let direct = |name: &str| url.param(name).map(str::trim).filter(|k| valid_key(k));
    let key = direct("sk")
        .or_else(|| direct("aff_fsk"))
        .map(String::from)
        .or_else(|| url.param("aff_trace_key").and_then(key_from_trace))
        .or_else(|| url.param("aff_fcid").and_then(key_from_trace))?;
    Some(Attribution {
        key,
        source: Source::LandingParam,
        trace: non_empty(url.param("aff_trace_key")).or_else(|| non_empty(url.param("aff_fcid"))),
        platform: non_empty(url.param("aff_platform")),
    })
}

/// True if any of [`LANDING_PARAMS`] other than the harmless `tt`, `cv`,
/// `cn` is present (exact, case-sensitive names).
pub fn has_referral_params(url: &Url) -> bool {
    url.query.iter().any(|(k, _)| LANDING_PARAMS.contains(&k) && !HARMLESS_PARAMS.contains(&k))
}

/// Trims whitespace and one pair of surrounding double quotes (a missing
/// closing quote, e.g. from truncation, is tolerated).
fn unquote(v: &str) -> &str {
    let t = v.trim();
    match t.strip_prefix('"') {
        Some(inner) => inner.strip_suffix('"').unwrap_or(inner).trim(),
        None => t,
    }
}

/// The attribution cookies AliExpress writes (the worker forwards every cookie change of
/// its hosts; the core keeps these).
pub const AEU_CID: &str = "aeu_cid";
pub const XMAN_US_F: &str = "xman_us_f";

/// The attribution in an attribution cookie, by the cookie's name; `None` for any other.
pub fn parse_cookie(name: &str, value: &str) -> Option<Attribution> {
    match name {
        AEU_CID => parse_aeu_cid(value),
        XMAN_US_F => parse_xman_us_f(value),
        _ => None,
    }
}

/// Parses an `aeu_cid` cookie value (optionally quoted, percent-encoded up to
/// twice, optionally prefixed with `aeu_cid=`).
pub fn parse_aeu_cid(value: &str) -> Option<Attribution> {
    let mut v = unquote(value).to_string();
    if let Some(rest) = v.strip_prefix("aeu_cid=") {
        v = unquote(rest).to_string();
    }
    for _ in 0..2 {
        if !v.contains('%') {
            break;
        }
        v = unquote(&percent_decode_keep_plus(&v)).to_string();
    }
    let key = key_from_trace(&v)?;
    Some(Attribution { key, source: Source::AeuCidCookie, trace: Some(v.trim().to_string()), platform: None })
}

fn find_field(s: &str, name: &str) -> Option<String> {
    s.split('&').find_map(|f| {
        let (n, v) = f.split_once('=')?;
        (n.trim() == name).then(|| v.to_string())
    })
}

/// Parses an `xman_us_f` cookie value. Key from `x_as_i.affiliateKey`, else
/// `x_as_i.af` (old format), else [`key_from_trace`] of `x_as_i.aeuCID`.
pub fn parse_xman_us_f(value: &str) -> Option<Attribution> {
    let mut cur = unquote(value).to_string();
    for _ in 0..3 {
        if let Some(raw) = find_field(&cur, "x_as_i") {
            return attribution_from_x_as_i(&raw);
        }
        if !cur.contains('%') {
            return None;
        }
        let next = unquote(&percent_decode_keep_plus(&cur)).to_string();
        if next == cur {
            return None;
        }
        cur = next;
    }
    None
}

fn attribution_from_x_as_i(raw: &str) -> Option<Attribution> {
    let mut v = unquote(raw).to_string();
    for _ in 0..3 {
        if v.starts_with('{') || !v.contains('%') {
            break;
        }
        v = unquote(&percent_decode_keep_plus(&v)).to_string();
    }
    let fields = parse_flat_json(&v);
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty());
    let trace = get("aeuCID").map(String::from);
    let key = get("affiliateKey")
        .filter(|k| valid_key(k))
        .or_else(|| get("af").filter(|k| valid_key(k)))
        .map(String::from)
        .or_else(|| trace.as_deref().and_then(key_from_trace))?;
    Some(Attribution { key, source: Source::XmanCookie, trace, platform: None })
}

/// The string, number and boolean members of a flat JSON object (numbers as written),
/// read by the one lenient reader up to the first syntax error or cut ([`lenient::object_prefix`]):
/// `null` values, nested objects and arrays are skipped.
fn parse_flat_json(s: &str) -> Vec<(String, String)> {
    lenient::object_prefix(s)
        .into_iter()
        .filter_map(|(k, v)| match v {
            Value::String(v) => Some((k, v)),
            Value::Bool(b) => Some((k, b.to_string())),
            _ => None,
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeepLinkError {
    TemplateNotHttps,
    TemplateMissingKey,
    TemplateMissingUrl,
    /// Template does not parse as a URL after substitution, or a placeholder
    /// sits in the scheme/host part.
    TemplateInvalid,
    BadKey,
    TargetNotAliExpress,
    TargetInvalid,
}

/// `https://`, contains `{key}` and `{url}` (both after the host), and parses
/// as an https URL after substitution with dummy values.
pub fn validate_template(template: &str) -> Result<(), DeepLinkError> {
    let t = template;
    let is_https = t.get(..8).is_some_and(|p| p.eq_ignore_ascii_case("https://"));
    if !is_https {
        return Err(DeepLinkError::TemplateNotHttps);
    }
    if !t.contains("{key}") {
        return Err(DeepLinkError::TemplateMissingKey);
    }
    if !t.contains("{url}") {
        return Err(DeepLinkError::TemplateMissingUrl);
    }
    let after_scheme = &t[8..];
    let auth_end = after_scheme.find(['/', '?', '#']).unwrap_or(after_scheme.len());
    if after_scheme[..auth_end].contains('{') {
        return Err(DeepLinkError::TemplateInvalid);
    }
    let dummy = substitute(t, "dummyKey_01", "https://www.aliexpress.com/item/1005001234567890.html?x=1");
    match parse(&dummy) {
        Ok(u) if u.scheme == "https" => Ok(()),
        _ => Err(DeepLinkError::TemplateInvalid),
    }
}

fn substitute(template: &str, key: &str, url: &str) -> String {
    template.replace("{key}", &encode_component(key)).replace("{url}", &encode_component(url))
}

/// Builds an affiliate deep link for an AliExpress storefront `target`.
/// Existing [`LANDING_PARAMS`] are removed (case-insensitively), the scheme
/// is upgraded to https, the fragment is dropped and a non-default port is
/// rejected (`TargetInvalid`).
pub fn build_deep_link(template: &str, key: &str, target: &str) -> Result<String, DeepLinkError> {
    validate_template(template)?;
    if !valid_key(key) {
        return Err(DeepLinkError::BadKey);
    }
    let mut u = parse(target).map_err(|_| DeepLinkError::TargetInvalid)?;
    if !is_storefront(&u.host) {
        return Err(DeepLinkError::TargetNotAliExpress);
    }
    if u.port.is_some() {
        return Err(DeepLinkError::TargetInvalid);
    }
    u.scheme = "https".into();
    u.fragment = None;
    let cleaned = u.to_string_without_params(LANDING_PARAMS);
    Ok(substitute(template, key, &cleaned))
}

/// The deep link carrying the shopper's account id as the query parameter `param`
/// (URL-encoded, before any fragment). Nothing else of the shopper's goes into the link.
pub fn with_account(link: &str, param: &str, id: &str) -> String {
    let (base, frag) = link.split_at(link.find('#').unwrap_or(link.len()));
    let sep = match base.find('?') {
        None => "?",
        Some(_) if base.ends_with('?') || base.ends_with('&') => "",
        Some(_) => "&",
    };
    format!("{base}{sep}{}={}{frag}", encode_component(param), encode_component(id))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum HostKind {
    Storefront,
    /// `s.click.aliexpress.com`
    DeepLink,
    /// `click.`/`star.aliexpress.com`, `alitems.*`, admitad, rzekl, aflink, ali.pub, ali.ski
    AffiliateRedirect,
    Other,
}

/// The host table, first match wins: a domain, whether it matches only itself (else also
/// its subdomains), and its kind. The storefront rows agree with [`super::product::storefront`] (tested).
const HOSTS: &[(&str, bool, HostKind)] = {
    use HostKind::*;
    &[
        ("s.click.aliexpress.com", true, DeepLink),
        ("click.aliexpress.com", true, AffiliateRedirect),
        ("star.aliexpress.com", true, AffiliateRedirect),
        ("aliexpress.com", false, Storefront),
        ("aliexpress.ru", false, Storefront),
        ("aliexpress.us", false, Storefront),
        ("alitems.com", false, AffiliateRedirect),
        ("alitems.site", false, AffiliateRedirect),
        ("alitems.co", false, AffiliateRedirect),
        ("admitad.com", false, AffiliateRedirect),
        ("rzekl.com", false, AffiliateRedirect),
        ("aflink.ru", false, AffiliateRedirect),
        ("ali.pub", false, AffiliateRedirect),
        ("ali.ski", false, AffiliateRedirect),
    ]
};

/// Classifies a host (case-insensitive; invalid host strings are `Other`).
/// Redirect domains match themselves and their subdomains (e.g.
/// `ad.admitad.com`); `click.`/`star.aliexpress.com` match exactly.
pub fn classify_host(host: &str) -> HostKind {
    // A parsed URL's host is already normal: classified in place, no copy.
    if is_normal_host(host) {
        return classify_normal(host);
    }
    normalize_host(host).map_or(HostKind::Other, |h| classify_normal(&h))
}

/// `h` is normal (lowercase, no trailing dot): plain byte comparisons, no case folding.
fn classify_normal(h: &str) -> HostKind {
    let within = |d: &str| h.strip_suffix(d).is_some_and(|rest| rest.is_empty() || rest.ends_with('.'));
    HOSTS.iter().find(|&&(d, exact, _)| if exact { h == d } else { within(d) }).map_or(HostKind::Other, |&(_, _, kind)| kind)
}

/// Affiliate key carried by a redirect URL: `aff_short_key` on
/// `s.click.aliexpress.com/deep_link.htm`. `None` for `/e/<code>` short
/// links, Admitad and everything else (key unknown).
pub fn redirect_key(url: &Url) -> Option<String> {
    if classify_host(&url.host) != HostKind::DeepLink || !url.path.eq_ignore_ascii_case("/deep_link.htm") {
        return None;
    }
    let k = url.param("aff_short_key")?.trim();
    valid_key(k).then(|| k.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::url::{parse, percent_decode};
    use super::*;

    const TPL: &str = "https://s.click.aliexpress.com/deep_link.htm?aff_short_key={key}&dl_target_url={url}";

    #[test]
    fn the_deep_link_carries_the_account_id_encoded_and_nothing_else() {
        let link = build_deep_link(TPL, "cgDemo0001", "https://www.aliexpress.com/item/1005001234567890.html?spm=a&x=1").unwrap();
        let with = with_account(&link, "af", "shop per&7=x#y");
        let u = parse(&with).unwrap();
        assert_eq!(u.param("af"), Some("shop per&7=x#y"));
        assert_eq!(u.param("aff_short_key"), Some("cgDemo0001"));
        assert!(with.ends_with("&af=shop%20per%267%3Dx%23y"), "{with}");
        assert_eq!(u.query.len(), 3, "key, target and the account id only");
        assert_eq!(with_account("https://x.example/p", "af", "a"), "https://x.example/p?af=a");
        assert_eq!(with_account("https://x.example/p?k=1#f", "cv", "a"), "https://x.example/p?k=1&cv=a#f");
    }
    const CID: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9-1700000000000-01234-cgDemo0001";

    fn u(s: &str) -> Url {
        parse(s).unwrap()
    }

    #[test]
    fn key_from_trace_cases() {
        assert_eq!(key_from_trace(CID).as_deref(), Some("cgDemo0001"));
        assert_eq!(key_from_trace(" 0a1b-1700000000000-01234-_mKJzlK9 ").as_deref(), Some("_mKJzlK9"));
        // tolerated: missing numeric part
        assert_eq!(key_from_trace("0a1b-1700000000000-cgDemo0001").as_deref(), Some("cgDemo0001"));
        assert_eq!(key_from_trace("0a1b-1700000000000-01234"), None);
        assert_eq!(key_from_trace("0a1b-1700000000000-01234-"), None);
        assert_eq!(key_from_trace("0a1b-1700000000000-01234-key-with-dash"), None);
        assert_eq!(key_from_trace("zz-1700000000000-01234-key"), None);
        assert_eq!(key_from_trace("0a1b-17000x-01234-key"), None);
        assert_eq!(key_from_trace("0a1b-1700-ab-key"), None);
        assert_eq!(key_from_trace("cgDemo0001"), None);
        assert_eq!(key_from_trace(""), None);
        assert_eq!(key_from_trace("0a1b-1700000000000-01234-ключ"), None);
    }

    #[test]
    fn the_host_table_classifies_storefronts_exactly_as_storefront_does() {
        // The table's storefront rows are a second copy of product::storefront's rule: every
        // host of either list, its subdomains and near misses must agree.
        let mut hosts = vec!["", "com", "ru", "evil.org", "aliexpress.co", "aliexpress.com.evil.org", "evilaliexpress.com", "xaliexpress.ru"];
        hosts.extend(HOSTS.iter().map(|&(d, _, _)| d));
        for h in hosts.clone() {
            for sub in [String::new(), format!("www.{h}"), format!("x.s.{h}"), format!("a{h}"), format!("{h}.evil.org")] {
                let h = if sub.is_empty() { h.to_string() } else { sub };
                let kind = classify_host(&h);
                assert_eq!(kind == HostKind::Storefront, super::super::product::storefront(&h).is_some(), "{h}: {kind:?}");
            }
        }
        assert_eq!(classify_host("x.s.click.aliexpress.com"), HostKind::Storefront);
        assert_eq!(classify_host("x.click.aliexpress.com"), HostKind::Storefront);
        assert_eq!(classify_host("ad.admitad.com"), HostKind::AffiliateRedirect);
        assert_eq!(classify_host("xadmitad.com"), HostKind::Other);
        assert_eq!(classify_host("ali.pub.evil.org"), HostKind::Other);
    }

    #[test]
    fn percent_encoded_param_names_attribute_like_plain_ones() {
        // Names without '%' are compared as the slices they are; encoded ones are decoded first.
        let plain = u("https://www.aliexpress.com/item/1.html?sk=cgDemo0001&aff_trace_key=0a1b-1700000000000-01234-cgDemo0001&aff_platform=portals-tool");
        let encoded = u("https://www.aliexpress.com/item/1.html?%73k=cgDemo%30001&aff%5Ftrace%5fkey=0a1b-1700000000000-01234-cgDemo0001&aff_platform=portals%2Dtool");
        assert_eq!(landing_attribution(&encoded), landing_attribution(&plain));
        assert_eq!(landing_attribution(&plain).map(|a| a.key).as_deref(), Some("cgDemo0001"));
        assert!(has_referral_params(&encoded));
        let deep = |q: &str| redirect_key(&u(&format!("https://s.click.aliexpress.com/deep_link.htm?{q}")));
        assert_eq!(deep("aff%5Fshort%5Fkey=rival1"), deep("aff_short_key=rival1"));
        assert_eq!(deep("aff_short_key=rival1").as_deref(), Some("rival1"));
        // '+' is a space in names and values, so `sk+` is not `sk`.
        assert_eq!(landing_attribution(&u("https://www.aliexpress.com/?sk+=cgDemo0001")), None);
    }

    #[test]
    fn hosts_not_yet_normal_classify_like_their_normal_form() {
        for (raw, normal) in [("WWW.AliExpress.COM.", "www.aliexpress.com"), ("S.Click.AliExpress.com", "s.click.aliexpress.com"),
            ("Ad.Admitad.COM.", "ad.admitad.com"), ("aliexpress.RU", "aliexpress.ru"), ("Example.org", "example.org")] {
            assert_eq!(classify_host(raw), classify_host(normal), "{raw}");
        }
        assert_eq!(classify_host("WWW.AliExpress.COM."), HostKind::Storefront);
        assert_eq!(classify_host("Ad.Admitad.COM."), HostKind::AffiliateRedirect);
        assert_eq!(classify_host("a..aliexpress.com"), HostKind::Other);
        assert_eq!(classify_host(""), HostKind::Other);
    }

    #[test]
    fn valid_key_cases() {
        assert!(valid_key("cgDemo0001"));
        assert!(valid_key("_a"));
        assert!(valid_key(&"a".repeat(64)));
        assert!(!valid_key(&"a".repeat(65)));
        assert!(!valid_key(""));
        assert!(!valid_key("a-b"));
        assert!(!valid_key("a b"));
        assert!(!valid_key("ключ"));
    }

    #[test]
    fn aeu_cid_cookie() {
        let a = parse_aeu_cid(CID).unwrap();
        assert_eq!(a.key, "cgDemo0001");
        assert_eq!(a.source, Source::AeuCidCookie);
        assert_eq!(a.trace.as_deref(), Some(CID));
        assert_eq!(parse_aeu_cid(&format!("\"{CID}\"")).unwrap().key, "cgDemo0001");
        assert_eq!(parse_aeu_cid(&format!("aeu_cid={CID}")).unwrap().key, "cgDemo0001");
        let enc = CID.replace('-', "%2D");
        assert_eq!(parse_aeu_cid(&enc).unwrap().trace.as_deref(), Some(CID));
        assert_eq!(parse_aeu_cid(&enc.replace('%', "%25")).unwrap().key, "cgDemo0001");
        assert_eq!(parse_aeu_cid("0a1b2c3d4e5f60718293a4b5c6d7e8f9-17000000"), None);
        assert_eq!(parse_aeu_cid("garbage"), None);
        assert_eq!(parse_aeu_cid(""), None);
        assert_eq!(parse_aeu_cid("%C3%28-1-1-x"), None);
    }

    fn xman_new() -> String {
        let json = format!(
            "{{\"aeuCID\":\"{CID}\",\"affiliateKey\":\"cgDemo0001\",\"channel\":\"AFFILIATE\",\"cv\":\"1\",\"isCookieCache\":\"N\",\"ms\":\"1\",\"pid\":\"123\",\"tagtime\":1700000000000}}"
        );
        format!("x_user=abc&x_lid=de&x_as_i={}&acs_rt=zz", encode_component(&json))
    }

    #[test]
    fn xman_new_format() {
        let a = parse_xman_us_f(&xman_new()).unwrap();
        assert_eq!(a.key, "cgDemo0001");
        assert_eq!(a.source, Source::XmanCookie);
        assert_eq!(a.trace.as_deref(), Some(CID));
        // affiliateKey wins over the key in aeuCID
        let json = format!("{{\"aeuCID\":\"{CID}\",\"affiliateKey\":\"otherKey\"}}");
        let v = format!("x_as_i={}", encode_component(&json));
        assert_eq!(parse_xman_us_f(&v).unwrap().key, "otherKey");
    }

    #[test]
    fn xman_old_format() {
        let json = format!("{{\"af\":\"oldKey_7\",\"aeuCID\":\"{CID}\",\"cn\":\"x\",\"cv\":\"1\",\"tp1\":\"y\",\"src\":\"aliexpress\",\"vd\":\"30\",\"tagtime\":1500000000000}}");
        let v = format!("x_as_i={}", encode_component(&json));
        let a = parse_xman_us_f(&v).unwrap();
        assert_eq!(a.key, "oldKey_7");
        // af not a valid key → falls back to aeuCID
        let json = format!("{{\"af\":\"\",\"aeuCID\":\"{CID}\",\"vd\":\"30\"}}");
        let v = format!("x_as_i={}", encode_component(&json));
        assert_eq!(parse_xman_us_f(&v).unwrap().key, "cgDemo0001");
        // only aeuCID (af absent)
        let json = format!("{{\"src\":\"x\",\"aeuCID\":\"{CID}\"}}");
        assert_eq!(parse_xman_us_f(&format!("x_as_i={}", encode_component(&json))).unwrap().key, "cgDemo0001");
    }

    #[test]
    fn xman_double_encoded_and_quoted() {
        let once = encode_component(&xman_new());
        assert_eq!(parse_xman_us_f(&once).unwrap().key, "cgDemo0001");
        let twice = encode_component(&once);
        assert_eq!(parse_xman_us_f(&twice).unwrap().key, "cgDemo0001");
        assert_eq!(parse_xman_us_f(&format!("\"{}\"", xman_new())).unwrap().key, "cgDemo0001");
        // raw (unencoded) JSON
        let raw = "x_as_i={\"affiliateKey\":\"rawKey\"}";
        assert_eq!(parse_xman_us_f(raw).unwrap().key, "rawKey");
    }

    #[test]
    fn xman_truncated() {
        let full = xman_new();
        // Cut inside affiliateKey value: aeuCID complete → key from aeuCID.
        let json = format!("{{\"aeuCID\":\"{CID}\",\"affiliateKey\":\"cgDem");
        let v = format!("x_as_i={}", encode_component(&json));
        let a = parse_xman_us_f(&v).unwrap();
        assert_eq!(a.key, "cgDemo0001");
        // Cut inside aeuCID: nothing trustworthy.
        let json = "{\"aeuCID\":\"0a1b2c3d4e5f60718293a4b5c6d7e8f9-1700000000000-01234-cgDe";
        assert_eq!(parse_xman_us_f(&format!("x_as_i={}", encode_component(json))), None);
        // Every prefix of the real cookie: never panics, and never yields a wrong key.
        for (i, _) in full.char_indices() {
            if let Some(a) = parse_xman_us_f(&full[..i]) {
                assert_eq!(a.key, "cgDemo0001");
            }
        }
        // Cut in the middle of a %XX escape.
        assert_eq!(parse_xman_us_f("x_as_i=%7B%22affiliateKey%22%3A%22abc%2"), None);
    }

    #[test]
    fn xman_nested_and_escapes() {
        let json = r#"{"x":{"a":[1,{"b":"}"}],"c":"]"},"arr":[1,2,"x\"y"],"n":null,"t":true,"affiliateKey":"nestKey","u":"\u00e9\ud83d\ude00\ud800"}"#;
        let v = format!("x_as_i={}", encode_component(json));
        assert_eq!(parse_xman_us_f(&v).unwrap().key, "nestKey");
        let fields = parse_flat_json(json);
        assert!(fields.contains(&("u".into(), "é😀\u{FFFD}".into())));
        assert!(fields.contains(&("t".into(), "true".into())));
        assert!(!fields.iter().any(|(k, _)| k == "n" || k == "x" || k == "arr"));
    }

    #[test]
    fn xman_garbage() {
        for g in [
            "",
            "garbage",
            "x_as_i=",
            "x_as_i=%%%",
            "x_as_i=%7B",
            "x_as_i={}",
            "x_as_i=[1,2]",
            "x_as_i={\"affiliateKey\":\"bad key\"}",
            "x_as_i={\"affiliateKey\":12",
            "x_user=a&x_lid=b",
            "%C3%28%C3%28",
            "\"",
            "x_as_i=%7B%22aeuCID%22%3A%22%C3%28%22%7D",
        ] {
            assert_eq!(parse_xman_us_f(g), None, "{g:?}");
        }
        // Numeric affiliateKey is accepted as a key (valid chars).
        assert_eq!(parse_xman_us_f("x_as_i={\"affiliateKey\":12}").unwrap().key, "12");
    }

    #[test]
    fn landing_params() {
        let a =
            landing_attribution(&u("https://www.aliexpress.com/item/1.html?sk=skKey&aff_fsk=fskKey&aff_platform=portals-tool")).unwrap();
        assert_eq!((a.key.as_str(), a.platform.as_deref()), ("skKey", Some("portals-tool")));
        assert_eq!(a.source, Source::LandingParam);
        let a = landing_attribution(&u("https://es.aliexpress.com/?aff_fsk=fskKey")).unwrap();
        assert_eq!(a.key, "fskKey");
        let a = landing_attribution(&u(&format!("https://aliexpress.ru/item/1.html?aff_trace_key={CID}&terminal_id=ab"))).unwrap();
        assert_eq!((a.key.as_str(), a.trace.as_deref()), ("cgDemo0001", Some(CID)));
        let a = landing_attribution(&u(&format!("https://aliexpress.us/?aff_fcid={CID}"))).unwrap();
        assert_eq!(a.key, "cgDemo0001");
        // invalid sk falls back
        let a = landing_attribution(&u("https://m.aliexpress.com/?sk=bad%20key&aff_fsk=good")).unwrap();
        assert_eq!(a.key, "good");
        assert_eq!(landing_attribution(&u("https://www.aliexpress.com/item/1.html?spm=x&tt=CPS")), None);
        assert_eq!(landing_attribution(&u("https://evil.org/?sk=skKey")), None);
        assert_eq!(landing_attribution(&u("https://aliexpress.com.evil.org/?sk=skKey")), None);
        assert_eq!(landing_attribution(&u("https://s.click.aliexpress.com/deep_link.htm?sk=skKey")), None);
    }

    #[test]
    fn referral_param_detection() {
        assert!(has_referral_params(&u("https://a.com/?sk=1")));
        assert!(has_referral_params(&u("https://a.com/?x=1&afSmartRedirect=y")));
        assert!(has_referral_params(&u("https://a.com/?dp=1")));
        assert!(!has_referral_params(&u("https://a.com/?tt=CPS&cv=1&cn=x")));
        assert!(!has_referral_params(&u("https://a.com/?spm=1&SK=1")));
        assert!(!has_referral_params(&u("https://a.com/")));
    }

    #[test]
    fn template_validation() {
        assert_eq!(validate_template(TPL), Ok(()));
        assert_eq!(validate_template("HTTPS://x.com/?k={key}&u={url}"), Ok(()));
        assert_eq!(validate_template(&TPL.replacen("https", "http", 1)), Err(DeepLinkError::TemplateNotHttps));
        assert_eq!(validate_template(""), Err(DeepLinkError::TemplateNotHttps));
        assert_eq!(validate_template("javascript:{key}{url}"), Err(DeepLinkError::TemplateNotHttps));
        assert_eq!(validate_template("ключ://{key}{url}"), Err(DeepLinkError::TemplateNotHttps));
        assert_eq!(validate_template("https://x.com/?u={url}"), Err(DeepLinkError::TemplateMissingKey));
        assert_eq!(validate_template("https://x.com/?k={key}"), Err(DeepLinkError::TemplateMissingUrl));
        assert_eq!(validate_template("https://{url}/?k={key}"), Err(DeepLinkError::TemplateInvalid));
        assert_eq!(validate_template("https://{key}.evil.org/?u={url}"), Err(DeepLinkError::TemplateInvalid));
        assert_eq!(validate_template("https://a b/?k={key}&u={url}"), Err(DeepLinkError::TemplateInvalid));
        assert_eq!(validate_template("https://x.com/\n?k={key}&u={url}"), Err(DeepLinkError::TemplateInvalid));
    }

    #[test]
    fn deep_link_round_trip() {
        let target = "http://www.aliexpress.com/item/1005001234567890.html?spm=a2g0o&sk=rival&aff_fcid=zz&aff_trace_key=t&afSmartRedirect=y&q=a%26b#reviews";
        let link = build_deep_link(TPL, "cgDemo0001", target).unwrap();
        let parsed = parse(&link).unwrap();
        assert_eq!(parsed.host, "s.click.aliexpress.com");
        assert_eq!(parsed.param("aff_short_key"), Some("cgDemo0001"));
        assert_eq!(redirect_key(&parsed).as_deref(), Some("cgDemo0001"));
        let dl = parsed.param("dl_target_url").unwrap();
        assert_eq!(dl, "https://www.aliexpress.com/item/1005001234567890.html?spm=a2g0o&q=a%26b");
        let t = parse(dl).unwrap();
        assert_eq!(t.param("q"), Some("a&b"));
        assert_eq!(t.param("sk"), None);
        assert!(!has_referral_params(&t));
        assert_eq!(t.fragment, None);
        // the raw link contains the target fully encoded
        assert!(link.ends_with(&encode_component(dl)));
        assert_eq!(percent_decode(&encode_component(dl)), dl);
    }

    #[test]
    fn deep_link_errors() {
        let ok = "https://www.aliexpress.com/item/1005001234567890.html";
        assert_eq!(build_deep_link(TPL, "bad key", ok), Err(DeepLinkError::BadKey));
        assert_eq!(build_deep_link(TPL, "", ok), Err(DeepLinkError::BadKey));
        assert_eq!(build_deep_link("http://x/{key}{url}", "k", ok), Err(DeepLinkError::TemplateNotHttps));
        let long = format!("{ok}?x={}", "a".repeat(20_000));
        let hostile = [
            ("javascript:alert(1)", DeepLinkError::TargetInvalid),
            ("data:text/html,<script>", DeepLinkError::TargetInvalid),
            ("https://aliexpress.com@evil.org/", DeepLinkError::TargetInvalid),
            ("https://evil.org/?x=aliexpress.com", DeepLinkError::TargetNotAliExpress),
            ("https://aliexpress.com.evil.org/item/1.html", DeepLinkError::TargetNotAliExpress),
            ("https://evilaliexpress.com/", DeepLinkError::TargetNotAliExpress),
            ("https://aliexpress.co/", DeepLinkError::TargetNotAliExpress),
            ("https://www.aliexpress.com/item/1.html\r\nLocation: https://evil.org", DeepLinkError::TargetInvalid),
            ("https://www.aliexpress.com\\@evil.org/", DeepLinkError::TargetInvalid),
            ("//www.aliexpress.com/item/1.html", DeepLinkError::TargetInvalid),
            ("https://www.aliexpress.com:8080/", DeepLinkError::TargetInvalid),
            ("https://s.click.aliexpress.com/e/_abc", DeepLinkError::TargetNotAliExpress),
            ("https://alitems.com/g/x/?ulp=https%3A%2F%2Fwww.aliexpress.com", DeepLinkError::TargetNotAliExpress),
            (long.as_str(), DeepLinkError::TargetInvalid),
            ("", DeepLinkError::TargetInvalid),
        ];
        for (t, want) in hostile {
            assert_eq!(build_deep_link(TPL, "cgDemo0001", t), Err(want), "{t:?}");
        }
    }

    #[test]
    fn classify_table() {
        use HostKind::*;
        let cases = [
            ("s.click.aliexpress.com", DeepLink),
            ("S.Click.AliExpress.com.", DeepLink),
            ("click.aliexpress.com", AffiliateRedirect),
            ("star.aliexpress.com", AffiliateRedirect),
            ("alitems.com", AffiliateRedirect),
            ("alitems.site", AffiliateRedirect),
            ("alitems.co", AffiliateRedirect),
            ("ad.admitad.com", AffiliateRedirect),
            ("rzekl.com", AffiliateRedirect),
            ("aflink.ru", AffiliateRedirect),
            ("ali.pub", AffiliateRedirect),
            ("ali.ski", AffiliateRedirect),
            ("www.aliexpress.com", Storefront),
            ("aliexpress.ru", Storefront),
            ("m.aliexpress.us", Storefront),
            ("aliexpress.com.evil.org", Other),
            ("evilaliexpress.com", Other),
            ("aliexpress.co", Other),
            ("alitems.com.evil.org", Other),
            ("notali.pub", Other),
            ("s.click.aliexpress.com.evil.org", Other),
            ("", Other),
            ("aliexpress.com/", Other),
        ];
        for (h, want) in cases {
            assert_eq!(classify_host(h), want, "{h}");
        }
    }

    #[test]
    fn redirect_keys() {
        assert_eq!(
            redirect_key(&u("https://s.click.aliexpress.com/deep_link.htm?aff_short_key=abc_1&dl_target_url=x")).as_deref(),
            Some("abc_1")
        );
        assert_eq!(redirect_key(&u("https://s.click.aliexpress.com/e/_DmXyZ12")), None);
        assert_eq!(redirect_key(&u("https://s.click.aliexpress.com/deep_link.htm?aff_short_key=bad-key")), None);
        assert_eq!(redirect_key(&u("https://s.click.aliexpress.com/deep_link.htm")), None);
        assert_eq!(redirect_key(&u("https://ad.admitad.com/g/abc/?ulp=x&aff_short_key=k")), None);
        assert_eq!(redirect_key(&u("https://evil.org/deep_link.htm?aff_short_key=k")), None);
    }

    #[test]
    fn serde_shapes() {
        // Compile-time check that the derives exist (no serde_json available).
        fn assert_serde<T: serde::Serialize + for<'de> serde::Deserialize<'de>>() {}
        assert_serde::<Attribution>();
        assert_serde::<HostKind>();
        assert_serde::<super::super::product::PageKind>();
    }

    use crate::domain::test_rng::XorShift;

    #[test]
    fn never_panics_fuzz() {
        const ALPHA: &[&str] = &[
            ":",
            "/",
            "?",
            "#",
            "&",
            "=",
            "%",
            "@",
            "\\",
            ".",
            "+",
            "a",
            "Z",
            "k",
            "0",
            "7",
            "f",
            "-",
            "_",
            "{",
            "}",
            "\"",
            "[",
            "]",
            ",",
            " ",
            "\n",
            "é",
            "€",
            "😀",
            "ж",
            "%C3",
            "%28",
            "%2",
            "%25",
            "https://",
            "//",
            "aliexpress.com",
            "x_as_i=",
            "aeuCID",
            "\\u",
            "\\ud83d",
            "deep_link.htm",
            "1700000000000",
            "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
            "\u{0}",
        ];
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let base = parse("https://www.aliexpress.com/p/shoppingcart/index.html").unwrap();
        let mut oks = 0usize;
        let mut links = 0usize;
        for i in 0..20_000 {
            let len = (rng.next() % 40) as usize;
            let mut s = String::new();
            if i % 3 == 0 {
                s.push_str("https://www.aliexpress.com/item/1005001234567890.html?");
            }
            for _ in 0..len {
                s.push_str(ALPHA[(rng.next() % ALPHA.len() as u64) as usize]);
            }
            if let Ok(u) = parse(&s) {
                oks += 1;
                let _ = u.serialize();
                let _ = landing_attribution(&u);
                let _ = redirect_key(&u);
                let _ = super::super::product::page_kind(&u);
                let _ = super::super::product::product_id(&u);
            }
            let _ = super::super::url::parse_with_base(&s, &base);
            let _ = super::super::product::category_from_href(&s);
            let _ = parse_aeu_cid(&s);
            let _ = parse_xman_us_f(&s);
            let _ = parse_xman_us_f(&format!("x_as_i={s}"));
            let _ = parse_flat_json(&s);
            let _ = key_from_trace(&s);
            let _ = classify_host(&s);
            let _ = percent_decode(&s);
            let _ = validate_template(&s);
            if let Ok(link) = build_deep_link(TPL, "cgDemo0001", &s) {
                links += 1;
                // Whatever the input, the link only ever goes to the template host.
                let l = parse(&link).unwrap();
                assert_eq!(l.host, "s.click.aliexpress.com");
                let t = parse(l.param("dl_target_url").unwrap()).unwrap();
                assert_eq!(classify_host(&t.host), HostKind::Storefront);
            }
        }
        assert!(oks > 1000, "generator should produce many valid URLs, got {oks}");
        assert!(links > 100, "generator should produce deep links, got {links}");
        eprintln!("fuzz: {oks} urls, {links} links");
        // 100 kB inputs
        let big = "%".repeat(100_000) + &"é".repeat(10_000);
        assert!(parse(&big).is_err());
        assert_eq!(parse_aeu_cid(&big), None);
        assert_eq!(parse_xman_us_f(&format!("x_as_i={big}")), None);
        assert!(build_deep_link(TPL, "k", &big).is_err());
    }
}
