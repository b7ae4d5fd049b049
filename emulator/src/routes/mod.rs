//! The router: every route, the docs, the test hooks and the NestJS-like 404.

pub mod auth;
pub mod events;
pub mod hooks;
pub mod params;

use std::path::PathBuf;
use std::sync::Arc;

use axum::handler::HandlerWithoutStateExt;
use axum::routing::{get, post};
use axum::Router;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use http::{Method, Uri};
use tower_http::services::ServeDir;

use crate::errors::ApiError;
use crate::state::AppState;
use crate::{docs, paths};

/// NestJS answers unknown routes with 404 `Cannot GET /x`.
async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(&method, uri.path())
}

/// A known path with another method: 405 with `Allow` (axum adds the header), as HTTP
/// says (NestJS itself answers 404 there; a client never sends these).
async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::method_not_allowed(&method, uri.path())
}

pub fn router(state: Arc<AppState>, static_dir: Option<PathBuf>) -> Router {
    let mut r = Router::new()
        .route(&paths::EVENTS, post(events::create).delete(events::delete))
        .route(&paths::EVENTS_QUERY, post(events::query))
        .route(&paths::LOGIN, post(auth::login))
        .route(&paths::REFRESH, post(auth::refresh))
        .route(paths::DOCS_JSON, get(docs::json))
        .route(paths::DOCS, get(docs::page));
    if state.cfg.test_hooks {
        r = r
            .route(paths::HOOK_STATS, get(hooks::stats))
            .route(
                paths::HOOK_FAULTS,
                post(hooks::set_faults).delete(hooks::clear_faults),
            )
            .route(paths::HOOK_RELEASE, post(hooks::release))
            .route(paths::HOOK_EXPIRE_TOKENS, post(hooks::expire_tokens))
            .route(paths::HOOK_CLOCK, post(hooks::clock));
    }
    r = r.method_not_allowed_fallback(method_not_allowed);
    let r = match static_dir {
        Some(dir) => r.fallback_service(
            ServeDir::new(dir)
                .call_fallback_on_method_not_allowed(true)
                .not_found_service(not_found.into_service()),
        ),
        None => r.fallback(not_found),
    };
    // Answers are gzip-compressed when the request says `Accept-Encoding: gzip` (as the
    // contract assumes of the service); the fastest level, as a busy API would pick.
    // Every answer, the smallest too (tower-http's default leaves out bodies under 32
    // bytes: a delete's `{"deleted":0}` came back plain to a client that asked for gzip).
    // (Not a 204 or a 304: they have no body to compress.)
    let with_body = |status: http::StatusCode, _: http::Version, _: &http::HeaderMap, _: &http::Extensions| {
        status != http::StatusCode::NO_CONTENT && status != http::StatusCode::NOT_MODIFIED
    };
    r.layer(CompressionLayer::new().quality(CompressionLevel::Fastest).compress_when(with_body)).with_state(state)
}
