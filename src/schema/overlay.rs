//! A template that replaces a built-in kind (`name = "deployment"`) gets what
//! the notation cannot say from the built-in kind: per-value docs, aliases
//! and well-known extras of its enums, the fields' and sections' roles, the
//! production-only parts, and the built-in kind's optional sections. A
//! part written exactly as the built-in template writes it is the built-in
//! part (a copy of it, sharing its enums), so a copy of the built-in
//! template behaves as the built-in kind does.

use std::sync::Arc;

use super::{
    Body, ChecklistItemSpec, DocKind, DocSpec, EnumSpec, EnumValue, FieldSpec, Presence,
    RecordGroup, RecordSpec, SectionSpec, ValueKind, eq_name,
};

/// `spec` with the built-in kind of the same name laid under it; `spec`
/// itself when no built-in kind has its name.
pub fn with_built_in(spec: DocSpec) -> DocSpec {
    let Some(built_in) = DocKind::parse(&spec.name) else {
        return spec;
    };
    let sections = with_optional_parts(
        spec.sections
            .iter()
            .map(|s| section(s, &built_in.sections))
            .collect(),
        &built_in.sections,
    );
    DocSpec {
        title: spec.title.clone().or_else(|| built_in.title.clone()),
        doc: or(&spec.doc, &built_in.doc),
        sections,
        ..spec
    }
}

fn or(a: &str, b: &str) -> String {
    if a.is_empty() { b } else { a }.to_string()
}

/// The template's sections, with the built-in kind's sections that are not
/// required (optional ones, the production-only record) added where the
/// built-in kind has them, after the section before them.
fn with_optional_parts(
    mut sections: Vec<SectionSpec>,
    built_in: &[SectionSpec],
) -> Vec<SectionSpec> {
    for (i, b) in built_in.iter().enumerate() {
        if b.presence == Presence::Required || sections.iter().any(|s| s.matches(&b.name)) {
            continue;
        }
        let after = built_in[..i]
            .iter()
            .rev()
            .find_map(|p| sections.iter().position(|s| s.matches(&p.name)));
        let at = after.map_or(0, |p| p + 1);
        sections.insert(at, b.clone());
    }
    sections
}

fn section(t: &SectionSpec, built_in: &[SectionSpec]) -> SectionSpec {
    let Some(b) = built_in
        .iter()
        .find(|b| b.matches(&t.name) && b.level == t.level)
    else {
        return t.clone();
    };
    let heading_value = match (&t.heading_value, &b.heading_value) {
        (Some(tf), Some(bf)) => Some(Box::new(field_of(tf, bf))),
        (tf, _) => tf.clone(),
    };
    let body = match (&t.body, &b.body) {
        (
            Body::Fields { fields, open },
            Body::Fields {
                fields: bf,
                open: bo,
            },
        ) => Body::Fields {
            fields: fields_of(fields, bf),
            open: *open || *bo,
        },
        (
            Body::Checklist { items, .. },
            Body::Checklist {
                items: bi,
                checked_for_production,
            },
        ) => Body::Checklist {
            items: items_of(items, bi),
            checked_for_production: *checked_for_production,
        },
        (Body::Record(tr), Body::Record(br)) => Body::Record(Box::new(record(tr, br))),
        // a heading with nothing under it stands for the built-in part
        (Body::Container, _) if t.children.is_empty() => b.body.clone(),
        (body, _) => body.clone(),
    };
    let children = if t.children.is_empty() && matches!(t.body, Body::Container) {
        b.children.clone()
    } else {
        let merged: Vec<SectionSpec> = t.children.iter().map(|c| section(c, &b.children)).collect();
        with_optional_parts(merged, &b.children)
    };
    SectionSpec {
        name: t.name.clone(),
        level: t.level,
        doc: or(&t.doc, &b.doc),
        presence: if b.presence == Presence::ProductionRecord {
            b.presence
        } else {
            t.presence
        },
        heading_value,
        body,
        children,
        role: b.role,
    }
}

/// The placeholder a field is written with, without its brackets.
fn written(f: &FieldSpec) -> String {
    let p = f.placeholder("/");
    p.trim_start_matches('[').trim_end_matches(']').to_string()
}

/// Whether the template writes the field as the built-in template does.
fn same_field(t: &FieldSpec, b: &FieldSpec) -> bool {
    let spelled = |f: &FieldSpec| {
        [f.placeholder("/"), f.placeholder("|")]
            .map(|p| p.trim_start_matches('[').trim_end_matches(']').to_string())
    };
    eq_name(&t.key, &b.key)
        && t.separator == b.separator
        && t.required == b.required
        && spelled(b).contains(&written(t))
}

/// The built-in field when the template writes it as the built-in
/// template does, else the template's field with the built-in's meaning.
fn field_of(t: &FieldSpec, b: &FieldSpec) -> FieldSpec {
    if same_field(t, b) {
        b.clone()
    } else {
        field(t, b)
    }
}

fn field(t: &FieldSpec, b: &FieldSpec) -> FieldSpec {
    // the built-in grammar stays unless the template states another type
    let (value, hint) = match (&t.value, &b.value) {
        (ValueKind::Enum(te), ValueKind::Enum(be)) => {
            (ValueKind::Enum(enum_of(te, be)), t.hint.clone())
        }
        (ValueKind::Text, value) => (value.clone(), b.hint.clone()),
        (value, _) => (value.clone(), t.hint.clone()),
    };
    FieldSpec {
        key: t.key.clone(),
        doc: or(&t.doc, &b.doc),
        value,
        separator: t.separator,
        required: t.required,
        hint,
        role: b.role,
    }
}

/// The template's fields, each the built-in one when it is written as the
/// built-in template writes it.
fn fields_of(t: &[FieldSpec], b: &[FieldSpec]) -> Vec<FieldSpec> {
    t.iter()
        .map(|tf| match b.iter().find(|bf| eq_name(&bf.key, &tf.key)) {
            Some(bf) => field_of(tf, bf),
            None => tf.clone(),
        })
        .collect()
}

/// The template's values, with the built-in enum's docs and roles for the
/// values it shares, its aliases of those values, and its other values as
/// well-known extras.
fn enum_of(t: &EnumSpec, b: &EnumSpec) -> Arc<EnumSpec> {
    let values: Vec<EnumValue> = t
        .values
        .iter()
        .map(|v| b.value(&v.name).cloned().unwrap_or_else(|| v.clone()))
        .collect();
    let extras: Vec<EnumValue> = b
        .offered()
        .filter(|v| !values.iter().any(|x| x.name == v.name))
        .cloned()
        .collect();
    let aliases: Vec<(String, String)> = b
        .aliases
        .iter()
        .filter(|(_, canonical)| values.iter().chain(&extras).any(|v| v.name == *canonical))
        .cloned()
        .collect();
    Arc::new(EnumSpec {
        id: b.id.clone(),
        closed: t.closed,
        values,
        extras,
        aliases,
    })
}

/// The template's items; the built-in ones when it writes the same items.
fn items_of(t: &[ChecklistItemSpec], b: &[ChecklistItemSpec]) -> Vec<ChecklistItemSpec> {
    let unchanged = t.len() == b.len() && t.iter().zip(b).all(|(t, b)| eq_name(&t.text, &b.text));
    if unchanged {
        return b.to_vec();
    }
    t.iter()
        .map(|ti| ChecklistItemSpec {
            text: ti.text.clone(),
            doc: or(
                &ti.doc,
                b.iter()
                    .find(|bi| eq_name(&bi.text, &ti.text))
                    .map_or("", |bi| &bi.doc),
            ),
        })
        .collect()
}

fn record(t: &RecordSpec, b: &RecordSpec) -> RecordSpec {
    let groups: Vec<RecordGroup> = t
        .groups
        .iter()
        .map(|g| {
            let built_in: Vec<&FieldSpec> = b.fields().collect();
            let same_group = b.groups.iter().find(|bg| match (&bg.label, &g.label) {
                (Some(x), Some(y)) => eq_name(x, y),
                (None, None) => g
                    .fields
                    .iter()
                    .any(|f| bg.fields.iter().any(|x| eq_name(&x.key, &f.key))),
                _ => false,
            });
            let fields = match same_group {
                Some(bg) => fields_of(&g.fields, &bg.fields),
                None => g
                    .fields
                    .iter()
                    .map(
                        |tf| match built_in.iter().find(|bf| eq_name(&bf.key, &tf.key)) {
                            Some(bf) => field(tf, bf),
                            None => tf.clone(),
                        },
                    )
                    .collect(),
            };
            RecordGroup {
                label: g.label.clone(),
                fields,
            }
        })
        .collect();
    // the fields the approve command writes are the built-in record's own
    let mut groups = groups;
    for f in b.fields().filter(|f| !f.required) {
        if !groups
            .iter()
            .any(|g| g.fields.iter().any(|x| eq_name(&x.key, &f.key)))
            && let Some(last) = groups.last_mut()
        {
            last.fields.push(f.clone());
        }
    }
    RecordSpec {
        title: t.title.clone(),
        doc: or(&t.doc, &b.doc),
        groups,
    }
}
