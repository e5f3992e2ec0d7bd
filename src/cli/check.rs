//! `plan-lsp check`.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::files::Candidate;
use super::output::{self, FileReport};
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, Format, files, parallel};
use crate::analysis::Analyzer;
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
    let check = |analyzer: &mut Analyzer, candidate: &Candidate| {
        let text = files::read(&candidate.path).map_err(|m| (candidate.path.clone(), m))?;
        let path = absolute(&candidate.path);
        let related = workspace::related_for(&path, config, workspace::read_disk);
        let analysis = analyzer.analyze(&text, Some(&path), config, &related);
        // Files found in a directory that are not plans are skipped
        // silently (unless asked why); named ones are explained.
        let reported = analysis.targeting.kind.is_some() || explain || candidate.explicit;
        Ok(reported.then(|| FileReport::new(candidate.path.clone(), &text, &analysis, explain)))
    };
    let mut stdout = std::io::stdout().lock();
    parallel::in_order(
        &candidates,
        Analyzer::for_many_documents,
        check,
        |checked| match checked {
            Ok(Some(report)) => {
                if let Some(lines) = output::render_file(format, &report) {
                    // a closed pipe (`| head`) ends the output, not the check
                    let _ = stdout.write_all(lines.as_bytes());
                }
                reports.push(report);
            }
            Ok(None) => {}
            Err(error) => errors.push(error),
        },
    );
    let _ = write!(
        stdout,
        "{}",
        output::render(format, &reports, &errors, explain)
    );
    let _ = stdout.flush();
    if format == Format::Text {
        eprintln!("{}", output::summary_line(&reports, &errors));
    }
    let worst = reports
        .iter()
        .flat_map(|r| r.diagnostics.iter())
        .map(|f| f.severity)
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
