//! `plan-lsp fmt`: aligns the Decision Validation box and normalises
//! checklist boxes, in place (atomic write), or with `--check` only says
//! which files would change.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::files::Candidate;
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, files, parallel};
use crate::analysis::Analyzer;
use crate::config::Config;
use crate::fix::{Fix, apply};
use crate::ide::format::format;
use crate::layout::Related;

/// What formatting one file came to.
enum Outcome {
    Unchanged,
    /// Formatted, or would be with `--check`.
    Changed(String),
    Failed(PathBuf, String),
}

pub fn run(paths: &[PathBuf], check: bool, config: &Config) -> u8 {
    let (candidates, mut errors) = files::collect(paths);
    let mut would_change = 0;
    let mut stdout = std::io::stdout().lock();
    let format_one = |analyzer: &mut Analyzer, candidate: &Candidate| {
        format_file(analyzer, &candidate.path, check, config)
    };
    parallel::in_order(
        &candidates,
        Analyzer::for_many_documents,
        format_one,
        |outcome| match outcome {
            Outcome::Unchanged => {}
            Outcome::Changed(said) => {
                would_change += 1;
                let _ = stdout.write_all(said.as_bytes());
            }
            Outcome::Failed(path, message) => errors.push((path, message)),
        },
    );
    let _ = stdout.flush();
    for (path, message) in &errors {
        eprintln!("{}: error: {message}", files::display(path));
    }
    if !errors.is_empty() {
        EXIT_ERROR
    } else if check && would_change > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

fn format_file(analyzer: &mut Analyzer, path: &Path, check: bool, config: &Config) -> Outcome {
    let name = files::display(path);
    let text = match files::read(path) {
        Ok(t) => t,
        Err(message) => return Outcome::Failed(path.to_path_buf(), message),
    };
    let absolute = super::check::absolute(path);
    let a = analyzer.analyze(&text, Some(&absolute), config, &Related::default());
    let Some(plan) = a.plan.as_ref() else {
        return Outcome::Unchanged;
    };
    let edits = format(&text, plan);
    if edits.is_empty() {
        return Outcome::Unchanged;
    }
    let (formatted, _) = apply(&text, [&Fix::safe("format", edits)]);
    if check {
        Outcome::Changed(format!("{name}: would be reformatted\n"))
    } else if let Err(message) = files::write_atomic(path, &formatted, files::Before::Read(&text)) {
        Outcome::Failed(path.to_path_buf(), message)
    } else {
        Outcome::Changed(format!("{name}: formatted\n"))
    }
}
