//! The seed's user actions as pure functions: SHOW (a summary), APPROVE
//! (set the recommendation and record the approval), and DEPLOY / ROLLBACK:
//! their gates, the facts their command gets, and the deployment state they
//! write into status.md. The editor and the command line both run these, so
//! they never disagree; running the command itself is `exec`'s.

use std::ops::Range;

use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits;
use crate::fix::Edit;
use crate::model::Progress;
use crate::model::{Field, Plan};
use crate::schema::template;
use crate::schema::values::{self, is_http_url, url_of};
use crate::schema::{Body, DocKind, Env, FieldSpec, Role, status_roles};

pub const SHOW: &str = "plan-lsp.show";
pub const APPROVE: &str = "plan-lsp.approve";
pub const DEPLOY: &str = "plan-lsp.deploy";
pub const ROLLBACK: &str = "plan-lsp.rollback";

/// The server's workflow commands.
pub const COMMANDS: &[&str] = &[SHOW, APPROVE, DEPLOY, ROLLBACK];

/// The actions that run a command (or only record what happened).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Deploy,
    Rollback,
}

impl Action {
    pub fn command(self) -> &'static str {
        match self {
            Action::Deploy => DEPLOY,
            Action::Rollback => ROLLBACK,
        }
    }

    /// `deploy`, `roll back`: for "cannot …" and questions.
    pub fn verb(self) -> &'static str {
        match self {
            Action::Deploy => "deploy",
            Action::Rollback => "roll back",
        }
    }

    /// `Deploy to production`, `Roll back production`.
    pub fn title(self, env: Env) -> String {
        match self {
            Action::Deploy => format!("Deploy to {env}"),
            Action::Rollback => format!("Roll back {env}"),
        }
    }

    /// What it is called when it only records: `Record deployment`.
    pub fn record_title(self) -> &'static str {
        match self {
            Action::Deploy => "Record deployment",
            Action::Rollback => "Record rollback",
        }
    }

    /// The configured command, if any.
    pub fn configured(
        self,
        config: &crate::config::Config,
    ) -> Option<&crate::config::ActionCommand> {
        match self {
            Action::Deploy => config.deploy.as_ref(),
            Action::Rollback => config.rollback.as_ref(),
        }
    }

    /// The status values it may record: what its command's success and
    /// failure write, or what a person may record without one.
    pub fn outcomes(self) -> &'static [Recorded] {
        match self {
            Action::Deploy => &[Recorded::Deployed, Recorded::Failed],
            Action::Rollback => &[Recorded::RolledBack],
        }
    }
}

/// The Status a run records in status.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    Deployed,
    Failed,
    RolledBack,
}

impl Recorded {
    /// The status value as the schema spells it.
    pub fn value(self) -> Option<&'static str> {
        let roles = status_roles()?;
        Some(match self {
            Recorded::Deployed => roles.deployed,
            Recorded::Failed => roles.failed,
            Recorded::RolledBack => roles.rolled_back,
        })
    }

    /// What a run that ended so records: success writes the action's
    /// first outcome, anything else `failed`.
    pub fn of_run(action: Action, succeeded: bool) -> Recorded {
        match (action, succeeded) {
            (Action::Rollback, true) => Recorded::RolledBack,
            (_, true) => Recorded::Deployed,
            (_, false) => Recorded::Failed,
        }
    }
}

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
    let checklists = plan
        .sections
        .iter()
        .filter_map(|section| {
            let spec = section.spec.as_ref()?;
            let progress = crate::model::checklist_progress(text, section)?;
            Some((spec.name.to_string(), progress))
        })
        .collect();
    let errors = count(Severity::Error);
    let mut blockers = Vec::new();
    if plan.kind == *DocKind::deployment() {
        // what a production deploy would be refused for, and more
        if plan.env != Env::Production {
            blockers.push(format!("the plan targets {}", plan.env));
        }
        if errors > 0 {
            blockers.push(format!("{errors} error(s)"));
        }
        if plan.record.is_none() {
            blockers.push(format!("no {} record", plan.kind.record_name()));
        }
        blockers.extend(production_gates(text, plan));
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
        ready_for_production: plan.kind == *DocKind::deployment() && blockers.is_empty(),
        blockers,
    })
}

/// A refusal naming the errors that block a command (the first few, with
/// their lines).
fn refuse_on_errors(text: &str, action: &str, diagnostics: &[Diagnostic]) -> Result<(), String> {
    let count = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    match error_list(text, diagnostics) {
        None => Ok(()),
        Some(list) => Err(format!(
            "cannot {action}: the plan has {count} error(s): {list}"
        )),
    }
}

/// The first few errors with their lines: `line 53: …; line 60: … (and 2
/// more)`.
fn error_list(text: &str, diagnostics: &[Diagnostic]) -> Option<String> {
    let errors: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if errors.is_empty() {
        return None;
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
    Some(format!("{}{more}", shown.join("; ")))
}

/// The gates a deploy must pass (SPEC §11), each unmet one in words: no
/// errors; in production also an approved record and every item checked in
/// the checklists production requires. A rollback has none: undoing a
/// deployment must stay possible whatever the plan's state.
pub fn blockers(text: &str, analysis: &Analysis, action: Action) -> Vec<String> {
    let Some(plan) = analysis
        .plan
        .as_ref()
        .filter(|p| p.kind == *DocKind::deployment())
    else {
        return vec![format!(
            "this document is {}",
            analysis.targeting.sentence()
        )];
    };
    if action == Action::Rollback {
        return Vec::new();
    }
    let mut out = Vec::new();
    let errors = analysis
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if errors > 0 {
        out.push(format!(
            "{errors} error{}",
            if errors == 1 { "" } else { "s" }
        ));
    }
    if plan.env == Env::Production {
        out.extend(production_gates(text, plan));
    }
    out
}

/// What production asks of a plan beyond having no errors: an approved
/// record, and every item checked in the checklists production requires.
fn production_gates(text: &str, plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    let approved = plan
        .record_roles()
        .and_then(|roles| plan.record.as_ref()?.field_of(roles.approved))
        .is_some_and(|f| !text[f.value.clone()].trim().is_empty());
    if !approved {
        out.push("not approved".into());
    }
    for section in &plan.sections {
        let Some(spec) = &section.spec else { continue };
        if !matches!(
            spec.body,
            Body::Checklist {
                checked_for_production: true,
                ..
            }
        ) {
            continue;
        }
        if let Some(p) = crate::model::checklist_progress(text, section)
            && p.done < p.total
        {
            out.push(format!(
                "{} of {} {} items unchecked",
                p.total - p.done,
                p.total,
                spec.name
            ));
        }
    }
    out
}

/// A refusal of `action` for its unmet gates, with the errors named when
/// there are some.
pub fn refusal(text: &str, analysis: &Analysis, action: Action) -> Option<String> {
    let blockers = blockers(text, analysis, action);
    if blockers.is_empty() {
        return None;
    }
    let errors = error_list(text, &analysis.diagnostics)
        .map(|list| format!(" ({list})"))
        .unwrap_or_default();
    Some(format!(
        "cannot {}: {}{errors}",
        action.verb(),
        blockers.join(", ")
    ))
}

/// The plan's facts a command gets in its environment (never in its
/// arguments): the plan and status files, the environment, the version and
/// the rollout strategy.
pub fn facts(
    plan_file: &std::path::Path,
    status_file: &std::path::Path,
    text: &str,
    analysis: &Analysis,
    version: Option<&str>,
) -> Vec<(String, String)> {
    let plan = analysis.plan.as_ref();
    let env = plan.map_or(Env::Staging, |p| p.env);
    let strategy = plan
        .and_then(|p| {
            let role = match env {
                Env::Production => Role::ProductionStrategy,
                Env::Staging => Role::StagingStrategy,
            };
            p.fields()
                .find(|f| f.spec.as_ref().is_some_and(|s| s.role == Some(role)))
        })
        .map(|f| {
            f.canonical(text)
                .map_or_else(|| text[f.core(text)].to_string(), str::to_string)
        })
        .filter(|v| values::placeholders(v, &[]).is_empty())
        .unwrap_or_default();
    vec![
        ("PLAN_FILE".into(), plan_file.display().to_string()),
        ("PLAN_ENV".into(), env.to_string()),
        (
            "PLAN_VERSION".into(),
            version.unwrap_or_default().to_string(),
        ),
        ("PLAN_STRATEGY".into(), strategy),
        ("STATUS_FILE".into(), status_file.display().to_string()),
    ]
}

/// The version status.md records now, if it holds a real one.
pub fn recorded_version(status: Option<(&str, &Analysis)>) -> Option<String> {
    let roles = status_roles()?;
    let (text, a) = status?;
    let p = a.plan.as_ref()?;
    let f = p
        .fields()
        .find(|f| f.spec.as_ref().is_some_and(|s| s.is(roles.version)))?;
    let v = &text[f.value.clone()];
    (!v.is_empty() && values::placeholders(v, &[]).is_empty()).then(|| v.to_string())
}

fn deployment_plan<'a>(analysis: &'a Analysis, action: &str) -> Result<&'a Plan, String> {
    match analysis.plan.as_ref() {
        Some(plan) if plan.kind == *DocKind::deployment() => Ok(plan),
        _ => Err(format!(
            "cannot {action}: this document is {}",
            analysis.targeting.sentence()
        )),
    }
}

/// APPROVE: sets the recommendation from the risk (the careful go decision
/// for a high risk; otherwise the plain one, unless it already says the
/// careful one) and records the approval time, in the box or as a field —
/// whichever form the record uses. Returns the edits, and what they did in
/// words.
pub fn approve(
    text: &str,
    analysis: &Analysis,
    now: &str,
    approver: Option<&str>,
) -> Result<(Vec<Edit>, String), String> {
    let plan = deployment_plan(analysis, "approve")?;
    refuse_on_errors(text, "approve", &analysis.diagnostics)?;
    let (Some(roles), Some(record_section)) = (plan.record_roles(), edits::record_section(plan))
    else {
        return Err("cannot approve: this kind of plan has no decision record".into());
    };
    let name = &record_section.name;
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
    let mut edits = vec![
        set_record_field(plan, text, roles.recommendation, recommendation)?,
        set_record_field(plan, text, roles.approved, now)?,
    ];
    let mut message = format!(
        "approved: {} {recommendation}, {} {now}",
        roles.recommendation.key, roles.approved.key
    );
    if let Some(who) = approver {
        edits.push(set_record_field(plan, text, roles.approved_by, who)?);
        message.push_str(&format!(", {} {who}", roles.approved_by.key));
    }
    // Fields inserted at one place (a record without them) go in order.
    let edits = combine_inserts(edits);
    Ok((within_the_box(text, analysis, edits), message))
}

/// Edits of the record that keep its box aligned: a value wider than the
/// box widens the whole box, as formatting would.
fn within_the_box(text: &str, analysis: &Analysis, edits: Vec<Edit>) -> Vec<Edit> {
    if analysis
        .plan
        .as_ref()
        .and_then(|p| p.record.as_ref())
        .is_none_or(|r| r.box_range.is_none())
    {
        return edits;
    }
    let (edited, _) = crate::fix::apply(text, [&crate::fix::Fix::safe("", edits.clone())]);
    let after = crate::analysis::analyze(&edited, None, &crate::config::Config::default());
    let Some(block) = after
        .plan
        .as_ref()
        .and_then(|p| p.record.as_ref())
        .and_then(|r| r.box_range.clone())
    else {
        return edits;
    };
    let align = edits::align_box(&edited, block);
    if align.is_empty() {
        return edits;
    }
    let (aligned, _) = crate::fix::apply(&edited, [&crate::fix::Fix::safe("", align)]);
    crate::fix::diff_edits(text, &aligned)
}

/// Sets a record field's value, or inserts the field with it.
fn set_record_field(
    plan: &Plan,
    text: &str,
    field: &FieldSpec,
    value: &str,
) -> Result<Edit, String> {
    let name = plan.kind.record_name();
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

/// What DEPLOY and ROLLBACK write: the status document's Deployment State
/// for this plan — Environment, Last Deploy (now, RFC 3339), Status, Version
/// — updating the fields, adding the section, or creating the document.
pub fn record(
    plan_text: &str,
    plan_analysis: &Analysis,
    status: Option<(&str, &Analysis)>,
    now: &str,
    version: Option<&str>,
    recorded: Recorded,
) -> Result<StatusChange, String> {
    let plan = deployment_plan(plan_analysis, "record a deployment")?;
    let (Some(roles), Some(status_value)) = (status_roles(), recorded.value()) else {
        return Err("cannot record: the status document has no deployment state".into());
    };
    let version = version.map(str::to_string).or(recorded_version(status));
    let env = plan.env.as_str();
    let fill = |f: &FieldSpec| -> Option<String> {
        if std::ptr::eq(f, roles.environment) {
            Some(env.to_string())
        } else if std::ptr::eq(f, roles.last_deploy) {
            Some(now.to_string())
        } else if std::ptr::eq(f, roles.status) {
            Some(status_value.to_string())
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
                DocKind::status(),
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
        .filter(|p| p.kind == *DocKind::status())
        .ok_or_else(|| {
            format!(
                "cannot record: status.md is {}",
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
            .find(|f| f.spec.as_ref().is_some_and(|s| s.is(field)));
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
    let plan_field = |spec: &FieldSpec| {
        plan.fields()
            .find(|x| x.spec.as_ref().is_some_and(|s| s.is(spec)))
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
/// missing"); over the H1 (or the first heading) the workflow commands,
/// each saying what it will do now: "Deploy to production: make deploy",
/// "Record deployment", "Deploy blocked: 2 errors, not approved".
pub fn lenses(text: &str, analysis: &Analysis, config: &crate::config::Config) -> Vec<Lens> {
    let mut out = Vec::new();
    let Some(plan) = analysis.plan.as_ref() else {
        return out;
    };
    let anchor = plan
        .title()
        .or(plan.sections.first())
        .map(|s| s.line.clone())
        .unwrap_or(0..0);
    let lens = |title: String, command: &'static str| Lens {
        range: anchor.clone(),
        title,
        command: Some(command),
    };
    out.push(lens("Show".into(), SHOW));
    if plan.kind == *DocKind::deployment() {
        out.push(lens("Approve".into(), APPROVE));
        for action in [Action::Deploy, Action::Rollback] {
            let blockers = blockers(text, analysis, action);
            let title = if !blockers.is_empty() {
                let name = action.title(plan.env);
                let verb = name.split(' ').next().unwrap_or_default();
                format!("{verb} blocked: {}", blockers.join(", "))
            } else {
                match action.configured(config) {
                    Some(c) => format!(
                        "{}: {}",
                        action.title(plan.env),
                        shorten(&crate::exec::display(&c.argv), 40)
                    ),
                    None => action.record_title().to_string(),
                }
            };
            out.push(lens(title, action.command()));
        }
    }
    for section in &plan.sections {
        if let (Some(spec), Some(progress)) = (
            section.spec.clone(),
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

/// A text cut to about `max` characters, with an ellipsis when cut.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

/// Edits that insert at one offset are kept in their order by joining them
/// into one insertion (an editor applies same-offset inserts in any order).
fn combine_inserts(edits: Vec<Edit>) -> Vec<Edit> {
    let mut out: Vec<Edit> = Vec::new();
    for edit in edits {
        if edit.range.is_empty()
            && let Some(last) = out
                .iter_mut()
                .find(|e| e.range.is_empty() && e.range.start == edit.range.start)
        {
            last.new_text.push_str(&edit.new_text);
            continue;
        }
        out.push(edit);
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
        let (edits, _) = approve(
            &text,
            &a,
            "2026-11-26T10:00:00Z",
            Some("Ada Lovelace <ada@example.com>"),
        )
        .unwrap();
        let out = applied(&text, edits);
        assert!(out.contains("│ Recommendation: Proceed with Caution                       │\n│ Approved: 2026-11-26T10:00:00Z                             │\n│ Approved By: Ada Lovelace <ada@example.com>                │\n"), "{out}");
        // approving again replaces both
        let again = analyze(&out, None, &Config::default());
        let (edits, _) = approve(
            &out,
            &again,
            "2026-11-27T10:00:00Z",
            Some("Grace <g@example.com>"),
        )
        .unwrap();
        let twice = applied(&out, edits);
        assert_eq!(twice.matches("Approved:").count(), 1, "{twice}");
        assert!(
            twice.contains("│ Approved By: Grace <g@example.com>                         │\n"),
            "{twice}"
        );
        let again = analyze(&out, None, &Config::default());
        assert!(again.diagnostics.is_empty(), "{:?}", again.diagnostics);
    }

    #[test]
    fn approve_in_the_markdown_record_writes_after_the_recommendation() {
        let box_start = clean().find("## Decision Validation").unwrap();
        let box_end = clean().find("## Infrastructure").unwrap();
        let record = "## Decision Validation\n\n- Environment: production\n\n### Security Assessment\n- Data Classification: CONFIDENTIAL\n- Threats Considered: credential leak\n- Mitigations: vault-managed secrets\n\n### Deployment\n- Risk: Medium\n- Rollback Strategy: shift traffic back\n- Monitoring: 5xx rate\n\n- Recommendation: Proceed with Caution\n\n";
        let text = format!("{}{record}{}", &clean()[..box_start], &clean()[box_end..]);
        let a = analyze(&text, None, &Config::default());
        assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
        let (edits, _) = approve(
            &text,
            &a,
            "2026-11-26T10:00:00Z",
            Some("Ada <a@example.com>"),
        )
        .unwrap();
        let out = applied(&text, edits);
        assert!(out.contains("- Recommendation: Proceed with Caution\n- Approved: 2026-11-26T10:00:00Z\n- Approved By: Ada <a@example.com>\n"), "{out}");
        assert!(
            analyze(&out, None, &Config::default())
                .diagnostics
                .is_empty()
        );
    }

    #[test]
    fn approve_refuses_with_errors_and_names_them() {
        let text = clean().replace("- Strategy: Blue-Green", "- Strategy: Sideways");
        let a = analyze(&text, None, &Config::default());
        let err = approve(&text, &a, "2026-11-26T10:00:00Z", None).unwrap_err();
        assert!(
            err.contains("line 53: `Sideways` is not a valid Strategy"),
            "{err}"
        );
    }

    #[test]
    fn deploy_creates_or_updates_the_deployment_state() {
        let text = clean();
        let a = analyze(&text, None, &Config::default());
        let StatusChange::Create(created) = record(
            &text,
            &a,
            None,
            "2026-11-26T10:00:00Z",
            Some("v1.4.0"),
            Recorded::Deployed,
        )
        .unwrap() else {
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
        let StatusChange::Edit(edits) = record(
            &text,
            &a,
            Some((old, &old_a)),
            "2026-11-26T10:00:00Z",
            None,
            Recorded::Failed,
        )
        .unwrap() else {
            panic!("edits");
        };
        assert_eq!(
            applied(old, edits),
            "# Status\n\n## Deployment State\n- Environment: production\n- Last Deploy: 2026-11-26T10:00:00Z\n- Status: failed\n- Version: v1.3.9\n"
        );
    }

    const LENS_TEXT: &str = "# Deployment Plan\n\n## Deployment Checklist\n\n### Pre-Deployment\n- [x] All tests pass\n- [ ] Rollback tested\n";

    fn lens_titles(text: &str, config: &Config) -> Vec<String> {
        let a = analyze(text, None, config);
        lenses(text, &a, config)
            .into_iter()
            .map(|l| l.title)
            .collect()
    }

    #[test]
    fn lenses_count_checkboxes_and_say_what_the_actions_will_do() {
        assert_eq!(
            lens_titles(LENS_TEXT, &Config::default()),
            [
                "Show",
                "Approve",
                "Record deployment",
                "Record rollback",
                "Pre-Deployment 1/5 — 3 missing"
            ]
        );
        let config =
            Config::from_toml("[deploy]\ncommand = [\"make\", \"deploy\"]\n", "test", None)
                .unwrap();
        assert_eq!(
            lens_titles(LENS_TEXT, &config)[2],
            "Deploy to staging: make deploy"
        );
        // production: unapproved, with the checklist unchecked and errors
        let production = LENS_TEXT.replace(
            "# Deployment Plan\n",
            "# Deployment Plan\n\n## Environment: production\n",
        );
        let titles = lens_titles(&production, &config);
        assert!(
            titles[2].starts_with("Deploy blocked: ")
                && titles[2].contains("error")
                && titles[2].contains("not approved")
                && titles[2].contains("Pre-Deployment items unchecked"),
            "{titles:?}"
        );
        assert_eq!(titles[3], "Record rollback");
    }
}
