//! Completion: enum values after `Key: `, missing fields at the start of a
//! list item, missing checklist items after `- [`, missing sections after
//! `#`, and the whole template in a document being started. Every item is
//! documented from the schema.
//!
//! Every item replaces the text from where the user's word starts up to the
//! cursor, and nothing after it: that is what every client replaces (Neovim
//! ignores the part of a range after the cursor). An item that also changes
//! text after the cursor — the rest of a placeholder, the padding before the
//! box's right border — carries a [`Finish`], which the server applies once
//! the client has inserted the item.

use std::ops::Range;
use std::path::Path;

use super::context::CursorContext;
use super::section_doc;
use crate::analysis::Analysis;
use crate::config::Config;
use crate::fix::Edit;
use crate::model::Plan;
use crate::schema::template;
use crate::schema::{self, Body, DocKind, Env, FieldSpec, Presence, ValueKind, values};
use crate::text::line_content_range;

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
    /// Replaces the text from where the user's word starts to the cursor.
    pub edit: Edit,
    /// `edit.new_text` is an LSP snippet with tabstops; otherwise it is
    /// literal text.
    pub snippet: bool,
    pub filter_text: Option<String>,
    /// Keeps the schema's order.
    pub sort_text: String,
    /// What the item changes after the cursor, once inserted.
    pub finish: Option<Finish>,
}

/// The server command that applies a [`Finish`]: arguments the document's
/// URI and `{line, inserted, finished}`.
pub const FINISH_COMPLETION: &str = "plan-lsp.finishCompletion";

/// The part of a completion after the cursor: the cursor's line as it reads
/// once the client has inserted the item, and as the item means it to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finish {
    /// Where the line starts in the text the item was computed for.
    pub line_start: usize,
    pub inserted: String,
    pub finished: String,
}

impl Finish {
    /// What finishing changes, relative to the line's start: the bytes of
    /// the inserted line it replaces, and with what. Only this travels to
    /// the client and back (never the whole line, which may hold a secret).
    pub fn change(&self) -> (Range<usize>, String) {
        let e = crate::fix::minimal(
            &self.inserted,
            &Edit::replace(0..self.inserted.len(), &self.finished),
        );
        (e.range, e.new_text)
    }
}

/// A line's fingerprint, to tell whether it still reads as the insertion
/// left it.
pub fn line_fingerprint(line: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    line.hash(&mut hasher);
    hasher.finish()
}

/// The edit that finishes a completion on the line starting at
/// `line_start`: nothing unless the line still has the fingerprint of the
/// inserted line (the user may have done something else meanwhile).
pub fn finish_edit(
    text: &str,
    line_start: usize,
    fingerprint: u64,
    change: Range<usize>,
    new_text: &str,
) -> Option<Edit> {
    if line_start > text.len() || !text.is_char_boundary(line_start) {
        return None;
    }
    let line = line_content_range(text, line_start);
    if line.start != line_start || line_fingerprint(&text[line.clone()]) != fingerprint {
        return None;
    }
    let range = line.start + change.start..line.start + change.end;
    (range.end <= line.end
        && text.is_char_boundary(range.start)
        && text.is_char_boundary(range.end))
    .then(|| Edit::replace(range, new_text))
}

/// What the client can take.
#[derive(Clone, Copy, Debug, Default)]
pub struct CompletionOptions {
    /// Snippets; without them only single-line literal items are offered
    /// (the multi-line insertions stay available as code actions).
    pub snippets: bool,
}

/// Escapes literal text for an LSP snippet.
pub fn snippet_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('$', "\\$")
        .replace('}', "\\}")
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
    let offset = crate::text::floor_char_boundary(text, offset);
    let context = CursorContext::at(text, plan, offset);
    let mut items = match (context, plan) {
        (CursorContext::NewDocument { start }, _)
            if plan.is_some()
                || text.trim().is_empty()
                || path.is_some_and(crate::layout::has_plan_file_name) =>
        {
            // A line break after the cursor (an editor's empty buffer is
            // one) ends the template's last line.
            let ends_line = text[offset..].starts_with(['\n', '\r']);
            templates(start..offset, path, config, options, ends_line)
        }
        (_, None) => Vec::new(),
        (
            CursorContext::Value {
                field,
                value,
                box_column,
            },
            Some(_),
        ) => values_for(text, offset, field, value, box_column, config),
        (CursorContext::ItemStart { section, start }, Some(plan)) => {
            missing_fields(plan, section, start..offset, options)
        }
        (CursorContext::TaskBox { section, start }, Some(plan)) => {
            missing_checklist_items(text, plan, section, start..offset)
        }
        (CursorContext::Heading { start }, Some(plan)) => {
            missing_sections(text, plan, start..offset, options)
        }
        _ => Vec::new(),
    };
    for (i, item) in items.iter_mut().enumerate() {
        item.sort_text = format!("{i:04}");
        // Without snippets an item's text starts with what is typed and
        // filters itself; a filter text would make Neovim 0.7 ignore the
        // item's range and insert at the keyword start instead.
        if !options.snippets {
            item.filter_text = None;
        }
    }
    items
}

fn item(
    label: impl Into<String>,
    kind: ItemKind,
    documentation: String,
    edit: Edit,
) -> CompletionItem {
    let label = label.into();
    CompletionItem {
        filter_text: Some(label.clone()),
        label,
        kind,
        detail: None,
        documentation,
        edit,
        snippet: false,
        sort_text: String::new(),
        finish: None,
    }
}

/// How a completion of `new_text` at `word` (the typed word, up to the
/// cursor) turns the cursor's line into the one it means: `replaced` (a
/// superset of `word`) is what it stands for, and on a box line the right
/// border goes to the box's column.
fn finish(
    text: &str,
    word: Range<usize>,
    replaced: Range<usize>,
    new_text: &str,
    box_column: Option<usize>,
) -> Option<Finish> {
    let line = line_content_range(text, word.start);
    let inserted = format!(
        "{}{new_text}{}",
        &text[line.start..word.start],
        &text[word.end..line.end]
    );
    let mut finished = format!(
        "{}{new_text}{}",
        &text[line.start..replaced.start],
        &text[replaced.end..line.end]
    );
    if let Some(column) = box_column {
        finished = crate::fix::realign_box_line(&finished, column);
    }
    (inserted != finished).then_some(Finish {
        line_start: line.start,
        inserted,
        finished,
    })
}

/// Where a value completion goes: the typed word, what the value stands
/// for (a placeholder is replaced whole), and whether a space must follow
/// the separator first.
struct ValueSite {
    word: Range<usize>,
    replaced: Range<usize>,
    space_first: bool,
}

impl ValueSite {
    fn new(text: &str, cursor: usize, value: Range<usize>) -> ValueSite {
        let typed_start = value.start.min(cursor);
        let value_end = value.end.max(cursor);
        let placeholders: Vec<Range<usize>> = values::placeholders(&text[value.clone()], &[])
            .into_iter()
            .map(|p| value.start + p.start..value.start + p.end)
            .collect();
        // The cursor in (or just after) a placeholder: the word is empty and
        // the whole placeholder goes.
        if let Some(p) = placeholders.iter().find(|p| p.start < cursor) {
            return ValueSite {
                word: cursor..cursor,
                replaced: p.start..p.end.max(cursor),
                space_first: false,
            };
        }
        // A placeholder right after the cursor goes too; else the rest of
        // the word the cursor is in.
        let end = match placeholders
            .iter()
            .find(|p| text[cursor..p.start].trim().is_empty())
        {
            Some(p) => p.end,
            None => {
                let rest = &text[cursor..value_end];
                cursor + rest.find(char::is_whitespace).unwrap_or(rest.len())
            }
        };
        ValueSite {
            word: typed_start..cursor,
            replaced: typed_start..end,
            space_first: typed_start == cursor
                && !text[..cursor].ends_with(char::is_whitespace)
                && !text[..cursor].is_empty(),
        }
    }
}

fn values_for(
    text: &str,
    cursor: usize,
    field: &FieldSpec,
    value: Range<usize>,
    box_column: Option<usize>,
    config: &Config,
) -> Vec<CompletionItem> {
    let mut choices: Vec<(String, String)> = Vec::new();
    match &field.value {
        ValueKind::Enum(e) => {
            choices.extend(e.offered().map(|v| (v.name.to_string(), v.doc.to_string())));
            choices.extend(config.extra_values(&e.id).iter().map(|v| {
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
    let site = ValueSite::new(text, cursor, value);
    choices
        .into_iter()
        .map(|(name, doc)| {
            let new_text = if site.space_first {
                format!(" {name}")
            } else {
                name.clone()
            };
            let mut it = item(
                name.clone(),
                ItemKind::Value,
                format!("**{name}** — {doc}\n\n_{}_: {}", field.key, field.doc),
                Edit::replace(site.word.clone(), new_text.clone()),
            );
            it.detail = Some(field.key.to_string());
            it.finish = finish(
                text,
                site.word.clone(),
                site.replaced.clone(),
                &new_text,
                box_column,
            );
            it
        })
        .collect()
}

fn missing_fields(
    plan: &Plan,
    section: usize,
    word: Range<usize>,
    options: CompletionOptions,
) -> Vec<CompletionItem> {
    let s = &plan.sections[section];
    let Some(spec) = &s.spec else {
        return Vec::new();
    };
    // Fields written elsewhere than on the cursor's line.
    let elsewhere = |f: &&crate::model::Field| !(f.line.start..=f.line.end).contains(&word.start);
    let (candidates, present): (Vec<&FieldSpec>, Vec<&FieldSpec>) = match &spec.body {
        Body::Fields { fields, .. } => (
            fields.iter().collect(),
            s.entries
                .iter()
                .filter_map(|e| e.field.as_ref())
                .filter(elsewhere)
                .filter_map(|f| f.spec.as_deref())
                .collect(),
        ),
        Body::Record(_) | Body::RecordGroup => (
            plan.kind.record_spec().fields().collect(),
            plan.record
                .iter()
                .flat_map(|r| {
                    r.fields
                        .iter()
                        .filter(elsewhere)
                        .filter_map(|f| f.spec.as_deref())
                })
                .collect(),
        ),
        _ => return Vec::new(),
    };
    candidates
        .into_iter()
        .filter(|f| !present.iter().any(|p| std::ptr::eq(*p, *f)))
        .map(|f| {
            let (new_text, snippet) = field_insert_text(f, &plan.kind, options);
            let mut it = item(
                f.key.as_str(),
                ItemKind::Field,
                format!("**{}** — {}\n\nValue: {}", f.key, f.doc, f.value.describe()),
                Edit::replace(word.clone(), new_text),
            );
            it.snippet = snippet;
            it.detail = Some(f.value.describe());
            it
        })
        .collect()
}

/// `Key: ${1|A,B|}` with snippets, `Key: ` without.
fn field_insert_text(f: &FieldSpec, kind: &DocKind, options: CompletionOptions) -> (String, bool) {
    let head = format!("{}{} ", f.key, f.separator.as_str());
    if !options.snippets {
        return (head, false);
    }
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
            snippet_escape(&f.placeholder(template::choice_separator(kind)))
        ),
    };
    (format!("{}{body}", snippet_escape(&head)), true)
}

fn missing_checklist_items(
    text: &str,
    plan: &Plan,
    section: usize,
    word: Range<usize>,
) -> Vec<CompletionItem> {
    let s = &plan.sections[section];
    let Some(spec) = &s.spec else {
        return Vec::new();
    };
    // An auto-closed `]` after the cursor goes with the completion.
    let line = line_content_range(text, word.start);
    let replaced = if text[word.end..line.end].trim() == "]" {
        word.start..line.end
    } else {
        word.clone()
    };
    spec.checklist()
        .iter()
        .filter(|i| {
            // items written on other lines than the cursor's
            !s.entries.iter().any(|e| {
                e.task.is_some()
                    && !(e.line.start..=e.line.end).contains(&word.start)
                    && crate::model::checklist_matches(text, e.content.clone(), i)
            })
        })
        .map(|i| {
            let new_text = format!("[ ] {}", i.text);
            let mut it = item(
                i.text.as_str(),
                ItemKind::ChecklistItem,
                format!("**{}** — {}", i.text, i.doc),
                Edit::replace(word.clone(), new_text.clone()),
            );
            it.filter_text = Some(new_text.clone());
            it.detail = Some(spec.name.to_string());
            it.finish = finish(text, word.clone(), replaced.clone(), &new_text, None);
            it
        })
        .collect()
}

/// The sections missing from the plan, as headings; with snippets, each with
/// its body as the missing-section fix inserts it.
fn missing_sections(
    text: &str,
    plan: &Plan,
    word: Range<usize>,
    options: CompletionOptions,
) -> Vec<CompletionItem> {
    // A blank line between the new section and a line right below it.
    let line = line_content_range(text, word.start);
    let next_line = line_content_range(text, (line.end + 1).min(text.len()));
    let blank_after = line.end < text.len() && !text[next_line].trim().is_empty();
    let eol = crate::text::line_ending(text);
    schema::walk_sections(&plan.kind)
        .into_iter()
        .filter(|(s, parent)| {
            plan.first_of(s).is_none()
                && parent.is_none_or(|p| plan.first_of(p).is_some())
                && !matches!(s.body, Body::RecordGroup)
        })
        .map(|(s, _)| {
            let label = format!("{} {}", "#".repeat(s.level as usize), s.name);
            let new_text = if options.snippets {
                let body = match &s.body {
                    Body::Record(_) => format!(
                        "{}\n\n{}",
                        template::heading(s, &plan.kind, None),
                        template::validation(
                            plan.kind.record_spec(),
                            template::RecordStyle::Box,
                            Some(plan.env),
                        )
                        .trim_end()
                    ),
                    _ => template::section(s, &plan.kind, None),
                };
                let body = if blank_after {
                    format!("{body}\n")
                } else {
                    body
                };
                body.replace('\n', eol)
            } else {
                template::heading(s, &plan.kind, None)
            };
            let optional = if s.presence == Presence::Optional {
                " (optional)"
            } else {
                ""
            };
            let mut it = item(
                label,
                ItemKind::Section,
                section_doc(s),
                Edit::replace(word.clone(), new_text),
            );
            it.detail = Some(format!("template section{optional}"));
            it
        })
        .collect()
}

/// The templates for a document being started, as far as its name allows;
/// without snippets, only the heading that declares each kind.
fn templates(
    word: Range<usize>,
    path: Option<&Path>,
    config: &Config,
    options: CompletionOptions,
    ends_line: bool,
) -> Vec<CompletionItem> {
    let whole = |template: String| match template.strip_suffix('\n') {
        Some(t) if ends_line => t.to_string(),
        _ => template,
    };
    let mut out = Vec::new();
    for kind in super::kinds_for(path, config) {
        let spec = kind.spec();
        match &kind {
            kind if kind.is_deployment() && options.snippets => {
                for env in [Env::Staging, Env::Production] {
                    let mut it = item(
                        format!("{} ({env})", spec.title.as_deref().unwrap_or_default()),
                        ItemKind::Template,
                        format!(
                            "The whole deployment plan template for {env}.\n\n{}",
                            spec.doc
                        ),
                        Edit::replace(word.clone(), whole(template::document(kind, Some(env)))),
                    );
                    it.filter_text = Some(format!(
                        "# {} {env}",
                        spec.title.as_deref().unwrap_or_default()
                    ));
                    out.push(it);
                }
            }
            kind if kind.is_status() && options.snippets => {
                let mut it = item(
                    format!(
                        "{} ({})",
                        spec.sections.first().map_or("", |s| s.name.as_str()),
                        crate::layout::STATUS_FILE
                    ),
                    ItemKind::Template,
                    spec.doc.to_string(),
                    Edit::replace(word.clone(), whole(template::document(kind, None))),
                );
                it.filter_text = spec
                    .sections
                    .first()
                    .map(|s| format!("{} status", template::heading(s, kind, None)));
                out.push(it);
            }
            kind if spec.is_from_template() && options.snippets => {
                // a kind read from a template: the template itself
                let title = spec.title.as_deref().unwrap_or(kind.as_str());
                let mut it = item(
                    format!("{title} (template)"),
                    ItemKind::Template,
                    format!(
                        "The whole {title} template ({}).\n\n{}",
                        spec.source, spec.doc
                    ),
                    Edit::replace(word.clone(), whole(template::document(kind, None))),
                );
                it.filter_text = Some(format!("# {title}"));
                out.push(it);
            }
            _ => {
                let heading = match &spec.title {
                    Some(title) => format!("# {title}"),
                    None => match spec.sections.first() {
                        Some(s) => template::heading(s, &kind, None),
                        None => continue,
                    },
                };
                out.push(item(
                    heading.clone(),
                    ItemKind::Template,
                    spec.doc.to_string(),
                    Edit::replace(word.clone(), heading),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::ide::fixture::{at_cursor, show};

    /// The items at `$0`, one per line: label, the text it replaces, its
    /// text, and the line it finishes into when it has a finish.
    fn check(fixture: &str, snippets: bool, expect: Expect) {
        let (text, items) = items(fixture, snippets);
        let got: String = items
            .iter()
            .map(|i| {
                let mut line = format!(
                    "{}: {} -> {:?}",
                    i.label,
                    show(&text, i.edit.range.clone()),
                    i.edit.new_text
                );
                if let Some(f) = &i.finish {
                    line.push_str(&format!(" then {:?}", f.finished));
                }
                line + "\n"
            })
            .collect();
        expect.assert_eq(&got);
    }

    #[test]
    fn a_value_after_the_separator_keeps_the_space() {
        check(
            "# Deployment Plan\n\n## Environment:$0\n",
            false,
            expect![[r#"
                staging: "" -> " staging"
                production: "" -> " production"
            "#]],
        );
        check(
            "# Deployment Plan\n\n## Environment: pro$0\n",
            false,
            expect![[r#"
                staging: "pro" -> "staging"
                production: "pro" -> "production"
            "#]],
        );
    }

    #[test]
    fn a_placeholder_and_the_box_padding_are_finished_after_the_insertion() {
        check(
            "# Deployment Plan\n\n## Deployment Strategy\n\n### Production\n- Strategy: $0[Blue-Green/Canary/Rolling]\n",
            true,
            expect![[r#"
                Blue-Green: "" -> "Blue-Green" then "- Strategy: Blue-Green"
                Canary: "" -> "Canary" then "- Strategy: Canary"
                Rolling: "" -> "Rolling" then "- Strategy: Rolling"
            "#]],
        );
        check(
            "# Deployment Plan\n\n## Decision Validation\n\n```\n┌──────────────┐\n│ Risk: Hig$0    │\n└──────────────┘\n```\n",
            true,
            expect![[r#"
                Low: "Hig" -> "Low"
                Medium: "Hig" -> "Medium" then "│ Risk: Medium │"
                High: "Hig" -> "High" then "│ Risk: High   │"
            "#]],
        );
    }

    #[test]
    fn a_missing_section_with_or_without_snippets() {
        let fixture = "# Deployment Plan\n\n## Environment: staging\n## Date: 2026-11-26\n\n## Rollback Plan\n\n### Triggers\n- Error rate > 1%\n\n### Proc$0\n";
        check(
            fixture,
            true,
            expect![[r####"
            ## Decision Validation: "### Proc" -> "## Decision Validation\n\n```\n┌────────────────────────────────────────────────────────────┐\n│ DECISION VALIDATION: DEPLOYMENT                            │\n├────────────────────────────────────────────────────────────┤\n│                                                            │\n│ Environment: staging                                       │\n│                                                            │\n│ Security Assessment:                                       │\n│   Data Classification: [PUBLIC|INTERNAL|CONFIDENTIAL]      │\n│   Threats Considered: [list]                               │\n│   Mitigations: [how addressed]                             │\n│                                                            │\n│ Deployment:                                                │\n│   Risk: [Low|Medium|High]                                  │\n│   Rollback Strategy: [specific steps]                      │\n│   Monitoring: [what to watch]                              │\n│                                                            │\n│ Recommendation: [Proceed|Proceed with Caution]             │\n└────────────────────────────────────────────────────────────┘\n```"
            ## Infrastructure: "### Proc" -> "## Infrastructure\n\n### Hosting\n- Provider: [AWS/GCP/Azure/other]\n- Region: [region]\n- Services: [list]\n\n### CI/CD Pipeline\n- Platform: [GitHub Actions/GitLab CI/other]\n- Stages: [build, test, deploy]\n- Triggers: [main branch, tags]\n\n### Environment Configuration\n- Variables: [list with sensitivity]\n- Secrets: [management method]"
            ## Deployment Strategy: "### Proc" -> "## Deployment Strategy\n\n### Staging\n- Strategy: [Continuous deployment/other]\n- Frequency: [On merge to main]\n- Approval: [None/Auto/Manual/other]\n\n### Production\n- Strategy: [Blue-Green/Canary/Rolling]\n- Steps: [detailed rollout]\n- Rollback: [procedure]"
            ## Monitoring: "### Proc" -> "## Monitoring\n\n### Health Checks\n- Endpoint: [url]\n- Frequency: [interval]\n- Conditions: [pass criteria]\n\n### Logging\n- Platform: [CloudWatch/other]\n- Retention: [period]\n- Alerts: [conditions]\n\n### Metrics\n- Business: [key metrics]\n- Technical: [performance, errors]\n- Dashboards: [links]"
            ### Procedure: "### Proc" -> "### Procedure\n1. [Step 1]\n2. [Step 2]\n3. [Verify rollback success]"
            ## Deployment Checklist: "### Proc" -> "## Deployment Checklist\n\n### Pre-Deployment\n- [ ] All tests pass\n- [ ] Security scan clean\n- [ ] Dependencies updated\n- [ ] Database migrations prepared\n- [ ] Rollback tested\n\n### Post-Deployment\n- [ ] Health checks passing\n- [ ] Monitoring active\n- [ ] No errors in logs\n- [ ] Key metrics normal"
            ## Exit Criteria: "### Proc" -> "## Exit Criteria\n- [ ] Deployment tested (staging)\n- [ ] Monitoring active\n- [ ] Rollback validated\n- [ ] Rollback strategy documented"
        "####]],
        );
        check(
            fixture,
            false,
            expect![[r####"
            ## Decision Validation: "### Proc" -> "## Decision Validation"
            ## Infrastructure: "### Proc" -> "## Infrastructure"
            ## Deployment Strategy: "### Proc" -> "## Deployment Strategy"
            ## Monitoring: "### Proc" -> "## Monitoring"
            ### Procedure: "### Proc" -> "### Procedure"
            ## Deployment Checklist: "### Proc" -> "## Deployment Checklist"
            ## Exit Criteria: "### Proc" -> "## Exit Criteria"
        "####]],
        );
    }

    /// Completion labels at `$0`.
    fn labels(fixture: &str) -> Vec<String> {
        items(fixture, true)
            .1
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
        let (text, offset, analysis) = at_cursor(fixture);
        let items = complete(
            &text,
            &analysis,
            None,
            offset,
            CompletionOptions { snippets },
            &Config::default(),
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
