//! Bad input never crashes the emulator: each gets a clear 4xx, and it keeps serving.

mod common;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::{event, http, Emu};
use serde_json::json;

struct Case {
    what: &'static str,
    method: &'static str,
    path: &'static str,
    content_type: Option<&'static str>,
    extra: Vec<(&'static str, String)>,
    body: Vec<u8>,
    status: u16,
    needle: &'static str,
}

fn case(
    what: &'static str,
    method: &'static str,
    path: &'static str,
    body: impl Into<Vec<u8>>,
    status: u16,
    needle: &'static str,
) -> Case {
    Case {
        what,
        method,
        path,
        content_type: Some("application/json"),
        extra: vec![],
        body: body.into(),
        status,
        needle,
    }
}

#[test]
fn bad_inputs_get_clear_4xx_answers() {
    let emu = Emu::start();
    let good = json!([event("1", "C", "2024-01-01T00:00:00Z", 0)]).to_string();
    let with = |field: &str, v: serde_json::Value| {
        let mut e = event("1", "C", "2024-01-01T00:00:00Z", 0);
        e[field] = v;
        json!([e]).to_string()
    };
    let e = "/api/v1/events";
    let q = "/api/v1/events/query";
    let mut cases = vec![
        case(
            "truncated JSON",
            "POST",
            e,
            "[{\"owner\":",
            400,
            "malformed JSON",
        ),
        case(
            "trailing garbage",
            "POST",
            e,
            format!("{good} x"),
            400,
            "malformed JSON",
        ),
        case(
            "invalid UTF-8",
            "POST",
            e,
            b"[{\"owner\":\"\xff\xfe\"}]".to_vec(),
            400,
            "malformed JSON",
        ),
        case(
            "number out of range",
            "POST",
            e,
            "[1e999999]",
            400,
            "malformed JSON",
        ),
        case(
            "deep nesting",
            "POST",
            e,
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
            400,
            "0 must be an object",
        ),
        case(
            "deep nesting in a query",
            "POST",
            q,
            format!(
                "{{\"filter\":{}{}}}",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
            400,
            "recursion limit",
        ),
        case(
            "body is a number",
            "POST",
            e,
            "42",
            400,
            "body must be a JSON array of events",
        ),
        case(
            "owner is a number",
            "POST",
            e,
            with("owner", json!(1)),
            400,
            "0.owner must be a non-empty string",
        ),
        case(
            "start is a number",
            "POST",
            e,
            with("start", json!(1_704_067_200)),
            400,
            "0.start must be an RFC 3339 date-time",
        ),
        case(
            "SQL in a date",
            "POST",
            e,
            with("start", json!("'; DROP TABLE events;--")),
            400,
            "0.start must be an RFC 3339 date-time",
        ),
        case(
            "SQL in a field name",
            "POST",
            e,
            with("x\"; DROP TABLE events;--", json!(1)),
            400,
            "0.x\\\"; DROP TABLE events;-- is not an allowed field",
        ),
        case(
            "unknown field",
            "POST",
            e,
            with("colour", json!("red")),
            400,
            "0.colour is not an allowed field",
        ),
        case(
            "repeated field",
            "POST",
            e,
            good.replacen("\"owner\":\"1\"", "\"owner\":\"1\",\"owner\":\"2\"", 1),
            400,
            "0.owner is given more than once",
        ),
        case(
            "nulls",
            "POST",
            e,
            "[null, null]",
            400,
            "1 must be an object",
        ),
        case(
            "batch null",
            "POST",
            e,
            with("batch", json!(null)),
            400,
            "0.batch must be a non-empty string",
        ),
        case(
            "end invalid",
            "POST",
            e,
            with("end", json!("2024-02-30T00:00:00Z")),
            400,
            "0.end must be an RFC 3339 date-time",
        ),
        case(
            "query unknown operator",
            "POST",
            q,
            r#"{"filter":{"owner":{"$where":"1"}}}"#,
            400,
            "unknown operator $where",
        ),
        case(
            "query SQL field name",
            "POST",
            q,
            r#"{"filter":{"owner) OR 1=1 --":"x"}}"#,
            400,
            "is not a known field",
        ),
        case(
            "query SQL sort field",
            "POST",
            q,
            r#"{"sort":{"start; DROP TABLE events":1}}"#,
            400,
            "is not a known field",
        ),
        case(
            "query invalid date",
            "POST",
            q,
            r#"{"afterDate":"2024-02-30"}"#,
            400,
            "afterDate must be",
        ),
        case(
            "query malformed",
            "POST",
            q,
            "{\"filter\":",
            400,
            "malformed JSON",
        ),
        case(
            "query wrong type",
            "POST",
            q,
            r#"{"filter":{"owner":{"$in":{"a":1}}}}"#,
            400,
            "must be an array",
        ),
        case(
            "query bad page",
            "POST",
            "/api/v1/events/query?page=1;DROP",
            "{}",
            400,
            "page must be an integer",
        ),
        case(
            "delete without collection",
            "DELETE",
            e,
            "",
            400,
            "collection",
        ),
        case(
            "unknown route",
            "GET",
            "/api/v1/nope",
            "",
            404,
            "Cannot GET /api/v1/nope",
        ),
        case(
            "wrong method",
            "PUT",
            e,
            good.clone(),
            405,
            "Cannot PUT /api/v1/events",
        ),
    ];
    let mut c = case(
        "create as text/plain",
        "POST",
        e,
        good.clone(),
        415,
        "application/json",
    );
    c.content_type = Some("text/plain");
    cases.push(c);
    let mut c = case(
        "create without Content-Type",
        "POST",
        e,
        good.clone(),
        415,
        "application/json",
    );
    c.content_type = None;
    cases.push(c);
    let mut c = case(
        "query as form",
        "POST",
        q,
        "filter=x",
        415,
        "application/json",
    );
    c.content_type = Some("application/x-www-form-urlencoded");
    cases.push(c);
    let mut c = case(
        "Idempotency-Key too long",
        "POST",
        e,
        good.clone(),
        400,
        "Idempotency-Key",
    );
    c.extra.push(("Idempotency-Key", "k".repeat(300)));
    cases.push(c);

    let auth = emu.bearer();
    for c in &cases {
        let mut h: Vec<(&str, &str)> = vec![("Authorization", &auth)];
        if let Some(ct) = c.content_type {
            h.push(("Content-Type", ct));
        }
        for (k, v) in &c.extra {
            h.push((k, v));
        }
        let body = if c.body.is_empty() {
            None
        } else {
            Some(c.body.as_slice())
        };
        let r = emu.call(c.method, c.path, &h, body);
        assert_eq!(r.status, c.status, "{}: {}", c.what, r.text());
        let v = r.json();
        assert_eq!(v["statusCode"], c.status, "{}", c.what);
        assert!(
            r.text().contains(c.needle),
            "{}: expected {:?} in {}",
            c.what,
            c.needle,
            r.text()
        );
    }
    assert!(cases.len() >= 15);
    assert_eq!(
        emu.stored(),
        0,
        "nothing stored, and the events table is still there"
    );
    assert_eq!(
        emu.create_ok(&json!([event("1", "C", "2024-01-01T00:00:00Z", 0)]))
            .len(),
        1,
        "still serving"
    );
}

#[test]
fn a_declared_body_over_the_limit_is_refused_before_it_is_sent() {
    let emu = Emu::start_args(&["--max-body-bytes", "65536"]);
    let mut s = http::connect(&emu.addr);
    let auth = emu.bearer();
    // Announce a gigabyte, send only the head: the answer comes without the body.
    let head = http::head(
        "POST",
        "/api/v1/events",
        &emu.addr,
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        Some(1 << 30),
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(b"[").unwrap();
    let r = http::read_response(&mut s).unwrap();
    assert_eq!(r.status, 413, "{}", r.text());
    assert_eq!(r.json()["error"], "Payload Too Large");
    assert!(r.text().contains("65536"));
    // A body within the limit still works.
    let body = json!([event("1", "C", "2024-01-01T00:00:00Z", 0)]).to_string();
    assert_eq!(
        emu.call(
            "POST",
            "/api/v1/events",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json")
            ],
            Some(body.as_bytes())
        )
        .status,
        201
    );
    // Query bodies are limited too.
    let big = format!("{{\"filter\":{{\"owner\":\"{}\"}}}}", "x".repeat(70_000));
    assert_eq!(
        emu.call(
            "POST",
            "/api/v1/events/query",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json")
            ],
            Some(big.as_bytes())
        )
        .status,
        413
    );
}

#[test]
fn a_streamed_body_over_the_limit_is_cut_off_without_being_read_whole() {
    let mut emu = Emu::start_args(&["--max-body-bytes", "65536"]);
    let mut s = http::connect(&emu.addr);
    let auth = emu.bearer();
    let head = format!(
        "POST /api/v1/events HTTP/1.1\r\nHost: {}\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        emu.addr
    );
    s.write_all(head.as_bytes()).unwrap();
    // Stream up to 256 MiB in chunks, no Content-Length; stop when the server hangs up.
    let sent = Arc::new(AtomicUsize::new(0));
    let mut w = s.try_clone().unwrap();
    let sent_w = sent.clone();
    let writer = std::thread::spawn(move || {
        let chunk = format!("{:x}\r\n{}\r\n", 16384, "[".repeat(16384));
        while sent_w.load(Ordering::Relaxed) < 256 << 20 {
            if w.write_all(chunk.as_bytes()).is_err() {
                break;
            }
            sent_w.fetch_add(16384, Ordering::Relaxed);
        }
    });
    let r = http::read_response(&mut s).expect("an answer while still sending");
    assert_eq!(r.status, 413);
    let at_answer = sent.load(Ordering::Relaxed);
    let _ = s.shutdown(std::net::Shutdown::Both);
    writer.join().unwrap();
    assert!(
        at_answer < 64 << 20,
        "answered after {at_answer} bytes: the server did not wait for the whole body"
    );
    assert!(emu.is_running());
    assert_eq!(emu.stored(), 0);
}

#[test]
fn many_bad_requests_at_once_leave_it_serving() {
    let emu = Arc::new(Emu::start());
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let emu = emu.clone();
            std::thread::spawn(move || {
                let auth = emu.bearer();
                for i in 0..25 {
                    let body = match (t + i) % 4 {
                        0 => b"[{".to_vec(),
                        1 => b"[{\"owner\":1}]".to_vec(),
                        2 => b"{\"filter\":{\"x\":1}}".to_vec(),
                        _ => vec![0xff; 100],
                    };
                    let path = if i % 2 == 0 {
                        "/api/v1/events"
                    } else {
                        "/api/v1/events/query"
                    };
                    let r = http::request(
                        &emu.addr,
                        "POST",
                        path,
                        &[
                            ("Authorization", &auth),
                            ("Content-Type", "application/json"),
                        ],
                        Some(&body),
                    )
                    .unwrap();
                    assert!((400..500).contains(&r.status), "{}", r.status);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let mut emu = Arc::try_unwrap(emu).ok().unwrap();
    assert!(emu.is_running());
    let s = emu.stats();
    assert_eq!(
        s["requests"]["create"].as_u64().unwrap() + s["requests"]["query"].as_u64().unwrap(),
        200
    );
    assert_eq!(s["events"], 0);
}

/// A known path with a method it does not serve: 405 with `Allow` (RFC 9110), in the
/// NestJS error shape; an unknown path stays 404.
#[test]
fn other_methods_on_known_paths_get_405_with_allow() {
    let emu = Emu::start();
    let auth = emu.bearer();
    for (method, path, allow) in [
        ("PUT", "/api/v1/events", "POST,DELETE"),
        ("PATCH", "/api/v1/events", "POST,DELETE"),
        ("GET", "/api/v1/events/query", "POST"),
        ("DELETE", "/api/v1/auth/login", "POST"),
        ("POST", "/api/docs-json", "GET,HEAD"),
        ("TRACE", "/api/docs", "GET,HEAD"),
    ] {
        for headers in [vec![("Authorization", auth.as_str())], vec![]] {
            let r = emu.call(method, path, &headers, None);
            assert_eq!(r.status, 405, "{method} {path}: {}", r.text());
            assert_eq!(r.header("allow"), Some(allow), "{method} {path}");
            assert_eq!(
                r.json(),
                json!({"statusCode": 405, "error": "Method Not Allowed", "message": format!("Cannot {method} {path}")})
            );
        }
    }
    let r = emu.call("PUT", "/api/v1/nope", &[], None);
    assert_eq!(r.status, 404);
}

/// An answer given without reading the body (a bad token, an unknown path, a wrong
/// content type) still reaches a client that sends a large body whole: the rest is read
/// and dropped, not cut off by closing the connection (the client would meet a reset,
/// not the 401 that tells it to renew its token).
#[test]
fn early_answers_to_large_bodies_arrive_whole() {
    let emu = Emu::start();
    let auth = emu.bearer();
    let body = vec![b' '; 16 << 20];
    let cases: [(&str, &[(&str, &str)], u16); 3] = [
        ("/api/v1/events", &[("Authorization", "Bearer not.a.token"), ("Content-Type", "application/json")], 401),
        ("/api/v2/events", &[("Authorization", &auth), ("Content-Type", "application/json")], 404),
        ("/api/v1/events", &[("Authorization", &auth), ("Content-Type", "text/plain")], 415),
    ];
    for (path, headers, status) in cases {
        let mut s = http::connect(&emu.addr);
        let head = http::head("POST", path, &emu.addr, headers, Some(body.len()));
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(&body)
            .unwrap_or_else(|e| panic!("{path} answering {status}: the body could not be sent whole: {e}"));
        let r = http::read_response(&mut s).unwrap_or_else(|e| panic!("{path}: no answer: {e}"));
        assert_eq!(r.status, status, "{path}: {}", r.text());
    }
}
