//! `missing-field`: a field of a present section is absent or empty.

use super::{Code, Ctx, DefaultSeverity, Fixes, Rule};
use crate::edits;
use crate::fix::Fix;
use crate::model::RecordForm;
use crate::schema::Body;

pub static RULE: Rule = Rule {
    code: Code::MissingField,
    summary: "a field of a present section is absent or has no value",
    default: DefaultSeverity::ByEnv,
    doc: include_str!("../../docs/rules/missing-field.md"),
    fixes: Fixes::Unsafe,
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    let plan = ctx.plan;
    for (index, section) in plan.sections.iter().enumerate() {
        let Some(spec) = &section.spec else { continue };
        if let Some(field_spec) = &spec.heading_value
            && section.field.as_ref().is_none_or(|f| f.value.is_empty())
        {
            let written = ctx.text(section.name.clone());
            ctx.report(
                Code::MissingField,
                section.line.clone(),
                format!(
                    "`{written}` has no value: write it as `{} {}: {}`",
                    "#".repeat(spec.level as usize),
                    spec.name,
                    field_spec.placeholder("/")
                ),
            );
            continue;
        }
        if !matches!(spec.body, Body::Fields { .. }) {
            continue;
        }
        let present: Vec<_> = section
            .entries
            .iter()
            .filter_map(|e| e.field.as_ref())
            .collect();
        for field in spec.fields().iter().filter(|f| f.required) {
            if !present
                .iter()
                .any(|p| p.spec.as_ref().is_some_and(|s| s.is(field)))
            {
                let edit = edits::insert_field(plan, ctx.text, index, field, None);
                ctx.report(
                    Code::MissingField,
                    section.line.clone(),
                    format!(
                        "missing field `{}` in `{}`",
                        field.key,
                        heading_of(ctx, index)
                    ),
                )
                .fixes
                .push(Fix::unsafe_(format!("Insert `{}`", field.key), vec![edit]).preferred());
            }
        }
        for p in present {
            if p.spec.as_ref().is_some_and(|s| s.required) && p.is_empty() {
                ctx.report(
                    Code::MissingField,
                    p.key.clone(),
                    format!("field `{}` has no value", ctx.key_name(p)),
                );
            }
        }
    }
    let Some(record) = plan.record.as_ref() else {
        return;
    };
    let heading_line = plan.sections[record.section].line.clone();
    let has_content = !record.fields.is_empty() || record.form == RecordForm::Box;
    for field in ctx.plan.kind.record_spec().fields().filter(|f| f.required) {
        if record
            .fields
            .iter()
            .any(|p| p.spec.as_ref().is_some_and(|s| s.is(field)))
        {
            continue;
        }
        let fixes = has_content
            .then(|| edits::insert_record_field(plan, ctx.text, field, None))
            .flatten()
            .map(|edit| Fix::unsafe_(format!("Insert `{}`", field.key), vec![edit]).preferred())
            .into_iter()
            .collect();
        ctx.report(
            Code::MissingField,
            heading_line.clone(),
            format!(
                "missing field `{}` in the {} record",
                field.key,
                plan.kind.record_name()
            ),
        )
        .fixes = fixes;
    }
    for p in &record.fields {
        if p.spec.as_ref().is_some_and(|s| s.required) && p.is_empty() {
            let name = ctx.key_name(p);
            ctx.report(
                Code::MissingField,
                p.key.clone(),
                format!("field `{name}` has no value"),
            );
        }
    }
}

/// `### Hosting`, as written.
pub(super) fn heading_of(ctx: &Ctx<'_>, section: usize) -> String {
    let s = &ctx.plan.sections[section];
    ctx.text(s.line.clone()).trim().to_string()
}
