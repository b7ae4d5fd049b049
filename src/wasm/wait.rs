//! Waiting on several things at once, fitted to our use: a timer, the chunks in
//! flight, and a slot for a request. futures-util's `select`, `FuturesUnordered` and gloo-timers did the same for
//! ~4 KB more wasm (generic code per future type, atomics and wakers for threads that
//! wasm does not have). A wait on whichever of a few futures ends first is a `poll_fn`
//! at its one caller, polling them in order of precedence: one `.await`, and no
//! `select`-like helper compiled per pair of output types (docs/size.md, step 38).

use crate::prelude::*;
use super::cell::RefCell;
use core::cell::Cell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use super::settle::Settled;

/// A boxed future: one type however it was made, so code over it is compiled once.
pub type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(timer: &JsValue);
}

/// Resolves after `ms` (the JS timer); dropped early, it clears the timer, so that a
/// pending timeout does not keep Node's event loop alive, and settles its Promise: a
/// `Settled` (settle.rs, as wasm-bindgen-futures' `JsFuture`) frees its callbacks (and the waker they hold, with the task's result)
/// only when its Promise settles, and every request's timeout leaked them (a load
/// review: two closures a request).
pub struct Sleep {
    timer: JsValue,
    /// The Promise's `resolve` (set by its executor, which runs at once).
    resolve: Function,
    done: Settled,
}

impl Sleep {
    /// `ms` up to `i32::MAX` (every caller's delay is bounded below it).
    pub fn new(ms: u32) -> Sleep {
        let (mut timer, mut resolve_it) = (JsValue::UNDEFINED, JsValue::UNDEFINED.unchecked_into());
        let done = Promise::new(&mut |resolve, _| {
            timer = set_timeout(&resolve, ms as i32);
            resolve_it = resolve;
        });
        Sleep { timer, resolve: resolve_it, done: Settled::from(done) }
    }
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.done).poll(cx).map(|_| ())
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        clear_timeout(&self.timer);
        let _ = self.resolve.call0(&JsValue::UNDEFINED);
    }
}

/// Futures in flight, each polled in turn when any may have progressed: a handful at
/// a time (the upload's concurrency), so polling them all costs less than tracking
/// which one woke.
pub struct InFlight<'a, T> {
    running: Vec<Boxed<'a, T>>,
}

impl<'a, T> InFlight<'a, T> {
    pub fn new() -> Self {
        InFlight { running: Vec::new() }
    }

    pub fn push(&mut self, f: Boxed<'a, T>) {
        self.running.push(f);
    }

    pub fn len(&self) -> usize {
        self.running.len()
    }

    pub fn is_empty(&self) -> bool {
        self.running.is_empty()
    }

    /// The output of the next one to finish; `None` when none is in flight.
    pub fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        if self.running.is_empty() {
            return Poll::Ready(None);
        }
        for i in 0..self.running.len() {
            if let Poll::Ready(v) = self.running[i].as_mut().poll(cx) {
                drop(self.running.swap_remove(i));
                return Poll::Ready(Some(v));
            }
        }
        Poll::Pending
    }
}

/// The tasks waiting for something (an upload's slot, the caller's abort), woken all
/// at once: one waker a task (a task polled again replaces its own).
#[derive(Default)]
pub struct Wakers(RefCell<Vec<Waker>>);

impl Wakers {
    pub fn register(&self, waker: &Waker) {
        let mut wakers = self.0.borrow_mut();
        match wakers.iter_mut().find(|w| w.will_wake(waker)) {
            Some(w) => w.clone_from(waker),
            None => wakers.push(waker.clone()),
        }
    }

    pub fn wake_all(&self) {
        // By reference, then dropped: an `IntoIter<Waker>` would compile its own drop.
        let wakers = core::mem::take(&mut *self.0.borrow_mut());
        for w in &wakers {
            w.wake_by_ref();
        }
    }
}

/// Requests out at once, held to a limit that changes while they are out: a `429`
/// halves an upload's concurrency while its chunks are in flight, and their retries
/// must wait for a slot too, or the requests out would not drop at all.
pub struct Slots {
    limit: Cell<usize>,
    busy: Cell<usize>,
    waiting: Wakers,
}

/// A request's slot, given back when dropped (the request answered or given up);
/// `None` for a call that no upload limits.
pub struct Held<'a>(Option<&'a Slots>);

/// Waits for a slot of `slots`, if any: resolves once fewer requests than the limit
/// are out. A `Future` of its own (not an `async fn`): no state machine around it.
pub struct Enter<'a>(pub Option<&'a Slots>);

impl<'a> Future for Enter<'a> {
    type Output = Held<'a>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Held<'a>> {
        let Some(slots) = self.0 else { return Poll::Ready(Held(None)) };
        if slots.busy.get() < slots.limit.get() {
            slots.busy.set(slots.busy.get() + 1);
            return Poll::Ready(Held(Some(slots)));
        }
        slots.waiting.register(cx.waker());
        Poll::Pending
    }
}

impl Slots {
    pub fn new(limit: usize) -> Slots {
        Slots { limit: Cell::new(limit), busy: Cell::new(0), waiting: Wakers::default() }
    }

    pub fn limit(&self) -> usize {
        self.limit.get()
    }

    pub fn set_limit(&self, limit: usize) {
        self.limit.set(limit);
        self.waiting.wake_all();
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if let Some(slots) = self.0 {
            slots.busy.set(slots.busy.get() - 1);
            slots.waiting.wake_all();
        }
    }
}
