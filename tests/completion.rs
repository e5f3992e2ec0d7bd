//! Completion accepted the way an editor accepts it, over stdio with the
//! real binary: the item's text replaces its range (which must end at the
//! cursor), and the item's command finishes the line through
//! `workspace/applyEdit`. Each test runs for a client with snippets (VS
//! Code, Neovim 0.11) and one without (Neovim 0.7).

mod common;

use std::process::Command;

use common::{Caps, Client, binary, position_of};
use serde_json::{Value, json};

const PLAN_URI: &str = "file:///tmp/plan-lsp-completion/docs/deployment.md";

fn client(snippets: bool) -> Client {
    Client::start(Caps {
        snippets,
        ..Caps::default()
    })
}

fn cli(args: &[&str]) -> String {
    let out = Command::new(binary())
        .args(args)
        .output()
        .expect("plan-lsp runs");
    assert!(out.status.success(), "plan-lsp {args:?} failed");
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The line holding `needle`.
fn line_with<'a>(text: &'a str, needle: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("a line with {needle:?} in\n{text}"))
}

/// What the user typed before the cursor, as the item's range covers it.
fn typed<'a>(text: &'a str, item: &Value) -> &'a str {
    let r = &item["textEdit"]["range"];
    let start = common::offset(text, &r["start"], "utf-16");
    let end = common::offset(text, &r["end"], "utf-16");
    &text[start..end]
}

/// What every item must be: a snippet for a client that takes them, else
/// single-line literal text (Neovim 0.7 inserts a newline as a NUL).
fn check_items(items: &[Value], snippets: bool) {
    for item in items {
        let new_text = item["textEdit"]["newText"].as_str().unwrap_or_default();
        if snippets {
            assert_eq!(item["insertTextFormat"], 2, "{item}");
        } else {
            assert_eq!(item["insertTextFormat"], 1, "{item}");
            assert!(!new_text.contains('\n'), "a multi-line plain item: {item}");
            // Neovim 0.7 ignores the range of an item with a filter text
            assert!(item.get("filterText").is_none(), "{item}");
        }
    }
}

/// The item the user picks: it must survive the client's filtering of what
/// is typed (its range starts where the typed word starts): its filter text
/// starts with it, and a plain item's text does too (Neovim 0.7 filters on
/// the text).
fn pick<'a>(text: &str, items: &'a [Value], label: &str) -> &'a Value {
    let item = items
        .iter()
        .find(|i| i["label"] == label)
        .unwrap_or_else(|| panic!("no item {label:?} among {items:?}"));
    let typed = typed(text, item).to_lowercase();
    if item["insertTextFormat"] == 2 {
        let filter = item["filterText"]
            .as_str()
            .or(item["label"].as_str())
            .unwrap_or_default()
            .to_lowercase();
        assert!(
            filter.starts_with(typed.trim_start()),
            "filterText {filter:?} does not match the typed {typed:?}: {item}"
        );
    } else {
        let new_text = item["textEdit"]["newText"].as_str().unwrap_or_default();
        assert!(
            new_text.to_lowercase().starts_with(&typed),
            "{new_text:?} does not start with the typed {typed:?}"
        );
    }
    item
}

/// Opens `text`, completes at `cursor` and accepts the item `label` as an
/// editor with (or without) snippets does: the text that results.
fn complete_and_accept(snippets: bool, text: &str, cursor: &Value, label: &str) -> String {
    let mut c = client(snippets);
    c.open(PLAN_URI, text);
    let items = c.completions(PLAN_URI, cursor);
    check_items(&items, snippets);
    c.accept(PLAN_URI, text, 1, cursor, pick(text, &items, label))
        .0
}

#[test]
fn the_whole_template_in_an_empty_plan_file() {
    for snippets in [true, false] {
        let mut c = client(snippets);
        c.open(PLAN_URI, "");
        let cursor = json!({"line": 0, "character": 0});
        let items = c.completions(PLAN_URI, &cursor);
        check_items(&items, snippets);
        let labels: Vec<&str> = items.iter().filter_map(|i| i["label"].as_str()).collect();
        if snippets {
            // a deployment.md is offered the plan, not the status document
            assert_eq!(
                labels,
                ["Deployment Plan (staging)", "Deployment Plan (production)"]
            );
            for (label, args) in [
                (
                    "Deployment Plan (staging)",
                    &["new", "deployment", "--env", "staging"][..],
                ),
                (
                    "Deployment Plan (production)",
                    &["new", "deployment", "--env", "production"],
                ),
            ] {
                let mut c = client(true);
                c.open(PLAN_URI, "");
                let items = c.completions(PLAN_URI, &cursor);
                let (text, _) = c.accept(PLAN_URI, "", 1, &cursor, pick("", &items, label));
                assert_eq!(text, cli(args), "{label}");
            }
        } else {
            assert_eq!(labels, ["# Deployment Plan"]);
            let (text, _) = c.accept(
                PLAN_URI,
                "",
                1,
                &cursor,
                pick("", &items, "# Deployment Plan"),
            );
            assert_eq!(text, "# Deployment Plan");
        }
    }
}

#[test]
fn box_values_keep_the_right_border_in_its_column() {
    let template = cli(&["new", "deployment", "--env", "production"]);
    let width = |l: &str| unicode_width(l);
    let border = width(line_with(&template, "Risk: [Low|Medium|High]"));
    for snippets in [true, false] {
        // 1. the placeholder still there, the cursor right after `Risk: `
        let mut c = client(snippets);
        c.open(PLAN_URI, &template);
        let cursor = position_of(&template, "Risk: [", "Risk: ".len(), "utf-16");
        let items = c.completions(PLAN_URI, &cursor);
        check_items(&items, snippets);
        let (text, version) = c.accept(
            PLAN_URI,
            &template,
            1,
            &cursor,
            pick(&template, &items, "High"),
        );
        let line = line_with(&text, "Risk:");
        assert!(line.starts_with("│   Risk: High "), "{line:?}");
        assert_eq!(width(line), border, "{line:?}");

        // 2. a longer value, typed in part: `Proceed w` then completed
        let at = text.find("Recommendation: [").unwrap() + "Recommendation: ".len();
        let placeholder = "[Proceed|Proceed with Caution]";
        let typed_text = format!("{}{}", &text[..at], &text[at + placeholder.len()..]);
        let typed_text = typed_text.replacen("Recommendation: ", "Recommendation: Proceed w", 1);
        let version = version + 1;
        c.change(PLAN_URI, version, json!([{"text": typed_text}]));
        let cursor = position_of(&typed_text, "Proceed w", "Proceed w".len(), "utf-16");
        let items = c.completions(PLAN_URI, &cursor);
        check_items(&items, snippets);
        let (text, _) = c.accept(
            PLAN_URI,
            &typed_text,
            version,
            &cursor,
            pick(&typed_text, &items, "Proceed with Caution"),
        );
        let line = line_with(&text, "Recommendation:");
        assert!(
            line.starts_with("│ Recommendation: Proceed with Caution "),
            "{line:?}"
        );
        assert_eq!(width(line), border, "{line:?}");

        // 3. the placeholder deleted, `Hig` typed, then completed
        let mut c = client(snippets);
        let text = template.replacen(
            "Data Classification: [PUBLIC|INTERNAL|CONFIDENTIAL]",
            "Data Classification: CON",
            1,
        );
        c.open(PLAN_URI, &text);
        let cursor = position_of(
            &text,
            "Classification: CON",
            "Classification: CON".len(),
            "utf-16",
        );
        let items = c.completions(PLAN_URI, &cursor);
        check_items(&items, snippets);
        let (done, _) = c.accept(
            PLAN_URI,
            &text,
            1,
            &cursor,
            pick(&text, &items, "CONFIDENTIAL"),
        );
        let line = line_with(&done, "Data Classification:");
        assert!(
            line.starts_with("│   Data Classification: CONFIDENTIAL "),
            "{line:?}"
        );
        assert_eq!(width(line), border, "{line:?}");
    }
}

fn unicode_width(s: &str) -> usize {
    // the box's characters are all one column wide
    s.chars().count()
}

#[test]
fn a_heading_field_value_after_the_separator() {
    for snippets in [true, false] {
        for (line, expected) in [
            ("## Environment: ", "## Environment: production"),
            ("## Environment:", "## Environment: production"),
            ("## Environment: pro", "## Environment: production"),
            (
                "## Environment: [staging/production]",
                "## Environment: production",
            ),
        ] {
            let text = format!("# Deployment Plan\n\n{line}\n## Date: 2026-11-26\n");
            let column = if line.contains('[') {
                "## Environment: ".len()
            } else {
                line.len()
            };
            let cursor = position_of(&text, line, column, "utf-16");
            let done = complete_and_accept(snippets, &text, &cursor, "production");
            assert_eq!(
                done,
                format!("# Deployment Plan\n\n{expected}\n## Date: 2026-11-26\n"),
                "completing {line:?}"
            );
        }
    }
}

#[test]
fn a_missing_section_after_hashes() {
    let text = "# Deployment Plan\n\n## Environment: staging\n## Date: 2026-11-26\n\n## \n## Deployment Checklist\n";
    let cursor = position_of(text, "## \n", 3, "utf-16");
    for snippets in [true, false] {
        let done = complete_and_accept(snippets, text, &cursor, "## Exit Criteria");
        let expected = if snippets {
            "# Deployment Plan\n\n## Environment: staging\n## Date: 2026-11-26\n\n## Exit Criteria\n- [ ] Deployment tested (staging)\n- [ ] Monitoring active\n- [ ] Rollback validated\n- [ ] Rollback strategy documented\n\n## Deployment Checklist\n"
        } else {
            "# Deployment Plan\n\n## Environment: staging\n## Date: 2026-11-26\n\n## Exit Criteria\n## Deployment Checklist\n"
        };
        assert_eq!(done, expected, "snippets: {snippets}");
    }
}

#[test]
fn a_checklist_item_after_a_bracket_closed_by_the_editor() {
    let text = "# Deployment Plan\n\n## Deployment Checklist\n\n### Post-Deployment\n- [ ] Health checks passing\n- []\n";
    let cursor = position_of(text, "- []", 3, "utf-16");
    for snippets in [true, false] {
        let done = complete_and_accept(snippets, text, &cursor, "Monitoring active");
        assert!(
            done.ends_with("- [ ] Health checks passing\n- [ ] Monitoring active\n"),
            "{done}"
        );
    }
}

#[test]
fn snippet_text_is_escaped() {
    // `$` and `}` in a value must reach the document as they are
    let config = json!({"values": {"provider": ["Cost$aver}"]}});
    let text = "# Deployment Plan\n\n## Infrastructure\n\n### Hosting\n- Provider: \n";
    let mut c = Client::start(Caps {
        init_options: config,
        ..Caps::default()
    });
    c.open(PLAN_URI, text);
    let cursor = position_of(text, "- Provider: ", "- Provider: ".len(), "utf-16");
    let items = c.completions(PLAN_URI, &cursor);
    let (done, _) = c.accept(PLAN_URI, text, 1, &cursor, pick(text, &items, "Cost$aver}"));
    assert!(done.ends_with("- Provider: Cost$aver}\n"), "{done}");
}
