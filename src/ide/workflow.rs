//! The seed's user actions as pure functions: SHOW (a summary), APPROVE
//! (set the recommendation and record the approval) and DEPLOY (write the
//! deployment state into status.md). Each refuses, saying exactly what is
//! missing, while the plan has errors.

use std::ops::Range;

use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits;
use crate::fix::Edit;
use crate::model::Progress;
use crate::model::{Field, Plan};
use crate::schema::template;
use crate::schema::values::{self, is_http_url, url_of};
use crate::schema::{Body, DocKind, Env, FieldSpec, record_roles, status_roles};

pub const SHOW: &str = "plan-lsp.show";
pub const APPROVE: &str = "plan-lsp.approve";
pub const DEPLOY: &str = "plan-lsp.deploy";

/// The commands with the titles their code lenses show.
pub const COMMANDS: &[(&str, &str)] = &[("Show", SHOW), ("Approve", APPROVE), ("Deploy", DEPLOY)];

/// What `plan-lsp.show` reports.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub kind: String,
    pub env: String,
    pub env_declared: bool,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub hints: usize,
    /// Each checklist's name and progress.
    pub checklists: Vec<(String, Progress)>,
    pub ready_for_production: bool,
    /// Why it is not ready for production.
    pub blockers: Vec<String>,
}

impl Summary {
    fn counts(&self) -> String {
        format!(
            "{} plan for {}{}: {} error(s), {} warning(s), {} hint(s)",
            self.kind,
            self.env,
            if self.env_declared { "" } else { " (default)" },
            self.errors,
            self.warnings,
            self.hints + self.infos
        )
    }

    /// The summary in one line, for a notification.
    pub fn one_line(&self) -> String {
        let mut out = self.counts();
        for (name, progress) in &self.checklists {
            out.push_str(&format!("; {name} {progress}"));
        }
        if self.ready_for_production {
            out.push_str(&format!(". Ready for {}.", Env::Production));
        } else {
            out.push_str(&format!(
                ". Not ready for {}: {}.",
                Env::Production,
                self.blockers.join("; ")
            ));
        }
        out
    }

    /// The whole summary, a line for each fact.
    pub fn text(&self) -> String {
        let mut out = vec![self.counts()];
        for (name, progress) in &self.checklists {
            out.push(format!("{name}: {progress}"));
        }
        if self.ready_for_production {
            out.push(format!("Ready for {}.", Env::Production));
        } else {
            out.push(format!("Not ready for {}:", Env::Production));
            out.extend(self.blockers.iter().map(|b| format!("- {b}")));
        }
        out.join("\n")
    }
}

pub fn summary(text: &str, analysis: &Analysis) -> Option<Summary> {
    let plan = analysis.plan.as_ref()?;
    let count = |s: Severity| {
        analysis
            .diagnostics
            .iter()
            .filter(|d| d.severity == s)
            .count()
    };
    let mut checklists = Vec::new();
    let mut blockers = Vec::new();
    for section in &plan.sections {
        let Some(spec) = section.spec else { continue };
        let Some(progress) = crate::model::checklist_progress(text, section) else {
            continue;
        };
        checklists.push((spec.name.to_string(), progress));
        if matches!(
            spec.body,
            Body::Checklist {
                checked_for_production: true,
                ..
            }
        ) {
            let unchecked = progress.total - progress.done - progress.missing;
            if unchecked > 0 {
                blockers.push(format!("{unchecked} unchecked {} item(s)", spec.name));
            }
            if progress.missing > 0 {
                blockers.push(format!(
                    "{} missing {} item(s)",
                    progress.missing, spec.name
                ));
            }
        }
    }
    let errors = count(Severity::Error);
    if errors > 0 {
        blockers.insert(0, format!("{errors} error(s)"));
    }
    if plan.kind == DocKind::Deployment {
        if plan.env != Env::Production {
            blockers.insert(0, format!("the plan targets {}", plan.env));
        }
        if plan.record.is_none() {
            blockers.push(format!("no {} record", plan.spec.record_name()));
        }
        let placeholders = analysis
            .diagnostics
            .iter()
            .filter(|d| d.code == crate::diagnostic::Code::Placeholder)
            .count();
        if placeholders > 0 && plan.env != Env::Production {
            blockers.push(format!("{placeholders} placeholder(s) left"));
        }
    }
    Some(Summary {
        kind: plan.kind.to_string(),
        env: plan.env.to_string(),
        env_declared: plan.env_declared,
        errors,
        warnings: count(Severity::Warning),
        infos: count(Severity::Info),
        hints: count(Severity::Hint),
        checklists,
        ready_for_production: plan.kind == DocKind::Deployment && blockers.is_empty(),
        blockers,
    })
}

/// A refusal naming the errors that block a command (the first few, with
/// their lines).
fn refuse_on_errors(text: &str, action: &str, diagnostics: &[Diagnostic]) -> Result<(), String> {
    let errors: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = errors
        .iter()
        .take(5)
        .map(|d| {
            format!(
                "line {}: {}",
                crate::rules::line_number(text, d.range.start),
                d.message
            )
        })
        .collect();
    let more = if errors.len() > shown.len() {
        format!(" (and {} more)", errors.len() - shown.len())
    } else {
        String::new()
    };
    Err(format!(
        "cannot {action}: the plan has {} error(s){more}: {}",
        errors.len(),
        shown.join("; ")
    ))
}

fn deployment_plan<'a>(analysis: &'a Analysis, action: &str) -> Result<&'a Plan, String> {
    match analysis.plan.as_ref() {
        Some(plan) if plan.kind == DocKind::Deployment => Ok(plan),
        _ => Err(format!(
            "cannot {action}: this document is {}",
            analysis.targeting.sentence()
        )),
    }
}

/// The canonical enum value a field holds.
/// APPROVE: sets the recommendation from the risk (the careful go decision
/// for a high risk; otherwise the plain one, unless it already says the
/// careful one) and records the approval time, in the box or as a field —
/// whichever form the record uses. Returns the edits, and what they did in
/// words.
pub fn approve(text: &str, analysis: &Analysis, now: &str) -> Result<(Vec<Edit>, String), String> {
    let plan = deployment_plan(analysis, "approve")?;
    refuse_on_errors(text, "approve", &analysis.diagnostics)?;
    let (Some(roles), Some(record_section)) = (record_roles(), edits::record_section(plan)) else {
        return Err("cannot approve: this kind of plan has no decision record".into());
    };
    let name = record_section.name;
    let record = plan.record.as_ref().ok_or_else(|| {
        format!(
            "cannot approve: the plan has no {name} record (use the action \"{}\" and fill it in)",
            edits::insert_record_title(record_section)
        )
    })?;
    let risk = record
        .field_of(roles.risk)
        .and_then(|f| f.canonical(text))
        .ok_or_else(|| {
            format!(
                "cannot approve: the {name} record has no {} ({})",
                roles.risk.key,
                roles.risk.value.describe()
            )
        })?;
    let current = record.field_of(roles.recommendation);
    let recommendation = if risk == roles.high_risk
        || current.and_then(|f| f.canonical(text)) == Some(roles.proceed_with_caution)
    {
        roles.proceed_with_caution
    } else {
        roles.proceed
    };
    let edits = vec![
        set_record_field(plan, text, roles.recommendation, recommendation)?,
        set_record_field(plan, text, roles.approved, now)?,
    ];
    let message = format!(
        "approved: {} {recommendation}, {} {now}",
        roles.recommendation.key, roles.approved.key
    );
    Ok((edits, message))
}

/// Sets a record field's value, or inserts the field with it.
fn set_record_field(
    plan: &Plan,
    text: &str,
    field: &'static FieldSpec,
    value: &str,
) -> Result<Edit, String> {
    let name = plan.spec.record_name();
    let record = plan
        .record
        .as_ref()
        .ok_or_else(|| format!("no {name} record"))?;
    match record.field_of(field) {
        Some(f) => {
            // `Key:` with nothing after it gets a space before the value
            let new = if f.value.is_empty() && !text[..f.value.start].ends_with(' ') {
                format!(" {value}")
            } else {
                value.to_string()
            };
            Ok(edits::replace_in_field(
                plan,
                text,
                f,
                f.value.clone(),
                &new,
            ))
        }
        None => edits::insert_record_field(plan, text, field, Some(value))
            .ok_or_else(|| format!("cannot write {} into the {name} record", field.key)),
    }
}

/// What DEPLOY writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusChange {
    /// Edits of the existing status document.
    Edit(Vec<Edit>),
    /// A new status document with this text.
    Create(String),
}

/// DEPLOY: the status document's Deployment State for this plan —
/// Environment, Last Deploy (now, RFC 3339), Status (deployed), Version —
/// updating the fields, adding the section, or creating the document.
pub fn deploy(
    plan_text: &str,
    plan_analysis: &Analysis,
    status: Option<(&str, &Analysis)>,
    now: &str,
    version: Option<&str>,
) -> Result<StatusChange, String> {
    let plan = deployment_plan(plan_analysis, "deploy")?;
    refuse_on_errors(plan_text, "deploy", &plan_analysis.diagnostics)?;
    let roles =
        status_roles().ok_or("cannot deploy: the status document has no deployment state")?;
    let existing_version = status.and_then(|(text, a)| {
        let p = a.plan.as_ref()?;
        let f = p
            .fields()
            .find(|f| f.spec.is_some_and(|s| std::ptr::eq(s, roles.version)))?;
        let v = &text[f.value.clone()];
        (!v.is_empty() && values::placeholders(v, &[]).is_empty()).then(|| v.to_string())
    });
    let version = version.map(str::to_string).or(existing_version);
    let env = plan.env.as_str();
    let fill = |f: &FieldSpec| -> Option<String> {
        if std::ptr::eq(f, roles.environment) {
            Some(env.to_string())
        } else if std::ptr::eq(f, roles.last_deploy) {
            Some(now.to_string())
        } else if std::ptr::eq(f, roles.status) {
            Some(roles.deployed.to_string())
        } else if std::ptr::eq(f, roles.version) {
            version.clone()
        } else {
            monitoring_value(plan_text, plan, f)
        }
    };
    let Some((status_text, status_analysis)) = status else {
        let mut out = String::new();
        for (i, section) in [roles.deployment_state, roles.monitoring_state]
            .into_iter()
            .enumerate()
        {
            if i > 0 {
                out.push_str("\n\n");
            }
            out.push_str(&template::section_filled(
                section,
                DocKind::Status,
                None,
                &fill,
            ));
        }
        out.push('\n');
        return Ok(StatusChange::Create(out));
    };
    let status_plan = status_analysis
        .plan
        .as_ref()
        .filter(|p| p.kind == DocKind::Status)
        .ok_or_else(|| {
            format!(
                "cannot deploy: status.md is {}",
                status_analysis.targeting.sentence()
            )
        })?;
    let Some((index, section)) = status_plan.sections_of(roles.deployment_state).next() else {
        let edit = edits::insert_section_filled(
            status_plan,
            status_text,
            roles.deployment_state,
            None,
            &fill,
        );
        return Ok(StatusChange::Edit(vec![edit]));
    };
    let mut out = Vec::new();
    for field in [
        roles.environment,
        roles.last_deploy,
        roles.status,
        roles.version,
    ] {
        let Some(value) = fill(field) else { continue };
        let written = section
            .entries
            .iter()
            .filter_map(|e| e.field.as_ref())
            .find(|f| f.spec.is_some_and(|s| std::ptr::eq(s, field)));
        out.push(match written {
            Some(f) if !f.value.is_empty() => Edit::replace(f.value.clone(), value),
            Some(f) => Edit::replace(f.key.end..f.line.end, format!(": {value}")),
            None => edits::insert_field(status_plan, status_text, index, field, Some(&value)),
        });
    }
    Ok(StatusChange::Edit(out))
}

/// Monitoring State values the plan already knows: the health-check URL,
/// the first dashboard, the log alerts.
fn monitoring_value(text: &str, plan: &Plan, f: &FieldSpec) -> Option<String> {
    let roles = status_roles()?;
    let plan_field = |spec: &'static FieldSpec| {
        plan.fields()
            .find(|x| x.spec.is_some_and(|s| std::ptr::eq(s, spec)))
    };
    let first_url = |field: &Field| {
        field
            .link_items(text)
            .into_iter()
            .map(|item| url_of(&text[item]).to_string())
            .find(|u| is_http_url(u))
    };
    if std::ptr::eq(f, roles.health_check) {
        plan_field(roles.plan_endpoint).and_then(first_url)
    } else if std::ptr::eq(f, roles.dashboard) {
        plan_field(roles.plan_dashboards).and_then(first_url)
    } else if std::ptr::eq(f, roles.alerts) {
        plan_field(roles.plan_alerts)
            .map(|x| text[x.value.clone()].to_string())
            .filter(|v| !v.is_empty() && values::placeholders(v, &[]).is_empty())
    } else {
        None
    }
}

/// A code lens: a title over a line, with the command it runs (none for a
/// plain count).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lens {
    pub range: Range<usize>,
    pub title: String,
    pub command: Option<&'static str>,
}

/// Over each checklist heading its progress ("Pre-Deployment 3/5 — 2
/// missing"); over the H1 (or the first heading) the workflow commands.
pub fn lenses(text: &str, plan: &Plan) -> Vec<Lens> {
    let mut out = Vec::new();
    let anchor = plan
        .title()
        .or(plan.sections.first())
        .map(|s| s.line.clone())
        .unwrap_or(0..0);
    for (title, command) in COMMANDS {
        if plan.kind == crate::schema::DocKind::Deployment || *command == SHOW {
            out.push(Lens {
                range: anchor.clone(),
                title: title.to_string(),
                command: Some(command),
            });
        }
    }
    for section in &plan.sections {
        if let (Some(spec), Some(progress)) = (
            section.spec,
            crate::model::checklist_progress(text, section),
        ) {
            out.push(Lens {
                range: section.line.clone(),
                title: format!("{} {progress}", spec.name),
                command: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;
    use crate::config::Config;
    use crate::fix::{Fix, apply};

    fn clean() -> String {
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/production/docs/deployment.md"
        ))
        .unwrap()
    }

    fn applied(text: &str, edits: Vec<Edit>) -> String {
        apply(text, [&Fix::safe("", edits)]).0
    }

    #[test]
    fn approve_sets_the_recommendation_and_records_the_time_in_the_box() {
        let text = clean().replace("Risk: Medium  ", "Risk: High    ").replace(
            "Recommendation: Proceed with Caution",
            "Recommendation: Proceed             ",
        );
        // High risk with Proceed is only a warning: approve may go ahead
        let a = analyze(&text, None, &Config::default());
        let (edits, _) = approve(&text, &a, "2026-11-26T10:00:00Z").unwrap();
        let out = applied(&text, edits);
        assert!(out.contains("│ Recommendation: Proceed with Caution                       │\n│ Approved: 2026-11-26T10:00:00Z                             │\n"), "{out}");
        let again = analyze(&out, None, &Config::default());
        assert!(again.diagnostics.is_empty(), "{:?}", again.diagnostics);
    }

    #[test]
    fn approve_refuses_with_errors_and_names_them() {
        let text = clean().replace("- Strategy: Blue-Green", "- Strategy: Sideways");
        let a = analyze(&text, None, &Config::default());
        let err = approve(&text, &a, "2026-11-26T10:00:00Z").unwrap_err();
        assert!(
            err.contains("line 53: `Sideways` is not a valid Strategy"),
            "{err}"
        );
    }

    #[test]
    fn deploy_creates_or_updates_the_deployment_state() {
        let text = clean();
        let a = analyze(&text, None, &Config::default());
        let StatusChange::Create(created) =
            deploy(&text, &a, None, "2026-11-26T10:00:00Z", Some("v1.4.0")).unwrap()
        else {
            panic!("a new status.md");
        };
        assert!(created.starts_with("## Deployment State\n- Environment: production\n- Last Deploy: 2026-11-26T10:00:00Z\n- Status: deployed\n- Version: v1.4.0\n\n## Monitoring State\n- Health Check: https://api.example.com/healthz\n"), "{created}");
        let path = std::path::Path::new("status.md");
        let status = analyze(&created, Some(path), &Config::default());
        assert!(
            status
                .diagnostics
                .iter()
                .all(|d| d.code == crate::diagnostic::Code::Placeholder),
            "{:?}",
            status.diagnostics
        );
        let old = "# Status\n\n## Deployment State\n- Environment: staging\n- Last Deploy: [datetime]\n- Status: pending\n- Version: v1.3.9\n";
        let old_a = analyze(old, Some(path), &Config::default());
        let StatusChange::Edit(edits) =
            deploy(&text, &a, Some((old, &old_a)), "2026-11-26T10:00:00Z", None).unwrap()
        else {
            panic!("edits");
        };
        assert_eq!(
            applied(old, edits),
            "# Status\n\n## Deployment State\n- Environment: production\n- Last Deploy: 2026-11-26T10:00:00Z\n- Status: deployed\n- Version: v1.3.9\n"
        );
    }

    const LENS_TEXT: &str = "# Deployment Plan\n\n## Deployment Checklist\n\n### Pre-Deployment\n- [x] All tests pass\n- [ ] Rollback tested\n";

    #[test]
    fn lenses_count_checkboxes() {
        let a = analyze(LENS_TEXT, None, &Config::default());
        let titles: Vec<String> = lenses(LENS_TEXT, a.plan.as_ref().unwrap())
            .into_iter()
            .map(|l| l.title)
            .collect();
        assert_eq!(
            titles,
            [
                "Show",
                "Approve",
                "Deploy",
                "Pre-Deployment 1/5 — 3 missing"
            ]
        );
    }
}
