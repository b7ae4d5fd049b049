//! genomcore-events-wasm: a client for Genomcore's Events API.
//!
//! `core` holds the pure logic (tested natively with `cargo test`); `wasm` is the
//! thin `#[wasm_bindgen]` boundary and fetch transport over it.

pub mod contract;
pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
