//! Hostile requests beyond `robustness.rs`: operator and SQL injection through filter
//! values, prototype keys, wildcard characters, content-type look-alikes, odd
//! Idempotency-Keys, oversized headers and NUL bytes. Each gets a 4xx or an exact
//! answer, never a 5xx, and the emulator keeps serving with its data intact.

mod common;

use common::{event, http, Emu};
use serde_json::{json, Value};

fn seeded() -> Emu {
    let emu = Emu::start();
    let mut evs = vec![];
    for (i, owner) in ["a", "b", "%", "_", "a' OR '1'='1"].iter().enumerate() {
        evs.push(event(owner, "H", "2024-01-01T00:00:00Z", i));
    }
    emu.create_ok(&Value::Array(evs));
    emu
}

fn total(emu: &Emu, body: &Value) -> u64 {
    emu.query_ok("?pageSize=1", body)["total"].as_u64().unwrap()
}

#[test]
fn injection_through_filter_values_matches_only_exact_text() {
    let emu = seeded();
    for (filter, expect) in [
        (json!({"owner": "a' OR '1'='1"}), 1),
        (json!({"owner": "a\" OR \"1\"=\"1"}), 0),
        (json!({"owner": "x') OR 1=1 --"}), 0),
        (json!({"owner": {"$in": ["x') OR 1=1 --", "b"]}}), 1),
        (json!({"owner": {"$ne": "x' OR 1=1 --"}}), 5),
        (json!({"owner": "%"}), 1), // a LIKE wildcard is plain text here
        (json!({"owner": "_"}), 1),
        (json!({"owner": "a%"}), 0),
        (json!({"owner": "*"}), 0),
        (json!({"owner": "a; DELETE FROM events"}), 0),
        (json!({"collection": "H\u{0}"}), 0),
    ] {
        assert_eq!(
            total(&emu, &json!({ "filter": filter })),
            expect,
            "{filter}"
        );
    }
    assert_eq!(emu.stored(), 5, "nothing deleted");
}

#[test]
fn operator_objects_as_operands_are_refused_not_matched() {
    let emu = seeded();
    for (filter, needle) in [
        (
            json!({"owner": {"$ne": {"$gt": ""}}}),
            "filter.owner.$ne must be a string, a number or null",
        ),
        (
            json!({"owner": {"$in": [{"$gt": ""}]}}),
            "filter.owner.$in.0 must be a string, a number or null",
        ),
        (json!({"owner": {"$eq": ["a"]}}), "filter.owner.$eq must be"),
        (
            json!({"owner": {"$gt": {"$where": "1"}}}),
            "filter.owner.$gt must be a string or a number",
        ),
        (
            json!({"$where": "this.owner == 'a'"}),
            "filter.$where is not a known field",
        ),
        (
            json!({"$and": [{"owner": "a"}]}),
            "filter.$and is not a known field",
        ),
        (
            json!({"owner": {"$exists": 1}}),
            "filter.owner.$exists must be a boolean",
        ),
        (
            json!({"__proto__": {"owner": "a"}}),
            "filter.__proto__ is not a known field",
        ),
        (
            json!({"constructor": "a"}),
            "filter.constructor is not a known field",
        ),
        (
            json!({"owner": {"__proto__": "a"}}),
            "unknown operator __proto__",
        ),
    ] {
        let r = emu.query("", &json!({ "filter": filter }));
        assert_eq!(r.status, 400, "{filter}: {}", r.text());
        assert!(
            r.text().contains(needle),
            "{filter}: expected {needle:?} in {}",
            r.text()
        );
    }
    for body in [
        json!({"__proto__": {}}),
        json!({"constructor": {"prototype": {}}}),
        json!({"sort": {"__proto__": 1}}),
    ] {
        let r = emu.query("", &body);
        assert_eq!(r.status, 400, "{body}: {}", r.text());
    }
    // Too many values in one filter.
    let many: Vec<String> = (0..20_000).map(|i| i.to_string()).collect();
    let r = emu.query("", &json!({"filter": {"owner": {"$in": many}}}));
    assert_eq!(r.status, 400);
    assert!(r.text().contains("at most 10000 values"), "{}", r.text());
    assert_eq!(emu.stored(), 5);
}

#[test]
fn content_type_look_alikes_are_refused() {
    let emu = Emu::start();
    let auth = emu.bearer();
    let body = json!([event("1", "CT", "2024-01-01T00:00:00Z", 0)]).to_string();
    for (ct, status) in [
        ("application/json", 201),
        ("APPLICATION/JSON", 201),
        ("application/json; charset=utf-8", 201),
        ("application/jsonx", 415),
        ("application/json-patch+json", 415),
        ("text/json", 415),
        ("application/x-www-form-urlencoded", 415),
        ("multipart/form-data; boundary=x", 415),
        ("", 415),
        ("json", 415),
    ] {
        let r = emu.call(
            "POST",
            "/api/v1/events",
            &[("Authorization", &auth), ("Content-Type", ct)],
            Some(body.as_bytes()),
        );
        assert_eq!(r.status, status, "{ct:?}: {}", r.text());
    }
    assert_eq!(emu.stored(), 3);
}

#[test]
fn idempotency_keys_must_be_visible_ascii() {
    let emu = Emu::start();
    let auth = emu.bearer();
    let body = json!([event("1", "IK", "2024-01-01T00:00:00Z", 0)]).to_string();
    let create = |key: &[u8]| {
        let mut head = http::head(
            "POST",
            "/api/v1/events",
            &emu.addr,
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            Some(body.len()),
        )
        .into_bytes();
        // The raw header bytes go in as given, before the blank line.
        let at = head.len() - 2;
        let line = [b"Idempotency-Key: ".as_slice(), key, b"\r\n"].concat();
        head.splice(at..at, line);
        let mut s = http::connect(&emu.addr);
        std::io::Write::write_all(&mut s, &head).unwrap();
        std::io::Write::write_all(&mut s, body.as_bytes()).unwrap();
        http::read_response(&mut s).unwrap()
    };
    for key in [&b"a b"[..], b"a\tb", "é".as_bytes(), b"k\xff"] {
        let r = create(key);
        assert_eq!(r.status, 400, "{key:?}: {}", r.text());
        assert!(
            r.text()
                .contains("Idempotency-Key must be 1 to 255 visible ASCII characters"),
            "{key:?}: {}",
            r.text()
        );
    }
    // A control character does not even parse as a header: hyper answers 400 itself.
    assert_eq!(create(b"\x7f").status, 400);
    assert_eq!(emu.stored(), 0);
    for key in [&b"a:b-c_d.e~f!$&'()*+,;=@[]"[..], b"x"] {
        assert_eq!(create(key).status, 201, "{key:?}");
    }
    assert_eq!(emu.stored(), 2);
}

#[test]
fn oversized_headers_and_tokens_do_not_take_it_down() {
    let emu = Emu::start();
    let huge = format!("Bearer {}", "a".repeat(1 << 20));
    // hyper refuses a head this size (431) or drops the connection; either way, no 5xx.
    if let Ok(r) = emu.try_call(
        "POST",
        "/api/v1/events/query",
        &[("Authorization", &huge)],
        None,
    ) {
        assert!(r.status == 431 || r.status == 401, "{}", r.status);
    }
    let long_token = format!(
        "Bearer {}.{}.{}",
        "a".repeat(20_000),
        "b".repeat(20_000),
        "c".repeat(20_000)
    );
    let r = emu.call(
        "POST",
        "/api/v1/events/query",
        &[("Authorization", &long_token)],
        None,
    );
    assert_eq!(r.status, 401);
    assert!(r.text().len() < 300, "the answer does not echo the token");
    let many: Vec<(String, String)> = (0..500)
        .map(|i| (format!("X-H{i}"), "v".repeat(100)))
        .collect();
    let mut h: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let auth = emu.bearer();
    h.push(("Authorization", &auth));
    let _ = emu.try_call("POST", "/api/v1/events/query", &h, None);
    // Still serving.
    assert_eq!(
        emu.create_ok(&json!([event("1", "OK", "2024-01-01T00:00:00Z", 0)]))
            .len(),
        1
    );
}

#[test]
fn nul_bytes_and_odd_unicode_round_trip_exactly() {
    let emu = Emu::start();
    let odd = [
        "nul\u{0}byte",
        "\u{feff}bom",
        "e\u{301}",
        "\u{202e}rtl",
        "😀",
        "\u{10ffff}",
        "line\nbreak",
        "'\"\\",
    ];
    let evs: Vec<Value> = odd
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut e = event(s, s, "2024-01-01T00:00:00Z", i);
            e["value"] = json!(s);
            e["externalId"] = json!(s);
            e["batch"] = json!(s);
            e
        })
        .collect();
    emu.create_ok(&Value::Array(evs));
    for s in odd {
        let got = emu.query_ok("", &json!({"filter": {"collection": s}}));
        assert_eq!(got["total"], 1, "{s:?}");
        let e = &got["items"][0];
        for k in ["owner", "collection", "value", "externalId", "batch"] {
            assert_eq!(e[k], json!(s), "{k} of {s:?}");
        }
    }
    // A body that starts with a byte-order mark is not JSON.
    let auth = emu.bearer();
    let r = emu.call(
        "POST",
        "/api/v1/events",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        Some("\u{feff}[]".as_bytes()),
    );
    assert_eq!(r.status, 400);
    assert!(r.text().contains("malformed JSON"), "{}", r.text());
}

#[test]
fn a_create_with_a_hundred_thousand_unknown_fields_is_refused_whole() {
    let emu = Emu::start();
    let mut e = event("1", "U", "2024-01-01T00:00:00Z", 0);
    for i in 0..100_000 {
        e[format!("k{i}")] = json!(i);
    }
    let r = emu.create(&json!([e]));
    assert_eq!(r.status, 400);
    let lines = r.json()["message"].as_array().unwrap().len();
    assert_eq!(lines, 100_000);
    assert_eq!(emu.stored(), 0);
}
