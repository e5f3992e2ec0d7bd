//! `high-risk-proceed`: Risk High with a plain Proceed recommendation.

use super::{Code, Ctx, DefaultSeverity, Fixes, Rule, Severity};
use crate::edits;
use crate::fix::Fix;

pub static RULE: Rule = Rule {
    code: Code::HighRiskProceed,
    summary: "Risk is High but the recommendation is a plain Proceed",
    default: DefaultSeverity::Fixed(Severity::Warning),
    doc: include_str!("../../docs/rules/high-risk-proceed.md"),
    fixes: Fixes::Unsafe,
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    let Some(record) = ctx.plan.record.as_ref() else {
        return;
    };
    let Some(roles) = ctx.plan.record_roles() else {
        return;
    };
    let (Some(risk), Some(recommendation)) = (
        record.field_of(roles.risk),
        record.field_of(roles.recommendation),
    ) else {
        return;
    };
    if risk.canonical(ctx.text) != Some(roles.high_risk)
        || recommendation.canonical(ctx.text) != Some(roles.proceed)
    {
        return;
    }
    let caution = roles.proceed_with_caution;
    let core = recommendation.core(ctx.text);
    let edit = edits::replace_in_field(ctx.plan, ctx.text, recommendation, core.clone(), caution);
    ctx.report(
        Code::HighRiskProceed,
        core,
        format!(
            "{} is {}, so the {} should be `{caution}`",
            roles.risk.key,
            roles.high_risk,
            roles.recommendation.key.to_lowercase()
        ),
    )
    .fixes
    .push(Fix::unsafe_(format!("Change to {caution}"), vec![edit]).preferred());
}
