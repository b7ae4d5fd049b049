//! The top-level fields of a small JSON object, read without `serde_json::Value`
//! (which would cost the wasm tens of kilobytes): strings, lists of strings and
//! numbers are kept; anything else is only noted.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Str(String),
    Strs(Vec<String>),
    Num(f64),
    Null,
    /// A boolean, an object, or a list holding anything but strings.
    Other,
}

/// The fields of a JSON object; `None` when `json` is not one.
pub fn object_fields(json: &[u8]) -> Option<BTreeMap<String, Field>> {
    serde_json::from_slice::<Fields>(json).ok().map(|f| f.0)
}

struct Fields(BTreeMap<String, Field>);

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = Fields;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    out.insert(key, map.next_value::<Field>()?);
                }
                Ok(Fields(out))
            }
        }
        d.deserialize_map(ObjectVisitor)
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FieldVisitor)
    }
}

struct FieldVisitor;

impl<'de> Visitor<'de> for FieldVisitor {
    type Value = Field;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E>(self, v: &str) -> Result<Field, E> {
        Ok(Field::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Field, E> {
        Ok(Field::Str(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Field, E> {
        Ok(Field::Num(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Field, E> {
        Ok(Field::Num(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Field, E> {
        Ok(Field::Num(v as f64))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Field, E> {
        Ok(Field::Other)
    }
    fn visit_unit<E>(self) -> Result<Field, E> {
        Ok(Field::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Field, A::Error> {
        let mut strings = Vec::new();
        let mut all_strings = true;
        while let Some(item) = seq.next_element::<Field>()? {
            match item {
                Field::Str(s) if all_strings => strings.push(s),
                _ => all_strings = false,
            }
        }
        Ok(if all_strings { Field::Strs(strings) } else { Field::Other })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Field, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Field::Other)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn reads_each_kind_of_field() {
        let f = object_fields(br#"{"a":"x","b":["p","q"],"c":1.5,"d":null,"e":true,"f":{"g":1},"h":[1,"s"],"i":-3}"#)
            .unwrap();
        assert_eq!(f["a"], Field::Str("x".into()));
        assert_eq!(f["b"], Field::Strs(vec!["p".into(), "q".into()]));
        assert_eq!(f["c"], Field::Num(1.5));
        assert_eq!(f["d"], Field::Null);
        assert_eq!(f["e"], Field::Other);
        assert_eq!(f["f"], Field::Other);
        assert_eq!(f["h"], Field::Other);
        assert_eq!(f["i"], Field::Num(-3.0));
    }

    #[test]
    fn refuses_what_is_not_an_object() {
        for bad in ["[1]", "\"s\"", "1", "", "{", "null"] {
            assert!(object_fields(bad.as_bytes()).is_none(), "{bad}");
        }
    }
}
