//! The command line (SPEC §9): `check`, `fix`, `new`, `explain`, and the
//! language server when started without a command, as `--stdio` or `lsp`.

mod check;
mod files;
mod fix;
mod fmt;
mod new;
mod output;
mod parallel;
mod templates;
mod workflow;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::{self, Config};
use crate::diagnostic::Code;
use crate::rules::{self, RULES};
use crate::schema::Env;

#[derive(Parser, Debug)]
#[command(
    name = "plan-lsp",
    version,
    about = "Language server and checker for Markdown deployment plans",
    long_about = "Language server and checker for Markdown deployment plans.\n\nWithout a command (or with --stdio, or `lsp`) it runs the language server on stdin/stdout."
)]
pub struct Cli {
    /// Run the language server on stdin/stdout (the default without a command).
    #[arg(long)]
    stdio: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the language server on stdin/stdout.
    Lsp,
    /// Check plans and report findings.
    Check(CheckArgs),
    /// Apply the safe fixes to plans, in place.
    Fix(FixArgs),
    /// Align the Decision Validation box and normalise checklist boxes, in place.
    Fmt(FmtArgs),
    /// Print (or write) a template.
    New(NewArgs),
    /// Show a rule's documentation (all rules without a code).
    Explain {
        /// A rule code such as `placeholder`.
        code: Option<String>,
    },
    /// SHOW: the plan's summary (environment, findings, checklists, readiness).
    Show(ShowArgs),
    /// APPROVE: set the recommendation from the risk and record the approval.
    Approve(PlanArgs),
    /// DEPLOY: run the configured [deploy] command (asking first), or record a deployment; then write status.md.
    Deploy(RunArgs),
    /// ROLLBACK: run the configured [rollback] command (asking first), or record a rollback; then write status.md.
    Rollback(RunArgs),
    /// About the configuration file, .plan-lsp.toml.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// List the document kinds in force and where each comes from; `check FILE` validates a template.
    Templates(TemplatesArgs),
}

#[derive(clap::Args, Debug)]
struct TemplatesArgs {
    #[command(subcommand)]
    command: Option<TemplatesCommand>,
    #[command(flatten)]
    common: Common,
}

#[derive(Subcommand, Debug)]
enum TemplatesCommand {
    /// Read a template and print what it declares: sections, fields with their value types, checklists.
    Check {
        /// The template file.
        file: PathBuf,
        /// The kind's name (default: the file's name without `.md`).
        #[arg(long)]
        name: Option<String>,
    },
    /// Print the template of a kind in force, comments included: a built-in
    /// kind's shipped template is the starting point for a team's own.
    Show {
        /// The kind's name (`deployment`, `status`, or a configured kind).
        kind: String,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Subcommand, Debug)]
enum ConfigCommand {
    /// Print the JSON Schema of .plan-lsp.toml (for editors that validate TOML).
    Schema,
}

#[derive(clap::Args, Debug)]
struct PlanArgs {
    /// The plan (default: docs/deployment.md).
    plan: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
}

#[derive(clap::Args, Debug)]
struct ShowArgs {
    /// The plan (default: docs/deployment.md).
    plan: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
    format: ShowFormat,
    #[command(flatten)]
    common: Common,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ShowFormat {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// The plan (default: docs/deployment.md).
    plan: Option<PathBuf>,
    /// Run (or record) without asking; needed without a terminal.
    #[arg(long)]
    yes: bool,
    /// The version deployed (default: status.md's, else `git describe`).
    #[arg(long)]
    version: Option<String>,
    /// What to record when no command is configured.
    #[arg(long, value_enum)]
    status: Option<StatusArg>,
    #[command(flatten)]
    common: Common,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum StatusArg {
    Deployed,
    Failed,
    Rolledback,
}

impl StatusArg {
    fn recorded(self) -> crate::ide::workflow::Recorded {
        use crate::ide::workflow::Recorded;
        match self {
            StatusArg::Deployed => Recorded::Deployed,
            StatusArg::Failed => Recorded::Failed,
            StatusArg::Rolledback => Recorded::RolledBack,
        }
    }
}

#[derive(clap::Args, Debug)]
struct Common {
    /// Environment for plans that do not declare one (staging or production).
    #[arg(long)]
    env: Option<String>,
    /// Configuration file (default: .plan-lsp.toml in the current directory).
    #[arg(long)]
    config: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// Files or directories (default: the plans found under the current directory).
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit with 1 on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// Say for each file why it is or is not treated as a plan.
    #[arg(long)]
    explain: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(clap::Args, Debug)]
struct FixArgs {
    /// Files or directories (default: the plans found under the current directory).
    paths: Vec<PathBuf>,
    /// Print a diff of what would change instead of writing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(clap::Args, Debug)]
struct FmtArgs {
    /// Files or directories (default: the plans found under the current directory).
    paths: Vec<PathBuf>,
    /// Change nothing; exit with 1 if a file would be reformatted.
    #[arg(long)]
    check: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(clap::Args, Debug)]
struct NewArgs {
    /// `deployment`, `status`, `validation` (the Decision Validation record), or a configured kind.
    kind: String,
    /// Fill in the environment (production adds the Decision Validation record).
    #[arg(long)]
    env: Option<String>,
    /// Write to this file instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    force: bool,
    /// The Decision Validation record as a box (the seed's form) or as Markdown fields.
    #[arg(long, value_enum, default_value_t = RecordStyleArg::Box)]
    record: RecordStyleArg,
    /// Configuration file (default: .plan-lsp.toml in the current directory).
    #[arg(long)]
    config: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Github,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum RecordStyleArg {
    Box,
    Markdown,
}

/// Exit codes (SPEC §9).
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, None | Some(Command::Lsp)) {
        quiet_on_closed_pipe();
    }
    let code = match cli.command {
        None | Some(Command::Lsp) => {
            crate::server::run();
            EXIT_CLEAN
        }
        Some(Command::Check(args)) => match load_config(&args.common) {
            Ok(config) => with_templates(
                &config,
                check::run(
                    &args.paths,
                    args.format,
                    args.deny_warnings,
                    args.explain,
                    &config,
                ),
            ),
            Err(message) => fail(&message),
        },
        Some(Command::Fix(args)) => match load_config(&args.common) {
            Ok(config) => with_templates(&config, fix::run(&args.paths, args.dry_run, &config)),
            Err(message) => fail(&message),
        },
        Some(Command::Fmt(args)) => match load_config(&args.common) {
            Ok(config) => with_templates(&config, fmt::run(&args.paths, args.check, &config)),
            Err(message) => fail(&message),
        },
        Some(Command::New(args)) => {
            let common = Common {
                env: None,
                config: args.config.clone(),
            };
            match load_config(&common) {
                Ok(config) => with_templates(&config, new::run(&args, &config)),
                Err(message) => fail(&message),
            }
        }
        Some(Command::Templates(args)) => match &args.command {
            Some(TemplatesCommand::Check { file, name }) => templates::check(file, name.as_deref()),
            Some(TemplatesCommand::Show { kind, common }) => match load_config(common) {
                Ok(config) => templates::show(&config, kind),
                Err(message) => fail(&message),
            },
            None => match load_config(&args.common) {
                Ok(config) => with_templates(&config, templates::list(&config)),
                Err(message) => fail(&message),
            },
        },
        Some(Command::Explain { code }) => explain(code.as_deref()),
        Some(Command::Show(args)) => match load_config(&args.common) {
            Ok(config) => workflow::show(
                args.plan.as_deref(),
                args.format == ShowFormat::Json,
                &config,
            ),
            Err(message) => fail(&message),
        },
        Some(Command::Approve(args)) => match load_config(&args.common) {
            Ok(config) => workflow::approve(args.plan.as_deref(), &config),
            Err(message) => fail(&message),
        },
        Some(Command::Deploy(args)) => run_action(crate::ide::workflow::Action::Deploy, &args),
        Some(Command::Rollback(args)) => run_action(crate::ide::workflow::Action::Rollback, &args),
        Some(Command::Config(ConfigCommand::Schema)) => {
            let schema =
                serde_json::to_string_pretty(&crate::config::json_schema()).unwrap_or_default();
            println!("{schema}");
            0
        }
    };
    ExitCode::from(code)
}

/// A command line piped into `head` ends quietly when the reader is gone,
/// as other command-line tools do, instead of panicking on the write.
/// (The server keeps Rust's default: a closed stdout is an error it handles.)
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called before any thread is started; SIG_DFL is always valid.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn run_action(action: crate::ide::workflow::Action, args: &RunArgs) -> u8 {
    match load_config(&args.common) {
        Ok(config) => workflow::run(
            action,
            workflow::Options {
                plan: args.plan.as_deref(),
                yes: args.yes,
                version: args.version.as_deref(),
                status: args.status.map(StatusArg::recorded),
            },
            &config,
        ),
        Err(message) => fail(&message),
    }
}

fn fail(message: &str) -> u8 {
    eprintln!("plan-lsp: {message}");
    EXIT_ERROR
}

fn parse_env(value: &str) -> Result<Env, String> {
    Env::parse(value).ok_or_else(|| {
        format!(
            "--env {value:?} is not an environment (use {})",
            Env::choices("")
        )
    })
}

/// The configuration: `--config`, else `.plan-lsp.toml` in the current
/// directory; `--env` overrides its default environment.
fn load_config(common: &Common) -> Result<Config, String> {
    let mut config = match &common.config {
        Some(path) => Config::load(path).map_err(|e| e.to_string())?,
        None => {
            let cwd = std::env::current_dir()
                .map_err(|e| format!("cannot read the current directory: {e}"))?;
            Config::discover(&cwd).map_err(|e| e.to_string())?
        }
    };
    if let Some(env) = &common.env {
        config.default_env = Some(parse_env(env)?);
    }
    for e in &config.template_errors {
        eprintln!("{}: error: {}", e.origin_and_place(), e.message);
    }
    Ok(config)
}

/// A command's exit code, made 2 when a configured template could not be
/// read (the other kinds were still checked).
fn with_templates(config: &Config, code: u8) -> u8 {
    if config.template_errors.is_empty() {
        code
    } else {
        code.max(EXIT_ERROR)
    }
}

fn explain(code: Option<&str>) -> u8 {
    match code {
        None => {
            for rule in RULES {
                println!(
                    "{:<28} {:<40} {}",
                    rule.code.as_str(),
                    rule.default.describe(),
                    rule.summary
                );
            }
            println!(
                "\nRun `plan-lsp explain CODE` for a rule's documentation; configure rules in {}.",
                config::FILE_NAME
            );
            EXIT_CLEAN
        }
        Some(name) => match Code::parse(name) {
            Some(code) => {
                print!("{}", rules::rule(code).doc);
                EXIT_CLEAN
            }
            None => fail(&format!(
                "unknown rule code `{name}`; known codes: {}",
                Code::known()
            )),
        },
    }
}
