//! Reading request bodies within the byte limit (compressed ones too), and the JSON
//! content-type check.

use std::io::Read;

use axum::body::Body;
use bytes::{Bytes, BytesMut};
use flate2::read::{MultiGzDecoder, ZlibDecoder};
use http::{header, HeaderMap, StatusCode};
use http_body_util::BodyExt;

use crate::errors::ApiError;

/// How a request body is encoded (`Content-Encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    /// HTTP's `deflate`: zlib-wrapped (RFC 1950), as Express's body parser reads it.
    Deflate,
}

/// The body's encoding; `415` for any other, or for any at all when the emulator was
/// started with `--refuse-content-encoding` (a service that does not inflate bodies).
pub fn encoding(headers: &HeaderMap, compressed_ok: bool) -> Result<Encoding, ApiError> {
    let Some(value) = headers.get(header::CONTENT_ENCODING) else {
        return Ok(Encoding::Identity);
    };
    let name = value.to_str().unwrap_or("?").trim().to_ascii_lowercase();
    let found = match name.as_str() {
        "" | "identity" => return Ok(Encoding::Identity),
        "gzip" | "x-gzip" => Encoding::Gzip,
        "deflate" => Encoding::Deflate,
        _ => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("Content-Encoding {name} is not supported (gzip, deflate or none)"),
            ))
        }
    };
    if !compressed_ok {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Content-Encoding {name} is not supported: send the body uncompressed"),
        ));
    }
    Ok(found)
}

/// Inflates `raw`, stopping as soon as the output passes `max` bytes: a small "gzip
/// bomb" gets `413` after `max + 1` bytes of work and memory, never inflated whole.
fn inflate(raw: &[u8], encoding: Encoding, max: u64) -> Result<Bytes, ApiError> {
    let decoder: Box<dyn Read + '_> = match encoding {
        Encoding::Identity => return Ok(Bytes::copy_from_slice(raw)),
        Encoding::Gzip => Box::new(MultiGzDecoder::new(raw)),
        Encoding::Deflate => Box::new(ZlibDecoder::new(raw)),
    };
    let mut out = Vec::new();
    decoder
        .take(max + 1)
        .read_to_end(&mut out)
        .map_err(|e| ApiError::bad_request(format!("the request body could not be decompressed: {e}")))?;
    if out.len() as u64 > max {
        return Err(ApiError::too_large(format!(
            "request body is larger than {max} bytes once decompressed"
        )));
    }
    Ok(out.into())
}

/// True for `application/json`, with or without parameters such as `charset`.
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

/// Most bytes of a refused request body read and thrown away before answering.
const DRAIN_MAX: u64 = 256 * 1024 * 1024;

/// Answers may go out before the request body is read (a 413, an injected fault); the
/// rest of the body is then read and thrown away in the background (up to `DRAIN_MAX`
/// bytes, or until the client hangs up), as Node's HTTP server (under NestJS) does. The
/// answer is not delayed; without this the connection closes mid-upload, and Firefox
/// sends the request again by itself (the wasm-bindgen suite in Firefox saw it).
pub fn drain_in_background(body: Body) {
    tokio::spawn(drain(body));
}

/// A request body that, dropped before its end (an answer went out without reading it:
/// a 401, a 404, a 409, a 415), reads and throws away the rest in the background as
/// `drain_in_background` does. Without it hyper closes the connection with the upload
/// still coming, and a client sending 4 MB or more meets a reset (EPIPE) instead of
/// the answer: it would never see the 401 that tells it to renew its token.
pub struct DrainOnDrop(Option<hyper::body::Incoming>);

impl DrainOnDrop {
    pub fn new(body: hyper::body::Incoming) -> DrainOnDrop {
        DrainOnDrop(Some(body))
    }
}

impl hyper::body::Body for DrainOnDrop {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, hyper::Error>>> {
        match self.0.as_mut() {
            Some(body) => std::pin::Pin::new(body).poll_frame(cx),
            None => std::task::Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.0.as_ref().map_or(true, hyper::body::Body::is_end_stream)
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.0.as_ref().map(hyper::body::Body::size_hint).unwrap_or_default()
    }
}

impl Drop for DrainOnDrop {
    fn drop(&mut self) {
        if let Some(body) = self.0.take().filter(|b| !hyper::body::Body::is_end_stream(b)) {
            drain_in_background(Body::new(body));
        }
    }
}

async fn drain(mut body: Body) {
    let mut seen = 0u64;
    while let Some(Ok(frame)) = body.frame().await {
        if let Ok(data) = frame.into_data() {
            seen += data.len() as u64;
            if seen > DRAIN_MAX {
                return;
            }
        }
    }
}

/// Reads the whole body, refusing with 413 as soon as it is known to exceed `max`: from
/// `Content-Length` before reading anything, or while streaming a body without one, so
/// an oversized body is never held in memory whole (the rest is read and dropped). A `gzip` or `deflate` body is
/// inflated, and the limit applies to what it inflates to as well.
pub async fn read_limited(headers: &HeaderMap, body: Body, max: u64, compressed_ok: bool) -> Result<Bytes, ApiError> {
    let encoding = match encoding(headers, compressed_ok) {
        Ok(e) => e,
        Err(refused) => {
            drain_in_background(body);
            return Err(refused);
        }
    };
    let raw = read_raw(headers, body, max).await?;
    if encoding == Encoding::Identity {
        return Ok(raw);
    }
    // Inflating is CPU work: off the async threads.
    tokio::task::spawn_blocking(move || inflate(&raw, encoding, max))
        .await
        .unwrap_or_else(|e| Err(ApiError::internal(format!("decompression failed: {e}"))))
}

async fn read_raw(headers: &HeaderMap, body: Body, max: u64) -> Result<Bytes, ApiError> {
    let too_large = || ApiError::too_large(format!("request body is larger than {max} bytes"));
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        drain_in_background(body);
        return Err(too_large());
    }
    let mut buf = BytesMut::with_capacity(declared.unwrap_or(0).min(max) as usize);
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame
            .map_err(|e| ApiError::bad_request(format!("could not read the request body: {e}")))?;
        if let Ok(data) = frame.into_data() {
            if (buf.len() + data.len()) as u64 > max {
                drain_in_background(body);
                return Err(too_large());
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(buf.freeze())
}
