//! A strict RFC 3339 date-time parser: the event's `start` and `end`.
//!
//! Grammar (the emulator implements the very same; keep them equal):
//! `YYYY-MM-DD` (`T`|`t`) `HH:MM:SS` [`.` 1 or more digits] (`Z`|`z`|`+HH:MM`|`-HH:MM`),
//! year 0000-9999, real Gregorian dates, hour 00-23, minute 00-59, second 00-59, or 60
//! for a leap second, which RFC 3339 allows only as the last second of a UTC day
//! (`23:59:60Z`, `15:59:60-08:00`), offset hours 00-23 and minutes 00-59.
//! Nothing else: no space separator, no missing seconds, no `+0000`, no trailing text.
//! Fraction digits past the ninth are read and dropped (the instant is to the
//! nanosecond); a leap second is read as the last nanosecond of second 59 (after every
//! other time of its minute, before the next minute: the instant has no 61st second).

/// A point in time, UTC: seconds since 1970-01-01T00:00:00Z and nanoseconds.
/// Ordered by time, so `end < start` is a plain comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    secs: i64,
    nanos: u32,
}

impl Instant {
    /// `nanos` must be below 1e9.
    pub fn new(secs: i64, nanos: u32) -> Instant {
        debug_assert!(nanos < 1_000_000_000);
        Instant { secs, nanos }
    }
    /// Whole seconds since the Unix epoch (floor).
    pub fn secs(&self) -> i64 {
        self.secs
    }
    /// Nanoseconds past `secs`, below 1e9.
    pub fn nanos(&self) -> u32 {
        self.nanos
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`); exact for every year of the grammar.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // 0..=399
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Number of days in a month of the proleptic Gregorian calendar.
pub(crate) fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Reads exactly `n` ASCII digits at `at`.
pub(crate) fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let s = b.get(at..at + n)?;
    let mut v = 0u32;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (c - b'0') as u32;
    }
    Some(v)
}

/// Parses one RFC 3339 date-time of the grammar above; `None` for anything else.
pub fn parse(s: &str) -> Option<Instant> {
    let b = s.as_bytes();
    // Fixed part: "YYYY-MM-DDTHH:MM:SS" is 19 bytes.
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if b[10] != b'T' && b[10] != b't' {
        return None;
    }
    let year = digits(b, 0, 4)? as i64;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let second = digits(b, 17, 2)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }

    let mut at = 19;
    let mut nanos = 0u32;
    if b[at] == b'.' {
        at += 1;
        let start = at;
        while at < b.len() && b[at].is_ascii_digit() {
            at += 1;
        }
        let n = (at - start).min(9);
        if n == 0 {
            return None;
        }
        nanos = digits(b, start, n)? * 10u32.pow(9 - n as u32);
    }
    let leap = second == 60;
    let (second, nanos) = if leap { (59, 999_999_999) } else { (second, nanos) };

    let offset_secs: i64 = match b.get(at)? {
        b'Z' | b'z' if b.len() == at + 1 => 0,
        sign @ (b'+' | b'-') if b.len() == at + 6 && b.get(at + 3) == Some(&b':') => {
            let oh = digits(b, at + 1, 2)?;
            let om = digits(b, at + 4, 2)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let o = (oh * 3600 + om * 60) as i64;
            if *sign == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };

    let local =
        days_from_civil(year, month, day) * 86_400 + (hour * 3600 + minute * 60 + second) as i64;
    let secs = local - offset_secs;
    if leap && (secs + 1).rem_euclid(86_400) != 0 {
        return None; // a leap second ends a UTC day
    }
    Some(Instant { secs, nanos })
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::prelude::*;
    use proptest::prelude::*;

    fn secs(s: &str) -> i64 {
        parse(s)
            .unwrap_or_else(|| panic!("{s} should parse"))
            .secs()
    }

    #[test]
    fn accepts_the_grammar() {
        assert_eq!(secs("1970-01-01T00:00:00Z"), 0);
        assert_eq!(secs("2021-01-01T00:00:00Z"), 1_609_459_200);
        assert_eq!(secs("2021-01-01t00:00:00z"), 1_609_459_200);
        assert_eq!(secs("2021-01-01T01:00:00+01:00"), 1_609_459_200);
        assert_eq!(secs("2020-12-31T23:00:00-01:00"), 1_609_459_200);
        assert_eq!(secs("2000-02-29T00:00:00Z"), 951_782_400);
        assert_eq!(secs("0000-01-01T00:00:00Z"), -62_167_219_200);
        assert_eq!(secs("9999-12-31T23:59:59Z"), 253_402_300_799);
        let i = parse("2021-01-01T00:00:00.5Z").unwrap();
        assert_eq!((i.secs(), i.nanos()), (1_609_459_200, 500_000_000));
        let i = parse("1969-12-31T23:59:59.123456789Z").unwrap();
        assert_eq!((i.secs(), i.nanos()), (-1, 123_456_789));
        assert_eq!(secs("2021-01-01T00:00:00+23:59"), 1_609_459_200 - 86_340);
        // RFC 3339 §5.6: any number of fraction digits; §5.8's own example of a leap second.
        let i = parse("2021-01-01T00:00:00.1234567891234Z").unwrap();
        assert_eq!((i.secs(), i.nanos()), (1_609_459_200, 123_456_789));
        let leap = parse("1990-12-31T23:59:60Z").unwrap();
        assert_eq!((leap.secs(), leap.nanos()), (662_687_999, 999_999_999));
        assert!(parse("1990-12-31T23:59:59.999999998Z").unwrap() < leap);
        assert!(leap < parse("1991-01-01T00:00:00Z").unwrap());
        assert_eq!(parse("1990-12-31T15:59:60-08:00"), Some(leap));
        assert_eq!(parse("1990-12-31T23:59:60.5Z"), Some(leap));
        assert_eq!(parse("2021-01-01T00:00:60Z"), None, "a leap second ends a UTC day");
        assert_eq!(parse("1990-12-31T23:59:60+01:00"), None, "22:59:60 UTC");
    }

    #[test]
    fn refuses_everything_else() {
        for s in [
            "",
            "2021-01-01",
            "2021-01-01T00:00Z",
            "2021-01-01 00:00:00Z",
            "2021-01-01T00:00:00",
            "2021-01-01T00:00:00+0000",
            "2021-01-01T00:00:00+00",
            "2021-01-01T00:00:00Zx",
            "2021-01-01T00:00:00Z ",
            " 2021-01-01T00:00:00Z",
            "2021-01-01T00:00:00.Z",
            "2021-01-01T00:00:61Z",
            "2021-01-01T00:00:60Z",
            "2021-01-01T00:00:00.123x",
            "2021-01-01T24:00:00Z",
            "2021-01-01T00:60:00Z",
            "2021-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2021-04-31T00:00:00Z",
            "2021-00-01T00:00:00Z",
            "2021-13-01T00:00:00Z",
            "2021-01-00T00:00:00Z",
            "2021-01-01T00:00:00+24:00",
            "2021-01-01T00:00:00+00:60",
            "+2021-01-01T00:00:00Z",
            "21-01-01T00:00:00Z",
            "2021-1-01T00:00:00Z",
            "２021-01-01T00:00:00Z",
            "2021-01-01T00:00:00.١Z",
        ] {
            assert_eq!(parse(s), None, "{s:?}");
        }
    }

    #[test]
    fn orders_by_time() {
        let a = parse("2021-01-01T00:00:00.1Z").unwrap();
        let b = parse("2021-01-01T00:00:00.2Z").unwrap();
        let c = parse("2021-01-01T01:00:00.0+01:00").unwrap();
        assert!(a < b && c < a);
    }

    /// The numeric parts of a date-time, formatted by `render`.
    #[derive(Debug, Clone)]
    struct Parts {
        y: u32,
        mo: u32,
        d: u32,
        h: u32,
        mi: u32,
        s: u32,
        frac: Option<String>,
        t: char,
        off: Option<(char, u32, u32)>, // None is Z/z
        z: char,
    }

    fn render(p: &Parts) -> String {
        let mut out = format!(
            "{:04}-{:02}-{:02}{}{:02}:{:02}:{:02}",
            p.y, p.mo, p.d, p.t, p.h, p.mi, p.s
        );
        if let Some(f) = &p.frac {
            out.push('.');
            out.push_str(f);
        }
        match p.off {
            None => out.push(p.z),
            Some((sign, oh, om)) => out.push_str(&format!("{sign}{oh:02}:{om:02}")),
        }
        out
    }

    fn parts(
        max_mo: u32,
        max_d: u32,
        max_h: u32,
        max_mi: u32,
        max_s: u32,
    ) -> impl Strategy<Value = Parts> {
        (
            (
                0u32..=9999,
                1..=max_mo,
                1..=max_d,
                0..=max_h,
                0..=max_mi,
                0..=max_s,
            ),
            proptest::option::of("[0-9]{1,9}"),
            prop_oneof![Just('T'), Just('t')],
            proptest::option::of((prop_oneof![Just('+'), Just('-')], 0..=max_h, 0..=max_mi)),
            prop_oneof![Just('Z'), Just('z')],
        )
            .prop_map(|((y, mo, d, h, mi, s), frac, t, off, z)| Parts {
                y,
                mo,
                d,
                h,
                mi,
                s,
                frac,
                t,
                off,
                z,
            })
    }

    fn valid() -> impl Strategy<Value = Parts> {
        parts(12, 31, 23, 59, 59).prop_map(|mut p| {
            p.d = p.d.min(days_in_month(p.y as i64, p.mo));
            p
        })
    }

    /// Agreement with chrono; chrono's own rules are wider in places that the
    /// generator leaves out (a space separator, leap seconds, long fractions).
    fn chrono_parse(s: &str) -> Option<(i64, u32)> {
        chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| (t.timestamp(), t.timestamp_subsec_nanos()))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn round_trips(p in valid()) {
            let s = render(&p);
            let i = parse(&s).expect("valid");
            let utc = chrono::DateTime::from_timestamp(i.secs(), i.nanos()).unwrap();
            // Re-render in UTC with 9 fraction digits, parse again: same instant
            // (unless the offset moved it out of years 0000-9999).
            if (0..=9999).contains(&chrono::Datelike::year(&utc)) {
                let again = utc.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string();
                prop_assert_eq!(parse(&again), Some(i));
            }
            prop_assert_eq!(Some((i.secs(), i.nanos())), chrono_parse(&s));
        }

        #[test]
        fn agrees_with_chrono_near_valid(p in parts(19, 39, 29, 69, 59)) {
            let s = render(&p);
            prop_assert_eq!(parse(&s).map(|i| (i.secs(), i.nanos())), chrono_parse(&s), "{}", s);
        }

        #[test]
        fn agrees_with_chrono_on_mutations(p in valid(), at in 0usize..40, c in "[-+:.0-9TtZz ]") {
            let mut s = render(&p).into_bytes();
            let at = at % s.len();
            s[at] = c.as_bytes()[0];
            let s = String::from_utf8(s).unwrap();
            // chrono also takes ' ' as the separator: our grammar does not.
            prop_assume!(s.as_bytes()[10] != b' ');
            // chrono takes a leap second (:60): our grammar does not.
            prop_assume!(&s[17..19] != "60");
            prop_assert_eq!(parse(&s).map(|i| (i.secs(), i.nanos())), chrono_parse(&s), "{}", s);
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = parse(&s);
        }

        #[test]
        fn never_panics_on_near_misses(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9:.]{0,14}[-+Zz0-9:]{0,7}") {
            let _ = parse(&s);
        }
    }
}
