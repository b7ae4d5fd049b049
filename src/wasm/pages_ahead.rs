//! The page requests of one query (`queryAll`, `exportEvents`), started ahead of their
//! reader: once an answer has told the `total`, the pages after the one being read are
//! requested, `QUERY_PAGES_AHEAD` of them, as soon as a page is answered (while its
//! reader works through it) and when it is asked for (while it may still be on its way),
//! so that round trips overlap. Each request runs as its own task and leaves its answer
//! in a slot; the reader takes the slots in page order. The query's abort signal ends
//! those still in flight.

use crate::prelude::*;
use super::cell::RefCell;
use core::cell::Cell;
use core::future::{poll_fn, Future};
use alloc::rc::Rc;
use core::task::{Poll, Waker};

use js_sys::JsString;
use wasm_bindgen::JsValue;

use crate::contract::QUERY_PAGES_AHEAD;
use crate::core::export::{more_pages, page_exists, same_result, ExportWriter};

use super::abort::{linked, AbortWatch, Linked};
use super::errors::Failure;
use super::options::QueryOptions;
use super::session::{plain_call, unexpected, Session};
use super::transport::Method;
use crate::core::request;
use super::transport::Answer;

/// What every page request of one query shares.
pub struct Query {
    pub session: Rc<Session>,
    pub body: JsString,
    /// `page` is the first page read.
    pub opts: QueryOptions,
    /// Fires with the caller's signal, or when the reader stops.
    pub abort: AbortWatch,
}

pub struct PagesAhead {
    /// Held here, not behind an `Rc` of its own: a request started ahead holds the
    /// `PagesAhead` (one counted type fewer, and its drop).
    query: Query,
    /// Requests started and not yet taken, in page order (at most `QUERY_PAGES_AHEAD`
    /// + 1: a `Vec`, smaller in wasm than a `VecDeque`).
    started: RefCell<Vec<(u32, Rc<Slot>)>>,
    next_to_start: Cell<u32>,
    /// The next page its reader reads (`take_page`).
    reading: Cell<u32>,
    /// The `total` of the first answer that told it (a later one that differs: the
    /// result changed while it was read).
    total: Cell<Option<f64>>,
    /// Fires the query's abort signal when the reader stops (`queryAll`'s `stop()`, an
    /// export cancelled or over).
    pub stop: Linked,
    /// An export's writer (`export.rs`); `None` for `queryAll`.
    pub writer: Option<RefCell<ExportWriter>>,
    /// An export written whole, failed or cancelled (`PagesAhead::finished`).
    pub done: Cell<bool>,
}

/// Where a request leaves its answer, and who waits for it (`Cell`s taken and set
/// whole: no borrow to check).
#[derive(Default)]
struct Slot {
    answer: Cell<Option<Result<Answer, Failure>>>,
    waiting: Cell<Option<Waker>>,
}

impl PagesAhead {
    /// The pages of `body`'s query, and what stops them (`stop`): a signal of their own
    /// that fires with the caller's (`opts.signal`) or when `stop` is aborted. One
    /// place for `queryAll` and `exportEvents` (their code once).
    pub fn new(session: Rc<Session>, body: JsString, opts: QueryOptions, writer: Option<ExportWriter>) -> PagesAhead {
        let (stop, signal) = linked(opts.signal.as_ref());
        let first = opts.page;
        let query = Query { session, body, opts, abort: AbortWatch::new(Some(signal)) };
        PagesAhead { query, started: RefCell::default(), next_to_start: Cell::new(first), reading: Cell::new(first), total: Cell::new(None), stop, writer: writer.map(RefCell::new), done: Cell::new(false) }
    }

    /// The next page to read, in order (from `opts.page`): the reader's place, moved past it.
    pub fn take_page(&self) -> u32 {
        let page = self.reading.get();
        self.reading.set(page + 1);
        page
    }

    pub fn query(&self) -> &Query {
        &self.query
    }

    /// Page `page` was answered (with `status`) with `count` events, telling `total`
    /// (when it did): the pages after it that exist are requested now, as far as the
    /// window allows, while its reader works through it. Whether more pages follow (the
    /// core's `more_pages`); an unexpected answer when the total differs from the first
    /// one told or the page is not as asked (one error made here for both readers).
    pub fn answered(self: &Rc<Self>, page: u32, count: usize, total: Option<f64>, status: u16) -> Result<bool, Failure> {
        let more = match same_result(self.total.get(), total) {
            Ok(()) => {
                if self.total.get().is_none() {
                    self.total.set(total);
                }
                self.start_ahead(page);
                more_pages(page, self.query.opts.page_size, count, total)
            }
            Err(why) => Err(why),
        };
        more.map_err(|why| unexpected(status, why))
    }

    /// The answer for `page` (pages are asked for in order), requested now unless it
    /// was requested ahead; the pages after it are requested as far as the window and
    /// the known total allow. A `poll_fn`, not an async fn (one state machine fewer):
    /// the requests start when it is called, and its callers await it at once.
    pub fn answer(self: &Rc<Self>, page: u32) -> impl Future<Output = Result<Answer, Failure>> + use<> {
        let mut ahead = None;
        {
            let mut started = self.started.borrow_mut();
            // The pages before `page` dropped, `page` itself taken if it was requested
            // ahead, the later ones put back in order: a loop over the few taken out
            // (not `retain`, nor `remove(0)` with its panic message, each compiled for
            // this element type alone), by reference (an `IntoIter` would compile its
            // own drop): their slots cloned, the old list dropped whole.
            let taken = core::mem::take(&mut *started);
            for (p, slot) in &taken {
                if *p == page {
                    ahead = Some(slot.clone());
                } else if *p > page {
                    started.push((*p, slot.clone()));
                }
            }
        }
        let slot = ahead.unwrap_or_else(|| {
            self.next_to_start.set(self.next_to_start.get().max(page + 1));
            self.start(page)
        });
        self.start_ahead(page);
        poll_fn(move |cx| match slot.answer.take() {
            Some(answer) => Poll::Ready(answer),
            None => {
                slot.waiting.set(Some(cx.waker().clone()));
                Poll::Pending
            }
        })
    }

    fn start_ahead(self: &Rc<Self>, reading: u32) {
        let Some(total) = self.total.get() else { return };
        loop {
            let page = self.next_to_start.get();
            if page > reading.saturating_add(QUERY_PAGES_AHEAD) || !page_exists(page, self.query.opts.page_size, total) {
                return;
            }
            let slot = self.start(page);
            self.started.borrow_mut().push((page, slot));
            self.next_to_start.set(page + 1);
        }
    }

    fn start(self: &Rc<Self>, page: u32) -> Rc<Slot> {
        let slot = Rc::new(Slot::default());
        let (pages, filled) = (self.clone(), slot.clone());
        // Run as the methods' Promises are (its Promise, always resolved, is dropped):
        // `spawn_local` on a future type of its own compiled the executor's task code
        // a second time.
        let _ = super::js::promise(async move {
            // `POST /events/query` for this page, as text (the page is in the URL: the
            // query's options are given as they are, not cloned with it).
            let query = &pages.query;
            let url = request::query_url(&query.session.config.events_url, page, query.opts.page_size);
            let answer = plain_call(&query.session, Method::Post, &url, Some(&query.body), &query.opts, &query.abort, &super::call::no_report).await.result;
            // Over a `None`, which `set` would drop (its drop glue, for nothing).
            core::mem::forget(filled.answer.replace(Some(answer)));
            if let Some(waker) = filled.waiting.take() {
                waker.wake();
            }
            Ok(JsValue::UNDEFINED)
        });
        slot
    }
}
