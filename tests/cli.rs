//! The command line, run as a user runs it.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{binary, example};
use serde_json::Value;

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(binary())
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn copy_example(dir: &Path, from: &str, to: &str) -> std::path::PathBuf {
    let target = dir.join(to);
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::copy(example(from), &target).unwrap();
    target
}

#[test]
fn check_reports_in_text_with_character_columns() {
    let dir = tempfile::tempdir().unwrap();
    copy_example(
        dir.path(),
        "defects/docs/deployment.md",
        "docs/deployment.md",
    );
    copy_example(
        dir.path(),
        "production/docs/deployment.md",
        "prod/deployment.md",
    );
    std::fs::write(dir.path().join("README.md"), "# Something else\n").unwrap();
    let o = run(dir.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    // the box line: `│ Recommendation: ` is 18 characters, so column 19
    assert!(
        out.contains("docs/deployment.md:25:19: warning[high-risk-proceed]"),
        "{out}"
    );
    assert!(out.contains("docs/deployment.md:60:1: error[missing-section] missing section `### Logging` under `## Monitoring`"), "{out}");
    assert!(!out.contains("prod/deployment.md"), "{out}");
    assert!(!out.contains("README.md"), "{out}");
    assert!(stderr(&o).contains("in 2 plan(s)"), "{}", stderr(&o));
}

#[test]
fn exit_codes_follow_the_worst_finding() {
    let dir = tempfile::tempdir().unwrap();
    let plan = copy_example(dir.path(), "production/docs/deployment.md", "deployment.md");
    assert_eq!(
        run(dir.path(), &["check", "deployment.md"]).status.code(),
        Some(0)
    );
    let text = std::fs::read_to_string(&plan)
        .unwrap()
        .replace("- Provider: AWS", "- Provider: AWS\n- Owner: me");
    std::fs::write(&plan, text).unwrap();
    assert_eq!(
        run(dir.path(), &["check", "deployment.md"]).status.code(),
        Some(0)
    );
    assert_eq!(
        run(dir.path(), &["check", "--deny-warnings", "deployment.md"])
            .status
            .code(),
        Some(1)
    );
    let o = run(dir.path(), &["check", "missing.md"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("missing.md: error: no such file or directory"));
}

#[test]
fn json_has_lsp_ranges_in_utf16() {
    let dir = tempfile::tempdir().unwrap();
    copy_example(dir.path(), "defects/docs/deployment.md", "deployment.md");
    let o = run(dir.path(), &["check", "--format", "json", "deployment.md"]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let file = &v["files"][0];
    assert_eq!(file["path"], "deployment.md");
    assert_eq!(file["kind"], "deployment");
    assert_eq!(file["env"], "production");
    let high = file["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "high-risk-proceed")
        .unwrap();
    assert_eq!(high["severity"], "warning");
    assert_eq!(high["range"]["start"]["line"], 24);
    assert_eq!(high["range"]["start"]["character"], 18);
    assert_eq!(high["range"]["end"]["character"], 25);
    assert!(v["summary"]["errors"].as_u64().unwrap() > 0);
}

#[test]
fn sarif_is_sarif_2_1_0() {
    let dir = tempfile::tempdir().unwrap();
    copy_example(
        dir.path(),
        "defects/docs/deployment.md",
        "docs/deploy plan.md",
    );
    let o = run(dir.path(), &["check", "--format", "sarif", "docs"]);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run0 = &v["runs"][0];
    assert_eq!(run0["tool"]["driver"]["name"], "plan-lsp");
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(
        rules
            .iter()
            .all(|r| r["id"].is_string() && r["shortDescription"]["text"].is_string())
    );
    let results = run0["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        assert!(r["message"]["text"].is_string());
        let location = &r["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "docs/deploy%20plan.md");
        let region = &location["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
        assert!(region["startColumn"].as_u64().unwrap() >= 1);
    }
}

#[test]
fn github_annotations() {
    let dir = tempfile::tempdir().unwrap();
    copy_example(dir.path(), "defects/docs/deployment.md", "deployment.md");
    let out = stdout(&run(
        dir.path(),
        &["check", "--format", "github", "deployment.md"],
    ));
    assert!(
        out.lines().all(|l| l.starts_with("::error ")
            || l.starts_with("::warning ")
            || l.starts_with("::notice ")),
        "{out}"
    );
    assert!(
        out.contains("::warning file=deployment.md,line=25,col=19,"),
        "{out}"
    );
}

#[test]
fn a_non_utf8_file_is_named_and_the_others_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    copy_example(dir.path(), "defects/docs/deployment.md", "a/deployment.md");
    std::fs::write(
        dir.path().join("a/broken.md"),
        b"# Deployment Plan\n\xff\xfe bad\n",
    )
    .unwrap();
    let o = run(dir.path(), &["check", "a"]);
    assert_eq!(o.status.code(), Some(2));
    let out = stdout(&o);
    assert!(out.contains("a/broken.md: error: not valid UTF-8"), "{out}");
    assert!(out.contains("a/deployment.md:25:19"), "{out}");
}

#[test]
fn explain_says_why_a_file_is_not_a_plan() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("docs")).unwrap();
    std::fs::write(
        dir.path().join("docs/deployment.md"),
        "# Deploying the docs site\n\n- Strategy: whatever\n",
    )
    .unwrap();
    let o = run(dir.path(), &["check", "--explain", "docs/deployment.md"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("docs/deployment.md: not treated as a plan because its first H1 (line 1) is `# Deploying the docs site`"), "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
}

#[test]
fn configuration_file_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("plans")).unwrap();
    std::fs::write(
        dir.path().join("plans/q1.md"),
        "# Q1 rollout\n\n## Environment: staging\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".plan-lsp.toml"),
        "include = [\"plans/**/*.md\"]\n",
    )
    .unwrap();
    let o = run(dir.path(), &["check", "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["files"][0]["path"], "plans/q1.md");
    assert_eq!(v["files"][0]["kind"], "deployment");
    std::fs::write(
        dir.path().join(".plan-lsp.toml"),
        "[rules]\nplaceholder = \"loud\"\n",
    )
    .unwrap();
    let o = run(dir.path(), &["check"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o)
            .contains("placeholder = \"loud\": expected one of off, hint, info, warning, error"),
        "{}",
        stderr(&o)
    );
    let o = run(dir.path(), &["check", "--env", "qa"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn fix_applies_safe_fixes_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let plan = copy_example(dir.path(), "staging/docs/deployment.md", "deployment.md");
    let original = std::fs::read_to_string(&plan).unwrap();
    let broken = original
        .replace("- Provider: GCP", "- Provider: gcp")
        .replace(
            "- Strategy: Canary (10% → 50% → 100%)",
            "- Strategy: canary (10% → 50% → 100%)",
        )
        .replace(
            "- [ ] Monitoring active\n- [ ] No errors",
            "- [ ] No errors",
        )
        .replace("### Hosting", "## Hosting");
    std::fs::write(&plan, &broken).unwrap();
    let before = stdout(&run(dir.path(), &["check", "deployment.md"]));
    assert_eq!(before.lines().count(), 4, "{before}");

    let o = run(dir.path(), &["fix", "--dry-run", "deployment.md"]);
    let diff = stdout(&o);
    assert!(
        diff.contains("\n-- Provider: gcp\n") && diff.contains("\n+- Provider: GCP\n"),
        "{diff}"
    );
    assert!(
        diff.contains(
            "would fix 4 finding(s) (heading-level, missing-checklist-item, non-canonical-value)"
        ),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(&plan).unwrap(),
        broken,
        "dry run writes nothing"
    );

    let o = run(dir.path(), &["fix", "deployment.md"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("deployment.md: fixed"),
        "{}",
        stdout(&o)
    );
    assert_eq!(std::fs::read_to_string(&plan).unwrap(), original);
    assert_eq!(stdout(&run(dir.path(), &["check", "deployment.md"])), "");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");
}

#[test]
fn fix_leaves_unsafe_fixes_alone() {
    let dir = tempfile::tempdir().unwrap();
    let plan = copy_example(dir.path(), "defects/docs/deployment.md", "deployment.md");
    let before = std::fs::read_to_string(&plan).unwrap();
    let o = run(dir.path(), &["fix", "deployment.md"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("nothing to fix safely"),
        "{}",
        stdout(&o)
    );
    assert_eq!(std::fs::read_to_string(&plan).unwrap(), before);
}

#[test]
fn new_prints_templates_without_missing_parts() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        dir.path(),
        &[
            "new",
            "deployment",
            "--env",
            "production",
            "-o",
            "deployment.md",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&run(
        dir.path(),
        &["check", "--format", "json", "deployment.md"],
    )))
    .unwrap();
    let codes: Vec<&str> = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"placeholder"));
    assert!(
        !codes.iter().any(|c| c.starts_with("missing-")),
        "{codes:?}"
    );
    // never overwrites without --force
    let o = run(dir.path(), &["new", "status", "-o", "deployment.md"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists; use --force"));
    assert_eq!(
        run(
            dir.path(),
            &["new", "status", "-o", "deployment.md", "--force"]
        )
        .status
        .code(),
        Some(0)
    );
    let status = stdout(&run(dir.path(), &["new", "status"]));
    assert!(
        status.starts_with("## Deployment State\n- Environment: [staging|production]\n"),
        "{status}"
    );
    let record = stdout(&run(
        dir.path(),
        &["new", "validation", "--record", "markdown"],
    ));
    assert!(
        record.contains(
            "### Security Assessment\n- Data Classification: [PUBLIC/INTERNAL/CONFIDENTIAL]"
        ),
        "{record}"
    );
}

#[test]
fn explain_prints_rule_docs() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["explain", "placeholder"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("# placeholder\n"));
    assert!(stdout(&o).contains("## Example"));
    let o = run(dir.path(), &["explain", "placeholders"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("known codes: missing-section"));
    let all = stdout(&run(dir.path(), &["explain"]));
    assert!(all.lines().filter(|l| !l.is_empty()).count() >= 22);
}

/// Many plans, each a little different: some findings repeat from file to
/// file (a cache across files must not mix them up), some are each file's
/// own.
fn many_plans(dir: &Path, count: usize) -> Vec<String> {
    let defects = std::fs::read_to_string(example("defects/docs/deployment.md")).unwrap();
    let staging = std::fs::read_to_string(example("staging/docs/deployment.md")).unwrap();
    let mut names = Vec::new();
    for i in 0..count {
        let base = if i % 3 == 0 { &defects } else { &staging };
        // a day that does not exist in some of them
        let text = base.replacen(
            "## Date: ",
            &format!("## Date: 2026-02-{} ", 20 + i % 12),
            1,
        );
        // an alias `fix` writes canonically, in every other file
        let text = if i % 2 == 0 {
            text.replacen("- Provider: GCP", "- Provider: google cloud", 1)
        } else {
            text
        };
        let name = format!("svc-{i:03}/docs/deployment.md");
        std::fs::create_dir_all(dir.join(name.trim_end_matches("/deployment.md"))).unwrap();
        std::fs::write(dir.join(&name), text).unwrap();
        names.push(name);
    }
    names
}

#[test]
fn many_files_are_checked_and_fixed_in_path_order_as_one_at_a_time_would() {
    let dir = tempfile::tempdir().unwrap();
    let mut names = many_plans(dir.path(), 24);
    names.sort();
    for format in ["text", "json"] {
        let together = run(dir.path(), &["check", "--format", format, "."]);
        let one_by_one: Vec<String> = names
            .iter()
            .map(|n| stdout(&run(dir.path(), &["check", "--format", format, n])))
            .collect();
        if format == "text" {
            assert_eq!(stdout(&together), one_by_one.concat());
            assert!(stdout(&together).contains("invalid-date"));
        } else {
            let files: Value = serde_json::from_str(&stdout(&together)).unwrap();
            let each: Vec<Value> = one_by_one
                .iter()
                .map(|o| serde_json::from_str::<Value>(o).unwrap()["files"][0].clone())
                .collect();
            assert_eq!(files["files"], Value::Array(each));
        }
    }
    // fix: the same files as fixing each alone, and said in path order
    let alone = tempfile::tempdir().unwrap();
    many_plans(alone.path(), 24);
    let mut said_alone = String::new();
    for n in &names {
        said_alone.push_str(&stdout(&run(alone.path(), &["fix", n])));
    }
    let said = stdout(&run(dir.path(), &["fix", "."]));
    let strip = |s: &str| s.replace("./", "");
    assert_eq!(strip(&said), said_alone);
    assert!(said.contains("fixed"), "{said}");
    for n in &names {
        let a = std::fs::read_to_string(dir.path().join(n)).unwrap();
        let b = std::fs::read_to_string(alone.path().join(n)).unwrap();
        assert_eq!(a, b, "{n}");
    }
}
