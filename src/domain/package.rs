//! What the extension package holds for the core, read once at worker start and carried
//! by the application context: the operator config, the layout profiles, the extension
//! registry and the banner stylesheet. (The UI catalogs are installed next to it by
//! [`super::i18n::install`]: `t` is called from the pure view code, which has no context.)

use super::config::{self, Config};
use super::extensions::{self, Registry};
use super::layout::{self, Layouts};

#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    pub config: Config,
    pub layouts: Layouts,
    pub registry: Registry,
    pub banner_css: String,
}

impl Package {
    /// Parses and checks every file; the error names the file and the field.
    pub fn build(config_json: &str, layouts_json: &str, registry_json: &str, banner_css: &str) -> Result<Package, String> {
        Ok(Package {
            config: config::parse_config(config_json).map_err(|e| e.to_string())?,
            layouts: layout::parse_layouts(layouts_json).map_err(|e| format!("layouts: {e}"))?,
            registry: extensions::parse_registry(registry_json)?,
            banner_css: banner_css.to_string(),
        })
    }

    /// The package as shipped, with this config (tests and tools; the worker reads the
    /// package's files instead).
    pub fn bundled(config_json: &str) -> Result<Package, String> {
        Package::build(config_json, layout::LAYOUTS_JSON, extensions::REGISTRY_JSON, include_str!("../../extension/ui/banner.css"))
    }
}
