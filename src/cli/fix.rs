//! `plan-lsp fix`: applies safe fixes until none is left, then writes the
//! file atomically (or prints a diff with `--dry-run`).

use std::path::PathBuf;

use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, files};
use crate::analysis::Analyzer;
use crate::config::Config;
use crate::diagnostic::Severity;

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
        let first = analyzer.analyze(&original, Some(&absolute), config, &related);
        if first.targeting.kind.is_none() {
            continue;
        }
        let fixed = analyzer.fix_all(&original, &first, Some(&absolute), config, &related);
        let text = fixed.text;
        let analysis = fixed.analysis.as_ref().unwrap_or(&first);
        let mut applied: Vec<String> = fixed.codes.iter().map(|c| c.to_string()).collect();
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
            let diff = diff
                .unified_diff()
                .context_radius(2)
                .header(&name, &name)
                .to_string();
            // the diff quotes the document: never its secrets
            let diff = match first.plan.as_ref() {
                Some(plan) => plan.mask_secrets(&original, &diff),
                None => diff,
            };
            print!("{diff}");
        } else if let Err(message) =
            files::write_atomic(&path, &text, files::Before::Read(&original))
        {
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
