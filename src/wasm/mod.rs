//! The JS boundary: the `#[wasm_bindgen]` engine (`Engine`, `QueryPages`) and a fetch
//! transport over the pure logic in `crate::core`, under the TypeScript face of
//! `pkg-template/src/`. Errors stay Rust values (`ClientError`) until `errors.rs` turns
//! each into a plain error value with a `name` (the face makes it a class instance).

mod abort;
mod auth;
mod call;
mod client;
mod cell;
mod compress;
#[cfg(feature = "crossing-bench")]
mod crossing_bench;
mod errors;
mod executor;
mod export;
mod js;
mod local;
mod net;
mod options;
mod pages_ahead;
mod query_body;
mod query_pages;
mod session;
mod settle;
mod source;
mod transport;
mod upload;
mod upload_stream;
mod wait;

pub use client::Engine;
pub use query_pages::QueryPages;
