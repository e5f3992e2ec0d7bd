//! Finding and reading the files the CLI works on.

use std::path::{Path, PathBuf};

/// A file to check: explicitly named, or found under a directory.
pub struct Candidate {
    pub path: PathBuf,
    pub explicit: bool,
}

/// The Markdown files under the given paths (the current directory when
/// none), honouring .gitignore; explicitly named files are kept whatever
/// their extension. Paths that do not exist are returned as errors.
pub fn collect(paths: &[PathBuf]) -> (Vec<Candidate>, Vec<(PathBuf, String)>) {
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.is_file() {
            found.push(Candidate {
                path: path.clone(),
                explicit: true,
            });
        } else if path.is_dir() {
            let mut under = markdown_under(path);
            under.sort();
            found.extend(under.into_iter().map(|path| Candidate {
                path,
                explicit: false,
            }));
        } else {
            errors.push((path.clone(), "no such file or directory".to_string()));
        }
    }
    (found, errors)
}

/// The Markdown files under a folder, honouring .gitignore, in no
/// particular order: the folders are walked on every core.
fn markdown_under(root: &Path) -> Vec<PathBuf> {
    let found = std::sync::Mutex::new(Vec::new());
    ignore::WalkBuilder::new(root).build_parallel().run(|| {
        let found = &found;
        Box::new(move |entry| {
            if let Ok(entry) = entry
                && entry.file_type().is_some_and(|t| t.is_file())
                && crate::layout::is_markdown(entry.path())
            {
                found
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(entry.into_path());
            }
            ignore::WalkState::Continue
        })
    });
    found
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Reads a file as UTF-8, with a message naming what is wrong.
pub fn read(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not valid UTF-8 (invalid byte at offset {}); plans must be UTF-8 text",
            e.utf8_error().valid_up_to()
        )
    })
}

/// What a file must hold for a write to go ahead.
#[derive(Clone, Copy, Debug)]
pub enum Before<'a> {
    /// What was read from it: a file changed on disk since is not
    /// overwritten.
    Read(&'a str),
    /// Nothing: the file must not exist.
    Nothing,
    /// Anything (`--force`).
    Anything,
}

/// Writes a file atomically: a temporary file beside it, synced, then
/// renamed over it, so a crash leaves the old or the new content, never a
/// mix. A symlink is written through to its target and stays a link; the
/// file's permissions are kept; a read-only file or folder, or a file that
/// changed on disk since it was read, is refused with the reason, and
/// nothing is lost. Temporary files an earlier, killed run left are
/// removed.
pub fn write_atomic(path: &Path, contents: &str, before: Before<'_>) -> Result<(), String> {
    use std::io::Write;
    let target = if path.is_symlink() {
        std::fs::canonicalize(path)
            .map_err(|e| format!("cannot follow the link to its file: {e}"))?
    } else {
        path.to_path_buf()
    };
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let existing = std::fs::metadata(&target).ok();
    if existing
        .as_ref()
        .is_some_and(|m| m.permissions().readonly())
    {
        return Err("the file is read-only; nothing was written".into());
    }
    if std::fs::metadata(&dir).is_ok_and(|m| m.permissions().readonly()) {
        return Err(format!(
            "the folder {} is read-only; nothing was written",
            display(&dir)
        ));
    }
    remove_stale_temporaries(&dir, &name);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}{TEMP_MARK}"))
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| format!("cannot create a temporary file in {}: {e}", display(&dir)))?;
    tmp.write_all(contents.as_bytes())
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| format!("cannot write: {e}"))?;
    if let Some(meta) = &existing {
        let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
    }
    match before {
        Before::Read(text) => {
            let now = std::fs::read(&target).ok();
            if now.as_deref() != Some(text.as_bytes()) {
                return Err(
                    "the file changed on disk since it was read; not overwritten (run again)"
                        .into(),
                );
            }
        }
        Before::Nothing if target.exists() => {
            return Err("the file exists; not overwritten".into());
        }
        Before::Nothing | Before::Anything => {}
    }
    tmp.persist(&target)
        .map_err(|e| format!("cannot replace the file: {}", e.error))?;
    Ok(())
}

/// What marks plan-lsp's temporary files: `.NAME.plan-lsp-XXXX.tmp`.
const TEMP_MARK: &str = ".plan-lsp-";

/// Removes the temporary files a killed write of `name` left in `dir`.
fn remove_stale_temporaries(dir: &Path, name: &str) {
    let prefix = format!(".{name}{TEMP_MARK}");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        if file.starts_with(&prefix) && file.ends_with(".tmp") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A path as the user should see it (without a leading `./`).
pub fn display(path: &Path) -> String {
    let s = path.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
