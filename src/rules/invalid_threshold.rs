//! `invalid-threshold`: a rollback trigger's threshold is not a quantity.

use super::{Code, Ctx, DefaultSeverity, Fixes, Rule, Severity};
use crate::schema::values::{leading_duration, leading_percent};
use crate::schema::{Quantity, ValueKind};

pub static RULE: Rule = Rule {
    code: Code::InvalidThreshold,
    summary: "a rollback trigger's threshold is not a percentage or duration",
    default: DefaultSeverity::Fixed(Severity::Error),
    doc: include_str!("../../docs/rules/invalid-threshold.md"),
    fixes: Fixes::None,
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    for field in ctx.filled_fields() {
        let Some(spec) = &field.spec else { continue };
        let ValueKind::Threshold(quantity) = spec.value else {
            continue;
        };
        let value = ctx.text(field.value.clone());
        // `Error rate: > 1%` and `Error rate >= 1%` put the comparison in the value.
        let stripped = value.trim_start_matches(['>', '=', '≥', ' ']);
        let stripped = crate::schema::values::strip_emphasis(stripped, 0..stripped.len());
        let offset =
            value.len() - value.trim_start_matches(['>', '=', '≥', ' ']).len() + stripped.start;
        let quantity_text = &value[offset..];
        let (ok, expected) = match quantity {
            Quantity::Percent => (
                leading_percent(quantity_text).is_some(),
                "a percentage, e.g. 1% or 0.5 %",
            ),
            Quantity::Duration => (
                leading_duration(quantity_text).is_some(),
                "a duration, e.g. 500ms or 2s",
            ),
        };
        if !ok {
            ctx.report(
                Code::InvalidThreshold,
                field.value.clone(),
                format!("the `{}` threshold is not {expected}", spec.key),
            );
        }
    }
}
