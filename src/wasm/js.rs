//! Small helpers for building and reading plain JS objects.

use crate::prelude::*;
use super::local::Local;
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

/// Builds a plain object field by field: `Obj::new().set("a", 1).into()`.
pub struct Obj(Object);

impl Obj {
    pub fn new() -> Obj {
        Obj(Object::new())
    }

    /// Only the conversion of `value` is compiled per type; the setting is one
    /// function (`put`) for all nine types (each had its own copy: 0.9 KB of wasm).
    /// Inlined always: a conversion and a call at each site compress better than a
    /// call to a copy per type (108 B less gzipped than rustc's choice).
    #[inline(always)]
    pub fn set(self, key: &str, value: impl Into<JsValue>) -> Obj {
        self.put(key, value.into())
    }

    #[inline(never)]
    fn put(self, key: &str, value: JsValue) -> Obj {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), &value);
        self
    }

    pub fn build(self) -> Object {
        self.0
    }
}

impl From<Object> for Obj {
    fn from(o: Object) -> Obj {
        Obj(o)
    }
}

impl From<Obj> for JsValue {
    fn from(o: Obj) -> JsValue {
        o.0.into()
    }
}

/// `obj[key]`, or `undefined` when `obj` is not an object.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() {
        return JsValue::UNDEFINED;
    }
    // A match, not `unwrap_or`: no default made and dropped when it is not needed.
    match Reflect::get(obj, &JsValue::from_str(key)) {
        Ok(v) => v,
        Err(_) => JsValue::UNDEFINED,
    }
}

/// A Promise of a future, run by `executor.rs`. Boxed first: one type for every
/// caller, so the executor's code is compiled once.
pub fn promise(future: impl core::future::Future<Output = Result<JsValue, JsValue>> + 'static) -> js_sys::Promise {
    super::executor::promise(Box::pin(future))
}

/// Milliseconds since the epoch, from the JS clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A random number in [0, 1).
pub fn random() -> f64 {
    js_sys::Math::random()
}

#[wasm_bindgen]
extern "C" {
    // Web Crypto: present in browsers (also in insecure contexts) and as a global in Node 19+.
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buf: &mut [u8]);
}

/// A random UUID v4 for an `Idempotency-Key`. `crypto.randomUUID` needs a secure
/// context; `getRandomValues` does not.
pub fn random_uuid() -> String {
    let mut b = [0u8; 16];
    get_random_values(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    // Written out by hand: `format!("{:02x}")` and string slicing cost wasm bytes.
    // Pieces of text, not `char`s pushed (`String::push` encodes each as UTF-8 first).
    const HEX: &str = "0123456789abcdef";
    let hex = |d: u8| HEX.get(usize::from(d)..usize::from(d) + 1).unwrap_or_default();
    let mut out = String::new();
    for (i, &x) in b.iter().enumerate() {
        let dash = if matches!(i, 4 | 6 | 8 | 10) { "-" } else { "" };
        text![into out; dash, hex(x >> 4), hex(x & 15)];
    }
    out
}

#[wasm_bindgen]
extern "C" {
    /// `Promise.resolve(v)`, catching (a native Promise whose `constructor` getter throws).
    #[wasm_bindgen(js_namespace = Promise, js_name = resolve, catch)]
    fn promise_resolve(v: &JsValue) -> Result<js_sys::Promise, JsValue>;
}

/// A native Promise of what the caller's code gave (a value, a Promise, a thenable). A
/// Promise subclass is not awaited as it is: a "Deferred" whose constructor ignores its
/// executor makes `then` throw, which would escape through the wasm and leave the call
/// unsettled; through `Promise.resolve` its `then` runs in a job and a throw rejects.
pub fn as_promise(v: &JsValue) -> js_sys::Promise {
    promise_resolve(v).unwrap_or_else(|e| js_sys::Promise::reject(&e))
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = Array)]
    type Items;
    /// `Array.prototype.slice`, catching: it throws for an Array subclass whose
    /// constructor does not take a length (`slice` makes its result with it) and for a
    /// Proxy whose item reads throw.
    #[wasm_bindgen(method, catch)]
    fn slice(this: &Items, from: u32, to: u32) -> Result<js_sys::Array, JsValue>;
}

/// The caller's `items.slice(from, to)`, as a plain `Array`; for an Array subclass whose
/// `slice` throws, read item by item. `Err`: the index whose read threw, and what it threw
/// (a call into JS that throws past the wasm would leave the call unsettled).
pub fn window(items: &js_sys::Array, from: u32, to: u32) -> Result<js_sys::Array, (u32, JsValue)> {
    if let Ok(window) = items.unchecked_ref::<Items>().slice(from, to) {
        return Ok(window);
    }
    let window = js_sys::Array::new();
    for i in from..to {
        window.push(&item(items, i).map_err(|e| (i, e))?);
    }
    Ok(window)
}

/// `items[i]`, catching (a getter, a Proxy).
pub fn item(items: &js_sys::Array, i: u32) -> Result<JsValue, JsValue> {
    js_sys::Reflect::get_u32(items, i)
}

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` on a JS string, without copying it through wasm memory.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    pub fn json_parse(text: &js_sys::JsString) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, text: &js_sys::JsString, dest: &js_sys::Uint8Array) -> JsValue;
}

#[wasm_bindgen]
extern "C" {
    type TextDecoder;
    #[wasm_bindgen(constructor)]
    fn new(label: &JsValue, options: &JsValue) -> TextDecoder;
    #[wasm_bindgen(method)]
    fn decode(this: &TextDecoder, bytes: &[u8]) -> js_sys::JsString;
}

#[wasm_bindgen]
extern "C" {
    /// `Uint8Array.prototype.set.call(dst, src)`: what js-sys' `to_vec` calls, without
    /// its `assert_eq!` of the lengths (which linked `assert_failed` and integer `Debug`).
    #[wasm_bindgen(js_namespace = Uint8Array, js_name = "prototype.set.call")]
    fn set_into(dst: &mut [u8], src: &js_sys::Uint8Array);
}

/// A `Uint8Array`'s bytes copied into a new `Vec` (js-sys' `to_vec`, without its assert).
pub fn bytes_to_vec(bytes: &js_sys::Uint8Array) -> Vec<u8> {
    let len = bytes.length() as usize;
    let mut out: Vec<u8> = Vec::with_capacity(len);
    // SAFETY: the slice covers `out`'s capacity; `set` writes all `len` bytes.
    unsafe {
        set_into(core::slice::from_raw_parts_mut(out.as_mut_ptr(), len), bytes);
        out.set_len(len);
    }
    out
}

// One static for both (each has its own lazy initialisation code).
// Label `undefined`: UTF-8. `ignoreBOM`: a leading BOM stays in the text, as Rust's decoder keeps it.
static CODEC: Local<(TextEncoder, TextDecoder)> =
    Local::new(|| (TextEncoder::new(), TextDecoder::new(&JsValue::UNDEFINED, &Obj::new().set("ignoreBOM", true).into())));

/// UTF-8 bytes as a JS string, each invalid sequence replaced by U+FFFD (as
/// `String::from_utf8_lossy` does: both follow the WHATWG decoder), without linking
/// Rust's lossy decoder.
pub fn utf8_lossy(bytes: &[u8]) -> js_sys::JsString {
    CODEC.get().1.decode(bytes)
}

/// Where `text` holds its first unpaired UTF-16 surrogate (-1: none), which UTF-8
/// cannot carry: with the `u` flag a surrogate matches only when unpaired, one scan in
/// the engine (`isWellFormed` is too recent: Safari 16.4, Node 20).
pub fn lone_surrogate_at(text: &js_sys::JsString) -> i32 {
    text.search(&js_sys::RegExp::new("[\\uD800-\\uDFFF]", "u"))
}

/// A JS string as UTF-8 in wasm memory. wasm-bindgen's own conversion walks ASCII
/// text one char at a time in JS (~3 ns/char); the engine's `encodeInto`, writing
/// straight into wasm memory, is several times faster on the megabytes of a chunk.
pub fn utf8_of(text: &js_sys::JsString) -> String {
    // UTF-16 code units never take more than 3 bytes each in UTF-8.
    let capacity = text.length() as usize * 3;
    let mut out: Vec<u8> = Vec::with_capacity(capacity);
    // SAFETY: the view covers `out`'s allocation and is used at once, before any
    // allocation could grow (and detach) the wasm memory.
    let view = unsafe { js_sys::Uint8Array::view_mut_raw(out.as_mut_ptr(), capacity) };
    let result = CODEC.get().0.encode_into(text, &view);
    let written = get(&result, "written").as_f64().unwrap_or(0.0) as usize;
    // SAFETY: encodeInto initialised exactly `written` bytes of valid UTF-8.
    unsafe {
        out.set_len(written.min(capacity));
        String::from_utf8_unchecked(out)
    }
}

/// `value[name](arg)`, or what it throws (or that it is no function): for objects of the
/// caller's or the platform's whose methods are read by name (a `fetch` answer, a stream
/// controller, a reader).
pub fn call_method(value: &JsValue, name: &str, arg: &JsValue) -> Result<JsValue, JsValue> {
    let f: js_sys::Function = get(value, name).dyn_into()?;
    f.call1(value, arg)
}

/// `prefix` and what the caller's code threw: its `message`, or "it threw" (a thrown
/// non-`Error`). One function for the places that say it.
pub fn threw(prefix: &str, e: &JsValue) -> String {
    said(prefix, e, "it threw")
}

/// `prefix` and the `message` of `e`, or `otherwise` when it has none.
#[inline(never)]
pub fn said(prefix: &str, e: &JsValue, otherwise: &str) -> String {
    let why = get(e, "message").as_string();
    text![prefix, why.as_deref().unwrap_or(otherwise)]
}

/// Calls the caller's callback `f` with `arg`, as `onProgress`, `onChunk`, `onSkip` and
/// `onRequest` are: what it throws is ignored, and so is the rejection of a Promise it
/// returns (an `async` callback that fails): left unhandled, that rejection would end a
/// Node process in the middle of an upload.
pub fn call_back(f: &js_sys::Function, arg: &JsValue) {
    if let Ok(returned) = f.call1(&JsValue::UNDEFINED, arg) {
        ignore_rejection(&returned);
    }
}

/// When `v` is a Promise or a thenable (what the caller's code returned), its rejection
/// is handled and ignored rather than left unhandled; it is not awaited.
pub fn ignore_rejection(v: &JsValue) {
    // (`get` gives `undefined` for what is not an object: no `is_object` first.)
    if get(v, "then").is_function() {
        drop(as_promise(v).catch(IGNORE.get()));
    }
}

/// The rejection handler of `ignore_rejection`: made once.
static IGNORE: Local<Closure<dyn FnMut(JsValue)>> = Local::new(|| Closure::new(|_: JsValue| {}));
