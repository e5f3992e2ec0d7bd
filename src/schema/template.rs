//! Templates rendered from the schema: what `plan-lsp new` prints and what
//! the insert actions and quick fixes insert. Text uses `\n`; callers
//! convert to the document's line ending.

use unicode_width::UnicodeWidthStr;

use super::{
    Body, ChecklistItemSpec, DocKind, Env, FieldSpec, Presence, RecordSpec, SectionSpec, Separator,
};

/// How the Decision Validation record is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordStyle {
    /// The seed's box in a fenced code block.
    Box,
    /// `- Key: value` fields under `###` group headings.
    Markdown,
}

/// The choice separator in placeholders: `[A/B]` in plans, `[A|B]` in the
/// status document and the box, as the seed writes them.
pub fn choice_separator(kind: &DocKind) -> &'static str {
    if kind.is_status() { "|" } else { "/" }
}

/// A field's template line, e.g. `- Provider: [AWS/GCP/Azure/other]`, with
/// `value` instead of the placeholder when given.
pub fn field_line(field: &FieldSpec, kind: &DocKind, value: Option<&str>) -> String {
    let value = value.map_or_else(|| field.placeholder(choice_separator(kind)), str::to_string);
    format!("- {}{} {value}", field.key, field.separator.as_str())
}

pub fn checklist_line(item: &ChecklistItemSpec) -> String {
    format!("- [ ] {}", item.text)
}

/// A section's heading, e.g. `### Logging` or `## Environment: production`.
pub fn heading(section: &SectionSpec, kind: &DocKind, env: Option<Env>) -> String {
    let hashes = "#".repeat(section.level as usize);
    match &section.heading_value {
        Some(field) => {
            let value = match env {
                Some(env) if field.is_environment() => env.as_str().to_string(),
                _ => field.placeholder(choice_separator(kind)),
            };
            format!("{hashes} {}: {value}", section.name)
        }
        None => format!("{hashes} {}", section.name),
    }
}

/// A section with its body and its required subsections.
pub fn section(section: &SectionSpec, kind: &DocKind, env: Option<Env>) -> String {
    section_filled(section, kind, env, &|_| None)
}

/// A section whose fields take the values `fill` gives (placeholders
/// elsewhere).
pub fn section_filled(
    section: &SectionSpec,
    kind: &DocKind,
    env: Option<Env>,
    fill: &dyn Fn(&FieldSpec) -> Option<String>,
) -> String {
    let mut out = heading(section, kind, env);
    let body = body(section, kind, env, fill);
    if !body.is_empty() {
        out.push('\n');
        out.push_str(&body);
    }
    for child in section
        .children
        .iter()
        .filter(|c| c.presence == Presence::Required)
    {
        out.push_str("\n\n");
        out.push_str(&section_filled(child, kind, env, fill));
    }
    out
}

fn body(
    section: &SectionSpec,
    kind: &DocKind,
    env: Option<Env>,
    fill: &dyn Fn(&FieldSpec) -> Option<String>,
) -> String {
    let lines: Vec<String> = match &section.body {
        Body::Container | Body::RecordGroup => Vec::new(),
        Body::Fields { fields, .. } => fields
            .iter()
            .filter(|f| f.required)
            .map(|f| field_line(f, kind, fill(f).as_deref()))
            .collect(),
        Body::Checklist { items, .. } => items.iter().map(checklist_line).collect(),
        Body::Steps(steps) => steps
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{}. [{s}]", i + 1))
            .collect(),
        Body::Record(record) => return format!("\n{}", validation_box(record, env)),
    };
    lines.join("\n")
}

/// A whole document of a kind. Optional sections are left out; the Decision
/// Validation record is included for production.
pub fn document(kind: &DocKind, env: Option<Env>) -> String {
    let spec = kind.spec();
    if let Some(skeleton) = &spec.skeleton {
        // a kind read from a template is what its template says
        return skeleton.clone();
    }
    let mut out = String::new();
    if let Some(title) = &spec.title {
        out.push_str(&format!("# {title}\n"));
    }
    let mut previous_was_heading_field = false;
    for s in &spec.sections {
        let include = match s.presence {
            Presence::Required => true,
            Presence::Optional => false,
            Presence::ProductionRecord => env == Some(Env::Production),
        };
        if !include {
            continue;
        }
        let is_heading_field = s.heading_value.is_some();
        if !(out.is_empty() || previous_was_heading_field && is_heading_field) {
            out.push('\n');
        }
        out.push_str(&section(s, kind, env));
        out.push('\n');
        previous_was_heading_field = is_heading_field;
    }
    out
}

pub fn deployment(env: Option<Env>) -> String {
    document(DocKind::deployment(), env)
}

pub fn status() -> String {
    document(DocKind::status(), None)
}

/// The Decision Validation record in a style, without a heading.
pub fn validation(record: &RecordSpec, style: RecordStyle, env: Option<Env>) -> String {
    match style {
        RecordStyle::Box => validation_box(record, env),
        RecordStyle::Markdown => validation_markdown(record, env),
    }
}

fn record_value(field: &FieldSpec, env: Option<Env>, sep: &str) -> String {
    match env {
        Some(env) if field.is_environment() => env.as_str().to_string(),
        _ => field.placeholder(sep),
    }
}

/// The seed's box, in a fenced code block.
pub fn validation_box(record: &RecordSpec, env: Option<Env>) -> String {
    let mut rows: Vec<String> = vec![record.title.to_string(), SEPARATOR_ROW.into()];
    for group in &record.groups {
        rows.push(String::new());
        let indent = match &group.label {
            Some(label) => {
                rows.push(format!("{label}:"));
                "  "
            }
            None => "",
        };
        for f in group.fields.iter().filter(|f| f.required) {
            rows.push(format!("{indent}{}: {}", f.key, record_value(f, env, "|")));
        }
    }
    format!("```\n{}```", box_rows(&rows))
}

/// Marks a separator row (`├───┤`) in [`box_rows`].
const SEPARATOR_ROW: &str = "\u{0}";

/// Width between the borders of the seed's box.
const BOX_INNER_WIDTH: usize = 60;

/// Draws rows inside a box whose right border lines up (display width);
/// as wide as the seed's box unless a row needs more.
pub fn box_rows(rows: &[String]) -> String {
    let inner = (rows.iter().map(|r| r.width()).max().unwrap_or(0) + 2).max(BOX_INNER_WIDTH);
    let rule = "─".repeat(inner);
    let mut out = format!("┌{rule}┐\n");
    for row in rows {
        if row == SEPARATOR_ROW {
            out.push_str(&format!("├{rule}┤\n"));
        } else {
            let pad = inner - 1 - row.width();
            out.push_str(&format!("│ {row}{}│\n", " ".repeat(pad)));
        }
    }
    out.push_str(&format!("└{rule}┘\n"));
    out
}

/// The record as Markdown fields, grouped under `###` headings.
pub fn validation_markdown(record: &RecordSpec, env: Option<Env>) -> String {
    let mut out = Vec::new();
    for group in &record.groups {
        if let Some(label) = &group.label {
            out.push(format!("\n### {label}"));
        } else if !out.is_empty() {
            out.push(String::new());
        }
        for f in group.fields.iter().filter(|f| f.required) {
            out.push(format!(
                "- {}{} {}",
                f.key,
                Separator::Colon.as_str(),
                record_value(f, env, "/")
            ));
        }
    }
    out.join("\n").trim_start().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::VALIDATION_RECORD;

    #[test]
    fn box_borders_line_up() {
        let b = validation_box(&VALIDATION_RECORD, Some(Env::Production));
        let widths: Vec<usize> = b
            .lines()
            .filter(|l| !l.starts_with("```"))
            .map(|l| l.width())
            .collect();
        assert!(widths.windows(2).all(|w| w[0] == w[1]), "{b}");
        assert!(b.contains("│ Environment: production"));
        assert!(b.contains("│   Risk: [Low|Medium|High]"));
        // as wide as the seed's box
        assert_eq!(b.lines().nth(1).unwrap().width(), 62);
    }

    #[test]
    fn deployment_template_follows_the_seed() {
        let t = deployment(None);
        assert!(t.starts_with("# Deployment Plan\n\n## Environment: [staging/production]\n## Date: [date]\n\n## Infrastructure\n\n### Hosting\n- Provider: [AWS/GCP/Azure/other]\n"), "{t}");
        assert!(
            t.contains("### Triggers\n- Error rate > [threshold]\n- Response time > [threshold]")
        );
        assert!(
            t.contains("### Procedure\n1. [Step 1]\n2. [Step 2]\n3. [Verify rollback success]")
        );
        assert!(t.contains("### Post-Deployment\n- [ ] Health checks passing"));
        assert!(!t.contains("Decision Validation"));
        assert!(deployment(Some(Env::Production)).contains("## Decision Validation\n\n```\n┌"));
    }
}
