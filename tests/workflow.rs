//! The deploy workflow through the real server: cross-file findings,
//! show / approve / deploy, code lens, symbols, folding, links and
//! formatting; and `plan-lsp fmt`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::{Value, json};

/// A workspace with the staging example: docs/deployment.md and status.md.
fn workspace() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("docs")).unwrap();
    let plan = dir.path().join("docs/deployment.md");
    let status = dir.path().join("status.md");
    std::fs::copy(example("staging/docs/deployment.md"), &plan).unwrap();
    std::fs::copy(example("staging/status.md"), &status).unwrap();
    (dir, plan, status)
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn env_mismatch_in_status_follows_the_plan_without_touching_status() {
    let (dir, plan, status) = workspace();
    let mut c = Client::start(Caps {
        root: Some(dir.path().to_path_buf()),
        ..Caps::default()
    });
    let (plan_uri, status_uri) = (file_uri(&plan), file_uri(&status));
    let plan_text = read(&plan);
    c.open(&status_uri, &read(&status));
    assert!(!codes(&c.pushed(&status_uri, 1)).contains(&"env-mismatch".to_string()));
    c.open(&plan_uri, &plan_text);
    c.pushed(&plan_uri, 1);
    // the plan now says production: status.md (untouched) gets the finding
    let start = position_of(&plan_text, "staging", 0, "utf-16");
    let end = position_of(&plan_text, "staging", "staging".len(), "utf-16");
    c.change(
        &plan_uri,
        2,
        json!([{"range": {"start": start, "end": end}, "text": "production"}]),
    );
    let found = c
        .wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == status_uri.as_str()
                && codes(m["params"]["diagnostics"].as_array().unwrap())
                    .contains(&"env-mismatch".to_string())
        })
        .expect("env-mismatch in status.md");
    let d = &found["params"]["diagnostics"][0];
    assert_eq!(d["range"]["start"], json!({"line": 3, "character": 15}));
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("docs/deployment.md"),
        "{d}"
    );
    // and back: it goes away
    let end = position_of(&plan_text, "staging", "production".len(), "utf-16");
    c.change(
        &plan_uri,
        3,
        json!([{"range": {"start": start, "end": end}, "text": "staging"}]),
    );
    c.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == status_uri.as_str()
            && m["params"]["diagnostics"].as_array().unwrap().is_empty()
    })
    .expect("the finding goes away");
}

#[test]
fn a_plan_changed_on_disk_updates_the_open_status() {
    let (dir, plan, status) = workspace();
    let mut c = Client::start(Caps {
        root: Some(dir.path().to_path_buf()),
        ..Caps::default()
    });
    let status_uri = file_uri(&status);
    c.open(&status_uri, &read(&status));
    c.pushed(&status_uri, 1);
    std::fs::write(
        &plan,
        read(&plan).replace("## Environment: staging", "## Environment: production"),
    )
    .unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&plan), "type": 2}]}),
    );
    c.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == status_uri.as_str()
            && codes(m["params"]["diagnostics"].as_array().unwrap())
                .contains(&"env-mismatch".to_string())
    })
    .expect("env-mismatch after the plan changed on disk");
}

#[test]
fn workspace_diagnostics_cover_every_plan() {
    let (dir, _plan, _status) = workspace();
    std::fs::create_dir_all(dir.path().join("other/docs")).unwrap();
    std::fs::copy(
        example("defects/docs/deployment.md"),
        dir.path().join("other/docs/deployment.md"),
    )
    .unwrap();
    std::fs::write(dir.path().join("README.md"), "# Readme\n").unwrap();
    let mut c = Client::start(Caps {
        root: Some(dir.path().to_path_buf()),
        pull: true,
        ..Caps::default()
    });
    // discovery runs in the background after `initialized`
    let mut report = Value::Null;
    for _ in 0..50 {
        report = c.request("workspace/diagnostic", json!({"previousResultIds": []}));
        if report["result"]["items"]
            .as_array()
            .is_some_and(|i| i.len() == 3)
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let items = report["result"]["items"].as_array().expect("items");
    let uris: Vec<&str> = items.iter().map(|i| i["uri"].as_str().unwrap()).collect();
    assert_eq!(uris.len(), 3, "{uris:?}");
    let defects = items
        .iter()
        .find(|i| {
            i["uri"]
                .as_str()
                .unwrap()
                .ends_with("other/docs/deployment.md")
        })
        .unwrap();
    assert!(defects["items"].as_array().unwrap().len() >= 10);
}

fn command(c: &mut Client, command: &str, args: Value) -> Value {
    let r = c.request(
        "workspace/executeCommand",
        json!({"command": command, "arguments": args}),
    );
    assert!(r.get("error").is_none(), "{r}");
    r["result"].clone()
}

/// The production example, approved (as `plan-lsp approve` leaves it).
pub fn approved(plan: &Path) {
    let out = Command::new(binary())
        .arg("approve")
        .arg(plan)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn deploy_without_a_command_records_what_the_user_chooses_or_refuses() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("docs")).unwrap();
    let plan = dir.path().join("docs/deployment.md");
    std::fs::copy(example("production/docs/deployment.md"), &plan).unwrap();
    let mut c = Client::start(Caps {
        root: Some(dir.path().to_path_buf()),
        ..Caps::default()
    });
    let plan_uri = file_uri(&plan);

    // not approved: refused, naming the gate, and nothing asked or applied
    c.open(&plan_uri, &read(&plan));
    c.pushed(&plan_uri, 1);
    let result = command(&mut c, "plan-lsp.deploy", json!([plan_uri]));
    assert_eq!(result["refused"], "cannot deploy: not approved", "{result}");

    approved(&plan);
    c.change(&plan_uri, 2, json!([{"text": read(&plan)}]));
    c.pushed(&plan_uri, 2);
    c.answer = Some("Record deployed".into());
    let result = command(
        &mut c,
        "plan-lsp.deploy",
        json!([plan_uri, {"version": "v2.0.0"}]),
    );
    assert_eq!(result["started"], true, "{result}");
    let asked = c
        .wait_for(|m| m["method"] == "window/showMessageRequest")
        .expect("a question");
    let question = asked["params"]["message"].as_str().unwrap();
    assert!(question.contains("Record deployment"), "{question}");
    assert!(question.contains("nothing is executed"), "{question}");
    let apply = c
        .wait_for(|m| m["method"] == "workspace/applyEdit")
        .expect("an applyEdit request");
    let ops = apply["params"]["edit"]["documentChanges"]
        .as_array()
        .unwrap();
    assert_eq!(ops[0]["kind"], "create");
    assert!(ops[0]["uri"].as_str().unwrap().ends_with("/status.md"));
    let content = ops[1]["edits"][0]["newText"].as_str().unwrap();
    let stamp = content
        .lines()
        .find_map(|l| l.strip_prefix("- Last Deploy: "))
        .unwrap();
    assert!(plan_lsp::schema::values::is_rfc3339(stamp), "{stamp}");
    assert!(
        content.starts_with("## Deployment State\n- Environment: production\n- Last Deploy: "),
        "{content}"
    );
    assert!(
        content.contains("- Status: deployed\n- Version: v2.0.0\n"),
        "{content}"
    );

    // an open status.md is edited in place, with the status chosen
    let status = dir.path().join("status.md");
    let status_text = "## Deployment State\n- Environment: staging\n- Last Deploy: 2026-01-01T00:00:00Z\n- Status: deployed\n- Version: v1.0.0\n";
    std::fs::write(&status, status_text).unwrap();
    let status_uri = file_uri(&status);
    c.open(&status_uri, status_text);
    c.answer = Some("Record failed".into());
    command(&mut c, "plan-lsp.deploy", json!([plan_uri]));
    let apply = c
        .wait_for(|m| m["method"] == "workspace/applyEdit")
        .expect("an applyEdit request");
    let change = &apply["params"]["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["uri"], status_uri.as_str());
    let edited = apply_edits(status_text, change["edits"].as_array().unwrap(), "utf-16");
    assert!(
        edited.starts_with("## Deployment State\n- Environment: production\n- Last Deploy: 20"),
        "{edited}"
    );
    assert!(
        edited.ends_with("- Status: failed\n- Version: v1.0.0\n"),
        "{edited}"
    );

    // dismissing the question records nothing
    c.answer = None;
    command(&mut c, "plan-lsp.deploy", json!([plan_uri]));
    let late: Vec<Value> = c
        .drain(std::time::Duration::from_millis(500))
        .into_iter()
        .filter(|m| m["method"] == "workspace/applyEdit")
        .collect();
    assert!(late.is_empty(), "{late:?}");

    // a plan with errors: refused, the errors named
    let broken = read(&plan).replace("- Strategy: Blue-Green", "- Strategy: Sideways");
    c.change(&plan_uri, 3, json!([{"text": broken}]));
    let result = command(&mut c, "plan-lsp.deploy", json!([plan_uri]));
    let reason = result["refused"].as_str().expect("refused");
    assert!(
        reason.contains("1 error") && reason.contains("`Sideways` is not a valid Strategy"),
        "{reason}"
    );
}

#[test]
fn approve_and_show() {
    let text = read(&example("production/docs/deployment.md"))
        .replace("Risk: Medium  ", "Risk: High    ")
        .replace(
            "Recommendation: Proceed with Caution",
            "Recommendation: Proceed             ",
        );
    let uri = "file:///plans/docs/deployment.md";
    let mut c = Client::start(Caps::default());
    c.open(uri, &text);
    c.pushed(uri, 1);
    let shown = command(&mut c, "plan-lsp.show", json!([uri]));
    assert_eq!(shown["env"], "production");
    // a production deploy needs the approval still
    assert_eq!(shown["ready_for_production"], false, "{shown}");
    assert_eq!(shown["blockers"], json!(["not approved"]), "{shown}");
    // the whole summary, a line for each fact, for the editor to show
    let summary = shown["text"].as_str().unwrap();
    assert!(summary.lines().count() >= 4, "{summary}");
    assert!(summary.contains("\nPre-Deployment: 5/5\n"), "{summary}");
    let message = c.wait_for(|m| m["method"] == "window/showMessage").unwrap();
    assert!(
        message["params"]["message"]
            .as_str()
            .unwrap()
            .contains("Pre-Deployment 5/5")
    );
    let approval = command(&mut c, "plan-lsp.approve", json!([uri]));
    let apply = c
        .wait_for(|m| m["method"] == "workspace/applyEdit")
        .expect("applyEdit");
    // once applied, the approval is reported in words
    let said = approval["message"].as_str().unwrap().to_string();
    assert!(
        said.starts_with("approved: Recommendation Proceed with Caution, Approved 20"),
        "{said}"
    );
    let told = c
        .wait_for(|m| {
            m["method"] == "window/showMessage"
                && m["params"]["message"]
                    .as_str()
                    .is_some_and(|t| t.contains(&said))
        })
        .expect("the approval shown");
    assert_eq!(told["params"]["type"], 3);
    let edits = apply["params"]["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .unwrap()
        .clone();
    let approved = apply_edits(&text, &edits, "utf-16");
    assert!(
        approved.contains(
            "│ Recommendation: Proceed with Caution                       │\n│ Approved: 20"
        ),
        "{approved}"
    );
    let widths: Vec<usize> = approved
        .lines()
        .filter(|l| l.starts_with('│'))
        .map(|l| l.chars().count())
        .collect();
    assert!(widths.windows(2).all(|w| w[0] == w[1]), "{approved}");
}

fn lens_titles(c: &mut Client, uri: &str) -> Vec<String> {
    let r = c.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn code_lens_counts_follow_the_checkboxes() {
    let text = read(&example("staging/docs/deployment.md"));
    let uri = "file:///plans/docs/deployment.md";
    let mut c = Client::start(Caps::default());
    c.open(uri, &text);
    let titles = lens_titles(&mut c, uri);
    assert_eq!(
        titles,
        [
            "Show",
            "Approve",
            "Record deployment",
            "Record rollback",
            "Pre-Deployment 3/5",
            "Post-Deployment 0/4",
            "Exit Criteria 0/4"
        ]
    );
    let at = position_of(&text, "- [ ] Dependencies updated", 3, "utf-16");
    let end = json!({"line": at["line"], "character": 4});
    c.change(
        uri,
        2,
        json!([{"range": {"start": at, "end": end}, "text": "x"}]),
    );
    assert!(lens_titles(&mut c, uri).contains(&"Pre-Deployment 4/5".to_string()));
    let lens = c.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(lens["result"][0]["command"]["command"], "plan-lsp.show");
    assert_eq!(lens["result"][0]["command"]["arguments"][0], uri);
}

#[test]
fn code_lens_counts_against_the_template_and_are_refreshed() {
    let text = read(&example("staging/docs/deployment.md"));
    let text = text.replace("- [ ] Rollback tested\n", "");
    let uri = "file:///plans/docs/deployment.md";
    let mut c = Client::start(Caps {
        lens_refresh: true,
        ..Caps::default()
    });
    let refresh = |m: &Value| m["method"] == "workspace/codeLens/refresh";
    c.open(uri, &text);
    assert!(
        c.wait_for(refresh).is_some(),
        "no refresh after the analysis"
    );
    assert!(lens_titles(&mut c, uri).contains(&"Pre-Deployment 3/5 — 1 missing".to_string()));
    // an edit that changes no count: no refresh
    let at = position_of(&text, "## Date: ", "## Date: ".len(), "utf-16");
    c.change(
        uri,
        2,
        json!([{"range": {"start": at, "end": at}, "text": " "}]),
    );
    c.pushed(uri, 2);
    assert!(
        !c.drain(std::time::Duration::from_millis(300))
            .iter()
            .any(refresh),
        "a refresh although no lens changed"
    );
    // checking an item changes a count: a refresh, then the new count
    let at = position_of(&text, "- [ ] Dependencies updated", 3, "utf-16");
    let end = json!({"line": at["line"], "character": 4});
    c.change(
        uri,
        3,
        json!([{"range": {"start": at, "end": end}, "text": "x"}]),
    );
    assert!(
        c.wait_for(refresh).is_some(),
        "no refresh after a count changed"
    );
    assert!(lens_titles(&mut c, uri).contains(&"Pre-Deployment 4/5 — 1 missing".to_string()));
}

#[test]
fn symbols_folding_and_links() {
    let text = read(&example("production/docs/deployment.md"));
    let uri = "file:///plans/docs/deployment.md";
    let mut c = Client::start(Caps::default());
    c.open(uri, &text);
    let r = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let root = &r["result"][0];
    assert_eq!(root["name"], "Deployment Plan");
    let names: Vec<&str> = root["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names[..4],
        [
            "Environment: production",
            "Date: 2026-12-03",
            "Decision Validation",
            "Infrastructure"
        ]
    );
    let hosting = &root["children"][3]["children"][0];
    assert_eq!(hosting["children"][0]["name"], "Provider");
    assert_eq!(hosting["children"][0]["detail"], "AWS");
    let folds = c.request(
        "textDocument/foldingRange",
        json!({"textDocument": {"uri": uri}}),
    );
    let folds = folds["result"].as_array().unwrap();
    // the box: from its opening fence to its closing fence
    assert!(
        folds
            .iter()
            .any(|f| f["startLine"] == 7 && f["endLine"] == 26),
        "{folds:?}"
    );
    let links = c.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": uri}}),
    );
    let targets: Vec<&str> = links["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            "https://api.example.com/healthz",
            "https://grafana.example.com/d/deploy",
            "https://grafana.example.com/d/slo"
        ]
    );
}

#[test]
fn formatting_aligns_the_box_and_is_idempotent() {
    let text = read(&example("production/docs/deployment.md"))
        .replace(
            "Mitigations: vault-managed secrets, per-tenant quotas    │",
            "Mitigations: 密钥由 vault 管理 🚀 │",
        )
        .replace("- [x] All tests pass", "- [X] All tests pass");
    let uri = "file:///plans/docs/deployment.md";
    let mut c = Client::start(Caps::default());
    c.open(uri, &text);
    let format = |c: &mut Client| {
        let r = c.request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
        );
        r["result"].as_array().cloned().unwrap_or_default()
    };
    let edits = format(&mut c);
    let once = apply_edits(&text, &edits, "utf-16");
    use unicode_width::UnicodeWidthStr;
    let widths: Vec<usize> = once
        .lines()
        .filter(|l| l.starts_with(['┌', '│', '├', '└']))
        .map(|l| l.width())
        .collect();
    assert!(widths.windows(2).all(|w| w[0] == w[1]), "{once}");
    assert!(once.contains("- [x] All tests pass"));
    c.change(uri, 2, json!([{"text": once}]));
    assert!(
        format(&mut c).is_empty(),
        "formatting twice changes nothing"
    );
}

#[test]
fn fmt_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("deployment.md");
    let text =
        read(&example("production/docs/deployment.md")).replace("Risk: Medium  ", "Risk: Medium");
    std::fs::write(&plan, &text).unwrap();
    let run = |args: &[&str]| {
        Command::new(binary())
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    let o = run(&["fmt", "--check", "deployment.md"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(read(&plan), text);
    assert_eq!(run(&["fmt", "deployment.md"]).status.code(), Some(0));
    assert_eq!(read(&plan), read(&example("production/docs/deployment.md")));
    assert_eq!(
        run(&["fmt", "--check", "deployment.md"]).status.code(),
        Some(0)
    );
}
