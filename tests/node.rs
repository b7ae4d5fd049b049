//! The client compiled to wasm, run in Node 20 against a real emulator process
//! (`make test-wasm-node` starts it and bakes its URL in as EVENTS_EMULATOR_URL).
#![cfg(target_arch = "wasm32")]

mod suite;
