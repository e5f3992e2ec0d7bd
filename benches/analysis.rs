//! Parse + analyse cost of the engine, against comrak's parse alone on the
//! same text. Run: `cargo bench --bench analysis`.

mod support;

use divan::Bencher;
use plan_lsp::analysis::Analyzer;
use plan_lsp::config::Config;

fn main() {
    divan::main();
}

const LINES: &[usize] = &[150, 2_000, 20_000];

/// comrak's parse of the whole document: the baseline.
#[divan::bench(args = LINES)]
fn comrak_parse(bencher: Bencher, lines: usize) {
    let text = support::plan(lines);
    let mut options = comrak::Options::default();
    options.extension.tasklist = true;
    bencher.bench(|| {
        let arena = comrak::Arena::new();
        let root = comrak::parse_document(&arena, divan::black_box(&text), &options);
        divan::black_box(root.children().count())
    });
}

/// A full analysis from scratch (the CLI's case): outline, comrak per
/// chunk, resolution and every rule.
#[divan::bench(args = LINES)]
fn analyse_cold(bencher: Bencher, lines: usize) {
    let text = support::plan(lines);
    let config = Config::default();
    bencher.bench(|| {
        let analysis = Analyzer::default().analyze(divan::black_box(&text), None, &config);
        divan::black_box(analysis.diagnostics.len())
    });
}

/// Re-analysis after typing one character mid-document (the editor's case):
/// only the touched chunk is parsed again.
#[divan::bench(args = LINES)]
fn analyse_after_keystroke(bencher: Bencher, lines: usize) {
    let text = support::plan(lines);
    let config = Config::default();
    let mut analyzer = Analyzer::default();
    analyzer.analyze(&text, None, &config);
    let at = text[text.len() / 2..]
        .find("- Region: ")
        .map(|i| text.len() / 2 + i + "- Region: ".len())
        .unwrap();
    let mut flip = false;
    bencher.bench_local(|| {
        flip = !flip;
        let mut edited = text.clone();
        edited.insert(at, if flip { 'x' } else { 'y' });
        let analysis = analyzer.analyze(divan::black_box(&edited), None, &config);
        divan::black_box(analysis.diagnostics.len())
    });
}
