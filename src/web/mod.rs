//! wasm adapters (filled in below).
