//! The language server: tower-lsp glue only. Each handler converts from
//! the protocol, calls one core function, and converts back; a panic in a
//! handler becomes an error response, not a dead server.

mod commands;
mod convert;
mod lsp;
mod state;
mod store;
mod transport;
mod workspace;

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::task::{Context as TaskContext, Poll};

/// JSON-RPC requests and responses, for driving [`in_process`].
pub use lsp::jsonrpc;
use lsp::jsonrpc::{Error, ErrorCode, Request, Response, Result};
use serde_json::Value;

use lsp::*;
use state::{State, capabilities, negotiate};
use store::{ChangeOutcome, Store};

use crate::config::Config;
use crate::ide;

/// glibc gives threads that allocate their own malloc arenas and keeps what
/// is freed in each: the runtime's and the blocking pool's threads take
/// turns analysing a document, so every arena grew to the size of an
/// analysis (peak RSS at 20,000 lines: 34 MiB, 21 MiB with one arena, at
/// the same latency). Analyses are short and seldom overlap, so one arena
/// costs no contention the yardstick can see.
fn one_malloc_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: called before the runtime starts any thread; mallopt only
    // sets a parameter of the allocator.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// Runs the server on stdin/stdout until `exit` (or the end of input), then
/// ends the process: 0 after `shutdown`, 1 otherwise.
pub fn run() {
    one_malloc_arena();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("the tokio runtime starts");
    let shutdown = Arc::new(AtomicBool::new(false));
    let flag = shutdown.clone();
    runtime.block_on(async move {
        let (service, socket) = service(flag);
        let service = ProtocolEdge {
            inner: service,
            shutdown: shutdown.clone(),
        };
        Server::new(transport::checked_stdin(), tokio::io::stdout(), socket)
            .serve(service)
            .await;
        crate::exec::end_all();
        std::process::exit(if shutdown.load(Ordering::SeqCst) {
            0
        } else {
            1
        });
    });
}

/// The language service, without a transport.
fn service(shutdown: Arc<AtomicBool>) -> (LspService<Backend>, ClientSocket) {
    LspService::build(|client| Backend::new(client, shutdown))
        .custom_method("window/workDoneProgress/cancel", Backend::cancel_progress)
        .finish()
}

/// The server in process, for tests and fuzzing that drive it without
/// stdio: requests and notifications go into the service; what the server
/// sends the client comes out of the socket (read it, or requests the
/// server makes wait for their timeouts). `exit` stops the service instead
/// of the process.
pub fn in_process() -> (
    impl tower::Service<
        jsonrpc::Request,
        Response = Option<jsonrpc::Response>,
        Error = ExitedError,
        Future = impl Future<Output = std::result::Result<Option<jsonrpc::Response>, ExitedError>>
                 + Send,
    > + Send,
    ClientSocket,
) {
    service(Arc::new(AtomicBool::new(false)))
}

/// What tower-lsp 0.20 gets wrong at its edge: the process must end on the
/// `exit` notification (it may keep waiting for input), and an unknown
/// request whose method starts with `$/` must get MethodNotFound (it
/// answers nothing, which LSP 3.17 allows for notifications only).
struct ProtocolEdge<S> {
    inner: S,
    shutdown: Arc<AtomicBool>,
}

type EdgeFuture<E> =
    std::pin::Pin<Box<dyn Future<Output = std::result::Result<Option<Response>, E>> + Send>>;

impl<S> tower::Service<Request> for ProtocolEdge<S>
where
    S: tower::Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = EdgeFuture<S::Error>;

    fn poll_ready(
        &mut self,
        cx: &mut TaskContext<'_>,
    ) -> Poll<std::result::Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if request.method() == "exit" {
            // no command a deploy started outlives the server
            crate::exec::end_all();
            std::process::exit(if self.shutdown.load(Ordering::SeqCst) {
                0
            } else {
                1
            });
        }
        if request.method().starts_with("$/")
            && let Some(id) = request.id()
        {
            let answer = Response::from_error(id.clone(), Error::method_not_found());
            return Box::pin(std::future::ready(Ok(Some(answer))));
        }
        Box::pin(self.inner.call(request))
    }
}

struct Backend {
    state: Arc<State>,
}

impl Backend {
    fn new(client: Client, shutdown: Arc<AtomicBool>) -> Backend {
        Backend {
            state: Arc::new(State {
                client,
                store: Arc::new(Store::default()),
                session: OnceLock::new(),
                config: RwLock::new(Arc::new(Config::default())),
                init_options: RwLock::new(None),
                settings: RwLock::new(None),
                shutdown,
                known: Default::default(),
                plan_envs: Default::default(),
                workspace_generation: Default::default(),
                workspace_changed: Default::default(),
                lens_titles: Default::default(),
                action_running: Default::default(),
                cancels: Default::default(),
            }),
        }
    }

    /// Runs a request body on its own task, so that a panic in it becomes
    /// an internal-error response and the server keeps serving.
    async fn guarded<T, F>(
        &self,
        name: &'static str,
        body: impl FnOnce(Arc<State>) -> F,
    ) -> Result<T>
    where
        T: Send + 'static,
        F: Future<Output = Result<T>> + Send + 'static,
    {
        match tokio::spawn(body(self.state.clone())).await {
            Ok(result) => result,
            Err(e) => {
                eprintln!("plan-lsp: {name} failed: {e}");
                Err(Error {
                    code: ErrorCode::InternalError,
                    message: format!(
                        "plan-lsp: {name} failed (internal error); the server is still running"
                    )
                    .into(),
                    data: None,
                })
            }
        }
    }
}

#[lsp::async_trait]
impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let session = negotiate(&params);
        let capabilities = capabilities(&session);
        let _ = self.state.session.set(session);
        if let Ok(mut init) = self.state.init_options.write() {
            *init = params.initialization_options.clone();
        }
        let errors = self.state.reload_config();
        self.state.show_config_errors(errors);
        Ok(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "plan-lsp".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.state.discover();
        self.state.watch_files();
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.state.files_changed(params.changes);
    }

    async fn workspace_diagnostic(
        &self,
        params: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        self.guarded("workspace/diagnostic", |state| async move {
            let previous = params
                .previous_result_ids
                .into_iter()
                .map(|p| (p.uri, p.value))
                .collect();
            let items = state.workspace_report(previous).await;
            Ok(WorkspaceDiagnosticReportResult::Report(
                WorkspaceDiagnosticReport { items },
            ))
        })
        .await
    }

    async fn shutdown(&self) -> Result<()> {
        self.state.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let (wake, _) = self
            .state
            .store
            .open(doc.uri.clone(), &doc.text, doc.version);
        self.state.template_buffer_changed(&doc.uri);
        self.state.start_worker(doc.uri, wake);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        // Applied before any await, so changes apply in arrival order.
        let changes: Vec<_> = params
            .content_changes
            .into_iter()
            .map(|c| (c.range.map(convert::from_range), c.text))
            .collect();
        let uri = params.text_document.uri;
        let outcome = self.state.store.change(
            &uri,
            params.text_document.version,
            &changes,
            self.state.enc(),
        );
        match outcome {
            ChangeOutcome::Applied => self.state.template_buffer_changed(&uri),
            ChangeOutcome::NotOpen => {
                eprintln!("plan-lsp: ignored a change to {uri}, which is not open")
            }
            ChangeOutcome::Stale { held, got } => {
                eprintln!(
                    "plan-lsp: ignored a change to {uri}: version {got} is not newer than {held}"
                )
            }
            ChangeOutcome::Dropped => {
                eprintln!("plan-lsp: applying a change to {uri} failed; the document was dropped");
                self.state
                    .client
                    .show_message(
                        MessageType::ERROR,
                        format!(
                            "plan-lsp: lost track of {uri} after a bad edit; close and reopen it"
                        ),
                    )
                    .await;
            }
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.state.store.close(&uri);
        self.state.template_buffer_changed(&uri);
        self.state.lens_titles.remove(&uri);
        if !self.state.session().pull_diagnostics {
            self.state
                .client
                .publish_diagnostics(uri, Vec::new(), None)
                .await;
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // Some clients (eglot) send empty settings right after starting:
        // that says nothing and must not drop the initializationOptions.
        let empty = match &params.settings {
            Value::Null => true,
            Value::Object(o) => o.is_empty() || o.get("planLsp").is_some_and(Value::is_null),
            _ => false,
        };
        if empty {
            return;
        }
        if let Ok(mut settings) = self.state.settings.write() {
            *settings = Some(params.settings);
        }
        let errors = self.state.reload_config();
        self.state.show_config_errors(errors);
        self.state.store.invalidate_all();
        self.state.workspace_changed();
        let session = self.state.session();
        if session.pull_diagnostics && session.refresh_support {
            let client = self.state.client.clone();
            // never await a client request inside a handler
            tokio::spawn(async move {
                let _ = tokio::time::timeout(
                    std::time::Duration::from_secs(10),
                    client.workspace_diagnostic_refresh(),
                )
                .await;
            });
        }
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        self.guarded("diagnostic", |state| async move {
            let uri = params.text_document.uri;
            let Some(snapshot) = state.snapshot(&uri).await else {
                return Ok(full_report(None, Vec::new()));
            };
            let result_id = snapshot.revision.to_string();
            if params.previous_result_id.as_deref() == Some(result_id.as_str()) {
                return Ok(DocumentDiagnosticReportResult::Report(
                    DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                        related_documents: None,
                        unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                            result_id,
                        },
                    }),
                ));
            }
            Ok(full_report(
                Some(result_id),
                state.lsp_diagnostics(&snapshot),
            ))
        })
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        self.guarded("completion", |state| async move {
            let position = params.text_document_position;
            let Some(s) = state.snapshot(&position.text_document.uri).await else {
                return Ok(None);
            };
            let session = state.session();
            let offset = s
                .document
                .position_to_offset(convert::position(position.position), session.style.enc());
            let options = ide::completion::CompletionOptions {
                snippets: session.snippets,
            };
            let items = ide::completion::complete(
                &s.text,
                &s.analysis,
                s.path.as_deref(),
                offset,
                options,
                &s.config,
            );
            if items.is_empty() {
                return Ok(None);
            }
            Ok(Some(CompletionResponse::Array(
                items
                    .iter()
                    .map(|i| {
                        convert::completion_item(
                            &s.document,
                            &position.text_document.uri,
                            i,
                            session.style,
                            session.snippets,
                        )
                    })
                    .collect(),
            )))
        })
        .await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        self.guarded("hover", |state| async move {
            let position = params.text_document_position_params;
            let Some(s) = state.snapshot(&position.text_document.uri).await else {
                return Ok(None);
            };
            let style = state.session().style;
            let offset = s
                .document
                .position_to_offset(convert::position(position.position), style.enc());
            Ok(ide::hover::hover(&s.text, &s.analysis, offset)
                .map(|h| convert::hover(&s.document, &h, style)))
        })
        .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.on_plan(
            "documentSymbol",
            params.text_document.uri,
            |s, plan, enc| {
                let symbols = ide::structure::symbols(&s.text, plan);
                DocumentSymbolResponse::Nested(
                    symbols
                        .iter()
                        .map(|x| convert::symbol(&s.document, x, enc))
                        .collect(),
                )
            },
        )
        .await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.on_plan("foldingRange", params.text_document.uri, |s, plan, enc| {
            let folds = ide::structure::folds(&s.text, plan);
            folds
                .iter()
                .map(|f| convert::fold(&s.document, f, enc))
                .collect()
        })
        .await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        self.on_plan("documentLink", params.text_document.uri, |s, plan, enc| {
            let links = ide::structure::links(&s.text, plan);
            links
                .iter()
                .filter_map(|l| convert::link(&s.document, l, enc))
                .collect()
        })
        .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let uri = params.text_document.uri;
        let lens_uri = uri.clone();
        self.on_plan("codeLens", uri, move |s, _plan, enc| {
            let lenses = ide::workflow::lenses(&s.text, &s.analysis, &s.config);
            lenses
                .iter()
                .map(|l| convert::lens(&s.document, &lens_uri, l, enc))
                .collect()
        })
        .await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.on_plan("formatting", params.text_document.uri, |s, plan, enc| {
            let edits = ide::format::format(&s.text, plan);
            edits
                .iter()
                .map(|e| convert::text_edit(&s.document, e, enc))
                .collect()
        })
        .await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        self.guarded("executeCommand", |state| async move {
            commands::execute(&state, params).await
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.guarded("codeAction", |state| async move {
            let uri = params.text_document.uri;
            let Some(s) = state.snapshot(&uri).await else {
                return Ok(None);
            };
            let style = state.session().style;
            let range = convert::offsets(&s.document, params.range, style.enc());
            let only = params.context.only;
            let diagnostics = state.lsp_diagnostics(&s);
            // Fix-all re-analyses the text round after round: off the
            // serving task.
            let core = s.clone();
            let found = tokio::task::spawn_blocking(move || {
                let wanted =
                    |kind| convert::kind_wanted(&convert::action_kind(kind), only.as_deref());
                let fix_all = || {
                    crate::analysis::Analyzer::default()
                        .fix_all(
                            &core.text,
                            &core.analysis,
                            core.path.as_deref(),
                            &core.config,
                            &core.related,
                        )
                        .text
                };
                ide::actions::actions(
                    &core.text,
                    &core.analysis,
                    core.path.as_deref(),
                    &core.config,
                    range,
                    &wanted,
                    &fix_all,
                )
            })
            .await
            .map_err(|e| Error {
                code: ErrorCode::InternalError,
                message: format!("plan-lsp: codeAction failed: {e}").into(),
                data: None,
            })?;
            let actions: Vec<CodeActionOrCommand> = found
                .iter()
                .map(|a| {
                    CodeActionOrCommand::CodeAction(convert::code_action(
                        &s.document,
                        &uri,
                        s.version,
                        a,
                        &diagnostics,
                        style,
                    ))
                })
                .collect();
            Ok((!actions.is_empty()).then_some(actions))
        })
        .await
    }
}

impl Backend {
    /// `window/workDoneProgress/cancel` (tower-lsp 0.20 has no handler for
    /// it): cancels the action that progress belongs to.
    async fn cancel_progress(&self, params: WorkDoneProgressCancelParams) {
        let token = match params.token {
            NumberOrString::String(s) => s,
            NumberOrString::Number(n) => n.to_string(),
        };
        if let Some(flag) = self.state.cancels.get(&token) {
            flag.store(true, Ordering::SeqCst);
        }
    }

    /// A request about a plan: `body` runs on the current snapshot of a
    /// document that is a plan; other documents get `null`.
    async fn on_plan<T>(
        &self,
        name: &'static str,
        uri: Url,
        body: impl FnOnce(&store::Snapshot, &crate::model::Plan, crate::text::Encoding) -> T
        + Send
        + 'static,
    ) -> Result<Option<T>>
    where
        T: Send + 'static,
    {
        self.guarded(name, |state| async move {
            let Some(s) = state.snapshot(&uri).await else {
                return Ok(None);
            };
            let Some(plan) = s.analysis.plan.as_ref() else {
                return Ok(None);
            };
            Ok(Some(body(&s, plan, state.enc())))
        })
        .await
    }
}

fn full_report(
    result_id: Option<String>,
    items: Vec<Diagnostic>,
) -> DocumentDiagnosticReportResult {
    DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
        RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id, items },
        },
    ))
}
