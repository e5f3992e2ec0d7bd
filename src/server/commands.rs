//! `workspace/executeCommand`: the seed's user actions. Each takes the
//! plan's URI as its first argument; edits go to the client through
//! `workspace/applyEdit`, and questions through `window/showMessageRequest`,
//! requested on spawned tasks so a handler never waits on the client.
//!
//! DEPLOY and ROLLBACK answer at once (`started` or `refused`); the rest
//! runs on its own task: the confirmation, the command with work-done
//! progress and its output in `window/logMessage`, then status.md.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use super::convert;
use super::lsp::jsonrpc::{Error, Result};
use super::lsp::*;
use super::state::State;
use super::store::Snapshot;
use crate::analysis::Analyzer;
use crate::exec;
use crate::ide::completion::FINISH_COMPLETION;
use crate::ide::workflow::{self, APPROVE, Action, DEPLOY, ROLLBACK, Recorded, SHOW, StatusChange};
use crate::schema::values::now_rfc3339;
use crate::text::Document;
use crate::workspace;

pub async fn execute(state: &Arc<State>, params: ExecuteCommandParams) -> Result<Option<Value>> {
    let uri = params
        .arguments
        .first()
        .and_then(Value::as_str)
        .and_then(|s| Url::parse(s).ok())
        .ok_or_else(|| {
            Error::invalid_params(format!(
                "{} takes the plan's URI as its first argument",
                params.command
            ))
        })?;
    let snapshot = state
        .snapshot(&uri)
        .await
        .ok_or_else(|| Error::invalid_params(format!("{uri} is not open")))?;
    let version = params
        .arguments
        .get(1)
        .and_then(|v| v.get("version").or(Some(v)))
        .and_then(Value::as_str)
        .map(str::to_string);
    match params.command.as_str() {
        SHOW => {
            let Some(summary) = workflow::summary(&snapshot.text, &snapshot.analysis) else {
                let reason = format!(
                    "this document is {}",
                    snapshot.analysis.targeting.sentence()
                );
                state.tell(MessageType::INFO, reason.clone());
                return Ok(Some(json!({"refused": reason})));
            };
            state.tell(MessageType::INFO, summary.one_line());
            let mut result = serde_json::to_value(&summary).unwrap_or_default();
            result["text"] = json!(summary.text());
            Ok(Some(result))
        }
        APPROVE => {
            let dir = snapshot
                .path
                .as_deref()
                .and_then(Path::parent)
                .map(Path::to_path_buf);
            let approver = match dir {
                Some(dir) => blocking(move || workspace::git_user(&dir)).await,
                None => None,
            };
            let approval = workflow::approve(
                &snapshot.text,
                &snapshot.analysis,
                &now_rfc3339(),
                approver.as_deref(),
            );
            match approval {
                Ok((edits, message)) => {
                    let edit = convert::workspace_edit(
                        &snapshot.document,
                        &uri,
                        snapshot.version,
                        &edits,
                        state.session().style,
                    );
                    state.apply(edit, "approve", Some((MessageType::INFO, message.clone())));
                    Ok(Some(json!({"applied": true, "message": message})))
                }
                Err(reason) => Ok(Some(state.refuse(reason))),
            }
        }
        DEPLOY => start(state, snapshot, Action::Deploy, version).await,
        ROLLBACK => start(state, snapshot, Action::Rollback, version).await,
        FINISH_COMPLETION => {
            finish_completion(state, &snapshot, &uri, params.arguments.get(1));
            Ok(None)
        }
        other => Err(Error::invalid_params(format!("unknown command {other}"))),
    }
}

/// Runs a blocking call (git, files) off the serving task, for at most a
/// few seconds.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Option<T> + Send + 'static) -> Option<T> {
    let run = tokio::task::spawn_blocking(f);
    tokio::time::timeout(Duration::from_secs(5), run)
        .await
        .ok()?
        .ok()?
}

/// The rest of a completion the client has just inserted (see
/// `ide::completion::Finish`): applied only while the line still reads as
/// the insertion left it.
fn finish_completion(state: &Arc<State>, snapshot: &Snapshot, uri: &Url, args: Option<&Value>) {
    let Some(args) = args else { return };
    let number = |key: &str| args.get(key).and_then(Value::as_u64);
    let fingerprint = args
        .get("fingerprint")
        .and_then(Value::as_str)
        .and_then(|f| f.parse::<u64>().ok());
    let text = args.get("text").and_then(Value::as_str);
    let (Some(line), Some(start), Some(end), Some(fingerprint), Some(text)) = (
        number("line"),
        number("start"),
        number("end"),
        fingerprint,
        text,
    ) else {
        return;
    };
    let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else {
        return;
    };
    if start > end {
        return;
    }
    let style = state.session().style;
    let line_start = snapshot.document.position_to_offset(
        crate::text::Position::new(line.min(u32::MAX as u64) as u32, 0),
        style.enc(),
    );
    let Some(edit) = crate::ide::completion::finish_edit(
        &snapshot.text,
        line_start,
        fingerprint,
        start..end,
        text,
    ) else {
        eprintln!("plan-lsp: not finishing a completion: line {line} changed meanwhile");
        return;
    };
    let edit = convert::workspace_edit(&snapshot.document, uri, snapshot.version, &[edit], style);
    state.apply(edit, "completion", None);
}

/// Checks the gates and starts DEPLOY or ROLLBACK on its own task.
async fn start(
    state: &Arc<State>,
    plan: Arc<Snapshot>,
    action: Action,
    version: Option<String>,
) -> Result<Option<Value>> {
    if let Some(reason) = workflow::refusal(&plan.text, &plan.analysis, action) {
        return Ok(Some(state.refuse(reason)));
    }
    let Some(plan_path) = plan.path.clone() else {
        return Ok(Some(state.refuse(format!(
            "cannot {}: the plan is not a file on disk",
            action.verb()
        ))));
    };
    if state.action_running.load(Ordering::SeqCst) {
        return Ok(Some(state.refuse(already_running(action))));
    }
    let state = state.clone();
    tokio::spawn(async move {
        match run_action(&state, &plan, &plan_path, action, version).await {
            Ok(()) => {}
            Err(Stop::Declined(message)) => state.tell(MessageType::INFO, message),
            Err(Stop::Refused(message)) => state.tell(MessageType::WARNING, message),
        }
    });
    Ok(Some(json!({"started": true})))
}

fn already_running(action: Action) -> String {
    format!(
        "cannot {}: a deployment or rollback is already running",
        action.verb()
    )
}

/// Why an action stopped before writing anything.
enum Stop {
    /// The user said no: nothing ran, nothing was written.
    Declined(String),
    /// It could not go on.
    Refused(String),
}

impl From<String> for Stop {
    fn from(reason: String) -> Stop {
        Stop::Refused(reason)
    }
}

/// Marks an action running from its confirmation to its end (one at a
/// time; a question left unanswered blocks nothing).
struct Running<'a>(&'a State);

impl<'a> Running<'a> {
    fn start(state: &'a State, action: Action) -> std::result::Result<Running<'a>, Stop> {
        state
            .action_running
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
            .map(|_| Running(state))
            .map_err(|_| Stop::Refused(already_running(action)))
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.action_running.store(false, Ordering::SeqCst);
    }
}

/// Confirmation, the command (or only the record), then status.md.
async fn run_action(
    state: &Arc<State>,
    plan: &Arc<Snapshot>,
    plan_path: &Path,
    action: Action,
    version: Option<String>,
) -> std::result::Result<(), Stop> {
    let env = plan.analysis.env().unwrap_or(crate::schema::Env::Staging);
    let status_path = crate::layout::status_for_plan(plan_path);
    let status = status_now(state, &status_path).await;
    let version = match version
        .or_else(|| workflow::recorded_version(status.as_ref().map(|(t, a)| (t.as_str(), a))))
    {
        Some(v) => Some(v),
        None => {
            let dir = plan_path.parent().unwrap_or(Path::new(".")).to_path_buf();
            blocking(move || workspace::git_describe(&dir)).await
        }
    };
    // what to record; how the command ended, when one ran; and the mark
    // that one action is under way
    let recorded = match action.configured(&plan.config) {
        None => {
            let choices: Vec<String> = action
                .outcomes()
                .iter()
                .filter_map(|r| r.value())
                .map(|v| format!("Record {v}"))
                .collect();
            let question = format!(
                "{} for {env}{}: nothing is executed. Record which status in {}?",
                action.record_title(),
                version
                    .as_deref()
                    .map(|v| format!(" (version {v})"))
                    .unwrap_or_default(),
                status_path.display()
            );
            let Some(answer) = ask(state, question, &choices).await else {
                return Err(Stop::Declined(format!(
                    "{}: nothing recorded",
                    action.record_title()
                )));
            };
            let index = choices.iter().position(|c| *c == answer).unwrap_or(0);
            (
                action.outcomes()[index],
                None,
                Running::start(state, action)?,
            )
        }
        Some(command) => {
            let root = plan
                .config
                .root
                .clone()
                .unwrap_or_else(|| plan_path.parent().unwrap_or(Path::new(".")).to_path_buf());
            let facts = workflow::facts(
                plan_path,
                &status_path,
                &plan.text,
                &plan.analysis,
                version.as_deref(),
            );
            let shown = exec::display(&command.argv);
            let question = format!(
                "{}: run `{shown}` in {} with {}?",
                action.title(env),
                root.display(),
                facts
                    .iter()
                    .map(|(k, v)| format!("{k}={}", exec::display(std::slice::from_ref(v))))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            let confirm = confirm_title(action).to_string();
            if ask(state, question, std::slice::from_ref(&confirm))
                .await
                .is_none()
            {
                return Err(Stop::Declined(format!(
                    "{}: cancelled, nothing ran",
                    action.title(env)
                )));
            }
            let running = Running::start(state, action)?;
            let job = exec::Job {
                argv: command.argv.clone(),
                cwd: root,
                env: facts,
                timeout: command.timeout,
            };
            let outcome = run_with_progress(state, action.title(env), job).await;
            let verdict = if outcome.succeeded() {
                "succeeded".to_string()
            } else {
                format!("failed: `{shown}` {}", outcome.describe(command.timeout))
            };
            (
                Recorded::of_run(action, outcome.succeeded()),
                Some((outcome.succeeded(), verdict)),
                running,
            )
        }
    };
    let (recorded, verdict, _running) = recorded;
    // status.md may have changed while the command ran
    let status = status_now(state, &status_path).await;
    let edit = status_edit(
        state,
        plan,
        &status_path,
        status.as_ref().map(|(t, a)| (t.as_str(), a)),
        version.as_deref(),
        recorded,
    )
    .await?;
    let version = version
        .as_deref()
        .map(|v| format!(" (version {v})"))
        .unwrap_or_default();
    let records = format!(
        "{} records {}",
        status_path.display(),
        recorded.value().unwrap_or_default()
    );
    let done = match verdict {
        Some((true, verdict)) => (
            MessageType::INFO,
            format!("{}{version} {verdict}; {records}", action.title(env)),
        ),
        Some((false, verdict)) => (
            MessageType::ERROR,
            format!("{}{version} {verdict}; {records}", action.title(env)),
        ),
        None => (
            MessageType::INFO,
            format!("{}{version}: {records}", action.record_title()),
        ),
    };
    state.apply(edit, action.verb(), Some(done));
    Ok(())
}

/// The button that confirms an action's command.
fn confirm_title(action: Action) -> &'static str {
    match action {
        Action::Deploy => "Deploy",
        Action::Rollback => "Roll back",
    }
}

/// Asks with `window/showMessageRequest`; the answer when it is one of
/// `choices` (any other — Cancel, a dismissal, an error — is none).
async fn ask(state: &Arc<State>, question: String, choices: &[String]) -> Option<String> {
    let mut actions: Vec<MessageActionItem> = choices
        .iter()
        .map(|c| MessageActionItem {
            title: c.clone(),
            properties: Default::default(),
        })
        .collect();
    actions.push(MessageActionItem {
        title: "Cancel".into(),
        properties: Default::default(),
    });
    let answer = state
        .client
        .show_message_request(
            MessageType::WARNING,
            format!("plan-lsp: {question}"),
            Some(actions),
        )
        .await
        .ok()
        .flatten()?;
    choices.iter().find(|c| **c == answer.title).cloned()
}

/// Runs a job on the blocking pool, its progress and output reported to
/// the client, cancellable through `window/workDoneProgress/cancel`.
async fn run_with_progress(state: &Arc<State>, title: String, job: exec::Job) -> exec::Outcome {
    let cancel = Arc::new(AtomicBool::new(false));
    let token = progress_begin(state, &title, &exec::display(&job.argv)).await;
    if let Some(t) = &token {
        state.cancels.insert(t.clone(), cancel.clone());
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let flag = cancel.clone();
    let timeout = job.timeout;
    let run = tokio::task::spawn_blocking(move || {
        exec::run(&job, &flag, |line| {
            let _ = tx.send(line.to_string());
        })
    });
    while let Some(line) = rx.recv().await {
        state
            .client
            .log_message(MessageType::LOG, line.clone())
            .await;
        if let Some(t) = &token {
            progress(
                state,
                t,
                WorkDoneProgress::Report(WorkDoneProgressReport {
                    cancellable: Some(true),
                    message: Some(line),
                    percentage: None,
                }),
            )
            .await;
        }
    }
    let outcome = run
        .await
        .unwrap_or_else(|e| exec::Outcome::NotStarted(e.to_string()));
    if let Some(t) = &token {
        state.cancels.remove(t);
        progress(
            state,
            t,
            WorkDoneProgress::End(WorkDoneProgressEnd {
                message: Some(outcome.describe(timeout)),
            }),
        )
        .await;
    }
    outcome
}

/// Creates a work-done progress token and begins it, when the client
/// takes server-initiated progress.
async fn progress_begin(state: &Arc<State>, title: &str, message: &str) -> Option<String> {
    if !state.session().work_done_progress {
        return None;
    }
    let token = format!("plan-lsp/{}", now_rfc3339());
    let created = tokio::time::timeout(
        Duration::from_secs(10),
        state
            .client
            .send_request::<request::WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
                token: NumberOrString::String(token.clone()),
            }),
    )
    .await;
    if !matches!(created, Ok(Ok(()))) {
        return None;
    }
    progress(
        state,
        &token,
        WorkDoneProgress::Begin(WorkDoneProgressBegin {
            title: title.to_string(),
            cancellable: Some(true),
            message: Some(message.to_string()),
            percentage: None,
        }),
    )
    .await;
    Some(token)
}

async fn progress(state: &Arc<State>, token: &str, value: WorkDoneProgress) {
    state
        .client
        .send_notification::<notification::Progress>(ProgressParams {
            token: NumberOrString::String(token.to_string()),
            value: ProgressParamsValue::WorkDone(value),
        })
        .await;
}

/// status.md as it is now: the open document, else the file on disk,
/// analysed; `None` when it does not exist.
async fn status_now(
    state: &Arc<State>,
    status_path: &Path,
) -> Option<(String, crate::analysis::Analysis)> {
    if let Some(uri) = state.store.uri_of_path(status_path)
        && let Some(s) = state.snapshot(&uri).await
    {
        let analysis =
            Analyzer::default().analyze(&s.text, Some(status_path), &s.config, &s.related);
        return Some((s.text.to_string(), analysis));
    }
    let path = status_path.to_path_buf();
    let config = state.config();
    blocking(move || {
        let text = workspace::read_disk(&path)?;
        let analysis =
            Analyzer::default().analyze(&text, Some(&path), &config, &Default::default());
        Some((text, analysis))
    })
    .await
}

/// The workspace edit that records `recorded` in status.md: an edit of the
/// open document or of the file, or the file created.
async fn status_edit(
    state: &Arc<State>,
    plan: &Snapshot,
    status_path: &Path,
    status: Option<(&str, &crate::analysis::Analysis)>,
    version: Option<&str>,
    recorded: Recorded,
) -> std::result::Result<WorkspaceEdit, String> {
    let status_uri = Url::from_file_path(status_path)
        .map_err(|_| format!("no place for {}", status_path.display()))?;
    let change = workflow::record(
        &plan.text,
        &plan.analysis,
        status,
        &now_rfc3339(),
        version,
        recorded,
    )?;
    let session = state.session();
    let open = match state.store.uri_of_path(status_path) {
        Some(u) => state.snapshot(&u).await,
        None => None,
    };
    Ok(match change {
        StatusChange::Edit(edits) => match (open, status) {
            (Some(s), _) => {
                convert::workspace_edit(&s.document, &status_uri, s.version, &edits, session.style)
            }
            (None, Some((text, _))) => {
                let document = Document::new(text);
                let text_edits = edits
                    .iter()
                    .map(|e| convert::text_edit(&document, e, session.style.enc()))
                    .collect();
                WorkspaceEdit {
                    changes: Some([(status_uri.clone(), text_edits)].into_iter().collect()),
                    ..Default::default()
                }
            }
            (None, None) => return Err(format!("{} could not be read", status_path.display())),
        },
        StatusChange::Create(text) => {
            if !session.create_files {
                return Err(format!(
                    "{} does not exist and this editor cannot create files through the language server; create it (plan-lsp new status) and try again",
                    status_path.display()
                ));
            }
            WorkspaceEdit {
                document_changes: Some(DocumentChanges::Operations(vec![
                    DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                        uri: status_uri.clone(),
                        options: Some(CreateFileOptions {
                            overwrite: Some(false),
                            ignore_if_exists: Some(true),
                        }),
                        annotation_id: None,
                    })),
                    DocumentChangeOperation::Edit(TextDocumentEdit {
                        text_document: OptionalVersionedTextDocumentIdentifier {
                            uri: status_uri.clone(),
                            version: None,
                        },
                        // The whole new file's one (empty) line is
                        // replaced: Neovim gives a created file an empty
                        // line, which an insertion at its start would keep
                        // as an extra last line.
                        edits: vec![OneOf::Left(TextEdit {
                            range: Range::new(Position::new(0, 0), Position::new(1, 0)),
                            new_text: text,
                        })],
                    }),
                ])),
                ..Default::default()
            }
        }
    })
}

impl State {
    /// Shows a message without waiting for the client.
    pub fn tell(&self, typ: MessageType, message: String) {
        let client = self.client.clone();
        tokio::spawn(async move {
            client
                .show_message(typ, format!("plan-lsp: {message}"))
                .await
        });
    }

    fn refuse(&self, reason: String) -> Value {
        self.tell(MessageType::WARNING, reason.clone());
        json!({"refused": reason})
    }

    /// Asks the client to apply an edit, on a spawned task; once applied,
    /// `done` is shown; a refusal by the client is shown.
    fn apply(
        self: &Arc<Self>,
        edit: WorkspaceEdit,
        action: &'static str,
        done: Option<(MessageType, String)>,
    ) {
        let state = self.clone();
        tokio::spawn(async move {
            let reply =
                tokio::time::timeout(Duration::from_secs(30), state.client.apply_edit(edit)).await;
            match reply {
                Ok(Ok(r)) if r.applied => {
                    if let Some((typ, message)) = done {
                        state.tell(typ, message);
                    }
                }
                Ok(Ok(r)) => state.tell(
                    MessageType::WARNING,
                    format!(
                        "{action}: the editor did not apply the edit ({})",
                        r.failure_reason.unwrap_or_default()
                    ),
                ),
                _ => state.tell(
                    MessageType::WARNING,
                    format!("{action}: the editor did not answer the edit request"),
                ),
            }
        });
    }
}
