//! `RefCell` for the wasm, whose borrow conflict traps at once. core's `borrow_mut`
//! panics instead, and each of the ~35 borrows wrote the panic's location and
//! arguments before our handler trapped: 317 B of gzipped wasm (docs/size.md, step
//! 45). A conflict is a bug either way; the trap is what our panic handler did.

use core::cell::{self, Ref, RefMut};

#[derive(Default)]
pub struct RefCell<T>(cell::RefCell<T>);

impl<T> RefCell<T> {
    pub const fn new(value: T) -> Self {
        RefCell(cell::RefCell::new(value))
    }

    #[inline]
    pub fn borrow(&self) -> Ref<'_, T> {
        self.0.try_borrow().unwrap_or_else(|_| trap())
    }

    #[inline]
    pub fn borrow_mut(&self) -> RefMut<'_, T> {
        self.0.try_borrow_mut().unwrap_or_else(|_| trap())
    }
}

/// A bug's trap, as a panic would be, without a message (scripts/trap-panics.mjs).
#[cold]
pub fn trap() -> ! {
    core::arch::wasm32::unreachable()
}
