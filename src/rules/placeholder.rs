//! `placeholder`: a template placeholder is still in a value.

use super::{Code, Ctx, DefaultSeverity, Fixes, Rule};
use crate::edits;
use crate::fix::Fix;
use crate::model::Entry;
use crate::schema::values;

pub static RULE: Rule = Rule {
    code: Code::Placeholder,
    summary: "a template placeholder such as `[url]` is still in the plan",
    default: DefaultSeverity::ByEnv,
    doc: include_str!("../../docs/rules/placeholder.md"),
    fixes: Fixes::Unsafe,
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    let plan = ctx.plan;
    let labels = &plan.link_labels;
    for field in plan.fields() {
        let value = ctx.text(field.value.clone());
        for p in values::placeholders(value, labels) {
            let range = field.value.start + p.start..field.value.start + p.end;
            let placeholder = ctx.text(range.clone());
            let key = ctx.key_name(field);
            let mut fixes = Vec::new();
            if let Some(spec) = &field.spec.as_ref().and_then(|s| s.enum_spec()) {
                let extra = ctx.config.extra_values(&spec.id);
                let names = spec
                    .values
                    .iter()
                    .map(|v| v.name.as_str())
                    .chain(extra.iter().map(String::as_str));
                for name in names {
                    let edit = edits::replace_in_field(plan, ctx.text, field, range.clone(), name);
                    fixes.push(Fix::unsafe_(format!("Set {key} to {name}"), vec![edit]));
                }
            }
            ctx.report(
                Code::Placeholder,
                range,
                format!("template placeholder `{placeholder}` in `{key}`: replace it with the real value"),
            )
            .fixes = fixes;
        }
    }
    // Items that are not fields: free-text triggers, procedure steps, checklist items.
    for (index, section) in plan.sections.iter().enumerate() {
        if section.spec.is_none() {
            continue;
        }
        let mut items: Vec<&Entry> = Vec::new();
        collect_non_fields(&section.entries, &mut items);
        for entry in items {
            let content = ctx.text(entry.content.clone());
            for p in values::placeholders(content, labels) {
                let range = entry.content.start + p.start..entry.content.start + p.end;
                let heading = super::missing_field::heading_of(ctx, index);
                ctx.report(
                    Code::Placeholder,
                    range.clone(),
                    format!(
                        "template placeholder `{}` in `{heading}`: replace it with the real text",
                        ctx.text(range)
                    ),
                );
            }
        }
    }
}

fn collect_non_fields<'p>(entries: &'p [Entry], out: &mut Vec<&'p Entry>) {
    for e in entries {
        if e.field.is_none() {
            out.push(e);
            collect_non_fields(&e.children, out);
        }
    }
}
