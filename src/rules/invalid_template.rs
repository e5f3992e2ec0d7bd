//! `invalid-template`: a configured template that plan-lsp cannot read,
//! reported on the template itself when it is open in the editor (the
//! analysis entry point reads it; the CLI says the same and exits 2).

use super::{Code, DefaultSeverity, Fixes, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::InvalidTemplate,
    summary: "a configured template cannot be read; its kind is left out",
    default: DefaultSeverity::Fixed(Severity::Error),
    doc: include_str!("../../docs/rules/invalid-template.md"),
    fixes: Fixes::None,
    check: None,
};
