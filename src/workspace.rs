//! Facts that cross files: which plan a status document reports on, and
//! the environment that plan declares. The CLI and the server gather them
//! the same way (the server from open documents first, then the disk).

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::layout::{Related, RelatedPlan, is_status_file, plan_candidates};
use crate::schema::{DocKind, Env};

/// The repository's version from git (`git describe --tags --always
/// --dirty`), when git and a repository are there.
pub fn git_describe(dir: &Path) -> Option<String> {
    git(dir, &["describe", "--tags", "--always", "--dirty"])
}

/// Who git says the user is: `Name <email>`, or whichever of the two is
/// set.
pub fn git_user(dir: &Path) -> Option<String> {
    let name = git(dir, &["config", "user.name"]);
    let email = git(dir, &["config", "user.email"]);
    match (name, email) {
        (Some(n), Some(e)) => Some(format!("{n} <{e}>")),
        (Some(n), None) => Some(n),
        (None, Some(e)) => Some(format!("<{e}>")),
        (None, None) => None,
    }
}

/// A git command's trimmed output, when it succeeds with some.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The environment a document declares, if it is a deployment plan that
/// declares one.
pub fn declared_env(text: &str, path: &Path, config: &Config) -> Option<Env> {
    let plan = crate::analysis::plan_of(text, path, config)?;
    (plan.kind == *DocKind::deployment() && plan.env_declared).then_some(plan.env)
}

/// The related facts for a document: for a status document, its plan found
/// by [`plan_candidates`] (read with `read`, which the server points at open
/// documents first).
pub fn related_for(
    path: &Path,
    config: &Config,
    mut read: impl FnMut(&Path) -> Option<String>,
) -> Related {
    if !is_status_file(path) {
        return Related::default();
    }
    let plan = plan_candidates(path).into_iter().find_map(|candidate| {
        let text = read(&candidate)?;
        let env = declared_env(&text, &candidate, config)?;
        Some(RelatedPlan {
            path: candidate,
            env,
        })
    });
    Related { plan }
}

/// Reads a file from disk as UTF-8.
pub fn read_disk(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// The Markdown files under a folder that are plans or status documents,
/// honouring .gitignore, at most `limit` files looked at.
pub fn discover(root: &Path, config: &Config, limit: usize) -> Vec<(PathBuf, DocKind)> {
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(root).max_depth(Some(12)).build();
    for entry in walker.filter_map(Result::ok).take(limit) {
        let path = entry.path();
        if !crate::layout::is_markdown(path) || !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Some(text) = read_disk(path) else {
            continue;
        };
        let outline = crate::model::outline::scan(&text);
        let cx = crate::model::Context {
            path: Some(path),
            config,
        };
        if let Some(kind) = crate::model::classify(&text, &outline, &cx).kind {
            out.push((path.to_path_buf(), kind));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_finds_its_plan_nearest_first() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("docs")).unwrap();
        std::fs::write(
            dir.path().join("docs/deployment.md"),
            "# Deployment Plan\n\n## Environment: production\n",
        )
        .unwrap();
        let status = dir.path().join("status.md");
        let related = related_for(&status, &Config::default(), read_disk);
        assert_eq!(related.plan.map(|p| p.env), Some(Env::Production));
        assert_eq!(
            crate::layout::status_for_plan(&dir.path().join("docs/deployment.md")),
            status
        );
        // a plan that does not declare its environment says nothing
        std::fs::write(dir.path().join("docs/deployment.md"), "# Deployment Plan\n").unwrap();
        assert_eq!(
            related_for(&status, &Config::default(), read_disk).plan,
            None
        );
        let found = discover(dir.path(), &Config::default(), 100);
        assert_eq!(
            found,
            vec![(
                dir.path().join("docs/deployment.md"),
                DocKind::deployment().clone()
            )]
        );
    }
}
