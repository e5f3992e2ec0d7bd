//! `invalid-duration`: an interval or retention field is not a duration.

use super::{Code, Ctx, DefaultSeverity, Fixes, Rule, Severity};
use crate::schema::ValueKind;
use crate::schema::values::is_duration;

pub static RULE: Rule = Rule {
    code: Code::InvalidDuration,
    summary: "an interval or retention period is not a duration",
    default: DefaultSeverity::Fixed(Severity::Error),
    doc: include_str!("../../docs/rules/invalid-duration.md"),
    fixes: Fixes::None,
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    for field in ctx.filled_fields() {
        let Some(spec) = field
            .spec
            .as_ref()
            .filter(|s| matches!(s.value, ValueKind::Duration))
        else {
            continue;
        };
        let core = field.core(ctx.text);
        if !is_duration(ctx.text(core.clone())) {
            ctx.report(
                Code::InvalidDuration,
                core,
                format!(
                    "`{}` is not a duration: expected a number and a unit, e.g. 30s, every 5 minutes, 90 days",
                    spec.key
                ),
            );
        }
    }
}
