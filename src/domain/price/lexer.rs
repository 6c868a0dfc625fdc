//! The lexer: tokens read straight off the trimmed input, with no copy of it. A cursor yields
//! the *normalised* characters (invisible marks dropped, every run of Unicode spaces read as
//! one `' '`) on the fly; a number is a span of the input plus what its grammar needs to know
//! about its separators, re-read in place for its digits; a word is lower-cased into a small
//! fixed buffer (no table word is longer).

use super::currency::symbol_mark;
use super::PriceError;

pub(super) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{061C}'
            | '\u{FEFF}'
            | '\u{00AD}'
            | '\u{180E}'
    )
}

/// Range separators; a leading one makes the amount negative (Garbage).
fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' | '~' | '\u{301C}' | '\u{FF5E}')
}

pub(super) fn is_point(c: char) -> bool {
    c == '.' || c == ','
}

fn is_num_sep(c: char) -> bool {
    matches!(c, '.' | ',' | ' ' | '\'' | '\u{2019}')
}

/// Lower case for the scripts prices are written in (Latin, Cyrillic, Greek); avoids the
/// full Unicode tables of `str::to_lowercase` in the wasm.
fn lower(c: char) -> char {
    match c {
        'A'..='Z' => c.to_ascii_lowercase(),
        'А'..='Я' => char::from_u32(c as u32 + 32).unwrap_or(c),
        'Ѐ'..='Џ' => char::from_u32(c as u32 + 80).unwrap_or(c),
        'À'..='Þ' if c != '×' => char::from_u32(c as u32 + 32).unwrap_or(c),
        'Α'..='Ω' => char::from_u32(c as u32 + 32).unwrap_or(c),
        _ => c,
    }
}

/// `char::is_alphabetic`, with the Latin and Russian letters answered without its tables.
fn is_letter(c: char) -> bool {
    matches!(c, 'a'..='z' | 'A'..='Z' | 'Ѐ'..='џ') || (!c.is_ascii() && c.is_alphabetic())
}

/// Reads the normalised characters of `s` (the trimmed input, or a span of it): invisible
/// marks are skipped, a run of Unicode spaces (with any invisible marks in it) is one `' '`.
/// `Copy`, so looking ahead is a copy of two words.
#[derive(Clone, Copy)]
pub(super) struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(s: &'a str) -> Self {
        Cursor { s, pos: 0 }
    }

    /// The raw character at `pos` and its length in bytes.
    fn raw(&self) -> Option<(char, usize)> {
        let b = *self.s.as_bytes().get(self.pos)?;
        if b < 0x80 {
            return Some((char::from(b), 1));
        }
        let c = self.s.get(self.pos..)?.chars().next()?;
        Some((c, c.len_utf8()))
    }

    pub(super) fn next(&mut self) -> Option<char> {
        // Fast path: printable ASCII, the usual character, is itself.
        let printable = |b: &u8| *b > b' ' && *b < 0x7F;
        if let Some(&b) = self.s.as_bytes().get(self.pos) {
            // And so is one ASCII space before one.
            if printable(&b) || (b == b' ' && self.s.as_bytes().get(self.pos + 1).is_some_and(printable)) {
                self.pos += 1;
                return Some(char::from(b));
            }
        }
        let mut space = false;
        while let Some((c, len)) = self.raw() {
            let blank = match c {
                '\t'..='\r' | ' ' => true,
                // Every other space or invisible mark is in one of these ranges.
                '\u{85}' | '\u{A0}' | '\u{AD}' | '\u{61C}' | '\u{1680}' | '\u{180E}' | '\u{2000}'..='\u{206F}' | '\u{3000}' | '\u{FEFF}' => {
                    c.is_whitespace() || is_invisible(c)
                }
                _ => false,
            };
            if !blank {
                if space {
                    return Some(' ');
                }
                self.pos += len;
                return Some(c);
            }
            // Invisible marks alone are nothing; with a space, the run is one space.
            space |= !is_invisible(c);
            self.pos += len;
        }
        // A run of spaces at the end is dropped.
        None
    }

    fn peek(&self) -> Option<char> {
        let mut la = *self;
        la.next()
    }

    /// Consumes the next character if `f` accepts it.
    fn eat(&mut self, f: impl Fn(char) -> bool) -> Option<char> {
        let mut la = *self;
        let c = la.next().filter(|&c| f(c))?;
        *self = la;
        Some(c)
    }
}

/// A number: ASCII digit groups joined by single separators, e.g. `1 234,56`.
#[derive(Clone, Copy)]
pub(super) struct NumTok<'a> {
    /// The input from the first digit to the last (separators and invisible marks included).
    pub(super) span: &'a str,
    /// German `12,-` notation: no fractional part, all separators thousands.
    pub(super) no_decimals: bool,
    /// Number of separators (groups are one more).
    pub(super) seps: usize,
    pub(super) last_sep: char,
    /// How many of the separators are `.` and `,`.
    pub(super) dots: usize,
    pub(super) commas: usize,
    /// Digits in the first and in the last group.
    pub(super) first_len: usize,
    pub(super) last_len: usize,
    /// The first digit is `0`.
    pub(super) lead_zero: bool,
}

/// Bytes kept of a lower-cased word: the longest word of the tables (`гривень`) takes 14.
const WORD_BYTES: usize = 16;

/// A run of letters, lower-cased; a longer one than [`WORD_BYTES`] reads as `""`, which
/// names nothing (like any long word would).
#[derive(Clone, Copy)]
pub(super) struct Word {
    buf: [u8; WORD_BYTES],
    len: usize,
    /// Followed by `.` (`руб.`), which was consumed with it.
    pub(super) dot: bool,
}

impl Word {
    pub(super) fn text(&self) -> &str {
        self.buf.get(..self.len).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("")
    }

    /// This word is `w` and has no dot after it (the words of a phrase).
    pub(super) fn is(&self, w: &str) -> bool {
        !self.dot && self.text() == w
    }
}

#[derive(Clone, Copy)]
pub(super) enum Tok<'a> {
    Num(NumTok<'a>),
    Word(Word),
    Sym(char),
    Dash,
}

/// The tokens of the trimmed input, one at a time (`Copy`: a copy looks ahead).
#[derive(Clone, Copy)]
pub(super) struct Lexer<'a> {
    cur: Cursor<'a>,
}

impl<'a> Lexer<'a> {
    pub(super) fn new(s: &'a str) -> Self {
        Lexer { cur: Cursor::new(s) }
    }

    /// The next token; `Err(Garbage)` at a character no token starts with.
    pub(super) fn next(&mut self) -> Result<Option<Tok<'a>>, PriceError> {
        let mut start = self.cur;
        let Some(mut c) = self.cur.next() else { return Ok(None) };
        if c == ' ' {
            // Spaces separate tokens; a run is one, and never the last character.
            start = self.cur;
            c = self.cur.next().ok_or(PriceError::Garbage)?;
        }
        Ok(Some(if c.is_ascii_digit() {
            self.cur = start;
            Tok::Num(self.number(c == '0'))
        } else if symbol_mark(c).is_some() {
            // Before the letters: no symbol or dash is one, and the letter test is slow.
            Tok::Sym(c)
        } else if is_dash(c) {
            Tok::Dash
        } else if is_letter(c) {
            Tok::Word(self.word(c))
        } else {
            return Err(PriceError::Garbage);
        }))
    }

    /// The next non-space character, not consumed.
    pub(super) fn peek_char(&self) -> Option<char> {
        let mut la = self.cur;
        la.eat(|c| c == ' ');
        la.peek()
    }

    /// Consumes the next token (after `peek_char`, which saw a symbol).
    pub(super) fn skip_char(&mut self) {
        self.cur.eat(|c| c == ' ');
        self.cur.next();
    }

    fn word(&mut self, first: char) -> Word {
        let mut w = Word { buf: [0; WORD_BYTES], len: 0, dot: false };
        let mut c = Some(first);
        while let Some(ch) = c {
            let l = lower(ch);
            match w.buf.get_mut(w.len..w.len + l.len_utf8()) {
                Some(dst) if w.len <= WORD_BYTES => w.len += l.encode_utf8(dst).len(),
                // Too long for any table: keeps reading, names nothing.
                _ => w.len = WORD_BYTES + 1,
            }
            c = self.cur.eat(is_letter);
        }
        w.dot = self.cur.eat(|c| c == '.').is_some();
        w
    }

    /// A number from its first digit (the cursor is on it, or on invisible marks before it).
    fn number(&mut self, lead_zero: bool) -> NumTok<'a> {
        let s = self.cur.s;
        let start = self.cur.pos;
        let mut n = NumTok { span: "", no_decimals: false, seps: 0, last_sep: ' ', dots: 0, commas: 0, first_len: 0, last_len: 0, lead_zero };
        let mut len = 0;
        loop {
            // Plain digits as bytes; after anything else (an invisible mark), a digit continues the group.
            while s.as_bytes().get(self.cur.pos).is_some_and(u8::is_ascii_digit) {
                self.cur.pos += 1;
                len += 1;
            }
            let mut la = self.cur;
            let c = la.next();
            if c.is_some_and(|c| c.is_ascii_digit()) {
                self.cur = la;
                len += 1;
                continue;
            }
            if n.seps == 0 {
                n.first_len = len;
            }
            n.last_len = len;
            match c {
                // A separator counts only between two digits.
                Some(sep) if is_num_sep(sep) && la.peek().is_some_and(|c| c.is_ascii_digit()) => {
                    self.cur = la;
                    len = 0;
                    n.seps += 1;
                    n.last_sep = sep;
                    n.dots += usize::from(sep == '.');
                    n.commas += usize::from(sep == ',');
                }
                _ => break,
            }
        }
        n.span = s.get(start..self.cur.pos).unwrap_or("");
        // `12,-` / `12,--` / `12.–` : explicit "no cents".
        let mut la = self.cur;
        let not_tilde = |c: char| is_dash(c) && c != '~';
        if la.eat(is_point).is_some() && la.eat(not_tilde).is_some() {
            la.eat(not_tilde);
            let mut k = la;
            k.eat(|c| c == ' ');
            if !k.peek().is_some_and(|c| c.is_ascii_digit()) {
                n.no_decimals = true;
                self.cur = la;
            }
        }
        n
    }
}
