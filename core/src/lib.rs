//! The pure logic of the genomcore-events-wasm client: plain Rust, no JS, no I/O,
//! no clocks, no randomness (the wasm layer passes times and random numbers in).
//! Tested natively with `cargo test`. Its own crate so that the release profile can
//! build it for speed (the validator runs over every event) while the rest of the
//! wasm is built for size.
//!
//! Cold code carries `#[inline]`: the URL checks, tokens, option values, error
//! bodies, messages (`request`, `token`, `args`, `api_error`, `text`,
//! parts of `retry` and `chunking`). rustc compiles an `#[inline]` function in the
//! crate that calls it, so these are built with the wasm crate's opt-level "z" while
//! the validator, the scanner and the framer (no `#[inline]`) keep this crate's
//! opt-level 2: 1.9 KB less gzipped wasm, the same validation speed (README "Size").

#![no_std]
// No std: the wasm defines its own panic handler, which std would define too (README "Size").
extern crate alloc;
#[cfg(test)]
extern crate std;

/// What std's prelude gives and `no_std` does not.
mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec::Vec;
    pub use alloc::format;
    // (`vec!` only in tests since the JSON answers are read by `JSON.parse` in the wasm.)
    #[cfg(test)]
    pub use alloc::vec;
    pub use crate::text;
}

pub mod contract;

pub mod api_error;
pub mod args;
pub mod chunking;
pub mod compression;
pub mod export;
pub mod json_scan;
pub mod request;
pub mod resume;
pub mod retry;
pub mod rfc3339;
pub mod stream_framer;
pub mod text;
pub mod token;
pub mod validate;
