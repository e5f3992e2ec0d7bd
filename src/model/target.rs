//! Which documents are plans (SPEC §1). A file name alone is never enough:
//! a document declares itself a plan by its H1, its front matter, a
//! configured `include` glob, or (for status files) its sections.

use super::outline::FrontMatter;
use crate::schema::{DocKind, eq_name};

/// The decision and the reason for it, in words a user can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Targeting {
    pub kind: Option<DocKind>,
    pub reason: String,
    /// The document is declared by its H1 alone (no front matter, no
    /// include glob): it may follow another structure under the same title.
    pub by_title: bool,
}

/// What the decision looks at.
pub struct Evidence<'a> {
    pub front_matter: Option<&'a FrontMatter>,
    /// The first H1's text and 1-based line.
    pub first_h1: Option<(&'a str, usize)>,
    /// Level-2 headings' texts.
    pub h2s: Vec<&'a str>,
    pub path: Option<&'a std::path::Path>,
    /// The configured `include` glob matching this file, if any, and the
    /// kind it is for.
    pub included_by: Option<(&'a DocKind, &'a str)>,
    /// The kinds in force, configured ones first.
    pub kinds: &'a [DocKind],
}

pub fn classify(e: &Evidence<'_>) -> Targeting {
    let declared = |kind: &DocKind, reason: String| Targeting {
        kind: Some(kind.clone()),
        reason,
        by_title: false,
    };
    if let Some(fm) = e.front_matter
        && let Some(value) = fm.get("plan")
    {
        let names: Vec<String> = e.kinds.iter().map(|k| format!("`{k}`")).collect();
        return match e
            .kinds
            .iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(value.trim()))
        {
            Some(kind) => declared(kind, format!("its front matter says `plan: {value}`")),
            None => Targeting {
                kind: None,
                reason: format!(
                    "its front matter says `plan: {value}`, which is not a plan kind (use {})",
                    names.join(" or ")
                ),
                by_title: false,
            },
        };
    }
    if let Some((h1, line)) = e.first_h1
        && let Some(kind) = e
            .kinds
            .iter()
            .find(|k| k.title.as_ref().is_some_and(|t| eq_name(h1, t)))
    {
        return Targeting {
            by_title: e.included_by.is_none(),
            ..declared(kind, format!("its first H1 (line {line}) is `# {h1}`"))
        };
    }
    if let Some((kind, glob)) = e.included_by {
        return declared(
            kind,
            format!("it matches the configured include glob `{glob}`"),
        );
    }
    let status = e.kinds.iter().find(|k| k.is_status());
    let status_sections = status.map_or(&[][..], |k| &k.sections[..]);
    let status_heading = e
        .h2s
        .iter()
        .find(|h| status_sections.iter().any(|s| s.matches(h)));
    let is_status_name = e.path.is_some_and(crate::layout::is_status_file);
    if let (true, Some(h), Some(status)) = (is_status_name, status_heading, status) {
        return declared(
            status,
            format!("it is named status.md and has a `## {h}` section"),
        );
    }
    let titles: Vec<String> = e
        .kinds
        .iter()
        .filter_map(|k| k.title.as_ref())
        .map(|t| format!("`# {t}`"))
        .collect();
    let titles = titles.join(" or ");
    let mut why = match e.first_h1 {
        Some((h1, line)) => format!("its first H1 (line {line}) is `# {h1}`, not {titles}"),
        None => format!("it has no {titles} H1"),
    };
    why.push_str(", it has no `plan:` front matter, and no include glob matches it");
    if is_status_name {
        let headings: Vec<String> = status_sections
            .iter()
            .map(|s| format!("`{} {}`", "#".repeat(s.level as usize), s.name))
            .collect();
        why.push_str(&format!(
            "; a {} needs a {} section",
            crate::layout::STATUS_FILE,
            headings.join(" or ")
        ));
    } else if status_heading.is_some() {
        why.push_str(&format!(
            "; a status document must be named {} (or say `plan: status` in front matter)",
            crate::layout::STATUS_FILE
        ));
    }
    Targeting {
        kind: None,
        reason: why,
        by_title: false,
    }
}

impl Targeting {
    /// One sentence: "deployment plan: its first H1 …" / "not a plan: …".
    pub fn sentence(&self) -> String {
        match &self.kind {
            Some(kind) if !kind.is_from_template() => {
                format!("treated as a {kind} document because {}", self.reason)
            }
            Some(kind) => format!(
                "treated as a {kind} document (template {}) because {}",
                kind.source, self.reason
            ),
            None => format!("not treated as a plan because {}", self.reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence<'a>(h1: Option<&'a str>, name: &'a str, h2s: Vec<&'a str>) -> Evidence<'a> {
        static BUILT_IN: std::sync::LazyLock<[DocKind; 2]> =
            std::sync::LazyLock::new(|| DocKind::built_in().map(DocKind::clone));
        Evidence {
            front_matter: None,
            first_h1: h1.map(|h| (h, 1)),
            h2s,
            path: Some(std::path::Path::new(name)),
            included_by: None,
            kinds: &*BUILT_IN,
        }
    }

    #[test]
    fn deployment_by_h1_in_any_case() {
        let t = classify(&evidence(Some("deployment PLAN"), "x.md", vec![]));
        assert_eq!(t.kind.as_ref(), Some(DocKind::deployment()));
    }

    #[test]
    fn a_file_name_alone_is_not_enough() {
        let t = classify(&evidence(
            Some("Deploying the docs site"),
            "deployment.md",
            vec![],
        ));
        assert_eq!(t.kind, None);
        assert!(t.reason.contains("Deploying the docs site"), "{}", t.reason);
        let t = classify(&evidence(None, "status.md", vec!["Notes"]));
        assert_eq!(t.kind, None);
    }

    #[test]
    fn status_needs_its_name_and_a_section() {
        let t = classify(&evidence(None, "STATUS.md", vec!["Deployment State"]));
        assert_eq!(t.kind.as_ref(), Some(DocKind::status()));
        let t = classify(&evidence(None, "other.md", vec!["Deployment State"]));
        assert_eq!(t.kind, None);
    }
}
