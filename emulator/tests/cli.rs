//! The command line: start-up output, port 0, `--sink`, `--log`, `--static`, bad flags.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};

use common::{event, Emu, BIN};
use serde_json::{json, Value};

fn args(extra: &[&str]) -> Vec<String> {
    let mut a = common::default_args();
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

#[test]
fn start_up_prints_the_url_a_ready_token_and_the_api_base() {
    // Emu::spawn checks the three lines; here, that the port is real and the token works.
    let a = Emu::start();
    let b = Emu::start();
    assert_ne!(a.addr, b.addr, "port 0 picks a free port each time");
    assert!(a.addr.starts_with("127.0.0.1:") && !a.addr.ends_with(":0"));
    assert_eq!(a.query_ok("", &json!({}))["total"], 0);
    let claims = a.token.split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(claims)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (claims["sub"].as_str(), claims["org"].as_str()),
        (Some("demo"), Some("demo"))
    );
}

#[test]
fn sink_answers_creates_but_stores_nothing() {
    let emu = Emu::start_args(&["--sink"]);
    let ids = emu.create_ok(&json!([
        event("1", "S", "2024-01-01T00:00:00Z", 0),
        event("1", "S", "2024-01-01T00:00:00Z", 1)
    ]));
    assert_eq!(ids.len(), 2);
    assert!(ids[0] < ids[1]);
    let more = emu.create_ok(&json!([event("1", "S", "2024-01-01T00:00:00Z", 2)]));
    assert!(more[0] > ids[1], "ids stay unique");
    assert_eq!(
        emu.create(&json!([{"owner": ""}])).status,
        400,
        "still validated"
    );
    assert_eq!(emu.stored(), 0);
    assert_eq!(emu.query_ok("", &json!({}))["total"], 0);
}

#[test]
fn log_prints_one_line_per_request_and_never_a_token() {
    let mut emu = Emu::spawn(&args(&["--log"]), Stdio::piped());
    let auth = emu.bearer();
    emu.create_ok(&json!([event("1", "S", "2024-01-01T00:00:00Z", 0)]));
    emu.call(
        "POST",
        "/api/v1/events/query?page=0&pageSize=5&secret=x",
        &[("Authorization", &auth)],
        None,
    );
    emu.login("someone");
    emu.call("GET", "/nope?token=abc", &[], None);
    emu.kill9();
    let mut err = String::new();
    emu.take_stderr().read_to_string(&mut err).unwrap();
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines.contains(&"POST /api/v1/events 201 0ms")
            || lines
                .iter()
                .any(|l| l.starts_with("POST /api/v1/events 201 ")),
        "{err}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("POST /api/v1/events/query 200 ")),
        "{err}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("POST /api/v1/auth/login 200 ")),
        "{err}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("GET /nope 404 ")),
        "{err}"
    );
    // Only the requests above (plus the test's own stats and docs calls), and nothing secret.
    assert!(
        !err.contains("eyJ")
            && !err.contains("secret")
            && !err.contains("token")
            && !err.contains('?'),
        "{err}"
    );
    for l in &lines {
        let parts: Vec<&str> = l.split(' ').collect();
        assert_eq!(parts.len(), 4, "{l}");
        assert!(parts[3].ends_with("ms"));
    }
}

#[test]
fn static_files_are_served_at_the_root_beside_the_api() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>demo</title>",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("pkg")).unwrap();
    std::fs::write(dir.path().join("pkg/client_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.path().join("pkg/client.js"), "export default 1;").unwrap();
    let emu = Emu::start_args(&["--static", dir.path().to_str().unwrap()]);
    let r = emu.call("GET", "/", &[], None);
    assert_eq!(r.status, 200);
    assert!(r.text().contains("<title>demo</title>"));
    let r = emu.call("GET", "/pkg/client_bg.wasm", &[], None);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/wasm"));
    assert_eq!(r.body, b"\0asm\x01\0\0\0");
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    let r = emu.call("GET", "/pkg/client.js", &[], None);
    assert!(r.header("content-type").unwrap().contains("javascript"));
    let r = emu.call("GET", "/missing.js", &[], None);
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["message"], "Cannot GET /missing.js");
    let r = emu.call("GET", "/../Cargo.toml", &[], None);
    assert_eq!(r.status, 404);
    // The API is still there, same origin.
    emu.create_ok(&json!([event("1", "S", "2024-01-01T00:00:00Z", 0)]));
}

#[test]
fn bad_flags_and_unusable_databases_stop_it_with_a_message() {
    for bad in [
        vec!["--token-ttl", "0"],
        vec!["--max-body-bytes", "0"],
        vec!["--addr", "not-an-address"],
        vec!["--db", "/nonexistent-dir/x/events.sqlite"],
        vec!["--unknown-flag"],
    ] {
        let out = Command::new(BIN)
            .args(args(&bad))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(!out.status.success(), "{bad:?}");
        assert!(!out.stderr.is_empty(), "{bad:?}");
        assert!(
            out.stdout.is_empty(),
            "{bad:?}: nothing that looks like a start"
        );
    }
}
