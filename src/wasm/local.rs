//! `thread_local!` without std: a value made on first use, for the wasm's one thread.

use core::cell::UnsafeCell;

#[cfg(target_feature = "atomics")]
compile_error!("`Local` assumes one thread: a wasm built with atomics may have several");

/// A static made by `init` on first use (as `thread_local!`'s lazy initialisation).
pub struct Local<T> {
    value: UnsafeCell<Option<T>>,
    init: fn() -> T,
}

// SAFETY: a wasm without atomics has one thread, so no value is ever shared across threads.
unsafe impl<T> Sync for Local<T> {}

impl<T> Local<T> {
    pub const fn new(init: fn() -> T) -> Local<T> {
        Local { value: UnsafeCell::new(None), init }
    }

    /// The value, made now if this is its first use. Compiled once per `T` (a `with`
    /// taking a closure was compiled once per closure: each use's code twice over).
    pub fn get(&'static self) -> &'static T {
        // Not `OnceCell::get_or_init`: its `try_init` (with its reentrancy panic) was
        // compiled once per `T`. No `init` reads its own `Local`.
        let slot = self.value.get();
        // SAFETY: one thread, and no reference into `slot` is held across `init`; the
        // slot is still `None` after `init` (which does not read its own `Local`), so
        // writing over it leaks nothing; once set, the value is never replaced nor moved
        // (the `Local` is a static), so the `&T` stays valid for ever.
        unsafe {
            if (*slot).is_none() {
                let value = (self.init)();
                // Written over the `None` without dropping it: an assignment would drop
                // the old value, code compiled per `T` for a `None` that has nothing to drop.
                slot.write(Some(value));
            }
            (*slot).as_ref().unwrap_unchecked()
        }
    }
}
