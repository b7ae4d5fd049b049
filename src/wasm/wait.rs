//! Waiting on several things at once, fitted to our use: a timer, and the chunks in
//! flight. futures-util's `select`, `FuturesUnordered` and gloo-timers did the same for
//! ~4 KB more wasm (generic code per future type, atomics and wakers for threads that
//! wasm does not have). A wait on whichever of a few futures ends first is a `poll_fn`
//! at its one caller, polling them in order of precedence: one `.await`, and no
//! `select`-like helper compiled per pair of output types (docs/size.md, step 38).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

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
/// pending timeout does not keep Node's event loop alive.
pub struct Sleep {
    timer: JsValue,
    done: JsFuture,
}

impl Sleep {
    /// `ms` up to `i32::MAX` (every caller's delay is bounded below it).
    pub fn new(ms: u32) -> Sleep {
        let mut timer = JsValue::UNDEFINED;
        let done = Promise::new(&mut |resolve, _| timer = set_timeout(&resolve, ms as i32));
        Sleep { timer, done: JsFuture::from(done) }
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
