//! The client's wasm test suite, shared by `node.rs` and `browser.rs`. Every test
//! talks HTTP to the real emulator; `emulator::stats()` proves what was (not) sent.
//! Tests run one at a time (wasm-bindgen-test runs them serially); each uses its own
//! collection, and fault injection is cleared by the tests that set it.

mod emulator;

use genomcore_events_wasm::wasm::{Engine, QueryPages};
use js_sys::{Array, Promise, Reflect, JSON};
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

use emulator::{clear_faults, faults, login, release, stats, wait_until_held};

fn js(v: Value) -> JsValue {
    JSON::parse(&v.to_string()).unwrap()
}

fn to_json(v: &JsValue) -> Value {
    serde_json::from_str(&String::from(JSON::stringify(v).unwrap())).unwrap()
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap()
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", (js_sys::Math::random() * 1e12) as u64)
}

fn event(i: usize, collection: &str) -> Value {
    json!({
        "owner": "1",
        "collection": collection,
        "start": format!("2024-04-0{}T{:02}:{:02}:00Z", 1 + i % 9, (i / 60) % 24, i % 60),
        "value": format!("reading {i}"),
        "type": "heart-rate",
        "source": "wasm-test",
        "externalId": format!("{collection}-{i}"),
    })
}

fn events(n: usize, collection: &str) -> JsValue {
    js(Value::Array((0..n).map(|i| event(i, collection)).collect()))
}

async fn client_with(extra: Value) -> Engine {
    let (token, refresh) = login("wasm-test").await;
    let mut opts = json!({"token": token, "refreshToken": refresh, "baseUrl": emulator::api()});
    for (k, v) in extra.as_object().unwrap() {
        opts[k] = v.clone();
    }
    Engine::new(&js(opts)).map_err(|e| to_json(&e)).expect("client")
}

async fn client() -> Engine {
    client_with(json!({})).await
}

async fn settle(p: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(p).await
}

fn name_of(err: &JsValue) -> String {
    get(err, "name").as_string().unwrap_or_default()
}

fn message_of(err: &JsValue) -> String {
    get(err, "message").as_string().unwrap_or_default()
}

async fn count_in(client: &Engine, collection: &str) -> u64 {
    let body = js(json!({"filter": {"collection": collection}}));
    let page = settle(client.query_events(&body, &js(json!({"pageSize": 1})))).await.unwrap();
    get(&page, "total").as_f64().unwrap() as u64
}

#[wasm_bindgen_test]
async fn creates_in_chunks_and_reads_them_back() {
    let c = client().await;
    let coll = unique("chunks");
    let before = stats().await;
    let reports = Array::new();
    let sink = reports.clone();
    let on_progress = wasm_bindgen::closure::Closure::<dyn Fn(JsValue)>::new(move |p: JsValue| {
        sink.push(&p);
    });
    let opts = js(json!({}));
    Reflect::set(&opts, &"onProgress".into(), on_progress.as_ref()).unwrap();
    let result = settle(c.create_events(events(2500, &coll), &JsValue::from(1000), &opts)).await.unwrap();
    let progress = to_json(&reports);
    assert_eq!(progress.as_array().unwrap().len(), 3, "one report per chunk: {progress}");
    let last = &progress[2];
    assert_eq!((last["chunksDone"].as_u64(), last["chunksTotal"].as_u64()), (Some(3), Some(3)));
    assert_eq!((last["eventsDone"].as_u64(), last["eventsTotal"].as_u64()), (Some(2500), Some(2500)));
    assert_eq!((last["failedChunks"].as_u64(), last["retries"].as_u64()), (Some(0), Some(0)));
    let elapsed: Vec<f64> = progress.as_array().unwrap().iter().map(|p| p["elapsedMs"].as_f64().expect("elapsedMs")).collect();
    assert!(elapsed.windows(2).all(|w| w[0] <= w[1]), "elapsedMs only grows: {elapsed:?}");
    let r = to_json(&result);
    assert_eq!(r["created"], 2500);
    let ids: Vec<&str> = r["ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2500);
    let chunks = r["chunks"].as_array().unwrap();
    assert_eq!(chunks.len(), 3);
    assert_eq!((chunks[1]["index"].as_u64(), chunks[1]["from"].as_u64(), chunks[1]["to"].as_u64()), (Some(1), Some(1000), Some(2000)));
    assert_eq!(chunks[2]["count"], 500);
    assert!(chunks.iter().all(|ch| ch["status"] == 201 && ch["attempts"] == 1));
    let after = stats().await;
    assert_eq!(after.create - before.create, 3);
    assert_eq!(after.events - before.events, 2500);

    // Read back: ids in input order match the stored events' externalIds.
    let body = js(json!({"filter": {"collection": coll}, "sort": {"externalId": 1}}));
    let page = to_json(&settle(c.query_events(&body, &js(json!({"page": 0, "pageSize": 10000})))).await.unwrap());
    assert_eq!(page["total"], 2500);
    assert_eq!(page["page"], 0);
    for item in page["items"].as_array().unwrap() {
        let i: usize = item["externalId"].as_str().unwrap().rsplit('-').next().unwrap().parse().unwrap();
        assert_eq!(item["id"].as_str().unwrap(), ids[i], "id of event {i}");
        assert_eq!(item["value"], format!("reading {i}"));
    }
}

/// In a browser the emulator is another origin: a gzipped create needs the preflight to
/// allow `Content-Encoding` (the contract's CORS section).
#[wasm_bindgen_test]
async fn gzip_bodies_are_stored_across_origins() {
    let c = client_with(json!({"compression": "gzip"})).await;
    let coll = unique("gzip");
    let before = stats().await;
    let r = to_json(&settle(c.create_events(events(2000, &coll), &JsValue::from(1000), &JsValue::UNDEFINED)).await.unwrap());
    assert_eq!(r["created"], 2000);
    let chunks = r["chunks"].as_array().unwrap();
    assert!(chunks.iter().all(|ch| ch["compressed"] == true && ch["attempts"] == 1), "{r}");
    let after = stats().await;
    assert_eq!(after.create - before.create, 2);
    assert_eq!(count_in(&c, &coll).await, 2000);
}

#[wasm_bindgen_test]
async fn accepts_dates_and_the_options_form() {
    let c = client().await;
    let coll = unique("dates");
    let evs = events(3, &coll);
    let first = Array::from(&evs).get(0);
    Reflect::set(&first, &"start".into(), &js_sys::Date::new(&JsValue::from_str("2024-04-03T10:00:00+02:00")).into()).unwrap();
    let r = settle(c.create_events(evs, &js(json!({"chunksize": 2})), &JsValue::UNDEFINED)).await.unwrap();
    assert_eq!(to_json(&r)["chunks"].as_array().unwrap().len(), 2);
    let body = js(json!({"filter": {"collection": coll, "start": "2024-04-03T08:00:00Z"}}));
    let page = to_json(&settle(c.query_events(&body, &JsValue::UNDEFINED)).await.unwrap());
    assert_eq!(page["total"], 1, "the Date was sent as the same instant in UTC: {page}");
}

#[wasm_bindgen_test]
async fn answers_the_sdk_query_example() {
    let c = client().await;
    settle(c.delete_events(&"TestCollection".into(), &JsValue::UNDEFINED)).await.unwrap();
    let mk = |start: &str, id: &str, owner: &str, coll: &str| {
        json!({"owner": owner, "collection": coll, "start": start, "value": "v", "type": "t", "source": "s", "externalId": id})
    };
    let evs = js(json!([
        mk("2024-03-31T23:59:59Z", "before-range", "1", "TestCollection"),
        mk("2024-04-01T00:00:00Z", "first-day", "1", "TestCollection"),
        mk("2024-04-05T12:00:00Z", "middle", "1", "TestCollection"),
        mk("2024-04-08T23:59:59Z", "last-day", "1", "TestCollection"),
        mk("2024-04-09T00:00:00Z", "after-range", "1", "TestCollection"),
        mk("2024-04-05T12:00:00Z", "other-owner", "2", "TestCollection"),
        mk("2024-04-05T12:00:00Z", "other-collection", "1", "Elsewhere"),
    ]));
    settle(c.create_events(evs, &JsValue::UNDEFINED, &JsValue::UNDEFINED)).await.unwrap();
    let body = js(json!({
        "filter": {"owner": {"$in": [1]}, "collection": {"$in": ["TestCollection"]}},
        "sort": {"start": -1},
        "beforeDate": "2024-04-01",
        "afterDate": "2024-04-08"
    }));
    let page = to_json(&settle(c.query_events(&body, &js(json!({"page": 0, "pageSize": 10000})))).await.unwrap());
    let got: Vec<&str> = page["items"].as_array().unwrap().iter().map(|e| e["externalId"].as_str().unwrap()).collect();
    assert_eq!(got, vec!["last-day", "middle", "first-day"]);
    assert_eq!(page["total"], 3);
    settle(c.delete_events(&"Elsewhere".into(), &JsValue::UNDEFINED)).await.unwrap();
}

/// Every page of `queryPages` (under the face's `queryAll`), and `more` false on the last.
async fn all_pages(pages: &QueryPages) -> Vec<Array> {
    let mut got = Vec::new();
    loop {
        let page = settle(pages.next()).await.unwrap();
        got.push(Array::from(&get(&page, "items")));
        if !get(&page, "more").as_bool().unwrap() {
            return got;
        }
    }
}

#[wasm_bindgen_test]
async fn query_pages_go_through_every_event() {
    let c = client().await;
    let coll = unique("pages");
    settle(c.create_events(events(250, &coll), &JsValue::UNDEFINED, &JsValue::UNDEFINED)).await.unwrap();
    let before = stats().await;
    let pages = c.query_pages(&js(json!({"filter": {"collection": coll}})), &js(json!({"pageSize": 40})), false).unwrap();
    let mut seen = std::collections::HashSet::new();
    for page in all_pages(&pages).await {
        for event in page.iter() {
            assert!(seen.insert(get(&event, "id").as_string().unwrap()), "an event came twice");
        }
    }
    assert_eq!(seen.len(), 250);
    assert_eq!(stats().await.query - before.query, 7, "ceil(250 / 40) pages");
}

#[wasm_bindgen_test]
async fn deletes_exactly_one_collection_whatever_its_name() {
    let c = client().await;
    let odd = format!("{} a/b?c#d&e f%20g ü", unique("odd"));
    let near = format!("{} a/b", odd.split(' ').next().unwrap());
    settle(c.create_events(events(5, &odd), &JsValue::UNDEFINED, &JsValue::UNDEFINED)).await.unwrap();
    settle(c.create_events(events(3, &near), &JsValue::UNDEFINED, &JsValue::UNDEFINED)).await.unwrap();
    let r = to_json(&settle(c.delete_events(&odd.clone().into(), &JsValue::UNDEFINED)).await.unwrap());
    assert_eq!(r["deleted"], 5);
    assert_eq!(count_in(&c, &odd).await, 0);
    assert_eq!(count_in(&c, &near).await, 3);
    let again = to_json(&settle(c.delete_events(&odd.into(), &JsValue::UNDEFINED)).await.unwrap());
    assert_eq!(again["deleted"], 0);
}

#[wasm_bindgen_test]
async fn retries_503_and_429_with_the_same_chunk() {
    let c = client().await;
    let coll = unique("retry");
    faults(json!({"sequence": ["503", "429", "ok"]})).await;
    let before = stats().await;
    let r = to_json(&settle(c.create_events(events(10, &coll), &JsValue::UNDEFINED, &JsValue::UNDEFINED)).await.unwrap());
    clear_faults().await;
    assert_eq!(r["created"], 10);
    assert_eq!(r["chunks"][0]["attempts"], 3);
    let after = stats().await;
    assert_eq!(after.create - before.create, 3);
    assert_eq!(after.events - before.events, 10);
}

#[wasm_bindgen_test]
async fn retries_a_reset_connection() {
    let c = client().await;
    let coll = unique("reset");
    faults(json!({"sequence": ["reset"]})).await;
    let before = stats().await;
    let r = to_json(&settle(c.create_events(events(10, &coll), &JsValue::UNDEFINED, &JsValue::UNDEFINED)).await.unwrap());
    clear_faults().await;
    assert_eq!(r["created"], 10);
    // Chromium itself resends a request whose reused connection closed without an
    // answer, so the client may see one attempt; the emulator saw two either way.
    assert!(r["chunks"][0]["attempts"].as_u64().unwrap() >= 1);
    assert_eq!(stats().await.create - before.create, 2);
    assert_eq!(count_in(&c, &coll).await, 10);
}

#[wasm_bindgen_test]
async fn a_lost_response_is_retried_without_duplicates() {
    let c = client().await;
    let coll = unique("lost");
    faults(json!({"sequence": ["lost-response"]})).await;
    let before = stats().await;
    let r = to_json(&settle(c.create_events(events(20, &coll), &JsValue::UNDEFINED, &JsValue::UNDEFINED)).await.unwrap());
    clear_faults().await;
    assert_eq!(r["created"], 20);
    let after = stats().await;
    assert_eq!(after.create - before.create, 2, "the lost answer, then the replay (by us or by Chromium)");
    assert_eq!(after.events - before.events, 20, "the replayed key stored nothing twice");
    assert_eq!(count_in(&c, &coll).await, 20);
}

#[wasm_bindgen_test]
async fn a_persistent_failure_names_the_ranges_to_resend() {
    let c = client().await;
    let coll = unique("outage");
    let evs = events(3000, &coll);
    faults(json!({"sequence": ["ok", "503", "503", "ok"]})).await;
    let opts = js(json!({"chunksize": 1000, "concurrency": 1, "maxRetries": 1}));
    let err = settle(c.create_events(evs.clone(), &opts, &JsValue::UNDEFINED)).await.unwrap_err();
    clear_faults().await;
    assert_eq!(name_of(&err), "CreateEventsError", "{}", message_of(&err));
    assert_eq!(get(&err, "created").as_f64(), Some(2000.0));
    let failed = Array::from(&get(&err, "failed"));
    assert_eq!(failed.length(), 1);
    let f = failed.get(0);
    assert_eq!((get(&f, "from").as_f64(), get(&f, "to").as_f64()), (Some(1000.0), Some(2000.0)));
    assert_eq!(name_of(&get(&f, "error")), "EventsApiError");
    assert_eq!(get(&get(&f, "error"), "status").as_f64(), Some(503.0));
    let succeeded = Array::from(&get(&err, "succeeded"));
    assert_eq!(succeeded.length(), 2);
    assert_eq!(Array::from(&get(&succeeded.get(1), "ids")).length(), 1000);
    // Resend exactly the failed range: the set is complete, nothing twice.
    let rest = Array::from(&evs).slice(1000, 2000);
    settle(c.create_events(rest.into(), &JsValue::UNDEFINED, &JsValue::UNDEFINED)).await.unwrap();
    assert_eq!(count_in(&c, &coll).await, 3000);
}

#[wasm_bindgen_test]
async fn renews_the_token_once_after_a_401() {
    let (_, refresh) = login("wasm-test").await;
    let opts = json!({"token": "not-a-valid.jwt.token", "refreshToken": refresh, "baseUrl": emulator::api()});
    let c = Engine::new(&js(opts)).unwrap();
    let before = stats().await;
    let coll = unique("renew");
    settle(c.create_events(events(5, &coll), &JsValue::UNDEFINED, &JsValue::UNDEFINED)).await.unwrap();
    settle(c.create_events(events(5, &coll), &JsValue::UNDEFINED, &JsValue::UNDEFINED)).await.unwrap();
    let after = stats().await;
    assert_eq!(after.auth - before.auth, 1, "one refresh, kept for later calls");
    assert_eq!(after.create - before.create, 3, "one 401, then two creates");
}

#[wasm_bindgen_test]
async fn renews_a_token_that_expires_within_15_minutes_before_sending() {
    let (_, refresh) = login("wasm-test").await;
    // Unsigned, so the server would refuse it: only a renewal before sending succeeds.
    let exp = (js_sys::Date::now() / 1000.0) as u64 + 60;
    let payload = base64url(&format!("{{\"sub\":\"x\",\"exp\":{exp}}}"));
    let token = format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln");
    let c = Engine::new(&js(json!({"token": token, "refreshToken": refresh, "baseUrl": emulator::api()}))).unwrap();
    let before = stats().await;
    settle(c.create_events(events(2, &unique("soon")), &JsValue::UNDEFINED, &JsValue::UNDEFINED)).await.unwrap();
    let after = stats().await;
    assert_eq!((after.auth - before.auth, after.create - before.create), (1, 1));
}

fn base64url(s: &str) -> String {
    let b64 = js_sys::global().unchecked_into::<web_sys_like::Global>().btoa(s);
    b64.trim_end_matches('=').replace('+', "-").replace('/', "_")
}

mod web_sys_like {
    use wasm_bindgen::prelude::*;
    #[wasm_bindgen]
    extern "C" {
        pub type Global;
        #[wasm_bindgen(method)]
        pub fn btoa(this: &Global, s: &str) -> String;
    }
}

#[wasm_bindgen_test]
async fn get_token_is_asked_for_each_request() {
    let (token, _) = login("wasm-test").await;
    let calls = std::rc::Rc::new(std::cell::Cell::new(0));
    let counter = calls.clone();
    let get_token = wasm_bindgen::closure::Closure::<dyn Fn() -> Promise>::new(move || {
        counter.set(counter.get() + 1);
        Promise::resolve(&JsValue::from_str(&token))
    });
    let opts = js(json!({"baseUrl": emulator::api()}));
    Reflect::set(&opts, &"getToken".into(), get_token.as_ref()).unwrap();
    let c = Engine::new(&opts).unwrap();
    let coll = unique("gettoken");
    settle(c.create_events(events(30, &coll), &JsValue::from(10), &JsValue::UNDEFINED)).await.unwrap();
    assert_eq!(calls.get(), 3);
    assert_eq!(count_in(&c, &coll).await, 30);
}

#[wasm_bindgen_test]
async fn abort_stops_the_upload_and_says_what_was_stored() {
    let c = client().await;
    let coll = unique("abort");
    // Every request is held unanswered: the abort lands while the first is in flight.
    faults(json!({"rate": 1.0, "kinds": ["hold"]})).await;
    let controller = web_sys::AbortController::new().unwrap();
    let signal = controller.signal();
    let opts = js(json!({"chunksize": 10, "concurrency": 1}));
    Reflect::set(&opts, &"signal".into(), &signal).unwrap();
    let before = stats().await;
    let pending = c.create_events(events(30, &coll), &opts, &JsValue::UNDEFINED);
    wait_until_held(1).await;
    controller.abort();
    let err = settle(pending).await.unwrap_err();
    // Nothing is handled from here on: the held request is dropped unhandled whether or
    // not its connection is still open, and so is any request the browser sends again
    // by itself.
    faults(json!({"rate": 1.0, "kinds": ["reset"]})).await;
    release("reset").await;
    let after = stats().await;
    clear_faults().await;
    assert_eq!(name_of(&err), "AbortError");
    assert_eq!(get(&err, "created").as_f64(), Some(0.0));
    let failed = to_json(&get(&err, "failed"));
    let ranges: Vec<(u64, u64)> = failed.as_array().unwrap().iter().map(|f| (f["from"].as_u64().unwrap(), f["to"].as_u64().unwrap())).collect();
    assert_eq!(ranges, vec![(0, 10), (10, 20), (20, 30)]);
    let attempts: Vec<u64> = failed.as_array().unwrap().iter().map(|f| f["attempts"].as_u64().unwrap()).collect();
    assert_eq!(attempts, vec![1, 0, 0], "the first chunk was cut in flight, the others never sent");
    assert!(message_of(&err).contains("0 of 30 events were stored"), "{}", message_of(&err));
    // The client sent one request; Chromium may send it again by itself (as the resume
    // test below notes).
    assert!(after.create > before.create, "the first chunk's request reached the emulator");
    assert_eq!(after.events, before.events, "nothing was stored");
}

#[wasm_bindgen_test]
async fn an_already_aborted_signal_sends_nothing() {
    let c = client().await;
    let controller = web_sys::AbortController::new().unwrap();
    controller.abort();
    let opts = js(json!({}));
    Reflect::set(&opts, &"signal".into(), &controller.signal()).unwrap();
    let before = stats().await;
    let err = settle(c.create_events(events(5, "never"), &opts, &JsValue::UNDEFINED)).await.unwrap_err();
    assert_eq!(name_of(&err), "AbortError");
    assert_eq!(stats().await, before);
}

#[wasm_bindgen_test]
async fn a_slow_answer_times_out() {
    let c = client().await;
    // Held unanswered until the client has given up, however slow the machine.
    faults(json!({"sequence": ["hold"]})).await;
    let err = settle(c.query_events(&JsValue::UNDEFINED, &js(json!({"timeoutMs": 200, "maxRetries": 0})))).await.unwrap_err();
    release("reset").await;
    clear_faults().await;
    assert_eq!(name_of(&err), "TimeoutError", "{}", message_of(&err));
    assert_eq!(get(&err, "timeoutMs").as_f64(), Some(200.0));
}

#[wasm_bindgen_test]
async fn api_errors_carry_status_and_server_message() {
    let c = client().await;
    let body = js(json!({"filter": {"colour": "red"}}));
    let err = settle(c.query_events(&body, &JsValue::UNDEFINED)).await.unwrap_err();
    assert_eq!(name_of(&err), "EventsApiError");
    assert_eq!(get(&err, "status").as_f64(), Some(400.0));
    assert_eq!(get(&err, "retryable").as_bool(), Some(false));
    assert!(message_of(&err).contains("colour"), "{}", message_of(&err));
}

/// Each bad call rejects (or throws) with the named error, and sends nothing.
#[wasm_bindgen_test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let c = client().await;
    let good = event(0, "bad-input");
    let with = |k: &str, v: Value| {
        let mut e = good.clone();
        e[k] = v;
        js(json!([e]))
    };
    let without = |k: &str| {
        let mut e = good.clone();
        e.as_object_mut().unwrap().remove(k);
        js(json!([e]))
    };
    let u = JsValue::UNDEFINED;
    let cases: Vec<(&str, JsValue, JsValue, &str, &str)> = vec![
        ("not an array", js(json!({"a": 1})), u.clone(), "TypeError", "must be an array"),
        ("a string", JsValue::from_str("events"), u.clone(), "TypeError", "must be an array"),
        ("start not a date", with("start", json!("yesterday")), u.clone(), "ValidationError", "0.start"),
        ("start without offset", with("start", json!("2024-01-01T00:00:00")), u.clone(), "ValidationError", "0.start"),
        ("start a number", with("start", json!(1700000000)), u.clone(), "ValidationError", "0.start"),
        ("owner missing", without("owner"), u.clone(), "ValidationError", "0.owner"),
        ("owner empty", with("owner", json!("")), u.clone(), "ValidationError", "0.owner"),
        ("owner a number", with("owner", json!(1)), u.clone(), "ValidationError", "0.owner"),
        ("value missing", without("value"), u.clone(), "ValidationError", "0.value"),
        ("end before start", with("end", json!("2024-01-01T00:00:00Z")), u.clone(), "ValidationError", "0.end"),
        ("batch empty", with("batch", json!("")), u.clone(), "ValidationError", "0.batch"),
        ("batch null", with("batch", json!(null)), u.clone(), "ValidationError", "0.batch"),
        ("unknown field", with("colour", json!("red")), u.clone(), "ValidationError", "colour"),
        ("an id", with("id", json!("x")), u.clone(), "ValidationError", "0.id"),
        ("null event", js(json!([good, null])), u.clone(), "ValidationError", "1"),
        ("chunksize 0", js(json!([good])), JsValue::from(0), "RangeError", "chunksize"),
        ("chunksize 100001", js(json!([good])), JsValue::from(100_001), "RangeError", "chunksize"),
        ("chunksize 1.5", js(json!([good])), JsValue::from(1.5), "RangeError", "chunksize"),
        ("chunksize a string", js(json!([good])), JsValue::from_str("10"), "TypeError", "chunksize"),
        ("concurrency 0", js(json!([good])), js(json!({"concurrency": 0})), "RangeError", "concurrency"),
        ("misspelled option", js(json!([good])), js(json!({"chunkSize": 10})), "TypeError", "chunkSize"),
    ];
    let before = stats().await;
    for (what, events, second, name, needle) in cases {
        let err = settle(c.create_events(events, &second, &JsValue::UNDEFINED)).await.unwrap_err();
        assert_eq!(name_of(&err), name, "{what}: {}", message_of(&err));
        assert!(message_of(&err).contains(needle), "{what}: {}", message_of(&err));
    }
    let queries: Vec<(&str, JsValue, JsValue, &str)> = vec![
        ("negative page", u.clone(), js(json!({"page": -1})), "RangeError"),
        ("pageSize 0", u.clone(), js(json!({"pageSize": 0})), "RangeError"),
        ("pageSize 10001", u.clone(), js(json!({"pageSize": 10001})), "RangeError"),
        ("body an array", js(json!([1])), u.clone(), "TypeError"),
    ];
    for (what, body, opts, name) in queries {
        let err = settle(c.query_events(&body, &opts)).await.unwrap_err();
        assert_eq!(name_of(&err), name, "{what}: {}", message_of(&err));
    }
    for (what, coll, name) in [("empty collection", JsValue::from_str(""), "RangeError"), ("no collection", u.clone(), "TypeError")] {
        let err = settle(c.delete_events(&coll, &u.clone())).await.unwrap_err();
        assert_eq!(name_of(&err), name, "{what}: {}", message_of(&err));
    }
    assert_eq!(stats().await, before, "nothing was sent");
}

#[wasm_bindgen_test]
async fn a_validation_error_lists_every_problem_with_its_index() {
    let c = client().await;
    let mut evs: Vec<Value> = (0..300).map(|i| event(i, "many-problems")).collect();
    for i in (0..300).step_by(2) {
        evs[i]["start"] = json!("not a date");
    }
    let err = settle(c.create_events(js(Value::Array(evs)), &JsValue::from(100), &JsValue::UNDEFINED)).await.unwrap_err();
    assert_eq!(name_of(&err), "ValidationError");
    assert_eq!(get(&err, "problemCount").as_f64(), Some(150.0));
    let problems = to_json(&get(&err, "problems"));
    let list = problems.as_array().unwrap();
    assert!(!list.is_empty() && list.len() <= 100, "capped list");
    assert_eq!((list[1]["index"].as_u64(), list[1]["field"].as_str()), (Some(2), Some("start")));
    assert!(message_of(&err).contains("0.start"), "{}", message_of(&err));
}

#[wasm_bindgen_test]
async fn constructor_refuses_bad_options() {
    let cases = [
        (json!({}), "TypeError"),
        (json!({"token": ""}), "TypeError"),
        (json!({"token": "t", "env": "staging"}), "RangeError"),
        (json!({"token": "t", "baseUrl": "http://example.com/api/v1"}), "RangeError"),
        (json!({"token": "t", "baseUrl": "ftp://127.0.0.1/api"}), "TypeError"),
        (json!({"token": "t", "concurrency": 0}), "RangeError"),
        (json!({"token": "t", "tokn": "x"}), "TypeError"),
    ];
    for (opts, name) in cases {
        let err = Engine::new(&js(opts.clone())).err().unwrap_or_else(|| panic!("{opts} was accepted"));
        // An error value (the face makes it a TypeError/RangeError): its name and message.
        assert_eq!(name_of(&err), name, "{opts}: {}", message_of(&err));
        assert!(!message_of(&err).is_empty(), "{opts}: a message");
    }
    assert!(Engine::new(&js(json!({"token": "t", "baseUrl": "http://example.com/api/v1", "allowInsecureHttp": true}))).is_ok());
    assert!(Engine::new(&js(json!({"token": "t", "baseUrl": "http://localhost:8787/api/v1"}))).is_ok());
}

#[wasm_bindgen_test]
async fn tokens_never_show_in_errors_or_serialization() {
    let secret = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWNyZXQifQ.SECRET-SIGNATURE";
    let c = Engine::new(&js(json!({"token": secret, "refreshToken": "REFRESH-SECRET", "baseUrl": emulator::api(), "maxRetries": 0}))).unwrap();
    let err = settle(c.query_events(&JsValue::UNDEFINED, &JsValue::UNDEFINED)).await.unwrap_err();
    let shown = format!("{} {} {}", message_of(&err), String::from(JSON::stringify(&err).unwrap()), String::from(JSON::stringify(&c.urls()).unwrap()));
    assert!(!shown.contains("SECRET"), "{shown}");
    // The API's 401, then the Auth API's refusal of the refresh token.
    assert_eq!(name_of(&err), "AuthError");
    assert_eq!(get(&err, "status").as_f64(), Some(401.0));
}

/// A chunk whose answer was lost is reported failed although the server stored it;
/// resuming with the error's `runId` replays every stored chunk instead of storing it
/// twice. (Chromium may resend the lost request itself, with the same key: then the
/// upload simply succeeds, and still stores each event once.)
#[wasm_bindgen_test]
async fn resuming_with_the_run_id_stores_nothing_twice() {
    let c = client().await;
    let coll = unique("resume");
    let evs = events(30, &coll);
    let before = stats().await;
    faults(json!({"sequence": ["ok", "lost-response"]})).await;
    let opts = js(json!({"chunksize": 10, "concurrency": 1, "maxRetries": 0}));
    let outcome = settle(c.create_events(evs.clone(), &opts, &JsValue::UNDEFINED)).await;
    clear_faults().await;
    assert_eq!(count_in(&c, &coll).await, 30, "the lost answer's chunk was stored all the same");
    let err = match outcome {
        Ok(r) => {
            // Some browsers send a POST again themselves when its connection drops before
            // the answer: the same request, key and all, answered from the idempotency
            // record. The resume path is then covered by
            // `an_aborted_upload_resumes_with_its_run_id`.
            assert_eq!(to_json(&r)["created"], 30);
            let after = stats().await;
            assert_eq!(after.replayed - before.replayed, 1, "the browser's own resend was a replay");
            assert_eq!(after.create - before.create, 4, "three chunks and the browser's resend");
            return;
        }
        Err(err) => err,
    };
    assert_eq!(name_of(&err), "CreateEventsError", "{}", message_of(&err));
    let failed = to_json(&get(&err, "failed"));
    assert_eq!((failed[0]["from"].as_u64(), failed[0]["to"].as_u64()), (Some(10), Some(20)));
    assert_eq!(name_of(&get(&Array::from(&get(&err, "failed")).get(0), "error")), "NetworkError");
    resume_and_check(&c, evs, &coll, get(&err, "runId"), 0).await;
}

/// An aborted upload resumes with its `runId`: stored chunks are replayed, the rest
/// stored, nothing twice.
#[wasm_bindgen_test]
async fn an_aborted_upload_resumes_with_its_run_id() {
    let c = client().await;
    let coll = unique("abort-resume");
    let evs = events(30, &coll);
    let controller = web_sys::AbortController::new().unwrap();
    let opts = js(json!({"chunksize": 10, "concurrency": 1}));
    Reflect::set(&opts, &"signal".into(), &controller.signal()).unwrap();
    // Abort as soon as the first chunk is reported stored (however slow the machine).
    let abort_after_first = controller.clone();
    let on_progress = wasm_bindgen::closure::Closure::<dyn Fn(JsValue)>::new(move |p: JsValue| {
        if get(&p, "chunksDone").as_f64() == Some(1.0) {
            abort_after_first.abort();
        }
    });
    Reflect::set(&opts, &"onProgress".into(), on_progress.as_ref()).unwrap();
    let err = settle(c.create_events(evs.clone(), &opts, &JsValue::UNDEFINED)).await.unwrap_err();
    assert_eq!(name_of(&err), "AbortError");
    assert_eq!(get(&err, "created").as_f64(), Some(10.0));
    let failed = to_json(&get(&err, "failed"));
    let ranges: Vec<(u64, u64)> = failed.as_array().unwrap().iter().map(|f| (f["from"].as_u64().unwrap(), f["to"].as_u64().unwrap())).collect();
    assert_eq!(ranges, vec![(10, 20), (20, 30)]);
    resume_and_check(&c, evs, &coll, get(&err, "runId"), 20).await;
}

async fn resume_and_check(c: &Engine, evs: JsValue, coll: &str, run_id: JsValue, newly_stored: u64) {
    let opts = js(json!({"chunksize": 10}));
    Reflect::set(&opts, &"runId".into(), &run_id).unwrap();
    let before = stats().await;
    let r = to_json(&settle(c.create_events(evs, &opts, &JsValue::UNDEFINED)).await.unwrap());
    assert_eq!(r["created"], 30);
    assert_eq!(r["runId"], run_id.as_string().unwrap());
    assert_eq!(stats().await.events - before.events, newly_stored, "stored chunks were replayed");
    assert_eq!(count_in(c, coll).await, 30);
}

#[wasm_bindgen_test]
async fn retry_after_is_honoured() {
    let c = client().await;
    faults(json!({"sequence": ["429", "ok"]})).await;
    let r = to_json(&settle(c.create_events(events(5, &unique("after")), &JsValue::UNDEFINED, &JsValue::UNDEFINED)).await.unwrap());
    clear_faults().await;
    assert_eq!(r["chunks"][0]["attempts"], 2);
    // The emulator says `Retry-After: 1`; our own backoff before a first retry is at most 500 ms.
    assert!(r["chunks"][0]["ms"].as_f64().unwrap() >= 1000.0, "{r}");
}

/// The test emulator refuses bodies over 1 MB (`--max-body-bytes`, see the Makefile):
/// a chunk of ~1.2 MB is answered 413 and sent again as two halves.
#[wasm_bindgen_test]
async fn a_413_splits_the_chunk_in_two() {
    let c = client().await;
    let coll = unique("split");
    let before = stats().await;
    let r = to_json(&settle(c.create_events(events(6000, &coll), &JsValue::from(6000), &JsValue::UNDEFINED)).await.unwrap());
    assert_eq!(r["created"], 6000);
    let chunks = r["chunks"].as_array().unwrap();
    let ranges: Vec<(u64, u64, u64)> = chunks
        .iter()
        .map(|ch| (ch["index"].as_u64().unwrap(), ch["from"].as_u64().unwrap(), ch["to"].as_u64().unwrap()))
        .collect();
    assert_eq!(ranges, vec![(0, 0, 3000), (0, 3000, 6000)]);
    assert_eq!(r["ids"].as_array().unwrap().len(), 6000);
    assert_eq!(stats().await.create - before.create, 3, "the refused chunk, then its halves");
    assert_eq!(count_in(&c, &coll).await, 6000);
}

/// A last page that is full: `more` is false from the answer's `total`, and no empty
/// page is asked for; a bad argument throws before anything is sent.
#[wasm_bindgen_test]
async fn query_pages_end_on_the_total() {
    let c = client().await;
    let coll = unique("full");
    settle(c.create_events(events(6, &coll), &JsValue::UNDEFINED, &JsValue::UNDEFINED)).await.unwrap();
    let before = stats().await;
    let pages = c.query_pages(&js(json!({"filter": {"collection": coll}})), &js(json!({"pageSize": 3})), false).unwrap();
    let sizes: Vec<u32> = all_pages(&pages).await.iter().map(|p| p.length()).collect();
    assert_eq!(sizes, vec![3, 3]);
    assert_eq!(stats().await.query - before.query, 2, "no third page");
    let refused = c.query_pages(&JsValue::UNDEFINED, &js(json!({"page": 1})), false).err().expect("page is not a queryAll option");
    assert_eq!(name_of(&refused), "TypeError");
    assert_eq!(stats().await.query - before.query, 2, "nothing sent");
}

/// A failed page rejects its own `next()`, with the engine's error value.
#[wasm_bindgen_test]
async fn query_pages_report_a_failed_page() {
    let c = client().await;
    let coll = unique("failing-page");
    settle(c.create_events(events(5, &coll), &JsValue::UNDEFINED, &JsValue::UNDEFINED)).await.unwrap();
    // Pages 1 and 2 are both in flight once page 0 told the total (the emulator may see
    // them in either order): both fail.
    faults(json!({"sequence": ["ok", "503", "503"]})).await;
    let pages = c.query_pages(&js(json!({"filter": {"collection": coll}})), &js(json!({"pageSize": 2, "maxRetries": 0})), false).unwrap();
    let first = settle(pages.next()).await;
    let second = settle(pages.next()).await;
    clear_faults().await;
    let first = first.unwrap();
    assert_eq!(Array::from(&get(&first, "items")).length(), 2);
    assert_eq!(get(&first, "more").as_bool(), Some(true));
    let err = second.unwrap_err();
    assert_eq!(name_of(&err), "EventsApiError");
    assert_eq!(get(&err, "status").as_f64(), Some(503.0));
}
