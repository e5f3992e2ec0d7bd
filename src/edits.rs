//! Edits that several fixes and actions share: where a missing section,
//! field or checklist item goes in template order, and value replacement
//! that keeps the Decision Validation box aligned.

use std::ops::Range;

use unicode_width::UnicodeWidthStr;

use crate::fix::{self, Edit};
use crate::model::{Field, Plan, RecordForm};
use crate::schema::template::{self, RecordStyle};
use crate::schema::{self, Body, ChecklistItemSpec, FieldSpec, SectionSpec};
use crate::text::is_box_char;
use crate::text::lines;

/// The offset where a missing section goes: after the nearest earlier
/// sibling (in template order) that is present, else before the nearest
/// later one, else at the end of its parent (or of the document).
pub fn section_insertion_point(
    plan: &Plan,
    text: &str,
    spec: &SectionSpec,
    parent: Option<&SectionSpec>,
) -> usize {
    let siblings = parent.map_or(&plan.kind.sections, |p| &p.children);
    let me = siblings
        .iter()
        .position(|s| std::ptr::eq(s, spec))
        .unwrap_or(siblings.len());
    for earlier in siblings[..me].iter().rev() {
        if let Some(s) = plan.first_of(earlier) {
            return s.end;
        }
    }
    for later in &siblings[(me + 1).min(siblings.len())..] {
        if let Some(s) = plan.first_of(later) {
            return s.range.start;
        }
    }
    match parent.and_then(|p| plan.first_of(p)) {
        Some(p) => p.end,
        None => text.len(),
    }
}

/// Inserts a section skeleton (and its required subsections) where the
/// template puts it.
pub fn insert_section(
    plan: &Plan,
    text: &str,
    spec: &SectionSpec,
    parent: Option<&SectionSpec>,
) -> Edit {
    let at = section_insertion_point(plan, text, spec, parent);
    let body = template::section(spec, &plan.kind, None);
    fix::insert_block(text, at, &body)
}

/// Inserts a section with some fields filled in by `fill`.
pub fn insert_section_filled(
    plan: &Plan,
    text: &str,
    spec: &SectionSpec,
    parent: Option<&SectionSpec>,
    fill: &dyn Fn(&FieldSpec) -> Option<String>,
) -> Edit {
    let at = section_insertion_point(plan, text, spec, parent);
    let body = template::section_filled(spec, &plan.kind, None, fill);
    fix::insert_block(text, at, &body)
}

/// Inserts a `- Key: [placeholder]` line for a missing field, after the
/// nearest earlier field of the template that is present, else before the
/// nearest later one, else right after the section's heading.
pub fn insert_field(
    plan: &Plan,
    text: &str,
    section: usize,
    field: &FieldSpec,
    value: Option<&str>,
) -> Edit {
    let s = &plan.sections[section];
    let spec = s
        .spec
        .as_ref()
        .expect("fields are inserted into known sections");
    let order: Vec<&FieldSpec> = match &spec.body {
        Body::Record(_) | Body::RecordGroup => plan.kind.record_spec().fields().collect(),
        _ => spec.fields().iter().collect(),
    };
    let present: Vec<&Field> = s.entries.iter().filter_map(|e| e.field.as_ref()).collect();
    let find = |f: &FieldSpec| {
        present
            .iter()
            .find(|p| p.spec.as_ref().is_some_and(|x| x.is(f)))
            .copied()
    };
    let me = order
        .iter()
        .position(|f| std::ptr::eq(*f, field))
        .unwrap_or(0);
    let line = template::field_line(field, &plan.kind, value);
    for earlier in order[..me].iter().rev() {
        if let Some(p) = find(earlier) {
            let entry_end = entry_end(plan, p);
            return fix::insert_line_after(text, entry_end, &indented(text, p, &line));
        }
    }
    for later in &order[me + 1..] {
        if let Some(p) = find(later) {
            let start = crate::text::line_content_range(text, p.line.start).start;
            return fix::insert_line_before(text, start, &indented(text, p, &line));
        }
    }
    after_heading(text, s.line.end, &line)
}

/// The end of the list item holding a field (nested items included).
fn entry_end(plan: &Plan, field: &Field) -> usize {
    plan.sections[field.section]
        .entries
        .iter()
        .find(|e| e.content == field.line)
        .map_or(field.line.end, |e| e.span.end)
}

/// A new line with the same indentation and bullet as the field's line.
fn indented(text: &str, near: &Field, line: &str) -> String {
    let line_start = crate::text::line_content_range(text, near.line.start).start;
    let prefix = &text[line_start..near.line.start];
    let indent: String = prefix
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let bullet = prefix
        .trim_start()
        .chars()
        .next()
        .filter(|c| matches!(c, '-' | '*' | '+'));
    match bullet {
        Some(b) => format!("{indent}{b}{}", &line[1..]),
        None => format!("{indent}{line}"),
    }
}

/// Inserts a line right after a heading, keeping a following paragraph from
/// becoming the new list item's continuation.
fn after_heading(text: &str, heading_end: usize, line: &str) -> Edit {
    let eol = crate::text::line_ending(text);
    let rest = &text[heading_end..];
    let next_line = rest
        .trim_start_matches(['\r', '\n'])
        .lines()
        .next()
        .unwrap_or("");
    let next_is_text = rest.starts_with(['\r', '\n'])
        && !rest.trim_start_matches(['\r', '\n']).is_empty()
        && !rest[rest.find(['\n', '\r']).map_or(0, |i| i + 1)..].starts_with(['\n', '\r'])
        && !next_line.trim_start().starts_with(['-', '*', '+'])
        && !next_line.starts_with('#');
    let mut new_text = format!("{eol}{line}");
    if next_is_text {
        new_text.push_str(eol);
    }
    Edit::insert(heading_end, new_text)
}

/// Inserts a missing Decision Validation field: a box line in the box form
/// (padded to the box's width), a field line in the Markdown form.
pub fn insert_record_field(
    plan: &Plan,
    text: &str,
    field: &FieldSpec,
    value: Option<&str>,
) -> Option<Edit> {
    let record = plan.record.as_ref()?;
    if record.form == RecordForm::Markdown {
        let group = plan
            .kind
            .record_spec()
            .groups
            .iter()
            .find(|g| g.fields.iter().any(|f| std::ptr::eq(f, field)))?;
        // Where the group's other fields are written, else the group's
        // section if it exists, else the record's section.
        let written = record
            .fields
            .iter()
            .find(|f| {
                f.spec
                    .as_ref()
                    .is_some_and(|s| group.fields.iter().any(|g| s.is(g)))
            })
            .map(|f| f.section);
        let section = written
            .or_else(|| {
                group.label.as_ref().and_then(|l| {
                    plan.sections.iter().position(|s| {
                        s.spec
                            .as_ref()
                            .is_some_and(|x| matches!(x.body, Body::RecordGroup) && x.matches(l))
                    })
                })
            })
            .unwrap_or(record.section);
        return Some(insert_field(plan, text, section, field, value));
    }
    let block = record.box_range.clone()?;
    let group = plan
        .kind
        .record_spec()
        .groups
        .iter()
        .find(|g| g.fields.iter().any(|f| std::ptr::eq(f, field)))?;
    let me = group.fields.iter().position(|f| std::ptr::eq(f, field))?;
    let find = |f: &FieldSpec| {
        record
            .fields
            .iter()
            .find(|p| p.spec.as_ref().is_some_and(|x| x.is(f)))
    };
    let group_indent = if group.label.is_some() { "  " } else { "" };
    let value = value.map_or_else(|| field.placeholder("|"), str::to_string);
    let content = format!("{group_indent}{}: {value}", field.key);
    // After the previous field of its group, else before the next one, else
    // after the group's label, else before the box's bottom border.
    let anchor = if let Some(p) = group.fields[..me].iter().rev().find_map(&find) {
        (p.line.clone(), true)
    } else if let Some(p) = group.fields[me + 1..].iter().find_map(&find) {
        (p.line.clone(), false)
    } else if let Some(label) = group
        .label
        .as_ref()
        .and_then(|l| box_label_line(text, block.clone(), l))
    {
        (label, true)
    } else {
        let last = crate::text::line_content_range(text, block.end.saturating_sub(1));
        (
            crate::text::line_content_range(text, last.start.saturating_sub(1)),
            true,
        )
    };
    let (anchor, after) = anchor;
    let anchor_line = crate::text::line_content_range(text, anchor.start);
    let line = box_line_like(text, anchor_line.clone(), &content);
    Some(if after {
        fix::insert_line_after(text, anchor_line.end, &line)
    } else {
        fix::insert_line_before(text, anchor_line.start, &line)
    })
}

/// The box line holding a group label (`Deployment:`).
fn box_label_line(text: &str, block: Range<usize>, label: &str) -> Option<Range<usize>> {
    crate::text::lines(&text[block.clone()])
        .map(|(s, e, _)| block.start + s..block.start + e)
        .find(|line| {
            let inner = crate::model::box_line_content(text, line.clone());
            text[inner]
                .strip_suffix(':')
                .is_some_and(|l| schema::eq_name(l, label))
        })
}

/// A box line with `content`, borders and width copied from `like`.
fn box_line_like(text: &str, like: Range<usize>, content: &str) -> String {
    use unicode_width::UnicodeWidthStr;
    let l = &text[like];
    let lead: String = l.chars().take_while(|c| c.is_whitespace()).collect();
    let left = l
        .trim_start()
        .chars()
        .next()
        .filter(|c| is_box_char(*c))
        .unwrap_or('│');
    let right = l
        .trim_end()
        .chars()
        .next_back()
        .filter(|c| is_box_char(*c))
        .unwrap_or('│');
    let left = if left == '├' || left == '┌' || left == '└' {
        '│'
    } else {
        left
    };
    let right = if right == '┤' || right == '┐' || right == '┘' {
        '│'
    } else {
        right
    };
    fix::realign_box_line(&format!("{lead}{left} {content} {right}"), l.width())
}

/// Replaces part of a field's value, keeping the box aligned when the
/// field is on a box line.
pub fn replace_in_field(
    plan: &Plan,
    text: &str,
    field: &Field,
    range: Range<usize>,
    new_text: &str,
) -> Edit {
    let in_box = plan
        .record
        .as_ref()
        .and_then(|r| r.box_range.clone())
        .filter(|b| b.start <= field.line.start && field.line.end <= b.end)
        .map(|_| field.line.clone());
    fix::replace_keeping_box(text, range, new_text, in_box)
}

/// Inserts a standard checklist item after the nearest earlier standard item
/// that is present, else before the nearest later one, else after the last
/// item of the list, else after the heading.
pub fn insert_checklist_item(
    plan: &Plan,
    text: &str,
    section: usize,
    item: &ChecklistItemSpec,
) -> Edit {
    let s = &plan.sections[section];
    let spec = s.spec.as_ref().expect("checklists are known sections");
    let items = spec.checklist();
    let me = items
        .iter()
        .position(|i| std::ptr::eq(i, item))
        .unwrap_or(0);
    let find = |i: &ChecklistItemSpec| {
        s.entries.iter().find(|e| {
            e.task.is_some() && crate::model::checklist_matches(text, e.content.clone(), i)
        })
    };
    let line = template::checklist_line(item);
    let line_of = |e: &crate::model::Entry| {
        let prefix = &text[e.line.start..e.marker.start];
        let bullet = &text[e.marker.clone()];
        format!("{prefix}{bullet}{}", &line[1..])
    };
    for earlier in items[..me].iter().rev() {
        if let Some(e) = find(earlier) {
            return fix::insert_line_after(text, e.span.end, &line_of(e));
        }
    }
    for later in &items[me + 1..] {
        if let Some(e) = find(later) {
            return fix::insert_line_before(text, e.line.start, &line_of(e));
        }
    }
    match s.entries.last() {
        Some(e) => fix::insert_line_after(text, e.span.end, &line_of(e)),
        None => after_heading(text, s.line.end, &line),
    }
}

/// The section of the plan's kind that holds the Decision Validation record.
pub fn record_section(plan: &Plan) -> Option<&SectionSpec> {
    plan.kind.record_section()
}

/// The title of the action (and fix) that inserts the record.
pub fn insert_record_title(spec: &SectionSpec) -> String {
    format!("Insert {} record", spec.name)
}

/// Inserts the Decision Validation record where the template puts it, with
/// the title of that insertion.
pub fn insert_record(plan: &Plan, text: &str) -> Option<(String, Edit)> {
    let spec = record_section(plan)?;
    let at = section_insertion_point(plan, text, spec, None);
    let block = format!(
        "{}\n\n{}",
        template::heading(spec, &plan.kind, None),
        template::validation(plan.kind.record_spec(), RecordStyle::Box, Some(plan.env))
    );
    Some((
        insert_record_title(spec),
        fix::insert_block(text, at, &block),
    ))
}

/// One line of the box: its range, the part before the right border
/// (trailing spaces dropped), and the border.
struct BoxLine {
    range: Range<usize>,
    body: String,
    border: char,
    /// A rule such as `┌────┐` or `├────┤`: drawn to the width, not padded.
    rule: Option<char>,
}

/// The characters a rule line (`├────┤`, `+----+`) is drawn with.
fn is_rule_fill(c: char) -> bool {
    matches!(c, '─' | '━' | '═' | '-' | '=')
}

/// The edits that put every right border of the box (the lines of `block`)
/// in one display column: one after the widest content, and never further
/// left than the widest rule (`┌───┐`) already reaches. Empty when the box
/// is aligned.
pub fn align_box(text: &str, block: Range<usize>) -> Vec<Edit> {
    let mut box_lines: Vec<BoxLine> = Vec::new();
    for (s, e, _) in lines(&text[block.clone()]) {
        let range = block.start + s..block.start + e;
        let line = text[range.clone()].trim_end();
        let Some(border) = line.chars().next_back().filter(|c| is_box_char(*c)) else {
            continue;
        };
        let body = line[..line.len() - border.len_utf8()].trim_end_matches(' ');
        let inner = body.trim_start();
        let left = inner.chars().next();
        let is_rule = !inner.is_empty()
            && inner.chars().skip(1).all(is_rule_fill)
            && left.is_some_and(is_box_char)
            && inner.chars().count() > 1;
        let rule = is_rule.then(|| inner.chars().nth(1).unwrap_or('─'));
        box_lines.push(BoxLine {
            range,
            body: body.to_string(),
            border,
            rule,
        });
    }
    // The right borders go one column after the widest content (with a
    // space), and never further left than the widest rule already reaches.
    let content = box_lines
        .iter()
        .filter(|l| l.rule.is_none())
        .map(|l| l.body.width() + 1)
        .max()
        .unwrap_or(0);
    let rules = box_lines
        .iter()
        .filter(|l| l.rule.is_some())
        .map(|l| l.body.trim_end_matches(is_rule_fill).width() + 1)
        .max()
        .unwrap_or(0);
    let widest_rule = box_lines
        .iter()
        .filter(|l| l.rule.is_some())
        .map(|l| l.body.width())
        .max()
        .unwrap_or(0);
    let column = content.max(rules).max(widest_rule);
    let mut edits = Vec::new();
    for l in box_lines {
        let new = match l.rule {
            Some(fill) => {
                let head = l.body.trim_end_matches(fill);
                let fill_count = column.saturating_sub(head.width());
                format!("{head}{}{}", fill.to_string().repeat(fill_count), l.border)
            }
            None => format!(
                "{}{}{}",
                l.body,
                " ".repeat(column - l.body.width()),
                l.border
            ),
        };
        if new != text[l.range.clone()] {
            edits.push(Edit::replace(l.range, new));
        }
    }
    edits
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::analysis::analyze;
    use crate::config::Config;
    use crate::fix::{Fix, apply};

    /// The text after `edit_of` (given the analysed plan) is applied.
    fn check(text: &str, edit_of: impl Fn(&Plan, &str) -> Edit, expect: Expect) {
        let analysis = analyze(text, None, &Config::default());
        let plan = analysis.plan.as_ref().expect("a plan");
        expect.assert_eq(&apply(text, [&Fix::safe("", vec![edit_of(plan, text)])]).0);
    }

    fn section<'a>(plan: &'a Plan, name: &str) -> (&'a SectionSpec, Option<&'a SectionSpec>) {
        schema::walk_sections(&plan.kind)
            .into_iter()
            .find(|(s, _)| s.name == name)
            .expect("a section of the schema")
    }

    #[test]
    fn a_section_goes_between_its_template_neighbours() {
        check(
            "# Deployment Plan\n\n## Monitoring\n\n### Health Checks\n- Endpoint: /healthz\n\n### Metrics\n- Business: orders\n",
            |plan, text| {
                let (spec, parent) = section(plan, "Logging");
                insert_section(plan, text, spec, parent)
            },
            expect![[r#"
                # Deployment Plan

                ## Monitoring

                ### Health Checks
                - Endpoint: /healthz

                ### Logging
                - Platform: [CloudWatch/other]
                - Retention: [period]
                - Alerts: [conditions]

                ### Metrics
                - Business: orders
            "#]],
        );
    }

    #[test]
    fn a_field_goes_after_the_nearest_earlier_one() {
        check(
            "# Deployment Plan\n\n## Infrastructure\n\n### Hosting\n  * Provider: AWS\n  * Services: ECS\n",
            |plan, text| {
                let index = plan
                    .sections
                    .iter()
                    .position(|s| s.spec.as_ref().is_some_and(|s| s.name == "Hosting"))
                    .unwrap();
                let field = plan.sections[index]
                    .spec
                    .as_ref()
                    .unwrap()
                    .field("Region")
                    .unwrap();
                insert_field(plan, text, index, field, Some("eu-west-1"))
            },
            expect![[r#"
                # Deployment Plan

                ## Infrastructure

                ### Hosting
                  * Provider: AWS
                  * Region: eu-west-1
                  * Services: ECS
            "#]],
        );
    }

    #[test]
    fn a_checklist_item_goes_in_template_order() {
        check(
            "# Deployment Plan\n\n## Deployment Checklist\n\n### Post-Deployment\n- [x] Health checks passing\n- [ ] Key metrics normal\n",
            |plan, text| {
                let index = plan
                    .sections
                    .iter()
                    .position(|s| s.spec.as_ref().is_some_and(|s| s.name == "Post-Deployment"))
                    .unwrap();
                let spec = plan.sections[index].spec.as_ref().unwrap();
                let item = &spec.checklist()[2];
                insert_checklist_item(plan, text, index, item)
            },
            expect![[r#"
                # Deployment Plan

                ## Deployment Checklist

                ### Post-Deployment
                - [x] Health checks passing
                - [ ] No errors in logs
                - [ ] Key metrics normal
            "#]],
        );
    }

    #[test]
    fn the_record_goes_after_the_heading_fields() {
        check(
            "# Deployment Plan\n\n## Environment: production\n## Date: 2026-11-26\n\n## Infrastructure\n",
            |plan, text| insert_record(plan, text).unwrap().1,
            expect![[r#"
                # Deployment Plan

                ## Environment: production
                ## Date: 2026-11-26

                ## Decision Validation

                ```
                ┌────────────────────────────────────────────────────────────┐
                │ DECISION VALIDATION: DEPLOYMENT                            │
                ├────────────────────────────────────────────────────────────┤
                │                                                            │
                │ Environment: production                                    │
                │                                                            │
                │ Security Assessment:                                       │
                │   Data Classification: [PUBLIC|INTERNAL|CONFIDENTIAL]      │
                │   Threats Considered: [list]                               │
                │   Mitigations: [how addressed]                             │
                │                                                            │
                │ Deployment:                                                │
                │   Risk: [Low|Medium|High]                                  │
                │   Rollback Strategy: [specific steps]                      │
                │   Monitoring: [what to watch]                              │
                │                                                            │
                │ Recommendation: [Proceed|Proceed with Caution]             │
                └────────────────────────────────────────────────────────────┘
                ```

                ## Infrastructure
            "#]],
        );
    }
}
