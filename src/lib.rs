//! Cashback Guard core. `domain` is pure Rust (no web-sys), tested natively; `app` is the
//! application service that drives the domain through the `ports`; `web` binds the ports
//! to `chrome.*` and is compiled only for wasm32.

pub mod app;
pub mod domain;
pub mod memory;
pub mod ports;

#[cfg(target_arch = "wasm32")]
pub mod web;

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
