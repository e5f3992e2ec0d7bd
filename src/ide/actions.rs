//! Code actions: the quick fixes of each finding, "Ignore CODE on this
//! line", fix-all, the template insertions and the checklist toggles. All
//! are plain edits of the analysed text.

use std::ops::Range;
use std::path::Path;

use super::is_template_file;
use crate::analysis::Analysis;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::edits;
use crate::fix::{self, Edit};
use crate::model::Plan;
use crate::model::directives::DirectiveKind;
use crate::schema::template;
use crate::schema::{Body, Env, Presence, SectionSpec};
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

/// Every action available for `range` (byte offsets of the analysed text)
/// of the kinds `wanted` accepts, each title once: a title that several
/// findings share ("Ignore CODE on this line" for three findings on one
/// heading) is one action resolving them all, and an action whose edits
/// another already makes ("Toggle checklist item" beside the quick fix
/// "Check `X`") is left out. `fix_all` gives the text with every safe fix
/// applied; it is asked for only when a fix-all action is wanted.
pub fn actions(
    text: &str,
    analysis: &Analysis,
    path: Option<&Path>,
    config: &Config,
    range: Range<usize>,
    wanted: &dyn Fn(ActionKind) -> bool,
    fix_all: &dyn Fn() -> String,
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
            let (title, edits) = ignore(text, plan, d);
            let mut ignore = Action::new(title, ActionKind::QuickFix, edits);
            ignore.diagnostics = vec![i];
            out.push(ignore);
        }
    }
    if wanted(ActionKind::FixAll)
        && analysis
            .diagnostics
            .iter()
            .any(|d| crate::analysis::safe_fix(d).is_some())
    {
        let fixed = fix_all();
        if fixed != text {
            out.push(Action::new(
                FIX_ALL_TITLE,
                ActionKind::FixAll,
                fix::diff_edits(text, &fixed),
            ));
        }
    }
    out.extend(inserts(text, analysis, path, config));
    if let Some(plan) = plan {
        out.extend(checklist_actions(plan, range.start));
    }
    out.retain(|a| wanted(a.kind));
    once_each(out)
}

pub const FIX_ALL_TITLE: &str = "Fix all safe plan-lsp findings";

/// Merges actions with the same title (the first keeps its edits and gains
/// the others' diagnostics) and drops those whose edits an earlier one
/// already makes.
fn once_each(actions: Vec<Action>) -> Vec<Action> {
    let mut out: Vec<Action> = Vec::with_capacity(actions.len());
    for action in actions {
        if let Some(same) = out.iter_mut().find(|a| a.title == action.title) {
            for d in action.diagnostics {
                if !same.diagnostics.contains(&d) {
                    same.diagnostics.push(d);
                }
            }
            continue;
        }
        if out.iter().any(|a| a.edits == action.edits) {
            continue;
        }
        out.push(action);
    }
    out
}

/// "Ignore CODE on this line" and its disable comment: `disable-next-line`
/// above the finding's line, or — inside a fenced code block, where a
/// comment would become text — a `disable` … `enable` pair around the
/// whole block, which the title then says. An existing `disable-next-line`
/// comment above the line gets the code added.
pub fn ignore(text: &str, plan: &Plan, d: &Diagnostic) -> (String, Vec<Edit>) {
    let eol = crate::text::line_ending(text);
    let code = d.code.as_str();
    if let Some(block) = code_block_at(plan, d.range.start) {
        let first = line_content_range(text, block.start);
        let last = line_content_range(text, block.end.saturating_sub(1).max(block.start));
        let indent = indent_of(&text[first.clone()]);
        let is_record = plan
            .record
            .as_ref()
            .and_then(|r| r.box_range.as_ref())
            .is_some_and(|b| b.start <= d.range.start && d.range.start <= b.end);
        let title = match edits::record_section(plan) {
            Some(record) if is_record => {
                format!("Ignore {code} in the whole {} box", record.name)
            }
            _ => format!("Ignore {code} in this code block"),
        };
        return (
            title,
            vec![
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
            ],
        );
    }
    let title = format!("Ignore {code} on this line");
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
                return (title, Vec::new()); // already disables every code
            }
            let insert_at = previous.start
                + at
                + keyword.len()
                + text[previous.start + at + keyword.len()..list_end]
                    .trim_end()
                    .len();
            return (title, vec![Edit::insert(insert_at, format!(", {code}"))]);
        }
    }
    let indent = indent_of(&text[line.clone()]);
    (
        title,
        vec![Edit::insert(
            line.start,
            format!(
                "{indent}<!-- {} {code} -->{eol}",
                DirectiveKind::DisableNextLine.keyword()
            ),
        )],
    )
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

/// The template insertions this document is missing: for a document not
/// yet written, the templates its name calls for (a plan for staging or
/// production, the status sections); in a plan or status document, the
/// parts it lacks.
fn inserts(text: &str, analysis: &Analysis, path: Option<&Path>, config: &Config) -> Vec<Action> {
    let Some(plan) = analysis.plan.as_ref() else {
        if !is_template_file(path, text) {
            return Vec::new();
        }
        let whole = 0..text.len();
        let mut out = Vec::new();
        for kind in super::kinds_for(path, config) {
            if kind.is_deployment() {
                for env in [Env::Staging, Env::Production] {
                    out.push(Action::new(
                        format!("Insert deployment plan template ({env})"),
                        ActionKind::Insert,
                        vec![Edit::replace(
                            whole.clone(),
                            with_eol(text, &template::document(&kind, Some(env))),
                        )],
                    ));
                }
            } else if kind.is_status() {
                out.push(Action::new(
                    STATUS_SECTIONS_TITLE,
                    ActionKind::Insert,
                    vec![Edit::replace(
                        whole.clone(),
                        with_eol(text, &template::document(&kind, None)),
                    )],
                ));
            } else {
                out.push(Action::new(
                    format!(
                        "Insert {} template",
                        kind.spec().title.as_deref().unwrap_or(kind.as_str())
                    ),
                    ActionKind::Insert,
                    vec![Edit::replace(
                        whole.clone(),
                        with_eol(text, &template::document(&kind, None)),
                    )],
                ));
            }
        }
        return out;
    };
    let mut out = Vec::new();
    // a group of checklists, missing or partly written, for every kind
    for spec in plan.kind.sections.iter().filter(|s| {
        matches!(s.body, Body::Container)
            && s.children
                .iter()
                .any(|c| matches!(c.body, Body::Checklist { .. }))
    }) {
        let edits = completing(plan, text, spec);
        if !edits.is_empty() {
            out.push(Action::new(
                format!("Insert {}", spec.name),
                ActionKind::Insert,
                edits,
            ));
        }
    }
    if plan.kind.is_deployment() {
        if plan.record.is_none()
            && let Some((title, edit)) = edits::insert_record(plan, text)
        {
            out.push(Action::new(title, ActionKind::Insert, vec![edit]));
        }
    } else if plan.kind.is_status() {
        let missing: Vec<Edit> = plan
            .kind
            .sections
            .iter()
            .filter(|s| plan.first_of(s).is_none())
            .map(|s| edits::insert_section(plan, text, s, None))
            .collect();
        if !missing.is_empty() {
            out.push(Action::new(
                STATUS_SECTIONS_TITLE,
                ActionKind::Insert,
                missing,
            ));
        }
    }
    out
}

const STATUS_SECTIONS_TITLE: &str = "Insert status sections";

/// What a top-level section lacks, as edits: the whole section when it is
/// missing; else its missing required subsections (those that go in the
/// same place as one block, in template order) and the missing standard
/// items of the checklists it has.
fn completing(plan: &Plan, text: &str, spec: &SectionSpec) -> Vec<Edit> {
    let Some((index, _)) = plan.sections_of(spec).next() else {
        return vec![edits::insert_section(plan, text, spec, None)];
    };
    let end = plan.sections[index].end;
    let within = |s: &crate::model::Section| {
        plan.sections[index].range.start <= s.range.start && s.range.start < end
    };
    let mut blocks: Vec<(usize, String)> = Vec::new();
    let mut out = Vec::new();
    for child in spec
        .children
        .iter()
        .filter(|c| c.presence == Presence::Required)
    {
        let present = plan.sections_of(child).find(|(_, s)| within(s));
        match present {
            Some((child_index, _)) => {
                let written = &plan.sections[child_index];
                for item in child.checklist() {
                    let found = written.entries.iter().any(|e| {
                        e.task.is_some()
                            && crate::model::checklist_matches(text, e.content.clone(), item)
                    });
                    if !found {
                        out.push(edits::insert_checklist_item(plan, text, child_index, item));
                    }
                }
            }
            None => {
                let at = edits::section_insertion_point(plan, text, child, Some(spec));
                let body = template::section(child, &plan.kind, None);
                match blocks.last_mut() {
                    Some((last, block)) if *last == at => {
                        block.push_str("\n\n");
                        block.push_str(&body);
                    }
                    _ => blocks.push((at, body)),
                }
            }
        }
    }
    out.extend(
        blocks
            .into_iter()
            .map(|(at, block)| fix::insert_block(text, at, &block)),
    );
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
    use crate::diagnostic::Code;
    use crate::fix::Fix;

    fn apply(text: &str, action: &Action) -> String {
        fix::apply(text, [&Fix::safe("", action.edits.clone())]).0
    }

    /// The actions at `range` of the kinds `wanted` takes.
    fn of_kind(
        text: &str,
        analysis: &Analysis,
        range: Range<usize>,
        wanted: &dyn Fn(ActionKind) -> bool,
    ) -> Vec<Action> {
        let fix_all = || {
            crate::analysis::Analyzer::default()
                .fix_all(
                    text,
                    analysis,
                    None,
                    &Config::default(),
                    &Default::default(),
                )
                .text
        };
        actions(
            text,
            analysis,
            None,
            &Config::default(),
            range,
            wanted,
            &fix_all,
        )
    }

    /// Every action at `range`, as a client asking for all kinds gets them.
    fn all(text: &str, analysis: &Analysis, range: Range<usize>) -> Vec<Action> {
        of_kind(text, analysis, range, &|_| true)
    }

    /// The titles of the actions at `$0`, one per line with their kind.
    fn check_titles(fixture: &str, expect: expect_test::Expect) {
        let (text, offset, analysis) = crate::ide::fixture::at_cursor(fixture);
        let got: String = all(&text, &analysis, offset..offset)
            .iter()
            .map(|a| format!("{:?}: {}\n", a.kind, a.title))
            .collect();
        expect.assert_eq(&got);
    }

    /// The text after applying the action titled `title` at `$0`.
    fn check_action(fixture: &str, title: &str, expect: expect_test::Expect) {
        let (text, offset, analysis) = crate::ide::fixture::at_cursor(fixture);
        let actions = all(&text, &analysis, offset..offset);
        let action = actions
            .iter()
            .find(|a| a.title == title)
            .unwrap_or_else(|| panic!("no action {title:?} among {actions:?}"));
        expect.assert_eq(&apply(&text, action));
    }

    #[test]
    fn a_menu_on_a_heading_with_three_missing_items() {
        check_titles(
            "# Deployment Plan\n\n## Environment: staging\n## Date: 2026-11-26\n\n## Deployment Checklist\n\n### Pre-Dep$0loyment\n- [x] All tests pass\n- [ ] Rollback tested\n\n### Post-Deployment\n- [ ] Health checks passing\n- [ ] Monitoring active\n- [ ] No errors in logs\n- [ ] Key metrics normal\n",
            expect_test::expect![[r#"
                QuickFix: Insert `- [ ] Security scan clean`
                QuickFix: Ignore missing-checklist-item on this line
                QuickFix: Insert `- [ ] Dependencies updated`
                QuickFix: Insert `- [ ] Database migrations prepared`
                FixAll: Fix all safe plan-lsp findings
                Insert: Insert Deployment Checklist
                Insert: Insert Decision Validation record
                Rewrite: Check all items in this checklist
            "#]],
        );
    }

    #[test]
    fn fix_all_inserts_every_missing_item_at_once() {
        check_action(
            "# Deployment Plan\n\n## Environment: staging\n## Date: 2026-11-26\n\n## Deployment Checklist\n\n### Pre-Dep$0loyment\n- [x] All tests pass\n- [ ] Rollback tested\n\n### Post-Deployment\n- [ ] Health checks passing\n- [ ] Monitoring active\n- [ ] No errors in logs\n- [ ] Key metrics normal\n",
            FIX_ALL_TITLE,
            expect_test::expect![[r#"
                # Deployment Plan

                ## Environment: staging
                ## Date: 2026-11-26

                ## Deployment Checklist

                ### Pre-Deployment
                - [x] All tests pass
                - [ ] Security scan clean
                - [ ] Dependencies updated
                - [ ] Database migrations prepared
                - [ ] Rollback tested

                ### Post-Deployment
                - [ ] Health checks passing
                - [ ] Monitoring active
                - [ ] No errors in logs
                - [ ] Key metrics normal
            "#]],
        );
    }

    #[test]
    fn ignoring_a_finding_in_the_box_covers_the_box() {
        check_action(
            "# Deployment Plan\n\n## Environment: production\n\n## Decision Validation\n\n```\n│ Risk: High             │\n│ Recommendation: Pro$0ceed │\n```\n",
            "Ignore high-risk-proceed in the whole Decision Validation box",
            expect_test::expect![[r#"
                # Deployment Plan

                ## Environment: production

                ## Decision Validation

                <!-- plan-lsp-disable high-risk-proceed -->
                ```
                │ Risk: High             │
                │ Recommendation: Proceed │
                ```
                <!-- plan-lsp-enable high-risk-proceed -->
            "#]],
        );
    }

    #[test]
    fn ignore_inserts_a_comment_that_suppresses() {
        let text = "# Deployment Plan\n\n## Infrastructure\n\n### Hosting\n- Provider: aws\n- Region: x\n- Services: y\n";
        let config = Config::default();
        let a = analyze(text, None, &config);
        let at = text.find("aws").unwrap();
        let acts = all(text, &a, at..at);
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
        let acts = of_kind(text, &a, 0..0, &|k| k == ActionKind::Insert);
        let insert = acts
            .iter()
            .find(|x| x.title == "Insert Deployment Checklist")
            .unwrap();
        let fixed = apply(text, insert);
        assert_eq!(fixed.matches("- [ ] ").count(), 9, "{fixed}");
        let a = analyze(&fixed, None, &Config::default());
        let at = fixed.find("- [ ] Rollback tested").unwrap();
        let toggle = all(&fixed, &a, at..at)
            .into_iter()
            .find(|x| x.title == "Toggle checklist item")
            .unwrap();
        assert!(apply(&fixed, &toggle).contains("- [x] Rollback tested"));
    }
}
