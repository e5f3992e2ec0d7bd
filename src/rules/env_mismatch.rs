//! `env-mismatch`: the Decision Validation record names another environment.

use super::{Code, Ctx, DefaultSeverity, Fixes, Rule, Severity};
use crate::edits;
use crate::fix::Fix;
use crate::schema::{DocKind, Env};

pub static RULE: Rule = Rule {
    code: Code::EnvMismatch,
    summary: "the Decision Validation environment differs from the plan's",
    default: DefaultSeverity::Fixed(Severity::Warning),
    doc: include_str!("../../docs/rules/env-mismatch.md"),
    fixes: Fixes::Unsafe,
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    if ctx.plan.kind == *DocKind::status() {
        status_against_plan(ctx);
        return;
    }
    let plan = ctx.plan;
    if !plan.env_declared {
        return;
    }
    let Some(record) = plan.record.as_ref() else {
        return;
    };
    let (Some(roles), Some(record_section)) = (plan.record_roles(), edits::record_section(plan))
    else {
        return;
    };
    let Some(field) = record.field_of(roles.environment) else {
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
            "the {} record is for {written}, but this plan deploys to {}",
            record_section.name, plan.env
        ),
    )
    .fixes
    .push(
        Fix::unsafe_(
            format!("Set {} to {}", roles.environment.key, plan.env),
            vec![edit],
        )
        .preferred(),
    );
}

/// A status document's Deployment State environment against the
/// environment its plan declares.
fn status_against_plan(ctx: &mut Ctx<'_>) {
    let Some(related) = ctx.related.plan.as_ref() else {
        return;
    };
    let plan = ctx.plan;
    let Some(field) = plan
        .fields()
        .find(|f| f.spec.as_ref().is_some_and(|s| s.is_environment()))
    else {
        return;
    };
    let core = field.core(ctx.text);
    let Some(written) = Env::parse(ctx.text(core.clone())) else {
        return;
    };
    if written == related.env {
        return;
    }
    let plan_name = related
        .path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let edit = edits::replace_in_field(plan, ctx.text, field, core.clone(), related.env.as_str());
    let key = ctx.key_name(field);
    ctx.report(
        Code::EnvMismatch,
        core,
        format!(
            "this status says {written}, but the plan ({}) deploys to {}",
            related.path.parent().and_then(|p| p.file_name()).map_or(
                plan_name.clone(),
                |d| format!("{}/{plan_name}", d.to_string_lossy())
            ),
            related.env
        ),
    )
    .fixes
    .push(Fix::unsafe_(format!("Set {key} to {}", related.env), vec![edit]).preferred());
}
