//! Reading the NestJS-shaped error bodies the API answers with (ASSUMED shape:
//! `{"statusCode", "error", "message": "…" | ["…", …]}`).

use crate::prelude::*;
use crate::text::{cut_chars, trim};

/// Longest server message kept, so that an odd body cannot flood an error.
const MAX_MESSAGE_CHARS: usize = 2000;

/// The server's message lines (`message`, a string or a list of strings, as the wasm
/// reads it from the body by `JSON.parse`: `None` when the body has none); for a body
/// without them, its text (trimmed and shortened), or nothing when empty.
#[inline]
pub fn server_message(message: Option<Vec<String>>, body: &str) -> Vec<String> {
    let mut lines = match message {
        Some(lines) => lines,
        // Trimmed once.
        None => match trim(body) {
            "" => vec![],
            text => vec![text.to_string()],
        },
    };
    // In place, by a loop: `into_iter().map().collect()` compiles std's in-place collect.
    for line in &mut lines {
        shorten(line);
    }
    lines
}

#[inline]
fn shorten(s: &mut String) {
    if let Some(kept) = cut_chars(s, MAX_MESSAGE_CHARS) {
        *s = text![kept, "…"];
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_message_lines() {
        let lines = vec!["0.start must be an RFC 3339 date-time".to_string(), "2.owner is required".into()];
        assert_eq!(server_message(Some(lines.clone()), "{}"), lines);
        assert!(server_message(Some(vec![]), "{}").is_empty());
    }

    #[test]
    fn keeps_plain_text_and_ignores_empty_bodies() {
        assert_eq!(server_message(None, "  Bad Gateway \n"), vec!["Bad Gateway"]);
        assert!(server_message(None, "").is_empty());
        assert_eq!(server_message(None, r#"{"message": 5}"#), vec![r#"{"message": 5}"#]);
    }

    #[test]
    fn shortens_huge_messages() {
        let long = "x".repeat(5000);
        let out = server_message(None, &long);
        assert_eq!(out[0].chars().count(), MAX_MESSAGE_CHARS + 1);
        let out = server_message(Some(vec!["y".repeat(5000)]), "{}");
        assert_eq!(out[0].chars().count(), MAX_MESSAGE_CHARS + 1);
    }
}
