//! Test hooks (only with `--test-hooks`): `/__emulator/stats`, `/__emulator/faults` and
//! `/__emulator/release`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use http::{HeaderMap, StatusCode};
use serde_json::json;

use crate::body::read_limited;
use crate::errors::{json_response, ApiError};
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

/// Clears the plan and lets every held request go on.
pub async fn clear_faults(State(st): State<Arc<AppState>>) -> Response {
    st.faults.clear();
    st.holds.release();
    json_response(StatusCode::OK, json!({"faults": null}).to_string())
}

/// Lets every request held by a `hold` fault go on.
pub async fn release(State(st): State<Arc<AppState>>) -> Response {
    let n = st.holds.release();
    json_response(StatusCode::OK, json!({"released": n}).to_string())
}
