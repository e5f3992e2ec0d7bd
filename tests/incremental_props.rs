//! After any sequence of edits, the analysis a document's analyzer gives
//! (reusing what it parsed for earlier versions) equals a fresh analysis of
//! the same text: the plan, the targeting and every diagnostic.

mod common;

use std::ops::Range;
use std::path::Path;

use plan_lsp::analysis::{Analysis, Analyzer};
use plan_lsp::config::Config;
use plan_lsp::layout::Related;
use plan_lsp::model::{Context, Parser, outline};
use plan_lsp::text::Unchanged;
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
            "\r",
            "\r\n",
            "# ",
            "~~~\n",
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
    /// Typed over: the text replaces as many bytes as it has.
    overwrite: bool,
}

fn edit() -> impl Strategy<Value = Edit> {
    // the first sections (title, preamble) get their share of the edits
    let at = prop_oneof![0.0..0.05f64, 0.0..1.0f64];
    (at, 0.0..0.2f64, piece(), any::<bool>()).prop_map(|(at, len, text, overwrite)| Edit {
        at,
        len,
        text,
        overwrite,
    })
}

fn boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Applies the edit; returns the range it replaced.
fn apply(text: &mut String, e: &Edit) -> Range<usize> {
    let start = boundary(text, (text.len() as f64 * e.at) as usize);
    let len = match e.overwrite {
        true => e.text.len(),
        false => (text.len() as f64 * e.len) as usize,
    };
    let end = boundary(text, start + len).max(start);
    text.replace_range(start..end, &e.text);
    start..end
}

/// Where the documents of these tests are: a plan by its path.
const PLAN_PATH: &str = "/work/docs/deployment.md";

/// What `analyzer` says of `text` in full, told what is unchanged since its
/// last text when `unchanged` is given (as the server tells it).
fn analysed(analyzer: &mut Analyzer, text: &str, unchanged: Option<Unchanged>) -> String {
    let (config, related) = (Config::default(), Related::default());
    let path = Some(Path::new(PLAN_PATH));
    said(&analyzer.analyze_edited(text, unchanged, path, &config, &related))
}

/// What a fresh analyzer says of `text`.
fn fresh(text: &str) -> String {
    analysed(&mut Analyzer::default(), text, None)
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
        let mut text = start;
        let mut analyzer = Analyzer::default();
        analysed(&mut analyzer, &text, None);
        for e in &edits {
            let _ = apply(&mut text, e);
            prop_assert_eq!(analysed(&mut analyzer, &text, None), fresh(&text), "after {:?}", e);
        }
    }

    #[test]
    fn incremental_analysis_told_what_changed_equals_a_fresh_one(
        start in starting_text(),
        bursts in prop::collection::vec(prop::collection::vec(edit(), 1..4), 1..16),
    ) {
        // as the server does: the edits between two analyses, composed
        let mut text = start;
        let mut analyzer = Analyzer::default();
        analysed(&mut analyzer, &text, None);
        for burst in &bursts {
            let mut unchanged = Unchanged::all(text.len());
            for e in burst {
                let len_before = text.len();
                let replaced = apply(&mut text, e);
                unchanged = unchanged.then_replaced(replaced, len_before);
            }
            let told = analysed(&mut analyzer, &text, Some(unchanged));
            prop_assert_eq!(told, fresh(&text), "after {:?}", burst);
        }
    }

    #[test]
    fn the_outline_kept_up_to_date_equals_a_fresh_scan(
        start in starting_text(),
        edits in prop::collection::vec(edit(), 1..24),
    ) {
        let config = Config::default();
        let cx = Context { path: Some(Path::new(PLAN_PATH)), config: &config };
        let mut text = start;
        let mut parser = Parser::for_one_document();
        parser.parse(&text, &cx, None);
        for e in &edits {
            let _ = apply(&mut text, e);
            let kept = parser.parse(&text, &cx, None);
            let fresh = outline::scan(&text);
            prop_assert_eq!(&kept.outline.chunks, &fresh.chunks, "after {:?}", e);
            prop_assert_eq!(&kept.outline.front_matter, &fresh.front_matter);
            if let Some(plan) = &kept.plan {
                for c in plan.chunks.iter() {
                    prop_assert_eq!(&*c.chunk.text, &text[c.base..c.base + c.chunk.text.len()]);
                }
            }
        }
    }

    #[test]
    fn a_cache_across_documents_gives_each_its_own_analysis(
        texts in prop::collection::vec(
            (starting_text(), prop::collection::vec(edit(), 0..6)),
            2..8,
        ),
    ) {
        let mut shared = Analyzer::for_many_documents();
        for (start, edits) in &texts {
            let mut text = start.clone();
            for e in edits {
                let _ = apply(&mut text, e);
            }
            prop_assert_eq!(analysed(&mut shared, &text, None), fresh(&text));
        }
    }
}

/// Every one-character edit of a small plan, at every position (chunk
/// boundaries are where an incremental outline goes wrong), told what
/// changed and not told: the same outline and plan as a fresh parse.
#[test]
fn every_one_character_edit_reparses_as_a_fresh_parse() {
    let config = Config::default();
    let cx = Context {
        path: Some(Path::new(PLAN_PATH)),
        config: &config,
    };
    let start = "---\nplan: deployment\n---\n# Deployment Plan\n## Environment: staging\n\n## Infrastructure\n### Hosting\n- Provider: AWS\n```\n## not\n```\n### Notes\r\ntext\r## Rollback Plan\n";
    let plan_of = |parsed: &plan_lsp::model::Parsed| {
        format!("{:?}\n{:#?}", parsed.outline.chunks, parsed.plan)
    };
    let mut edits: Vec<(usize, usize, &str)> = Vec::new();
    for at in 0..=start.len() {
        for piece in [" ", "#", "\n", "\r", "`", "x"] {
            edits.push((at, at, piece));
            if at < start.len() {
                edits.push((at, at + 1, piece));
            }
        }
        if at < start.len() {
            edits.push((at, at + 1, ""));
        }
    }
    for (from, to, piece) in edits {
        let mut text = start.to_string();
        text.replace_range(from..to, piece);
        let fresh = Parser::for_one_document().parse(&text, &cx, None);
        for told in [false, true] {
            let mut parser = Parser::for_one_document();
            parser.parse(start, &cx, None);
            let unchanged =
                told.then(|| Unchanged::all(start.len()).then_replaced(from..to, start.len()));
            let kept = parser.parse(&text, &cx, unchanged);
            assert_eq!(
                plan_of(&kept),
                plan_of(&fresh),
                "{piece:?} over {from}..{to} (told: {told})"
            );
        }
    }
}
