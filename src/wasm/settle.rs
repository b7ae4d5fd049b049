//! A Promise awaited from Rust. What wasm-bindgen-futures' `JsFuture` does (two
//! one-shot callbacks that store the result and wake the task, freed when the Promise
//! settles), with the wasm's `RefCell` (`cell.rs`) and without `JsFuture`'s
//! `assert!`s: 194 B less gzipped wasm (docs/size.md, step 45), and the crate is no
//! longer a dependency of the wasm (the tests still await with it).

use super::cell::RefCell;
use alloc::rc::Rc;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use js_sys::Promise;
use wasm_bindgen::prelude::*;

type Callback = Closure<dyn FnMut(JsValue)>;

#[derive(Default)]
struct State {
    result: Option<Result<JsValue, JsValue>>,
    waker: Option<Waker>,
    /// Held until the Promise settles: they hold this state (a cycle the settling breaks).
    callbacks: Option<(Callback, Callback)>,
}

/// The Promise's result: `Ok` when fulfilled, `Err` with the reason when rejected.
/// Dropped early, the callbacks stay until the Promise settles (a rejection is then
/// handled, not reported as unhandled).
pub struct Settled(Rc<RefCell<State>>);

impl From<Promise> for Settled {
    fn from(promise: Promise) -> Settled {
        let state = Rc::new(RefCell::new(State::default()));
        let on = |fulfilled: bool| {
            let state = state.clone();
            Closure::once(move |value: JsValue| settle(&state, if fulfilled { Ok(value) } else { Err(value) }))
        };
        let (resolve, reject) = (on(true), on(false));
        let _ = promise.then2(&resolve, &reject);
        state.borrow_mut().callbacks = Some((resolve, reject));
        Settled(state)
    }
}

fn settle(state: &RefCell<State>, result: Result<JsValue, JsValue>) {
    let (callbacks, waker) = {
        let mut state = state.borrow_mut();
        state.result = Some(result);
        (state.callbacks.take(), state.waker.take())
    };
    drop(callbacks);
    if let Some(waker) = waker {
        waker.wake();
    }
}

impl Future for Settled {
    type Output = Result<JsValue, JsValue>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.0.borrow_mut();
        match state.result.take() {
            Some(result) => Poll::Ready(result),
            None => {
                state.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}
