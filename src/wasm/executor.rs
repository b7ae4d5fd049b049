//! The executor under every Promise the engine returns (`js::promise`): the future is
//! a task, polled in a microtask each time it is woken, and its result settles the
//! Promise. wasm-bindgen-futures' executor (`future_to_promise`, `spawn_local`) works
//! the same way, and this one keeps its order: a task is first polled in a microtask,
//! not when it is made; the tasks woken before a microtask runs are polled in it, in
//! the order they were woken; a task woken meanwhile waits for the next microtask;
//! the future is dropped before its Promise settles. It leaves out what we do not use,
//! for 0.7 KB less gzipped wasm (docs/size.md, step 35): the JSPI path (a second task
//! type, compiled in whether used or not), a `VecDeque` run queue, a task type per
//! future type, the fallback for runtimes without `queueMicrotask` (every runtime the
//! package supports has it).
//!
//! The waker is an `Rc` behind a raw vtable, as wasm-bindgen-futures' is: std's `Wake`
//! needs an `Arc`, and wasm has one thread.

use crate::prelude::*;
use super::local::Local;
use super::cell::RefCell;
use core::cell::Cell;
use core::future::Future;
use core::pin::Pin;
use alloc::rc::Rc;
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

type Job = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = queueMicrotask)]
    fn queue_microtask(run: &Function);
}

/// A future being run, and the Promise it settles.
struct Task {
    /// `None` once it has finished, and while it is polled (taken and put back whole: no
    /// borrow to check).
    job: Cell<Option<Job>>,
    resolve: Function,
    reject: Function,
    /// In the run queue (a wake then adds nothing).
    queued: Cell<bool>,
}

/// The tasks to poll in the next microtask, and whether it is scheduled.
struct Queue {
    ready: RefCell<Vec<Rc<Task>>>,
    scheduled: Cell<bool>,
    /// `run_ready`, its argument ignored: every closure of the wasm takes one `JsValue`
    /// (one closure type, whose glue and shims are compiled once).
    run: Closure<dyn FnMut(JsValue)>,
}

static QUEUE: Local<Queue> =
    Local::new(|| Queue { ready: RefCell::new(Vec::new()), scheduled: Cell::new(false), run: Closure::new(|_| run_ready()) });

/// A Promise settled by `future`'s result, `Ok` resolving it and `Err` rejecting it.
pub fn promise(future: Job) -> Promise {
    let mut job = Some(future);
    Promise::new(&mut |resolve, reject| {
        let task = Task { job: Cell::new(job.take()), resolve, reject, queued: Cell::new(true) };
        schedule(Rc::new(task));
    })
}

fn schedule(task: Rc<Task>) {
    let q = QUEUE.get();
    q.ready.borrow_mut().push(task);
    ask_for_microtask(q);
}

/// The next microtask asked for, unless it is already.
fn ask_for_microtask(q: &Queue) {
    if !q.scheduled.replace(true) {
        queue_microtask(q.run.as_ref().unchecked_ref());
    }
}

/// The microtask: polls the tasks queued before it began. They stay in the queue until
/// each is polled, with the next microtask asked for first: a JS exception thrown
/// through a poll (an import without `catch`, a bug) then loses only its own task, not
/// the others (other calls, other clients) queued with it.
fn run_ready() {
    let q = QUEUE.get();
    q.scheduled.set(false);
    let count = q.ready.borrow().len();
    for _ in 0..count {
        let task = {
            let mut ready = q.ready.borrow_mut();
            if ready.len() > 1 {
                ask_for_microtask(q);
            }
            ready.remove(0)
        };
        run(task);
    }
}

fn run(task: Rc<Task>) {
    // A wake may come after the end (a timer, a late answer): nothing to do then.
    let Some(mut future) = task.job.take() else { return };
    task.queued.set(false);
    // SAFETY: a waker that borrows `task`'s own count (not dropped: it gives none back),
    // used only while `task` lives; its clones take counts of their own (`clone_raw`).
    let waker = core::mem::ManuallyDrop::new(unsafe { Waker::from_raw(RawWaker::new(Rc::as_ptr(&task).cast(), &VTABLE)) });
    let Poll::Ready(result) = future.as_mut().poll(&mut Context::from_waker(&waker)) else {
        // Put back over the `None` it left, which `set` would drop (its drop glue, for nothing).
        core::mem::forget(task.job.replace(Some(future)));
        return;
    };
    // Dropped before its Promise settles, as wasm-bindgen-futures' executor does.
    drop(future);
    let (settle, value) = match &result {
        Ok(value) => (&task.resolve, value),
        Err(reason) => (&task.reject, reason),
    };
    let _ = settle.call1(&JsValue::UNDEFINED, value);
}

fn wake(task: Rc<Task>) {
    if !task.queued.replace(true) {
        schedule(task);
    }
}

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone_raw, wake_raw, wake_by_ref_raw, drop_raw);

// SAFETY (the four below): `ptr` is always an `Rc<Task>`'s pointer. The waker `run`
// makes borrows its task's count and is never dropped nor woken by value (a `Context`
// gives it by reference); every other waker is a clone holding one count: `clone` adds
// one, `wake` and `drop` give it back, `wake_by_ref` leaves it.
unsafe fn clone_raw(ptr: *const ()) -> RawWaker {
    unsafe { Rc::increment_strong_count(ptr.cast::<Task>()) };
    RawWaker::new(ptr, &VTABLE)
}

unsafe fn wake_raw(ptr: *const ()) {
    wake(unsafe { Rc::from_raw(ptr.cast::<Task>()) });
}

unsafe fn wake_by_ref_raw(ptr: *const ()) {
    unsafe { Rc::increment_strong_count(ptr.cast::<Task>()) };
    wake(unsafe { Rc::from_raw(ptr.cast::<Task>()) });
}

unsafe fn drop_raw(ptr: *const ()) {
    drop(unsafe { Rc::from_raw(ptr.cast::<Task>()) });
}
