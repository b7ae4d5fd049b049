//! The served OpenAPI document: it describes every route, and answers are checked
//! against it (here and, through `Emu::call`, in every other test).

mod common;

use common::{event, schema_validator, Emu};
use serde_json::json;

#[test]
fn the_document_describes_every_route() {
    let emu = Emu::start();
    let doc = emu.openapi();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/api/v1/events", &["post", "delete"][..]),
        ("/api/v1/events/query", &["post"]),
        ("/api/v1/auth/login", &["post"]),
        ("/api/v1/auth/refresh-token", &["post"]),
        ("/api/docs-json", &["get"]),
        ("/api/docs", &["get"]),
        ("/__emulator/stats", &["get"]),
        ("/__emulator/faults", &["post", "delete"]),
        ("/__emulator/release", &["post"]),
        ("/__emulator/expire-tokens", &["post"]),
        ("/__emulator/clock", &["post"]),
    ] {
        for m in methods {
            assert!(paths[path].get(*m).is_some(), "{m} {path} is documented");
        }
    }
    // Every $ref resolves: build a validator for each documented JSON answer.
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            for (code, resp) in op["responses"].as_object().unwrap() {
                if resp["content"].get("application/json").is_some() {
                    let ptr = format!(
                        "/paths/{}/{method}/responses/{code}/content/application~1json/schema",
                        path.replace('/', "~1")
                    );
                    schema_validator(&doc, &ptr);
                }
            }
        }
    }
}

#[test]
fn the_check_can_fail() {
    let emu = Emu::start();
    let doc = emu.openapi();
    let created = schema_validator(
        &doc,
        "/paths/~1api~1v1~1events/post/responses/201/content/application~1json/schema",
    );
    assert!(created.is_valid(&json!({"created": 1, "ids": ["1"]})));
    assert!(!created.is_valid(&json!({"created": 1, "ids": [1]})));
    assert!(!created.is_valid(&json!({"created": 1})));
    assert!(!created.is_valid(&json!({"created": 1, "ids": [], "extra": true})));
    let err = schema_validator(&doc, "/components/schemas/Error");
    assert!(!err.is_valid(&json!({"statusCode": 400, "message": "x"})));
    assert!(
        err.is_valid(&json!({"statusCode": 400, "error": "Bad Request", "message": ["a", "b"]}))
    );
    let stored = schema_validator(&doc, "/components/schemas/StoredEvent");
    let mut e = event("1", "C", "2024-01-01T00:00:00Z", 0);
    assert!(!stored.is_valid(&e), "id and createdAt are required");
    e["id"] = json!("0000000000000001");
    e["createdAt"] = json!("2024-01-01T00:00:00.000Z");
    assert!(stored.is_valid(&e));
    e["createdAt"] = json!("2024-01-01T00:00:00Z");
    assert!(!stored.is_valid(&e), "createdAt has milliseconds");
}

#[test]
fn real_answers_match_the_document() {
    let emu = Emu::start();
    // Each of these goes through the automatic check in Emu::call.
    let mut full = event("1", "C", "2024-01-01T00:00:00Z", 0);
    full["end"] = json!("2024-01-02T00:00:00Z");
    full["batch"] = json!("b");
    emu.create_ok(&json!([full, event("2", "C", "2024-01-01T00:00:00Z", 1)]));
    emu.create(&json!([{"owner": 1}]));
    emu.query_ok("?page=0&pageSize=1", &json!({"sort": {"start": -1}}));
    emu.query("?page=x", &json!({}));
    emu.api("DELETE", "/api/v1/events?collection=C", None);
    emu.call("POST", "/api/v1/events", &[], None);
    emu.login("u");
    emu.stats();
    emu.faults(&json!({"sequence": ["503", "429"]}));
    emu.query("", &json!({}));
    emu.query("", &json!({}));
    emu.call("DELETE", "/__emulator/faults", &[], None);
    emu.call("GET", "/does/not/exist", &[], None);
    let page = emu.call("GET", "/api/docs", &[], None);
    assert_eq!(page.status, 200);
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    let html = page.text();
    assert!(html.contains("/api/v1/events/query") && html.contains("/api/docs-json"));
}
