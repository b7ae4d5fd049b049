//! gzip with the platform's `CompressionStream` (every current browser, Node 18+,
//! Deno, Bun, Workers): no compressor compiled into the wasm.

use core::future::{poll_fn, Future};
use core::pin::Pin;
use core::task::Poll;
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

/// `body` gzipped when `wanted`, else `None`, as where the platform has no
/// `CompressionStream` (the body then goes plain: compression is an optimisation,
/// never a requirement). A `poll_fn`, not an async fn (one state machine fewer): the
/// compression starts when it is called, at once awaited by its caller, whose one
/// await serves both cases.
pub fn gzip(body: &Uint8Array, wanted: bool) -> impl Future<Output = Option<Uint8Array>> {
    let compressor = if wanted { JsCompressionStream::new(GZIP_ENCODING).ok() } else { None };
    let mut bytes = compressor.map(|compressor| {
        // The bytes' stream from a `Response` over them (a copy, as a `Blob` would make):
        // the one constructor for both ends, no `Blob` imports.
        let plain: Stream = super::js::get(&BodyReader::new(body), "body").unchecked_into();
        let compressed = plain.pipe_through(&compressor);
        Settled::from(BodyReader::new(&compressed).array_buffer())
    });
    poll_fn(move |cx| match &mut bytes {
        Some(bytes) => match Pin::new(bytes).poll(cx) {
            Poll::Ready(Ok(b)) => Poll::Ready(Some(Uint8Array::new(&b))),
            Poll::Ready(Err(_)) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        },
        None => Poll::Ready(None),
    })
}
