//! `document-too-large`: a plan past the configured size, which is not
//! analysed (the analysis entry point reports it instead of stalling the
//! editor).

use super::{Code, DefaultSeverity, Fixes, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DocumentTooLarge,
    summary: "the document is larger than the configured limit and was not analysed",
    default: DefaultSeverity::Fixed(Severity::Warning),
    doc: include_str!("../../docs/rules/document-too-large.md"),
    fixes: Fixes::None,
    check: None,
};
