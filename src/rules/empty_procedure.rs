//! `empty-procedure`: the rollback procedure has no real numbered step.

use super::{Code, Ctx, DefaultSeverity, Fixes, Rule};
use crate::schema::Body;

pub static RULE: Rule = Rule {
    code: Code::EmptyProcedure,
    summary: "the rollback procedure has no real numbered step",
    default: DefaultSeverity::ByEnv,
    doc: include_str!("../../docs/rules/empty-procedure.md"),
    fixes: Fixes::None,
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    for section in &ctx.plan.sections {
        if !section
            .spec
            .as_ref()
            .is_some_and(|s| matches!(s.body, Body::Steps(_)))
        {
            continue;
        }
        // Steps that are still placeholders count here: `placeholder`
        // reports them, and reporting them twice would only add noise.
        let has_step = section
            .entries
            .iter()
            .any(|e| e.ordered && !ctx.text(e.content.clone()).trim().is_empty());
        if !has_step {
            ctx.report(
                Code::EmptyProcedure,
                section.line.clone(),
                "the rollback procedure has no numbered step: list how to roll back, as `1. …`",
            );
        }
    }
}
