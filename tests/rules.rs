//! One test per rule: a document in, its findings out (line:column in
//! characters, severity, code, message), plus what the fixes produce.

use std::path::Path;

use expect_test::{Expect, expect};
use plan_lsp::analysis::analyze;
use plan_lsp::config::Config;
use plan_lsp::fix::{self, Applicability};
use plan_lsp::rules::{self, Fixes};
use plan_lsp::text::{Document, Encoding};

fn clean() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/production/docs/deployment.md");
    std::fs::read_to_string(path).unwrap()
}

/// The clean production plan with one replacement.
fn with(from: &str, to: &str) -> String {
    let text = clean();
    assert!(text.contains(from), "{from:?} is in the clean plan");
    text.replacen(from, to, 1)
}

fn findings_in(text: &str, config: &Config, path: Option<&Path>) -> String {
    let analysis = analyze(text, path, config);
    fixes_as_declared(&analysis);
    let doc = Document::new(text);
    analysis
        .diagnostics
        .iter()
        .map(|d| {
            let p = doc.offset_to_position(d.range.start, Encoding::Utf32);
            format!(
                "{}:{} {}[{}] {}\n",
                p.line + 1,
                p.character + 1,
                d.severity,
                d.code,
                d.message
            )
        })
        .collect()
}

fn check(text: &str, expected: Expect) {
    expected.assert_eq(&findings_in(text, &Config::default(), None));
}

/// The text after applying every fix titled `title`.
fn fixed(text: &str, title: &str) -> String {
    let analysis = analyze(text, None, &Config::default());
    let fixes: Vec<_> = analysis
        .diagnostics
        .iter()
        .flat_map(|d| &d.fixes)
        .filter(|f| f.title == title)
        .collect();
    assert!(!fixes.is_empty(), "a fix titled {title:?}");
    fix::apply(text, fixes).0
}

/// Every finding carries the fixes its rule declares (`Rule::fixes`).
fn fixes_as_declared(analysis: &plan_lsp::analysis::Analysis) {
    let production = analysis.env() == Some(plan_lsp::schema::Env::Production);
    for d in &analysis.diagnostics {
        let safe = d
            .fixes
            .iter()
            .any(|f| f.applicability == Applicability::Safe);
        let ok = match rules::rule(d.code).fixes {
            Fixes::None => d.fixes.is_empty(),
            Fixes::Unsafe => !safe,
            Fixes::Safe => safe,
            Fixes::SafeOutsideProduction => !d.fixes.is_empty() && (safe || production),
        };
        assert!(
            ok,
            "{} carries fixes its rule does not declare: {:?}",
            d.code, d.fixes
        );
    }
}

/// A section of a rule's doc (`## Severity`), as one line.
fn doc_section(doc: &str, heading: &str) -> String {
    let start = doc
        .find(&format!("\n## {heading}\n"))
        .unwrap_or_else(|| panic!("no `## {heading}` in\n{doc}"));
    let body = &doc[start + heading.len() + 5..];
    let end = body.find("\n## ").unwrap_or(body.len());
    body[..end].split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Each rule's doc says the severity and the fixes the code gives it.
#[test]
fn rule_docs_agree_with_the_code() {
    for rule in rules::RULES {
        let severity = doc_section(rule.doc, "Severity");
        let first = severity
            .split(['.', ';'])
            .next()
            .unwrap_or_default()
            .to_lowercase();
        assert_eq!(first, rule.default.describe(), "{}: {severity}", rule.code);

        let fix = doc_section(rule.doc, "Fix").to_lowercase();
        let documented = if fix.starts_with("no automatic fix") {
            Fixes::None
        } else if fix.contains("except in a production plan") {
            Fixes::SafeOutsideProduction
        } else if [
            "does not apply",
            "never applies",
            "applies none",
            "none is applied",
        ]
        .iter()
        .any(|p| fix.contains(p))
        {
            Fixes::Unsafe
        } else if fix.contains("apply it") {
            Fixes::Safe
        } else {
            panic!(
                "{}: the doc's Fix section does not say whether `plan-lsp fix` applies it: {fix}",
                rule.code
            )
        };
        assert_eq!(documented, rule.fixes, "{}: {fix}", rule.code);
    }
}

#[test]
fn clean_plans_have_no_findings() {
    check(&clean(), expect![""]);
}

#[test]
fn missing_section() {
    let text = with(
        "### Logging\n- Platform: CloudWatch\n- Retention: 90 days\n- Alerts: error log rate above baseline for 5 minutes\n\n",
        "",
    );
    check(
        &text,
        expect![[r#"
        60:1 error[missing-section] missing section `### Logging` under `## Monitoring`
    "#]],
    );
    let after = fixed(&text, "Insert `### Logging`");
    assert!(after.contains("- Conditions: HTTP 200 and body \"ok\" within 500ms\n\n### Logging\n- Platform: [CloudWatch/other]\n- Retention: [period]\n- Alerts: [conditions]\n\n### Metrics"), "{after}");
    // a missing parent is reported once, at the H1 (or line 1 without one)
    let text = "# Deployment Plan\n\n## Environment: staging\n## Date: 2026-11-26\n";
    let found = findings_in(text, &Config::default(), None);
    assert_eq!(found.matches("missing-section").count(), 5, "{found}");
    assert!(found.lines().all(|l| l.starts_with("1:1 ")), "{found}");
}

#[test]
fn missing_field() {
    check(
        &with("- Region: eu-west-1\n", ""),
        expect![[r#"
        31:1 error[missing-field] missing field `Region` in `### Hosting`
    "#]],
    );
    check(
        &with("- Region: eu-west-1", "- Region:"),
        expect![[r#"
        33:3 error[missing-field] field `Region` has no value
    "#]],
    );
    let text = with(
        "│   Risk: Medium                                             │\n",
        "",
    );
    check(
        &text,
        expect![[r#"
        6:1 error[missing-field] missing field `Risk` in the Decision Validation record
    "#]],
    );
    let after = fixed(&text, "Insert `Risk`");
    assert!(after.contains("│ Deployment:                                                │\n│   Risk: [Low|Medium|High]                                  │\n"), "{after}");
}

#[test]
fn placeholder() {
    let text = with(
        "- Strategy: Blue-Green",
        "- Strategy: [Blue-Green/Canary/Rolling]",
    );
    check(
        &text,
        expect![[r#"
        53:13 error[placeholder] template placeholder `[Blue-Green/Canary/Rolling]` in `Strategy`: replace it with the real value
    "#]],
    );
    assert!(fixed(&text, "Set Strategy to Canary").contains("- Strategy: Canary\n"));
    // staging: a warning
    let staging = text
        .replace("## Environment: production", "## Environment: staging")
        .replace("Environment: production ", "Environment: staging    ");
    assert!(
        findings_in(&staging, &Config::default(), None).starts_with("53:13 warning[placeholder]")
    );
}

#[test]
fn the_seed_template_has_placeholders_and_nothing_else() {
    let seed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seed-template.md"),
    )
    .unwrap();
    let found = findings_in(&seed, &Config::default(), None);
    assert!(!found.is_empty());
    for line in found.lines() {
        assert!(line.contains("warning[placeholder]"), "{line}");
    }
}

#[test]
fn invalid_value() {
    let text = with("- Strategy: Blue-Green", "- Strategy: Sideways");
    check(
        &text,
        expect![[r#"
        53:13 error[invalid-value] `Sideways` is not a valid Strategy: expected Blue-Green, Canary, Rolling
    "#]],
    );
    let text = with("- Strategy: Blue-Green", "- Strategy: Canry");
    assert!(fixed(&text, "Did you mean Canary?").contains("- Strategy: Canary\n"));
    // a trailing note is not part of the value
    check(
        &with(
            "- Strategy: Blue-Green",
            "- Strategy: Canary (10% → 50% → 100%)",
        ),
        expect![""],
    );
    // configured values are accepted
    let config = Config::from_toml("[values]\nstrategy = [\"Shadow\"]\n", "t", None).unwrap();
    assert_eq!(
        findings_in(
            &with("- Strategy: Blue-Green", "- Strategy: Shadow"),
            &config,
            None
        ),
        ""
    );
}

#[test]
fn non_canonical_value() {
    let text = with("- Strategy: Blue-Green", "- Strategy: blue/green");
    check(
        &text,
        expect![[r#"
        53:13 hint[non-canonical-value] `blue/green` is written `Blue-Green`
    "#]],
    );
    let analysis = analyze(&text, None, &Config::default());
    assert_eq!(
        analysis.diagnostics[0].fixes[0].applicability,
        Applicability::Safe
    );
    assert_eq!(fixed(&text, "Replace with Blue-Green"), clean());
    check(
        &with("## Environment: production", "## Environment: prod"),
        expect![[r#"
        3:17 hint[non-canonical-value] `prod` is written `production`
    "#]],
    );
}

#[test]
fn unknown_field() {
    let text = with(
        "- Region: eu-west-1",
        "- Region: eu-west-1\n- Regoin: eu-west-2",
    );
    check(
        &text,
        expect![[r#"
        34:3 warning[unknown-field] unknown field `Regoin` in `### Hosting`; did you mean `Region`?
    "#]],
    );
    check(
        &with(
            "- Region: eu-west-1",
            "- Region: eu-west-1\n- Owner: team-a",
        ),
        expect![[r#"
        34:3 warning[unknown-field] unknown field `Owner` in `### Hosting`; known fields: Provider, Region, Services
    "#]],
    );
}

#[test]
fn duplicate_section() {
    check(
        &with(
            "## Rollback Plan",
            "### Metrics\n- Business: x\n- Technical: y\n- Dashboards: https://d.example.com\n\n## Rollback Plan",
        ),
        expect![[r#"
        77:1 warning[duplicate-section] duplicate section `Metrics`: it already appears on line 72
    "#]],
    );
}

#[test]
fn heading_level() {
    let text = with("### Hosting", "## Hosting");
    check(
        &text,
        expect![[r#"
        31:1 warning[heading-level] `Hosting` is a level-2 heading here; the template has `### Hosting`
    "#]],
    );
    assert_eq!(fixed(&text, "Change to `### Hosting`"), clean());
}

#[test]
fn headings_with_a_trailing_colon_name_their_section() {
    check(&with("### Hosting", "### Hosting:"), expect![""]);
}

#[test]
fn invalid_url() {
    check(
        &with(
            "- Endpoint: https://api.example.com/healthz",
            "- Endpoint: the load balancer",
        ),
        expect![[r#"
        63:13 error[invalid-url] `Endpoint` is not a valid URL: expected an http(s) URL or an absolute path (/healthz)
    "#]],
    );
    check(
        &with(
            "- Endpoint: https://api.example.com/healthz",
            "- Endpoint: /healthz",
        ),
        expect![""],
    );
    check(
        &with("https://grafana.example.com/d/deploy", "grafana/deploy"),
        expect![[r#"
        75:15 error[invalid-url] `Dashboards` should hold links: `grafana/deploy` is not an http(s) URL
    "#]],
    );
}

#[test]
fn invalid_date() {
    check(
        &with("## Date: 2026-12-03", "## Date: 2026-02-30"),
        expect![[r#"
        4:10 error[invalid-date] `Date` is not a real date: expected YYYY-MM-DD, e.g. 2026-11-26
    "#]],
    );
    let status = "## Deployment State\n- Environment: staging\n- Last Deploy: yesterday\n- Status: deployed\n- Version: v1\n\n## Monitoring State\n- Health Check: https://x.example.com/h\n- Logs: https://x.example.com/l\n- Alerts: none\n- Dashboard: https://x.example.com/d\n";
    assert_eq!(
        findings_in(status, &Config::default(), Some(Path::new("status.md"))),
        "3:16 error[invalid-date] `Last Deploy` is not an RFC 3339 date-time: expected e.g. 2026-11-26T09:30:00Z\n"
    );
}

#[test]
fn invalid_duration() {
    check(
        &with("- Retention: 90 days", "- Retention: forever"),
        expect![[r#"
        69:14 error[invalid-duration] `Retention` is not a duration: expected a number and a unit, e.g. 30s, every 5 minutes, 90 days
    "#]],
    );
    check(
        &with("- Frequency: every 30s", "- Frequency: every 5 minutes"),
        expect![""],
    );
}

#[test]
fn invalid_threshold() {
    check(
        &with("- Error rate > 1%", "- Error rate > lots"),
        expect![[r#"
        80:16 error[invalid-threshold] the `Error rate` threshold is not a percentage, e.g. 1% or 0.5 %
    "#]],
    );
    check(
        &with("- Response time > 500ms", "- Response time > slow"),
        expect![[r#"
        81:19 error[invalid-threshold] the `Response time` threshold is not a duration, e.g. 500ms or 2s
    "#]],
    );
    check(
        &with("- Error rate > 1%", "- Error rate > 0.5 % for 5 minutes"),
        expect![""],
    );
}

#[test]
fn empty_procedure() {
    let text = with(
        "1. Announce the rollback in #deployments\n2. Switch the load balancer back to the blue target group\n3. Scale the green deployment to zero\n4. Verify rollback success on the dashboards and health checks\n",
        "Roll back somehow.\n",
    );
    check(
        &text,
        expect![[r#"
        84:1 error[empty-procedure] the rollback procedure has no numbered step: list how to roll back, as `1. …`
    "#]],
    );
}

#[test]
fn missing_checklist_item() {
    let text = with("- [ ] Monitoring active\n", "");
    check(
        &text,
        expect![[r#"
        99:1 warning[missing-checklist-item] missing checklist item `Monitoring active` in `### Post-Deployment`
    "#]],
    );
    assert_eq!(fixed(&text, "Insert `- [ ] Monitoring active`"), clean());
    let analysis = analyze(&text, None, &Config::default());
    assert_eq!(
        analysis.diagnostics[0].fixes[0].applicability,
        Applicability::Safe
    );
}

#[test]
fn unchecked_item() {
    let text = with("- [x] Rollback tested", "- [ ] Rollback tested");
    check(
        &text,
        expect![[r#"
        97:1 warning[unchecked-item] unchecked Pre-Deployment item `Rollback tested`: production requires it done
    "#]],
    );
    // not in staging
    let staging = text
        .replace("## Environment: production", "## Environment: staging")
        .replace("Environment: production ", "Environment: staging    ");
    assert_eq!(findings_in(&staging, &Config::default(), None), "");
}

#[test]
fn missing_decision_validation() {
    let text = clean();
    let start = text.find("## Decision Validation").unwrap();
    let end = text.find("## Infrastructure").unwrap();
    let text = format!("{}{}", &text[..start], &text[end..]);
    check(
        &text,
        expect![[r#"
        1:1 error[missing-decision-validation] no `## Decision Validation` record: production deployments need the risk, data classification and recommendation recorded
    "#]],
    );
    let after = fixed(&text, "Insert Decision Validation record");
    assert!(
        after.contains("## Date: 2026-12-03\n\n## Decision Validation\n\n```\n┌"),
        "{after}"
    );
    assert!(after.contains("│ Environment: production"), "{after}");
}

#[test]
fn env_mismatch() {
    check(
        &with("│ Environment: production ", "│ Environment: staging    "),
        expect![[r#"
        13:16 warning[env-mismatch] the Decision Validation record is for staging, but this plan deploys to production
    "#]],
    );
}

#[test]
fn high_risk_proceed() {
    let text = with("Risk: Medium  ", "Risk: High    ").replace(
        "Recommendation: Proceed with Caution",
        "Recommendation: Proceed             ",
    );
    check(
        &text,
        expect![[r#"
        25:19 warning[high-risk-proceed] Risk is High, so the recommendation should be `Proceed with Caution`
    "#]],
    );
    let after = fixed(&text, "Change to Proceed with Caution");
    assert!(
        after.contains("│ Recommendation: Proceed with Caution                       │\n"),
        "{after}"
    );
}

#[test]
fn misaligned_box() {
    let text = with("Risk: Medium  ", "Risk: Medium");
    check(
        &text,
        expect![[r#"
            21:1 warning[misaligned-box] the right border of the Decision Validation box is out of line (1 line to re-pad)
        "#]],
    );
    let after = fixed(&text, "Align the Decision Validation box");
    let widths: Vec<usize> = after
        .lines()
        .filter(|l| l.starts_with(['┌', '│', '├', '└']))
        .map(|l| l.chars().count())
        .collect();
    assert!(widths.windows(2).all(|w| w[0] == w[1]), "{after}");
    assert_eq!(after, clean());
}

#[test]
fn missing_mitigations() {
    check(
        &with(
            "Mitigations: vault-managed secrets, per-tenant quotas",
            "Mitigations: [how addressed]                         ",
        ),
        expect![[r#"
        18:5 warning[missing-mitigations] threats are listed but `Mitigations` does not say how they are addressed
        18:18 error[placeholder] template placeholder `[how addressed]` in `Mitigations`: replace it with the real value
    "#]],
    );
}

#[test]
fn plaintext_secret() {
    let found = findings_in(
        &with("AWS Secrets Manager", "AKIAIOSFODNN7EXAMPLE"),
        &Config::default(),
        None,
    );
    assert_eq!(
        found,
        "43:12 error[plaintext-secret] an AWS access key id is written in plain text: remove it, rotate it, and reference it from your secret manager\n"
    );
    assert!(!found.contains("AKIAIOSFODNN7EXAMPLE"));
    check(
        &with(
            "- Variables: DATABASE_URL (sensitive)",
            "- Variables: DATABASE_URL=postgres://app:s3cret@db.example.com/app",
        ),
        expect![[r#"
        42:42 error[plaintext-secret] a password in a URL is written in plain text: remove it, rotate it, and reference it from your secret manager
    "#]],
    );
}

#[test]
fn suppression_comments_and_invalid_codes() {
    let text = with(
        "- Strategy: Blue-Green",
        "<!-- plan-lsp-disable-next-line invalid-value -->\n- Strategy: Sideways",
    );
    check(&text, expect![""]);
    let text = with(
        "## Deployment Strategy",
        "<!-- plan-lsp-disable -->\n## Deployment Strategy",
    )
    .replace("- Strategy: Blue-Green", "- Strategy: Sideways")
    .replace("## Monitoring", "<!-- plan-lsp-enable -->\n## Monitoring")
    .replace("- Retention: 90 days", "- Retention: forever");
    check(
        &text,
        expect![[r#"
        71:14 error[invalid-duration] `Retention` is not a duration: expected a number and a unit, e.g. 30s, every 5 minutes, 90 days
    "#]],
    );
    check(
        &with(
            "- Strategy: Blue-Green",
            "<!-- plan-lsp-disable-next-line invalid-vlaue -->\n- Strategy: Blue-Green",
        ),
        expect![[r#"
            53:33 warning[invalid-suppression] `invalid-vlaue` is not a plan-lsp rule code, so `plan-lsp-disable-next-line` suppresses nothing; known codes: missing-section, missing-field, placeholder, invalid-value, non-canonical-value, unknown-field, duplicate-section, heading-level, invalid-url, invalid-date, invalid-duration, invalid-threshold, empty-procedure, missing-checklist-item, unchecked-item, missing-decision-validation, env-mismatch, high-risk-proceed, misaligned-box, missing-mitigations, plaintext-secret, invalid-suppression, document-too-large, invalid-config, other-structure, invalid-template
        "#]],
    );
}

#[test]
fn document_too_large() {
    let config = Config::from_toml("max_document_bytes = 100\n", "t", None).unwrap();
    assert_eq!(
        findings_in(&clean(), &config, None).lines().next().unwrap(),
        format!(
            "1:1 warning[document-too-large] this document is {} bytes, over the 100-byte limit, so it was not analysed (raise `max_document_bytes` to analyse it)",
            clean().len()
        )
    );
}

#[test]
fn configuration_changes_severities() {
    let config = Config::from_toml(
        "[rules]\ninvalid-value = \"warning\"\nnon-canonical-value = \"off\"\n",
        "t",
        None,
    )
    .unwrap();
    let text = with("- Strategy: Blue-Green", "- Strategy: Sideways")
        .replace("- Provider: AWS", "- Provider: aws");
    let found = findings_in(&text, &config, None);
    assert!(found.contains("warning[invalid-value]"), "{found}");
    assert!(!found.contains("non-canonical-value"), "{found}");
}

#[test]
fn not_a_plan_gets_nothing() {
    let text = "# Deploying the docs\n\n## Hosting\n- Provider: whatever\n- password=hunter2\n";
    assert_eq!(
        findings_in(
            text,
            &Config::default(),
            Some(Path::new("docs/deployment.md"))
        ),
        ""
    );
    let analysis = analyze(
        text,
        Some(Path::new("docs/deployment.md")),
        &Config::default(),
    );
    assert!(analysis.targeting.reason.contains("Deploying the docs"));
    // front matter makes it one
    let declared = format!("---\nplan: deployment\n---\n{text}");
    assert!(!findings_in(&declared, &Config::default(), None).is_empty());
}

#[test]
fn markdown_record_and_crlf() {
    let text = clean();
    let start = text.find("```\n┌").unwrap();
    let end = text.find("┘\n```\n").unwrap() + "┘\n```\n".len();
    let markdown = "- Environment: production\n\n### Security Assessment\n- Data Classification: INTERNAL\n- Threats Considered: none new\n- Mitigations: n/a\n\n### Deployment\n- Risk: Low\n- Rollback Strategy: redeploy the previous tag\n- Monitoring: error rate\n\n- Recommendation: Proceed\n";
    let text = format!("{}{}{}", &text[..start], markdown, &text[end..]);
    check(&text, expect![""]);
    check(
        &text.replace("- Risk: Low", "- Risk: Extreme"),
        expect![[r#"
        16:9 error[invalid-value] `Extreme` is not a valid Risk: expected Low, Medium, High
    "#]],
    );
    let crlf = with("- Strategy: Blue-Green", "- Strategy: Sideways").replace('\n', "\r\n");
    check(
        &crlf,
        expect![[r#"
        53:13 error[invalid-value] `Sideways` is not a valid Strategy: expected Blue-Green, Canary, Rolling
    "#]],
    );
}
