//! JWT (HS256) tokens: issue access and refresh tokens, verify them, and the extractor
//! that guards the API routes. Written by hand on hmac + sha2: the rules are few, and
//! this keeps "wrong alg" and "refresh token used as access token" under our control.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::FromRequestParts;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use http::request::Parts;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::errors::ApiError;
use crate::state::AppState;

/// Refresh tokens live 30 days; access tokens live `--token-ttl` seconds.
pub const REFRESH_TTL_SECS: u64 = 30 * 24 * 3600;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TokenKind {
    Access,
    Refresh,
}

impl TokenKind {
    fn claim(self) -> &'static str {
        match self {
            TokenKind::Access => "access",
            TokenKind::Refresh => "refresh",
        }
    }
}

#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct Claims {
    pub sub: String,
    #[serde(default)]
    pub org: String,
    #[serde(default)]
    pub typ: Option<String>,
    pub iat: u64,
    pub exp: u64,
}

pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn mac(secret: &str) -> Hmac<Sha256> {
    <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes keys of any size")
}

pub fn issue(secret: &str, sub: &str, org: &str, kind: TokenKind, ttl_secs: u64) -> String {
    let now = now_secs();
    let claims = Claims {
        sub: sub.to_owned(),
        org: org.to_owned(),
        typ: Some(kind.claim().to_owned()),
        iat: now,
        exp: now + ttl_secs,
    };
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("claims serialize"));
    let signing_input = format!("{header}.{payload}");
    let mut m = mac(secret);
    m.update(signing_input.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(m.finalize().into_bytes());
    format!("{signing_input}.{sig}")
}

/// Checks signature, algorithm, expiry and kind. The error is a short reason for the
/// 401 message; it never echoes the token.
pub fn verify(secret: &str, token: &str, kind: TokenKind) -> Result<Claims, &'static str> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("malformed token");
    };
    let header: serde_json::Value = URL_SAFE_NO_PAD
        .decode(h)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("malformed token")?;
    if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
        return Err("token algorithm must be HS256");
    }
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| "malformed token")?;
    let mut m = mac(secret);
    m.update(h.as_bytes());
    m.update(b".");
    m.update(p.as_bytes());
    m.verify_slice(&sig)
        .map_err(|_| "invalid token signature")?;
    let claims: Claims = URL_SAFE_NO_PAD
        .decode(p)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("malformed token claims")?;
    if now_secs() >= claims.exp {
        return Err("token has expired");
    }
    // Tokens made elsewhere may lack `typ`: those count as access tokens.
    let typ = claims.typ.as_deref().unwrap_or("access");
    if typ != kind.claim() {
        return Err(match kind {
            TokenKind::Access => "a refresh token cannot be used as an access token",
            TokenKind::Refresh => "an access token cannot be used as a refresh token",
        });
    }
    Ok(claims)
}

/// The caller of a protected route, from `Authorization: Bearer <access token>`.
pub struct User {
    pub sub: String,
}

impl FromRequestParts<Arc<AppState>> for User {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        let value = parts
            .headers
            .get(http::header::AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthorized("missing Authorization: Bearer token"))?;
        let value = value
            .to_str()
            .map_err(|_| ApiError::unauthorized("malformed Authorization header"))?;
        let token = match value.split_once(' ') {
            Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") && !t.trim().is_empty() => {
                t.trim()
            }
            _ => {
                return Err(ApiError::unauthorized(
                    "Authorization must be 'Bearer <token>'",
                ))
            }
        };
        let claims =
            verify(&state.cfg.secret, token, TokenKind::Access).map_err(ApiError::unauthorized)?;
        Ok(User { sub: claims.sub })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let t = issue("s", "demo", "org", TokenKind::Access, 60);
        assert_eq!(verify("s", &t, TokenKind::Access).unwrap().sub, "demo");
        assert!(verify("other", &t, TokenKind::Access).is_err());
        assert!(verify("s", &t, TokenKind::Refresh).is_err());
        let r = issue("s", "demo", "org", TokenKind::Refresh, 60);
        assert!(verify("s", &r, TokenKind::Access).is_err());
        assert!(verify("s", &r, TokenKind::Refresh).is_ok());
        let expired = issue("s", "demo", "org", TokenKind::Access, 0);
        assert_eq!(
            verify("s", &expired, TokenKind::Access).unwrap_err(),
            "token has expired"
        );
        assert!(verify("s", "a.b", TokenKind::Access).is_err());
        assert!(verify("s", "a.b.c.d", TokenKind::Access).is_err());
        // alg "none" with the same payload is refused.
        let p = t.split('.').nth(1).unwrap();
        let none = format!("{}.{p}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#));
        assert_eq!(
            verify("s", &none, TokenKind::Access).unwrap_err(),
            "token algorithm must be HS256"
        );
    }
}
