//! No output ever carries a secret the `plaintext-secret` scan flags: a plan
//! full of secrets, and every byte the server sends for it (notifications,
//! responses, its requests to the client) over a sweep of requests at
//! every line, and every CLI output for it.

mod common;

use std::process::Command;

use common::*;
use serde_json::json;

/// Each a distinct credential the scan recognises.
const SECRETS: &[&str] = &[
    "AKIAIOSFODNN7EXAMPLE",
    "s3cr3tPassw0rd99",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "xoxb-1234567890-abcdefghijklmnop",
    "Hunter2Secret!x9",
    "AKIAJ7QWERTYUIOP1234",
    "ghp_zyxwvutsrqponmlkjihgfedcba9876543210",
];

fn plan() -> String {
    let [aws, url_password, github, slack, password, aws2, github2] = SECRETS else {
        unreachable!()
    };
    format!(
        "# Deployment Plan\n\n## Environment: production\n## Date: 2026-11-26\n\n## Decision Validation\n\n```\n┌──────────────────────────────────────────────┐\n│ Environment: production                      │\n│ Mitigations: password={password} │\n│ Risk: High                                   │\n│ Recommendation: Proceed                      │\n└──────────────────────────────────────────────┘\n```\n\n## Infrastructure\n\n### Hosting\n- Provider: aws\n- Region: eu-west-1\n- Services: ECS\n\n### Environment Configuration\n- Variables: DB_URL\n- Secrets: {aws}\n- Token: {slack}\n\n## Deployment Strategy\n\n### Production\n- Strategy: {aws2}\n- Steps: all at once\n- Rollback: previous task set\n\n## Monitoring\n\n### Health Checks\n- Endpoint: https://app:{url_password}@api.example.com/healthz\n- Frequency: 30s\n- Conditions: token={github}\n\n## Notes for {slack}\n\nSee the runbook.\n\n## Deployment Checklist\n\n### Pre-Deployment\n- [X] All tests pass\n- [ ] Rotate {github2}\n"
    )
}

fn assert_no_secret(what: &str, output: &str) {
    for secret in SECRETS {
        assert!(
            !output.contains(secret),
            "{what} carries the secret {secret}:\n{output}"
        );
    }
}

#[test]
fn the_server_never_sends_a_secret() {
    let text = plan();
    let uri = "file:///tmp/plan-lsp-secrets/docs/deployment.md";
    let mut c = Client::start(Caps {
        pull: false,
        lens_refresh: true,
        progress: true,
        ..Caps::default()
    });
    c.answer = None;
    c.open(uri, &text);
    let diagnostics = c.pushed(uri, 1);
    // the scan found every secret (else the test proves nothing)
    let flagged = diagnostics
        .iter()
        .filter(|d| d["code"] == "plaintext-secret")
        .count();
    assert!(
        flagged >= SECRETS.len(),
        "{flagged} secrets flagged: {diagnostics:?}"
    );
    let mut sent = serde_json::to_string(&diagnostics).unwrap();
    let doc = json!({"uri": uri});
    for method in [
        "textDocument/documentSymbol",
        "textDocument/documentLink",
        "textDocument/codeLens",
        "textDocument/foldingRange",
    ] {
        sent.push_str(&c.request(method, json!({"textDocument": doc})).to_string());
    }
    sent.push_str(
        &c.request(
            "textDocument/formatting",
            json!({"textDocument": doc, "options": {"tabSize": 4, "insertSpaces": true}}),
        )
        .to_string(),
    );
    let lines: Vec<&str> = text.lines().collect();
    for (n, line) in lines.iter().enumerate() {
        let width = line.encode_utf16().count();
        let mut columns = vec![0, width / 2, width];
        for secret in SECRETS {
            if let Some(at) = line.find(secret) {
                columns.push(line[..at + 2].encode_utf16().count());
            }
        }
        for character in columns {
            let at = json!({"line": n, "character": character});
            for method in ["textDocument/hover", "textDocument/completion"] {
                sent.push_str(
                    &c.request(method, json!({"textDocument": doc, "position": at}))
                        .to_string(),
                );
            }
        }
        let range =
            json!({"start": {"line": n, "character": 0}, "end": {"line": n, "character": width}});
        sent.push_str(
            &c.request(
                "textDocument/codeAction",
                json!({"textDocument": doc, "range": range, "context": {"diagnostics": diagnostics}}),
            )
            .to_string(),
        );
    }
    for command in ["plan-lsp.show", "plan-lsp.approve", "plan-lsp.deploy"] {
        sent.push_str(
            &c.request(
                "workspace/executeCommand",
                json!({"command": command, "arguments": [uri]}),
            )
            .to_string(),
        );
    }
    // everything else the server sent meanwhile: messages, logs, requests
    for m in c.drain(std::time::Duration::from_millis(500)) {
        sent.push_str(&m.to_string());
    }
    assert_no_secret("what the server sent", &sent);
}

#[test]
fn no_cli_output_carries_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("docs")).unwrap();
    let path = dir.path().join("docs/deployment.md");
    std::fs::write(&path, plan()).unwrap();
    let run = |args: &[&str]| -> String {
        let out = Command::new(binary())
            .args(args)
            .current_dir(dir.path())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    let mut outputs: Vec<(String, String)> = Vec::new();
    for format in ["text", "json", "sarif", "github"] {
        outputs.push((
            format!("check --format {format}"),
            run(&["check", "--format", format, "docs/deployment.md"]),
        ));
    }
    outputs.push((
        "check --explain".into(),
        run(&["check", "--explain", "docs"]),
    ));
    outputs.push(("show".into(), run(&["show"])));
    outputs.push((
        "show --format json".into(),
        run(&["show", "--format", "json"]),
    ));
    outputs.push(("fix --dry-run".into(), run(&["fix", "--dry-run", "docs"])));
    outputs.push(("fmt --check".into(), run(&["fmt", "--check", "docs"])));
    outputs.push(("approve".into(), run(&["approve"])));
    outputs.push(("deploy".into(), run(&["deploy"])));
    for (what, output) in &outputs {
        assert_no_secret(what, output);
    }
    // the check did see them
    assert!(
        outputs[0].1.contains("plaintext-secret"),
        "{}",
        outputs[0].1
    );
}
