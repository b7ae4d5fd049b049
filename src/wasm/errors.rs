//! Errors as Rust values, and their one conversion into JS error values: plain
//! objects `{ name, message, …fields, cause? }`, thrown or rejected as they are. The
//! TypeScript face (`pkg-template/src/errors.ts`) makes each an instance of its class
//! (`TypeError`, `ValidationError`, …), nested ones (`failed[i].error`, `cause`) too.

use crate::prelude::*;
use js_sys::{Array, JsString};
use wasm_bindgen::prelude::*;

use crate::contract::ERROR_MESSAGE_FIELD;
use crate::core::api_error::{body_line, shorten_lines};
use crate::core::args::{ArgError, ArgErrorKind};
use crate::core::validate::Problems;

use super::js::{get, json_parse, Obj};

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
    /// The caller's source failed (a source function threw, a stream errored, a `Blob`
    /// could not be opened); `cause` is what it threw.
    Source { message: String, cause: JsValue },
    /// No usable token: `getToken` failed (its error is the `cause`), or a renewal
    /// failed (`status`: the Auth API's answer, when there was one).
    Auth { message: String, status: Option<u16>, cause: Option<JsValue> },
}

/// A `ClientError` as it is passed around: boxed, so that each `Result` carrying one
/// stays small and each `?` moves a pointer, not the ~40-byte enum (and each early
/// return drops one pointer's worth of state).
pub type Failure = Box<ClientError>;

/// The `message` of a NestJS error body: a string or a list of strings.
#[derive(Debug, Clone, Default)]
pub struct ServerMessage(pub Vec<String>);

impl ServerMessage {
    /// The lines of an error body (ASSUMED NestJS shape: `{"statusCode", "error",
    /// "message": "…" | ["…", …]}`), read by `JSON.parse` (not our own reader of JSON
    /// objects, which only this and the refresh answer used); for a body without them,
    /// its text (the core's `body_line`); each shortened.
    pub fn of_body(body: &JsString) -> ServerMessage {
        // One `Vec` grown by `push` for every way (no `vec![…]` made apart).
        let mut lines = Vec::new();
        let found = match json_parse(body) {
            Ok(o) if o.is_object() && !Array::is_array(&o) => message_lines(&get(&o, ERROR_MESSAGE_FIELD), &mut lines),
            _ => false,
        };
        if !found {
            // The body copied into wasm memory only when it is the message.
            lines = Vec::new();
            if let Some(line) = body_line(&String::from(body)) {
                lines.push(line);
            }
        }
        shorten_lines(&mut lines);
        ServerMessage(lines)
    }
}

/// Appends `message`'s lines when it is a string or an array of strings only; `false`
/// when it is not.
fn message_lines(message: &JsValue, lines: &mut Vec<String>) -> bool {
    if let Some(line) = message.as_string() {
        lines.push(line);
        return true;
    }
    if !Array::is_array(message) {
        return false;
    }
    let items: &Array = message.unchecked_ref();
    for i in 0..items.length() {
        let Some(line) = items.get(i).as_string() else { return false };
        lines.push(line);
    }
    true
}

impl ClientError {
    /// Passing trouble that a retry may cure (the contract's Errors table).
    pub fn retryable(&self) -> bool {
        match self {
            ClientError::Api { retryable, .. } => *retryable,
            ClientError::Network { .. } | ClientError::Timeout(_) => true,
            _ => false,
        }
    }

    /// The status a request got, `None` when no answer came (a network error, a timeout).
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// What an API answered, after `api` (its name): `<api>answered 401 Unauthorized:
    /// <server message> (<hint>)`; just `api` for other errors. The Events API's errors
    /// and the Auth API's (a refused renewal) say it so (one text, no copy of it made).
    pub fn answered(&self, api: &str) -> String {
        let mut m = text![api];
        let ClientError::Api { status, status_text, server_message, hint, .. } = self else { return m };
        text![into m; "answered ", *status];
        if !status_text.is_empty() {
            text![into m; " ", status_text];
        }
        // The server's lines joined by "; ", appended in place (no joined copy).
        for (i, line) in server_message.0.iter().enumerate() {
            text![into m; if i == 0 { ": " } else { "; " }, line];
        }
        if let Some(hint) = hint {
            text![into m; " (", hint, ")"];
        }
        m
    }

    /// A one-line description, safe to show: never holds a token.
    pub fn message(&self) -> String {
        match self {
            // (One arm for the kinds whose message is kept as it is: one clone.)
            ClientError::Type(m)
            | ClientError::Range(m)
            | ClientError::Auth { message: m, .. }
            | ClientError::Source { message: m, .. } => m.clone(),
            ClientError::Validation(p) => p.summary(),
            ClientError::Api { .. } => self.answered("Events API "),
            ClientError::Network { message, .. } => text!["network error: ", message],
            ClientError::Timeout(ms) => text!["no answer within ", ms, " ms"],
            ClientError::Aborted { .. } => "the operation was aborted".to_string(),
        }
    }

    /// The JS error value, the error kept (no clone of it to report it). One object of
    /// fields and one `build` for every kind (not one of each per arm).
    pub fn to_js(&self) -> JsValue {
        let message = self.message();
        let fields = Obj::new();
        // The `cause`, last of the fields where there is one, set at one site.
        let mut cause = None;
        let (name, fields) = match self {
            ClientError::Type(_) => ("TypeError", fields),
            ClientError::Range(_) => ("RangeError", fields),
            ClientError::Validation(p) => {
                // Loops rather than `collect`s: an iterator chain is compiled per closure.
                let problems = Array::new();
                for pr in p.list() {
                    let problem = Obj::new()
                        .set("index", pr.index as f64)
                        .set("field", pr.field.as_str())
                        .set("message", pr.message.as_str());
                    problems.push(&problem.into());
                }
                ("ValidationError", fields.set("problems", problems).set("problemCount", p.total() as f64))
            }
            ClientError::Api { status, server_message, retryable, .. } => {
                let server = Array::new();
                for line in &server_message.0 {
                    server.push(&JsValue::from_str(line));
                }
                ("EventsApiError", fields.set("status", *status).set("retryable", *retryable).set("serverMessage", server))
            }
            ClientError::Network { cause: c, .. } => {
                cause = c.as_ref();
                ("NetworkError", fields.set("retryable", true))
            }
            ClientError::Timeout(ms) => ("TimeoutError", fields.set("retryable", true).set("timeoutMs", *ms)),
            ClientError::Aborted { reason } => {
                cause = Some(reason);
                ("AbortError", fields)
            }
            ClientError::Source { cause: c, .. } => {
                cause = Some(c);
                ("SourceError", fields.set("retryable", false))
            }
            ClientError::Auth { cause: c, status, .. } => {
                cause = c.as_ref();
                let fields = fields.set("retryable", false);
                let fields = match status {
                    Some(status) => fields.set("status", *status),
                    None => fields,
                };
                ("AuthError", fields)
            }
        };
        let fields = match cause {
            Some(cause) => fields.set("cause", cause.clone()),
            None => fields,
        };
        build(name, &message, fields)
    }
}

/// `String(v)` of the JS engine (Rust's float printing would be 9 KB of wasm): one
/// function for the refused numbers and `name_what_json_lost`'s, by a `match` (not
/// `map` and `unwrap_or_default`, compiled for its types).
#[inline(never)]
pub(super) fn js_number(v: f64) -> String {
    match js_sys::Number::from(v).to_string_with_radix(10) {
        Ok(text) => text.into(),
        Err(_) => String::new(),
    }
}

impl From<ArgError> for Box<ClientError> {
    fn from(e: ArgError) -> Self {
        // The refused number is printed by the JS engine, as the caller would print it.
        // The message is moved, not cloned (`ArgError::text` borrows it).
        let mut message = e.message;
        if let Some(got) = e.got {
            text![into message; js_number(got)];
        }
        // Boxed by the two constructors below (no box made here).
        match e.kind {
            ArgErrorKind::Type => type_error(message),
            ArgErrorKind::Range => range_error(message),
        }
    }
}

impl From<Failure> for JsValue {
    fn from(e: Failure) -> JsValue {
        e.to_js()
    }
}

/// The error value named `name`: `fields` with the `name` and `message` added (a
/// `cause` field becomes the error's `cause`), and the engine's brand, by which the face
/// converts it (pkg-template/src/errors.ts `ENGINE`): a caller's value of the same shape
/// (an abort reason, what `getToken` threw) is passed on as it is.
pub fn build(name: &str, message: &str, fields: Obj) -> JsValue {
    let value: JsValue = fields.set("name", name).set("message", message).into();
    let _ = js_sys::Reflect::set(&value, &js_sys::Symbol::for_(ENGINE_BRAND), &JsValue::TRUE);
    value
}

/// `Symbol.for` of the engine's brand on its error values.
const ENGINE_BRAND: &str = "genomcore-events-wasm.error";

/// A `TypeError`, boxed in one function (not the error written out at each of ~15 sites).
#[inline(never)]
pub fn type_error(message: impl Into<String>) -> Failure {
    boxed_type_error(message.into())
}

/// The box, made once for `type_error`'s instances (a `&str` and a `String` message).
#[inline(never)]
fn boxed_type_error(message: String) -> Failure {
    Box::new(ClientError::Type(message))
}

/// A `RangeError`, boxed in one function.
#[inline(never)]
pub fn range_error(message: String) -> Failure {
    Box::new(ClientError::Range(message))
}

/// A resume point past the end of the events given (an array's length, or the events an
/// iterable gave).
pub(super) fn past_the_end(from: usize, n: usize) -> Failure {
    range_error(text!["resumeFrom.events (", from, ") is past the end of the events (", n, ")"])
}
