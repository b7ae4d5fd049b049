//! Reading the JS option objects, strictly: wrong types are `TypeError`s, values out
//! of range `RangeError`s, unknown keys (a misspelled option) `TypeError`s.

use crate::prelude::*;
use js_sys::{Function, Object};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

use crate::contract::{self, Env};
use crate::core::compression::Compression;
use crate::core::resume::ResumePoint;
use crate::core::stream_framer::Format;
use crate::core::{args, request};

use super::abort::as_signal;
use super::auth::Credentials;
use super::net::Net;
use super::errors::{range_error, type_error, Failure};

/// `{what} must be {kind}, got {its type}` (a `TypeError`): one `text!` for every
/// argument and option of the wrong type.
pub fn wrong_type(what: &str, kind: &str, v: &JsValue) -> Failure {
    type_error(text![what, " must be ", kind, ", got ", type_name(v)])
}

/// `{key} must be {choices}, got '{got}'` (a `RangeError`), for the options that name
/// one of a few values.
fn not_one_of(key: &str, choices: &str, got: &str) -> Failure {
    range_error(text![key, " must be ", choices, ", got '", got, "'"])
}
use super::js::get;


pub struct ClientConfig {
    pub events_url: String,
    pub auth_url: String,
    pub concurrency: usize,
    pub max_retries: u32,
    pub timeout_ms: u32,
    pub compression: Compression,
    /// The Events API's host is loopback (found while checking its URL): `compression:
    /// 'auto'` leaves bodies plain there.
    pub api_is_loopback: bool,
}

pub struct CreateOptions {
    pub chunksize: usize,
    pub concurrency: usize,
    pub max_retries: u32,
    pub max_chunk_bytes: usize,
    /// Validated bodies kept to be sent as they are, in bytes.
    pub max_buffered_bytes: usize,
    pub timeout_ms: u32,
    pub on_progress: Option<Function>,
    pub signal: Option<AbortSignal>,
    /// Names this upload's idempotency keys; the same id resumes an earlier upload.
    pub run_id: Option<String>,
    pub compression: Compression,
    /// Bytes: NDJSON or a JSON array (`None`: detected from the first byte).
    pub format: Option<Format>,
    /// `onInvalid: 'skip'`: bad events of a stream are left out and reported.
    pub skip_invalid: bool,
    /// `resumeFrom`: the stored prefix of an earlier run, skipped.
    pub resume: Option<ResumePoint>,
    /// `validate: 'all'`: a source is read once to validate it all before anything is sent.
    pub validate_all: bool,
    /// `validate: 'chunk'` given (an array then goes chunk by chunk, as an iterable).
    pub validate_per_chunk: bool,
    /// `returnIds` (default: true for arrays, false for streams).
    pub return_ids: Option<bool>,
    pub on_chunk: Option<Function>,
    /// The caller's word for the source's size in bytes (`bytesTotal` in progress).
    pub bytes_total: Option<f64>,
    /// Told of every event left out by `onInvalid: 'skip'`, with its text.
    pub on_skip: Option<Function>,
}

#[derive(Clone)]
pub struct QueryOptions {
    pub page: u32,
    pub page_size: u32,
    pub max_retries: u32,
    pub timeout_ms: u32,
    pub signal: Option<AbortSignal>,
}

const CLIENT_KEYS: &[&str] = &[
    "token", "refreshToken", "getToken", "env", "baseUrl", "authUrl", "concurrency", "maxRetries", "timeoutMs",
    "allowInsecureHttp", "compression", "fetch", "onRequest",
];
const CREATE_KEYS: &[&str] =
    &[
        "chunksize", "maxRetries", "concurrency", "maxChunkBytes", "onProgress", "signal", "timeoutMs", "runId", "maxBufferedBytes",
        "compression", "format", "onInvalid", "resumeFrom", "validate", "returnIds", "onChunk", "bytesTotal", "onSkip",
    ];
const RESUME_KEYS: &[&str] = &["events", "bytes", "line"];
const QUERY_KEYS: &[&str] = &["page", "pageSize", "signal", "timeoutMs", "maxRetries"];

// Each reader below fills a struct of defaults in place, option by option: an early
// `?` then drops nothing that was read before it (a struct literal of `?`s drops the
// fields read so far at each one: 1.5 KB of wasm in `createEvents` alone). The options
// are read, and their errors raised, in the order of their keys.

/// The client's options, and apart its credentials (they go to `Auth` alone) and its
/// `fetch` and `onRequest` (they go to `Net`, which `Auth` holds and the session's calls
/// use too).
pub fn client_config(opts: &JsValue) -> Result<(ClientConfig, Credentials, Net), Failure> {
    object("EventsClient options", opts, CLIENT_KEYS)?;
    let credentials = credentials(opts)?;
    let (events_url, auth_url, api_is_loopback) = base_urls(opts)?;
    let mut config = ClientConfig {
        events_url,
        auth_url,
        concurrency: contract::DEFAULT_CONCURRENCY,
        max_retries: contract::DEFAULT_MAX_RETRIES,
        timeout_ms: contract::DEFAULT_TIMEOUT_MS,
        compression: Compression::default(),
        api_is_loopback,
    };
    let mut net = Net::default();
    read_client_config(&mut config, &mut net, opts)?;
    Ok((config, credentials, net))
}

fn credentials(opts: &JsValue) -> Result<Credentials, Failure> {
    let token = string(opts, "token")?;
    let refresh = string(opts, "refreshToken")?;
    let get_token = function(opts, "getToken")?;
    header_safe("token", &token)?;
    header_safe("refreshToken", &refresh)?;
    // One after the other, not a `match` on the pair (smaller).
    if token.is_some() && get_token.is_some() {
        return Err(type_error("give either token or getToken, not both"));
    }
    if let Some(f) = get_token {
        return Ok(Credentials::Callback(f));
    }
    match token {
        Some(t) if !t.is_empty() => Ok(Credentials::Tokens { access: t, refresh: refresh.filter(|r| !r.is_empty()) }),
        _ => Err(type_error("EventsClient needs credentials: a non-empty token (and optionally refreshToken), or getToken")),
    }
}

/// A token given, when not empty, must be fit for an HTTP header.
fn header_safe(name: &str, value: &Option<String>) -> Result<(), Failure> {
    match value {
        Some(t) if !t.is_empty() && !crate::core::token::is_header_safe(t) => {
            Err(type_error(text![name, " ", crate::core::token::NOT_HEADER_SAFE]))
        }
        _ => Ok(()),
    }
}

/// The Events API's and the Auth API's base URLs, and whether the first is on loopback.
fn base_urls(opts: &JsValue) -> Result<(String, String, bool), Failure> {
    let env = match choice(opts, "env", &["prod", "dev"], "'prod' or 'dev'")? {
        Some(1) => Env::Dev,
        _ => Env::Prod,
    };
    let allow_insecure = boolean(opts, "allowInsecureHttp")?.unwrap_or(false);
    let base = string(opts, "baseUrl")?;
    let (events_url, events_on_loopback) = request::checked_base_url(base.as_deref().unwrap_or(env.events_url()), allow_insecure)?;
    // Without authUrl, a custom baseUrl also serves auth (as the emulator does).
    let auth_default = if base.is_some() { &events_url } else { env.auth_url() };
    let auth_url = request::check_base_url(string(opts, "authUrl")?.as_deref().unwrap_or(auth_default), allow_insecure)?;
    Ok((events_url, auth_url, events_on_loopback))
}

fn read_client_config(c: &mut ClientConfig, net: &mut Net, opts: &JsValue) -> Result<(), Failure> {
    checked(opts, "concurrency", args::concurrency, &mut c.concurrency)?;
    checked(opts, "maxRetries", args::max_retries, &mut c.max_retries)?;
    checked(opts, "timeoutMs", args::timeout_ms, &mut c.timeout_ms)?;
    if let Some(v) = compression(opts)? {
        c.compression = v;
    }
    net.fetch = function(opts, "fetch")?;
    net.on_request = function(opts, "onRequest")?;
    Ok(())
}

/// `createEvents(events, chunksize?, options?)` or `createEvents(events, options?)`.
/// Boxed: the upload's future and the steps before it move a pointer, not the options.
pub fn create_options(second: &JsValue, third: &JsValue, client: &ClientConfig) -> Result<Box<CreateOptions>, Failure> {
    let mut o = Box::new(CreateOptions {
        chunksize: contract::DEFAULT_CHUNKSIZE,
        concurrency: client.concurrency,
        max_retries: client.max_retries,
        max_chunk_bytes: contract::DEFAULT_MAX_CHUNK_BYTES,
        max_buffered_bytes: contract::DEFAULT_MAX_BUFFERED_BYTES,
        timeout_ms: client.timeout_ms,
        on_progress: None,
        signal: None,
        run_id: None,
        compression: client.compression,
        format: None,
        skip_invalid: false,
        resume: None,
        validate_all: false,
        validate_per_chunk: false,
        return_ids: None,
        on_chunk: None,
        bytes_total: None,
        on_skip: None,
    });
    read_create_options(&mut o, second, third)?;
    Ok(o)
}

fn read_create_options(o: &mut CreateOptions, second: &JsValue, third: &JsValue) -> Result<(), Failure> {
    let (chunksize_arg, opts) = if second.is_object() {
        if !third.is_undefined() {
            return Err(type_error("createEvents(events, options) takes no third argument"));
        }
        (&JsValue::UNDEFINED, second)
    } else {
        (second, third)
    };
    object("createEvents options", opts, CREATE_KEYS)?;
    let positional = number_value("chunksize", chunksize_arg)?;
    let named = number(opts, "chunksize")?;
    if positional.is_some() && named.is_some() {
        return Err(type_error("chunksize is given twice: as an argument and as an option"));
    }
    if let Some(v) = positional.or(named) {
        o.chunksize = args::chunksize(v)?;
    }
    checked(opts, "concurrency", args::concurrency, &mut o.concurrency)?;
    checked(opts, "maxRetries", args::max_retries, &mut o.max_retries)?;
    checked(opts, "maxChunkBytes", args::max_chunk_bytes, &mut o.max_chunk_bytes)?;
    checked(opts, "maxBufferedBytes", args::max_buffered_bytes, &mut o.max_buffered_bytes)?;
    checked(opts, "timeoutMs", args::timeout_ms, &mut o.timeout_ms)?;
    o.on_progress = function(opts, "onProgress")?;
    o.signal = signal(opts)?;
    if let Some(id) = string(opts, "runId")? {
        o.run_id = Some(args::run_id(id)?);
    }
    if let Some(v) = compression(opts)? {
        o.compression = v;
    }
    o.format = format_option(opts)?;
    o.skip_invalid = choice(opts, "onInvalid", &["fail", "skip"], "'fail' or 'skip'")? == Some(1);
    o.resume = resume_from(opts)?;
    let validate = choice(opts, "validate", &["chunk", "all"], "'chunk' or 'all'")?;
    (o.validate_all, o.validate_per_chunk) = (validate == Some(1), validate == Some(0));
    o.return_ids = boolean(opts, "returnIds")?;
    o.on_chunk = function(opts, "onChunk")?;
    if let Some(v) = number(opts, "bytesTotal")? {
        o.bytes_total = Some(args::position("bytesTotal", v, 0)? as f64);
    }
    o.on_skip = function(opts, "onSkip")?;
    if o.on_skip.is_some() && !o.skip_invalid {
        return Err(type_error("onSkip is told of the events onInvalid: 'skip' leaves out: give onInvalid: 'skip' too"));
    }
    Ok(())
}

/// `resumeFrom: { events, bytes?, line? }`, as progress and errors report it.
fn resume_from(opts: &JsValue) -> Result<Option<ResumePoint>, Failure> {
    let v = get(opts, "resumeFrom");
    if v.is_undefined() {
        return Ok(None);
    }
    object("resumeFrom", &v, RESUME_KEYS)?;
    let Some(events) = resume_field(&v, "events", "resumeFrom.events", 0)? else {
        return Err(type_error("resumeFrom needs events (a number)"));
    };
    Ok(Some(ResumePoint {
        events: events as usize,
        bytes: resume_field(&v, "bytes", "resumeFrom.bytes", 0)?.unwrap_or(0),
        line: resume_field(&v, "line", "resumeFrom.line", 1)?.unwrap_or(1),
    }))
}

/// `resumeFrom.<key>` (`name`, written out: no text made for each), when given: a whole
/// number from `min`. (A `let else`, not `map` and `transpose`: their code per type.)
fn resume_field(resume_from: &JsValue, key: &str, name: &str, min: u64) -> Result<Option<u64>, Failure> {
    let Some(n) = number(resume_from, key)? else { return Ok(None) };
    Ok(Some(args::position(name, n, min)?))
}

pub fn query_options(opts: &JsValue, client: &ClientConfig, what: &str, keys: &[&str]) -> Result<QueryOptions, Failure> {
    let mut q = QueryOptions {
        page: contract::DEFAULT_PAGE,
        page_size: contract::DEFAULT_PAGE_SIZE,
        max_retries: client.max_retries,
        timeout_ms: client.timeout_ms,
        signal: None,
    };
    object(what, opts, keys)?;
    read_query_options(&mut q, opts)?;
    Ok(q)
}

fn read_query_options(q: &mut QueryOptions, opts: &JsValue) -> Result<(), Failure> {
    checked(opts, "page", args::page, &mut q.page)?;
    checked(opts, "pageSize", args::page_size, &mut q.page_size)?;
    checked(opts, "maxRetries", args::max_retries, &mut q.max_retries)?;
    checked(opts, "timeoutMs", args::timeout_ms, &mut q.timeout_ms)?;
    q.signal = signal(opts)?;
    Ok(())
}

/// `exportEvents(body, { format, fields, pageSize, signal, timeoutMs, maxRetries })`,
/// after its query options (`EXPORT_KEYS`, from page 0): the format (NDJSON by
/// default), and whether the server's fields are kept (`fields: 'stored'`).
pub fn export_options(opts: &JsValue) -> Result<(Format, bool), Failure> {
    let format = format_option(opts)?.unwrap_or(Format::Ndjson);
    let stored = choice(opts, "fields", &["input", "stored"], "'input' or 'stored'")? == Some(1);
    Ok((format, stored))
}

pub const QUERY_EVENTS_KEYS: &[&str] = QUERY_KEYS;
pub const QUERY_ALL_KEYS: &[&str] = &["pageSize", "signal", "timeoutMs", "maxRetries"];
pub const EXPORT_KEYS: &[&str] = &["format", "fields", "pageSize", "signal", "timeoutMs", "maxRetries"];
pub const DELETE_KEYS: &[&str] = &["signal", "timeoutMs", "maxRetries"];

/// Checks an options object: `undefined`/`null` are no options (read as they are:
/// `get` reads `undefined` from them, as from an empty object, so none is made); a
/// non-object → TypeError; unknown keys → TypeError.
fn object(what: &str, v: &JsValue, allowed: &[&str]) -> Result<(), Failure> {
    if v.is_undefined() || v.is_null() {
        return Ok(());
    }
    if !v.is_object() || js_sys::Array::is_array(v) {
        return Err(wrong_type(what, "an object", v));
    }
    let keys = Object::keys(v.unchecked_ref::<Object>());
    // Indexed, not `Array::iter` (its iterator's code, for a few loops).
    for i in 0..keys.length() {
        let key = keys.get(i).as_string().unwrap_or_default();
        if !allowed.contains(&key.as_str()) {
            // The known keys written into the message (no joined copy of them).
            let mut m = text![what, ": unknown option '", key, "' (known: "];
            for (i, k) in allowed.iter().enumerate() {
                text![into m; if i == 0 { "" } else { ", " }, k];
            }
            text![into m; ")"];
            return Err(type_error(m));
        }
    }
    Ok(())
}

/// A number option, when given, checked by `check` (the core's rule for it) into
/// `slot`: one function per value type, not the reading and the error's conversion
/// at each option.
#[inline(never)]
fn checked<T>(opts: &JsValue, key: &str, check: fn(f64) -> Result<T, args::ArgError>, slot: &mut T) -> Result<(), Failure> {
    if let Some(v) = number(opts, key)? {
        *slot = check(v)?;
    }
    Ok(())
}

fn number(opts: &JsValue, key: &str) -> Result<Option<f64>, Failure> {
    number_value(key, &get(opts, key))
}

/// (This reader and the two below: a `match`, not `map` and `ok_or_else`: smaller.)
fn number_value(key: &str, v: &JsValue) -> Result<Option<f64>, Failure> {
    if v.is_undefined() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) => Ok(Some(n)),
        None => Err(wrong_type(key, "a number", v)),
    }
}

fn string(opts: &JsValue, key: &str) -> Result<Option<String>, Failure> {
    let v = get(opts, key);
    if v.is_undefined() {
        return Ok(None);
    }
    match v.as_string() {
        Some(s) => Ok(Some(s)),
        None => Err(wrong_type(key, "a string", &v)),
    }
}

fn boolean(opts: &JsValue, key: &str) -> Result<Option<bool>, Failure> {
    let v = get(opts, key);
    if v.is_undefined() {
        return Ok(None);
    }
    match v.as_bool() {
        Some(b) => Ok(Some(b)),
        None => Err(wrong_type(key, "a boolean", &v)),
    }
}

fn function(opts: &JsValue, key: &str) -> Result<Option<Function>, Failure> {
    let v = get(opts, key);
    if v.is_undefined() {
        return Ok(None);
    }
    match v.dyn_into::<Function>() {
        Ok(f) => Ok(Some(f)),
        Err(v) => Err(wrong_type(key, "a function", &v)),
    }
}

/// The `format` option (`createEvents`, `exportEvents`), when given. (A `match`, not
/// `map` and `transpose`: their code per type.)
fn format_option(opts: &JsValue) -> Result<Option<Format>, Failure> {
    Ok(match choice(opts, "format", &["ndjson", "json"], "'ndjson' or 'json'")? {
        None => None,
        Some(0) => Some(Format::Ndjson),
        _ => Some(Format::Json),
    })
}

fn compression(opts: &JsValue) -> Result<Option<Compression>, Failure> {
    Ok(match choice(opts, "compression", &["auto", "gzip", "none"], "'auto', 'gzip' or 'none'")? {
        None => None,
        Some(0) => Some(Compression::Auto),
        Some(1) => Some(Compression::Gzip),
        _ => Some(Compression::None),
    })
}

/// The index in `names` of the string option `key`, when given; another string is a
/// `RangeError` naming `choices`. One reader for the options that name one of a few
/// values (not a `String` read, compared and dropped at each).
#[inline(never)]
fn choice(opts: &JsValue, key: &str, names: &[&str], choices: &str) -> Result<Option<usize>, Failure> {
    let Some(name) = string(opts, key)? else { return Ok(None) };
    match names.iter().position(|n| *n == name) {
        Some(i) => Ok(Some(i)),
        None => Err(not_one_of(key, choices, &name)),
    }
}

fn signal(opts: &JsValue) -> Result<Option<AbortSignal>, Failure> {
    let v = get(opts, "signal");
    if v.is_undefined() {
        return Ok(None);
    }
    match as_signal(&v) {
        Some(signal) => Ok(Some(signal)),
        None => Err(wrong_type("signal", "an AbortSignal", &v)),
    }
}

/// `typeof`, with `null` and arrays told apart.
pub fn type_name(v: &JsValue) -> String {
    // One `String` made from either name (not one conversion each).
    let name = if v.is_null() {
        "null"
    } else if js_sys::Array::is_array(v) {
        "array"
    } else {
        return v.js_typeof().as_string().unwrap_or_default();
    };
    name.into()
}
