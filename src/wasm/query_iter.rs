//! `queryAll`: an async iterator over every matching event, one page at a time, the
//! next page fetched while the caller works through the current one. It behaves as
//! an async generator does: a bad argument rejects the first `next()`; `return()`
//! (a `break` out of `for await`) and `throw()` end it and abort the page request in
//! flight.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures_util::lock::Mutex;
use js_sys::{Array, JsString, Object, Promise, Reflect, Symbol};
use wasm_bindgen::prelude::*;

use crate::contract::{ITEMS_FIELD, TOTAL_FIELD};

use web_sys::AbortController;

use super::abort::{linked, AbortWatch};
use super::errors::ClientError;
use super::js::{get, Obj};
use super::options::QueryOptions;
use super::session::{query_page, Session};

struct Cursor {
    page: u32,
    items: Array,
    next_item: u32,
    seen: f64,
    last_page_fetched: bool,
    done: bool,
    /// The next page, already requested: a Promise that never rejects (it resolves
    /// to `{ ok, value }`), so that an iteration left early leaves no unhandled rejection.
    prefetched: Option<Promise>,
}

struct State {
    inner: Rc<Session>,
    body: JsString,
    opts: QueryOptions,
    /// Fires with the caller's signal, or when `return()`/`throw()` end the iteration.
    abort: AbortWatch,
    stop: AbortController,
    cursor: RefCell<Cursor>,
    /// Calls to `next()` may overlap; they are served one at a time.
    serving: Mutex<()>,
    /// Calls that went the slow way and have not answered yet.
    waiting: Cell<u32>,
}

/// A plain object with `next`, `return`, `throw` and `[Symbol.asyncIterator]`.
pub fn iterator(inner: Rc<Session>, prepared: Result<(JsString, QueryOptions), ClientError>) -> JsValue {
    let (body, opts) = match prepared {
        Ok(prepared) => prepared,
        Err(refused) => return refusing(refused),
    };
    let (stop, signal) = linked(opts.signal.as_ref());
    let state = Rc::new(State {
        inner,
        body,
        abort: AbortWatch::new(Some(signal)),
        stop,
        opts,
        cursor: RefCell::new(Cursor {
            page: 0,
            items: Array::new(),
            next_item: 0,
            seen: 0.0,
            last_page_fetched: false,
            done: false,
            prefetched: None,
        }),
        serving: Mutex::new(()),
        waiting: Cell::new(0),
    });
    let s = state.clone();
    let next_fn = Next::new(move || {
        // Fast path, most calls: the page at hand still has items and no earlier call
        // is still waiting (answers must keep the order of the calls).
        if s.waiting.get() == 0 {
            if let Some(item) = take_buffered(&s) {
                return Promise::resolve(&item);
            }
        }
        s.waiting.set(s.waiting.get() + 1);
        let s = s.clone();
        super::js::promise(async move {
            let result = next(&s).await;
            s.waiting.set(s.waiting.get() - 1);
            result
        })
    });
    let s = state.clone();
    let return_fn = Finish::new(move |value: JsValue| {
        end(&s);
        Promise::resolve(&JsValue::from(Obj::new().set("done", true).set("value", value)))
    });
    let throw_fn = Finish::new(move |error: JsValue| {
        end(&state);
        Promise::reject(&error)
    });
    protocol(next_fn, return_fn, throw_fn)
}

type Next = Closure<dyn Fn() -> Promise>;
type Finish = Closure<dyn Fn(JsValue) -> Promise>;

/// The async iterator protocol's object over these three methods.
fn protocol(next: Next, return_: Finish, throw: Finish) -> JsValue {
    let it = Object::new();
    let me = it.clone();
    let iterator_fn = Closure::<dyn Fn() -> JsValue>::new(move || me.clone().into());
    let _ = Reflect::set(&it, &"next".into(), &next.into_js_value());
    let _ = Reflect::set(&it, &"return".into(), &return_.into_js_value());
    let _ = Reflect::set(&it, &"throw".into(), &throw.into_js_value());
    let _ = Reflect::set(&it, &Symbol::async_iterator(), &iterator_fn.into_js_value());
    it.into()
}

/// The iterator of a call with a bad argument: its first `next()` rejects with it.
fn refusing(refused: ClientError) -> JsValue {
    let pending = Rc::new(RefCell::new(Some(refused)));
    let p = pending.clone();
    let next_fn = Next::new(move || match p.borrow_mut().take() {
        Some(e) => Promise::reject(&e.into_js()),
        None => Promise::resolve(&finished()),
    });
    let return_fn = Finish::new(move |value: JsValue| {
        pending.borrow_mut().take();
        Promise::resolve(&JsValue::from(Obj::new().set("done", true).set("value", value)))
    });
    protocol(next_fn, return_fn, Finish::new(|error: JsValue| Promise::reject(&error)))
}

/// Ends the iteration: no more pages, and the one in flight is aborted.
fn end(s: &State) {
    let mut c = s.cursor.borrow_mut();
    c.done = true;
    c.prefetched = None;
    drop(c);
    s.stop.abort();
}

fn finished() -> JsValue {
    Obj::new().set("done", true).set("value", JsValue::UNDEFINED).into()
}

/// `{ done: false, value }` for the next item of the page at hand, if any.
fn take_item(c: &mut Cursor) -> Option<JsValue> {
    if c.done || c.next_item >= c.items.length() {
        return None;
    }
    let item = c.items.get(c.next_item);
    c.next_item += 1;
    // Once per event: reuse the key strings rather than make them anew each time.
    let step = Object::new();
    STEP_KEYS.with(|(done, value)| {
        let _ = Reflect::set(&step, done, &JsValue::FALSE);
        let _ = Reflect::set(&step, value, &item);
    });
    Some(step.into())
}

thread_local! {
    static STEP_KEYS: (JsValue, JsValue) = (JsValue::from_str("done"), JsValue::from_str("value"));
}

fn take_buffered(s: &State) -> Option<JsValue> {
    take_item(&mut s.cursor.borrow_mut())
}

async fn next(s: &Rc<State>) -> Result<JsValue, JsValue> {
    let _one_at_a_time = s.serving.lock().await;
    loop {
        let (page, prefetched) = {
            let mut c = s.cursor.borrow_mut();
            if c.done {
                return Ok(finished());
            }
            if let Some(item) = take_item(&mut c) {
                return Ok(item);
            }
            if c.last_page_fetched {
                c.done = true;
                continue;
            }
            (c.page, c.prefetched.take())
        };
        let answer = match prefetched {
            Some(p) => unwrap_settled(wasm_bindgen_futures::JsFuture::from(p).await?),
            None => fetch_page(s, page).await,
        };
        // A `return()` while this call waited ended the iteration: it ends quietly.
        if s.cursor.borrow().done {
            return Ok(finished());
        }
        let answer = answer?;
        let items: Array = get(&answer, ITEMS_FIELD).into();
        let total = get(&answer, TOTAL_FIELD).as_f64();
        let mut c = s.cursor.borrow_mut();
        c.seen += items.length() as f64;
        c.last_page_fetched = items.length() < s.opts.page_size || total.is_some_and(|t| c.seen >= t);
        c.page += 1;
        c.items = items;
        c.next_item = 0;
        if !c.last_page_fetched {
            c.prefetched = Some(prefetch(s.clone(), c.page));
        }
    }
}

async fn fetch_page(s: &State, page: u32) -> Result<JsValue, JsValue> {
    let opts = QueryOptions { page, ..s.opts.clone() };
    query_page(&s.inner, &s.body, &opts, &s.abort).await.map_err(ClientError::into_js)
}

/// Starts fetching `page` now; the Promise resolves to `{ ok: true, value }` or
/// `{ ok: false, value: error }`.
fn prefetch(s: Rc<State>, page: u32) -> Promise {
    super::js::promise(async move {
        let settled = match fetch_page(&s, page).await {
            Ok(v) => Obj::new().set("ok", true).set("value", v),
            Err(e) => Obj::new().set("ok", false).set("value", e),
        };
        Ok(settled.into())
    })
}

fn unwrap_settled(settled: JsValue) -> Result<JsValue, JsValue> {
    let value = get(&settled, "value");
    if get(&settled, "ok").as_bool() == Some(true) {
        Ok(value)
    } else {
        Err(value)
    }
}
