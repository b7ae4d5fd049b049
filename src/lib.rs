//! genomcore-events-wasm: a client for Genomcore's Events API.
//!
//! The pure logic (validation, chunk planning, retry policy, tokens, URLs, and every
//! ASSUMED detail of the contract) is the `genomcore-events-core` crate, re-exported
//! here as `core` and `contract`; `wasm` is the thin `#[wasm_bindgen]` boundary and
//! fetch transport over it.

// No std in the wasm: its panic handler is ours (below), and std would bring its own,
// with the formatting of panic messages that nobody reads (docs/size.md). The `std`
// feature links it for the wasm test builds, whose harness needs it; the native build
// (the re-exported core, for the emulator's tests) has it anyway.
#![cfg_attr(all(target_arch = "wasm32", not(feature = "std")), no_std)]
extern crate alloc;

/// What std's prelude gives and `no_std` does not.
#[allow(unused_imports)]
mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::boxed::Box;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec::Vec;
    pub use alloc::{format, vec};
    pub use genomcore_events_core::text;
}

pub use genomcore_events_core as core;
pub use genomcore_events_core::contract;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

/// talc instead of dlmalloc: 3 KB less gzipped wasm (measured: see Cargo.toml).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// A panic is a bug: the wasm traps (`unreachable`), as std's handler did with
/// `panic = "abort"`, without formatting a message no one sees.
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &::core::panic::PanicInfo) -> ! {
    ::core::arch::wasm32::unreachable()
}
