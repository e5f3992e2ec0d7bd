//! What a finding is, below every layer that makes or reads one: the rule
//! codes users write in configuration and suppression comments, severities
//! and configured levels, and findings before and after their severity is
//! decided.

use std::fmt;
use std::ops::Range;

use serde::Serialize;

use crate::fix::Fix;

macro_rules! codes {
    ($($variant:ident => $name:literal,)*) => {
        /// A rule's stable code, as users write it in configuration and
        /// suppression comments.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }
        }
    };
}

codes! {
    MissingSection => "missing-section",
    MissingField => "missing-field",
    Placeholder => "placeholder",
    InvalidValue => "invalid-value",
    NonCanonicalValue => "non-canonical-value",
    UnknownField => "unknown-field",
    DuplicateSection => "duplicate-section",
    HeadingLevel => "heading-level",
    InvalidUrl => "invalid-url",
    InvalidDate => "invalid-date",
    InvalidDuration => "invalid-duration",
    InvalidThreshold => "invalid-threshold",
    EmptyProcedure => "empty-procedure",
    MissingChecklistItem => "missing-checklist-item",
    UncheckedItem => "unchecked-item",
    MissingDecisionValidation => "missing-decision-validation",
    EnvMismatch => "env-mismatch",
    HighRiskProceed => "high-risk-proceed",
    MisalignedBox => "misaligned-box",
    MissingMitigations => "missing-mitigations",
    PlaintextSecret => "plaintext-secret",
    InvalidSuppression => "invalid-suppression",
    DocumentTooLarge => "document-too-large",
    InvalidConfig => "invalid-config",
    OtherStructure => "other-structure",
    InvalidTemplate => "invalid-template",
}

impl Code {
    /// Every code, as a list for messages: `missing-section, …`.
    pub fn known() -> String {
        let all: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        all.join(", ")
    }

    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == s.trim())
    }

    /// Where the rule's documentation lives, for `codeDescription`.
    pub fn doc_url(self) -> String {
        format!(
            "{}/blob/main/docs/rules/{}.md",
            env!("CARGO_PKG_REPOSITORY"),
            self.as_str()
        )
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A configured rule level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

impl Level {
    /// Every spelling a level may be configured with (any case).
    pub const SPELLINGS: &'static [(&'static str, Level)] = &[
        ("off", Level::Off),
        ("none", Level::Off),
        ("ignore", Level::Off),
        ("hint", Level::On(Severity::Hint)),
        ("info", Level::On(Severity::Info)),
        ("information", Level::On(Severity::Info)),
        ("warning", Level::On(Severity::Warning)),
        ("warn", Level::On(Severity::Warning)),
        ("error", Level::On(Severity::Error)),
    ];

    pub fn parse(s: &str) -> Option<Level> {
        let s = s.trim().to_ascii_lowercase();
        Level::SPELLINGS
            .iter()
            .find(|(name, _)| *name == s)
            .map(|&(_, level)| level)
    }
}

/// A finding before its severity is decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    pub range: Range<usize>,
    pub message: String,
    pub fixes: Vec<Fix>,
}

/// A finding with its severity: what the CLI prints and the server shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub range: Range<usize>,
    pub message: String,
    pub fixes: Vec<Fix>,
}
