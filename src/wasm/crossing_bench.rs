//! Three ways of getting a chunk of JS events into Rust and validating them, for
//! `bench/crossing.mjs` (feature `crossing-bench` only). Each returns the number of
//! valid events, so that no work can be optimised away.

use crate::prelude::*;
use js_sys::{Array, Object, Reflect, JSON};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::contract::EVENT_FIELDS;
use crate::core::rfc3339;
use crate::core::validate::{validate_chunk, Problems};

/// What the client does: `JSON.stringify` in the engine, one string into wasm, a
/// borrowing validator over the text.
#[wasm_bindgen(js_name = __benchStringifyValidate)]
pub fn stringify_validate(events: &Array) -> u32 {
    let text = crate::wasm::js::utf8_of(&JSON::stringify(events).unwrap());
    let mut problems = Problems::new();
    let n = validate_chunk(&text, 0, &mut problems).map(|v| v.len()).unwrap_or(0);
    (n - problems.invalid_events()) as u32
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
struct Event {
    owner: String,
    collection: String,
    start: String,
    end: Option<String>,
    value: String,
    #[serde(rename = "type")]
    kind: String,
    source: String,
    external_id: String,
    batch: Option<String>,
}

/// serde-wasm-bindgen: walks the JS objects through the boundary, copying every
/// string. (It stops at the first problem, so it could not list them all anyway.)
#[wasm_bindgen(js_name = __benchSerdeWasmBindgen)]
pub fn serde_wasm_bindgen(events: JsValue) -> u32 {
    let events: Vec<Event> = serde_wasm_bindgen::from_value(events).unwrap_or_default();
    events.iter().filter(|e| rfc3339::parse(&e.start).is_some() && !e.owner.is_empty()).count() as u32
}

/// Field by field: `Reflect.get` for each field, `Object.keys` for unknown ones.
#[wasm_bindgen(js_name = __benchFieldByField)]
pub fn field_by_field(events: &Array) -> u32 {
    let names: Vec<JsValue> = EVENT_FIELDS.iter().map(|f| JsValue::from_str(f)).collect();
    let mut valid = 0;
    for event in events.iter() {
        let keys_ok = Object::keys(event.unchecked_ref::<Object>()).length() as usize <= EVENT_FIELDS.len();
        let mut ok = keys_ok;
        for (name, key) in EVENT_FIELDS.iter().zip(&names) {
            let v = Reflect::get(&event, key).unwrap_or(JsValue::UNDEFINED);
            match v.as_string() {
                Some(s) if *name == "start" => ok &= rfc3339::parse(&s).is_some(),
                Some(_) => {}
                None => ok &= *name == "end" || *name == "batch",
            }
        }
        valid += ok as u32;
    }
    valid
}

/// Only the copy of the JSON text into wasm memory (no validation), to split costs.
#[wasm_bindgen(js_name = __benchStringifyCopy)]
pub fn stringify_copy(events: &Array) -> u32 {
    let text = crate::wasm::js::utf8_of(&JSON::stringify(events).unwrap());
    if text.len() > 2 { events.length() } else { 0 }
}
