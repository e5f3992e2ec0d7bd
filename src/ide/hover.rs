//! Hover: why a document is (not) a plan on its H1, what a section or field
//! is for, and what an enum value means.

use std::ops::Range;

use super::context::CursorContext;
use super::section_doc;
use crate::analysis::Analysis;
use crate::model::outline;
use crate::schema::{FieldSpec, ValueKind, values};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub range: Range<usize>,
    /// Markdown.
    pub contents: String,
}

pub fn hover(text: &str, analysis: &Analysis, offset: usize) -> Option<Hover> {
    let offset = crate::text::floor_char_boundary(text, offset);
    let title = |line: Range<usize>| Hover {
        range: line,
        contents: title_hover(analysis),
    };
    match CursorContext::at(text, analysis.plan.as_ref(), offset) {
        CursorContext::Title { line } => Some(title(line)),
        // a one-line document being written: its H1 all there is
        CursorContext::NewDocument { .. } => {
            let line = crate::text::line_content_range(text, offset);
            (outline::atx_level(&text[line.clone()]) == Some(1)).then(|| title(line))
        }
        CursorContext::Key { field, key } => Some(key_hover(field, key)),
        CursorContext::Value { field, value, .. } => Some(value_hover(text, field, value)),
        CursorContext::Section { spec, line } => Some(Hover {
            range: line,
            contents: section_doc(spec),
        }),
        CursorContext::ChecklistItem {
            item,
            checklist,
            content,
        } => Some(Hover {
            range: content,
            contents: format!(
                "**{}** — {}\n\n_{}_ checklist item.",
                item.text, item.doc, checklist.name
            ),
        }),
        CursorContext::ItemStart { .. }
        | CursorContext::TaskBox { .. }
        | CursorContext::Heading { .. }
        | CursorContext::None => None,
    }
}

/// On the H1: what kind of document plan-lsp takes this for and why, and
/// where it stands; or why it is left alone and how to make it a plan.
fn title_hover(analysis: &Analysis) -> String {
    let why = &analysis.targeting.reason;
    let Some(plan) = analysis.plan.as_ref() else {
        return format!("**Not a plan** — plan-lsp leaves this document alone: {why}.");
    };
    let count = |s: crate::diagnostic::Severity| {
        analysis
            .diagnostics
            .iter()
            .filter(|d| d.severity == s)
            .count()
    };
    let env = match plan.kind.environment_field() {
        None => String::new(),
        Some(field) if plan.env_declared => format!("{}: **{}** · ", field.key, plan.env),
        Some(field) => format!(
            "{}: **{}** (none declared: the default) · ",
            field.key, plan.env
        ),
    };
    let template = if plan.kind.is_from_template() {
        format!(" (template `{}`)", plan.kind.source)
    } else {
        String::new()
    };
    format!(
        "**{}** — {}\n\nChecked as a {} document{template}: {why}.\n\n{env}{} error(s), {} warning(s)",
        plan.kind.title.as_deref().unwrap_or(plan.kind.as_str()),
        plan.kind.doc,
        plan.kind,
        count(crate::diagnostic::Severity::Error),
        count(crate::diagnostic::Severity::Warning),
    )
}

/// On a value: what the enum value means; any other value gets its field's
/// documentation.
fn value_hover(text: &str, spec: &FieldSpec, value: Range<usize>) -> Hover {
    let core = value.start + values::value_core(&text[value.clone()]).start
        ..value.start + values::value_core(&text[value.clone()]).end;
    if let Some(e) = spec.enum_spec()
        && let Some(name) =
            values::match_enum(e, &text[value.clone()], &[]).and_then(|m| m.canonical())
        && let Some(v) = e.value(name)
    {
        return Hover {
            range: core,
            contents: format!("**{}** — {}\n\n_{}_: {}", v.name, v.doc, spec.key, spec.doc),
        };
    }
    Hover {
        range: value,
        contents: field_doc(spec),
    }
}

fn key_hover(spec: &FieldSpec, key: Range<usize>) -> Hover {
    Hover {
        range: key,
        contents: field_doc(spec),
    }
}

/// A field's documentation: what it is for, its value, the values offered.
fn field_doc(spec: &FieldSpec) -> String {
    let mut contents = format!(
        "**{}** — {}\n\nValue: {}",
        spec.key,
        spec.doc,
        spec.value.describe()
    );
    if let ValueKind::Enum(e) = &spec.value {
        contents.push_str(if e.closed {
            "\n\nAllowed values:"
        } else {
            "\n\nSuggested values:"
        });
        for v in e.offered() {
            contents.push_str(&format!("\n- **{}** — {}", v.name, v.doc));
        }
    }
    contents
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::ide::fixture::{at_cursor, show};

    /// The hover at `$0`: the range it covers, then its contents.
    fn check(fixture: &str, expect: Expect) {
        let (text, offset, analysis) = at_cursor(fixture);
        let got = match hover(&text, &analysis, offset) {
            Some(h) => format!("{}\n{}", show(&text, h.range), h.contents),
            None => "(none)".into(),
        };
        expect.assert_eq(&got);
    }

    const PRODUCTION: &str = "# Deployment Plan\n\n## Deployment Strategy\n\n### Production\n";

    #[test]
    fn an_enum_value_says_what_it_means() {
        check(
            &format!("{PRODUCTION}- Strategy: Can$0ary (10% first)\n"),
            expect![[r#"
                "Canary"
                **Canary** — Send a small share of traffic to the new version first and widen it step by step (e.g. 10% → 50% → 100%) while watching the metrics.

                _Strategy_: The production rollout strategy."#]],
        );
    }

    #[test]
    fn a_key_says_what_the_field_is_for_and_its_values() {
        check(
            &format!("{PRODUCTION}- Strat$0egy: Canary\n"),
            expect![[r#"
                "Strategy"
                **Strategy** — The production rollout strategy.

                Value: one of Blue-Green, Canary, Rolling

                Allowed values:
                - **Blue-Green** — Run the new version (green) beside the current one (blue), then switch all traffic at once; rolling back is switching back.
                - **Canary** — Send a small share of traffic to the new version first and widen it step by step (e.g. 10% → 50% → 100%) while watching the metrics.
                - **Rolling** — Replace instances a few at a time, so old and new versions serve together until every instance runs the new one."#]],
        );
    }

    #[test]
    fn a_section_heading_and_a_checklist_item() {
        check(
            "# Deployment Plan\n\n## Rollback Plan\n\n### Proce$0dure\n1. Roll back\n",
            expect![[r####"
                "### Procedure"
                **### Procedure** — The numbered steps that perform the rollback, ending with verifying it worked."####]],
        );
        check(
            "# Deployment Plan\n\n## Deployment Checklist\n\n### Pre-Deployment\n- [x] Rollback $0tested\n",
            expect![[r#"
                "Rollback tested"
                **Rollback tested** — The rollback procedure was exercised, e.g. in staging.

                _Pre-Deployment_ checklist item."#]],
        );
    }

    #[test]
    fn the_title_says_what_the_document_is_taken_for() {
        check(
            "# Deployment$0 Plan\n\n## Environment: production\n",
            expect![[r##"
                "# Deployment Plan"
                **Deployment Plan** — A deployment plan (`docs/deployment.md`): infrastructure, rollout strategy, monitoring, rollback and checklists for one deployment.

                Checked as a deployment document: its first H1 (line 1) is `# Deployment Plan`.

                Environment: **production** · 7 error(s), 0 warning(s)"##]],
        );
        check(
            "# Release no$0tes\n\n## Changes\n",
            expect![[r##"
            "# Release notes"
            **Not a plan** — plan-lsp leaves this document alone: its first H1 (line 1) is `# Release notes`, not `# Deployment Plan`, it has no `plan:` front matter, and no include glob matches it."##]],
        );
    }

    #[test]
    fn a_box_value() {
        check(
            "# Deployment Plan\n\n## Decision Validation\n\n```\n│ Risk: Hi$0gh   │\n```\n",
            expect![[r#"
                "High"
                **High** — Wide impact or hard to reverse (data migrations, auth, payments). Recommend Proceed with Caution.

                _Risk_: How much could go wrong and how hard it would be to undo."#]],
        );
    }

    #[test]
    fn prose_has_no_hover() {
        check(
            "# Deployment Plan\n\n## Rollback Plan\n\nSome wor$0ds.\n",
            expect!["(none)"],
        );
    }
}
