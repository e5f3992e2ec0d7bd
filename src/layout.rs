//! Where the seed's documents live: the plan is `docs/deployment.md`, its
//! state `status.md` beside the `docs/` folder; how a status document and
//! its plan find each other; and what an analysis is told about the other.

use std::path::{Path, PathBuf};

use crate::schema::{DocKind, Env};

/// What one document's analysis needs to know about other files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Related {
    /// For a status document: its plan and the environment the plan declares.
    pub plan: Option<RelatedPlan>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelatedPlan {
    pub path: PathBuf,
    pub env: Env,
}

/// Whether a path names a Markdown file (`.md`, `.markdown`).
pub fn is_markdown(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

/// The seed's file names: the plan is `docs/deployment.md`, the state
/// `status.md`.
pub const STATUS_FILE: &str = "status.md";
pub const PLAN_FILE: &str = "deployment.md";
pub const PLAN_DIR: &str = "docs";

fn named(path: &Path, name: &str) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.eq_ignore_ascii_case(name))
}

pub fn is_status_file(path: &Path) -> bool {
    named(path, STATUS_FILE)
}

/// Named like the seed's plan or status file.
pub fn has_plan_file_name(path: &Path) -> bool {
    named(path, PLAN_FILE) || named(path, STATUS_FILE)
}

/// The kinds of document a file's name calls for: a `deployment.md` is a
/// plan, a `status.md` a status document, and a file of any other name (or
/// none) may become either.
/// `kinds` are the kinds in force.
pub fn kinds_for_name(path: Option<&Path>, kinds: &[DocKind]) -> Vec<DocKind> {
    let wanted = |k: &DocKind| match path {
        Some(p) if named(p, PLAN_FILE) => k.is_deployment(),
        Some(p) if named(p, STATUS_FILE) => k.is_status(),
        _ => true,
    };
    kinds.iter().filter(|k| wanted(k)).cloned().collect()
}

/// Where a status document's plan is looked for, nearest first:
/// `<dir>/docs/deployment.md`, then `<dir>/deployment.md`.
pub fn plan_candidates(status: &Path) -> Vec<PathBuf> {
    let dir = status.parent().unwrap_or(Path::new("."));
    vec![dir.join(PLAN_DIR).join(PLAN_FILE), dir.join(PLAN_FILE)]
}

/// Where the status document of a plan lives: beside the `docs/` folder
/// that holds the plan, else beside the plan.
pub fn status_for_plan(plan: &Path) -> PathBuf {
    let dir = plan.parent().unwrap_or(Path::new("."));
    let base = if dir.file_name().is_some_and(|n| n == PLAN_DIR) {
        dir.parent().unwrap_or(dir)
    } else {
        dir
    };
    base.join(STATUS_FILE)
}

/// The status documents whose plan a file may be: the inverse of
/// [`plan_candidates`].
pub fn statuses_of_plan(plan: &Path) -> Vec<PathBuf> {
    let mut out = vec![status_for_plan(plan)];
    if let Some(dir) = plan.parent() {
        let beside = dir.join(STATUS_FILE);
        if !out.contains(&beside) {
            out.push(beside);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_and_its_status_documents_find_each_other() {
        for plan in ["/r/docs/deployment.md", "/r/deployment.md"] {
            for status in statuses_of_plan(Path::new(plan)) {
                assert!(
                    plan_candidates(&status).contains(&PathBuf::from(plan)),
                    "{plan} and {}",
                    status.display()
                );
            }
        }
        assert_eq!(
            status_for_plan(Path::new("/r/docs/deployment.md")),
            PathBuf::from("/r/status.md")
        );
    }
}
