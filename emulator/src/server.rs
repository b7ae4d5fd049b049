//! Connections and the per-request envelope: preflights, stats, injected faults, CORS
//! headers and the request log. Served with hyper-util directly (not `axum::serve`) so
//! that a fault can drop the connection without any answer: when the service future
//! returns `Err`, hyper aborts the connection.

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use axum::Router;
use http::{header, HeaderValue, Method, Request, StatusCode};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tower::ServiceExt;

use crate::cors;
use crate::errors::ApiError;
use crate::faults::{DropConnection, Fault, HoldInHandler, Released, Then};
use crate::paths;
use crate::state::AppState;
use crate::stats::Kind;

/// The service's error: the connection is closed with no answer.
#[derive(Debug)]
struct Dropped(&'static str);

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "connection dropped on purpose ({})", self.0)
    }
}

impl std::error::Error for Dropped {}

pub async fn serve(listener: TcpListener, state: Arc<AppState>, app: Router) {
    loop {
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            Err(_) => {
                // Out of file descriptors and the like: wait instead of spinning.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let (state, app) = (state.clone(), app.clone());
        tokio::spawn(async move {
            let svc = service_fn(move |req| handle(state.clone(), app.clone(), req));
            let mut b = hyper::server::conn::http1::Builder::new();
            b.timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(30));
            let _ = b.serve_connection(TokioIo::new(stream), svc).await;
        });
    }
}

async fn call(app: Router, req: Request<Incoming>) -> Response {
    // A body the handler does not read (an early answer) is read and dropped after it.
    let r: Result<Response, Infallible> = app
        .oneshot(req.map(|b| Body::new(crate::body::DrainOnDrop::new(b))))
        .await;
    match r {
        Ok(r) => r,
        Err(never) => match never {},
    }
}

fn injected(status: StatusCode) -> Response {
    let mut r = ApiError::new(status, "injected fault").into_response();
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

async fn handle(
    state: Arc<AppState>,
    app: Router,
    req: Request<Incoming>,
) -> Result<Response, Dropped> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let origin = req.headers().get(header::ORIGIN).cloned();
    let log = |what: &dyn fmt::Display| {
        if state.cfg.log {
            eprintln!("{method} {path} {what} {}ms", started.elapsed().as_millis());
        }
    };
    if method == Method::OPTIONS {
        let r = cors::preflight(origin.as_ref());
        log(&r.status().as_u16());
        return Ok(r);
    }
    let kind = Kind::of(&method, &path);
    if let Some(k) = kind {
        state.stats.count(k);
    }
    if kind == Some(Kind::Create) {
        if let Some(Err(secs)) = state.rate_limit.as_ref().map(|r| r.admit()) {
            state.stats.count_rate_limited();
            crate::body::drain_in_background(Body::new(req.into_body()));
            let mut r = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded").into_response();
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
            cors::decorate(r.headers_mut(), origin.as_ref());
            log(&429);
            return Ok(r);
        }
    }
    let fault = if paths::is_events(&path) {
        state.faults.next()
    } else {
        None
    };
    if let Some(f) = fault {
        state.stats.count_fault(f);
    }
    let mut resp = match fault {
        Some(Fault::Reset) => {
            log(&"reset");
            return Err(Dropped("reset"));
        }
        Some(Fault::LostResponse) => {
            // The handler runs to the end (a create commits), then the answer is lost.
            let r = call(app, req).await;
            drop(r);
            log(&"lost-response");
            return Err(Dropped("lost-response"));
        }
        Some(Fault::Unavailable) => {
            crate::body::drain_in_background(Body::new(req.into_body()));
            injected(StatusCode::SERVICE_UNAVAILABLE)
        }
        Some(Fault::TooMany) => {
            crate::body::drain_in_background(Body::new(req.into_body()));
            injected(StatusCode::TOO_MANY_REQUESTS)
        }
        Some(Fault::Delay(ms)) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            call(app, req).await
        }
        Some(Fault::HoldClaimed) if method == Method::POST && path == paths::EVENTS.as_str() => {
            // A create is held inside the handler, with its Idempotency-Key in flight.
            let mut req = req;
            req.extensions_mut().insert(HoldInHandler);
            let r = call(app, req).await;
            if r.extensions().get::<DropConnection>().is_some() {
                log(&"held, then reset");
                return Err(Dropped("held, then reset"));
            }
            r
        }
        Some(Fault::Hold | Fault::HoldClaimed) => {
            // `_done` is dropped when this request has been handled: the releasing
            // hook waits for that.
            let Released { then, done: _done } = state.holds.hold().await;
            match then {
                Then::Handle => call(app, req).await,
                Then::Reset => {
                    log(&"held, then reset");
                    return Err(Dropped("held, then reset"));
                }
            }
        }
        Some(Fault::Ok) | None => call(app, req).await,
    };
    cors::decorate(resp.headers_mut(), origin.as_ref());
    log(&resp.status().as_u16());
    Ok(resp)
}
