//! genomcore-events-wasm: a client for Genomcore's Events API.
//!
//! The pure logic (validation, chunk planning, retry policy, tokens, URLs, and every
//! ASSUMED detail of the contract) is the `genomcore-events-core` crate, re-exported
//! here as `core` and `contract`; `wasm` is the thin `#[wasm_bindgen]` boundary and
//! fetch transport over it.

pub use genomcore_events_core as core;
pub use genomcore_events_core::contract;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

/// talc instead of dlmalloc: 3 KB less gzipped wasm (measured: see Cargo.toml).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
