//! `exportEvents`: every event matching a query as NDJSON (or one JSON array), written
//! page by page by the core's `ExportWriter` from each answer's text: no JS object per
//! event. An export is a `QueryPages` whose `PagesAhead` has a writer; the face makes
//! the `ReadableStream` (client.ts), as it makes `queryAll`'s generator: it asks
//! `QueryPages.next()` for one piece at a time, one page ahead of its reader (its
//! stream's high-water mark of one piece); the page requests run ahead of that
//! (`pages_ahead`); `stop(reason)` (the stream cancelled), or the caller's signal,
//! aborts the requests in flight.

use crate::prelude::*;
use alloc::rc::Rc;
use core::future::Future;

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;

use super::errors::Failure;
use super::js::{promise, utf8_of};
use super::pages_ahead::PagesAhead;
use super::session::unexpected;
use super::transport::Answer;

impl PagesAhead {
    /// The export is over (written whole, failed or cancelled): no more pages, a page
    /// requested ahead stopped (after a failure it would run on, past the caller's
    /// abort), and no listener left on the caller's signal. (Also `queryAll`'s
    /// `stop()`: `done` unread there.)
    pub fn finished(&self) {
        self.done.set(true);
        self.stop.controller.abort();
        self.stop.release();
    }

    /// The next page to read and its answer (a future its caller awaits at once, then
    /// gives to `written`: not an async fn around it, one state machine fewer); `None`
    /// once the document is written whole.
    fn next_page(self: &Rc<Self>) -> Result<Option<(u32, impl Future<Output = Result<Answer, Failure>>)>, Failure> {
        if self.done.get() {
            return Ok(None);
        }
        let abort = &self.query().abort;
        if abort.is_aborted() {
            return Err(abort.error());
        }
        let number = self.take_page();
        Ok(Some((number, self.answer(number))))
    }

    /// The piece of the document page `number` makes: its events (and, after the last
    /// page, what ends the document). Kept out of the pull's async body, its one caller
    /// (13 B less gzipped than inlined there).
    #[inline(never)]
    fn written(self: &Rc<Self>, number: u32, answer: Answer) -> Result<Vec<u8>, Failure> {
        // An export's pages have a writer (`next_piece` is called for them alone).
        let Some(writer) = &self.writer else { super::cell::trap() };
        let page = writer.borrow_mut().page(&utf8_of(&answer.text));
        let mut page = page.map_err(|_| unexpected(answer.status, "the query answer is not the JSON expected"))?;
        if !self.answered(number, page.count, page.total, answer.status)? {
            self.finished();
            writer.borrow().end(&mut page.bytes);
        }
        Ok(page.bytes)
    }

    /// The next piece of the document: resolves a non-empty `Uint8Array`, or
    /// `undefined` once the document is written whole.
    pub fn next_piece(self: Rc<Self>) -> Promise {
        let exporter = self;
        promise(async move {
            // An empty piece is not given (a reader would see a zero-length read). A
            // failure, before the request or after, ends the export at one exit.
            let failed = loop {
                let (number, answer) = match exporter.next_page() {
                    Ok(Some(next)) => next,
                    Ok(None) => return Ok(JsValue::UNDEFINED),
                    Err(e) => break e,
                };
                match answer.await.and_then(|answer| exporter.written(number, answer)) {
                    Ok(bytes) if bytes.is_empty() => {}
                    Ok(bytes) => return Ok(Uint8Array::from(&bytes[..]).into()),
                    Err(e) => break e,
                }
            };
            exporter.finished();
            Err(failed.into())
        })
    }
}
