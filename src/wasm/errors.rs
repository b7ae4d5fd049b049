//! Errors as Rust values, and their one conversion into JS `Error` objects.
//!
//! The package's entry modules register real JS classes (`ValidationError`, …) with
//! `__setErrorClasses`, so that `instanceof` works; without them (raw wasm-bindgen
//! use, the wasm tests) a plain `Error` with the same `name` and fields is built.

use std::cell::RefCell;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::args::{ArgError, ArgErrorKind};
use crate::core::validate::Problems;

use super::js::Obj;

/// What can go wrong in one call, before it becomes a JS error.
#[derive(Debug, Clone)]
pub enum ClientError {
    /// A wrong argument type (JS `TypeError`).
    Type(String),
    /// An argument out of range (JS `RangeError`).
    Range(String),
    /// Events that break the contract; nothing was sent.
    Validation(Problems),
    /// The API answered with an error status; `hint` says what the caller likely did.
    Api { status: u16, status_text: String, server_message: ServerMessage, retryable: bool, hint: Option<&'static str> },
    /// The request did not reach the API or its answer was lost; `cause` is what
    /// `fetch` threw.
    Network { message: String, cause: Option<JsValue> },
    /// No answer within `timeoutMs`.
    Timeout(u32),
    /// The caller's `AbortSignal` fired; `reason` is its `reason`.
    Aborted { reason: JsValue },
    /// No usable token: `getToken` failed (its error is the `cause`), or a refresh
    /// answer was unusable.
    Auth { message: String, cause: Option<JsValue> },
}

/// The `message` of a NestJS error body: a string or a list of strings.
#[derive(Debug, Clone, Default)]
pub struct ServerMessage(pub Vec<String>);

impl ClientError {
    /// Passing trouble that a retry may cure (the contract's Errors table).
    pub fn retryable(&self) -> bool {
        match self {
            ClientError::Api { retryable, .. } => *retryable,
            ClientError::Network { .. } | ClientError::Timeout(_) => true,
            _ => false,
        }
    }

    /// A one-line description, safe to show: never holds a token.
    pub fn message(&self) -> String {
        match self {
            ClientError::Type(m) | ClientError::Range(m) => m.clone(),
            ClientError::Validation(p) => p.summary(),
            ClientError::Api { status, status_text, server_message, hint, .. } => {
                let mut m = format!("Events API answered {status}");
                if !status_text.is_empty() {
                    m.push(' ');
                    m.push_str(status_text);
                }
                if !server_message.0.is_empty() {
                    m.push_str(": ");
                    m.push_str(&server_message.0.join("; "));
                }
                if let Some(hint) = hint {
                    m.push_str(" (");
                    m.push_str(hint);
                    m.push(')');
                }
                m
            }
            ClientError::Network { message, .. } => format!("network error: {message}"),
            ClientError::Timeout(ms) => format!("no answer within {ms} ms"),
            ClientError::Aborted { .. } => "the operation was aborted".to_string(),
            ClientError::Auth { message, .. } => message.clone(),
        }
    }

    pub fn into_js(self) -> JsValue {
        let message = self.message();
        match self {
            ClientError::Type(m) => js_sys::TypeError::new(&m).into(),
            ClientError::Range(m) => js_sys::RangeError::new(&m).into(),
            ClientError::Validation(p) => {
                let problems: Array = p
                    .list()
                    .iter()
                    .map(|pr| {
                        JsValue::from(
                            Obj::new()
                                .set("index", pr.index as f64)
                                .set("field", pr.field.as_str())
                                .set("message", pr.message.as_str()),
                        )
                    })
                    .collect();
                build("ValidationError", &message, Obj::new().set("problems", problems).set("problemCount", p.total() as f64))
            }
            ClientError::Api { status, server_message, retryable, .. } => {
                let server: Array = server_message.0.iter().map(|s| JsValue::from_str(s)).collect();
                build(
                    "EventsApiError",
                    &message,
                    Obj::new().set("status", status).set("retryable", retryable).set("serverMessage", server),
                )
            }
            ClientError::Network { cause, .. } => {
                build("NetworkError", &message, with_cause(Obj::new().set("retryable", true), cause))
            }
            ClientError::Timeout(ms) => {
                build("TimeoutError", &message, Obj::new().set("retryable", true).set("timeoutMs", ms))
            }
            ClientError::Aborted { reason } => build("AbortError", &message, Obj::new().set("cause", reason)),
            ClientError::Auth { cause, .. } => {
                build("AuthError", &message, with_cause(Obj::new().set("retryable", false), cause))
            }
        }
    }
}

/// `fields` plus `cause`, when there is one.
fn with_cause(fields: Obj, cause: Option<JsValue>) -> Obj {
    match cause {
        Some(cause) => fields.set("cause", cause),
        None => fields,
    }
}

/// `String(v)` of the JS engine.
fn js_number(v: f64) -> String {
    js_sys::Number::from(v).to_string_with_radix(10).map(String::from).unwrap_or_default()
}

impl From<ArgError> for ClientError {
    fn from(e: ArgError) -> Self {
        match e.kind {
            // The refused number is printed by the JS engine, as the caller would print it.
            ArgErrorKind::Type => ClientError::Type(e.text(js_number)),
            ArgErrorKind::Range => ClientError::Range(e.text(js_number)),
        }
    }
}

impl From<ClientError> for JsValue {
    fn from(e: ClientError) -> JsValue {
        e.into_js()
    }
}

thread_local! {
    static CLASSES: RefCell<Option<Object>> = const { RefCell::new(None) };
}

/// Registers the package's error classes: `{ ValidationError, EventsApiError, … }`,
/// each `new Class(message, fields)`.
#[wasm_bindgen(js_name = "__setErrorClasses", skip_typescript)]
pub fn set_error_classes(classes: Object) {
    CLASSES.with(|c| *c.borrow_mut() = Some(classes));
}

/// Builds the error named `name`, with `fields` copied onto it; a `cause` field
/// becomes the error's `cause`, as `new Error(message, { cause })` makes it.
pub fn build(name: &str, message: &str, fields: Obj) -> JsValue {
    let fields = fields.build();
    let class = CLASSES.with(|c| {
        c.borrow()
            .as_ref()
            .and_then(|o| Reflect::get(o, &JsValue::from_str(name)).ok())
            .and_then(|v| v.dyn_into::<Function>().ok())
    });
    if let Some(class) = class {
        let args = Array::of2(&JsValue::from_str(message), &fields);
        if let Ok(err) = Reflect::construct(&class, &args) {
            return err;
        }
    }
    let err = js_sys::Error::new(message);
    err.set_name(name);
    let cause_key = JsValue::from_str("cause");
    let cause = Reflect::get(&fields, &cause_key).ok().filter(|_| Reflect::has(&fields, &cause_key).unwrap_or(false));
    if cause.is_some() {
        let _ = Reflect::delete_property(&fields, &cause_key);
    }
    Object::assign(&err, &fields);
    if let Some(cause) = cause {
        // Own, not enumerable: as the platform's `Error` constructor defines it.
        let descriptor = Obj::new().set("value", cause).set("writable", true).set("configurable", true).build();
        Object::define_property(&err, &cause_key, &descriptor);
    }
    err.into()
}
