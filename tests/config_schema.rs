//! The JSON Schema of `.plan-lsp.toml` as editors meet it: printed by the
//! real binary, shipped in `schemas/`, and judging files the way the
//! configuration reader does.

mod common;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn printed_schema() -> Value {
    let out = Command::new(common::binary())
        .args(["config", "schema"])
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).expect("the schema is JSON")
}

#[test]
fn the_shipped_schema_is_the_printed_one() {
    let out = Command::new(common::binary())
        .args(["config", "schema"])
        .output()
        .unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/plan-lsp.schema.json");
    let shipped = std::fs::read_to_string(shipped).unwrap_or_default();
    assert!(
        shipped == String::from_utf8_lossy(&out.stdout),
        "schemas/plan-lsp.schema.json is stale: run\n  cargo run -q -- config schema > schemas/plan-lsp.schema.json"
    );
}

/// What the CLI makes of a configuration file: true when `check` accepts it.
fn cli_accepts(text: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".plan-lsp.toml"), text).unwrap();
    let out = Command::new(common::binary())
        .arg("check")
        .arg(common::example("staging/docs/deployment.md"))
        .current_dir(dir.path())
        .output()
        .unwrap();
    out.status.code() != Some(2)
}

fn schema_accepts(validator: &jsonschema::Validator, text: &str) -> bool {
    let table: toml::Table = toml::from_str(text).expect("the case is TOML");
    let value = serde_json::to_value(table).unwrap();
    for error in validator.iter_errors(&value) {
        eprintln!("{text:?}: {error} at {}", error.instance_path());
    }
    validator.is_valid(&value)
}

#[test]
fn the_schema_accepts_exactly_what_plan_lsp_reads() {
    let schema = printed_schema();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let good = [
        "",
        "env = \"staging\"\ninclude = [\"plans/**/*.md\"]\n[rules]\nplaceholder = \"warning\"\n[values]\nprovider = [\"Fly.io\", \"Hetzner\"]\n",
        "env = \"prod\"\nmax_document_bytes = 2048\n",
        "max-document-bytes = 2048\n",
        "maxDocumentBytes = 2048\n",
        "[rules]\nplaintext-secret = \"error\"\nunchecked-item = \"off\"\n",
        "[deploy]\ncommand = [\"make\", \"deploy\"]\ntimeout = \"30m\"\n[rollback]\ncommand = [\"make\", \"rollback\"]\n",
    ];
    for text in good {
        assert!(
            schema_accepts(&validator, text),
            "the schema rejects:\n{text}"
        );
        assert!(cli_accepts(text), "plan-lsp rejects:\n{text}");
    }
    let bad = [
        ("a wrong type", "env = 3\n"),
        ("a wrong type", "include = \"plans/*.md\"\n"),
        ("a wrong type", "max_document_bytes = \"big\"\n"),
        ("a wrong type", "[rules]\nplaceholder = 1\n"),
        ("an unknown level", "[rules]\nplaceholder = \"loud\"\n"),
        ("an unknown rule", "[rules]\nno-such-rule = \"off\"\n"),
        ("an unknown key", "colour = \"blue\"\n"),
        ("an unknown environment", "env = \"moon\"\n"),
        (
            "an unknown field with values",
            "[values]\nflavour = [\"x\"]\n",
        ),
        ("a zero size", "max_document_bytes = 0\n"),
        ("an unknown action key", "[deploy]\nprogram = \"make\"\n"),
        (
            "a command that is a string",
            "[deploy]\ncommand = \"make deploy\"\n",
        ),
    ];
    for (what, text) in bad {
        assert!(
            !schema_accepts(&validator, text),
            "the schema accepts {what}:\n{text}"
        );
        assert!(!cli_accepts(text), "plan-lsp accepts {what}:\n{text}");
    }
}

/// Every key the reader takes, aliases included (serde lists them when it
/// meets an unknown one), is a property of the schema, and no other.
#[test]
fn the_schema_names_every_key_the_reader_takes() {
    let schema = printed_schema();
    let mut properties: Vec<String> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    properties.sort();
    let error = plan_lsp::config::Config::from_toml("no-such-key = 1", "t", None).unwrap_err();
    let listed = error
        .message
        .split("expected one of ")
        .nth(1)
        .expect("serde names the keys it expects");
    let mut keys: Vec<String> = listed
        .split(", ")
        .map(|k| k.trim().trim_matches('`').to_string())
        .collect();
    keys.sort();
    assert_eq!(properties, keys);
}
