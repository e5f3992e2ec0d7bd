//! `heading-level`: a known section at the wrong heading level.

use super::{Code, Ctx, DefaultSeverity, Fixes, Rule, Severity};
use crate::fix::{Edit, Fix};
use crate::model::Placement;

pub static RULE: Rule = Rule {
    code: Code::HeadingLevel,
    summary: "a known section is written at the wrong heading level",
    default: DefaultSeverity::Fixed(Severity::Warning),
    doc: include_str!("../../docs/rules/heading-level.md"),
    fixes: Fixes::Safe,
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    for section in &ctx.plan.sections {
        let Some(spec) = &section.spec else { continue };
        if section.placement != Placement::WrongLevel {
            continue;
        }
        let line = ctx.text(section.line.clone());
        let hashes_start = section.line.start + (line.len() - line.trim_start().len());
        let hashes = hashes_start..hashes_start + section.level as usize;
        let want = "#".repeat(spec.level as usize);
        let name = ctx.text(section.name.clone());
        ctx.report(
            Code::HeadingLevel,
            section.line.clone(),
            format!(
                "`{name}` is a level-{} heading here; the template has `{want} {}`",
                section.level, spec.name
            ),
        )
        .fixes
        .push(
            Fix::safe(
                format!("Change to `{want} {name}`"),
                vec![Edit::replace(hashes, want)],
            )
            .preferred(),
        );
    }
}
