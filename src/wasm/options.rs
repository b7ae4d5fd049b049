//! Reading the JS option objects, strictly: wrong types are `TypeError`s, values out
//! of range `RangeError`s, unknown keys (a misspelled option) `TypeError`s.

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
use super::errors::ClientError;
use super::js::get;


pub struct ClientConfig {
    pub events_url: String,
    pub auth_url: String,
    pub concurrency: usize,
    pub max_retries: u32,
    pub timeout_ms: u32,
    pub credentials: Credentials,
    pub compression: Compression,
    /// The `fetch` option, used for every request.
    pub fetch: Option<Function>,
    /// The `onRequest` option, told of every request.
    pub on_request: Option<Function>,
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

pub fn client_config(opts: &JsValue) -> Result<ClientConfig, ClientError> {
    let opts = object("EventsClient options", opts, CLIENT_KEYS)?;
    let token = string(&opts, "token")?;
    let refresh = string(&opts, "refreshToken")?;
    let get_token = function(&opts, "getToken")?;
    let credentials = match (token, get_token) {
        (Some(_), Some(_)) => return Err(ClientError::Type("give either token or getToken, not both".into())),
        (Some(t), None) if !t.is_empty() => Credentials::Tokens { access: t, refresh: refresh.filter(|r| !r.is_empty()) },
        (None, Some(f)) => Credentials::Callback(f),
        _ => {
            return Err(ClientError::Type(
                "EventsClient needs credentials: a non-empty token (and optionally refreshToken), or getToken".into(),
            ))
        }
    };
    let env = match string(&opts, "env")? {
        None => Env::default(),
        Some(name) => Env::parse(&name)
            .ok_or_else(|| ClientError::Range(format!("env must be 'prod' or 'dev', got '{name}'")))?,
    };
    let allow_insecure = boolean(&opts, "allowInsecureHttp")?.unwrap_or(false);
    let base = string(&opts, "baseUrl")?;
    let events_url = request::check_base_url(base.as_deref().unwrap_or(env.events_url()), allow_insecure)?;
    // Without authUrl, a custom baseUrl also serves auth (as the emulator does).
    let auth_default = if base.is_some() { events_url.clone() } else { env.auth_url().to_string() };
    let auth_url = request::check_base_url(&string(&opts, "authUrl")?.unwrap_or(auth_default), allow_insecure)?;
    Ok(ClientConfig {
        events_url,
        auth_url,
        concurrency: number(&opts, "concurrency")?.map(args::concurrency).transpose()?.unwrap_or(contract::DEFAULT_CONCURRENCY),
        max_retries: number(&opts, "maxRetries")?.map(args::max_retries).transpose()?.unwrap_or(contract::DEFAULT_MAX_RETRIES),
        timeout_ms: number(&opts, "timeoutMs")?.map(args::timeout_ms).transpose()?.unwrap_or(contract::DEFAULT_TIMEOUT_MS),
        credentials,
        compression: compression(&opts)?.unwrap_or_default(),
        fetch: function(&opts, "fetch")?,
        on_request: function(&opts, "onRequest")?,
    })
}

/// `createEvents(events, chunksize?, options?)` or `createEvents(events, options?)`.
pub fn create_options(second: &JsValue, third: &JsValue, client: &ClientConfig) -> Result<CreateOptions, ClientError> {
    let (chunksize_arg, opts) = if second.is_object() {
        if !third.is_undefined() {
            return Err(ClientError::Type("createEvents(events, options) takes no third argument".into()));
        }
        (JsValue::UNDEFINED, second.clone())
    } else {
        (second.clone(), third.clone())
    };
    let opts = object("createEvents options", &opts, CREATE_KEYS)?;
    let positional = number_value("chunksize", &chunksize_arg)?;
    let named = number(&opts, "chunksize")?;
    if positional.is_some() && named.is_some() {
        return Err(ClientError::Type("chunksize is given twice: as an argument and as an option".into()));
    }
    Ok(CreateOptions {
        chunksize: positional.or(named).map(args::chunksize).transpose()?.unwrap_or(contract::DEFAULT_CHUNKSIZE),
        concurrency: number(&opts, "concurrency")?.map(args::concurrency).transpose()?.unwrap_or(client.concurrency),
        max_retries: number(&opts, "maxRetries")?.map(args::max_retries).transpose()?.unwrap_or(client.max_retries),
        max_chunk_bytes: number(&opts, "maxChunkBytes")?
            .map(args::max_chunk_bytes)
            .transpose()?
            .unwrap_or(contract::DEFAULT_MAX_CHUNK_BYTES),
        max_buffered_bytes: number(&opts, "maxBufferedBytes")?
            .map(args::max_buffered_bytes)
            .transpose()?
            .unwrap_or(contract::DEFAULT_MAX_BUFFERED_BYTES),
        timeout_ms: number(&opts, "timeoutMs")?.map(args::timeout_ms).transpose()?.unwrap_or(client.timeout_ms),
        on_progress: function(&opts, "onProgress")?,
        signal: signal(&opts)?,
        run_id: string(&opts, "runId")?.map(args::run_id).transpose()?,
        compression: compression(&opts)?.unwrap_or(client.compression),
        format: format_option(&opts)?,
        skip_invalid: match string(&opts, "onInvalid")?.as_deref() {
            None | Some("fail") => false,
            Some("skip") => true,
            Some(other) => return Err(ClientError::Range(format!("onInvalid must be 'fail' or 'skip', got '{other}'"))),
        },
        resume: resume_from(&opts)?,
        validate_all: match string(&opts, "validate")?.as_deref() {
            None | Some("chunk") => false,
            Some("all") => true,
            Some(other) => return Err(ClientError::Range(format!("validate must be 'chunk' or 'all', got '{other}'"))),
        },
        return_ids: boolean(&opts, "returnIds")?,
        on_chunk: function(&opts, "onChunk")?,
        bytes_total: number(&opts, "bytesTotal")?.map(|v| args::position("bytesTotal", v, 0)).transpose()?.map(|n| n as f64),
        on_skip: function(&opts, "onSkip")?,
    })
    .and_then(|o| match (&o.on_skip, o.skip_invalid) {
        (Some(_), false) => Err(ClientError::Type("onSkip is told of the events onInvalid: 'skip' leaves out: give onInvalid: 'skip' too".into())),
        _ => Ok(o),
    })
}

/// `resumeFrom: { events, bytes?, line? }`, as progress and errors report it.
fn resume_from(opts: &JsValue) -> Result<Option<ResumePoint>, ClientError> {
    let v = get(opts, "resumeFrom");
    if v.is_undefined() {
        return Ok(None);
    }
    let v = object("resumeFrom", &v, RESUME_KEYS)?;
    let field = |key: &str, min: u64| -> Result<Option<u64>, ClientError> {
        Ok(number(&v, key)?.map(|n| args::position(&format!("resumeFrom.{key}"), n, min)).transpose()?)
    };
    let events = field("events", 0)?.ok_or_else(|| ClientError::Type("resumeFrom needs events (a number)".into()))?;
    Ok(Some(ResumePoint { events: events as usize, bytes: field("bytes", 0)?.unwrap_or(0), line: field("line", 1)?.unwrap_or(1) }))
}

pub fn query_options(opts: &JsValue, client: &ClientConfig, what: &str, keys: &[&str]) -> Result<QueryOptions, ClientError> {
    let opts = object(what, opts, keys)?;
    Ok(QueryOptions {
        page: number(&opts, "page")?.map(args::page).transpose()?.unwrap_or(contract::DEFAULT_PAGE),
        page_size: number(&opts, "pageSize")?.map(args::page_size).transpose()?.unwrap_or(contract::DEFAULT_PAGE_SIZE),
        max_retries: number(&opts, "maxRetries")?.map(args::max_retries).transpose()?.unwrap_or(client.max_retries),
        timeout_ms: number(&opts, "timeoutMs")?.map(args::timeout_ms).transpose()?.unwrap_or(client.timeout_ms),
        signal: signal(&opts)?,
    })
}

/// `exportEvents(body, { format, fields, pageSize, signal, timeoutMs, maxRetries })`:
/// the query options from page 0, the format (NDJSON by default), and whether the
/// server's fields are kept (`fields: 'stored'`).
pub fn export_options(opts: &JsValue, client: &ClientConfig) -> Result<(QueryOptions, Format, bool), ClientError> {
    const KEYS: &[&str] = &["format", "fields", "pageSize", "signal", "timeoutMs", "maxRetries"];
    let query = query_options(opts, client, "exportEvents options", KEYS)?;
    let format = format_option(opts)?.unwrap_or(Format::Ndjson);
    let stored = match string(opts, "fields")?.as_deref() {
        None | Some("input") => false,
        Some("stored") => true,
        Some(other) => return Err(ClientError::Range(format!("fields must be 'input' or 'stored', got '{other}'"))),
    };
    Ok((query, format, stored))
}

pub const QUERY_EVENTS_KEYS: &[&str] = QUERY_KEYS;
pub const QUERY_ALL_KEYS: &[&str] = &["pageSize", "signal", "timeoutMs", "maxRetries"];
pub const DELETE_KEYS: &[&str] = &["signal", "timeoutMs", "maxRetries"];

/// `undefined`/`null` → an empty object; a non-object → TypeError; unknown keys → TypeError.
fn object(what: &str, v: &JsValue, allowed: &[&str]) -> Result<JsValue, ClientError> {
    if v.is_undefined() || v.is_null() {
        return Ok(Object::new().into());
    }
    if !v.is_object() || js_sys::Array::is_array(v) {
        return Err(ClientError::Type(format!("{what} must be an object, got {}", type_name(v))));
    }
    let keys = Object::keys(v.unchecked_ref::<Object>());
    for key in keys.iter() {
        let key = key.as_string().unwrap_or_default();
        if !allowed.contains(&key.as_str()) {
            return Err(ClientError::Type(format!(
                "{what}: unknown option '{key}' (known: {})",
                allowed.join(", ")
            )));
        }
    }
    Ok(v.clone())
}

fn number(opts: &JsValue, key: &str) -> Result<Option<f64>, ClientError> {
    number_value(key, &get(opts, key))
}

fn number_value(key: &str, v: &JsValue) -> Result<Option<f64>, ClientError> {
    if v.is_undefined() {
        return Ok(None);
    }
    v.as_f64().map(Some).ok_or_else(|| ClientError::Type(format!("{key} must be a number, got {}", type_name(v))))
}

fn string(opts: &JsValue, key: &str) -> Result<Option<String>, ClientError> {
    let v = get(opts, key);
    if v.is_undefined() {
        return Ok(None);
    }
    v.as_string().map(Some).ok_or_else(|| ClientError::Type(format!("{key} must be a string, got {}", type_name(&v))))
}

fn boolean(opts: &JsValue, key: &str) -> Result<Option<bool>, ClientError> {
    let v = get(opts, key);
    if v.is_undefined() {
        return Ok(None);
    }
    v.as_bool().map(Some).ok_or_else(|| ClientError::Type(format!("{key} must be a boolean, got {}", type_name(&v))))
}

fn function(opts: &JsValue, key: &str) -> Result<Option<Function>, ClientError> {
    let v = get(opts, key);
    if v.is_undefined() {
        return Ok(None);
    }
    v.dyn_into::<Function>()
        .map(Some)
        .map_err(|v| ClientError::Type(format!("{key} must be a function, got {}", type_name(&v))))
}

/// The `format` option (`createEvents`, `exportEvents`), when given.
fn format_option(opts: &JsValue) -> Result<Option<Format>, ClientError> {
    string(opts, "format")?
        .map(|name| Format::parse(&name).ok_or_else(|| ClientError::Range(format!("format must be 'ndjson' or 'json', got '{name}'"))))
        .transpose()
}

fn compression(opts: &JsValue) -> Result<Option<Compression>, ClientError> {
    string(opts, "compression")?
        .map(|name| {
            Compression::parse(&name)
                .ok_or_else(|| ClientError::Range(format!("compression must be 'auto', 'gzip' or 'none', got '{name}'")))
        })
        .transpose()
}

fn signal(opts: &JsValue) -> Result<Option<AbortSignal>, ClientError> {
    let v = get(opts, "signal");
    if v.is_undefined() {
        return Ok(None);
    }
    as_signal(&v).map(Some).ok_or_else(|| ClientError::Type(format!("signal must be an AbortSignal, got {}", type_name(&v))))
}

/// `typeof`, with `null` and arrays told apart.
pub fn type_name(v: &JsValue) -> String {
    if v.is_null() {
        "null".into()
    } else if js_sys::Array::is_array(v) {
        "array".into()
    } else {
        v.js_typeof().as_string().unwrap_or_default()
    }
}
