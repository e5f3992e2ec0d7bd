//! Tidiness checks that read `src/` (as rust-analyzer's tidy tests do):
//!
//! - The crate's layers depend one way: a module may use only the modules
//!   of the layers below its own (ARCHITECTURE.md gives the order and why).
//!   Every path through `crate::` or `super::` in the code (not in comments
//!   or strings) that reaches a layer above, or a sibling in its own layer,
//!   is named.
//! - The template's names (sections, fields, values, checklist items) are
//!   spelled only in `schema/`: every string literal elsewhere that holds
//!   one is named.

use std::path::{Path, PathBuf};

/// Bottom to top. A unit is a top-level module, or for `ide` one of its
/// modules; units in one layer may not use each other.
const LAYERS: &[&[&str]] = &[
    &["text"],
    &["schema"],
    &["layout"],
    &["fix"],
    &["diagnostic"],
    &["config"],
    &["model"],
    &["edits"],
    &["rules"],
    &["analysis"],
    &["workspace"],
    &["exec"],
    &["ide"],
    &["ide::context"],
    &[
        "ide::actions",
        "ide::completion",
        "ide::format",
        "ide::hover",
        "ide::structure",
    ],
    &["ide::workflow"],
    &["server"],
    &["cli"],
    // drives the whole crate for fuzzing and the corpus replay
    &["fuzzing"],
];

/// Modules of `ide` that are units of their own.
const IDE_UNITS: &[&str] = &[
    "context",
    "actions",
    "completion",
    "format",
    "hover",
    "structure",
    "workflow",
];

fn layer_of(unit: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&unit))
}

/// The unit a module path (`ide::actions::Action`, `rules`) belongs to.
fn unit_of(path: &[&str]) -> String {
    match path {
        ["ide", sub, ..] if IDE_UNITS.contains(sub) => format!("ide::{sub}"),
        [first, ..] => first.to_string(),
        [] => String::new(),
    }
}

/// The module path of a source file: `src/ide/actions.rs` → `ide::actions`.
fn module_of(file: &Path, src: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// The code of a Rust file with comments, strings and char literals blanked
/// out (lines kept, so positions stay).
fn code_only(source: &str) -> String {
    lex(source).0
}

/// The string literals of a Rust file (the text between the quotes, escapes
/// as written) with their lines.
fn string_literals(source: &str) -> Vec<(usize, String)> {
    lex(source).1
}

/// Splits a Rust file into its code (comments, strings and char literals
/// blanked out, lines kept) and its string literals.
fn lex(source: &str) -> (String, Vec<(usize, String)>) {
    let mut strings = Vec::new();
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && is_raw_string(&chars, i) {
            let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
            let mut j = i + 2 + hashes;
            while j < chars.len() {
                let closes = chars[j] == '"'
                    && chars.len() > j + hashes
                    && chars[j + 1..=j + hashes].iter().all(|c| *c == '#');
                j += 1;
                if closes {
                    j += hashes;
                    break;
                }
            }
            let j = j.min(chars.len());
            let line = out.matches('\n').count() + 1;
            let inner_end = j.saturating_sub(1 + hashes).max(i + 2 + hashes);
            strings.push((line, chars[i + 2 + hashes..inner_end].iter().collect()));
            out.extend(chars[i..j].iter().map(|c| blank(*c)));
            i = j;
        } else if c == '"' {
            let line = out.matches('\n').count() + 1;
            let mut literal = String::new();
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    literal.push(chars[i]);
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    literal.push(chars[i]);
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            strings.push((line, literal));
            out.push(' ');
            i += 1;
        } else if c == '\'' && (chars.get(i + 2) == Some(&'\'') || next == Some('\\')) {
            // a char literal (a lifetime has no closing quote)
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                out.push(' ');
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    (out, strings)
}

fn is_raw_string(chars: &[char], i: usize) -> bool {
    if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_') {
        return false;
    }
    let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
    chars.get(i + 1 + hashes) == Some(&'"')
}

/// Every module path used through `crate::` or `super::`, with its line:
/// `crate::{a::X, b::Y}` gives `a::X` and `b::Y`.
fn paths_used(code: &str, module: &[String]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut at = 0;
    while let Some(found) = find_root(&code[at..]) {
        let start = at + found.0;
        let root = found.1;
        let mut i = start + root.len() + 2;
        let line = code[..start].matches('\n').count() + 1;
        // `super::super::x`
        let mut base: Vec<String> = match root {
            "crate" => Vec::new(),
            _ => module[..module.len().saturating_sub(1)].to_vec(),
        };
        while code[i..].starts_with("super::") {
            base.pop();
            i += "super::".len();
        }
        if bytes.get(i) == Some(&b'{') {
            let close = matching_brace(code, i);
            for item in split_top(&code[i + 1..close]) {
                out.push((line, join(&base, item.trim())));
            }
            at = close;
        } else {
            let end = code[i..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map_or(code.len(), |e| i + e);
            out.push((line, join(&base, code[i..end].trim_end_matches(':'))));
            at = end.max(start + 1);
        }
    }
    out
}

fn find_root(code: &str) -> Option<(usize, &'static str)> {
    let mut best: Option<(usize, &'static str)> = None;
    for root in ["crate", "super"] {
        let pat = format!("{root}::");
        let mut from = 0;
        while let Some(p) = code[from..].find(&pat) {
            let p = from + p;
            let before = code[..p].chars().next_back();
            if before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == ':')) {
                if best.is_none_or(|(b, _)| p < b) {
                    best = Some((p, root));
                }
                break;
            }
            from = p + pat.len();
        }
    }
    best
}

fn matching_brace(code: &str, open: usize) -> usize {
    let mut depth = 0;
    for (i, c) in code[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return open + i;
                }
            }
            _ => {}
        }
    }
    code.len()
}

fn split_top(list: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in list.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&list[start..]);
    out.into_iter().filter(|s| !s.trim().is_empty()).collect()
}

fn join(base: &[String], rest: &str) -> String {
    let mut parts: Vec<&str> = base.iter().map(String::as_str).collect();
    parts.extend(rest.split("::").filter(|s| !s.is_empty() && *s != "self"));
    parts.join("::")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The uses that break the order, as `file:line: unit uses unit (path)`.
fn violations(files: &[(String, Vec<String>, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (name, module, source) in files {
        let me = unit_of(&module.iter().map(String::as_str).collect::<Vec<_>>());
        let Some(my_layer) = layer_of(&me) else {
            out.push(format!(
                "{name}: module `{me}` is in no layer of tests/layers.rs"
            ));
            continue;
        };
        for (line, path) in paths_used(&code_only(source), module) {
            let segments: Vec<&str> = path.split("::").collect();
            let them = unit_of(&segments);
            if them == me || them.is_empty() {
                continue;
            }
            let Some(their_layer) = layer_of(&them) else {
                continue; // a name defined at the crate root
            };
            if their_layer >= my_layer {
                let how = if their_layer == my_layer {
                    "its sibling"
                } else {
                    "the higher"
                };
                out.push(format!(
                    "{name}:{line}: `{me}` uses {how} `{them}` (`{path}`)"
                ));
            }
        }
    }
    out
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files: Vec<(String, Vec<String>, String)> = rust_files(&src)
        .into_iter()
        .filter(|f| {
            let m = module_of(f, &src);
            !m.is_empty() // lib.rs and main.rs wire the layers together
        })
        .map(|f| {
            let name = f
                .strip_prefix(src.parent().unwrap())
                .unwrap()
                .display()
                .to_string();
            let module = module_of(&f, &src);
            let source = std::fs::read_to_string(&f).unwrap();
            // a module's tests may set themselves up with the whole pipeline
            let code = source.split("#[cfg(test)]").next().unwrap_or_default();
            (name, module, code.to_string())
        })
        .collect();
    let found = violations(&files);
    assert!(
        found.is_empty(),
        "imports against the layer order (ARCHITECTURE.md):\n{}",
        found.join("\n")
    );
}

/// The checker itself: it finds an upward use through `crate::`, a
/// grouped one, one through `super::`, and ignores comments and strings.
#[test]
fn an_upward_use_is_named() {
    let file = |name: &str, module: &[&str], source: &str| {
        (
            name.to_string(),
            module.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            source.to_string(),
        )
    };
    let found = violations(&[
        file(
            "src/model/chunk.rs",
            &["model", "chunk"],
            "use crate::rules::suppression;\n// crate::ide is only named in a comment\nlet s = \"crate::server\";\n",
        ),
        file(
            "src/text/mod.rs",
            &["text"],
            "use crate::{schema::Env, fix::Edit};\n",
        ),
        file(
            "src/ide/structure.rs",
            &["ide", "structure"],
            "use super::workflow::COMMANDS;\nuse super::context::CursorContext;\n",
        ),
    ]);
    assert_eq!(
        found,
        [
            "src/model/chunk.rs:1: `model` uses the higher `rules` (`rules::suppression`)",
            "src/text/mod.rs:1: `text` uses the higher `schema` (`schema::Env`)",
            "src/text/mod.rs:1: `text` uses the higher `fix` (`fix::Edit`)",
            "src/ide/structure.rs:1: `ide::structure` uses the higher `ide::workflow` (`ide::workflow::COMMANDS`)",
        ]
    );
}

/// Every name the template defines: section names, field keys, enum values
/// (with the well-known extras), checklist items, the record's title and
/// group labels.
fn template_names() -> Vec<&'static str> {
    use plan_lsp::schema::{self, DocKind, VALIDATION_RECORD};
    let record: &'static schema::RecordSpec = *VALIDATION_RECORD;
    let mut names = vec![record.title.as_str()];
    let mut fields: Vec<&'static schema::FieldSpec> = record.fields().collect();
    names.extend(record.groups.iter().filter_map(|g| g.label.as_deref()));
    for doc in DocKind::built_in() {
        let doc: &'static schema::DocSpec = doc;
        names.extend(doc.title.as_deref());
        for (section, _) in schema::walk_sections(doc) {
            names.push(&section.name);
            fields.extend(section.fields());
            fields.extend(section.heading_value.as_deref());
            names.extend(section.checklist().iter().map(|i| i.text.as_str()));
        }
    }
    for f in fields {
        names.push(&f.key);
        if let Some(e) = f.enum_spec() {
            names.extend(e.offered().map(|v| v.name.as_str()));
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Whether `name` occurs in `literal` as a whole word (not inside a longer
/// word), as it is spelled.
fn holds_word(literal: &str, name: &str) -> bool {
    literal.match_indices(name).any(|(at, _)| {
        let before = literal[..at].chars().next_back();
        let after = literal[at + name.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !word(before) && !word(after)
    })
}

/// Template names that are also plain words where they appear: (file or
/// folder under `src/`, name, why).
const PLAIN_WORDS: &[(&str, &str, &str)] = &[
    (
        "model/secrets.rs",
        "AWS",
        "the credential's vendor, not the template's provider value",
    ),
    ("server/", "failed", "the verb in messages"),
    ("cli/", "failed", "the verb in messages"),
    ("fuzzing.rs", "failed", "the verb in messages"),
];

#[test]
fn template_names_are_spelled_only_in_the_schema() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let names = template_names();
    let mut found = Vec::new();
    for file in rust_files(&src) {
        let module = module_of(&file, &src);
        if module.first().is_some_and(|m| m == "schema") {
            continue;
        }
        let source = std::fs::read_to_string(&file).unwrap();
        let relative = file.strip_prefix(&src).unwrap().display().to_string();
        // tests may spell what they check
        let code = source.split("#[cfg(test)]").next().unwrap_or_default();
        let lines: Vec<&str> = code.lines().collect();
        for (line, literal) in string_literals(code) {
            // a rule's one-line summary describes the built-in rule, as its
            // documentation in docs/rules/ does
            if lines
                .get(line - 1)
                .is_some_and(|l| l.trim_start().starts_with("summary:"))
            {
                continue;
            }
            for name in names.iter().filter(|n| holds_word(&literal, n)) {
                let plain = PLAIN_WORDS
                    .iter()
                    .any(|(place, word, _)| relative.starts_with(place) && word == name);
                if !plain {
                    found.push(format!("src/{relative}:{line}: {name:?} in {literal:?}"));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "template names spelled outside schema/ (take them from the schema):\n{}",
        found.join("\n")
    );
}
