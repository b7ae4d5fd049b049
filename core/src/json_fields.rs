//! The top-level fields of a small JSON object (the API's answers, a JWT's claims):
//! strings, lists of strings and numbers are kept; anything else is only noted.

use crate::prelude::*;
use alloc::borrow::Cow;
use super::json_scan::{Scalar, ScanError, Scanner};

#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Str(String),
    Strs(Vec<String>),
    /// A number's JSON text (see `json_scan::number_floor`).
    Num(String),
    Null,
    /// A boolean, an object, or a list holding anything but strings.
    Other,
}

/// The fields of a small JSON object, in order (a list: lighter in the wasm than a
/// map). `None` when `json` is not one.
pub struct Fields(Vec<(String, Field)>);

impl Fields {
    /// The last value given for `key` (as `JSON.parse` keeps the last duplicate).
    #[inline]
    pub fn get(&self, key: &str) -> Option<&Field> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value `get` gives, moved out (its place left `Null`), for readers that read
    /// each field once: no copy, and no `retain` compiled for the wasm.
    #[inline]
    pub fn take(&mut self, key: &str) -> Option<Field> {
        let (_, value) = self.0.iter_mut().rev().find(|(k, _)| k == key)?;
        Some(core::mem::replace(value, Field::Null))
    }
}

impl core::ops::Index<&str> for Fields {
    type Output = Field;
    fn index(&self, key: &str) -> &Field {
        self.get(key).expect("no such field")
    }
}

/// The fields of a JSON object; `None` when `json` is not one.
#[inline]
pub fn object_fields(json: &str) -> Option<Fields> {
    let mut scanner = Scanner::new(json);
    let fields = read_object(&mut scanner).ok()?;
    scanner.at_end().then_some(fields)
}

#[inline]
fn read_object(s: &mut Scanner<'_>) -> Result<Fields, ScanError> {
    s.begin_object()?;
    let mut out = Vec::new();
    let mut first = true;
    while let Some(key) = s.next_key(first)? {
        first = false;
        let field = if s.peek_is_array() { read_strings(s)? } else { scalar(s.value()?) };
        out.push((owned(key), field));
    }
    Ok(Fields(out))
}

#[inline]
fn read_strings(s: &mut Scanner<'_>) -> Result<Field, ScanError> {
    s.begin_array()?;
    let (mut strings, mut all_strings, mut first) = (Vec::new(), true, true);
    while s.next_element(first)? {
        first = false;
        match s.value()? {
            Scalar::Str(v) if all_strings => strings.push(owned(v)),
            _ => all_strings = false,
        }
    }
    Ok(if all_strings { Field::Strs(strings) } else { Field::Other })
}

/// A key, string or number as an owned `String`: one copy of `Cow::into_owned`'s code
/// (inlined at each of the four sites, it was four).
#[inline(never)]
fn owned(s: Cow<'_, str>) -> String {
    s.into_owned()
}

#[inline]
fn scalar(v: Scalar<'_>) -> Field {
    match v {
        Scalar::Str(s) => Field::Str(owned(s)),
        Scalar::Number(n) => Field::Num(owned(Cow::Borrowed(n))),
        Scalar::Null => Field::Null,
        _ => Field::Other,
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn reads_each_kind_of_field() {
        let f = object_fields(r#"{"a":"x","b":["p","q"],"c":1.5,"d":null,"e":true,"f":{"g":1},"h":[1,"s"],"i":-3}"#)
            .unwrap();
        assert_eq!(f["a"], Field::Str("x".into()));
        assert_eq!(f["b"], Field::Strs(vec!["p".into(), "q".into()]));
        assert_eq!(f["c"], Field::Num("1.5".into()));
        assert_eq!(f["d"], Field::Null);
        assert_eq!(f["e"], Field::Other);
        assert_eq!(f["f"], Field::Other);
        assert_eq!(f["h"], Field::Other);
        assert_eq!(f["i"], Field::Num("-3".into()));
    }

    #[test]
    fn refuses_what_is_not_an_object() {
        for bad in ["[1]", "\"s\"", "1", "", "{", "null"] {
            assert!(object_fields(bad).is_none(), "{bad}");
        }
    }
}
