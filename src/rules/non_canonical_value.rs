//! `non-canonical-value`: an alias or another casing of an enum value.

use super::{Code, Ctx, DefaultSeverity, Fixes, Rule, Severity};
use crate::edits;
use crate::fix::Fix;
use crate::schema::values::{self, EnumMatch};

pub static RULE: Rule = Rule {
    code: Code::NonCanonicalValue,
    summary: "a value is an alias or another spelling of a known value",
    default: DefaultSeverity::Fixed(Severity::Hint),
    doc: include_str!("../../docs/rules/non-canonical-value.md"),
    fixes: Fixes::Safe,
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    let plan = ctx.plan;
    for field in plan.fields() {
        let Some(spec) = field.spec.as_ref().and_then(|s| s.enum_spec()) else {
            continue;
        };
        let raw = ctx.text(field.value.clone());
        let Some(EnumMatch::NonCanonical(canonical)) =
            values::match_enum(spec, raw, ctx.config.extra_values(&spec.id))
        else {
            continue;
        };
        let core = field.core(ctx.text);
        let written = ctx.text(core.clone());
        let edit = edits::replace_in_field(plan, ctx.text, field, core.clone(), canonical);
        ctx.report(
            Code::NonCanonicalValue,
            core,
            format!("`{written}` is written `{canonical}`"),
        )
        .fixes
        .push(Fix::safe(format!("Replace with {canonical}"), vec![edit]).preferred());
    }
}
