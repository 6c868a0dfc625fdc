//! Small, total (never panicking) parser for absolute `http`/`https` URLs.
//!
//! Deliberately strict where it matters for security (host, userinfo,
//! backslashes, control characters) and lenient elsewhere. All slicing is
//! done at positions of ASCII characters found by `find`, so it can never
//! split a multi-byte UTF-8 sequence.

/// Maximum accepted input length in bytes (after trimming).
pub const MAX_URL_LEN: usize = 8192;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    /// `http` or `https` (lowercase).
    pub scheme: &'static str,
    /// Lowercased, no trailing dot, only `[a-z0-9.-]`.
    pub host: String,
    /// Explicit non-default port (default ports 80/443 are normalised to `None`).
    pub port: Option<u16>,
    /// Raw path, starts with '/'. Dot segments are resolved, `\` becomes `/`,
    /// and space, `"`, `<`, `>`, `` ` ``, `{`, `}`, `^` and non-ASCII characters are
    /// percent-encoded (WHATWG's path set); existing escapes are kept as-is.
    pub path: String,
    /// Decoded `(name, value)` pairs in order (form decoding: `+` is a space).
    pub query: Query,
    /// Raw fragment without the leading '#'.
    pub fragment: Option<String>,
}

/// Decoded query pairs, all in one buffer: two allocations for any number of pairs, and a
/// name or value without `%` or `+` is copied as the slice it is, never decoded.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Query {
    buf: String,
    /// Per pair: where its name starts, where it ends (its value starts) and where its value ends in `buf`.
    ends: Vec<(usize, usize, usize)>,
}

impl Query {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The `(name, value)` pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.ends.iter().map(|&(s, k, v)| (&self.buf[s..k], &self.buf[k..v]))
    }
}

impl std::fmt::Debug for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
impl PartialEq<Vec<(String, String)>> for Query {
    fn eq(&self, other: &Vec<(String, String)>) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|((k, v), (ok, ov))| k == ok && v == ov)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    Empty,
    TooLong,
    NoScheme,
    BadScheme,
    NoHost,
    BadHost,
    BadPort,
    /// Input contains control characters (CR, LF, TAB, NUL, DEL, C1 ...).
    BadChar,
}

fn trim_ascii_ws(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_ascii_whitespace())
}

/// Splits `scheme:rest` if `s` starts with a syntactically valid scheme.
fn split_scheme(s: &str) -> Option<(&str, &str)> {
    let colon = s.find(':')?;
    let scheme = &s[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    if !first.is_ascii_alphabetic() {
        return None;
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) {
        return None;
    }
    Some((scheme, &s[colon + 1..]))
}

fn precheck(input: &str) -> Result<&str, UrlError> {
    let s = trim_ascii_ws(input);
    if s.is_empty() {
        return Err(UrlError::Empty);
    }
    if s.len() > MAX_URL_LEN {
        return Err(UrlError::TooLong);
    }
    // `char::is_control` over bytes: C0, DEL, and C1 (U+0080..U+009F is 0xC2 0x80..0x9F).
    let b = s.as_bytes();
    if b.iter().enumerate().any(|(i, &c)| c < 0x20 || c == 0x7f || (c == 0xc2 && b.get(i + 1).is_some_and(|&n| n < 0xa0))) {
        return Err(UrlError::BadChar);
    }
    Ok(s)
}

/// Validates and normalises a bare host name: ASCII-lowercase, strips one
/// trailing dot, only `[a-z0-9.-]`, no empty labels, labels <= 63, total <= 253.
pub fn normalize_host(host: &str) -> Option<String> {
    // Checked as written (any case), then lowercased in the one copy.
    let h = host.strip_suffix('.').unwrap_or(host);
    host_shape(h, true).then(|| h.to_ascii_lowercase())
}

/// True if `h` is already what [`normalize_host`] returns (checked without allocating).
pub fn is_normal_host(h: &str) -> bool {
    host_shape(h, false)
}

/// `[a-z0-9.-]` (and `A-Z` if `any_case`), 1..=253 bytes, labels 1..=63: one pass.
fn host_shape(h: &str, any_case: bool) -> bool {
    let mut label = 0;
    for b in h.bytes() {
        if b == b'.' {
            if label == 0 {
                return false;
            }
            label = 0;
        } else if b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || (any_case && b.is_ascii_uppercase()) {
            label += 1;
            if label > 63 {
                return false;
            }
        } else {
            return false;
        }
    }
    label > 0 && h.len() <= 253
}

fn parse_authority(authority: &str, scheme: &'static str) -> Result<(String, Option<u16>), UrlError> {
    if authority.contains('\\') || authority.contains('@') || authority.starts_with('[') {
        return Err(UrlError::BadHost);
    }
    let (host_raw, port_raw) = match authority.rfind(':') {
        Some(i) => (&authority[..i], Some(&authority[i + 1..])),
        None => (authority, None),
    };
    let port = match port_raw {
        None | Some("") => None,
        Some(p) => {
            if p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(UrlError::BadPort);
            }
            let n: u16 = p.parse().map_err(|_| UrlError::BadPort)?;
            let default = if scheme == "https" { 443 } else { 80 };
            if n == default {
                None
            } else {
                Some(n)
            }
        }
    };
    if host_raw.is_empty() || host_raw == "." {
        return Err(UrlError::NoHost);
    }
    let host = normalize_host(host_raw).ok_or(UrlError::BadHost)?;
    Ok((host, port))
}

/// A segment that could be `.` or `..` in any spelling (at most `%2e%2e`, 6 bytes).
fn maybe_dots(seg: &str) -> bool {
    seg.len() <= 6 && (is_dot(seg) || is_dot_dot(seg))
}

fn is_dot(seg: &str) -> bool {
    seg == "." || seg.eq_ignore_ascii_case("%2e")
}

fn is_dot_dot(seg: &str) -> bool {
    seg == ".." || seg.eq_ignore_ascii_case(".%2e") || seg.eq_ignore_ascii_case("%2e.") || seg.eq_ignore_ascii_case("%2e%2e")
}

fn push_pct(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(HEX[(b >> 4) as usize] as char);
    out.push(HEX[(b & 0x0f) as usize] as char);
}

/// Percent-encodes characters browsers encode in paths/fragments (byte by byte: a
/// non-ASCII character is its UTF-8 bytes, each escaped).
fn encode_loose(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b >= 0x80 || matches!(b, b' ' | b'"' | b'<' | b'>' | b'`' | b'{' | b'}' | b'^') {
            push_pct(&mut out, b);
        } else {
            out.push(b as char);
        }
    }
    out
}

fn normalize_path(raw: &str) -> String {
    // Most paths have nothing to resolve: one pass to check, one copy.
    if raw.starts_with('/') && !raw.contains('\\') && !raw.split('/').any(maybe_dots) {
        return encode_loose(raw);
    }
    let p = raw.replace('\\', "/");
    let p = p.strip_prefix('/').unwrap_or(&p);
    let segs: Vec<&str> = p.split('/').collect();
    let n = segs.len();
    let mut out: Vec<&str> = Vec::with_capacity(n);
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == n;
        if is_dot(seg) {
            if last {
                out.push("");
            }
        } else if is_dot_dot(seg) {
            out.pop();
            if last {
                out.push("");
            }
        } else {
            out.push(seg);
        }
    }
    let mut path = String::with_capacity(raw.len() + 1);
    path.push('/');
    path.push_str(&out.join("/"));
    encode_loose(&path)
}

fn parse_query(q: &str) -> Query {
    if q.is_empty() {
        return Query::default();
    }
    let mut buf = String::with_capacity(q.len());
    let mut ends = Vec::new();
    for p in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        let start = buf.len();
        decode_into(&mut buf, k, true);
        let k_end = buf.len();
        decode_into(&mut buf, v, true);
        ends.push((start, k_end, buf.len()));
    }
    Query { buf, ends }
}

/// Parses an absolute `http`/`https` URL.
pub fn parse(input: &str) -> Result<Url, UrlError> {
    let s = precheck(input)?;
    let (scheme, rest) = split_scheme(s).ok_or(UrlError::NoScheme)?;
    let scheme = if scheme.eq_ignore_ascii_case("https") {
        "https"
    } else if scheme.eq_ignore_ascii_case("http") {
        "http"
    } else {
        return Err(UrlError::BadScheme);
    };
    let rest = match rest.strip_prefix("//") {
        Some(r) => r,
        None if rest.starts_with('\\') || rest.starts_with("/\\") => return Err(UrlError::BadHost),
        None => return Err(UrlError::NoHost),
    };
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(auth_end);
    let (host, port) = parse_authority(authority, scheme)?;

    let (before_frag, fragment) = match tail.split_once('#') {
        Some((b, f)) => (b, Some(encode_loose(f))),
        None => (tail, None),
    };
    let (path_raw, query_raw) = match before_frag.split_once('?') {
        Some((p, q)) => (p, q),
        None => (before_frag, ""),
    };
    Ok(Url { scheme, host, port, path: normalize_path(path_raw), query: parse_query(query_raw), fragment })
}

/// Resolves a link `href` against `base`: absolute http(s) URLs,
/// protocol-relative `//host/path`, absolute paths `/p?q`, `?q`, `#f` and
/// relative paths. Like browsers, a leading `\` is treated as `/`.
pub fn parse_with_base(input: &str, base: &Url) -> Result<Url, UrlError> {
    let s = precheck(input)?;
    let b = s.as_bytes();
    let slashlike = |c: u8| c == b'/' || c == b'\\';
    if b.len() >= 2 && slashlike(b[0]) && slashlike(b[1]) {
        return parse(&format!("{}://{}", base.scheme, &s[2..]));
    }
    if split_scheme(s).is_some() {
        return parse(s);
    }
    let mut origin = format!("{}://{}", base.scheme, base.host);
    if let Some(p) = base.port {
        origin.push(':');
        origin.push_str(&u32::from(p).to_string());
    }
    let joined = match b[0] {
        b'/' | b'\\' => format!("{origin}/{}", &s[1..]),
        b'?' => format!("{origin}{}{s}", base.path),
        b'#' => {
            let mut u = base.clone();
            u.fragment = None;
            format!("{}{s}", u.serialize())
        }
        _ => {
            let dir = match base.path.rfind('/') {
                Some(i) => &base.path[..=i],
                None => "/",
            };
            format!("{origin}{dir}{s}")
        }
    };
    parse(&joined)
}

impl Url {
    /// Value of the first query parameter named exactly `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|&(k, _)| k == name).map(|(_, v)| v)
    }

    /// Serialises the URL, omitting query parameters whose name matches any
    /// entry of `drop` (ASCII case-insensitive). Fragment is kept.
    pub fn to_string_without_params(&self, drop: &[&str]) -> String {
        let mut out = format!("{}://{}", self.scheme, self.host);
        if let Some(p) = self.port {
            out.push(':');
            out.push_str(&u32::from(p).to_string());
        }
        if self.path.starts_with('/') {
            out.push_str(&self.path);
        } else {
            out.push('/');
            out.push_str(&self.path);
        }
        let mut first = true;
        for (k, v) in self.query.iter().filter(|&(k, _)| !drop.iter().any(|d| d.eq_ignore_ascii_case(k))) {
            out.push(if first { '?' } else { '&' });
            first = false;
            out.push_str(&encode_component(k));
            out.push('=');
            out.push_str(&encode_component(v));
        }
        if let Some(f) = &self.fragment {
            out.push('#');
            out.push_str(f);
        }
        out
    }

    /// Normalised serialisation; query names/values are re-encoded with
    /// [`encode_component`]. (One body with [`Url::to_string_without_params`]: smaller wasm.)
    pub fn serialize(&self) -> String {
        self.to_string_without_params(&[])
    }
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Appends `s` decoded to `dest` (invalid UTF-8 becomes U+FFFD).
fn decode_into(dest: &mut String, s: &str, plus_is_space: bool) {
    let bytes = s.as_bytes();
    // Nothing to decode (nearly every name and value): the slice as it is, no copy of its own.
    if !bytes.iter().any(|&b| b == b'%' || (b == b'+' && plus_is_space)) {
        dest.push_str(s);
        return;
    }
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hi = bytes.get(i + 1).copied().and_then(hex_val);
            let lo = bytes.get(i + 2).copied().and_then(hex_val);
            if let (Some(h), Some(l)) = (hi, lo) {
                out.push((h << 4) | l);
                i += 3;
                continue;
            }
            out.push(b);
        } else if b == b'+' && plus_is_space {
            out.push(b' ');
        } else {
            out.push(b);
        }
        i += 1;
    }
    dest.push_str(&String::from_utf8_lossy(&out));
}

fn decode_impl(s: &str, plus_is_space: bool) -> String {
    let mut out = String::new();
    decode_into(&mut out, s, plus_is_space);
    out
}

/// Form decoding: `%XX` escapes, `+` as space; invalid escapes are kept
/// literally; invalid UTF-8 becomes U+FFFD.
pub fn percent_decode(s: &str) -> String {
    decode_impl(s, true)
}

/// Like [`percent_decode`] but keeps `+` as `+` (for cookie values, paths).
pub fn percent_decode_keep_plus(s: &str) -> String {
    decode_impl(s, false)
}

/// Like JavaScript `encodeURIComponent`.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')') {
            out.push(b as char);
        } else {
            push_pct(&mut out, b);
        }
    }
    out
}

/// `host == domain` or `host` ends with `"." + domain` (ASCII
/// case-insensitive, one trailing dot ignored on both).
pub fn host_is_within(host: &str, domain: &str) -> bool {
    // Compared in place, without lowercased copies.
    let h = host.strip_suffix('.').unwrap_or(host).as_bytes();
    let d = domain.strip_suffix('.').unwrap_or(domain).as_bytes();
    if d.is_empty() || h.len() < d.len() {
        return false;
    }
    let cut = h.len() - d.len();
    h[cut..].eq_ignore_ascii_case(d) && (cut == 0 || h[cut - 1] == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Url {
        parse(s).unwrap_or_else(|e| panic!("{s:?}: {e:?}"))
    }

    #[test]
    fn basic_https() {
        let u = p("https://www.aliexpress.com/item/1005001234567890.html?a=1&b=2#frag");
        assert_eq!(u.scheme, "https");
        assert_eq!(u.host, "www.aliexpress.com");
        assert_eq!(u.port, None);
        assert_eq!(u.path, "/item/1005001234567890.html");
        assert_eq!(u.query, vec![("a".into(), "1".into()), ("b".into(), "2".into())]);
        assert_eq!(u.fragment.as_deref(), Some("frag"));
    }

    #[test]
    fn empty_and_whitespace() {
        assert_eq!(parse(""), Err(UrlError::Empty));
        assert_eq!(parse(" \t\n "), Err(UrlError::Empty));
        assert_eq!(p("  https://a.com/x \n").path, "/x");
    }

    #[test]
    fn too_long_100kb() {
        let long = format!("https://aliexpress.com/{}", "a".repeat(100_000));
        assert_eq!(parse(&long), Err(UrlError::TooLong));
        let ok = format!("https://aliexpress.com/{}", "a".repeat(8000));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn scheme_errors() {
        assert_eq!(parse("www.aliexpress.com/item/1.html"), Err(UrlError::NoScheme));
        assert_eq!(parse("//www.aliexpress.com/"), Err(UrlError::NoScheme));
        assert_eq!(parse("javascript:alert(1)"), Err(UrlError::BadScheme));
        assert_eq!(parse("data:text/html,hi"), Err(UrlError::BadScheme));
        assert_eq!(parse("ftp://aliexpress.com/"), Err(UrlError::BadScheme));
        assert_eq!(parse("https:aliexpress.com"), Err(UrlError::NoHost));
        assert_eq!(parse("https:///path"), Err(UrlError::NoHost));
    }

    #[test]
    fn uppercase_scheme_and_host() {
        let u = p("HTTPS://WWW.AliExpress.COM./Item/1.html");
        assert_eq!(u.scheme, "https");
        assert_eq!(u.host, "www.aliexpress.com");
        assert_eq!(u.path, "/Item/1.html");
    }

    #[test]
    fn userinfo_trick_rejected() {
        assert_eq!(parse("https://aliexpress.com@evil.org/"), Err(UrlError::BadHost));
        assert_eq!(parse("https://user:pw@aliexpress.com/"), Err(UrlError::BadHost));
        // '@' after the authority is just path.
        assert_eq!(p("https://evil.org/@aliexpress.com").host, "evil.org");
    }

    #[test]
    fn backslash_trick_rejected() {
        assert_eq!(parse("https://aliexpress.com\\@evil.org/"), Err(UrlError::BadHost));
        assert_eq!(parse("https://evil.org\\.aliexpress.com/"), Err(UrlError::BadHost));
        assert_eq!(parse("https:\\\\evil.org/"), Err(UrlError::BadHost));
        // Backslash in the path is normalised like browsers do.
        assert_eq!(p("https://a.com/x\\y").path, "/x/y");
    }

    #[test]
    fn ports() {
        assert_eq!(p("https://a.com:8443/").port, Some(8443));
        assert_eq!(p("https://a.com:443/").port, None);
        assert_eq!(p("http://a.com:80/").port, None);
        assert_eq!(p("http://a.com:443/").port, Some(443));
        assert_eq!(p("https://a.com:/").port, None);
        assert_eq!(parse("https://a.com:99999/"), Err(UrlError::BadPort));
        assert_eq!(parse("https://a.com:8x/"), Err(UrlError::BadPort));
        assert_eq!(parse("https://a.com:-1/"), Err(UrlError::BadPort));
        assert_eq!(parse("https://:80/"), Err(UrlError::NoHost));
    }

    #[test]
    fn ipv6_and_bad_hosts() {
        assert_eq!(parse("http://[::1]/"), Err(UrlError::BadHost));
        assert_eq!(parse("https://ali_express.com/"), Err(UrlError::BadHost));
        assert_eq!(parse("https://alí.com/"), Err(UrlError::BadHost));
        assert_eq!(parse("https://a..com/"), Err(UrlError::BadHost));
        assert_eq!(parse("https://%61liexpress.com/"), Err(UrlError::BadHost));
        assert_eq!(parse("https://a com/"), Err(UrlError::BadHost));
        assert_eq!(parse("https:///"), Err(UrlError::NoHost));
        assert_eq!(p("https://xn--80ak6aa92e.com/").host, "xn--80ak6aa92e.com");
    }

    #[test]
    fn control_chars_rejected() {
        assert_eq!(parse("https://a.com/x\r\nSet-Cookie: y"), Err(UrlError::BadChar));
        assert_eq!(parse("https://a.com/\u{0}"), Err(UrlError::BadChar));
        assert_eq!(parse("https://a.\tcom/"), Err(UrlError::BadChar));
    }

    #[test]
    fn control_bytes_agree_with_char_is_control() {
        // The byte scan rejects exactly what `char::is_control` does, C1 (lead byte 0xC2)
        // included, and lets the rest of 0xC2's range (U+00A0..U+00BF) through.
        for c in ['\u{0}', '\u{1f}', ' ', '~', '\u{7f}', '\u{80}', '\u{85}', '\u{9f}', '\u{a0}', '\u{bf}', 'é', '\u{2028}'] {
            assert_eq!(parse(&format!("https://a.com/x{c}y")) == Err(UrlError::BadChar), c.is_control(), "{c:?}");
        }
        assert_eq!(p("https://a.com/\u{a0}").path, "/%C2%A0");
    }

    #[test]
    fn plus_and_encoded_plus() {
        let u = p("https://a.com/?q=a+b&r=a%2Bb&s=%20");
        assert_eq!(u.param("q"), Some("a b"));
        assert_eq!(u.param("r"), Some("a+b"));
        assert_eq!(u.param("s"), Some(" "));
    }

    #[test]
    fn query_pairs_share_one_buffer_and_decode_only_what_needs_it() {
        let u = p("https://a.com/?plain=v1&%C3%A9=%E2%82%AC&a+b=c+d&bad=%C3%28&=&x");
        let pairs: Vec<(&str, &str)> = u.query.iter().collect();
        assert_eq!(pairs, [("plain", "v1"), ("é", "€"), ("a b", "c d"), ("bad", "\u{FFFD}("), ("", ""), ("x", "")]);
        assert_eq!((u.query.len(), u.query.is_empty()), (6, false));
        // A name spelt with escapes finds the same value as the plain name.
        assert_eq!(p("https://a.com/?%73%6B=1").param("sk"), p("https://a.com/?sk=1").param("sk"));
        assert_eq!(format!("{:?}", p("https://a.com/?a=1&b").query), r#"[("a", "1"), ("b", "")]"#);
        assert!(p("https://a.com/").query.is_empty());
    }

    #[test]
    fn hosts_are_checked_as_written_and_lowercased_once() {
        assert_eq!(normalize_host("Ab-1.C"), Some("ab-1.c".into()));
        assert!(!is_normal_host("Ab.c"), "a normal host is lowercase");
        assert_eq!(normalize_host(&format!("{}.com", "A".repeat(63))), Some(format!("{}.com", "a".repeat(63))));
        assert!(normalize_host(&format!("{}a", "a.".repeat(126))).is_some(), "253 bytes");
        assert_eq!(normalize_host(&format!("{}a", "a.".repeat(127))), None, "253 bytes at most");
        assert_eq!(normalize_host("a.com.."), None);
        assert_eq!(normalize_host("."), None);
    }

    #[test]
    fn invalid_escapes() {
        let u = p("https://a.com/?q=%zz&r=%&s=%4");
        assert_eq!(u.param("q"), Some("%zz"));
        assert_eq!(u.param("r"), Some("%"));
        assert_eq!(u.param("s"), Some("%4"));
        assert_eq!(percent_decode("%C3%28"), "\u{FFFD}(");
        assert_eq!(percent_decode("%C3%A9"), "é");
        assert_eq!(percent_decode("%F0%9F%98%80x"), "😀x");
        assert_eq!(percent_decode("%F0%9F"), "\u{FFFD}");
        assert_eq!(percent_decode("é%"), "é%");
        assert_eq!(percent_decode_keep_plus("a+b%2B"), "a+b+");
    }

    #[test]
    fn fragments() {
        assert_eq!(p("https://a.com/#").fragment.as_deref(), Some(""));
        assert_eq!(p("https://a.com/").fragment, None);
        let u = p("https://a.com#x?y=1");
        assert_eq!(u.path, "/");
        assert!(u.query.is_empty());
        assert_eq!(u.fragment.as_deref(), Some("x?y=1"));
    }

    #[test]
    fn empty_query_values_and_repeated() {
        let u = p("https://a.com/?a=&b&&c=1&a=2&=v");
        assert_eq!(
            u.query,
            vec![
                ("a".into(), "".into()),
                ("b".into(), "".into()),
                ("c".into(), "1".into()),
                ("a".into(), "2".into()),
                ("".into(), "v".into()),
            ]
        );
        assert_eq!(u.param("a"), Some(""));
        assert_eq!(u.param("zz"), None);
        assert_eq!(p("https://a.com?").query.len(), 0);
    }

    #[test]
    fn value_with_equals() {
        let u = p("https://a.com/?u=https%3A%2F%2Fx.com%2F%3Fa%3D1&k=a=b");
        assert_eq!(u.param("u"), Some("https://x.com/?a=1"));
        assert_eq!(u.param("k"), Some("a=b"));
    }

    #[test]
    fn path_normalisation() {
        assert_eq!(p("https://a.com").path, "/");
        assert_eq!(p("https://a.com?x=1").path, "/");
        assert_eq!(p("https://a.com/a/./b/../c").path, "/a/c");
        assert_eq!(p("https://a.com/a/%2e%2E/item/1.html").path, "/item/1.html");
        assert_eq!(p("https://a.com/../../x").path, "/x");
        assert_eq!(p("https://a.com/a/b/..").path, "/a/");
        assert_eq!(p("https://a.com/a b/é").path, "/a%20b/%C3%A9");
        assert_eq!(p("https://a.com/%41").path, "/%41");
        // `^` is in WHATWG's path percent-encode set (found by src/domain/differential).
        assert_eq!(p("https://a.com/a^b").path, "/a%5Eb");
    }

    #[test]
    fn multibyte_everywhere() {
        let u = p("https://a.com/日本?ключ=значение#фрагмент");
        assert_eq!(u.param("ключ"), Some("значение"));
        assert_eq!(u.path, "/%E6%97%A5%E6%9C%AC");
        assert!(u.fragment.is_some());
    }

    #[test]
    fn serialize_roundtrip() {
        let u = p("https://www.aliexpress.com:8443/item/1.html?a=1+2&b=%2B&c=%C3%A9#f");
        let s = u.serialize();
        assert_eq!(s, "https://www.aliexpress.com:8443/item/1.html?a=1%202&b=%2B&c=%C3%A9#f");
        assert_eq!(p(&s), u);
    }

    #[test]
    fn without_params() {
        let u = p("https://a.com/x?sk=abc&keep=1&SK=zz&aff_fcid=1#f");
        assert_eq!(u.to_string_without_params(&["sk", "aff_fcid"]), "https://a.com/x?keep=1#f");
        assert_eq!(u.to_string_without_params(&[]), u.serialize());
    }

    #[test]
    fn encode_component_like_js() {
        assert_eq!(encode_component("AZaz09-_.!~*'()"), "AZaz09-_.!~*'()");
        assert_eq!(encode_component("a b&c=d/e?f#g"), "a%20b%26c%3Dd%2Fe%3Ff%23g");
        assert_eq!(encode_component("é+"), "%C3%A9%2B");
        assert_eq!(encode_component(""), "");
        assert_eq!(percent_decode(&encode_component("é ü+&%")), "é ü+&%");
    }

    #[test]
    fn host_within() {
        assert!(host_is_within("aliexpress.com", "aliexpress.com"));
        assert!(host_is_within("www.aliexpress.com", "aliexpress.com"));
        assert!(host_is_within("WWW.AliExpress.com.", "aliexpress.com"));
        assert!(!host_is_within("evilaliexpress.com", "aliexpress.com"));
        assert!(!host_is_within("aliexpress.com.evil.org", "aliexpress.com"));
        assert!(!host_is_within("aliexpress.co", "aliexpress.com"));
        assert!(!host_is_within("com", "aliexpress.com"));
        assert!(!host_is_within("aliexpress.com", ""));
        assert!(!host_is_within("é.aliexpress.co", "aliexpress.com"));
    }

    #[test]
    fn normalize_host_cases() {
        assert_eq!(normalize_host("WWW.A.com."), Some("www.a.com".into()));
        assert_eq!(normalize_host(".a.com"), None);
        assert_eq!(normalize_host("a.com:80"), None);
        assert_eq!(normalize_host(""), None);
        assert_eq!(normalize_host(&"a".repeat(64)), None);
    }

    #[test]
    fn base_resolution() {
        let base = p("https://www.aliexpress.com:8443/p/shoppingcart/index.html?x=1#top");
        assert_eq!(parse_with_base("//he.aliexpress.com/category/1/x.html", &base).unwrap().host, "he.aliexpress.com");
        let u = parse_with_base("/item/1.html?a=b", &base).unwrap();
        assert_eq!((u.host.as_str(), u.port, u.path.as_str()), ("www.aliexpress.com", Some(8443), "/item/1.html"));
        assert_eq!(u.param("a"), Some("b"));
        let u = parse_with_base("?y=2", &base).unwrap();
        assert_eq!((u.path.as_str(), u.param("y"), u.param("x")), ("/p/shoppingcart/index.html", Some("2"), None));
        let u = parse_with_base("#z", &base).unwrap();
        assert_eq!((u.param("x"), u.fragment.as_deref()), (Some("1"), Some("z")));
        let u = parse_with_base("other.html", &base).unwrap();
        assert_eq!(u.path, "/p/shoppingcart/other.html");
        let u = parse_with_base("../../item/2.html", &base).unwrap();
        assert_eq!(u.path, "/item/2.html");
        assert_eq!(parse_with_base("http://x.org/", &base).unwrap().scheme, "http");
        assert_eq!(parse_with_base("javascript:alert(1)", &base), Err(UrlError::BadScheme));
        assert_eq!(parse_with_base("", &base), Err(UrlError::Empty));
        // Browsers treat "/\\host" as "//host".
        assert_eq!(parse_with_base("/\\evil.org/x", &base).unwrap().host, "evil.org");
        // A leading `\` alone is `/` too, not part of the host (found by src/domain/differential).
        assert_eq!(parse_with_base("\\item\\2.html", &base).unwrap().path, "/item/2.html");
        assert_eq!(parse_with_base("\\://A", &base).unwrap().path, "/://A");
        assert_eq!(parse_with_base("//aliexpress.com@evil.org/", &base), Err(UrlError::BadHost));
    }
}
