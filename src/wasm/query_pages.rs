//! The pages of one query, for `queryAll`: the face's async generator asks for one
//! page at a time (and for the next one ahead, while its caller works through the
//! current one); this side keeps the page number and says whether another page
//! follows (the core's `more_pages`, as `exportEvents` decides it).

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, JsString, Promise};
use wasm_bindgen::prelude::*;
use web_sys::AbortController;

use crate::contract::{ITEMS_FIELD, TOTAL_FIELD};
use crate::core::export::more_pages;

use super::abort::{linked, AbortWatch};
use super::js::{get, Obj};
use super::options::QueryOptions;
use super::session::{query_page, Session};

/// The pages of a query, fetched in order by `next()`; `stop()` aborts the one in flight.
#[wasm_bindgen]
pub struct QueryPages {
    state: Rc<State>,
}

struct State {
    session: Rc<Session>,
    body: JsString,
    opts: QueryOptions,
    /// Fires with the caller's signal, or when `stop()` is called.
    abort: AbortWatch,
    stop: AbortController,
    next_page: Cell<u32>,
}

impl QueryPages {
    pub(super) fn new(session: Rc<Session>, body: JsString, opts: QueryOptions) -> QueryPages {
        let (stop, signal) = linked(opts.signal.as_ref());
        let state = State {
            session,
            body,
            opts,
            abort: AbortWatch::new(Some(signal)),
            stop,
            next_page: Cell::new(0),
        };
        QueryPages { state: Rc::new(state) }
    }
}

#[wasm_bindgen]
impl QueryPages {
    /// The next page: resolves `{ items, more }`, `more` false when it was the last.
    pub fn next(&self) -> Promise {
        let s = self.state.clone();
        let page = s.next_page.get();
        s.next_page.set(page + 1);
        super::js::promise(async move {
            let opts = QueryOptions { page, ..s.opts.clone() };
            let answer = query_page(&s.session, &s.body, &opts, &s.abort).await?;
            let items: Array = get(&answer, ITEMS_FIELD).into();
            let total = get(&answer, TOTAL_FIELD).as_f64();
            let more = more_pages(page, s.opts.page_size, items.length() as usize, total);
            Ok(Obj::new().set(ITEMS_FIELD, items).set("more", more).into())
        })
    }

    /// Ends the iteration: the page request in flight is aborted.
    pub fn stop(&self) {
        self.state.stop.abort();
    }
}
