//! `unknown-field`: a `Key:` that is not in the section's schema.

use super::{Code, Ctx, DefaultSeverity, Fixes, Rule, Severity};
use crate::edits;
use crate::fix::Fix;
use crate::model::Field;
use crate::schema::Body;

pub static RULE: Rule = Rule {
    code: Code::UnknownField,
    summary: "a field that the section does not have",
    default: DefaultSeverity::Fixed(Severity::Warning),
    doc: include_str!("../../docs/rules/unknown-field.md"),
    fixes: Fixes::Unsafe,
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    let plan = ctx.plan;
    for (index, section) in plan.sections.iter().enumerate() {
        let Some(spec) = &section.spec else { continue };
        let Body::Fields {
            fields,
            open: false,
        } = &spec.body
        else {
            continue;
        };
        let known: Vec<&str> = fields.iter().map(|f| f.key.as_str()).collect();
        let place = super::missing_field::heading_of(ctx, index);
        for field in section.entries.iter().filter_map(|e| e.field.as_ref()) {
            if let Some(home) = &field.home {
                let key = ctx.key_name(field);
                ctx.report(
                    Code::UnknownField,
                    field.key.clone(),
                    format!(
                        "`{key}` is not a field of `{place}`; it belongs in `{} {}`",
                        "#".repeat(home.level as usize),
                        home.name
                    ),
                );
            } else if field.spec.is_none() {
                report(ctx, field, &known, &place);
            }
        }
    }
    if let Some(record) = plan.record.as_ref() {
        let known: Vec<&str> = ctx
            .plan
            .kind
            .record_spec()
            .fields()
            .map(|f| f.key.as_str())
            .collect();
        for field in record.fields.iter().filter(|f| f.spec.is_none()) {
            let place = format!("the {} record", plan.kind.record_name());
            report(ctx, field, &known, &place);
        }
    }
}

fn report(ctx: &mut Ctx<'_>, field: &Field, known: &[&str], place: &str) {
    let written = ctx.text(field.key.clone());
    let closest = crate::schema::values::closest(written, known, 0.6);
    let mut message = format!("unknown field `{written}` in `{place}`");
    let mut fixes = Vec::new();
    if let Some(k) = closest {
        message.push_str(&format!("; did you mean `{k}`?"));
        let edit = edits::replace_in_field(ctx.plan, ctx.text, field, field.key.clone(), k);
        fixes.push(Fix::unsafe_(format!("Rename to {k}"), vec![edit]).preferred());
    } else {
        message.push_str(&format!("; known fields: {}", known.join(", ")));
    }
    ctx.report(Code::UnknownField, field.key.clone(), message)
        .fixes = fixes;
}
