//! `empty-procedure`: the rollback procedure has no real numbered step.

use super::{Code, Ctx, DefaultSeverity, Rule};
use crate::schema::{Body, values};

pub static RULE: Rule = Rule {
    code: Code::EmptyProcedure,
    summary: "the rollback procedure has no real numbered step",
    default: DefaultSeverity::ByEnv,
    doc: include_str!("../../docs/rules/empty-procedure.md"),
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    let plan = ctx.plan;
    for section in &plan.sections {
        if !section
            .spec
            .is_some_and(|s| matches!(s.body, Body::Steps(_)))
        {
            continue;
        }
        let steps: Vec<&str> = section
            .entries
            .iter()
            .filter(|e| e.ordered)
            .map(|e| ctx.text(e.content.clone()))
            .filter(|t| !t.trim().is_empty())
            .collect();
        let real = steps
            .iter()
            .any(|t| !is_only_placeholders(t, &plan.link_labels));
        // Steps that are still placeholders are reported by `placeholder`.
        if steps.is_empty() || (!real && steps.is_empty()) {
            ctx.report(
                Code::EmptyProcedure,
                section.line.clone(),
                "the rollback procedure has no numbered step: list how to roll back, as `1. …`",
            );
        }
    }
}

fn is_only_placeholders(text: &str, labels: &[String]) -> bool {
    let mut rest = text.to_string();
    for r in values::placeholders(text, labels).into_iter().rev() {
        rest.replace_range(r, "");
    }
    rest.trim().is_empty()
}
