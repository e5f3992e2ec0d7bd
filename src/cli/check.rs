//! `plan-lsp check`.

use std::path::{Path, PathBuf};

use super::output::{self, FileReport};
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, Format, files};
use crate::analysis;
use crate::config::Config;
use crate::diagnostic::Severity;
use crate::workspace;

pub fn run(
    paths: &[PathBuf],
    format: Format,
    deny_warnings: bool,
    explain: bool,
    config: &Config,
) -> u8 {
    let (candidates, mut errors) = files::collect(paths);
    let mut reports = Vec::new();
    for candidate in candidates {
        match files::read(&candidate.path) {
            Ok(text) => {
                let path = absolute(&candidate.path);
                let related = workspace::related_for(&path, config, workspace::read_disk);
                let analysis =
                    analysis::Analyzer::default().analyze(&text, Some(&path), config, &related);
                // Files found in a directory that are not plans are skipped
                // silently (unless asked why); named ones are explained.
                if analysis.targeting.kind.is_some() || explain || candidate.explicit {
                    reports.push(FileReport::new(candidate.path, text, analysis));
                }
            }
            Err(message) => errors.push((candidate.path, message)),
        }
    }
    print!("{}", output::render(format, &reports, &errors, explain));
    if format == Format::Text {
        eprintln!("{}", output::summary_line(&reports, &errors));
    }
    let worst = reports
        .iter()
        .flat_map(|r| r.analysis.diagnostics.iter())
        .map(|d| d.severity)
        .min();
    if !errors.is_empty() {
        EXIT_ERROR
    } else if worst == Some(Severity::Error) || (deny_warnings && worst == Some(Severity::Warning))
    {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// Include globs are matched against paths relative to the configuration's
/// directory, so the file's path is made absolute first.
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
