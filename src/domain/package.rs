//! What the extension package holds for the core, read once at worker start and carried
//! by the application context: the operator config, the layout profiles, the UI catalogs,
//! the extension registry and the banner stylesheet. The view code gets the catalogs as a
//! [`Text`](super::i18n::Text) (`pkg.catalogs().text(lang)`), passed where it needs words.
//!
//! The catalogs (39 KB of JSON, most of the data) are parsed on first use, not at start: an
//! event that shows no words (a request, a cookie, an alarm, the settings) never parses them.
//! That is safe only for the files `cg-config --data` checked when it wrote the worker's data
//! module: it writes their [`digest`] beside them, and a start whose catalogs do not match it
//! (or that has none) parses them at once, so a bad catalog still stops the start with its
//! name, as before.

use super::config::{self, Config};
use super::extensions::{self, Registry};
use super::i18n::{self, Catalogs};
use super::layout::{self, Layouts};
use std::cell::Cell;

#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    pub config: Config,
    pub layouts: Layouts,
    pub registry: Registry,
    pub banner_css: String,
    en_json: String,
    ru_json: String,
    // Set on first use, then kept for as long as the worker's instance lives (leaked: a
    // package is never dropped before its instance is; a `Cell` needs no panic path, which
    // `OnceCell::get_or_init`'s reentrancy check brings into the wasm).
    catalogs: Cell<Option<&'static Catalogs>>,
}

/// FNV-1a (32 bits) of the files parsed on first use (the English and Russian catalogs), each
/// followed by a 0xff byte (never in UTF-8), so that moving text between them changes it.
pub fn digest(en_json: &str, ru_json: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for f in [en_json, ru_json] {
        for &b in f.as_bytes() {
            h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
        h = (h ^ 0xff).wrapping_mul(0x0100_0193);
    }
    h
}

fn leak<T>(v: T) -> &'static T {
    Box::leak(Box::new(v))
}

impl Package {
    /// Parses and checks every file, the catalogs on first use when `checked` is their
    /// [`digest`]. The error names the file and the field.
    pub fn build(
        config_json: &str,
        layouts_json: &str,
        en_json: &str,
        ru_json: &str,
        registry_json: &str,
        banner_css: &str,
        checked: Option<u32>,
    ) -> Result<Package, String> {
        Ok(Package {
            config: config::parse_config(config_json).map_err(|e| e.to_string())?,
            layouts: layout::parse_layouts(layouts_json).map_err(|e| format!("layouts: {e}"))?,
            catalogs: Cell::new(match checked == Some(digest(en_json, ru_json)) {
                true => None,
                false => Some(leak(Catalogs::parse(en_json, ru_json)?)),
            }),
            registry: extensions::parse_registry(registry_json)?,
            banner_css: banner_css.to_string(),
            en_json: en_json.to_string(),
            ru_json: ru_json.to_string(),
        })
    }

    /// The UI catalogs, parsed on first use. (Checked catalogs that fail to parse cannot
    /// happen short of a digest collision: that traps, and worker.js restarts the core.)
    pub fn catalogs(&self) -> &Catalogs {
        self.catalogs.get().unwrap_or_else(|| {
            let c = leak(Catalogs::parse(&self.en_json, &self.ru_json).unwrap_or_else(|_| std::process::abort()));
            self.catalogs.set(Some(c));
            c
        })
    }

    /// The package as shipped, with this config (tests and tools; the worker reads the
    /// package's files instead).
    pub fn bundled(config_json: &str) -> Result<Package, String> {
        let css = include_str!("../../extension/ui/banner.css");
        Package::build(config_json, layout::LAYOUTS_JSON, i18n::EN_JSON, i18n::RU_JSON, extensions::REGISTRY_JSON, css, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_catalog_stops_the_start_and_is_named() {
        let cfg = include_str!("../../extension/config/default.json");
        let css = "";
        let (layouts, registry) = (layout::LAYOUTS_JSON, extensions::REGISTRY_JSON);
        assert!(Package::build(cfg, layouts, i18n::EN_JSON, i18n::RU_JSON, registry, css, None).is_ok());
        let e = Package::build(cfg, layouts, i18n::EN_JSON, "{\"k\": 1}", registry, css, None).unwrap_err();
        assert!(e.contains("_locales/ru/messages.json"), "{e}");
        let e = Package::build(cfg, layouts, "not json", i18n::RU_JSON, registry, css, None).unwrap_err();
        assert!(e.contains("_locales/en/messages.json"), "{e}");
    }

    const CFG: &str = include_str!("../../extension/config/default.json");
    const CSS: &str = include_str!("../../extension/ui/banner.css");
    fn shipped_digest() -> u32 {
        digest(i18n::EN_JSON, i18n::RU_JSON)
    }

    #[test]
    fn checked_files_are_parsed_on_first_use_only() {
        let pkg = Package::build(CFG, layout::LAYOUTS_JSON, i18n::EN_JSON, i18n::RU_JSON, extensions::REGISTRY_JSON, CSS, Some(shipped_digest()))
            .unwrap();
        assert!(pkg.catalogs.get().is_none(), "no catalog parsed at start");
        assert_eq!(pkg.config.affiliate_key, "cgDemo0001");
        // The first word parses them, with the words of the files.
        assert_eq!(pkg.catalogs().text(i18n::Lang::Ru).t("action_activate", &[]), "Активировать кэшбэк");
        assert!(pkg.catalogs.get().is_some());
        assert_eq!(pkg, Package::bundled(CFG).unwrap(), "the same package as one parsed at start");
    }

    #[test]
    fn files_cg_config_did_not_check_are_parsed_at_start_and_a_bad_one_is_named() {
        // No digest (tests, tools) or a stale one: parsed at once.
        for checked in [None, Some(shipped_digest() ^ 1)] {
            let pkg = Package::build(CFG, layout::LAYOUTS_JSON, i18n::EN_JSON, i18n::RU_JSON, extensions::REGISTRY_JSON, CSS, checked).unwrap();
            assert!(pkg.catalogs.get().is_some(), "{checked:?}");
        }
        // A catalog changed after cg-config checked it (the data module edited or corrupted):
        // its digest no longer matches, so the start fails, naming the file, instead of a
        // later event failing at its first word.
        let ru = i18n::RU_JSON.replacen("\"message\"", "\"text\"", 1);
        let e = Package::build(CFG, layout::LAYOUTS_JSON, i18n::EN_JSON, &ru, extensions::REGISTRY_JSON, CSS, Some(shipped_digest())).unwrap_err();
        assert!(e.starts_with("_locales/ru/messages.json: `"), "{e}");
        let e = Package::build(CFG, layout::LAYOUTS_JSON, "[]", i18n::RU_JSON, extensions::REGISTRY_JSON, CSS, Some(shipped_digest())).unwrap_err();
        assert!(e.starts_with("_locales/en/messages.json: "), "{e}");
    }

    #[test]
    fn the_digest_covers_every_byte_and_the_file_boundaries() {
        let d = digest("ab", "c");
        assert_ne!(d, digest("a", "bc"));
        assert_ne!(d, digest("ab", "c "));
        assert_ne!(d, digest("ab", "d"));
        assert_eq!(d, digest("ab", "c"));
    }
}
