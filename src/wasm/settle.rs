//! A Promise awaited from Rust. What wasm-bindgen-futures' `JsFuture` does (two
//! callbacks, each called at most once, that store the result and wake the task, freed
//! when the Promise settles), with `Cell`s rather than a `RefCell` and without
//! `JsFuture`'s `assert!`s: 194 B less gzipped wasm (docs/size.md, step 45), and the
//! crate is no longer a dependency of the wasm (the tests still await with it).

use alloc::rc::Rc;
use core::cell::Cell;
use core::future::Future;
use core::mem::ManuallyDrop;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use js_sys::Promise;
use wasm_bindgen::prelude::*;

type Callback = Closure<dyn FnMut(JsValue)>;

/// Each field a `Cell` whose value is taken or set whole: no borrow to check.
#[derive(Default)]
struct State {
    result: Cell<Option<Result<JsValue, JsValue>>>,
    waker: Cell<Option<Waker>>,
    /// Held until the Promise settles: they hold this state (a cycle the settling breaks).
    /// So the state is never dropped with them here: `ManuallyDrop`, no drop glue for
    /// them in the state's; `settle` drops them.
    callbacks: Cell<Option<ManuallyDrop<(Callback, Callback)>>>,
}

/// The Promise's result: `Ok` when fulfilled, `Err` with the reason when rejected.
/// Dropped early, the callbacks stay until the Promise settles (a rejection is then
/// handled, not reported as unhandled).
pub struct Settled(Rc<State>);

impl From<Promise> for Settled {
    fn from(promise: Promise) -> Settled {
        let state = Rc::new(State::default());
        let on = |fulfilled: bool| {
            let state = state.clone();
            // `new`, not `once`: a Promise calls a reaction at most once, and `once`'s
            // wrapper (an `Option` taken at the call) is code of its own (76 B gzipped).
            // Dropped by `settle` during its own call, the glue frees it after the call.
            Closure::new(move |value: JsValue| settle(&state, if fulfilled { Ok(value) } else { Err(value) }))
        };
        let (resolve, reject) = (on(true), on(false));
        let _ = promise.then2(&resolve, &reject);
        // Over a `None`, which `set` would drop (its drop glue, for nothing).
        core::mem::forget(state.callbacks.replace(Some(ManuallyDrop::new((resolve, reject)))));
        Settled(state)
    }
}

fn settle(state: &State, result: Result<JsValue, JsValue>) {
    // Over a `None` (a Promise settles once), which `set` would drop (its drop glue, for nothing).
    core::mem::forget(state.result.replace(Some(result)));
    let (callbacks, waker) = (state.callbacks.take(), state.waker.take());
    if let Some(callbacks) = callbacks {
        drop(ManuallyDrop::into_inner(callbacks));
    }
    if let Some(waker) = waker {
        waker.wake();
    }
}

impl Future for Settled {
    type Output = Result<JsValue, JsValue>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.0.result.take() {
            Some(result) => Poll::Ready(result),
            None => {
                self.0.waker.set(Some(cx.waker().clone()));
                Poll::Pending
            }
        }
    }
}
