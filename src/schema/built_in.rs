//! The built-in kinds are shipped templates in the notation of SPEC §10
//! (`kinds/*.md`, read by the same reader as a team's template), plus a data
//! file beside each (`kinds/*.toml`) for what the notation cannot say: enum
//! ids, per-value docs, aliases and well-known extras, the fields' and
//! sections' roles, value types finer than a placeholder, the docs of a
//! record's fields, and the production-only parts. Both are read once, the
//! first time a built-in kind is asked for.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use serde::Deserialize;

use super::notation::{self, KindSource};
use super::{
    Body, DocKind, DocSpec, EnumSpec, EnumValue, FieldSpec, Presence, Quantity, RecordGroup,
    RecordSpec, Role, SectionRole, SectionSpec, Separator, ValueKind, ValueRole,
};

const DEPLOYMENT_TEMPLATE: &str = include_str!("kinds/deployment.md");
const DEPLOYMENT_DATA: &str = include_str!("kinds/deployment.toml");
const STATUS_TEMPLATE: &str = include_str!("kinds/status.md");
const STATUS_DATA: &str = include_str!("kinds/status.toml");

/// The shipped template of a built-in kind, comments included.
pub fn template(name: &str) -> Option<&'static str> {
    [
        ("deployment", DEPLOYMENT_TEMPLATE),
        ("status", STATUS_TEMPLATE),
    ]
    .into_iter()
    .find(|(kind, _)| *kind == name)
    .map(|(_, text)| text)
}

/// The built-in kinds, built together so that an enum they share (the
/// environment) is one spec.
struct BuiltIn {
    deployment: DocKind,
    status: DocKind,
}

static BUILT_IN: LazyLock<BuiltIn> = LazyLock::new(|| {
    let mut enums = Enums::new();
    BuiltIn {
        deployment: DocKind::new(build(DEPLOYMENT_TEMPLATE, DEPLOYMENT_DATA, &mut enums)),
        status: DocKind::new(build(STATUS_TEMPLATE, STATUS_DATA, &mut enums)),
    }
});

/// The built-in deployment plan and status document.
pub static DEPLOYMENT: LazyLock<DocKind> = LazyLock::new(|| BUILT_IN.deployment.clone());
pub static STATUS: LazyLock<DocKind> = LazyLock::new(|| BUILT_IN.status.clone());

/// The deployment plan's Decision Validation record.
pub static VALIDATION_RECORD: LazyLock<&'static RecordSpec> = LazyLock::new(|| {
    let deployment: &'static DocSpec = &DEPLOYMENT;
    deployment
        .record()
        .expect("the built-in deployment template has a record")
});

/// The environment enum (`[staging|production]`), shared by the plan, its
/// record and the status document.
pub static ENV: LazyLock<&'static EnumSpec> = LazyLock::new(|| {
    let deployment: &'static DocSpec = &DEPLOYMENT;
    let env = deployment
        .sections
        .iter()
        .filter_map(|s| s.heading_value.as_deref())
        .find(|f| f.is_environment())
        .and_then(FieldSpec::enum_spec);
    env.expect("the built-in deployment template has an environment heading")
});

/// What a kind's data file says.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct KindData {
    name: String,
    /// The kind's documentation when its template has no `# Title` to
    /// carry it.
    #[serde(default)]
    doc: Option<String>,
    /// The kind is declared by its file name, not by an H1.
    #[serde(default)]
    untitled: bool,
    #[serde(default)]
    sections: HashMap<String, SectionData>,
    #[serde(default)]
    enums: HashMap<String, EnumData>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SectionData {
    /// `production-record`: required in production only, by its own rule.
    #[serde(default)]
    production_record: bool,
    #[serde(default)]
    role: Option<SectionRole>,
    /// Every checklist item must be checked before a production deployment.
    #[serde(default)]
    checked_for_production: bool,
    /// The documentation of the section's record.
    #[serde(default)]
    record_doc: Option<String>,
    /// The headings under which the record may be written as fields
    /// instead of a box (SPEC §4), one per group.
    #[serde(default)]
    group_sections: Vec<GroupSection>,
    /// What the notation cannot say about the section's fields (and its
    /// record's), by key.
    #[serde(default)]
    fields: HashMap<String, FieldData>,
    /// Fields the record has beyond its box: not required, written by a
    /// command (the approval), added to its last group.
    #[serde(default)]
    added_fields: Vec<AddedField>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupSection {
    name: String,
    doc: String,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FieldData {
    #[serde(default)]
    doc: Option<String>,
    #[serde(default)]
    role: Option<Role>,
    /// The enum's id in configuration (`[values] provider = [...]`).
    #[serde(default, rename = "enum")]
    enum_id: Option<String>,
    /// A value type finer than the placeholder says.
    #[serde(default)]
    value: Option<ValueType>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct AddedField {
    key: String,
    doc: String,
    value: ValueType,
    hint: String,
    #[serde(default)]
    role: Option<Role>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct EnumData {
    /// Each value's documentation, by value.
    #[serde(default)]
    docs: HashMap<String, String>,
    /// What a value means to the engine, by value.
    #[serde(default)]
    roles: HashMap<String, ValueRole>,
    /// Well-known values offered beyond the template's own.
    #[serde(default)]
    extras: Vec<Extra>,
    /// `[alias, canonical value]`, in the order they are listed.
    #[serde(default)]
    aliases: Vec<(String, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Extra {
    name: String,
    doc: String,
}

#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum ValueType {
    Text,
    List,
    Date,
    Datetime,
    Url,
    UrlOrPath,
    Links,
    Duration,
    PercentThreshold,
    DurationThreshold,
}

impl ValueType {
    fn kind(self) -> ValueKind {
        match self {
            ValueType::Text => ValueKind::Text,
            ValueType::List => ValueKind::List,
            ValueType::Date => ValueKind::Date,
            ValueType::Datetime => ValueKind::DateTime,
            ValueType::Url => ValueKind::Url,
            ValueType::UrlOrPath => ValueKind::UrlOrPath,
            ValueType::Links => ValueKind::Links,
            ValueType::Duration => ValueKind::Duration,
            ValueType::PercentThreshold => ValueKind::Threshold(Quantity::Percent),
            ValueType::DurationThreshold => ValueKind::Threshold(Quantity::Duration),
        }
    }
}

/// The enums built so far, by id: a second field with the same id gets the
/// same spec.
type Enums = HashMap<String, Arc<EnumSpec>>;

/// Reads a built-in template and lays its data over it. The shipped files
/// are checked by the tests, so a fault in them is a fault of the build.
fn build(template: &str, data: &str, enums: &mut Enums) -> DocSpec {
    let data: KindData = match toml::from_str(data) {
        Ok(data) => data,
        Err(e) => panic!("a built-in kind's data file: {e}"),
    };
    let source = KindSource {
        name: data.name.clone(),
        origin: "built-in".into(),
        title: None,
    };
    let read = match notation::read_built_in(&source, template, data.untitled) {
        Ok(read) => read,
        Err(errors) => panic!("the built-in `{}` template: {errors:?}", data.name),
    };
    let mut builder = Builder { data: &data, enums };
    DocSpec {
        name: read.name,
        source: read.source,
        title: read.title,
        doc: data.doc.clone().unwrap_or(read.doc),
        sections: read.sections.iter().map(|s| builder.section(s)).collect(),
        // built-in kinds render their template from the sections
        skeleton: None,
    }
}

struct Builder<'a> {
    data: &'a KindData,
    enums: &'a mut Enums,
}

impl Builder<'_> {
    fn section(&mut self, s: &SectionSpec) -> SectionSpec {
        let no_data = SectionData::default();
        let data = self.data.sections.get(&s.name).unwrap_or(&no_data);
        let heading_value = s
            .heading_value
            .as_ref()
            .map(|f| Box::new(self.field(f, data)));
        let body = match &s.body {
            Body::Fields { fields, open } => Body::Fields {
                fields: self.fields(fields, data),
                open: *open,
            },
            Body::Checklist { items, .. } => Body::Checklist {
                items: items.clone(),
                checked_for_production: data.checked_for_production,
            },
            Body::Record(record) => Body::Record(Box::new(self.record(record, data))),
            body => body.clone(),
        };
        let mut children: Vec<SectionSpec> = s.children.iter().map(|c| self.section(c)).collect();
        children.extend(data.group_sections.iter().map(|g| SectionSpec {
            name: g.name.clone(),
            level: s.level + 1,
            doc: g.doc.clone(),
            presence: Presence::Optional,
            heading_value: None,
            body: Body::RecordGroup,
            children: Vec::new(),
            role: None,
        }));
        SectionSpec {
            name: s.name.clone(),
            level: s.level,
            doc: s.doc.clone(),
            presence: if data.production_record {
                Presence::ProductionRecord
            } else {
                s.presence
            },
            heading_value,
            body,
            children,
            role: data.role,
        }
    }

    fn fields(&mut self, fields: &[FieldSpec], section: &SectionData) -> Vec<FieldSpec> {
        fields.iter().map(|f| self.field(f, section)).collect()
    }

    fn field(&mut self, f: &FieldSpec, section: &SectionData) -> FieldSpec {
        let no_data = FieldData::default();
        let data = section.fields.get(&f.key).unwrap_or(&no_data);
        let (value, hint) = match (data.value, &f.value) {
            (Some(t), _) => (t.kind(), f.hint.clone()),
            // an enum's placeholder is rendered from its values
            (None, ValueKind::Enum(e)) => (ValueKind::Enum(self.enum_spec(e, data)), String::new()),
            (None, value) => (value.clone(), f.hint.clone()),
        };
        FieldSpec {
            key: f.key.clone(),
            doc: data.doc.clone().unwrap_or_else(|| f.doc.clone()),
            value,
            separator: f.separator,
            required: f.required,
            hint,
            role: data.role,
        }
    }

    fn enum_spec(&mut self, e: &EnumSpec, field: &FieldData) -> Arc<EnumSpec> {
        let id = field.enum_id.as_deref().unwrap_or(&e.id);
        if let Some(built) = self.enums.get(id) {
            let names = |e: &EnumSpec| e.values.iter().map(|v| v.name.clone()).collect::<Vec<_>>();
            assert_eq!(names(built), names(e), "enum `{id}` written two ways");
            return built.clone();
        }
        let no_data = EnumData::default();
        let data = self.data.enums.get(id).unwrap_or(&no_data);
        let values: Vec<EnumValue> = e
            .values
            .iter()
            .map(|v| EnumValue {
                name: v.name.clone(),
                doc: data.docs.get(&v.name).cloned().unwrap_or_default(),
                role: data.roles.get(&v.name).copied(),
            })
            .collect();
        let extras: Vec<EnumValue> = data
            .extras
            .iter()
            .map(|x| EnumValue {
                name: x.name.clone(),
                doc: x.doc.clone(),
                role: None,
            })
            .collect();
        let built = Arc::new(EnumSpec {
            id: id.to_string(),
            closed: e.closed,
            values,
            extras,
            aliases: data.aliases.clone(),
        });
        self.enums.insert(id.to_string(), built.clone());
        built
    }

    fn record(&mut self, r: &RecordSpec, section: &SectionData) -> RecordSpec {
        let mut groups: Vec<RecordGroup> = r
            .groups
            .iter()
            .map(|g| RecordGroup {
                label: g.label.clone(),
                fields: self.fields(&g.fields, section),
            })
            .collect();
        if let Some(last) = groups.last_mut() {
            last.fields
                .extend(section.added_fields.iter().map(|a| FieldSpec {
                    key: a.key.clone(),
                    doc: a.doc.clone(),
                    value: a.value.kind(),
                    separator: Separator::Colon,
                    required: false,
                    hint: a.hint.clone(),
                    role: a.role,
                }));
        }
        RecordSpec {
            title: r.title.clone(),
            doc: section.record_doc.clone().unwrap_or_else(|| r.doc.clone()),
            groups,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::overlay;

    /// A built-in spec without where it comes from, for comparison.
    fn structure(spec: &DocSpec) -> String {
        let spec = DocSpec {
            source: String::new(),
            skeleton: None,
            ..spec.clone()
        };
        format!("{spec:#?}")
    }

    #[test]
    fn a_copy_of_a_shipped_template_configured_under_its_name_is_the_built_in_kind() {
        for (template, built_in) in [
            (DEPLOYMENT_TEMPLATE, DocKind::deployment()),
            (STATUS_TEMPLATE, DocKind::status()),
        ] {
            let source = KindSource {
                name: built_in.name.clone(),
                origin: format!("{}.md", built_in.name),
                // the status document is declared by its file name; a team's
                // copy of it has to name a title
                title: built_in
                    .title
                    .as_ref()
                    .map_or(Some("Status".into()), |_| None),
            };
            let read = notation::read(&source, template).unwrap();
            let mut copy = overlay::with_built_in(read);
            if built_in.title.is_none() {
                copy.title = None;
            }
            assert_eq!(structure(&copy), structure(built_in), "{}", built_in.name);
        }
    }

    #[test]
    fn the_shared_enum_is_one_spec() {
        let status_env = DocKind::status()
            .environment_field()
            .and_then(FieldSpec::enum_spec);
        assert!(std::ptr::eq(status_env.unwrap(), *ENV));
        assert_eq!(ENV.id, "env");
        assert_eq!(VALIDATION_RECORD.title, "DECISION VALIDATION: DEPLOYMENT");
    }
}
