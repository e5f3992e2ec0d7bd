//! What the cursor is in: the one place that reads the text around an
//! offset for completion and hover.

use std::ops::Range;

use unicode_width::UnicodeWidthStr;

use crate::model::{Plan, box_line_content, chunk, outline};
use crate::schema::{self, Body, ChecklistItemSpec, FieldSpec, SectionSpec};
use crate::text::line_content_range;

#[derive(Clone, Debug)]
pub enum CursorContext<'a> {
    /// After `Key:` (or `Key >`): the value of a field.
    Value {
        field: &'a FieldSpec,
        /// The value as written, trimmed (empty, at the cursor, when nothing
        /// is written); on a box line it ends before the padding.
        value: Range<usize>,
        /// On a line of the Decision Validation box: the display column of
        /// the box's right border, which a completion keeps.
        box_column: Option<usize>,
    },
    /// On the key of a field the schema knows.
    Key {
        field: &'a FieldSpec,
        key: Range<usize>,
    },
    /// On the heading line of a section the schema knows (not on a
    /// heading-field's key or value).
    Section {
        spec: &'a SectionSpec,
        line: Range<usize>,
    },
    /// On a checklist entry that is one of the template's items.
    ChecklistItem {
        item: &'a ChecklistItemSpec,
        checklist: &'a SectionSpec,
        /// The entry's text after its task box.
        content: Range<usize>,
    },
    /// On an H1 line: the title that declares (or fails to declare) a plan.
    Title {
        line: Range<usize>,
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

impl<'a> CursorContext<'a> {
    pub fn at(text: &str, plan: Option<&'a Plan>, offset: usize) -> CursorContext<'a> {
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
        if outline::atx_level(&text[line.clone()]) == Some(1) {
            return CursorContext::Title { line };
        }
        let Some(plan) = plan else {
            return CursorContext::None;
        };
        let section_index = plan.section_at(offset);
        let section_spec = section_index.and_then(|i| plan.sections[i].spec.as_deref());

        if let Some(section) = plan.sections.iter().find(|s| s.line == line) {
            if let Some(field) = heading_field(section, text, line.clone(), offset) {
                return field;
            }
            if let Some(spec) = &section.spec {
                return CursorContext::Section { spec, line };
            }
        }
        if typed.starts_with('#')
            && text[offset..line.end].trim().is_empty()
            && typed
                .chars()
                .all(|c| c == '#' || c.is_alphanumeric() || c == ' ' || c == '/' || c == '-')
        {
            return CursorContext::Heading {
                start: offset - typed.len(),
            };
        }
        if let Some(record) = &plan.record
            && let Some(block) = &record.box_range
            && block.start <= line.start
            && line.end <= block.end
        {
            return box_value(text, plan, line, block.clone(), offset);
        }
        let Some(index) = section_index else {
            return CursorContext::None;
        };
        let Some(spec) = section_spec else {
            return CursorContext::None;
        };
        list_item(text, plan, line, offset, index, spec)
    }
}

/// On a heading-field's line: its key, or its value after the colon.
fn heading_field<'a>(
    section: &'a crate::model::Section,
    text: &str,
    line: Range<usize>,
    offset: usize,
) -> Option<CursorContext<'a>> {
    let field = section.field.as_ref()?;
    let spec = field.spec.as_ref()?;
    let colon = text[field.key.end..line.end]
        .find(':')
        .map(|i| field.key.end + i)?;
    if field.key.contains(&offset) || offset == field.key.end {
        return Some(CursorContext::Key {
            field: spec,
            key: field.key.clone(),
        });
    }
    (offset > colon).then(|| value_context(spec, field.value.clone(), offset, None))
}

/// A value context; an empty value sits at the cursor.
fn value_context(
    field: &FieldSpec,
    value: Range<usize>,
    offset: usize,
    box_column: Option<usize>,
) -> CursorContext<'_> {
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

fn box_value<'a>(
    text: &str,
    plan: &'a Plan,
    line: Range<usize>,
    block: Range<usize>,
    offset: usize,
) -> CursorContext<'a> {
    let inner = box_line_content(text, line.clone());
    let Some(split) = chunk::split_field(text, crate::model::Span::new(inner.start, inner.end))
    else {
        return CursorContext::None;
    };
    let Some(field) = plan.kind.record_spec().field(&text[split.key.range()]) else {
        return CursorContext::None;
    };
    let value = split.value.range();
    let key = split.key.range();
    if key.start <= offset && offset <= key.end {
        return CursorContext::Key { field, key };
    }
    // Before the key, or in the padding after a written value: nothing.
    if offset < key.start || (!value.is_empty() && offset > value.end) {
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

fn list_item<'a>(
    text: &str,
    plan: &'a Plan,
    line: Range<usize>,
    offset: usize,
    section: usize,
    spec: &'a SectionSpec,
) -> CursorContext<'a> {
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
    if let Some(entry) = plan.sections[section]
        .entries
        .iter()
        .find(|e| e.task.is_some() && e.line.start <= offset && offset <= e.line.end)
        && let Some(item) = spec
            .checklist()
            .iter()
            .find(|i| crate::model::checklist_matches(text, entry.content.clone(), i))
    {
        return CursorContext::ChecklistItem {
            item,
            checklist: spec,
            content: entry.content.clone(),
        };
    }
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
    let fields: Vec<&FieldSpec> = match &spec.body {
        Body::Fields { fields, .. } => fields.iter().collect(),
        Body::Record(_) | Body::RecordGroup => plan.kind.record_spec().fields().collect(),
        _ => Vec::new(),
    };
    if fields.is_empty() {
        return CursorContext::None;
    }
    // On a known key, or after its separator: a value.
    if let Some(split) = chunk::split_field(text, crate::model::Span::new(body_start, line.end))
        && let Some(field) = fields
            .iter()
            .find(|f| schema::eq_name(&f.key, &text[split.key.range()]))
    {
        let key = split.key.range();
        if key.start <= offset && offset <= key.end {
            return CursorContext::Key { field, key };
        }
        if offset > key.end {
            return value_context(field, split.value.range(), offset, None);
        }
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

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::ide::fixture::{at_cursor, show};

    /// The context at `$0`, its ranges shown as the text they cover.
    fn check(fixture: &str, expect: Expect) {
        let (text, offset, analysis) = at_cursor(fixture);
        let got = match CursorContext::at(&text, analysis.plan.as_ref(), offset) {
            CursorContext::Value {
                field,
                value,
                box_column,
            } => format!(
                "Value {} {} box_column={box_column:?}",
                field.key,
                show(&text, value)
            ),
            CursorContext::Key { field, key } => format!("Key {} {}", field.key, show(&text, key)),
            CursorContext::Section { spec, line } => {
                format!("Section {} {}", spec.name, show(&text, line))
            }
            CursorContext::ChecklistItem {
                item,
                checklist,
                content,
            } => format!(
                "ChecklistItem {} in {} {}",
                item.text,
                checklist.name,
                show(&text, content)
            ),
            CursorContext::Title { line } => format!("Title {}", show(&text, line)),
            CursorContext::ItemStart { start, .. } => {
                format!("ItemStart {}", show(&text, start..offset))
            }
            CursorContext::TaskBox { start, .. } => {
                format!("TaskBox {}", show(&text, start..offset))
            }
            CursorContext::Heading { start } => format!("Heading {}", show(&text, start..offset)),
            CursorContext::NewDocument { start } => {
                format!("NewDocument {}", show(&text, start..offset))
            }
            CursorContext::None => "None".into(),
        };
        expect.assert_eq(&got);
    }

    const PLAN: &str = "# Deployment Plan\n\n## Environment: staging\n\n";

    #[test]
    fn a_document_being_started() {
        check("$0", expect![[r###"NewDocument """###]]);
        check("# Dep$0", expect![[r###"NewDocument "# Dep""###]]);
        check(
            "# Dep$0loyment Plan\n",
            expect![[r###"Title "# Deployment Plan""###]],
        );
    }

    #[test]
    fn headings_and_heading_fields() {
        check(
            &format!("{PLAN}## Mon$0\n"),
            expect![[r###"Heading "## Mon""###]],
        );
        check(
            &format!("{PLAN}## Monitor$0ing\n"),
            expect![[r###"Section Monitoring "## Monitoring""###]],
        );
        check(
            "# Deployment Plan\n\n## Envi$0ronment: staging\n",
            expect![[r###"Key Environment "Environment""###]],
        );
        check(
            "# Deployment Plan\n\n## Environment: $0\n",
            expect![[r###"Value Environment "" box_column=None"###]],
        );
        check(
            "# Deployment Plan\n\n## Environment: prod$0\n",
            expect![[r###"Value Environment "prod" box_column=None"###]],
        );
    }

    #[test]
    fn list_items_keys_values_and_checklists() {
        let hosting = "# Deployment Plan\n\n## Infrastructure\n\n### Hosting\n";
        check(
            &format!("{hosting}- Reg$0\n"),
            expect![[r###"ItemStart "Reg""###]],
        );
        check(
            &format!("{hosting}- Prov$0ider: AWS\n"),
            expect![[r###"Key Provider "Provider""###]],
        );
        check(
            &format!("{hosting}- Provider: A$0WS\n"),
            expect![[r###"Value Provider "AWS" box_column=None"###]],
        );
        let pre = "# Deployment Plan\n\n## Deployment Checklist\n\n### Pre-Deployment\n";
        check(&format!("{pre}- [$0\n"), expect![[r###"TaskBox "[""###]]);
        check(
            &format!("{pre}- [ ] All tests$0 pass\n"),
            expect![[r###"ChecklistItem All tests pass in Pre-Deployment "All tests pass""###]],
        );
    }

    #[test]
    fn the_box() {
        let fixture = "# Deployment Plan\n\n## Decision Validation\n\n```\n┌──────────────┐\n│ Risk: Hig$0    │\n└──────────────┘\n```\n";
        check(
            fixture,
            expect![[r###"Value Risk "Hig" box_column=Some(16)"###]],
        );
        let fixture = fixture
            .replace("Hig$0", "R$0isk: Hig")
            .replacen("Risk: R", "R", 1);
        check(&fixture, expect![[r###"Key Risk "Risk""###]]);
    }
}
