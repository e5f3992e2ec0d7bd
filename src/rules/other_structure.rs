//! `other-structure`: a document declared by its H1 alone whose `##`
//! sections are none of its kind's follows some other structure (SPEC §10).
//! It gets this one finding instead of one per missing section.

use super::{Code, DefaultSeverity, Finding, Fixes, Rule, Severity};
use crate::model::Plan;

pub static RULE: Rule = Rule {
    code: Code::OtherStructure,
    summary: "a document with the kind's title follows another structure; its sections are not checked",
    default: DefaultSeverity::Fixed(Severity::Info),
    doc: include_str!("../../docs/rules/other-structure.md"),
    fixes: Fixes::None,
    check: None,
};

/// Codes still reported on such a document: what is wrong whatever its
/// structure.
pub const STILL_REPORTED: [Code; 2] = [Code::PlaintextSecret, Code::InvalidSuppression];

/// The finding, when the plan follows another structure: declared by its
/// title only, with at least two `##` sections and none of them a `##`
/// section of its kind.
pub fn finding(text: &str, plan: &Plan) -> Option<Finding> {
    if !plan.by_title {
        return None;
    }
    let h2s: Vec<_> = plan.sections.iter().filter(|s| s.level == 2).collect();
    let of_the_kind = h2s
        .iter()
        .any(|s| s.spec.as_ref().is_some_and(|x| x.level == 2));
    if h2s.len() < 2 || of_the_kind {
        return None;
    }
    let h1 = plan.title()?;
    let kind = &plan.kind;
    let spec = &plan.kind;
    let expected: Vec<&str> = spec
        .sections
        .iter()
        .filter(|s| s.level == 2)
        .map(|s| s.name.as_str())
        .take(4)
        .collect();
    let title = plan.redacted(text, h1.name.clone());
    Some(Finding {
        code: Code::OtherStructure,
        range: h1.line.clone(),
        message: format!(
            "`# {title}` makes this a {kind} document, but none of its {} `##` sections is one of the {kind} template's ({}, …), so its sections are not checked; add `plan: {kind}` front matter to check it as a {kind} document, or configure its own template as a kind (`[[kinds]]` in .plan-lsp.toml)",
            h2s.len(),
            expected.join(", ")
        ),
        fixes: Vec::new(),
    })
}
