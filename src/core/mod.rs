//! The pure logic of the client: plain Rust, no JS, no I/O, no clocks, no randomness
//! (the wasm layer passes times and random numbers in). Tested natively.

pub mod api_error;
pub mod args;
pub mod chunking;
pub mod json_fields;
pub mod json_scan;
pub mod request;
pub mod retry;
pub mod rfc3339;
pub mod token;
pub mod validate;
