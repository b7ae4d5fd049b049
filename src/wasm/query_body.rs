//! A query's body as JSON text, refused when JSON cannot carry it as given: a value
//! `JSON.stringify` leaves out or changes (`undefined`, a function, `NaN`, a `Map`)
//! would send another query than the one written, and a filter that loses its only
//! condition (`{ collection: process.env.UNSET }`) reads every event.

use crate::prelude::*;
use js_sys::{Array, Function, JsString, Object, JSON};
use wasm_bindgen::{JsCast, JsValue};

use super::errors::{type_error, Failure};
use super::js::{get, lone_surrogate_at, said};
use super::options::wrong_type;

/// Deeper than any query; a cycle stops here rather than overflow the stack.
const MAX_DEPTH: usize = 32;

/// The query body as JSON text: `undefined`/`null` is `{}`.
pub fn query_body(body: &JsValue) -> Result<JsString, Failure> {
    if body.is_undefined() || body.is_null() {
        return Ok(JsString::from("{}"));
    }
    if !body.is_object() || Array::is_array(body) {
        return Err(wrong_type("the query body", "an object", body));
    }
    if let Err((path, what)) = carried(body, &JsValue::from_str(""), 0) {
        let possessive = if path.is_empty() { "" } else { "'s " }; // a piece, not a `String` made
        return Err(type_error(text!["the query body", possessive, path, " is ", what, ": JSON would not send it as given, and the query would be another"]));
    }
    JSON::stringify(body).map_err(|e| {
        type_error(said("the query body cannot be serialized to JSON: ", &e, ""))
    })
}

/// `Err` with the path (`filter.owner.$in[2]`; empty: the body) of the first value JSON
/// would not carry as it is, and what it is. The path is made only on the way back from
/// an error (no string per value walked: 0.6 KB less wasm than building it on the way in).
fn carried(v: &JsValue, key: &JsValue, depth: usize) -> Result<(), (String, &'static str)> {
    // A `Date` (of any realm: not `instanceof`) or any value with a `toJSON` (Luxon,
    // decimals): JSON sends what `toJSON(key)` gives, as the caller means it, and that is
    // what is checked (an object it gives is walked without its own `toJSON`, as JSON
    // does). An invalid `Date` (`new Date(userInput)`) gives `null`: another query. What
    // throws, `stringify` names below. (`toJSON` is called again by `stringify`.)
    let given = v;
    // What `toJSON` gave, held here; else `v` itself is walked (no clone of it).
    let json;
    // (`get` reads `undefined` from what is not an object: a `toJSON` found is an object's.)
    let v = match get(v, "toJSON").dyn_into::<Function>() {
        Ok(to_json) => match to_json.call1(v, key) {
            Ok(json) if json.is_null() => {
                let what = if v.is_instance_of::<js_sys::Date>() { "an invalid Date (its toJSON gives null)" } else { "a value whose toJSON gives null" };
                return Err((String::new(), what));
            }
            Ok(gave) => {
                json = gave;
                &json
            }
            Err(_) => return Ok(()),
        },
        _ => v,
    };
    // By `typeof`, through wasm-bindgen's checks (no `typeof` string made and compared):
    // what is none of the others, nor `null` nor a boolean, is `typeof "undefined"`.
    let what = if v.is_function() || v.is_symbol() || v.is_bigint() {
        "a function, a symbol or a BigInt"
    } else if let Some(n) = v.as_f64() {
        if n.is_finite() { return Ok(()) }
        "not a finite number"
    } else if v.is_string() {
        if lone_surrogate_at(v.unchecked_ref()) < 0 { return Ok(()) }
        "a string with an unpaired UTF-16 surrogate (a cut emoji?)"
    } else if v.is_object() {
        // Walked below, unless too deep (one error return for all of these).
        if depth >= MAX_DEPTH { "nested too deeply (a cycle?)" } else { "" }
    } else if v.is_null() || v.as_bool().is_some() {
        return Ok(());
    } else {
        "undefined (leave the key out, or give null for an absent field)"
    };
    if !what.is_empty() {
        return Err((String::new(), what));
    }
    let array = Array::is_array(v);
    let proto = Object::get_prototype_of(v);
    // What a `toJSON` gave is serialized as it is, whatever its class.
    if !array && !proto.is_null() && !Object::get_prototype_of(&proto).is_null() && v == given {
        return Err((String::new(), "not a plain object (a Map, a Set, a class instance)"));
    }
    let keys = Object::keys(v.unchecked_ref::<Object>());
    for i in 0..keys.length() {
        // (Keys are strings: `Object.keys` gives nothing else.)
        let Some(key) = keys.get(i).as_string() else { continue };
        if let Err((path, what)) = carried(&get(v, &key), &JsValue::from_str(&key), depth + 1) {
            // The first byte, not `starts_with('[')`: a `char` pattern is encoded as UTF-8 first.
            let (open, close) = match (array, matches!(path.as_bytes().first(), None | Some(b'['))) {
                (true, _) => ("[", "]"),
                (false, true) => ("", ""),
                (false, false) => ("", "."),
            };
            // One text! of pieces, not a step made and inserted before the path.
            return Err((text![open, key, close, path], what));
        }
    }
    Ok(())
}
