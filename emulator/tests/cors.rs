//! CORS: preflights answered, and every answer carries the CORS headers.

mod common;

use common::{event, Emu};
use serde_json::json;

#[test]
fn preflights_are_answered_on_every_route() {
    let emu = Emu::start();
    for path in [
        "/api/v1/events",
        "/api/v1/events/query?page=1",
        "/api/v1/events?collection=a",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh-token",
        "/anything",
    ] {
        let r = emu.call(
            "OPTIONS",
            path,
            &[
                ("Origin", "https://app.example"),
                ("Access-Control-Request-Method", "POST"),
                (
                    "Access-Control-Request-Headers",
                    "authorization, content-type, idempotency-key",
                ),
            ],
            None,
        );
        assert_eq!(r.status, 204, "{path}");
        assert_eq!(
            r.header("access-control-allow-origin"),
            Some("https://app.example")
        );
        assert_eq!(
            r.header("access-control-allow-methods"),
            Some("GET, POST, DELETE, OPTIONS")
        );
        assert_eq!(
            r.header("access-control-allow-headers"),
            Some("Authorization, Content-Type, Content-Encoding, Idempotency-Key")
        );
        assert_eq!(r.header("access-control-max-age"), Some("86400"));
        assert_eq!(
            r.header("access-control-expose-headers"),
            Some("Retry-After")
        );
        assert_eq!(r.header("vary"), Some("Origin"));
        assert!(r.body.is_empty());
    }
    // Without an Origin, `*`.
    let r = emu.call("OPTIONS", "/api/v1/events", &[], None);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    // Preflights need no token and are not counted.
    assert_eq!(
        emu.stats()["requests"],
        json!({"create": 0, "query": 0, "delete": 0, "auth": 0})
    );
}

#[test]
fn every_answer_carries_the_cors_headers() {
    let emu = Emu::start_args(&["--max-body-bytes", "2000"]);
    let o = ("Origin", "http://localhost:5173");
    let auth = emu.bearer();
    let good = json!([event("1", "C", "2024-01-01T00:00:00Z", 0)]).to_string();
    let answers = vec![
        emu.call(
            "POST",
            "/api/v1/events",
            &[
                o,
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            Some(good.as_bytes()),
        ),
        emu.call(
            "POST",
            "/api/v1/events",
            &[
                o,
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            Some(b"[]"),
        ),
        emu.call(
            "POST",
            "/api/v1/events",
            &[o, ("Content-Type", "application/json")],
            Some(good.as_bytes()),
        ),
        emu.call(
            "POST",
            "/api/v1/events",
            &[o, ("Authorization", &auth), ("Content-Type", "text/plain")],
            Some(good.as_bytes()),
        ),
        emu.call(
            "POST",
            "/api/v1/events",
            &[
                o,
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            Some("x".repeat(3000).as_bytes()),
        ),
        emu.call(
            "POST",
            "/api/v1/events/query",
            &[o, ("Authorization", &auth)],
            None,
        ),
        emu.call("GET", "/nope", &[o], None),
        emu.call("GET", "/api/docs-json", &[o], None),
        emu.call("GET", "/api/docs", &[o], None),
    ];
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [201, 400, 401, 415, 413, 200, 404, 200, 200]);
    emu.faults(&json!({"sequence": ["503", "429"]}));
    let mut all = answers;
    for _ in 0..2 {
        all.push(emu.call(
            "POST",
            "/api/v1/events/query",
            &[o, ("Authorization", &auth)],
            None,
        ));
    }
    for r in &all {
        assert_eq!(
            r.header("access-control-allow-origin"),
            Some("http://localhost:5173"),
            "{}",
            r.status
        );
        assert_eq!(
            r.header("access-control-expose-headers"),
            Some("Retry-After"),
            "{}",
            r.status
        );
    }
    assert_eq!(all[all.len() - 1].header("retry-after"), Some("1"));
}
