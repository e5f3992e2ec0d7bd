//! `missing-section`: a template section is absent.

use super::{Code, Ctx, DefaultSeverity, Fixes, Rule};
use crate::edits;
use crate::fix::Fix;
use crate::schema::{self, Presence};

pub static RULE: Rule = Rule {
    code: Code::MissingSection,
    summary: "a section of the template is absent",
    default: DefaultSeverity::ByEnv,
    doc: include_str!("../../docs/rules/missing-section.md"),
    fixes: Fixes::Unsafe,
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    let plan = ctx.plan;
    for (spec, parent) in schema::walk_sections(&plan.kind) {
        if spec.presence != Presence::Required || plan.first_of(spec).is_some() {
            continue;
        }
        // A missing parent is reported once, not once per child.
        let parent_section = match parent {
            Some(p) => match plan.first_of(p) {
                Some(s) => Some(s),
                None => continue,
            },
            None => plan.title(),
        };
        let range = parent_section.map_or_else(
            || crate::text::line_content_range(ctx.text, 0),
            |s| s.line.clone(),
        );
        let heading = schema::template::heading(spec, &plan.kind, None);
        let heading = heading.split(':').next().unwrap_or(&heading);
        let place = match parent {
            Some(p) => format!(" under `{} {}`", "#".repeat(p.level as usize), p.name),
            None => String::new(),
        };
        let edit = edits::insert_section(plan, ctx.text, spec, parent);
        ctx.report(
            Code::MissingSection,
            range,
            format!("missing section `{heading}`{place}"),
        )
        .fixes
        .push(Fix::unsafe_(format!("Insert `{heading}`"), vec![edit]).preferred());
    }
}
