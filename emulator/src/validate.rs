//! Parsing and checking a create's body. Deserialization never stops at the first bad
//! event: every element is read into a loose shape (borrowing strings from the body),
//! then every problem is reported with its index and field.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::errors::ApiError;
use crate::rfc3339;

/// The SDK's "max for a single chunk" (the contract's limit).
pub const MAX_EVENTS: usize = genomcore_events_core::contract::MAX_EVENTS_PER_REQUEST;

/// The accepted fields, in the contract's table order (problems are reported in it).
/// The names are the contract's; the rules below are this validator's own.
pub const FIELDS: [&str; 9] = genomcore_events_core::contract::EVENT_FIELDS;
const OWNER: usize = 0;
const COLLECTION: usize = 1;
const START: usize = 2;
const END: usize = 3;
const VALUE: usize = 4;
const TYPE: usize = 5;
const SOURCE: usize = 6;
const EXTERNAL_ID: usize = 7;
const BATCH: usize = 8;

/// A JSON value seen only as much as validation needs; strings borrowed when unescaped.
#[derive(Debug)]
pub enum Loose<'a> {
    Str(Cow<'a, str>),
    Null,
    Other,
}

impl<'de> Deserialize<'de> for Loose<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Loose<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Loose::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Loose::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Loose::Str(Cow::Owned(v)))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Loose::Null)
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(Loose::Null)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Loose::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Loose::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Loose::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Loose::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Loose::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Loose::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// One element of the array: an object's known fields, the names it should not carry.
/// Not boxed: nearly every element is an object, and one allocation per event less counts.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum RawEvent<'a> {
    NotObject,
    Object {
        fields: [Option<Loose<'a>>; 9],
        unknown: Vec<String>,
        repeated: Vec<&'static str>,
    },
}

impl<'de> Deserialize<'de> for RawEvent<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawEvent<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an event")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut fields: [Option<Loose<'de>>; 9] = Default::default();
                let mut unknown = Vec::new();
                let mut repeated = Vec::new();
                while let Some(key) = a.next_key::<Loose<'de>>()? {
                    let Loose::Str(key) = key else { continue };
                    match FIELDS.iter().position(|f| *f == key) {
                        Some(i) => {
                            let v = a.next_value::<Loose<'de>>()?;
                            if fields[i].replace(v).is_some() {
                                repeated.push(FIELDS[i]);
                            }
                        }
                        None => {
                            a.next_value::<IgnoredAny>()?;
                            unknown.push(key.into_owned());
                        }
                    }
                }
                Ok(RawEvent::Object {
                    fields,
                    unknown,
                    repeated,
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(RawEvent::NotObject)
            }
            fn visit_borrowed_str<E>(self, _: &'de str) -> Result<Self::Value, E> {
                Ok(RawEvent::NotObject)
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(RawEvent::NotObject)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(RawEvent::NotObject)
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(RawEvent::NotObject)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(RawEvent::NotObject)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(RawEvent::NotObject)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(RawEvent::NotObject)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(RawEvent::NotObject)
            }
        }
        d.deserialize_any(V)
    }
}

/// The whole body. Past `MAX_EVENTS` elements are only counted, so that a body of many
/// tiny elements cannot make us hold a large structure per element.
enum Batch<'a> {
    NotArray,
    Events(Vec<RawEvent<'a>>, usize),
}

impl<'de> Deserialize<'de> for Batch<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Batch<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON array of events")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut events = Vec::with_capacity(a.size_hint().unwrap_or(0).min(MAX_EVENTS));
                let mut count = 0usize;
                loop {
                    if count < MAX_EVENTS {
                        match a.next_element::<RawEvent<'de>>()? {
                            Some(e) => events.push(e),
                            None => break,
                        }
                    } else if a.next_element::<IgnoredAny>()?.is_none() {
                        break;
                    }
                    count += 1;
                }
                Ok(Batch::Events(events, count))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Batch::NotArray)
            }
            fn visit_borrowed_str<E>(self, _: &'de str) -> Result<Self::Value, E> {
                Ok(Batch::NotArray)
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Batch::NotArray)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Batch::NotArray)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Batch::NotArray)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Batch::NotArray)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Batch::NotArray)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Batch::NotArray)
            }
        }
        d.deserialize_any(V)
    }
}

/// An event that passed every rule, borrowing from the parsed body.
#[derive(Debug)]
pub struct NewEvent<'a> {
    pub owner: &'a str,
    pub collection: &'a str,
    pub start: &'a str,
    pub start_key: String,
    pub end: Option<&'a str>,
    pub end_key: Option<String>,
    pub value: &'a str,
    pub type_: &'a str,
    pub source: &'a str,
    pub external_id: &'a str,
    pub batch: Option<&'a str>,
}

/// A clear message for a JSON syntax error, used by every route that reads JSON.
pub fn malformed(e: &serde_json::Error) -> ApiError {
    ApiError::bad_request(format!("malformed JSON: {e}"))
}

/// Parses the body: `Ok(events)` (already checked), or the 400/413 to answer.
/// The caller keeps `raw` alive while using the events that borrow from it.
pub fn parse_batch(body: &[u8]) -> Result<Vec<RawEvent<'_>>, ApiError> {
    match serde_json::from_slice::<Batch>(body) {
        Err(e) => Err(malformed(&e)),
        Ok(Batch::NotArray) => Err(ApiError::bad_request("body must be a JSON array of events")),
        Ok(Batch::Events(_, 0)) => Err(ApiError::bad_request("body must hold at least 1 event")),
        Ok(Batch::Events(_, n)) if n > MAX_EVENTS => Err(ApiError::too_large(format!(
            "a create holds at most {MAX_EVENTS} events; this one holds {n}"
        ))),
        Ok(Batch::Events(events, _)) => Ok(events),
    }
}

fn text<'b>(v: &'b Option<Loose<'_>>) -> Option<&'b str> {
    match v {
        Some(Loose::Str(s)) => Some(s),
        _ => None,
    }
}

/// Checks every rule of the contract's table; every problem is collected.
pub fn check<'b>(raw: &'b [RawEvent<'_>]) -> Result<Vec<NewEvent<'b>>, ApiError> {
    let mut out = Vec::with_capacity(raw.len());
    let mut problems = Vec::new();
    for (i, ev) in raw.iter().enumerate() {
        let RawEvent::Object {
            fields,
            unknown,
            repeated,
        } = ev
        else {
            problems.push(format!("{i} must be an object"));
            continue;
        };
        for name in unknown {
            problems.push(format!("{i}.{name} is not an allowed field"));
        }
        for name in repeated {
            problems.push(format!("{i}.{name} is given more than once"));
        }
        for f in [OWNER, COLLECTION] {
            match &fields[f] {
                None => problems.push(format!("{i}.{} is required", FIELDS[f])),
                Some(Loose::Str(s)) if !s.is_empty() => {}
                Some(_) => problems.push(format!("{i}.{} must be a non-empty string", FIELDS[f])),
            }
        }
        let start = match &fields[START] {
            None => {
                problems.push(format!("{i}.start is required"));
                None
            }
            Some(v) => {
                let parsed = match v {
                    Loose::Str(s) => rfc3339::parse_datetime(s),
                    _ => None,
                };
                if parsed.is_none() {
                    problems.push(format!("{i}.start must be an RFC 3339 date-time"));
                }
                parsed
            }
        };
        let end = match &fields[END] {
            None => None,
            Some(v) => {
                let parsed = match v {
                    Loose::Str(s) => rfc3339::parse_datetime(s),
                    _ => None,
                };
                if parsed.is_none() {
                    problems.push(format!("{i}.end must be an RFC 3339 date-time"));
                }
                parsed
            }
        };
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                problems.push(format!("{i}.end must not be before start"));
            }
        }
        for f in [VALUE, TYPE, SOURCE, EXTERNAL_ID] {
            match &fields[f] {
                None => problems.push(format!("{i}.{} is required", FIELDS[f])),
                Some(Loose::Str(_)) => {}
                Some(_) => problems.push(format!("{i}.{} must be a string", FIELDS[f])),
            }
        }
        match &fields[BATCH] {
            None => {}
            Some(Loose::Str(s)) if s.is_empty() => {
                problems.push(format!("{i}.batch must not be empty"))
            }
            Some(Loose::Str(_)) => {}
            Some(_) => problems.push(format!("{i}.batch must be a non-empty string")),
        }
        if !problems.is_empty() {
            // Once anything is wrong nothing is stored: skip building the rest.
            continue;
        }
        out.push(NewEvent {
            owner: text(&fields[OWNER]).unwrap_or_default(),
            collection: text(&fields[COLLECTION]).unwrap_or_default(),
            start: text(&fields[START]).unwrap_or_default(),
            start_key: start.map(|s| s.key()).unwrap_or_default(),
            end: text(&fields[END]),
            end_key: end.map(|e| e.key()),
            value: text(&fields[VALUE]).unwrap_or_default(),
            type_: text(&fields[TYPE]).unwrap_or_default(),
            source: text(&fields[SOURCE]).unwrap_or_default(),
            external_id: text(&fields[EXTERNAL_ID]).unwrap_or_default(),
            batch: text(&fields[BATCH]),
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::problems(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(body: &str) -> Vec<String> {
        let raw = parse_batch(body.as_bytes()).unwrap();
        check(&raw).unwrap_err().messages
    }

    #[test]
    fn good_batch_borrows() {
        let body = r#"[{"owner":"1","collection":"c","start":"2024-01-01T00:00:00Z","value":"v","type":"t","source":"s","externalId":"x","batch":"b","end":"2024-01-01T00:00:00Z"}]"#;
        let raw = parse_batch(body.as_bytes()).unwrap();
        let ev = check(&raw).unwrap();
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].batch, Some("b"));
    }

    #[test]
    fn every_problem_is_listed() {
        let m = messages(
            r#"[{"owner":"","collection":3,"start":"yesterday","value":1,"type":"t","source":"s","foo":1,"batch":""},
                7,
                {"owner":"o","collection":"c","start":"2024-01-02T00:00:00Z","end":"2024-01-01T00:00:00Z","value":"","type":"","source":"","externalId":""}]"#,
        );
        assert_eq!(
            m,
            vec![
                "0.foo is not an allowed field",
                "0.owner must be a non-empty string",
                "0.collection must be a non-empty string",
                "0.start must be an RFC 3339 date-time",
                "0.value must be a string",
                "0.externalId is required",
                "0.batch must not be empty",
                "1 must be an object",
                "2.end must not be before start",
            ]
        );
    }

    #[test]
    fn shapes_and_counts() {
        assert_eq!(parse_batch(b"{}").unwrap_err().status, 400);
        assert_eq!(parse_batch(b"[]").unwrap_err().status, 400);
        assert_eq!(parse_batch(b"[1,").unwrap_err().status, 400);
        let big = format!("[{}0]", "0,".repeat(MAX_EVENTS));
        assert_eq!(parse_batch(big.as_bytes()).unwrap_err().status, 413);
    }
}
