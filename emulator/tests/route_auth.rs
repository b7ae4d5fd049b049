//! Every route of the served OpenAPI document, one test each: all but login, the docs
//! and the test hooks refuse a missing, expired, foreign-secret or wrong-kind token, and
//! take a valid one. Tokens are signed here (HS256 with the emulator's default secret),
//! so that an expired token needs no waiting. A route added to the document without a
//! test here fails `the_routes_tested_here_are_the_documented_ones`.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{event, Emu};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

const SECRET: &str = "events-emulator-dev-secret";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// An HS256 JWT over `claims`, signed with `secret`.
fn sign(secret: &str, claims: &Value) -> String {
    let head = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    m.update(format!("{head}.{body}").as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(m.finalize().into_bytes());
    format!("{head}.{body}.{sig}")
}

fn claims(typ: &str, exp: u64) -> Value {
    json!({"sub": "route-auth", "org": "org", "typ": typ, "iat": now().saturating_sub(60), "exp": exp})
}

/// Tokens that must all be refused as access tokens, with why.
fn refused_access_tokens() -> Vec<(&'static str, Option<String>)> {
    let later = now() + 3600;
    vec![
        ("no Authorization", None),
        (
            "expired an hour ago",
            Some(sign(SECRET, &claims("access", now() - 3600))),
        ),
        (
            "expiring this very second",
            Some(sign(SECRET, &claims("access", now()))),
        ),
        (
            "signed with another secret",
            Some(sign("another-secret", &claims("access", later))),
        ),
        (
            "signed with an empty secret",
            Some(sign("", &claims("access", later))),
        ),
        (
            "a refresh token",
            Some(sign(SECRET, &claims("refresh", later))),
        ),
        (
            "an unknown kind",
            Some(sign(SECRET, &claims("admin", later))),
        ),
        (
            "no exp claim",
            Some(sign(
                SECRET,
                &json!({"sub": "x", "typ": "access", "iat": 0}),
            )),
        ),
        (
            "exp as a string",
            Some(sign(
                SECRET,
                &json!({"sub": "x", "typ": "access", "iat": 0, "exp": later.to_string()}),
            )),
        ),
        ("not a JWT", Some("not-a-jwt".into())),
    ]
}

/// A route: method, path (with query), body, and what a valid token gets.
struct Route {
    method: &'static str,
    path: &'static str,
    body: Option<Value>,
    ok: u16,
}

fn routes() -> Vec<(&'static str, Route)> {
    vec![
        (
            "create",
            Route {
                method: "POST",
                path: "/api/v1/events",
                body: Some(json!([event("1", "RA", "2024-01-01T00:00:00Z", 0)])),
                ok: 201,
            },
        ),
        (
            "query",
            Route {
                method: "POST",
                path: "/api/v1/events/query?page=0&pageSize=5",
                body: Some(json!({})),
                ok: 200,
            },
        ),
        (
            "delete",
            Route {
                method: "DELETE",
                path: "/api/v1/events?collection=RA",
                body: None,
                ok: 200,
            },
        ),
    ]
}

fn call(emu: &Emu, r: &Route, token: Option<&str>) -> common::Resp {
    let auth = token.map(|t| format!("Bearer {t}"));
    let body = r.body.as_ref().map(|b| b.to_string());
    let mut h = vec![];
    if let Some(a) = &auth {
        h.push(("Authorization", a.as_str()));
    }
    if body.is_some() {
        h.push(("Content-Type", "application/json"));
    }
    emu.call(r.method, r.path, &h, body.as_deref().map(str::as_bytes))
}

fn check_route(name: &str) {
    let emu = Emu::start();
    let (_, route) = routes().into_iter().find(|(n, _)| *n == name).unwrap();
    for (why, token) in refused_access_tokens() {
        let r = call(&emu, &route, token.as_deref());
        assert_eq!(r.status, 401, "{name}, {why}: {}", r.text());
        assert_eq!(
            r.header("www-authenticate"),
            Some("Bearer"),
            "{name}, {why}"
        );
        if let Some(t) = &token {
            assert!(
                !r.text().contains(t.as_str()),
                "{name}, {why}: the answer echoes the token"
            );
        }
    }
    assert_eq!(
        emu.stored(),
        0,
        "{name}: nothing stored by refused requests"
    );
    // The same route takes a valid token, signed here or issued by the emulator.
    let valid = sign(SECRET, &claims("access", now() + 3600));
    let r = call(&emu, &route, Some(&valid));
    assert_eq!(r.status, route.ok, "{name}: {}", r.text());
    let r = call(&emu, &route, Some(&emu.token));
    assert_eq!(r.status, route.ok, "{name}: {}", r.text());
    // A token without `typ` counts as an access token (tokens made elsewhere).
    let untyped = sign(
        SECRET,
        &json!({"sub": "x", "iat": now(), "exp": now() + 60}),
    );
    assert_eq!(
        call(&emu, &route, Some(&untyped)).status,
        route.ok,
        "{name}: untyped token"
    );
    // An emulator started with another secret refuses the first one's tokens.
    let other = Emu::start_args(&["--secret", "s3cr3t"]);
    assert_eq!(
        call(&other, &route, Some(&emu.token)).status,
        401,
        "{name}: other emulator"
    );
    assert_eq!(
        call(&other, &route, Some(&other.token)).status,
        route.ok,
        "{name}: its own token"
    );
}

#[test]
fn create_requires_a_valid_unexpired_access_token() {
    check_route("create");
}

#[test]
fn query_requires_a_valid_unexpired_access_token() {
    check_route("query");
}

#[test]
fn delete_requires_a_valid_unexpired_access_token() {
    check_route("delete");
}

#[test]
fn refresh_requires_a_valid_unexpired_refresh_token() {
    let emu = Emu::start();
    let refresh = |token: &str| {
        let body = json!({ "refreshToken": token }).to_string();
        emu.call(
            "POST",
            "/api/v1/auth/refresh-token",
            &[("Content-Type", "application/json")],
            Some(body.as_bytes()),
        )
    };
    let later = now() + 3600;
    for (why, token) in [
        ("expired", sign(SECRET, &claims("refresh", now() - 1))),
        (
            "expiring this second",
            sign(SECRET, &claims("refresh", now())),
        ),
        (
            "another secret",
            sign("another-secret", &claims("refresh", later)),
        ),
        ("an access token", sign(SECRET, &claims("access", later))),
        (
            "an untyped token (counts as access)",
            sign(SECRET, &json!({"sub": "x", "iat": 0, "exp": later})),
        ),
        ("garbage", "a.b.c".to_string()),
    ] {
        let r = refresh(&token);
        assert_eq!(r.status, 401, "{why}: {}", r.text());
        assert!(!r.text().contains(&token), "{why}: echoed");
    }
    let r = refresh(&sign(SECRET, &claims("refresh", later)));
    assert_eq!(r.status, 200, "{}", r.text());
    // Refresh answers are never an access token for the refresh route itself.
    let access = r.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(refresh(&access).status, 401);
}

#[test]
fn login_docs_and_hooks_need_no_token() {
    let emu = Emu::start();
    let body = json!({"username": "u", "password": "p", "organizationId": "o"}).to_string();
    let r = emu.call(
        "POST",
        "/api/v1/auth/login",
        &[("Content-Type", "application/json")],
        Some(body.as_bytes()),
    );
    assert_eq!(r.status, 200);
    for path in ["/api/docs-json", "/api/docs", "/__emulator/stats"] {
        assert_eq!(emu.call("GET", path, &[], None).status, 200, "{path}");
    }
    for (path, body) in [
        ("/__emulator/release", "{}"),
        ("/__emulator/expire-tokens", ""),
        ("/__emulator/clock", "{\"advanceSecs\": 0}"),
    ] {
        let r = emu.call(
            "POST",
            path,
            &[("Content-Type", "application/json")],
            Some(body.as_bytes()),
        );
        assert_eq!(r.status, 200, "{path}: {}", r.text());
    }
    // An invalid token on a public route changes nothing.
    let bad = [("Authorization", "Bearer nonsense")];
    assert_eq!(emu.call("GET", "/api/docs-json", &bad, None).status, 200);
}

/// The documented routes are exactly the ones tested above.
#[test]
fn the_routes_tested_here_are_the_documented_ones() {
    let emu = Emu::start();
    let doc = emu.openapi();
    let mut documented: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .filter(|m| ["get", "post", "put", "patch", "delete"].contains(&m.as_str()))
                .map(move |m| format!("{} {path}", m.to_uppercase()))
        })
        .collect();
    documented.sort();
    let mut tested: Vec<String> = routes()
        .iter()
        .map(|(_, r)| format!("{} {}", r.method, r.path.split('?').next().unwrap()))
        .chain(
            [
                "POST /api/v1/auth/refresh-token",
                "POST /api/v1/auth/login",
                "GET /api/docs-json",
                "GET /api/docs",
                "GET /__emulator/stats",
                "POST /__emulator/faults",
                "DELETE /__emulator/faults",
                "POST /__emulator/release",
                "POST /__emulator/expire-tokens",
                "POST /__emulator/clock",
            ]
            .map(String::from),
        )
        .collect();
    tested.sort();
    assert_eq!(documented, tested);
    // Every protected route says so in the document, and only those.
    for (_, r) in routes() {
        let path = r.path.split('?').next().unwrap();
        let op = &doc["paths"][path][r.method.to_lowercase()];
        assert_ne!(
            op["security"],
            json!([]),
            "{} {path} is documented as public",
            r.method
        );
        assert!(
            op["responses"]["401"].is_object(),
            "{} {path} documents its 401",
            r.method
        );
    }
}
