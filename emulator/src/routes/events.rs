//! `POST /events`, `POST /events/query`, `DELETE /events`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use http::{HeaderMap, HeaderValue, StatusCode, Uri};

use crate::auth::User;
use crate::body::{is_json, read_limited};
use crate::errors::{json_response, ApiError};
use crate::faults::{DropConnection, HoldInHandler, Released, Then};
use crate::idempotency;
use crate::routes::params;
use crate::state::AppState;
use crate::store::{Answer, CreatePlan};
use crate::{filter, validate};

pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";
pub const MAX_IDEMPOTENCY_KEY: usize = genomcore_events_core::contract::MAX_IDEMPOTENCY_KEY_LEN;

/// Runs SQLite and CPU-heavy JSON work off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(ApiError::internal(format!("request handler failed: {e}"))))
}

fn db_error(e: rusqlite::Error) -> ApiError {
    ApiError::internal(format!("storage error: {e}"))
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get(IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    match v.to_str() {
        // `to_str` lets spaces and tabs through: a key is visible characters only.
        Ok(s)
            if !s.is_empty()
                && s.len() <= MAX_IDEMPOTENCY_KEY
                && s.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Ok(Some(s.to_owned()))
        }
        _ => Err(ApiError::bad_request(format!(
            "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters"
        ))),
    }
}

/// The answer to a key whose first request is still being processed.
pub const IN_FLIGHT_MESSAGE: &str =
    "a request with this Idempotency-Key is still being processed; retry later";
/// The answer to a key reused with another body.
pub const KEY_REUSED_MESSAGE: &str = "Idempotency-Key reused with a different body";

pub async fn create(
    State(st): State<Arc<AppState>>,
    user: User,
    hold: Option<Extension<HoldInHandler>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    if !is_json(&headers) {
        return Err(ApiError::unsupported_media_type());
    }
    let key = idempotency_key(&headers)?;
    // Claimed until the create is done (the claim moves into the blocking task, so a
    // client that goes away does not free the key before the commit).
    let claim = match &key {
        Some(k) => Some(
            st.in_flight
                .claim(&user.sub, k)
                .ok_or_else(|| ApiError::conflict(IN_FLIGHT_MESSAGE))?,
        ),
        None => None,
    };
    let bytes = read_limited(&headers, body, st.cfg.max_body_bytes, !st.cfg.refuse_content_encoding).await?;
    // A `hold` fault on a create: held here, its key claimed as in flight; `_released`
    // lives until the create is answered (the releasing hook waits for that).
    let _released = match hold {
        None => None,
        Some(_) => match st.holds.hold().await {
            Released { then: Then::Reset, .. } => {
                let mut r = Response::new(Body::empty());
                r.extensions_mut().insert(DropConnection);
                return Ok(r);
            }
            released => Some(released),
        },
    };
    let store = st.store.clone();
    let answer = blocking(move || {
        let _claim = claim;
        let raw;
        let plan = match validate::parse_batch(&bytes) {
            // Too large is not looked up: the client splits the chunk and sends new keys.
            Err(e) if e.status == StatusCode::PAYLOAD_TOO_LARGE => return Err(e),
            Err(e) => CreatePlan::Refuse(400, e.body()),
            Ok(r) => {
                raw = r;
                match validate::check(&raw) {
                    Ok(events) => CreatePlan::Insert(events),
                    Err(e) => CreatePlan::Refuse(400, e.body()),
                }
            }
        };
        let key = key.map(|k| (k, idempotency::fingerprint(&bytes)));
        if let (None, CreatePlan::Refuse(status, body)) = (&key, &plan) {
            return Ok(Answer {
                status: *status,
                body: body.clone(),
                replayed: false,
            });
        }
        store
            .create(
                &user.sub,
                key.as_ref().map(|(k, fp)| (k.as_str(), fp.as_str())),
                plan,
            )
            .map_err(db_error)
    })
    .await?;
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = json_response(status, answer.body);
    if answer.replayed {
        st.stats.count_replayed();
        r.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(r)
}

pub async fn query(
    State(st): State<Arc<AppState>>,
    _user: User,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (page, page_size) = params::paging(uri.query())?;
    if headers.contains_key(http::header::CONTENT_TYPE) && !is_json(&headers) {
        return Err(ApiError::unsupported_media_type());
    }
    let bytes = read_limited(&headers, body, st.cfg.max_body_bytes, !st.cfg.refuse_content_encoding).await?;
    let empty = bytes.iter().all(|b| b.is_ascii_whitespace());
    if !empty && !is_json(&headers) {
        return Err(ApiError::unsupported_media_type());
    }
    let store = st.store.clone();
    let json = blocking(move || {
        let spec = filter::parse(&bytes)?;
        store.query(&spec, page, page_size).map_err(db_error)
    })
    .await?;
    Ok(json_response(StatusCode::OK, json))
}

pub async fn delete(
    State(st): State<Arc<AppState>>,
    _user: User,
    uri: Uri,
) -> Result<Response, ApiError> {
    let pairs = params::pairs(uri.query())?;
    let collection = match params::get(&pairs, "collection") {
        Some(c) if !c.is_empty() => c.to_owned(),
        _ => {
            return Err(ApiError::bad_request(
                "collection query parameter is required and must not be empty",
            ))
        }
    };
    let store = st.store.clone();
    let n = blocking(move || store.delete_collection(&collection).map_err(db_error)).await?;
    Ok(json_response(
        StatusCode::OK,
        format!("{{\"deleted\":{n}}}"),
    ))
}
