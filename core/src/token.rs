//! Access-token bookkeeping: when to renew, and whether a token fits a header. (The
//! refresh answer is read by `JSON.parse`, in the wasm's `auth.rs`.)
//!
//! The client never verifies a JWT (it has no key, and the server does): it only reads
//! the `exp` claim to renew ahead of time. Anything unreadable is used as is, and a
//! `401` then triggers the one renewal after the fact.

use crate::prelude::*;
use crate::contract::RENEW_BEFORE_SECS;
use crate::json_scan::{number_floor, Scalar, Scanner};
use crate::text::split_once_ascii;

/// The `exp` claim (seconds since the Unix epoch, fractions floored) of a compact JWS
/// `header.payload.signature`; `None` when the token is not one or has no numeric `exp`.
#[inline]
pub fn jwt_expiry(token: &str) -> Option<i64> {
    // `split_once_ascii` three times (the third refuses a fourth part), not
    // `split_ascii`'s iterator: its code inlined here again.
    let (_header, rest) = split_once_ascii(token, b'.')?;
    let (payload, sig) = split_once_ascii(rest, b'.')?;
    if split_once_ascii(sig, b'.').is_some() {
        return None;
    }
    let json = base64url_decode(payload)?;
    let claims = core::str::from_utf8(&json).ok()?;
    // Within ±9e15 (sane): beyond ±2^53 an f64 no longer holds whole seconds.
    number_floor(exp_claim(claims)?)
}

/// The last `exp` of a JSON object (as `JSON.parse` keeps the last duplicate) when it is
/// a number, the whole text held to the JSON grammar; `None` when it is not an object,
/// has no `exp` or its last is not a number. Only that number's text is kept (no list of
/// every field, nor a value with a string to drop).
#[inline]
fn exp_claim(json: &str) -> Option<&str> {
    let mut s = Scanner::new(json);
    s.begin_object().ok()?;
    let (mut exp, mut first) = (None, true);
    while let Some(key) = s.next_key(first).ok()? {
        first = false;
        let value = s.value().ok()?;
        if key == "exp" {
            exp = match value {
                Scalar::Number(n) => Some(n),
                _ => None,
            };
        }
    }
    if !s.at_end() {
        return None;
    }
    exp
}

/// True when the token's `exp` is known and less than `RENEW_BEFORE_SECS` away from
/// `now_secs` (already expired included). A token without a readable `exp` is used
/// as is.
#[inline]
pub fn needs_renewal(token: &str, now_secs: f64) -> bool {
    match jwt_expiry(token) {
        Some(exp) => (exp as f64) - now_secs < RENEW_BEFORE_SECS as f64,
        None => false,
    }
}

/// Whether `token` can go into an `Authorization: Bearer` header: visible ASCII only,
/// as a JWT is. With a space, a control or a non-ASCII character `fetch` refuses the
/// header with a message that quotes its value, and the token would end up in an error.
#[inline]
pub fn is_header_safe(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

/// Why a token failed `is_header_safe` (its value is never shown).
pub const NOT_HEADER_SAFE: &str =
    "holds a space, a control or a non-ASCII character (a token is visible ASCII, as a JWT is)";

/// Decodes unpadded base64url (RFC 4648 §5), as JWTs use; trailing `=` padding and
/// the standard alphabet's `+` and `/` are tolerated. `None` on any other byte or an
/// impossible length.
#[inline]
pub fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let mut s = s.as_bytes();
    while let [rest @ .., b'='] = s {
        s = rest;
    }
    if s.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in s {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn header_safe_tokens() {
        assert!(is_header_safe("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln"));
        assert!(is_header_safe("abc~+/=-_."));
        for bad in ["", "a b", "a\nb", "a\rb", "a\0b", "a\tb", "tok\u{e9}n", "a\u{7f}"] {
            assert!(!is_header_safe(bad), "{bad:?}");
        }
    }

    /// Standard base64url without padding, for building test tokens.
    fn b64(data: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in data.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    }

    fn jwt(payload: &str) -> String {
        format!(
            "{}.{}.sig",
            b64(br#"{"alg":"HS256","typ":"JWT"}"#),
            b64(payload.as_bytes())
        )
    }

    #[test]
    fn expiry() {
        assert_eq!(
            jwt_expiry(&jwt(r#"{"sub":"u","exp":1700000000}"#)),
            Some(1_700_000_000)
        );
        assert_eq!(
            jwt_expiry(&jwt(r#"{"exp":1700000000.9}"#)),
            Some(1_700_000_000)
        );
        assert_eq!(jwt_expiry(&jwt(r#"{"exp":"1700000000"}"#)), None);
        assert_eq!(jwt_expiry(&jwt(r#"{"sub":"u"}"#)), None);
        assert_eq!(jwt_expiry(&jwt(r#"[1]"#)), None);
        assert_eq!(jwt_expiry(&jwt(r#"{"exp":1e300}"#)), None);
        assert_eq!(jwt_expiry("opaque-token"), None);
        assert_eq!(jwt_expiry("a.b"), None);
        assert_eq!(jwt_expiry("a.!!!.c"), None);
        assert_eq!(jwt_expiry(&format!("{}.x", jwt(r#"{"exp":1}"#))), None);
        // Padded payloads are read too.
        let padded = format!("h.{}==.s", b64(br#"{"exp":5}"#));
        assert_eq!(jwt_expiry(&padded), Some(5));
        // The last `exp` counts, nested values are skipped, and the whole text must be JSON.
        assert_eq!(jwt_expiry(&jwt(r#"{"exp":1,"a":{"exp":3},"exp":2}"#)), Some(2));
        assert_eq!(jwt_expiry(&jwt(r#"{"exp":1,"exp":"2"}"#)), None);
        assert_eq!(jwt_expiry(&jwt(r#"{"exp":1,"a":[1,]}"#)), None);
        assert_eq!(jwt_expiry(&jwt(r#"{"exp":1} x"#)), None);
        assert_eq!(jwt_expiry(&jwt(r#" {"exp":1} "#)), Some(1));
    }

    #[test]
    fn renewal() {
        let t = jwt(r#"{"exp":10000}"#);
        assert!(!needs_renewal(&t, 10000.0 - 900.0));
        assert!(needs_renewal(&t, 10000.0 - 899.5));
        assert!(needs_renewal(&t, 20000.0));
        assert!(!needs_renewal("opaque", 1e12));
    }

    #[test]
    fn base64() {
        assert_eq!(base64url_decode(""), Some(vec![]));
        assert_eq!(base64url_decode("TWFu"), Some(b"Man".to_vec()));
        assert_eq!(base64url_decode("TWE"), Some(b"Ma".to_vec()));
        assert_eq!(base64url_decode("TQ=="), Some(b"M".to_vec()));
        assert_eq!(base64url_decode("T"), None);
        assert_eq!(base64url_decode("T*=="), None);
    }

    proptest! {
        #[test]
        fn base64_round_trips(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(base64url_decode(&b64(&data)), Some(data));
        }

        #[test]
        fn exp_round_trips(exp in -(1i64 << 50)..(1i64 << 50), now in -1e12f64..1e12) {
            let t = jwt(&format!(r#"{{"iat":0,"exp":{exp}}}"#));
            prop_assert_eq!(jwt_expiry(&t), Some(exp));
            prop_assert_eq!(needs_renewal(&t, now), (exp as f64) - now < 900.0);
        }

        #[test]
        fn never_panics(s in "\\PC{0,60}") {
            let _ = jwt_expiry(&s);
            let _ = needs_renewal(&s, 0.0);
        }
    }
}
