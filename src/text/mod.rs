//! The text layer: a ropey rope holding a document, and the one place where
//! byte offsets are converted to and from line/character positions.
//!
//! Invariants:
//! - Inside the crate every range is a byte range into the document text.
//!   Positions exist only at the edges (LSP, CLI output) and are produced here.
//! - Lines end only at `\n`, `\r\n` and `\r` (ropey is built with `cr_lines`
//!   and without `unicode_lines`), exactly as LSP and CommonMark count them.
//! - No input panics: positions past a line's end clamp to the line's end,
//!   lines past the last clamp to the document's end, and a position inside a
//!   character (a UTF-16 surrogate pair, a UTF-8 sequence) rounds down to the
//!   start of that character.

use std::ops::Range;

use ropey::{Rope, RopeSlice};
use serde::{Deserialize, Serialize};

/// The unit a position's `character` counts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// UTF-8 bytes (LSP `utf-8`).
    Utf8,
    /// UTF-16 code units (LSP `utf-16`, the protocol default).
    Utf16,
    /// Unicode scalar values, i.e. characters (LSP `utf-32`; the CLI's columns).
    Utf32,
}

/// A zero-based line and a zero-based character offset in some [`Encoding`].
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

impl Position {
    pub fn new(line: u32, character: u32) -> Self {
        Position { line, character }
    }
}

/// A start/end pair of positions, as LSP ranges are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PositionRange {
    pub start: Position,
    pub end: Position,
}

/// A document held as a rope.
#[derive(Clone, Debug, Default)]
pub struct Document {
    rope: Rope,
}

impl Document {
    pub fn new(text: &str) -> Self {
        Document {
            rope: Rope::from_str(text),
        }
    }

    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    pub fn len_bytes(&self) -> usize {
        self.rope.len_bytes()
    }

    /// The text of a byte range (clamped to the document, rounded down to
    /// characters).
    pub fn slice(&self, range: std::ops::Range<usize>) -> String {
        let len = self.rope.len_bytes();
        let end = range.end.min(len);
        let start = range.start.min(end);
        let chars = self.rope.byte_to_char(start)..self.rope.byte_to_char(end);
        self.rope.slice(chars).to_string()
    }

    pub fn text(&self) -> String {
        // the rope's chunks into one allocation of the right size (its
        // `to_string` goes through the formatter, chunk by chunk)
        let mut text = String::with_capacity(self.rope.len_bytes());
        self.rope.chunks().for_each(|chunk| text.push_str(chunk));
        text
    }

    /// The text, made from `earlier` (an earlier version of it, of which
    /// `unchanged` says what is still the same) and only the changed middle
    /// from the rope: one contiguous copy instead of a walk over the whole
    /// rope. `None` when `unchanged` does not fit the two texts.
    pub fn text_from(&self, earlier: &str, unchanged: Unchanged) -> Option<String> {
        let len = self.rope.len_bytes();
        let prefix = unchanged.prefix.min(earlier.len()).min(len);
        let suffix = unchanged
            .suffix
            .min(earlier.len() - prefix)
            .min(len - prefix);
        let mut text = String::with_capacity(len);
        text.push_str(earlier.get(..prefix)?);
        let middle = self.rope.get_byte_slice(prefix..len - suffix)?;
        middle.chunks().for_each(|chunk| text.push_str(chunk));
        text.push_str(earlier.get(earlier.len() - suffix..)?);
        Some(text)
    }

    pub fn offset_to_position(&self, offset: usize, encoding: Encoding) -> Position {
        offset_to_position(&self.rope, offset, encoding)
    }

    pub fn position_to_offset(&self, position: Position, encoding: Encoding) -> usize {
        position_to_offset(&self.rope, position, encoding)
    }

    pub fn range_to_positions(&self, range: Range<usize>, encoding: Encoding) -> PositionRange {
        PositionRange {
            start: self.offset_to_position(range.start, encoding),
            end: self.offset_to_position(range.end, encoding),
        }
    }

    /// Applies one content change: `range == None` replaces the whole text.
    /// Returns the byte range that was replaced (in the text before the edit).
    /// A reversed range is treated as the range between its two ends.
    pub fn apply_change(
        &mut self,
        range: Option<PositionRange>,
        new_text: &str,
        encoding: Encoding,
    ) -> Range<usize> {
        let Some(range) = range else {
            let old_len = self.rope.len_bytes();
            self.rope = Rope::from_str(new_text);
            return 0..old_len;
        };
        let a = self.position_to_offset(range.start, encoding);
        let b = self.position_to_offset(range.end, encoding);
        let (start, end) = if a <= b { (a, b) } else { (b, a) };
        let start_char = self.rope.byte_to_char(start);
        let end_char = self.rope.byte_to_char(end);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, new_text);
        start..end
    }
}

/// How much of a text is still as it was in an earlier version: its first
/// `prefix` bytes and its last `suffix` bytes (whatever lies between may
/// have changed). An editor's changes say it without comparing the texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unchanged {
    pub prefix: usize,
    pub suffix: usize,
}

impl Unchanged {
    /// A text of `len` bytes that has not changed.
    pub fn all(len: usize) -> Unchanged {
        Unchanged {
            prefix: len,
            suffix: len,
        }
    }

    /// What is left unchanged once `replaced` (a range of the text as it was
    /// before this change, `len_before` bytes long) is replaced.
    pub fn then_replaced(self, replaced: Range<usize>, len_before: usize) -> Unchanged {
        Unchanged {
            prefix: self.prefix.min(replaced.start),
            suffix: self.suffix.min(len_before.saturating_sub(replaced.end)),
        }
    }
}

/// Number of characters of a line's terminator (`\r\n` is one line break of
/// two characters).
fn terminator_chars(line: RopeSlice<'_>) -> usize {
    let n = line.len_chars();
    if n == 0 {
        return 0;
    }
    match line.char(n - 1) {
        '\n' => {
            if n >= 2 && line.char(n - 2) == '\r' {
                2
            } else {
                1
            }
        }
        '\r' => 1,
        _ => 0,
    }
}

/// Converts a byte offset to a position. Offsets past the end clamp to the
/// end; an offset inside a character rounds down to that character's start.
pub fn offset_to_position(rope: &Rope, offset: usize, encoding: Encoding) -> Position {
    let offset = offset.min(rope.len_bytes());
    let char_idx = rope.byte_to_char(offset);
    let line = rope.char_to_line(char_idx);
    let line_start_char = rope.line_to_char(line);
    let character = match encoding {
        Encoding::Utf8 => rope.char_to_byte(char_idx) - rope.char_to_byte(line_start_char),
        Encoding::Utf16 => rope.char_to_utf16_cu(char_idx) - rope.char_to_utf16_cu(line_start_char),
        Encoding::Utf32 => char_idx - line_start_char,
    };
    Position::new(saturating_u32(line), saturating_u32(character))
}

/// Converts a position to a byte offset, clamping as LSP specifies.
pub fn position_to_offset(rope: &Rope, position: Position, encoding: Encoding) -> usize {
    let line_idx = position.line as usize;
    let Some(line) = rope.get_line(line_idx) else {
        return rope.len_bytes();
    };
    let line_start_char = rope.line_to_char(line_idx);
    let content_chars = line.len_chars() - terminator_chars(line);
    let content = line.slice(..content_chars);
    let wanted = position.character as usize;
    let char_in_line = match encoding {
        Encoding::Utf8 => {
            if wanted >= content.len_bytes() {
                content_chars
            } else {
                content.byte_to_char(wanted)
            }
        }
        Encoding::Utf16 => {
            if wanted >= content.len_utf16_cu() {
                content_chars
            } else {
                content.utf16_cu_to_char(wanted)
            }
        }
        Encoding::Utf32 => wanted.min(content_chars),
    };
    rope.char_to_byte(line_start_char + char_in_line)
}

fn saturating_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Box-drawing characters, and the ASCII `|` and `+`, that frame a box of
/// text such as the Decision Validation record.
pub fn is_box_char(c: char) -> bool {
    ('\u{2500}'..='\u{257F}').contains(&c) || c == '|' || c == '+'
}

/// Lines of `text` as (start, end-of-content, start-of-next-line).
pub fn lines(text: &str) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= bytes.len() {
            return None;
        }
        let start = pos;
        let rel = memchr_line_end(&bytes[start..]);
        let end = start + rel;
        let next = match bytes.get(end) {
            Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => end + 2,
            Some(_) => end + 1,
            None => end,
        };
        pos = next;
        Some((start, end, next))
    })
}

fn memchr_line_end(bytes: &[u8]) -> usize {
    // every line of every document goes through here: SIMD search
    memchr::memchr2(b'\n', b'\r', bytes).unwrap_or(bytes.len())
}

/// Line-start byte offsets of a string, with the same line breaks as the
/// rope (`\n`, `\r\n`, `\r`). Always starts with 0; a text that ends with
/// a line break has an empty last line starting at its end.
pub fn line_starts(text: &str) -> Vec<usize> {
    let mut starts: Vec<usize> = lines(text).map(|(start, _, _)| start).collect();
    if starts.is_empty() || text.ends_with(['\n', '\r']) {
        starts.push(text.len());
    }
    starts
}

/// The zero-based line of a byte offset (counting `\n`, `\r\n`, `\r`).
pub fn line_index(text: &str, offset: usize) -> usize {
    lines(text)
        .take_while(|(_, end, next)| end < next && *next <= offset)
        .count()
}

/// The byte range of the line containing `offset` in `text`, without its
/// terminator.
pub fn line_content_range(text: &str, offset: usize) -> Range<usize> {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let start = text[..offset]
        .rfind(['\n', '\r'])
        .map(|i| i + 1)
        .unwrap_or(0);
    let end = text[offset..]
        .find(['\n', '\r'])
        .map(|i| offset + i)
        .unwrap_or(text.len());
    start..end
}

/// The largest char boundary at or below `offset`.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The line terminator a document uses (its first one; `\n` when none).
pub fn line_ending(text: &str) -> &'static str {
    match text.find(['\n', '\r']) {
        Some(i) if text[i..].starts_with("\r\n") => "\r\n",
        Some(i) if text.as_bytes()[i] == b'\r' => "\r",
        _ => "\n",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_starts_and_indexes_agree_with_the_rope() {
        for text in ["", "a", "a\n", "a\r\nb\rc\n\nd", "\r\r\n\n", "│ x │\r\n"] {
            let starts = line_starts(text);
            assert_eq!(
                starts.len(),
                Document::new(text).rope().len_lines(),
                "{text:?}"
            );
            for (i, &start) in starts.iter().enumerate() {
                assert_eq!(line_index(text, start), i, "{text:?} line {i}");
            }
            assert_eq!(line_index(text, text.len()), starts.len() - 1, "{text:?}");
        }
    }

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    #[test]
    fn box_drawing_emoji_and_cjk_positions() {
        let text = "│ Risk: 🚀 高 │\nnext";
        let doc = Document::new(text);
        let risk = text.find("Risk").unwrap();
        assert_eq!(doc.offset_to_position(risk, Encoding::Utf8), pos(0, 4));
        assert_eq!(doc.offset_to_position(risk, Encoding::Utf16), pos(0, 2));
        assert_eq!(doc.offset_to_position(risk, Encoding::Utf32), pos(0, 2));
        let cjk = text.find('高').unwrap();
        // "│ Risk: 🚀 " : │(1) sp(1) Risk:(5) sp(1) 🚀(2 units) sp(1)
        assert_eq!(doc.offset_to_position(cjk, Encoding::Utf16), pos(0, 11));
        assert_eq!(doc.offset_to_position(cjk, Encoding::Utf32), pos(0, 10));
        assert_eq!(doc.position_to_offset(pos(0, 11), Encoding::Utf16), cjk);
        assert_eq!(doc.position_to_offset(pos(0, 10), Encoding::Utf32), cjk);
    }

    #[test]
    fn mid_surrogate_rounds_down_to_the_character() {
        let text = "a🚀b";
        let doc = Document::new(text);
        assert_eq!(doc.position_to_offset(pos(0, 2), Encoding::Utf16), 1);
        assert_eq!(doc.position_to_offset(pos(0, 3), Encoding::Utf16), 5);
        // mid UTF-8 sequence
        assert_eq!(doc.position_to_offset(pos(0, 3), Encoding::Utf8), 1);
        assert_eq!(doc.offset_to_position(3, Encoding::Utf16), pos(0, 1));
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let text = "a\r\nb\rc\nd";
        let doc = Document::new(text);
        assert_eq!(doc.offset_to_position(3, Encoding::Utf16), pos(1, 0));
        assert_eq!(doc.offset_to_position(5, Encoding::Utf16), pos(2, 0));
        assert_eq!(doc.offset_to_position(7, Encoding::Utf16), pos(3, 0));
        // past the end of line 0 clamps before its \r\n
        assert_eq!(doc.position_to_offset(pos(0, 99), Encoding::Utf16), 1);
        assert_eq!(line_starts(text), vec![0, 3, 5, 7]);
        assert_eq!(line_index(text, 7), 3);
        assert_eq!(line_index(text, 2), 0);
    }

    #[test]
    fn unicode_line_separators_do_not_end_lines() {
        let text = "a\u{2028}b\u{85}c\nd";
        let doc = Document::new(text);
        assert_eq!(doc.rope().len_lines(), 2);
        assert_eq!(
            doc.offset_to_position(text.len(), Encoding::Utf16),
            pos(1, 1)
        );
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let doc = Document::new("ab\ncd");
        assert_eq!(doc.position_to_offset(pos(7, 0), Encoding::Utf16), 5);
        assert_eq!(doc.position_to_offset(pos(1, 40), Encoding::Utf8), 5);
        assert_eq!(doc.offset_to_position(500, Encoding::Utf16), pos(1, 2));
    }

    #[test]
    fn apply_change_replaces_ranges_and_whole_text() {
        let mut doc = Document::new("│ x │\n");
        doc.apply_change(
            Some(PositionRange {
                start: pos(0, 2),
                end: pos(0, 3),
            }),
            "🚀",
            Encoding::Utf16,
        );
        assert_eq!(doc.text(), "│ 🚀 │\n");
        doc.apply_change(None, "new", Encoding::Utf16);
        assert_eq!(doc.text(), "new");
    }

    #[test]
    fn line_helpers() {
        let text = "ab\r\ncd\ref";
        assert_eq!(line_content_range(text, 5), 4..6);
        assert_eq!(line_ending(text), "\r\n");
        assert_eq!(line_ending("x"), "\n");
    }
}
