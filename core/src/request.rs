//! Request URLs, and the check of the base URLs a caller passes.
//!
//! No `url` crate (size): base URLs are simple, and the checker below only needs the
//! scheme, the authority and the rest.

use crate::prelude::*;
use super::args::ArgError;
use crate::json_scan::quoted;
use crate::text::{before_ascii, split_ascii, split_once_ascii, split_once_str, trim};
use crate::contract::{EVENTS_PATH, LOGIN_PATH, REFRESH_PATH};

/// `POST` target of a create.
#[inline]
pub fn create_url(base: &str) -> String {
    text![base, EVENTS_PATH]
}

/// `DELETE` target that empties a collection, before its name percent-encoded (the
/// wasm encodes it with the engine's `encodeURIComponent`: names may hold `/`, `?`, `#`,
/// `&`, spaces, non-ASCII). `EVENTS_PATH`, `?`, `COLLECTION_PARAM` and `=` written out
/// as one piece (a test checks it against the contract's names).
pub const DELETE_QUERY: &str = "/events?collection=";

/// `POST` target of one page of a query.
#[inline]
pub fn query_url(base: &str, page: u32, page_size: u32) -> String {
    text![base, QUERY_PAGE, page, AND_PAGE_SIZE, page_size]
}

/// `QUERY_PATH`, `?`, `PAGE_PARAM` and `=` written out as one piece, and `&`,
/// `PAGE_SIZE_PARAM` and `=` (a test checks them against the contract's names): fewer
/// pieces for `query_url`'s text.
const QUERY_PAGE: &str = "/events/query?page=";
const AND_PAGE_SIZE: &str = "&pageSize=";

/// `POST` target of a token refresh, on the auth base URL.
#[inline]
pub fn refresh_url(auth_base: &str) -> String {
    text![auth_base, REFRESH_PATH]
}

/// `POST` target of the emulator's login, on the auth base URL.
#[inline]
pub fn login_url(auth_base: &str) -> String {
    text![auth_base, LOGIN_PATH]
}

/// Whether a base URL (as `check_base_url` gave it) names a loopback host, read again
/// from the URL alone: the tests' oracle for the flag `checked_base_url` tells (on
/// loopback the network is free, and compressing bodies would only cost CPU).
#[cfg(test)]
fn is_loopback_url(url: &str) -> bool {
    let rest = split_once_str(url, "://").map_or(url, |(_, r)| r);
    let authority = before_ascii(rest, b'/');
    // `"["`, not `'['`: a `char` pattern is encoded as UTF-8 first (its code in the wasm).
    let host = match authority.strip_prefix("[") {
        Some(v6) => authority.get(..before_ascii(v6, b']').len() + 2).unwrap_or_default(),
        None => before_ascii(authority, b':'),
    };
    is_loopback(host)
}

/// A URL fit for an error message: credentials (`user:pass@`), the query and the
/// fragment, where secrets could hide, are replaced by `***`.
#[inline]
pub fn redacted(url: &str) -> String {
    let query_or_fragment = url.bytes().position(|b| b == b'?' || b == b'#');
    let (before_query, cut) = match query_or_fragment.and_then(|i| url.split_at_checked(i)) {
        Some((before, after)) => (before, after.get(..1).unwrap_or_default()),
        None => (url, ""),
    };
    let (scheme, rest) = split_once_str(before_query, "://").unwrap_or(("", before_query));
    let authority = before_ascii(rest, b'/');
    let (credentials, rest) = match authority.bytes().rposition(|b| b == b'@').and_then(|at| rest.get(at..)) {
        Some(from_at) => ("***", from_at),
        None => ("", rest),
    };
    // One text of pieces, some empty (no `String` made per piece).
    let scheme_end = if scheme.is_empty() { "" } else { "://" };
    let query = if cut.is_empty() { "" } else { "***" };
    text![scheme, scheme_end, credentials, rest, cut, query]
}

/// Checks a base URL and returns it without trailing `/`, scheme in lower case.
///
/// `https://` always; `http://` only to a loopback host (`localhost`, `127.x.x.x`,
/// `[::1]`: the local emulator) unless `allow_insecure_http`, since tokens and events
/// would travel in clear. Refused: other schemes, no host, credentials (`user:pass@`),
/// a query or a fragment (paths are appended to the base), a bad port, spaces.
/// Malformed URLs are `Type` errors (as JS `new URL` throws); plain `http://` to
/// another host is a `Range` error.
#[inline]
pub fn check_base_url(url: &str, allow_insecure_http: bool) -> Result<String, ArgError> {
    checked_base_url(url, allow_insecure_http).map(|(url, _)| url)
}

/// `check_base_url`'s URL, and whether its host is loopback (`is_loopback_url` of it),
/// told from the host it has already found (the wasm's client reads both: no second
/// parse of the URL). `#[inline]`: built in its caller's crate, at the wasm's `"z"`.
#[inline]
pub fn checked_base_url(url: &str, allow_insecure_http: bool) -> Result<(String, bool), ArgError> {
    // Smaller: every malformed URL's error made at one site, from why `base_url_parts` refused it.
    // The URL as a message shows it; the message is written after it (no copy of it).
    let shown = || quoted(&redacted(url));
    let (https, authority, host, path) = match base_url_parts(url) {
        Ok(parts) => parts,
        Err(why) => {
            let mut m = shown();
            text![into m; " is not a usable base URL: ", why];
            return Err(ArgError::type_error(m));
        }
    };
    let loopback = is_loopback(host);
    if !https && !allow_insecure_http && !loopback {
        let mut m = shown();
        text![into m; " uses plain http:// to ", host, ": tokens and events would travel unencrypted. Use \
             https://, or set allowInsecureHttp for a trusted network (loopback hosts are always allowed)"];
        return Err(ArgError::range(m));
    }
    // Trailing `/`s cut after the last other byte (an ASCII `/` ends a char: a boundary).
    let path = path.get(..path.bytes().rposition(|b| b != b'/').map_or(0, |i| i + 1)).unwrap_or_default();
    Ok((text![if https { "https://" } else { "http://" }, authority, path], loopback))
}

/// A base URL's scheme (`true`: https, else http), authority, host and path, or why it
/// is malformed.
#[inline]
fn base_url_parts(url: &str) -> Result<(bool, &str, &str, &str), &'static str> {
    let url_t = trim(url);
    let Some((scheme, rest)) = split_once_str(url_t, "://") else {
        return Err("it must start with https://");
    };
    // Compared without case rather than lowercased (no `String` made).
    let https = if scheme.eq_ignore_ascii_case("https") {
        true
    } else if scheme.eq_ignore_ascii_case("http") {
        false
    } else {
        return Err("it must start with https://");
    };
    if rest
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return Err("it holds spaces, control characters or backslashes");
    }
    if rest.bytes().any(|b| b == b'?') {
        return Err("it must not have a query (?...)");
    }
    if rest.bytes().any(|b| b == b'#') {
        return Err("it must not have a fragment (#...)");
    }
    // Cut before the first `/` (an ASCII byte: a char boundary), or at the end.
    let at = rest.bytes().position(|b| b == b'/').unwrap_or(rest.len());
    let (authority, path) = (rest.get(..at).unwrap_or(rest), rest.get(at..).unwrap_or_default());
    if authority.bytes().any(|b| b == b'@') {
        return Err("it must not hold credentials (user:password@)");
    }
    // String patterns, not `char`s, here and below: as in `is_loopback_url`.
    let (host, port) = if let Some(inner) = authority.strip_prefix("[") {
        let Some((v6, after)) = split_once_ascii(inner, b']') else {
            return Err("its IPv6 host has no closing ]");
        };
        if v6.is_empty()
            || !v6
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return Err("its IPv6 host is malformed");
        }
        let bracketed = authority.get(..v6.len() + 2).unwrap_or(authority);
        match after {
            "" => (bracketed, None),
            _ => match after.strip_prefix(":") {
                Some(p) => (bracketed, Some(p)),
                None => return Err("unexpected text after its IPv6 host"),
            },
        }
    } else {
        match split_once_ascii(authority, b':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err("it has no host");
    }
    // Its first byte compared, not `starts_with` (std's slice comparison called).
    if host.as_bytes().first() != Some(&b'[') && host.bytes().any(|b| b"<>^|%:[]".iter().any(|&c| c == b)) {
        return Err("its host holds characters a host cannot");
    }
    if let Some(p) = port {
        if !decimal_within(p, 5, 65_535) {
            return Err("its port must be a number from 0 to 65535");
        }
    }
    Ok((https, authority, host, path))
}

/// Whether `s` is 1 to `max_digits` ASCII digits (at most 9) whose value is at most
/// `max`. By a fold, not `str::parse` (its code per integer type).
#[inline]
fn decimal_within(s: &str, max_digits: usize, max: u32) -> bool {
    // One pass: the digits checked as they are added up.
    !s.is_empty()
        && s.len() <= max_digits
        && s.bytes()
            .try_fold(0, |n: u32, b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
            .is_some_and(|n| n <= max)
}

/// `localhost`, `127.0.0.0/8` in dotted-decimal form, or `[::1]`; other spellings (such
/// as `127.1` or `[0:0::1]`) count as not loopback, which only errs on the safe side.
#[inline]
fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") || host == "[::1]" {
        return true;
    }
    let mut count = 0;
    for o in split_ascii(host, b'.') {
        if !decimal_within(o, 3, 255) || (count == 0 && o != "127") {
            return false;
        }
        count += 1;
    }
    count == 4
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    #[test]
    fn error_messages_never_show_credentials_or_queries() {
        assert_eq!(super::redacted("https://u:secret@h.example/api?token=abc#x"), "https://***@h.example/api?***");
        assert_eq!(super::redacted("https://h.example/api#frag"), "https://h.example/api#***");
        assert_eq!(super::redacted("https://h.example/a@b"), "https://h.example/a@b");
        for url in ["https://u:SECRET@h.example/api", "https://h.example/api?key=SECRET", "http://u:SECRET@example.com/x"] {
            let e = super::check_base_url(url, false).unwrap_err();
            assert!(!e.message.contains("SECRET"), "{}", e.message);
        }
    }

    use super::super::args::ArgErrorKind;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn urls() {
        use crate::contract::{COLLECTION_PARAM, PAGE_PARAM, PAGE_SIZE_PARAM, QUERY_PATH};
        assert_eq!(DELETE_QUERY, format!("{EVENTS_PATH}?{COLLECTION_PARAM}="));
        assert_eq!(QUERY_PAGE, format!("{QUERY_PATH}?{PAGE_PARAM}="));
        assert_eq!(AND_PAGE_SIZE, format!("&{PAGE_SIZE_PARAM}="));
        let b = "https://h/api/v1";
        assert_eq!(create_url(b), "https://h/api/v1/events");
        assert_eq!(
            query_url(b, 2, 500),
            "https://h/api/v1/events/query?page=2&pageSize=500"
        );
        assert_eq!(refresh_url(b), "https://h/api/v1/auth/refresh-token");
        assert_eq!(login_url(b), "https://h/api/v1/auth/login");
    }

    fn ok(url: &str, insecure: bool) -> String {
        check_base_url(url, insecure).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    fn kind(url: &str, insecure: bool) -> ArgErrorKind {
        check_base_url(url, insecure).expect_err(url).kind
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            ok("https://events-api.genomcore.net/api/v1", false),
            "https://events-api.genomcore.net/api/v1"
        );
        assert_eq!(
            ok(" HTTPS://Host.example:8443/api/v1// ", false),
            "https://Host.example:8443/api/v1"
        );
        assert_eq!(ok("https://h/", false), "https://h");
        assert_eq!(ok("https://h", false), "https://h");
        assert_eq!(
            ok("http://127.0.0.1:8787/api/v1", false),
            "http://127.0.0.1:8787/api/v1"
        );
        assert_eq!(ok("http://127.255.3.4", false), "http://127.255.3.4");
        assert_eq!(ok("http://LOCALHOST:8787/", false), "http://LOCALHOST:8787");
        assert_eq!(
            ok("http://[::1]:8787/api/v1", false),
            "http://[::1]:8787/api/v1"
        );
        assert_eq!(ok("http://10.0.0.2/api", true), "http://10.0.0.2/api");
        assert_eq!(
            ok("https://[2001:db8::1]/x", false),
            "https://[2001:db8::1]/x"
        );

        for insecure in [
            "http://example.com",
            "http://128.0.0.1",
            "http://localhost.evil.com",
            "http://127.0.0.1.evil.com",
            "http://[::2]",
            "http://127.1",
        ] {
            assert_eq!(kind(insecure, false), ArgErrorKind::Range, "{insecure}");
        }
        for malformed in [
            "",
            "events-api.genomcore.net",
            "ftp://h",
            "https:/h",
            "https://",
            "https:///api",
            "https://user:pass@h/api",
            "https://user@h",
            "https://h/api?x=1",
            "https://h/api#x",
            "https://h:/api",
            "https://h:99999",
            "https://h:8a",
            "https://h:1:2",
            "https://h x/api",
            "https://h/a b",
            "https://h\\api",
            "https://[::1",
            "https://[::1]x",
            "https://[zz]",
            "https://:80",
        ] {
            assert_eq!(kind(malformed, true), ArgErrorKind::Type, "{malformed:?}");
        }
        let e = check_base_url("http://example.com", false).unwrap_err();
        assert!(e.message.contains("allowInsecureHttp"), "{}", e.message);
    }

    proptest! {

        #[test]
        fn checked_urls_are_stable(s in "(https?://)?[a-z0-9.:\\[\\]@/?#%-]{0,24}", insecure in any::<bool>()) {
            if let Ok(u) = check_base_url(&s, insecure) {
                prop_assert_eq!(check_base_url(&u, insecure), Ok(u.clone()));
                let authority = u.split("://").nth(1).unwrap().split('/').next().unwrap();
                prop_assert!(!authority.is_empty() && !authority.contains('@'));
                prop_assert!(!u.ends_with('/') && !u.contains('?') && !u.contains('#'));
            }
        }

        #[test]
        fn checked_loopback_as_is_loopback_url(s in "(https?://)?(localhost|LocalHost|127\\.0\\.0\\.1|\\[::1\\]|[a-z0-9.:\\[\\]-]{0,12})(:[0-9]{1,5})?(/[a-z]{0,3})?", insecure in any::<bool>()) {
            // The loopback test told by `checked_base_url` is `is_loopback_url` of its URL.
            if let Ok((u, loopback)) = checked_base_url(&s, insecure) {
                prop_assert_eq!(loopback, is_loopback_url(&u));
            }
        }
    }
}
