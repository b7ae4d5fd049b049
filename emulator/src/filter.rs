//! A query's body (`filter`, `sort`, `beforeDate`, `afterDate`) turned into SQL.
//! Field names come only from the fixed list below; every value is a bound parameter.

use std::fmt;

use rusqlite::types::Value as Sql;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::errors::ApiError;
use crate::rfc3339::{self, Instant};

/// Bound values in one query: far beyond any real filter, well below SQLite's limit.
const MAX_PARAMS: usize = 10_000;

/// JSON that keeps the order of object keys (sort keys apply in the order given), without
/// turning on serde_json's `preserve_order` for the whole workspace.
#[derive(Debug, Clone)]
pub enum Json {
    Null,
    Bool(bool),
    Num(serde_json::Number),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Json;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_none<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
                Ok(Json::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
                Ok(Json::Num(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
                Ok(Json::Num(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
                Ok(serde_json::Number::from_f64(v)
                    .map(Json::Num)
                    .unwrap_or(Json::Null))
            }
            fn visit_str<E>(self, v: &str) -> Result<Json, E> {
                Ok(Json::Str(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Json, E> {
                Ok(Json::Str(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Json, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = a.next_element()? {
                    v.push(x);
                }
                Ok(Json::Arr(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Json, A::Error> {
                let mut v = Vec::new();
                while let Some((k, x)) = a.next_entry::<String, Json>()? {
                    v.push((k, x));
                }
                Ok(Json::Obj(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// A number as its decimal text, the way JavaScript prints it for everyday values
/// (1 → "1", 1.5 → "1.5", 2.0 → "2"), so that `owner: {$in: [1]}` matches owner "1".
pub fn number_text(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f.fract() == 0.0 && f.abs() < 1e21 {
        format!("{}", f as i128)
    } else {
        format!("{f}")
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Field {
    Id,
    Owner,
    Collection,
    Start,
    End,
    Value,
    Type,
    Source,
    ExternalId,
    Batch,
}

impl Field {
    pub fn from_name(name: &str) -> Option<Field> {
        Some(match name {
            "id" => Field::Id,
            "owner" => Field::Owner,
            "collection" => Field::Collection,
            "start" => Field::Start,
            "end" => Field::End,
            "value" => Field::Value,
            "type" => Field::Type,
            "source" => Field::Source,
            "externalId" => Field::ExternalId,
            "batch" => Field::Batch,
            // The contract's fields are the event's and `id`; `createdAt`, which the
            // server also stores, is not among them (a 400, as any unknown field).
            _ => return None,
        })
    }

    fn is_date(self) -> bool {
        matches!(self, Field::Start | Field::End)
    }

    /// The SQL expression compared with operands: the served text, or for dates the
    /// instant key (see `rfc3339::Instant::key`).
    fn expr(self) -> String {
        match self {
            // Ids are served as 16-digit zero-padded rowids.
            Field::Id => "printf('%016d', id)".into(),
            Field::Owner => "owner".into(),
            Field::Collection => "collection".into(),
            Field::Start => "start_key".into(),
            Field::End => "end_key".into(),
            Field::Value => "value_text".into(),
            Field::Type => "type_text".into(),
            Field::Source => "source".into(),
            Field::ExternalId => "external_id".into(),
            Field::Batch => "batch".into(),
        }
    }

    fn sort_expr(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Owner => "owner",
            Field::Collection => "collection",
            Field::Start => "start_key",
            Field::End => "end_key",
            Field::Value => "value_text",
            Field::Type => "type_text",
            Field::Source => "source",
            Field::ExternalId => "external_id",
            Field::Batch => "batch",
        }
    }
}

/// What the store runs: `SELECT … WHERE {where_sql} ORDER BY {order_sql}`.
#[derive(Debug)]
pub struct QuerySpec {
    pub where_sql: String,
    pub params: Vec<Sql>,
    pub order_sql: String,
}

struct Builder {
    clauses: Vec<String>,
    params: Vec<Sql>,
    problems: Vec<String>,
}

impl Builder {
    fn bind(&mut self, s: String) -> &'static str {
        self.params.push(Sql::Text(s));
        "?"
    }
}

const DATE_WORDS: &str = "an RFC 3339 date-time or a YYYY-MM-DD date";

/// A bound for `beforeDate`/`afterDate` or a range operator: the instant it stands for as
/// a lower bound and as an upper bound (they differ for a bare date: start and end of day).
#[derive(Clone, Copy)]
struct Bound {
    lo: Instant,
    hi: Instant,
}

fn parse_bound(s: &str) -> Option<Bound> {
    if let Some(i) = rfc3339::parse_datetime(s) {
        return Some(Bound { lo: i, hi: i });
    }
    rfc3339::parse_date_only(s).map(|(start, next)| Bound {
        lo: start,
        hi: next.just_before(),
    })
}

/// An operand for `$eq`-like operators: `Some(None)` is null, `None` is not allowed.
fn eq_operand(field: Field, v: &Json) -> Option<Option<String>> {
    match v {
        Json::Null => Some(None),
        Json::Str(s) if field.is_date() => rfc3339::parse_datetime(s).map(|i| Some(i.key())),
        Json::Str(s) => Some(Some(s.clone())),
        Json::Num(n) if !field.is_date() => Some(Some(number_text(n))),
        _ => None,
    }
}

fn eq_words(field: Field) -> &'static str {
    if field.is_date() {
        "an RFC 3339 date-time or null"
    } else {
        "a string, a number or null"
    }
}

fn condition(b: &mut Builder, name: &str, field: Field, op: &str, v: &Json) {
    let expr = field.expr();
    let at = format!("filter.{name}.{op}");
    match op {
        "$eq" | "$ne" => match eq_operand(field, v) {
            Some(Some(s)) => {
                let p = b.bind(s);
                let cmp = if op == "$eq" { "=" } else { "IS NOT" };
                b.clauses.push(format!("{expr} {cmp} {p}"));
            }
            Some(None) => {
                let cmp = if op == "$eq" { "IS NULL" } else { "IS NOT NULL" };
                b.clauses.push(format!("{expr} {cmp}"));
            }
            None => b.problems.push(format!("{at} must be {}", eq_words(field))),
        },
        "$in" | "$nin" => {
            let Json::Arr(items) = v else {
                b.problems.push(format!("{at} must be an array"));
                return;
            };
            let mut marks = Vec::new();
            let mut null = false;
            for (k, item) in items.iter().enumerate() {
                match eq_operand(field, item) {
                    Some(Some(s)) => marks.push(b.bind(s)),
                    Some(None) => null = true,
                    None => b.problems.push(format!("{at}.{k} must be {}", eq_words(field))),
                }
            }
            let list = marks.join(", ");
            let clause = match (op == "$in", marks.is_empty(), null) {
                (true, true, false) => "0".to_string(),
                (true, true, true) => format!("{expr} IS NULL"),
                (true, false, false) => format!("{expr} IN ({list})"),
                (true, false, true) => format!("({expr} IN ({list}) OR {expr} IS NULL)"),
                (false, true, false) => "1".to_string(),
                (false, true, true) => format!("{expr} IS NOT NULL"),
                (false, false, false) => format!("({expr} IS NULL OR {expr} NOT IN ({list}))"),
                (false, false, true) => format!("({expr} IS NOT NULL AND {expr} NOT IN ({list}))"),
            };
            b.clauses.push(clause);
        }
        "$gt" | "$gte" | "$lt" | "$lte" => {
            let cmp = match op {
                "$gt" => ">",
                "$gte" => ">=",
                "$lt" => "<",
                _ => "<=",
            };
            let operand = if field.is_date() {
                // A bare date counts as the whole day: `$gt D` is after the day ends,
                // `$lt D` before it starts.
                match v {
                    Json::Str(s) => parse_bound(s).map(|bd| match op {
                        "$gt" | "$lte" => bd.hi.key(),
                        _ => bd.lo.key(),
                    }),
                    _ => None,
                }
            } else {
                match v {
                    Json::Str(s) => Some(s.clone()),
                    Json::Num(n) => Some(number_text(n)),
                    _ => None,
                }
            };
            match operand {
                Some(s) => {
                    let p = b.bind(s);
                    b.clauses.push(format!("{expr} {cmp} {p}"));
                }
                None if field.is_date() => b.problems.push(format!("{at} must be {DATE_WORDS}")),
                None => b.problems.push(format!("{at} must be a string or a number")),
            }
        }
        "$exists" => match v {
            Json::Bool(true) => b.clauses.push(format!("{expr} IS NOT NULL")),
            Json::Bool(false) => b.clauses.push(format!("{expr} IS NULL")),
            _ => b.problems.push(format!("{at} must be a boolean")),
        },
        _ => b.problems.push(format!(
            "filter.{name}: unknown operator {op} (allowed: $in, $nin, $eq, $ne, $gt, $gte, $lt, $lte, $exists)"
        )),
    }
}

fn filter(b: &mut Builder, v: &Json) {
    let entries = match v {
        Json::Obj(e) => e,
        _ => return b.problems.push("filter must be an object".into()),
    };
    for (name, spec) in entries {
        let Some(field) = Field::from_name(name) else {
            b.problems
                .push(format!("filter.{name} is not a known field"));
            continue;
        };
        match spec {
            Json::Obj(ops) if ops.is_empty() => b
                .problems
                .push(format!("filter.{name} must name at least one operator")),
            Json::Obj(ops) => {
                for (op, operand) in ops {
                    condition(b, name, field, op, operand);
                }
            }
            other => condition(b, name, field, "$eq", other),
        }
    }
}

fn date_bound(b: &mut Builder, key: &str, v: &Json) -> Option<Bound> {
    match v {
        Json::Str(s) => {
            let r = parse_bound(s);
            if r.is_none() {
                b.problems.push(format!("{key} must be {DATE_WORDS}"));
            }
            r
        }
        _ => {
            b.problems.push(format!("{key} must be {DATE_WORDS}"));
            None
        }
    }
}

fn sort(b: &mut Builder, v: Option<&Json>) -> String {
    let mut terms = Vec::new();
    let mut has_id = false;
    match v {
        None => {}
        Some(Json::Obj(pairs)) => {
            for (name, dir) in pairs {
                let Some(field) = Field::from_name(name) else {
                    b.problems.push(format!("sort.{name} is not a known field"));
                    continue;
                };
                // `1.0` is `1` (JSON Schema's enum [1, -1] says so too).
                let dir = match dir {
                    Json::Num(n) if n.as_f64() == Some(1.0) => "ASC",
                    Json::Num(n) if n.as_f64() == Some(-1.0) => "DESC",
                    _ => {
                        b.problems.push(format!("sort.{name} must be 1 or -1"));
                        continue;
                    }
                };
                has_id |= field == Field::Id;
                terms.push(format!("{} {dir}", field.sort_expr()));
            }
        }
        Some(_) => b.problems.push("sort must be an object".into()),
    }
    if terms.is_empty() {
        terms.push("start_key ASC".into());
    }
    // `id` breaks ties so that pages never overlap or skip.
    if !has_id {
        terms.push("id ASC".into());
    }
    terms.join(", ")
}

/// Reads a query body (empty = `{}`) into SQL, or a 400 listing every problem.
pub fn parse(body: &[u8]) -> Result<QuerySpec, ApiError> {
    let json = if body.iter().all(|c| c.is_ascii_whitespace()) {
        Json::Obj(Vec::new())
    } else {
        serde_json::from_slice::<Json>(body).map_err(|e| crate::validate::malformed(&e))?
    };
    let Json::Obj(top) = json else {
        return Err(ApiError::bad_request("body must be a JSON object"));
    };
    let mut b = Builder {
        clauses: Vec::new(),
        params: Vec::new(),
        problems: Vec::new(),
    };
    let (mut filter_v, mut sort_v, mut before_v, mut after_v) = (None, None, None, None);
    for (k, v) in &top {
        let slot = match k.as_str() {
            "filter" => &mut filter_v,
            "sort" => &mut sort_v,
            "beforeDate" => &mut before_v,
            "afterDate" => &mut after_v,
            _ => {
                b.problems.push(format!(
                    "{k} is not an allowed key (allowed: filter, sort, beforeDate, afterDate)"
                ));
                continue;
            }
        };
        if slot.replace(v).is_some() {
            b.problems.push(format!("{k} is given more than once"));
        }
    }
    if let Some(f) = filter_v {
        filter(&mut b, f);
    }
    let before = before_v.and_then(|v| date_bound(&mut b, "beforeDate", v));
    let after = after_v.and_then(|v| date_bound(&mut b, "afterDate", v));
    // Both readings of the SDK's example: with two dates, `start` lies between the
    // earlier and the later, whichever name each has.
    let (lower, upper) = match (before, after) {
        (Some(bf), Some(af)) if bf.lo < af.lo => (Some(bf.lo), Some(af.hi)),
        (Some(bf), Some(af)) => (Some(af.lo), Some(bf.hi)),
        (Some(bf), None) => (None, Some(bf.hi)),
        (None, Some(af)) => (Some(af.lo), None),
        (None, None) => (None, None),
    };
    if let Some(lo) = lower {
        let p = b.bind(lo.key());
        b.clauses.push(format!("start_key >= {p}"));
    }
    if let Some(hi) = upper {
        let p = b.bind(hi.key());
        b.clauses.push(format!("start_key <= {p}"));
    }
    let order_sql = sort(&mut b, sort_v);
    if b.params.len() > MAX_PARAMS {
        b.problems
            .push(format!("a filter may hold at most {MAX_PARAMS} values"));
    }
    if !b.problems.is_empty() {
        return Err(ApiError::problems(b.problems));
    }
    let where_sql = if b.clauses.is_empty() {
        "1".into()
    } else {
        b.clauses.join(" AND ")
    };
    Ok(QuerySpec {
        where_sql,
        params: b.params,
        order_sql,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_example() {
        let q = parse(br#"{"filter": {"owner": {"$in": [1]}, "collection": {"$in": ["TestCollection"]}}, "sort": {"start": -1}, "beforeDate": "2024-04-01", "afterDate": "2024-04-08"}"#).unwrap();
        assert_eq!(
            q.where_sql,
            "owner IN (?) AND collection IN (?) AND start_key >= ? AND start_key <= ?"
        );
        assert_eq!(q.order_sql, "start_key DESC, id ASC");
        assert_eq!(q.params[0], Sql::Text("1".into()));
    }

    #[test]
    fn null_is_not_an_absent_key() {
        for body in [
            r#"{"filter": null}"#,
            r#"{"sort": null}"#,
            r#"{"beforeDate": null}"#,
            r#"{"afterDate": null}"#,
        ] {
            assert!(parse(body.as_bytes()).is_err(), "{body}");
        }
        parse(br#"{"filter": {"end": null, "batch": {"$in": [null]}}}"#).unwrap();
        let q = parse(br#"{"sort": {"owner": 1.0, "start": -1.0}}"#).unwrap();
        assert_eq!(q.order_sql, "owner ASC, start_key DESC, id ASC");
    }

    #[test]
    fn sort_keeps_key_order() {
        let q = parse(br#"{"sort": {"type": 1, "start": -1, "id": -1}}"#).unwrap();
        assert_eq!(q.order_sql, "type_text ASC, start_key DESC, id DESC");
    }

    #[test]
    fn refusals_name_the_problem() {
        let e = parse(br#"{"filter": {"owner'; DROP TABLE events;--": 1, "owner": {"$regex": "a"}}, "sort": {"start": 2}, "x": 1}"#).unwrap_err();
        assert_eq!(e.messages.len(), 4, "{:?}", e.messages);
    }

    #[test]
    fn numbers_as_text() {
        let n = |s: &str| number_text(&serde_json::from_str(s).unwrap());
        assert_eq!(n("1"), "1");
        assert_eq!(n("-7"), "-7");
        assert_eq!(n("1.5"), "1.5");
        assert_eq!(n("2.0"), "2");
    }
}
