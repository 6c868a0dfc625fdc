//! Stored records. Every record carries a version `v`; a record that does not decode
//! (wrong types, truncated, a future version) is quarantined: the raw value is kept under
//! a `quarantine.*` key, a diagnostics line says so, and the worker goes on from a fresh
//! record instead of crashing.
//!
//! One file per thing stored: `session.rs` (the session record in `storage.session`: the
//! activation, evidence, stand-down, cart, notes), `tab.rs` (what the session knows of each
//! AliExpress tab: product, price, checkout), `settings.rs` (the shopper's settings in
//! `storage.local`), `notes.rs` (capped diagnostics lines). Reading a versioned record is here.
//!
//! Decoding (serde's rules for these types, see `json`): the fields a struct marked
//! "defaults" lacks take its `Default`; `TabInfo`, `CheckoutInfo`, `SessionRecord` and
//! `Settings` default every field, the others only those noted.

mod notes;
mod session;
mod settings;
mod tab;
#[cfg(test)]
mod tests;

pub use notes::{cap_note, raw_notes, MAX_NOTE_CHARS};
pub use session::{SessionRecord, Standdown, MAX_TABS};
pub use settings::{LangSetting, Settings};
pub use tab::{CheckoutInfo, ProductInfo, StoredPrice, TabInfo};

use super::json::{self, FromJson};
use serde_json::Value;

pub const SESSION_KEY: &str = "session";
pub const SETTINGS_KEY: &str = "settings";
pub const SESSION_VERSION: u32 = 1;
pub const SETTINGS_VERSION: u32 = 1;

/// The outcome of reading a stored record.
#[derive(Debug, PartialEq)]
pub enum Loaded<T> {
    Missing,
    Ok(T),
    /// Undecodable or from a future version: the caller quarantines `raw`.
    Quarantine {
        raw: Value,
        why: String,
    },
}

/// Decodes a versioned record.
pub fn decode<T: FromJson>(raw: Option<Value>, current_version: u32) -> Loaded<T> {
    let Some(raw) = raw else {
        return Loaded::Missing;
    };
    let v = raw.get("v").and_then(Value::as_u64);
    match v {
        Some(v) if v > u64::from(current_version) => {
            return Loaded::Quarantine { raw, why: format!("version {v} is newer than {current_version}") }
        }
        None => return Loaded::Quarantine { raw, why: "no version".into() },
        _ => {}
    }
    match json::from_value::<T>(raw.clone()) {
        Ok(t) => Loaded::Ok(t),
        Err(e) => Loaded::Quarantine { raw, why: e.to_string() },
    }
}
