//! Test hooks: stats, every injected fault kind, and releasing held requests.

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::{event, http, Emu};
use serde_json::{json, Value};

fn events_body(n: usize, collection: &str) -> String {
    let v: Vec<Value> = (0..n)
        .map(|i| event("1", collection, "2024-01-01T00:00:00Z", i))
        .collect();
    Value::Array(v).to_string()
}

fn create_raw(emu: &Emu, body: &str, key: Option<&str>) -> std::io::Result<common::Resp> {
    let auth = emu.bearer();
    let mut h = vec![
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];
    if let Some(k) = key {
        h.push(("Idempotency-Key", k));
    }
    emu.try_call("POST", "/api/v1/events", &h, Some(body.as_bytes()))
}

#[test]
fn stats_count_requests_by_kind_rejected_ones_included() {
    let emu = Emu::start();
    assert_eq!(
        emu.stats(),
        json!({"events": 0, "held": 0, "requests": {"create": 0, "query": 0, "delete": 0, "auth": 0}, "faults": {"503": 0, "429": 0, "reset": 0, "lost-response": 0, "delay": 0, "hold": 0, "hold-claimed": 0}, "rateLimited": 0, "replayed": 0})
    );
    emu.create_ok(&json!([
        event("1", "S", "2024-01-01T00:00:00Z", 0),
        event("1", "S", "2024-01-01T00:00:00Z", 1)
    ]));
    assert_eq!(emu.create(&json!([])).status, 400);
    assert_eq!(
        emu.call("POST", "/api/v1/events", &[], Some(b"[]")).status,
        401
    );
    emu.query_ok("", &json!({}));
    assert_eq!(emu.query("?page=-1", &json!({})).status, 400);
    emu.api("DELETE", "/api/v1/events?collection=none", None);
    emu.login("x");
    // Preflights, docs and hooks are not counted.
    emu.call("OPTIONS", "/api/v1/events", &[("Origin", "http://a")], None);
    emu.call("GET", "/api/docs-json", &[], None);
    assert_eq!(
        emu.stats(),
        json!({"events": 2, "held": 0, "requests": {"create": 3, "query": 2, "delete": 1, "auth": 1}, "faults": {"503": 0, "429": 0, "reset": 0, "lost-response": 0, "delay": 0, "hold": 0, "hold-claimed": 0}, "rateLimited": 0, "replayed": 0})
    );
}

#[test]
fn injected_503_and_429_answer_with_retry_after_and_store_nothing() {
    let emu = Emu::start();
    emu.faults(&json!({"sequence": ["503", "429"]}));
    for status in [503, 429] {
        let r = emu.call(
            "POST",
            "/api/v1/events",
            &[
                ("Authorization", &emu.bearer()),
                ("Content-Type", "application/json"),
                ("Origin", "http://demo"),
            ],
            Some(events_body(3, "F").as_bytes()),
        );
        assert_eq!(r.status, status);
        assert_eq!(r.header("retry-after"), Some("1"));
        assert_eq!(r.header("access-control-allow-origin"), Some("http://demo"));
        assert_eq!(
            r.header("access-control-expose-headers"),
            Some("Retry-After")
        );
        assert_eq!(r.json()["statusCode"], status);
    }
    assert_eq!(emu.stored(), 0);
    // The sequence is used up: the next one is handled.
    assert_eq!(
        create_raw(&emu, &events_body(3, "F"), None).unwrap().status,
        201
    );
    assert_eq!(emu.stats()["requests"]["create"], 3);
}

/// A create of `body` written on a fresh connection, left open for the test to read.
fn send_create(emu: &Emu, body: &str) -> std::net::TcpStream {
    let mut s = http::connect(&emu.addr);
    let auth = emu.bearer();
    let head = http::head(
        "POST",
        "/api/v1/events",
        &emu.addr,
        &[("Authorization", &auth), ("Content-Type", "application/json")],
        Some(body.len()),
    );
    s.write_all(head.as_bytes()).unwrap();
    // A fault may close the connection before the body is read: a failed write is fine.
    let _ = s.write_all(body.as_bytes());
    s
}

#[test]
fn reset_closes_the_connection_before_any_answer() {
    let emu = Emu::start();
    emu.faults(&json!({"sequence": ["reset"]}));
    let body = events_body(2, "R");
    let mut s = send_create(&emu, &body);
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got); // EOF or reset, either way no bytes
    assert!(
        got.is_empty(),
        "no answer at all, got {:?}",
        String::from_utf8_lossy(&got)
    );
    assert_eq!(emu.stored(), 0);
    assert_eq!(emu.stats()["requests"]["create"], 1);
    assert_eq!(create_raw(&emu, &body, None).unwrap().status, 201);
}

#[test]
fn lost_response_commits_then_drops_and_a_keyed_retry_replays() {
    let emu = Emu::start();
    emu.faults(&json!({"sequence": ["lost-response"]}));
    let body = events_body(5, "L");
    let err = create_raw(&emu, &body, Some("chunk-L")).expect_err("no answer");
    assert!(
        matches!(
            err.kind(),
            std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset
        ),
        "{err}"
    );
    assert_eq!(emu.stored(), 5, "the create was committed");
    // The client's retry with the same key stores nothing new and learns the ids.
    let r = create_raw(&emu, &body, Some("chunk-L")).unwrap();
    assert_eq!(r.status, 201);
    assert_eq!(r.header("idempotent-replayed"), Some("true"));
    assert_eq!(r.json()["created"], 5);
    assert_eq!(emu.stored(), 5);
    // On a query the answer is dropped just the same.
    emu.faults(&json!({"sequence": ["lost-response"]}));
    assert!(emu
        .try_call(
            "POST",
            "/api/v1/events/query",
            &[("Authorization", &emu.bearer())],
            None
        )
        .is_err());
}

#[test]
fn delay_waits_before_handling() {
    let emu = Emu::start();
    emu.faults(&json!({"sequence": ["delay", "ok"], "delayMs": 400}));
    let t = Instant::now();
    assert_eq!(
        create_raw(&emu, &events_body(1, "D"), None).unwrap().status,
        201
    );
    // A lower bound only: however slow the machine, the answer cannot come sooner.
    assert!(
        t.elapsed() >= Duration::from_millis(400),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(
        create_raw(&emu, &events_body(1, "D"), None).unwrap().status,
        201
    );
    // The sequence's "ok" was not delayed: one delay injected, for two creates.
    let s = emu.stats();
    assert_eq!(s["faults"]["delay"], 1, "{s}");
    assert_eq!(s["requests"]["create"], 2, "{s}");
    assert_eq!(s["events"], 2, "{s}");
}

/// A create sent on its own thread (it may be held): its answer, or the I/O error.
fn create_in_background(
    emu: &Emu,
    body: String,
    key: &str,
) -> std::thread::JoinHandle<std::io::Result<common::Resp>> {
    let (addr, auth, key) = (emu.addr.clone(), emu.bearer(), key.to_owned());
    std::thread::spawn(move || {
        http::request(
            &addr,
            "POST",
            "/api/v1/events",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
                ("Idempotency-Key", &key),
            ],
            Some(body.as_bytes()),
        )
    })
}

/// Waits (at most 30 s, polling the stats) until exactly `n` requests are held.
fn wait_until_held(emu: &Emu, n: u64) {
    assert!(
        common::eventually(Duration::from_secs(30), || emu.stats()["held"] == n),
        "waited 30 s for {n} held requests; stats: {}",
        emu.stats()
    );
}

fn release(emu: &Emu, body: &Value) -> common::Resp {
    emu.call(
        "POST",
        "/__emulator/release",
        &[("Content-Type", "application/json")],
        Some(body.to_string().as_bytes()),
    )
}

#[test]
fn hold_keeps_a_request_unhandled_until_released() {
    let emu = Emu::start();
    emu.faults(&json!({"sequence": ["hold", "hold"]}));
    let first = create_in_background(&emu, events_body(3, "H"), "h-1");
    wait_until_held(&emu, 1);
    let second = create_in_background(&emu, events_body(4, "H"), "h-2");
    wait_until_held(&emu, 2);
    // Held: counted as requests and faults, nothing handled.
    let s = emu.stats();
    assert_eq!(s["requests"]["create"], 2, "{s}");
    assert_eq!(s["faults"]["hold"], 2, "{s}");
    assert_eq!(s["events"], 0, "{s}");
    // The sequence is used up: other requests pass while those two wait.
    assert_eq!(
        create_raw(&emu, &events_body(1, "other"), None)
            .unwrap()
            .status,
        201
    );
    assert_eq!(emu.stored(), 1);
    // Releasing the oldest one answers once it has been handled.
    let r = release(&emu, &json!({"count": 1}));
    assert_eq!(r.json(), json!({"released": 1}));
    assert_eq!(
        emu.stored(),
        4,
        "the first held create was committed before the release answered"
    );
    assert_eq!(emu.stats()["held"], 1);
    let a = first.join().unwrap().expect("an answer");
    assert_eq!((a.status, a.json()["created"].clone()), (201, json!(3)));
    // Released with "reset": the connection closes with no answer, nothing is handled.
    let r = release(&emu, &json!({"then": "reset"}));
    assert_eq!(r.json(), json!({"released": 1}));
    assert!(second.join().unwrap().is_err(), "no answer after a reset");
    assert_eq!(emu.stored(), 4);
    // The same key again: it was never handled, so it is stored now (not replayed).
    let r = create_raw(&emu, &events_body(4, "H"), Some("h-2")).unwrap();
    assert_eq!(r.status, 201);
    assert_eq!(r.header("idempotent-replayed"), None);
    assert_eq!(emu.stored(), 8);
    // Nothing left to release.
    assert_eq!(release(&emu, &json!({})).json(), json!({"released": 0}));
    let s = emu.stats();
    assert_eq!(
        (s["held"].clone(), s["faults"]["hold"].clone()),
        (json!(0), json!(2)),
        "{s}"
    );
}

#[test]
fn clearing_faults_releases_held_requests_and_a_gone_client_is_unlisted() {
    let emu = Emu::start();
    emu.faults(&json!({"rate": 1, "kinds": ["hold"]}));
    let held = create_in_background(&emu, events_body(2, "C"), "c-1");
    wait_until_held(&emu, 1);
    // DELETE /__emulator/faults stops new holds and handles the held request.
    assert_eq!(
        emu.call("DELETE", "/__emulator/faults", &[], None).status,
        200
    );
    assert_eq!(emu.stats()["held"], 0);
    assert_eq!(emu.stored(), 2);
    assert_eq!(held.join().unwrap().unwrap().status, 201);
    // A client that gives up on a held request: its request leaves the list and is
    // never handled.
    emu.faults(&json!({"sequence": ["hold"]}));
    let s = send_create(&emu, &events_body(2, "gone"));
    wait_until_held(&emu, 1);
    drop(s);
    wait_until_held(&emu, 0);
    assert_eq!(release(&emu, &json!({})).json(), json!({"released": 0}));
    assert_eq!(emu.stored(), 2);
}

#[test]
fn bad_releases_are_refused() {
    let emu = Emu::start();
    for body in [
        json!({"count": -1}),
        json!({"count": "1"}),
        json!({"then": "drop"}),
        json!({"other": 1}),
        json!([]),
    ] {
        let r = release(&emu, &body);
        assert_eq!(r.status, 400, "{body}: {}", r.text());
    }
    // No body at all: release everything (nothing here).
    let r = emu.call("POST", "/__emulator/release", &[], None);
    assert_eq!(r.json(), json!({"released": 0}));
}

#[test]
fn rate_faults_are_seeded_and_cleared() {
    let emu = Emu::start();
    let outcome = |emu: &Emu| -> Vec<u16> {
        (0..40)
            .map(|_| {
                emu.try_call(
                    "POST",
                    "/api/v1/events/query",
                    &[("Authorization", &emu.bearer())],
                    None,
                )
                .map(|r| r.status)
                .unwrap_or(0)
            })
            .collect()
    };
    emu.faults(&json!({"rate": 0.5, "kinds": ["503", "429", "reset", "lost-response", "delay"], "delayMs": 10, "seed": 7}));
    let a = outcome(&emu);
    emu.faults(&json!({"rate": 0.5, "kinds": ["503", "429", "reset", "lost-response", "delay"], "delayMs": 10, "seed": 7}));
    let b = outcome(&emu);
    assert_eq!(a, b, "the same seed draws the same faults");
    for kind in [503, 429, 0] {
        assert!(a.contains(&kind), "{kind} drawn in {a:?}");
    }
    assert!(a.iter().filter(|s| **s == 200).count() >= 10, "{a:?}");
    emu.faults(&json!({"rate": 1, "kinds": ["503"]}));
    assert!(outcome(&emu).iter().all(|s| *s == 503));
    let r = emu.call("DELETE", "/__emulator/faults", &[], None);
    assert_eq!(r.status, 200);
    assert!(outcome(&emu).iter().all(|s| *s == 200));
    // Stats count every injected fault by kind: the two seeded runs, then 40 of 503.
    let n = |status: u16| a.iter().filter(|s| **s == status).count() as u64;
    let f = &emu.stats()["faults"];
    let count = |k: &str| f[k].as_u64().unwrap();
    assert_eq!(count("503"), 2 * n(503) + 40, "{f}");
    assert_eq!(count("429"), 2 * n(429), "{f}");
    assert_eq!(count("reset") + count("lost-response"), 2 * n(0), "{f}");
    assert!(count("delay") > 0, "{f}");
}

#[test]
fn faults_leave_auth_preflights_docs_and_hooks_alone() {
    let emu = Emu::start();
    emu.faults(&json!({"rate": 1, "kinds": ["reset"]}));
    let body = json!({"username": "u", "password": "p", "organizationId": "o"}).to_string();
    assert_eq!(
        emu.call(
            "POST",
            "/api/v1/auth/login",
            &[("Content-Type", "application/json")],
            Some(body.as_bytes())
        )
        .status,
        200
    );
    assert_eq!(
        emu.call("OPTIONS", "/api/v1/events", &[("Origin", "http://x")], None)
            .status,
        204
    );
    assert_eq!(emu.call("GET", "/api/docs-json", &[], None).status, 200);
    assert_eq!(emu.stats()["events"], 0);
    assert!(create_raw(&emu, &events_body(1, "X"), None).is_err());
}

#[test]
fn bad_fault_plans_are_refused() {
    let emu = Emu::start();
    for plan in [
        json!({"rate": 1.5, "kinds": ["503"]}),
        json!({"rate": 0.5, "kinds": []}),
        json!({"rate": 0.5, "kinds": ["500"]}),
        json!({"rate": 0.5}),
        json!({"sequence": ["503", "boom"]}),
        json!({"sequence": ["503"], "rate": 0.1}),
        json!({"sequence": ["503"], "delayMs": -1}),
        json!({"sequence": ["503"], "extra": true}),
        json!(["503"]),
    ] {
        let r = emu.call(
            "POST",
            "/__emulator/faults",
            &[("Content-Type", "application/json")],
            Some(plan.to_string().as_bytes()),
        );
        assert_eq!(r.status, 400, "{plan}: {}", r.text());
    }
    let r = emu.call("POST", "/__emulator/faults", &[], Some(b"{nope"));
    assert_eq!(r.status, 400);
}

#[test]
fn hooks_exist_only_with_the_flag() {
    let emu = Emu::spawn(
        &[
            "--addr".into(),
            "127.0.0.1:0".into(),
            "--db".into(),
            ":memory:".into(),
        ],
        std::process::Stdio::inherit(),
    );
    for (m, p) in [
        ("GET", "/__emulator/stats"),
        ("POST", "/__emulator/faults"),
        ("DELETE", "/__emulator/faults"),
        ("POST", "/__emulator/release"),
        ("POST", "/__emulator/expire-tokens"),
        ("POST", "/__emulator/clock"),
    ] {
        let r = emu.call(
            m,
            p,
            &[("Content-Type", "application/json")],
            Some(b"{\"sequence\":[\"503\"]}"),
        );
        assert_eq!(r.status, 404, "{m} {p}");
        assert_eq!(r.json()["message"], format!("Cannot {m} {p}"));
    }
}
