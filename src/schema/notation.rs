//! Templates in the seed's own notation (SPEC §10), read into the schema
//! the engine already uses: `# Title`, `## Section`, `- Key: [placeholder]`,
//! `- Key > [threshold]`, `- [ ] Item`, `1. [Step]`, a fenced box of
//! `│ Key: [..] │` rows, and the `<!-- optional -->` / `<!-- doc: … -->`
//! comments. The built-in kinds are read here too (`built_in.rs`). A kind
//! read from a team's template is owned by whatever holds it (the
//! configuration in force, the documents analysed against it) and freed
//! with the last of them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use super::{
    Body, ChecklistItemSpec, DocKind, DocSpec, EnumSpec, EnumValue, FieldSpec, Presence, Quantity,
    RecordGroup, RecordSpec, SectionSpec, Separator, ValueKind, eq_name,
};

/// What is wrong with a template, and where (1-based line and column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// What the reader is told besides the text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KindSource {
    /// The kind's name (`postmortem`).
    pub name: String,
    /// Where the template comes from, as shown to users (its path).
    pub origin: String,
    /// The H1 that declares a document, when it is not the template's own.
    pub title: Option<String>,
}

/// Reads a template into a document kind, with the built-in kind of the
/// same name laid under it (`overlay`). While a kind is held, the same
/// name, origin, title and text give that same kind, so reloading an
/// unchanged configuration builds nothing.
pub fn read_kind(source: &KindSource, text: &str) -> Result<DocKind, Vec<TemplateError>> {
    type Kinds = HashMap<(KindSource, String), Weak<DocSpec>>;
    static KINDS: Mutex<Option<Kinds>> = Mutex::new(None);
    let key = (source.clone(), text.to_string());
    {
        let mut kinds = KINDS.lock().unwrap_or_else(PoisonError::into_inner);
        let kinds = kinds.get_or_insert_with(HashMap::new);
        if let Some(kind) = kinds.get(&key).and_then(Weak::upgrade) {
            return Ok(DocKind(kind));
        }
    }
    let kind = DocKind::new(super::overlay::with_built_in(read(source, text)?));
    let mut kinds = KINDS.lock().unwrap_or_else(PoisonError::into_inner);
    let kinds = kinds.get_or_insert_with(HashMap::new);
    // the kinds no one holds any more are forgotten
    kinds.retain(|_, kind| kind.strong_count() > 0);
    kinds.insert(key, Arc::downgrade(&kind.0));
    Ok(kind)
}

/// A fenced block being read: its marker, its first line, and its rows
/// with their line numbers.
type OpenFence = (String, usize, Vec<(usize, String)>);

/// Reads a template as it is written (no built-in kind under it).
pub fn read(source: &KindSource, text: &str) -> Result<DocSpec, Vec<TemplateError>> {
    Reader::new(source, false).read(text)
}

/// Reads a built-in template: `untitled` for a kind declared by its file
/// name alone (the status document), whose template has no `# Title`.
pub(super) fn read_built_in(
    source: &KindSource,
    text: &str,
    untitled: bool,
) -> Result<DocSpec, Vec<TemplateError>> {
    Reader::new(source, untitled).read(text)
}

/// A section while its template is read: its children are still growing.
struct Draft {
    name: String,
    level: u8,
    doc: String,
    presence: Presence,
    heading_value: Option<Box<FieldSpec>>,
    fields: Vec<FieldSpec>,
    open: bool,
    items: Vec<ChecklistItemSpec>,
    steps: Vec<String>,
    record: Option<RecordSpec>,
    children: Vec<SectionSpec>,
    /// The first line of each body form seen, to report a mix.
    forms: Vec<(&'static str, usize)>,
}

impl Draft {
    fn finish(self, errors: &mut Vec<TemplateError>) -> SectionSpec {
        if self.forms.len() > 1 {
            let (first, _) = self.forms[0];
            let (second, line) = self.forms[1];
            errors.push(TemplateError {
                line,
                column: 1,
                message: format!(
                    "section `{}` mixes {first} and {second}; give each its own section",
                    self.name
                ),
            });
        }
        let body = match self.forms.first().map(|(form, _)| *form) {
            Some(FIELDS) => Body::Fields {
                fields: self.fields,
                open: self.open,
            },
            Some(CHECKLIST) => Body::Checklist {
                items: self.items,
                checked_for_production: false,
            },
            Some(STEPS) => Body::Steps(self.steps),
            Some(_) => Body::Record(Box::new(self.record.expect("a record form has its record"))),
            None => Body::Container,
        };
        SectionSpec {
            name: self.name,
            level: self.level,
            doc: self.doc,
            presence: self.presence,
            heading_value: self.heading_value,
            body,
            children: self.children,
            role: None,
        }
    }
}

const FIELDS: &str = "fields";
const CHECKLIST: &str = "checklist items";
const STEPS: &str = "numbered steps";
const RECORD: &str = "a record box";

struct Reader<'a> {
    source: &'a KindSource,
    /// The kind has no title (a built-in kind declared by its file name).
    untitled: bool,
    errors: Vec<TemplateError>,
    title: Option<(String, String)>,
    /// Open sections, outermost first.
    stack: Vec<Draft>,
    top: Vec<SectionSpec>,
    /// Every section name seen and its line, for duplicates.
    names: Vec<(String, usize)>,
    skeleton: String,
}

/// A line with its comments taken out: the text, whether it said
/// `optional`, and its `doc:` text.
struct Annotated {
    text: String,
    optional: bool,
    doc: Option<String>,
    /// The line was a comment and nothing else.
    only_comment: bool,
}

impl<'a> Reader<'a> {
    fn new(source: &'a KindSource, untitled: bool) -> Reader<'a> {
        Reader {
            source,
            untitled,
            errors: Vec::new(),
            title: None,
            stack: Vec::new(),
            top: Vec::new(),
            names: Vec::new(),
            skeleton: String::new(),
        }
    }

    fn error(&mut self, line: usize, column: usize, message: impl Into<String>) {
        self.errors.push(TemplateError {
            line,
            column,
            message: message.into(),
        });
    }

    fn read(mut self, text: &str) -> Result<DocSpec, Vec<TemplateError>> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut fence: Option<OpenFence> = None;
        let mut in_comment = false;
        // a comment taken out between blank lines takes one of them along
        let mut skip_blank = false;
        for (index, raw) in text.lines().enumerate() {
            let line_no = index + 1;
            if in_comment {
                in_comment = !raw.contains("-->");
                skip_blank = !in_comment && self.ends_with_blank();
                continue;
            }
            if std::mem::take(&mut skip_blank) && raw.trim().is_empty() {
                continue;
            }
            if let Some((marker, start, rows)) = fence.as_mut() {
                self.skeleton.push_str(raw);
                self.skeleton.push('\n');
                if raw.trim_start().starts_with(marker.as_str()) {
                    let (start, rows) = (*start, std::mem::take(rows));
                    fence = None;
                    self.record_box(start, rows);
                } else {
                    rows.push((line_no, raw.to_string()));
                }
                continue;
            }
            let trimmed = raw.trim_start();
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                let marker: String = trimmed
                    .chars()
                    .take_while(|c| *c == '`' || *c == '~')
                    .collect();
                fence = Some((marker, line_no, Vec::new()));
                self.skeleton.push_str(raw);
                self.skeleton.push('\n');
                continue;
            }
            if trimmed.starts_with("<!--") && !trimmed.contains("-->") {
                in_comment = true;
                continue;
            }
            let Some(line) = self.annotate(raw, line_no) else {
                continue;
            };
            if line.only_comment {
                skip_blank = self.ends_with_blank();
                continue;
            }
            self.skeleton.push_str(line.text.trim_end());
            self.skeleton.push('\n');
            self.line(&line, line_no);
        }
        if let Some((_, start, _)) = fence {
            self.error(start, 1, "this code block is never closed");
        }
        while !self.stack.is_empty() {
            self.close();
        }
        let title = match (&self.source.title, &self.title) {
            (Some(t), _) => Some(t.clone()),
            (None, Some((t, _))) => Some(t.clone()),
            (None, None) if self.untitled => None,
            (None, None) => {
                self.error(
                    1,
                    1,
                    "the template has no `# Title` line (add one, or set `title` for the kind)",
                );
                None
            }
        };
        if self.top.is_empty() && self.errors.is_empty() {
            self.error(1, 1, "the template has no `##` section");
        }
        if !self.errors.is_empty() {
            self.errors.sort_by_key(|e| (e.line, e.column));
            return Err(self.errors);
        }
        Ok(DocSpec {
            name: self.source.name.clone(),
            source: self.source.origin.clone(),
            title,
            doc: self.title.map(|(_, doc)| doc).unwrap_or_default(),
            sections: self.top,
            skeleton: Some(self.skeleton.trim_start_matches('\n').to_string()),
        })
    }

    /// Whether the skeleton so far ends with a blank line (or is empty).
    fn ends_with_blank(&self) -> bool {
        self.skeleton.is_empty() || self.skeleton.ends_with("\n\n")
    }

    /// Takes the comments out of a line; `None` (and an error) when one is
    /// not closed on it.
    fn annotate(&mut self, raw: &str, line_no: usize) -> Option<Annotated> {
        let mut text = String::new();
        let mut optional = false;
        let mut doc = None;
        let mut rest = raw;
        while let Some(open) = rest.find("<!--") {
            text.push_str(&rest[..open]);
            let after = &rest[open + 4..];
            let Some(close) = after.find("-->") else {
                let column = raw.len() - rest.len() + open + 1;
                self.error(
                    line_no,
                    column,
                    "this comment is not closed on its line (`-->`)",
                );
                return None;
            };
            let comment = after[..close].trim();
            if comment.eq_ignore_ascii_case("optional") {
                optional = true;
            } else if let Some(d) = comment
                .strip_prefix("doc:")
                .or_else(|| comment.strip_prefix("doc :"))
            {
                doc = Some(d.trim().to_string());
            }
            rest = &after[close + 3..];
        }
        text.push_str(rest);
        let only_comment = text.trim().is_empty() && raw.contains("<!--");
        Some(Annotated {
            text: text.trim_end().to_string(),
            optional,
            doc,
            only_comment,
        })
    }

    fn line(&mut self, line: &Annotated, line_no: usize) {
        let text = line.text.as_str();
        let indent = text.len() - text.trim_start().len();
        let trimmed = text.trim_start();
        if let Some(level) = heading_level(trimmed) {
            if indent < 4 {
                self.heading(level, trimmed[level..].trim(), line, line_no);
            }
            return;
        }
        if indent >= 2 || trimmed.is_empty() {
            // nested list items and blank lines are the template's own
            return;
        }
        if let Some(rest) = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
            .or_else(|| trimmed.strip_prefix("+ "))
        {
            self.bullet(rest, line, line_no, indent + 3);
        } else if let Some((_, rest)) = ordered_item(trimmed) {
            self.step(rest, line_no);
        }
        // anything else is prose the template keeps for its readers
    }

    fn heading(&mut self, level: usize, content: &str, line: &Annotated, line_no: usize) {
        let doc = line.doc.clone().unwrap_or_default();
        if level == 1 {
            if self.title.is_some() {
                self.error(
                    line_no,
                    1,
                    "a second `#` title; a template declares one kind",
                );
            } else {
                self.title = Some((content.to_string(), doc));
            }
            return;
        }
        while self.stack.last().is_some_and(|d| d.level as usize >= level) {
            self.close();
        }
        let parent_level = self.stack.last().map_or(1, |d| d.level as usize);
        if level > parent_level + 1 {
            self.error(
                line_no,
                1,
                format!(
                    "a level-{level} heading under a level-{parent_level} one; use {}",
                    "#".repeat(parent_level + 1)
                ),
            );
        }
        let (name, heading_value) = match split_field(content) {
            Some((key, Separator::Colon, value)) if !value.is_empty() => {
                match self.value(value, Separator::Colon, line_no, (content, level + 2), key) {
                    Some((kind, hint)) => {
                        let field = FieldSpec {
                            key: key.to_string(),
                            doc: doc.clone(),
                            value: kind,
                            separator: Separator::Colon,
                            required: true,
                            hint,
                            role: None,
                        };
                        (key, Some(Box::new(field)))
                    }
                    None => (key, None),
                }
            }
            _ => (content, None),
        };
        if name.is_empty() {
            self.error(line_no, 1, "a heading without a name");
            return;
        }
        if let Some(&(_, first)) = self.names.iter().find(|(n, _)| eq_name(n, name)) {
            self.error(
                line_no,
                level + 2,
                format!("section `{name}` is declared twice (first on line {first})"),
            );
        }
        self.names.push((name.to_string(), line_no));
        self.stack.push(Draft {
            name: name.to_string(),
            level: level as u8,
            doc,
            presence: if line.optional {
                Presence::Optional
            } else {
                Presence::Required
            },
            heading_value,
            fields: Vec::new(),
            open: false,
            items: Vec::new(),
            steps: Vec::new(),
            record: None,
            children: Vec::new(),
            forms: Vec::new(),
        });
    }

    fn close(&mut self) {
        let Some(draft) = self.stack.pop() else {
            return;
        };
        let section = draft.finish(&mut self.errors);
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(section),
            None => self.top.push(section),
        }
    }

    /// The section list items go to, or an error when there is none.
    fn current(&mut self, line_no: usize, what: &str) -> Option<&mut Draft> {
        if self.stack.is_empty() {
            self.error(
                line_no,
                1,
                format!("{what} before the first `##` section; it belongs to a section"),
            );
            return None;
        }
        self.stack.last_mut()
    }

    fn form(&mut self, form: &'static str, line_no: usize) {
        if let Some(d) = self.stack.last_mut()
            && !d.forms.iter().any(|(f, _)| *f == form)
        {
            d.forms.push((form, line_no));
        }
    }

    fn bullet(&mut self, rest: &str, line: &Annotated, line_no: usize, column: usize) {
        let doc = line.doc.clone().unwrap_or_default();
        if let Some(item) = task_item(rest) {
            if self.current(line_no, "a checklist item").is_none() {
                return;
            }
            self.form(CHECKLIST, line_no);
            let text = item.to_string();
            if let Some(d) = self.stack.last_mut() {
                d.items.push(ChecklistItemSpec { text, doc });
            }
            return;
        }
        if rest.starts_with('[') {
            // `- [other conditions]`: the section takes fields of any key
            if placeholder_end(rest).is_none() {
                self.error(line_no, column, "this placeholder has no closing `]`");
                return;
            }
            if self.current(line_no, "a placeholder item").is_none() {
                return;
            }
            self.form(FIELDS, line_no);
            if let Some(d) = self.stack.last_mut() {
                d.open = true;
            }
            return;
        }
        let Some((key, separator, value)) = split_field(rest) else {
            self.error(
                line_no,
                column,
                "a list item of a template is a field (`- Key: [value]`), a checklist item (`- [ ] Item`) or a placeholder (`- [other items]`)",
            );
            return;
        };
        if key.is_empty() {
            self.error(
                line_no,
                column,
                "a field line without a key (`- Key: [value]`)",
            );
            return;
        }
        let Some((kind, hint)) = self.value(value, separator, line_no, (rest, column), key) else {
            return;
        };
        if self.current(line_no, "a field").is_none() {
            return;
        }
        self.form(FIELDS, line_no);
        let field = FieldSpec {
            key: key.to_string(),
            doc,
            value: kind,
            separator,
            required: !line.optional,
            hint,
            role: None,
        };
        let duplicate = self
            .stack
            .last()
            .is_some_and(|d| d.fields.iter().any(|f| eq_name(&f.key, key)));
        if duplicate {
            self.error(
                line_no,
                column,
                format!("field `{key}` twice in one section"),
            );
            return;
        }
        if let Some(d) = self.stack.last_mut() {
            d.fields.push(field);
        }
    }

    fn step(&mut self, rest: &str, line_no: usize) {
        if self.current(line_no, "a numbered step").is_none() {
            return;
        }
        self.form(STEPS, line_no);
        let step = rest
            .trim()
            .strip_prefix('[')
            .and_then(|r| r.strip_suffix(']'))
            .unwrap_or(rest.trim());
        if let Some(d) = self.stack.last_mut() {
            d.steps.push(step.to_string());
        }
    }

    /// A field's value type from its placeholder: `[A|B]` closed, `[A/B/other]`
    /// open, a typed name, or free text (a value written without brackets is
    /// free text too).
    fn value(
        &mut self,
        value: &str,
        separator: Separator,
        line_no: usize,
        (line, base): (&str, usize),
        key: &str,
    ) -> Option<(ValueKind, String)> {
        let value = value.trim();
        if !value.starts_with('[') {
            return Some((ValueKind::Text, value.to_string()));
        }
        let Some(end) = placeholder_end(value) else {
            let column = line.find(value).unwrap_or(0) + base;
            self.error(line_no, column, "this placeholder has no closing `]`");
            return None;
        };
        let inner = value[1..end].trim();
        if separator == Separator::GreaterThan {
            let quantity = match inner.to_ascii_lowercase().as_str() {
                "duration" | "interval" | "period" | "latency" => Quantity::Duration,
                _ => Quantity::Percent,
            };
            return Some((ValueKind::Threshold(quantity), inner.to_string()));
        }
        if let Some(kind) = typed(inner) {
            return Some((kind, inner.to_string()));
        }
        let closed = inner.contains('|');
        let choices: Vec<&str> = if closed {
            inner.split('|').map(str::trim).collect()
        } else {
            inner.split('/').map(str::trim).collect()
        };
        let open = !closed
            && choices.len() > 1
            && choices
                .last()
                .is_some_and(|c| c.eq_ignore_ascii_case("other"));
        if !(closed || open) {
            return Some((ValueKind::Text, inner.to_string()));
        }
        let names: Vec<&str> = choices
            .into_iter()
            .filter(|c| closed || !c.eq_ignore_ascii_case("other"))
            .collect();
        if names.iter().any(|n| n.is_empty()) {
            let column = line.find(value).unwrap_or(0) + base;
            self.error(line_no, column, "an empty choice in this placeholder");
            return None;
        }
        let values: Vec<EnumValue> = names
            .iter()
            .map(|n| EnumValue {
                name: n.to_string(),
                doc: String::new(),
                role: None,
            })
            .collect();
        let spec = EnumSpec {
            id: format!("{}.{}", self.source.name, slug(key)),
            closed,
            values,
            extras: Vec::new(),
            aliases: Vec::new(),
        };
        Some((ValueKind::Enum(Arc::new(spec)), inner.to_string()))
    }

    /// A fenced block: a record when its rows are drawn in a box.
    fn record_box(&mut self, start: usize, rows: Vec<(usize, String)>) {
        let boxed = rows.iter().any(|(_, r)| r.trim_start().starts_with('│'));
        if !boxed {
            return;
        }
        let Some(d) = self.stack.last() else {
            self.error(start, 1, "a record box before the first `##` section");
            return;
        };
        let section = d.name.clone();
        let mut title = None;
        let mut groups: Vec<(Option<String>, Vec<FieldSpec>)> = vec![(None, Vec::new())];
        for (line_no, row) in rows {
            let inner = row
                .trim()
                .trim_start_matches(['│', '|'])
                .trim_end_matches(['│', '|']);
            let content = inner.trim();
            if content.is_empty() || content.chars().all(crate::text::is_box_char) {
                continue;
            }
            let indented = inner.len() - inner.trim_start().len() > 1;
            let field = split_field(content);
            // the box's first row is its title (`DECISION VALIDATION: DEPLOYMENT`)
            // unless it is a group label or a field with a placeholder
            let before_any_field = groups.len() == 1 && groups[0].1.is_empty();
            let label_or_placeholder =
                field.is_some_and(|(_, _, value)| value.is_empty() || value.starts_with('['));
            if title.is_none() && before_any_field && !label_or_placeholder {
                title = Some(content.to_string());
                continue;
            }
            match field {
                Some((key, separator, value)) if !value.is_empty() => {
                    let Some((kind, hint)) = self.value(value, separator, line_no, (&row, 1), key)
                    else {
                        continue;
                    };
                    let field = FieldSpec {
                        key: key.to_string(),
                        doc: String::new(),
                        value: kind,
                        separator,
                        required: true,
                        hint,
                        role: None,
                    };
                    if !indented && groups.last().is_some_and(|(label, _)| label.is_some()) {
                        groups.push((None, Vec::new()));
                    }
                    if let Some((_, fields)) = groups.last_mut() {
                        fields.push(field);
                    }
                }
                Some((key, Separator::Colon, _)) => {
                    groups.push((Some(key.to_string()), Vec::new()))
                }
                _ => self.error(
                    line_no,
                    1,
                    "a record row is a field (`Key: [value]`) or a group label (`Label:`)",
                ),
            }
        }
        let groups: Vec<RecordGroup> = groups
            .into_iter()
            .filter(|(label, fields)| label.is_some() || !fields.is_empty())
            .map(|(label, fields)| RecordGroup { label, fields })
            .collect();
        let record = RecordSpec {
            title: title.unwrap_or(section),
            doc: String::new(),
            groups,
        };
        self.form(RECORD, start);
        if let Some(d) = self.stack.last_mut() {
            d.record = Some(record);
        }
    }
}

fn heading_level(line: &str) -> Option<usize> {
    let level = line.bytes().take_while(|b| *b == b'#').count();
    ((1..=6).contains(&level) && line[level..].starts_with([' ', '\t'])).then_some(level)
}

fn ordered_item(line: &str) -> Option<(usize, &str)> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 9 {
        return None;
    }
    let rest = line[digits..]
        .strip_prefix(". ")
        .or_else(|| line[digits..].strip_prefix(") "))?;
    Some((line[..digits].parse().ok()?, rest))
}

fn task_item(rest: &str) -> Option<&str> {
    ["[ ] ", "[x] ", "[X] "]
        .iter()
        .find_map(|m| rest.strip_prefix(m))
        .map(str::trim)
}

/// The byte index of the `]` closing the placeholder `s` starts with.
fn placeholder_end(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// `Key: value` or `Key > value`: the key, the separator and the value.
fn split_field(s: &str) -> Option<(&str, Separator, &str)> {
    let colon = s.find(':');
    let greater = s.find(" > ");
    let bracket = s.find('[').unwrap_or(s.len());
    match (colon, greater) {
        (Some(c), g) if c < bracket && g.is_none_or(|g| c < g) => {
            Some((s[..c].trim(), Separator::Colon, s[c + 1..].trim()))
        }
        (_, Some(g)) if g < bracket => {
            Some((s[..g].trim(), Separator::GreaterThan, s[g + 3..].trim()))
        }
        _ => None,
    }
}

/// The typed placeholders of SPEC §10.
fn typed(inner: &str) -> Option<ValueKind> {
    Some(match inner.to_ascii_lowercase().as_str() {
        "date" => ValueKind::Date,
        "datetime" | "date-time" => ValueKind::DateTime,
        "url" => ValueKind::Url,
        "duration" | "interval" | "period" => ValueKind::Duration,
        "percent" => ValueKind::Threshold(Quantity::Percent),
        "list" => ValueKind::List,
        _ => return None,
    })
}

/// `Data Classification` → `data-classification`.
fn slug(key: &str) -> String {
    key.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(name: &str) -> KindSource {
        KindSource {
            name: name.into(),
            origin: format!("{name}.md"),
            title: None,
        }
    }

    const POSTMORTEM: &str = "\
# Incident Postmortem <!-- doc: What happened, why, and what we change. -->

## Severity: [SEV1|SEV2|SEV3]
## Date: [date]

## Summary
- Impact: [who was affected] <!-- doc: Users, systems and time affected. -->
- Duration: [duration]
- Status page: [url] <!-- optional -->

## Timeline <!-- optional -->
1. [First signal]

## Follow-up
- [ ] Owner assigned
- [ ] Tickets filed
";

    #[test]
    fn reads_sections_fields_and_checklists() {
        let spec = read(&source("postmortem"), POSTMORTEM).unwrap();
        assert_eq!(spec.title.as_deref(), Some("Incident Postmortem"));
        assert_eq!(spec.doc, "What happened, why, and what we change.");
        let names: Vec<&str> = spec.sections.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            ["Severity", "Date", "Summary", "Timeline", "Follow-up"]
        );
        let severity = spec.sections[0].heading_value.as_deref().unwrap();
        let e = severity.enum_spec().unwrap();
        assert!(e.closed);
        assert_eq!(e.id, "postmortem.severity");
        assert_eq!(e.values.len(), 3);
        let summary = &spec.sections[2];
        assert_eq!(summary.fields()[0].doc, "Users, systems and time affected.");
        assert!(matches!(summary.fields()[1].value, ValueKind::Duration));
        assert!(!summary.fields()[2].required);
        assert_eq!(spec.sections[3].presence, Presence::Optional);
        assert!(matches!(&spec.sections[3].body, Body::Steps(steps) if steps == &["First signal"]));
        assert_eq!(spec.sections[4].checklist().len(), 2);
        let skeleton = spec.skeleton.unwrap();
        assert!(!skeleton.contains("<!--"), "{skeleton}");
        assert!(skeleton.starts_with("# Incident Postmortem\n\n## Severity: [SEV1|SEV2|SEV3]\n"));
    }

    #[test]
    fn a_kind_is_shared_while_held_and_freed_after() {
        let source = source("shared");
        let a = read_kind(&source, POSTMORTEM).unwrap();
        let b = read_kind(&source, POSTMORTEM).unwrap();
        assert!(a.same_schema(&b), "the same text while held: the same kind");
        let weak = Arc::downgrade(&a.0);
        drop((a, b));
        assert!(weak.upgrade().is_none(), "a kind no one holds is freed");
        let c = read_kind(&source, POSTMORTEM).unwrap();
        assert_eq!(c.sections.len(), 5);
    }

    #[test]
    fn open_enums_thresholds_and_boxes() {
        let text = "# Release\n\n## Rollout\n- Platform: [GitHub/GitLab/other]\n- Error rate > [threshold]\n- Latency > [duration]\n- [other conditions]\n\n## Sign-off\n```\n┌──────┐\n│ SIGN-OFF │\n│ Owner: [name] │\n│ Review: │\n│   Risk: [Low|High] │\n└──────┘\n```\n";
        let spec = read(&source("release"), text).unwrap();
        let rollout = &spec.sections[0];
        let Body::Fields { fields, open } = &rollout.body else {
            panic!("{rollout:?}")
        };
        assert!(*open);
        let platform = fields[0].enum_spec().unwrap();
        assert!(!platform.closed);
        assert_eq!(platform.values.len(), 2);
        assert!(matches!(
            fields[1].value,
            ValueKind::Threshold(Quantity::Percent)
        ));
        assert!(matches!(
            fields[2].value,
            ValueKind::Threshold(Quantity::Duration)
        ));
        let Body::Record(record) = &spec.sections[1].body else {
            panic!()
        };
        assert_eq!(record.title, "SIGN-OFF");
        assert_eq!(record.groups.len(), 2);
        assert_eq!(record.groups[1].label.as_deref(), Some("Review"));
        assert_eq!(record.groups[1].fields[0].key, "Risk");
    }

    #[test]
    fn errors_say_where() {
        let errors = |text: &str| read(&source("bad"), text).unwrap_err();
        let e = errors("# T\n\n## A\n- Key: [unterminated\n");
        assert_eq!((e[0].line, e[0].column), (4, 8), "{e:?}");
        assert!(e[0].message.contains("closing"));
        let e = errors("# T\n\n## A\n- : [x]\n");
        assert!(e[0].message.contains("without a key"), "{e:?}");
        let e = errors("# T\n\n## A\n\n## a\n");
        assert_eq!(e[0].line, 5);
        assert!(e[0].message.contains("twice (first on line 3)"), "{e:?}");
        let e = errors("# T\n\n## A\n- [ ] one\n- Key: [x]\n");
        assert!(e[0].message.contains("mixes"), "{e:?}");
        let e = errors("## A\n");
        assert!(e[0].message.contains("no `# Title`"), "{e:?}");
        let e = errors("# T\n## A <!-- doc: open\n");
        assert_eq!((e[0].line, e[0].column), (2, 6), "{e:?}");
    }
}
