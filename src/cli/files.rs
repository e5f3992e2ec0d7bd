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
            let mut under: Vec<PathBuf> = ignore::WalkBuilder::new(path)
                .build()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
                .map(|e| e.into_path())
                .filter(|p| crate::layout::is_markdown(p))
                .collect();
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

/// Writes a file atomically: a temporary file in the same directory, then a
/// rename over the original (which keeps its permissions).
pub fn write_atomic(path: &Path, contents: &str) -> Result<(), String> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| format!("cannot create a temporary file: {e}"))?;
    tmp.write_all(contents.as_bytes())
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| format!("cannot write: {e}"))?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
    }
    tmp.persist(path)
        .map_err(|e| format!("cannot replace the file: {}", e.error))?;
    Ok(())
}

/// A path as the user should see it (without a leading `./`).
pub fn display(path: &Path) -> String {
    let s = path.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
