//! The formats of `check`: text, JSON (LSP ranges), SARIF 2.1.0 and GitHub
//! workflow commands.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::Format;
use super::files::display;
use crate::analysis::Analysis;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::rules::RULES;
use crate::schema::{DocKind, Env};
use crate::text::{Document, Encoding, PositionRange};

/// One checked file: what `check` reports about it. Only this is kept
/// once a file is analysed (not its text or its analysis), so checking many
/// files holds little more than their findings.
pub struct FileReport {
    pub path: PathBuf,
    pub kind: Option<DocKind>,
    pub env: Option<Env>,
    /// Why it is or is not a plan, when asked (`--explain`).
    pub reason: Option<String>,
    pub diagnostics: Vec<PlacedDiagnostic>,
}

/// A diagnostic with its range in the units each format uses.
pub struct PlacedDiagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// UTF-16 code units (JSON, SARIF).
    pub utf16: PositionRange,
    /// Characters (text, GitHub).
    pub utf32: PositionRange,
}

impl FileReport {
    pub fn new(path: PathBuf, text: &str, analysis: &Analysis, explain: bool) -> FileReport {
        let lines = (!analysis.diagnostics.is_empty()).then(|| Document::new(text));
        let diagnostics = lines.map_or_else(Vec::new, |document| {
            let range =
                |d: &Diagnostic, encoding| document.range_to_positions(d.range.clone(), encoding);
            analysis
                .diagnostics
                .iter()
                .map(|d| PlacedDiagnostic {
                    code: d.code,
                    severity: d.severity,
                    message: d.message.clone(),
                    utf16: range(d, Encoding::Utf16),
                    utf32: range(d, Encoding::Utf32),
                })
                .collect()
        });
        FileReport {
            path,
            kind: analysis.targeting.kind.clone(),
            env: analysis.env(),
            reason: explain.then(|| analysis.targeting.sentence()),
            diagnostics,
        }
    }

    pub fn is_plan(&self) -> bool {
        self.kind.is_some()
    }
}

/// What is printed for one file as soon as it is checked, in the formats
/// that are a list of lines (text, GitHub); `None` for the formats that are
/// one document (JSON, SARIF), which `render` prints whole at the end.
pub fn render_file(format: Format, report: &FileReport) -> Option<String> {
    match format {
        Format::Text => Some(text(report)),
        Format::Github => Some(github(report)),
        Format::Json | Format::Sarif => None,
    }
}

/// What is printed once every file is checked: the whole document for JSON
/// and SARIF, the files that could not be checked for the line formats.
pub fn render(
    format: Format,
    reports: &[FileReport],
    errors: &[(PathBuf, String)],
    explain: bool,
) -> String {
    match format {
        Format::Text => errors
            .iter()
            .map(|(path, message)| format!("{}: error: {message}\n", display(path)))
            .collect(),
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&json(reports, errors, explain)).unwrap_or_default()
        ),
        Format::Sarif => format!(
            "{}\n",
            serde_json::to_string_pretty(&sarif(reports, errors)).unwrap_or_default()
        ),
        Format::Github => github_errors(errors),
    }
}

fn text(r: &FileReport) -> String {
    let mut out = String::new();
    let path = display(&r.path);
    if let Some(reason) = &r.reason {
        out.push_str(&format!("{path}: {reason}\n"));
    }
    for f in &r.diagnostics {
        let start = f.utf32.start;
        out.push_str(&format!(
            "{path}:{}:{}: {}[{}] {}\n",
            start.line + 1,
            start.character + 1,
            f.severity,
            f.code,
            f.message
        ));
    }
    out
}

/// How many findings of a severity the reports hold.
fn count(reports: &[FileReport], s: Severity) -> usize {
    reports
        .iter()
        .flat_map(|r| r.diagnostics.iter())
        .filter(|f| f.severity == s)
        .count()
}

pub fn summary_line(reports: &[FileReport], errors: &[(PathBuf, String)]) -> String {
    let plans = reports.iter().filter(|r| r.is_plan()).count();
    let mut line = format!(
        "{} error(s), {} warning(s), {} info, {} hint(s) in {plans} plan(s)",
        count(reports, Severity::Error),
        count(reports, Severity::Warning),
        count(reports, Severity::Info),
        count(reports, Severity::Hint)
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
                .diagnostics
                .iter()
                .map(|f| {
                    json!({
                        "code": f.code,
                        "severity": f.severity,
                        "message": f.message,
                        "range": lsp_range(f.utf16),
                    })
                })
                .collect();
            let mut file = json!({
                "path": display(&r.path),
                "kind": r.kind.as_ref().map(|k| k.as_str()),
                "env": r.env.map(|e| e.as_str()),
                "diagnostics": diagnostics,
            });
            if explain {
                file["reason"] = json!(r.reason);
            }
            file
        })
        .collect();
    let count = |s| count(reports, s);
    json!({
        "files": files,
        "errors": errors.iter().map(|(p, m)| json!({"path": display(p), "message": m})).collect::<Vec<_>>(),
        "summary": {
            "files": reports.len(),
            "plans": reports.iter().filter(|r| r.is_plan()).count(),
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
        for f in &r.diagnostics {
            let range = f.utf16;
            let rule_index = RULES.iter().position(|x| x.code == f.code).unwrap_or(0);
            results.push(json!({
                "ruleId": f.code.as_str(),
                "ruleIndex": rule_index,
                "level": sarif_level(f.severity),
                "message": {"text": f.message},
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

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub workflow commands: `::error file=…,line=…::message`.
fn github(r: &FileReport) -> String {
    let mut out = String::new();
    for f in &r.diagnostics {
        let range = f.utf32;
        let command = match f.severity {
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
            escape_property(&format!("plan-lsp {}", f.code)),
            escape_data(&f.message)
        ));
    }
    out
}

fn github_errors(errors: &[(PathBuf, String)]) -> String {
    errors
        .iter()
        .map(|(path, message)| {
            format!(
                "::error file={}::{}\n",
                escape_property(&display(path)),
                escape_data(message)
            )
        })
        .collect()
}
