//! `plan-lsp templates`: the document kinds in force and where each comes
//! from; `templates check FILE`: what a template declares, or what is wrong
//! with it.

use std::path::Path;

use super::{EXIT_CLEAN, EXIT_ERROR, files};
use crate::config::Config;
use crate::schema::built_in;
use crate::schema::notation::{self, KindSource};
use crate::schema::{Body, DocSpec, Env, FieldSpec, Presence, SectionSpec};

pub fn list(config: &Config) -> u8 {
    for kind in config.kinds() {
        let spec = kind.spec();
        let declared = match &spec.title {
            Some(title) => format!("# {title}"),
            None => format!("{} with its sections", crate::layout::STATUS_FILE),
        };
        println!("{:<14} {:<32} {}", kind.as_str(), declared, spec.source);
    }
    EXIT_CLEAN
}

pub fn show(config: &Config, name: &str) -> u8 {
    let Some(kind) = config.kind(name) else {
        let names: Vec<&str> = config.kinds().iter().map(|k| k.as_str()).collect();
        eprintln!(
            "error: no kind `{name}` is in force (the kinds are: {})",
            names.join(", ")
        );
        return EXIT_ERROR;
    };
    let configured = config
        .template_files
        .iter()
        .find(|(_, source)| source.name == kind.as_str());
    let text = match configured {
        Some((path, _)) => match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!(
                    "{}: error: cannot read the template: {e}",
                    files::display(path)
                );
                return EXIT_ERROR;
            }
        },
        None => match built_in::template(kind.as_str()) {
            Some(text) => text.to_string(),
            None => {
                eprintln!("error: the kind `{name}` has no template to show");
                return EXIT_ERROR;
            }
        },
    };
    print!("{text}");
    EXIT_CLEAN
}

pub fn check(file: &Path, name: Option<&str>) -> u8 {
    let origin = files::display(file);
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{origin}: error: cannot read the template: {e}");
            return EXIT_ERROR;
        }
    };
    let name = name.map(str::to_string).unwrap_or_else(|| {
        file.file_stem()
            .map(|s| s.to_string_lossy().to_lowercase())
            .unwrap_or_else(|| "template".into())
    });
    let source = KindSource {
        name,
        origin: origin.clone(),
        title: None,
    };
    match notation::read_kind(&source, &text) {
        Ok(kind) => {
            // under a built-in kind's name, what it means when configured
            print!("{}", describe(&kind));
            EXIT_CLEAN
        }
        Err(errors) => {
            for e in errors {
                eprintln!("{origin}:{}:{}: error: {}", e.line, e.column, e.message);
            }
            EXIT_ERROR
        }
    }
}

/// What a template declares, one part per line.
fn describe(spec: &DocSpec) -> String {
    let mut out = format!(
        "kind `{}`, declared by `# {}` ({})\n",
        spec.name,
        spec.title.as_deref().unwrap_or_default(),
        spec.source
    );
    for s in &spec.sections {
        section(&mut out, s);
    }
    out
}

fn section(out: &mut String, s: &SectionSpec) {
    let indent = "  ".repeat(s.level as usize - 2);
    let optional = match s.presence {
        Presence::Required => String::new(),
        Presence::Optional => " (optional)".into(),
        Presence::ProductionRecord => format!(" (required in {})", Env::Production),
    };
    let hashes = "#".repeat(s.level as usize);
    match &s.heading_value {
        Some(f) => out.push_str(&format!(
            "{indent}{hashes} {}: {}{optional}\n",
            s.name,
            f.value.describe()
        )),
        None => out.push_str(&format!("{indent}{hashes} {}{optional}\n", s.name)),
    }
    // `nested`: under a record's group label
    let field = |out: &mut String, f: &FieldSpec, nested: &str| {
        let optional = if f.required { "" } else { " (optional)" };
        out.push_str(&format!(
            "{indent}  {nested}- {}{} {}{optional}\n",
            f.key,
            f.separator.as_str(),
            f.value.describe()
        ));
    };
    match &s.body {
        Body::Fields { fields, open } => {
            fields.iter().for_each(|f| field(out, f, ""));
            if *open {
                out.push_str(&format!("{indent}  - (other fields allowed)\n"));
            }
        }
        Body::Checklist { items, .. } => {
            for i in items {
                out.push_str(&format!("{indent}  - [ ] {}\n", i.text));
            }
        }
        Body::Steps(steps) => out.push_str(&format!(
            "{indent}  numbered steps, at least one real step ({} in the template)\n",
            steps.len()
        )),
        Body::Record(record) => {
            out.push_str(&format!("{indent}  record box `{}`\n", record.title));
            for g in &record.groups {
                if let Some(label) = &g.label {
                    out.push_str(&format!("{indent}  {label}:\n"));
                }
                let nested = if g.label.is_some() { "  " } else { "" };
                g.fields.iter().for_each(|f| field(out, f, nested));
            }
        }
        Body::Container | Body::RecordGroup => {}
    }
    for c in &s.children {
        section(out, c);
    }
}
