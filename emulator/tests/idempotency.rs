//! Idempotency-Key, as the contract's Create section says (after the IETF draft "The
//! Idempotency-Key HTTP Header Field"): only a 201 is recorded, the key is bound to the
//! body's fingerprint (another body: 422), a key in flight gets 409; recorded answers
//! survive a restart and kill -9, and a database of the earlier schema is migrated.

mod common;

use std::time::Duration;

use common::{event, eventually, Emu, Resp};
use serde_json::{json, Value};

fn create_with_key(emu: &Emu, token: &str, key: &str, body: &[u8]) -> Resp {
    let auth = format!("Bearer {token}");
    emu.call(
        "POST",
        "/api/v1/events",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
            ("Idempotency-Key", key),
        ],
        Some(body),
    )
}

fn keyed(emu: &Emu, key: &str, events: &Value) -> Resp {
    create_with_key(emu, &emu.token, key, events.to_string().as_bytes())
}

fn two_events() -> Value {
    json!([
        event("1", "C", "2024-01-01T00:00:00Z", 0),
        event("1", "C", "2024-01-02T00:00:00Z", 1)
    ])
}

/// A NestJS error body with this status and message.
fn assert_error(r: &Resp, status: u16, error: &str, message: &str) {
    assert_eq!(r.status, status, "{}", r.text());
    assert_eq!(
        r.json(),
        json!({"statusCode": status, "error": error, "message": message})
    );
    assert!(r.header("idempotent-replayed").is_none());
}

fn assert_reused(r: &Resp) {
    assert_error(
        r,
        422,
        "Unprocessable Entity",
        "Idempotency-Key reused with a different body",
    );
}

#[test]
fn a_repeat_with_the_same_body_replays_the_201_and_stores_nothing_new() {
    let emu = Emu::start();
    let events = two_events();
    let first = keyed(&emu, "chunk-1", &events);
    assert_eq!(first.status, 201, "{}", first.text());
    assert!(first.header("idempotent-replayed").is_none());
    for _ in 0..2 {
        let again = keyed(&emu, "chunk-1", &events);
        assert_eq!(again.status, 201);
        assert_eq!(again.body, first.body, "same body, same ids");
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
    }
    assert_eq!(emu.stored(), 2);
    assert_eq!(emu.stats()["replayed"], 2, "the stats hook counts replayed creates");

    // Keys are per user: the same key and body from another user is a new create.
    let (token_b, _) = emu.login("bob");
    let b = create_with_key(&emu, &token_b, "chunk-1", events.to_string().as_bytes());
    assert_eq!(b.status, 201);
    assert_ne!(b.body, first.body);
    assert_eq!(emu.stored(), 4);

    // Key length: 1 to 255 visible ASCII characters.
    assert_eq!(keyed(&emu, &"k".repeat(255), &events).status, 201);
    let long = keyed(&emu, &"k".repeat(256), &events);
    assert_eq!(long.status, 400);
    assert!(long.text().contains("Idempotency-Key"));
    assert_eq!(emu.stored(), 6);
}

#[test]
fn a_refused_create_is_not_recorded_so_the_corrected_body_goes_through() {
    let emu = Emu::start();
    let bad = json!([event("1", "C", "2024-01-01T00:00:00Z", 0), {"owner": "1"}]);
    let r1 = keyed(&emu, "fix-me", &bad);
    assert_eq!(r1.status, 400, "{}", r1.text());
    // The same bad body again is validated again (not a replay).
    let r2 = keyed(&emu, "fix-me", &bad);
    assert_eq!(r2.status, 400);
    assert_eq!(r2.body, r1.body);
    assert!(r2.header("idempotent-replayed").is_none());
    // Not JSON at all: not recorded either.
    let r3 = create_with_key(&emu, &emu.token, "fix-me", b"[{");
    assert_eq!(r3.status, 400);
    assert_eq!(emu.stored(), 0);
    // The caller fixes the data and sends it under the same key: stored.
    let fixed = two_events();
    let ok = keyed(&emu, "fix-me", &fixed);
    assert_eq!(ok.status, 201, "{}", ok.text());
    assert!(ok.header("idempotent-replayed").is_none());
    assert_eq!(emu.stored(), 2);
    // From now on the key is bound to the fixed body.
    assert_eq!(keyed(&emu, "fix-me", &fixed).body, ok.body);
    assert_reused(&keyed(&emu, "fix-me", &bad));
    assert_eq!(emu.stored(), 2);
}

#[test]
fn a_413_is_not_recorded() {
    let emu = Emu::start_args(&["--max-body-bytes", "2000"]);
    let big: Vec<Value> = (0..20)
        .map(|i| event("1", "C", "2024-01-01T00:00:00Z", i))
        .collect();
    let r = keyed(&emu, "big", &Value::Array(big));
    assert_eq!(r.status, 413);
    let small = json!([event("1", "C", "2024-01-01T00:00:00Z", 0)]);
    let ok = keyed(&emu, "big", &small);
    assert_eq!(ok.status, 201, "{}", ok.text());
    assert_eq!(emu.stored(), 1);
}

#[test]
fn a_key_reused_with_a_different_body_gets_422_and_changes_nothing() {
    let emu = Emu::start();
    let events = two_events();
    let first = keyed(&emu, "k-422", &events);
    assert_eq!(first.status, 201);
    // Another body: other events, valid or not, or the same events written otherwise
    // (the fingerprint is of the bytes).
    let other = json!([event("9", "Z", "2024-01-01T00:00:00Z", 9)]);
    assert_reused(&keyed(&emu, "k-422", &other));
    assert_reused(&keyed(&emu, "k-422", &json!([{"owner": 1}])));
    let spaced = serde_json::to_string_pretty(&events).unwrap();
    assert_reused(&create_with_key(
        &emu,
        &emu.token,
        "k-422",
        spaced.as_bytes(),
    ));
    assert_eq!(emu.stored(), 2, "a 422 stores nothing");
    // The recorded answer stays as it was.
    let again = keyed(&emu, "k-422", &events);
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    // Another user's same key is not affected by this user's record.
    let (token_b, _) = emu.login("bob");
    let b = create_with_key(&emu, &token_b, "k-422", other.to_string().as_bytes());
    assert_eq!(b.status, 201);
    assert_eq!(emu.stored(), 3);
}

/// Releases held requests when a test ends, also when it fails, so that the thread of
/// the held request does not wait for its read timeout.
struct ReleaseOnDrop<'a>(&'a Emu);

impl Drop for ReleaseOnDrop<'_> {
    fn drop(&mut self) {
        let _ = common::http::request(&self.0.addr, "POST", "/__emulator/release", &[], None);
    }
}

/// Polls the stats hook until `held` requests wait on a `hold` fault (bounded).
fn wait_held(emu: &Emu, held: u64) {
    assert!(
        eventually(Duration::from_secs(30), || emu.stats()["held"] == held),
        "expected {held} held request(s): {}",
        emu.stats()
    );
}

#[test]
fn a_key_in_flight_gets_409_and_stores_nothing() {
    let emu = Emu::start();
    let events = two_events();
    let body = events.to_string();
    // The first create is held inside the handler, its key claimed.
    emu.faults(&json!({"sequence": ["hold-claimed"]}));
    let first = std::thread::scope(|s| {
        let _release = ReleaseOnDrop(&emu);
        let first = s.spawn(|| create_with_key(&emu, &emu.token, "busy", body.as_bytes()));
        wait_held(&emu, 1);
        // Same key, same body or another one: 409, nothing stored.
        let same = create_with_key(&emu, &emu.token, "busy", body.as_bytes());
        assert_error(
            &same,
            409,
            "Conflict",
            "a request with this Idempotency-Key is still being processed; retry later",
        );
        let other = json!([event("9", "Z", "2024-01-01T00:00:00Z", 9)]);
        assert_eq!(keyed(&emu, "busy", &other).status, 409);
        // Other keys, and the same key of another user, are not held up.
        assert_eq!(keyed(&emu, "free", &other).status, 201);
        let (token_b, _) = emu.login("bob");
        assert_eq!(
            create_with_key(&emu, &token_b, "busy", body.as_bytes()).status,
            201
        );
        assert_eq!(emu.stored(), 3, "the 409s stored nothing");
        let released = emu.call("POST", "/__emulator/release", &[], None);
        assert_eq!(released.status, 200);
        assert_eq!(released.json(), json!({"released": 1}));
        first.join().unwrap()
    });
    assert_eq!(first.status, 201, "{}", first.text());
    assert_eq!(emu.stats()["held"], 0);
    assert_eq!(emu.stats()["faults"]["hold-claimed"], 1);
    assert_eq!(emu.stored(), 5);
    // Done: the retry that got 409 now gets the first answer.
    let retry = create_with_key(&emu, &emu.token, "busy", body.as_bytes());
    assert_eq!(retry.status, 201);
    assert_eq!(retry.body, first.body);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(emu.stored(), 5);
}

#[test]
fn a_key_in_flight_is_freed_when_its_create_fails() {
    let emu = Emu::start();
    emu.faults(&json!({"sequence": ["hold-claimed"]}));
    let bad = json!([{"owner": "1"}]).to_string();
    let first = std::thread::scope(|s| {
        let _release = ReleaseOnDrop(&emu);
        let first = s.spawn(|| create_with_key(&emu, &emu.token, "k", bad.as_bytes()));
        wait_held(&emu, 1);
        assert_eq!(
            create_with_key(&emu, &emu.token, "k", bad.as_bytes()).status,
            409
        );
        // Clearing the faults releases held requests too.
        assert_eq!(
            emu.call("DELETE", "/__emulator/faults", &[], None).status,
            200
        );
        first.join().unwrap()
    });
    assert_eq!(first.status, 400);
    let ok = keyed(&emu, "k", &two_events());
    assert_eq!(ok.status, 201, "{}", ok.text());
}

#[test]
fn a_hold_on_other_requests_waits_before_handling() {
    let emu = Emu::start();
    emu.faults(&json!({"sequence": ["hold"]}));
    let r = std::thread::scope(|s| {
        let _release = ReleaseOnDrop(&emu);
        let q = s.spawn(|| emu.query("", &json!({})));
        wait_held(&emu, 1);
        emu.call("POST", "/__emulator/release", &[], None);
        q.join().unwrap()
    });
    assert_eq!(r.status, 200);
    assert_eq!(
        emu.call("POST", "/__emulator/release", &[], None).json(),
        json!({"released": 0})
    );
}

#[test]
fn recorded_answers_and_fingerprints_survive_a_restart_and_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("events.sqlite");
    let db = db.to_str().unwrap();
    let events = json!([event("1", "C", "2024-01-01T00:00:00Z", 0)]);
    let first = {
        let emu = Emu::start_args(&["--db", db]);
        let r = keyed(&emu, "persisted", &events);
        assert_eq!(r.status, 201);
        r
    };
    let mut emu = Emu::start_args(&["--db", db]);
    let again = keyed(&emu, "persisted", &events);
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_reused(&keyed(&emu, "persisted", &two_events()));
    let second = keyed(&emu, "before-kill", &two_events());
    assert_eq!(second.status, 201);
    emu.kill9();
    let emu = Emu::start_args(&["--db", db]);
    assert_eq!(keyed(&emu, "before-kill", &two_events()).body, second.body);
    assert_reused(&keyed(&emu, "before-kill", &events));
    assert_reused(&keyed(&emu, "persisted", &two_events()));
    assert_eq!(emu.stored(), 3);
    // Ids keep growing after a restart (never reused).
    let ids = emu.create_ok(&events);
    assert!(ids[0] > second.json()["ids"][1].as_str().unwrap().to_owned());
}

/// A database file written by the emulator before fingerprints (schema version 0): its
/// recorded 400s are dropped, its 201s still replay (for any body: their fingerprint is
/// unknown), and new records get fingerprints.
#[test]
fn a_database_of_the_earlier_schema_is_migrated_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE idempotency (
                user_sub TEXT NOT NULL, key TEXT NOT NULL, status INTEGER NOT NULL,
                body TEXT NOT NULL, created_ms INTEGER NOT NULL,
                PRIMARY KEY (user_sub, key)) WITHOUT ROWID;",
        )
        .unwrap();
        let mut ins = c
            .prepare("INSERT INTO idempotency VALUES ('demo', ?1, ?2, ?3, ?4)")
            .unwrap();
        ins.execute(rusqlite::params![
            "old-201",
            201,
            r#"{"created":1,"ids":["0000000000000007"]}"#,
            now_ms
        ])
        .unwrap();
        ins.execute(rusqlite::params![
            "old-400",
            400,
            r#"{"statusCode":400,"error":"Bad Request","message":["0.collection is required"]}"#,
            now_ms
        ])
        .unwrap();
    }
    let db = path.to_str().unwrap();
    let events = two_events();
    for round in 0..2 {
        // The second start finds the migrated file and changes nothing.
        let emu = Emu::start_args(&["--db", db]);
        let old = keyed(&emu, "old-201", &events);
        assert_eq!(old.status, 201);
        assert_eq!(old.text(), r#"{"created":1,"ids":["0000000000000007"]}"#);
        assert_eq!(old.header("idempotent-replayed"), Some("true"));
        let k = format!("old-400-{round}");
        let fresh = keyed(&emu, if round == 0 { "old-400" } else { &k }, &events);
        assert_eq!(
            fresh.status,
            201,
            "the recorded 400 is gone: {}",
            fresh.text()
        );
        assert_reused(&keyed(
            &emu,
            if round == 0 { "old-400" } else { &k },
            &json!([event("2", "C", "2024-01-01T00:00:00Z", 0)]),
        ));
    }
    let c = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 1);
}
