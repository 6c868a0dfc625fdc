//! Browser tests (wasm-bindgen-test, real Chromium): the code that touches web-sys/js-sys.
#![cfg(target_arch = "wasm32")]
