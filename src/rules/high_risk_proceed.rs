//! `high-risk-proceed`: Risk High with a plain Proceed recommendation.

use super::{Code, Ctx, DefaultSeverity, Rule, Severity};
use crate::edits;
use crate::fix::Fix;
use crate::schema::{record_roles, values};

pub static RULE: Rule = Rule {
    code: Code::HighRiskProceed,
    summary: "Risk is High but the recommendation is a plain Proceed",
    default: DefaultSeverity::Fixed(Severity::Warning),
    doc: include_str!("../../docs/rules/high-risk-proceed.md"),
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    let Some(record) = ctx.plan.record.as_ref() else {
        return;
    };
    let roles = record_roles();
    let (Some(risk), Some(recommendation)) = (
        record.field_of(roles.risk),
        record.field_of(roles.recommendation),
    ) else {
        return;
    };
    let canonical = |f: &crate::model::Field| {
        let spec = f.spec?.enum_spec()?;
        match values::match_enum(spec, ctx.text(f.value.clone()), &[])? {
            values::EnumMatch::Exact(v) | values::EnumMatch::NonCanonical(v) => Some(v),
            values::EnumMatch::Configured => None,
        }
    };
    if canonical(risk) != Some(roles.high_risk) || canonical(recommendation) != Some(roles.proceed)
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
            "Risk is {}, so the recommendation should be `{caution}`",
            roles.high_risk
        ),
    )
    .fixes
    .push(Fix::unsafe_(format!("Change to {caution}"), vec![edit]).preferred());
}
