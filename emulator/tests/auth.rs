//! JWT bearer auth on every protected route, login and refresh.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{event, Emu};
use serde_json::json;

/// Every protected route, with a body it would accept.
fn protected() -> Vec<(&'static str, &'static str, Option<String>)> {
    let events = json!([event("1", "A", "2024-01-01T00:00:00Z", 0)]).to_string();
    vec![
        ("POST", "/api/v1/events", Some(events)),
        ("POST", "/api/v1/events/query", Some("{}".into())),
        ("DELETE", "/api/v1/events?collection=A", None),
    ]
}

fn call_with(
    emu: &Emu,
    auth: Option<&str>,
    method: &str,
    path: &str,
    body: &Option<String>,
) -> common::Resp {
    let mut h = vec![];
    if let Some(a) = auth {
        h.push(("Authorization", a));
    }
    if body.is_some() {
        h.push(("Content-Type", "application/json"));
    }
    emu.call(method, path, &h, body.as_deref().map(str::as_bytes))
}

fn assert_refused(emu: &Emu, auth: Option<&str>, why: &str, needle: &str) {
    for (method, path, body) in protected() {
        let r = call_with(emu, auth, method, path, &body);
        assert_eq!(r.status, 401, "{why}: {method} {path}: {}", r.text());
        let v = r.json();
        assert_eq!(v["statusCode"], 401);
        assert_eq!(v["error"], "Unauthorized");
        assert!(
            v["message"].as_str().unwrap().contains(needle),
            "{why}: {}",
            v["message"]
        );
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    }
}

#[test]
fn every_protected_route_refuses_missing_malformed_and_foreign_tokens() {
    let emu = Emu::start();
    assert_refused(&emu, None, "missing", "missing Authorization");
    assert_refused(&emu, Some("Basic dXNlcjpwdw=="), "basic", "Bearer");
    assert_refused(&emu, Some("Bearer"), "empty bearer", "Bearer");
    assert_refused(&emu, Some("Bearer abc"), "not a JWT", "malformed");
    assert_refused(&emu, Some("Bearer a.b.c"), "garbage JWT", "malformed");
    // Signed with another secret.
    let other = Emu::start_args(&["--secret", "another-secret"]);
    assert_refused(&emu, Some(&other.bearer()), "wrong secret", "signature");
    // A refresh token is not an access token.
    let (_, refresh) = emu.login("alice");
    assert_refused(
        &emu,
        Some(&format!("Bearer {refresh}")),
        "refresh as access",
        "refresh token cannot be used",
    );
    // alg "none", and HS512 in the header, with the genuine payload.
    let payload = emu.token.split('.').nth(1).unwrap().to_owned();
    let sig = emu.token.split('.').nth(2).unwrap().to_owned();
    let none = format!(
        "Bearer {}.{payload}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#)
    );
    assert_refused(&emu, Some(&none), "alg none", "HS256");
    let hs512 = format!(
        "Bearer {}.{payload}.{sig}",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"HS512","typ":"JWT"}"#)
    );
    assert_refused(&emu, Some(&hs512), "alg HS512", "HS256");
    // A tampered payload keeps the old signature.
    let forged = URL_SAFE_NO_PAD
        .encode(br#"{"sub":"root","org":"x","typ":"access","iat":0,"exp":99999999999}"#);
    let head = emu.token.split('.').next().unwrap();
    assert_refused(
        &emu,
        Some(&format!("Bearer {head}.{forged}.{sig}")),
        "tampered",
        "signature",
    );
    assert_eq!(emu.stored(), 0, "nothing was stored by refused requests");
    let s = emu.stats();
    assert_eq!(s["requests"]["create"], 10, "refused requests are counted");
    // The ready token works on every route.
    for (method, path, body) in protected() {
        let r = call_with(&emu, Some(&emu.bearer()), method, path, &body);
        assert!(r.status < 300, "{method} {path}: {}", r.text());
    }
}

fn claims_of(token: &str) -> serde_json::Value {
    serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap()
}

fn hook(emu: &Emu, path: &str, body: Option<serde_json::Value>) -> serde_json::Value {
    let body = body.map(|b| b.to_string());
    let r = emu.call(
        "POST",
        path,
        &[("Content-Type", "application/json")],
        body.as_deref().map(str::as_bytes),
    );
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    r.json()
}

/// `POST /auth/refresh-token` with this JSON body.
fn refresh_with(emu: &Emu, body: &str) -> common::Resp {
    emu.call(
        "POST",
        "/api/v1/auth/refresh-token",
        &[("Content-Type", "application/json")],
        Some(body.as_bytes()),
    )
}

fn works(emu: &Emu, auth: &str) -> bool {
    call_with(
        emu,
        Some(auth),
        "POST",
        "/api/v1/events/query",
        &Some("{}".into()),
    )
    .status
        == 200
}

/// Tokens live `--token-ttl` seconds by the emulator's clock, which the test moves
/// forward (`POST /__emulator/clock`) instead of waiting.
#[test]
fn expired_access_tokens_are_refused() {
    let emu = Emu::start_args(&["--token-ttl", "60"]);
    let (token, refresh) = emu.login("short");
    let claims = claims_of(&token);
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        60
    );
    let auth = format!("Bearer {token}");
    assert!(works(&emu, &auth), "a fresh token works");
    // 60 s later by the emulator's clock, the token and the start-up token have expired.
    assert_eq!(
        hook(&emu, "/__emulator/clock", Some(json!({"advanceSecs": 60}))),
        json!({"offsetSecs": 60})
    );
    assert_refused(&emu, Some(&auth), "expired", "expired");
    assert_refused(
        &emu,
        Some(&emu.bearer()),
        "expired start-up token",
        "expired",
    );
    // The refresh token (30 days) still buys a token, issued by the moved clock.
    let body = json!({"refreshToken": refresh}).to_string();
    let r = refresh_with(&emu, &body);
    assert_eq!(r.status, 200, "{}", r.text());
    let renewed = r.json()["token"].as_str().unwrap().to_owned();
    assert!(claims_of(&renewed)["iat"].as_u64().unwrap() >= claims["iat"].as_u64().unwrap() + 60);
    assert!(works(&emu, &format!("Bearer {renewed}")));
    // A refresh token expires by the same clock.
    hook(
        &emu,
        "/__emulator/clock",
        Some(json!({"advanceSecs": 30 * 24 * 3600})),
    );
    let r = refresh_with(&emu, &body);
    assert_eq!(r.status, 401, "{}", r.text());
    assert!(r.text().contains("expired"), "{}", r.text());
    // Bad advances are refused.
    for bad in [
        json!({}),
        json!({"advanceSecs": -1}),
        json!({"advanceSecs": 1.5}),
        json!({"advanceSecs": 400_000_000}),
        json!({"advance": 1}),
    ] {
        let r = emu.call(
            "POST",
            "/__emulator/clock",
            &[("Content-Type", "application/json")],
            Some(bad.to_string().as_bytes()),
        );
        assert_eq!(r.status, 400, "{bad}: {}", r.text());
    }
}

/// `POST /__emulator/expire-tokens`: every access token issued so far is refused as
/// expired; refresh tokens and tokens issued later work.
#[test]
fn tokens_expire_on_demand() {
    let emu = Emu::start();
    let (token, refresh) = emu.login("on-demand");
    let auth = format!("Bearer {token}");
    assert!(works(&emu, &auth));
    // The start-up token and the login's.
    assert_eq!(
        hook(&emu, "/__emulator/expire-tokens", None),
        json!({"expired": 2})
    );
    assert_refused(&emu, Some(&auth), "expired on demand", "expired");
    assert_refused(
        &emu,
        Some(&emu.bearer()),
        "start-up token expired on demand",
        "expired",
    );
    let body = json!({"refreshToken": refresh}).to_string();
    let r = refresh_with(&emu, &body);
    assert_eq!(r.status, 200, "{}", r.text());
    let renewed = format!("Bearer {}", r.json()["token"].as_str().unwrap());
    assert!(works(&emu, &renewed), "a token issued afterwards works");
    let (later, _) = emu.login("on-demand");
    assert!(works(&emu, &format!("Bearer {later}")));
    assert_eq!(
        hook(&emu, "/__emulator/expire-tokens", None),
        json!({"expired": 2})
    );
    assert_refused(
        &emu,
        Some(&renewed),
        "renewed, then expired on demand",
        "expired",
    );
    assert_eq!(
        hook(&emu, "/__emulator/expire-tokens", None),
        json!({"expired": 0})
    );
}

#[test]
fn login_and_refresh() {
    let emu = Emu::start();
    let (token, refresh) = emu.login("carol");
    let auth = format!("Bearer {token}");
    assert_eq!(
        call_with(
            &emu,
            Some(&auth),
            "POST",
            "/api/v1/events/query",
            &Some("{}".into())
        )
        .status,
        200
    );
    // The token names the user.
    let claims: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["sub"], "carol");
    assert_eq!(claims["org"], "org");
    assert!(claims["exp"].as_u64().unwrap() > claims["iat"].as_u64().unwrap());

    let body = json!({"refreshToken": refresh}).to_string();
    let r = refresh_with(&emu, &body);
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    let new_access = format!("Bearer {}", v["token"].as_str().unwrap());
    assert!(v["refreshToken"].as_str().unwrap().len() > 20);
    assert_eq!(
        call_with(
            &emu,
            Some(&new_access),
            "POST",
            "/api/v1/events/query",
            &Some("{}".into())
        )
        .status,
        200
    );

    // Refresh refuses an access token, garbage and a missing token.
    for (body, status) in [
        (json!({"refreshToken": token}), 401),
        (json!({"refreshToken": "x.y.z"}), 401),
        (json!({"refreshToken": ""}), 400),
        (json!({}), 400),
        (json!({"refreshToken": 5}), 400),
    ] {
        let r = emu.call(
            "POST",
            "/api/v1/auth/refresh-token",
            &[("Content-Type", "application/json")],
            Some(body.to_string().as_bytes()),
        );
        assert_eq!(r.status, status, "{body}: {}", r.text());
    }
    // Login needs all three, non-empty, as JSON.
    let r = emu.call(
        "POST",
        "/api/v1/auth/login",
        &[("Content-Type", "application/json")],
        Some(br#"{"username":"","password":1}"#),
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["message"],
        json!([
            "username must be a non-empty string",
            "password must be a non-empty string",
            "organizationId must be a non-empty string"
        ])
    );
    let r = emu.call(
        "POST",
        "/api/v1/auth/login",
        &[("Content-Type", "text/plain")],
        Some(b"u=a"),
    );
    assert_eq!(r.status, 415);
    let r = emu.call(
        "POST",
        "/api/v1/auth/login",
        &[("Content-Type", "application/json")],
        Some(b"{\"username\":"),
    );
    assert_eq!(r.status, 400);
    assert!(r.text().contains("malformed JSON"));
    assert_eq!(emu.stats()["requests"]["auth"], 10);
}
