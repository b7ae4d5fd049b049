//! Checks of the caller's arguments, with messages in the JS option names.
//!
//! Numbers arrive as JS numbers (`f64`); the wasm layer has already turned a value of
//! the wrong JS type into a `TypeError`. Here NaN, infinities, fractions and values out
//! of range are `Range` errors (JS `RangeError`).

use crate::prelude::*;
use core::fmt;

use crate::contract::{MAX_EVENTS_PER_REQUEST, MAX_PAGE_SIZE};

/// Which JS error a bad argument becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgErrorKind {
    /// `TypeError`: not the kind of value asked for (e.g. a string that is no URL).
    Type,
    /// `RangeError`: the right kind of value, outside what is allowed.
    Range,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ArgError {
    pub kind: ArgErrorKind,
    /// The message, up to the offending number when there is one (`got`).
    pub message: String,
    /// The caller's number that was refused, printed after `message` as JS prints it.
    /// Kept as a value so that the wasm build prints it with the JS engine (Rust's
    /// float formatting would cost ~15 KB of wasm) and this crate stays free of JS.
    pub got: Option<f64>,
}

impl ArgError {
    #[inline]
    pub fn range(message: String) -> ArgError {
        ArgError {
            kind: ArgErrorKind::Range,
            message,
            got: None,
        }
    }
    #[inline]
    pub fn type_error(message: String) -> ArgError {
        ArgError {
            kind: ArgErrorKind::Type,
            message,
            got: None,
        }
    }

    /// The whole message, the number printed by `print` (the JS engine's `String(v)`
    /// in the wasm build, `js_number` natively).
    #[inline]
    pub fn text(&self, print: impl Fn(f64) -> String) -> String {
        match self.got {
            Some(v) => text![self.message, print(v)],
            None => self.message.clone(),
        }
    }
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(js_number))
    }
}

impl core::error::Error for ArgError {}

/// Most requests in flight at once: more would only queue inside the browser (about
/// 6 connections per host over HTTP/1.1) and hold more bodies in memory.
pub const MAX_CONCURRENCY: usize = 64;
/// Most retries of one request.
pub const MAX_RETRIES: u32 = 100;
/// Longest timeout: `setTimeout` fires at once for delays beyond 2^31 - 1 ms.
pub const MAX_TIMEOUT_MS: u32 = i32::MAX as u32;
/// Smallest body cap: smaller would refuse ordinary events.
pub const MIN_MAX_CHUNK_BYTES: usize = 1024;
/// Largest body cap: 1 GiB, near the longest string a JS engine builds.
pub const MAX_MAX_CHUNK_BYTES: usize = 1 << 30;
/// Largest `maxBufferedBytes`: 4 GiB, more than a 32-bit wasm or a browser tab holds.
pub const MAX_MAX_BUFFERED_BYTES: usize = u32::MAX as usize;

/// Whether `v` is a whole number, not negative (a count): `f64::fract` is std's.
#[inline]
pub fn is_count(v: f64) -> bool {
    // Every float from 2^53 up is whole; below, the cast to u64 is exact for whole numbers.
    v >= 0.0 && v.is_finite() && (v >= 9_007_199_254_740_992.0 || (v as u64) as f64 == v)
}

/// A number as JS prints it (`NaN`, `Infinity`, `0` for `-0`, `1.5`). The wasm build
/// does not call it (see `ArgError::got`), so its float formatting is not linked there.
#[inline]
pub fn js_number(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else if v == 0.0 {
        "0".to_owned()
    } else if v.abs() >= 1e21 || v.abs() < 1e-6 {
        // JS switches to exponent form here, with an explicit `+`.
        format!("{v:e}").replacen("e", if v.abs() >= 1.0 { "e+" } else { "e" }, 1)
    } else {
        format!("{v}")
    }
}

/// `v` when it is a whole number in `min..=max`, else a Range error saying so.
#[inline]
fn integer_in(name: &str, v: f64, min: u64, max: u64) -> Result<u64, ArgError> {
    if is_count(v) && v >= min as f64 && v <= max as f64 {
        Ok(v as u64)
    } else {
        Err(ArgError {
            got: Some(v),
            ..ArgError::range(text![name, " must be an integer from ", min, " to ", max, ", got "])
        })
    }
}

/// Events per create request: an integer from 1 to `MAX_EVENTS_PER_REQUEST`.
#[inline]
pub fn chunksize(v: f64) -> Result<usize, ArgError> {
    integer_in("chunksize", v, 1, MAX_EVENTS_PER_REQUEST as u64).map(|n| n as usize)
}

/// Requests in flight at once: an integer from 1 to `MAX_CONCURRENCY`.
#[inline]
pub fn concurrency(v: f64) -> Result<usize, ArgError> {
    integer_in("concurrency", v, 1, MAX_CONCURRENCY as u64).map(|n| n as usize)
}

/// Bytes of validated request bodies an upload may keep to send as they are: an
/// integer from 0 (keep none: every body is serialized and validated again when sent)
/// to `MAX_MAX_BUFFERED_BYTES`.
#[inline]
pub fn max_buffered_bytes(v: f64) -> Result<usize, ArgError> {
    integer_in("maxBufferedBytes", v, 0, MAX_MAX_BUFFERED_BYTES as u64).map(|n| n as usize)
}

/// Retries of one request after its first attempt: an integer from 0 to `MAX_RETRIES`.
#[inline]
pub fn max_retries(v: f64) -> Result<u32, ArgError> {
    integer_in("maxRetries", v, 0, MAX_RETRIES as u64).map(|n| n as u32)
}

/// Time allowed for one request, in ms: an integer from 1 to `MAX_TIMEOUT_MS`.
#[inline]
pub fn timeout_ms(v: f64) -> Result<u32, ArgError> {
    integer_in("timeoutMs", v, 1, MAX_TIMEOUT_MS as u64).map(|n| n as u32)
}

/// Largest create body, in bytes: an integer from 1024 to 1 GiB.
#[inline]
pub fn max_chunk_bytes(v: f64) -> Result<usize, ArgError> {
    integer_in(
        "maxChunkBytes",
        v,
        MIN_MAX_CHUNK_BYTES as u64,
        MAX_MAX_CHUNK_BYTES as u64,
    )
    .map(|n| n as usize)
}

/// A position in a source (`resumeFrom.events`, `.bytes`, `.line`, `bytesTotal`): an
/// integer from `min` up to what a JS number holds exactly.
#[inline]
pub fn position(name: &str, v: f64, min: u64) -> Result<u64, ArgError> {
    integer_in(name, v, min, MAX_SAFE_INTEGER)
}

/// `Number.MAX_SAFE_INTEGER`.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// 0-based page number of a query.
#[inline]
pub fn page(v: f64) -> Result<u32, ArgError> {
    integer_in("page", v, 0, u32::MAX as u64).map(|n| n as u32)
}

/// Events per page of a query: an integer from 1 to `MAX_PAGE_SIZE`.
#[inline]
pub fn page_size(v: f64) -> Result<u32, ArgError> {
    integer_in("pageSize", v, 1, MAX_PAGE_SIZE as u64).map(|n| n as u32)
}

/// The collection a delete empties: any non-empty string (the contract sets no other
/// limit, and any name an event may carry must be deletable).
#[inline]
pub fn collection(v: &str) -> Result<&str, ArgError> {
    if v.is_empty() {
        Err(ArgError::range(
            "collection must be a non-empty string: there is no way to delete every event"
                .to_owned(),
        ))
    } else {
        Ok(v)
    }
}

/// Longest `runId`: it prefixes `:{from}-{to}` in a 255-character `Idempotency-Key`.
pub const MAX_RUN_ID_LEN: usize = 200;

/// What a `runId` must be.
const RUN_ID_RULE: &str = "runId must be 1 to 200 visible ASCII characters (no spaces)";

/// A `runId` option: 1 to 200 visible ASCII characters (it goes into a header).
#[inline]
pub fn run_id(v: String) -> Result<String, ArgError> {
    if v.is_empty() || v.len() > MAX_RUN_ID_LEN || !v.bytes().all(|b| b.is_ascii_graphic()) {
        // The text written out, its number `MAX_RUN_ID_LEN` (a test compares them): no
        // number formatted at run time.
        return Err(ArgError::range(RUN_ID_RULE.to_owned()));
    }
    Ok(v)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    #[test]
    fn run_ids_fit_a_header() {
        assert_eq!(super::run_id("abc-123:x".into()).unwrap(), "abc-123:x");
        for bad in ["", "has space", "é", &"x".repeat(201)] {
            assert!(super::run_id(bad.to_string()).is_err(), "{bad}");
        }
        assert_eq!(super::RUN_ID_RULE, format!("runId must be 1 to {} visible ASCII characters (no spaces)", super::MAX_RUN_ID_LEN));
    }

    use super::*;
    use proptest::prelude::*;

    fn msg<T: fmt::Debug>(r: Result<T, ArgError>) -> String {
        let e = r.unwrap_err();
        assert_eq!(e.kind, ArgErrorKind::Range);
        e.to_string()
    }

    #[test]
    fn numbers() {
        assert_eq!(chunksize(1.0), Ok(1));
        assert_eq!(chunksize(100_000.0), Ok(100_000));
        assert_eq!(
            msg(chunksize(0.0)),
            "chunksize must be an integer from 1 to 100000, got 0"
        );
        assert_eq!(
            msg(chunksize(-0.0)),
            "chunksize must be an integer from 1 to 100000, got 0"
        );
        assert_eq!(
            msg(chunksize(100_001.0)),
            "chunksize must be an integer from 1 to 100000, got 100001"
        );
        assert_eq!(
            msg(chunksize(1.5)),
            "chunksize must be an integer from 1 to 100000, got 1.5"
        );
        assert_eq!(
            msg(chunksize(f64::NAN)),
            "chunksize must be an integer from 1 to 100000, got NaN"
        );
        assert_eq!(
            msg(chunksize(f64::INFINITY)),
            "chunksize must be an integer from 1 to 100000, got Infinity"
        );
        assert_eq!(concurrency(4.0), Ok(4));
        assert_eq!(concurrency(64.0), Ok(MAX_CONCURRENCY));
        // Documented as 1 to 64: more is refused, not silently lowered.
        assert_eq!(
            msg(concurrency(65.0)),
            "concurrency must be an integer from 1 to 64, got 65"
        );
        assert_eq!(
            msg(concurrency(0.0)),
            "concurrency must be an integer from 1 to 64, got 0"
        );
        assert_eq!(max_buffered_bytes(0.0), Ok(0));
        assert!(max_buffered_bytes(-1.0).is_err() && max_buffered_bytes(0.5).is_err());
        assert!(concurrency(f64::INFINITY).is_err());
        assert_eq!(max_retries(0.0), Ok(0));
        assert_eq!(max_retries(100.0), Ok(100));
        assert!(max_retries(101.0).is_err() && max_retries(-1.0).is_err());
        assert_eq!(timeout_ms(1.0), Ok(1));
        assert_eq!(timeout_ms(2_147_483_647.0), Ok(2_147_483_647));
        assert!(timeout_ms(2_147_483_648.0).is_err() && timeout_ms(0.0).is_err());
        assert_eq!(max_chunk_bytes(1024.0), Ok(1024));
        assert!(max_chunk_bytes(1023.0).is_err());
        assert_eq!(page(0.0), Ok(0));
        assert_eq!(page(4_294_967_295.0), Ok(u32::MAX));
        assert_eq!(
            msg(page(-1.0)),
            "page must be an integer from 0 to 4294967295, got -1"
        );
        assert_eq!(page_size(10_000.0), Ok(10_000));
        assert_eq!(
            msg(page_size(10_001.0)),
            "pageSize must be an integer from 1 to 10000, got 10001"
        );
        assert_eq!(
            msg(page_size(1e21)),
            "pageSize must be an integer from 1 to 10000, got 1e+21"
        );
        assert_eq!(js_number(1.5e300), "1.5e+300");
        assert_eq!(js_number(-2.5e-7), "-2.5e-7");
        assert_eq!(js_number(123456.75), "123456.75");
    }

    #[test]
    fn collections() {
        assert_eq!(collection("a/b?c#d"), Ok("a/b?c#d"));
        assert!(collection("").is_err());
    }

    proptest! {
        #[test]
        fn chunksize_accepts_exactly_its_range(v in prop_oneof![any::<f64>(), (-10i64..200_000).prop_map(|n| n as f64)]) {
            let ok = is_count(v) && (1.0..=100_000.0).contains(&v);
            prop_assert_eq!(chunksize(v).is_ok(), ok);
            if let Ok(n) = chunksize(v) {
                prop_assert_eq!(n as f64, v);
            }
        }
    }
}
