//! Code actions: the quick fixes of each finding, "Ignore CODE on this
//! line", fix-all, the template insertions and the checklist toggles. All
//! are plain edits of the analysed text.

use std::ops::Range;
use std::path::Path;

use super::is_template_file;
use crate::analysis::Analysis;
use crate::fix::{self, Applicability, Edit, Fix};
use crate::model::Plan;
use crate::rules::Diagnostic;
use crate::rules::edits;
use crate::rules::suppression::DirectiveKind;
use crate::schema::template;
use crate::schema::{Body, DocKind, STATUS};
use crate::text::line_content_range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionKind {
    /// LSP `quickfix`.
    QuickFix,
    /// LSP `source.fixAll.plan-lsp`.
    FixAll,
    /// LSP `source.plan-lsp.insert`: template insertions.
    Insert,
    /// LSP `refactor.rewrite`: checklist toggles.
    Rewrite,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub title: String,
    pub kind: ActionKind,
    pub edits: Vec<Edit>,
    /// Indexes into the analysis' diagnostics this action resolves.
    pub diagnostics: Vec<usize>,
    pub preferred: bool,
}

impl Action {
    fn new(title: impl Into<String>, kind: ActionKind, edits: Vec<Edit>) -> Action {
        Action {
            title: title.into(),
            kind,
            edits,
            diagnostics: Vec::new(),
            preferred: false,
        }
    }
}

/// Every action available for `range` (byte offsets of the analysed text).
pub fn actions(
    text: &str,
    analysis: &Analysis,
    path: Option<&Path>,
    range: Range<usize>,
) -> Vec<Action> {
    let mut out = Vec::new();
    let lines =
        line_content_range(text, range.start).start..line_content_range(text, range.end).end;
    let plan = analysis.plan.as_ref();
    for (i, d) in analysis.diagnostics.iter().enumerate() {
        let touches = d.range.start <= lines.end && lines.start <= d.range.end;
        if !touches {
            continue;
        }
        for f in &d.fixes {
            out.push(Action {
                title: f.title.clone(),
                kind: ActionKind::QuickFix,
                edits: f.edits.clone(),
                diagnostics: vec![i],
                preferred: f.preferred,
            });
        }
        if let Some(plan) = plan {
            let mut ignore = Action::new(
                format!("Ignore {} on this line", d.code),
                ActionKind::QuickFix,
                ignore_edits(text, plan, d),
            );
            ignore.diagnostics = vec![i];
            out.push(ignore);
        }
    }
    if let Some(fix_all) = fix_all(text, &analysis.diagnostics) {
        out.push(fix_all);
    }
    out.extend(inserts(text, analysis, path));
    if let Some(plan) = plan {
        out.extend(checklist_actions(plan, range.start));
    }
    out
}

/// Every safe fix that does not overlap another, as one action.
pub fn fix_all(text: &str, diagnostics: &[Diagnostic]) -> Option<Action> {
    let safe: Vec<&Fix> = diagnostics
        .iter()
        .filter_map(|d| {
            let safe = || {
                d.fixes
                    .iter()
                    .filter(|f| f.applicability == Applicability::Safe)
            };
            safe().find(|f| f.preferred).or_else(|| safe().next())
        })
        .collect();
    let chosen = fix::select(text, safe);
    if chosen.is_empty() {
        return None;
    }
    let edits = chosen
        .into_iter()
        .flat_map(|f| f.edits.iter().cloned())
        .collect();
    Some(Action::new(
        "Fix all safe plan-lsp findings",
        ActionKind::FixAll,
        edits,
    ))
}

/// A disable comment for a finding: `disable-next-line` above its line, or
/// (inside a fenced code block, where a comment would become text) a
/// `disable` … `enable` pair around the block. An existing
/// `disable-next-line` comment above the line gets the code added.
pub fn ignore_edits(text: &str, plan: &Plan, d: &Diagnostic) -> Vec<Edit> {
    let eol = crate::text::line_ending(text);
    let code = d.code.as_str();
    if let Some(block) = code_block_at(plan, d.range.start) {
        let first = line_content_range(text, block.start);
        let last = line_content_range(text, block.end.saturating_sub(1).max(block.start));
        let indent = indent_of(&text[first.clone()]);
        return vec![
            Edit::insert(
                first.start,
                format!(
                    "{indent}<!-- {} {code} -->{eol}",
                    DirectiveKind::Disable.keyword()
                ),
            ),
            Edit::insert(
                last.end,
                format!(
                    "{eol}{indent}<!-- {} {code} -->",
                    DirectiveKind::Enable.keyword()
                ),
            ),
        ];
    }
    let line = line_content_range(text, d.range.start);
    if line.start > 0 {
        let previous = line_content_range(text, line.start - 1);
        let prev_text = &text[previous.clone()];
        let keyword = DirectiveKind::DisableNextLine.keyword();
        if let Some(at) = prev_text.find(keyword)
            && let Some(close) = prev_text[at..].find("-->")
        {
            let list_end = previous.start + at + close;
            let list = text[previous.start + at + keyword.len()..list_end].trim();
            if list.is_empty() {
                return Vec::new(); // already disables every code
            }
            let insert_at = previous.start
                + at
                + keyword.len()
                + text[previous.start + at + keyword.len()..list_end]
                    .trim_end()
                    .len();
            return vec![Edit::insert(insert_at, format!(", {code}"))];
        }
    }
    let indent = indent_of(&text[line.clone()]);
    vec![Edit::insert(
        line.start,
        format!(
            "{indent}<!-- {} {code} -->{eol}",
            DirectiveKind::DisableNextLine.keyword()
        ),
    )]
}

fn indent_of(line: &str) -> &str {
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// The fenced code block containing an offset.
fn code_block_at(plan: &Plan, offset: usize) -> Option<Range<usize>> {
    plan.chunks.iter().find_map(|c| {
        c.chunk
            .code_blocks
            .iter()
            .map(|b| b.span.at(c.base))
            .find(|r| r.start <= offset && offset <= r.end)
    })
}

/// The template insertions this document is missing.
fn inserts(text: &str, analysis: &Analysis, path: Option<&Path>) -> Vec<Action> {
    let Some(plan) = analysis.plan.as_ref() else {
        if !is_template_file(path, text) {
            return Vec::new();
        }
        let is_status = path.is_some_and(crate::workspace::is_status_file);
        let whole = 0..text.len();
        let mut out = Vec::new();
        if !is_status {
            out.push(Action::new(
                "Insert deployment plan template",
                ActionKind::Insert,
                vec![Edit::replace(
                    whole.clone(),
                    with_eol(text, &template::deployment(None)),
                )],
            ));
        }
        out.push(Action::new(
            "Insert status sections",
            ActionKind::Insert,
            vec![Edit::replace(whole, with_eol(text, &template::status()))],
        ));
        return out;
    };
    let mut out = Vec::new();
    match plan.kind {
        DocKind::Deployment => {
            if let Some(spec) = plan.spec.sections.iter().find(|s| {
                matches!(s.body, Body::Container)
                    && s.children
                        .iter()
                        .any(|c| matches!(c.body, Body::Checklist { .. }))
            }) && plan.first_of(spec).is_none()
            {
                out.push(Action::new(
                    "Insert Deployment Checklist",
                    ActionKind::Insert,
                    vec![edits::insert_section(plan, text, spec, None)],
                ));
            }
            if plan.record.is_none()
                && let Some(edit) = edits::insert_record(plan, text)
            {
                out.push(Action::new(
                    "Insert Decision Validation record",
                    ActionKind::Insert,
                    vec![edit],
                ));
            }
        }
        DocKind::Status => {
            let missing: Vec<Edit> = STATUS
                .sections
                .iter()
                .filter(|s| plan.first_of(s).is_none())
                .map(|s| edits::insert_section(plan, text, s, None))
                .collect();
            if !missing.is_empty() {
                out.push(Action::new(
                    "Insert status sections",
                    ActionKind::Insert,
                    missing,
                ));
            }
        }
    }
    out
}

fn with_eol(text: &str, template: &str) -> String {
    template.replace('\n', crate::text::line_ending(text))
}

/// "Toggle checklist item" on a task item, and "Check all items in this
/// checklist" in a section with unchecked items.
fn checklist_actions(plan: &Plan, offset: usize) -> Vec<Action> {
    let mut out = Vec::new();
    let Some(index) = plan.section_at(offset) else {
        return out;
    };
    let section = &plan.sections[index];
    let placed = &plan.chunks[section.chunk];
    let mut boxes: Vec<(bool, Range<usize>, Range<usize>)> = Vec::new();
    fn walk(
        items: &[crate::model::chunk::Item],
        base: usize,
        out: &mut Vec<(bool, Range<usize>, Range<usize>)>,
    ) {
        for i in items {
            if let Some(t) = i.task {
                out.push((t.checked, t.span.at(base), i.line.at(base)));
            }
            walk(&i.children, base, out);
        }
    }
    walk(&placed.chunk.items, placed.base, &mut boxes);
    if let Some((checked, box_range, _)) = boxes
        .iter()
        .find(|(_, _, line)| line.start <= offset && offset <= line.end)
    {
        let new = if *checked { "[ ]" } else { "[x]" };
        out.push(Action::new(
            "Toggle checklist item",
            ActionKind::Rewrite,
            vec![Edit::replace(box_range.clone(), new)],
        ));
    }
    let unchecked: Vec<Edit> = boxes
        .iter()
        .filter(|(checked, _, _)| !checked)
        .map(|(_, r, _)| Edit::replace(r.clone(), "[x]"))
        .collect();
    if !unchecked.is_empty() {
        out.push(Action::new(
            "Check all items in this checklist",
            ActionKind::Rewrite,
            unchecked,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;
    use crate::config::Config;
    use crate::rules::Code;

    fn apply(text: &str, action: &Action) -> String {
        fix::apply(text, [&Fix::safe("", action.edits.clone())]).0
    }

    #[test]
    fn ignore_inserts_a_comment_that_suppresses() {
        let text = "# Deployment Plan\n\n## Infrastructure\n\n### Hosting\n- Provider: aws\n- Region: x\n- Services: y\n";
        let config = Config::default();
        let a = analyze(text, None, &config);
        let at = text.find("aws").unwrap();
        let acts = actions(text, &a, None, at..at);
        let ignore = acts
            .iter()
            .find(|x| x.title == "Ignore non-canonical-value on this line")
            .unwrap();
        let fixed = apply(text, ignore);
        assert!(
            fixed.contains(
                "<!-- plan-lsp-disable-next-line non-canonical-value -->\n- Provider: aws"
            )
        );
        let again = analyze(&fixed, None, &config);
        assert!(
            again
                .diagnostics
                .iter()
                .all(|d| d.code != Code::NonCanonicalValue)
        );
    }

    #[test]
    fn checklist_insert_and_toggle() {
        let text = "# Deployment Plan\n\n## Environment: staging\n## Date: 2026-11-26\n\n## Rollback Plan\n";
        let a = analyze(text, None, &Config::default());
        let acts = actions(text, &a, None, 0..0);
        let insert = acts
            .iter()
            .find(|x| x.title == "Insert Deployment Checklist")
            .unwrap();
        let fixed = apply(text, insert);
        assert_eq!(fixed.matches("- [ ] ").count(), 9, "{fixed}");
        let a = analyze(&fixed, None, &Config::default());
        let at = fixed.find("- [ ] Rollback tested").unwrap();
        let toggle = actions(&fixed, &a, None, at..at)
            .into_iter()
            .find(|x| x.title == "Toggle checklist item")
            .unwrap();
        assert!(apply(&fixed, &toggle).contains("- [x] Rollback tested"));
    }
}
