//! The one lenient reader of JSON and JavaScript object literals found in pages and
//! cookies: embedded page data (`window.runParams = {…}`: unquoted keys, single quotes,
//! trailing commas, comments, expressions), and the flat JSON of the `xman_us_f` cookie,
//! which may arrive cut off. Strings decode every JSON escape, `\u` surrogate pairs
//! included (a lone surrogate becomes U+FFFD). Numbers are kept as written (exact decimal
//! amounts; ids longer than f64 holds). Nothing here panics on any input.

use serde_json::{Map, Value};

/// Deepest nesting the reader follows.
pub const MAX_DEPTH: usize = 64;

pub(super) struct Lenient<'a> {
    pub(super) s: &'a [u8],
    pub(super) i: usize,
    /// The text may be cut off: a bare value (number, word) that runs to its end is dropped.
    cut: bool,
}

impl<'a> Lenient<'a> {
    pub(super) fn new(s: &'a str) -> Lenient<'a> {
        Lenient { s: s.as_bytes(), i: 0, cut: false }
    }

    pub(super) fn ws(&mut self) {
        loop {
            while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
            if self.s[self.i..].starts_with(b"//") {
                while self.i < self.s.len() && self.s[self.i] != b'\n' {
                    self.i += 1;
                }
            } else if self.s[self.i..].starts_with(b"/*") {
                match find(&self.s[self.i + 2..], b"*/") {
                    Some(p) => self.i += p + 4,
                    None => self.i = self.s.len(),
                }
            } else {
                return;
            }
        }
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'{' => self.object(depth, &mut Map::new()).map(Value::Object),
            b'[' => self.array(depth),
            b'"' | b'\'' => self.string().map(Value::String),
            b'-' | b'0'..=b'9' | b'.' => self.number(),
            c if c.is_ascii_alphabetic() || c == b'_' || c == b'$' => {
                let id = self.ident();
                match id.as_str() {
                    "true" => Some(Value::Bool(true)),
                    "false" => Some(Value::Bool(false)),
                    "null" | "undefined" | "NaN" | "Infinity" => Some(Value::Null),
                    _ => {
                        // An expression (a call, a variable): skip it up to the next , } or ].
                        self.skip_expression();
                        Some(Value::Null)
                    }
                }
            }
            _ => None,
        }
    }

    fn skip_expression(&mut self) {
        let mut nest = 0i32;
        while let Some(c) = self.peek() {
            match c {
                b'(' | b'[' | b'{' => nest += 1,
                b')' | b']' | b'}' if nest > 0 => nest -= 1,
                b',' | b'}' | b']' if nest == 0 => return,
                b'"' | b'\'' => {
                    if self.string().is_none() {
                        return;
                    }
                    continue;
                }
                _ => {}
            }
            self.i += 1;
        }
    }

    pub(super) fn ident(&mut self) -> String {
        let start = self.i;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' {
                self.i += 1;
            } else {
                break;
            }
        }
        String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
    }

    fn number(&mut self) -> Option<Value> {
        let start = self.i;
        while let Some(c) = self.peek() {
            if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E') {
                self.i += 1;
            } else {
                break;
            }
        }
        let raw = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        Some(Value::String(raw.to_string()))
    }

    /// Four hex digits after `\u`.
    fn hex4(&mut self) -> Option<u32> {
        let hex = self.s.get(self.i..self.i + 4)?;
        let mut n = 0u32;
        for &h in hex {
            n = n * 16 + char::from(h).to_digit(16)?;
        }
        self.i += 4;
        Some(n)
    }

    /// A `\u` escape (the `\u` consumed), joining a surrogate pair; a lone surrogate is
    /// U+FFFD. `None` if the hex digits are malformed or cut off.
    fn unicode_escape(&mut self) -> Option<char> {
        let cp = self.hex4()?;
        if !(0xD800..0xDC00).contains(&cp) {
            return Some(char::from_u32(cp).unwrap_or('\u{FFFD}'));
        }
        let at = self.i;
        if self.s.get(at..at + 2) == Some(b"\\u") {
            self.i += 2;
            match self.hex4() {
                Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                    return Some(char::from_u32(0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)).unwrap_or('\u{FFFD}'));
                }
                _ => self.i = at,
            }
        }
        Some('\u{FFFD}')
    }

    /// A quoted string (`"` or `'`); `None` if unterminated (cut off) or a `\u` escape is
    /// malformed.
    pub(super) fn string(&mut self) -> Option<String> {
        let q = self.peek()?;
        self.i += 1;
        let mut out: Vec<u8> = Vec::new();
        while let Some(c) = self.peek() {
            self.i += 1;
            if c == q {
                return Some(String::from_utf8_lossy(&out).into_owned());
            }
            if c != b'\\' {
                out.push(c);
                continue;
            }
            let e = self.peek()?;
            self.i += 1;
            let ch = match e {
                b'n' => '\n',
                b't' => '\t',
                b'r' => '\r',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'u' => self.unicode_escape()?,
                other => {
                    // '"', '\\', '/', and lenient for others (the byte as it is).
                    out.push(other);
                    continue;
                }
            };
            let mut buf = [0u8; 4];
            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
        }
        None
    }

    /// An object from its `{`: its members go into `m` as they are read, so a caller can
    /// keep what came before a syntax error or the end of a cut-off text (`None`).
    fn object(&mut self, depth: usize, m: &mut Map<String, Value>) -> Option<Map<String, Value>> {
        self.i += 1;
        loop {
            self.ws();
            match self.peek()? {
                b'}' => {
                    self.i += 1;
                    return Some(std::mem::take(m));
                }
                b',' => {
                    self.i += 1;
                    continue;
                }
                b'"' | b'\'' => {
                    let k = self.string()?;
                    self.colon_value(m, k, depth)?;
                }
                c if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' => {
                    let k = self.ident();
                    if k.is_empty() {
                        return None;
                    }
                    self.colon_value(m, k, depth)?;
                }
                _ => return None,
            }
        }
    }

    /// `: value` (or `= value`) after a key, into `m`.
    pub(super) fn colon_value(&mut self, m: &mut Map<String, Value>, k: String, depth: usize) -> Option<()> {
        self.ws();
        // `=`: the flat `runParams.key = value` form (`==` fails as a value).
        if !matches!(self.peek()?, b':' | b'=') {
            return None;
        }
        self.i += 1;
        self.ws();
        let bare = !matches!(self.peek()?, b'"' | b'\'' | b'{' | b'[');
        let v = self.value(depth + 1)?;
        if self.cut && bare && self.peek().is_none() {
            return None;
        }
        m.insert(k, v);
        Some(())
    }

    fn array(&mut self, depth: usize) -> Option<Value> {
        self.i += 1;
        let mut a = Vec::new();
        loop {
            self.ws();
            match self.peek()? {
                b']' => {
                    self.i += 1;
                    return Some(Value::Array(a));
                }
                b',' => self.i += 1,
                _ => a.push(self.value(depth + 1)?),
            }
        }
    }
}

pub(super) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Parses a JavaScript object literal (unquoted keys, single quotes, trailing commas,
/// comments); expressions inside become `null`. `None` when it is not one.
pub fn parse_js_object(src: &str) -> Option<Value> {
    let mut p = Lenient::new(src);
    p.ws();
    if p.peek()? != b'{' {
        return None;
    }
    p.value(0)
}

/// The members of the object starting at the first `{`, read up to its end or to the
/// first syntax error or cut (text before the `{` is ignored; a value cut off is
/// dropped). For text that may arrive truncated, such as a cookie.
pub fn object_prefix(src: &str) -> Map<String, Value> {
    let mut m = Map::new();
    if let Some(start) = src.find('{') {
        let mut p = Lenient { cut: true, ..Lenient::new(&src[start..]) };
        if let Some(full) = p.object(0, &mut m) {
            return full;
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_and_surrogate_pairs() {
        let v = parse_js_object(r#"{"u":"\u00e9\ud83d\ude00\ud800x\udc00","e":"a\b\f\n\t\r\/\"\\"}"#).unwrap();
        assert_eq!(v["u"], "é😀\u{FFFD}x\u{FFFD}");
        assert_eq!(v["e"], "a\u{8}\u{c}\n\t\r/\"\\");
        // A high surrogate followed by an escape that is not a low one keeps that escape.
        assert_eq!(parse_js_object(r#"{"u":"\ud83d\u0041"}"#).unwrap()["u"], "\u{FFFD}A");
        // Malformed hex: not a string.
        assert_eq!(parse_js_object(r#"{"u":"\u00zz"}"#), None);
        assert_eq!(parse_js_object(r#"{"u":"\u+abc"}"#), None);
    }

    #[test]
    fn a_cut_object_keeps_what_came_before() {
        assert_eq!(object_prefix(r#"x={"a":"1","b":2,"c":tr"#), *json!({"a": "1", "b": "2"}).as_object().unwrap());
        assert_eq!(object_prefix(r#"{"a":"1","b":2"#), *json!({"a": "1"}).as_object().unwrap());
        assert_eq!(object_prefix(r#"{"a":"1","b":"2"#), *json!({"a": "1"}).as_object().unwrap());
        assert_eq!(object_prefix(r#"{"a":"1","b":"2""#), *json!({"a": "1", "b": "2"}).as_object().unwrap());
        assert_eq!(object_prefix(r#"{"a":"1" ! "b":"2"}"#), *json!({"a": "1"}).as_object().unwrap());
        assert!(object_prefix("no object").is_empty());
        // A whole object: the same as the full parse.
        let s = r#"{"x":{"a":[1,{"b":"}"}]},"n":null,"t":true}"#;
        assert_eq!(Value::Object(object_prefix(s)), parse_js_object(s).unwrap());
    }
}
