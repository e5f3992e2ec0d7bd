//! `invalid-value`: a closed-enum field has a value outside its set.

use super::{Code, Ctx, DefaultSeverity, Fixes, Rule, Severity};
use crate::edits;
use crate::fix::Fix;
use crate::schema::values;

pub static RULE: Rule = Rule {
    code: Code::InvalidValue,
    summary: "a field with a fixed set of values has a value outside it",
    default: DefaultSeverity::Fixed(Severity::Error),
    doc: include_str!("../../docs/rules/invalid-value.md"),
    fixes: Fixes::Unsafe,
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    let plan = ctx.plan;
    for field in plan.fields() {
        let Some(spec) = field
            .spec
            .as_ref()
            .and_then(|s| s.enum_spec())
            .filter(|e| e.closed)
        else {
            continue;
        };
        let raw = ctx.text(field.value.clone());
        if raw.is_empty() || !values::placeholders(raw, &plan.link_labels).is_empty() {
            continue; // reported by missing-field / placeholder
        }
        let extra = ctx.config.extra_values(&spec.id);
        if values::match_enum(spec, raw, extra).is_some() {
            continue;
        }
        let core = field.core(ctx.text);
        let written = ctx.text(core.clone());
        let key = ctx.key_name(field);
        let allowed: Vec<&str> = spec
            .values
            .iter()
            .map(|v| v.name.as_str())
            .chain(extra.iter().map(String::as_str))
            .collect();
        let mut fixes = Vec::new();
        if let Some(best) = values::closest(written, &allowed, 0.5) {
            let edit = edits::replace_in_field(plan, ctx.text, field, core.clone(), best);
            fixes.push(Fix::unsafe_(format!("Did you mean {best}?"), vec![edit]).preferred());
        }
        for name in &allowed {
            let edit = edits::replace_in_field(plan, ctx.text, field, core.clone(), name);
            fixes.push(Fix::unsafe_(format!("Set {key} to {name}"), vec![edit]));
        }
        ctx.report(
            Code::InvalidValue,
            core,
            format!(
                "`{written}` is not a valid {key}: expected {}",
                allowed.join(", ")
            ),
        )
        .fixes = fixes;
    }
}
