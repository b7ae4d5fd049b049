//! Export: the API's query pages written out as NDJSON or one JSON array, straight
//! from each answer's text (no event is ever parsed into an object). By default an
//! event is written as it is created (the server's `id` and `createdAt` left out), so
//! that an exported file uploads again as it is; `stored` keeps them.

use crate::prelude::*;
use crate::contract::{ITEMS_FIELD, SERVER_FIELDS, TOTAL_FIELD};
use crate::json_scan::{number_floor, quoted, Scalar, ScanError, Scanner};
use crate::stream_framer::Format;

/// What one page gave: its bytes, how many events, and the query's total when the
/// answer says.
#[derive(Debug, Clone, PartialEq)]
pub struct PageOut {
    pub bytes: Vec<u8>,
    pub count: usize,
    pub total: Option<f64>,
}

/// Writes the events of successive pages as one document.
pub struct ExportWriter {
    format: Format,
    stored: bool,
    written: usize,
}

impl ExportWriter {
    /// `stored`: keep the server's fields (`id`, `createdAt`).
    #[inline]
    pub fn new(format: Format, stored: bool) -> ExportWriter {
        ExportWriter { format, stored, written: 0 }
    }

    /// The events of one query answer (`{"items": [...], "total": n, ...}`). `#[inline]`
    /// (built in the wasm crate at opt-level "z", README "Size"), as the rest of the
    /// writer but `event`: copying each event stays at 3 (all at "z" measured 20% more
    /// CPU for an export, for 0.5 KB).
    #[inline]
    pub fn page(&mut self, answer: &str) -> Result<PageOut, ScanError> {
        let mut s = Scanner::new(answer);
        let mut out = PageOut { bytes: Vec::with_capacity(answer.len()), count: 0, total: None };
        s.begin_object()?;
        let mut first_key = true;
        while let Some(key) = s.next_key(first_key)? {
            first_key = false;
            if key == ITEMS_FIELD && s.peek_is_array() {
                s.begin_array()?;
                let mut first = true;
                while s.next_element(first)? {
                    first = false;
                    self.separator(&mut out.bytes);
                    self.event(&mut s, answer, &mut out.bytes)?;
                    self.written += 1;
                    out.count += 1;
                }
            } else if let Scalar::Number(n) = s.value()? {
                if key == TOTAL_FIELD {
                    // A count: whole, so read exactly without f64 parsing (README "Size").
                    out.total = number_floor(n).map(|t| t as f64);
                }
            }
        }
        Ok(out)
    }

    /// What ends the document, appended to `out`: a JSON array's `]` (`[]` when it is
    /// empty). Appended, not returned: no `Vec` made to be moved into the last page's.
    #[inline]
    pub fn end(&self, out: &mut Vec<u8>) {
        // One copy made, of whichever text ends the output.
        let end: &[u8] = match (self.format, self.written) {
            (Format::Json, 0) => b"[]\n",
            (Format::Json, _) => b"\n]\n",
            (Format::Ndjson, _) => b"",
        };
        out.extend_from_slice(end);
    }

    /// A JSON array holds one event per line, as NDJSON does: readable, and counted by
    /// its lines that start with `{`.
    #[inline]
    fn separator(&self, out: &mut Vec<u8>) {
        match (self.format, self.written) {
            (Format::Json, 0) => out.extend_from_slice(b"[\n"),
            (Format::Json, _) => out.extend_from_slice(b",\n"),
            (Format::Ndjson, _) => {}
        }
    }

    /// One event object, its members copied as they are (server fields dropped unless
    /// `stored`).
    fn event(&self, s: &mut Scanner, text: &str, out: &mut Vec<u8>) -> Result<(), ScanError> {
        s.begin_object()?;
        out.push(b'{');
        let mut first = true;
        let mut wrote = false;
        while let Some(key) = s.next_key(first)? {
            first = false;
            let start = s.pos();
            s.value()?;
            if !self.stored && SERVER_FIELDS.contains(&&*key) {
                continue;
            }
            if wrote {
                out.push(b',');
            }
            wrote = true;
            out.extend_from_slice(quoted(&key).as_bytes());
            out.push(b':');
            let value = text.get(start..s.pos()).ok_or(ScanError { at: start })?;
            // The scanner skips JSON's whitespace only (ASCII) before a value, and a value
            // starts with no whitespace: cut by bytes (not `trim_start`'s char code).
            let value = value.as_bytes();
            let lead = value.iter().take_while(|b| matches!(b, b' ' | b'\n' | b'\r' | b'\t')).count();
            out.extend_from_slice(value.get(lead..).unwrap_or_default());
        }
        out.push(b'}');
        if self.format == Format::Ndjson {
            out.push(b'\n');
        }
        Ok(())
    }
}

/// Whether another page follows page `page` (0-based) of `page_size` that held
/// `count` events, of `total` when known. A short page whose own answer's `total` says
/// more events follow is an error: the service pages otherwise than asked (a lower cap
/// on `pageSize` than the contract's ASSUMED one), and ending there would cut the
/// result short without a word.
#[inline]
pub fn more_pages(page: u32, page_size: u32, count: usize, total: Option<f64>) -> Result<bool, &'static str> {
    if count > page_size as usize {
        return Err(LONG_PAGE);
    }
    let read = page as f64 * page_size as f64 + count as f64;
    if count < page_size as usize {
        return match total {
            Some(total) if read < total => Err(SHORT_PAGE),
            _ => Ok(false),
        };
    }
    Ok(match total {
        Some(total) => read < total,
        None => true,
    })
}

/// `more_pages`' error for a page longer than asked: the service ignores `pageSize`, and
/// the pages would overlap.
pub const LONG_PAGE: &str = "a page held more events than pageSize: the service pages otherwise than asked, and the rest cannot be read reliably";

/// Pages are read by offset: a result that changes between two pages (events created
/// or deleted meanwhile) shifts what each page holds, so events would be repeated or
/// missed without a word. A `total` that differs from the one the reading began with
/// says so (a change that keeps the total, one event in and one out, cannot be seen).
#[inline]
pub fn same_result(first_total: Option<f64>, total: Option<f64>) -> Result<(), &'static str> {
    match (first_total, total) {
        (Some(first), Some(now)) if first != now => Err(RESULT_CHANGED),
        _ => Ok(()),
    }
}

/// `same_result`'s error.
pub const RESULT_CHANGED: &str = "the result changed while it was read (its total differs from one page to the next: events were created or deleted meanwhile), so events may have been repeated or missed: read it again once it no longer changes";

/// `more_pages`' error.
pub const SHORT_PAGE: &str = "a page held fewer events than pageSize while its total says more follow: the service pages otherwise than asked, and the rest cannot be read reliably";

/// Whether page `page` (0-based) of `page_size` holds any of `total` events: whether it
/// is worth requesting ahead of its reader.
pub fn page_exists(page: u32, page_size: u32, total: f64) -> bool {
    (page as f64) * (page_size as f64) < total
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANSWER: &str = r#"{ "items": [ {"id":"1","owner":"o","collection":"c","start":"2024-01-01T00:00:00.000Z","value":"a \"q\" é","type":"t","source":"s","externalId":"x","createdAt":"2024-01-02T00:00:00.000Z"},
        {"owner":"o","id":"2","collection":"c","start":"2024-01-01T00:00:00.000Z","end":"2024-01-01T01:00:00.000Z","value":"b","type":"t","source":"s","externalId":"y","batch":"b1","createdAt":"2024-01-02T00:00:00.000Z"} ],
        "page": 0, "pageSize": 2, "total": 3 }"#;

    #[test]
    fn ndjson_lines_without_server_fields_upload_again() {
        let mut w = ExportWriter::new(Format::Ndjson, false);
        let page = w.page(ANSWER).unwrap();
        assert_eq!((page.count, page.total), (2, Some(3.0)));
        let text = String::from_utf8(page.bytes).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0],
            r#"{"owner":"o","collection":"c","start":"2024-01-01T00:00:00.000Z","value":"a \"q\" é","type":"t","source":"s","externalId":"x"}"#
        );
        for line in lines {
            assert!(crate::validate::validate_one(line).is_empty(), "{line}");
        }
        let mut end = Vec::new();
        w.end(&mut end);
        assert!(end.is_empty());
    }

    #[test]
    fn a_json_array_across_pages_keeps_stored_fields_on_request() {
        let mut w = ExportWriter::new(Format::Json, true);
        let mut doc = w.page(ANSWER).unwrap().bytes;
        doc.extend(w.page(r#"{"items":[],"total":3}"#).unwrap().bytes);
        doc.extend(w.page(ANSWER).unwrap().bytes);
        w.end(&mut doc);
        let text = String::from_utf8(doc).unwrap();
        assert!(text.starts_with("[\n{\"id\":\"1\",\"owner\""), "{text}");
        assert!(text.ends_with("}\n]\n"), "{text}");
        assert_eq!(text.lines().filter(|l| l.starts_with('{')).count(), 4, "one event per line");
        assert_eq!(text.matches(r#""createdAt""#).count(), 4);
        let mut problems = crate::validate::Problems::new();
        assert_eq!(crate::validate::validate_spans(&text, 0, usize::MAX, &mut problems).unwrap().len(), 4);
        let empty = ExportWriter::new(Format::Json, false);
        let mut end = Vec::new();
        empty.end(&mut end);
        assert_eq!(end, b"[]\n");
    }

    #[test]
    fn paging_stops_at_a_short_page_or_the_total() {
        assert_eq!(more_pages(0, 2, 2, Some(3.0)), Ok(true));
        assert_eq!(more_pages(1, 2, 1, Some(3.0)), Ok(false));
        assert_eq!(more_pages(0, 2, 2, Some(2.0)), Ok(false));
        // A short page with more to come, by its own total: an error, not the end.
        assert_eq!(more_pages(0, 10, 3, Some(10.0)), Err(SHORT_PAGE));
        assert_eq!(more_pages(2, 10, 9, Some(30.0)), Err(SHORT_PAGE));
        assert_eq!(more_pages(2, 10, 9, Some(29.0)), Ok(false));
        // Without a total: a short page ends it, a full one asks for the next.
        assert_eq!(more_pages(0, 10, 3, None), Ok(false));
        assert_eq!(more_pages(0, 10, 10, None), Ok(true));
        assert_eq!(more_pages(0, 2, 2, None), Ok(true));
        assert_eq!(more_pages(3, 2, 0, None), Ok(false));
        // A page longer than asked: the service ignores pageSize.
        assert_eq!(more_pages(0, 10, 11, Some(30.0)), Err(LONG_PAGE));
        assert_eq!(more_pages(0, 10, 11, None), Err(LONG_PAGE));
        // The total the reading began with, and a later page's.
        assert_eq!(same_result(None, Some(5.0)), Ok(()));
        assert_eq!(same_result(Some(5.0), Some(5.0)), Ok(()));
        assert_eq!(same_result(Some(5.0), None), Ok(()));
        assert_eq!(same_result(Some(5.0), Some(6.0)), Err(RESULT_CHANGED));
        assert!(page_exists(1, 2, 3.0));
        assert!(!page_exists(2, 2, 4.0));
        assert!(!page_exists(0, 10, 0.0));
    }

    #[test]
    fn an_answer_that_is_not_json_is_an_error() {
        let mut w = ExportWriter::new(Format::Ndjson, false);
        assert!(w.page(r#"{"items":[{"a":1}"#).is_err());
        assert!(w.page("oops").is_err());
    }
}
