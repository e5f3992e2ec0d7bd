import * as vscode from 'vscode';
import {
    ApplyWorkspaceEditParams,
    ApplyWorkspaceEditRequest,
    ApplyWorkspaceEditResult,
    ClientCapabilities,
    DidChangeConfigurationNotification,
    FeatureState,
    LanguageClient,
    LanguageClientOptions,
    RevealOutputChannelOn,
    ServerOptions,
    StaticFeature,
    TextDocumentEdit,
    TransportKind,
    WorkDoneProgress,
    WorkDoneProgressCancelNotification,
    WorkDoneProgressCreateRequest,
} from 'vscode-languageclient/node';

import {
    DOCUMENT_SELECTOR,
    SECTION,
    buildInitializationOptions,
    buildServerSettings,
    defaultResolveContext,
    needsRestart,
    resolveServerPath,
} from './config';
import {
    ProgressHandle,
    ProgressOptions,
    ServerProgress,
    WORKFLOW_COMMANDS,
    WorkspaceEditFiles,
    filesToSave,
    filesWritten,
    restrictedLensTitle,
    runsProgram,
    untrustedRefusal,
} from './workflow';

let client: LanguageClient | undefined;
let outputChannel: vscode.OutputChannel | undefined;
let traceChannel: vscode.OutputChannel | undefined;
/** The extension's folder: a platform .vsix carries the server in its `server/`. */
let extensionPath: string | undefined;

function readSetting(key: string): unknown {
    return vscode.workspace.getConfiguration(SECTION).get(key);
}

function firstWorkspaceFolder(): string | undefined {
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    return folder?.uri.fsPath;
}

async function showMissingServer(message: string, severity: 'error' | 'warning' = 'error'): Promise<void> {
    const openSettings = 'Open Settings';
    const choice =
        severity === 'error'
            ? await vscode.window.showErrorMessage(message, openSettings)
            : await vscode.window.showWarningMessage(message, openSettings);
    if (choice === openSettings) {
        await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.server.path`);
    }
}

/**
 * Shows a server progress with `vscode.window.withProgress`: a cancellable
 * one (a deployment) as a notification with a Cancel button, the others in
 * the status bar, as vscode-languageclient shows them.
 */
function showProgress(options: ProgressOptions, onCancel: () => void): ProgressHandle {
    let finish = (): void => {};
    const finished = new Promise<void>((resolve) => {
        finish = resolve;
    });
    let ended = false;
    let sink: vscode.Progress<{ message?: string; increment?: number }> | undefined;
    const queued: { message?: string; increment?: number }[] = [];
    void vscode.window.withProgress(
        {
            location: options.location === 'notification' ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window,
            title: options.title,
            cancellable: options.cancellable,
        },
        async (progress, token) => {
            if (ended) {
                return;
            }
            sink = progress;
            for (const update of queued.splice(0)) {
                progress.report(update);
            }
            const listener = token.onCancellationRequested(onCancel);
            try {
                await finished;
            } finally {
                listener.dispose();
            }
        },
    );
    return {
        report: (update) => {
            if (sink !== undefined) {
                sink.report(update);
            } else {
                queued.push(update);
            }
        },
        done: () => {
            ended = true;
            finish();
        },
    };
}

/** The documents open in an editor tab (their URIs as strings). */
function urisInEditors(): Set<string> {
    const uris = new Set<string>();
    for (const group of vscode.window.tabGroups.all) {
        for (const tab of group.tabs) {
            const input: unknown = tab.input;
            if (input instanceof vscode.TabInputText) {
                uris.add(input.uri.toString());
            } else if (input instanceof vscode.TabInputTextDiff) {
                uris.add(input.original.toString());
                uris.add(input.modified.toString());
            }
        }
    }
    return uris;
}

/**
 * What the extension does itself for the workflow actions, in place of two
 * handlers of vscode-languageclient 9 (registered after its built-in
 * features, so these win, also after the client restarts the server):
 *
 * - `window/workDoneProgress/create`: the built-in ProgressFeature shows
 *   every server progress in the status bar (ProgressLocation.Window),
 *   where VS Code shows no Cancel; a cancellable one (a deployment) is shown
 *   here as a notification whose Cancel sends `window/workDoneProgress/cancel`.
 * - `workspace/applyEdit`: applied as the built-in handler does (refused for
 *   another version of an open document), and then the files it wrote that
 *   were not open in an editor and had no unsaved changes are saved: VS Code
 *   leaves such a file edited in a hidden, unsaved buffer, and the
 *   deployment record (status.md, which need not be open) would not reach
 *   the disk.
 */
class WorkflowFeature implements StaticFeature {
    private readonly progress: ServerProgress;
    private disposables: { dispose(): void }[] = [];
    /** The `$/progress` listeners of the progresses that have not ended. */
    private readonly listeners = new Set<{ dispose(): void }>();
    private applying: Promise<unknown> = Promise.resolve();

    constructor(private readonly client: LanguageClient) {
        this.progress = new ServerProgress(showProgress, (token) => {
            void client.sendNotification(WorkDoneProgressCancelNotification.type, { token }).catch(() => undefined);
        });
    }

    getState(): FeatureState {
        return { kind: 'static' };
    }

    fillClientCapabilities(capabilities: ClientCapabilities): void {
        capabilities.window = { ...capabilities.window, workDoneProgress: true };
    }

    initialize(): void {
        this.disposeHandlers();
        this.disposables.push(
            this.client.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
                this.progress.create(token);
                const listener = this.client.onProgress(WorkDoneProgress.type, token, (value) => {
                    this.progress.handle(token, value);
                    if (!this.progress.has(token)) {
                        listener.dispose();
                        this.listeners.delete(listener);
                    }
                });
                this.listeners.add(listener);
            }),
            this.client.onRequest(ApplyWorkspaceEditRequest.type, (params) => this.applyEdit(params)),
        );
    }

    clear(): void {
        this.progress.clear();
        this.disposeHandlers();
    }

    private disposeHandlers(): void {
        for (const disposable of [...this.disposables.splice(0), ...this.listeners]) {
            disposable.dispose();
        }
        this.listeners.clear();
    }

    /** Edits are applied one after the other, in the order received. */
    private applyEdit(params: ApplyWorkspaceEditParams): Promise<ApplyWorkspaceEditResult> {
        const result = this.applying.then(() => this.applyEditNow(params));
        this.applying = result.then(
            (r) => r.save,
            () => undefined,
        );
        return result.then((r) => r.result);
    }

    private async applyEditNow(params: ApplyWorkspaceEditParams): Promise<{ result: ApplyWorkspaceEditResult; save?: Promise<void> }> {
        const p2c = this.client.protocol2CodeConverter;
        const edit = params.edit;
        const converted = await p2c.asWorkspaceEdit(edit);
        const open = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.toString(), d]));
        for (const change of edit.documentChanges ?? []) {
            if (TextDocumentEdit.is(change) && typeof change.textDocument.version === 'number' && change.textDocument.version >= 0) {
                const document = open.get(p2c.asUri(change.textDocument.uri).toString());
                if (document !== undefined && document.version !== change.textDocument.version) {
                    return { result: { applied: false, failureReason: 'the document changed meanwhile' } };
                }
            }
        }
        const written = filesWritten(edit as WorkspaceEditFiles).map((uri) => p2c.asUri(uri).toString());
        const inEditors = urisInEditors();
        const dirtyBefore = new Set(vscode.workspace.textDocuments.filter((d) => d.isDirty).map((d) => d.uri.toString()));
        const applied = await vscode.workspace.applyEdit(converted);
        if (!applied) {
            return { result: { applied: false } };
        }
        const toSave = filesToSave(written, inEditors, dirtyBefore);
        // Answered before the files are saved (the server is not kept waiting on the disk).
        const save = toSave.length === 0 ? undefined : this.save(toSave);
        return { result: { applied: true }, save };
    }

    private async save(uris: string[]): Promise<void> {
        for (const uri of uris) {
            const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
            if (document === undefined || !document.isDirty) {
                continue;
            }
            try {
                if (!(await document.save())) {
                    outputChannel?.appendLine(`Could not save ${document.uri.fsPath} after the server's edit.`);
                }
            } catch (error) {
                outputChannel?.appendLine(`Could not save ${document.uri.fsPath} after the server's edit: ${String(error)}`);
            }
        }
    }
}

/** Refuses Deploy and Rollback in an untrusted workspace: they run what the workspace configures. */
function refusedUntrusted(command: string): boolean {
    if (runsProgram(command) && !vscode.workspace.isTrusted) {
        void vscode.window.showWarningMessage(untrustedRefusal(command));
        return true;
    }
    return false;
}

/** In an untrusted workspace a Deploy / Rollback lens says that it will not run. */
function markRestrictedLens(lens: vscode.CodeLens): vscode.CodeLens {
    if (!vscode.workspace.isTrusted && lens.command !== undefined && runsProgram(lens.command.command)) {
        lens.command = { ...lens.command, title: restrictedLensTitle(lens.command.title) };
    }
    return lens;
}

async function startClient(): Promise<void> {
    const resolution = resolveServerPath(defaultResolveContext(readSetting('server.path'), firstWorkspaceFolder(), extensionPath));
    if (!resolution.ok) {
        outputChannel?.appendLine(resolution.message);
        void showMissingServer(resolution.message);
        return;
    }
    if (resolution.warning !== undefined) {
        outputChannel?.appendLine(resolution.warning);
        void showMissingServer(resolution.warning, 'warning');
    }
    outputChannel?.appendLine(`Starting ${resolution.path} (found via ${resolution.source})`);

    // With the stdio transport the client adds `--stdio` to the arguments.
    const executable = { command: resolution.path, transport: TransportKind.stdio };
    const serverOptions: ServerOptions = { run: executable, debug: executable };

    const clientOptions: LanguageClientOptions = {
        // Markdown (the server acts only on plans among it) and the
        // workspace's .plan-lsp.toml, on which the server reports
        // configuration errors. Everything else in the extension that
        // assumes Markdown (the workflow commands, the snippet) checks the
        // language itself.
        documentSelector: DOCUMENT_SELECTOR,
        initializationOptions: buildInitializationOptions(readSetting),
        synchronize: {
            configurationSection: SECTION,
            fileEvents: vscode.workspace.createFileSystemWatcher('**/.plan-lsp.toml'),
        },
        outputChannel,
        traceOutputChannel: traceChannel,
        revealOutputChannelOn: RevealOutputChannelOn.Never,
        middleware: {
            // Deploy and Rollback, from the palette or a code lens, reach the
            // server here: not from an untrusted workspace.
            executeCommand: (command, args, next): unknown => {
                if (refusedUntrusted(command)) {
                    return undefined;
                }
                return next(command, args) as unknown;
            },
            provideCodeLenses: async (document, token, next) => {
                const lenses = await next(document, token);
                return lenses?.map(markRestrictedLens);
            },
            resolveCodeLens: async (lens, token, next) => {
                const resolved = await next(lens, token);
                return resolved ? markRestrictedLens(resolved) : resolved;
            },
            workspace: {
                // The `planLsp` section also holds the extension's own
                // settings (server.path, trace.server); the server gets only
                // its own keys, in the same shape as initializationOptions.
                didChangeConfiguration: async () => {
                    await client?.sendNotification(DidChangeConfigurationNotification.type, {
                        settings: buildInitializationOptions(readSetting),
                    });
                },
                configuration: async (params, token, next) => {
                    const result: unknown = await next(params, token);
                    if (!Array.isArray(result)) {
                        return result as ReturnType<typeof next>;
                    }
                    const values: unknown[] = result;
                    return params.items.map((item, i) =>
                        item.section === SECTION ? buildServerSettings(readSetting) : values[i],
                    );
                },
            },
        },
    };

    const started = new LanguageClient('planLsp', 'plan-lsp', serverOptions, clientOptions);
    started.registerFeature(new WorkflowFeature(started));
    client = started;
    try {
        await started.start();
    } catch (error) {
        const message = `plan-lsp: the server ${resolution.path} failed to start: ${error instanceof Error ? error.message : String(error)}`;
        outputChannel?.appendLine(message);
        void vscode.window.showErrorMessage(message);
    }
}

async function stopClient(): Promise<void> {
    const running = client;
    client = undefined;
    if (running !== undefined) {
        try {
            await running.stop(5000);
        } catch (error) {
            outputChannel?.appendLine(`Stopping the server failed: ${String(error)}`);
        }
    }
}

// Restarts run one after the other, never interleaved.
let restarting: Promise<void> = Promise.resolve();

function restartClient(): Promise<void> {
    restarting = restarting.then(stopClient).then(startClient);
    return restarting;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    extensionPath = context.extensionPath;
    outputChannel = vscode.window.createOutputChannel('plan-lsp');
    traceChannel = vscode.window.createOutputChannel('plan-lsp Trace');
    context.subscriptions.push(outputChannel, traceChannel);

    context.subscriptions.push(
        vscode.commands.registerCommand('planLsp.restartServer', () => restartClient()),
        vscode.commands.registerCommand('planLsp.showOutput', () => outputChannel?.show(true)),
        // The seed's user actions on the plan in the active editor: the
        // server's commands (run by the language client) take its URI.
        ...WORKFLOW_COMMANDS.map(([palette, server]) =>
            vscode.commands.registerCommand(palette, async () => {
                if (refusedUntrusted(server)) {
                    return undefined;
                }
                const document = vscode.window.activeTextEditor?.document;
                if (document === undefined || document.languageId !== 'markdown') {
                    void vscode.window.showWarningMessage('plan-lsp: open a deployment plan first.');
                    return undefined;
                }
                if (client === undefined || !client.isRunning()) {
                    void vscode.window.showErrorMessage('plan-lsp: the server is not running (plan-lsp: Show Server Output says why).');
                    return undefined;
                }
                if (!(await vscode.commands.getCommands(true)).includes(server)) {
                    void vscode.window.showErrorMessage(`plan-lsp: this server does not offer ${server}; update plan-lsp.`);
                    return undefined;
                }
                return vscode.commands.executeCommand(server, document.uri.toString());
            }),
        ),
        // Trusting the workspace brings its restricted settings
        // (planLsp.server.path) into force and Deploy / Rollback back.
        vscode.workspace.onDidGrantWorkspaceTrust(() => void restartClient()),
        vscode.workspace.onDidChangeConfiguration((event) => {
            if (needsRestart((section) => event.affectsConfiguration(section))) {
                void restartClient();
            }
        }),
    );

    await startClient();
}

export async function deactivate(): Promise<void> {
    await stopClient();
}
