// The workflow actions (SPEC §11) as the extension handles them, kept free
// of the `vscode` module so that it runs (and is unit-tested) under plain
// Node: which server commands may run a program, what an untrusted
// workspace is told, how the server's work-done progress is shown, and which
// files a server edit leaves to be saved.

/** The palette commands of the workflow actions and the server commands they run. */
export const WORKFLOW_COMMANDS: readonly (readonly [palette: string, server: string])[] = [
    ['planLsp.show', 'plan-lsp.show'],
    ['planLsp.approve', 'plan-lsp.approve'],
    ['planLsp.deploy', 'plan-lsp.deploy'],
    ['planLsp.rollback', 'plan-lsp.rollback'],
];

/**
 * The server commands that can run a program: the `[deploy]` / `[rollback]`
 * command of the workspace's `.plan-lsp.toml`. Never sent to the server from
 * an untrusted workspace.
 */
export const RUNNING_COMMANDS: readonly string[] = ['plan-lsp.deploy', 'plan-lsp.rollback'];

export function runsProgram(command: string): boolean {
    return RUNNING_COMMANDS.includes(command);
}

function actionName(command: string): string {
    return command === 'plan-lsp.rollback' ? 'Rollback' : 'Deploy';
}

/** What the user is told when Deploy or Rollback is invoked in an untrusted workspace. */
export function untrustedRefusal(command: string): string {
    return (
        `plan-lsp: ${actionName(command)} is not available in Restricted Mode: it runs the command ` +
        "that the workspace's .plan-lsp.toml configures. Trust this workspace (Workspaces: Manage Workspace Trust) to use it."
    );
}

/** The title of a Deploy / Rollback code lens in an untrusted workspace (the lens still says what it would do). */
export function restrictedLensTitle(title: string): string {
    return `${title} (trust the workspace to run it)`;
}

// --- work-done progress --------------------------------------------------------

export type ProgressToken = number | string;

/** `$/progress` values of work-done progress (LSP 3.17). */
export type WorkDoneProgressValue =
    | { kind: 'begin'; title: string; cancellable?: boolean; message?: string; percentage?: number }
    | { kind: 'report'; cancellable?: boolean; message?: string; percentage?: number }
    | { kind: 'end'; message?: string };

export type ProgressLocationKind = 'notification' | 'window';

/**
 * Where a progress is shown. vscode-languageclient 9 shows every
 * server-initiated progress in the status bar (ProgressLocation.Window),
 * where VS Code offers no Cancel: a cancellable one (a deployment) goes to a
 * notification with a Cancel button instead, the others stay in the status bar.
 */
export function progressLocation(begin: { cancellable?: boolean }): ProgressLocationKind {
    return begin.cancellable === true ? 'notification' : 'window';
}

export interface ProgressUpdate {
    message?: string;
    increment?: number;
}

/** A progress on screen. */
export interface ProgressHandle {
    report(update: ProgressUpdate): void;
    /** Ends it (the server sent `end`, or the client stops). */
    done(): void;
}

export interface ProgressOptions {
    location: ProgressLocationKind;
    title: string;
    cancellable: boolean;
}

/** Shows a progress; `onCancel` runs when the user cancels it. */
export type ShowProgress = (options: ProgressOptions, onCancel: () => void) => ProgressHandle;

interface Part {
    handle?: ProgressHandle;
    /** Percent reported so far (VS Code takes increments). */
    reported: number;
    cancelled: boolean;
}

/**
 * The progresses the server created (`window/workDoneProgress/create`),
 * shown through `show`, cancelled with `sendCancel` (which sends
 * `window/workDoneProgress/cancel` with the token).
 */
export class ServerProgress {
    private readonly parts = new Map<ProgressToken, Part>();

    constructor(
        private readonly show: ShowProgress,
        private readonly sendCancel: (token: ProgressToken) => void,
    ) {}

    /** The server created `token`. */
    create(token: ProgressToken): void {
        if (!this.parts.has(token)) {
            this.parts.set(token, { reported: 0, cancelled: false });
        }
    }

    /** Whether `token` was created and has not ended. */
    has(token: ProgressToken): boolean {
        return this.parts.has(token);
    }

    /** A `$/progress` notification for `token`. */
    handle(token: ProgressToken, value: WorkDoneProgressValue): void {
        const part = this.parts.get(token);
        if (part === undefined) {
            return;
        }
        switch (value.kind) {
            case 'begin': {
                if (part.handle !== undefined) {
                    return;
                }
                const cancellable = value.cancellable === true;
                part.handle = this.show({ location: progressLocation(value), title: value.title, cancellable }, () => {
                    if (!part.cancelled && this.parts.get(token) === part) {
                        part.cancelled = true;
                        this.sendCancel(token);
                    }
                });
                this.report(part, value);
                break;
            }
            case 'report':
                this.report(part, value);
                break;
            case 'end':
                part.handle?.done();
                this.parts.delete(token);
                break;
        }
    }

    private report(part: Part, value: { message?: string; percentage?: number }): void {
        if (part.handle === undefined) {
            return;
        }
        const update: ProgressUpdate = {};
        if (typeof value.message === 'string') {
            update.message = value.message;
        }
        if (typeof value.percentage === 'number' && Number.isFinite(value.percentage)) {
            const percentage = Math.max(0, Math.min(value.percentage, 100));
            const increment = Math.max(0, percentage - part.reported);
            part.reported += increment;
            if (increment > 0) {
                update.increment = increment;
            }
        }
        if (update.message !== undefined || update.increment !== undefined) {
            part.handle.report(update);
        }
    }

    /** Ends every progress (the client stops or restarts). */
    clear(): void {
        for (const part of this.parts.values()) {
            part.handle?.done();
        }
        this.parts.clear();
    }
}

// --- edits the server applies ---------------------------------------------------

/** The parts of an LSP `WorkspaceEdit` that name files. */
export interface WorkspaceEditFiles {
    changes?: Record<string, unknown>;
    documentChanges?: (
        | { textDocument: { uri: string } }
        | { kind: 'create'; uri: string }
        | { kind: 'rename'; oldUri: string; newUri: string }
        | { kind: 'delete'; uri: string }
    )[];
}

/** The files whose text an edit writes (created or edited; not deleted), in order, each once. */
export function filesWritten(edit: WorkspaceEditFiles): string[] {
    const files: string[] = [];
    const add = (uri: string) => {
        if (!files.includes(uri)) {
            files.push(uri);
        }
    };
    for (const uri of Object.keys(edit.changes ?? {})) {
        add(uri);
    }
    for (const change of edit.documentChanges ?? []) {
        if ('textDocument' in change) {
            add(change.textDocument.uri);
        } else if (change.kind === 'create') {
            add(change.uri);
        } else if (change.kind === 'rename') {
            const at = files.indexOf(change.oldUri);
            if (at >= 0) {
                files.splice(at, 1);
            }
            add(change.newUri);
        } else {
            const at = files.indexOf(change.uri);
            if (at >= 0) {
                files.splice(at, 1);
            }
        }
    }
    return files;
}

/**
 * The files to save after the server's edit was applied: those it wrote that
 * were neither open in an editor nor holding unsaved changes before. VS Code
 * applies a `workspace/applyEdit` to a file that is not open in a hidden
 * buffer and leaves it unsaved; the deployment record (status.md, which
 * "need not be open") is written to disk as the CLI writes it. A file open
 * in an editor keeps the edit as an unsaved change, for the user to save.
 */
export function filesToSave(written: string[], openInEditor: ReadonlySet<string>, dirtyBefore: ReadonlySet<string>): string[] {
    return written.filter((uri) => !openInEditor.has(uri) && !dirtyBefore.has(uri));
}
