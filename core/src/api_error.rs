//! Reading the NestJS-shaped error bodies the API answers with (ASSUMED shape:
//! `{"statusCode", "error", "message": "…" | ["…", …]}`).

use crate::prelude::*;
use crate::contract::ERROR_MESSAGE_FIELD;
use crate::json_fields::{object_fields, Field};
use crate::text::{cut_chars, trim};

/// Longest server message kept, so that an odd body cannot flood an error.
const MAX_MESSAGE_CHARS: usize = 2000;

/// The server's message lines; for a body that is not the expected JSON, its text
/// (trimmed and shortened), or nothing when empty.
#[inline]
pub fn server_message(body: &str) -> Vec<String> {
    let message = object_fields(body).and_then(|mut m| m.take(ERROR_MESSAGE_FIELD));
    let mut lines = match message {
        Some(Field::Str(s)) => vec![s],
        Some(Field::Strs(v)) => v,
        // Trimmed once.
        _ => match trim(body) {
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
    fn reads_a_string_message() {
        let body = r#"{"statusCode":401,"error":"Unauthorized","message":"token expired"}"#;
        assert_eq!(server_message(body), vec!["token expired"]);
    }

    #[test]
    fn reads_a_list_of_messages() {
        let body = r#"{"statusCode":400,"error":"Bad Request","message":["0.start must be an RFC 3339 date-time","2.owner is required"]}"#;
        assert_eq!(server_message(body), vec!["0.start must be an RFC 3339 date-time", "2.owner is required"]);
    }

    #[test]
    fn keeps_plain_text_and_ignores_empty_bodies() {
        assert_eq!(server_message("  Bad Gateway \n"), vec!["Bad Gateway"]);
        assert!(server_message("").is_empty());
        assert_eq!(server_message(r#"{"message": 5}"#), vec![r#"{"message": 5}"#]);
    }

    #[test]
    fn shortens_huge_messages() {
        let long = "x".repeat(5000);
        let out = server_message(&long);
        assert_eq!(out[0].chars().count(), MAX_MESSAGE_CHARS + 1);
    }
}
