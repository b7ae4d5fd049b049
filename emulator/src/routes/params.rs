//! Query-string parameters: `page`, `pageSize` and `collection`.

use percent_encoding::percent_decode_str;

use crate::errors::ApiError;

use genomcore_events_core::contract;

pub const DEFAULT_PAGE_SIZE: u64 = contract::DEFAULT_PAGE_SIZE as u64;
pub const MAX_PAGE_SIZE: u64 = contract::MAX_PAGE_SIZE as u64;

/// Decodes `application/x-www-form-urlencoded` pairs (`+` is a space, `%XX` a byte).
/// Invalid UTF-8 after decoding is refused rather than replaced, so a name is never
/// silently changed into another one.
pub fn pairs(query: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    let mut out = Vec::new();
    for part in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let dec = |s: &str| {
            percent_decode_str(&s.replace('+', " "))
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| {
                    ApiError::bad_request(
                        "query string parameters must be UTF-8 after percent-decoding",
                    )
                })
        };
        out.push((dec(k)?, dec(v)?));
    }
    Ok(out)
}

/// The last value given for `name`.
pub fn get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn integer(name: &str, v: &str, min: u64, max: u64) -> Result<u64, ApiError> {
    let bad = || ApiError::bad_request(format!("{name} must be an integer from {min} to {max}"));
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    v.parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(bad)
}

/// `page` (0-based, default 0) and `pageSize` (1..10000, default 10000).
pub fn paging(query: Option<&str>) -> Result<(u64, u64), ApiError> {
    let p = pairs(query)?;
    let page = match get(&p, "page") {
        None => 0,
        Some(v) => integer("page", v, 0, i64::MAX as u64 / MAX_PAGE_SIZE)?,
    };
    let size = match get(&p, "pageSize") {
        None => DEFAULT_PAGE_SIZE,
        Some(v) => integer("pageSize", v, 1, MAX_PAGE_SIZE)?,
    };
    Ok((page, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_rules() {
        assert_eq!(paging(None).unwrap(), (0, 10_000));
        assert_eq!(paging(Some("page=2&pageSize=5")).unwrap(), (2, 5));
        for bad in [
            "page=-1",
            "page=1.5",
            "pageSize=0",
            "pageSize=10001",
            "page=",
            "page=%2B1",
            "page=abc",
        ] {
            assert!(paging(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn decoding() {
        let p = pairs(Some("collection=a%2Fb%3F%23%26+c%C3%A9")).unwrap();
        assert_eq!(get(&p, "collection"), Some("a/b?#& cé"));
        assert!(pairs(Some("collection=%FF")).is_err());
    }
}
