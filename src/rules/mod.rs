//! The diagnostic rules (SPEC §5): one file per rule, each with its doc in
//! `docs/rules/CODE.md` (what `explain` prints and `codeDescription` links
//! to). Rules read the resolved [`Plan`] and report findings with byte
//! ranges and fixes; severities are decided afterwards from the
//! environment and the configuration, and suppression comments filter last.

mod document_too_large;
mod duplicate_section;
mod empty_procedure;
mod env_mismatch;
mod heading_level;
mod high_risk_proceed;
mod invalid_config;
mod invalid_date;
mod invalid_duration;
mod invalid_template;
mod invalid_threshold;
mod invalid_url;
mod invalid_value;
mod misaligned_box;
mod missing_checklist_item;
mod missing_decision_validation;
mod missing_field;
mod missing_mitigations;
mod missing_section;
mod non_canonical_value;
mod other_structure;
mod placeholder;
mod plaintext_secret;
pub mod suppression;
mod unchecked_item;
mod unknown_field;

use std::ops::Range;

use crate::config::Config;
use crate::layout::Related;
use crate::model::{Field, Plan};
use crate::schema::Env;

pub use crate::diagnostic::{Code, Diagnostic, Finding, Level, Severity};

/// The rule of a code.
pub fn rule(code: Code) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.code == code)
        .expect("every code has a rule entry")
}

/// A rule's severity when the configuration does not set one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultSeverity {
    Fixed(Severity),
    /// Warning in staging, Error in production ("W/E").
    ByEnv,
    /// This severity in production; off in staging.
    ProductionOnly(Severity),
}

impl DefaultSeverity {
    pub fn at(self, env: Env) -> Option<Severity> {
        match (self, env) {
            (DefaultSeverity::Fixed(s), _) => Some(s),
            (DefaultSeverity::ByEnv, Env::Staging) => Some(Severity::Warning),
            (DefaultSeverity::ByEnv, Env::Production) => Some(Severity::Error),
            (DefaultSeverity::ProductionOnly(s), Env::Production) => Some(s),
            (DefaultSeverity::ProductionOnly(_), Env::Staging) => None,
        }
    }

    pub fn describe(self) -> String {
        match self {
            DefaultSeverity::Fixed(s) => s.to_string(),
            DefaultSeverity::ByEnv => format!(
                "{} in {}, {} in {}",
                Severity::Warning,
                Env::Staging,
                Severity::Error,
                Env::Production
            ),
            DefaultSeverity::ProductionOnly(s) => format!("{s} in {} only", Env::Production),
        }
    }
}

/// A rule: its code, default severity, documentation and check.
pub struct Rule {
    pub code: Code,
    pub summary: &'static str,
    pub default: DefaultSeverity,
    /// The rule's Markdown documentation (`docs/rules/CODE.md`).
    pub doc: &'static str,
    /// What fixes its findings carry (its doc's "Fix" section says the
    /// same; a test holds both to the findings).
    pub fixes: Fixes,
    /// `None` for findings produced outside the rule pass (suppression
    /// comments, the size limit).
    pub check: Option<fn(&mut Ctx<'_>)>,
}

/// What fixes a rule's findings carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fixes {
    /// No automatic fix.
    None,
    /// Quick fixes, none of them safe: a person chooses.
    Unsafe,
    /// A safe fix: `plan-lsp fix` and fix-all apply it.
    Safe,
    /// A fix that is safe outside production; in a production plan, where
    /// it can make another finding, it may only be offered.
    SafeOutsideProduction,
}

pub static RULES: &[&Rule] = &[
    &missing_section::RULE,
    &missing_field::RULE,
    &placeholder::RULE,
    &invalid_value::RULE,
    &non_canonical_value::RULE,
    &unknown_field::RULE,
    &duplicate_section::RULE,
    &heading_level::RULE,
    &invalid_url::RULE,
    &invalid_date::RULE,
    &invalid_duration::RULE,
    &invalid_threshold::RULE,
    &empty_procedure::RULE,
    &missing_checklist_item::RULE,
    &unchecked_item::RULE,
    &missing_decision_validation::RULE,
    &env_mismatch::RULE,
    &high_risk_proceed::RULE,
    &misaligned_box::RULE,
    &missing_mitigations::RULE,
    &plaintext_secret::RULE,
    &suppression::RULE,
    &document_too_large::RULE,
    &invalid_config::RULE,
    &other_structure::RULE,
    &invalid_template::RULE,
];

/// What a rule sees, and where it reports.
pub struct Ctx<'a> {
    pub text: &'a str,
    pub plan: &'a Plan,
    pub config: &'a Config,
    /// What other files say (cross-file rules).
    pub related: &'a Related,
    /// Fields with a value that is not a placeholder, found once.
    filled: Vec<&'a Field>,
    findings: Vec<Finding>,
}

impl<'a> Ctx<'a> {
    pub fn new(text: &'a str, plan: &'a Plan, config: &'a Config, related: &'a Related) -> Ctx<'a> {
        let filled = plan
            .fields()
            .filter(|f| {
                let v = &text[f.value.clone()];
                !v.is_empty()
                    && crate::schema::values::placeholders(v, &plan.link_labels).is_empty()
            })
            .collect();
        Ctx {
            text,
            plan,
            config,
            related,
            filled,
            findings: Vec::new(),
        }
    }

    pub fn text(&self, range: Range<usize>) -> &'a str {
        &self.text[range]
    }

    /// Reports a finding; add fixes to the returned value.
    pub fn report(
        &mut self,
        code: Code,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> &mut Finding {
        self.findings.push(Finding {
            code,
            range,
            message: message.into(),
            fixes: Vec::new(),
        });
        self.findings.last_mut().expect("just pushed")
    }

    /// The display name of a field's key as the schema spells it.
    pub fn key_name(&self, field: &'a Field) -> &'a str {
        field
            .spec
            .as_deref()
            .map_or_else(|| self.text(field.key.clone()), |s| s.key.as_str())
    }

    /// The box line a field is on, when the field is inside the Decision
    /// Validation box (edits there must keep the border aligned).
    pub fn box_line_of(&self, field: &Field) -> Option<Range<usize>> {
        let record = self.plan.record.as_ref()?;
        let block = record.box_range.as_ref()?;
        (block.start <= field.line.start && field.line.end <= block.end).then(|| field.line.clone())
    }

    /// Fields with a value to check against their type: not empty and not
    /// a template placeholder (those have their own rules).
    pub fn filled_fields(&self) -> impl Iterator<Item = &'a Field> + use<'a> {
        self.filled.clone().into_iter()
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}

/// Runs every rule over a plan and returns its diagnostics, suppressed and
/// with severities decided, in document order.
pub fn check(text: &str, plan: &Plan, config: &Config, related: &Related) -> Vec<Diagnostic> {
    let mut ctx = Ctx::new(text, plan, config, related);
    for rule in RULES {
        if let Some(check) = rule.check {
            check(&mut ctx);
        }
    }
    let mut findings = ctx.into_findings();
    if let Some(other) = other_structure::finding(text, plan) {
        findings.retain(|f| other_structure::STILL_REPORTED.contains(&f.code));
        findings.push(other);
    }
    let findings = suppression::apply(text, plan, findings);
    finish(
        never_repeating_secrets(text, plan, findings),
        plan.env,
        config,
    )
}

/// Findings whose messages and fix titles quote the document never repeat
/// a secret the scanner found in it: each is masked.
fn never_repeating_secrets(text: &str, plan: &Plan, mut findings: Vec<Finding>) -> Vec<Finding> {
    if plan.secrets().next().is_none() {
        return findings;
    }
    for finding in &mut findings {
        finding.message = plan.mask_secrets(text, &finding.message);
        for fix in &mut finding.fixes {
            fix.title = plan.mask_secrets(text, &fix.title);
        }
    }
    findings
}

/// Decides severities (configuration first, then the rule's default for the
/// environment), drops rules that are off, and sorts by position.
pub fn finish(findings: Vec<Finding>, env: Env, config: &Config) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = findings
        .into_iter()
        .filter_map(|f| {
            let severity = match config.rule_level(f.code) {
                Some(Level::Off) => return None,
                Some(Level::On(s)) => s,
                None => rule(f.code).default.at(env)?,
            };
            Some(Diagnostic {
                code: f.code,
                severity,
                range: f.range,
                message: f.message,
                fixes: f.fixes,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
    });
    out.dedup_by(|a, b| a.code == b.code && a.range == b.range && a.message == b.message);
    out
}

/// The 1-based line number of a byte offset, for messages.
pub fn line_number(text: &str, offset: usize) -> usize {
    crate::text::line_index(text, offset) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_one_rule_with_a_doc() {
        for code in Code::ALL {
            let n = RULES.iter().filter(|r| r.code == *code).count();
            assert_eq!(n, 1, "{code}");
            let doc = rule(*code).doc;
            assert!(doc.starts_with(&format!("# {code}")), "{code} doc title");
            assert!(doc.contains("## Example"), "{code} doc example");
        }
    }
}
