//! What the cursor is in: the one place that reads the text around an
//! offset for completion and hover.

use std::ops::Range;

use unicode_width::UnicodeWidthStr;

use crate::model::{Plan, box_line_content, chunk};
use crate::schema::{self, Body, FieldSpec, SectionSpec, VALIDATION_RECORD};
use crate::text::line_content_range;

#[derive(Clone, Debug)]
pub enum CursorContext {
    /// After `Key:` (or `Key >`): the value of a field.
    Value {
        field: &'static FieldSpec,
        /// The value as written, trimmed (empty, at the cursor, when nothing
        /// is written); on a box line it ends before the padding.
        value: Range<usize>,
        /// On a line of the Decision Validation box: the display column of
        /// the box's right border, which a completion keeps.
        box_column: Option<usize>,
    },
    /// At the start of a list item (`- ` typed, maybe part of a key).
    ItemStart {
        section: usize,
        /// Just after the marker and its space: where a completion starts.
        start: usize,
    },
    /// After `- [`: a checklist item.
    TaskBox {
        section: usize,
        /// The `[`: where a completion starts.
        start: usize,
    },
    /// On a heading line being typed (`#`, `## Mon`), nothing after the
    /// cursor.
    Heading {
        /// The first `#`.
        start: usize,
    },
    /// A document being started: nothing in it but what is typed on the
    /// cursor's line before the cursor (nothing, or the start of a heading).
    NewDocument {
        /// Where the typed text starts.
        start: usize,
    },
    None,
}

impl CursorContext {
    pub fn at(text: &str, plan: Option<&Plan>, offset: usize) -> CursorContext {
        let offset = crate::text::floor_char_boundary(text, offset);
        let line = line_content_range(text, offset);
        let prefix = &text[line.start..offset];
        let typed = prefix.trim_start();
        let starting = text[..line.start].trim().is_empty()
            && text[offset..].trim().is_empty()
            && (typed.is_empty() || typed.starts_with('#'));
        if starting {
            return CursorContext::NewDocument {
                start: offset - typed.len(),
            };
        }
        let Some(plan) = plan else {
            return CursorContext::None;
        };
        let section_index = plan.section_at(offset);
        let section_spec = section_index.and_then(|i| plan.sections[i].spec);

        if typed.starts_with('#') {
            if let Some(field) = heading_field(plan, text, line.clone(), offset) {
                return field;
            }
            let is_title = plan.title().is_some_and(|t| t.line == line);
            if !is_title
                && text[offset..line.end].trim().is_empty()
                && typed
                    .chars()
                    .all(|c| c == '#' || c.is_alphanumeric() || c == ' ' || c == '/' || c == '-')
            {
                return CursorContext::Heading {
                    start: offset - typed.len(),
                };
            }
        }
        if let Some(record) = &plan.record
            && let Some(block) = &record.box_range
            && block.start <= line.start
            && line.end <= block.end
        {
            return box_value(text, line, block.clone(), offset);
        }
        let Some(index) = section_index else {
            return CursorContext::None;
        };
        let Some(spec) = section_spec else {
            return CursorContext::None;
        };
        list_item(text, line, offset, index, spec)
    }
}

fn heading_field(
    plan: &Plan,
    text: &str,
    line: Range<usize>,
    offset: usize,
) -> Option<CursorContext> {
    let section = plan.sections.iter().find(|s| s.line == line)?;
    let field = section.field.as_ref()?;
    let spec = field.spec?;
    let colon = text[field.key.end..line.end]
        .find(':')
        .map(|i| field.key.end + i)?;
    if offset <= colon {
        return None;
    }
    Some(value_context(spec, field.value.clone(), offset, None))
}

/// A value context; an empty value sits at the cursor.
fn value_context(
    field: &'static FieldSpec,
    value: Range<usize>,
    offset: usize,
    box_column: Option<usize>,
) -> CursorContext {
    let value = if value.is_empty() {
        offset.max(value.start)..offset.max(value.start)
    } else {
        value
    };
    CursorContext::Value {
        field,
        value,
        box_column,
    }
}

fn box_value(text: &str, line: Range<usize>, block: Range<usize>, offset: usize) -> CursorContext {
    let inner = box_line_content(text, line.clone());
    let Some(split) = chunk::split_field(text, crate::model::Span::new(inner.start, inner.end))
    else {
        return CursorContext::None;
    };
    let Some(field) = VALIDATION_RECORD.field(&text[split.key.range()]) else {
        return CursorContext::None;
    };
    let value = split.value.range();
    // On the key, or in the padding after a written value: nothing.
    if offset <= split.key.end || (!value.is_empty() && offset > value.end) {
        return CursorContext::None;
    }
    // The border column of the other lines (the cursor's may be ragged
    // from typing).
    let column = crate::text::lines(&text[block.clone()])
        .map(|(s, e, _)| block.start + s..block.start + e)
        .filter(|l| *l != line)
        .map(|l| text[l].trim_end())
        .filter(|l| l.chars().next_back().is_some_and(crate::text::is_box_char))
        .map(|l| l.width())
        .max();
    value_context(field, value, offset, column)
}

fn list_item(
    text: &str,
    line: Range<usize>,
    offset: usize,
    section: usize,
    spec: &'static SectionSpec,
) -> CursorContext {
    let prefix = &text[line.start..offset];
    let trimmed = prefix.trim_start();
    let Some(after_marker) = trimmed.strip_prefix(['-', '*', '+']) else {
        return CursorContext::None;
    };
    if !after_marker.is_empty() && !after_marker.starts_with(' ') {
        return CursorContext::None;
    }
    let body_start = offset - after_marker.trim_start().len();
    let body = &text[body_start..line.end];
    if matches!(spec.body, Body::Checklist { .. }) {
        // `- ` with nothing after it, or `- [` (maybe auto-closed to `[]`)
        // that is not yet a task box
        let typed = &text[body_start..offset];
        let is_box = ["[ ]", "[x]", "[X]"].iter().any(|b| body.starts_with(b));
        if (typed.is_empty() && body.trim().is_empty()) || (typed == "[" && !is_box) {
            return CursorContext::TaskBox {
                section,
                start: body_start,
            };
        }
        return CursorContext::None;
    }
    let fields: Vec<&'static FieldSpec> = match spec.body {
        Body::Fields { fields, .. } => fields.iter().collect(),
        Body::Record | Body::RecordGroup => VALIDATION_RECORD.fields().collect(),
        _ => Vec::new(),
    };
    if fields.is_empty() {
        return CursorContext::None;
    }
    // After a separator: a value.
    if let Some(split) = chunk::split_field(text, crate::model::Span::new(body_start, line.end))
        && offset > split.key.end
        && let Some(field) = fields
            .iter()
            .find(|f| schema::eq_name(f.key, &text[split.key.range()]))
    {
        return value_context(field, split.value.range(), offset, None);
    }
    let typed = &text[body_start..offset];
    if typed
        .chars()
        .all(|c| c.is_alphanumeric() || c == ' ' || c == '/' || c == '-')
    {
        return CursorContext::ItemStart {
            section,
            start: body_start,
        };
    }
    CursorContext::None
}
