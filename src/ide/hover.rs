//! Hover: why a document is (not) a plan on its H1, what a section or field
//! is for, and what an enum value means.

use std::ops::Range;

use super::section_doc;
use crate::analysis::Analysis;
use crate::model::{Field, outline};
use crate::schema::{FieldSpec, ValueKind, values};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub range: Range<usize>,
    /// Markdown.
    pub contents: String,
}

pub fn hover(text: &str, analysis: &Analysis, offset: usize) -> Option<Hover> {
    let offset = crate::text::floor_char_boundary(text, offset);
    let line = crate::text::line_content_range(text, offset);
    if outline::atx_level(&text[line.clone()]) == Some(1) {
        return Some(Hover {
            range: line,
            contents: title_hover(analysis),
        });
    }
    let plan = analysis.plan.as_ref()?;
    if let Some(field) = plan
        .fields()
        .find(|f| f.key.start <= offset && offset <= f.value.end.max(f.key.end))
        && let Some(spec) = field.spec
    {
        return Some(field_hover(text, field, spec, offset));
    }
    if let Some(section) = plan
        .sections
        .iter()
        .find(|s| s.line.start <= offset && offset <= s.line.end)
        && let Some(spec) = section.spec
    {
        return Some(Hover {
            range: section.line.clone(),
            contents: section_doc(spec),
        });
    }
    let index = plan.section_at(offset)?;
    let section = &plan.sections[index];
    let spec = section.spec?;
    let entry = section
        .entries
        .iter()
        .find(|e| e.line.start <= offset && offset <= e.line.end)?;
    let item = spec
        .checklist()
        .iter()
        .find(|i| crate::model::checklist_matches(text, entry.content.clone(), i))?;
    Some(Hover {
        range: entry.content.clone(),
        contents: format!(
            "**{}** — {}\n\n_{}_ checklist item.",
            item.text, item.doc, spec.name
        ),
    })
}

/// On the H1: what kind of document plan-lsp takes this for and why, and
/// where it stands; or why it is left alone and how to make it a plan.
fn title_hover(analysis: &Analysis) -> String {
    let why = &analysis.targeting.reason;
    let Some(plan) = analysis.plan.as_ref() else {
        return format!("**Not a plan** — plan-lsp leaves this document alone: {why}.");
    };
    let count = |s: crate::diagnostic::Severity| {
        analysis
            .diagnostics
            .iter()
            .filter(|d| d.severity == s)
            .count()
    };
    let env = if plan.env_declared {
        format!("**{}**", plan.env)
    } else {
        format!("**{}** (none declared: the default)", plan.env)
    };
    format!(
        "**{}** — {}\n\nChecked as a {} document: {why}.\n\nEnvironment: {env} · {} error(s), {} warning(s)",
        plan.spec.title.unwrap_or(plan.kind.as_str()),
        plan.spec.doc,
        plan.kind,
        count(crate::diagnostic::Severity::Error),
        count(crate::diagnostic::Severity::Warning),
    )
}

fn field_hover(text: &str, field: &Field, spec: &'static FieldSpec, offset: usize) -> Hover {
    if offset >= field.value.start
        && !field.value.is_empty()
        && let Some(e) = spec.enum_spec()
        && let Some(m) = values::match_enum(e, &text[field.value.clone()], &[])
        && let values::EnumMatch::Exact(name) | values::EnumMatch::NonCanonical(name) = m
        && let Some(v) = e.value(name)
    {
        return Hover {
            range: field.core(text),
            contents: format!("**{}** — {}\n\n_{}_: {}", v.name, v.doc, spec.key, spec.doc),
        };
    }
    let mut contents = format!(
        "**{}** — {}\n\nValue: {}",
        spec.key,
        spec.doc,
        spec.value.describe()
    );
    if let ValueKind::Enum(e) = &spec.value {
        contents.push_str(if e.closed {
            "\n\nAllowed values:"
        } else {
            "\n\nSuggested values:"
        });
        for v in e.offered() {
            contents.push_str(&format!("\n- **{}** — {}", v.name, v.doc));
        }
    }
    Hover {
        range: field.key.clone(),
        contents,
    }
}
