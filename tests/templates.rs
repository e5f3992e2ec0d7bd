//! Document kinds read from templates (SPEC §10), driven as a user meets
//! them: a `.plan-lsp.toml` naming team templates, the real CLI, and the
//! real server over stdio.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{Caps, Client, file_uri, position_of, summary};
use serde_json::{Value, json};

const POSTMORTEM: &str = include_str!("fixtures/templates/postmortem.md");
const RELEASE: &str = include_str!("fixtures/templates/release-checklist.md");

const CONFIG: &str = r#"
[[kinds]]
name = "postmortem"
template = "templates/postmortem.md"
include = ["postmortems/**/*.md"]

[[kinds]]
name = "release"
template = "templates/release-checklist.md"
"#;

/// A document of the postmortem kind with one defect of each sort.
const INCIDENT: &str = "\
# Incident Postmortem

## Severity: SEV4
## Date: 2026-13-01

## Summary
- Impact: [who was affected]
- Duration: forever
- Colour: blue

## Follow-up
- [x] Owner assigned
";

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::create_dir_all(root.join("postmortems")).unwrap();
    std::fs::write(root.join("templates/postmortem.md"), POSTMORTEM).unwrap();
    std::fs::write(root.join("templates/release-checklist.md"), RELEASE).unwrap();
    std::fs::write(root.join(".plan-lsp.toml"), CONFIG).unwrap();
    std::fs::write(root.join("postmortems/db.md"), INCIDENT).unwrap();
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(common::binary())
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

/// `code line` per finding of `check --format json`.
fn findings(dir: &Path, file: &str) -> (Vec<String>, Output) {
    let out = run(dir, &["check", "--format", "json", file]);
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let found = json["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["code"].as_str().unwrap(),
                d["range"]["start"]["line"].as_u64().unwrap() + 1
            )
        })
        .collect();
    (found, out)
}

#[test]
fn a_team_template_gets_the_specs_codes_on_the_right_lines() {
    let dir = workspace();
    let (found, out) = findings(dir.path(), "postmortems/db.md");
    assert_eq!(
        found,
        [
            "missing-section 1",
            "invalid-value 3",
            "invalid-date 4",
            "placeholder 7",
            "invalid-duration 8",
            "unknown-field 9",
            "missing-checklist-item 11",
        ],
        "{}",
        text(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1));
    // targeted by its H1 too, without the include glob
    std::fs::write(dir.path().join("elsewhere.md"), INCIDENT).unwrap();
    assert_eq!(findings(dir.path(), "elsewhere.md").0.len(), 7);
    // and --explain names the kind and its template
    let out = run(dir.path(), &["check", "--explain", "elsewhere.md"]);
    let said = text(&out.stdout);
    assert!(
        said.contains("treated as a postmortem document (template ")
            && said.contains(
                "postmortem.md) because its first H1 (line 1) is `# Incident Postmortem`"
            ),
        "{said}"
    );
}

#[test]
fn new_prints_the_template_without_its_comments_and_templates_lists_the_kinds() {
    let dir = workspace();
    let out = run(dir.path(), &["new", "postmortem"]);
    assert_eq!(out.status.code(), Some(0));
    let printed = text(&out.stdout);
    assert!(!printed.contains("<!--"), "{printed}");
    assert!(
        printed.starts_with(
            "# Incident Postmortem\n\n## Severity: [SEV1|SEV2|SEV3]\n## Date: [date]\n"
        ),
        "{printed}"
    );
    assert!(
        printed.ends_with("- [ ] Owner assigned\n- [ ] Tickets filed\n"),
        "{printed}"
    );
    // a document made from it has only its placeholders to fill
    std::fs::write(dir.path().join("postmortems/new.md"), &printed).unwrap();
    let (found, _) = findings(dir.path(), "postmortems/new.md");
    assert!(
        found.iter().all(|f| f.starts_with("placeholder ")),
        "{found:?}"
    );

    let out = run(dir.path(), &["templates"]);
    let listed = text(&out.stdout);
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 4, "{listed}");
    assert!(
        lines[0].starts_with("postmortem")
            && lines[0].contains("# Incident Postmortem")
            && lines[0].ends_with("templates/postmortem.md"),
        "{listed}"
    );
    assert!(
        lines[1].starts_with("release") && lines[1].contains("# Release Checklist"),
        "{listed}"
    );
    assert!(
        lines[2].starts_with("deployment") && lines[2].ends_with("built-in"),
        "{listed}"
    );

    let out = run(
        dir.path(),
        &["templates", "check", "templates/release-checklist.md"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        "kind `release-checklist`, declared by `# Release Checklist` (templates/release-checklist.md)\n\
         ## Release\n  - Version: free text\n  - Channel: any value; suggested: stable, beta\n  - Rollback below > a percentage (1%, 0.5 %)\n\
         ## Sign-off\n  - [ ] Changelog written\n  - [ ] Artifacts signed\n"
    );
}

#[test]
fn a_malformed_template_is_reported_by_file_and_line_and_the_other_kinds_still_work() {
    let dir = workspace();
    std::fs::write(
        dir.path().join("templates/release-checklist.md"),
        "# Release Checklist\n\n## Release\n- Version: [version\n- : [x]\n",
    )
    .unwrap();
    let (found, out) = findings(dir.path(), "postmortems/db.md");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(found.len(), 7, "the postmortem kind still works: {found:?}");
    let said = text(&out.stderr);
    assert!(
        said.contains(
            "templates/release-checklist.md:4:12: error: this placeholder has no closing `]`"
        ),
        "{said}"
    );
    assert!(
        said.contains("release-checklist.md:5:3: error: a field line without a key"),
        "{said}"
    );
    let out = run(
        dir.path(),
        &["templates", "check", "templates/release-checklist.md"],
    );
    assert_eq!(out.status.code(), Some(2));
    // checked itself, the template gets the errors as findings
    let (found, _) = findings(dir.path(), "templates/release-checklist.md");
    assert_eq!(found, ["invalid-template 4", "invalid-template 5"]);
    // the built-in kinds too
    std::fs::create_dir_all(dir.path().join("docs")).unwrap();
    std::fs::copy(
        common::example("defects/docs/deployment.md"),
        dir.path().join("docs/deployment.md"),
    )
    .unwrap();
    let (found, out) = findings(dir.path(), "docs/deployment.md");
    assert_eq!(out.status.code(), Some(2));
    assert!(found.len() > 5, "{found:?}");
}

#[test]
fn a_copy_of_the_deployment_template_with_changes_replaces_the_built_in_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let built_in = text(&run(root, &["new", "deployment", "--env", "production"]).stdout);
    let changed = built_in
        .replace(
            "[PUBLIC|INTERNAL|CONFIDENTIAL]",
            "[PUBLIC|INTERNAL|CONFIDENTIAL|RESTRICTED]",
        )
        .replace(
            "## Deployment Strategy\n",
            "## Feature Flags\n- Flags: [list]\n\n## Deployment Strategy\n",
        );
    assert_ne!(changed, built_in);
    std::fs::write(root.join("team-deployment.md"), changed).unwrap();
    std::fs::create_dir_all(root.join("docs")).unwrap();
    let plan = std::fs::read_to_string(common::example("production/docs/deployment.md")).unwrap();
    let before = findings_in(root, &plan);
    std::fs::write(
        root.join(".plan-lsp.toml"),
        "[[kinds]]\nname = \"deployment\"\ntemplate = \"team-deployment.md\"\n",
    )
    .unwrap();
    // the unchanged plan: only the new section is missing
    let after = findings_in(root, &plan);
    assert_eq!(
        after,
        [vec!["missing-section 1".to_string()], before.clone()].concat()
    );
    // RESTRICTED is a data class now
    let restricted = plan.replacen(
        "Data Classification: CONFIDENTIAL",
        "Data Classification: RESTRICTED",
        1,
    );
    assert_ne!(restricted, plan, "the example has a CONFIDENTIAL record");
    let found = findings_in(root, &restricted);
    assert!(
        !found.iter().any(|f| f.starts_with("invalid-value")),
        "{found:?}"
    );
    // without the configuration it is not
    std::fs::remove_file(root.join(".plan-lsp.toml")).unwrap();
    let found = findings_in(root, &restricted);
    assert!(
        found.iter().any(|f| f.starts_with("invalid-value")),
        "{found:?}"
    );
}

#[test]
fn the_shipped_deployment_template_configured_as_deployment_changes_no_finding() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let shown = run(root, &["templates", "show", "deployment"]);
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    let template = text(&shown.stdout);
    assert!(
        template.contains("<!-- doc: "),
        "comments included: {template}"
    );
    std::fs::write(root.join("team-deployment.md"), &template).unwrap();
    std::fs::create_dir_all(root.join("docs")).unwrap();
    let json_of = |plan: &str| {
        std::fs::write(root.join("docs/deployment.md"), plan).unwrap();
        text(&run(root, &["check", "--format", "json", "docs/deployment.md"]).stdout)
    };
    for example in ["defects", "production", "staging"] {
        let plan =
            std::fs::read_to_string(common::example(&format!("{example}/docs/deployment.md")))
                .unwrap();
        let _ = std::fs::remove_file(root.join(".plan-lsp.toml"));
        let built_in = json_of(&plan);
        std::fs::write(
            root.join(".plan-lsp.toml"),
            "[[kinds]]\nname = \"deployment\"\ntemplate = \"team-deployment.md\"\n",
        )
        .unwrap();
        assert_eq!(json_of(&plan), built_in, "{example}");
        if example == "defects" {
            assert!(built_in.contains("\"code\""), "{built_in}");
        }
    }
    let listed = text(&run(root, &["templates"]).stdout);
    assert!(listed.contains("team-deployment.md"), "{listed}");
    let unknown = run(root, &["templates", "show", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("deployment"));
}

/// The hover's contents at `needle` (plus `delta` characters) in `text`.
fn hover_at(c: &mut Client, uri: &str, text: &str, needle: &str, delta: usize) -> String {
    let at = position_of(text, needle, delta, &c.encoding);
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": at}),
    );
    hover["result"]["contents"].to_string()
}

/// The code actions for `range`, given these diagnostics.
fn actions_at(c: &mut Client, uri: &str, range: Value, diagnostics: Value) -> Vec<Value> {
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": diagnostics}}),
    );
    actions["result"].as_array().cloned().unwrap_or_default()
}

fn findings_in(root: &Path, plan: &str) -> Vec<String> {
    std::fs::write(root.join("docs/deployment.md"), plan).unwrap();
    findings(root, "docs/deployment.md").0
}

#[test]
fn the_server_gives_a_team_kind_diagnostics_completion_hover_and_insert_actions() {
    let dir = workspace();
    let mut c = Client::start(Caps {
        root: Some(dir.path().to_path_buf()),
        ..Caps::default()
    });
    let uri = file_uri(&dir.path().join("postmortems/db.md"));
    c.open(&uri, INCIDENT);
    let d = c.pushed(&uri, 1);
    let mut lines: Vec<(String, u64)> = summary(&d)
        .into_iter()
        .map(|(code, line, _)| (code, line + 1))
        .collect();
    lines.sort_by_key(|(_, line)| *line);
    assert_eq!(
        lines,
        [
            ("missing-section".to_string(), 1),
            ("invalid-value".into(), 3),
            ("invalid-date".into(), 4),
            ("placeholder".into(), 7),
            ("invalid-duration".into(), 8),
            ("unknown-field".into(), 9),
            ("missing-checklist-item".into(), 11),
        ]
    );
    // enum completion after `Severity: `
    let at = position_of(INCIDENT, "SEV4", 0, &c.encoding);
    let items = c.completions(&uri, &at);
    let labels: Vec<&str> = items.iter().filter_map(|i| i["label"].as_str()).collect();
    assert!(
        ["SEV1", "SEV2", "SEV3"].iter().all(|l| labels.contains(l)),
        "{labels:?}"
    );
    // hover from <!-- doc: -->
    let shown = hover_at(&mut c, &uri, INCIDENT, "Impact", 2);
    assert!(
        shown.contains("Users, systems and the time they were affected."),
        "{shown}"
    );
    // on the H1: the kind, its template, and no environment it does not have
    let shown = hover_at(&mut c, &uri, INCIDENT, "Incident", 0);
    assert!(
        shown.contains("Checked as a postmortem document (template `")
            && shown.contains("postmortem.md`): its first H1 (line 1) is `# Incident Postmortem`"),
        "{shown}"
    );
    assert!(
        shown.contains("What happened, why, and what we change."),
        "{shown}"
    );
    assert!(!shown.contains("Environment"), "{shown}");
    // symbols, folding ranges and the checklist's lens
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let listed = symbols["result"].to_string();
    assert!(
        ["Severity", "Summary", "Impact", "Follow-up"]
            .iter()
            .all(|n| listed.contains(n)),
        "{listed}"
    );
    let folds = c.request(
        "textDocument/foldingRange",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(
        folds["result"].as_array().is_some_and(|f| f.len() >= 2),
        "{folds}"
    );
    let lenses = c.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    let lensed = lenses["result"].to_string();
    assert!(lensed.contains("Follow-up 1/2"), "{lensed}");
    // the insert action for the missing section, and the finding goes
    let missing = d
        .iter()
        .find(|x| x["code"] == "missing-section")
        .unwrap()
        .clone();
    let actions = actions_at(&mut c, &uri, missing["range"].clone(), json!([missing]));
    let insert = actions
        .iter()
        .find(|a| a["title"].as_str().is_some_and(|t| t.contains("Timeline")))
        .unwrap_or_else(|| panic!("{actions:?}"))
        .clone();
    let edited = common::apply_edits(INCIDENT, &common::action_edits(&insert), &c.encoding);
    assert!(
        edited.contains("## Timeline\n1. [First signal]\n"),
        "{edited}"
    );
    c.change(&uri, 2, json!([{"text": edited}]));
    let d = c.pushed(&uri, 2);
    assert!(!d.iter().any(|x| x["code"] == "missing-section"), "{d:?}");
    c.shutdown_and_exit();
}

#[test]
fn the_server_shows_a_bad_template_and_keeps_the_other_kinds() {
    let dir = workspace();
    std::fs::write(
        dir.path().join("templates/release-checklist.md"),
        "## No title\n- [ ] x\n",
    )
    .unwrap();
    let mut c = Client::start(Caps {
        root: Some(dir.path().to_path_buf()),
        ..Caps::default()
    });
    let shown = c
        .wait_for(|m| m["method"] == "window/showMessage")
        .expect("a message");
    let message = shown["params"]["message"].as_str().unwrap();
    assert!(
        message.contains("template not read")
            && message.contains("release-checklist.md:1:1")
            && message.contains("no `# Title`"),
        "{message}"
    );
    let uri = file_uri(&dir.path().join("postmortems/db.md"));
    c.open(&uri, INCIDENT);
    assert_eq!(c.pushed(&uri, 1).len(), 7);
    c.shutdown_and_exit();
}

#[test]
fn another_structure_under_the_same_title_gets_one_finding_instead_of_a_flood() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let four = "# Deployment Plan\n\n## Pre-deploy\n- run the tests\n\n## Staging\n- deploy to staging\n\n## Production\n- deploy\n\n## Rollback\n- revert\n";
    std::fs::write(root.join("plan.md"), four).unwrap();
    let (found, out) = findings(root, "plan.md");
    assert_eq!(found, ["other-structure 1"], "{}", text(&out.stdout));
    assert_eq!(
        out.status.code(),
        Some(0),
        "an Information finding fails nothing"
    );
    let said = text(&run(root, &["check", "plan.md"]).stdout);
    assert!(
        said.contains("info[other-structure]")
            && said.contains("add `plan: deployment` front matter"),
        "{said}"
    );
    // opting in checks it as a plan
    std::fs::write(
        root.join("plan.md"),
        format!("---\nplan: deployment\n---\n{four}"),
    )
    .unwrap();
    let (found, _) = findings(root, "plan.md");
    assert!(
        found.len() > 5 && !found.iter().any(|f| f.starts_with("other-structure")),
        "{found:?}"
    );
    // a plan being written from the template is not another structure
    std::fs::write(
        root.join("plan.md"),
        "# Deployment Plan\n\n## Environment: staging\n## Date: 2026-12-01\n",
    )
    .unwrap();
    let (found, _) = findings(root, "plan.md");
    assert!(
        found.iter().any(|f| f.starts_with("missing-section")),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|f| f.starts_with("other-structure")),
        "{found:?}"
    );
    // nor is a team document of a configured kind with sections of its own
    let dir = workspace();
    let (found, _) = findings(dir.path(), "postmortems/db.md");
    assert_eq!(found.len(), 7, "{found:?}");
}

#[test]
fn insert_actions_complete_a_partly_written_section() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let full = std::fs::read_to_string(common::example("production/docs/deployment.md")).unwrap();
    let start = full.find("## Deployment Checklist\n").unwrap();
    let checklists_end = full[start..]
        .find("- [ ] Key metrics normal\n")
        .map(|i| start + i + "- [ ] Key metrics normal\n".len())
        .unwrap();
    // the heading with nothing under it
    let emptied = format!(
        "{}## Deployment Checklist\n{}",
        &full[..start],
        &full[checklists_end..]
    );
    let built_in = text(&run(root, &["new", "deployment", "--env", "production"]).stdout);
    let pre = built_in.find("### Pre-Deployment\n").unwrap();
    let post_end = built_in[pre..].find("- [ ] Key metrics normal\n").unwrap()
        + pre
        + "- [ ] Key metrics normal\n".len();
    let checklists = &built_in[pre..post_end];

    let mut c = Client::start(Caps::default());
    let uri = file_uri(&root.join("docs/deployment.md"));
    c.open(&uri, &emptied);
    let d = c.pushed(&uri, 1);
    assert!(d.iter().any(|x| x["code"] == "missing-section"), "{d:?}");
    let at = position_of(&emptied, "## Deployment Checklist", 3, &c.encoding);
    let actions = actions_at(&mut c, &uri, json!({"start": at, "end": at}), json!([]));
    let insert = actions
        .iter()
        .find(|a| a["title"] == "Insert Deployment Checklist")
        .unwrap_or_else(|| panic!("{actions:?}"))
        .clone();
    let edited = common::apply_edits(&emptied, &common::action_edits(&insert), &c.encoding);
    assert!(
        edited.contains(&format!("## Deployment Checklist\n\n{checklists}")),
        "{edited}"
    );
    // only what was missing: one Pre-Deployment and one Post-Deployment
    assert_eq!(edited.matches("### Pre-Deployment").count(), 1);
    assert_eq!(edited.matches("### Post-Deployment").count(), 1);
    c.change(&uri, 2, json!([{"text": edited}]));
    let d = c.pushed(&uri, 2);
    assert!(!d.iter().any(|x| x["code"] == "missing-section"), "{d:?}");
    // with one checklist written, it inserts the other and nothing else
    let post = edited.find("### Post-Deployment\n").unwrap();
    let half = format!(
        "{}{}",
        &edited[..post],
        edited[post..]
            .split_once("- [ ] Key metrics normal\n")
            .unwrap()
            .1
            .trim_start_matches('\n')
    );
    c.change(&uri, 3, json!([{"text": half}]));
    c.pushed(&uri, 3);
    let actions = actions_at(&mut c, &uri, json!({"start": at, "end": at}), json!([]));
    // the quick fix for the missing checklist makes the same edit, so the
    // response lists that one only
    let insert = actions
        .iter()
        .find(|a| {
            a["title"] == "Insert Deployment Checklist"
                || a["title"] == "Insert `### Post-Deployment`"
        })
        .unwrap_or_else(|| panic!("{actions:?}"))
        .clone();
    let again = common::apply_edits(&half, &common::action_edits(&insert), &c.encoding);
    assert_eq!(again.matches("### Pre-Deployment").count(), 1, "{again}");
    assert!(
        again.contains(&checklists[checklists.find("### Post-Deployment").unwrap()..]),
        "{again}"
    );
    c.shutdown_and_exit();
}

#[test]
fn editing_a_template_in_the_editor_rechecks_its_documents_and_shows_its_errors_on_it() {
    let dir = workspace();
    let mut c = Client::start(Caps {
        root: Some(dir.path().to_path_buf()),
        ..Caps::default()
    });
    let doc = file_uri(&dir.path().join("postmortems/db.md"));
    c.open(&doc, INCIDENT);
    assert_eq!(c.pushed(&doc, 1).len(), 7);
    let template = file_uri(&dir.path().join("templates/postmortem.md"));
    c.open(&template, POSTMORTEM);
    assert_eq!(
        c.pushed(&template, 1),
        Vec::<Value>::new(),
        "a good template has nothing to say"
    );
    // a new required section, typed and not saved: the document lacks it
    let with_lessons = format!("{POSTMORTEM}\n## Lessons\n- Lesson: [what we learned]\n");
    c.change(&template, 2, json!([{"text": with_lessons}]));
    assert_eq!(c.pushed(&template, 2), Vec::<Value>::new());
    let found = c
        .wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == doc
                && m["params"]["diagnostics"].as_array().is_some_and(|d| {
                    d.iter().any(|x| {
                        x["message"]
                            .as_str()
                            .is_some_and(|t| t.contains("## Lessons"))
                    })
                })
        })
        .expect("the document is checked against the edited template");
    assert_eq!(found["params"]["diagnostics"].as_array().unwrap().len(), 8);
    // a broken line: the error sits on it, the kind is left out meanwhile
    let broken = with_lessons.replace("- Lesson: [what we learned]", "- Lesson: [what we learned");
    c.change(&template, 3, json!([{"text": broken}]));
    let d = c.pushed(&template, 3);
    assert_eq!(summary(&d).len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "invalid-template");
    assert_eq!(d[0]["severity"], 1);
    let line = broken
        .lines()
        .position(|l| l.starts_with("- Lesson:"))
        .unwrap();
    assert_eq!(
        d[0]["range"]["start"],
        json!({"line": line, "character": 10})
    );
    assert!(d[0]["message"].as_str().unwrap().contains("no closing `]`"));
    // closing the template unsaved: the file on disk is in force again
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": template}}),
    );
    let back = c
        .wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == doc
                && m["params"]["diagnostics"]
                    .as_array()
                    .is_some_and(|d| d.len() == 7)
        })
        .expect("the saved template is in force again");
    assert!(!back.to_string().contains("## Lessons"));
    c.shutdown_and_exit();
}

#[test]
fn an_empty_document_of_a_kind_is_offered_its_template() {
    let dir = workspace();
    std::fs::write(dir.path().join("postmortems/empty.md"), "").unwrap();
    let (found, out) = findings(dir.path(), "postmortems/empty.md");
    assert!(found.is_empty(), "an empty file is not checked: {found:?}");
    assert_eq!(out.status.code(), Some(0));
    let printed = text(&run(dir.path(), &["new", "postmortem"]).stdout);
    let mut c = Client::start(Caps {
        root: Some(dir.path().to_path_buf()),
        ..Caps::default()
    });
    let uri = file_uri(&dir.path().join("postmortems/empty.md"));
    c.open(&uri, "");
    assert_eq!(c.pushed(&uri, 1), Vec::<Value>::new());
    let at = json!({"line": 0, "character": 0});
    let actions = actions_at(&mut c, &uri, json!({"start": at, "end": at}), json!([]));
    let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
    // the include glob says which kind it is for
    assert_eq!(titles, ["Insert Incident Postmortem template"]);
    let edited = common::apply_edits("", &common::action_edits(&actions[0]), &c.encoding);
    assert_eq!(edited, printed);
    c.shutdown_and_exit();
}

#[test]
fn a_kinds_own_fields_take_extra_values() {
    let dir = workspace();
    let config = format!("{CONFIG}\n[values]\n\"postmortem.severity\" = [\"SEV4\"]\n");
    std::fs::write(dir.path().join(".plan-lsp.toml"), config).unwrap();
    let (found, out) = findings(dir.path(), "postmortems/db.md");
    assert!(
        !found.iter().any(|f| f.starts_with("invalid-value")),
        "{found:?} {}",
        text(&out.stderr)
    );
    assert_eq!(found.len(), 6);
    std::fs::write(
        dir.path().join(".plan-lsp.toml"),
        format!("{CONFIG}\n[values]\n\"postmortem.colour\" = [\"blue\"]\n"),
    )
    .unwrap();
    let out = run(dir.path(), &["check", "postmortems/db.md"]);
    assert_eq!(out.status.code(), Some(2));
    let said = text(&out.stderr);
    assert!(
        said.contains("\"postmortem.colour\" is not a field with values")
            && said.contains("postmortem.severity"),
        "{said}"
    );
}

#[test]
fn fix_and_fmt_work_for_a_team_kind() {
    let dir = workspace();
    let doc = "# Incident Postmortem\n\n## Severity: sev2\n## Date: 2026-11-30\n\n## Summary\n- Impact: checkout down for EU users\n- Duration: 40 minutes\n\n## Timeline\n1. Alerts fired\n\n## Follow-up\n- [X] Owner assigned\n- [ ] Tickets filed\n";
    let path = dir.path().join("postmortems/fixme.md");
    std::fs::write(&path, doc).unwrap();
    assert_eq!(
        findings(dir.path(), "postmortems/fixme.md").0,
        ["non-canonical-value 3"]
    );
    let out = run(dir.path(), &["fix", "postmortems/fixme.md"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = run(dir.path(), &["fmt", "postmortems/fixme.md"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let fixed = std::fs::read_to_string(&path).unwrap();
    assert_eq!(fixed, doc.replace("sev2", "SEV2").replace("[X]", "[x]"));
    assert!(findings(dir.path(), "postmortems/fixme.md").0.is_empty());
}
