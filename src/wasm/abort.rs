//! The caller's `AbortSignal`, watched once per operation.

use crate::prelude::*;
use core::cell::Cell;
use core::future::{poll_fn, Future};
use core::pin::Pin;
use alloc::rc::Rc;
use core::task::{Context, Poll};

use wasm_bindgen::prelude::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use web_sys::{AbortController, AbortSignal, AddEventListenerOptions};

use super::errors::{ClientError, Failure};
use super::wait::{Sleep, Wakers};

/// One listener on the caller's signal per operation (not one per request: Node
/// warns past ten listeners on a signal), removed when the operation ends; its
/// waiters share one flag and their wakers. Not a `Settled` per waiter on a Promise
/// the listener resolves: a `Settled` frees its callbacks only when its Promise
/// settles, which an unaborted signal's never does, and each request leaked two
/// closures and, through their waker, the call's whole result (a load review).
pub struct AbortWatch {
    signal: Option<AbortSignal>,
    /// Made with or without a signal (without one, nothing fires it, and its waiters'
    /// wakers stay until the operation ends, as with a signal that never fires): one
    /// type, not an `Option` tested at each wait.
    watch: Rc<Watch>,
    /// The listener on `signal`, kept to be removed (`Drop`). A JS function that owns
    /// its closure (freed when it is collected) and holds the watch weakly: a polyfill
    /// signal that cannot remove it may still call it after the call ended, harmlessly.
    listener: Option<JsValue>,
}

#[derive(Default)]
struct Watch {
    fired: Cell<bool>,
    wakers: Wakers,
}

impl Watch {
    fn fire(&self) {
        self.fired.set(true);
        self.wakers.wake_all();
    }
}

impl AbortWatch {
    pub fn new(signal: Option<AbortSignal>) -> AbortWatch {
        let watch = Rc::new(Watch::default());
        let mut listener = None;
        if let Some(s) = &signal {
            if s.aborted() {
                watch.fired.set(true);
            } else {
                let w = Rc::downgrade(&watch);
                // The event ignored: taken as a `JsValue`, the type of every closure here (its glue once).
                let fire = Closure::<dyn FnMut(JsValue)>::new(move |_| {
                    if let Some(w) = w.upgrade() {
                        w.fire();
                    }
                })
                .into_js_value();
                listen_once(s, &fire);
                listener = Some(fire);
            }
        }
        AbortWatch { signal, watch, listener }
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
        match &self.signal {
            Some(s) => s.reason(),
            None => JsValue::UNDEFINED,
        }
    }

    /// Resolves when the signal fires; never without a signal.
    pub fn fired(&self) -> Fired<'_> {
        Fired(&self.watch)
    }
}

impl Drop for AbortWatch {
    fn drop(&mut self) {
        if let (Some(s), Some(fire)) = (&self.signal, &self.listener) {
            unlisten(s, fire);
        }
    }
}

/// The signal firing, as a future (`AbortWatch::fired`).
pub struct Fired<'a>(&'a Watch);

impl Future for Fired<'_> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let watch = self.0;
        if watch.fired.get() {
            return Poll::Ready(());
        }
        watch.wakers.register(cx.waker());
        Poll::Pending
    }
}

/// A signal of our own that fires when the caller's does (with its reason) or when we
/// abort the controller: `queryAll`'s `return()` stops the page request in flight. The
/// forwarding listener on the caller's signal is removed when this is dropped (a
/// long-lived signal would otherwise gather one per query).
pub struct Linked {
    pub controller: AbortController,
    /// The caller's signal and the forwarding function (owning its closure, as
    /// `AbortWatch`'s listener does: safe to call late). A `Cell`, taken whole: no borrow to check.
    forward: Cell<Option<(AbortSignal, JsValue)>>,
}

impl Linked {
    /// Removes the listener from the caller's signal: the work is over (an export's
    /// stream, done, may stay reachable long after).
    pub fn release(&self) {
        if let Some((caller, forward)) = self.forward.take() {
            unlisten(&caller, &forward);
        }
    }
}

impl Drop for Linked {
    fn drop(&mut self) {
        self.release();
    }
}

/// `f` listens once for `signal`'s abort: `{ once: true }` set through `Obj` (no setter
/// import of its own), one place for both listeners.
fn listen_once(signal: &AbortSignal, f: &JsValue) {
    let once: AddEventListenerOptions = super::js::Obj::new().set("once", true).build().unchecked_into();
    let _ = signal.add_event_listener_with_callback_and_add_event_listener_options("abort", f.unchecked_ref(), &once);
}

/// Removes a listener `listen_once` added (one place for both).
fn unlisten(signal: &AbortSignal, f: &JsValue) {
    let _ = signal.remove_event_listener_with_callback("abort", f.unchecked_ref());
}

pub fn linked(caller: Option<&AbortSignal>) -> (Linked, AbortSignal) {
    // Every supported runtime has AbortController; if not, a trap, as a panic would be
    // (a message would be dead data: scripts/trap-panics.mjs).
    let controller = AbortController::new().unwrap_or_else(|_| super::cell::trap());
    let mut forward = None;
    if let Some(caller) = caller {
        if caller.aborted() {
            controller.abort_with_reason(&caller.reason());
        } else {
            let (ours, theirs) = (controller.clone(), caller.clone());
            let forwarding = Closure::<dyn FnMut(JsValue)>::new(move |_| ours.abort_with_reason(&theirs.reason())).into_js_value();
            listen_once(caller, &forwarding);
            forward = Some((caller.clone(), forwarding));
        }
    }
    let signal = controller.signal();
    (Linked { controller, forward: Cell::new(forward) }, signal)
}

/// Reads an `AbortSignal` option: anything with a boolean `aborted` and an
/// `addEventListener` method (polyfills included).
pub fn as_signal(v: &wasm_bindgen::JsValue) -> Option<AbortSignal> {
    let aborted = super::js::get(v, "aborted");
    let listen = super::js::get(v, "addEventListener");
    (aborted.as_bool().is_some() && listen.is_function()).then(|| v.clone().unchecked_into())
}

/// Sleeps `ms`, or less when the signal fires first; says whether it fired.
/// A `poll_fn` itself, not an async fn around one (one state machine fewer); the
/// timer starts when it is called, at once awaited by its callers.
pub fn sleep_unless_aborted(ms: u64, abort: &AbortWatch) -> impl Future<Output = bool> + '_ {
    let (mut sleep, mut fired) = (Sleep::new(ms.min(u32::MAX as u64) as u32), abort.fired());
    poll_fn(move |cx| match Pin::new(&mut sleep).poll(cx) {
        Poll::Ready(()) => Poll::Ready(abort.is_aborted()),
        Poll::Pending => Pin::new(&mut fired).poll(cx).map(|()| true),
    })
}
