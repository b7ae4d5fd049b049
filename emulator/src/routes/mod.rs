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
use http::{Method, Uri};
use tower_http::services::ServeDir;

use crate::errors::ApiError;
use crate::state::AppState;
use crate::{docs, paths};

/// NestJS answers unknown routes, and known paths with another method, with 404.
async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(&method, uri.path())
}

pub fn router(state: Arc<AppState>, static_dir: Option<PathBuf>) -> Router {
    let mut r = Router::new()
        .route(paths::EVENTS, post(events::create).delete(events::delete))
        .route(paths::EVENTS_QUERY, post(events::query))
        .route(paths::LOGIN, post(auth::login))
        .route(paths::REFRESH, post(auth::refresh))
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
    r = r.method_not_allowed_fallback(not_found);
    let r = match static_dir {
        Some(dir) => r.fallback_service(
            ServeDir::new(dir)
                .call_fallback_on_method_not_allowed(true)
                .not_found_service(not_found.into_service()),
        ),
        None => r.fallback(not_found),
    };
    r.with_state(state)
}
