//! Cutting text, small in the wasm. `&s[..i]` on a `str` can panic, and its panic
//! message (the char at fault, escaped) pulls `core::fmt`'s char escaping and the
//! Unicode tables into the wasm, about 10 KB: code that runs in the wasm cuts text
//! with `str::get` or these helpers instead. And std's char and substring searchers
//! (`split('.')`, `find("://")`) cost 1 to 2 KB each, so the URL and token code
//! splits at ASCII bytes here (README "Size").

/// Builds a text from its pieces, in order: `text!["event ", index, " is ", why]`.
/// The messages are made this way instead of by `format!`: none needs padding,
/// precision or `Debug`, and core::fmt's machinery it linked (`fmt::write`,
/// `format_inner`, `String`'s `fmt::Write`, `u64`'s `Display`) cost 217 B of gzipped
/// wasm more than these 60 lines (docs/size.md, step 45). ufmt's `uwrite!` expands to
/// the same calls, a write per piece, through a proc macro and its own writer trait.
/// `text![into s; …]` appends the pieces to the `String` `s` instead (no text made
/// to be copied into it).
#[macro_export]
macro_rules! text {
    (into $text:expr; $($piece:expr),* $(,)?) => {{
        let text: &mut $crate::text::String = &mut $text;
        $( $crate::text::Piece::add_to(&$piece, text); )*
    }};
    ($($piece:expr),* $(,)?) => {{
        #[allow(unused_mut)] // `text![]`, with no pieces, never adds to it
        let mut text = $crate::text::String::new();
        $( $crate::text::Piece::add_to(&$piece, &mut text); )*
        text
    }};
}

#[doc(hidden)]
pub use alloc::string::String;

/// What `text!` can put in a text: strings and whole numbers, in decimal.
pub trait Piece {
    fn add_to(&self, text: &mut String);
}

impl Piece for str {
    #[inline]
    fn add_to(&self, text: &mut String) {
        push_str(text, self);
    }
}

impl Piece for String {
    #[inline]
    fn add_to(&self, text: &mut String) {
        push_str(text, self);
    }
}

// Always inlined: at the wasm crate's "z" rustc kept a call through this forwarding
// (an instance per type and reference depth), 473 B of gzipped wasm.
impl<T: Piece + ?Sized> Piece for &T {
    #[inline(always)]
    fn add_to(&self, text: &mut String) {
        (**self).add_to(text);
    }
}

impl Piece for char {
    #[inline]
    fn add_to(&self, text: &mut String) {
        text.push(*self);
    }
}

macro_rules! whole_number_piece {
    ($($t:ty),*) => {$(
        impl Piece for $t {
            #[inline]
            fn add_to(&self, text: &mut String) {
                push_decimal(text, *self as u64);
            }
        }
    )*};
}
whole_number_piece!(u8, u16, u32, u64, usize);

/// One function for every piece of text, so that each `text!` is a call per piece.
#[inline(never)]
fn push_str(text: &mut String, piece: &str) {
    text.push_str(piece);
}

/// A whole number in decimal, without core::fmt.
#[inline(never)]
fn push_decimal(text: &mut String, n: u64) {
    // The higher digits first, by recursion (at most 20 deep): no buffer filled from
    // its end, and no UTF-8 check of it.
    if n >= 10 {
        push_decimal(text, n / 10);
    }
    let digit = (n % 10) as usize;
    push_str(text, "0123456789".get(digit..digit + 1).unwrap_or_default());
}
/// The first `max` characters of `s` when it holds more; `None` when it fits.
#[inline]
pub fn cut_chars(s: &str, max: usize) -> Option<&str> {
    // Counted by bytes (a char starts at each byte that is not a continuation byte),
    // not by `char_indices().nth`, which decodes every char.
    let mut chars = 0;
    for (at, &b) in s.as_bytes().iter().enumerate() {
        if b & 0xC0 != 0x80 {
            if chars == max {
                return s.get(..at);
            }
            chars += 1;
        }
    }
    None
}

/// `s` without its leading and trailing whitespace (Unicode's, as `str::trim`), found
/// in one forward pass: std's `trim` decodes from both ends, its searcher compiled for
/// this crate's two cold users (a base URL, an error body).
#[inline]
pub fn trim(s: &str) -> &str {
    // `end` from the iterator's offset, not `at + c.len_utf8()` (no length computed);
    // `end` is 0 until the first character kept, whose start is `start`.
    let (mut start, mut end) = (0, 0);
    let mut chars = s.char_indices();
    while let Some((at, c)) = chars.next() {
        if !c.is_whitespace() {
            if end == 0 {
                start = at;
            }
            end = chars.offset();
        }
    }
    s.get(start..end).unwrap_or_default()
}

/// The longest prefix of `s` of at most `max_bytes` bytes that ends on a character
/// boundary.
#[inline]
pub fn prefix_within(s: &str, max_bytes: usize) -> &str {
    let mut cut = s.len().min(max_bytes);
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.get(..cut).unwrap_or_default()
}

/// `parts` joined by `sep`, by a plain loop: std's `join` is compiled once per element
/// type (0.4 KB of wasm each), and a `dyn Iterator` argument cost a vtable of
/// iterator methods per iterator type.
#[inline]
pub fn join<S: AsRef<str>>(parts: &[S], sep: &str) -> String {
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        // Through `push_str` below, as `text!` appends: std's `push_str` is inlined.
        if i > 0 {
            push_str(&mut out, sep);
        }
        push_str(&mut out, part.as_ref());
    }
    out
}

/// `s.split(sep)` for an ASCII `sep`, by a byte search.
#[inline]
pub fn split_ascii(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    core::iter::from_fn(move || {
        let r = rest?;
        match r.bytes().position(|b| b == sep) {
            Some(at) => {
                rest = r.get(at + 1..);
                r.get(..at)
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// What comes before the first `sep` in `s` (all of it when there is none): `split_ascii(s,
/// sep).next()` without an iterator.
#[inline]
pub fn before_ascii(s: &str, sep: u8) -> &str {
    // Through `split_once_ascii`: one search and cut compiled, not two.
    split_once_ascii(s, sep).map_or(s, |(before, _)| before)
}

/// `s.split_once(sep)` for an ASCII `sep`, by a byte search.
#[inline]
pub fn split_once_ascii(s: &str, sep: u8) -> Option<(&str, &str)> {
    let at = s.bytes().position(|b| b == sep)?;
    Some((s.get(..at)?, s.get(at + 1..)?))
}

/// `s.split_once(sep)` for a multi-byte `sep`, by a plain byte search: std's
/// substring searcher carries a slicing panic path (see above).
#[inline]
pub fn split_once_str<'a>(s: &'a str, sep: &str) -> Option<(&'a str, &'a str)> {
    let at = match sep.len() {
        0 => 0,
        n => s.as_bytes().windows(n).position(|w| w == sep.as_bytes())?,
    };
    Some((s.get(..at)?, s.get(at + sep.len()..)?))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[test]
    fn text_is_what_format_gives() {
        let (name, owned, c) = ("start", String::from("got \"x\""), 'é');
        assert_eq!(text![], "");
        assert_eq!(text![name, " must be a date, ", owned], format!("{name} must be a date, {owned}"));
        for n in [0u64, 7, 10, 99, 100, 65_535, 4_294_967_296, u64::MAX] {
            assert_eq!(text!["n=", n, "."], format!("n={n}."));
        }
        assert_eq!(text![0u8, 255u8, 65_535u16, u32::MAX, usize::MAX], format!("{}{}{}{}{}", 0, 255, 65_535, u32::MAX, usize::MAX));
        assert_eq!(text![c, &name, &&owned], format!("{c}{name}{owned}"));
        let mut appended = text!["n=", 7u8];
        text![into appended; ", ", name, " ", 42u32];
        assert_eq!(appended, "n=7, start 42");
    }

    #[test]
    fn cuts_whole_characters() {
        assert_eq!(cut_chars("héllo", 2), Some("hé"));
        assert_eq!(cut_chars("héllo", 5), None);
        assert_eq!(cut_chars("", 0), None);
        assert_eq!(prefix_within("héllo", 2), "h");
        assert_eq!(prefix_within("héllo", 3), "hé");
        assert_eq!(prefix_within("abc", 10), "abc");
        assert_eq!(prefix_within("😀", 3), "");
    }

    proptest::proptest! {
        // The byte-counting `cut_chars` and the recursive `push_decimal` (size forms,
        // docs/size.md step 59) against std's.
        #[test]
        fn cut_chars_is_char_indices(s in "\\PC{0,12}", max in 0usize..14) {
            proptest::prop_assert_eq!(cut_chars(&s, max), s.char_indices().nth(max).map(|(at, _)| &s[..at]));
        }

        // The forward-only `trim` against std's (Unicode whitespace, and a few
        // characters that are not: a zero-width space, a control).
        #[test]
        fn trim_is_str_trim(s in "[ \\t\\r\\n\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200B}\\x{2028}\\x{3000}\\x{80}a-zé😀]{0,10}") {
            proptest::prop_assert_eq!(trim(&s), s.trim());
        }

        #[test]
        fn decimals_are_display(n: u64) {
            proptest::prop_assert_eq!(text![n], format!("{n}"));
        }
    }

    #[test]
    fn splits_like_split() {
        for s in ["a.b.c", "", ".", "a..", "é.ü", "none"] {
            assert_eq!(split_ascii(s, b'.').collect::<Vec<_>>(), s.split('.').collect::<Vec<_>>(), "{s}");
            assert_eq!(split_once_ascii(s, b'.'), s.split_once('.'), "{s}");
        }
    }

    #[test]
    fn splits_like_split_once() {
        for (s, sep) in [("https://h/x://y", "://"), ("a:b://c", "://"), ("none", "://"), ("é://", "://"), ("", "://"), ("x", "")] {
            assert_eq!(split_once_str(s, sep), s.split_once(sep), "{s}");
        }
    }
}
