//! Create: the event rules, all or nothing, every problem listed, limits (idempotency:
//! tests/idempotency.rs).

mod common;

use common::{event, Emu};
use serde_json::{json, Value};

#[test]
fn create_stores_fields_as_given_and_answers_ids_in_input_order() {
    let emu = Emu::start();
    let mut with_all = event("1", "C", "2024-05-01T10:00:00+02:00", 0);
    with_all["end"] = json!("2024-05-01T09:00:00.5Z");
    with_all["batch"] = json!("batch-7");
    with_all["value"] = json!("héllo \"quoted\" \\ 🎉 '; DROP TABLE events;--");
    let events = json!([
        with_all,
        event("2", "C", "2024-05-01T00:00:00Z", 1),
        event("3", "C", "2024-04-01T00:00:00Z", 2)
    ]);
    let r = emu.create(&events);
    assert_eq!(r.status, 201, "{}", r.text());
    let body = r.json();
    assert_eq!(body["created"], 3);
    let ids: Vec<String> = body["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(
        ids[0] < ids[1] && ids[1] < ids[2],
        "ids are in insertion order as text: {ids:?}"
    );

    let got = emu.query_ok("", &json!({"sort": {"id": 1}}));
    assert_eq!(got["total"], 3);
    let items = got["items"].as_array().unwrap();
    for (i, item) in items.iter().enumerate() {
        assert_eq!(item["id"], ids[i].as_str());
        let mut expected = events[i].clone();
        expected["id"] = item["id"].clone();
        expected["createdAt"] = item["createdAt"].clone();
        assert_eq!(item, &expected, "stored as given plus id and createdAt");
        let created = item["createdAt"].as_str().unwrap();
        assert_eq!(created.len(), 24, "{created}");
        assert!(
            created.ends_with('Z') && created.as_bytes()[19] == b'.',
            "{created}"
        );
    }
    assert!(
        items[1].get("end").is_none() && items[1].get("batch").is_none(),
        "absent optional fields are not served"
    );
    assert_eq!(emu.stored(), 3);
}

#[test]
fn a_bad_event_refuses_the_whole_create_and_every_problem_is_listed() {
    let emu = Emu::start();
    let mut bad_start = event("1", "C", "yesterday", 1);
    bad_start["batch"] = json!("");
    let mut missing = event("1", "C", "2024-01-01T00:00:00Z", 2);
    missing.as_object_mut().unwrap().remove("owner");
    missing["collection"] = json!(7);
    let mut backwards = event("1", "C", "2024-01-02T00:00:00Z", 3);
    backwards["end"] = json!("2024-01-01T23:59:59+00:00");
    let mut types = event("1", "C", "2024-01-01T00:00:00Z", 4);
    types["value"] = json!(null);
    types["type"] = json!(["a"]);
    types["source"] = json!({"a": 1});
    types["externalId"] = json!(12);
    types["owner"] = json!("");
    let events = json!([
        event("1", "C", "2024-01-01T00:00:00Z", 0),
        bad_start,
        missing,
        backwards,
        types,
        42,
        event("1", "C", "2024-01-01T00:00:00Z", 6)
    ]);
    let r = emu.create(&events);
    assert_eq!(r.status, 400);
    let body = r.json();
    assert_eq!(body["statusCode"], 400);
    assert_eq!(body["error"], "Bad Request");
    assert_eq!(
        body["message"],
        json!([
            "1.start must be an RFC 3339 date-time",
            "1.batch must not be empty",
            "2.owner is required",
            "2.collection must be a non-empty string",
            "3.end must not be before start",
            "4.owner must be a non-empty string",
            "4.value must be a string",
            "4.type must be a string",
            "4.source must be a string",
            "4.externalId must be a string",
            "5 must be an object",
        ])
    );
    assert_eq!(emu.stored(), 0, "nothing stored, not even the valid events");
}

#[test]
fn unknown_fields_are_refused_by_name() {
    let emu = Emu::start();
    let mut e = event("1", "C", "2024-01-01T00:00:00Z", 0);
    e["id"] = json!("x");
    e["createdAt"] = json!("2024-01-01T00:00:00Z");
    e["owner'; DROP TABLE events;--"] = json!(1);
    let r = emu.create(&json!([event("1", "C", "2024-01-01T00:00:00Z", 1), e]));
    assert_eq!(r.status, 400);
    let msgs = r.json()["message"].clone();
    let msgs: Vec<&str> = msgs
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(msgs.contains(&"1.id is not an allowed field"), "{msgs:?}");
    assert!(
        msgs.contains(&"1.createdAt is not an allowed field"),
        "{msgs:?}"
    );
    assert!(
        msgs.contains(&"1.owner'; DROP TABLE events;-- is not an allowed field"),
        "{msgs:?}"
    );
    assert_eq!(emu.stored(), 0);
}

#[test]
fn dates_follow_the_shared_rfc3339_grammar() {
    let emu = Emu::start();
    let good = [
        "2021-01-01T00:00:00Z",
        "2021-01-01t00:00:00z",
        "2024-02-29T23:59:59.123456789+05:30",
        "0000-01-01T00:00:00-23:59",
        "9999-12-31T23:59:59.9Z",
        // RFC 3339 §5.8's leap second, and §5.6's fraction of any length.
        "1990-12-31T23:59:60Z",
        "2021-01-01T00:00:00.1234567890123Z",
    ];
    let events: Vec<Value> = good
        .iter()
        .enumerate()
        .map(|(i, s)| event("1", "C", s, i))
        .collect();
    assert_eq!(emu.create(&Value::Array(events)).status, 201);
    let bad = [
        "2021-01-01 00:00:00Z",
        "2021-01-01T00:00Z",
        "2021-01-01T00:00:00",
        "2021-01-01T00:00:00+0100",
        "2021-12-31T23:59:61Z",
        "2023-02-29T00:00:00Z",
        "2021-04-31T00:00:00Z",
        "2021-01-01T24:00:00Z",
        "2021-01-01T00:00:00.Z",
        "2021-01-01",
        "1609459200",
    ];
    let events: Vec<Value> = bad
        .iter()
        .enumerate()
        .map(|(i, s)| event("1", "C", s, i))
        .collect();
    let r = emu.create(&Value::Array(events));
    assert_eq!(r.status, 400);
    let expected: Vec<String> = (0..bad.len())
        .map(|i| format!("{i}.start must be an RFC 3339 date-time"))
        .collect();
    assert_eq!(r.json()["message"], json!(expected));
    let mut e = event("1", "C", "2024-01-01T00:00:00Z", 0);
    e["end"] = json!("2024-01-01T01:00:00+01:00"); // the same instant: allowed
    assert_eq!(emu.create(&json!([e])).status, 201);
    assert_eq!(emu.stored(), good.len() as i64 + 1);
}

#[test]
fn body_must_be_a_non_empty_array_of_at_most_100000_events() {
    let emu = Emu::start();
    for (body, status) in [
        ("[]", 400),
        ("{}", 400),
        ("\"x\"", 400),
        ("null", 400),
        ("[1]", 400),
    ] {
        let r = emu.call(
            "POST",
            "/api/v1/events",
            &[
                ("Authorization", &emu.bearer()),
                ("Content-Type", "application/json"),
            ],
            Some(body.as_bytes()),
        );
        assert_eq!(r.status, status, "{body}: {}", r.text());
    }
    let one = serde_json::to_string(&event("1", "Big", "2024-01-01T00:00:00Z", 0)).unwrap();
    let body = |n: usize| format!("[{}]", vec![one.as_str(); n].join(","));
    let r = emu.call(
        "POST",
        "/api/v1/events",
        &[
            ("Authorization", &emu.bearer()),
            ("Content-Type", "application/json"),
        ],
        Some(body(100_001).as_bytes()),
    );
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(r.json()["message"].as_str().unwrap().contains("100000"));
    assert_eq!(emu.stored(), 0);
    let r = emu.call(
        "POST",
        "/api/v1/events",
        &[
            ("Authorization", &emu.bearer()),
            ("Content-Type", "application/json"),
        ],
        Some(body(100_000).as_bytes()),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["created"], 100_000);
    assert_eq!(emu.stored(), 100_000);
}
