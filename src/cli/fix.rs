//! `plan-lsp fix`: applies safe fixes until none is left, then writes the
//! file atomically (or prints a diff with `--dry-run`).

use std::io::Write;
use std::path::{Path, PathBuf};

use super::files::Candidate;
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, files, parallel};
use crate::analysis::Analyzer;
use crate::config::Config;
use crate::diagnostic::Severity;

/// What fixing one file came to.
#[derive(Default)]
struct Outcome {
    /// What to print for it.
    said: String,
    error: Option<(PathBuf, String)>,
    /// Error findings remain.
    errors_left: bool,
}

pub fn run(paths: &[PathBuf], dry_run: bool, config: &Config) -> u8 {
    let (candidates, mut errors) = files::collect(paths);
    let mut errors_left = false;
    let mut stdout = std::io::stdout().lock();
    let fix = |analyzer: &mut Analyzer, candidate: &Candidate| {
        fix_file(analyzer, &candidate.path, dry_run, config)
    };
    parallel::in_order(&candidates, Analyzer::for_many_documents, fix, |outcome| {
        let _ = stdout.write_all(outcome.said.as_bytes());
        errors.extend(outcome.error);
        errors_left |= outcome.errors_left;
    });
    let _ = stdout.flush();
    for (path, message) in &errors {
        eprintln!("{}: error: {message}", files::display(path));
    }
    if !errors.is_empty() {
        EXIT_ERROR
    } else if errors_left {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

fn fix_file(analyzer: &mut Analyzer, path: &Path, dry_run: bool, config: &Config) -> Outcome {
    let name = files::display(path);
    let failed = |message| Outcome {
        error: Some((path.to_path_buf(), message)),
        ..Outcome::default()
    };
    let original = match files::read(path) {
        Ok(t) => t,
        Err(message) => return failed(message),
    };
    let absolute = super::check::absolute(path);
    let related = crate::workspace::related_for(&absolute, config, crate::workspace::read_disk);
    let first = analyzer.analyze(&original, Some(&absolute), config, &related);
    if first.targeting.kind.is_none() {
        return Outcome::default();
    }
    let fixed = analyzer.fix_all(&original, &first, Some(&absolute), config, &related);
    let text = fixed.text;
    let analysis = fixed.analysis.as_ref().unwrap_or(&first);
    let mut applied: Vec<String> = fixed.codes.iter().map(|c| c.to_string()).collect();
    let remaining = analysis.diagnostics.len();
    let errors_left = analysis
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    let mut said = String::new();
    if text == original {
        if remaining > 0 {
            said = format!(
                "{name}: nothing to fix safely; {remaining} finding(s) remain (see `plan-lsp check`)\n"
            );
        }
        return Outcome {
            said,
            error: None,
            errors_left,
        };
    }
    if dry_run {
        let diff = similar::TextDiff::from_lines(&original, &text);
        let diff = diff
            .unified_diff()
            .context_radius(2)
            .header(&name, &name)
            .to_string();
        // the diff quotes the document: never its secrets
        said = match first.plan.as_ref() {
            Some(plan) => plan.mask_secrets(&original, &diff),
            None => diff,
        };
    } else if let Err(message) = files::write_atomic(path, &text, files::Before::Read(&original)) {
        return Outcome {
            errors_left,
            ..failed(message)
        };
    }
    let count = applied.len();
    applied.sort();
    applied.dedup();
    let verb = if dry_run { "would fix" } else { "fixed" };
    said.push_str(&format!(
        "{name}: {verb} {count} finding(s) ({}); {remaining} finding(s) remain\n",
        applied.join(", ")
    ));
    Outcome {
        said,
        error: None,
        errors_left,
    }
}
