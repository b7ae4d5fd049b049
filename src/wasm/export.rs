//! `exportEvents`: every event matching a query as a `ReadableStream<Uint8Array>` of
//! NDJSON (or one JSON array), written page by page by the core's `ExportWriter` from
//! each answer's text: no JS object per event. The stream pulls one page ahead of its
//! reader (its default high-water mark of one piece), and the page requests run ahead
//! of that (`pages_ahead`); cancelling it, or the caller's signal, aborts the requests
//! in flight.

use crate::prelude::*;
use super::cell::RefCell;
use core::cell::Cell;
use alloc::rc::Rc;
use core::future::Future;

use js_sys::{Function, JsString, Promise, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::core::export::ExportWriter;

use super::abort::Linked;
use super::errors::{type_error, Failure};
use super::js::{call_method, promise, utf8_of, Obj};
use super::options::QueryOptions;
use super::pages_ahead::PagesAhead;
use super::session::{unexpected, Session};
use super::transport::Answer;

#[wasm_bindgen]
extern "C" {
    type GlobalThis;
    /// `globalThis.ReadableStream` (`undefined` where it lacks): read by the glue, not
    /// through `js_sys::global()`, which tries four names with code for each.
    #[wasm_bindgen(static_method_of = GlobalThis, js_class = "globalThis", getter = ReadableStream)]
    fn readable_stream() -> JsValue;
    /// `Reflect.construct(class, args)`, catching: js-sys' own is generic over its
    /// arguments' types, with a wrapper of its own compiled for them.
    #[wasm_bindgen(js_namespace = Reflect, js_name = construct, catch)]
    fn construct(class: &Function, args: &js_sys::Array) -> Result<JsValue, JsValue>;
}

struct Exporter {
    pages: PagesAhead,
    page: Cell<u32>,
    writer: RefCell<ExportWriter>,
    done: Cell<bool>,
    /// Fires the query's abort signal when the stream is cancelled.
    stop: Linked,
}

impl Exporter {
    /// The export is over (written whole, failed or cancelled): no more pages, a page
    /// requested ahead stopped (after a failure it would run on, past the caller's
    /// abort), and no listener left on the caller's signal.
    fn finished(&self) {
        self.done.set(true);
        self.stop.controller.abort();
        self.stop.release();
    }

    /// The next page to read and its answer (a future its caller awaits at once, then
    /// gives to `written`: not an async fn around it, one state machine fewer); `None`
    /// once the document is written whole.
    fn next_page(&self) -> Result<Option<(u32, impl Future<Output = Result<Answer, Failure>>)>, Failure> {
        if self.done.get() {
            return Ok(None);
        }
        let abort = &self.pages.query().abort;
        if abort.is_aborted() {
            return Err(abort.error());
        }
        let number = self.page.get();
        Ok(Some((number, self.pages.answer(number))))
    }

    /// The piece of the document page `number` makes: its events (and, after the last
    /// page, what ends the document). Kept out of the pull's async body, its one caller
    /// (13 B less gzipped than inlined there).
    #[inline(never)]
    fn written(&self, number: u32, answer: Answer) -> Result<Vec<u8>, Failure> {
        let page = self.writer.borrow_mut().page(&utf8_of(&answer.text));
        let mut page = page.map_err(|_| unexpected(answer.status, "the query answer is not the JSON expected"))?;
        if self.pages.answered(number, page.count, page.total, answer.status)? {
            self.page.set(number + 1);
        } else {
            self.finished();
            self.writer.borrow().end(&mut page.bytes);
        }
        Ok(page.bytes)
    }
}

/// The stream. `opts.page` is the first page read (0 unless given).
pub fn stream(session: Rc<Session>, body: JsString, opts: QueryOptions, writer: ExportWriter) -> Result<JsValue, Failure> {
    let first = opts.page;
    let (pages, stop) = PagesAhead::new(session, body, opts);
    let exporter = Rc::new(Exporter {
        pages,
        page: Cell::new(first),
        writer: RefCell::new(writer),
        done: Cell::new(false),
        stop,
    });
    let pulling = exporter.clone();
    let pull = Closure::<dyn FnMut(JsValue) -> Promise>::new(move |controller: JsValue| {
        let exporter = pulling.clone();
        promise(async move {
            // An empty piece is not enqueued (a reader would see a zero-length read).
            while let Some((number, answer)) = exporter.next_page().inspect_err(|_| exporter.finished())? {
                let bytes = answer.await.and_then(|answer| exporter.written(number, answer));
                let bytes = bytes.inspect_err(|_| exporter.finished())?;
                if !bytes.is_empty() {
                    let _ = call_method(&controller, "enqueue", &Uint8Array::from(&bytes[..]).into());
                    break;
                }
            }
            if exporter.done.get() {
                let _ = call_method(&controller, "close", &JsValue::UNDEFINED);
            }
            Ok(JsValue::UNDEFINED)
        })
    });
    let cancel = Closure::<dyn FnMut(JsValue)>::new(move |reason: JsValue| {
        exporter.stop.controller.abort_with_reason(&reason);
        exporter.finished();
    });
    let source: JsValue = Obj::new().set("pull", pull.into_js_value()).set("cancel", cancel.into_js_value()).into();
    let class = GlobalThis::readable_stream()
        .dyn_into::<Function>()
        .map_err(|_| type_error("exportEvents needs ReadableStream, which this runtime lacks"))?;
    construct(&class, &js_sys::Array::of1(&source))
        .map_err(|_| type_error("exportEvents could not make a ReadableStream"))
}

