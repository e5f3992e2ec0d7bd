//! The formats of `check`: text, JSON (LSP ranges), SARIF 2.1.0 and GitHub
//! workflow commands.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::Format;
use super::files::display;
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::RULES;
use crate::text::{Document, Encoding, PositionRange};

/// One checked file and its analysis.
pub struct FileReport {
    pub path: PathBuf,
    pub document: Document,
    pub analysis: Analysis,
}

impl FileReport {
    pub fn new(path: PathBuf, text: String, analysis: Analysis) -> FileReport {
        FileReport {
            path,
            document: Document::new(&text),
            analysis,
        }
    }

    fn range(&self, d: &Diagnostic, encoding: Encoding) -> PositionRange {
        self.document.range_to_positions(d.range.clone(), encoding)
    }
}

pub fn render(
    format: Format,
    reports: &[FileReport],
    errors: &[(PathBuf, String)],
    explain: bool,
) -> String {
    match format {
        Format::Text => text(reports, errors, explain),
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&json(reports, errors, explain)).unwrap_or_default()
        ),
        Format::Sarif => format!(
            "{}\n",
            serde_json::to_string_pretty(&sarif(reports, errors)).unwrap_or_default()
        ),
        Format::Github => github(reports, errors),
    }
}

fn text(reports: &[FileReport], errors: &[(PathBuf, String)], explain: bool) -> String {
    let mut out = String::new();
    for r in reports {
        let path = display(&r.path);
        if explain {
            out.push_str(&format!("{path}: {}\n", r.analysis.targeting.sentence()));
        }
        for d in &r.analysis.diagnostics {
            let start = r.range(d, Encoding::Utf32).start;
            out.push_str(&format!(
                "{path}:{}:{}: {}[{}] {}\n",
                start.line + 1,
                start.character + 1,
                d.severity,
                d.code,
                d.message
            ));
        }
    }
    for (path, message) in errors {
        out.push_str(&format!("{}: error: {message}\n", display(path)));
    }
    out
}

pub fn summary_line(reports: &[FileReport], errors: &[(PathBuf, String)]) -> String {
    let count = |s: Severity| {
        reports
            .iter()
            .flat_map(|r| r.analysis.diagnostics.iter())
            .filter(|d| d.severity == s)
            .count()
    };
    let plans = reports
        .iter()
        .filter(|r| r.analysis.targeting.kind.is_some())
        .count();
    let mut line = format!(
        "{} error(s), {} warning(s), {} info, {} hint(s) in {plans} plan(s)",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
        count(Severity::Hint)
    );
    if !errors.is_empty() {
        line.push_str(&format!("; {} file(s) could not be checked", errors.len()));
    }
    line
}

fn lsp_range(r: PositionRange) -> Value {
    json!({
        "start": {"line": r.start.line, "character": r.start.character},
        "end": {"line": r.end.line, "character": r.end.character},
    })
}

fn json(reports: &[FileReport], errors: &[(PathBuf, String)], explain: bool) -> Value {
    let files: Vec<Value> = reports
        .iter()
        .map(|r| {
            let diagnostics: Vec<Value> = r
                .analysis
                .diagnostics
                .iter()
                .map(|d| {
                    json!({
                        "code": d.code,
                        "severity": d.severity,
                        "message": d.message,
                        "range": lsp_range(r.range(d, Encoding::Utf16)),
                    })
                })
                .collect();
            let mut file = json!({
                "path": display(&r.path),
                "kind": r.analysis.targeting.kind.map(|k| k.as_str()),
                "env": r.analysis.env().map(|e| e.as_str()),
                "diagnostics": diagnostics,
            });
            if explain {
                file["reason"] = json!(r.analysis.targeting.sentence());
            }
            file
        })
        .collect();
    let count = |s: Severity| {
        reports
            .iter()
            .flat_map(|r| r.analysis.diagnostics.iter())
            .filter(|d| d.severity == s)
            .count()
    };
    json!({
        "files": files,
        "errors": errors.iter().map(|(p, m)| json!({"path": display(p), "message": m})).collect::<Vec<_>>(),
        "summary": {
            "files": reports.len(),
            "plans": reports.iter().filter(|r| r.analysis.targeting.kind.is_some()).count(),
            "errors": count(Severity::Error),
            "warnings": count(Severity::Warning),
            "infos": count(Severity::Info),
            "hints": count(Severity::Hint),
            "unreadable": errors.len(),
        },
    })
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

/// A relative URI reference for a path (forward slashes, percent-encoded).
fn uri_of(path: &std::path::Path) -> String {
    let s = display(path).replace('\\', "/");
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn sarif(reports: &[FileReport], errors: &[(PathBuf, String)]) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code.as_str(),
                "shortDescription": {"text": r.summary},
                "helpUri": r.code.doc_url(),
                "help": {"text": r.summary, "markdown": r.doc},
                "defaultConfiguration": {"level": sarif_level(r.default.at(crate::schema::Env::Production).unwrap_or(Severity::Warning))},
            })
        })
        .collect();
    let mut results = Vec::new();
    for r in reports {
        for d in &r.analysis.diagnostics {
            let range = r.range(d, Encoding::Utf16);
            let rule_index = RULES.iter().position(|x| x.code == d.code).unwrap_or(0);
            results.push(json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": rule_index,
                "level": sarif_level(d.severity),
                "message": {"text": d.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri_of(&r.path), "uriBaseId": "%SRCROOT%"},
                        "region": {
                            "startLine": range.start.line + 1,
                            "startColumn": range.start.character + 1,
                            "endLine": range.end.line + 1,
                            "endColumn": range.end.character + 1,
                        }
                    }
                }],
            }));
        }
    }
    let notifications: Vec<Value> = errors
        .iter()
        .map(|(p, m)| {
            json!({
                "level": "error",
                "message": {"text": format!("{}: {m}", display(p))},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri_of(p), "uriBaseId": "%SRCROOT%"}}}],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "plan-lsp",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    })
}

/// GitHub workflow commands: `::error file=…,line=…::message`.
fn github(reports: &[FileReport], errors: &[(PathBuf, String)]) -> String {
    fn escape_data(s: &str) -> String {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    }
    fn escape_property(s: &str) -> String {
        escape_data(s).replace(':', "%3A").replace(',', "%2C")
    }
    let mut out = String::new();
    for r in reports {
        for d in &r.analysis.diagnostics {
            let range = r.range(d, Encoding::Utf32);
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info | Severity::Hint => "notice",
            };
            out.push_str(&format!(
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                escape_property(&display(&r.path)),
                range.start.line + 1,
                range.start.character + 1,
                range.end.line + 1,
                range.end.character + 1,
                escape_property(&format!("plan-lsp {}", d.code)),
                escape_data(&d.message)
            ));
        }
    }
    for (path, message) in errors {
        out.push_str(&format!(
            "::error file={}::{}\n",
            escape_property(&display(path)),
            escape_data(message)
        ));
    }
    out
}
