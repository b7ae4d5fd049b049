//! Idempotency-Key bookkeeping that lives in memory: the keys whose create is being
//! processed now (a second request with such a key gets `409`), and the body fingerprint
//! a recorded answer is bound to (a key reused with another body gets `422`).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

/// (user, key) pairs of creates in flight.
#[derive(Default)]
pub struct InFlight {
    keys: Mutex<HashSet<(String, String)>>,
}

/// A claimed key: in flight until dropped, whether the create ends well, fails, panics
/// or its connection goes away.
pub struct Claim {
    set: Arc<InFlight>,
    entry: (String, String),
}

impl InFlight {
    /// Claims (user, key); `None` when a request with it is still being processed.
    pub fn claim(self: &Arc<Self>, user: &str, key: &str) -> Option<Claim> {
        let entry = (user.to_owned(), key.to_owned());
        let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        if !keys.insert(entry.clone()) {
            return None;
        }
        Some(Claim {
            set: self.clone(),
            entry,
        })
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.keys.lock().unwrap().len()
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let mut keys = self.set.keys.lock().unwrap_or_else(|e| e.into_inner());
        keys.remove(&self.entry);
    }
}

/// The body's fingerprint: SHA-256 of its bytes (the JSON as received after any
/// decompression), in lowercase hex.
pub fn fingerprint(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        s.push(char::from_digit(u32::from(b >> 4), 16).unwrap());
        s.push(char::from_digit(u32::from(b & 15), 16).unwrap());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_claimed_once_per_user_until_released() {
        let set = Arc::new(InFlight::default());
        let a = set.claim("u", "k").unwrap();
        assert!(set.claim("u", "k").is_none());
        let b = set.claim("v", "k").expect("keys are per user");
        drop(a);
        let again = set.claim("u", "k").expect("free after the first ended");
        drop((b, again));
        assert_eq!(set.len(), 0);
    }

    #[test]
    fn fingerprint_is_sha256_hex() {
        assert_eq!(
            fingerprint(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
