//! The caller's `AbortSignal`, watched once per operation.

use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::task::{Context, Poll};

use js_sys::{Function, Promise};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen::JsValue;
use web_sys::{AbortController, AbortSignal, AddEventListenerOptions};

use super::errors::{ClientError, Failure};
use super::wait::Sleep;

/// One listener on the caller's signal per operation (not one per request: Node
/// warns past ten listeners on a signal); every waiter shares its promise.
pub struct AbortWatch {
    signal: Option<AbortSignal>,
    fired: Option<Promise>,
}

impl AbortWatch {
    pub fn new(signal: Option<AbortSignal>) -> AbortWatch {
        let fired = signal.as_ref().map(|s| {
            let s = s.clone();
            Promise::new(&mut |resolve: Function, _reject| {
                if s.aborted() {
                    let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
                } else {
                    let opts = AddEventListenerOptions::new();
                    opts.set_once(true);
                    let _ = s.add_event_listener_with_callback_and_add_event_listener_options(
                        "abort", &resolve, &opts,
                    );
                }
            })
        });
        AbortWatch { signal, fired }
    }

    pub fn is_aborted(&self) -> bool {
        self.signal.as_ref().is_some_and(|s| s.aborted())
    }

    /// The `AbortError` of this operation: its `cause` is the signal's `reason` (a
    /// `TimeoutError` `DOMException` for `AbortSignal.timeout()`, say).
    pub fn error(&self) -> Failure {
        Box::new(ClientError::Aborted { reason: self.reason() })
    }

    /// The signal's `reason` (`undefined` without a signal).
    pub fn reason(&self) -> JsValue {
        self.signal.as_ref().map(|s| s.reason()).unwrap_or(JsValue::UNDEFINED)
    }

    /// Resolves when the signal fires; never without a signal.
    pub fn fired(&self) -> Fired {
        Fired(self.fired.as_ref().map(|p| JsFuture::from(p.clone())))
    }
}

/// The signal firing, as a future (`AbortWatch::fired`).
pub struct Fired(Option<JsFuture>);

impl Future for Fired {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.0 {
            Some(fired) => Pin::new(fired).poll(cx).map(|_| ()),
            None => Poll::Pending,
        }
    }
}

/// A signal of our own that fires when the caller's does (with its reason) or when we
/// abort the controller: `queryAll`'s `return()` stops the page request in flight.
pub fn linked(caller: Option<&AbortSignal>) -> (AbortController, AbortSignal) {
    // A panic without the JS error's Debug text: that would link wasm-bindgen's debug formatting.
    let controller = AbortController::new().unwrap_or_else(|_| panic!("AbortController is a global of every supported runtime"));
    if let Some(caller) = caller {
        if caller.aborted() {
            controller.abort_with_reason(&caller.reason());
        } else {
            let (ours, theirs) = (controller.clone(), caller.clone());
            let forward = wasm_bindgen::closure::Closure::once_into_js(move || ours.abort_with_reason(&theirs.reason()));
            let opts = AddEventListenerOptions::new();
            opts.set_once(true);
            let _ = caller.add_event_listener_with_callback_and_add_event_listener_options(
                "abort",
                forward.unchecked_ref(),
                &opts,
            );
        }
    }
    let signal = controller.signal();
    (controller, signal)
}

/// Reads an `AbortSignal` option: anything with a boolean `aborted` and an
/// `addEventListener` method (polyfills included).
pub fn as_signal(v: &wasm_bindgen::JsValue) -> Option<AbortSignal> {
    let aborted = super::js::get(v, "aborted");
    let listen = super::js::get(v, "addEventListener");
    (aborted.as_bool().is_some() && listen.is_function()).then(|| v.clone().unchecked_into())
}

/// Sleeps `ms`, or less when the signal fires first; says whether it fired.
pub async fn sleep_unless_aborted(ms: u64, abort: &AbortWatch) -> bool {
    let (mut sleep, mut fired) = (pin!(Sleep::new(ms.min(u32::MAX as u64) as u32)), pin!(abort.fired()));
    poll_fn(|cx| match sleep.as_mut().poll(cx) {
        Poll::Ready(()) => Poll::Ready(abort.is_aborted()),
        Poll::Pending => fired.as_mut().poll(cx).map(|()| true),
    })
    .await
}
