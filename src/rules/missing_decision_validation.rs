//! `missing-decision-validation`: a production plan without its record.

use super::{Code, Ctx, DefaultSeverity, Fixes, Rule, Severity};
use crate::edits;
use crate::fix::Fix;
use crate::schema::DocKind;

pub static RULE: Rule = Rule {
    code: Code::MissingDecisionValidation,
    summary: "a production plan has no Decision Validation record",
    default: DefaultSeverity::ProductionOnly(Severity::Error),
    doc: include_str!("../../docs/rules/missing-decision-validation.md"),
    fixes: Fixes::Unsafe,
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    let plan = ctx.plan;
    if plan.kind != *DocKind::deployment() || plan.record.is_some() {
        return;
    }
    let range = plan.title().map_or_else(
        || crate::text::line_content_range(ctx.text, 0),
        |t| t.line.clone(),
    );
    let fixes = edits::insert_record(plan, ctx.text)
        .map(|(title, edit)| Fix::unsafe_(title, vec![edit]).preferred())
        .into_iter()
        .collect();
    let heading = plan
        .kind
        .record_section()
        .map(|s| format!("{} {}", "#".repeat(s.level as usize), s.name))
        .unwrap_or_default();
    ctx.report(
        Code::MissingDecisionValidation,
        range,
        format!(
            "no `{heading}` record: {} deployments need the risk, data classification and recommendation recorded",
            crate::schema::Env::Production
        ),
    )
    .fixes = fixes;
}
