//! `plan-lsp fmt`: aligns the Decision Validation box and normalises
//! checklist boxes, in place (atomic write), or with `--check` only says
//! which files would change.

use std::path::PathBuf;

use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, files};
use crate::analysis;
use crate::config::Config;
use crate::fix::{Fix, apply};
use crate::ide::format::format;

pub fn run(paths: &[PathBuf], check: bool, config: &Config) -> u8 {
    let (candidates, mut errors) = files::collect(paths);
    let mut would_change = 0;
    for candidate in candidates {
        let name = files::display(&candidate.path);
        let text = match files::read(&candidate.path) {
            Ok(t) => t,
            Err(message) => {
                errors.push((candidate.path, message));
                continue;
            }
        };
        let a = analysis::analyze(
            &text,
            Some(&super::check::absolute(&candidate.path)),
            config,
        );
        let Some(plan) = a.plan.as_ref() else {
            continue;
        };
        let edits = format(&text, plan);
        if edits.is_empty() {
            continue;
        }
        let (formatted, _) = apply(&text, [&Fix::safe("format", edits)]);
        would_change += 1;
        if check {
            println!("{name}: would be reformatted");
        } else if let Err(message) =
            files::write_atomic(&candidate.path, &formatted, files::Before::Read(&text))
        {
            errors.push((candidate.path, message));
        } else {
            println!("{name}: formatted");
        }
    }
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
