//! The template as data: document kinds, sections, fields, value types and
//! enum values, each with the one-line description that hover, completion and
//! `explain` show. Every other layer reads names from here; no section name,
//! field name or enum value is spelled anywhere else in the code.

pub mod built_in;
pub mod notation;
pub mod overlay;
pub mod template;
pub mod values;

pub use built_in::{DEPLOYMENT, ENV, STATUS, VALIDATION_RECORD};

use std::fmt;
use std::ptr::NonNull;
use std::sync::Arc;

/// A kind of document plan-lsp handles: a shared handle on its schema, which
/// is run-time data (built in, or read from a team's template) and lives as
/// long as something holds it. Two kinds are the same kind when they have
/// the same name, so a configured kind named `deployment` is the deployment
/// plan, whatever its template says.
#[derive(Clone)]
pub struct DocKind(Arc<DocSpec>);

impl DocKind {
    pub fn new(spec: DocSpec) -> DocKind {
        DocKind(Arc::new(spec))
    }

    /// The built-in deployment plan and status document.
    pub fn deployment() -> &'static DocKind {
        &DEPLOYMENT
    }

    pub fn status() -> &'static DocKind {
        &STATUS
    }

    /// The built-in kinds, in the order targeting tries them.
    pub fn built_in() -> [&'static DocKind; 2] {
        [DocKind::deployment(), DocKind::status()]
    }

    pub fn as_str(&self) -> &str {
        &self.0.name
    }

    /// The built-in kind with this name (configured kinds: `Config::kind`).
    pub fn parse(s: &str) -> Option<&'static DocKind> {
        let name = s.trim();
        DocKind::built_in()
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(name))
    }

    pub fn spec(&self) -> &DocSpec {
        &self.0
    }

    /// Whether this is the deployment plan (built in or configured).
    pub fn is_deployment(&self) -> bool {
        self == DocKind::deployment()
    }

    pub fn is_status(&self) -> bool {
        self == DocKind::status()
    }

    /// Whether both are the very same schema (not only the same name).
    pub fn same_schema(&self, other: &DocKind) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// A part of this kind's schema, held with the kind.
    pub fn part<U>(
        &self,
        find: impl for<'a> FnOnce(&'a DocSpec) -> Option<&'a U>,
    ) -> Option<SpecRef<U>> {
        let part = NonNull::from(find(&self.0)?);
        Some(SpecRef {
            kind: self.clone(),
            part,
        })
    }
}

impl std::ops::Deref for DocKind {
    type Target = DocSpec;

    fn deref(&self) -> &DocSpec {
        &self.0
    }
}

impl PartialEq for DocKind {
    fn eq(&self, other: &DocKind) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for DocKind {}

impl std::hash::Hash for DocKind {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.name.hash(state);
    }
}

impl fmt::Debug for DocKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocKind({})", self.0.name)
    }
}

impl fmt::Display for DocKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A part of a kind's schema (a section, a field, a record) that the model
/// of a document keeps: it holds the kind, so the part lives as long as the
/// model that points at it.
pub struct SpecRef<T: 'static> {
    kind: DocKind,
    /// Points into `kind`'s schema, or at data that lives for ever: a
    /// `SpecRef` is only made by `DocKind::part` and `SpecRef::part`, whose
    /// `find` can only return what it was given or a `'static` reference.
    part: NonNull<T>,
}

// SAFETY: a `SpecRef` is a shared reference into the immutable schema its
// `DocKind` (an `Arc`) owns; the schema's types are `Sync`.
unsafe impl<T: Sync> Send for SpecRef<T> {}
unsafe impl<T: Sync> Sync for SpecRef<T> {}

impl<T> SpecRef<T> {
    /// A part of this part (a field of a section), held with the same kind.
    pub fn part<U>(&self, find: impl for<'a> FnOnce(&'a T) -> Option<&'a U>) -> Option<SpecRef<U>> {
        let part = NonNull::from(find(self)?);
        Some(SpecRef {
            kind: self.kind.clone(),
            part,
        })
    }

    /// Whether this is that very part of the schema.
    pub fn is(&self, other: &T) -> bool {
        std::ptr::eq(self.part.as_ptr(), other)
    }

    pub fn kind(&self) -> &DocKind {
        &self.kind
    }
}

impl<T> std::ops::Deref for SpecRef<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: see `part`: the data is owned by `kind`, which this holds
        // and nothing mutates, or it is `'static`
        unsafe { self.part.as_ref() }
    }
}

impl<T> Clone for SpecRef<T> {
    fn clone(&self) -> SpecRef<T> {
        SpecRef {
            kind: self.kind.clone(),
            part: self.part,
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for SpecRef<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        T::fmt(self, f)
    }
}

/// The deployment environment a plan targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Env {
    Staging,
    Production,
}

impl Env {
    pub fn as_str(self) -> &'static str {
        match self {
            Env::Staging => "staging",
            Env::Production => "production",
        }
    }

    /// Parses an environment value as the schema's `env` enum does
    /// (aliases such as `prod` included).
    pub fn parse(s: &str) -> Option<Env> {
        Env::from_value(values::match_enum(&ENV, s, &[])?.canonical()?)
    }

    /// The environments, as a choice in words: `staging or production`
    /// (each in `quote` marks when given).
    pub fn choices(quote: &str) -> String {
        let names: Vec<String> = ENV
            .values
            .iter()
            .map(|v| format!("{quote}{}{quote}", v.name))
            .collect();
        names.join(" or ")
    }

    /// Every spelling `parse` takes, canonical names first, in lower case
    /// (it also takes them in any case).
    pub fn spellings() -> Vec<&'static str> {
        let env: &'static EnumSpec = *ENV;
        let names = env.values.iter().map(|v| v.name.as_str());
        names
            .chain(env.aliases.iter().map(|(alias, _)| alias.as_str()))
            .collect()
    }

    fn from_value(canonical: &str) -> Option<Env> {
        [Env::Staging, Env::Production]
            .into_iter()
            .find(|e| e.as_str() == canonical)
    }
}

impl fmt::Display for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl DocSpec {
    /// The section that holds the Decision Validation record, if the kind
    /// has one.
    pub fn record_section(&self) -> Option<&SectionSpec> {
        self.sections
            .iter()
            .find(|s| matches!(s.body, Body::Record(_)))
    }

    /// The record's name for messages ("the Decision Validation record").
    pub fn record_name(&self) -> &str {
        self.record_section().map_or("decision", |s| &s.name)
    }

    /// The kind's record, or the Decision Validation record for a kind that
    /// has none (no section of such a kind is a record, so nothing asks).
    pub fn record_spec(&self) -> &RecordSpec {
        self.record().unwrap_or(*VALIDATION_RECORD)
    }

    /// Whether the kind was read from a template (its `source` is then the
    /// template's path) rather than built in.
    pub fn is_from_template(&self) -> bool {
        self.skeleton.is_some()
    }

    /// The kind's field with the environment's role (a plan's heading, the
    /// status document's field), if it has one.
    pub fn environment_field(&self) -> Option<&FieldSpec> {
        walk_sections(self).into_iter().find_map(|(s, _)| {
            s.heading_value
                .as_deref()
                .filter(|f| f.is_environment())
                .or_else(|| s.fields().iter().find(|f| f.is_environment()))
        })
    }

    /// The kind's record (the Decision Validation record of a plan).
    pub fn record(&self) -> Option<&RecordSpec> {
        self.record_section()?.record()
    }
}

/// One kind of document: its title (the H1) and its sections.
#[derive(Clone, Debug)]
pub struct DocSpec {
    /// The kind's name: `plan: NAME` in front matter, `plan-lsp new NAME`.
    pub name: String,
    /// Where the kind comes from: `built-in`, or its template file.
    pub source: String,
    /// The H1 that declares the document, if the kind has one.
    pub title: Option<String>,
    pub doc: String,
    pub sections: Vec<SectionSpec>,
    /// The template as `plan-lsp new` prints it, for a kind read from a
    /// template (built-in kinds render theirs from the sections).
    pub skeleton: Option<String>,
}

/// Whether a section must be present.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    Required,
    Optional,
    /// Required in production only, reported by its own rule
    /// (`missing-decision-validation`) rather than `missing-section`.
    ProductionRecord,
}

/// What a section holds below its heading.
#[derive(Clone, Debug)]
pub enum Body {
    /// Only subsections.
    Container,
    /// `- Key: value` fields. `open`: other keys are allowed (no `unknown-field`).
    Fields { fields: Vec<FieldSpec>, open: bool },
    /// A checklist of standard items (`- [ ] text`). `checked_for_production`:
    /// every item must be checked before a production deployment.
    Checklist {
        items: Vec<ChecklistItemSpec>,
        checked_for_production: bool,
    },
    /// A numbered list of steps; the template's placeholder steps.
    Steps(Vec<String>),
    /// A record such as the Decision Validation record: its fields, as a
    /// box in a fenced code block or as fields here and in the group sections.
    Record(Box<RecordSpec>),
    /// A group of the Decision Validation record (`### Security Assessment`).
    RecordGroup,
}

#[derive(Clone, Debug)]
pub struct SectionSpec {
    pub name: String,
    pub level: u8,
    pub doc: String,
    pub presence: Presence,
    /// A heading-field such as `## Environment: production` carries its value
    /// in the heading itself.
    pub heading_value: Option<Box<FieldSpec>>,
    pub body: Body,
    pub children: Vec<SectionSpec>,
    /// The part the section plays in the workflow, if any.
    pub role: Option<SectionRole>,
}

impl SectionSpec {
    pub fn fields(&self) -> &[FieldSpec] {
        match &self.body {
            Body::Fields { fields, .. } => fields,
            _ => &[],
        }
    }

    pub fn checklist(&self) -> &[ChecklistItemSpec] {
        match &self.body {
            Body::Checklist { items, .. } => items,
            _ => &[],
        }
    }

    /// The field with this key (case-insensitive).
    pub fn field(&self, key: &str) -> Option<&FieldSpec> {
        find_field(self.fields(), key)
    }

    /// The record the section holds, if it is a record's section.
    pub fn record(&self) -> Option<&RecordSpec> {
        match &self.body {
            Body::Record(record) => Some(record),
            _ => None,
        }
    }

    /// Whether the heading text names this section (case-insensitive,
    /// surrounding whitespace ignored).
    pub fn matches(&self, heading: &str) -> bool {
        eq_name(&self.name, heading)
    }
}

/// How a field line separates key from value: `Key: value`, or for
/// thresholds `Error rate > 1%`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Separator {
    Colon,
    GreaterThan,
}

impl Separator {
    pub fn as_str(self) -> &'static str {
        match self {
            Separator::Colon => ":",
            Separator::GreaterThan => " >",
        }
    }
}

#[derive(Clone, Debug)]
pub struct FieldSpec {
    pub key: String,
    pub doc: String,
    pub value: ValueKind,
    pub separator: Separator,
    pub required: bool,
    /// The template's placeholder hint for values that are not enums
    /// (`region` renders as `[region]`).
    pub hint: String,
    /// What the engine does with the field beyond checking its value.
    pub role: Option<Role>,
}

/// What the engine does with a field beyond checking its value. Rules and
/// actions that need a particular field find it by its role, never by its
/// key, so the key is spelled once, in the schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The environment a plan, its record or its status document is for.
    Environment,
    /// The record's risk rating, the threats considered and their
    /// mitigations, the go decision, and when it was approved.
    Risk,
    Threats,
    Mitigations,
    Recommendation,
    Approved,
    ApprovedBy,
    /// What DEPLOY writes into the status document.
    LastDeploy,
    Status,
    Version,
    HealthCheck,
    Alerts,
    Dashboard,
    /// The rollout strategy of each environment (DEPLOY's PLAN_STRATEGY).
    StagingStrategy,
    ProductionStrategy,
    /// The plan's fields DEPLOY copies into the status document.
    HealthEndpoint,
    Dashboards,
    LogAlerts,
}

/// What a value means to the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueRole {
    /// A risk rating that calls for caution.
    HighRisk,
    /// The plain go decision.
    Proceed,
    /// The careful go decision, which a high risk calls for.
    ProceedWithCaution,
    /// The status of a finished deployment, of one that failed, and of one
    /// rolled back.
    Deployed,
    Failed,
    RolledBack,
}

/// The part a section plays in the workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SectionRole {
    /// Where DEPLOY records what was deployed.
    DeploymentState,
    /// Where the deployed service is watched.
    MonitoringState,
}

impl FieldSpec {
    /// Whether this is the environment field (of a plan heading, the record
    /// or the status document).
    pub fn is_environment(&self) -> bool {
        self.role == Some(Role::Environment)
    }

    pub fn enum_spec(&self) -> Option<&EnumSpec> {
        match &self.value {
            ValueKind::Enum(e) => Some(e),
            _ => None,
        }
    }

    /// The template placeholder for this field's value, e.g.
    /// `[Blue-Green/Canary/Rolling]`; `choice_separator` is `/` in the plan
    /// and `|` in the Decision Validation box, as the seed writes them.
    pub fn placeholder(&self, choice_separator: &str) -> String {
        match self.enum_spec() {
            // a template's own placeholder, as its author wrote it
            Some(e) if self.hint.is_empty() => {
                let mut names: Vec<&str> = e.values.iter().map(|v| v.name.as_str()).collect();
                if !e.closed {
                    names.push("other");
                }
                format!("[{}]", names.join(choice_separator))
            }
            _ => format!("[{}]", self.hint),
        }
    }
}

/// The type of a field's value; each typed kind has a rule that checks it.
#[derive(Clone, Debug)]
pub enum ValueKind {
    Text,
    /// Comma-separated, or nested bullets under the field.
    List,
    /// Shared by every field that writes the same choices (the environment).
    Enum(Arc<EnumSpec>),
    /// ISO calendar date, `YYYY-MM-DD`.
    Date,
    /// RFC 3339 date-time.
    DateTime,
    /// Absolute http(s) URL.
    Url,
    /// Absolute http(s) URL or an absolute path such as `/healthz`.
    UrlOrPath,
    /// One or more URLs (Markdown links allowed), comma-separated or nested.
    Links,
    Duration,
    /// A rollback trigger threshold: the quantity, then any condition text.
    Threshold(Quantity),
}

/// What a threshold measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    Percent,
    Duration,
}

impl ValueKind {
    /// A short human name for messages and hover ("a duration").
    pub fn describe(&self) -> String {
        match self {
            ValueKind::Text => "free text".into(),
            ValueKind::List => "a list (comma-separated, or nested bullets)".into(),
            ValueKind::Enum(e) => {
                let names: Vec<&str> = e.values.iter().map(|v| v.name.as_str()).collect();
                if e.closed {
                    format!("one of {}", names.join(", "))
                } else {
                    format!("any value; suggested: {}", names.join(", "))
                }
            }
            ValueKind::Date => "a date, YYYY-MM-DD".into(),
            ValueKind::DateTime => "an RFC 3339 date-time (2026-11-26T09:30:00Z)".into(),
            ValueKind::Url => "an http(s) URL".into(),
            ValueKind::UrlOrPath => "an http(s) URL or an absolute path (/healthz)".into(),
            ValueKind::Links => "links (URLs), comma-separated or nested".into(),
            ValueKind::Duration => "a duration (30s, every 5 minutes, 90 days)".into(),
            ValueKind::Threshold(Quantity::Percent) => "a percentage (1%, 0.5 %)".into(),
            ValueKind::Threshold(Quantity::Duration) => "a duration (500ms, 2s)".into(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct EnumSpec {
    /// The key of this enum in configuration (`[values] provider = [...]`).
    pub id: String,
    /// Closed: only these values (and configured extras) are valid.
    pub closed: bool,
    pub values: Vec<EnumValue>,
    /// Well-known values offered as completions of an open enum, beyond the
    /// template's own.
    pub extras: Vec<EnumValue>,
    /// Alternative spellings and their canonical value.
    pub aliases: Vec<(String, String)>,
}

impl EnumSpec {
    /// Every value offered for this enum: template values, then extras.
    pub fn offered(&self) -> impl Iterator<Item = &EnumValue> {
        self.values.iter().chain(self.extras.iter())
    }

    pub fn value(&self, name: &str) -> Option<&EnumValue> {
        self.offered().find(|v| v.name == name)
    }

    /// The name of the value with this role.
    pub fn with_role(&self, role: ValueRole) -> Option<&str> {
        self.values
            .iter()
            .find(|v| v.role == Some(role))
            .map(|v| v.name.as_str())
    }
}

#[derive(Clone, Debug)]
pub struct EnumValue {
    pub name: String,
    pub doc: String,
    pub role: Option<ValueRole>,
}

#[derive(Clone, Debug)]
pub struct ChecklistItemSpec {
    pub text: String,
    pub doc: String,
}

/// The Decision Validation record: the box's title and its groups of fields.
#[derive(Clone, Debug)]
pub struct RecordSpec {
    pub title: String,
    pub doc: String,
    pub groups: Vec<RecordGroup>,
}

#[derive(Clone, Debug)]
pub struct RecordGroup {
    /// The group label (`Security Assessment`), or `None` for the fields at
    /// the top of the record.
    pub label: Option<String>,
    pub fields: Vec<FieldSpec>,
}

impl RecordSpec {
    pub fn fields(&self) -> impl Iterator<Item = &FieldSpec> {
        self.groups.iter().flat_map(|g| g.fields.iter())
    }

    pub fn field(&self, key: &str) -> Option<&FieldSpec> {
        self.fields().find(|f| eq_name(&f.key, key))
    }

    pub fn is_group_label(&self, text: &str) -> bool {
        self.groups
            .iter()
            .filter_map(|g| g.label.as_deref())
            .any(|l| eq_name(l, text))
    }
}

/// The Decision Validation fields and values that rules and commands act
/// on by meaning. Looked up once, here, so no other code spells them.
pub struct RecordRoles<'a> {
    pub environment: &'a FieldSpec,
    pub risk: &'a FieldSpec,
    pub threats: &'a FieldSpec,
    pub mitigations: &'a FieldSpec,
    pub recommendation: &'a FieldSpec,
    pub approved: &'a FieldSpec,
    pub approved_by: &'a FieldSpec,
    /// The Risk value that calls for caution.
    pub high_risk: &'a str,
    pub proceed: &'a str,
    pub proceed_with_caution: &'a str,
}

/// The record's fields and values by their roles; `None` when the schema
/// does not declare them all.
pub fn record_roles(record: &RecordSpec) -> Option<RecordRoles<'_>> {
    let field = |role| record.fields().find(|f| f.role == Some(role));
    fn value(f: &FieldSpec, role: ValueRole) -> Option<&str> {
        f.enum_spec()?.with_role(role)
    }
    let risk = field(Role::Risk)?;
    let recommendation = field(Role::Recommendation)?;
    Some(RecordRoles {
        environment: field(Role::Environment)?,
        risk,
        threats: field(Role::Threats)?,
        mitigations: field(Role::Mitigations)?,
        recommendation,
        approved: field(Role::Approved)?,
        approved_by: field(Role::ApprovedBy)?,
        high_risk: value(risk, ValueRole::HighRisk)?,
        proceed: value(recommendation, ValueRole::Proceed)?,
        proceed_with_caution: value(recommendation, ValueRole::ProceedWithCaution)?,
    })
}

/// The status document's sections, fields and values the deploy command
/// writes, and the plan fields it reads to fill in the monitoring state.
pub struct StatusRoles {
    pub deployment_state: &'static SectionSpec,
    pub monitoring_state: &'static SectionSpec,
    pub environment: &'static FieldSpec,
    pub last_deploy: &'static FieldSpec,
    pub status: &'static FieldSpec,
    pub version: &'static FieldSpec,
    /// The Status values DEPLOY and ROLLBACK write.
    pub deployed: &'static str,
    pub failed: &'static str,
    pub rolled_back: &'static str,
    pub health_check: &'static FieldSpec,
    pub alerts: &'static FieldSpec,
    pub dashboard: &'static FieldSpec,
    /// Plan fields: the health-check endpoint, the dashboards, log alerts.
    pub plan_endpoint: &'static FieldSpec,
    pub plan_dashboards: &'static FieldSpec,
    pub plan_alerts: &'static FieldSpec,
}

/// The built-in status document's sections and fields by their roles, and
/// the plan fields DEPLOY reads; `None` when the schema does not declare
/// them all.
pub fn status_roles() -> Option<&'static StatusRoles> {
    static ROLES: std::sync::LazyLock<Option<StatusRoles>> = std::sync::LazyLock::new(|| {
        let status_doc: &'static DocSpec = DocKind::status();
        let plan_doc: &'static DocSpec = DocKind::deployment();
        let section = |role| {
            walk_sections(status_doc)
                .into_iter()
                .map(|(s, _)| s)
                .find(|s| s.role == Some(role))
        };
        let field = |doc: &'static DocSpec, role| {
            walk_sections(doc)
                .into_iter()
                .flat_map(|(s, _)| s.fields())
                .find(|f| f.role == Some(role))
        };
        let status = field(status_doc, Role::Status)?;
        let values = status.enum_spec()?;
        Some(StatusRoles {
            deployment_state: section(SectionRole::DeploymentState)?,
            monitoring_state: section(SectionRole::MonitoringState)?,
            environment: field(status_doc, Role::Environment)?,
            last_deploy: field(status_doc, Role::LastDeploy)?,
            status,
            version: field(status_doc, Role::Version)?,
            deployed: values.with_role(ValueRole::Deployed)?,
            failed: values.with_role(ValueRole::Failed)?,
            rolled_back: values.with_role(ValueRole::RolledBack)?,
            health_check: field(status_doc, Role::HealthCheck)?,
            alerts: field(status_doc, Role::Alerts)?,
            dashboard: field(status_doc, Role::Dashboard)?,
            plan_endpoint: field(plan_doc, Role::HealthEndpoint)?,
            plan_dashboards: field(plan_doc, Role::Dashboards)?,
            plan_alerts: field(plan_doc, Role::LogAlerts)?,
        })
    });
    ROLES.as_ref()
}

/// Case-insensitive comparison of names, ignoring surrounding whitespace and
/// runs of inner whitespace.
pub fn eq_name(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        // the common case, without decoding: compare word by word
        let mut x = a.split_ascii_whitespace();
        let mut y = b.split_ascii_whitespace();
        return loop {
            match (x.next(), y.next()) {
                (None, None) => break true,
                (Some(p), Some(q)) if p.eq_ignore_ascii_case(q) => {}
                _ => break false,
            }
        };
    }
    let mut x = a.split_whitespace();
    let mut y = b.split_whitespace();
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(p), Some(q))
                if p.eq_ignore_ascii_case(q) || p.to_lowercase() == q.to_lowercase() => {}
            _ => return false,
        }
    }
}

pub fn find_field<'a>(fields: &'a [FieldSpec], key: &str) -> Option<&'a FieldSpec> {
    fields.iter().find(|f| eq_name(&f.key, key))
}

/// A section spec and its parent's.
pub type Placed<'a> = (&'a SectionSpec, Option<&'a SectionSpec>);

/// Every section spec of a document kind, depth first, with its parent.
pub fn walk_sections(spec: &DocSpec) -> Vec<Placed<'_>> {
    fn go<'a>(out: &mut Vec<Placed<'a>>, parent: Option<&'a SectionSpec>, list: &'a [SectionSpec]) {
        for s in list {
            out.push((s, parent));
            go(out, Some(s), &s.children);
        }
    }
    let mut out = Vec::new();
    go(&mut out, None, &spec.sections);
    out
}

/// The one section of a document kind that has a field with this key, and
/// the field; `None` when no section or several have it.
pub fn field_home<'a>(doc: &'a DocSpec, key: &str) -> Option<(&'a SectionSpec, &'a FieldSpec)> {
    let mut homes = walk_sections(doc)
        .into_iter()
        .filter_map(|(s, _)| s.field(key).map(|f| (s, f)));
    let first = homes.next()?;
    homes.next().is_none().then_some(first)
}

/// The sections of a document kind whose name is `name` (case and inner
/// whitespace ignored), from an index built once.
pub fn sections_named<'a>(doc: &'a DocSpec, name: &str) -> Vec<&'a SectionSpec> {
    if doc.is_from_template() {
        // a kind read from a template: a few dozen sections at most
        return walk_sections(doc)
            .into_iter()
            .map(|(s, _)| s)
            .filter(|s| s.matches(name))
            .collect();
    }
    // by kind, then by normalised name
    type Index = std::collections::HashMap<
        &'static str,
        std::collections::HashMap<String, Vec<&'static SectionSpec>>,
    >;
    static INDEX: std::sync::LazyLock<Index> = std::sync::LazyLock::new(|| {
        let mut index = Index::new();
        for doc in DocKind::built_in() {
            let doc: &'static DocSpec = doc;
            for (s, _) in walk_sections(doc) {
                index
                    .entry(&doc.name)
                    .or_default()
                    .entry(normalize(&s.name))
                    .or_default()
                    .push(s);
            }
        }
        index
    });
    let Some(by_name) = INDEX.get(doc.name.as_str()) else {
        return Vec::new();
    };
    with_normalized(name, |name| by_name.get(name).cloned().unwrap_or_default())
}

/// Whether any document kind has a section with this name.
pub fn names_a_section(name: &str) -> bool {
    static NAMES: std::sync::LazyLock<std::collections::HashSet<String>> =
        std::sync::LazyLock::new(|| {
            DocKind::built_in()
                .into_iter()
                .flat_map(|doc| walk_sections(doc))
                .map(|(s, _)| normalize(&s.name))
                .collect()
        });
    with_normalized(name, |name| NAMES.contains(name))
}

/// Lower case with runs of whitespace collapsed: the form names compare in.
fn normalize(name: &str) -> String {
    let mut out = String::new();
    normalize_into(name, &mut out);
    out
}

fn normalize_into(name: &str, out: &mut String) {
    for word in name.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        if word.is_ascii() {
            out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            out.push_str(&word.to_lowercase());
        }
    }
}

/// `f` of the normalised name, in a buffer reused by the thread: headings
/// are looked up on every analysis, most of them in no schema.
fn with_normalized<R>(name: &str, f: impl FnOnce(&str) -> R) -> R {
    thread_local! {
        static BUFFER: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    BUFFER.with(|buffer| match buffer.try_borrow_mut() {
        Ok(mut buffer) => {
            buffer.clear();
            normalize_into(name, &mut buffer);
            f(&buffer)
        }
        // re-entered from `f`: a fresh buffer
        Err(_) => f(&normalize(name)),
    })
}

/// Every enum in the schema, for configuration keys.
pub fn all_enums() -> Vec<&'static EnumSpec> {
    enums_of(&DocKind::built_in().map(|k| k.spec()))
}

/// Every enum of these kinds (heading-fields, fields, records), once each.
pub fn enums_of<'a>(kinds: &[&'a DocSpec]) -> Vec<&'a EnumSpec> {
    let mut out: Vec<&'a EnumSpec> = Vec::new();
    let mut push = |f: &'a FieldSpec| {
        if let Some(e) = f.enum_spec()
            && !out.iter().any(|x| std::ptr::eq(*x, e) || x.id == e.id)
        {
            out.push(e);
        }
    };
    for doc in kinds {
        for (s, _) in walk_sections(doc) {
            if let Some(f) = &s.heading_value {
                push(f);
            }
            s.fields().iter().for_each(&mut push);
            if let Body::Record(record) = &s.body {
                record.fields().for_each(&mut push);
            }
        }
    }
    out
}

/// Finds the enum whose configuration key is `id`.
pub fn enum_by_id(id: &str) -> Option<&'static EnumSpec> {
    all_enums().into_iter().find(|e| e.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_names_are_unique_within_a_document_kind() {
        for doc in DocKind::built_in() {
            let all = walk_sections(doc);
            for (i, (a, _)) in all.iter().enumerate() {
                for (b, _) in &all[i + 1..] {
                    assert!(!eq_name(&a.name, &b.name), "{} twice", a.name);
                }
            }
        }
    }

    #[test]
    fn enum_ids_are_unique_and_every_value_is_documented() {
        let enums = all_enums();
        for (i, a) in enums.iter().enumerate() {
            assert!(enums[i + 1..].iter().all(|b| b.id != a.id), "{}", a.id);
            for v in a.offered() {
                assert!(!v.doc.is_empty(), "{}: {}", a.id, v.name);
            }
        }
    }

    #[test]
    fn status_roles_exist() {
        assert_eq!(status_roles().unwrap().deployed, "deployed");
    }

    #[test]
    fn record_roles_exist() {
        let roles = record_roles(*VALIDATION_RECORD).unwrap();
        assert_eq!(roles.high_risk, "High");
        assert!(!roles.approved.required);
    }

    #[test]
    fn env_parses_aliases() {
        assert_eq!(Env::parse("prod"), Some(Env::Production));
        assert_eq!(Env::parse("**Staging**"), Some(Env::Staging));
        assert_eq!(Env::parse("qa"), None);
    }
}
