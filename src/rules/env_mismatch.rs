//! `env-mismatch`: the Decision Validation record names another environment.

use super::{Code, Ctx, DefaultSeverity, Rule, Severity, edits};
use crate::fix::Fix;
use crate::schema::{self, Env};

pub static RULE: Rule = Rule {
    code: Code::EnvMismatch,
    summary: "the Decision Validation environment differs from the plan's",
    default: DefaultSeverity::Fixed(Severity::Warning),
    doc: include_str!("../../docs/rules/env-mismatch.md"),
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    let plan = ctx.plan;
    if !plan.env_declared {
        return;
    }
    let Some(record) = plan.record.as_ref() else {
        return;
    };
    let Some(field) = record.field_of(schema::record_roles().environment) else {
        return;
    };
    let core = field.core(ctx.text);
    let Some(written) = Env::parse(ctx.text(core.clone())) else {
        return; // not an environment: invalid-value or placeholder says so
    };
    if written == plan.env {
        return;
    }
    let edit = edits::replace_in_field(plan, ctx.text, field, core.clone(), plan.env.as_str());
    ctx.report(
        Code::EnvMismatch,
        core,
        format!(
            "the Decision Validation record is for {written}, but this plan deploys to {}",
            plan.env
        ),
    )
    .fixes
    .push(Fix::unsafe_(format!("Set Environment to {}", plan.env), vec![edit]).preferred());
}
