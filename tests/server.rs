//! The language server, driven over stdio as an editor drives it.

mod common;

use std::process::Command;

use common::*;
use serde_json::{Value, json};

fn defects() -> String {
    std::fs::read_to_string(example("defects/docs/deployment.md")).unwrap()
}

const URI: &str = "file:///work/plans/docs/deployment.md";

fn codes(diagnostics: &[Value]) -> Vec<String> {
    let mut c: Vec<String> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    c.sort();
    c
}

#[test]
fn findings_sit_at_the_right_place_in_utf16_and_utf8() {
    let text = defects();
    for encoding in ["utf-16", "utf-8"] {
        let mut c = Client::start(Caps {
            encodings: if encoding == "utf-8" {
                vec!["utf-8", "utf-16"]
            } else {
                vec!["utf-16"]
            },
            ..Caps::default()
        });
        assert_eq!(c.encoding, encoding);
        c.open(URI, &text);
        let diagnostics = c.pushed(URI, 1);
        // Each range covers exactly the text the finding is about.
        let find = |code: &str| {
            diagnostics
                .iter()
                .find(|d| d["code"] == code)
                .unwrap_or_else(|| panic!("{code}"))
                .clone()
        };
        let covered = |d: &Value| {
            let s = offset(&text, &d["range"]["start"], encoding);
            let e = offset(&text, &d["range"]["end"], encoding);
            text[s..e].to_string()
        };
        assert_eq!(covered(&find("high-risk-proceed")), "Proceed");
        assert_eq!(covered(&find("plaintext-secret")), "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(covered(&find("invalid-threshold")), "lots");
        assert_eq!(covered(&find("invalid-date")), "2026-02-30");
        let high = find("high-risk-proceed");
        // `│ Recommendation: ` — the box border is 3 bytes but 1 UTF-16 unit
        let expected = if encoding == "utf-8" { 20 } else { 18 };
        assert_eq!(high["range"]["start"]["character"], expected);
        assert_eq!(high["source"], "plan-lsp");
        assert!(
            high["codeDescription"]["href"]
                .as_str()
                .unwrap()
                .ends_with("docs/rules/high-risk-proceed.md")
        );
        assert!(high["data"]["fixes"].is_array());
        assert_eq!(c.shutdown_and_exit().code(), Some(0));
    }
}

#[test]
fn typing_the_fix_clears_the_finding() {
    let text = defects();
    let mut c = Client::start(Caps::default());
    c.open(URI, &text);
    let first = c.pushed(URI, 1);
    assert!(codes(&first).contains(&"invalid-value".to_string()));
    // Replace `Sideways` with `Canary`, one keystroke at a time.
    let start = position_of(&text, "Sideways", 0, "utf-16");
    let end = position_of(&text, "Sideways", "Sideways".len(), "utf-16");
    c.change(
        URI,
        2,
        json!([{"range": {"start": start, "end": end}, "text": ""}]),
    );
    let mut version = 2;
    for (i, ch) in "Canary".chars().enumerate() {
        version += 1;
        let at = json!({"line": start["line"], "character": start["character"].as_u64().unwrap() + i as u64});
        c.change(
            URI,
            version,
            json!([{"range": {"start": at, "end": at}, "text": ch.to_string()}]),
        );
    }
    let last = c.pushed(URI, version.into());
    let strategy_findings: Vec<_> = last
        .iter()
        .filter(|d| {
            d["code"] == "invalid-value" && d["message"].as_str().unwrap().contains("Strategy")
        })
        .collect();
    assert!(strategy_findings.is_empty(), "{last:?}");
    assert_eq!(last.len(), first.len() - 1);
}

#[test]
fn a_burst_of_edits_leaves_the_same_text_as_the_client() {
    let mut text = defects();
    let mut c = Client::start(Caps {
        pull: true,
        ..Caps::default()
    });
    c.open(URI, &text);
    // 300 edits: insertions and deletions at varying places, emoji included.
    let pieces = ["x", "🚀", "│", "\n", "é"];
    for v in 0..300usize {
        let line = (v * 7) % 60;
        let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let line_text = text[line_start..].split('\n').next().unwrap_or("");
        let chars: Vec<(usize, char)> = line_text.char_indices().collect();
        let col = if chars.is_empty() {
            0
        } else {
            (v * 3) % chars.len()
        };
        let byte = line_start + chars.get(col).map_or(0, |(o, _)| *o);
        let utf16_col: usize = line_text[..byte - line_start].encode_utf16().count();
        let at = json!({"line": line, "character": utf16_col});
        if v % 4 == 3 && byte < text.len() && !text[byte..].starts_with('\n') {
            let ch = text[byte..].chars().next().unwrap();
            let end = json!({"line": line, "character": utf16_col + ch.len_utf16()});
            text.replace_range(byte..byte + ch.len_utf8(), "");
            c.change(
                URI,
                v as i32 + 2,
                json!([{"range": {"start": at, "end": end}, "text": ""}]),
            );
        } else {
            let piece = pieces[v % pieces.len()];
            text.insert_str(byte, piece);
            c.change(
                URI,
                v as i32 + 2,
                json!([{"range": {"start": at, "end": at}, "text": piece}]),
            );
        }
    }
    let server = c.pulled(URI);
    // The server's findings on its text equal the CLI's on the client's text.
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("deployment.md"), &text).unwrap();
    let cli = cli_json(&docs.join("deployment.md"));
    assert_eq!(comparable(&server), comparable(&cli));
    // And "fix all" edits, which depend on every byte, apply cleanly.
    let insert = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": []}}),
    );
    assert!(insert.get("error").is_none(), "{insert}");
}

/// Diagnostics as (code, severity name, message, range) for comparison.
fn comparable(diagnostics: &[Value]) -> Vec<(String, String, String, String)> {
    let mut v: Vec<_> = diagnostics
        .iter()
        .map(|d| {
            let severity = match &d["severity"] {
                Value::Number(n) => ["", "error", "warning", "info", "hint"]
                    [n.as_u64().unwrap() as usize]
                    .to_string(),
                Value::String(s) => s.clone(),
                _ => String::new(),
            };
            (
                d["code"].as_str().unwrap().to_string(),
                severity,
                d["message"].as_str().unwrap().to_string(),
                d["range"].to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn cli_json(path: &std::path::Path) -> Vec<Value> {
    let out = Command::new(binary())
        .args(["check", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["files"][0]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn server_and_cli_agree_on_every_example() {
    let mut c = Client::start(Caps {
        pull: true,
        ..Caps::default()
    });
    for (i, path) in [
        "defects/docs/deployment.md",
        "production/docs/deployment.md",
        "staging/docs/deployment.md",
        "staging/status.md",
    ]
    .iter()
    .enumerate()
    {
        let file = example(path);
        let text = std::fs::read_to_string(&file).unwrap();
        let uri = file_uri(&file);
        c.open(&uri, &text);
        let server = c.pulled(&uri);
        assert_eq!(comparable(&server), comparable(&cli_json(&file)), "{path}");
        if i == 0 {
            assert!(!server.is_empty());
        }
    }
}

#[test]
fn pull_clients_get_no_pushed_diagnostics() {
    let mut c = Client::start(Caps {
        pull: true,
        ..Caps::default()
    });
    c.open(URI, &defects());
    let pulled = c.pulled(URI);
    assert!(!pulled.is_empty());
    let first = c.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": URI}}),
    );
    let again = c.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": URI}, "previousResultId": first["result"]["resultId"]}),
    );
    assert_eq!(again["result"]["kind"], "unchanged");
    let pushed: Vec<Value> = c
        .drain(std::time::Duration::from_millis(300))
        .into_iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .collect();
    assert!(pushed.is_empty(), "{pushed:?}");
}

#[test]
fn push_clients_get_no_diagnostic_provider_and_an_empty_push_on_close() {
    let mut c = Client::spawn();
    let init = c.request("initialize", json!({"processId": null, "capabilities": {}}));
    assert!(
        init["result"]["capabilities"]
            .get("diagnosticProvider")
            .is_none()
    );
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["result"]["serverInfo"]["name"], "plan-lsp");
    c.notify("initialized", json!({}));
    c.open(URI, &defects());
    assert!(!c.pushed(URI, 1).is_empty());
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": URI}}),
    );
    let closed = c
        .wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"].is_null()
        })
        .expect("an empty push on close");
    assert_eq!(closed["params"]["diagnostics"], json!([]));
}

fn completion_labels(c: &mut Client, uri: &str, position: Value) -> Vec<String> {
    let r = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": position}),
    );
    let items = match &r["result"] {
        Value::Array(a) => a.clone(),
        Value::Object(o) => o["items"].as_array().cloned().unwrap_or_default(),
        _ => Vec::new(),
    };
    items
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn completion_offers_enum_values_with_documentation() {
    let production = std::fs::read_to_string(example("production/docs/deployment.md")).unwrap();
    let text = production.replace("- Strategy: Blue-Green", "- Strategy: ");
    let mut c = Client::start(Caps::default());
    c.open(URI, &text);
    let at = position_of(&text, "- Strategy: \n", "- Strategy: ".len(), "utf-16");
    let r = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": at}),
    );
    let items = r["result"].as_array().unwrap();
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["Blue-Green", "Canary", "Rolling"]);
    let canary = &items[1];
    assert!(
        canary["documentation"]["value"]
            .as_str()
            .unwrap()
            .contains("traffic")
    );
    // applying the item gives the value
    let applied = apply_edits(&text, &[canary["textEdit"].clone()], "utf-16");
    assert!(applied.contains("- Strategy: Canary\n"));

    let at = position_of(
        &text,
        "Data Classification: ",
        "Data Classification: ".len(),
        "utf-16",
    );
    let labels = completion_labels(&mut c, URI, at);
    assert_eq!(labels, ["PUBLIC", "INTERNAL", "CONFIDENTIAL"]);
    let at = position_of(&text, "Risk: ", "Risk: ".len(), "utf-16");
    assert_eq!(
        completion_labels(&mut c, URI, at),
        ["Low", "Medium", "High"]
    );

    let status_uri = "file:///work/plans/status.md";
    let status = "## Deployment State\n- Environment: production\n- Status: \n";
    c.open(status_uri, status);
    let at = position_of(status, "- Status: ", "- Status: ".len(), "utf-16");
    assert_eq!(
        completion_labels(&mut c, status_uri, at),
        ["pending", "deployed", "failed", "rolledback"]
    );
}

#[test]
fn placeholder_completion_replaces_the_placeholder() {
    let text = "# Deployment Plan\n\n## Deployment Strategy\n\n### Production\n- Strategy: [Blue-Green/Canary/Rolling]\n";
    let mut c = Client::start(Caps::default());
    c.open(URI, text);
    let at = position_of(text, "[Blue", 0, "utf-16");
    let items = c.completions(URI, &at);
    let rolling = items.iter().find(|i| i["label"] == "Rolling").unwrap();
    let (applied, _) = c.accept(URI, text, 1, &at, rolling);
    assert!(applied.ends_with("- Strategy: Rolling\n"), "{applied}");
}

#[test]
fn a_document_that_is_not_a_plan_gets_nothing() {
    let text = "# Deploying the docs site\n\n## Hosting\n- Provider: wherever\n- Strategy: \n";
    let mut c = Client::start(Caps::default());
    c.open(URI, text);
    assert!(c.pushed(URI, 1).is_empty());
    let at = position_of(text, "- Strategy: ", "- Strategy: ".len(), "utf-16");
    assert!(completion_labels(&mut c, URI, at).is_empty());
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 3}}),
    );
    let why = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(why.starts_with("**Not a plan** — "), "{why}");
    assert!(why.contains("not `# Deployment Plan`"), "{why}");
}

fn actions(c: &mut Client, uri: &str, position: Value, only: Option<&str>) -> Vec<Value> {
    let mut context = json!({"diagnostics": []});
    if let Some(o) = only {
        context["only"] = json!([o]);
    }
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": position, "end": position}, "context": context}),
    );
    r["result"].as_array().cloned().unwrap_or_default()
}

#[test]
fn missing_logging_quick_fix_inserts_it_in_template_order() {
    let text = std::fs::read_to_string(example("production/docs/deployment.md"))
        .unwrap()
        .replace(
            "### Logging\n- Platform: CloudWatch\n- Retention: 90 days\n- Alerts: error log rate above baseline for 5 minutes\n\n",
            "",
        );
    let mut c = Client::start(Caps {
        pull: true,
        ..Caps::default()
    });
    c.open(URI, &text);
    let diagnostics = c.pulled(URI);
    let missing = diagnostics
        .iter()
        .find(|d| d["code"] == "missing-section")
        .expect("missing-section");
    let at = missing["range"]["start"].clone();
    let acts = actions(&mut c, URI, at, Some("quickfix"));
    let insert = acts
        .iter()
        .find(|a| a["title"] == "Insert `### Logging`")
        .expect("the quick fix");
    assert_eq!(insert["isPreferred"], true);
    assert_eq!(insert["diagnostics"][0]["code"], "missing-section");
    let fixed = apply_edits(&text, &action_edits(insert), "utf-16");
    let health = fixed.find("### Health Checks").unwrap();
    let logging = fixed.find("### Logging").unwrap();
    let metrics = fixed.find("### Metrics").unwrap();
    assert!(health < logging && logging < metrics, "{fixed}");
    c.change(URI, 2, json!([{"text": fixed}]));
    let after = c.pulled(URI);
    assert!(
        after.iter().all(|d| d["code"] != "missing-section"),
        "{after:?}"
    );
}

#[test]
fn insert_deployment_checklist_inserts_nine_items() {
    let production = std::fs::read_to_string(example("production/docs/deployment.md")).unwrap();
    let cut = production.find("## Deployment Checklist").unwrap();
    let text = production[..cut].to_string();
    let mut c = Client::start(Caps::default());
    c.open(URI, &text);
    let acts = actions(
        &mut c,
        URI,
        json!({"line": 0, "character": 0}),
        Some("source"),
    );
    let insert = acts
        .iter()
        .find(|a| a["title"] == "Insert Deployment Checklist")
        .expect("the action");
    assert_eq!(insert["kind"], "source.plan-lsp.insert");
    let fixed = apply_edits(&text, &action_edits(insert), "utf-16");
    assert_eq!(
        fixed[cut..].matches("- [ ] ").count(),
        9,
        "{}",
        &fixed[cut..]
    );
    // fix-all is offered as a source action too
    let with_alias = production.replace("- Provider: AWS", "- Provider: aws");
    c.change(URI, 2, json!([{"text": with_alias}]));
    let fix_all = actions(
        &mut c,
        URI,
        json!({"line": 0, "character": 0}),
        Some("source.fixAll"),
    );
    assert_eq!(fix_all.len(), 1);
    assert_eq!(fix_all[0]["kind"], "source.fixAll.plan-lsp");
    let fixed = apply_edits(&with_alias, &action_edits(&fix_all[0]), "utf-16");
    assert_eq!(fixed, production);
}

#[test]
fn ignore_action_writes_a_disable_comment() {
    let text = std::fs::read_to_string(example("production/docs/deployment.md"))
        .unwrap()
        .replace("- Provider: AWS", "- Provider: aws");
    let mut c = Client::start(Caps {
        pull: true,
        ..Caps::default()
    });
    c.open(URI, &text);
    let at = position_of(&text, "aws", 0, "utf-16");
    let acts = actions(&mut c, URI, at, None);
    let ignore = acts
        .iter()
        .find(|a| a["title"] == "Ignore non-canonical-value on this line")
        .expect("ignore action");
    let fixed = apply_edits(&text, &action_edits(ignore), "utf-16");
    c.change(URI, 2, json!([{"text": fixed}]));
    assert!(c.pulled(URI).is_empty());
}

#[test]
fn hover_explains_fields_and_values() {
    let text = std::fs::read_to_string(example("production/docs/deployment.md")).unwrap();
    let mut c = Client::start(Caps::default());
    c.open(URI, &text);
    let hover = |c: &mut Client, needle: &str| {
        let at = position_of(&text, needle, 1, "utf-16");
        let r = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": at}),
        );
        r["result"]["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(hover(&mut c, "Strategy: Blue").contains("Blue-Green"));
    assert!(hover(&mut c, "Blue-Green").contains("switch"));
    assert!(hover(&mut c, "Risk: Medium").contains("Low"));
    let title = hover(&mut c, "# Deployment Plan");
    assert!(
        title.contains("Checked as a deployment document: its first H1"),
        "{title}"
    );
    assert!(title.contains("Environment: **"), "{title}");
}

#[test]
fn bad_requests_do_not_kill_the_server() {
    let mut c = Client::spawn();
    // before initialize
    let early = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}}),
    );
    assert!(early.get("error").is_some(), "{early}");
    let init = c.request("initialize", json!({"processId": null, "capabilities": {}}));
    assert!(init.get("result").is_some());
    c.notify("initialized", json!({}));
    let text = "# Deployment Plan\n\n│ 🚀 x\n";
    c.open(URI, text);
    c.pushed(URI, 1);
    // out-of-range and mid-surrogate positions
    for position in [
        json!({"line": 999, "character": 0}),
        json!({"line": 0, "character": 999}),
        json!({"line": 2, "character": 3}),
    ] {
        for method in ["textDocument/hover", "textDocument/completion"] {
            let r = c.request(
                method,
                json!({"textDocument": {"uri": URI}, "position": position}),
            );
            assert!(r.get("error").is_none(), "{method} {position}: {r}");
        }
    }
    // an unknown `$/` request is answered MethodNotFound (a `$/`
    // notification is ignored)
    c.notify("$/plan-lsp.unknown", json!({}));
    let r = c.request("$/plan-lsp.unknown", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    let r = c.request("plan-lsp/unknown", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    // malformed params: an error response, not a crash
    let r = c.request("textDocument/hover", json!({"nonsense": true}));
    assert!(r.get("error").is_some());
    // a change to a document that is not open, a version going backwards
    c.change("file:///not/open.md", 2, json!([{"text": "x"}]));
    c.change(URI, 0, json!([{"text": "# Deployment Plan\n\nlost\n"}]));
    // a mid-surrogate edit range
    c.change(URI, 2, json!([{"range": {"start": {"line": 2, "character": 3}, "end": {"line": 2, "character": 3}}, "text": "y"}]));
    // garbage on the wire
    c.send_raw(b"{not json");
    // the next good request is answered, on the right text
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 2}}),
    );
    assert!(
        r["result"]["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("deployment")
    );
    let diagnostics = c.pushed(URI, 2);
    assert!(
        diagnostics
            .iter()
            .all(|d| d["range"]["start"]["line"].as_u64().unwrap() < 10)
    );
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn a_ten_megabyte_document_is_analysed_without_stalling() {
    let mut text = std::fs::read_to_string(example("production/docs/deployment.md")).unwrap();
    let filler =
        "Notes on the rollout, repeated to make a large plan: │ 🚀 traffic shifts gradually.\n";
    text.push_str("\n## Notes\n\n");
    while text.len() < 10 * 1024 * 1024 - filler.len() {
        text.push_str(filler);
    }
    let mut c = Client::start(Caps::default());
    c.open(URI, &text);
    let diagnostics = c.pushed(URI, 1);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    // still responsive, and past the limit one finding says so
    let mut bigger = text.clone();
    bigger.push_str(&filler.repeat(1000));
    c.change(URI, 2, json!([{"text": bigger}]));
    let diagnostics = c.pushed(URI, 2);
    assert_eq!(codes(&diagnostics), ["document-too-large"]);
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn configuration_from_initialization_options_and_bad_configuration() {
    let mut c = Client::start(Caps {
        init_options: json!({"planLsp": {"rules": {"unchecked-item": "off"}}}),
        ..Caps::default()
    });
    c.open(URI, &defects());
    let d = c.pushed(URI, 1);
    assert!(d.iter().all(|d| d["code"] != "unchecked-item"));
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"planLsp": {"rules": {"placeholder": "loud"}}}}),
    );
    let message = c
        .wait_for(|m| m["method"] == "window/showMessage")
        .expect("the bad configuration is shown");
    assert!(
        message["params"]["message"]
            .as_str()
            .unwrap()
            .contains("loud")
    );
    // the bad layer is dropped: the initializationOptions stay in force
    c.notify("workspace/didChangeConfiguration", json!({"settings": {}}));
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"planLsp": {"rules": {"high-risk-proceed": "off"}}}}),
    );
    let last = c
        .drain(std::time::Duration::from_millis(800))
        .into_iter()
        .rfind(|m| m["method"] == "textDocument/publishDiagnostics")
        .expect("diagnostics after the configuration change");
    let d = last["params"]["diagnostics"].as_array().unwrap().clone();
    assert!(d.iter().all(|d| d["code"] != "unchecked-item"), "{d:?}");
    assert!(d.iter().all(|d| d["code"] != "high-risk-proceed"), "{d:?}");
}

#[test]
fn clients_that_pull_but_cannot_refresh_get_pushes() {
    let mut c = Client::spawn();
    let init = c.request(
        "initialize",
        json!({"processId": null, "capabilities": {"textDocument": {"diagnostic": {}}}}),
    );
    assert!(
        init["result"]["capabilities"]
            .get("diagnosticProvider")
            .is_none()
    );
    c.notify("initialized", json!({}));
    c.open(URI, &defects());
    assert!(!c.pushed(URI, 1).is_empty());
}

#[test]
fn shutdown_then_exit_ends_promptly_and_exit_alone_is_code_1() {
    let c = Client::start(Caps::default());
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
    let mut c = Client::start(Caps::default());
    c.notify("exit", Value::Null);
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = c_try_wait(&mut c) {
            break s;
        }
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(status, Some(1));
}

fn c_try_wait(c: &mut Client) -> Option<Option<i32>> {
    c.drain(std::time::Duration::from_millis(10));
    c.exit_status().map(|s| s.code())
}

#[test]
fn an_empty_document_is_offered_the_template_and_checklists_their_items() {
    let mut c = Client::start(Caps::default());
    let uri = "file:///work/new/docs/deployment.md";
    c.open(uri, "");
    let labels = completion_labels(&mut c, uri, json!({"line": 0, "character": 0}));
    assert!(
        labels.contains(&"Deployment Plan (production)".to_string()),
        "{labels:?}"
    );
    let acts = actions(
        &mut c,
        uri,
        json!({"line": 0, "character": 0}),
        Some("source"),
    );
    // a deployment.md is offered the plan for either environment, not the
    // status sections
    let titles: Vec<&str> = acts.iter().filter_map(|a| a["title"].as_str()).collect();
    assert_eq!(
        titles,
        [
            "Insert deployment plan template (staging)",
            "Insert deployment plan template (production)"
        ]
    );
    let production = apply_edits("", &action_edits(&acts[1]), "utf-16");
    let cli = std::process::Command::new(common::binary())
        .args(["new", "deployment", "--env", "production"])
        .output()
        .unwrap();
    assert_eq!(production, String::from_utf8(cli.stdout).unwrap());
    let text = apply_edits("", &action_edits(&acts[0]), "utf-16");
    assert!(text.starts_with("# Deployment Plan\n"), "{text}");
    // the inserted template is a plan: a task box offers the missing items
    let text = text.replace("- [ ] Monitoring active\n", "- [\n");
    c.change(uri, 2, json!([{"text": text}]));
    let at = position_of(&text, "- [\n", 3, "utf-16");
    assert_eq!(completion_labels(&mut c, uri, at), ["Monitoring active"]);
}

/// The secrets of a plan never come back in what the server sends: not in
/// symbols (names and details), links, hovers, lenses, folds or
/// diagnostics. (The full sweep over every request and CLI format is
/// issue 13's.)
#[test]
fn secrets_are_not_repeated_in_symbols_links_or_diagnostics() {
    let secrets = [
        "AKIAIOSFODNN7EXAMPLE",
        "s3cr3tPassw0rd",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    ];
    let text = format!(
        "# Deployment Plan\n\n## Environment: staging\n\n## Infrastructure\n\n### Environment Configuration\n- Variables: DB_URL\n- Secrets: {}\n\n## Monitoring\n\n### Health Checks\n- Endpoint: https://app:{}@api.example.com/healthz\n- Frequency: 30s\n- Conditions: token={}\n",
        secrets[0], secrets[1], secrets[2]
    );
    let mut c = Client::start(Caps::default());
    c.open(URI, &text);
    let mut sent = serde_json::to_string(&c.pushed(URI, 1)).unwrap();
    for method in [
        "textDocument/documentSymbol",
        "textDocument/documentLink",
        "textDocument/codeLens",
        "textDocument/foldingRange",
    ] {
        let r = c.request(method, json!({"textDocument": {"uri": URI}}));
        assert!(r.get("error").is_none(), "{method}: {r}");
        sent.push_str(&r.to_string());
    }
    for secret in secrets {
        let at = position_of(&text, secret, 2, "utf-16");
        let r = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": at}),
        );
        sent.push_str(&r.to_string());
    }
    for secret in secrets {
        assert!(!sent.contains(secret), "{secret} was sent back: {sent}");
    }
    // the symbols still name the field, with the value masked
    assert!(sent.contains("\"Secrets\""), "{sent}");
}

/// Found by the `lsp` fuzz target: a document opened again while the
/// analysis of its earlier text was still running took that analysis for
/// its own (the new document started its revisions over), and answered
/// from the old text until the next edit.
#[test]
fn a_reopened_document_is_answered_from_its_new_text() {
    let mut plan = std::fs::read_to_string(example("production/docs/deployment.md")).unwrap();
    plan.push_str("\n## Notes\n\n");
    plan.push_str(&"Notes that make the analysis take a while.\n".repeat(20_000));
    let edited = plan.replace("Blue-Green", "Rolling");
    let hover_at_start = |c: &mut Client| {
        c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}}),
        )
    };
    let mut c = Client::start(Caps::default());
    // how long one analysis of the plan takes here
    c.open(URI, &plan);
    c.pushed(URI, 1);
    c.change(URI, 2, json!([{"text": edited}]));
    let started = std::time::Instant::now();
    hover_at_start(&mut c);
    let analysis = started.elapsed();
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": URI}}),
    );
    // re-open at points inside the analysis of the edited text, which
    // starts once the first text's is done
    for round in 1..=12u32 {
        let version = round as i32 * 10;
        c.open(URI, &plan);
        c.change(URI, version + 2, json!([{"text": edited}]));
        std::thread::sleep(analysis * round / 6);
        c.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": URI, "languageId": "markdown", "version": version + 5, "text": "abc\n"}}),
        );
        // by now every analysis of the earlier texts has finished
        std::thread::sleep(analysis * 3);
        let hover = hover_at_start(&mut c);
        assert_eq!(hover["result"], Value::Null, "round {round}: {hover}");
        let symbols = c.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": URI}}),
        );
        assert_eq!(symbols["result"], Value::Null, "round {round}: {symbols}");
        c.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": URI}}),
        );
    }
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn configuration_errors_sit_on_the_open_configuration_file() {
    const CONFIG: &str = "file:///work/plans/.plan-lsp.toml";
    let mut c = Client::start(Caps::default());
    c.open(CONFIG, "env = \"staging\"\n[rules]\nplaceholdr = \"off\"\n");
    let diagnostics = c.pushed(CONFIG, 1);
    assert_eq!(codes(&diagnostics), ["invalid-config"], "{diagnostics:?}");
    assert_eq!(
        diagnostics[0]["range"],
        json!({"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 18}})
    );
    assert_eq!(diagnostics[0]["severity"], 1);
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("\"placeholdr\" is not a rule code"),
        "{diagnostics:?}"
    );
    // a TOML syntax error, at the place the parser stopped
    c.change(CONFIG, 2, json!([{"text": "env = [\n"}]));
    let diagnostics = c.pushed(CONFIG, 2);
    assert_eq!(codes(&diagnostics), ["invalid-config"]);
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({"line": 0, "character": 7})
    );
    // an unknown level, on the entry; then fixed
    c.change(
        CONFIG,
        3,
        json!([{"text": "[rules]\nplaceholder = \"loud\"\n"}]),
    );
    let diagnostics = c.pushed(CONFIG, 3);
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({"line": 1, "character": 0})
    );
    c.change(
        CONFIG,
        4,
        json!([{"text": "[rules]\nplaceholder = \"off\"\n"}]),
    );
    assert!(c.pushed(CONFIG, 4).is_empty());
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}
