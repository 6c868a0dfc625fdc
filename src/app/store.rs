//! The records in storage: the session record and the settings (versioned; an unreadable
//! one is kept aside in quarantine), the faults the session record could not keep, and the
//! order log.

use super::{Boxed, Ctx};
use crate::domain::json::FromJson;
use crate::domain::orders::{self, LoadedLog, OrderLog};
use crate::domain::record::{self, Loaded, SessionRecord, Settings};
use crate::ports::{join, Area, Platform};
use serde_json::{json, Value};

/// `storage.local`: faults the session record could not keep (its own write failed).
pub const FAULTS_KEY: &str = "faults";
/// `storage.local`: unreadable records kept aside, oldest first.
pub const QUARANTINE_KEY: &str = "quarantine";
/// Quarantined records kept (the oldest go).
pub const MAX_QUARANTINED: usize = 10;
const MAX_FAULTS: usize = 20;

/// Keeps an unreadable record aside in `storage.local` under `quarantine`: a list of
/// `{key, at_ms, raw}`, appended (an earlier one is never overwritten) and bounded to the
/// [`MAX_QUARANTINED`] most recent.
fn quarantine<'b, P: Platform>(p: &'b P, key: &'b str, raw: Value) -> Boxed<'b, String> {
    Box::pin(async move {
        let mut kept = match p.get(Area::Local, QUARANTINE_KEY).await {
            Ok(Some(Value::Array(a))) => a,
            _ => Vec::new(),
        };
        kept.push(json!({"key": key, "at_ms": p.now_ms(), "raw": raw}));
        let over = kept.len().saturating_sub(MAX_QUARANTINED);
        kept.drain(..over);
        let _ = p.set(Area::Local, QUARANTINE_KEY, Value::Array(kept)).await;
        format!("{QUARANTINE_KEY} (storage.local)")
    })
}

/// Reads a versioned record; an undecodable one is kept aside ([`quarantine`]) and replaced
/// by a fresh record at once (so the next event does not find it unreadable again), with a
/// note saying so.
async fn load<P: Platform, T: FromJson + serde::Serialize + Default>(
    p: &P,
    area: Area,
    key: &str,
    version: u32,
    notes: &mut Vec<String>,
) -> T {
    match p.get(area, key).await {
        Err(e) => {
            notes.push(format!("storage read of {key} failed: {e}"));
            T::default()
        }
        Ok(raw) => match record::decode::<T>(raw, version) {
            Loaded::Ok(t) => t,
            Loaded::Missing => T::default(),
            Loaded::Quarantine { raw, why } => {
                let kept = quarantine(p, key, raw).await;
                notes.push(format!("stored {key} was unreadable ({why}); kept as {kept}, started fresh"));
                let fresh = T::default();
                if let Err(e) = p.set(area, key, serde_json::to_value(&fresh).unwrap_or(Value::Null)).await {
                    notes.push(format!("storage write of {key} failed: {e}"));
                }
                fresh
            }
        },
    }
}

impl<'a, P: Platform> Ctx<'a, P> {
    /// The session record and the settings, read together; what went wrong goes to `notes`.
    pub(super) async fn load_records(&self, notes: &mut Vec<String>) -> (SessionRecord, Settings) {
        let mut more = Vec::new();
        let records = join(
            load(self.platform, Area::Session, record::SESSION_KEY, record::SESSION_VERSION, notes),
            load(self.platform, Area::Local, record::SETTINGS_KEY, record::SETTINGS_VERSION, &mut more),
        )
        .await;
        notes.extend(more);
        records
    }

    /// Writes the session record. A failure is kept in `storage.local` (a separate quota)
    /// for the popup's Diagnostics, not only in the record that could not be written.
    pub(super) fn save<'b>(&'b self, rec: &'b mut SessionRecord) -> Boxed<'b, Result<(), String>> {
        Box::pin(async move {
            let v = serde_json::to_value(&*rec).unwrap_or(Value::Null);
            let Err(e) = self.platform.set(Area::Session, record::SESSION_KEY, v).await else { return Ok(()) };
            let line = format!("storage write of the session failed: {e}");
            rec.note(line.clone());
            let mut faults = match self.platform.get(Area::Local, FAULTS_KEY).await {
                Ok(Some(Value::Array(a))) => a,
                _ => Vec::new(),
            };
            faults.push(Value::String(format!("{} {line}", orders::iso_utc(self.platform.now_ms()))));
            let over = faults.len().saturating_sub(MAX_FAULTS);
            faults.drain(..over);
            let _ = self.platform.set(Area::Local, FAULTS_KEY, Value::Array(faults)).await;
            Err(e)
        })
    }

    /// The faults kept by [`Self::save`], oldest first (none when unreadable).
    pub(super) async fn faults(&self) -> Vec<String> {
        match self.platform.get(Area::Local, FAULTS_KEY).await {
            Ok(Some(Value::Array(faults))) => faults.iter().filter_map(|f| f.as_str().map(str::to_string)).collect(),
            _ => Vec::new(),
        }
    }

    /// Writes the settings (the caller says what a failure means to the shopper).
    pub(super) fn save_settings<'b>(&'b self, settings: &'b Settings) -> Boxed<'b, Result<(), String>> {
        Box::pin(async move { self.platform.set(Area::Local, record::SETTINGS_KEY, serde_json::to_value(settings).unwrap_or(Value::Null)).await })
    }

    /// Reads the order log; an unreadable one is kept aside under `quarantine.orders`
    /// (never overwritten) and an empty log is used.
    pub(super) fn load_orders<'b>(&'b self, notes: &'b mut Vec<String>) -> Boxed<'b, OrderLog> {
        Box::pin(async move {
            let raw = match self.platform.get(Area::Local, orders::ORDERS_KEY).await {
                Ok(raw) => raw,
                Err(e) => {
                    notes.push(format!("storage read of the order log failed: {e}"));
                    return OrderLog::default();
                }
            };
            match orders::decode(raw) {
                LoadedLog::Ok { log, notes: n } => {
                    notes.extend(n);
                    log
                }
                LoadedLog::Unreadable { raw, why } => {
                    let kept = quarantine(self.platform, orders::ORDERS_KEY, raw).await;
                    notes.push(format!("stored order log was unreadable ({why}); kept as {kept}, started a new one"));
                    OrderLog::default()
                }
            }
        })
    }

    /// Writes the order log; a failure (quota) is reported, not swallowed.
    pub(super) fn save_orders<'b>(&'b self, log: &'b OrderLog) -> Boxed<'b, Result<(), String>> {
        Box::pin(async move {
            let v = serde_json::to_value(log).map_err(|e| e.to_string())?;
            self.platform.set(Area::Local, orders::ORDERS_KEY, v).await.map_err(|e| format!("could not save the order log: {e}"))
        })
    }
}
