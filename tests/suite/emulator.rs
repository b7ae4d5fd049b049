//! Talking to the emulator's own endpoints: login, stats, faults.

use gloo_net::http::Request;
use serde_json::{json, Value};

/// The emulator's origin, baked in at compile time by the test command.
pub fn origin() -> &'static str {
    option_env!("EVENTS_EMULATOR_URL").unwrap_or("http://127.0.0.1:8787")
}

pub fn api() -> String {
    format!("{}/api/v1", origin())
}

pub async fn post_json(url: &str, body: &Value) -> (u16, Value) {
    let resp = Request::post(url).json(body).unwrap().send().await.expect("emulator reachable");
    let status = resp.status();
    let value = resp.json::<Value>().await.unwrap_or(Value::Null);
    (status, value)
}

/// `(access token, refresh token)` for a fresh login.
pub async fn login(user: &str) -> (String, String) {
    let (status, body) = post_json(
        &format!("{}/auth/login", api()),
        &json!({"username": user, "password": "pw", "organizationId": "org"}),
    )
    .await;
    assert_eq!(status, 200, "login: {body}");
    (body["token"].as_str().unwrap().to_string(), body["refreshToken"].as_str().unwrap().to_string())
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub events: u64,
    pub create: u64,
    pub query: u64,
    pub delete: u64,
    pub auth: u64,
    /// Creates answered from the idempotency record (a key seen before).
    pub replayed: u64,
}

pub async fn stats() -> Stats {
    let resp = Request::get(&format!("{}/__emulator/stats", origin())).send().await.unwrap();
    let v: Value = resp.json().await.unwrap();
    let n = |p: &str| v.pointer(p).and_then(Value::as_u64).unwrap_or_else(|| panic!("stats lack {p}: {v}"));
    Stats {
        events: n("/events"),
        create: n("/requests/create"),
        query: n("/requests/query"),
        delete: n("/requests/delete"),
        auth: n("/requests/auth"),
        replayed: n("/replayed"),
    }
}

pub async fn faults(body: Value) {
    let (status, answer) = post_json(&format!("{}/__emulator/faults", origin()), &body).await;
    assert!(status < 300, "faults: {status} {answer}");
}

pub async fn clear_faults() {
    let resp = Request::delete(&format!("{}/__emulator/faults", origin())).send().await.unwrap();
    assert!(resp.status() < 300);
}

/// Requests held by `hold` faults now.
pub async fn held() -> u64 {
    let resp = Request::get(&format!("{}/__emulator/stats", origin())).send().await.unwrap();
    let v: Value = resp.json().await.unwrap();
    v["held"].as_u64().unwrap_or_else(|| panic!("stats lack held: {v}"))
}

/// Waits, polling every 10 ms for at most 60 s, until `n` requests are held.
pub async fn wait_until_held(n: u64) {
    let deadline = js_sys::Date::now() + 60_000.0;
    loop {
        let now = held().await;
        if now == n {
            return;
        }
        assert!(js_sys::Date::now() < deadline, "waited 60 s for {n} held requests ({now} held)");
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
}

/// Releases every held request: `then` is "handle" or "reset" (no answer, nothing
/// handled); answers how many were released, once each was handled.
pub async fn release(then: &str) -> u64 {
    let (status, answer) = post_json(&format!("{}/__emulator/release", origin()), &json!({"then": then})).await;
    assert_eq!(status, 200, "release: {answer}");
    answer["released"].as_u64().unwrap()
}
