//! A small, zero-copy JSON scanner for the shapes the client reads: an array of
//! event objects, and the flat objects of the API's answers. One pass, no
//! allocation for plain strings, no recursion (nesting is skipped with a counter),
//! never panics on any input. It replaces serde_json in the wasm: faster on the
//! megabytes of a chunk, and tens of kilobytes smaller.
//!
//! Size: text is cut with `str::get` (never `&text[a..b]`, whose panic path drags
//! `core::fmt`'s char escaping and Unicode tables into the wasm), and numbers stay
//! text (`f64` parsing would add the float-parsing tables): see README "Size".

use crate::prelude::*;
use alloc::borrow::Cow;

use crate::text::split_once_ascii;

/// A JSON value as the validator sees it: strings in full, anything else by kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar<'a> {
    Str(Cow<'a, str>),
    /// A number's JSON text, as it stands (already checked against the grammar).
    Number(&'a str),
    Bool,
    Null,
    Array,
    Object,
}

impl Scalar<'_> {
    /// The JSON type name, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Scalar::Str(_) => "string",
            Scalar::Number(_) => "number",
            Scalar::Bool => "boolean",
            Scalar::Null => "null",
            Scalar::Array => "array",
            Scalar::Object => "object",
        }
    }
}

/// Where the text stopped being JSON (a byte offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanError {
    pub at: usize,
}

/// Four hex digits naming a UTF-16 surrogate (D800 to DFFF).
fn is_surrogate(hex: &str) -> bool {
    matches!(hex.as_bytes(), [b'd' | b'D', b'8' | b'9' | b'a'..=b'f' | b'A'..=b'F', _, _])
}

/// Bytes that may stand as they are inside a JSON string: not `"`, `\\`, or a control character.
pub(crate) static PLAIN: [bool; 256] = {
    let mut t = [true; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = false;
        c += 1;
    }
    t[b'"' as usize] = false;
    t[b'\\' as usize] = false;
    t
};

pub struct Scanner<'a> {
    text: &'a str,
    pos: usize,
    /// A `\uD800`-`\uDFFF` escape without its pair was read (and kept as U+FFFD).
    lone_surrogate: bool,
}

impl<'a> Scanner<'a> {
    pub fn new(text: &'a str) -> Scanner<'a> {
        Scanner { text, pos: 0, lone_surrogate: false }
    }

    /// Whether a string read since the last call held an unpaired surrogate escape:
    /// valid JSON text, but a strict parser (the emulator's, serde_json) refuses the
    /// whole body and a lenient one stores U+FFFD in its place, so the validator
    /// refuses the event instead (`validate::walk_event`).
    pub fn take_lone_surrogate(&mut self) -> bool {
        core::mem::take(&mut self.lone_surrogate)
    }

    /// Moves to `pos`, where a value ends (`validate`'s fast path read it).
    pub fn set_pos(&mut self, pos: usize) {
        self.pos = pos;
    }

    #[inline(always)]
    pub fn pos(&self) -> usize {
        self.pos
    }

    #[inline(always)]
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    #[inline(always)]
    fn err<T>(&self) -> Result<T, ScanError> {
        Err(ScanError { at: self.pos })
    }

    /// `text[from..to]`; every cut here falls at an ASCII byte or an end, so the
    /// error cannot happen, but `get` keeps the slicing panic out of the wasm.
    #[inline(always)]
    fn text_between(&self, from: usize, to: usize) -> Result<&'a str, ScanError> {
        self.text.get(from..to).ok_or(ScanError { at: from })
    }

    #[inline(always)]
    pub fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    #[inline(always)]
    fn expect(&mut self, b: u8) -> Result<(), ScanError> {
        self.skip_ws();
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            self.err()
        }
    }

    /// True (and consumed) when the next non-blank byte is `b`.
    #[inline(always)]
    fn eat(&mut self, b: u8) -> bool {
        self.skip_ws();
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// The text is one value and nothing after it.
    pub fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.pos == self.text.len()
    }

    /// Starts an array: `[`.
    pub fn begin_array(&mut self) -> Result<(), ScanError> {
        self.expect(b'[')
    }

    /// Before each element: `Ok(true)` when one follows, `Ok(false)` at `]`.
    /// `first` says whether this is the first call for this array.
    pub fn next_element(&mut self, first: bool) -> Result<bool, ScanError> {
        if self.eat(b']') {
            return Ok(false);
        }
        if !first {
            self.expect(b',')?;
        }
        self.skip_ws();
        Ok(true)
    }

    /// Whether the next value is an object / an array, without consuming it.
    pub fn peek_is_object(&mut self) -> bool {
        self.skip_ws();
        self.peek() == Some(b'{')
    }

    pub fn peek_is_array(&mut self) -> bool {
        self.skip_ws();
        self.peek() == Some(b'[')
    }

    /// Starts an object: `{`.
    pub fn begin_object(&mut self) -> Result<(), ScanError> {
        self.expect(b'{')
    }

    /// The next key of an object (and its `:`), or `None` at `}`.
    pub fn next_key(&mut self, first: bool) -> Result<Option<Cow<'a, str>>, ScanError> {
        if self.eat(b'}') {
            return Ok(None);
        }
        if !first {
            self.expect(b',')?;
        }
        self.skip_ws();
        let key = self.string()?;
        self.expect(b':')?;
        Ok(Some(key))
    }

    /// Reads one value: a string in full, anything else skipped and named by kind.
    pub fn value(&mut self) -> Result<Scalar<'a>, ScanError> {
        self.skip_ws();
        match self.peek() {
            Some(b'"') => self.string().map(Scalar::Str),
            Some(b @ (b'{' | b'[')) => self.skip_nested().map(|_| if b == b'{' { Scalar::Object } else { Scalar::Array }),
            Some(b @ (b't' | b'f' | b'n')) => {
                let (word, scalar) = match b {
                    b't' => ("true", Scalar::Bool),
                    b'f' => ("false", Scalar::Bool),
                    _ => ("null", Scalar::Null),
                };
                self.literal(word).map(|_| scalar)
            }
            Some(b'-' | b'0'..=b'9') => self.number().map(Scalar::Number),
            _ => self.err(),
        }
    }

    fn literal(&mut self, word: &str) -> Result<(), ScanError> {
        if self.bytes().get(self.pos..).is_some_and(|rest| rest.starts_with(word.as_bytes())) {
            self.pos += word.len();
            Ok(())
        } else {
            self.err()
        }
    }

    fn number(&mut self) -> Result<&'a str, ScanError> {
        let start = self.pos;
        let b = self.bytes();
        let mut i = self.pos;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        let digits = |i: &mut usize| {
            let s = *i;
            while b.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i > s
        };
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                digits(&mut i);
            }
            _ => return Err(ScanError { at: i }),
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if !digits(&mut i) {
                return Err(ScanError { at: i });
            }
        }
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            if !digits(&mut i) {
                return Err(ScanError { at: i });
            }
        }
        self.pos = i;
        self.text_between(start, i)
    }

    /// A string value (at `"`): borrowed when it has no escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, ScanError> {
        if self.peek() != Some(b'"') {
            return self.err();
        }
        let start = self.pos + 1;
        let b = self.bytes();
        let mut i = start;
        // The plain run up to the closing quote, in a tight loop.
        while i < b.len() && PLAIN[b[i] as usize] {
            i += 1;
        }
        loop {
            match b.get(i) {
                None => return Err(ScanError { at: i }),
                Some(b'"') => {
                    self.pos = i + 1;
                    return self.text_between(start, i).map(Cow::Borrowed);
                }
                Some(b'\\') => break,
                Some(0..=0x1f) => return Err(ScanError { at: i }),
                Some(_) => i += 1,
            }
        }
        // Escapes: build the string. A decoded char is appended as the `&str` it encodes
        // to (not `String::push`, compiled for this one caller: 49 B less gzipped).
        let mut out = String::with_capacity(i - start + 16);
        out.push_str(self.text_between(start, i)?);
        loop {
            match b.get(i) {
                None => return Err(ScanError { at: i }),
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    let c = match b.get(i + 1) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            let (c, used) = self.unicode_escape(i)?;
                            self.lone_surrogate |= c == '\u{FFFD}' && self.text.get(i + 2..i + 6).is_some_and(is_surrogate);
                            out.push_str(c.encode_utf8(&mut [0; 4]));
                            i += used;
                            continue;
                        }
                        _ => return Err(ScanError { at: i }),
                    };
                    out.push_str(c.encode_utf8(&mut [0; 4]));
                    i += 2;
                }
                Some(0..=0x1f) => return Err(ScanError { at: i }),
                Some(_) => {
                    // Copy the run up to the next quote or backslash.
                    let rest = b.get(i..).unwrap_or_default();
                    let run = rest.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).map_or(b.len(), |n| i + n);
                    out.push_str(self.text_between(i, run)?);
                    i = run;
                }
            }
        }
    }

    /// `\uXXXX` at `i` (a surrogate pair takes two); lone surrogates become U+FFFD,
    /// as `JSON.parse` then `TextEncoder` would make them (and are noted, above).
    /// Returns bytes used.
    fn unicode_escape(&self, i: usize) -> Result<(char, usize), ScanError> {
        // Four hex digits, nothing else (`from_str_radix` would take a sign): folded
        // digit by digit.
        let hex4 = |at: usize| -> Option<u32> {
            let mut v = 0;
            for c in self.text.get(at..at + 4)?.bytes() {
                v = v * 16 + char::from(c).to_digit(16)?;
            }
            Some(v)
        };
        let hi = hex4(i + 2).ok_or(ScanError { at: i })?;
        if (0xD800..0xDC00).contains(&hi) && self.text.get(i + 6..i + 8) == Some("\\u") {
            if let Some(lo @ 0xDC00..=0xDFFF) = hex4(i + 8) {
                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return Ok((char::from_u32(c).unwrap_or('\u{FFFD}'), 12));
            }
        }
        Ok((char::from_u32(hi).unwrap_or('\u{FFFD}'), 6))
    }

    /// Skips an array or object whole, however deep, without recursion, holding it to
    /// the JSON grammar (matching brackets, `key: value` pairs, commas between
    /// elements): the validator must refuse what a server's parser would refuse.
    fn skip_nested(&mut self) -> Result<(), ScanError> {
        // The open containers, innermost last: `true` for an object.
        let mut open: Vec<bool> = Vec::new();
        loop {
            // Here a value starts.
            self.skip_ws();
            match self.peek() {
                Some(b'[') => {
                    self.pos += 1;
                    if !self.eat(b']') {
                        open.push(false);
                        continue;
                    }
                }
                Some(b'{') => {
                    self.pos += 1;
                    if !self.eat(b'}') {
                        open.push(true);
                        self.key_and_colon()?;
                        continue;
                    }
                }
                // Nested `[`/`{` are handled above, so this reads a scalar.
                Some(_) if !open.is_empty() => {
                    self.value()?;
                }
                _ => return self.err(),
            }
            // Here a value ended: close what it ends, or move to the next slot.
            loop {
                let Some(&in_object) = open.last() else { return Ok(()) };
                if self.eat(b',') {
                    if in_object {
                        self.key_and_colon()?;
                    }
                    break;
                }
                if !self.eat(if in_object { b'}' } else { b']' }) {
                    return self.err();
                }
                open.pop();
            }
        }
    }

    /// `"key":` inside an object being skipped.
    fn key_and_colon(&mut self) -> Result<(), ScanError> {
        self.skip_ws();
        self.string()?;
        self.expect(b':')
    }
}

/// The floor of a JSON number (its text, as `Scanner` read it), when that lies
/// strictly within ±9e15: whole numbers an `f64` holds exactly. Exact, in integer
/// arithmetic (the client reads one number: a JWT's `exp`).
#[inline]
pub fn number_floor(text: &str) -> Option<i64> {
    const LIMIT: u64 = 9_000_000_000_000_000;
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match unsigned.bytes().position(|b| b == b'e' || b == b'E') {
        Some(at) => (unsigned.get(..at)?, unsigned.get(at + 1..)?),
        None => (unsigned, ""),
    };
    let (int_digits, frac_digits) = split_once_ascii(mantissa, b'.').unwrap_or((mantissa, ""));
    // The exponent, saturated: far beyond any digit count, the answer is the same.
    let (exp_negative, exp_digits) = match exponent.as_bytes().first() {
        Some(b'-') => (true, exponent.get(1..)?),
        Some(b'+') => (false, exponent.get(1..)?),
        _ => (false, exponent),
    };
    let mut exp: i64 = 0;
    for d in exp_digits.bytes() {
        exp = (exp * 10 + i64::from(d.wrapping_sub(b'0'))).min(1 << 40);
    }
    // Digits before `point` are the whole part; any non-zero digit after it is a fraction.
    let point = int_digits.len() as i64 + if exp_negative { -exp } else { exp };
    let (mut whole, mut fraction) = (0u64, false);
    for (k, d) in int_digits.bytes().chain(frac_digits.bytes()).enumerate() {
        let d = u64::from(d.wrapping_sub(b'0'));
        if (k as i64) < point {
            whole = whole * 10 + d;
            if whole >= LIMIT {
                return None;
            }
        } else if d != 0 {
            fraction = true;
        }
    }
    // Zeros the exponent adds past the last digit (none matter while `whole` is 0).
    let mut padding = point - (int_digits.len() + frac_digits.len()) as i64;
    while padding > 0 && whole != 0 {
        whole *= 10;
        if whole >= LIMIT {
            return None;
        }
        padding -= 1;
    }
    let floor = if negative { -(whole as i64) - i64::from(fraction) } else { whole as i64 };
    (floor.unsigned_abs() < LIMIT).then_some(floor)
}

/// `s` as a JSON string literal, quotes included.
pub fn quoted(s: &str) -> String {
    let mut out = text!["\""];
    // Only ASCII bytes are escaped: the text between two of them is copied as it is
    // (no char decoded and encoded again), cut where an escaped byte stands. Cold
    // (messages, a refresh body): each piece is written by `text!`'s call.
    let mut plain = 0;
    for (at, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "\\u00",
            _ => continue,
        };
        text![into out; s.get(plain..at).unwrap_or_default(), escape];
        if escape == "\\u00" {
            // The control character's two hex digits: 0 or 1, then 0 to f.
            let low = usize::from(b & 15);
            text![into out; if b < 0x10 { "0" } else { "1" }, "0123456789abcdef".get(low..low + 1).unwrap_or_default()];
        }
        plain = at + 1;
    }
    text![into out; s.get(plain..).unwrap_or_default(), "\""];
    out
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn values(json: &str) -> Result<Vec<Scalar<'_>>, ScanError> {
        let mut s = Scanner::new(json);
        s.begin_array()?;
        let mut out = vec![];
        let mut first = true;
        while s.next_element(first)? {
            first = false;
            out.push(s.value()?);
        }
        if !s.at_end() {
            return Err(ScanError { at: s.pos() });
        }
        Ok(out)
    }

    #[test]
    fn reads_every_kind_of_value() {
        let v = values(r#" [ "a", 1.5e3, -0, true, false, null, [1, [2, {"x": [3]}]], {"k": "v"} ] "#).unwrap();
        assert_eq!(
            v,
            vec![
                Scalar::Str("a".into()),
                Scalar::Number("1.5e3"),
                Scalar::Number("-0"),
                Scalar::Bool,
                Scalar::Bool,
                Scalar::Null,
                Scalar::Array,
                Scalar::Object
            ]
        );
        assert_eq!(values("[]").unwrap(), vec![]);
    }

    #[test]
    fn unescapes_strings() {
        let v = values(r#"["a\"b\\c\/d\n\u00e9\ud83d\ude00\ud800x", "plain ü"]"#).unwrap();
        assert_eq!(v[0], Scalar::Str("a\"b\\c/d\né😀\u{FFFD}x".into()));
        assert!(matches!(&v[1], Scalar::Str(Cow::Borrowed("plain ü"))));
    }

    #[test]
    fn reads_object_keys() {
        let mut s = Scanner::new(r#"{"a": 1, "b\u0021": "x"}"#);
        s.begin_object().unwrap();
        assert_eq!(s.next_key(true).unwrap().as_deref(), Some("a"));
        assert_eq!(s.value().unwrap(), Scalar::Number("1"));
        assert_eq!(s.next_key(false).unwrap().as_deref(), Some("b!"));
        assert_eq!(s.value().unwrap(), Scalar::Str("x".into()));
        assert_eq!(s.next_key(false).unwrap(), None);
        assert!(s.at_end());
    }

    #[test]
    fn refuses_what_is_not_json() {
        for bad in [
            "", "[", "[1,]", "[,1]", "[1 2]", "[01]", "[1.]", "[.5]", "[1e]", "[-]", "[tru]", "[\"a]",
            "[\"\\x\"]", "[\"\\u12\"]", "[\"a\nb\"]", "[[1,2]", "[{]", "[}]", "[1]]", "{",
            // Malformed nesting: mismatched brackets, keys without values, stray commas.
            "[[}]", "[{1}]", "[{]}]", "[[1 2]]", "[[1,]]", "[[,1]]", "[{\"a\"}]", "[{\"a\" 1}]",
            "[{\"a\":1,}]", "[{,}]", "[{\"a\":1 \"b\":2}]", "[{\"a\":}]", "[[:]]", "[{1:2}]",
        ] {
            assert!(values(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn floors_numbers_exactly() {
        for (text, floor) in [
            ("0", Some(0)),
            ("-0", Some(0)),
            ("1700000000", Some(1_700_000_000)),
            ("1.7e9", Some(1_700_000_000)),
            ("17E+8", Some(1_700_000_000)),
            ("1700000000.999", Some(1_700_000_000)),
            ("-0.5", Some(-1)),
            ("-2", Some(-2)),
            ("-2.000", Some(-2)),
            ("-2.0000000000000000000001", Some(-3)),
            ("2.9999999999999999999999", Some(2)),
            ("5e-1", Some(0)),
            ("-5e-1", Some(-1)),
            ("123456e-3", Some(123)),
            ("0.000123e6", Some(123)),
            ("0e999999999999999999999", Some(0)),
            ("1e-999999999999999999999", Some(0)),
            ("8999999999999999", Some(8_999_999_999_999_999)),
            ("-8999999999999999.5", None),
            ("9000000000000000", None),
            ("9e15", None),
            ("-9e15", None),
            ("1e999999999999999999999", None),
            ("123456789012345678901234567890", None),
        ] {
            assert_eq!(number_floor(text), floor, "{text}");
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let deep = format!("[{}{}]", "[".repeat(200_000), "]".repeat(200_000));
        assert_eq!(values(&deep).unwrap(), vec![Scalar::Array]);
    }

    proptest! {
        #[test]
        fn quoted_strings_read_back(s in "\\PC{0,30}|[\\x00-\\x1f\"\\\\]{0,5}") {
            let q = quoted(&s);
            prop_assert_eq!(serde_json::from_str::<String>(&q).unwrap(), s.clone());
            let array = format!("[{q}]");
            prop_assert_eq!(values(&array).unwrap(), vec![Scalar::Str(s.into())]);
        }

        #[test]
        fn quoted_as_by_chars(s in "\\PC{0,30}|[\\x00-\\x7f]{0,30}|[\\x00-\\x1f\"\\\\a\u{e9}\u{1F600}]{0,12}") {
            // The form before it copied runs of bytes: char by char.
            let mut by_chars = String::from("\"");
            for c in s.chars() {
                match c {
                    '"' => by_chars.push_str("\\\""),
                    '\\' => by_chars.push_str("\\\\"),
                    '\n' => by_chars.push_str("\\n"),
                    '\r' => by_chars.push_str("\\r"),
                    '\t' => by_chars.push_str("\\t"),
                    c if (c as u32) < 0x20 => by_chars.push_str(&format!("\\u{:04x}", c as u32)),
                    c => by_chars.push(c),
                }
            }
            by_chars.push('"');
            prop_assert_eq!(quoted(&s), by_chars);
        }

        #[test]
        fn never_panics(s in "\\PC{0,60}") {
            let _ = values(&s);
            let _ = values(&format!("[{s}]"));
        }

        /// Agrees with serde_json on what is valid, and on strings and numbers.
        #[test]
        fn agrees_with_serde_json(v in json_value()) {
            let text = serde_json::to_string(&vec![v.clone()]).unwrap();
            let got = values(&text).unwrap();
            match (&v, &got[0]) {
                (serde_json::Value::String(a), Scalar::Str(b)) => prop_assert_eq!(a.as_str(), b.as_ref()),
                (serde_json::Value::Number(a), Scalar::Number(b)) => prop_assert_eq!(a.as_f64().unwrap(), b.parse::<f64>().unwrap()),
                (a, b) => prop_assert_eq!(json_kind(a), b.kind()),
            }
        }

        /// Agrees with `f64` parsing on numbers as JSON writers print them (shortest
        /// round trip: on the same side of every integer as the `f64` itself).
        #[test]
        fn floors_like_f64(x in prop_oneof![-1e16f64..1e16, -1e3f64..1e3, any::<i64>().prop_map(|i| i as f64)]) {
            let text = serde_json::to_string(&x).unwrap();
            let f = x.floor();
            prop_assert_eq!(number_floor(&text), (f.abs() < 9e15).then_some(f as i64), "{}", text);
        }

        #[test]
        fn refuses_what_serde_json_refuses_in_nesting(s in "[\\[\\]{}\",:0-9a ]{0,16}") {
            let s = format!("[{s}]");
            let ours = values(&s).is_ok();
            let theirs = serde_json::from_str::<Vec<serde_json::Value>>(&s).is_ok();
            prop_assert_eq!(ours, theirs, "{:?}", s);
        }

        #[test]
        fn refuses_what_serde_json_refuses(s in "[\\[\\]{}\",:0-9a-z\\\\ .eE+-]{0,24}") {
            let ours = values(&s).is_ok();
            let theirs = serde_json::from_str::<Vec<serde_json::Value>>(&s).is_ok();
            prop_assert_eq!(ours, theirs, "{:?}", s);
        }
    }

    fn json_kind(v: &serde_json::Value) -> &'static str {
        match v {
            serde_json::Value::Null => "null",
            serde_json::Value::Bool(_) => "boolean",
            serde_json::Value::Number(_) => "number",
            serde_json::Value::String(_) => "string",
            serde_json::Value::Array(_) => "array",
            serde_json::Value::Object(_) => "object",
        }
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            (-1e300f64..1e300).prop_map(serde_json::Value::from),
            "\\PC{0,12}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                prop::collection::btree_map("[a-z]{0,3}", inner, 0..4)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
