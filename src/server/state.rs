//! The server's state: what the client can do (fixed at `initialize`),
//! the configuration, the document store, and what the workspace holds.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock, RwLock};

use dashmap::DashMap;
use serde_json::Value;

use super::convert::{self, ClientStyle, KIND_FIX_ALL, KIND_INSERT};
use super::lsp::*;
use super::store::{Snapshot, Store};
use crate::config::{Config, ConfigError};
use crate::schema::{DocKind, Env};
use crate::text::Encoding;

/// What the client said it can do, fixed at `initialize`.
#[derive(Clone, Debug, Default)]
pub struct Session {
    pub style: ClientStyle,
    pub pull_diagnostics: bool,
    pub refresh_support: bool,
    /// The client takes `workspace/codeLens/refresh`.
    pub lens_refresh: bool,
    /// The client takes server-initiated work-done progress.
    pub work_done_progress: bool,
    pub snippets: bool,
    /// The client can register file watchers for us.
    pub watch_files: bool,
    /// The client applies workspace edits that create files.
    pub create_files: bool,
    /// Workspace folders (the first holds `.plan-lsp.toml`).
    pub roots: Vec<PathBuf>,
}

pub struct State {
    pub client: Client,
    pub store: Arc<Store>,
    pub session: OnceLock<Session>,
    pub config: RwLock<Arc<Config>>,
    /// The client's `initializationOptions`, and the latest non-empty
    /// `didChangeConfiguration` settings (which overlay them), kept to
    /// rebuild the configuration.
    pub init_options: RwLock<Option<Value>>,
    pub settings: RwLock<Option<Value>>,
    pub shutdown: Arc<AtomicBool>,
    /// Plans and status documents in the workspace folders.
    pub known: DashMap<PathBuf, DocKind>,
    /// The environment each plan last declared, to notice when it changes.
    pub plan_envs: DashMap<PathBuf, Option<Env>>,
    /// Bumped when what `workspace/diagnostic` reports may have changed
    /// (files on disk, configuration, a plan's environment); a pending
    /// workspace pull waits for it.
    pub workspace_generation: std::sync::atomic::AtomicU64,
    pub workspace_changed: tokio::sync::Notify,
    /// The code lens titles each open document last had, to ask the client
    /// to refresh them when they change.
    pub lens_titles: DashMap<Url, Vec<String>>,
    /// A deploy or rollback is running (one at a time).
    pub action_running: AtomicBool,
    /// The cancel flag of each running action, by its progress token.
    pub cancels: DashMap<String, Arc<AtomicBool>>,
}

impl State {
    pub fn session(&self) -> Session {
        self.session.get().cloned().unwrap_or_default()
    }

    pub fn config(&self) -> Arc<Config> {
        self.config.read().map(|c| c.clone()).unwrap_or_default()
    }

    pub fn enc(&self) -> Encoding {
        self.session().style.enc()
    }

    /// Rebuilds the configuration from `.plan-lsp.toml` and the client's
    /// settings; errors are shown to the user and the valid layers stay.
    /// Each error comes with whether it is a template's (its kind is left
    /// out; the rest of the configuration is in force).
    pub fn reload_config(&self) -> Vec<(ConfigError, bool)> {
        let init = self.init_options.read().ok().and_then(|s| s.clone());
        let settings = self.settings.read().ok().and_then(|s| s.clone());
        let client = match (init, settings) {
            (Some(init), Some(settings)) => Some(Config::overlay(init, settings)),
            (init, settings) => settings.or(init),
        };
        let (config, errors) = Config::layered(
            self.session().roots.first().map(PathBuf::as_path),
            client.as_ref(),
        );
        let templates = config.template_errors.clone();
        if let Ok(mut slot) = self.config.write() {
            *slot = Arc::new(config);
        }
        errors
            .into_iter()
            .map(|e| (e, false))
            .chain(templates.into_iter().map(|e| (e, true)))
            .collect()
    }

    pub fn show_config_errors(&self, errors: Vec<(ConfigError, bool)>) {
        for (e, template) in errors {
            let client = self.client.clone();
            let message = if template {
                format!("plan-lsp: template not read, its kind is left out: {e}")
            } else {
                format!("plan-lsp: bad configuration, defaults kept: {e}")
            };
            tokio::spawn(async move {
                client.show_message(MessageType::ERROR, message).await;
            });
        }
    }

    pub async fn snapshot(&self, uri: &Url) -> Option<Arc<Snapshot>> {
        self.store.current(uri, &self.config()).await
    }

    pub fn lsp_diagnostics(&self, s: &Snapshot) -> Vec<Diagnostic> {
        let enc = self.enc();
        s.analysis
            .diagnostics
            .iter()
            .map(|d| convert::diagnostic(&s.document, d, enc))
            .collect()
    }

    pub fn start_worker(self: &Arc<Self>, uri: Url, wake: Arc<tokio::sync::Notify>) {
        let state = self.clone();
        let store = self.store.clone();
        let config_state = self.clone();
        tokio::spawn(store.run_worker(
            uri.clone(),
            wake,
            move || config_state.config(),
            move |snapshot| {
                let state = state.clone();
                let uri = uri.clone();
                async move {
                    state.after_analysis(&snapshot);
                    state.refresh_lenses_if_changed(&uri, &snapshot);
                    if state.session().pull_diagnostics {
                        return;
                    }
                    let diagnostics = state.lsp_diagnostics(&snapshot);
                    state
                        .client
                        .publish_diagnostics(uri, diagnostics, Some(snapshot.version))
                        .await;
                }
            },
        ));
    }
}

impl State {
    /// Asks the client to fetch the code lenses again when a document's
    /// lens titles changed (counts, the actions' state): spawned, since a
    /// handler never awaits the client.
    pub fn refresh_lenses_if_changed(&self, uri: &Url, snapshot: &Snapshot) {
        if !self.session().lens_refresh {
            return;
        }
        let titles: Vec<String> =
            crate::ide::workflow::lenses(&snapshot.text, &snapshot.analysis, &snapshot.config)
                .into_iter()
                .map(|l| l.title)
                .collect();
        if self.lens_titles.get(uri).is_some_and(|t| *t == titles) {
            return;
        }
        self.lens_titles.insert(uri.clone(), titles);
        let client = self.client.clone();
        tokio::spawn(async move {
            let _ = tokio::time::timeout(
                std::time::Duration::from_secs(10),
                client.code_lens_refresh(),
            )
            .await;
        });
    }
}

pub fn negotiate(params: &InitializeParams) -> Session {
    let caps = &params.capabilities;
    let refresh_support = caps
        .workspace
        .as_ref()
        .and_then(|w| w.diagnostic.as_ref())
        .and_then(|d| d.refresh_support)
        .unwrap_or(false);
    let offers_utf8 = caps
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref())
        .is_some_and(|list| list.contains(&PositionEncodingKind::UTF8));
    let text = caps.text_document.as_ref();
    let completion_item = text
        .and_then(|t| t.completion.as_ref())
        .and_then(|c| c.completion_item.as_ref());
    let markdown = |formats: Option<&Vec<MarkupKind>>| {
        formats.is_some_and(|f| f.contains(&MarkupKind::Markdown))
    };
    #[allow(deprecated)]
    let mut roots: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| f.uri.to_file_path().ok())
        .collect();
    #[allow(deprecated)]
    if roots.is_empty() {
        roots.extend(
            params
                .root_uri
                .as_ref()
                .and_then(|u| u.to_file_path().ok())
                .or_else(|| params.root_path.as_ref().map(PathBuf::from)),
        );
    }
    Session {
        style: ClientStyle {
            encoding: Some(if offers_utf8 {
                Encoding::Utf8
            } else {
                Encoding::Utf16
            }),
            document_changes: caps
                .workspace
                .as_ref()
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
            markdown_completion: markdown(
                completion_item.and_then(|c| c.documentation_format.as_ref()),
            ),
            markdown_hover: markdown(
                text.and_then(|t| t.hover.as_ref())
                    .and_then(|h| h.content_format.as_ref()),
            ),
        },
        // Pull only when the client can also be asked to pull again (after a
        // configuration change); otherwise push, which never goes stale.
        pull_diagnostics: text.is_some_and(|t| t.diagnostic.is_some()) && refresh_support,
        refresh_support,
        work_done_progress: caps
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false),
        lens_refresh: caps
            .workspace
            .as_ref()
            .and_then(|w| w.code_lens.as_ref())
            .and_then(|c| c.refresh_support)
            .unwrap_or(false),
        snippets: completion_item
            .and_then(|c| c.snippet_support)
            .unwrap_or(false),
        watch_files: caps
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false),
        create_files: caps
            .workspace
            .as_ref()
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|e| e.resource_operations.as_ref())
            .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create)),
        roots,
    }
}

pub fn capabilities(session: &Session) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match session.style.enc() {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            _ => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..Default::default()
            },
        )),
        diagnostic_provider: session.pull_diagnostics.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some(convert::SOURCE.to_string()),
                inter_file_dependencies: true,
                workspace_diagnostics: true,
                work_done_progress_options: Default::default(),
            })
        }),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some([":", " ", "#", "[", "-"].map(String::from).to_vec()),
            resolve_provider: Some(false),
            ..Default::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        document_link_provider: Some(DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: Default::default(),
        }),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        document_formatting_provider: Some(OneOf::Left(true)),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: crate::ide::workflow::COMMANDS
                .iter()
                .map(|c| c.to_string())
                .chain([crate::ide::completion::FINISH_COMPLETION.to_string()])
                .collect(),
            work_done_progress_options: Default::default(),
        }),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::from(KIND_FIX_ALL),
                CodeActionKind::from(KIND_INSERT),
                CodeActionKind::REFACTOR_REWRITE,
            ]),
            resolve_provider: Some(false),
            ..Default::default()
        })),
        ..Default::default()
    }
}
