//! DEPLOY and ROLLBACK run for real (SPEC §11), through the real binary:
//! the editor's commands over stdio and the CLI, with a configured command
//! that succeeds, fails, times out, is cancelled or is declined; the gates;
//! values from the document that never reach a shell; and the editor and
//! the CLI writing the same status.md and record.

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};

/// A workspace with an approved production plan and `.plan-lsp.toml`.
struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new(config: &str) -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("docs")).unwrap();
        std::fs::write(dir.path().join(".plan-lsp.toml"), config).unwrap();
        let plan = dir.path().join("docs/deployment.md");
        std::fs::copy(example("production/docs/deployment.md"), &plan).unwrap();
        let ws = Workspace { dir };
        let out = ws.cli(&["approve"]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        ws
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn plan(&self) -> PathBuf {
        self.path("docs/deployment.md")
    }

    fn cli(&self, args: &[&str]) -> Command {
        let mut c = Command::new(binary());
        c.args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    /// A server for this workspace with the plan open, answering questions
    /// with `answer`.
    fn server(&self, answer: Option<&str>) -> (Client, String) {
        let mut c = Client::start(Caps {
            root: Some(self.dir.path().to_path_buf()),
            progress: true,
            ..Caps::default()
        });
        c.answer = answer.map(str::to_string);
        let uri = file_uri(&self.plan());
        c.open(&uri, &std::fs::read_to_string(self.plan()).unwrap());
        c.pushed(&uri, 1);
        (c, uri)
    }
}

fn command(c: &mut Client, command: &str, args: Value) -> Value {
    let r = c.request(
        "workspace/executeCommand",
        json!({"command": command, "arguments": args}),
    );
    assert!(r.get("error").is_none(), "{r}");
    r["result"].clone()
}

/// The status.md a server's applyEdit creates (or the edited text).
fn status_written(c: &mut Client) -> String {
    let apply = c
        .wait_for(|m| m["method"] == "workspace/applyEdit")
        .expect("status.md written through workspace/applyEdit");
    let ops = apply["params"]["edit"]["documentChanges"].as_array();
    match ops {
        Some(ops) if ops[0]["kind"] == "create" => {
            ops[1]["edits"][0]["newText"].as_str().unwrap().to_string()
        }
        _ => panic!("expected status.md to be created: {apply}"),
    }
}

fn field<'a>(status: &'a str, key: &str) -> &'a str {
    status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("- {key}: ")))
        .unwrap_or_else(|| panic!("no {key} in\n{status}"))
}

/// A shown message whose text contains `needle`.
fn told(c: &mut Client, needle: &str) -> Value {
    c.wait_for(|m| {
        m["method"] == "window/showMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|t| t.contains(needle))
    })
    .unwrap_or_else(|| panic!("no message saying {needle:?}"))
}

#[test]
fn a_confirmed_command_runs_with_progress_and_records_deployed() {
    let ws = Workspace::new(
        "[deploy]\ncommand = [\"sh\", \"-c\", \"echo start; echo \\\"$PLAN_ENV $PLAN_VERSION\\\" > ran.txt; echo done\"]\n",
    );
    let (mut c, uri) = ws.server(Some("Deploy"));
    let lens = c.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    let titles: Vec<&str> = lens["result"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["command"]["title"].as_str())
        .collect();
    assert!(
        titles.iter().any(
            |t| t.starts_with("Deploy to production: sh -c 'echo start; ") && t.ends_with('…')
        ),
        "{titles:?}"
    );
    let started = command(&mut c, "plan-lsp.deploy", json!([uri, {"version": "v9"}]));
    assert_eq!(started["started"], true, "{started}");
    let asked = c
        .wait_for(|m| m["method"] == "window/showMessageRequest")
        .expect("a confirmation");
    let question = asked["params"]["message"].as_str().unwrap();
    assert!(
        question.contains("Deploy to production: run `sh -c"),
        "{question}"
    );
    assert!(question.contains("PLAN_ENV=production"), "{question}");
    assert!(question.contains("PLAN_VERSION=v9"), "{question}");
    let created = c
        .wait_for(|m| m["method"] == "window/workDoneProgress/create")
        .expect("a progress token");
    let token = created["params"]["token"].clone();
    let begin = c
        .wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin")
        .unwrap();
    assert_eq!(begin["params"]["token"], token);
    assert_eq!(begin["params"]["value"]["cancellable"], true);
    assert_eq!(begin["params"]["value"]["title"], "Deploy to production");
    for line in ["start", "done"] {
        c.wait_for(|m| m["method"] == "window/logMessage" && m["params"]["message"] == line)
            .unwrap_or_else(|| panic!("the output line {line:?} logged"));
    }
    c.wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
        .expect("the progress ended");
    let status = status_written(&mut c);
    assert_eq!(field(&status, "Status"), "deployed");
    assert_eq!(field(&status, "Version"), "v9");
    assert!(plan_lsp::schema::values::is_rfc3339(field(
        &status,
        "Last Deploy"
    )));
    let done = told(&mut c, "Deploy to production (version v9) succeeded;");
    assert_eq!(done["params"]["type"], 3, "{done}");
    assert!(
        done["params"]["message"]
            .as_str()
            .unwrap()
            .ends_with("status.md records deployed"),
        "{done}"
    );
    assert_eq!(
        std::fs::read_to_string(ws.path("ran.txt")).unwrap(),
        "production v9\n"
    );
}

#[test]
fn a_failing_command_records_failed_and_says_so() {
    let ws = Workspace::new("[deploy]\ncommand = [\"sh\", \"-c\", \"echo boom >&2; exit 3\"]\n");
    let (mut c, uri) = ws.server(Some("Deploy"));
    command(&mut c, "plan-lsp.deploy", json!([uri]));
    let error = told(&mut c, "failed");
    assert_eq!(error["params"]["type"], 1, "an error message: {error}");
    assert!(
        error["params"]["message"]
            .as_str()
            .unwrap()
            .contains("exited with status 3"),
        "{error}"
    );
    assert_eq!(field(&status_written(&mut c), "Status"), "failed");
}

#[test]
fn a_command_past_its_timeout_is_ended_and_records_failed() {
    let ws = Workspace::new("[deploy]\ncommand = [\"sleep\", \"30\"]\ntimeout = \"1s\"\n");
    let (mut c, uri) = ws.server(Some("Deploy"));
    let started = Instant::now();
    command(&mut c, "plan-lsp.deploy", json!([uri]));
    told(&mut c, "timed out after 1s");
    assert_eq!(field(&status_written(&mut c), "Status"), "failed");
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[test]
fn cancelling_the_progress_ends_the_whole_group_and_records_failed() {
    let ws = Workspace::new(
        "[deploy]\ncommand = [\"sh\", \"-c\", \"(sleep 3; touch late) & sleep 30; touch finished\"]\n",
    );
    let (mut c, uri) = ws.server(Some("Deploy"));
    command(&mut c, "plan-lsp.deploy", json!([uri]));
    let begin = c
        .wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin")
        .expect("progress");
    // the server keeps answering while it runs
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 3}}),
    );
    assert!(hover["result"]["contents"]["value"].is_string(), "{hover}");
    // a second deploy while this one runs is refused
    let again = command(&mut c, "plan-lsp.deploy", json!([uri]));
    assert!(
        again["refused"]
            .as_str()
            .is_some_and(|r| r.contains("already running")),
        "{again}"
    );
    c.notify(
        "window/workDoneProgress/cancel",
        json!({"token": begin["params"]["token"]}),
    );
    told(&mut c, "was cancelled");
    assert_eq!(field(&status_written(&mut c), "Status"), "failed");
    std::thread::sleep(Duration::from_secs(4));
    assert!(
        !ws.path("late").exists(),
        "a child outlived the cancelled run"
    );
    assert!(!ws.path("finished").exists());
}

#[test]
fn declining_runs_nothing_and_writes_nothing() {
    let ws = Workspace::new("[deploy]\ncommand = [\"touch\", \"ran\"]\n");
    let (mut c, uri) = ws.server(Some("Cancel"));
    command(&mut c, "plan-lsp.deploy", json!([uri]));
    c.wait_for(|m| m["method"] == "window/showMessageRequest")
        .expect("a confirmation");
    let later = c.drain(Duration::from_millis(800));
    assert!(
        !later.iter().any(|m| m["method"] == "workspace/applyEdit"),
        "{later:?}"
    );
    assert!(!ws.path("ran").exists());
    assert!(!ws.path("status.md").exists());
}

#[test]
fn rollback_records_rolledback() {
    let ws = Workspace::new("[rollback]\ncommand = [\"sh\", \"-c\", \"echo rolling back\"]\n");
    // rollback has no gates: an unapproved plan may still be rolled back
    std::fs::copy(example("production/docs/deployment.md"), ws.plan()).unwrap();
    let (mut c, uri) = ws.server(Some("Roll back"));
    command(&mut c, "plan-lsp.rollback", json!([uri]));
    assert_eq!(field(&status_written(&mut c), "Status"), "rolledback");
}

#[test]
fn document_values_never_reach_a_shell() {
    let ws = Workspace::new(
        "[deploy]\ncommand = [\"sh\", \"-c\", \"echo \\\"[$PLAN_VERSION] [$PLAN_STRATEGY]\\\" > seen.txt\"]\n",
    );
    // the version recorded in status.md, and a strategy note, are hostile
    std::fs::write(
        ws.path("status.md"),
        "## Deployment State\n- Environment: production\n- Last Deploy: 2026-11-26T09:30:00Z\n- Status: deployed\n- Version: 1.0; touch PWNED\n",
    )
    .unwrap();
    let plan = std::fs::read_to_string(ws.plan()).unwrap().replacen(
        "- Strategy: Blue-Green",
        "- Strategy: Blue-Green ($(touch PWNED2))",
        1,
    );
    std::fs::write(ws.plan(), plan).unwrap();
    let out = ws.cli(&["deploy", "--yes"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!ws.path("PWNED").exists() && !ws.path("PWNED2").exists());
    assert_eq!(
        std::fs::read_to_string(ws.path("seen.txt")).unwrap(),
        "[1.0; touch PWNED] [Blue-Green]\n"
    );
    // and through --version
    let out = ws
        .cli(&["deploy", "--yes", "--version", "$(touch PWNED3)"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!ws.path("PWNED3").exists());
}

#[test]
fn the_cli_asks_or_refuses_and_exits_by_the_outcome() {
    let ws = Workspace::new("[deploy]\ncommand = [\"sh\", \"-c\", \"touch ran; exit $FAIL\"]\n");
    // without a terminal and without --yes: refused, nothing runs
    let out = ws.cli(&["deploy"]).env("FAIL", "0").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("pass --yes"), "{said}");
    assert!(!ws.path("ran").exists());
    // --yes: it runs, status.md says deployed, exit 0
    let out = ws
        .cli(&["deploy", "--yes"])
        .env("FAIL", "0")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = std::fs::read_to_string(ws.path("status.md")).unwrap();
    assert_eq!(field(&status, "Status"), "deployed");
    // a failing command: failed, exit 1
    let out = ws
        .cli(&["deploy", "--yes"])
        .env("FAIL", "4")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let status = std::fs::read_to_string(ws.path("status.md")).unwrap();
    assert_eq!(field(&status, "Status"), "failed");
    // a gate: with an error in the plan, refused naming it
    let broken = std::fs::read_to_string(ws.plan())
        .unwrap()
        .replace("- Strategy: Blue-Green", "- Strategy: Sideways");
    std::fs::write(ws.plan(), broken).unwrap();
    let out = ws.cli(&["deploy", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("cannot deploy: 1 error"), "{said}");
}

/// A text with its RFC 3339 times replaced, to compare two runs.
fn without_times(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|l| {
            let words: Vec<&str> = l.split(' ').collect();
            words
                .iter()
                .map(|w| {
                    if plan_lsp::schema::values::is_rfc3339(w.trim_end_matches(['\n', '│'])) {
                        "TIME".to_string()
                    } else {
                        w.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[test]
fn the_editor_and_the_cli_write_the_same_record_and_status() {
    let config = "[deploy]\ncommand = [\"true\"]\n";
    let by_cli = Workspace::new(config);
    let out = by_cli
        .cli(&["deploy", "--yes", "--version", "v3"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let by_editor = Workspace::new(config);
    std::fs::copy(example("production/docs/deployment.md"), by_editor.plan()).unwrap();
    let (mut c, uri) = by_editor.server(Some("Deploy"));
    let text = std::fs::read_to_string(by_editor.plan()).unwrap();
    command(&mut c, "plan-lsp.approve", json!([uri]));
    let apply = c
        .wait_for(|m| m["method"] == "workspace/applyEdit")
        .expect("the approval's edit");
    let approved = apply_edits(&text, &action_edits(&apply["params"]), "utf-16");
    assert_eq!(
        without_times(&approved),
        without_times(&std::fs::read_to_string(by_cli.plan()).unwrap()),
        "the record the editor's approve writes differs from the CLI's"
    );
    c.change(&uri, 2, json!([{"text": approved}]));
    c.pushed(&uri, 2);
    command(&mut c, "plan-lsp.deploy", json!([uri, {"version": "v3"}]));
    let status = status_written(&mut c);
    assert_eq!(
        without_times(&status),
        without_times(&std::fs::read_to_string(by_cli.path("status.md")).unwrap()),
        "status.md differs between the editor and the CLI"
    );
}

#[test]
fn each_gate_is_named_in_the_refusal() {
    let ws = Workspace::new("[deploy]\ncommand = [\"touch\", \"ran\"]\n");
    // unapproved, an unchecked Pre-Deployment item, and an error
    std::fs::copy(example("production/docs/deployment.md"), ws.plan()).unwrap();
    let text = std::fs::read_to_string(ws.plan())
        .unwrap()
        .replacen("- [x] Rollback tested", "- [ ] Rollback tested", 1)
        .replace("- Strategy: Blue-Green", "- Strategy: Sideways");
    std::fs::write(ws.plan(), &text).unwrap();
    let (mut c, uri) = ws.server(Some("Deploy"));
    let refused = command(&mut c, "plan-lsp.deploy", json!([uri]));
    let reason = refused["refused"].as_str().expect("refused");
    for gate in [
        "1 error",
        "not approved",
        "1 of 5 Pre-Deployment items unchecked",
    ] {
        assert!(reason.contains(gate), "{gate:?} missing from {reason}");
    }
    let out = ws.cli(&["deploy", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not approved"));
    assert!(!ws.path("ran").exists());
}

#[test]
fn show_on_the_command_line_is_the_editors_show() {
    let ws = Workspace::new("");
    let (mut c, uri) = ws.server(None);
    let editor = command(&mut c, "plan-lsp.show", json!([uri]));
    let out = ws.cli(&["show", "--format", "json"]).output().unwrap();
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(cli, editor);
    let text = ws.cli(&["show"]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&text.stdout).trim_end(),
        editor["text"].as_str().unwrap()
    );
}

#[test]
fn no_command_outlives_the_server() {
    let ws = Workspace::new(
        "[deploy]\ncommand = [\"sh\", \"-c\", \"echo $$ > pid; sleep 30; touch finished\"]\n",
    );
    let (mut c, uri) = ws.server(Some("Deploy"));
    command(&mut c, "plan-lsp.deploy", json!([uri]));
    c.wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin")
        .expect("the command started");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ws.path("pid").exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = std::fs::read_to_string(ws.path("pid")).unwrap();
    let status = c.shutdown_and_exit();
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(500));
    let alive = Command::new("kill")
        .args(["-0", pid.trim()])
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success();
    assert!(
        !alive,
        "the command (pid {}) outlived the server",
        pid.trim()
    );
}
