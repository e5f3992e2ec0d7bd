//! The document's structure for the editor: symbols (the section tree with
//! fields), folding ranges (sections and the Decision Validation box),
//! links (URL values) and checklist progress (the code lens counts).

use std::ops::Range;

use crate::model::{Field, Plan};
use crate::schema::ValueKind;
use crate::schema::values::{is_http_url, url_of};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Section,
    Field,
    Checklist,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole section or field.
    pub range: Range<usize>,
    /// The heading or key.
    pub selection: Range<usize>,
    pub children: Vec<Symbol>,
}

/// The section tree, with each known section's fields under it.
pub fn symbols(text: &str, plan: &Plan) -> Vec<Symbol> {
    let mut roots: Vec<Symbol> = Vec::new();
    // (level, path of child indexes from the roots)
    let mut stack: Vec<(u8, Vec<usize>)> = Vec::new();
    for section in &plan.sections {
        while stack
            .last()
            .is_some_and(|(level, _)| *level >= section.level)
        {
            stack.pop();
        }
        let name = plan
            .redacted(text, section.line.clone())
            .trim_start_matches('#')
            .trim()
            .to_string();
        let progress = crate::model::checklist_progress(text, section);
        let mut children: Vec<Symbol> = section
            .field
            .iter()
            .chain(section.entries.iter().filter_map(|e| e.field.as_ref()))
            .map(|f| field_symbol(text, plan, f))
            .collect();
        if let Some(record) = plan.record.as_ref().filter(|r| r.box_range.is_some())
            && plan
                .sections
                .get(record.section)
                .is_some_and(|s| s.line == section.line)
        {
            children.extend(
                record
                    .fields
                    .iter()
                    .filter(|f| {
                        record
                            .box_range
                            .as_ref()
                            .is_some_and(|b| b.contains(&f.line.start))
                    })
                    .map(|f| field_symbol(text, plan, f)),
            );
        }
        let symbol = Symbol {
            name,
            detail: progress.map(|p| p.to_string()),
            kind: if progress.is_some() {
                SymbolKind::Checklist
            } else {
                SymbolKind::Section
            },
            range: section.line.start..trim_end_blank(text, section.line.start, section.end),
            selection: section.line.clone(),
            children,
        };
        let path = match stack.last() {
            Some((_, parent)) => {
                let parent_symbol = symbol_at(&mut roots, parent);
                parent_symbol.children.push(symbol);
                let mut p = parent.clone();
                p.push(parent_symbol.children.len() - 1);
                p
            }
            None => {
                roots.push(symbol);
                vec![roots.len() - 1]
            }
        };
        stack.push((section.level, path));
    }
    roots
}

fn symbol_at<'a>(roots: &'a mut [Symbol], path: &[usize]) -> &'a mut Symbol {
    let (first, rest) = path.split_first().expect("a non-empty path");
    let mut s = &mut roots[*first];
    for i in rest {
        s = &mut s.children[*i];
    }
    s
}

/// A field's symbol: its key, and its value as the detail (secrets masked).
fn field_symbol(text: &str, plan: &Plan, f: &Field) -> Symbol {
    let value = plan.redacted(text, f.value.clone());
    Symbol {
        name: plan.redacted(text, f.key.clone()),
        detail: (!value.is_empty()).then_some(value),
        kind: SymbolKind::Field,
        range: f.key.start..f.line.end.max(f.value.end),
        selection: f.key.clone(),
        children: Vec::new(),
    }
}

/// A range's end moved back over trailing blank lines.
fn trim_end_blank(text: &str, start: usize, end: usize) -> usize {
    start + text[start..end].trim_end().len()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldKind {
    Section,
    /// The Decision Validation box.
    Record,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fold {
    pub range: Range<usize>,
    pub kind: FoldKind,
}

/// Sections (heading to the end of their last subsection) and the box.
pub fn folds(text: &str, plan: &Plan) -> Vec<Fold> {
    let mut out: Vec<Fold> = plan
        .sections
        .iter()
        .map(|s| Fold {
            range: s.line.start..trim_end_blank(text, s.line.start, s.end),
            kind: FoldKind::Section,
        })
        .filter(|f| text[f.range.clone()].contains(['\n', '\r']))
        .collect();
    if let Some(b) = plan.record.as_ref().and_then(|r| r.box_range.clone()) {
        out.push(Fold {
            range: b,
            kind: FoldKind::Record,
        });
    }
    out
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub range: Range<usize>,
    pub target: String,
}

/// The http(s) URLs in URL-typed values (Endpoint, Dashboards, the status
/// document's links).
pub fn links(text: &str, plan: &Plan) -> Vec<Link> {
    let mut out = Vec::new();
    for field in plan.fields() {
        let Some(spec) = &field.spec else { continue };
        if !matches!(
            spec.value,
            ValueKind::Url | ValueKind::UrlOrPath | ValueKind::Links
        ) {
            continue;
        }
        for item in field.link_items(text) {
            let url = url_of(&text[item.clone()]);
            if !is_http_url(url) {
                continue;
            }
            let Some(at) = text[item.clone()].find(url) else {
                continue;
            };
            let start = item.start + at;
            // a URL with a password in it is not offered as a link
            if plan.touches_secret(&(start..start + url.len())) {
                continue;
            }
            out.push(Link {
                range: start..start + url.len(),
                target: url.to_string(),
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

    const TEXT: &str = "# Deployment Plan\n\n## Monitoring\n\n### Health Checks\n- Endpoint: https://api.example.com/healthz\n\n### Metrics\n- Dashboards: [main](https://g.example.com/d/1), https://g.example.com/d/2 (slo)\n\n## Deployment Checklist\n\n### Pre-Deployment\n- [x] All tests pass\n- [ ] Rollback tested\n";

    #[test]
    fn symbols_nest_sections_and_fields() {
        let a = analyze(TEXT, None, &Config::default());
        let s = symbols(TEXT, a.plan.as_ref().unwrap());
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].name, "Deployment Plan");
        let monitoring = &s[0].children[0];
        assert_eq!(monitoring.name, "Monitoring");
        assert_eq!(monitoring.children[0].children[0].name, "Endpoint");
        let pre = &s[0].children[1].children[0];
        assert_eq!(pre.detail.as_deref(), Some("1/5 — 3 missing"));
    }

    #[test]
    fn links_from_url_values() {
        let a = analyze(TEXT, None, &Config::default());
        let targets: Vec<String> = links(TEXT, a.plan.as_ref().unwrap())
            .into_iter()
            .map(|l| l.target)
            .collect();
        assert_eq!(
            targets,
            [
                "https://api.example.com/healthz",
                "https://g.example.com/d/1",
                "https://g.example.com/d/2"
            ]
        );
    }

    #[test]
    fn folds_cover_sections() {
        let a = analyze(TEXT, None, &Config::default());
        let f = folds(TEXT, a.plan.as_ref().unwrap());
        assert!(
            f.iter()
                .any(|f| TEXT[f.range.clone()].starts_with("## Monitoring")
                    && TEXT[f.range.clone()].ends_with("(slo)"))
        );
    }
}
