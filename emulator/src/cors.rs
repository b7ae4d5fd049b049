//! CORS: the API is called from browsers, from any origin (bearer tokens, no cookies).

use axum::body::Body;
use axum::response::Response;
use http::{header, HeaderMap, HeaderValue, StatusCode};

const ALLOW_METHODS: &str = "GET, POST, DELETE, OPTIONS";
const ALLOW_HEADERS: &str = "Authorization, Content-Type, Content-Encoding, Idempotency-Key";
const MAX_AGE: &str = "86400";

fn allow_origin(origin: Option<&HeaderValue>) -> HeaderValue {
    origin
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("*"))
}

/// Headers that every answer carries, errors and injected faults included.
pub fn decorate(headers: &mut HeaderMap, origin: Option<&HeaderValue>) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin(origin));
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Retry-After"),
    );
    if origin.is_some() {
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
}

/// The answer to a preflight `OPTIONS`, whatever the path.
pub fn preflight(origin: Option<&HeaderValue>) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::NO_CONTENT;
    let h = r.headers_mut();
    decorate(h, origin);
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOW_METHODS),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOW_HEADERS),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(MAX_AGE),
    );
    r
}
