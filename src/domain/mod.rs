//! The pure domain: parsing, state machines and maths. No browser APIs here.

pub mod attribution;
pub mod cart;
pub mod config;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod differential;
pub mod events;
#[cfg(test)]
mod test_rng;
pub mod evidence;
pub mod extensions;
pub mod extract;
pub mod i18n;
pub mod json;
pub mod layout;
pub mod lenient;
pub mod messages;
pub mod money;
pub mod orders;
pub mod package;
pub mod price;
pub mod product;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod props;
pub mod protocol;
pub mod record;
pub mod session;
pub mod trackers;
pub mod url;
pub mod view;
