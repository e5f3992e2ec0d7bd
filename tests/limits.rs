//! Resource bounds through the real binary: many open documents, a change
//! far past `max_document_bytes`, and a storm of requests sent without
//! waiting. The server answers (or refuses with a finding), never dies,
//! and its memory stays within a stated bound. The figures measured here
//! are in docs/RELIABILITY.md; the bounds asserted are generous ceilings
//! against a leak, not targets.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::{Caps, Client, example};
use serde_json::{Value, json};

const MIB: u64 = 1024;

fn still_answers(c: &mut Client, uri: &str) {
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
    );
    assert!(r.get("error").is_none(), "{r}");
}

fn report(what: &str, c: &Client) -> u64 {
    let peak = c.peak_rss_kib().unwrap_or(0);
    eprintln!("{what}: peak RSS {:.1} MiB", peak as f64 / 1024.0);
    peak
}

/// Collects the version-1 diagnostics pushed for `file:///{folder}/…`
/// until `count` distinct documents have them (or a generous deadline:
/// a debug build analyses 10,000 plans in tens of seconds); returns how
/// many did. Fails if one document is published twice.
fn diagnosed(c: &mut Client, folder: &str, count: usize) -> usize {
    let prefix = format!("file:///{folder}/");
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    let mut seen = std::collections::HashSet::new();
    while seen.len() < count && std::time::Instant::now() < deadline {
        for m in c.drain(Duration::from_millis(500)) {
            let uri = m["params"]["uri"].as_str().unwrap_or_default();
            if m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["version"] == 1
                && uri.starts_with(&prefix)
            {
                assert!(seen.insert(uri.to_string()), "{uri} published twice");
            }
        }
    }
    seen.len()
}

#[test]
fn ten_thousand_open_documents_are_each_analysed_and_memory_stays_bounded() {
    let plan = std::fs::read_to_string(example("staging/docs/deployment.md")).unwrap();
    let mut c = Client::start(Caps::default());
    const DOCUMENTS: usize = 10_000;
    for i in 0..DOCUMENTS {
        c.open(&format!("file:///plans/{i}/docs/deployment.md"), &plan);
    }
    // every document gets its diagnostics, each once
    assert_eq!(diagnosed(&mut c, "plans", DOCUMENTS), DOCUMENTS);
    let last = format!("file:///plans/{}/docs/deployment.md", DOCUMENTS - 1);
    still_answers(&mut c, &last);
    let peak = report("10,000 open plans", &c);
    assert!(peak < 1024 * MIB, "peak RSS {peak} KiB");
    // closing them gives the memory back to the allocator's free lists: a
    // second round of opens does not grow the peak by another round's worth
    for i in 0..DOCUMENTS {
        c.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": format!("file:///plans/{i}/docs/deployment.md")}}),
        );
    }
    for i in 0..DOCUMENTS {
        c.open(&format!("file:///again/{i}/docs/deployment.md"), &plan);
    }
    assert_eq!(diagnosed(&mut c, "again", DOCUMENTS), DOCUMENTS);
    let second = report("closed, then 10,000 more", &c);
    assert!(
        second < peak + peak / 2,
        "the memory of closed documents was kept: {peak} KiB, then {second} KiB"
    );
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn a_hundred_megabyte_change_is_refused_with_a_finding_and_the_server_goes_on() {
    const URI: &str = "file:///big/docs/deployment.md";
    let plan = std::fs::read_to_string(example("production/docs/deployment.md")).unwrap();
    let mut c = Client::start(Caps::default());
    c.open(URI, &plan);
    c.pushed(URI, 1);
    let line = "Notes on the rollout, repeated to make a huge change: │ 🚀 traffic shifts.\n";
    let mut huge = plan.clone();
    huge.reserve(100 * 1024 * 1024);
    while huge.len() < 100 * 1024 * 1024 {
        huge.push_str(line);
    }
    c.change(URI, 2, json!([{"text": huge}]));
    drop(huge);
    // a debug build on a busy machine takes a while to read 100 MB of JSON
    let diagnostics = c.pushed_within(Duration::from_secs(300), URI, 2);
    let codes: Vec<&str> = diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(codes, ["document-too-large"]);
    // every request on it is answered
    for method in [
        "textDocument/completion",
        "textDocument/hover",
        "textDocument/codeAction",
        "textDocument/documentSymbol",
        "textDocument/codeLens",
    ] {
        let mut params = json!({
            "textDocument": {"uri": URI},
            "position": {"line": 1_000_000, "character": 3},
        });
        if method == "textDocument/codeAction" {
            params["range"] = json!({"start": {"line": 5, "character": 0}, "end": {"line": 1_000_000, "character": 0}});
            params["context"] = json!({"diagnostics": []});
        }
        let r = c.request(method, params);
        assert!(r.get("error").is_none(), "{method}: {r}");
    }
    // typing into it (on the blank line under the title) still works, and
    // cutting it back below the limit brings the analysis back
    assert_eq!(plan.lines().nth(1), Some(""));
    c.change(
        URI,
        3,
        json!([{"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}}, "text": "x"}]),
    );
    assert_eq!(c.pushed_within(Duration::from_secs(300), URI, 3).len(), 1);
    c.change(URI, 4, json!([{"text": plan}]));
    assert!(c.pushed(URI, 4).is_empty());
    let peak = report("a 100 MB change", &c);
    assert!(peak < 2048 * MIB, "peak RSS {peak} KiB");
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn ten_thousand_completion_requests_sent_without_waiting_are_each_answered_once() {
    const URI: &str = "file:///storm/docs/deployment.md";
    let plan = std::fs::read_to_string(example("production/docs/deployment.md")).unwrap();
    let strategy = plan
        .lines()
        .position(|l| l.starts_with("- Strategy:"))
        .expect("a Strategy field") as u64;
    let mut c = Client::start(Caps::default());
    c.open(URI, &plan);
    c.pushed(URI, 1);
    const REQUESTS: u64 = 10_000;
    let first_id = 1_000_000;
    for n in 0..REQUESTS {
        c.send(&json!({
            "jsonrpc": "2.0",
            "id": first_id + n,
            "method": "textDocument/completion",
            "params": {
                "textDocument": {"uri": URI},
                "position": {"line": strategy, "character": 12},
            },
        }));
    }
    let mut answers: HashMap<u64, Value> = HashMap::new();
    for _ in 0..REQUESTS {
        let m = c
            .wait_for(|m| {
                m.get("method").is_none()
                    && m["id"]
                        .as_u64()
                        .is_some_and(|id| (first_id..first_id + REQUESTS).contains(&id))
            })
            .unwrap_or_else(|| panic!("{} of {REQUESTS} answered", answers.len()));
        let id = m["id"].as_u64().unwrap();
        assert!(
            answers.insert(id, m).is_none(),
            "request {id} answered twice"
        );
    }
    // each answer is the full list of strategies, not an error
    let expected = &answers[&first_id]["result"];
    assert!(
        expected["items"]
            .as_array()
            .or(expected.as_array())
            .is_some_and(|items| !items.is_empty()),
        "{expected}"
    );
    assert!(answers.values().all(|m| &m["result"] == expected));
    still_answers(&mut c, URI);
    let peak = report("10,000 completion requests", &c);
    assert!(peak < 512 * MIB, "peak RSS {peak} KiB");
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}
