//! `duplicate-section`: a section appears twice.

use super::{Code, Ctx, DefaultSeverity, Fixes, Rule, Severity, line_number};
use crate::schema;

pub static RULE: Rule = Rule {
    code: Code::DuplicateSection,
    summary: "a section appears more than once",
    default: DefaultSeverity::Fixed(Severity::Warning),
    doc: include_str!("../../docs/rules/duplicate-section.md"),
    fixes: Fixes::None,
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    let plan = ctx.plan;
    for (spec, _) in schema::walk_sections(&plan.kind) {
        let mut found = plan.sections_of(spec);
        let Some((_, first)) = found.next() else {
            continue;
        };
        for (_, again) in found {
            let first_line = line_number(ctx.text, first.line.start);
            ctx.report(
                Code::DuplicateSection,
                again.line.clone(),
                format!(
                    "duplicate section `{}`: it already appears on line {first_line}",
                    spec.name
                ),
            );
        }
    }
}
