//! `unchecked-item`: an unchecked item in a checklist production requires done.

use super::{Code, Ctx, DefaultSeverity, Fixes, Rule, Severity};
use crate::fix::{Edit, Fix};
use crate::schema::Body;

pub static RULE: Rule = Rule {
    code: Code::UncheckedItem,
    summary: "a Pre-Deployment or Exit Criteria item is unchecked in a production plan",
    default: DefaultSeverity::ProductionOnly(Severity::Warning),
    doc: include_str!("../../docs/rules/unchecked-item.md"),
    fixes: Fixes::Unsafe,
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    for section in &ctx.plan.sections {
        let Some(spec) = &section.spec else { continue };
        let Body::Checklist {
            checked_for_production: true,
            ..
        } = &spec.body
        else {
            continue;
        };
        for entry in &section.entries {
            let Some((false, box_range)) = entry.task.clone() else {
                continue;
            };
            let item = ctx.text(entry.content.clone());
            ctx.report(
                Code::UncheckedItem,
                entry.marker.start..entry.line.end,
                format!(
                    "unchecked {} item `{item}`: {} requires it done",
                    spec.name,
                    crate::schema::Env::Production
                ),
            )
            .fixes
            .push(
                Fix::unsafe_(
                    format!("Check `{item}`"),
                    vec![Edit::replace(box_range, "[x]")],
                )
                .preferred(),
            );
        }
    }
}
