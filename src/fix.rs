//! Fixes as data: text edits with an applicability. Quick fixes,
//! `source.fixAll` and `plan-lsp fix` all come from the same [`Fix`] values
//! and are applied by the same [`apply`]; only safe fixes are applied in bulk.

use std::ops::Range;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

/// A replacement of a byte range of the document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub range: Range<usize>,
    pub new_text: String,
}

impl Edit {
    pub fn replace(range: Range<usize>, new_text: impl Into<String>) -> Edit {
        Edit {
            range,
            new_text: new_text.into(),
        }
    }

    pub fn insert(at: usize, new_text: impl Into<String>) -> Edit {
        Edit::replace(at..at, new_text)
    }
}

/// Whether a fix may be applied without a person looking at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Changes meaning or inserts template text to fill in: offered, never
    /// applied in bulk.
    Unsafe,
    /// Keeps the document's meaning and introduces no new finding.
    Safe,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
    /// The best fix for its finding (LSP `isPreferred`).
    pub preferred: bool,
}

impl Fix {
    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            edits,
            applicability: Applicability::Safe,
            preferred: false,
        }
    }

    pub fn unsafe_(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            edits,
            applicability: Applicability::Unsafe,
            preferred: false,
        }
    }

    pub fn preferred(mut self) -> Fix {
        self.preferred = true;
        self
    }

    fn span(&self) -> Option<Range<usize>> {
        let start = self.edits.iter().map(|e| e.range.start).min()?;
        let end = self.edits.iter().map(|e| e.range.end).max()?;
        Some(start..end)
    }
}

/// Chooses fixes in order, skipping any whose edits overlap an earlier
/// chosen one (the next round of analysis offers it again) or fall outside
/// the text.
pub fn select<'a>(text: &str, fixes: impl IntoIterator<Item = &'a Fix>) -> Vec<&'a Fix> {
    let mut chosen: Vec<(&Fix, Range<usize>)> = Vec::new();
    for fix in fixes {
        let Some(span) = fix.span() else { continue };
        let overlaps = chosen.iter().any(|(_, s)| {
            (span.start < s.end && s.start < span.end)
                || (span.start == s.start && (span.is_empty() || s.is_empty()))
        });
        if !overlaps && span.end <= text.len() {
            chosen.push((fix, span));
        }
    }
    chosen.into_iter().map(|(f, _)| f).collect()
}

/// Applies the fixes [`select`] chooses. Returns the new text and the
/// number of fixes applied.
pub fn apply<'a>(text: &str, fixes: impl IntoIterator<Item = &'a Fix>) -> (String, usize) {
    let chosen = select(text, fixes);
    let mut edits: Vec<&Edit> = chosen.iter().flat_map(|f| f.edits.iter()).collect();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in edits {
        if e.range.start < at
            || !text.is_char_boundary(e.range.start)
            || !text.is_char_boundary(e.range.end)
        {
            continue;
        }
        out.push_str(&text[at..e.range.start]);
        out.push_str(&e.new_text);
        at = e.range.end;
    }
    out.push_str(&text[at..]);
    (out, chosen.len())
}

/// The edits that turn `old` into `new`: one per run of changed lines,
/// trimmed to the characters that differ, so an editor applying them moves
/// the cursor and marks no more than it must.
pub fn diff_edits(old: &str, new: &str) -> Vec<Edit> {
    let (old_lines, new_lines) = (lines_with_ends(old), lines_with_ends(new));
    let old_starts = line_offsets(&old_lines);
    let new_starts = line_offsets(&new_lines);
    let trimmed = |o: Range<usize>, n: Range<usize>| {
        let e = minimal(&old[o.clone()], &Edit::replace(o, &new[n]));
        (!e.range.is_empty() || !e.new_text.is_empty()).then_some(e)
    };
    let mut out = Vec::new();
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &old_lines, &new_lines) {
        let (o, n) = (op.old_range(), op.new_range());
        if op.tag() == similar::DiffTag::Equal {
            continue;
        }
        if o.len() == n.len() {
            // line for line: each changed line on its own, so the lines
            // between two changes are not sent again
            for (i, j) in o.zip(n) {
                out.extend(trimmed(
                    old_starts[i]..old_starts[i + 1],
                    new_starts[j]..new_starts[j + 1],
                ));
            }
        } else {
            out.extend(trimmed(
                old_starts[o.start]..old_starts[o.end],
                new_starts[n.start]..new_starts[n.end],
            ));
        }
    }
    out
}

/// `edit` trimmed to what it changes, given the text its range now holds.
pub fn minimal(old: &str, edit: &Edit) -> Edit {
    let prefix = common_prefix(old, &edit.new_text);
    let suffix = common_suffix(&old[prefix..], &edit.new_text[prefix..]);
    Edit::replace(
        edit.range.start + prefix..edit.range.end - suffix,
        &edit.new_text[prefix..edit.new_text.len() - suffix],
    )
}

/// The lines of a text, each with its terminator (`\n`, `\r\n` or `\r`).
fn lines_with_ends(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(['\n', '\r']) {
        let end = if rest[i..].starts_with("\r\n") {
            i + 2
        } else {
            i + 1
        };
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// The byte offset where each line starts, and the text's end.
fn line_offsets(lines: &[&str]) -> Vec<usize> {
    let mut out = Vec::with_capacity(lines.len() + 1);
    let mut at = 0;
    for line in lines {
        out.push(at);
        at += line.len();
    }
    out.push(at);
    out
}

/// The length in bytes of the longest common prefix, on a char boundary.
pub fn common_prefix(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i)
}

/// The length in bytes of the longest common suffix, on a char boundary.
pub fn common_suffix(a: &str, b: &str) -> usize {
    a.chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum()
}

/// Inserts a block of lines (written with `\n`) at a line start, with one
/// blank line between it and the text before and after, in the document's
/// line ending.
pub fn insert_block(text: &str, at: usize, block: &str) -> Edit {
    let eol = crate::text::line_ending(text);
    let before = &text[..at];
    let mut new_text = String::new();
    if !before.is_empty() && !before.ends_with(['\n', '\r']) {
        new_text.push_str(eol);
    }
    if !before.is_empty() && !ends_with_blank_line(before) {
        new_text.push_str(eol);
    }
    new_text.push_str(&block.trim_end_matches('\n').replace('\n', eol));
    new_text.push_str(eol);
    let after = &text[at..];
    if !after.is_empty() && !starts_with_blank_line(after) {
        new_text.push_str(eol);
    }
    Edit::insert(at, new_text)
}

/// Inserts one line (no terminator in `line`) right after the line that
/// ends at `line_end`, in the document's line ending.
pub fn insert_line_after(text: &str, line_end: usize, line: &str) -> Edit {
    let eol = crate::text::line_ending(text);
    Edit::insert(line_end, format!("{eol}{line}"))
}

/// Inserts one line before the line starting at `line_start`.
pub fn insert_line_before(text: &str, line_start: usize, line: &str) -> Edit {
    let eol = crate::text::line_ending(text);
    Edit::insert(line_start, format!("{line}{eol}"))
}

fn ends_with_blank_line(s: &str) -> bool {
    let t = s.trim_end_matches([' ', '\t']);
    let t = t
        .strip_suffix("\r\n")
        .or_else(|| t.strip_suffix('\n'))
        .or_else(|| t.strip_suffix('\r'));
    match t {
        None => false,
        Some(rest) => rest.is_empty() || rest.trim_end_matches([' ', '\t']).ends_with(['\n', '\r']),
    }
}

fn starts_with_blank_line(s: &str) -> bool {
    s.trim_start_matches([' ', '\t']).starts_with(['\n', '\r'])
}

/// Replaces `range` with `new_text`; inside a box line (between `│`
/// borders) the whole line is rewritten so its right border stays in the
/// same display column.
pub fn replace_keeping_box(
    text: &str,
    range: Range<usize>,
    new_text: &str,
    box_line: Option<Range<usize>>,
) -> Edit {
    let Some(line) = box_line else {
        return Edit::replace(range, new_text);
    };
    let full = crate::text::line_content_range(text, line.start);
    let edited = format!(
        "{}{}{}",
        &text[full.start..range.start],
        new_text,
        &text[range.end..full.end]
    );
    Edit::replace(full.clone(), realign_box_line(&edited, text[full].width()))
}

/// Re-pads a box line so that its last character (the right border) sits at
/// display column `width`, keeping at least one space before it.
pub fn realign_box_line(line: &str, width: usize) -> String {
    let Some(border) = line.trim_end().chars().next_back() else {
        return line.to_string();
    };
    if !crate::text::is_box_char(border) {
        return line.to_string();
    }
    let body = line.trim_end();
    let body = body[..body.len() - border.len_utf8()].trim_end();
    let used = body.width() + border.to_string().width();
    let pad = width.saturating_sub(used).max(1);
    format!("{body}{}{border}", " ".repeat(pad))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_skips_overlaps_and_keeps_order() {
        let text = "abc def";
        let a = Fix::safe("a", vec![Edit::replace(0..3, "ABC")]);
        let b = Fix::safe("b", vec![Edit::replace(1..2, "x")]);
        let c = Fix::safe("c", vec![Edit::replace(4..7, "DEF")]);
        assert_eq!(apply(text, [&a, &b, &c]), ("ABC DEF".to_string(), 2));
    }

    #[test]
    fn diff_edits_turn_the_old_text_into_the_new() {
        let cases = [
            ("a\nb\nc\n", "a\nB\nc\n"),
            ("a\nb\n", "a\nb\nc\n"),
            ("", "# T\n"),
            ("x\r\ny\r\n", "x\r\n\r\nz\r\ny\r\n"),
            ("│ Risk: Hig    │\n", "│ Risk: High   │\n"),
            ("no newline", "no newline at all"),
            ("a\nb\nc", "c"),
        ];
        for (old, new) in cases {
            let edits = diff_edits(old, new);
            let (out, _) = apply(
                old,
                edits
                    .iter()
                    .map(|e| Fix::safe("", vec![e.clone()]))
                    .collect::<Vec<_>>()
                    .iter(),
            );
            assert_eq!(out, new, "{old:?} -> {new:?} by {edits:?}");
        }
        // only the characters that differ
        assert_eq!(
            diff_edits("│ Risk: Hig    │\n", "│ Risk: High   │\n"),
            [Edit::replace(13..14, "h")]
        );
    }

    #[test]
    fn insert_block_keeps_blank_lines() {
        let text = "## A\n- x\n## C\n";
        let e = insert_block(text, 9, "## B\n- y");
        let (out, _) = apply(text, [&Fix::safe("", vec![e])]);
        assert_eq!(out, "## A\n- x\n\n## B\n- y\n\n## C\n");
        let text = "## A\r\n- x";
        let e = insert_block(text, text.len(), "## B");
        let (out, _) = apply(text, [&Fix::safe("", vec![e])]);
        assert_eq!(out, "## A\r\n- x\r\n\r\n## B\r\n");
    }

    #[test]
    fn box_lines_keep_their_border_column() {
        let text = "│ Risk: [Low|Medium|High]   │\n";
        let start = text.find('[').unwrap();
        let end = text.find(']').unwrap() + 1;
        let e = replace_keeping_box(text, start..end, "High", Some(0..text.len() - 1));
        assert_eq!(e.new_text, "│ Risk: High                │");
        assert_eq!(e.new_text.width(), text.trim_end().width());
        // wide characters count two columns
        assert_eq!(realign_box_line("│ 高 │", 8), "│ 高   │");
    }
}
