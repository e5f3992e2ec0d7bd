//! `missing-mitigations`: threats listed without mitigations.

use super::{Code, Ctx, DefaultSeverity, Fixes, Rule, Severity};
use crate::model::Field;
use crate::schema::values;

pub static RULE: Rule = Rule {
    code: Code::MissingMitigations,
    summary: "threats are listed but the mitigations are empty",
    default: DefaultSeverity::Fixed(Severity::Warning),
    doc: include_str!("../../docs/rules/missing-mitigations.md"),
    fixes: Fixes::None,
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    let Some(record) = ctx.plan.record.as_ref() else {
        return;
    };
    let Some(roles) = ctx.plan.record_roles() else {
        return;
    };
    let (Some(threats), Some(mitigations)) = (
        record.field_of(roles.threats),
        record.field_of(roles.mitigations),
    ) else {
        return;
    };
    let labels = &ctx.plan.link_labels;
    let filled = |f: &Field| {
        let v = ctx.text(f.value.clone());
        (!v.trim().is_empty() && values::placeholders(v, labels).is_empty()) || !f.nested.is_empty()
    };
    if filled(threats) && !filled(mitigations) {
        ctx.report(
            Code::MissingMitigations,
            mitigations.key.start..mitigations.line.end.max(mitigations.value.end),
            format!(
                "threats are listed but `{}` does not say how they are addressed",
                roles.mitigations.key
            ),
        );
    }
}
