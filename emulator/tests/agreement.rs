//! Property tests: the client and the emulator agree on what is valid, and the
//! emulator's parsers never panic.
//!
//! - Events: the client's validator (`core::validate::validate_chunk`, the crate is a
//!   dev-dependency) and the emulator's (`src/validate.rs`, compiled in below) find the
//!   same invalid events and the same faulty fields in generated JSON batches.
//! - Dates: the client's `core::rfc3339::parse` and the emulator's `parse_datetime`
//!   accept the same strings and read the same instant.
//! - Query bodies: `filter::parse` never panics, refuses with 400 only, binds every
//!   caller value as a parameter (none reaches the SQL text).
//! - Over HTTP, against the real binary: the same verdicts as `201`/`400` answers, and
//!   random query bodies never get a 5xx or a dropped connection;
//! - the OpenAPI document's date schemas accept exactly the dates the emulator accepts.
//!
//! The emulator's modules come from its library (`events_emulator`).

use events_emulator::{filter, rfc3339, validate};

mod common;

use std::collections::{BTreeMap, BTreeSet};

use genomcore_events_wasm::core::rfc3339 as client_rfc3339;
use genomcore_events_wasm::core::validate::{validate_chunk, Problems};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Map, Value};

/// The contract's event fields (the generators draw from them).
use genomcore_events_wasm::contract::EVENT_FIELDS as FIELDS;

// ------------------------------------------------------------------ generators

/// Date-like strings: well-formed with components in and out of range, every separator
/// and offset form, and free text from the grammar's alphabet.
fn date_text() -> BoxedStrategy<String> {
    let offset = prop_oneof![
        3 => Just("Z".to_string()),
        1 => Just("z".to_string()),
        3 => (prop_oneof![Just('+'), Just('-')], 0u32..26, 0u32..62).prop_map(|(s, h, m)| format!("{s}{h:02}:{m:02}")),
        1 => Just("+0000".to_string()),
        1 => Just("+00".to_string()),
        1 => Just(String::new()),
    ];
    let sep = prop_oneof![8 => Just("T"), 2 => Just("t"), 1 => Just(" "), 1 => Just("_")];
    let frac = prop_oneof![3 => Just(String::new()), 3 => "\\.[0-9]{1,9}", 1 => "\\.[0-9]{10,12}", 1 => Just(".".to_string())];
    let well_formed = (
        0u32..10_000,
        0u32..14,
        0u32..33,
        0u32..26,
        0u32..61,
        0u32..62,
        sep,
        frac,
        offset,
    )
        .prop_map(|(y, mo, d, h, mi, s, sep, frac, off)| {
            format!("{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{s:02}{frac}{off}")
        });
    // Real calendar dates, so that most are valid.
    let valid = (
        1900u32..2100,
        1u32..13,
        1u32..29,
        0u32..24,
        0u32..60,
        0u32..60,
        prop_oneof![Just("Z"), Just("+05:30"), Just("-11:00")],
    )
        .prop_map(|(y, mo, d, h, mi, s, off)| {
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{off}")
        });
    prop_oneof![
        4 => valid,
        4 => well_formed,
        1 => "[0-9T:.+Zz -]{0,30}",
        1 => "\\PC{0,20}",
    ]
    .boxed()
}

fn value_for(field: &str) -> BoxedStrategy<Value> {
    let text: BoxedStrategy<Value> = if field == "start" || field == "end" {
        date_text().prop_map(Value::from).boxed()
    } else {
        "[a-z0-9 ]{0,6}".prop_map(Value::from).boxed()
    };
    prop_oneof![
        8 => text,
        1 => Just(json!("")),
        1 => Just(Value::Null),
        1 => any::<i32>().prop_map(Value::from),
        1 => any::<bool>().prop_map(Value::from),
        1 => Just(json!([1, "a"])),
        1 => Just(json!({"a": null})),
    ]
    .boxed()
}

/// One element of a batch: mostly an event-like object, sometimes anything else.
fn element() -> BoxedStrategy<Value> {
    let present = |field: &'static str| {
        let p = if field == "end" || field == "batch" {
            0.4
        } else {
            0.9
        };
        proptest::option::weighted(p, value_for(field)).prop_map(move |v| (field, v))
    };
    let known = FIELDS.map(present).to_vec();
    let extra_key = prop_oneof![
        Just("id".to_string()),
        Just("createdAt".to_string()),
        Just("__proto__".to_string()),
        Just("constructor".to_string()),
        Just("Owner".to_string()),
        Just("owner ".to_string()),
        Just(String::new()),
        Just("x is required".to_string()),
        "[a-zA-Z_.$ ]{1,8}",
    ];
    let extras = proptest::collection::vec((extra_key, value_for("value")), 0..2);
    let object = (known, proptest::option::weighted(0.15, extras)).prop_map(|(known, extras)| {
        let mut m = Map::new();
        for (k, v) in known {
            if let Some(v) = v {
                m.insert(k.to_string(), v);
            }
        }
        for (k, v) in extras.unwrap_or_default() {
            m.insert(k, v);
        }
        Value::Object(m)
    });
    prop_oneof![
        12 => nearly_valid(),
        8 => object,
        1 => Just(Value::Null),
        1 => Just(json!(7)),
        1 => Just(json!("event")),
        1 => Just(json!([])),
    ]
    .boxed()
}

/// A valid event, then at most one change: a field replaced by any value, a field
/// removed, or a key added.
fn nearly_valid() -> BoxedStrategy<Value> {
    let valid_date = (
        1900u32..2100,
        1u32..13,
        1u32..29,
        0u32..24,
        "(\\.[0-9]{1,9})?",
        prop_oneof![Just("Z"), Just("+05:30"), Just("-11:00")],
    )
        .prop_map(|(y, mo, d, h, frac, off)| {
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:00:00{frac}{off}")
        });
    let base = (valid_date.clone(), proptest::option::of(valid_date), proptest::option::of("[a-z]{1,4}"), "[a-z0-9]{1,5}").prop_map(
        |(start, end, batch, text)| {
            let mut e = json!({"owner": text, "collection": "C", "start": start, "value": "", "type": "t", "source": "s", "externalId": text});
            if let Some(end) = end {
                e["end"] = json!(end);
            }
            if let Some(batch) = batch {
                e["batch"] = json!(batch);
            }
            e
        },
    );
    let change = prop_oneof![
        2 => Just(None),
        2 => proptest::sample::select(FIELDS.to_vec()).prop_flat_map(|f| value_for(f).prop_map(move |v| Some((f.to_string(), Some(v))))),
        1 => proptest::sample::select(FIELDS.to_vec()).prop_map(|f| Some((f.to_string(), None))),
        1 => ("[a-zA-Z_$]{1,6}", value_for("value")).prop_map(|(k, v)| Some((k, Some(v)))),
    ];
    (base, change)
        .prop_map(|(mut e, change)| {
            match change {
                Some((k, Some(v))) => e[k] = v,
                Some((k, None)) => {
                    e.as_object_mut().unwrap().remove(&k);
                }
                None => {}
            }
            e
        })
        .boxed()
}

/// A valid event (as both validators judge it: checked by the tests that use it).
fn valid_event() -> BoxedStrategy<Value> {
    nearly_valid().prop_filter("a valid event", |e| client_verdict(&format!("[{e}]")).is_empty()).boxed()
}

fn batch() -> impl Strategy<Value = Vec<Value>> {
    proptest::collection::vec(element(), 1..6)
}

/// Batches for the running emulator: mostly valid, so that both answers come often.
fn http_batch() -> impl Strategy<Value = Vec<Value>> {
    proptest::collection::vec(prop_oneof![6 => nearly_valid(), 1 => element()], 1..4)
}

// ------------------------------------------------------------------ verdicts

/// Invalid events by index, each with its faulty fields ("" for the whole event).
type Verdict = BTreeMap<usize, BTreeSet<String>>;

fn client_verdict(json: &str) -> Verdict {
    let mut problems = Problems::new();
    validate_chunk(json, 0, &mut problems).expect("a JSON array");
    assert!(problems.total() <= 100, "all problems listed");
    let mut v = Verdict::new();
    for p in problems.list() {
        v.entry(p.index).or_default().insert(p.field.clone());
    }
    v
}

/// Reads the emulator's problem lines (`"3.start must be …"`, `"7 must be an object"`).
fn emulator_lines_verdict(lines: &[String]) -> Verdict {
    const SUFFIXES: [&str; 8] = [
        " is not an allowed field",
        " is given more than once",
        " is required",
        " must be a non-empty string",
        " must be an RFC 3339 date-time",
        " must not be before start",
        " must be a string",
        " must not be empty",
    ];
    let mut v = Verdict::new();
    for line in lines {
        let digits = line.bytes().take_while(u8::is_ascii_digit).count();
        let index: usize = line[..digits]
            .parse()
            .unwrap_or_else(|_| panic!("no index in {line:?}"));
        let rest = &line[digits..];
        let field = if rest == " must be an object" {
            String::new()
        } else {
            let rest = rest.strip_prefix('.').unwrap_or_else(|| panic!("{line:?}"));
            SUFFIXES
                .iter()
                .find_map(|s| rest.strip_suffix(s))
                .unwrap_or_else(|| panic!("unknown problem line {line:?}"))
                .to_string()
        };
        v.entry(index).or_default().insert(field);
    }
    v
}

fn emulator_verdict(json: &str) -> Verdict {
    let raw = validate::parse_batch(json.as_bytes()).expect("a non-empty array");
    match validate::check(&raw) {
        Ok(events) => {
            assert_eq!(events.len(), raw.len());
            Verdict::new()
        }
        Err(e) => {
            assert_eq!(e.status, 400);
            emulator_lines_verdict(&e.messages)
        }
    }
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(3000))]

    /// Same invalid events, same faulty fields.
    #[test]
    fn client_and_emulator_validators_agree(events in batch()) {
        let json = serde_json::to_string(&events).unwrap();
        prop_assert_eq!(client_verdict(&json), emulator_verdict(&json), "{}", json);
    }

    /// An unpaired surrogate escape (`\\uD800`..`\\uDFFF` alone) in any field of a valid
    /// batch: the client refuses that event and that field before sending, the
    /// emulator's JSON parser the whole body (what it would answer with `400`).
    #[test]
    fn unpaired_surrogates_are_refused_by_both(
        events in proptest::collection::vec(valid_event(), 1..4),
        which in any::<prop::sample::Index>(),
        field in proptest::sample::select(FIELDS.to_vec()),
        unit in 0xD800u32..0xE000,
        paired_after in any::<bool>(),
    ) {
        let mut events = events;
        let index = which.index(events.len());
        let placeholder = "\u{1}LONE\u{1}";
        events[index][field] = json!(placeholder);
        // A high surrogate followed by another high one, or a low one after text: unpaired either way.
        let escape = if paired_after && unit < 0xDC00 { format!("\\u{unit:04x}\\ud800") } else { format!("x\\u{unit:04X}") };
        let json = serde_json::to_string(&events).unwrap().replace("\\u0001LONE\\u0001", &escape);
        let client = client_verdict(&json);
        prop_assert_eq!(client.keys().copied().collect::<Vec<_>>(), vec![index], "{}", json);
        prop_assert!(client[&index].contains(field), "{:?} {}", client, json);
        prop_assert!(validate::parse_batch(json.as_bytes()).is_err(), "the emulator read {}", json);
    }

    /// Same strings accepted, same instant read.
    #[test]
    fn client_and_emulator_date_parsers_agree(s in date_text()) {
        let client = client_rfc3339::parse(&s).map(|i| (i.secs(), i.nanos()));
        let emulator = rfc3339::parse_datetime(&s).map(|i| (i.secs, i.nanos));
        prop_assert_eq!(client, emulator, "{:?}", s);
    }

    /// Both refuse the same mutations of a valid date (one byte replaced, inserted or removed).
    #[test]
    fn date_parsers_agree_on_mutations(
        y in 0u32..10_000, mo in 1u32..13, d in 1u32..32, frac in "(\\.[0-9]{1,9})?",
        at in 0usize..40, byte in proptest::sample::select(b"0123456789-:.+TtZz \x00\xc3".to_vec()), how in 0u8..3,
    ) {
        let base = format!("{y:04}-{mo:02}-{d:02}T12:34:56{frac}+01:00");
        let mut b = base.clone().into_bytes();
        let at = at % b.len();
        match how {
            0 => b[at] = byte,
            1 => b.insert(at, byte),
            _ => { b.remove(at); }
        }
        let s = String::from_utf8_lossy(&b).into_owned();
        let client = client_rfc3339::parse(&s).map(|i| (i.secs(), i.nanos()));
        let emulator = rfc3339::parse_datetime(&s).map(|i| (i.secs, i.nanos));
        prop_assert_eq!(client, emulator, "{:?}", s);
    }

    /// Arbitrary bytes: never a panic; 400 when refused.
    #[test]
    fn the_emulator_parsers_never_panic_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        if let Err(e) = filter::parse(&bytes) {
            prop_assert_eq!(e.status.as_u16(), 400);
        }
        match validate::parse_batch(&bytes) {
            Ok(raw) => { let _ = validate::check(&raw); }
            Err(e) => prop_assert!(e.status.as_u16() == 400 || e.status.as_u16() == 413),
        }
        let s = String::from_utf8_lossy(&bytes);
        let _ = rfc3339::parse_datetime(&s);
        let _ = rfc3339::parse_date_only(&s);
    }

    /// Structured query bodies: 400 or SQL whose every caller value is a bound parameter.
    #[test]
    fn query_bodies_parse_to_parameterized_sql(body in query_body()) {
        let text = body.to_string();
        match filter::parse(text.as_bytes()) {
            Err(e) => {
                prop_assert_eq!(e.status.as_u16(), 400);
                prop_assert!(!e.messages.is_empty());
            }
            Ok(q) => {
                prop_assert_eq!(q.where_sql.matches('?').count(), q.params.len(), "{}", q.where_sql);
                prop_assert!(!q.order_sql.contains('?'));
                for sql in [&q.where_sql, &q.order_sql] {
                    prop_assert!(!sql.contains(MARK), "a caller value reached the SQL text: {}", sql);
                }
            }
        }
    }
}

/// Marks every caller-chosen string value, so that the SQL text can be searched for it.
const MARK: &str = "QZX";

fn scalar() -> BoxedStrategy<Value> {
    prop_oneof![
        3 => "[a-z0-9' ;%_-]{0,6}".prop_map(|s| Value::from(format!("{MARK}{s}"))),
        2 => date_text().prop_map(Value::from),
        1 => Just(json!("2024-01-01")),
        1 => any::<i32>().prop_map(Value::from),
        1 => any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::from),
    ]
    .boxed()
}

fn query_body() -> BoxedStrategy<Value> {
    let field = prop_oneof![
        10 => proptest::sample::select(vec!["id", "owner", "collection", "start", "end", "value", "type", "source", "externalId", "batch", "createdAt"]).prop_map(String::from),
        1 => "[a-z$_]{1,6}",
    ];
    let op = prop_oneof![
        10 => proptest::sample::select(vec!["$in", "$nin", "$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$exists"]).prop_map(String::from),
        1 => "\\$[a-z]{1,5}",
    ];
    let operand = prop_oneof![
        4 => scalar(),
        2 => proptest::collection::vec(scalar(), 0..4).prop_map(Value::from),
        1 => Just(json!({"$gt": 1})),
    ];
    let condition = prop_oneof![
        2 => scalar(),
        3 => proptest::collection::btree_map(op, operand, 0..3).prop_map(|m| Value::Object(m.into_iter().collect())),
    ];
    let filter = proptest::collection::btree_map(field.clone(), condition, 0..4)
        .prop_map(|m| Value::Object(m.into_iter().collect()));
    let sort = proptest::collection::btree_map(
        field,
        prop_oneof![
            Just(json!(1)),
            Just(json!(-1)),
            Just(json!(0)),
            Just(json!("asc"))
        ],
        0..3,
    )
    .prop_map(|m| Value::Object(m.into_iter().collect()));
    let date = prop_oneof![
        date_text().prop_map(Value::from),
        Just(json!("2024-04-01")),
        Just(json!(5))
    ];
    (
        proptest::option::of(filter),
        proptest::option::weighted(0.3, sort),
        proptest::option::weighted(0.2, date.clone()),
        proptest::option::weighted(0.2, date),
        proptest::option::weighted(0.05, Just(json!(1))),
    )
        .prop_map(|(f, s, b, a, extra)| {
            let mut m = Map::new();
            if let Some(f) = f {
                m.insert("filter".into(), f);
            }
            if let Some(s) = s {
                m.insert("sort".into(), s);
            }
            if let Some(b) = b {
                m.insert("beforeDate".into(), b);
            }
            if let Some(a) = a {
                m.insert("afterDate".into(), a);
            }
            if let Some(x) = extra {
                m.insert("limit".into(), x);
            }
            Value::Object(m)
        })
        .boxed()
}

// ------------------------------------------------------------------ over HTTP

/// The real binary answers generated batches as the client's validator predicts: 201
/// when it finds nothing, else 400 naming the same events.
#[test]
fn the_running_emulator_answers_as_the_client_predicts() {
    let emu = common::Emu::start();
    let mut runner = TestRunner::new(Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    });
    let (accepted, refused) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    runner
        .run(&http_batch(), |events| {
            let json = serde_json::to_string(&events).unwrap();
            let predicted = client_verdict(&json);
            let auth = emu.bearer();
            let r = emu.call(
                "POST",
                "/api/v1/events",
                &[
                    ("Authorization", &auth),
                    ("Content-Type", "application/json"),
                ],
                Some(json.as_bytes()),
            );
            if predicted.is_empty() {
                prop_assert_eq!(r.status, 201, "{} -> {}", json, r.text());
                prop_assert_eq!(r.json()["ids"].as_array().unwrap().len(), events.len());
                accepted.set(accepted.get() + 1);
            } else {
                prop_assert_eq!(r.status, 400, "{} -> {}", json, r.text());
                let lines: Vec<String> = match &r.json()["message"] {
                    Value::Array(a) => a.iter().map(|l| l.as_str().unwrap().to_string()).collect(),
                    Value::String(s) => vec![s.clone()],
                    other => panic!("message {other}"),
                };
                prop_assert_eq!(emulator_lines_verdict(&lines), predicted, "{}", json);
                refused.set(refused.get() + 1);
            }
            Ok(())
        })
        .unwrap();
    let (accepted, refused) = (accepted.get(), refused.get());
    println!("{accepted} batches accepted, {refused} refused, as predicted");
    assert!(
        accepted > 20 && refused > 20,
        "both verdicts exercised: {accepted} / {refused}"
    );
}

/// Random query bodies never get a 5xx or a dropped connection from the real binary.
#[test]
fn the_running_emulator_answers_any_query_body_with_200_or_400() {
    let emu = common::Emu::start();
    emu.create_ok(&json!([
        common::event("1", "Q", "2024-01-01T00:00:00Z", 0),
        common::event("2", "Q", "2024-02-01T00:00:00+02:00", 1)
    ]));
    let mut runner = TestRunner::new(Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    });
    let (ok, refused) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    runner
        .run(&query_body(), |body| {
            let auth = emu.bearer();
            let text = body.to_string();
            let r = emu
                .try_call(
                    "POST",
                    "/api/v1/events/query?pageSize=5",
                    &[
                        ("Authorization", &auth),
                        ("Content-Type", "application/json"),
                    ],
                    Some(text.as_bytes()),
                )
                .map_err(|e| TestCaseError::fail(format!("{text}: no answer: {e}")))?;
            match r.status {
                200 => ok.set(ok.get() + 1),
                400 => refused.set(refused.get() + 1),
                s => return Err(TestCaseError::fail(format!("{text}: {s} {}", r.text()))),
            }
            Ok(())
        })
        .unwrap();
    let (ok, refused) = (ok.get(), refused.get());
    println!("{ok} query bodies answered, {refused} refused");
    assert!(
        ok > 20 && refused > 20,
        "both outcomes exercised: {ok} / {refused}"
    );
    assert_eq!(emu.stored(), 2);
}

// ------------------------------------------------------- the OpenAPI document's dates

/// A schema of the served OpenAPI document's components, formats checked as well.
fn document_schema(name: &str) -> jsonschema::Validator {
    let doc: Value = serde_json::from_str(include_str!("../src/openapi.json")).unwrap();
    let mut schema = doc["components"]["schemas"][name].clone();
    schema["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn assert_document_dates_agree(
    datetime: &jsonschema::Validator,
    date: &jsonschema::Validator,
    s: &str,
) {
    let v = Value::from(s);
    assert_eq!(
        datetime.is_valid(&v),
        rfc3339::parse_datetime(s).is_some(),
        "DateTime schema and parser disagree on {s:?}"
    );
    assert_eq!(
        date.is_valid(&v),
        rfc3339::parse_date_only(s).is_some(),
        "Date schema and parser disagree on {s:?}"
    );
}

proptest! {
    #![proptest_config(config(3000))]

    /// Schema-valid dates are exactly the server-accepted ones (so that a fuzzer that
    /// generates from the document sends only dates the server takes, and the other
    /// way round).
    #[test]
    fn document_date_schemas_accept_what_the_parser_accepts(s in date_text()) {
        thread_local! {
            static SCHEMAS: (jsonschema::Validator, jsonschema::Validator) =
                (document_schema("DateTime"), document_schema("Date"));
        }
        SCHEMAS.with(|(dt, d)| {
            assert_document_dates_agree(dt, d, &s);
            assert_document_dates_agree(dt, d, s.get(..10).unwrap_or(&s));
        });
    }
}

/// Every February 29th of years 0000 to 9999, every day number of every month, and the
/// edges of each component.
#[test]
fn document_date_schemas_agree_on_the_calendar_and_the_edges() {
    let (dt, d) = (document_schema("DateTime"), document_schema("Date"));
    for y in 0..=9999 {
        assert_document_dates_agree(&dt, &d, &format!("{y:04}-02-29"));
        assert_document_dates_agree(&dt, &d, &format!("{y:04}-02-29T00:00:00Z"));
    }
    for y in [1999, 2000, 2024, 2100] {
        for m in 0..=13 {
            for day in 0..=32 {
                assert_document_dates_agree(&dt, &d, &format!("{y:04}-{m:02}-{day:02}"));
            }
        }
    }
    for s in [
        "2024-01-01T23:59:59Z",
        "2024-01-01T24:00:00Z",
        "2024-01-01T23:60:00Z",
        "2024-01-01T23:59:60Z",
        "2024-01-01T00:00:00.123456789Z",
        "2024-01-01T00:00:00.1234567890Z",
        "2024-01-01T00:00:00.Z",
        "2024-01-01T00:00:00+23:59",
        "2024-01-01T00:00:00-23:59",
        "2024-01-01T00:00:00+24:00",
        "2024-01-01T00:00:00+00:60",
        "2024-01-01T00:00:00+0000",
        "2024-01-01t00:00:00z",
        "2024-01-01 00:00:00Z",
        "2024-01-01T00:00:00Z\n",
        "\n2024-01-01T00:00:00Z",
        "2024-01-01\n",
        "2024-01-01T00:00:00",
        "0000-01-01T00:00:00-23:59",
        "9999-12-31T23:59:59.999999999+23:59",
        "２０２４-01-01",
        "202４-01-01T00:00:00Z",
        "",
    ] {
        assert_document_dates_agree(&dt, &d, s);
    }
}
