//! `thread_local!` without std: a value made on first use, for the wasm's one thread.

use core::cell::OnceCell;

#[cfg(target_feature = "atomics")]
compile_error!("`Local` assumes one thread: a wasm built with atomics may have several");

/// A static made by `init` on first use (as `thread_local!`'s lazy initialisation).
pub struct Local<T> {
    value: OnceCell<T>,
    init: fn() -> T,
}

// SAFETY: a wasm without atomics has one thread, so no value is ever shared across threads.
unsafe impl<T> Sync for Local<T> {}

impl<T> Local<T> {
    pub const fn new(init: fn() -> T) -> Local<T> {
        Local { value: OnceCell::new(), init }
    }

    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        f(self.value.get_or_init(self.init))
    }
}
