//! `workspace/executeCommand`: the seed's user actions. Each takes the
//! plan's URI as its first argument; edits go to the client through
//! `workspace/applyEdit`, requested on a spawned task so the handler never
//! waits on the client.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::convert;
use super::lsp::jsonrpc::{Error, Result};
use super::lsp::*;
use super::state::State;
use crate::analysis::Analyzer;
use crate::ide::completion::FINISH_COMPLETION;
use crate::ide::workflow::{self, APPROVE, DEPLOY, SHOW, StatusChange};
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
        APPROVE => match workflow::approve(&snapshot.text, &snapshot.analysis, &now_rfc3339()) {
            Ok((edits, message)) => {
                let edit = convert::workspace_edit(
                    &snapshot.document,
                    &uri,
                    snapshot.version,
                    &edits,
                    state.session().style,
                );
                state.apply(edit, "approve", Some(message.clone()));
                Ok(Some(json!({"applied": true, "message": message})))
            }
            Err(reason) => Ok(Some(state.refuse(reason))),
        },
        DEPLOY => {
            let version = params
                .arguments
                .get(1)
                .and_then(|v| v.get("version").or(Some(v)))
                .and_then(Value::as_str)
                .map(str::to_string);
            deploy(state, &snapshot, version).await
        }
        FINISH_COMPLETION => {
            finish_completion(state, &snapshot, &uri, params.arguments.get(1));
            Ok(None)
        }
        other => Err(Error::invalid_params(format!("unknown command {other}"))),
    }
}

/// The rest of a completion the client has just inserted (see
/// `ide::completion::Finish`): applied only while the line still reads as
/// the insertion left it.
fn finish_completion(
    state: &Arc<State>,
    snapshot: &super::store::Snapshot,
    uri: &Url,
    args: Option<&Value>,
) {
    let Some(args) = args else { return };
    let line = args.get("line").and_then(Value::as_u64);
    let inserted = args.get("inserted").and_then(Value::as_str);
    let finished = args.get("finished").and_then(Value::as_str);
    let (Some(line), Some(inserted), Some(finished)) = (line, inserted, finished) else {
        return;
    };
    let style = state.session().style;
    let line_start = snapshot.document.position_to_offset(
        crate::text::Position::new(line.min(u32::MAX as u64) as u32, 0),
        style.enc(),
    );
    let Some(edit) =
        crate::ide::completion::finish_edit(&snapshot.text, line_start, inserted, finished)
    else {
        eprintln!("plan-lsp: not finishing a completion: line {line} changed meanwhile");
        return;
    };
    let edit = convert::workspace_edit(&snapshot.document, uri, snapshot.version, &[edit], style);
    state.apply(edit, "completion", None);
}

async fn deploy(
    state: &Arc<State>,
    plan: &super::store::Snapshot,
    version: Option<String>,
) -> Result<Option<Value>> {
    let Some(plan_path) = plan.path.clone() else {
        return Ok(Some(
            state.refuse("cannot deploy: the plan is not a file on disk".into()),
        ));
    };
    let status_path = crate::layout::status_for_plan(&plan_path);
    let Ok(status_uri) = Url::from_file_path(&status_path) else {
        return Ok(Some(
            state.refuse("cannot deploy: no place for status.md".into()),
        ));
    };
    let open_status = state.store.uri_of_path(&status_path);
    let status_snapshot = match &open_status {
        Some(u) => state.snapshot(u).await,
        None => None,
    };
    let config = state.config();
    let disk_text = match (&status_snapshot, status_path.is_file()) {
        (None, true) => workspace::read_disk(&status_path),
        _ => None,
    };
    let version = match version {
        Some(v) => Some(v),
        None => git_describe(plan_path.parent().unwrap_or(Path::new("."))).await,
    };
    let disk_analysis = disk_text
        .as_deref()
        .map(|t| Analyzer::default().analyze(t, Some(&status_path), &config, &Default::default()));
    let status = match (&status_snapshot, &disk_text, &disk_analysis) {
        (Some(s), _, _) => Some((s.text.as_str(), &s.analysis)),
        (None, Some(t), Some(a)) => Some((t.as_str(), a)),
        _ => None,
    };
    let change = match workflow::deploy(
        &plan.text,
        &plan.analysis,
        status,
        &now_rfc3339(),
        version.as_deref(),
    ) {
        Ok(c) => c,
        Err(reason) => return Ok(Some(state.refuse(reason))),
    };
    let session = state.session();
    let edit = match change {
        StatusChange::Edit(edits) => match (&status_snapshot, &disk_text) {
            (Some(s), _) => {
                convert::workspace_edit(&s.document, &status_uri, s.version, &edits, session.style)
            }
            (None, Some(t)) => {
                let document = Document::new(t);
                let text_edits = edits
                    .iter()
                    .map(|e| convert::text_edit(&document, e, session.style.enc()))
                    .collect();
                WorkspaceEdit {
                    changes: Some([(status_uri.clone(), text_edits)].into_iter().collect()),
                    ..Default::default()
                }
            }
            (None, None) => {
                return Ok(Some(
                    state.refuse("cannot deploy: status.md could not be read".into()),
                ));
            }
        },
        StatusChange::Create(text) => {
            if !session.create_files {
                return Ok(Some(state.refuse(format!(
                    "cannot deploy: {} does not exist and this editor cannot create files through the language server; create it (plan-lsp new status) and deploy again",
                    status_path.display()
                ))));
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
                        edits: vec![OneOf::Left(TextEdit {
                            range: Range::default(),
                            new_text: text,
                        })],
                    }),
                ])),
                ..Default::default()
            }
        }
    };
    let message = format!(
        "deployment recorded in {}{}",
        status_path.display(),
        version
            .as_deref()
            .map(|v| format!(" (version {v})"))
            .unwrap_or_default()
    );
    state.apply(edit, "deploy", Some(message.clone()));
    Ok(Some(
        json!({"applied": true, "status": status_uri.as_str(), "version": version, "message": message}),
    ))
}

/// The workspace's version from git (`git describe --tags --always`), if
/// git and a repository are there.
async fn git_describe(dir: &Path) -> Option<String> {
    let dir = dir.to_path_buf();
    let run = tokio::task::spawn_blocking(move || {
        std::process::Command::new("git")
            .args(["describe", "--tags", "--always", "--dirty"])
            .current_dir(dir)
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|v| !v.is_empty())
    });
    tokio::time::timeout(Duration::from_secs(3), run)
        .await
        .ok()?
        .ok()?
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
    fn apply(self: &Arc<Self>, edit: WorkspaceEdit, action: &'static str, done: Option<String>) {
        let state = self.clone();
        tokio::spawn(async move {
            let reply =
                tokio::time::timeout(Duration::from_secs(30), state.client.apply_edit(edit)).await;
            match reply {
                Ok(Ok(r)) if r.applied => {
                    if let Some(message) = done {
                        state.tell(MessageType::INFO, message);
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
