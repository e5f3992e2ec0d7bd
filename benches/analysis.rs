//! Parse + analyse cost of the engine, against comrak's parse alone on the
//! same text. Run: `cargo bench --bench analysis`.

mod support;

use divan::Bencher;
use plan_lsp::analysis::Analyzer;
use plan_lsp::config::Config;
use plan_lsp::layout::Related;

fn main() {
    divan::main();
}

/// The plan sizes: `PLAN_LINES=150,2000` measures only those.
fn lines() -> Vec<usize> {
    std::env::var("PLAN_LINES")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| support::SIZES.iter().map(|(_, n)| *n).collect())
}

/// comrak's parse of the whole document: the baseline.
#[divan::bench(args = lines())]
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

/// comrak's parse of the same text cut into the engine's chunks (one parse
/// per heading): what the engine's first analysis pays for parsing.
#[divan::bench(args = lines())]
fn comrak_parse_chunked(bencher: Bencher, lines: usize) {
    let text = support::plan(lines);
    let outline = plan_lsp::model::outline::scan(&text);
    let mut options = comrak::Options::default();
    options.extension.tasklist = true;
    bencher.bench(|| {
        let mut nodes = 0;
        for chunk in &outline.chunks {
            let arena = comrak::Arena::new();
            let root = comrak::parse_document(
                &arena,
                divan::black_box(&text[chunk.range.clone()]),
                &options,
            );
            nodes += root.children().count();
        }
        divan::black_box(nodes)
    });
}

/// A full analysis from scratch (the CLI's case): outline, comrak per
/// chunk, resolution and every rule.
#[divan::bench(args = lines())]
fn analyse_cold(bencher: Bencher, lines: usize) {
    let text = support::plan(lines);
    let config = Config::default();
    bencher.bench(|| {
        let analysis = Analyzer::default().analyze(
            divan::black_box(&text),
            None,
            &config,
            &Related::default(),
        );
        divan::black_box(analysis.diagnostics.len())
    });
}

/// Re-analysis after typing one character mid-document (the editor's case):
/// only the touched chunk is parsed again.
#[divan::bench(args = lines())]
fn analyse_after_keystroke(bencher: Bencher, lines: usize) {
    let text = support::plan(lines);
    let config = Config::default();
    let mut analyzer = Analyzer::default();
    analyzer.analyze(&text, None, &config, &Related::default());
    let at = text[text.len() / 2..]
        .find("- Region: ")
        .map(|i| text.len() / 2 + i + "- Region: ".len())
        .unwrap();
    let mut flip = false;
    bencher.bench_local(|| {
        flip = !flip;
        let mut edited = text.clone();
        edited.insert(at, if flip { 'x' } else { 'y' });
        let analysis = analyzer.analyze(
            divan::black_box(&edited),
            None,
            &config,
            &Related::default(),
        );
        divan::black_box(analysis.diagnostics.len())
    });
}
