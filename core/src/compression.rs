//! Whether a create body goes out gzip-compressed, and whether answers may come back
//! compressed: the `compression` option.
//!
//! JSON events compress about 14 times; on a slow uplink the bytes decide, on
//! loopback the CPU does. The compressing itself is the platform's
//! `CompressionStream` (no compressor is compiled into the wasm).

use crate::contract::GZIP_THRESHOLD_BYTES;

/// The `compression` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    /// gzip bodies of at least `GZIP_THRESHOLD_BYTES` when the API is not on loopback.
    #[default]
    Auto,
    /// gzip every create body.
    Gzip,
    /// Never compress.
    None,
}

impl Compression {
    /// Whether to gzip a create body of `body_len` bytes. `refused`: the API answered
    /// `415` to a compressed body before, so this client sends plain bodies from then on.
    pub fn compresses(self, body_len: usize, api_is_loopback: bool, refused: bool) -> bool {
        if refused {
            return false;
        }
        match self {
            Compression::None => false,
            Compression::Gzip => true,
            Compression::Auto => !api_is_loopback && body_len >= GZIP_THRESHOLD_BYTES,
        }
    }

    /// Whether the Events API may gzip its answers (the platform's `fetch` asks for that
    /// itself; `false`: the request says `Accept-Encoding: identity`). On loopback the
    /// server's compressing and our inflating are CPU for nothing: a 100,000-event
    /// `queryAll` on loopback took 459 ms plain against 654 ms gzipped (median of 9
    /// interleaved rounds, bench/query.mjs's plain generator with the header added).
    pub fn answers_compressed(self, api_is_loopback: bool) -> bool {
        match self {
            Compression::None => false,
            Compression::Gzip => true,
            Compression::Auto => !api_is_loopback,
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn decides_as_documented() {
        let big = GZIP_THRESHOLD_BYTES;
        assert!(Compression::Auto.compresses(big, false, false));
        assert!(!Compression::Auto.compresses(big - 1, false, false), "small bodies are not worth it");
        assert!(!Compression::Auto.compresses(big, true, false), "loopback: CPU is the cost");
        assert!(Compression::Gzip.compresses(1, true, false));
        assert!(!Compression::None.compresses(big, false, false));
        for mode in [Compression::Auto, Compression::Gzip, Compression::None] {
            assert!(!mode.compresses(big, false, true), "after a 415, never again");
        }
        assert!(Compression::Auto.answers_compressed(false));
        assert!(!Compression::Auto.answers_compressed(true), "loopback answers come plain");
        assert!(Compression::Gzip.answers_compressed(true));
        assert!(!Compression::None.answers_compressed(false));
        assert_eq!(Compression::default(), Compression::Auto);
    }
}
