//! IDE features as plain functions over an analysed document: completion,
//! hover and code actions. They return the crate's own types with byte
//! ranges; only `server/` converts them to LSP.

pub mod actions;
pub mod completion;
pub mod context;
pub mod format;
pub mod hover;
pub mod structure;
pub mod workflow;

use std::path::Path;

use crate::schema::{Body, SectionSpec};

/// Whether a document that is not (yet) a plan should be offered the
/// templates: it is empty, or it is named like a plan and has no heading.
pub fn is_template_file(path: Option<&Path>, text: &str) -> bool {
    if text.trim().is_empty() {
        return true;
    }
    path.is_some_and(crate::layout::has_plan_file_name)
        && !crate::text::lines(text)
            .any(|(s, e, _)| crate::model::outline::atx_level(&text[s..e]).is_some())
}

/// The kinds a document being started may become: the kind whose include
/// glob matches it, else those its file name calls for.
pub fn kinds_for(
    path: Option<&Path>,
    config: &crate::config::Config,
) -> Vec<crate::schema::DocKind> {
    match path.and_then(|p| config.include_match(p)) {
        Some((kind, _)) => vec![kind.clone()],
        None => crate::layout::kinds_for_name(path, config.kinds()),
    }
}

/// Hover and completion documentation of a section.
pub fn section_doc(spec: &SectionSpec) -> String {
    let mut doc = format!(
        "**{} {}** — {}",
        "#".repeat(spec.level as usize),
        spec.name,
        spec.doc
    );
    let fields = spec.fields();
    if !fields.is_empty() {
        doc.push_str("\n\nFields: ");
        doc.push_str(
            &fields
                .iter()
                .map(|f| format!("`{}`", f.key))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    if let Body::Checklist { items, .. } = &spec.body {
        doc.push_str("\n\nItems:");
        for i in items {
            doc.push_str(&format!("\n- [ ] {}", i.text));
        }
    }
    doc
}

/// Test fixtures: a document with `$0` at the cursor.
#[cfg(test)]
pub(crate) mod fixture {
    use std::ops::Range;

    use crate::analysis::{Analysis, analyze};
    use crate::config::Config;

    /// The fixture's text without its `$0`, the cursor's offset, and the
    /// text's analysis.
    pub fn at_cursor(fixture: &str) -> (String, usize, Analysis) {
        let offset = fixture
            .find("$0")
            .expect("the fixture marks the cursor with $0");
        let text = fixture.replacen("$0", "", 1);
        let analysis = analyze(&text, None, &Config::default());
        (text, offset, analysis)
    }

    /// A range as the text it covers.
    pub fn show(text: &str, range: Range<usize>) -> String {
        format!("{:?}", &text[range])
    }
}
