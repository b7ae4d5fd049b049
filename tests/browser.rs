//! The same suite as `node.rs`, in headless Chromium: the requests are cross-origin,
//! so the emulator's CORS answers are exercised too.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod suite;
