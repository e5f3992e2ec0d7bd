import * as vscode from 'vscode';
import {
    DidChangeConfigurationNotification,
    LanguageClient,
    LanguageClientOptions,
    RevealOutputChannelOn,
    ServerOptions,
    TransportKind,
} from 'vscode-languageclient/node';

import {
    SECTION,
    buildInitializationOptions,
    buildServerSettings,
    defaultResolveContext,
    needsRestart,
    resolveServerPath,
} from './config';

let client: LanguageClient | undefined;
let outputChannel: vscode.OutputChannel | undefined;
let traceChannel: vscode.OutputChannel | undefined;

function readSetting(key: string): unknown {
    return vscode.workspace.getConfiguration(SECTION).get(key);
}

function firstWorkspaceFolder(): string | undefined {
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    return folder?.uri.fsPath;
}

async function showMissingServer(message: string): Promise<void> {
    const openSettings = 'Open Settings';
    const choice = await vscode.window.showErrorMessage(message, openSettings);
    if (choice === openSettings) {
        await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.server.path`);
    }
}

async function startClient(): Promise<void> {
    const resolution = resolveServerPath(defaultResolveContext(readSetting('server.path'), firstWorkspaceFolder()));
    if (!resolution.ok) {
        outputChannel?.appendLine(resolution.message);
        void showMissingServer(resolution.message);
        return;
    }
    outputChannel?.appendLine(`Starting ${resolution.path} (found via ${resolution.source})`);

    // With the stdio transport the client adds `--stdio` to the arguments.
    const executable = { command: resolution.path, transport: TransportKind.stdio };
    const serverOptions: ServerOptions = { run: executable, debug: executable };

    const clientOptions: LanguageClientOptions = {
        documentSelector: [
            { scheme: 'file', language: 'markdown' },
            { scheme: 'untitled', language: 'markdown' },
        ],
        initializationOptions: buildInitializationOptions(readSetting),
        synchronize: {
            configurationSection: SECTION,
            fileEvents: vscode.workspace.createFileSystemWatcher('**/.plan-lsp.toml'),
        },
        outputChannel,
        traceOutputChannel: traceChannel,
        revealOutputChannelOn: RevealOutputChannelOn.Never,
        middleware: {
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

/** Palette commands and the server commands they run. */
const WORKFLOW_COMMANDS: [string, string][] = [
    ['planLsp.show', 'plan-lsp.show'],
    ['planLsp.approve', 'plan-lsp.approve'],
    ['planLsp.deploy', 'plan-lsp.deploy'],
];

// Restarts run one after the other, never interleaved.
let restarting: Promise<void> = Promise.resolve();

function restartClient(): Promise<void> {
    restarting = restarting.then(stopClient).then(startClient);
    return restarting;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    outputChannel = vscode.window.createOutputChannel('plan-lsp');
    traceChannel = vscode.window.createOutputChannel('plan-lsp Trace');
    context.subscriptions.push(outputChannel, traceChannel);

    context.subscriptions.push(
        vscode.commands.registerCommand('planLsp.restartServer', () => restartClient()),
        vscode.commands.registerCommand('planLsp.showOutput', () => outputChannel?.show(true)),
        // The seed's user actions on the plan in the active editor: the
        // server's commands (run by the language client) take its URI.
        ...WORKFLOW_COMMANDS.map(([palette, server]) =>
            vscode.commands.registerCommand(palette, () => {
                const document = vscode.window.activeTextEditor?.document;
                if (document === undefined || document.languageId !== 'markdown') {
                    void vscode.window.showWarningMessage('plan-lsp: open a deployment plan first.');
                    return undefined;
                }
                return vscode.commands.executeCommand(server, document.uri.toString());
            }),
        ),
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
