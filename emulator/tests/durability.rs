//! An acknowledged create survives `kill -9` of the emulator.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{event, eventually, Emu};
use serde_json::{json, Value};

#[test]
fn acknowledged_creates_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("events.sqlite");
    let db = db.to_str().unwrap();
    let mut emu = Emu::start_args(&["--db", db]);
    let mut acknowledged = Vec::new();
    for chunk in 0..20 {
        let evs: Vec<Value> = (0..500)
            .map(|i| event("1", "K", "2024-01-01T00:00:00Z", chunk * 500 + i))
            .collect();
        acknowledged.extend(emu.create_ok(&Value::Array(evs)));
    }
    emu.kill9();
    assert!(!emu.is_running());
    let emu = Emu::start_args(&["--db", db]);
    let got = emu.query_ok(
        "",
        &json!({"filter": {"collection": "K"}, "sort": {"id": 1}}),
    );
    assert_eq!(got["total"], 10_000);
    assert_eq!(Emu::ids(&got), acknowledged);
    assert_eq!(emu.stored(), 10_000);
}

#[test]
fn kill_9_during_ingest_keeps_every_acknowledged_create_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("events.sqlite");
    let db = db.to_str().unwrap().to_owned();
    let mut emu = Emu::start_args(&["--db", &db]);
    let addr = emu.addr.clone();
    let auth = emu.bearer();
    // A client sends creates of 1000 until the server dies under it; it counts the
    // events acknowledged so far where the test can see them.
    let acked = Arc::new(AtomicUsize::new(0));
    let seen = acked.clone();
    let client = std::thread::spawn(move || {
        for chunk in 0..1000 {
            let evs: Vec<Value> = (0..1000)
                .map(|i| event("1", "W", "2024-01-01T00:00:00Z", chunk * 1000 + i))
                .collect();
            let body = Value::Array(evs).to_string();
            match common::http::request(
                &addr,
                "POST",
                "/api/v1/events",
                &[
                    ("Authorization", &auth),
                    ("Content-Type", "application/json"),
                ],
                Some(body.as_bytes()),
            ) {
                Ok(r) if r.status == 201 => {
                    seen.fetch_add(1000, Ordering::SeqCst);
                }
                _ => break,
            }
        }
        seen.load(Ordering::SeqCst)
    });
    // Kill once 3 creates were acknowledged (however slow the machine), with the
    // client sending its next ones.
    assert!(
        eventually(Duration::from_secs(120), || {
            acked.load(Ordering::SeqCst) >= 3000
        }),
        "3 creates acknowledged within 120 s"
    );
    emu.kill9();
    let acked = client.join().unwrap();
    assert!(
        acked >= 3000,
        "the creates acknowledged before the kill: {acked}"
    );
    let emu = Emu::start_args(&["--db", &db]);
    let total = emu.query_ok("?pageSize=1", &json!({"filter": {"collection": "W"}}))["total"]
        .as_u64()
        .unwrap() as usize;
    // Every acknowledged create is there; at most the one in flight may be too, whole.
    assert!(
        total == acked || total == acked + 1000,
        "acknowledged {acked}, stored {total}"
    );
}
