//! Query: the SDK's own example, both date readings, numbers against strings, every
//! operator, sort and paging, and the refusals.

mod common;

use common::{event, Emu};
use serde_json::{json, Value};

fn starts(answer: &Value) -> Vec<String> {
    answer["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["start"].as_str().unwrap().to_owned())
        .collect()
}

fn values(answer: &Value) -> Vec<String> {
    answer["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap().to_owned())
        .collect()
}

/// Events of owner "1" in TestCollection around 2024-04-01..2024-04-08, plus decoys.
fn seed_sdk_example(emu: &Emu) {
    let in_out = [
        ("2024-03-31T23:59:59.999Z", "out: just before the first day"),
        ("2024-04-01T00:00:00Z", "in: first instant of the first day"),
        ("2024-04-05T12:00:00+02:00", "in: middle"),
        (
            "2024-04-08T23:59:59.999999999Z",
            "in: last instant of the last day",
        ),
        (
            "2024-04-09T01:30:00+02:00",
            "in: 2024-04-08T23:30Z written with an offset",
        ),
        ("2024-04-09T00:00:00Z", "out: the day after"),
        ("2023-04-05T00:00:00Z", "out: a year before"),
    ];
    let mut events: Vec<Value> = in_out
        .iter()
        .enumerate()
        .map(|(i, (start, v))| {
            let mut e = event("1", "TestCollection", start, i);
            e["value"] = json!(v);
            e
        })
        .collect();
    let mut other_owner = event("2", "TestCollection", "2024-04-03T00:00:00Z", 90);
    other_owner["value"] = json!("out: other owner");
    let mut other_collection = event("1", "OtherCollection", "2024-04-03T00:00:00Z", 91);
    other_collection["value"] = json!("out: other collection");
    let mut owner_text_10 = event("10", "TestCollection", "2024-04-03T00:00:00Z", 92);
    owner_text_10["value"] = json!("out: owner 10 is not owner 1");
    events.extend([other_owner, other_collection, owner_text_10]);
    emu.create_ok(&Value::Array(events));
}

#[test]
fn the_sdk_query_example_verbatim() {
    let emu = Emu::start();
    seed_sdk_example(&emu);
    // As in the SDK's documentation: owner $in [1] (a number), sort start -1, the two
    // dates; sent byte for byte as written here.
    let body = r#"{
            "filter": {"owner": {"$in": [1]}, "collection": {"$in": ["TestCollection"]}},
            "sort": {"start": -1},
            "beforeDate": "2024-04-01",
            "afterDate": "2024-04-08"
        }"#;
    let got = emu.query_raw_ok("?page=0&pageSize=10000", body);
    assert_eq!(
        values(&got),
        [
            "in: last instant of the last day",
            "in: 2024-04-08T23:30Z written with an offset",
            "in: middle",
            "in: first instant of the first day",
        ]
    );
    assert_eq!(got["total"], 4);
    assert_eq!(got["page"], 0);
    assert_eq!(got["pageSize"], 10000);
    // Every item is the owner-1 TestCollection event it claims to be.
    for item in got["items"].as_array().unwrap() {
        assert_eq!(item["owner"], "1");
        assert_eq!(item["collection"], "TestCollection");
    }
}

#[test]
fn both_readings_of_before_and_after_date() {
    let emu = Emu::start();
    seed_sdk_example(&emu);
    let base =
        json!({"filter": {"owner": "1", "collection": "TestCollection"}, "sort": {"start": 1}});
    let with = |extra: Value| {
        let mut b = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        emu.query_ok("", &b)
    };
    // The names' reading (after = lower bound, before = upper bound) gives the same.
    let sdk = with(json!({"beforeDate": "2024-04-01", "afterDate": "2024-04-08"}));
    let names = with(json!({"afterDate": "2024-04-01", "beforeDate": "2024-04-08"}));
    assert_eq!(sdk["items"], names["items"]);
    assert_eq!(sdk["total"], 4);
    // Only one bound.
    let before = with(json!({"beforeDate": "2024-04-01"}));
    assert_eq!(
        values(&before),
        [
            "out: a year before",
            "out: just before the first day",
            "in: first instant of the first day"
        ]
    );
    let after = with(json!({"afterDate": "2024-04-08"}));
    assert_eq!(
        values(&after),
        [
            "in: 2024-04-08T23:30Z written with an offset",
            "in: last instant of the last day",
            "out: the day after"
        ]
    );
    // Date-times are exact bounds, included, compared as instants.
    let exact = with(
        json!({"afterDate": "2024-04-05T10:00:00Z", "beforeDate": "2024-04-05T12:00:00+02:00"}),
    );
    assert_eq!(values(&exact), ["in: middle"]);
    let exact_swapped = with(
        json!({"beforeDate": "2024-04-05T10:00:00Z", "afterDate": "2024-04-05T12:00:00+02:00"}),
    );
    assert_eq!(values(&exact_swapped), ["in: middle"]);
    // Invalid values are refused.
    for bad in [
        json!({"beforeDate": "2024-13-01"}),
        json!({"afterDate": "yesterday"}),
        json!({"beforeDate": 20240401}),
        json!({"afterDate": "2024-04-01T00:00"}),
    ] {
        let mut b = base.clone();
        for (k, v) in bad.as_object().unwrap() {
            b[k] = v.clone();
        }
        let r = emu.query("", &b);
        assert_eq!(r.status, 400, "{bad}");
        assert!(
            r.text()
                .contains("Date must be an RFC 3339 date-time or a YYYY-MM-DD date"),
            "{}",
            r.text()
        );
    }
}

#[test]
fn numbers_match_string_fields_by_their_text() {
    let emu = Emu::start();
    let mut evs = Vec::new();
    for (i, (owner, value)) in [("1", "1.5"), ("1.0", "2"), ("10", "x"), ("-3", "1e3")]
        .iter()
        .enumerate()
    {
        let mut e = event(owner, "N", "2024-01-01T00:00:00Z", i);
        e["value"] = json!(value);
        evs.push(e);
    }
    emu.create_ok(&Value::Array(evs));
    let owners = |filter: Value| -> Vec<String> {
        let got = emu.query_ok("", &json!({"filter": filter, "sort": {"id": 1}}));
        got["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["owner"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(owners(json!({"owner": 1})), ["1"]);
    assert_eq!(
        owners(json!({"owner": {"$eq": 1.0}})),
        ["1"],
        "1.0 is the number 1, whose text is \"1\""
    );
    assert_eq!(owners(json!({"owner": {"$in": [1, 10]}})), ["1", "10"]);
    assert_eq!(owners(json!({"owner": {"$in": [-3]}})), ["-3"]);
    assert_eq!(owners(json!({"value": 1.5})), ["1"]);
    assert_eq!(
        owners(json!({"value": {"$in": [2, 1000]}})),
        ["1.0"],
        "1000 is not the text \"1e3\""
    );
    assert_eq!(
        owners(json!({"owner": "1.0"})),
        ["1.0"],
        "strings match exactly"
    );
}

#[test]
fn every_operator() {
    let emu = Emu::start();
    let mut a = event("a", "Ops", "2024-01-01T00:00:00Z", 0);
    a["batch"] = json!("b1");
    a["end"] = json!("2024-01-01T01:00:00Z");
    let mut b = event("b", "Ops", "2024-01-02T00:00:00+01:00", 1); // 2024-01-01T23:00Z
    b["batch"] = json!("b2");
    let c = event("c", "Ops", "2024-01-03T00:00:00Z", 2);
    let d = event("d", "Ops", "2024-01-04T00:00:00Z", 3);
    let ids = emu.create_ok(&json!([a, b, c, d]));
    let owners = |filter: Value| -> Vec<String> {
        let got = emu.query_ok("", &json!({"filter": filter, "sort": {"owner": 1}}));
        assert_eq!(
            got["total"].as_u64().unwrap() as usize,
            got["items"].as_array().unwrap().len()
        );
        got["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["owner"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(owners(json!({"owner": "b"})), ["b"], "bare value is $eq");
    assert_eq!(owners(json!({"owner": {"$eq": "c"}})), ["c"]);
    assert_eq!(owners(json!({"owner": {"$ne": "c"}})), ["a", "b", "d"]);
    assert_eq!(
        owners(json!({"owner": {"$in": ["a", "d", "zz"]}})),
        ["a", "d"]
    );
    assert_eq!(owners(json!({"owner": {"$in": []}})), Vec::<String>::new());
    assert_eq!(owners(json!({"owner": {"$nin": ["a", "d"]}})), ["b", "c"]);
    assert_eq!(owners(json!({"owner": {"$gt": "b"}})), ["c", "d"]);
    assert_eq!(owners(json!({"owner": {"$gte": "b"}})), ["b", "c", "d"]);
    assert_eq!(owners(json!({"owner": {"$lt": "b"}})), ["a"]);
    assert_eq!(owners(json!({"owner": {"$lte": "b"}})), ["a", "b"]);
    assert_eq!(
        owners(json!({"owner": {"$gt": "a", "$lt": "d"}})),
        ["b", "c"],
        "operators in one object are ANDed"
    );
    // Optional fields: $exists, and $ne/$nin also match events without the field.
    assert_eq!(owners(json!({"batch": {"$exists": true}})), ["a", "b"]);
    assert_eq!(owners(json!({"batch": {"$exists": false}})), ["c", "d"]);
    assert_eq!(owners(json!({"batch": {"$ne": "b1"}})), ["b", "c", "d"]);
    assert_eq!(owners(json!({"batch": {"$nin": ["b1"]}})), ["b", "c", "d"]);
    assert_eq!(owners(json!({"batch": null})), ["c", "d"]);
    assert_eq!(owners(json!({"end": {"$exists": true}})), ["a"]);
    assert_eq!(
        owners(json!({"owner": {"$exists": true}})),
        ["a", "b", "c", "d"]
    );
    // Dates compare as instants, whatever the offset; a bare date is the whole day.
    assert_eq!(
        owners(json!({"start": {"$gt": "2024-01-01T22:59:59Z"}})),
        ["b", "c", "d"]
    );
    assert_eq!(
        owners(json!({"start": {"$lt": "2024-01-01T23:00:00Z"}})),
        ["a"]
    );
    assert_eq!(
        owners(json!({"start": {"$lte": "2024-01-01T23:00:00Z"}})),
        ["a", "b"]
    );
    assert_eq!(
        owners(json!({"start": {"$gte": "2024-01-02T00:00:00+01:00"}})),
        ["b", "c", "d"]
    );
    assert_eq!(
        owners(json!({"start": {"$eq": "2024-01-01T23:00:00Z"}})),
        ["b"],
        "equal as instants"
    );
    assert_eq!(
        owners(json!({"start": {"$in": ["2024-01-03T01:00:00+01:00", "2024-01-04T00:00:00Z"]}})),
        ["c", "d"]
    );
    assert_eq!(
        owners(json!({"start": {"$lte": "2024-01-01"}})),
        ["a", "b"],
        "$lte a day: up to its end"
    );
    assert_eq!(
        owners(json!({"start": {"$gt": "2024-01-01"}})),
        ["c", "d"],
        "$gt a day: after its end"
    );
    assert_eq!(owners(json!({"start": {"$gte": "2024-01-03"}})), ["c", "d"]);
    assert_eq!(owners(json!({"start": {"$lt": "2024-01-03"}})), ["a", "b"]);
    assert_eq!(
        owners(json!({"end": {"$gte": "2024-01-01T00:30:00Z"}})),
        ["a"]
    );
    // id and the other fields.
    assert_eq!(owners(json!({"id": ids[2]})), ["c"]);
    assert_eq!(owners(json!({"id": {"$gt": ids[1]}})), ["c", "d"]);
    assert_eq!(
        owners(
            json!({"externalId": {"$in": ["ext-0", "ext-3"]}, "type": "note", "source": "test", "value": {"$ne": "x"}, "collection": "Ops"})
        ),
        ["a", "d"]
    );
    // Values that look like SQL are only values.
    assert_eq!(
        owners(json!({"owner": "a' OR '1'='1"})),
        Vec::<String>::new()
    );
    assert_eq!(
        owners(json!({"owner": {"$in": ["'; DROP TABLE events;--"]}})),
        Vec::<String>::new()
    );
    assert_eq!(emu.stored(), 4);
}

#[test]
fn sort_and_paging_never_overlap_or_skip() {
    let emu = Emu::start();
    // 57 events over 4 start values and 3 types: many ties.
    let evs: Vec<Value> = (0..57)
        .map(|i| {
            let mut e = event(
                &format!("o{}", i % 5),
                "Pages",
                &format!("2024-01-0{}T00:00:00Z", 1 + i % 4),
                i,
            );
            e["type"] = json!(["x", "y", "z"][i % 3]);
            e
        })
        .collect();
    let ids = emu.create_ok(&Value::Array(evs));
    // Raw text: the key order of a sort object matters, and serde_json's map sorts keys.
    for sort in [
        "",
        r#"{"start": -1}"#,
        r#"{"start": 1}"#,
        r#"{"type": 1, "start": -1}"#,
        r#"{"start": -1, "type": 1}"#,
        r#"{"owner": -1}"#,
        r#"{"id": -1}"#,
    ] {
        let body = if sort.is_empty() {
            "{}".to_string()
        } else {
            format!(r#"{{"sort": {sort}}}"#)
        };
        let all = emu.query_raw_ok("", &body);
        assert_eq!(all["total"], 57);
        let all_ids = Emu::ids(&all);
        let mut paged = Vec::new();
        for page in 0..7 {
            let got = emu.query_raw_ok(&format!("?page={page}&pageSize=10"), &body);
            assert_eq!(got["total"], 57);
            assert_eq!(got["page"], page);
            assert_eq!(got["pageSize"], 10);
            let n = Emu::ids(&got);
            assert_eq!(
                n.len(),
                if page < 5 {
                    10
                } else if page == 5 {
                    7
                } else {
                    0
                }
            );
            paged.extend(n);
        }
        assert_eq!(
            paged, all_ids,
            "sort {sort}: pages are the full result in order"
        );
        let mut unique = paged.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 57);
        // The order is the requested one, ties broken by id ascending.
        let items = all["items"].as_array().unwrap();
        for w in items.windows(2) {
            let key = |e: &Value| -> (String, String, String) {
                (
                    e["start"].as_str().unwrap().into(),
                    e["type"].as_str().unwrap().into(),
                    e["owner"].as_str().unwrap().into(),
                )
            };
            let (a, b) = (key(&w[0]), key(&w[1]));
            let (ia, ib) = (w[0]["id"].as_str().unwrap(), w[1]["id"].as_str().unwrap());
            let ord = match sort {
                "" | r#"{"start": 1}"# => a.0.cmp(&b.0),
                r#"{"start": -1}"# => b.0.cmp(&a.0),
                r#"{"type": 1, "start": -1}"# => a.1.cmp(&b.1).then(b.0.cmp(&a.0)),
                r#"{"start": -1, "type": 1}"# => b.0.cmp(&a.0).then(a.1.cmp(&b.1)),
                r#"{"owner": -1}"# => b.2.cmp(&a.2),
                _ => ib.cmp(ia),
            };
            assert!(
                ord.is_lt() || (ord.is_eq() && ia < ib),
                "sort {sort}: {:?} then {:?}",
                w[0],
                w[1]
            );
        }
    }
    // Default sort is start ascending, then id.
    let first = emu.query_ok("?pageSize=1", &json!({}));
    assert_eq!(starts(&first), ["2024-01-01T00:00:00Z"]);
    assert_eq!(Emu::ids(&first), [ids[0].clone()]);
}

#[test]
fn paging_parameters_are_checked() {
    let emu = Emu::start();
    emu.create_ok(&json!([event("1", "P", "2024-01-01T00:00:00Z", 0)]));
    let d = emu.query_ok("", &json!({}));
    assert_eq!(
        (d["page"].as_u64(), d["pageSize"].as_u64()),
        (Some(0), Some(10000))
    );
    let d = emu.query_ok("?pageSize=10000&page=3", &json!({}));
    assert_eq!(d["items"], json!([]));
    assert_eq!(d["total"], 1);
    for qs in [
        "?page=-1",
        "?page=1.5",
        "?page=abc",
        "?page=",
        "?pageSize=0",
        "?pageSize=10001",
        "?pageSize=-5",
        "?pageSize=1e3",
    ] {
        let r = emu.query(qs, &json!({}));
        assert_eq!(r.status, 400, "{qs}: {}", r.text());
        assert!(r.text().contains("must be an integer"), "{}", r.text());
    }
}

#[test]
fn query_bodies_that_are_refused() {
    let emu = Emu::start();
    let cases = [
        (json!({"filters": {}}), "filters is not an allowed key"),
        (
            json!({"filter": {"owner'; DROP TABLE events;--": "x"}}),
            "is not a known field",
        ),
        (
            json!({"filter": {"$or": [{"owner": "1"}]}}),
            "filter.$or is not a known field",
        ),
        (
            json!({"filter": {"owner": {"$regex": "a.*"}}}),
            "unknown operator $regex",
        ),
        (
            json!({"filter": {"owner": {"$in": "a"}}}),
            "filter.owner.$in must be an array",
        ),
        (
            json!({"filter": {"owner": {"$nin": 1}}}),
            "filter.owner.$nin must be an array",
        ),
        (
            json!({"filter": {"batch": {"$exists": "yes"}}}),
            "filter.batch.$exists must be a boolean",
        ),
        (
            json!({"filter": {"owner": {"$eq": {"a": 1}}}}),
            "filter.owner.$eq must be a string, a number or null",
        ),
        (
            json!({"filter": {"owner": ["a"]}}),
            "filter.owner.$eq must be",
        ),
        (
            json!({"filter": {"owner": {"$gt": true}}}),
            "filter.owner.$gt must be a string or a number",
        ),
        (
            json!({"filter": {"start": {"$gt": "soon"}}}),
            "filter.start.$gt must be an RFC 3339 date-time or a YYYY-MM-DD date",
        ),
        (
            json!({"filter": {"start": {"$lt": 5}}}),
            "filter.start.$lt must be an RFC 3339",
        ),
        (
            json!({"filter": {"start": {"$eq": "2024-01-01"}}}),
            "filter.start.$eq must be an RFC 3339 date-time or null",
        ),
        (
            json!({"filter": {"owner": {}}}),
            "must name at least one operator",
        ),
        (json!({"filter": "owner=1"}), "filter must be an object"),
        (json!({"sort": {"start": 2}}), "sort.start must be 1 or -1"),
        (
            json!({"sort": {"start": "desc"}}),
            "sort.start must be 1 or -1",
        ),
        (
            json!({"sort": {"nope": 1}}),
            "sort.nope is not a known field",
        ),
        // The contract's fields are the event's and `id`: not `createdAt`.
        (
            json!({"filter": {"createdAt": {"$gte": "2000-01-01"}}}),
            "filter.createdAt is not a known field",
        ),
        (
            json!({"sort": {"createdAt": -1}}),
            "sort.createdAt is not a known field",
        ),
        (json!({"sort": ["start"]}), "sort must be an object"),
        (json!([]), "body must be a JSON object"),
    ];
    for (body, needle) in cases {
        let r = emu.query("", &body);
        assert_eq!(r.status, 400, "{body}: {}", r.text());
        assert!(
            r.text().contains(needle),
            "{body}: expected {needle:?} in {}",
            r.text()
        );
    }
    // Several problems at once are all listed.
    let r = emu.query(
        "",
        &json!({"filter": {"nope": 1, "owner": {"$x": 1}}, "sort": {"start": 0}}),
    );
    assert_eq!(r.json()["message"].as_array().unwrap().len(), 3);
}

#[test]
fn a_query_body_is_optional() {
    let emu = Emu::start();
    emu.create_ok(&json!([event("1", "P", "2024-01-01T00:00:00Z", 0)]));
    let auth = emu.bearer();
    for (headers, body) in [
        (vec![("Authorization", auth.as_str())], None),
        (vec![("Authorization", auth.as_str())], Some(&b""[..])),
        (
            vec![
                ("Authorization", auth.as_str()),
                ("Content-Type", "application/json"),
            ],
            Some(&b"  "[..]),
        ),
        (
            vec![
                ("Authorization", auth.as_str()),
                ("Content-Type", "application/json; charset=utf-8"),
            ],
            Some(&b"{}"[..]),
        ),
    ] {
        let r = emu.call("POST", "/api/v1/events/query", &headers, body);
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["total"], 1);
    }
}

#[test]
fn delete_removes_one_collection_by_its_percent_encoded_name() {
    let emu = Emu::start();
    let odd = "a/b?c#d&e f+g %2F é/日本";
    emu.create_ok(&json!([
        event("1", odd, "2024-01-01T00:00:00Z", 0),
        event("1", odd, "2024-01-02T00:00:00Z", 1),
        event("1", "keep", "2024-01-01T00:00:00Z", 2)
    ]));
    let r = emu.api(
        "DELETE",
        &format!("/api/v1/events?collection={}", common::encode(odd)),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json(), json!({"deleted": 2}));
    assert_eq!(emu.stored(), 1);
    let r = emu.api(
        "DELETE",
        &format!("/api/v1/events?collection={}", common::encode(odd)),
        None,
    );
    assert_eq!(r.json(), json!({"deleted": 0}));
    // `+` in a query string is a space.
    emu.create_ok(&json!([event("1", "two words", "2024-01-01T00:00:00Z", 3)]));
    assert_eq!(
        emu.api("DELETE", "/api/v1/events?collection=two+words", None)
            .json(),
        json!({"deleted": 1})
    );
    for qs in ["", "?collection=", "?other=keep", "?collection=%FF"] {
        let r = emu.api("DELETE", &format!("/api/v1/events{qs}"), None);
        assert_eq!(r.status, 400, "{qs}: {}", r.text());
    }
    let r = emu.api("DELETE", "/api/v1/events?collection=x'%20OR%20'1'='1", None);
    assert_eq!(r.json(), json!({"deleted": 0}));
    assert_eq!(emu.stored(), 1);
}
