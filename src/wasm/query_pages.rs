//! The pages of one query, for `queryAll`: the face's async generator asks for one page
//! at a time; this side (`PagesAhead::take_page`) keeps the page number, requests the pages ahead (`pages_ahead`)
//! and says whether another page follows (the core's `more_pages`, as `exportEvents`
//! decides it).

use core::future::{poll_fn, Future};
use core::pin::Pin;
use core::task::{ready, Poll};
use alloc::rc::Rc;

use js_sys::{Array, JsString, Promise};
use wasm_bindgen::prelude::*;

use crate::contract::{ITEMS_FIELD, TOTAL_FIELD};

use super::js::{get, Obj};
use super::options::QueryOptions;
use super::pages_ahead::PagesAhead;
use super::errors::Failure;
use crate::core::export::ExportWriter;
use super::session::{page_of, Session};
use super::transport::Answer;

/// The pages of a query, read in order by `next()`; `stop()` aborts the requests in flight.
// Also `exportEvents`' pieces (`export.rs`, when its `PagesAhead` has a writer): one
// class for both, one glue class. (Plain comments here and below: doc comments are
// copied into the package's JS glue.)
#[wasm_bindgen]
pub struct QueryPages {
    pages: Rc<PagesAhead>,
}

impl QueryPages {
    /// An export's pages when `writer` is given (`export.rs`).
    pub(super) fn new(session: Rc<Session>, body: JsString, opts: QueryOptions, writer: Option<ExportWriter>) -> QueryPages {
        QueryPages { pages: Rc::new(PagesAhead::new(session, body, opts, writer)) }
    }
}

#[wasm_bindgen]
impl QueryPages {
    /// The next page: resolves `{ items, more }`, `more` false when it was the last.
    // For an export, the next piece of the document (a non-empty `Uint8Array`), or
    // `undefined` once it is written whole.
    pub fn next(&self) -> Promise {
        let s = self.pages.clone();
        if s.writer.is_some() {
            return s.next_piece();
        }
        let page = s.take_page();
        // One `poll_fn` (not an async block around the answer: one state machine fewer);
        // the page is asked for at its first poll, as an async block would.
        let mut answer = None;
        super::js::promise(poll_fn(move |cx| {
            let answered = ready!(Pin::new(answer.get_or_insert_with(|| s.answer(page))).poll(cx));
            Poll::Ready(read_page(&s, page, answered).map_err(JsValue::from))
        }))
    }

    /// Ends the iteration: the page requests in flight are aborted with `reason`.
    // An export's stream's cancel reason; `queryAll` gives `undefined`, which aborts
    // with the default `AbortError`, as `abort()` does. The caller's signal is released
    // (`finished`, as an export's end does; for `queryAll`, as its `free()` that follows
    // at once would).
    pub fn stop(&self, reason: &JsValue) {
        self.pages.stop.controller.abort_with_reason(reason);
        self.pages.finished();
    }
}

/// A page's answer as `{ items, more }`, `more` false when it was the last.
/// (Its failures made JS errors by its caller, in one place.)
fn read_page(s: &Rc<PagesAhead>, page: u32, answered: Result<Answer, Failure>) -> Result<JsValue, Failure> {
    let answered = answered?;
    let answer = page_of(&answered)?;
    let items: Array = get(&answer, ITEMS_FIELD).into();
    let total = get(&answer, TOTAL_FIELD).as_f64();
    let more = s.answered(page, items.length() as usize, total, answered.status)?;
    Ok(Obj::new().set(ITEMS_FIELD, items).set("more", more).into())
}
