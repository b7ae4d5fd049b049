//! The JS boundary: a thin `#[wasm_bindgen]` layer and a fetch transport over the
//! pure logic in `crate::core`. Errors stay Rust values (`ClientError`) until
//! `errors.rs` turns each into a JS `Error` with a `name` a caller can branch on.

mod abort;
mod auth;
mod call;
mod client;
mod compress;
#[cfg(feature = "crossing-bench")]
mod crossing_bench;
mod errors;
mod export;
mod js;
mod net;
mod options;
mod query_iter;
mod session;
mod source;
mod transport;
mod typescript;
mod upload;
mod upload_stream;

pub use client::EventsClient;
