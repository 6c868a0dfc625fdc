//! What the extension package holds for the core, read once at worker start and carried
//! by the application context: the operator config, the layout profiles, the UI catalogs,
//! the extension registry and the banner stylesheet. The view code gets the catalogs as a
//! [`Text`](super::i18n::Text) (`pkg.catalogs.text(lang)`), passed where it needs words.

use super::config::{self, Config};
use super::extensions::{self, Registry};
use super::i18n::{self, Catalogs};
use super::layout::{self, Layouts};

#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    pub config: Config,
    pub layouts: Layouts,
    pub catalogs: Catalogs,
    pub registry: Registry,
    pub banner_css: String,
}

impl Package {
    /// Parses and checks every file; the error names the file and the field.
    pub fn build(
        config_json: &str,
        layouts_json: &str,
        en_json: &str,
        ru_json: &str,
        registry_json: &str,
        banner_css: &str,
    ) -> Result<Package, String> {
        Ok(Package {
            config: config::parse_config(config_json).map_err(|e| e.to_string())?,
            layouts: layout::parse_layouts(layouts_json).map_err(|e| format!("layouts: {e}"))?,
            catalogs: Catalogs::parse(en_json, ru_json)?,
            registry: extensions::parse_registry(registry_json)?,
            banner_css: banner_css.to_string(),
        })
    }

    /// The package as shipped, with this config (tests and tools; the worker reads the
    /// package's files instead).
    pub fn bundled(config_json: &str) -> Result<Package, String> {
        let css = include_str!("../../extension/ui/banner.css");
        Package::build(config_json, layout::LAYOUTS_JSON, i18n::EN_JSON, i18n::RU_JSON, extensions::REGISTRY_JSON, css)
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
        assert!(Package::build(cfg, layouts, i18n::EN_JSON, i18n::RU_JSON, registry, css).is_ok());
        let e = Package::build(cfg, layouts, i18n::EN_JSON, "{\"k\": 1}", registry, css).unwrap_err();
        assert!(e.contains("_locales/ru/messages.json"), "{e}");
        let e = Package::build(cfg, layouts, "not json", i18n::RU_JSON, registry, css).unwrap_err();
        assert!(e.contains("_locales/en/messages.json"), "{e}");
    }
}
