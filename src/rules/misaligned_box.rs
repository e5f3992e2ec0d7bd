//! `misaligned-box`: a right border of the Decision Validation box out of
//! its column.

use super::{Code, Ctx, DefaultSeverity, Fixes, Rule, Severity};
use crate::edits;
use crate::fix::Fix;

pub static RULE: Rule = Rule {
    code: Code::MisalignedBox,
    summary: "a right border of the Decision Validation box is out of its column",
    default: DefaultSeverity::Fixed(Severity::Warning),
    doc: include_str!("../../docs/rules/misaligned-box.md"),
    fixes: Fixes::Safe,
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    let plan = ctx.plan;
    let Some(block) = plan.record.as_ref().and_then(|r| r.box_range.clone()) else {
        return;
    };
    let aligned = edits::align_box(ctx.text, block);
    let Some(first) = aligned.first() else {
        return;
    };
    let name = edits::record_section(plan).map_or("record", |s| s.name.as_str());
    let lines = aligned.len();
    ctx.report(
        Code::MisalignedBox,
        first.range.clone(),
        format!(
            "the right border of the {name} box is out of line ({lines} line{} to re-pad)",
            if lines == 1 { "" } else { "s" }
        ),
    )
    .fixes
    .push(Fix::safe(format!("Align the {name} box"), aligned).preferred());
}
