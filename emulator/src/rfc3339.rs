//! The one date-time grammar that the emulator and the client share (RFC 3339, strict),
//! and instants as fixed-width text keys that SQLite compares as text.
//!
//! Grammar: `YYYY-MM-DD` `T`|`t` `HH:MM:SS` [`.` 1 or more digits] (`Z`|`z`|`+HH:MM`|`-HH:MM`);
//! year 0000-9999, real calendar dates, hour 00-23, minute 00-59, second 00-59, or 60
//! for a leap second at the end of a UTC day (RFC 3339's `time-second`), offset hours
//! 00-23 and minutes 00-59.
//! Nothing else. Fraction digits past the ninth are dropped; a leap second is the last
//! nanosecond of second 59.

/// Seconds added so that every instant the grammar can express (0000-01-01 minus an
/// offset of up to 23:59) is non-negative, and so fits a zero-padded key.
const SHIFT: i64 = 62_167_219_200 + 86_400;

/// An instant: seconds since 1970-01-01T00:00:00Z plus nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instant {
    pub secs: i64,
    pub nanos: u32,
}

impl Instant {
    /// 21 digits (12 of shifted seconds, 9 of nanoseconds): text order is time order,
    /// exact to the nanosecond over the grammar's whole range, unlike an i64 of nanos.
    pub fn key(&self) -> String {
        format!("{:012}{:09}", self.secs + SHIFT, self.nanos)
    }

    #[cfg(test)]
    pub fn from_unix_ms(ms: i64) -> Instant {
        Instant {
            secs: ms.div_euclid(1000),
            nanos: (ms.rem_euclid(1000) * 1_000_000) as u32,
        }
    }

    /// The last representable instant before `self` (end of a day, as an inclusive bound).
    pub fn just_before(&self) -> Instant {
        if self.nanos > 0 {
            Instant {
                secs: self.secs,
                nanos: self.nanos - 1,
            }
        } else {
            Instant {
                secs: self.secs - 1,
                nanos: 999_999_999,
            }
        }
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut n = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + (c - b'0') as u32;
    }
    Some(n)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + if m <= 2 { 1 } else { 0 }, m, d)
}

/// `YYYY-MM-DD` at the start of `b`, checked against the calendar: days since the epoch.
fn parse_date(b: &[u8]) -> Option<i64> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = digits(&b[0..4])? as i64;
    let m = digits(&b[5..7])?;
    let d = digits(&b[8..10])?;
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// A full RFC 3339 date-time, as the grammar above says.
pub fn parse_datetime(s: &str) -> Option<Instant> {
    let b = s.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let days = parse_date(b)?;
    if !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let h = digits(&b[11..13])?;
    let mi = digits(&b[14..16])?;
    let sec = digits(&b[17..19])?;
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0u32;
    if b[i] == b'.' {
        let start = i + 1;
        let mut end = start;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
        let n = (end - start).min(9);
        if n == 0 {
            return None;
        }
        nanos = digits(&b[start..start + n])? * 10u32.pow((9 - n) as u32);
        i = end;
    }
    // A leap second: the last instant of second 59 (the instant has no 61st second).
    let leap = sec == 60;
    let (sec, nanos) = if leap { (59, 999_999_999) } else { (sec, nanos) };
    let offset_secs: i64 = match &b[i..] {
        [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), oh @ ..] if oh.len() == 5 && oh[2] == b':' => {
            let oh_h = digits(&oh[0..2])?;
            let oh_m = digits(&oh[3..5])?;
            if oh_h > 23 || oh_m > 59 {
                return None;
            }
            let off = (oh_h * 3600 + oh_m * 60) as i64;
            if *sign == b'+' {
                off
            } else {
                -off
            }
        }
        _ => return None,
    };
    let secs = days * 86_400 + (h * 3600 + mi * 60 + sec) as i64 - offset_secs;
    if leap && (secs + 1).rem_euclid(86_400) != 0 {
        return None; // a leap second ends a UTC day
    }
    Some(Instant { secs, nanos })
}

/// A bare `YYYY-MM-DD` date: the instants at which that day (UTC) starts and the next starts.
pub fn parse_date_only(s: &str) -> Option<(Instant, Instant)> {
    let b = s.as_bytes();
    if b.len() != 10 {
        return None;
    }
    let days = parse_date(b)?;
    Some((
        Instant {
            secs: days * 86_400,
            nanos: 0,
        },
        Instant {
            secs: (days + 1) * 86_400,
            nanos: 0,
        },
    ))
}

/// `2024-05-01T10:00:00.000Z`: the form in which `createdAt` is served.
pub fn format_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60,
        ms.rem_euclid(1000)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_grammar() {
        for s in [
            "2021-01-01T00:00:00Z",
            "2021-01-01t00:00:00z",
            "2024-02-29T23:59:59.123456789+23:59",
            "0000-01-01T00:00:00-00:00",
            "1990-12-31T23:59:60Z",
            "2021-01-01T00:00:00.1234567890Z",
            "9999-12-31T23:59:59.1Z",
            "2000-02-29T12:00:00+01:00",
        ] {
            assert!(parse_datetime(s).is_some(), "{s}");
        }
    }

    #[test]
    fn refuses_everything_else() {
        for s in [
            "2021-01-01 00:00:00Z",
            "2021-01-01T00:00Z",
            "2021-01-01T00:00:00",
            "2021-01-01T00:00:00+0100",
            "2021-01-01T00:00:61Z",
            "2021-01-01T00:00:60Z",
            "2021-01-01T24:00:00Z",
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2021-13-01T00:00:00Z",
            "2021-00-01T00:00:00Z",
            "2021-04-31T00:00:00Z",
            "2021-01-01T00:00:00.Z",
            "2021-01-01T00:00:00.12a4Z",
            "2021-01-01T00:00:00+24:00",
            "2021-01-01T00:00:00+01:60",
            "+2021-01-01T00:00:00Z",
            "2021-01-01T00:00:00ZZ",
            "2021-01-01",
            "",
            "２０２１-01-01T00:00:00Z",
        ] {
            assert!(parse_datetime(s).is_none(), "{s}");
        }
    }

    #[test]
    fn offsets_and_keys_order_instants() {
        let a = parse_datetime("2024-01-01T01:00:00+01:00").unwrap();
        let b = parse_datetime("2024-01-01T00:00:00Z").unwrap();
        assert_eq!(a, b);
        let c = parse_datetime("2024-01-01T00:00:00.000000001Z").unwrap();
        assert!(c.key() > b.key());
        let lo = parse_datetime("0000-01-01T00:00:00+23:59").unwrap();
        let hi = parse_datetime("9999-12-31T23:59:59.999999999-23:59").unwrap();
        assert_eq!(lo.key().len(), 21);
        assert_eq!(hi.key().len(), 21);
        assert!(lo.key() < hi.key());
        assert_eq!(b.secs, 1_704_067_200);
    }

    #[test]
    fn dates_and_formatting() {
        let (s, e) = parse_date_only("2024-04-01").unwrap();
        assert_eq!(e.secs - s.secs, 86_400);
        assert!(parse_date_only("2024-04-31").is_none());
        assert_eq!(format_ms(1_714_557_600_000), "2024-05-01T10:00:00.000Z");
        assert_eq!(format_ms(1_714_557_600_123), "2024-05-01T10:00:00.123Z");
        assert_eq!(
            Instant::from_unix_ms(1_714_557_600_123).key(),
            parse_datetime("2024-05-01T10:00:00.123Z").unwrap().key()
        );
    }
}
