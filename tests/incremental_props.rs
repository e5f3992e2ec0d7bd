//! After any sequence of edits, the analysis a document's analyzer gives
//! (reusing what it parsed for earlier versions) equals a fresh analysis of
//! the same text: the plan, the targeting and every diagnostic.

mod common;

use std::path::Path;

use plan_lsp::analysis::{Analysis, Analyzer};
use plan_lsp::config::Config;
use plan_lsp::layout::Related;
use proptest::prelude::*;

/// Text an edit inserts: the pieces plans are made of, so that edits make
/// and break headings, fields, checklists, fences and the record box.
fn piece() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "\n",
            "x",
            " ",
            "## ",
            "### ",
            "## Monitoring\n",
            "### Hosting\n",
            "- Provider: ",
            "AWS",
            "- [ ] ",
            "- [x] All tests pass\n",
            "```\n",
            "│ Risk: High │\n",
            "1. ",
            "Canary",
            "<!-- plan-lsp-disable-next-line invalid-value -->\n",
            "---\nplan: deployment\n---\n",
            "é🚀",
        ]),
        0..4,
    )
    .prop_map(|v| v.concat())
}

#[derive(Debug, Clone)]
struct Edit {
    /// Where, as fractions of the text's length (kept on char boundaries).
    at: f64,
    len: f64,
    text: String,
}

fn edit() -> impl Strategy<Value = Edit> {
    (0.0..1.0f64, 0.0..0.2f64, piece()).prop_map(|(at, len, text)| Edit { at, len, text })
}

fn boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &mut String, e: &Edit) {
    let start = boundary(text, (text.len() as f64 * e.at) as usize);
    let end = boundary(text, start + (text.len() as f64 * e.len) as usize).max(start);
    text.replace_range(start..end, &e.text);
}

/// What an analysis says, in full.
fn said(a: &Analysis) -> String {
    format!("{:?}\n{:?}\n{:#?}", a.targeting, a.diagnostics, a.plan)
}

fn starting_text() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "defects/docs/deployment.md",
        "production/docs/deployment.md",
        "staging/docs/deployment.md",
    ])
    .prop_map(|name| std::fs::read_to_string(common::example(name)).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn incremental_analysis_equals_a_fresh_one(
        start in starting_text(),
        edits in prop::collection::vec(edit(), 1..24),
    ) {
        let config = Config::default();
        let related = Related::default();
        let path = Path::new("/work/docs/deployment.md");
        let mut text = start;
        let mut analyzer = Analyzer::default();
        analyzer.analyze(&text, Some(path), &config, &related);
        for e in &edits {
            apply(&mut text, e);
            let incremental = analyzer.analyze(&text, Some(path), &config, &related);
            let fresh = Analyzer::default().analyze(&text, Some(path), &config, &related);
            prop_assert_eq!(said(&incremental), said(&fresh), "after {:?}", e);
        }
    }

    #[test]
    fn a_cache_across_documents_gives_each_its_own_analysis(
        texts in prop::collection::vec(
            (starting_text(), prop::collection::vec(edit(), 0..6)),
            2..8,
        ),
    ) {
        let config = Config::default();
        let related = Related::default();
        let path = Path::new("/work/docs/deployment.md");
        let mut shared = Analyzer::for_many_documents();
        for (start, edits) in &texts {
            let mut text = start.clone();
            edits.iter().for_each(|e| apply(&mut text, e));
            let reused = shared.analyze(&text, Some(path), &config, &related);
            let fresh = Analyzer::default().analyze(&text, Some(path), &config, &related);
            prop_assert_eq!(said(&reused), said(&fresh));
        }
    }
}
