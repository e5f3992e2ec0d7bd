//! Code actions over stdio with the real binary: `source.fixAll.plan-lsp`
//! gives exactly what `plan-lsp fix` writes, on every shipped plan; a menu
//! lists each title once.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Caps, Client, action_edits, apply_edits, binary, file_uri, position_of};
use serde_json::{Value, json};

/// Every plan the repository ships or tests with, and a few more that need
/// several rounds of fixes (three missing checklist items, fixes that
/// overlap).
fn plans() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["examples", "tests/fixtures"] {
        for entry in walk(&root.join(dir)) {
            if entry.extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(&entry).unwrap();
                out.push((entry.strip_prefix(root).unwrap().to_path_buf(), text));
            }
        }
    }
    let three_missing = "# Deployment Plan\n\n## Environment: staging\n## Date: 2026-11-26\n\n## Deployment Checklist\n\n### Pre-Deployment\n- [x] All tests pass\n- [ ] Rollback tested\n\n### Post-Deployment\n- [ ] health checks passing\n- [ ] Monitoring active\n- [X] No errors in logs\n- [ ] Key metrics normal\n";
    out.push((
        "more/three-missing/docs/deployment.md".into(),
        three_missing.into(),
    ));
    let aliases = "# Deployment Plan\n\n## Environment: prod\n## Date: 2026-11-26\n\n## Infrastructure\n\n### Hosting\n- Provider: aws\n- Region: eu-west-1\n- Services: ecs\n\n## Deployment Strategy\n\n### Production\n- Strategy: blue/green\n- Steps: all at once\n- Rollback: previous task\n\n## Deployment Checklist\n\n### Post-Deployment\n- [ ] Health checks passing\n";
    out.push(("more/aliases/docs/deployment.md".into(), aliases.into()));
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Writes every plan under `root`, as the repository holds them.
fn write_all(root: &Path, plans: &[(PathBuf, String)]) {
    for (path, text) in plans {
        let at = root.join(path);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::fs::write(at, text).unwrap();
    }
}

#[test]
fn fix_all_is_what_plan_lsp_fix_writes() {
    let plans = plans();
    let cli_root = tempfile::tempdir().unwrap();
    write_all(cli_root.path(), &plans);
    let server_root = tempfile::tempdir().unwrap();
    write_all(server_root.path(), &plans);
    let mut c = Client::start(Caps {
        root: Some(server_root.path().to_path_buf()),
        ..Caps::default()
    });
    let mut several_rounds = false;
    let mut changed = 0;
    for (path, text) in &plans {
        let status = Command::new(binary())
            .arg("fix")
            .arg(path)
            .current_dir(cli_root.path())
            .output()
            .unwrap();
        assert!(
            status.status.code().unwrap_or(2) < 2,
            "plan-lsp fix {path:?}"
        );
        let expected = std::fs::read_to_string(cli_root.path().join(path)).unwrap();

        let uri = file_uri(&server_root.path().join(path));
        c.open(&uri, text);
        let end = position_of(text, "", text.len(), "utf-16");
        let r = c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri},
                   "range": {"start": {"line": 0, "character": 0}, "end": end},
                   "context": {"diagnostics": [], "only": ["source.fixAll.plan-lsp"]}}),
        );
        let actions = r["result"].as_array().cloned().unwrap_or_default();
        let got = match actions.as_slice() {
            [] => text.clone(),
            [fix_all] => apply_edits(text, &action_edits(fix_all), "utf-16"),
            more => panic!("{} fix-all actions for {path:?}", more.len()),
        };
        assert_eq!(
            got, expected,
            "fix-all and `plan-lsp fix` differ on {path:?}"
        );
        changed += usize::from(got != *text);
        if path.ends_with("three-missing/docs/deployment.md") {
            for item in [
                "Security scan clean",
                "Dependencies updated",
                "Database migrations prepared",
            ] {
                assert!(got.contains(&format!("- [ ] {item}\n")), "{item} in\n{got}");
            }
            several_rounds = true;
        }
    }
    assert!(several_rounds);
    assert!(changed >= 2, "only {changed} plans had safe fixes");
}

fn titles(c: &mut Client, uri: &str, text: &str, line_of: &str) -> Vec<(String, Value)> {
    let at = position_of(text, line_of, 0, "utf-16");
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": at, "end": at},
               "context": {"diagnostics": []}}),
    );
    r["result"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|a| (a["title"].as_str().unwrap().to_string(), a))
        .collect()
}

fn assert_once_each(menu: &[(String, Value)]) {
    for (i, (title, a)) in menu.iter().enumerate() {
        assert!(
            menu[..i].iter().all(|(t, _)| t != title),
            "{title:?} listed twice: {:?}",
            menu.iter().map(|(t, _)| t).collect::<Vec<_>>()
        );
        assert!(
            menu[..i]
                .iter()
                .all(|(_, b)| action_edits(b) != action_edits(a)),
            "{title:?} makes the same edit as another entry"
        );
    }
}

#[test]
fn each_title_once_in_a_menu() {
    let uri = "file:///tmp/plan-lsp-actions/docs/deployment.md";
    let production = String::from_utf8(
        Command::new(binary())
            .args(["new", "deployment", "--env", "production"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    // three missing items on one heading, an unchecked item, no record
    let text = production
        .replace("- [ ] Security scan clean\n", "")
        .replace("- [ ] Dependencies updated\n", "")
        .replace("- [ ] Database migrations prepared\n", "");
    let record_start = text.find("## Decision Validation").unwrap();
    let record_end = text.find("## Infrastructure").unwrap();
    let text = format!("{}{}", &text[..record_start], &text[record_end..]);
    let mut c = Client::start(Caps::default());
    c.open(uri, &text);

    let menu = titles(&mut c, uri, &text, "### Pre-Deployment");
    assert_once_each(&menu);
    let ignore = menu
        .iter()
        .find(|(t, _)| t == "Ignore missing-checklist-item on this line")
        .expect("the ignore action");
    assert_eq!(ignore.1["diagnostics"].as_array().map(Vec::len), Some(3));

    let menu = titles(&mut c, uri, &text, "# Deployment Plan");
    assert_once_each(&menu);
    let inserts = menu
        .iter()
        .filter(|(t, _)| t == "Insert Decision Validation record")
        .count();
    assert_eq!(inserts, 1, "{menu:?}");
    assert!(!menu.iter().any(|(t, _)| t == "Insert status sections"));

    let menu = titles(&mut c, uri, &text, "- [ ] All tests pass");
    assert_once_each(&menu);
    let names: Vec<&str> = menu.iter().map(|(t, _)| t.as_str()).collect();
    assert!(names.contains(&"Check `All tests pass`"), "{names:?}");
    assert!(!names.contains(&"Toggle checklist item"), "{names:?}");
}

#[test]
fn ignore_inside_the_box_says_it_covers_the_box() {
    let uri = "file:///tmp/plan-lsp-actions/docs/deployment.md";
    let text = String::from_utf8(
        Command::new(binary())
            .args(["new", "deployment", "--env", "production"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .replace("Risk: [Low|Medium|High]", "Risk: High              ")
    .replace(
        "Recommendation: [Proceed|Proceed with Caution]",
        "Recommendation: Proceed                       ",
    );
    let mut c = Client::start(Caps::default());
    c.open(uri, &text);
    let menu = titles(&mut c, uri, &text, "│ Recommendation: Proceed");
    let names: Vec<&str> = menu.iter().map(|(t, _)| t.as_str()).collect();
    assert!(
        names.contains(&"Ignore high-risk-proceed in the whole Decision Validation box"),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|t| t.ends_with("on this line")),
        "{names:?}"
    );
}
