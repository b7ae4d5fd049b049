//! What to do with an HTTP status, how long to wait before a retry.
//!
//! Network errors and timeouts never reach `classify_status` (there is no status):
//! the caller treats them as `Disposition::Retry`.

use super::rfc3339::{days_from_civil, days_in_month, digits};

/// The next step after an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// 2xx: done.
    Success,
    /// Passing trouble: wait (backoff, `Retry-After`) and send the same request again.
    Retry,
    /// 401: renew the token, then send once more; a second 401 fails.
    RefreshThenRetryOnce,
    /// 413: a create splits its chunk in two (other requests fail).
    Split,
    /// 415: a compressed body is sent once more uncompressed, and the client compresses
    /// no more (other requests fail).
    SendPlain,
    /// The request is wrong, or the answer is one we do not understand.
    Fail,
}

/// The contract's Errors table. Statuses it does not name fail rather than retry:
/// other 4xx say the request is wrong, other 5xx (501, 505, ...) will not heal by
/// waiting, and a 3xx (or 0, a browser's opaque redirect) is a redirect the client does
/// not follow (`REDIRECT_HINT`).
#[inline]
pub fn classify_status(status: u16) -> Disposition {
    match status {
        200..=299 => Disposition::Success,
        401 => Disposition::RefreshThenRetryOnce,
        413 => Disposition::Split,
        415 => Disposition::SendPlain,
        // 409: a request with the same Idempotency-Key is still being processed.
        408 | 409 | 425 | 429 | 500 | 502 | 503 | 504 => Disposition::Retry,
        _ => Disposition::Fail,
    }
}

/// Whether a request retried after this trouble may have been carried out all the same
/// (`None`: no answer came, a network error or a timeout; a 500, 502 or 504 may come
/// from a proxy after the service committed). A 408, 409, 425, 429 or 503 says the
/// request was not taken. A create's retries are safe whatever the answer (its
/// idempotency key); a delete's count then covers only the last request.
#[inline]
pub fn may_have_been_carried_out(status: Option<u16>) -> bool {
    match status {
        None => true,
        Some(s) => matches!(s, 500 | 502 | 504),
    }
}

/// Added to a redirect's error: the client sends tokens and events only where it was told.
pub const REDIRECT_HINT: &str = "a redirect, which the client does not follow: tokens and events go only to the baseUrl and authUrl given; give the URL the service moved to";

/// Whether `status` is a redirect as `fetch` with `redirect: 'manual'` gives it: a 3xx,
/// or 0 (a browser's opaque redirect).
#[inline]
pub fn is_redirect(status: u16) -> bool {
    status == 0 || (300..400).contains(&status)
}

/// Added to a create's `422` ("Idempotency-Key reused with a different body"): what
/// the caller most likely did, and what to do.
pub const KEY_REUSED_HINT: &str = "the events of this chunk differ from those first sent under its Idempotency-Key; \
typically a resume with a runId whose events or chunking changed: resume with the same events and options, or use a new runId";

/// The longest wait a `Retry-After` can impose; a server asking for more gets this
/// (a client call should not hang for hours on one header).
pub const MAX_RETRY_AFTER_MS: u64 = 120_000;

/// `n * by`, or `u64::MAX` when that overflows (`saturating_mul`), the overflow told by
/// a comparison: a `u64` `saturating_mul` or `checked_mul` multiplies in 128 bits in
/// wasm32 (compiler-rt's `__multi3`, linked for these alone).
#[inline]
fn times_or_max(n: u64, by: u64) -> u64 {
    if by != 0 && n > u64::MAX / by {
        u64::MAX
    } else {
        n * by
    }
}

/// Reads a `Retry-After` value: delta-seconds (`120`) or an IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`), giving milliseconds from `now_ms` (ms since the
/// Unix epoch), 0 for a date in the past; `None` for anything else. The obsolete
/// RFC 850 and asctime forms are not read: RFC 9110 forbids sending them.
#[inline]
pub fn parse_retry_after(value: &str, now_ms: f64) -> Option<u64> {
    // Spaces and tabs cut as bytes (ASCII: always at a char boundary): `trim_matches`
    // with its own closure is std's char-searching code compiled once more.
    let blank = |b: u8| b == b' ' || b == b'\t';
    let bytes = value.as_bytes();
    let from = bytes.iter().position(|&b| !blank(b)).unwrap_or(bytes.len());
    let to = bytes.iter().rposition(|&b| !blank(b)).map_or(from, |last| last + 1);
    let v = value.get(from..to)?;
    // One pass: the digits checked as they are added up.
    let secs = v.bytes().try_fold(0u64, |n, b| {
        b.is_ascii_digit().then(|| times_or_max(n, 10).saturating_add((b - b'0') as u64))
    });
    if let Some(secs) = secs.filter(|_| !v.is_empty()) {
        return Some(times_or_max(secs, 1000));
    }
    let at_ms = imf_fixdate_secs(v)? as f64 * 1000.0;
    let wait = at_ms - now_ms;
    // NaN (a NaN `now_ms`) and the past both give 0.
    // Rounded up by hand: `f64::ceil` is std's (libm), and this crate is `no_std`.
    let whole = wait as u64; // saturating; NaN gives 0
    Some(if wait > 0.0 { whole.saturating_add(u64::from((whole as f64) < wait)) } else { 0 })
}

/// Seconds since the Unix epoch of `Sun, 06 Nov 1994 08:49:37 GMT` (exact case and
/// spacing; the day name is checked for spelling, not against the date).
#[inline]
fn imf_fixdate_secs(s: &str) -> Option<i64> {
    // Names as three bytes in one number, compared whole (not as slices: a length
    // check and a `memcmp` each).
    const fn tag(s: &[u8]) -> u32 {
        s[0] as u32 | (s[1] as u32) << 8 | (s[2] as u32) << 16
    }
    const DAYS: [u32; 7] =
        [tag(b"Mon"), tag(b"Tue"), tag(b"Wed"), tag(b"Thu"), tag(b"Fri"), tag(b"Sat"), tag(b"Sun")];
    const MONTHS: [u32; 12] = [
        tag(b"Jan"), tag(b"Feb"), tag(b"Mar"), tag(b"Apr"), tag(b"May"), tag(b"Jun"),
        tag(b"Jul"), tag(b"Aug"), tag(b"Sep"), tag(b"Oct"), tag(b"Nov"), tag(b"Dec"),
    ];
    let b = s.as_bytes();
    if b.len() != 29 || &b[3..5] != b", " || b[7] != b' ' || b[11] != b' ' || b[16] != b' ' {
        return None;
    }
    // The day by `iter().any`, as the month by `position`: `contains` compiled std's
    // `slice_contains` for this one array.
    if b[19] != b':' || b[22] != b':' || &b[25..] != b" GMT" || !DAYS.iter().any(|&d| d == tag(b)) {
        return None;
    }
    let month = MONTHS.iter().position(|&m| m == tag(&b[8..]))? as u32 + 1;
    let (day, year) = (digits(b, 5, 2)?, digits(b, 12, 4)? as i64);
    let (h, m, sec) = (digits(b, 17, 2)?, digits(b, 20, 2)?, digits(b, 23, 2)?);
    if day == 0 || day > days_in_month(year, month) || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + (h * 3600 + m * 60 + sec) as i64)
}

/// Exponential backoff with full jitter (AWS's "Exponential Backoff And Jitter"):
/// spreads retries of many clients over the whole window instead of in waves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffPolicy {
    /// Window of the first retry, in ms.
    pub base_ms: u64,
    /// Largest window, in ms.
    pub cap_ms: u64,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        BackoffPolicy {
            base_ms: crate::contract::DEFAULT_BACKOFF_BASE_MS,
            cap_ms: crate::contract::DEFAULT_BACKOFF_CAP_MS,
        }
    }
}

impl BackoffPolicy {
    /// Window of retry number `retry_number` (1-based; 0 counts as 1):
    /// `min(cap, base * 2^(retry_number - 1))`.
    #[inline]
    pub fn window_ms(&self, retry_number: u32) -> u64 {
        let shift = retry_number.max(1) - 1;
        // `base * 2^shift` as a shift, its overflow told by a comparison (a `u64`
        // `checked_mul` multiplies in 128 bits in wasm32: `__multi3`).
        let grown = if shift < 64 && self.base_ms <= u64::MAX >> shift {
            self.base_ms << shift
        } else if self.base_ms == 0 {
            0
        } else {
            u64::MAX
        };
        grown.min(self.cap_ms)
    }

    /// Wait before retry number `retry_number`: `random01 * window` (`random01` in
    /// [0, 1), from the caller; out-of-range or NaN values are clamped), after the
    /// server's `Retry-After` when it gave one (capped at `MAX_RETRY_AFTER_MS`): the
    /// jitter on top of it, so that the chunks a burst of `429`s answered together do
    /// not all come back at the same instant (with `max(jitter, Retry-After)` they did).
    #[inline]
    pub fn delay_ms(&self, retry_number: u32, random01: f64, retry_after_ms: Option<u64>) -> u64 {
        let r = if random01.is_nan() {
            0.0
        } else {
            random01.clamp(0.0, 1.0)
        };
        let window = self.window_ms(retry_number);
        let jittered = (((window as f64) * r) as u64).min(window); // `as` truncates: the floor of a non-negative number
        let floor = retry_after_ms.map_or(0, |ms| ms.min(MAX_RETRY_AFTER_MS));
        floor + jittered
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::prelude::*;
    use proptest::prelude::*;

    #[test]
    fn statuses() {
        use Disposition::*;
        for (s, d) in [
            (200, Success),
            (201, Success),
            (204, Success),
            (299, Success),
            (401, RefreshThenRetryOnce),
            (413, Split),
            (415, SendPlain),
            (408, Retry),
            (409, Retry),
            (425, Retry),
            (429, Retry),
            (500, Retry),
            (502, Retry),
            (503, Retry),
            (504, Retry),
            (400, Fail),
            (403, Fail),
            (404, Fail),
            (422, Fail),
            (501, Fail),
            (505, Fail),
            (100, Fail),
            (304, Fail),
            (0, Fail),
            (999, Fail),
        ] {
            assert_eq!(classify_status(s), d, "{s}");
        }
    }

    #[test]
    fn trouble_that_may_hide_a_carried_out_request() {
        for s in [None, Some(500), Some(502), Some(504)] {
            assert!(may_have_been_carried_out(s), "{s:?}");
        }
        for s in [408, 409, 425, 429, 503] {
            assert_eq!(classify_status(s), Disposition::Retry);
            assert!(!may_have_been_carried_out(Some(s)), "{s}");
        }
    }

    #[test]
    fn redirects_are_told_apart() {
        for s in [0, 301, 302, 303, 307, 308, 399] {
            assert!(is_redirect(s), "{s}");
            assert_eq!(classify_status(s), Disposition::Fail, "{s}: not followed, not retried");
        }
        for s in [200, 201, 299, 400, 401, 500] {
            assert!(!is_redirect(s), "{s}");
        }
    }

    const NOV_6_1994: f64 = 784_111_777_000.0; // Sun, 06 Nov 1994 08:49:37 GMT

    #[test]
    fn retry_after() {
        assert_eq!(parse_retry_after("120", 0.0), Some(120_000));
        assert_eq!(parse_retry_after(" 0 ", 0.0), Some(0));
        assert_eq!(
            parse_retry_after("99999999999999999999999", 0.0),
            Some(u64::MAX)
        );
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        assert_eq!(parse_retry_after(date, NOV_6_1994 - 1500.0), Some(1500));
        assert_eq!(parse_retry_after(date, NOV_6_1994 - 0.5), Some(1));
        assert_eq!(parse_retry_after(date, NOV_6_1994 + 1.0), Some(0));
        assert_eq!(parse_retry_after(date, f64::NAN), Some(0));
        assert_eq!(
            parse_retry_after("Thu, 01 Jan 1970 00:00:10 GMT", 0.0),
            Some(10_000)
        );
        assert_eq!(
            parse_retry_after("Thu, 29 Feb 2024 00:00:00 GMT", 1_709_164_800_000.0 - 1.0),
            Some(1)
        );
        for bad in [
            "",
            "-1",
            "1.5",
            "+3",
            "soon",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov 1994 08:49:37",
            "sun, 06 Nov 1994 08:49:37 GMT",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 29 Feb 1900 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun, 06 Nov 1994 08:49:37 GMTx",
            "Sun, 06 Növ 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_retry_after(bad, 0.0), None, "{bad:?}");
        }
    }

    #[test]
    fn every_day_and_month_name() {
        // The names compared as packed bytes: each day name is accepted, and each month
        // is the one its name says (2001's first days, one month after the other).
        let mut at = None;
        for (i, month) in ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].iter().enumerate() {
            let day = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][i % 7];
            let secs = imf_fixdate_secs(&format!("{day}, 01 {month} 2001 00:00:00 GMT")).unwrap();
            if let Some(before) = at {
                let days = crate::rfc3339::days_in_month(2001, i as u32);
                assert_eq!(secs - before, i64::from(days) * 86_400, "{month}");
            }
            at = Some(secs);
        }
        assert_eq!(at, Some(1_007_164_800)); // 2001-12-01T00:00:00Z
        assert_eq!(imf_fixdate_secs("Mon, 01 Jam 2001 00:00:00 GMT"), None);
        assert_eq!(imf_fixdate_secs("Mom, 01 Jan 2001 00:00:00 GMT"), None);
    }

    #[test]
    fn backoff() {
        let p = BackoffPolicy::default();
        assert_eq!(
            [1, 2, 3, 7, 8, 100].map(|n| p.window_ms(n)),
            [500, 1000, 2000, 30_000, 30_000, 30_000]
        );
        assert_eq!(p.window_ms(0), 500);
        assert_eq!(p.delay_ms(1, 0.0, None), 0);
        assert_eq!(p.delay_ms(1, 0.5, None), 250);
        assert_eq!(p.delay_ms(3, 0.999_999, None), 1999);
        assert_eq!(p.delay_ms(1, 0.5, Some(5000)), 5250);
        assert_eq!(p.delay_ms(1, 0.0, Some(5000)), 5000);
        assert_eq!(p.delay_ms(10, 0.9, Some(5000)), 32_000);
        assert_eq!(p.delay_ms(1, 0.0, Some(u64::MAX)), MAX_RETRY_AFTER_MS);
        assert_eq!(p.delay_ms(1, f64::NAN, None), 0);
        assert_eq!(p.delay_ms(1, 7.0, None), 500);
        let huge = BackoffPolicy {
            base_ms: u64::MAX / 3,
            cap_ms: u64::MAX,
        };
        assert_eq!(huge.window_ms(3), u64::MAX);
    }

    proptest! {
        #[test]
        fn delay_within_bounds(
            base in 0u64..10_000, cap in 0u64..100_000, n in 0u32..200,
            r in 0.0f64..1.0, ra in proptest::option::of(0u64..1_000_000),
        ) {
            let p = BackoffPolicy { base_ms: base, cap_ms: cap };
            let w = p.window_ms(n);
            prop_assert!(w <= cap);
            prop_assert!(p.window_ms(n + 1) >= w); // grows until the cap, never shrinks
            let d = p.delay_ms(n, r, ra);
            let floor = ra.map_or(0, |v| v.min(MAX_RETRY_AFTER_MS));
            prop_assert!(d >= floor);
            prop_assert!(d <= floor + w);
        }

        #[test]
        fn times_or_max_saturates_as_saturating_mul(n in any::<u64>(), by in prop_oneof![Just(0u64), Just(10), Just(1000), any::<u64>()]) {
            prop_assert_eq!(times_or_max(n, by), n.saturating_mul(by));
        }

        #[test]
        fn window_as_checked_mul(base in prop_oneof![Just(0u64), 0u64..100_000, any::<u64>()], n in 0u32..200) {
            let p = BackoffPolicy { base_ms: base, cap_ms: u64::MAX };
            let shift = n.max(1) - 1;
            let checked = 1u64.checked_shl(shift).and_then(|f| base.checked_mul(f)).unwrap_or(if base == 0 { 0 } else { u64::MAX });
            prop_assert_eq!(p.window_ms(n), checked);
        }

        #[test]
        fn delta_seconds(n in 0u64..10_000_000) {
            prop_assert_eq!(parse_retry_after(&n.to_string(), 12.0), Some(n * 1000));
        }

        #[test]
        fn http_dates_agree_with_chrono(secs in 0i64..253_402_300_799, ahead in 0u32..1_000_000) {
            let t = chrono::DateTime::from_timestamp(secs, 0).unwrap();
            let text = t.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
            let now = (secs as f64) * 1000.0 - ahead as f64;
            prop_assert_eq!(parse_retry_after(&text, now), Some(ahead as u64));
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}", now in any::<f64>()) {
            let _ = parse_retry_after(&s, now);
        }
    }
}
