//! Configuration (SPEC §7): `.plan-lsp.toml`, or the same keys as LSP
//! `initializationOptions` / `workspace/didChangeConfiguration` (section
//! `planLsp`). A bad configuration is an error the caller reports; the
//! defaults stay in force.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::diagnostic::{Code, Level};
use crate::schema::{self, DocKind, Env, notation};

/// The configured kinds in their order, then the built-in kinds none of
/// them replaces.
fn in_force(configured: &[ConfiguredKind]) -> Vec<DocKind> {
    let built_in = DocKind::built_in()
        .into_iter()
        .filter(|b| !configured.iter().any(|k| k.kind == **b))
        .cloned();
    configured
        .iter()
        .map(|k| k.kind.clone())
        .chain(built_in)
        .collect()
}

fn globs(patterns: &[String]) -> Result<GlobSet, globset::Error> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        builder.add(Glob::new(pattern)?);
    }
    builder.build()
}

pub const FILE_NAME: &str = ".plan-lsp.toml";

/// Documents larger than this get one `document-too-large` finding instead
/// of a full analysis.
pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct Config {
    pub default_env: Option<Env>,
    include: Vec<String>,
    include_set: GlobSet,
    /// The directory `include` globs are relative to.
    pub root: Option<PathBuf>,
    rules: HashMap<Code, Level>,
    /// Extra enum values by enum id (`provider`, `strategy`, …).
    values: HashMap<String, Vec<String>>,
    pub max_document_bytes: usize,
    /// What DEPLOY and ROLLBACK run (SPEC §11); none: they only record.
    pub deploy: Option<ActionCommand>,
    pub rollback: Option<ActionCommand>,
    /// Kinds read from templates (`[[kinds]]`), in the order configured.
    kinds: Vec<ConfiguredKind>,
    /// The kinds in force, worked out once from `kinds` (targeting asks on
    /// every keystroke).
    in_force: Vec<DocKind>,
    /// Templates that could not be read; their kinds are left out and every
    /// other kind keeps working.
    pub template_errors: Vec<ConfigError>,
    /// Every configured template file, read or not, with what its kind is
    /// read as: a change to one reloads the configuration, and the file
    /// open in the editor is checked as a template.
    pub template_files: Vec<(PathBuf, notation::KindSource)>,
}

/// The text of templates open in the editor, by path: the configuration
/// reads a template from here before the disk, so editing one re-checks
/// the documents of its kind before it is saved. The server keeps it.
static OPEN_TEMPLATES: std::sync::RwLock<BTreeMap<PathBuf, String>> =
    std::sync::RwLock::new(BTreeMap::new());

/// Records (or with `None` forgets) the editor's text of a template.
pub fn set_open_template(path: &Path, text: Option<String>) {
    let mut open = OPEN_TEMPLATES
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match text {
        Some(text) => open.insert(path.to_path_buf(), text),
        None => open.remove(path),
    };
}

fn read_template(path: &Path) -> std::io::Result<String> {
    let open = OPEN_TEMPLATES
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match open.get(path) {
        Some(text) => Ok(text.clone()),
        None => std::fs::read_to_string(path),
    }
}

/// A document kind from `[[kinds]]`: the kind its template gave, and the
/// files it is for.
#[derive(Clone, Debug)]
struct ConfiguredKind {
    kind: DocKind,
    include: Vec<String>,
    include_set: GlobSet,
}

/// A command a workflow action runs: its argv (never through a shell) and
/// how long it may take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionCommand {
    pub argv: Vec<String>,
    pub timeout: std::time::Duration,
}

/// How long a deploy or rollback command may run when the configuration
/// does not say.
pub const DEFAULT_ACTION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30 * 60);

impl Default for Config {
    fn default() -> Self {
        Config {
            default_env: None,
            include: Vec::new(),
            include_set: GlobSet::empty(),
            root: None,
            rules: HashMap::new(),
            values: HashMap::new(),
            max_document_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
            deploy: None,
            rollback: None,
            kinds: Vec::new(),
            in_force: DocKind::built_in().map(DocKind::clone).to_vec(),
            template_errors: Vec::new(),
            template_files: Vec::new(),
        }
    }
}

/// The configuration keys, as written in TOML or JSON. Their doc comments
/// are the descriptions of the JSON Schema (`plan-lsp config schema`).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = ".plan-lsp.toml",
    description = "How plan-lsp checks the deployment plans of this repository: the `.plan-lsp.toml` at its root (also the `planLsp` settings of an editor)."
)]
struct RawConfig {
    /// The environment a plan is checked for when it names none.
    #[serde(default)]
    #[schemars(schema_with = "env_schema")]
    env: Option<String>,
    /// Globs, relative to this file's folder, of more documents to treat as deployment plans.
    #[serde(default)]
    include: Vec<String>,
    /// The level of a rule, by its code (`off` silences it).
    #[serde(default)]
    #[schemars(schema_with = "rules_schema")]
    rules: BTreeMap<String, String>,
    /// Extra values offered for a field with values (and, for a closed one, accepted), by the field's id.
    #[serde(default)]
    #[schemars(schema_with = "values_schema")]
    values: BTreeMap<String, Vec<String>>,
    /// Documents larger than this many bytes get one `document-too-large` finding instead of an analysis.
    #[serde(alias = "max-document-bytes", alias = "maxDocumentBytes")]
    #[schemars(range(min = 1))]
    max_document_bytes: Option<usize>,
    /// What DEPLOY runs (asking first); without it, deploying only records the deployment in status.md.
    deploy: Option<RawAction>,
    /// What ROLLBACK runs (asking first); without it, rolling back only records it in status.md.
    rollback: Option<RawAction>,
    /// Document kinds read from templates in the seed's notation; a kind with a built-in kind's name replaces it.
    #[serde(default)]
    kinds: Vec<RawKind>,
}

/// `[[kinds]]`: a document kind read from a template.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawKind {
    /// The kind's name: `plan: NAME` in front matter selects it, `plan-lsp new NAME` prints its template.
    #[schemars(length(min = 1))]
    name: String,
    /// The template file, relative to the file that configures it.
    template: String,
    /// The H1 that declares a document of the kind (default: the template's H1).
    title: Option<String>,
    /// Globs, relative to this file's folder, of documents of this kind.
    #[serde(default)]
    include: Vec<String>,
}

/// `[deploy]` and `[rollback]`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawAction {
    /// The program and its arguments, run in the workspace root, never through a shell. The plan's facts arrive as environment variables (PLAN_FILE, PLAN_ENV, PLAN_VERSION, PLAN_STRATEGY, STATUS_FILE).
    #[serde(default)]
    #[schemars(length(min = 1))]
    command: Vec<String>,
    /// How long the command may run before it is ended, e.g. "30m" or "90s" (default 30 minutes).
    timeout: Option<String>,
}

fn env_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "string",
        "enum": Env::spellings(),
    })
}

/// Where the rule levels' schema is kept (once, for every rule).
const LEVEL_DEF: &str = "Level";

fn rules_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let rules: serde_json::Map<String, serde_json::Value> = Code::ALL
        .iter()
        .map(|code| {
            let rule = serde_json::json!({
                "$ref": format!("#/$defs/{LEVEL_DEF}"),
                "description": format!("The level of `{code}` ({}).", code.doc_url()),
            });
            (code.as_str().to_string(), rule)
        })
        .collect();
    schemars::json_schema!({
        "type": "object",
        "properties": rules,
        "additionalProperties": false,
    })
}

fn values_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let fields: serde_json::Map<String, serde_json::Value> = schema::all_enums()
        .iter()
        .map(|spec| {
            let names: Vec<&str> = spec.offered().map(|v| v.name.as_str()).collect();
            let values = serde_json::json!({
                "type": "array",
                "items": {"type": "string"},
                "description": format!("Beyond {}.", names.join(", ")),
            });
            (spec.id.to_string(), values)
        })
        .collect();
    schemars::json_schema!({
        "type": "object",
        "properties": fields,
        "patternProperties": {
            "^[a-z0-9][a-z0-9_-]*\\.[a-z0-9-]+$": {
                "type": "array",
                "items": {"type": "string"},
                "description": "A field with values of a configured kind: KIND.FIELD (`postmortem.severity`).",
            },
        },
        "additionalProperties": false,
    })
}

/// The JSON Schema of `.plan-lsp.toml`, generated from the types that read
/// it (what `plan-lsp config schema` prints and `schemas/` ships).
pub fn json_schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(RawConfig).to_value();
    let levels: Vec<&str> = Level::SPELLINGS.iter().map(|(name, _)| *name).collect();
    schema["$defs"][LEVEL_DEF] = serde_json::json!({
        "type": "string",
        "enum": levels,
        "description": "off silences the rule; hint, info, warning and error set its severity (any case).",
    });
    // serde's aliases are keys the file may use too
    if let Some(properties) = schema["properties"].as_object_mut()
        && let Some(max) = properties.get("max_document_bytes").cloned()
    {
        for alias in MAX_DOCUMENT_BYTES_ALIASES {
            properties.insert(alias.to_string(), max.clone());
        }
    }
    schema
}

/// The other spellings of `max_document_bytes` (serde's `alias`es above;
/// a test checks the two lists agree).
const MAX_DOCUMENT_BYTES_ALIASES: [&str; 2] = ["max-document-bytes", "maxDocumentBytes"];

impl RawAction {
    /// The command, or what is wrong: the key in the table it is about
    /// (none: the table) and the message.
    fn read(self, name: &str) -> Result<Option<ActionCommand>, (Option<&'static str>, String)> {
        if self.command.is_empty() {
            return match self.timeout {
                None => Ok(None),
                Some(_) => Err((None, format!("[{name}] has a timeout but no command"))),
            };
        }
        if self.command[0].trim().is_empty() {
            return Err((
                Some("command"),
                format!("[{name}] command: the program name is empty"),
            ));
        }
        let timeout = match self.timeout {
            None => DEFAULT_ACTION_TIMEOUT,
            Some(t) => schema::values::duration_value(&t)
                .filter(|d| !d.is_zero())
                .ok_or_else(|| {
                    (
                        Some("timeout"),
                        format!(
                            "[{name}] timeout = {t:?} is not a duration (e.g. \"30m\", \"90s\")"
                        ),
                    )
                })?,
        };
        Ok(Some(ActionCommand {
            argv: self.command,
            timeout,
        }))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigError {
    /// Where the configuration came from (a path, or `initializationOptions`).
    pub origin: String,
    pub message: String,
    /// The bytes of the file's text it is about (the key and its value),
    /// when it came from a file and the place is known.
    pub span: Option<Range<usize>>,
    /// Where `span` starts: 1-based line and column (in characters).
    pub line_column: Option<(usize, usize)>,
    /// The keys leading to what is wrong (`rules`, `placeholdr`), from
    /// which `span` is found in a file's text.
    at: Vec<String>,
}

impl ConfigError {
    fn new(origin: &str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            origin: origin.into(),
            message: message.into(),
            ..ConfigError::default()
        }
    }

    /// The error placed in the file's `text` at `span`.
    fn placed(self, text: &str, span: Option<Range<usize>>) -> ConfigError {
        let line_column = span.as_ref().and_then(|span| {
            let before = text.get(..span.start.min(text.len()))?;
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Some((line, column))
        });
        ConfigError {
            span,
            line_column,
            ..self
        }
    }
}

impl ConfigError {
    /// `path:line:column`, or the origin alone when the place is unknown.
    pub fn origin_and_place(&self) -> String {
        match self.line_column {
            Some((line, column)) => format!("{}:{line}:{column}", self.origin),
            None => self.origin.clone(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin_and_place(), self.message)
    }
}

/// The span of the entry `at` names in TOML `text`: from its key to the
/// end of its value (a table: its header's key).
fn locate(text: &str, at: &[String]) -> Option<Range<usize>> {
    use toml::de::{DeTable, DeValue};
    let document = DeTable::parse(text).ok()?;
    let mut table = document.get_ref();
    let mut found = None;
    for (depth, name) in at.iter().enumerate() {
        // `max-document-bytes` and `maxDocumentBytes` are `max_document_bytes`
        let spelled = |k: &str| -> String {
            k.chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
                .collect()
        };
        let (key, value) = table
            .iter()
            .find(|(key, _)| key.get_ref() == name || spelled(key.get_ref()) == spelled(name))?;
        let (key, value_span) = (key.span(), value.span());
        found = Some(match value.get_ref() {
            DeValue::Table(_) => key,
            _ => key.start..value_span.end.max(key.end),
        });
        match value.get_ref() {
            DeValue::Table(inner) if depth + 1 < at.len() => table = inner,
            _ if depth + 1 < at.len() => return found,
            _ => {}
        }
    }
    found
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Parses `.plan-lsp.toml` text; `root` is the directory it lives in.
    pub fn from_toml(text: &str, origin: &str, root: Option<&Path>) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text)
            .map_err(|e| ConfigError::new(origin, e.message().trim_end()).placed(text, e.span()))?;
        Config::from_raw(raw, origin, root).map_err(|e| {
            let span = locate(text, &e.at);
            e.placed(text, span)
        })
    }

    /// Reads the configuration from LSP settings: either the keys themselves
    /// or an object with a `planLsp` member. `null` gives the defaults.
    pub fn from_json(
        value: &serde_json::Value,
        origin: &str,
        root: Option<&Path>,
    ) -> Result<Config, ConfigError> {
        let value = value.get("planLsp").unwrap_or(value);
        if value.is_null() {
            return Config::from_raw(RawConfig::default(), origin, root);
        }
        let raw: RawConfig = serde_json::from_value(value.clone())
            .map_err(|e| ConfigError::new(origin, e.to_string()))?;
        Config::from_raw(raw, origin, root)
    }

    /// Loads `FILE_NAME` from `dir` if it exists; the defaults otherwise.
    pub fn discover(dir: &Path) -> Result<Config, ConfigError> {
        let path = dir.join(FILE_NAME);
        if !path.is_file() {
            return Ok(Config {
                root: Some(dir.to_path_buf()),
                ..Config::default()
            });
        }
        Config::load(&path)
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let origin = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|e| ConfigError::new(&origin, e.to_string()))?;
        Config::from_toml(&text, &origin, path.parent())
    }

    fn from_raw(raw: RawConfig, origin: &str, root: Option<&Path>) -> Result<Config, ConfigError> {
        // what is wrong, and the keys that lead to it
        let err = |at: &[&str], message: String| ConfigError {
            at: at.iter().map(|k| k.to_string()).collect(),
            ..ConfigError::new(origin, message)
        };
        let default_env = match raw.env {
            None => None,
            Some(e) => Some(Env::parse(&e).ok_or_else(|| {
                err(
                    &["env"],
                    format!(
                        "env = {e:?} is not an environment (use {})",
                        Env::choices("\"")
                    ),
                )
            })?),
        };
        let include_set =
            globs(&raw.include).map_err(|e| err(&["include"], format!("include: {e}")))?;
        let mut rules = HashMap::new();
        for (code, level) in raw.rules {
            let code_value = Code::parse(&code).ok_or_else(|| {
                err(
                    &["rules", &code],
                    format!(
                        "[rules] {code:?} is not a rule code; known codes: {}",
                        Code::known()
                    ),
                )
            })?;
            let level_value = Level::parse(&level).ok_or_else(|| {
                err(
                    &["rules", &code],
                    format!(
                        "[rules] {code} = {level:?}: expected one of off, hint, info, warning, error"
                    ),
                )
            })?;
            rules.insert(code_value, level_value);
        }
        if raw.max_document_bytes == Some(0) {
            return Err(err(
                &["max_document_bytes"],
                "max_document_bytes must be greater than 0".into(),
            ));
        }
        let action = |raw: Option<RawAction>, name: &'static str| {
            raw.map(|a| a.read(name))
                .transpose()
                .map_err(|(key, message)| {
                    err(&[name].into_iter().chain(key).collect::<Vec<_>>(), message)
                })
                .map(Option::flatten)
        };
        let deploy = action(raw.deploy, "deploy")?;
        let rollback = action(raw.rollback, "rollback")?;
        let mut kinds: Vec<ConfiguredKind> = Vec::new();
        let mut template_errors = Vec::new();
        let mut template_files = Vec::new();
        for raw_kind in raw.kinds {
            let name = raw_kind.name.trim().to_string();
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(err(
                    &["kinds"],
                    format!(
                        "[[kinds]] name = {:?}: a kind's name is one word",
                        raw_kind.name
                    ),
                ));
            }
            if kinds
                .iter()
                .any(|k| k.kind.as_str().eq_ignore_ascii_case(&name))
            {
                return Err(err(
                    &["kinds"],
                    format!("[[kinds]] {name:?} is configured twice"),
                ));
            }
            let include_set = globs(&raw_kind.include)
                .map_err(|e| err(&["kinds"], format!("[[kinds]] {name}: include: {e}")))?;
            let path = match root {
                Some(dir) => dir.join(&raw_kind.template),
                None => PathBuf::from(&raw_kind.template),
            };
            let template_origin = path.display().to_string();
            let source = notation::KindSource {
                name: name.to_ascii_lowercase(),
                origin: template_origin.clone(),
                title: raw_kind.title.clone(),
            };
            template_files.push((path.clone(), source.clone()));
            let read = read_template(&path)
                .map_err(|e| {
                    vec![ConfigError::new(
                        &template_origin,
                        format!("cannot read the template of kind `{name}`: {e}"),
                    )]
                })
                .and_then(|text| {
                    notation::read_kind(&source, &text).map_err(|errors| {
                        errors
                            .into_iter()
                            .map(|e| ConfigError {
                                line_column: Some((e.line, e.column)),
                                ..ConfigError::new(&template_origin, e.message)
                            })
                            .collect()
                    })
                });
            match read {
                Ok(kind) => kinds.push(ConfiguredKind {
                    kind,
                    include: raw_kind.include,
                    include_set,
                }),
                Err(errors) => template_errors.extend(errors),
            }
        }
        // after the kinds: a configured kind's fields take values too
        // (`postmortem.severity`)
        let mut enum_kinds: Vec<&schema::DocSpec> =
            DocKind::built_in().iter().map(|k| k.spec()).collect();
        enum_kinds.extend(kinds.iter().map(|k| k.kind.spec()));
        let enums = schema::enums_of(&enum_kinds);
        let mut values = HashMap::new();
        for (id, extra) in raw.values {
            let spec = enums.iter().find(|e| e.id == id).ok_or_else(|| {
                err(
                    &["values", &id],
                    format!(
                        "[values] {id:?} is not a field with values; known: {}",
                        enums
                            .iter()
                            .map(|e| e.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?;
            values.insert(spec.id.clone(), extra);
        }
        Ok(Config {
            default_env,
            include: raw.include,
            include_set,
            root: root.map(Path::to_path_buf),
            rules,
            values,
            max_document_bytes: raw.max_document_bytes.unwrap_or(DEFAULT_MAX_DOCUMENT_BYTES),
            deploy,
            rollback,
            in_force: in_force(&kinds),
            kinds,
            template_errors,
            template_files,
        })
    }

    /// `.plan-lsp.toml` text as a JSON layer for `layered`. It is read by
    /// the file's rules, exactly as the CLI reads it (a `planLsp` table is
    /// unknown there), and only then converted.
    pub fn file_layer(
        text: &str,
        origin: &str,
        root: Option<&Path>,
    ) -> Result<serde_json::Value, ConfigError> {
        Config::from_toml(text, origin, root)?;
        let table: toml::Table = toml::from_str(text).unwrap_or_default();
        Ok(serde_json::to_value(table).unwrap_or_default())
    }

    /// The server's configuration: `.plan-lsp.toml` in `root`, overlaid with
    /// the client's settings (keys the client leaves empty do not count).
    /// A layer that is invalid is skipped and its error returned, so the
    /// other layer and the defaults stay in force.
    pub fn layered(
        root: Option<&Path>,
        client: Option<&serde_json::Value>,
    ) -> (Config, Vec<ConfigError>) {
        let mut errors = Vec::new();
        let mut merged = serde_json::Value::Object(Default::default());
        if let Some(dir) = root {
            let path = dir.join(FILE_NAME);
            if path.is_file() {
                let origin = path.display().to_string();
                let layer = std::fs::read_to_string(&path)
                    .map_err(|e| ConfigError::new(&origin, e.to_string()))
                    .and_then(|text| Config::file_layer(&text, &origin, root));
                match layer {
                    Ok(json) => merge(&mut merged, json),
                    Err(e) => errors.push(e),
                }
            }
        }
        if let Some(settings) = client {
            let settings = server_keys(without_empty(
                settings.get("planLsp").unwrap_or(settings).clone(),
            ));
            match Config::from_json(&settings, "client settings (planLsp)", root) {
                Ok(_) => merge(&mut merged, settings),
                Err(e) => errors.push(e),
            }
        }
        let config = Config::from_json(&merged, "configuration", root).unwrap_or_else(|e| {
            errors.push(e);
            Config {
                root: root.map(Path::to_path_buf),
                ..Config::default()
            }
        });
        (config, errors)
    }

    /// The configured level for a rule, if configured.
    pub fn rule_level(&self, code: Code) -> Option<Level> {
        self.rules.get(&code).copied()
    }

    /// Extra values configured for an enum.
    pub fn extra_values(&self, enum_id: &str) -> &[String] {
        self.values.get(enum_id).map_or(&[], Vec::as_slice)
    }

    /// The kind whose include glob matches `path` (relative to the root when
    /// under it), and the glob: a configured kind's first, then the
    /// top-level `include` of deployment plans.
    pub fn include_match(&self, path: &Path) -> Option<(&DocKind, &str)> {
        let relative = self
            .root
            .as_deref()
            .and_then(|root| path.strip_prefix(root).ok())
            .unwrap_or(path);
        let relative = relative.strip_prefix("./").unwrap_or(relative);
        let first = |set: &GlobSet, globs: &'_ [String]| -> Option<usize> {
            (!globs.is_empty()).then(|| set.matches(relative).first().copied())?
        };
        for k in &self.kinds {
            if let Some(i) = first(&k.include_set, &k.include) {
                return Some((&k.kind, k.include[i].as_str()));
            }
        }
        let i = first(&self.include_set, &self.include)?;
        Some((self.deployment_kind(), self.include[i].as_str()))
    }

    /// How the template at `path` is read, when it is a configured one.
    pub fn template_at(&self, path: &Path) -> Option<&notation::KindSource> {
        self.template_files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, source)| source)
    }

    /// The document kinds in force: the configured ones in their order,
    /// then the built-in kinds none of them replaces.
    pub fn kinds(&self) -> &[DocKind] {
        &self.in_force
    }

    /// The kind in force with this name (case-insensitive).
    pub fn kind(&self, name: &str) -> Option<&DocKind> {
        let name = name.trim();
        self.in_force
            .iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(name))
    }

    /// The deployment plan's kind in force: configured, else built in.
    pub fn deployment_kind(&self) -> &DocKind {
        self.kind(DocKind::deployment().as_str())
            .unwrap_or(DocKind::deployment())
    }

    /// The status document's kind in force.
    pub fn status_kind(&self) -> &DocKind {
        self.kind(DocKind::status().as_str())
            .unwrap_or(DocKind::status())
    }
}

impl Config {
    /// Client settings `top` over `base`, each either the keys themselves
    /// or an object with a `planLsp` member.
    pub fn overlay(base: serde_json::Value, top: serde_json::Value) -> serde_json::Value {
        let unwrap = |v: serde_json::Value| match v {
            serde_json::Value::Object(mut o) if o.contains_key("planLsp") => {
                o.remove("planLsp").unwrap_or_default()
            }
            other => other,
        };
        let mut merged = without_empty(unwrap(base));
        merge(&mut merged, without_empty(unwrap(top)));
        merged
    }
}

/// Overlays `top` on `base`: objects merge key by key, anything else
/// replaces.
fn merge(base: &mut serde_json::Value, top: serde_json::Value) {
    match (base, top) {
        (serde_json::Value::Object(b), serde_json::Value::Object(t)) => {
            for (k, v) in t {
                merge(b.entry(k).or_insert(serde_json::Value::Null), v);
            }
        }
        (b, t) => *b = t,
    }
}

/// Keys editors keep in the same settings section for themselves (the
/// server's path, protocol tracing): not the server's configuration.
const EDITOR_KEYS: &[&str] = &["server", "trace"];

fn server_keys(mut value: serde_json::Value) -> serde_json::Value {
    if let Some(map) = value.as_object_mut() {
        map.retain(|k, _| !EDITOR_KEYS.contains(&k.as_str()));
    }
    value
}

/// Drops null, empty strings, empty arrays and empty objects: settings a
/// client sends with its defaults unset.
fn without_empty(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, without_empty(v)))
                .filter(|(_, v)| match v {
                    Value::Null => false,
                    Value::String(s) => !s.is_empty(),
                    Value::Array(a) => !a.is_empty(),
                    Value::Object(o) => !o.is_empty(),
                    _ => true,
                })
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_key() {
        let c = Config::from_toml(
            "env = \"prod\"\ninclude = [\"plans/**/*.md\"]\n[rules]\nplaceholder = \"off\"\n[values]\nprovider = [\"Fly.io\", \"Hetzner\"]\n",
            "t",
            Some(Path::new("/w")),
        )
        .unwrap();
        assert_eq!(c.default_env, Some(Env::Production));
        assert_eq!(c.rule_level(Code::Placeholder), Some(Level::Off));
        assert_eq!(c.extra_values("provider"), ["Fly.io", "Hetzner"]);
        assert_eq!(
            c.include_match(Path::new("/w/plans/a/b.md")),
            Some((DocKind::deployment(), "plans/**/*.md"))
        );
        assert_eq!(c.include_match(Path::new("/w/docs/b.md")), None);
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let e = Config::from_toml("[rules]\nplaceholder = \"loud\"\n", "x.toml", None).unwrap_err();
        assert!(e.to_string().contains("placeholder = \"loud\""), "{e}");
        let e = Config::from_toml("[rules]\nnope = \"off\"\n", "x.toml", None).unwrap_err();
        assert!(e.to_string().contains("missing-section"), "{e}");
        let e = Config::from_toml("colour = 1\n", "x.toml", None).unwrap_err();
        assert!(e.to_string().contains("colour"), "{e}");
        let e = Config::from_toml("[values]\nflavour = []\n", "x.toml", None).unwrap_err();
        assert!(e.to_string().contains("provider"), "{e}");
        let e = Config::from_toml("env = \"qa\"\n", "x.toml", None).unwrap_err();
        assert!(e.to_string().contains("qa"), "{e}");
    }

    #[test]
    fn client_settings_overlay_the_project_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(FILE_NAME),
            "env = \"production\"\n[rules]\nplaceholder = \"off\"\n",
        )
        .unwrap();
        let client =
            serde_json::json!({"planLsp": {"env": "", "rules": {"unknown-field": "error"}}});
        let (c, errors) = Config::layered(Some(dir.path()), Some(&client));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(c.default_env, Some(Env::Production));
        assert_eq!(c.rule_level(Code::Placeholder), Some(Level::Off));
        assert_eq!(
            c.rule_level(Code::UnknownField),
            Some(Level::On(crate::diagnostic::Severity::Error))
        );
        let bad = serde_json::json!({"rules": {"placeholder": "loud"}});
        let (c, errors) = Config::layered(Some(dir.path()), Some(&bad));
        assert_eq!(errors.len(), 1);
        assert_eq!(c.default_env, Some(Env::Production));
    }

    /// Found by the `config` fuzz target: the server once read a
    /// `[planLsp]` table in the file (the CLI rejects it) and then dropped
    /// the client's settings.
    #[test]
    fn a_planlsp_table_in_the_file_is_refused_as_the_cli_refuses_it() {
        let dir = tempfile::tempdir().unwrap();
        let text = "[planLsp]\nenv = \"production\"\n";
        std::fs::write(dir.path().join(FILE_NAME), text).unwrap();
        assert!(Config::from_toml(text, "f", Some(dir.path())).is_err());
        let client = serde_json::json!({"env": "staging"});
        let (c, errors) = Config::layered(Some(dir.path()), Some(&client));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains("planLsp"), "{errors:?}");
        assert_eq!(c.default_env, Some(Env::Staging));
    }

    #[test]
    fn json_settings_with_or_without_section() {
        let v =
            serde_json::json!({"planLsp": {"env": "production", "rules": {"placeholder": "hint"}}});
        let c = Config::from_json(&v, "initializationOptions", None).unwrap();
        assert_eq!(c.default_env, Some(Env::Production));
        let c = Config::from_json(&serde_json::Value::Null, "x", None).unwrap();
        assert_eq!(c.default_env, None);
    }
}
