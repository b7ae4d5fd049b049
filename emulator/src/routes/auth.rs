//! `POST /auth/login` and `POST /auth/refresh-token`: tokens for demos and tests.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use http::{HeaderMap, StatusCode};
use serde_json::{json, Value};

use crate::auth::{TokenKind, REFRESH_TTL_SECS};
use crate::body::{is_json, read_limited};
use crate::errors::{json_response, ApiError};
use crate::state::AppState;

/// Auth bodies are tiny: a small cap whatever `--max-body-bytes` says.
const MAX_AUTH_BODY: u64 = 64 * 1024;

async fn json_body(headers: &HeaderMap, body: Body, max: u64) -> Result<Value, ApiError> {
    if !is_json(headers) {
        return Err(ApiError::unsupported_media_type());
    }
    let bytes = read_limited(headers, body, max.min(MAX_AUTH_BODY), true).await?;
    serde_json::from_slice(&bytes).map_err(|e| crate::validate::malformed(&e))
}

/// The access and refresh tokens for one user.
pub fn token_pair(st: &AppState, sub: &str, org: &str) -> Value {
    json!({
        "token": st.tokens.issue(&st.cfg.secret, sub, org, TokenKind::Access, st.cfg.token_ttl_secs),
        "refreshToken": st.tokens.issue(&st.cfg.secret, sub, org, TokenKind::Refresh, REFRESH_TTL_SECS),
    })
}

/// Any non-empty username, password and organizationId is accepted.
pub async fn login(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let v = json_body(&headers, body, st.cfg.max_body_bytes).await?;
    let Value::Object(m) = &v else {
        return Err(ApiError::bad_request("body must be a JSON object"));
    };
    let mut problems = Vec::new();
    let mut field = |name: &str| match m.get(name) {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => {
            problems.push(format!("{name} must be a non-empty string"));
            String::new()
        }
    };
    let (user, _password, org) = (
        field("username"),
        field("password"),
        field("organizationId"),
    );
    if !problems.is_empty() {
        return Err(ApiError::problems(problems));
    }
    Ok(json_response(
        StatusCode::OK,
        token_pair(&st, &user, &org).to_string(),
    ))
}

/// A valid refresh token buys a new access token and a new refresh token.
pub async fn refresh(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let v = json_body(&headers, body, st.cfg.max_body_bytes).await?;
    let Some(token) = v
        .get("refreshToken")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
    else {
        return Err(ApiError::bad_request(
            "refreshToken must be a non-empty string",
        ));
    };
    let claims = st
        .tokens
        .verify(&st.cfg.secret, token, TokenKind::Refresh)
        .map_err(ApiError::unauthorized)?;
    Ok(json_response(
        StatusCode::OK,
        token_pair(&st, &claims.sub, &claims.org).to_string(),
    ))
}
