// What the extension decides by itself, kept free of the `vscode` module so
// that it runs (and is unit-tested) under plain Node: where the server
// binary is, and which settings the server is given.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The configuration section of the extension and of the server. */
export const SECTION = 'planLsp';

/** The name of the server executable (on PATH, in ~/.cargo/bin). */
export const SERVER_NAME = 'plan-lsp';

/** The server's settings: the keys of `.plan-lsp.toml`. */
export interface ServerSettings {
    env?: string;
    include?: string[];
    rules?: Record<string, string>;
    values?: Record<string, string[]>;
}

/** What the server receives as `initializationOptions` and in `workspace/didChangeConfiguration`. */
export interface InitializationOptions {
    planLsp: ServerSettings;
}

/** Reads one setting of the `planLsp` section (e.g. `"env"`, `"server.path"`). */
export type SettingReader = (key: string) => unknown;

export const ENVIRONMENTS = ['staging', 'production'] as const;
export const LEVELS = ['off', 'hint', 'info', 'warning', 'error'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyStrings(value: unknown): string[] {
    if (!Array.isArray(value)) {
        return [];
    }
    return value
        .filter((item): item is string => typeof item === 'string')
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
}

/**
 * The server settings from the extension's settings. Only what the user set
 * is sent (empty values are left out), so a `.plan-lsp.toml` in the
 * workspace keeps the keys the editor does not override. Values of the wrong
 * shape are dropped; values of the right shape but unknown to the server
 * (a misspelt rule code) are passed on, for the server to report.
 */
export function buildServerSettings(read: SettingReader): ServerSettings {
    const settings: ServerSettings = {};

    const env = read('env');
    if (typeof env === 'string' && env.trim() !== '') {
        settings.env = env.trim();
    }

    const include = nonEmptyStrings(read('include'));
    if (include.length > 0) {
        settings.include = include;
    }

    const rules = read('rules');
    if (isRecord(rules)) {
        const out: Record<string, string> = {};
        for (const [code, level] of Object.entries(rules)) {
            if (typeof level === 'string' && level.trim() !== '' && code.trim() !== '') {
                out[code.trim()] = level.trim();
            }
        }
        if (Object.keys(out).length > 0) {
            settings.rules = out;
        }
    }

    const values = read('values');
    if (isRecord(values)) {
        const out: Record<string, string[]> = {};
        for (const [id, extra] of Object.entries(values)) {
            const list = typeof extra === 'string' ? nonEmptyStrings([extra]) : nonEmptyStrings(extra);
            if (list.length > 0 && id.trim() !== '') {
                out[id.trim()] = list;
            }
        }
        if (Object.keys(out).length > 0) {
            settings.values = out;
        }
    }

    return settings;
}

/** `initializationOptions` for the server: `{ planLsp: { env, include, rules, values } }`. */
export function buildInitializationOptions(read: SettingReader): InitializationOptions {
    return { planLsp: buildServerSettings(read) };
}

/** Environment of the extension host that the path resolution depends on. */
export interface ResolveContext {
    /** `planLsp.server.path` as set (empty or undefined: not set). */
    configured?: unknown;
    /** The first workspace folder, for `${workspaceFolder}` and relative paths. */
    workspaceFolder?: string;
    env: Record<string, string | undefined>;
    platform: string;
    homedir: string;
    /** Whether `file` is an executable regular file. */
    isExecutable: (file: string) => boolean;
}

export type Resolution =
    | { ok: true; path: string; source: 'setting' | 'path' | 'cargo' }
    | { ok: false; message: string };

/** The default context: this process's environment and file system. */
export function defaultResolveContext(configured: unknown, workspaceFolder?: string): ResolveContext {
    return {
        configured,
        workspaceFolder,
        env: process.env,
        platform: process.platform,
        homedir: os.homedir(),
        isExecutable,
    };
}

export function isExecutable(file: string): boolean {
    try {
        const stat = fs.statSync(file);
        if (!stat.isFile()) {
            return false;
        }
        if (process.platform === 'win32') {
            return true;
        }
        fs.accessSync(file, fs.constants.X_OK);
        return true;
    } catch {
        return false;
    }
}

/** Expands `~`, `${userHome}`, `${workspaceFolder}` and `${env:NAME}` in a configured path. */
export function expandPath(raw: string, ctx: Pick<ResolveContext, 'workspaceFolder' | 'env' | 'homedir'>): string {
    let value = raw.trim();
    if (value === '~') {
        value = ctx.homedir;
    } else if (value.startsWith('~/') || value.startsWith('~\\')) {
        value = path.join(ctx.homedir, value.slice(2));
    }
    value = value.replace(/\$\{(userHome|workspaceFolder|env:([A-Za-z_][A-Za-z0-9_]*))\}/g, (match, name: string, envName?: string) => {
        if (name === 'userHome') {
            return ctx.homedir;
        }
        if (name === 'workspaceFolder') {
            return ctx.workspaceFolder ?? match;
        }
        return ctx.env[envName ?? ''] ?? '';
    });
    return value;
}

function pathIsAbsolute(file: string, platform: string): boolean {
    return platform === 'win32' ? path.win32.isAbsolute(file) : path.posix.isAbsolute(file);
}

function joinPath(platform: string, ...parts: string[]): string {
    return platform === 'win32' ? path.win32.join(...parts) : path.posix.join(...parts);
}

/** The executable names to try for `name` (with the PATHEXT extensions on Windows). */
function candidateNames(name: string, ctx: ResolveContext): string[] {
    if (ctx.platform !== 'win32') {
        return [name];
    }
    const exts = (ctx.env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';').filter((e) => e !== '');
    return [name, ...exts.map((ext) => name + ext.toLowerCase()), ...exts.map((ext) => name + ext)];
}

/** Finds `name` on the `PATH` of `ctx`. */
export function findOnPath(name: string, ctx: ResolveContext): string | undefined {
    const pathVar = ctx.env.PATH ?? ctx.env.Path ?? '';
    const separator = ctx.platform === 'win32' ? ';' : ':';
    for (const dir of pathVar.split(separator)) {
        if (dir === '') {
            continue;
        }
        for (const candidate of candidateNames(name, ctx)) {
            const file = joinPath(ctx.platform, dir, candidate);
            if (ctx.isExecutable(file)) {
                return file;
            }
        }
    }
    return undefined;
}

/** How to get the server, shown when it cannot be found. */
export const INSTALL_HINT =
    'Install it from a checkout of the plan-lsp repository with `cargo install --path .` ' +
    '(this puts `plan-lsp` in ~/.cargo/bin), or set `planLsp.server.path` to the plan-lsp executable.';

/**
 * Where the server executable is: `planLsp.server.path` when set (and then
 * only there: a wrong setting is an error, not a reason to run some other
 * binary), else `plan-lsp` on PATH, else `~/.cargo/bin/plan-lsp`.
 */
export function resolveServerPath(ctx: ResolveContext): Resolution {
    const configured = typeof ctx.configured === 'string' ? ctx.configured.trim() : '';
    if (configured !== '') {
        let file = expandPath(configured, ctx);
        if (file.includes('${workspaceFolder}')) {
            return {
                ok: false,
                message: `planLsp.server.path is "${configured}", but no workspace folder is open to resolve \${workspaceFolder}.`,
            };
        }
        if (!pathIsAbsolute(file, ctx.platform)) {
            if (!file.includes('/') && !file.includes('\\')) {
                // A bare command name: look it up on PATH.
                const found = findOnPath(file, ctx);
                if (found !== undefined) {
                    return { ok: true, path: found, source: 'setting' };
                }
                return {
                    ok: false,
                    message: `planLsp.server.path is "${configured}", but no such executable is on PATH. ${INSTALL_HINT}`,
                };
            }
            if (ctx.workspaceFolder === undefined) {
                return {
                    ok: false,
                    message: `planLsp.server.path is the relative path "${configured}", but no workspace folder is open to resolve it against. Use an absolute path.`,
                };
            }
            file = joinPath(ctx.platform, ctx.workspaceFolder, file);
        }
        if (ctx.isExecutable(file)) {
            return { ok: true, path: file, source: 'setting' };
        }
        return {
            ok: false,
            message: `planLsp.server.path is "${configured}", but ${file} is not an executable file. ${INSTALL_HINT}`,
        };
    }

    const onPath = findOnPath(SERVER_NAME, ctx);
    if (onPath !== undefined) {
        return { ok: true, path: onPath, source: 'path' };
    }

    const cargoHome = ctx.env.CARGO_HOME && ctx.env.CARGO_HOME !== '' ? ctx.env.CARGO_HOME : joinPath(ctx.platform, ctx.homedir, '.cargo');
    for (const candidate of candidateNames(SERVER_NAME, ctx)) {
        const file = joinPath(ctx.platform, cargoHome, 'bin', candidate);
        if (ctx.isExecutable(file)) {
            return { ok: true, path: file, source: 'cargo' };
        }
    }

    return {
        ok: false,
        message: `The plan-lsp language server was not found: \`${SERVER_NAME}\` is not on PATH and planLsp.server.path is not set. ${INSTALL_HINT}`,
    };
}

/**
 * Whether a configuration change needs the server restarted (the server
 * binary changed) rather than just a `didChangeConfiguration`.
 */
export function needsRestart(affects: (section: string) => boolean): boolean {
    return affects(`${SECTION}.server`);
}
