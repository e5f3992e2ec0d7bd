//! What the server knows of the workspace beyond open documents: the plans
//! and status files found at start (bounded, honouring .gitignore), kept
//! current from edits and `workspace/didChangeWatchedFiles`, so that a
//! status document is re-checked when its plan's environment changes.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::lsp::*;
use super::state::State;
use super::store::Snapshot;
use crate::analysis::Analyzer;
use crate::config::FILE_NAME as CONFIG_FILE;
use crate::layout::Related;
use crate::schema::{DocKind, Env};
use crate::text::Document;
use crate::workspace;

/// Files walked per workspace folder when looking for plans.
const DISCOVERY_LIMIT: usize = 20_000;

impl State {
    /// Finds the plans and status files in the workspace folders, off the
    /// serving task.
    pub fn discover(self: &Arc<Self>) {
        let state = self.clone();
        tokio::spawn(async move {
            let roots = state.session().roots;
            let config = state.config();
            let store = state.store.clone();
            let found = tokio::task::spawn_blocking(move || {
                roots
                    .iter()
                    .flat_map(|root| workspace::discover(root, &config, DISCOVERY_LIMIT))
                    .map(|(path, kind)| {
                        // an open plan's environment comes from its own
                        // analysis (`after_analysis`), not from the disk
                        let env = (kind == *DocKind::deployment()
                            && store.uri_of_path(&path).is_none())
                        .then(|| {
                            workspace::read_disk(&path)
                                .and_then(|t| workspace::declared_env(&t, &path, &config))
                        });
                        (path, kind, env)
                    })
                    .collect::<Vec<_>>()
            })
            .await
            .unwrap_or_default();
            for (path, kind, env) in found {
                if let Some(env) = env {
                    state.plan_envs.entry(path.clone()).or_insert(env);
                }
                state.known.insert(path, kind);
            }
            state.workspace_changed();
        });
    }

    /// What `workspace/diagnostic` reports may have changed.
    pub fn workspace_changed(&self) {
        self.workspace_generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.workspace_changed.notify_waiters();
    }

    /// Asks the client to tell us about Markdown and configuration files
    /// changing on disk (when it can register watchers).
    pub fn watch_files(&self) {
        if !self.session().watch_files {
            return;
        }
        let client = self.client.clone();
        tokio::spawn(async move {
            let options = json!({"watchers": [
                {"globPattern": "**/*.md"},
                {"globPattern": "**/*.markdown"},
                {"globPattern": format!("**/{CONFIG_FILE}")},
            ]});
            let registration = Registration {
                id: "plan-lsp-watched-files".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: Some(options),
            };
            let _ = tokio::time::timeout(
                Duration::from_secs(10),
                client.register_capability(vec![registration]),
            )
            .await;
        });
    }

    /// After each analysis of an open document: remember what it is, and
    /// when a plan's environment changed, re-check the status documents
    /// that depend on it.
    pub fn after_analysis(&self, snapshot: &Snapshot) {
        let Some(path) = snapshot.path.clone() else {
            return;
        };
        let Some(plan) = snapshot.analysis.plan.as_ref() else {
            return;
        };
        self.known.insert(path.clone(), plan.kind.clone());
        if plan.kind == *DocKind::deployment() {
            let env = plan.env_declared.then_some(plan.env);
            self.plan_env_is(&path, env);
        }
    }

    /// Records a plan's environment; on a change, re-checks its dependents.
    fn plan_env_is(&self, plan: &Path, env: Option<Env>) {
        let previous = self.plan_envs.insert(plan.to_path_buf(), env);
        if previous.is_some_and(|p| p == env) {
            return;
        }
        let dependents = crate::layout::statuses_of_plan(plan);
        self.store.invalidate_paths(&dependents);
        self.workspace_changed();
        self.refresh_pulled_diagnostics();
    }

    /// In pull mode, asks the client to pull again (spawned: a handler
    /// never awaits the client).
    pub fn refresh_pulled_diagnostics(&self) {
        let session = self.session();
        if !(session.pull_diagnostics && session.refresh_support) {
            return;
        }
        let client = self.client.clone();
        tokio::spawn(async move {
            let _ = tokio::time::timeout(
                Duration::from_secs(10),
                client.workspace_diagnostic_refresh(),
            )
            .await;
        });
    }

    /// A configured template was opened, edited or closed in the editor:
    /// the configuration reads the editor's text (or, once closed, the
    /// disk's again) and the open documents are checked again, so editing
    /// a template re-checks the documents of its kind before it is saved.
    /// Its own errors are diagnostics on it (`invalid-template`), not
    /// notifications on every keystroke.
    pub fn template_buffer_changed(self: &Arc<Self>, uri: &Url) {
        let Ok(path) = uri.to_file_path() else {
            return;
        };
        if self.config().template_at(&path).is_none() {
            return;
        }
        crate::config::set_open_template(&path, self.store.open_text(&path));
        let _errors = self.reload_config();
        self.store.invalidate_all();
        self.workspace_changed();
        self.refresh_pulled_diagnostics();
    }

    /// Files changed on disk: the configuration, or plans and status files
    /// that are not open (open documents follow the editor's text).
    pub fn files_changed(self: &Arc<Self>, changes: Vec<FileEvent>) {
        let mut config_changed = false;
        let mut changed: Vec<(PathBuf, bool)> = Vec::new();
        let config = self.config();
        for change in changes {
            let Ok(path) = change.uri.to_file_path() else {
                continue;
            };
            if path.file_name().is_some_and(|n| n == CONFIG_FILE)
                || config.template_at(&path).is_some()
            {
                config_changed = true;
            } else if self.store.uri_of_path(&path).is_none() {
                changed.push((path, change.typ == FileChangeType::DELETED));
            }
        }
        if config_changed {
            let errors = self.reload_config();
            self.show_config_errors(errors);
            self.store.invalidate_all();
            self.workspace_changed();
            self.refresh_pulled_diagnostics();
        }
        if changed.is_empty() {
            return;
        }
        let state = self.clone();
        tokio::spawn(async move {
            let config = state.config();
            let read = tokio::task::spawn_blocking(move || {
                changed
                    .into_iter()
                    .map(|(path, deleted)| {
                        let text = if deleted {
                            None
                        } else {
                            workspace::read_disk(&path)
                        };
                        let kind = text.as_deref().and_then(|t| {
                            let outline = crate::model::outline::scan(t);
                            let cx = crate::model::Context {
                                path: Some(&path),
                                config: &config,
                            };
                            crate::model::classify(t, &outline, &cx).kind
                        });
                        let env = text
                            .as_deref()
                            .and_then(|t| workspace::declared_env(t, &path, &config));
                        (path, kind, env)
                    })
                    .collect::<Vec<_>>()
            })
            .await
            .unwrap_or_default();
            for (path, kind, env) in read {
                match kind {
                    Some(ref kind) => {
                        state.known.insert(path.clone(), kind.clone());
                    }
                    None => {
                        state.known.remove(&path);
                    }
                }
                if kind.as_ref() == Some(DocKind::deployment())
                    || state.plan_envs.contains_key(&path)
                {
                    state.plan_env_is(&path, env);
                }
            }
            state.workspace_changed();
        });
    }

    /// `workspace/diagnostic`: every plan and status document of the
    /// workspace that is not open (open ones are pulled one by one), read
    /// from disk. When the client already has the current results, the
    /// request waits for a change (up to a minute) instead of answering at
    /// once, so the client does not poll in a loop.
    pub async fn workspace_report(
        self: &Arc<Self>,
        previous: std::collections::HashMap<Url, String>,
    ) -> Vec<WorkspaceDocumentDiagnosticReport> {
        use std::sync::atomic::Ordering;
        let paths = |state: &Self| {
            let mut paths: Vec<PathBuf> = state
                .known
                .iter()
                .map(|e| e.key().clone())
                .filter(|p| state.store.uri_of_path(p).is_none())
                .collect();
            paths.sort();
            paths
        };
        let current = self.workspace_generation.load(Ordering::SeqCst).to_string();
        let up_to_date = |state: &Self, generation: &str| {
            let known = paths(state);
            !known.is_empty()
                && known.iter().all(|p| {
                    Url::from_file_path(p)
                        .ok()
                        .and_then(|u| previous.get(&u))
                        .is_some_and(|id| id == generation)
                })
        };
        if up_to_date(self, &current) {
            let changed = self.workspace_changed.notified();
            let _ = tokio::time::timeout(Duration::from_secs(60), changed).await;
        }
        let generation = self.workspace_generation.load(Ordering::SeqCst).to_string();
        let mut items = Vec::new();
        for path in paths(self) {
            let Ok(uri) = Url::from_file_path(&path) else {
                continue;
            };
            if previous.get(&uri) == Some(&generation) {
                items.push(WorkspaceDocumentDiagnosticReport::Unchanged(
                    WorkspaceUnchangedDocumentDiagnosticReport {
                        uri,
                        version: None,
                        unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                            result_id: generation.clone(),
                        },
                    },
                ));
                continue;
            }
            let state = self.clone();
            let on_disk =
                tokio::task::spawn_blocking(move || state.diagnostics_on_disk(&path)).await;
            let Ok(Some(diagnostics)) = on_disk else {
                continue;
            };
            items.push(WorkspaceDocumentDiagnosticReport::Full(
                WorkspaceFullDocumentDiagnosticReport {
                    uri,
                    version: None,
                    full_document_diagnostic_report: FullDocumentDiagnosticReport {
                        result_id: Some(generation.clone()),
                        items: diagnostics,
                    },
                },
            ));
        }
        items
    }

    fn diagnostics_on_disk(&self, path: &Path) -> Option<Vec<Diagnostic>> {
        let text = workspace::read_disk(path)?;
        let config = self.config();
        let related: Related =
            workspace::related_for(path, &config, |p| self.store.text_of_path(p));
        let analysis = Analyzer::default().analyze(&text, Some(path), &config, &related);
        let document = Document::new(&text);
        let enc = self.enc();
        Some(
            analysis
                .diagnostics
                .iter()
                .map(|d| super::convert::diagnostic(&document, d, enc))
                .collect(),
        )
    }
}
