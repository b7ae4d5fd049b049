//! Test hooks (only with `--test-hooks`): `/__emulator/stats`, `/__emulator/faults`,
//! `/__emulator/release` (held requests), `/__emulator/expire-tokens` and
//! `/__emulator/clock` (the token clock).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use http::{HeaderMap, StatusCode};
use serde_json::{json, Value};

use crate::body::read_limited;
use crate::errors::{json_response, ApiError};
use crate::faults::Then;
use crate::state::AppState;

pub async fn stats(State(st): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let store = st.store.clone();
    let events = tokio::task::spawn_blocking(move || store.count())
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(json_response(
        StatusCode::OK,
        st.stats.snapshot(events, st.holds.held()).to_string(),
    ))
}

pub async fn set_faults(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let bytes = read_limited(&headers, body, 64 * 1024, true).await?;
    let v: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| crate::validate::malformed(&e))?;
    let summary = st.faults.set(&v).map_err(ApiError::bad_request)?;
    Ok(json_response(
        StatusCode::OK,
        json!({"faults": summary}).to_string(),
    ))
}

/// Clears the plan, and releases every held request (handled normally).
pub async fn clear_faults(State(st): State<Arc<AppState>>) -> Response {
    st.faults.clear();
    st.holds.release(None, Then::Handle).await;
    json_response(StatusCode::OK, json!({"faults": null}).to_string())
}

/// A hook's optional JSON object body (absent or blank: `{}`), with only `allowed` keys.
async fn object_body(
    headers: &HeaderMap,
    body: Body,
    allowed: &[&str],
) -> Result<serde_json::Map<String, Value>, ApiError> {
    let bytes = read_limited(headers, body, 64 * 1024, true).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Default::default());
    }
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| crate::validate::malformed(&e))?;
    let Value::Object(m) = v else {
        return Err(ApiError::bad_request("body must be a JSON object"));
    };
    if let Some(k) = m.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::bad_request(format!(
            "{k} is not an allowed key (allowed: {})",
            allowed.join(", ")
        )));
    }
    Ok(m)
}

/// `{"count"?: n, "then"?: "handle" | "reset"}`: releases the `count` oldest held
/// requests (default all); answers once each has been handled (or dropped).
pub async fn release(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let m = object_body(&headers, body, &["count", "then"]).await?;
    let count = match m.get("count") {
        None => None,
        Some(v) => Some(
            v.as_u64()
                .ok_or("count must be a non-negative integer")
                .map_err(ApiError::bad_request)? as usize,
        ),
    };
    let then = match m.get("then") {
        None => Then::Handle,
        Some(v) => v
            .as_str()
            .and_then(Then::parse)
            .ok_or_else(|| ApiError::bad_request("then must be \"handle\" or \"reset\""))?,
    };
    let released = st.holds.release(count, then).await;
    Ok(json_response(
        StatusCode::OK,
        json!({"released": released}).to_string(),
    ))
}

/// Every access token issued so far is refused as expired from now on.
pub async fn expire_tokens(State(st): State<Arc<AppState>>) -> Response {
    let expired = st.tokens.expire_issued();
    json_response(StatusCode::OK, json!({"expired": expired}).to_string())
}

/// `{"advanceSecs": n}`: moves the token clock forward (it never goes back).
pub async fn clock(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    /// Ten years: far beyond any token's life, far from overflowing.
    const MAX_ADVANCE_SECS: u64 = 10 * 366 * 24 * 3600;
    let m = object_body(&headers, body, &["advanceSecs"]).await?;
    let secs = m
        .get("advanceSecs")
        .and_then(Value::as_u64)
        .filter(|s| *s <= MAX_ADVANCE_SECS)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "advanceSecs must be an integer from 0 to {MAX_ADVANCE_SECS}"
            ))
        })?;
    let offset = st.tokens.advance(secs);
    Ok(json_response(
        StatusCode::OK,
        json!({"offsetSecs": offset}).to_string(),
    ))
}
