//! `invalid-date`: a date or date-time field is not a real date.

use super::{Code, Ctx, DefaultSeverity, Fixes, Rule, Severity};
use crate::schema::ValueKind;
use crate::schema::values::{is_iso_date, is_rfc3339};

pub static RULE: Rule = Rule {
    code: Code::InvalidDate,
    summary: "a date is not a real YYYY-MM-DD date, or a date-time is not RFC 3339",
    default: DefaultSeverity::Fixed(Severity::Error),
    doc: include_str!("../../docs/rules/invalid-date.md"),
    fixes: Fixes::None,
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    for field in ctx.filled_fields() {
        let Some(spec) = field
            .spec
            .as_ref()
            .filter(|s| matches!(s.value, ValueKind::Date | ValueKind::DateTime))
        else {
            continue;
        };
        let core = field.core(ctx.text);
        let written = ctx.text(core.clone());
        let message = match spec.value {
            ValueKind::Date if !is_iso_date(written) => {
                format!(
                    "`{}` is not a real date: expected YYYY-MM-DD, e.g. 2026-11-26",
                    spec.key
                )
            }
            ValueKind::DateTime if !is_rfc3339(written) => format!(
                "`{}` is not an RFC 3339 date-time: expected e.g. 2026-11-26T09:30:00Z",
                spec.key
            ),
            _ => continue,
        };
        ctx.report(Code::InvalidDate, core, message);
    }
}
