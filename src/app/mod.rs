//! The application service: one entry point, [`Ctx::handle`], that takes a browser event,
//! loads the session record from storage, runs the domain, saves, and tells every
//! AliExpress tab and extension page what changed. The worker keeps nothing in globals: a
//! worker killed between two events resumes from storage.
//!
//! One room per concern (all are `impl Ctx` blocks):
//! - [`route`]: who sent a message and which room answers it; browser events to rooms.
//! - [`store`]: the records in storage, quarantine of unreadable ones, faults, the order log.
//! - [`activation`]: Activate, the deep link, the navigation, resuming, the landing.
//! - [`facts`]: what a page reports (product, price, checkout, rival links).
//! - [`cart`]: the cart the shopper fills.
//! - [`detection`]: evidence, and what is wrong (problems without words).
//! - [`orders`]: the order log: logging, the later check, rows, export, refunds.
//! - [`account`]: settings and the shopper's linked account.
//! - [`present`]: the words and views: warnings, banner and popup, badge, broadcast.

mod account;
mod activation;
mod cart;
mod detection;
mod facts;
mod orders;
mod present;
mod route;
mod store;

use crate::domain::json::ToJson;
use crate::domain::events::BrowserEvent;
use crate::domain::package::Package;
use crate::domain::protocol::Reply;
use crate::ports::Platform;
use serde_json::Value;

pub use activation::TIMEOUT_ALARM;
pub use orders::ORDER_ALARM_PREFIX;
pub use store::{FAULTS_KEY, MAX_QUARANTINED, QUARANTINE_KEY};

/// A future compiled once and called through a pointer: awaiting it from several places
/// does not copy its state machine into each caller (wasm size).
type Boxed<'b, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + 'b>>;

pub struct Ctx<'a, P: Platform> {
    /// Storage, browser, clock and locale (the ports).
    pub platform: &'a P,
    /// Config, layouts, UI catalogs, registry and banner CSS: read once at worker start.
    pub pkg: &'a Package,
}

fn error(msg: impl Into<String>) -> Reply {
    Reply::Error(msg.into())
}

impl<'a, P: Platform> Ctx<'a, P> {
    /// Handles one event: load → tick → dispatch → save → broadcast. Never panics on bad
    /// input: every failure is an `error` value. The reply is written to JSON here only.
    pub async fn handle(&self, event: BrowserEvent) -> Value {
        if route::ignored(&event) {
            return Value::Null;
        }
        self.handle_typed(event).await.to_json()
    }

    async fn handle_typed(&self, event: BrowserEvent) -> Reply {
        let mut notes = Vec::new();
        let (mut rec, mut settings) = self.load_records(&mut notes).await;
        self.look_at_extensions(&mut rec).await;
        let original = rec.clone();
        let original_settings = settings.clone();
        for note in notes {
            rec.note(note);
        }
        let now = self.platform.now_ms();
        let ticked = self.tick(&mut rec, now);
        let (reply, changed) = self.dispatch(&mut rec, &mut settings, event, now).await;
        if rec != original {
            let _ = self.save(&mut rec).await;
        }
        if ticked || changed || settings != original_settings {
            self.broadcast(&rec, &settings).await;
        }
        reply
    }
}

#[cfg(test)]
mod tests;
