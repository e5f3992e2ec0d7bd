//! `plan-lsp fix`: applies safe fixes until none is left, then writes the
//! file atomically (or prints a diff with `--dry-run`).

use std::path::PathBuf;

use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, files};
use crate::analysis::Analyzer;
use crate::config::Config;
use crate::fix::{Applicability, Fix};
use crate::rules::{Diagnostic, Severity};

/// Rounds of fix-then-reanalyse before giving up (fixes can enable others).
const MAX_ROUNDS: usize = 10;

pub fn run(paths: &[PathBuf], dry_run: bool, config: &Config) -> u8 {
    let (candidates, mut errors) = files::collect(paths);
    let mut errors_left = false;
    for candidate in candidates {
        let path = candidate.path;
        let name = files::display(&path);
        let original = match files::read(&path) {
            Ok(t) => t,
            Err(message) => {
                errors.push((path, message));
                continue;
            }
        };
        let absolute = super::check::absolute(&path);
        let mut analyzer = Analyzer::default();
        let related = crate::workspace::related_for(&absolute, config, crate::workspace::read_disk);
        let mut text = original.clone();
        let mut applied: Vec<String> = Vec::new();
        let mut analysis = analyzer.analyze(&text, Some(&absolute), config, &related);
        if analysis.targeting.kind.is_none() {
            continue;
        }
        for _ in 0..MAX_ROUNDS {
            let safe: Vec<(&Diagnostic, &Fix)> = analysis
                .diagnostics
                .iter()
                .filter_map(|d| safe_fix(d).map(|f| (d, f)))
                .collect();
            if safe.is_empty() {
                break;
            }
            let (next, count) = crate::fix::apply(&text, safe.iter().map(|(_, f)| *f));
            if count == 0 || next == text {
                break;
            }
            applied.extend(safe.iter().take(count).map(|(d, _)| d.code.to_string()));
            text = next;
            analysis = analyzer.analyze(&text, Some(&absolute), config, &related);
        }
        let remaining = analysis.diagnostics.len();
        errors_left |= analysis
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error);
        if text == original {
            if remaining > 0 {
                println!(
                    "{name}: nothing to fix safely; {remaining} finding(s) remain (see `plan-lsp check`)"
                );
            }
            continue;
        }
        if dry_run {
            let diff = similar::TextDiff::from_lines(&original, &text);
            print!(
                "{}",
                diff.unified_diff().context_radius(2).header(&name, &name)
            );
        } else if let Err(message) = files::write_atomic(&path, &text) {
            errors.push((path, message));
            continue;
        }
        let count = applied.len();
        applied.sort();
        applied.dedup();
        let verb = if dry_run { "would fix" } else { "fixed" };
        println!(
            "{name}: {verb} {count} finding(s) ({}); {remaining} finding(s) remain",
            applied.join(", ")
        );
    }
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

/// The fix `fix` applies for a diagnostic: its preferred safe fix, else its
/// first safe one.
pub fn safe_fix(d: &Diagnostic) -> Option<&Fix> {
    let safe = || {
        d.fixes
            .iter()
            .filter(|f| f.applicability == Applicability::Safe)
    };
    safe().find(|f| f.preferred).or_else(|| safe().next())
}
