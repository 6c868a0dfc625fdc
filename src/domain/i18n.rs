//! UI text. Every string comes from `extension/_locales/<lang>/messages.json` (the files
//! `chrome.i18n` reads for the manifest), read from the package at worker start into the
//! [`Catalogs`] of the [`Package`](super::package::Package), so that the UI language can be
//! switched in the options without reinstalling. The view code gets a [`Text`] (the
//! language and the catalogs) where it needs words. Placeholders are `$1`…`$9`, as in
//! `chrome.i18n`; plural forms are keys with the suffixes `_one`, `_few`, `_many`
//! (Russian) and `_one`, `_other` (English).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Ru,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    /// The UI language for a browser locale such as `ru-RU`, `en-US`, `uk`.
    pub fn from_locale(locale: &str) -> Lang {
        let l = locale.trim().to_ascii_lowercase();
        if l == "ru" || l.starts_with("ru-") || l.starts_with("ru_") {
            Lang::Ru
        } else {
            Lang::En
        }
    }
}

/// The catalogs as shipped in the extension, for native builds (tests, tools:
/// [`Catalogs::bundled`]). The wasm never references them (so they are not linked in): the
/// worker reads the package's files at start, outside the wasm size budget.
pub const EN_JSON: &str = include_str!("../../extension/_locales/en/messages.json");
pub const RU_JSON: &str = include_str!("../../extension/_locales/ru/messages.json");

/// One language's key → message, sorted by key (a sorted `Vec` rather than a map keeps the
/// wasm small).
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    lang: Lang,
    map: Vec<(String, String)>,
}

impl Catalog {
    /// Parses a `chrome.i18n` messages file (`{"key": {"message": "…"}, …}`).
    pub fn parse(lang: Lang, json: &str) -> Result<Catalog, String> {
        let v: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let obj = v.as_object().ok_or("not a JSON object")?;
        let mut map = Vec::with_capacity(obj.len());
        for (k, e) in obj {
            let m = e.get("message").and_then(|m| m.as_str()).ok_or_else(|| format!("`{k}` has no message"))?;
            map.push((k.clone(), m.to_string()));
        }
        // The object's keys iterate in order (serde_json's map is a BTreeMap): the Vec is
        // sorted already, with no sort linked into the wasm.
        debug_assert!(map.windows(2).all(|w| w[0].0 < w[1].0));
        Ok(Catalog { lang, map })
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.iter().map(|(k, _)| k.as_str())
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.map.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    pub fn raw(&self, key: &str) -> Option<&str> {
        self.find(key).ok().map(|i| self.map[i].1.as_str())
    }
}

/// The UI catalogs of every language, part of the [`Package`](super::package::Package).
#[derive(Debug, Clone, PartialEq)]
pub struct Catalogs {
    en: Catalog,
    ru: Catalog,
}

impl Catalogs {
    /// Parses both messages files; the error names the file.
    pub fn parse(en_json: &str, ru_json: &str) -> Result<Catalogs, String> {
        let en = Catalog::parse(Lang::En, en_json).map_err(|e| format!("_locales/en/messages.json: {e}"))?;
        let mut ru = Catalog::parse(Lang::Ru, ru_json).map_err(|e| format!("_locales/ru/messages.json: {e}"))?;
        // A message Russian lacks is shown in English: merged in once here, so that a lookup
        // is one search and a `Text` one pointer.
        for (k, m) in &en.map {
            if let Err(i) = ru.find(k) {
                ru.map.insert(i, (k.clone(), m.clone()));
            }
        }
        Ok(Catalogs { en, ru })
    }

    /// The catalogs as shipped (tests and native tools).
    pub fn bundled() -> Catalogs {
        Catalogs::parse(EN_JSON, RU_JSON).expect("the bundled catalogs are valid (tested)")
    }

    pub fn catalog(&self, lang: Lang) -> &Catalog {
        match lang {
            Lang::En => &self.en,
            Lang::Ru => &self.ru,
        }
    }

    /// The text handle for `lang`.
    pub fn text(&self, lang: Lang) -> Text<'_> {
        Text { catalog: self.catalog(lang) }
    }
}

/// The UI language with its catalog: what the view code is handed where it needs words.
/// (One pointer, passed as cheaply as a bare `Lang`.)
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Text<'a> {
    catalog: &'a Catalog,
}

impl<'a> Text<'a> {
    pub fn lang(self) -> Lang {
        self.catalog.lang
    }

    /// The text for `key`; falls back to English (merged in by [`Catalogs::parse`]), then
    /// to the key itself.
    pub fn t(self, key: &str, args: &[&str]) -> String {
        substitute(self.catalog.raw(key).unwrap_or(key), args)
    }

    /// A plural message: `key` + the plural suffix for `n`, with `$1` = n.
    pub fn tn(self, key: &str, n: u64, extra: &[&str]) -> String {
        let full = format!("{key}{}", plural_suffix(self.lang(), n));
        let n_s = n.to_string();
        let mut args = vec![n_s.as_str()];
        args.extend_from_slice(extra);
        self.t(&full, &args)
    }
}

/// Substitutes `$1`…`$9` (and `$$` → `$`).
pub fn substitute(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some('$') => {
                chars.next();
                out.push('$');
            }
            Some(d @ '1'..='9') => {
                chars.next();
                let i = d as usize - '1' as usize;
                out.push_str(args.get(i).copied().unwrap_or(""));
            }
            _ => out.push('$'),
        }
    }
    out
}

/// CLDR plural category suffix for `n`.
pub fn plural_suffix(lang: Lang, n: u64) -> &'static str {
    match lang {
        Lang::En => {
            if n == 1 {
                "_one"
            } else {
                "_other"
            }
        }
        Lang::Ru => {
            let (m10, m100) = (n % 10, n % 100);
            if m10 == 1 && m100 != 11 {
                "_one"
            } else if (2..=4).contains(&m10) && !(12..=14).contains(&m100) {
                "_few"
            } else {
                "_many"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogs_parse_and_have_the_same_keys() {
        let en = Catalog::parse(Lang::En, EN_JSON).unwrap();
        let ru = Catalog::parse(Lang::Ru, RU_JSON).unwrap();
        let ek: Vec<&str> = en.keys().filter(|k| !k.ends_with("_few") && !k.ends_with("_many") && !k.ends_with("_other")).collect();
        let rk: Vec<&str> = ru.keys().filter(|k| !k.ends_with("_few") && !k.ends_with("_many") && !k.ends_with("_other")).collect();
        assert_eq!(ek, rk, "every message key exists in both locales");
        for k in en.keys().filter(|k| k.ends_with("_other")) {
            let base = k.trim_end_matches("_other");
            for s in ["_one", "_few", "_many"] {
                assert!(ru.raw(&format!("{base}{s}")).is_some(), "ru lacks {base}{s}");
            }
        }
        for (k, v) in en.map.iter().chain(ru.map.iter()) {
            assert!(!v.trim().is_empty(), "{k} is empty");
        }
    }

    #[test]
    fn russian_plurals() {
        let cases = [
            (0, "_many"),
            (1, "_one"),
            (2, "_few"),
            (4, "_few"),
            (5, "_many"),
            (11, "_many"),
            (12, "_many"),
            (14, "_many"),
            (21, "_one"),
            (22, "_few"),
            (25, "_many"),
            (101, "_one"),
            (111, "_many"),
            (112, "_many"),
            (1001, "_one"),
        ];
        for (n, s) in cases {
            assert_eq!(plural_suffix(Lang::Ru, n), s, "n = {n}");
        }
        assert_eq!(plural_suffix(Lang::En, 1), "_one");
        assert_eq!(plural_suffix(Lang::En, 0), "_other");
        assert_eq!(plural_suffix(Lang::En, 21), "_other");
    }

    #[test]
    fn plural_messages_render() {
        let c = Catalogs::bundled();
        let (en, ru) = (c.text(Lang::En), c.text(Lang::Ru));
        assert!(ru.tn("cart_items", 1, &[]).contains("1 товар "));
        assert!(ru.tn("cart_items", 2, &[]).contains("2 товара "));
        assert!(ru.tn("cart_items", 5, &[]).contains("5 товаров "));
        assert!(en.tn("cart_items", 1, &[]).contains("1 item "));
        assert!(en.tn("cart_items", 3, &[]).contains("3 items "));
    }

    #[test]
    fn each_text_reads_its_own_catalogs_and_falls_back_to_english() {
        let shipped = Catalogs::bundled();
        let mut en: serde_json::Value = serde_json::from_str(EN_JSON).unwrap();
        en["action_activate"]["message"] = "Turn on cashback".into();
        // Russian without `action_activate`: the English of the same catalogs stands in.
        let mut ru: serde_json::Value = serde_json::from_str(RU_JSON).unwrap();
        assert!(ru.as_object_mut().unwrap().remove("action_activate").is_some());
        let changed = Catalogs::parse(&en.to_string(), &ru.to_string()).unwrap();
        assert_eq!(shipped.text(Lang::En).t("action_activate", &[]), "Activate cashback");
        assert_eq!(changed.text(Lang::En).t("action_activate", &[]), "Turn on cashback");
        assert_eq!(changed.text(Lang::Ru).t("action_activate", &[]), "Turn on cashback");
        assert_eq!(shipped.text(Lang::Ru).t("action_activate", &[]), "Активировать кэшбэк");
    }

    #[test]
    fn a_bad_catalog_is_named() {
        let e = Catalogs::parse(EN_JSON, r#"{"k": {"text": "x"}}"#).unwrap_err();
        assert!(e.starts_with("_locales/ru/messages.json: `k` has no message"), "{e}");
        let e = Catalogs::parse("[]", RU_JSON).unwrap_err();
        assert!(e.starts_with("_locales/en/messages.json"), "{e}");
    }

    #[test]
    fn substitution() {
        assert_eq!(substitute("a $1 b $2 $$ $x $", &["X", "Y"]), "a X b Y $ $x $");
        assert_eq!(substitute("$3", &["a"]), "");
        assert_eq!(Catalogs::bundled().text(Lang::En).t("no_such_key_here", &[]), "no_such_key_here");
    }

    #[test]
    fn locale_detection() {
        assert_eq!(Lang::from_locale("ru-RU"), Lang::Ru);
        assert_eq!(Lang::from_locale("ru"), Lang::Ru);
        assert_eq!(Lang::from_locale("en-US"), Lang::En);
        assert_eq!(Lang::from_locale("rue"), Lang::En);
        assert_eq!(Lang::from_locale(""), Lang::En);
    }
}
