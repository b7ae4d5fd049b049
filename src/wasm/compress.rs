//! gzip with the platform's `CompressionStream` (every current browser, Node 18+,
//! Deno, Bun, Workers): no compressor compiled into the wasm.

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use super::settle::Settled;

use crate::contract::GZIP_ENCODING;

#[wasm_bindgen]
extern "C" {
    type Stream;
    #[wasm_bindgen(method, js_name = pipeThrough)]
    fn pipe_through(this: &Stream, transform: &JsValue) -> Stream;

    #[wasm_bindgen(js_name = CompressionStream)]
    type JsCompressionStream;
    #[wasm_bindgen(constructor, js_class = "CompressionStream", catch)]
    fn new(format: &str) -> Result<JsCompressionStream, JsValue>;

    #[wasm_bindgen(js_name = Response)]
    type BodyReader;
    #[wasm_bindgen(constructor, js_class = "Response")]
    fn new(body: &JsValue) -> BodyReader;
    #[wasm_bindgen(method, js_name = arrayBuffer, js_class = "Response")]
    fn array_buffer(this: &BodyReader) -> Promise;
}

/// `body`'s gzip started when `wanted`, else `None`, as where the platform has no
/// `CompressionStream` (the body then goes plain: compression is an optimisation,
/// never a requirement). Its caller awaits the `Settled` (no future of our own around
/// it: one state machine and its poll fewer).
pub fn gzip(body: &Uint8Array, wanted: bool) -> Option<Settled> {
    let compressor = if wanted { JsCompressionStream::new(GZIP_ENCODING).ok() } else { None };
    compressor.map(|compressor| {
        // The bytes' stream from a `Response` over them (a copy, as a `Blob` would make):
        // the one constructor for both ends, no `Blob` imports.
        let plain: Stream = super::js::get(&BodyReader::new(body), "body").unchecked_into();
        let compressed = plain.pipe_through(&compressor);
        Settled::from(BodyReader::new(&compressed).array_buffer())
    })
}
