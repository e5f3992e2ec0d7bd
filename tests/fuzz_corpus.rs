//! Replays the fuzzers' committed inputs on stable: every file of
//! `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/` goes through
//! the same `plan_lsp::fuzzing` function the fuzz target calls, so an input
//! that once passed and now panics fails `cargo test`. See fuzz/README.md.

use std::path::{Path, PathBuf};
use std::time::Instant;

/// The files of one folder under `fuzz/`, sorted by name.
fn inputs(folder: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(folder)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    files
}

static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs every input, each caught on its own, and names every one that
/// panics. `at_most` caps how many corpus files run (the first by name,
/// so the choice is the same every time); regressions always all run.
fn replay(target: &str, run: fn(&[u8]), at_most: usize) {
    let started = Instant::now();
    let corpus = inputs("corpus", target);
    let regressions = inputs("regressions", target);
    assert!(!corpus.is_empty(), "fuzz/corpus/{target}/ is empty");
    // one replay at a time: the lsp target counts panics on every thread
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut failed = Vec::new();
    let files = corpus
        .iter()
        .take(at_most)
        .chain(regressions.iter())
        // PLAN_LSP_FUZZ_ONLY=NAME replays only the files whose path holds NAME
        .filter(|f| {
            std::env::var("PLAN_LSP_FUZZ_ONLY")
                .map_or(true, |only| f.display().to_string().contains(&only))
        })
        .collect::<Vec<_>>();
    for file in &files {
        let data = std::fs::read(file).unwrap();
        if std::panic::catch_unwind(|| run(&data)).is_err() {
            failed.push(file.display().to_string());
        }
    }
    eprintln!(
        "{target}: replayed {} inputs in {:?}",
        files.len(),
        started.elapsed()
    );
    assert!(
        failed.is_empty(),
        "fuzz inputs of `{target}` that fail (replay one with \
         `cargo +nightly fuzz run {target} FILE` in fuzz/):\n{}",
        failed.join("\n")
    );
}

#[test]
fn analysis_corpus() {
    replay("analysis", plan_lsp::fuzzing::analysis, usize::MAX);
}

#[test]
fn edits_corpus() {
    replay("edits", plan_lsp::fuzzing::edits, usize::MAX);
}

#[test]
fn config_corpus() {
    replay("config", plan_lsp::fuzzing::config, usize::MAX);
}

#[test]
fn template_corpus() {
    replay("template", plan_lsp::fuzzing::template, usize::MAX);
}

/// Each LSP input starts a server: the replay takes the first 150 by name.
#[test]
fn lsp_corpus() {
    replay("lsp", plan_lsp::fuzzing::lsp, 150);
}
