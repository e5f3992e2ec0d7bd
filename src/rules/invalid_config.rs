//! `invalid-config`: `.plan-lsp.toml` that plan-lsp cannot read, reported
//! on the file itself when it is open in the editor (the analysis entry
//! point reads it; the CLI refuses it with exit 2).

use super::{Code, DefaultSeverity, Fixes, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::InvalidConfig,
    summary: "the configuration file cannot be read; the defaults stay in force",
    default: DefaultSeverity::Fixed(Severity::Error),
    doc: include_str!("../../docs/rules/invalid-config.md"),
    fixes: Fixes::None,
    check: None,
};
