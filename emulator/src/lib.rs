//! The local emulator of Genomcore's Events API, as a library: the binary
//! (`src/main.rs`) parses the command line and serves it; the tests use its modules
//! (the agreement tests hold its validator and date parser against the client's).
//!
//! What it shares with the client is the contract's constants only
//! (`genomcore_events_core::contract`: paths, field names, limits); its validator, date
//! parser and filters are its own, so that the agreement tests compare two readings.

pub mod auth;
pub mod body;
pub mod cors;
pub mod docs;
pub mod errors;
pub mod faults;
pub mod filter;
pub mod idempotency;
pub mod paths;
pub mod rate_limit;
pub mod rfc3339;
pub mod routes;
pub mod server;
pub mod state;
pub mod stats;
pub mod store;
pub mod validate;
