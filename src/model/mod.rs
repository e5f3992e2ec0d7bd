//! The Markdown model: the document cut into chunks (`outline`), each parsed
//! with comrak (`chunk`, cached), then resolved against the schema into a
//! [`Plan`] with absolute byte ranges.
//!
//! Invariants:
//! - `Chunk`s hold ranges relative to their own start and know nothing of the
//!   schema; `Plan` holds absolute byte ranges and the schema assignment.
//! - Only sections the schema knows get their list items resolved into
//!   entries and fields; unknown sections cost one heading each.

pub mod chunk;
pub mod directives;
pub mod outline;
pub mod secrets;
pub mod target;

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use chunk::{Chunk, ChunkCache, FieldSplit, Item};
use outline::FrontMatter;
use target::{Evidence, Targeting};

use crate::config::Config;
use crate::schema::{
    self, Body, DocKind, Env, FieldSpec, RecordSpec, SectionSpec, Separator, SpecRef,
};
use crate::text::Unchanged;

/// A byte range that is `Copy` (chunk-relative inside [`chunk`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }

    pub fn contains(self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }

    /// This chunk-relative span as an absolute range.
    pub fn at(self, base: usize) -> Range<usize> {
        base + self.start..base + self.end
    }
}

/// What a secret is shown as wherever plan-lsp repeats document text.
pub const SECRET_MASK: &str = "••••••";

/// A chunk placed in the document.
#[derive(Clone, Debug)]
pub struct PlacedChunk {
    pub base: usize,
    pub chunk: Arc<Chunk>,
}

/// How a section's heading relates to where the schema puts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    Expected,
    /// The schema knows the name at another heading level (`## Hosting`).
    WrongLevel,
}

#[derive(Clone, Debug)]
pub struct Section {
    pub level: u8,
    /// The heading line, without its terminator.
    pub line: Range<usize>,
    /// The section's name as written (for `## Environment: x`, `Environment`).
    pub name: Range<usize>,
    /// A heading-field (`## Environment: production`).
    pub field: Option<Field>,
    /// This heading's chunk: up to the next heading of any level.
    pub range: Range<usize>,
    /// The end of this section including its subsections.
    pub end: usize,
    pub parent: Option<usize>,
    pub spec: Option<SpecRef<SectionSpec>>,
    pub placement: Placement,
    /// List items, resolved for known sections only.
    pub entries: Vec<Entry>,
    /// Index into [`Plan::chunks`].
    pub chunk: usize,
}

/// A list item of a known section.
#[derive(Clone, Debug)]
pub struct Entry {
    pub span: Range<usize>,
    pub line: Range<usize>,
    pub marker: Range<usize>,
    pub ordered: bool,
    /// `Some((checked, box range))` for a task item.
    pub task: Option<(bool, Range<usize>)>,
    pub content: Range<usize>,
    pub field: Option<Field>,
    pub children: Vec<Entry>,
}

/// A `Key: value` field, wherever it was written: a list item, a heading or
/// a line of the Decision Validation box.
#[derive(Clone, Debug)]
pub struct Field {
    pub key: Range<usize>,
    pub separator: Separator,
    /// The value as written, trimmed (empty range at the line's end if none).
    pub value: Range<usize>,
    /// The field's text on its line (list item content, box line content).
    pub line: Range<usize>,
    /// Nested list items under the field (`- Steps:` then `  - one`).
    pub nested: Vec<Range<usize>>,
    pub spec: Option<SpecRef<FieldSpec>>,
    /// The section the field is written in.
    pub section: usize,
    /// For a field written in the wrong section: the section it belongs in
    /// (its `spec` is then that section's field, so its value is still
    /// checked).
    pub home: Option<SpecRef<SectionSpec>>,
}

impl Field {
    fn from_split(split: FieldSplit, base: usize, line: Range<usize>, section: usize) -> Field {
        Field {
            key: split.key.at(base),
            separator: split.separator,
            value: split.value.at(base),
            line,
            nested: Vec::new(),
            spec: None,
            section,
            home: None,
        }
    }

    /// The value's core: without emphasis or a trailing note.
    /// The canonical enum value this field's value spells, if any.
    pub fn canonical(&self, text: &str) -> Option<&str> {
        let spec = self.spec.as_ref()?.enum_spec()?;
        schema::values::match_enum(spec, &text[self.value.clone()], &[])?.canonical()
    }

    pub fn core(&self, text: &str) -> Range<usize> {
        let c = schema::values::value_core(&text[self.value.clone()]);
        self.value.start + c.start..self.value.start + c.end
    }

    /// The items of a list or link value: its comma-separated parts and its
    /// nested items, each without a `Label: ` prefix or a trailing note.
    pub fn link_items(&self, text: &str) -> Vec<Range<usize>> {
        let mut items = schema::values::list_parts(text, self.value.clone());
        items.extend(self.nested.iter().cloned());
        items
            .into_iter()
            .map(|item| {
                let item = match text[item.clone()].find(": ") {
                    Some(i) => schema::values::trim_range(text, item.start + i + 1..item.end),
                    None => item,
                };
                let core = schema::values::value_core(&text[item.clone()]);
                item.start + core.start..item.start + core.end
            })
            .filter(|r| !r.is_empty())
            .collect()
    }

    /// Whether the field has neither a value nor nested items.
    pub fn is_empty(&self) -> bool {
        self.value.is_empty() && self.nested.is_empty()
    }
}

/// Where the Decision Validation record was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordForm {
    Box,
    Markdown,
}

#[derive(Clone, Debug)]
pub struct Record {
    /// The `## Decision Validation` section.
    pub section: usize,
    pub form: RecordForm,
    /// The box's fenced code block, for the box form.
    pub box_range: Option<Range<usize>>,
    pub fields: Vec<Field>,
}

impl Record {
    /// The first field written for this spec.
    pub fn field_of(&self, spec: &FieldSpec) -> Option<&Field> {
        self.fields
            .iter()
            .find(|f| f.spec.as_ref().is_some_and(|s| s.is(spec)))
    }
}

/// A document resolved against its kind's schema.
#[derive(Clone, Debug)]
pub struct Plan {
    pub kind: DocKind,
    /// Declared by its H1 alone (no front matter, no include glob).
    pub by_title: bool,
    pub env: Env,
    /// Whether the document itself declares the environment.
    pub env_declared: bool,
    pub front_matter: Option<FrontMatter>,
    /// Shared with the parser, which takes over the unchanged ones.
    pub chunks: Arc<[PlacedChunk]>,
    /// Every heading, in document order.
    pub sections: Vec<Section>,
    pub record: Option<Record>,
    pub link_labels: Vec<String>,
    pub text_len: usize,
}

impl Plan {
    /// The first H1.
    /// Where the secret scanner found credentials, as absolute ranges.
    pub fn secrets(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        self.chunks
            .iter()
            .flat_map(|c| c.chunk.secrets.iter().map(|s| s.span.at(c.base)))
    }

    /// The text of `range` with every secret in it masked, for output
    /// that must never repeat a secret (symbols, titles, messages).
    pub fn redacted(&self, text: &str, range: Range<usize>) -> String {
        let mut out = String::new();
        let mut at = range.start;
        let mut secrets: Vec<Range<usize>> = self
            .secrets()
            .filter(|s| s.start < range.end && range.start < s.end)
            .collect();
        secrets.sort_by_key(|s| s.start);
        for s in secrets {
            let start = s.start.max(at);
            out.push_str(&text[at..start]);
            out.push_str(SECRET_MASK);
            at = s.end.min(range.end).max(at);
        }
        out.push_str(&text[at..range.end]);
        out
    }

    /// `s` (text made from the document: a message, a diff) with every
    /// secret found in `text` masked wherever it occurs.
    pub fn mask_secrets(&self, text: &str, s: &str) -> String {
        let mut secrets: Vec<&str> = self.secrets().map(|r| &text[r]).collect();
        // longest first, so a secret inside another goes with it
        secrets.sort_by_key(|x| std::cmp::Reverse(x.len()));
        let mut out = s.to_string();
        for secret in secrets {
            if !secret.is_empty() && out.contains(secret) {
                out = out.replace(secret, SECRET_MASK);
            }
        }
        out
    }

    /// Whether a range overlaps a secret.
    pub fn touches_secret(&self, range: &Range<usize>) -> bool {
        self.secrets()
            .any(|s| s.start < range.end && range.start < s.end)
    }

    /// The record's fields and values by their roles, when the kind has a
    /// record that declares them all.
    pub fn record_roles(&self) -> Option<schema::RecordRoles<'_>> {
        self.kind.record().and_then(schema::record_roles)
    }

    pub fn title(&self) -> Option<&Section> {
        self.sections.iter().find(|s| s.level == 1)
    }

    /// Sections the schema assigned to `spec`, in document order.
    pub fn sections_of<'a>(
        &'a self,
        spec: &'a SectionSpec,
    ) -> impl Iterator<Item = (usize, &'a Section)> {
        self.sections
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.spec.as_ref().is_some_and(|x| x.is(spec)))
    }

    pub fn first_of<'a>(&'a self, spec: &'a SectionSpec) -> Option<&'a Section> {
        self.sections_of(spec).next().map(|(_, s)| s)
    }

    /// Every field of the document the schema knows a place for: heading
    /// fields, fields of known sections, and the Decision Validation record's.
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        let in_sections = self
            .sections
            .iter()
            .filter(|s| {
                s.spec
                    .as_ref()
                    .is_some_and(|x| !matches!(x.body, Body::Record(_) | Body::RecordGroup))
            })
            .flat_map(|s| {
                s.field
                    .iter()
                    .chain(s.entries.iter().filter_map(|e| e.field.as_ref()))
            });
        in_sections.chain(self.record.iter().flat_map(|r| r.fields.iter()))
    }

    /// The innermost section containing `offset`.
    pub fn section_at(&self, offset: usize) -> Option<usize> {
        self.sections.iter().rposition(|s| {
            s.range.start <= offset && (offset < s.range.end || s.range.end == self.text_len)
        })
    }
}

/// What resolving needs besides the text.
pub struct Context<'a> {
    pub path: Option<&'a Path>,
    pub config: &'a Config,
}

/// The document's outline, the targeting decision, and the [`Plan`] when
/// it is one.
pub struct Parsed {
    pub outline: outline::Outline,
    pub targeting: Targeting,
    pub plan: Option<Plan>,
}

/// Cuts texts into chunks, parses the chunks of plans and resolves them.
/// It keeps what it cut and parsed the last plan into, so that the next
/// version of the same document is scanned and parsed again only around
/// what changed; a [`ChunkCache`] finds again the chunks an edit brings
/// back.
#[derive(Default)]
pub struct Parser {
    cache: ChunkCache,
    /// Off for a parser that goes from document to document.
    keep_last: bool,
    last: Option<LastPlan>,
}

/// How the last plan was cut and what its chunks parsed into.
struct LastPlan {
    kind: DocKind,
    /// The text before the body: the front matter, or nothing.
    head: Box<str>,
    outline: outline::Outline,
    /// One per chunk of `outline`: the plan's own.
    chunks: Arc<[PlacedChunk]>,
}

impl Parser {
    /// A parser for one document's versions in turn (the editor's).
    pub fn for_one_document() -> Parser {
        Parser {
            keep_last: true,
            ..Parser::default()
        }
    }

    /// A parser for many documents in turn (the command line's files): a
    /// section that repeats from document to document, as sections of plans
    /// written from one template do, is parsed once.
    pub fn for_many_documents() -> Parser {
        Parser {
            cache: ChunkCache::across(4),
            ..Parser::default()
        }
    }

    /// Cuts the text into chunks and decides whether it is a plan; only a
    /// plan has its chunks parsed and resolved. `unchanged`, when the caller
    /// knows it, says how the text differs from the one this parser parsed
    /// last (else the two are compared).
    pub fn parse(&mut self, text: &str, cx: &Context<'_>, unchanged: Option<Unchanged>) -> Parsed {
        let last = self.last.take();
        let (outline, kept) = match last.as_ref().and_then(|l| recut(l, text, unchanged)) {
            Some(recut) => recut,
            None => (outline::scan(text), Vec::new()),
        };
        let targeting = classify(text, &outline, cx);
        let plan = targeting.kind.as_ref().map(|kind| {
            let same_kind = last.as_ref().is_some_and(|l| l.kind.same_schema(kind));
            let chunks: Vec<PlacedChunk> = outline
                .chunks
                .iter()
                .zip(kept.into_iter().chain(std::iter::repeat(None)))
                .map(|(c, kept)| PlacedChunk {
                    base: c.range.start,
                    chunk: match kept {
                        Some(chunk) if same_kind => chunk,
                        _ => self.cache.get(&text[c.range.clone()], kind),
                    },
                })
                .collect();
            self.cache.finish();
            let mut plan = resolve(text, kind.clone(), &outline, chunks, cx.config);
            plan.by_title = targeting.by_title;
            plan
        });
        if self.keep_last
            && let Some(plan) = &plan
        {
            self.last = Some(LastPlan {
                kind: plan.kind.clone(),
                head: text[..outline.body_start()].into(),
                outline: outline.clone(),
                chunks: plan.chunks.clone(),
            });
        }
        Parsed {
            outline,
            targeting,
            plan,
        }
    }

    /// Forgets the last plan (the next text is compared with nothing): for
    /// when a version is analysed without this parser.
    pub fn forget_last(&mut self) {
        self.last = None;
    }
}

/// The outline of a new version of the last plan's text, found by scanning
/// only between the chunks that are unchanged at its start and those
/// unchanged at its end (known from `unchanged`, else by comparing); with,
/// for each chunk, the chunk parsed before when its text is the same. `None`
/// when the front matter changed (it decides where the body starts).
fn recut(
    last: &LastPlan,
    text: &str,
    unchanged: Option<Unchanged>,
) -> Option<(outline::Outline, Vec<Option<Arc<Chunk>>>)> {
    let front_matter = outline::front_matter(text);
    let body_start = front_matter.as_ref().map_or(0, |f| f.range.end);
    if text.get(..body_start)? != &*last.head {
        return None;
    }
    let old = &last.outline.chunks;
    let old_len = old.last().map_or(body_start, |c| c.range.end);
    let shift = |at: usize| (at + text.len()).checked_sub(old_len);
    // the chunks unchanged in place at the start (`prefix` of them) and
    // those unchanged at the end, moved by the edit (from `suffix` on)
    let (prefix, suffix) = match unchanged {
        Some(u) => {
            let same_start = u.prefix.min(old_len).min(text.len());
            let same_end = u
                .suffix
                .min(old_len - same_start)
                .min(text.len() - same_start);
            let prefix = old.partition_point(|c| c.range.end <= same_start);
            let suffix = old.partition_point(|c| c.range.start < old_len - same_end);
            (prefix, suffix.max(prefix))
        }
        None => {
            let same_text = |span: &outline::ChunkSpan, chunk: &Chunk, at: usize| {
                text.get(at..at + span.range.len()) == Some(&*chunk.text)
            };
            let prefix = old
                .iter()
                .zip(last.chunks.iter())
                .take_while(|(span, placed)| same_text(span, &placed.chunk, span.range.start))
                .count();
            let mut suffix = old.len();
            while suffix > prefix {
                let (span, placed) = (&old[suffix - 1], &last.chunks[suffix - 1]);
                match shift(span.range.start) {
                    Some(at) if same_text(span, &placed.chunk, at) => suffix -= 1,
                    _ => break,
                }
            }
            (prefix, suffix)
        }
    };
    if prefix == old.len() && text.len() == old_len {
        let kept = last.chunks.iter().map(|c| Some(c.chunk.clone())).collect();
        return Some((last.outline.clone(), kept));
    }
    // The chunk before the first changed one is scanned again too: the edit
    // may have undone the heading that ended it.
    let rescan_from = prefix.saturating_sub(1);
    let from = match prefix {
        0 => body_start,
        _ => old[rescan_from].range.start,
    };
    let mut resumed_at = None;
    let (middle, _) = outline::scan_chunks(text, from, |at| {
        let Some(old_at) = (at + old_len).checked_sub(text.len()) else {
            return false;
        };
        match old[suffix..].binary_search_by_key(&old_at, |c| c.range.start) {
            Ok(i) => {
                resumed_at = Some(suffix + i);
                true
            }
            Err(_) => false,
        }
    });
    let mut chunks = old[..rescan_from].to_vec();
    let mut kept: Vec<Option<Arc<Chunk>>> = last.chunks[..rescan_from]
        .iter()
        .map(|c| Some(c.chunk.clone()))
        .collect();
    for span in middle {
        // the chunk before the first changed one, when the edit left it be
        let before = (prefix > 0 && old[rescan_from] == span)
            .then(|| last.chunks[rescan_from].chunk.clone());
        kept.push(before);
        chunks.push(span);
    }
    if let Some(first) = resumed_at {
        for (span, placed) in old[first..].iter().zip(&last.chunks[first..]) {
            let start = shift(span.range.start)?;
            chunks.push(outline::ChunkSpan {
                range: start..start + span.range.len(),
                level: span.level,
            });
            kept.push(Some(placed.chunk.clone()));
        }
    }
    Some((
        outline::Outline {
            front_matter,
            chunks,
        },
        kept,
    ))
}

/// Decides whether a document is a plan from its outline alone (no comrak
/// parse), so that non-plans and over-large documents cost one line scan.
pub fn classify(text: &str, outline: &outline::Outline, cx: &Context<'_>) -> Targeting {
    if text.trim().is_empty() {
        // an empty file is about to be written: it is offered the templates
        // (completion, insert actions), not a finding per missing section
        return Targeting {
            kind: None,
            reason: "it is empty".into(),
            by_title: false,
        };
    }
    let headings = outline
        .chunks
        .iter()
        .filter(|c| c.level <= 2)
        .filter_map(|c| {
            let h = chunk::heading_line(&text[c.range.clone()])?;
            Some((&text[h.text.at(c.range.start)], h.level, c.range.start))
        });
    let mut first_h1 = None;
    let mut h2s = Vec::new();
    for (t, level, start) in headings {
        if level == 1 && first_h1.is_none() {
            first_h1 = Some((t, crate::text::line_index(text, start) + 1));
        }
        if level == 2 {
            h2s.push(t);
        }
    }
    let included_by = cx.path.and_then(|p| cx.config.include_match(p));
    target::classify(&Evidence {
        front_matter: outline.front_matter.as_ref(),
        first_h1,
        h2s,
        path: cx.path,
        included_by,
        kinds: cx.config.kinds(),
    })
}

fn resolve(
    text: &str,
    kind: DocKind,
    outline: &outline::Outline,
    chunks: Vec<PlacedChunk>,
    config: &Config,
) -> Plan {
    let mut sections: Vec<Section> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for (ci, placed) in chunks.iter().enumerate() {
        let Some(h) = placed.chunk.heading.as_ref() else {
            continue;
        };
        let base = placed.base;
        while stack.last().is_some_and(|&i| sections[i].level >= h.level) {
            stack.pop();
        }
        let parent = stack.last().copied();
        let index = sections.len();
        // a heading that names no section is not looked up (nor its text read)
        let chunk_text = &*placed.chunk.text;
        let title = || &chunk_text[h.text.range()];
        let split = placed
            .chunk
            .names_section
            .then(|| chunk::split_field(chunk_text, h.text))
            .flatten()
            .filter(|f| f.separator == Separator::Colon);
        let key = split.map(|f| &chunk_text[f.key.range()]);
        let parent_spec = parent.and_then(|p| sections[p].spec.as_ref());
        let (mut spec_match, mut placement) = match placed.chunk.names_section {
            true => assign(&kind, parent_spec, h.level, title(), key),
            false => (None, Placement::Expected),
        };
        let has_heading_value = |s: &Option<SpecRef<SectionSpec>>| {
            s.as_ref().is_some_and(|s| s.heading_value.is_some())
        };
        if split.is_some_and(|f| f.tight) && !has_heading_value(&spec_match) {
            (spec_match, placement) = assign(&kind, parent_spec, h.level, title(), None);
        }
        // Only a heading-field section splits its heading into name and value.
        let heading_field = spec_match
            .as_ref()
            .and_then(|s| s.part(|s| s.heading_value.as_deref()));
        let (name, field) = match (heading_field, split) {
            (Some(field_spec), Some(split)) => {
                let mut f = Field::from_split(split, base, h.text.at(base), index);
                f.spec = Some(field_spec);
                (f.key.clone(), Some(f))
            }
            _ => (h.text.at(base), None),
        };
        sections.push(Section {
            level: h.level,
            line: h.line.at(base),
            name,
            field,
            range: base..base + placed.chunk.text.len(),
            end: text.len(),
            parent,
            spec: spec_match,
            placement,
            entries: Vec::new(),
            chunk: ci,
        });
        stack.push(index);
    }
    // subtree ends
    for i in 0..sections.len() {
        let level = sections[i].level;
        sections[i].end = sections[i + 1..]
            .iter()
            .find(|s| s.level <= level)
            .map_or(text.len(), |s| s.range.start);
    }
    for (index, s) in sections.iter_mut().enumerate() {
        if let Some(sspec) = &s.spec {
            let placed = &chunks[s.chunk];
            s.entries = placed
                .chunk
                .items
                .iter()
                .map(|item| entry(text, item, placed.base, sspec, index))
                .collect();
        }
    }
    let record = record(text, &sections, &chunks);
    let link_labels = chunks
        .iter()
        .flat_map(|c| c.chunk.link_labels.iter().cloned())
        .collect();
    let (env, env_declared) = environment(text, &kind, &sections, config);
    Plan {
        kind,
        by_title: false,
        env,
        env_declared,
        front_matter: outline.front_matter.clone(),
        chunks: chunks.into(),
        sections,
        record,
        link_labels,
        text_len: text.len(),
    }
}

/// Finds the schema section a heading names: first among the children of
/// its parent's spec (or the top level), then anywhere in the schema.
fn assign(
    kind: &DocKind,
    parent: Option<&SpecRef<SectionSpec>>,
    level: u8,
    title: &str,
    key: Option<&str>,
) -> (Option<SpecRef<SectionSpec>>, Placement) {
    // `### Hosting:` names Hosting too
    let title = title.trim_end_matches(':').trim_end();
    let matches = |s: &SectionSpec| match (&s.heading_value, key) {
        (Some(_), Some(key)) => s.matches(key),
        _ => s.matches(title),
    };
    let sibling = |siblings: &[SectionSpec]| -> Option<usize> {
        siblings.iter().position(|s| matches(s) && s.level == level)
    };
    let found = match parent {
        Some(p) => p.part(|p| Some(&p.children[sibling(&p.children)?])),
        None => kind.part(|d| Some(&d.sections[sibling(&d.sections)?])),
    };
    if found.is_some() {
        return (found, Placement::Expected);
    }
    if level == 1
        && parent.is_none()
        && kind
            .title
            .as_ref()
            .is_some_and(|t| schema::eq_name(t, title))
    {
        return (None, Placement::Expected);
    }
    let anywhere = kind.part(|d| {
        schema::sections_named(d, key.unwrap_or(title))
            .into_iter()
            .chain(schema::sections_named(d, title))
            .find(|s| matches(s) && !matches!(s.body, Body::RecordGroup))
    });
    match anywhere {
        Some(s) if s.level == level => (Some(s), Placement::Expected),
        Some(s) => (Some(s), Placement::WrongLevel),
        None => (None, Placement::Expected),
    }
}

fn entry(
    text: &str,
    item: &Item,
    base: usize,
    spec: &SpecRef<SectionSpec>,
    section: usize,
) -> Entry {
    let field = item.field.map(|split| {
        let mut f = Field::from_split(split, base, item.content.at(base), section);
        let key = &text[f.key.clone()];
        f.spec = match &spec.body {
            Body::Record(_) => spec.part(|s| s.record()?.field(key)),
            Body::RecordGroup => spec.kind().part(|d| d.record_spec().field(key)),
            _ => spec.part(|s| s.field(key)),
        };
        if f.spec.is_none() && matches!(spec.body, Body::Fields { open: false, .. }) {
            let kind = spec.kind();
            if let Some(home) = kind.part(|d| schema::field_home(d, key).map(|(home, _)| home)) {
                f.spec = home.part(|home| home.field(key));
                f.home = Some(home);
            }
        }
        f.nested = item.children.iter().map(|c| c.content.at(base)).collect();
        (!split.tight || f.spec.is_some()).then_some(f)
    });
    Entry {
        span: item.span.at(base),
        line: item.line.at(base),
        marker: item.marker.at(base),
        ordered: item.ordered,
        task: item.task.map(|t| (t.checked, t.span.at(base))),
        content: item.content.at(base),
        field: field.flatten(),
        children: item
            .children
            .iter()
            .map(|c| entry(text, c, base, spec, section))
            .collect(),
    }
}

/// Gathers the Decision Validation record: from a box in a fenced code block
/// under `## Decision Validation`, and from `- Key: value` fields there and
/// in its group sections.
fn record(text: &str, sections: &[Section], chunks: &[PlacedChunk]) -> Option<Record> {
    let (index, section, spec) = sections.iter().enumerate().find_map(|(i, s)| {
        let record = s.spec.as_ref()?.part(SectionSpec::record)?;
        Some((i, s, record))
    })?;
    let mut fields = Vec::new();
    let mut box_range = None;
    let placed = &chunks[section.chunk];
    for block in &placed.chunk.code_blocks {
        let mut found = false;
        for line in &block.lines {
            if let Some(f) = box_line_field(text, line.at(placed.base), index, &spec) {
                fields.push(f);
                found = true;
            }
        }
        if found && box_range.is_none() {
            box_range = Some(block.span.at(placed.base));
        }
    }
    let form = if box_range.is_some() {
        RecordForm::Box
    } else {
        RecordForm::Markdown
    };
    for s in sections[index..section.end_index(sections, index)].iter() {
        if s.spec
            .as_ref()
            .is_some_and(|x| matches!(x.body, Body::Record(_) | Body::RecordGroup))
        {
            fields.extend(s.entries.iter().filter_map(|e| e.field.clone()));
        }
    }
    Some(Record {
        section: index,
        form,
        box_range,
        fields,
    })
}

impl Section {
    /// Index one past this section's last subsection.
    fn end_index(&self, sections: &[Section], me: usize) -> usize {
        sections[me + 1..]
            .iter()
            .position(|s| s.level <= self.level)
            .map_or(sections.len(), |p| me + 1 + p)
    }
}

/// A field on a line of the Decision Validation box: borders stripped,
/// the title and group labels skipped.
pub fn box_line_field(
    text: &str,
    line: Range<usize>,
    section: usize,
    record: &SpecRef<RecordSpec>,
) -> Option<Field> {
    let inner = box_line_content(text, line);
    if inner.is_empty() {
        return None;
    }
    let content = &text[inner.clone()];
    if schema::eq_name(content, &record.title) {
        return None;
    }
    let split = chunk::split_field(text, Span::new(inner.start, inner.end))?;
    let key = &text[split.key.range()];
    if split.value.start == split.value.end && record.is_group_label(key) {
        return None;
    }
    let mut f = Field::from_split(split, 0, inner, section);
    f.spec = record.part(|r| r.field(key));
    (!split.tight || f.spec.is_some()).then_some(f)
}

/// The text of a box line between its borders (box-drawing characters and
/// `|` at either end), trimmed.
pub fn box_line_content(text: &str, line: Range<usize>) -> Range<usize> {
    let s = &text[line.clone()];
    let is_border = crate::text::is_box_char;
    let lead = s.len() - s.trim_start().len();
    let mut start = line.start + lead;
    if let Some(c) = text[start..line.end].chars().next()
        && is_border(c)
    {
        start += c.len_utf8();
    }
    let mut end = line.end - (s.len() - s.trim_end().len());
    if end > start
        && let Some(c) = text[start..end].chars().next_back()
        && is_border(c)
    {
        end -= c.len_utf8();
    }
    let inner = schema::values::trim_range(text, start..end.max(start));
    // a separator line (├────┤) has only box-drawing characters
    if text[inner.clone()].chars().all(is_border) {
        return inner.start..inner.start;
    }
    inner
}

/// The environment the document declares: a heading-field (plan) or a
/// field (status document) with the environment's role.
fn environment(text: &str, kind: &DocKind, sections: &[Section], config: &Config) -> (Env, bool) {
    let is_env = |f: &FieldSpec| f.is_environment();
    let declared = if kind.is_status() {
        sections
            .iter()
            .filter(|s| s.spec.is_some())
            .flat_map(|s| s.entries.iter())
            .filter_map(|e| e.field.as_ref())
            .find(|f| f.spec.as_deref().is_some_and(is_env))
            .map(|f| f.value.clone())
    } else {
        sections
            .iter()
            .filter_map(|s| s.field.as_ref())
            .find(|f| f.spec.as_deref().is_some_and(is_env))
            .map(|f| f.value.clone())
    }
    .and_then(|v| Env::parse(&text[v]));
    match declared {
        Some(env) => (env, true),
        None => (config.default_env.unwrap_or(Env::Staging), false),
    }
}

/// Whether a checklist entry's text is the standard item (case, emphasis
/// and trailing punctuation ignored).
pub fn checklist_matches(
    text: &str,
    content: Range<usize>,
    item: &schema::ChecklistItemSpec,
) -> bool {
    let c = schema::values::strip_emphasis(text, content);
    let written = text[c].trim_end_matches(['.', '!', ';']);
    schema::eq_name(written, &item.text)
}

/// How far a checklist is: its checked items, all its items (the
/// template's standard items, written or not, and any others written), and
/// the standard items not written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    pub missing: usize,
}

impl std::fmt::Display for Progress {
    /// `3/5`, or `3/5 — 2 missing`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.done, self.total)?;
        if self.missing > 0 {
            write!(f, " — {} missing", self.missing)?;
        }
        Ok(())
    }
}

/// The progress of a checklist section, counted against the template.
pub fn checklist_progress(text: &str, section: &Section) -> Option<Progress> {
    let spec = section.spec.as_ref()?;
    let Body::Checklist { items, .. } = &spec.body else {
        return None;
    };
    let tasks: Vec<&Entry> = section
        .entries
        .iter()
        .filter(|e| e.task.is_some())
        .collect();
    let done = tasks
        .iter()
        .filter(|e| e.task.as_ref().is_some_and(|(c, _)| *c))
        .count();
    let written = |item| {
        tasks
            .iter()
            .any(|e| checklist_matches(text, e.content.clone(), item))
    };
    let missing = items.iter().filter(|i| !written(i)).count();
    Some(Progress {
        done,
        total: tasks.len() + missing,
        missing,
    })
}
