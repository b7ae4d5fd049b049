//! Reading the NestJS-shaped error bodies the API answers with (ASSUMED shape:
//! `{"statusCode", "error", "message": "…" | ["…", …]}`).

use crate::prelude::*;
use crate::text::{cut_chars, trim};

/// Longest server message kept, so that an odd body cannot flood an error.
const MAX_MESSAGE_CHARS: usize = 2000;

/// The one line of an error body without the expected message lines (the wasm reads
/// those from the body by `JSON.parse`): its text trimmed, or nothing when empty.
#[inline]
pub fn body_line(body: &str) -> Option<String> {
    match trim(body) {
        "" => None,
        text => Some(text.to_string()),
    }
}

/// The server's message lines, each shortened to `MAX_MESSAGE_CHARS`.
#[inline]
pub fn shorten_lines(lines: &mut [String]) {
    // In place, by a loop: `into_iter().map().collect()` compiles std's in-place collect.
    for line in lines {
        shorten(line);
    }
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
    fn keeps_plain_text_and_ignores_empty_bodies() {
        assert_eq!(body_line("  Bad Gateway \n").as_deref(), Some("Bad Gateway"));
        assert_eq!(body_line(" \n"), None);
        assert_eq!(body_line(r#"{"message": 5}"#).as_deref(), Some(r#"{"message": 5}"#));
    }

    #[test]
    fn shortens_huge_messages() {
        let mut lines = vec!["x".repeat(5000), "short".into(), "é".repeat(2000)];
        shorten_lines(&mut lines);
        assert_eq!(lines[0].chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(lines[0].ends_with("x…"));
        assert_eq!(lines[1], "short");
        assert_eq!(lines[2], "é".repeat(2000));
    }
}
