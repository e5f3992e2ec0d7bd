//! Completion: enum values after `Key: `, missing fields at the start of a
//! list item, missing checklist items after `- [`, missing sections after
//! `#`, and the whole template in an empty document. Every item is
//! documented from the schema.

use std::path::Path;

use unicode_width::UnicodeWidthStr;

use super::context::CursorContext;
use super::{is_template_file, section_doc};
use crate::analysis::Analysis;
use crate::config::Config;
use crate::fix::Edit;
use crate::model::Plan;
use crate::schema::template;
use crate::schema::{
    self, Body, DocKind, Env, FieldSpec, Presence, VALIDATION_RECORD, ValueKind, values,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Value,
    Field,
    ChecklistItem,
    Section,
    Template,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: ItemKind,
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: String,
    /// Replaces a range that contains the cursor, on the cursor's line.
    pub edit: Edit,
    /// `edit.new_text` is an LSP snippet.
    pub snippet: bool,
    pub filter_text: Option<String>,
    /// Keeps the schema's order.
    pub sort_text: String,
}

/// What the client can take.
#[derive(Clone, Copy, Debug, Default)]
pub struct CompletionOptions {
    pub snippets: bool,
}

pub fn complete(
    text: &str,
    analysis: &Analysis,
    path: Option<&Path>,
    offset: usize,
    options: CompletionOptions,
    config: &Config,
) -> Vec<CompletionItem> {
    let plan = analysis.plan.as_ref();
    if plan.is_none() && !(text.trim().is_empty() || is_template_file(path, text)) {
        return Vec::new();
    }
    let mut items = match CursorContext::at(text, plan, offset) {
        CursorContext::EmptyDocument => templates(0..text.len()),
        CursorContext::None if plan.is_none() => {
            let line = crate::text::line_content_range(text, offset);
            if text[line.clone()].trim().is_empty() {
                templates(line)
            } else {
                Vec::new()
            }
        }
        CursorContext::None => Vec::new(),
        CursorContext::Value {
            field,
            value,
            replace,
            placeholder,
            in_box,
        } => values_for(text, field, value, replace, placeholder, in_box, config),
        CursorContext::ItemStart { section, replace } => match plan {
            Some(plan) => missing_fields(plan, section, replace, options),
            None => Vec::new(),
        },
        CursorContext::TaskBox { section, replace } => match plan {
            Some(plan) => missing_checklist_items(text, plan, section, replace),
            None => Vec::new(),
        },
        CursorContext::Heading { replace } => match plan {
            Some(plan) => missing_sections(plan, replace),
            None => Vec::new(),
        },
    };
    for (i, item) in items.iter_mut().enumerate() {
        item.sort_text = format!("{i:04}");
    }
    items
}

fn item(
    label: impl Into<String>,
    kind: ItemKind,
    documentation: String,
    edit: Edit,
) -> CompletionItem {
    CompletionItem {
        label: label.into(),
        kind,
        detail: None,
        documentation,
        edit,
        snippet: false,
        filter_text: None,
        sort_text: String::new(),
    }
}

fn values_for(
    text: &str,
    field: &'static FieldSpec,
    value: std::ops::Range<usize>,
    replace: std::ops::Range<usize>,
    placeholder: Option<std::ops::Range<usize>>,
    in_box: bool,
    config: &Config,
) -> Vec<CompletionItem> {
    let mut choices: Vec<(String, String)> = Vec::new();
    match &field.value {
        ValueKind::Enum(e) => {
            choices.extend(e.offered().map(|v| (v.name.to_string(), v.doc.to_string())));
            choices.extend(config.extra_values(e.id).iter().map(|v| {
                (
                    v.clone(),
                    "A value added in the configuration (`[values]`).".to_string(),
                )
            }));
        }
        ValueKind::Date => {
            let today = values::now_rfc3339();
            choices.push((today[..10].to_string(), "Today's date.".into()));
        }
        ValueKind::DateTime => {
            choices.push((values::now_rfc3339(), "The current time (UTC).".into()))
        }
        _ => {}
    }
    // The range replaced: a placeholder if there is one, else the value to
    // the end of the line; in the box, up to the border with re-padding.
    let range = match (&placeholder, in_box) {
        (_, true) => replace.clone(),
        (Some(p), false) => p.clone(),
        (None, false) => value.start..replace.end,
    };
    let box_width = in_box.then(|| {
        let line = crate::text::line_content_range(text, range.start);
        (
            text[line.start..range.end].width(),
            text[line.start..range.start].width(),
        )
    });
    choices
        .into_iter()
        .map(|(name, doc)| {
            let new_text = match box_width {
                Some((border_col, start_col)) => {
                    let pad = border_col.saturating_sub(start_col + name.width()).max(1);
                    format!("{name}{}", " ".repeat(pad))
                }
                None => name.clone(),
            };
            let mut it = item(
                name.clone(),
                ItemKind::Value,
                format!("**{name}** — {doc}\n\n_{}_: {}", field.key, field.doc),
                Edit::replace(range.clone(), new_text),
            );
            it.detail = Some(field.key.to_string());
            if let Some(p) = &placeholder {
                it.filter_text = Some(format!("{}{name}", &text[p.start..p.end.min(range.end)]));
            }
            it
        })
        .collect()
}

fn missing_fields(
    plan: &Plan,
    section: usize,
    replace: std::ops::Range<usize>,
    options: CompletionOptions,
) -> Vec<CompletionItem> {
    let s = &plan.sections[section];
    let Some(spec) = s.spec else {
        return Vec::new();
    };
    // Fields written elsewhere than on the cursor's line.
    let elsewhere =
        |f: &&crate::model::Field| !f.line.contains(&replace.start) && f.line.end != replace.end;
    let (candidates, present): (Vec<&'static FieldSpec>, Vec<&'static FieldSpec>) = match spec.body
    {
        Body::Fields { fields, .. } => (
            fields.iter().collect(),
            s.entries
                .iter()
                .filter_map(|e| e.field.as_ref())
                .filter(elsewhere)
                .filter_map(|f| f.spec)
                .collect(),
        ),
        Body::Record | Body::RecordGroup => (
            VALIDATION_RECORD.fields().collect(),
            plan.record
                .iter()
                .flat_map(|r| r.fields.iter().filter(elsewhere).filter_map(|f| f.spec))
                .collect(),
        ),
        _ => return Vec::new(),
    };
    candidates
        .into_iter()
        .filter(|f| !present.iter().any(|p| std::ptr::eq(*p, *f)))
        .map(|f| {
            let (new_text, snippet) = field_insert_text(f, plan.kind, options);
            let mut it = item(
                f.key,
                ItemKind::Field,
                format!("**{}** — {}\n\nValue: {}", f.key, f.doc, f.value.describe()),
                Edit::replace(replace.clone(), new_text),
            );
            it.snippet = snippet;
            it.detail = Some(f.value.describe());
            it
        })
        .collect()
}

/// `Key: ${1|A,B|}` with snippets, `Key: ` without.
fn field_insert_text(f: &FieldSpec, kind: DocKind, options: CompletionOptions) -> (String, bool) {
    let head = format!("{}{} ", f.key, f.separator.as_str());
    if !options.snippets {
        return (head, false);
    }
    let escape = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('$', "\\$")
            .replace('}', "\\}")
    };
    let body = match f.enum_spec() {
        Some(e) => {
            let names: Vec<String> = e
                .values
                .iter()
                .map(|v| {
                    v.name
                        .replace('\\', "\\\\")
                        .replace(',', "\\,")
                        .replace('|', "\\|")
                })
                .collect();
            format!("${{1|{}|}}", names.join(","))
        }
        None => format!(
            "${{1:{}}}",
            escape(&f.placeholder(match kind {
                DocKind::Deployment => "/",
                DocKind::Status => "|",
            }))
        ),
    };
    (format!("{}{body}", escape(&head)), true)
}

fn missing_checklist_items(
    text: &str,
    plan: &Plan,
    section: usize,
    replace: std::ops::Range<usize>,
) -> Vec<CompletionItem> {
    let s = &plan.sections[section];
    let Some(spec) = s.spec else {
        return Vec::new();
    };
    spec.checklist()
        .iter()
        .filter(|i| {
            // items written on other lines than the cursor's
            !s.entries.iter().any(|e| {
                e.task.is_some()
                    && !(e.line.start..=e.line.end).contains(&replace.start)
                    && crate::rules::edits::checklist_matches(text, e.content.clone(), i)
            })
        })
        .map(|i| {
            let mut it = item(
                i.text,
                ItemKind::ChecklistItem,
                format!("**{}** — {}", i.text, i.doc),
                Edit::replace(replace.clone(), format!("[ ] {}", i.text)),
            );
            it.filter_text = Some(format!("[ ] {}", i.text));
            it.detail = Some(spec.name.to_string());
            it
        })
        .collect()
}

fn missing_sections(plan: &Plan, replace: std::ops::Range<usize>) -> Vec<CompletionItem> {
    schema::walk_sections(plan.spec)
        .into_iter()
        .filter(|(s, parent)| {
            plan.first_of(s).is_none()
                && parent.is_none_or(|p| plan.first_of(p).is_some())
                && !matches!(s.body, Body::RecordGroup)
        })
        .map(|(s, _)| {
            let label = format!("{} {}", "#".repeat(s.level as usize), s.name);
            let new_text = match s.body {
                Body::Record => format!(
                    "{}\n\n{}",
                    template::heading(s, plan.kind, None),
                    template::validation(template::RecordStyle::Box, Some(plan.env)).trim_end()
                ),
                _ => template::section(s, plan.kind, None),
            };
            let optional = if s.presence == Presence::Optional {
                " (optional)"
            } else {
                ""
            };
            let mut it = item(
                label.clone(),
                ItemKind::Section,
                section_doc(s),
                Edit::replace(replace.clone(), new_text),
            );
            it.filter_text = Some(label);
            it.detail = Some(format!("template section{optional}"));
            it
        })
        .collect()
}

fn templates(range: std::ops::Range<usize>) -> Vec<CompletionItem> {
    let deployment = |env: Env| {
        let mut it = item(
            format!("Deployment plan ({env})"),
            ItemKind::Template,
            format!(
                "The whole deployment plan template for {env}.\n\n{}",
                schema::DEPLOYMENT.doc
            ),
            Edit::replace(range.clone(), template::deployment(Some(env))),
        );
        it.filter_text = Some(format!("# Deployment Plan {env}"));
        it
    };
    let mut status = item(
        "Status document (status.md)",
        ItemKind::Template,
        schema::STATUS.doc.to_string(),
        Edit::replace(range.clone(), template::status()),
    );
    status.filter_text = Some("## Deployment State status".into());
    vec![
        deployment(Env::Staging),
        deployment(Env::Production),
        status,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;

    /// Completion labels at `$0`.
    fn labels(fixture: &str) -> Vec<String> {
        let offset = fixture.find("$0").expect("fixture has $0");
        let text = fixture.replace("$0", "");
        let config = Config::default();
        let analysis = analyze(&text, None, &config);
        complete(
            &text,
            &analysis,
            None,
            offset,
            CompletionOptions { snippets: true },
            &config,
        )
        .into_iter()
        .map(|i| i.label)
        .collect()
    }

    #[test]
    fn production_strategy_values() {
        let got = labels(
            "# Deployment Plan\n\n## Deployment Strategy\n\n### Production\n- Strategy: $0\n",
        );
        assert_eq!(got, ["Blue-Green", "Canary", "Rolling"]);
    }

    #[test]
    fn values_in_the_box() {
        let got =
            labels("# Deployment Plan\n\n## Decision Validation\n\n```\n│ Risk: $0     │\n```\n");
        assert_eq!(got, ["Low", "Medium", "High"]);
    }

    #[test]
    fn missing_fields_at_item_start() {
        let got = labels(
            "# Deployment Plan\n\n## Infrastructure\n\n### Hosting\n- Provider: AWS\n- $0\n",
        );
        assert_eq!(got, ["Region", "Services"]);
    }

    fn items(fixture: &str, snippets: bool) -> (String, Vec<CompletionItem>) {
        let offset = fixture.find("$0").expect("fixture has $0");
        let text = fixture.replace("$0", "");
        let config = Config::default();
        let analysis = analyze(&text, None, &config);
        let items = complete(
            &text,
            &analysis,
            None,
            offset,
            CompletionOptions { snippets },
            &config,
        );
        (text, items)
    }

    #[test]
    fn missing_checklist_items_after_a_task_box() {
        let fixture = "# Deployment Plan\n\n## Deployment Checklist\n\n### Post-Deployment\n- [ ] Health checks passing\n- [$0\n- [ ] No errors in logs\n";
        let (text, items) = items(fixture, true);
        let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(labels, ["Monitoring active", "Key metrics normal"]);
        let applied = crate::fix::apply(
            &text,
            [&crate::fix::Fix::safe("", vec![items[0].edit.clone()])],
        )
        .0;
        assert!(
            applied
                .contains("- [ ] Health checks passing\n- [ ] Monitoring active\n- [ ] No errors"),
            "{applied}"
        );
    }

    #[test]
    fn missing_sections_after_a_hash() {
        let fixture = "# Deployment Plan\n\n## Environment: staging\n## Date: 2026-11-26\n\n## Monitoring\n\n### Health Checks\n- Endpoint: /healthz\n- Frequency: 30s\n- Conditions: 200\n\n##$0\n";
        let (_, items) = items(fixture, true);
        let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
        assert!(labels.contains(&"## Infrastructure"), "{labels:?}");
        assert!(labels.contains(&"### Logging"), "{labels:?}");
        assert!(!labels.contains(&"## Monitoring"), "{labels:?}");
        let logging = items.iter().find(|i| i.label == "### Logging").unwrap();
        assert!(
            logging
                .edit
                .new_text
                .starts_with("### Logging\n- Platform: ")
        );
    }

    #[test]
    fn field_names_as_snippets_or_plain_text() {
        let fixture = "# Deployment Plan\n\n## Deployment Strategy\n\n### Production\n- $0\n";
        let (_, with) = items(fixture, true);
        let strategy = with.iter().find(|i| i.label == "Strategy").unwrap();
        assert!(strategy.snippet);
        assert_eq!(
            strategy.edit.new_text,
            "Strategy: ${1|Blue-Green,Canary,Rolling|}"
        );
        let (_, without) = items(fixture, false);
        let strategy = without.iter().find(|i| i.label == "Strategy").unwrap();
        assert!(!strategy.snippet);
        assert_eq!(strategy.edit.new_text, "Strategy: ");
    }

    #[test]
    fn not_a_plan_gets_nothing() {
        assert!(labels("# Notes\n\n- Strategy: $0\n").is_empty());
    }

    #[test]
    fn empty_document_gets_templates() {
        assert_eq!(labels("$0").len(), 3);
    }
}
