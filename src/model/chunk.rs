//! One chunk (a heading and its body) parsed with comrak into owned data with
//! ranges relative to the chunk's start. Chunks are context-free: the same
//! text always gives the same `Chunk`, which is what lets [`ChunkCache`] reuse
//! them across edits.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use comrak::nodes::{AstNode, ListType, NodeValue};
use comrak::{Arena, Options};

use super::Span;
use super::directives::{self, Directive};
use super::secrets::{self, SecretKind};
use crate::schema::{DocKind, DocSpec, Separator};

/// A chunk's heading line.
#[derive(Clone, Debug)]
pub struct HeadingLine {
    pub level: u8,
    /// The whole line, without its terminator.
    pub line: Span,
    /// The heading text without the `#` markers and closing sequence, trimmed.
    pub text: Span,
}

/// A list item, with the parts of its first line that the rules need.
#[derive(Clone, Debug)]
pub struct Item {
    /// From the marker to the end of the item's last line.
    pub span: Span,
    /// The first line, from its start (indentation included) to its end.
    pub line: Span,
    pub marker: Span,
    pub ordered: bool,
    pub task: Option<TaskBox>,
    /// The first line's text after the marker (and task box), trimmed.
    pub content: Span,
    pub field: Option<FieldSplit>,
    pub children: Vec<Item>,
}

#[derive(Clone, Copy, Debug)]
pub struct TaskBox {
    pub checked: bool,
    /// `[ ]` or `[x]`, brackets included.
    pub span: Span,
}

/// A `Key: value` (or `Key > value`) split of some text.
#[derive(Clone, Copy, Debug)]
pub struct FieldSplit {
    pub key: Span,
    pub separator: Separator,
    /// The value, trimmed; empty (at the end of the line) when there is none.
    pub value: Span,
    /// `Key:value` with no space after the colon: a field only when the key
    /// is one the schema knows (otherwise `10:30` would split).
    pub tight: bool,
}

#[derive(Clone, Debug)]
pub struct CodeBlock {
    pub span: Span,
    /// The content lines, without terminators.
    pub lines: Vec<Span>,
    pub fenced: bool,
}

#[derive(Clone, Debug)]
pub struct Secret {
    pub span: Span,
    pub kind: SecretKind,
}

/// A suppression comment and where the line after it starts.
#[derive(Clone, Debug)]
pub struct DirectiveAt {
    pub directive: Directive,
    pub span: Span,
    /// Start of the line after the comment (may equal the chunk's length:
    /// the next line is then the next chunk's heading).
    pub next_line: usize,
}

#[derive(Debug)]
pub struct Chunk {
    pub text: Box<str>,
    pub heading: Option<HeadingLine>,
    /// Whether the heading names a section of the kind the chunk was parsed
    /// for (by its title or its `Key:`); a chunk that names none resolves to
    /// no section without looking.
    pub names_section: bool,
    pub items: Vec<Item>,
    pub code_blocks: Vec<CodeBlock>,
    pub directives: Vec<DirectiveAt>,
    pub secrets: Vec<Secret>,
    /// Labels of link reference definitions (`[label]: url`), lower-cased.
    pub link_labels: Vec<String>,
}

impl Chunk {
    /// Parses a chunk. Only chunks whose heading names a section the schema
    /// knows go through comrak: no rule reads the structure of other
    /// sections, so for them a line scan finds what the editor features use
    /// (fenced code blocks, task items).
    pub fn parse(text: &str, kind: &DocSpec) -> Chunk {
        let heading = heading_line(text);
        if names_a_section(text, heading.as_ref(), kind) {
            Chunk {
                names_section: true,
                ..Chunk::parse_known(text, heading)
            }
        } else {
            Chunk::scan_unknown(text, heading)
        }
    }

    fn empty(text: &str, heading: Option<HeadingLine>) -> Chunk {
        Chunk {
            text: text.into(),
            heading,
            names_section: false,
            items: Vec::new(),
            code_blocks: Vec::new(),
            directives: Vec::new(),
            secrets: secrets::scan(text)
                .into_iter()
                .map(|(span, kind)| Secret { span, kind })
                .collect(),
            link_labels: Vec::new(),
        }
    }

    /// A section the schema does not know: fenced code blocks and task
    /// items from a line scan, no comrak parse.
    fn scan_unknown(text: &str, heading: Option<HeadingLine>) -> Chunk {
        let mut chunk = Chunk::empty(text, heading);
        let mut open: Option<(super::outline::Fence, usize, Vec<Span>)> = None;
        for (start, end, _) in crate::text::lines(text) {
            let line = &text[start..end];
            if let Some((fence, block_start, lines)) = open.as_mut() {
                if super::outline::fence_closes(*fence, line) {
                    chunk.code_blocks.push(CodeBlock {
                        span: Span::new(*block_start, end),
                        lines: std::mem::take(lines),
                        fenced: true,
                    });
                    open = None;
                } else {
                    lines.push(Span::new(start, end));
                }
                continue;
            }
            if let Some(fence) = super::outline::fence_open(line) {
                open = Some((fence, start, Vec::new()));
                continue;
            }
            if let Some(item) = task_line(text, start, end) {
                chunk.items.push(item);
            }
        }
        if let Some((_, block_start, lines)) = open {
            chunk.code_blocks.push(CodeBlock {
                span: Span::new(block_start, text.len()),
                lines,
                fenced: true,
            });
        }
        chunk.scan_lines();
        chunk
    }

    fn parse_known(text: &str, heading: Option<HeadingLine>) -> Chunk {
        let line_starts = crate::text::line_starts(text);
        let mut chunk = Chunk::empty(text, heading);
        let arena = Arena::new();
        let root = comrak::parse_document(&arena, text, &comrak_options());
        let conv = Positions {
            text,
            line_starts: &line_starts,
        };
        for node in root.children() {
            collect_blocks(node, &conv, &mut chunk);
        }
        chunk.scan_lines();
        chunk
    }

    /// Directives and link reference definitions, from lines outside code
    /// blocks.
    fn scan_lines(&mut self) {
        let text = &*self.text;
        for (start, end, next) in crate::text::lines(text) {
            if self.code_blocks.iter().any(|b| b.span.contains(start)) {
                continue;
            }
            let line = &text[start..end];
            for (mut directive, range) in directives::parse_line(line) {
                for (_, span) in directive.codes.iter_mut() {
                    *span = Span::new(start + span.start, start + span.end);
                }
                self.directives.push(DirectiveAt {
                    directive,
                    span: Span::new(start + range.start, start + range.end),
                    next_line: next,
                });
            }
            if let Some(label) = link_label(line) {
                self.link_labels.push(label);
            }
        }
    }
}

fn comrak_options() -> Options<'static> {
    let mut options = Options::default();
    options.extension.tasklist = true;
    options
}

/// Converts comrak's 1-based line / 1-based byte column positions.
struct Positions<'a> {
    text: &'a str,
    line_starts: &'a [usize],
}

impl Positions<'_> {
    fn offset(&self, line: usize, column: usize) -> usize {
        let line_start = self
            .line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len());
        (line_start + column.saturating_sub(1)).min(self.text.len())
    }

    /// End of the content of a 1-based line (before its terminator).
    fn line_end(&self, line: usize) -> usize {
        let Some(&next) = self.line_starts.get(line) else {
            return self.text.len();
        };
        let bytes = self.text.as_bytes();
        let mut end = next;
        if end > 0 && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > 0 && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        end.max(self.offset(line, 1))
    }
}

fn collect_blocks<'a>(node: &'a AstNode<'a>, conv: &Positions<'_>, chunk: &mut Chunk) {
    let value = node.data().value.clone();
    match value {
        NodeValue::List(_) => {
            for item in node.children() {
                if let Some(item) = build_item(item, conv, chunk) {
                    chunk.items.push(item);
                }
            }
        }
        NodeValue::CodeBlock(ref code) => {
            chunk.code_blocks.push(code_block(node, code.fenced, conv));
        }
        NodeValue::BlockQuote | NodeValue::Document => {
            for child in node.children() {
                collect_blocks(child, conv, chunk);
            }
        }
        _ => {}
    }
}

fn code_block<'a>(node: &'a AstNode<'a>, fenced: bool, conv: &Positions<'_>) -> CodeBlock {
    let pos = node.data().sourcepos;
    let start = conv.offset(pos.start.line, 1);
    let end = conv.line_end(pos.end.line.max(pos.start.line));
    let closed = match &node.data().value {
        NodeValue::CodeBlock(c) => c.closed,
        _ => false,
    };
    let first = if fenced {
        pos.start.line + 1
    } else {
        pos.start.line
    };
    let last = if fenced && closed {
        pos.end.line.saturating_sub(1)
    } else {
        pos.end.line
    };
    let lines = (first..=last)
        .filter(|l| *l >= first)
        .map(|l| {
            let s = conv.offset(l, 1);
            Span::new(s, conv.line_end(l))
        })
        .collect();
    CodeBlock {
        span: Span::new(start, end),
        lines,
        fenced,
    }
}

fn build_item<'a>(node: &'a AstNode<'a>, conv: &Positions<'_>, chunk: &mut Chunk) -> Option<Item> {
    let data = node.data();
    let (is_task, checked) = match &data.value {
        NodeValue::Item(_) => (false, false),
        NodeValue::TaskItem(t) => (true, t.symbol.is_some()),
        _ => return None,
    };
    let ordered = node
        .parent()
        .map(|p| matches!(&p.data().value, NodeValue::List(l) if l.list_type == ListType::Ordered))
        .unwrap_or(false);
    let pos = data.sourcepos;
    drop(data);
    let text = conv.text;
    let start = conv.offset(pos.start.line, pos.start.column);
    let first_line = crate::text::line_content_range(text, start);
    // The item's last line with content (comrak may end an item on the
    // following blank line, at column 0).
    let mut last = pos.end.line.max(pos.start.line);
    while last > pos.start.line
        && text[conv.offset(last, 1)..conv.line_end(last)]
            .trim()
            .is_empty()
    {
        last -= 1;
    }
    let end = conv.line_end(last).max(first_line.end);

    let bytes = text.as_bytes();
    let mut i = start;
    if ordered {
        while i < first_line.end && bytes[i].is_ascii_digit() {
            i += 1;
        }
    }
    i = (i + 1).min(first_line.end); // bullet char, or `.` / `)`
    let marker = Span::new(start, i);
    let skip_ws = |mut j: usize| {
        while j < first_line.end && (bytes[j] == b' ' || bytes[j] == b'\t') {
            j += 1;
        }
        j
    };
    i = skip_ws(i);
    let mut task = None;
    if is_task && text[i..first_line.end].starts_with('[') {
        let close = text[i..first_line.end].find(']').map(|c| i + c + 1);
        if let Some(close) = close {
            task = Some(TaskBox {
                checked,
                span: Span::new(i, close),
            });
            i = skip_ws(close);
        }
    }
    let content = Span::new(i, i + text[i..first_line.end].trim_end().len());
    let field = split_field(text, content);
    let mut children = Vec::new();
    for child in node.children() {
        if matches!(child.data().value, NodeValue::List(_)) {
            for grandchild in child.children() {
                if let Some(item) = build_item(grandchild, conv, chunk) {
                    children.push(item);
                }
            }
        } else if let NodeValue::CodeBlock(ref code) = child.data().value.clone() {
            chunk.code_blocks.push(code_block(child, code.fenced, conv));
        }
    }
    Some(Item {
        span: Span::new(start, end),
        line: Span::new(first_line.start, first_line.end),
        marker,
        ordered,
        task,
        content,
        field,
        children,
    })
}

/// A task item on one line (`- [ ] text`), found without a parse.
fn task_line(text: &str, start: usize, end: usize) -> Option<Item> {
    let line = &text[start..end];
    let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
    let rest = &line[indent..];
    let marker_len = if rest.starts_with(['-', '*', '+']) {
        1
    } else {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || !rest[digits..].starts_with(['.', ')']) {
            return None;
        }
        digits + 1
    };
    let after = &rest[marker_len..];
    let gap = after.len() - after.trim_start_matches(' ').len();
    if gap == 0 {
        return None;
    }
    let boxed = &after[gap..];
    let checked = match boxed.get(..3)? {
        "[ ]" => false,
        "[x]" | "[X]" => true,
        _ => return None,
    };
    if !boxed[3..].is_empty() && !boxed[3..].starts_with([' ', '\t']) {
        return None;
    }
    let marker = start + indent;
    let box_start = marker + marker_len + gap;
    let content_start = box_start + 3 + (boxed[3..].len() - boxed[3..].trim_start().len());
    Some(Item {
        span: Span::new(marker, end),
        line: Span::new(start, end),
        marker: Span::new(marker, marker + marker_len),
        ordered: marker_len > 1,
        task: Some(TaskBox {
            checked,
            span: Span::new(box_start, box_start + 3),
        }),
        content: Span::new(
            content_start,
            content_start + text[content_start..end].trim_end().len(),
        ),
        field: None,
        children: Vec::new(),
    })
}

/// Parses a chunk's first line as an ATX heading.
pub fn heading_line(text: &str) -> Option<HeadingLine> {
    let line_end = text.find(['\n', '\r']).unwrap_or(text.len());
    let line = &text[..line_end];
    let level = super::outline::atx_level(line)?;
    let after_hashes = line.find('#')? + level as usize;
    let mut content = line[after_hashes..].trim_end();
    // optional closing sequence: spaces then #s
    let without = content.trim_end_matches('#');
    if without.len() < content.len() && (without.is_empty() || without.ends_with([' ', '\t'])) {
        content = without.trim_end();
    }
    let lead = line[after_hashes..].len() - line[after_hashes..].trim_start().len();
    let start = (after_hashes + lead).min(after_hashes + content.len());
    let end = after_hashes + content.len();
    Some(HeadingLine {
        level,
        line: Span::new(0, line_end),
        text: Span::new(start, end.max(start)),
    })
}

/// A link reference definition's label (`[label]: url`), lower-cased.
fn link_label(line: &str) -> Option<String> {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 || !t.starts_with('[') {
        return None;
    }
    let close = t.find("]:")?;
    let label = &t[1..close];
    (!label.trim().is_empty() && !t[close + 2..].trim().is_empty())
        .then(|| label.trim().to_lowercase())
}

/// Splits `Key: value` or `Key > value` inside `within`. Keys are short,
/// start with a letter and may be wrapped in emphasis (`**Key:** value`).
pub fn split_field(text: &str, within: Span) -> Option<FieldSplit> {
    let s = &text[within.range()];
    // `**Key:** value` / `**Key**: value`
    for m in ["**", "__"] {
        if let Some(rest) = s.strip_prefix(m)
            && let Some(close) = rest.find(m)
        {
            let inner = &rest[..close];
            let after = &rest[close + m.len()..];
            let (key, value_start) = if let Some(k) = inner.strip_suffix(':') {
                (k, m.len() + close + m.len())
            } else if after.starts_with(':') {
                (inner, m.len() + close + m.len() + 1)
            } else {
                continue;
            };
            if !is_key(key.trim()) {
                return None;
            }
            let key_start = within.start + m.len() + (key.len() - key.trim_start().len());
            let key_span = Span::new(key_start, key_start + key.trim().len());
            return Some(FieldSplit {
                key: key_span,
                separator: Separator::Colon,
                value: trimmed(text, within.start + value_start, within.end),
                tight: false,
            });
        }
    }
    let bytes = s.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        let mut tight = false;
        let separator = match b {
            b':' if matches!(bytes.get(i + 1), None | Some(b' ') | Some(b'\t')) => Separator::Colon,
            b':' if !s[i + 1..].starts_with("//") => {
                tight = true;
                Separator::Colon
            }
            b'>' => Separator::GreaterThan,
            b'[' | b'`' | b'<' | b'|' | b':' => return None,
            _ => continue,
        };
        let key = s[..i].trim();
        if !is_key(key) {
            return None;
        }
        let mut value_start = i + 1;
        if separator == Separator::GreaterThan && bytes.get(i + 1) == Some(&b'=') {
            value_start += 1;
        }
        let key_start = within.start + (s.len() - s.trim_start().len());
        return Some(FieldSplit {
            key: Span::new(key_start, key_start + key.len()),
            separator,
            value: trimmed(text, within.start + value_start, within.end),
            tight,
        });
    }
    None
}

fn trimmed(text: &str, start: usize, end: usize) -> Span {
    let r = crate::schema::values::trim_range(text, start..end.max(start));
    Span::new(r.start, r.end)
}

fn is_key(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic())
        && key.chars().count() <= 40
        && key.chars().all(|c| {
            c.is_alphanumeric() || matches!(c, ' ' | '/' | '-' | '_' | '&' | '.' | '(' | ')' | '\'')
        })
}

/// Whether a chunk's heading names a section of the kind (by its title, or
/// a heading-field's key).
fn names_a_section(text: &str, heading: Option<&HeadingLine>, kind: &DocSpec) -> bool {
    heading.is_some_and(|h| {
        let title = text[h.text.range()].trim_end_matches(':').trim_end();
        let name = split_field(text, h.text).map_or(title, |f| &text[f.key.range()]);
        !crate::schema::sections_named(kind, title).is_empty()
            || !crate::schema::sections_named(kind, name).is_empty()
    })
}

/// Reuses parsed chunks across analyses: keyed by the chunk's text, so an
/// edit re-parses only the chunks whose text changed. Entries not used by
/// the latest analyses are dropped when one finishes: by default the latest
/// one alone (one document's versions); `across(n)` keeps the last `n`
/// analyses' chunks, for many documents written from one template, whose
/// sections repeat from file to file.
#[derive(Default)]
pub struct ChunkCache {
    /// By the text's hash: each chunk, the analysis that last used it, and
    /// the kind it was parsed for (whether a heading names a section of the
    /// kind decides how the chunk is parsed).
    entries: HashMap<u64, Vec<(Arc<Chunk>, u64, DocKind)>>,
    generation: u64,
    /// How many analyses back an entry is kept (0 is taken as 1).
    kept: u64,
    hasher: foldhash::fast::RandomState,
}

impl ChunkCache {
    pub fn get(&mut self, text: &str, kind: &DocKind) -> Arc<Chunk> {
        // every chunk of the document is hashed on every analysis: a fast
        // hash, seeded per process so that crafted text cannot make chunks
        // collide (the text is compared on a hit)
        let key = self.hasher.hash_one(text);
        let generation = self.generation;
        let bucket = self.entries.entry(key).or_default();
        if let Some((chunk, used, _)) = bucket
            .iter_mut()
            .find(|(c, _, k)| k.same_schema(kind) && &*c.text == text)
        {
            *used = generation;
            return chunk.clone();
        }
        let chunk = Arc::new(Chunk::parse(text, kind));
        bucket.push((chunk.clone(), generation, kind.clone()));
        chunk
    }

    /// A cache that keeps the chunks of the last `analyses` analyses.
    pub fn across(analyses: u64) -> ChunkCache {
        ChunkCache {
            kept: analyses,
            ..ChunkCache::default()
        }
    }

    /// Ends an analysis: forgets chunks that it and the analyses kept
    /// before it did not use.
    pub fn finish(&mut self) {
        let oldest = self.generation.saturating_sub(self.kept.max(1) - 1);
        self.entries.retain(|_, bucket| {
            bucket.retain(|(_, used, _)| *used >= oldest);
            !bucket.is_empty()
        });
        self.generation += 1;
    }

    pub fn len(&self) -> usize {
        self.entries.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    #[test]
    fn items_fields_tasks_and_nesting() {
        let text = "### Hosting\n- Provider: AWS\n- [ ] All tests pass\n- [x]  Done\n- Steps:\n  - one\n  - two\n1. first\n";
        let c = Chunk::parse(text, &crate::schema::DEPLOYMENT);
        assert_eq!(at(text, c.heading.as_ref().unwrap().text), "Hosting");
        assert_eq!(c.items.len(), 5);
        let f = c.items[0].field.unwrap();
        assert_eq!((at(text, f.key), at(text, f.value)), ("Provider", "AWS"));
        let t = c.items[1].task.unwrap();
        assert!(!t.checked);
        assert_eq!(at(text, t.span), "[ ]");
        assert_eq!(at(text, c.items[1].content), "All tests pass");
        assert!(c.items[2].task.unwrap().checked);
        assert_eq!(at(text, c.items[2].content), "Done");
        assert_eq!(c.items[3].children.len(), 2);
        assert_eq!(at(text, c.items[3].span), "- Steps:\n  - one\n  - two");
        assert!(c.items[4].ordered);
        assert_eq!(at(text, c.items[4].marker), "1.");
    }

    #[test]
    fn unknown_sections_are_scanned_not_parsed() {
        let text = "### Component: api\n\n- Provider: AWS\n- [x] smoke tests pass\n```\n- [ ] not a task\n```\n";
        let c = Chunk::parse(text, &crate::schema::DEPLOYMENT);
        assert_eq!(c.items.len(), 1);
        assert!(c.items[0].task.unwrap().checked);
        assert_eq!(at(text, c.items[0].content), "smoke tests pass");
        assert_eq!(c.code_blocks.len(), 1);
        assert_eq!(c.code_blocks[0].lines.len(), 1);
    }

    #[test]
    fn field_splits() {
        let split = |s: &str| {
            split_field(s, Span::new(0, s.len())).map(|f| {
                (
                    at(s, f.key).to_string(),
                    at(s, f.value).to_string(),
                    f.separator,
                )
            })
        };
        assert_eq!(
            split("Error rate > 1%"),
            Some(("Error rate".into(), "1%".into(), Separator::GreaterThan))
        );
        assert_eq!(
            split("Endpoint: https://x.example.com"),
            Some((
                "Endpoint".into(),
                "https://x.example.com".into(),
                Separator::Colon
            ))
        );
        assert_eq!(
            split("**Provider:** AWS"),
            Some(("Provider".into(), "AWS".into(), Separator::Colon))
        );
        assert_eq!(
            split("**Provider**: AWS"),
            Some(("Provider".into(), "AWS".into(), Separator::Colon))
        );
        assert_eq!(
            split("Steps:"),
            Some(("Steps".into(), "".into(), Separator::Colon))
        );
        assert_eq!(split("see https://x.example.com"), None);
        assert_eq!(
            split("Region:eu-west-1"),
            Some(("Region".into(), "eu-west-1".into(), Separator::Colon))
        );
        assert_eq!(split("[other conditions]"), None);
    }

    #[test]
    fn code_blocks_keep_their_lines() {
        let text = "## Decision Validation\n\n```\n│ Risk: High │\n```\n";
        let c = Chunk::parse(text, &crate::schema::DEPLOYMENT);
        assert_eq!(c.code_blocks.len(), 1);
        let lines: Vec<&str> = c.code_blocks[0]
            .lines
            .iter()
            .map(|s| at(text, *s))
            .collect();
        assert_eq!(lines, vec!["│ Risk: High │"]);
    }

    #[test]
    fn cache_reuses_and_forgets() {
        let mut cache = ChunkCache::default();
        let a = cache.get("## A\n", &crate::schema::DEPLOYMENT);
        cache.finish();
        let b = cache.get("## A\n", &crate::schema::DEPLOYMENT);
        assert!(Arc::ptr_eq(&a, &b));
        cache.get("## B\n", &crate::schema::DEPLOYMENT);
        cache.finish();
        cache.get("## B\n", &crate::schema::DEPLOYMENT);
        cache.finish();
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn a_cache_across_documents_keeps_the_last_analyses_chunks() {
        let kind = &crate::schema::DEPLOYMENT;
        let mut cache = ChunkCache::across(2);
        let a = cache.get("## A\n", kind);
        cache.finish();
        cache.get("## B\n", kind);
        cache.finish();
        // A was used two analyses back: still kept
        assert!(Arc::ptr_eq(&a, &cache.get("## A\n", kind)));
        cache.finish();
        cache.get("## C\n", kind);
        cache.finish();
        cache.get("## D\n", kind);
        cache.finish();
        assert_eq!(cache.len(), 2, "C and D");
    }
}
