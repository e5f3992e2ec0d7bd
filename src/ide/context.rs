//! What the cursor is in: the one place that reads the text around an
//! offset for completion and hover.

use std::ops::Range;

use crate::model::{Plan, box_line_content, chunk};
use crate::schema::{self, Body, FieldSpec, SectionSpec, VALIDATION_RECORD};
use crate::text::line_content_range;

#[derive(Clone, Debug)]
pub enum CursorContext {
    /// After `Key:` (or `Key >`): the value of a field.
    Value {
        field: &'static FieldSpec,
        /// The value as written, trimmed (may be empty, at the cursor).
        value: Range<usize>,
        /// What a completion replaces: the value up to the end of the line
        /// (or the box's right border).
        replace: Range<usize>,
        /// A template placeholder in the value, which a completion replaces.
        placeholder: Option<Range<usize>>,
        /// Whether the value is on a line of the Decision Validation box.
        in_box: bool,
    },
    /// At the start of a list item (`- ` typed, maybe part of a key).
    ItemStart {
        section: usize,
        /// From just after the marker to the cursor or the end of the line.
        replace: Range<usize>,
    },
    /// After `- [`: a checklist item.
    TaskBox {
        section: usize,
        replace: Range<usize>,
    },
    /// On a heading line being typed (`#`, `## Mon`).
    Heading {
        replace: Range<usize>,
    },
    /// Nothing in the document but whitespace.
    EmptyDocument,
    None,
}

impl CursorContext {
    pub fn at(text: &str, plan: Option<&Plan>, offset: usize) -> CursorContext {
        if text.trim().is_empty() {
            return CursorContext::EmptyDocument;
        }
        let Some(plan) = plan else {
            return CursorContext::None;
        };
        let offset = crate::text::floor_char_boundary(text, offset);
        let line = line_content_range(text, offset);
        let prefix = &text[line.start..offset];
        let section_index = plan.section_at(offset);
        let section_spec = section_index.and_then(|i| plan.sections[i].spec);

        if prefix.trim_start().starts_with('#') {
            if let Some(field) = heading_field(plan, text, line.clone(), offset) {
                return field;
            }
            if prefix
                .trim_start()
                .chars()
                .all(|c| c == '#' || c.is_alphanumeric() || c == ' ' || c == '/' || c == '-')
            {
                return CursorContext::Heading {
                    replace: line.start..line.end,
                };
            }
        }
        if let Some(record) = &plan.record
            && let Some(block) = &record.box_range
            && block.start <= line.start
            && line.end <= block.end
        {
            return box_value(text, line, offset);
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
    Some(value_context(
        text,
        spec,
        field.value.clone(),
        line.end,
        false,
    ))
}

fn value_context(
    text: &str,
    field: &'static FieldSpec,
    value: Range<usize>,
    replace_end: usize,
    in_box: bool,
) -> CursorContext {
    let placeholder = schema::values::placeholders(&text[value.clone()], &[])
        .into_iter()
        .next()
        .map(|p| value.start + p.start..value.start + p.end);
    CursorContext::Value {
        field,
        replace: value.start..replace_end.max(value.start),
        value,
        placeholder,
        in_box,
    }
}

fn box_value(text: &str, line: Range<usize>, offset: usize) -> CursorContext {
    let inner = box_line_content(text, line.clone());
    let Some(split) = chunk::split_field(text, crate::model::Span::new(inner.start, inner.end))
    else {
        return CursorContext::None;
    };
    let Some(field) = VALIDATION_RECORD.field(&text[split.key.range()]) else {
        return CursorContext::None;
    };
    if offset <= split.key.end {
        return CursorContext::None;
    }
    // Up to the right border, so the padding is replaced too.
    let border = text[line.clone()]
        .trim_end()
        .char_indices()
        .next_back()
        .filter(|(_, c)| crate::fix::is_box_char(*c))
        .map_or(line.end, |(i, _)| line.start + i);
    let value = split.value.range();
    let value = if value.is_empty() {
        offset.max(value.start)..offset.max(value.start)
    } else {
        value
    };
    value_context(text, field, value, border, true)
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
                replace: body_start..line.end,
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
        let value = split.value.range();
        let value = if value.is_empty() {
            offset.max(value.start)..offset.max(value.start)
        } else {
            value
        };
        return value_context(text, field, value, line.end, false);
    }
    let typed = &text[body_start..offset];
    if typed
        .chars()
        .all(|c| c.is_alphanumeric() || c == ' ' || c == '/' || c == '-')
    {
        return CursorContext::ItemStart {
            section,
            replace: body_start..line.end,
        };
    }
    CursorContext::None
}
