//! Compressed request bodies and answers, as the contract's Create section says:
//! `Content-Encoding: gzip` or `deflate` bodies are inflated (the byte limit applying to
//! what they inflate to, inflation stopping as soon as it is passed), any other encoding
//! gets 415, and answers are gzip-compressed for a request that accepts gzip.

mod common;

use std::io::{Read, Write};
use std::time::Instant;

use common::{event, Emu, Resp};
use flate2::read::GzDecoder;
use flate2::write::{GzEncoder, ZlibEncoder};
use flate2::Compression;
use serde_json::{json, Value};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn zlib(bytes: &[u8]) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn create_encoded(emu: &Emu, encoding: &str, body: &[u8]) -> Resp {
    let auth = emu.bearer();
    emu.call(
        "POST",
        "/api/v1/events",
        &[("Authorization", &auth), ("Content-Type", "application/json"), ("Content-Encoding", encoding)],
        Some(body),
    )
}

fn events(collection: &str, n: usize) -> Value {
    Value::Array((0..n).map(|i| event("1", collection, "2024-01-01T00:00:00Z", i)).collect())
}

fn stored(emu: &Emu, collection: &str) -> Vec<Value> {
    emu.query_ok("?pageSize=10000", &json!({"filter": {"collection": collection}}))["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn gzip_and_deflate_bodies_are_stored_as_sent() {
    let emu = Emu::start();
    for (encoding, compress) in [("gzip", gzip as fn(&[u8]) -> Vec<u8>), ("deflate", zlib), ("x-gzip", gzip)] {
        let collection = format!("c-{encoding}");
        let batch = events(&collection, 300);
        let plain = serde_json::to_vec(&batch).unwrap();
        let packed = compress(&plain);
        assert!(packed.len() * 5 < plain.len(), "{encoding}: {} → {} bytes", plain.len(), packed.len());
        let r = create_encoded(&emu, encoding, &packed);
        assert_eq!(r.status, 201, "{encoding}: {}", r.text());
        assert_eq!(r.json()["created"], 300);
        let back = stored(&emu, &collection);
        assert_eq!(back.len(), 300);
        let by_id: std::collections::HashMap<&str, &Value> =
            back.iter().map(|e| (e["externalId"].as_str().unwrap(), e)).collect();
        for sent in batch.as_array().unwrap() {
            let got = by_id[sent["externalId"].as_str().unwrap()];
            for (k, v) in sent.as_object().unwrap() {
                assert_eq!(&got[k], v, "{encoding}: {k}");
            }
        }
    }
    // `identity` is no encoding at all.
    assert_eq!(create_encoded(&emu, "identity", events("c-id", 1).to_string().as_bytes()).status, 201);
}

#[test]
fn other_encodings_get_415_and_broken_ones_400() {
    let emu = Emu::start();
    let body = events("c", 2).to_string();
    for encoding in ["br", "zstd", "compress", "gzip, br"] {
        let r = create_encoded(&emu, encoding, body.as_bytes());
        assert_eq!(r.status, 415, "{encoding}: {}", r.text());
        assert!(r.json()["message"].as_str().unwrap().contains("not supported"), "{}", r.text());
    }
    // Declared gzip, but the bytes are not.
    let r = create_encoded(&emu, "gzip", body.as_bytes());
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("could not be decompressed"), "{}", r.text());
    assert_eq!(emu.stored(), 0);
}

#[test]
fn refuse_content_encoding_answers_415_to_any_compressed_body() {
    let emu = Emu::start_args(&["--refuse-content-encoding"]);
    let plain = events("c", 2).to_string();
    let r = create_encoded(&emu, "gzip", &gzip(plain.as_bytes()));
    assert_eq!(r.status, 415, "{}", r.text());
    assert!(r.text().contains("send the body uncompressed"), "{}", r.text());
    // The same events, plain, are stored.
    assert_eq!(emu.create(&events("c", 2)).status, 201);
    assert_eq!(emu.stored(), 2);
}

/// Peak resident memory of a process, from /proc (kB).
fn peak_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn a_gzip_bomb_gets_413_without_being_inflated_whole() {
    let emu = Emu::start();
    // 1 GiB of zeros inside a JSON string: about 1 MB of gzip.
    let mut e = GzEncoder::new(Vec::new(), Compression::best());
    e.write_all(b"[{\"value\":\"").unwrap();
    let zeros = vec![b'0'; 1 << 20];
    for _ in 0..1024 {
        e.write_all(&zeros).unwrap();
    }
    e.write_all(b"\"}]").unwrap();
    let bomb = e.finish().unwrap();
    assert!(bomb.len() < 2 << 20, "the bomb is {} bytes", bomb.len());
    let before = peak_rss_kb(emu.pid());
    let started = Instant::now();
    let r = create_encoded(&emu, "gzip", &bomb);
    let took = started.elapsed();
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(r.text().contains("once decompressed"), "{}", r.text());
    let after = peak_rss_kb(emu.pid());
    eprintln!(
        "gzip bomb: {} KB → 1 GiB; 413 in {} ms; emulator peak RSS {} → {} MB",
        bomb.len() / 1024,
        took.as_millis(),
        before / 1024,
        after / 1024
    );
    // Inflating stops just past the 32 MiB limit: the peak stays far below the 1 GiB.
    assert!(after < before + 160 * 1024, "peak RSS grew from {before} kB to {after} kB");
    assert_eq!(emu.stored(), 0);
}

#[test]
fn answers_are_gzipped_when_the_request_accepts_gzip() {
    let emu = Emu::start();
    emu.create_ok(&events("c", 500));
    let auth = emu.bearer();
    let body = json!({"filter": {"collection": "c"}}).to_string();
    let ask = |accept: Option<&str>| {
        let mut h = vec![("Authorization", auth.as_str()), ("Content-Type", "application/json")];
        if let Some(a) = accept {
            h.push(("Accept-Encoding", a));
        }
        emu.call("POST", "/api/v1/events/query?pageSize=500", &h, Some(body.as_bytes()))
    };
    let plain = ask(None);
    assert_eq!(plain.header("content-encoding"), None);
    let packed = ask(Some("gzip, deflate"));
    assert_eq!(packed.status, 200);
    assert_eq!(packed.header("content-encoding"), Some("gzip"));
    assert!(packed.body.len() * 5 < plain.body.len(), "{} vs {} bytes", packed.body.len(), plain.body.len());
    let mut text = String::new();
    GzDecoder::new(&packed.body[..]).read_to_string(&mut text).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), plain.json());
    // The smallest answers too: a delete that deleted nothing.
    let small = emu.call(
        "DELETE",
        "/api/v1/events?collection=none",
        &[("Authorization", auth.as_str()), ("Accept-Encoding", "gzip")],
        None,
    );
    assert_eq!(small.status, 200);
    assert_eq!(small.header("content-encoding"), Some("gzip"));
    let mut text = String::new();
    GzDecoder::new(&small.body[..]).read_to_string(&mut text).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), json!({"deleted": 0}));
}
