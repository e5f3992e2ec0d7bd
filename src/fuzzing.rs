//! Fuzz targets: each takes arbitrary bytes, derives a structured input
//! from them (decoded by hand, so the crate gains no dependency) and
//! asserts the crate's invariants, panicking when one breaks.
//!
//! `fuzz/` runs them under libFuzzer (`cargo +nightly fuzz run <target>`);
//! `tests/fuzz_corpus.rs` replays the committed corpus through them on
//! stable, so an input that once passed and now fails breaks `cargo test`.
//!
//! Inputs decode the same way every time: a byte past the end of the input
//! reads as 0, so every byte string is a valid input. Texts are decoded by
//! [`text_of`]: bytes `0xF8..=0xFF` (never part of UTF-8) followed by one
//! more byte stand for a token of the template (a heading, a field line, a
//! value, a checklist item, a whole document…) taken from the schema, so
//! the fuzzer can splice the template's structure into plain text; the
//! other bytes are read as UTF-8 (invalid sequences become U+FFFD).

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once, OnceLock};
use std::time::Duration;

use serde_json::{Value, json};

use crate::analysis::{Analysis, Analyzer};
use crate::config::Config;
use crate::diagnostic::Code;
use crate::layout::{self, Related, RelatedPlan};
use crate::schema::{self, DocKind, Env, template};
use crate::text::{Document, Encoding, Position, PositionRange};

// ---------------------------------------------------------------------------
// Reading bytes

/// The input as a stream of bytes; reading past its end gives zeros.
struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    fn new(data: &'a [u8]) -> Self {
        Input { data }
    }

    fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    /// A number below `n` (`n` at most 256 for an even spread).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { self.byte() as usize % n }
    }

    fn flag(&mut self) -> bool {
        self.byte() & 1 == 1
    }

    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.byte(), self.byte()])
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }

    /// The next `n` bytes (fewer at the end).
    fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head
    }

    fn rest(&mut self) -> &'a [u8] {
        self.take(self.data.len())
    }
}

// ---------------------------------------------------------------------------
// Texts

/// Tokens a text may splice in: the template's own lines, taken from the
/// schema (so no template name is spelled here), and the characters and
/// Markdown that positions and parsing find hard.
fn vocabulary() -> &'static [String] {
    static VOCABULARY: OnceLock<Vec<String>> = OnceLock::new();
    VOCABULARY.get_or_init(|| {
        let mut out: Vec<String> = Vec::new();
        let envs = [None, Some(Env::Staging), Some(Env::Production)];
        for kind in [DocKind::deployment(), DocKind::status()] {
            let spec = kind.spec();
            if let Some(title) = &spec.title {
                out.push(format!("# {title}\n"));
            }
            for env in envs {
                out.push(template::document(kind, env));
            }
            for (section, _) in schema::walk_sections(spec) {
                out.push(format!("{}\n", template::heading(section, kind, None)));
                out.push(template::section(section, kind, Some(Env::Production)));
                out.push(section.name.to_string());
                let fields = section
                    .fields()
                    .iter()
                    .chain(section.heading_value.as_deref());
                for field in fields {
                    out.push(format!("{}\n", template::field_line(field, kind, None)));
                    out.push(format!("{}:", field.key));
                    if let Some(e) = field.enum_spec() {
                        for v in e.offered() {
                            out.push(format!(
                                "{}\n",
                                template::field_line(field, kind, Some(&v.name))
                            ));
                            out.push(v.name.to_string());
                        }
                    }
                }
                for item in section.checklist() {
                    out.push(format!("{}\n", template::checklist_line(item)));
                    out.push(format!("- [x] {}\n", item.text));
                }
            }
        }
        for env in envs {
            out.push(template::validation_box(
                &crate::schema::VALIDATION_RECORD,
                env,
            ));
            out.push(template::validation_markdown(
                &crate::schema::VALIDATION_RECORD,
                env,
            ));
        }
        out.push(format!("{}\n", schema::VALIDATION_RECORD.title));
        for code in Code::ALL {
            out.push(format!("<!-- plan-lsp-disable-next-line {code} -->\n"));
            out.push(format!("<!-- plan-lsp-disable {code} -->\n"));
            out.push(format!("<!-- plan-lsp-enable {code} -->\n"));
            out.push(code.as_str().to_string());
        }
        for piece in [
            "\n",
            "\r\n",
            "\r",
            "\n\n",
            "```\n",
            "~~~\n",
            "````markdown\n",
            "    ",
            "\t",
            "- ",
            "* ",
            "1. ",
            "> ",
            "- [ ] ",
            "- [x] ",
            "- [X] ",
            "[ ]",
            "# ",
            "## ",
            "### ",
            "#### ",
            "---\n",
            "+++\n",
            ": ",
            "**",
            "`",
            "<!-- ",
            " -->",
            "│",
            "┌",
            "┐",
            "└",
            "┘",
            "├",
            "┤",
            "─",
            "═",
            "║",
            "|",
            "+",
            "🚀",
            "高",
            "é",
            "𝄞",
            "\u{2028}",
            "\u{85}",
            "\u{feff}",
            "\u{200b}",
            "\u{0}",
            "TODO",
            "TBD",
            "<fill in>",
            "...",
            "N/A",
            "30m",
            "90s",
            "1h30m",
            "0s",
            "50%",
            "150%",
            "-5%",
            "2024-02-30",
            "2024-01-01T00:00:00Z",
            "https://example.com/runbook",
            "http://",
            "ftp://x",
            "[runbook](https://example.com)",
            "AKIAIOSFODNN7EXAMPLE",
            "password = hunter2hunter2",
            "ghp_0123456789abcdefghijABCDEFGHIJ012345",
            "-----BEGIN RSA PRIVATE KEY-----\n",
            "${SECRET}",
            "{{ var }}",
        ] {
            out.push(piece.to_string());
        }
        out
    })
}

/// Decodes bytes into a text: `0xF8..=0xFF` and the byte after it pick a
/// token of [`vocabulary`]; runs of other bytes are read as UTF-8, lossily.
pub fn text_of(bytes: &[u8]) -> String {
    let vocabulary = vocabulary();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] >= 0xF8 {
            let high = (bytes[i] - 0xF8) as usize;
            let low = bytes.get(i + 1).copied().unwrap_or(0) as usize;
            out.push_str(&vocabulary[(high << 8 | low) % vocabulary.len()]);
            i += 2;
        } else {
            let end = bytes[i..]
                .iter()
                .position(|&b| b >= 0xF8)
                .map_or(bytes.len(), |p| i + p);
            out.push_str(&String::from_utf8_lossy(&bytes[i..end]));
            i = end;
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Target: analysis

/// Where the analysed document lives (decides what kind of document it may
/// be) — none, the plan's and the status document's names, and others.
fn fuzz_path(choice: usize) -> Option<PathBuf> {
    let root = Path::new(FUZZ_ROOT);
    match choice % 8 {
        0 => None,
        1 => Some(root.join(layout::PLAN_DIR).join(layout::PLAN_FILE)),
        2 => Some(root.join(layout::PLAN_FILE)),
        3 => Some(root.join(layout::STATUS_FILE)),
        4 => Some(root.join("notes.md")),
        5 => Some(root.join("plans").join("api").join("rollout.md")),
        6 => Some(root.join("plan.txt")),
        _ => Some(PathBuf::from(layout::PLAN_FILE)),
    }
}

/// A directory that does not exist: paths the targets give documents, so
/// nothing the server or a workflow action reads is ever on disk.
const FUZZ_ROOT: &str = "/nonexistent-plan-lsp-fuzz";

const LEVELS: &[&str] = &["off", "hint", "info", "warning", "error", "warn", "none"];

/// A configuration from four bytes: the default environment, a rule's
/// level, include globs, extra enum values, a small size limit.
fn fuzz_config(input: &mut Input<'_>) -> Config {
    let a = input.byte();
    let rule = input.byte();
    let level = input.byte();
    let b = input.byte();
    let mut keys = serde_json::Map::new();
    match a % 3 {
        1 => {
            keys.insert("env".into(), json!(Env::Staging.as_str()));
        }
        2 => {
            keys.insert("env".into(), json!(Env::Production.as_str()));
        }
        _ => {}
    }
    if level as usize % (LEVELS.len() + 1) < LEVELS.len() {
        let code = Code::ALL[rule as usize % Code::ALL.len()];
        keys.insert(
            "rules".into(),
            json!({ code.as_str(): LEVELS[level as usize % (LEVELS.len() + 1)] }),
        );
    }
    if a & 0x04 != 0 {
        keys.insert("include".into(), json!(["plans/**/*.md"]));
    }
    if a & 0x08 != 0 {
        let enums = schema::all_enums();
        let spec = enums[b as usize % enums.len()];
        keys.insert(
            "values".into(),
            json!({ spec.id.clone(): ["Extra Value", "x"] }),
        );
    }
    if a & 0x10 != 0 {
        keys.insert("max_document_bytes".into(), json!(1 + (b as usize) * 16));
    }
    Config::from_json(&Value::Object(keys), "fuzz", Some(Path::new(FUZZ_ROOT)))
        .expect("a configuration made of valid keys is accepted")
}

/// Checks that `range` is a range of `text`: in order, inside it, on
/// character boundaries.
fn assert_range(text: &str, range: &Range<usize>, what: &dyn std::fmt::Display) {
    assert!(
        range.start <= range.end && range.end <= text.len(),
        "{what}: range {range:?} is not inside the text ({} bytes)",
        text.len()
    );
    assert!(
        text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
        "{what}: range {range:?} is not on character boundaries"
    );
}

/// Checks every range an analysis holds: its diagnostics' and their
/// fixes' edits.
fn assert_analysis_ranges(text: &str, analysis: &Analysis) {
    for d in &analysis.diagnostics {
        assert_range(text, &d.range, &format_args!("diagnostic {}", d.code));
        for fix in &d.fixes {
            for e in &fix.edits {
                assert_range(
                    text,
                    &e.range,
                    &format_args!("fix {:?} of {}", fix.title, d.code),
                );
            }
        }
    }
}

fn assert_same_analysis(a: &Analysis, b: &Analysis, what: &str) {
    assert_eq!(a.targeting, b.targeting, "{what}: the targeting differs");
    assert_eq!(a.plan.is_some(), b.plan.is_some(), "{what}: plan or not");
    assert_eq!(a.env(), b.env(), "{what}: the environment differs");
    assert_eq!(
        a.diagnostics, b.diagnostics,
        "{what}: the diagnostics differ"
    );
}

/// A different text for warming the chunk cache: the same with a line
/// dropped, a line added, or cut short.
fn variant(text: &str, how: u8) -> String {
    let starts = crate::text::line_starts(text);
    let at = starts[how as usize % starts.len()];
    match how % 4 {
        0 => String::new(),
        1 => text[..at].to_string(),
        2 => {
            let mut out = text.to_string();
            out.insert_str(at, "## x\n");
            out
        }
        _ => {
            let next = starts
                .iter()
                .copied()
                .find(|&s| s > at)
                .unwrap_or(text.len());
            format!("{}{}", &text[..at], &text[next..])
        }
    }
}

/// Analysis of arbitrary text, of any kind, at any path, under any
/// configuration (8 bytes of header, then the text, see [`text_of`]).
///
/// Checks:
/// - nothing panics: the analysis, fix-all, and the editor features over
///   it (hover and completion at an offset, code actions over a range,
///   symbols, folds, links, formatting, code lenses, the workflow's
///   summary and refusals);
/// - every range the analysis, the features and fix-all's analysis give
///   lies inside the text on character boundaries;
/// - the analysis is deterministic: twice from scratch gives the same, and
///   an analyzer whose chunk cache was warmed on another text gives the
///   same as a fresh one.
pub fn analysis(data: &[u8]) {
    let mut input = Input::new(data);
    let place = input.byte();
    let path = fuzz_path(place as usize);
    let config = fuzz_config(&mut input);
    let flags = input.byte();
    let offset_seed = input.u16() as usize;
    let how = input.byte();
    let text = text_of(input.rest());
    let related = match (place >> 3) % 3 {
        0 => Related::default(),
        n => Related {
            plan: Some(RelatedPlan {
                path: Path::new(FUZZ_ROOT)
                    .join(layout::PLAN_DIR)
                    .join(layout::PLAN_FILE),
                env: if n == 1 {
                    Env::Staging
                } else {
                    Env::Production
                },
            }),
        },
    };
    let path = path.as_deref();

    let first = Analyzer::default().analyze(&text, path, &config, &related);
    assert_analysis_ranges(&text, &first);
    let second = if related.plan.is_none() {
        crate::analysis::analyze(&text, path, &config)
    } else {
        Analyzer::default().analyze(&text, path, &config, &related)
    };
    assert_same_analysis(&first, &second, "analysing twice");
    let mut warm = Analyzer::default();
    let other = variant(&text, how);
    let _ = warm.analyze(&other, path, &config, &related);
    let third = warm.analyze(&text, path, &config, &related);
    assert_same_analysis(&first, &third, "with a warm chunk cache");

    // the editor features at an offset (any byte, a character's inside too)
    let offset = offset_seed % (text.len() + 2);
    if let Some(h) = crate::ide::hover::hover(&text, &first, offset) {
        assert_range(&text, &h.range, &"hover");
    }
    let options = crate::ide::completion::CompletionOptions {
        snippets: flags & 1 != 0,
    };
    for item in crate::ide::completion::complete(&text, &first, path, offset, options, &config) {
        assert_range(
            &text,
            &item.edit.range,
            &format_args!("completion {:?}", item.label),
        );
    }
    let end = (offset + (how as usize)).min(text.len() + 1);
    let fix_all = || {
        Analyzer::default()
            .fix_all(&text, &first, path, &config, &related)
            .text
    };
    let wanted = |_| flags & 2 != 0;
    let wanted_all = |_| true;
    let wanted: &dyn Fn(crate::ide::actions::ActionKind) -> bool =
        if flags & 4 != 0 { &wanted_all } else { &wanted };
    for action in
        crate::ide::actions::actions(&text, &first, path, &config, offset..end, wanted, &fix_all)
    {
        for e in &action.edits {
            assert_range(&text, &e.range, &format_args!("action {:?}", action.title));
        }
    }
    if let Some(plan) = &first.plan {
        fn symbols(text: &str, list: &[crate::ide::structure::Symbol]) {
            for s in list {
                assert_range(text, &s.range, &format_args!("symbol {:?}", s.name));
                assert_range(text, &s.selection, &format_args!("symbol {:?}", s.name));
                symbols(text, &s.children);
            }
        }
        symbols(&text, &crate::ide::structure::symbols(&text, plan));
        for f in crate::ide::structure::folds(&text, plan) {
            assert_range(&text, &f.range, &"fold");
        }
        for l in crate::ide::structure::links(&text, plan) {
            assert_range(&text, &l.range, &"link");
        }
        for e in crate::ide::format::format(&text, plan) {
            assert_range(&text, &e.range, &"formatting edit");
        }
    }
    for l in crate::ide::workflow::lenses(&text, &first, &config) {
        assert_range(&text, &l.range, &format_args!("lens {:?}", l.title));
    }
    let _ = crate::ide::workflow::summary(&text, &first);
    for action in [
        crate::ide::workflow::Action::Deploy,
        crate::ide::workflow::Action::Rollback,
    ] {
        let _ = crate::ide::workflow::refusal(&text, &first, action);
    }
    if flags & 8 != 0 {
        let fixed = Analyzer::default().fix_all(&text, &first, path, &config, &related);
        if let Some(after) = &fixed.analysis {
            assert_analysis_ranges(&fixed.text, after);
        }
    }
}

// ---------------------------------------------------------------------------
// Target: edits

/// Pieces edited texts are made of: box characters, emoji (two UTF-16
/// units, four bytes), CJK, every line break and the characters that are
/// no line break for LSP.
const PIECES: &[&str] = &[
    "a", "b", "│", "🚀", "高", "é", "\n", "\r\n", "\r", " ", "- ", "#", "\u{2028}", "\u{85}", "\t",
    "\u{feff}", "\u{0}", "𝄞", "ﬁ", "x\r", "\n\r", "e\u{301}",
];

fn pieces(input: &mut Input<'_>, most: usize) -> String {
    let n = input.below(most + 1);
    (0..n).map(|_| PIECES[input.below(PIECES.len())]).collect()
}

fn encoding_of(n: usize) -> Encoding {
    match n % 3 {
        0 => Encoding::Utf8,
        1 => Encoding::Utf16,
        _ => Encoding::Utf32,
    }
}

fn units(c: char, encoding: Encoding) -> usize {
    match encoding {
        Encoding::Utf8 => c.len_utf8(),
        Encoding::Utf16 => c.len_utf16(),
        Encoding::Utf32 => 1,
    }
}

/// The model's line starts: lines end at `\n`, `\r\n` and `\r`.
fn model_line_starts(s: &str) -> Vec<usize> {
    let b = s.as_bytes();
    let mut starts = vec![0];
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
            i += 2;
            starts.push(i);
            continue;
        }
        if b[i] == b'\n' || b[i] == b'\r' {
            starts.push(i + 1);
        }
        i += 1;
    }
    starts
}

/// The byte range of a line's content (without its break), by the model.
fn model_line(s: &str, starts: &[usize], line: usize) -> Range<usize> {
    let start = starts[line];
    let rest = &s[start..];
    start..start + rest.find(['\n', '\r']).unwrap_or(rest.len())
}

/// The model's byte offset of a position: lines past the last clamp to the
/// end, characters past a line's end clamp to it, a position inside a
/// character rounds down to its start. (The independent `String` model the
/// `edits` target and the property tests of tests/text_props.rs share.)
pub fn model_offset(s: &str, p: Position, encoding: Encoding) -> usize {
    let starts = model_line_starts(s);
    if p.line as usize >= starts.len() {
        return s.len();
    }
    let line = model_line(s, &starts, p.line as usize);
    let mut seen = 0usize;
    for (i, c) in s[line.clone()].char_indices() {
        let w = units(c, encoding);
        if seen + w > p.character as usize {
            return line.start + i;
        }
        seen += w;
    }
    line.end
}

/// The model's position of a byte offset on a character boundary.
pub fn model_position(s: &str, offset: usize, encoding: Encoding) -> Position {
    let starts = model_line_starts(s);
    let line = starts.iter().rposition(|&st| st <= offset).unwrap_or(0);
    let character: usize = s[starts[line]..offset]
        .chars()
        .map(|c| units(c, encoding))
        .sum();
    Position::new(line as u32, character as u32)
}

/// A line number: mostly near the text's lines, sometimes far past them.
fn fuzz_line(input: &mut Input<'_>, lines: usize) -> u32 {
    match input.byte() {
        255 => u32::MAX,
        250..=254 => 1000,
        b => (b as usize % (lines + 2)) as u32,
    }
}

/// A character: mostly small, sometimes far past any line's end.
fn fuzz_character(input: &mut Input<'_>) -> u32 {
    match input.byte() {
        255 => u32::MAX,
        240..=254 => 100_000,
        b => (b % 24) as u32,
    }
}

/// Checks the document against the model: the same text, length and line
/// count, and every offset on a character boundary converting to the
/// model's position and back in all three encodings (an offset between a
/// `\r` and its `\n` is no position and is left out); an offset inside a
/// character converts as the character's start, one past the end as the
/// end.
fn assert_document(doc: &Document, model: &str, step: usize) {
    assert_eq!(doc.text(), model, "after change {step}: the texts differ");
    assert_eq!(doc.len_bytes(), model.len(), "after change {step}: lengths");
    assert_eq!(
        doc.rope().len_lines(),
        model_line_starts(model).len(),
        "after change {step}: line counts differ for {model:?}"
    );
    let bytes = model.as_bytes();
    let inside_crlf = |o: usize| o > 0 && bytes[o - 1] == b'\r' && bytes.get(o) == Some(&b'\n');
    for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
        let mut last_boundary = 0;
        for offset in 0..=model.len() + 2 {
            if offset > model.len() {
                assert_eq!(
                    doc.offset_to_position(offset, enc),
                    doc.offset_to_position(model.len(), enc),
                    "after change {step}: offset {offset} past the end, {enc:?}"
                );
                continue;
            }
            if !model.is_char_boundary(offset) {
                assert_eq!(
                    doc.offset_to_position(offset, enc),
                    doc.offset_to_position(last_boundary, enc),
                    "after change {step}: offset {offset} inside a character, {enc:?}, in {model:?}"
                );
                continue;
            }
            last_boundary = offset;
            if inside_crlf(offset) {
                continue;
            }
            let p = doc.offset_to_position(offset, enc);
            assert_eq!(
                p,
                model_position(model, offset, enc),
                "after change {step}: offset {offset} in {enc:?}, in {model:?}"
            );
            assert_eq!(
                doc.position_to_offset(p, enc),
                offset,
                "after change {step}: {p:?} in {enc:?} back to an offset, in {model:?}"
            );
        }
    }
}

/// Random edit sequences addressed in UTF-8, UTF-16 and UTF-32 positions,
/// applied to a [`Document`] and to a plain `String` by an independent
/// model of LSP's rules (clamping, rounding down inside a character,
/// reversed ranges, whole-text replacement).
///
/// Checks, after every change: the document's text equals the model's;
/// `apply_change` reports the byte range the model replaced; each position
/// the change named converts to the model's offset in its encoding; and
/// every offset converts to the model's position and back in all three
/// encodings (see `assert_document`).
pub fn edits(data: &[u8]) {
    let mut input = Input::new(data);
    let initial = pieces(&mut input, 12);
    let mut doc = Document::new(&initial);
    let mut model = initial;
    assert_document(&doc, &model, 0);
    let mut step = 0;
    while !input.is_empty() && step < 64 {
        step += 1;
        let op = input.byte();
        let enc = encoding_of(op as usize >> 1);
        let lines = model_line_starts(&model).len();
        if op & 1 == 0 && op.is_multiple_of(7) {
            let text = pieces(&mut input, 16);
            let replaced = doc.apply_change(None, &text, enc);
            assert_eq!(replaced, 0..model.len(), "change {step}: whole text");
            model = text;
        } else {
            let start = Position::new(fuzz_line(&mut input, lines), fuzz_character(&mut input));
            let end = if op & 0x80 != 0 {
                start
            } else {
                Position::new(fuzz_line(&mut input, lines), fuzz_character(&mut input))
            };
            let text = pieces(&mut input, 6);
            let a = model_offset(&model, start, enc);
            let b = model_offset(&model, end, enc);
            assert_eq!(
                doc.position_to_offset(start, enc),
                a,
                "change {step}: {start:?} in {enc:?}, in {model:?}"
            );
            assert_eq!(
                doc.position_to_offset(end, enc),
                b,
                "change {step}: {end:?} in {enc:?}, in {model:?}"
            );
            let (a, b) = (a.min(b), a.max(b));
            let replaced = doc.apply_change(Some(PositionRange { start, end }), &text, enc);
            assert_eq!(replaced, a..b, "change {step}: the replaced range");
            model.replace_range(a..b, &text);
        }
        assert_document(&doc, &model, step);
    }
}

// ---------------------------------------------------------------------------
// Target: configuration

/// The configuration reader on arbitrary text (read as UTF-8, lossily).
///
/// Checks: `Config::from_toml` never panics; it accepts exactly the texts
/// the server's reading of the same file accepts (`Config::file_layer`
/// then `Config::from_json`, as `Config::layered` does) and, when both accept,
/// they agree on every setting; text that is no TOML is never accepted;
/// and `Config::layered` and `Config::overlay` never panic on the value as
/// client settings. Bytes that are JSON are also read as LSP settings.
pub fn config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let root = Path::new(FUZZ_ROOT);
    let from_toml = Config::from_toml(&text, "fuzz.toml", Some(root));
    match toml::from_str::<toml::Value>(&text) {
        Ok(value) => {
            let json = serde_json::to_value(&value).expect("a TOML value converts to JSON");
            let from_json = Config::file_layer(&text, "fuzz.toml", Some(root))
                .and_then(|layer| Config::from_json(&layer, "fuzz.toml", Some(root)));
            match (&from_toml, &from_json) {
                (Ok(t), Ok(j)) => assert_same_config(t, j),
                (Err(_), Err(_)) => {}
                (t, j) => panic!(
                    "the CLI's and the server's readings of one .plan-lsp.toml disagree:\n\
                     from_toml: {t:?}\nfrom_json: {j:?}\ntext: {text:?}"
                ),
            }
            let _ = Config::layered(None, Some(&json));
            let _ = Config::overlay(json.clone(), json);
        }
        Err(_) => assert!(
            from_toml.is_err(),
            "from_toml accepted text that is not TOML: {text:?}"
        ),
    }
    if let Ok(json) = serde_json::from_slice::<Value>(data) {
        let _ = Config::from_json(&json, "initializationOptions", Some(root));
        let _ = Config::layered(None, Some(&json));
        let _ = Config::overlay(json.clone(), json!({"planLsp": json}));
    }
}

fn assert_same_config(t: &Config, j: &Config) {
    assert_eq!(t.default_env, j.default_env, "env");
    assert_eq!(
        t.max_document_bytes, j.max_document_bytes,
        "max_document_bytes"
    );
    assert_eq!(t.deploy, j.deploy, "deploy");
    assert_eq!(t.rollback, j.rollback, "rollback");
    assert_eq!(t.root, j.root, "root");
    for code in Code::ALL {
        assert_eq!(t.rule_level(*code), j.rule_level(*code), "rule {code}");
    }
    for e in schema::all_enums() {
        assert_eq!(
            t.extra_values(&e.id),
            j.extra_values(&e.id),
            "values {}",
            e.id
        );
    }
    for p in [
        Path::new(FUZZ_ROOT).join("plans/a/b.md"),
        Path::new(FUZZ_ROOT).join(layout::PLAN_FILE),
        PathBuf::from("x.md"),
    ] {
        assert_eq!(t.include_match(&p), j.include_match(&p), "include {p:?}");
    }
}

// ---------------------------------------------------------------------------
// Target: LSP

/// How long one request may take before the server counts as hung.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Documents the sequences open, all under [`FUZZ_ROOT`] (which does not
/// exist) or without a path.
fn doc_uri(n: usize) -> String {
    match n % 4 {
        0 => format!(
            "file://{FUZZ_ROOT}/{}/{}",
            layout::PLAN_DIR,
            layout::PLAN_FILE
        ),
        1 => format!("file://{FUZZ_ROOT}/{}", layout::STATUS_FILE),
        2 => format!("file://{FUZZ_ROOT}/notes.md"),
        _ => "untitled:Untitled-1".to_string(),
    }
}

/// What the client believes a document holds: what the server must hold
/// too, given that it ignores changes that are not newer.
#[derive(Clone, Debug)]
struct ModelDoc {
    text: String,
    version: i32,
}

/// The client's view of the session.
#[derive(Default)]
struct Model {
    docs: HashMap<String, ModelDoc>,
    /// `initialize` succeeded (before it the server drops notifications).
    initialized: bool,
    /// `shutdown` was sent: nothing is modelled past it.
    shut_down: bool,
    /// The negotiated position encoding.
    encoding: Option<Encoding>,
}

impl Model {
    fn live(&self) -> bool {
        self.initialized && !self.shut_down
    }

    fn enc(&self) -> Encoding {
        self.encoding.unwrap_or(Encoding::Utf16)
    }
}

/// Settings as a client sends them (in `initializationOptions` or
/// `didChangeConfiguration`): valid keys, wrong values, editor keys,
/// wrapped in `planLsp` or not, or not an object at all. Never `deploy` or
/// `rollback`, so no command can ever be configured to run.
fn fuzz_settings(input: &mut Input<'_>) -> Value {
    let shape = input.byte();
    let mut keys = serde_json::Map::new();
    let envs = [
        Env::Staging.as_str(),
        Env::Production.as_str(),
        "prod",
        "qa",
        "",
    ];
    if shape & 0x01 != 0 {
        keys.insert("env".into(), json!(envs[input.below(envs.len())]));
    }
    if shape & 0x02 != 0 {
        let code = Code::ALL[input.below(Code::ALL.len())];
        let level = if input.flag() {
            json!(LEVELS[input.below(LEVELS.len())])
        } else {
            json!("loud")
        };
        keys.insert("rules".into(), json!({ code.as_str(): level }));
    }
    if shape & 0x04 != 0 {
        let globs = ["**/*.md", "plans/**", "[", ""];
        keys.insert("include".into(), json!([globs[input.below(globs.len())]]));
    }
    if shape & 0x08 != 0 {
        let n = match input.below(4) {
            0 => json!(0),
            1 => json!(1 + input.u16() as u64),
            2 => json!(-1),
            _ => json!("big"),
        };
        keys.insert("maxDocumentBytes".into(), n);
    }
    if shape & 0x10 != 0 {
        keys.insert("server".into(), json!({"path": "plan-lsp"}));
        keys.insert("trace".into(), json!("verbose"));
    }
    if shape & 0x20 != 0 {
        keys.insert("colour".into(), json!(1));
    }
    let value = Value::Object(keys);
    match shape >> 6 {
        0 => value,
        1 => json!({ "planLsp": value }),
        2 => json!({ "planLsp": null }),
        _ => junk(input, 1),
    }
}

/// Any JSON value, of any kind, with keys requests use, bounded in depth.
fn junk(input: &mut Input<'_>, depth: usize) -> Value {
    const KEYS: &[&str] = &[
        "uri",
        "textDocument",
        "position",
        "line",
        "character",
        "range",
        "start",
        "end",
        "version",
        "text",
        "command",
        "arguments",
        "context",
        "only",
        "settings",
        "changes",
        "id",
        "token",
        "value",
        "kind",
        "inserted",
        "finished",
    ];
    match input.below(if depth >= 3 { 6 } else { 8 }) {
        0 => Value::Null,
        1 => json!(input.flag()),
        2 => json!(input.byte() as i64 - 128),
        3 => json!(input.u32() as u64 * 1_000_000),
        4 => json!(doc_uri(input.below(4))),
        5 => {
            let n = input.below(8);
            json!(text_of(input.take(n)))
        }
        6 => Value::Array(
            (0..input.below(4))
                .map(|_| junk(input, depth + 1))
                .collect(),
        ),
        _ => Value::Object(
            (0..input.below(4))
                .map(|_| {
                    (
                        KEYS[input.below(KEYS.len())].to_string(),
                        junk(input, depth + 1),
                    )
                })
                .collect(),
        ),
    }
}

/// The `initialize` parameters, the client offering UTF-8 or not, pull
/// diagnostics or not, snippets, Markdown, refreshes, progress, watchers.
fn initialize_params(input: &mut Input<'_>) -> Value {
    let a = input.byte();
    let b = input.byte();
    let encodings = match a % 5 {
        0 => None,
        1 => Some(json!(["utf-8", "utf-16"])),
        2 => Some(json!(["utf-16"])),
        3 => Some(json!(["utf-32", "utf-8"])),
        _ => Some(json!([])),
    };
    let mut general = json!({});
    if let Some(e) = encodings {
        general["positionEncodings"] = e;
    }
    let pull = a & 0x08 != 0;
    let mut text_document = json!({
        "completion": {"completionItem": {
            "snippetSupport": a & 0x10 != 0,
            "documentationFormat": if a & 0x20 != 0 { json!(["markdown", "plaintext"]) } else { json!(["plaintext"]) },
        }},
        "hover": {"contentFormat": if a & 0x40 != 0 { json!(["markdown"]) } else { json!(["plaintext"]) }},
    });
    if pull {
        text_document["diagnostic"] = json!({"dynamicRegistration": false});
    }
    let workspace = json!({
        "diagnostic": {"refreshSupport": b & 0x01 != 0},
        "codeLens": {"refreshSupport": b & 0x02 != 0},
        "didChangeWatchedFiles": {"dynamicRegistration": b & 0x04 != 0},
        "workspaceEdit": {
            "documentChanges": b & 0x08 != 0,
            "resourceOperations": if b & 0x10 != 0 { json!(["create"]) } else { json!([]) },
        },
        "workspaceFolders": true,
    });
    let mut params = json!({
        "processId": null,
        "capabilities": {
            "general": general,
            "textDocument": text_document,
            "workspace": workspace,
            "window": {"workDoneProgress": b & 0x20 != 0},
        },
    });
    if b & 0x40 != 0 {
        params["rootUri"] = json!(format!("file://{FUZZ_ROOT}"));
        params["workspaceFolders"] =
            json!([{"uri": format!("file://{FUZZ_ROOT}"), "name": "fuzz"}]);
    }
    if a & 0x80 != 0 {
        params["initializationOptions"] = fuzz_settings(input);
    }
    params
}

/// A position in a document of the model: mostly inside it, sometimes on a
/// line or character past its end, counted in a random encoding (so it may
/// fall inside a character for the negotiated one).
fn fuzz_position(input: &mut Input<'_>, text: &str) -> Value {
    let starts = model_line_starts(text);
    let line = fuzz_line(input, starts.len());
    let character = match input.byte() {
        255 => u32::MAX,
        240..=254 => 100_000,
        b => {
            let length = if (line as usize) < starts.len() {
                let content = model_line(text, &starts, line as usize);
                let enc = encoding_of(b as usize);
                text[content].chars().map(|c| units(c, enc)).sum::<usize>()
            } else {
                0
            };
            (b as usize / 3 % (length + 3)) as u32
        }
    };
    json!({"line": line, "character": character})
}

fn fuzz_range(input: &mut Input<'_>, text: &str) -> Value {
    let start = fuzz_position(input, text);
    let end = if input.flag() {
        start.clone()
    } else {
        fuzz_position(input, text)
    };
    json!({"start": start, "end": end})
}

fn to_position(v: &Value) -> Position {
    let n = |k: &str| v[k].as_u64().unwrap_or(0).min(u32::MAX as u64) as u32;
    Position::new(n("line"), n("character"))
}

/// One message of a sequence, decided from the bytes and the model.
enum Step {
    /// A request, and whether to wait for its answer (a workspace pull may
    /// be held open by the server, so it is not waited for).
    Request {
        method: String,
        params: Value,
        wait: bool,
        /// The document whose ranges the answer's must lie in.
        doc: Option<String>,
    },
    Notification {
        method: String,
        params: Value,
    },
}

const COMMANDS: &[&str] = &[
    crate::ide::workflow::SHOW,
    crate::ide::workflow::APPROVE,
    crate::ide::workflow::DEPLOY,
    crate::ide::workflow::ROLLBACK,
    crate::ide::completion::FINISH_COMPLETION,
    "plan-lsp.nope",
    "",
];

const CODE_ACTION_KINDS: &[&str] = &[
    "quickfix",
    "source.fixAll",
    "source.fixAll.plan-lsp",
    "refactor",
    "refactor.rewrite",
    "source",
    "",
];

fn next_step(input: &mut Input<'_>, model: &mut Model) -> Step {
    let op = input.byte();
    let uri = doc_uri(input.below(4));
    let text = model
        .docs
        .get(&uri)
        .map(|d| d.text.clone())
        .unwrap_or_default();
    let td = json!({"uri": uri});
    let request = |method: &str, params: Value| Step::Request {
        method: method.to_string(),
        params,
        wait: true,
        doc: Some(uri.clone()),
    };
    match op % 20 {
        0 => {
            let params = initialize_params(input);
            Step::Request {
                method: "initialize".into(),
                params,
                wait: true,
                doc: None,
            }
        }
        1 => Step::Notification {
            method: "initialized".into(),
            params: json!({}),
        },
        2 | 3 => {
            let version = match input.byte() {
                255 => i32::MAX,
                254 => i32::MIN,
                b => b as i32 - 8,
            };
            let n = input.u16() as usize % 4096;
            let text = text_of(input.take(n));
            if model.live() {
                model.docs.insert(
                    uri.clone(),
                    ModelDoc {
                        text: text.clone(),
                        version,
                    },
                );
            }
            Step::Notification {
                method: "textDocument/didOpen".into(),
                params: json!({"textDocument": {
                    "uri": uri, "languageId": "markdown", "version": version, "text": text,
                }}),
            }
        }
        4..=6 => {
            let held = model.docs.get(&uri).map_or(0, |d| d.version);
            let version = match input.byte() {
                255 => i32::MAX,
                254 => i32::MIN,
                b => held.saturating_add(b as i32 % 8 - 3),
            };
            let mut edited = text.clone();
            let enc = model.enc();
            let mut changes = Vec::new();
            for _ in 0..1 + input.below(3) {
                let new_text = if input.below(4) == 0 {
                    let n = input.byte() as usize;
                    text_of(input.take(n))
                } else {
                    pieces(input, 6)
                };
                if input.below(16) == 0 {
                    edited = new_text.clone();
                    changes.push(json!({"text": new_text}));
                } else {
                    let range = fuzz_range(input, &edited);
                    let a = model_offset(&edited, to_position(&range["start"]), enc);
                    let b = model_offset(&edited, to_position(&range["end"]), enc);
                    edited.replace_range(a.min(b)..a.max(b), &new_text);
                    changes.push(json!({"range": range, "text": new_text}));
                }
            }
            if model.live()
                && let Some(d) = model.docs.get_mut(&uri)
                && version > d.version
            {
                d.text = edited;
                d.version = version;
            }
            Step::Notification {
                method: "textDocument/didChange".into(),
                params: json!({
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": changes,
                }),
            }
        }
        7 => {
            if model.live() {
                model.docs.remove(&uri);
            }
            Step::Notification {
                method: "textDocument/didClose".into(),
                params: json!({"textDocument": td}),
            }
        }
        8 => request(
            "textDocument/hover",
            json!({"textDocument": td, "position": fuzz_position(input, &text)}),
        ),
        9 => request(
            "textDocument/completion",
            json!({"textDocument": td, "position": fuzz_position(input, &text)}),
        ),
        10 => {
            let mut context = json!({"diagnostics": []});
            if input.flag() {
                context["only"] = json!([CODE_ACTION_KINDS[input.below(CODE_ACTION_KINDS.len())]]);
            }
            request(
                "textDocument/codeAction",
                json!({"textDocument": td, "range": fuzz_range(input, &text), "context": context}),
            )
        }
        11 => request("textDocument/documentSymbol", json!({"textDocument": td})),
        12 => request(
            "textDocument/formatting",
            json!({"textDocument": td, "options": {"tabSize": 4, "insertSpaces": true}}),
        ),
        13 => {
            let command = COMMANDS[input.below(COMMANDS.len())];
            let mut arguments = Vec::new();
            match input.below(4) {
                0 => {}
                1 => arguments.push(json!(uri)),
                2 => {
                    arguments.push(json!(uri));
                    arguments.push(junk(input, 1));
                }
                _ => arguments.push(junk(input, 1)),
            }
            if command == crate::ide::completion::FINISH_COMPLETION && input.flag() {
                let n = input.below(16);
                let inserted = text_of(input.take(n));
                let n = input.below(16);
                let finished = text_of(input.take(n));
                arguments = vec![
                    json!(uri),
                    json!({"line": input.byte(), "inserted": inserted, "finished": finished}),
                ];
            }
            Step::Request {
                method: "workspace/executeCommand".into(),
                params: json!({"command": command, "arguments": arguments}),
                wait: true,
                doc: None,
            }
        }
        14 => {
            let method = [
                "textDocument/foldingRange",
                "textDocument/documentLink",
                "textDocument/codeLens",
            ][input.below(3)];
            request(method, json!({"textDocument": td}))
        }
        15 => {
            let previous = if input.flag() {
                json!(input.byte().to_string())
            } else {
                Value::Null
            };
            request(
                "textDocument/diagnostic",
                json!({"textDocument": td, "previousResultId": previous}),
            )
        }
        16 => Step::Notification {
            method: "workspace/didChangeConfiguration".into(),
            params: json!({"settings": fuzz_settings(input)}),
        },
        17 => {
            // a request with junk parameters
            let method = [
                "textDocument/hover",
                "textDocument/completion",
                "textDocument/codeAction",
                "textDocument/documentSymbol",
                "textDocument/formatting",
                "workspace/executeCommand",
                "textDocument/diagnostic",
                "textDocument/nope",
                "completionItem/resolve",
            ][input.below(9)];
            let params = match junk(input, 0) {
                Value::Null => json!({}),
                other => other,
            };
            Step::Request {
                method: method.into(),
                params,
                wait: true,
                doc: None,
            }
        }
        18 => {
            // notifications: cancels, traces, watched files, junk
            match input.below(6) {
                0 => Step::Notification {
                    method: "$/cancelRequest".into(),
                    params: json!({"id": input.byte()}),
                },
                1 => Step::Notification {
                    method: "$/setTrace".into(),
                    params: json!({"value": "verbose"}),
                },
                2 => Step::Notification {
                    method: "window/workDoneProgress/cancel".into(),
                    params: json!({"token": junk(input, 2)}),
                },
                3 => Step::Notification {
                    method: "workspace/didChangeWatchedFiles".into(),
                    params: json!({"changes": [{"uri": uri, "type": 1 + input.below(3)}]}),
                },
                4 => Step::Notification {
                    method: "textDocument/didSave".into(),
                    params: json!({"textDocument": td}),
                },
                _ => Step::Notification {
                    method: "textDocument/didChange".into(),
                    params: match junk(input, 0) {
                        Value::Null => json!({}),
                        other => other,
                    },
                },
            }
        }
        _ => {
            if op >= 252 {
                model.shut_down = true;
                Step::Request {
                    method: "shutdown".into(),
                    params: json!({}),
                    wait: true,
                    doc: None,
                }
            } else if op >= 240 {
                Step::Request {
                    method: "workspace/diagnostic".into(),
                    params: json!({"previousResultIds": []}),
                    wait: false,
                    doc: None,
                }
            } else {
                request(
                    "textDocument/hover",
                    json!({"textDocument": td, "position": {"line": 0, "character": 0}}),
                )
            }
        }
    }
}

/// Every LSP range (`{start, end}` of positions) in a JSON value.
fn ranges_in(value: &Value, out: &mut Vec<(Position, Position)>) {
    match value {
        Value::Object(map) => {
            if let (Some(s), Some(e)) = (map.get("start"), map.get("end"))
                && s.get("line").is_some()
                && e.get("line").is_some()
            {
                out.push((to_position(s), to_position(e)));
                return;
            }
            map.values().for_each(|v| ranges_in(v, out));
        }
        Value::Array(list) => list.iter().for_each(|v| ranges_in(v, out)),
        _ => {}
    }
}

/// Checks that a position names a character boundary of `text` in
/// `encoding` (not past a line's end, not inside a character).
fn position_ok(text: &str, p: Position, encoding: Encoding) -> bool {
    let starts = model_line_starts(text);
    if p.line as usize >= starts.len() {
        return false;
    }
    let offset = model_offset(text, p, encoding);
    model_position(text, offset, encoding) == p
}

/// Checks an answer about a document: every range in it (a code action's:
/// only its edits of that document and its diagnostics) in order and on
/// character boundaries of the model's text in the negotiated encoding.
fn check_answer(
    method: &str,
    result: &Value,
    doc: &ModelDoc,
    uri: &str,
    enc: Encoding,
) -> Result<(), String> {
    let mut ranges = Vec::new();
    if method == "textDocument/codeAction" {
        for action in result.as_array().into_iter().flatten() {
            ranges_in(&action["diagnostics"], &mut ranges);
            if let Some(edits) = action["edit"]["changes"].get(uri) {
                ranges_in(edits, &mut ranges);
            }
            for change in action["edit"]["documentChanges"]
                .as_array()
                .into_iter()
                .flatten()
            {
                if change["textDocument"]["uri"] == uri {
                    ranges_in(&change["edits"], &mut ranges);
                }
            }
        }
    } else if method == "textDocument/foldingRange" {
        let lines = model_line_starts(&doc.text).len() as u64;
        for fold in result.as_array().into_iter().flatten() {
            let (s, e) = (fold["startLine"].as_u64(), fold["endLine"].as_u64());
            if !matches!((s, e), (Some(s), Some(e)) if s <= e && e < lines) {
                return Err(format!("fold {fold} outside the document's {lines} lines"));
            }
        }
    } else if method == "textDocument/completion" {
        let items = result.get("items").unwrap_or(result);
        for item in items.as_array().into_iter().flatten() {
            ranges_in(&item["textEdit"], &mut ranges);
            ranges_in(&item["additionalTextEdits"], &mut ranges);
        }
    } else {
        ranges_in(result, &mut ranges);
    }
    for (start, end) in ranges {
        if start > end || !position_ok(&doc.text, start, enc) || !position_ok(&doc.text, end, enc) {
            return Err(format!(
                "{method}: range {start:?}..{end:?} is not a range of the document in {enc:?} (version {}, {:?})",
                doc.version, doc.text
            ));
        }
    }
    Ok(())
}

static PANICS: AtomicUsize = AtomicUsize::new(0);
static LAST_PANIC: Mutex<String> = Mutex::new(String::new());

/// Counts panics on every thread (a request body's panic is turned into an
/// error answer, a worker's is only printed: both still count), keeping
/// the hook that was there.
fn watch_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            if let Ok(mut last) = LAST_PANIC.lock() {
                *last = info.to_string();
            }
            previous(info);
        }));
    });
}

/// LSP message sequences against the in-process service
/// ([`crate::server::in_process`]), served by tower-lsp's own transport
/// over in-memory pipes, as over stdio: `initialize` (the client offering
/// UTF-8 or not, pulling diagnostics or not, and the rest of the
/// capabilities at random), `initialized`, `didOpen`, `didChange` (random
/// ranges in random encodings, several changes a message, versions out of
/// order), `didClose`, hover, completion, code actions, symbols,
/// formatting, folds, links, lenses, pulled diagnostics, executeCommand
/// (every command, with junk arguments), configuration changes, requests
/// with junk parameters, cancels and other notifications, at random
/// positions. The client answers every request the server makes (message
/// requests with no choice or the first, edits applied or not).
///
/// Checks: nothing panics, on any thread; every request is answered
/// within [`REQUEST_TIMEOUT`] (a hang fails), never with an internal
/// error; every range in an answer about an open document lies on
/// character boundaries of the text the client holds (the server ignoring
/// changes that are not newer, as the client models); and after the
/// sequence a final hover still gets an answer. With `PLAN_LSP_FUZZ_TRACE`
/// set, the sequence and the answers are printed.
pub fn lsp(data: &[u8]) {
    watch_panics();
    let panics_before = PANICS.load(Ordering::SeqCst);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(4)
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    let outcome = runtime.block_on(drive(data));
    let panics = PANICS.load(Ordering::SeqCst) - panics_before;
    if outcome.is_err() || panics > 0 {
        runtime.shutdown_background();
    } else {
        runtime.shutdown_timeout(Duration::from_secs(2));
    }
    if panics > 0 {
        let last = LAST_PANIC.lock().map(|l| l.clone()).unwrap_or_default();
        panic!("the server panicked {panics} time(s); the last: {last}");
    }
    if let Err(message) = outcome {
        panic!("{message}");
    }
}

fn frame(body: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(body).unwrap_or_default();
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(&body);
    out
}

/// Reads framed messages from the server's output: answers to the
/// client's requests go to `answers`; requests the server makes are
/// answered through `outgoing`.
async fn read_server(
    mut from_server: impl tokio::io::AsyncRead + Unpin,
    answers: tokio::sync::mpsc::UnboundedSender<Value>,
    outgoing: tokio::sync::mpsc::UnboundedSender<Vec<u8>>,
    choose_first: bool,
    applied: bool,
) {
    use tokio::io::AsyncReadExt;
    let mut buffer: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        while let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let headers = String::from_utf8_lossy(&buffer[..end]).to_string();
            let length = headers
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buffer.len() < end + 4 + length {
                break;
            }
            let body: Vec<u8> = buffer.drain(..end + 4 + length).skip(end + 4).collect();
            let Ok(message) = serde_json::from_slice::<Value>(&body) else {
                let _ = answers.send(json!({"not json": String::from_utf8_lossy(&body)}));
                continue;
            };
            match (
                message.get("method").and_then(Value::as_str),
                message.get("id"),
            ) {
                (Some(method), Some(id)) => {
                    let result = match method {
                        "workspace/applyEdit" => json!({"applied": applied}),
                        "window/showMessageRequest" if choose_first => message["params"]["actions"]
                            .get(0)
                            .cloned()
                            .unwrap_or(Value::Null),
                        _ => Value::Null,
                    };
                    let _ = outgoing.send(frame(
                        &json!({"jsonrpc": "2.0", "id": id, "result": result}),
                    ));
                }
                (Some(_), None) => {} // a notification
                (None, _) => {
                    let _ = answers.send(message);
                }
            }
        }
        match from_server.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

async fn drive(data: &[u8]) -> Result<(), String> {
    use tokio::io::AsyncWriteExt;
    let mut input = Input::new(data);
    let behaviour = input.byte();
    let (service, socket) = crate::server::in_process();
    let (client_io, server_io) = tokio::io::duplex(1 << 16);
    let (server_in, server_out) = tokio::io::split(server_io);
    let serving =
        tokio::spawn(tower_lsp::Server::new(server_in, server_out, socket).serve(service));
    let (client_in, mut client_out) = tokio::io::split(client_io);
    let (outgoing, mut to_send) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    let writer = tokio::spawn(async move {
        while let Some(bytes) = to_send.recv().await {
            if client_out.write_all(&bytes).await.is_err() {
                return;
            }
        }
        let _ = client_out.shutdown().await;
    });
    let (answers_tx, mut answers) = tokio::sync::mpsc::unbounded_channel::<Value>();
    let reader = tokio::spawn(read_server(
        client_in,
        answers_tx,
        outgoing.clone(),
        behaviour & 1 != 0,
        behaviour & 2 != 0,
    ));

    let mut model = Model::default();
    let mut next_id: i64 = 0;
    let mut received: HashMap<i64, Value> = HashMap::new();
    let mut log: Vec<String> = Vec::new();
    let mut start: std::collections::VecDeque<Step> = Default::default();
    // most sequences start the session properly
    if behaviour & 4 == 0 {
        let params = initialize_params(&mut input);
        start.push_back(Step::Request {
            method: "initialize".into(),
            params,
            wait: true,
            doc: None,
        });
        start.push_back(Step::Notification {
            method: "initialized".into(),
            params: json!({}),
        });
    }
    // after the input's steps: the server still answers
    let mut final_hover = Some(Step::Request {
        method: "textDocument/hover".into(),
        params: json!({"textDocument": {"uri": doc_uri(0)}, "position": {"line": 0, "character": 0}}),
        wait: true,
        doc: None,
    });
    let mut count = 0;
    loop {
        let step = match start.pop_front() {
            Some(s) => s,
            None if !input.is_empty() && count < 48 => {
                count += 1;
                next_step(&mut input, &mut model)
            }
            None => match final_hover.take() {
                Some(hover) => hover,
                None => break,
            },
        };
        run_step(
            step,
            &mut model,
            &mut next_id,
            &mut received,
            &mut answers,
            &outgoing,
            &mut log,
            &serving,
        )
        .await?;
    }
    if std::env::var_os("PLAN_LSP_FUZZ_TRACE").is_some() {
        eprintln!("{}", log.join("\n"));
    }
    reader.abort();
    drop(outgoing);
    let _ = tokio::time::timeout(Duration::from_secs(1), writer).await;
    if serving.is_finished() {
        if let Err(e) = serving.await
            && e.is_panic()
        {
            return Err(format!(
                "the service panicked: {e}\nsequence:\n{}",
                log.join("\n")
            ));
        }
    } else {
        serving.abort();
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn run_step(
    step: Step,
    model: &mut Model,
    next_id: &mut i64,
    received: &mut HashMap<i64, Value>,
    answers: &mut tokio::sync::mpsc::UnboundedReceiver<Value>,
    outgoing: &tokio::sync::mpsc::UnboundedSender<Vec<u8>>,
    log: &mut Vec<String>,
    serving: &tokio::task::JoinHandle<()>,
) -> Result<(), String> {
    let fail = |log: &Vec<String>, message: String| {
        Err(format!("{message}\nsequence so far:\n{}", log.join("\n")))
    };
    match step {
        Step::Notification { method, params } => {
            let about = match &params["textDocument"] {
                Value::Object(d) => format!(
                    "{} v{} ",
                    d.get("uri").unwrap_or(&Value::Null),
                    d.get("version").unwrap_or(&Value::Null)
                ),
                _ => String::new(),
            };
            log.push(format!("→ {method} {about}{}", abbreviate(&params)));
            let _ = outgoing.send(frame(
                &json!({"jsonrpc": "2.0", "method": method, "params": params}),
            ));
            Ok(())
        }
        Step::Request {
            method,
            params,
            wait,
            doc,
        } => {
            *next_id += 1;
            let id = *next_id;
            log.push(format!("→ #{id} {method} {}", abbreviate(&params)));
            let _ = outgoing.send(frame(
                &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
            ));
            if !wait {
                return Ok(());
            }
            let deadline = tokio::time::Instant::now() + REQUEST_TIMEOUT;
            let answer = loop {
                if let Some(a) = received.remove(&id) {
                    break a;
                }
                match tokio::time::timeout_at(deadline, answers.recv()).await {
                    Ok(Some(a)) => {
                        if a.get("not json").is_some() {
                            return fail(
                                log,
                                format!("the server sent a body that is not JSON: {a}"),
                            );
                        }
                        match a.get("id").and_then(Value::as_i64) {
                            Some(got) => {
                                received.insert(got, a);
                            }
                            None => {
                                return fail(log, format!("an answer without a numeric id: {a}"));
                            }
                        }
                    }
                    Ok(None) => {
                        return fail(
                            log,
                            format!("the server's output ended before answering #{id} {method}"),
                        );
                    }
                    Err(_) => {
                        let state = if serving.is_finished() {
                            "the service has stopped"
                        } else {
                            "the service is still running"
                        };
                        return fail(
                            log,
                            format!(
                                "#{id} {method} got no answer within {REQUEST_TIMEOUT:?} ({state})"
                            ),
                        );
                    }
                }
            };
            log.push(format!("← #{id} {}", abbreviate(&answer)));
            if let Some(error) = answer.get("error") {
                if error["code"] == json!(-32603) {
                    return fail(log, format!("#{id} {method} failed internally: {error}"));
                }
                return Ok(());
            }
            let result = answer.get("result").cloned().unwrap_or(Value::Null);
            if method == "initialize" && !model.initialized && !model.shut_down {
                model.initialized = true;
                model.encoding = Some(match result["capabilities"]["positionEncoding"].as_str() {
                    Some("utf-8") => Encoding::Utf8,
                    Some("utf-32") => Encoding::Utf32,
                    _ => Encoding::Utf16,
                });
            }
            if let Some(uri) = doc
                && model.live()
                && let Some(d) = model.docs.get(&uri)
                && let Err(message) = check_answer(&method, &result, d, &uri, model.enc())
            {
                return fail(log, message);
            }
            Ok(())
        }
    }
}

fn abbreviate(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 300 {
        let cut = crate::text::floor_char_boundary(&s, 300);
        format!("{}… ({} bytes)", &s[..cut], s.len())
    } else {
        s
    }
}

// ---------------------------------------------------------------------------
// The template reader

/// A template in plan-lsp's notation (SPEC §10), read from arbitrary text:
/// the reader never panics; its errors are placed on a line of the text; a
/// template it reads declares sections one level below their parent with
/// names used once; and what `new` prints for it (the template without its
/// comments) reads again as the same sections.
pub fn template(data: &[u8]) {
    use crate::schema::notation::{self, KindSource};
    let text = String::from_utf8_lossy(data);
    let source = KindSource {
        name: "fuzz".into(),
        origin: "fuzz.md".into(),
        title: None,
    };
    let lines = text.lines().count().max(1);
    let spec = match notation::read(&source, &text) {
        Ok(spec) => spec,
        Err(errors) => {
            assert!(!errors.is_empty(), "an error list with no error");
            for e in errors {
                assert!(
                    e.line >= 1 && e.line <= lines && e.column >= 1,
                    "error placed off the text ({} lines): {e:?}\ntext: {text:?}",
                    lines
                );
            }
            return;
        }
    };
    fn walk<'a>(sections: &'a [schema::SectionSpec], level: u8, names: &mut Vec<(&'a str, u8)>) {
        for s in sections {
            assert_eq!(s.level, level, "`{}` at the wrong level", s.name);
            assert!(
                !names.iter().any(|(n, _)| schema::eq_name(n, &s.name)),
                "`{}` twice",
                s.name
            );
            names.push((&s.name, s.level));
            walk(&s.children, level + 1, names);
        }
    }
    let mut names = Vec::new();
    walk(&spec.sections, 2, &mut names);
    let skeleton = spec
        .skeleton
        .as_deref()
        .expect("a template's kind keeps its text");
    let again = notation::read(&source, skeleton).unwrap_or_else(|e| {
        panic!("the printed template does not read: {e:?}\nprinted: {skeleton:?}\ntext: {text:?}")
    });
    let mut names_again = Vec::new();
    walk(&again.sections, 2, &mut names_again);
    assert_eq!(
        names, names_again,
        "the printed template declares other sections\ntext: {text:?}"
    );
    let _ = template::document(&DocKind::new(spec.clone()), None);
    let _ = crate::schema::overlay::with_built_in(spec);
}
