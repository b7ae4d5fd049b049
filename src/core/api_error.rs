//! Reading the NestJS-shaped error bodies the API answers with (ASSUMED shape:
//! `{"statusCode", "error", "message": "…" | ["…", …]}`).

use serde::Deserialize;

use crate::contract::ERROR_MESSAGE_FIELD;

/// Longest server message kept, so that an odd body cannot flood an error.
const MAX_MESSAGE_CHARS: usize = 2000;

#[derive(Deserialize)]
#[serde(untagged)]
enum Message {
    One(String),
    Many(Vec<String>),
}

/// The server's message lines; for a body that is not the expected JSON, its text
/// (trimmed and shortened), or nothing when empty.
pub fn server_message(body: &str) -> Vec<String> {
    let parsed: Option<Message> = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(body)
        .ok()
        .and_then(|mut m| m.remove(ERROR_MESSAGE_FIELD))
        .and_then(|v| serde_json::from_value(v).ok());
    let lines = match parsed {
        Some(Message::One(s)) => vec![s],
        Some(Message::Many(v)) => v,
        None if body.trim().is_empty() => vec![],
        None => vec![body.trim().to_string()],
    };
    lines.into_iter().map(shorten).collect()
}

fn shorten(s: String) -> String {
    match s.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s,
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
