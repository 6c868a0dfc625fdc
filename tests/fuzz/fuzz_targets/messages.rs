//! Message decoding: JSON bytes → `serde_json::Value` → `Request` and `BrowserEvent`
//! (and a message event's payload as a `Request`), plus the stored-record decoder that
//! quarantines what it cannot read, and the order log's decoder (v1 migration, per-entry
//! quarantine) with its CSV export. Nothing here may panic.
#![no_main]

use cashback_guard::domain::events::BrowserEvent;
use cashback_guard::domain::messages::Request;
use cashback_guard::domain::orders::{self, LoadedLog};
use cashback_guard::domain::record::{self, SessionRecord, Settings, SESSION_VERSION, SETTINGS_VERSION};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(v) = serde_json::from_slice::<Value>(data) else { return };
    let _ = Request::decode(v.clone());
    if let Ok(BrowserEvent::Message { msg, .. }) = BrowserEvent::decode(v.clone()) {
        let _ = Request::decode(msg);
    }
    let _ = record::decode::<SessionRecord>(Some(v.clone()), SESSION_VERSION);
    let _ = record::decode::<Settings>(Some(v.clone()), SETTINGS_VERSION);
    if let LoadedLog::Ok { log, .. } = orders::decode(Some(v)) {
        let _ = orders::to_csv(&log);
    }
});
