//! JWT (HS256) tokens: issue access and refresh tokens, verify them, and the extractor
//! that guards the API routes. Written by hand on hmac + sha2: the rules are few, and
//! this keeps "wrong alg" and "refresh token used as access token" under our control.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
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
    /// Unique per token issued here, so that two tokens issued for the same user in the
    /// same second differ (and one can be expired on demand without the other).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The clock tokens are issued and checked by: the system clock plus an offset that
/// only the test hook `POST /__emulator/clock` moves; and, with `--test-hooks`, the
/// access tokens issued so far, which `POST /__emulator/expire-tokens` expires.
pub struct TokenClock {
    offset_secs: AtomicU64,
    /// `jti` = this process's start (ms, hex) and a serial: unique across restarts too.
    started_ms: u128,
    serial: AtomicU64,
    ledger: Mutex<Ledger>,
}

#[derive(Default)]
struct Ledger {
    /// Only with `--test-hooks`: otherwise nothing is recorded.
    track: bool,
    /// Signatures of the access tokens issued and not yet expired on demand.
    live: Vec<String>,
    expired: HashSet<String>,
}

/// The signature part of a compact JWS, which names one token.
fn signature(token: &str) -> &str {
    token.rsplit('.').next().unwrap_or(token)
}

impl TokenClock {
    pub fn new(track: bool) -> TokenClock {
        TokenClock {
            offset_secs: AtomicU64::new(0),
            started_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or(0),
            serial: AtomicU64::new(0),
            ledger: Mutex::new(Ledger {
                track,
                ..Ledger::default()
            }),
        }
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn now_secs(&self) -> u64 {
        now_secs().saturating_add(self.offset_secs.load(Ordering::Relaxed))
    }

    /// Moves the clock forward; answers the total offset.
    pub fn advance(&self, secs: u64) -> u64 {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed) + secs
    }

    /// Issues a token by this clock (access tokens are recorded when tracking).
    pub fn issue(
        &self,
        secret: &str,
        sub: &str,
        org: &str,
        kind: TokenKind,
        ttl_secs: u64,
    ) -> String {
        let jti = format!(
            "{:x}.{}",
            self.started_ms,
            self.serial.fetch_add(1, Ordering::Relaxed)
        );
        let token = issue(secret, sub, org, kind, ttl_secs, self.now_secs(), Some(jti));
        if kind == TokenKind::Access {
            let mut l = self.ledger();
            if l.track {
                l.live.push(signature(&token).to_owned());
            }
        }
        token
    }

    /// Checks a token by this clock; an access token expired on demand is expired.
    pub fn verify(
        &self,
        secret: &str,
        token: &str,
        kind: TokenKind,
    ) -> Result<Claims, &'static str> {
        let claims = verify(secret, token, kind, self.now_secs())?;
        if kind == TokenKind::Access && self.ledger().expired.contains(signature(token)) {
            return Err("token has expired");
        }
        Ok(claims)
    }

    /// Every access token issued so far counts as expired from now on; answers how
    /// many were newly expired. Tokens issued later are not affected.
    pub fn expire_issued(&self) -> usize {
        let mut l = self.ledger();
        let live = std::mem::take(&mut l.live);
        let n = live.len();
        l.expired.extend(live);
        n
    }
}

fn mac(secret: &str) -> Hmac<Sha256> {
    <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes keys of any size")
}

pub fn issue(
    secret: &str,
    sub: &str,
    org: &str,
    kind: TokenKind,
    ttl_secs: u64,
    now: u64,
    jti: Option<String>,
) -> String {
    let claims = Claims {
        sub: sub.to_owned(),
        org: org.to_owned(),
        typ: Some(kind.claim().to_owned()),
        iat: now,
        exp: now + ttl_secs,
        jti,
    };
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("claims serialize"));
    let signing_input = format!("{header}.{payload}");
    let mut m = mac(secret);
    m.update(signing_input.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(m.finalize().into_bytes());
    format!("{signing_input}.{sig}")
}

/// Checks signature, algorithm, expiry (at `now`) and kind. The error is a short reason
/// for the 401 message; it never echoes the token.
pub fn verify(
    secret: &str,
    token: &str,
    kind: TokenKind,
    now: u64,
) -> Result<Claims, &'static str> {
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
    if now >= claims.exp {
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
        let claims = state
            .tokens
            .verify(&state.cfg.secret, token, TokenKind::Access)
            .map_err(ApiError::unauthorized)?;
        Ok(User { sub: claims.sub })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let t = issue("s", "demo", "org", TokenKind::Access, 60, now_secs(), None);
        assert_eq!(
            verify("s", &t, TokenKind::Access, now_secs()).unwrap().sub,
            "demo"
        );
        assert!(verify("other", &t, TokenKind::Access, now_secs()).is_err());
        assert!(verify("s", &t, TokenKind::Refresh, now_secs()).is_err());
        let r = issue("s", "demo", "org", TokenKind::Refresh, 60, now_secs(), None);
        assert!(verify("s", &r, TokenKind::Access, now_secs()).is_err());
        assert!(verify("s", &r, TokenKind::Refresh, now_secs()).is_ok());
        let expired = issue("s", "demo", "org", TokenKind::Access, 0, now_secs(), None);
        assert_eq!(
            verify("s", &expired, TokenKind::Access, now_secs()).unwrap_err(),
            "token has expired"
        );
        assert!(verify("s", "a.b", TokenKind::Access, now_secs()).is_err());
        assert!(verify("s", "a.b.c.d", TokenKind::Access, now_secs()).is_err());
        // alg "none" with the same payload is refused.
        let p = t.split('.').nth(1).unwrap();
        let none = format!("{}.{p}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#));
        assert_eq!(
            verify("s", &none, TokenKind::Access, now_secs()).unwrap_err(),
            "token algorithm must be HS256"
        );
    }

    #[test]
    fn the_clock_and_expiry_on_demand() {
        let clock = TokenClock::new(true);
        let t = clock.issue("s", "demo", "org", TokenKind::Access, 60);
        let r = clock.issue("s", "demo", "org", TokenKind::Refresh, 600);
        assert!(clock.verify("s", &t, TokenKind::Access).is_ok());
        assert_eq!(clock.advance(60), 60);
        assert_eq!(
            clock.verify("s", &t, TokenKind::Access).unwrap_err(),
            "token has expired"
        );
        let later = clock.issue("s", "demo", "org", TokenKind::Access, 60);
        assert!(
            clock.verify("s", &later, TokenKind::Access).is_ok(),
            "issued by the moved clock"
        );
        assert_eq!(clock.expire_issued(), 2);
        assert_eq!(
            clock.verify("s", &later, TokenKind::Access).unwrap_err(),
            "token has expired"
        );
        assert!(
            clock.verify("s", &r, TokenKind::Refresh).is_ok(),
            "refresh tokens are not expired"
        );
        // Issued for the same user in the same second, and still a different token.
        let fresh = clock.issue("s", "demo", "org", TokenKind::Access, 60);
        assert_ne!(fresh, later);
        assert!(clock.verify("s", &fresh, TokenKind::Access).is_ok());
        assert_eq!(clock.expire_issued(), 1);
        // Without --test-hooks nothing is recorded.
        let untracked = TokenClock::new(false);
        let u = untracked.issue("s", "demo", "org", TokenKind::Access, 60);
        assert_eq!(untracked.expire_issued(), 0);
        assert!(untracked.verify("s", &u, TokenKind::Access).is_ok());
    }
}
