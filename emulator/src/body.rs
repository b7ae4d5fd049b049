//! Reading request bodies within the byte limit, and the JSON content-type check.

use axum::body::Body;
use bytes::{Bytes, BytesMut};
use http::{header, HeaderMap};
use http_body_util::BodyExt;

use crate::errors::ApiError;

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
/// an oversized body is never held in memory whole (the rest is read and dropped).
pub async fn read_limited(headers: &HeaderMap, body: Body, max: u64) -> Result<Bytes, ApiError> {
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
