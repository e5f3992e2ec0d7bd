//! `missing-checklist-item`: a standard checklist item is absent.

use super::{Code, Ctx, DefaultSeverity, Fixes, Rule, Severity};
use crate::edits;
use crate::fix::Fix;
use crate::schema::{Body, Env};

pub static RULE: Rule = Rule {
    code: Code::MissingChecklistItem,
    summary: "a standard checklist item is absent",
    default: DefaultSeverity::Fixed(Severity::Warning),
    doc: include_str!("../../docs/rules/missing-checklist-item.md"),
    fixes: Fixes::SafeOutsideProduction,
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    let plan = ctx.plan;
    for (index, section) in plan.sections.iter().enumerate() {
        let Some(spec) = &section.spec else { continue };
        let Body::Checklist {
            items,
            checked_for_production,
        } = &spec.body
        else {
            continue;
        };
        let heading = super::missing_field::heading_of(ctx, index);
        for item in items {
            let present = section.entries.iter().any(|e| {
                e.task.is_some()
                    && crate::model::checklist_matches(ctx.text, e.content.clone(), item)
            });
            if present {
                continue;
            }
            let edit = edits::insert_checklist_item(plan, ctx.text, index, item);
            // An inserted unchecked item would itself be reported in
            // production, so the insertion is only safe elsewhere.
            let fix = if *checked_for_production && plan.env == Env::Production {
                Fix::unsafe_(format!("Insert `- [ ] {}`", item.text), vec![edit])
            } else {
                Fix::safe(format!("Insert `- [ ] {}`", item.text), vec![edit])
            };
            ctx.report(
                Code::MissingChecklistItem,
                section.line.clone(),
                format!("missing checklist item `{}` in `{heading}`", item.text),
            )
            .fixes
            .push(fix.preferred());
        }
    }
}
