//! The shopper's settings (`storage.local`, key `settings`).

use super::SETTINGS_VERSION;
use crate::domain::i18n::Lang;
use crate::domain::json::{self, serde_via_json, unit_enum, FromJson, Obj, Out, ToJson};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LangSetting {
    #[default]
    Auto,
    En,
    Ru,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub v: u32,
    pub lang: LangSetting,
    pub banner: bool,
    pub badge: bool,
    /// The reminder 10 minutes after an order (seed 003).
    pub order_check: bool,
    /// Orders kept in the log (oldest pruned).
    pub orders_max: u32,
    /// The shopper's cashback account, when linked (contract §2 `account`). Changed only by
    /// `link-account` / `unlink-account`, never by `set-settings`.
    pub account: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            v: SETTINGS_VERSION,
            lang: LangSetting::Auto,
            banner: true,
            badge: true,
            order_check: true,
            orders_max: crate::domain::orders::DEFAULT_MAX,
            account: None,
        }
    }
}

impl Settings {
    pub fn lang(&self, ui_locale: &str) -> Lang {
        match self.lang {
            LangSetting::Auto => Lang::from_locale(ui_locale),
            LangSetting::En => Lang::En,
            LangSetting::Ru => Lang::Ru,
        }
    }
}

unit_enum!(LangSetting { "auto" => LangSetting::Auto, "en" => LangSetting::En, "ru" => LangSetting::Ru });

impl FromJson for Settings {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct Settings")?;
        let d = Settings::default();
        let r = Settings {
            v: o.or("v", d.v),
            lang: o.or("lang", d.lang),
            banner: o.or("banner", d.banner),
            badge: o.or("badge", d.badge),
            order_check: o.or("order_check", d.order_check),
            orders_max: o.or("orders_max", d.orders_max),
            account: o.or("account", d.account),
        };
        o.end(r)
    }
}

impl ToJson for Settings {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        o.f("v", &self.v);
        o.f("lang", &self.lang);
        o.f("banner", &self.banner);
        o.f("badge", &self.badge);
        o.f("order_check", &self.order_check);
        o.f("orders_max", &self.orders_max);
        o.f("account", &self.account);
        o.done()
    }
}

serde_via_json!(LangSetting, Settings);
