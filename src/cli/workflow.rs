//! `plan-lsp show | approve | deploy | rollback [PLAN]`: the seed's user
//! actions in the terminal, from the same implementation as the editor's
//! commands (`ide::workflow`, `exec`), so the two never disagree.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::{EXIT_CLEAN, EXIT_FINDINGS, files};
use crate::analysis::{Analysis, Analyzer};
use crate::config::Config;
use crate::exec;
use crate::fix::Fix;
use crate::ide::workflow::{self, Action, Recorded, StatusChange};
use crate::schema::values::now_rfc3339;
use crate::workspace;

/// A plan read and analysed, with where it is.
struct Read {
    path: PathBuf,
    text: String,
    analysis: Analysis,
}

fn read(path: &Path, config: &Config) -> Result<Read, String> {
    let text = files::read(path).map_err(|e| format!("{}: {e}", files::display(path)))?;
    let absolute = super::check::absolute(path);
    let related = workspace::related_for(&absolute, config, workspace::read_disk);
    let analysis = Analyzer::default().analyze(&text, Some(&absolute), config, &related);
    Ok(Read {
        path: absolute,
        text,
        analysis,
    })
}

/// The plan a command acts on: the one named, else `docs/deployment.md`.
fn plan_path(plan: Option<&Path>) -> PathBuf {
    plan.map(Path::to_path_buf)
        .unwrap_or_else(|| Path::new(crate::layout::PLAN_DIR).join(crate::layout::PLAN_FILE))
}

pub fn show(plan: Option<&Path>, json: bool, config: &Config) -> u8 {
    let plan = match read(&plan_path(plan), config) {
        Ok(p) => p,
        Err(e) => return super::fail(&e),
    };
    let Some(summary) = workflow::summary(&plan.text, &plan.analysis) else {
        return super::fail(&format!(
            "{} is {}",
            files::display(&plan.path),
            plan.analysis.targeting.sentence()
        ));
    };
    if json {
        let mut value = serde_json::to_value(&summary).unwrap_or_default();
        value["text"] = serde_json::json!(summary.text());
        println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
    } else {
        println!("{}", summary.text());
    }
    EXIT_CLEAN
}

pub fn approve(plan: Option<&Path>, config: &Config) -> u8 {
    let plan = match read(&plan_path(plan), config) {
        Ok(p) => p,
        Err(e) => return super::fail(&e),
    };
    let dir = plan.path.parent().unwrap_or(Path::new("."));
    let approver = workspace::git_user(dir);
    match workflow::approve(
        &plan.text,
        &plan.analysis,
        &now_rfc3339(),
        approver.as_deref(),
    ) {
        Ok((edits, message)) => {
            let (text, _) = crate::fix::apply(&plan.text, [&Fix::safe("", edits)]);
            if let Err(e) = files::write_atomic(&plan.path, &text, files::Before::Read(&plan.text))
            {
                return super::fail(&format!("{}: {e}", files::display(&plan.path)));
            }
            println!("{}: {message}", files::display(&plan.path));
            EXIT_CLEAN
        }
        Err(reason) => super::fail(&reason),
    }
}

/// What `deploy` and `rollback` take from the command line.
pub struct Options<'a> {
    pub plan: Option<&'a Path>,
    /// Run (or record) without asking.
    pub yes: bool,
    pub version: Option<&'a str>,
    /// What to record when no command is configured.
    pub status: Option<Recorded>,
}

pub fn run(action: Action, options: Options<'_>, config: &Config) -> u8 {
    let plan = match read(&plan_path(options.plan), config) {
        Ok(p) => p,
        Err(e) => return super::fail(&e),
    };
    if let Some(reason) = workflow::refusal(&plan.text, &plan.analysis, action) {
        return super::fail(&reason);
    }
    let env = plan.analysis.env().unwrap_or(crate::schema::Env::Staging);
    let status_path = crate::layout::status_for_plan(&plan.path);
    let status = read_status(&status_path, config);
    let status_ref = status.as_ref().map(|(t, a)| (t.as_str(), a));
    let dir = plan.path.parent().unwrap_or(Path::new("."));
    let version = options
        .version
        .map(str::to_string)
        .or_else(|| workflow::recorded_version(status_ref))
        .or_else(|| workspace::git_describe(dir));
    let terminal = std::io::stdin().is_terminal();
    let recorded = match action.configured(config) {
        None => {
            let choices: Vec<Recorded> = action.outcomes().to_vec();
            let chosen = match options.status {
                Some(s) if choices.contains(&s) => s,
                Some(s) => {
                    return super::fail(&format!(
                        "--status {} is not what {} records",
                        s.value().unwrap_or_default(),
                        action.verb()
                    ));
                }
                None => choices[0],
            };
            if !options.yes {
                if !terminal {
                    return super::fail(&format!(
                        "{} (nothing is executed): not asking without a terminal; pass --yes (and --status)",
                        action.record_title()
                    ));
                }
                let question = format!(
                    "{} for {env} (nothing is executed): record {} in {}?",
                    action.record_title(),
                    chosen.value().unwrap_or_default(),
                    files::display(&status_path)
                );
                if !confirm(&question) {
                    eprintln!("plan-lsp: nothing recorded");
                    return EXIT_CLEAN;
                }
            }
            chosen
        }
        Some(command) => {
            let root = config.root.clone().unwrap_or_else(|| dir.to_path_buf());
            let facts = workflow::facts(
                &plan.path,
                &status_path,
                &plan.text,
                &plan.analysis,
                version.as_deref(),
            );
            let shown = exec::display(&command.argv);
            if !options.yes {
                if !terminal {
                    return super::fail(&format!(
                        "{}: not running `{shown}` without a terminal to ask on; pass --yes to run it",
                        action.title(env)
                    ));
                }
                let environment: Vec<String> = facts
                    .iter()
                    .map(|(k, v)| format!("{k}={}", exec::display(std::slice::from_ref(v))))
                    .collect();
                let question = format!(
                    "{}: run `{shown}` in {} with {}?",
                    action.title(env),
                    root.display(),
                    environment.join(" ")
                );
                if !confirm(&question) {
                    eprintln!("plan-lsp: nothing ran");
                    return EXIT_CLEAN;
                }
            }
            let job = exec::Job {
                argv: command.argv.clone(),
                cwd: root,
                env: facts,
                timeout: command.timeout,
            };
            interrupt::install();
            let outcome = exec::run(&job, interrupt::flag(), |line| println!("{line}"));
            if !outcome.succeeded() {
                eprintln!(
                    "plan-lsp: {} failed: `{shown}` {}",
                    action.title(env),
                    outcome.describe(command.timeout)
                );
            }
            Recorded::of_run(action, outcome.succeeded())
        }
    };
    let status = read_status(&status_path, config);
    let status_ref = status.as_ref().map(|(t, a)| (t.as_str(), a));
    let change = match workflow::record(
        &plan.text,
        &plan.analysis,
        status_ref,
        &now_rfc3339(),
        version.as_deref(),
        recorded,
    ) {
        Ok(c) => c,
        Err(e) => return super::fail(&e),
    };
    let new_text = match (change, &status) {
        (StatusChange::Create(text), _) => text,
        (StatusChange::Edit(edits), Some((old, _))) => {
            crate::fix::apply(old, [&Fix::safe("", edits)]).0
        }
        (StatusChange::Edit(_), None) => {
            return super::fail(&format!(
                "{} could not be read",
                files::display(&status_path)
            ));
        }
    };
    let before = match &status {
        Some((old, _)) => files::Before::Read(old),
        None => files::Before::Nothing,
    };
    if let Err(e) = files::write_atomic(&status_path, &new_text, before) {
        return super::fail(&format!("{}: {e}", files::display(&status_path)));
    }
    let value = recorded.value().unwrap_or_default();
    println!(
        "{}: {}{} recorded: {value}",
        files::display(&status_path),
        action.title(env),
        version
            .as_deref()
            .map(|v| format!(" (version {v})"))
            .unwrap_or_default()
    );
    if recorded == Recorded::Failed && action.configured(config).is_some() {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

fn read_status(path: &Path, config: &Config) -> Option<(String, Analysis)> {
    let text = workspace::read_disk(path)?;
    let analysis = Analyzer::default().analyze(&text, Some(path), config, &Default::default());
    Some((text, analysis))
}

/// Asks on the terminal; only `y` or `yes` confirms.
fn confirm(question: &str) -> bool {
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_lowercase().as_str(), "y" | "yes")
}

/// Ctrl-C while a command runs cancels it (its whole process group) and
/// records the failure, instead of leaving it running behind plan-lsp.
mod interrupt {
    use super::*;

    static INTERRUPTED: AtomicBool = AtomicBool::new(false);

    pub fn flag() -> &'static AtomicBool {
        &INTERRUPTED
    }

    #[cfg(unix)]
    extern "C" fn on_signal(_: libc::c_int) {
        INTERRUPTED.store(true, Ordering::SeqCst);
    }

    pub fn install() {
        #[cfg(unix)]
        // SAFETY: the handler only stores into an atomic, which is
        // async-signal-safe.
        unsafe {
            libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
            libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
        }
    }
}
