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

/** The name of the configuration file the server reads at the workspace root. */
export const CONFIG_FILE = '.plan-lsp.toml';

/**
 * The documents the language client sends to the server: Markdown (the
 * server acts only on plans among it) and `.plan-lsp.toml` (language id
 * `toml`, which the extension also gives that file when no TOML extension
 * is installed), on which the server reports configuration errors.
 */
export const DOCUMENT_SELECTOR = [
    { scheme: 'file', language: 'markdown' },
    { scheme: 'untitled', language: 'markdown' },
    { scheme: 'file', language: 'toml', pattern: `**/${CONFIG_FILE}` },
];

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
    /**
     * The extension's `server/` folder, where a platform `.vsix` carries the
     * server binary (absent: no bundled server is looked for).
     */
    serverDir?: string;
    /** `process.arch`, to tell whether the bundled binary is for this machine. */
    arch?: string;
    /** Whether anything is at `file` (a file that may not be executable). */
    exists?: (file: string) => boolean;
    /** The text of `file`, undefined when it cannot be read. */
    readFile?: (file: string) => string | undefined;
}

/** Where the server was found. */
export type ServerSource = 'setting' | 'bundled' | 'path' | 'cargo';

export type Resolution =
    /** `warning`: the bundled server is broken, and this one (PATH, ~/.cargo/bin) is used instead. */
    | { ok: true; path: string; source: ServerSource; warning?: string }
    | { ok: false; message: string };

/** The default context: this process's environment and file system. */
export function defaultResolveContext(configured: unknown, workspaceFolder?: string, extensionPath?: string): ResolveContext {
    return {
        configured,
        workspaceFolder,
        env: process.env,
        platform: process.platform,
        arch: process.arch,
        homedir: os.homedir(),
        isExecutable,
        serverDir: extensionPath === undefined ? undefined : path.join(extensionPath, BUNDLED_DIR),
        exists: (file) => fs.existsSync(file),
        readFile: (file) => {
            try {
                return fs.readFileSync(file, 'utf8');
            } catch {
                return undefined;
            }
        },
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
    'Install the extension\'s platform .vsix (e.g. plan-lsp-linux-x64.vsix), which carries the server, ' +
    'or install the server from a checkout of the plan-lsp repository with `cargo install --path .` ' +
    '(this puts `plan-lsp` in ~/.cargo/bin), or set `planLsp.server.path` to the plan-lsp executable.';

/** The folder of the extension that holds the bundled server (platform .vsix only). */
export const BUNDLED_DIR = 'server';

/**
 * The file beside the bundled binary that the package step writes
 * (`{ "target": "linux-x64", "executable": "plan-lsp" }`): it says that this
 * install is a platform .vsix, so a missing binary is an error, not the
 * universal .vsix (which has no `server/` folder and uses PATH).
 */
export const BUNDLED_MANIFEST = 'target.json';

/** What the package step writes to `server/target.json`. */
export interface BundledManifest {
    target: string;
    executable: string;
}

/** The name of the server executable for a platform (`plan-lsp.exe` on Windows). */
export function executableName(platform: string): string {
    return platform === 'win32' ? `${SERVER_NAME}.exe` : SERVER_NAME;
}

/** The VS Code target of this machine: `linux-x64`, `win32-x64`, `darwin-arm64`, `linux-armhf`, ... */
export function hostTarget(platform: string, arch: string): string {
    return `${platform}-${arch === 'arm' ? 'armhf' : arch}`;
}

/** Whether a .vsix built for `target` runs on this machine (alpine-* is Linux). */
function targetRunsHere(target: string, platform: string, arch: string): boolean {
    const here = hostTarget(platform, arch);
    return target === here || target.replace(/^alpine-/, 'linux-') === here;
}

type BundledLookup = { file: string } | { problem: string } | undefined;

const BUNDLED_FIX = 'Reinstall the extension from its platform .vsix (e.g. plan-lsp-linux-x64.vsix), or set `planLsp.server.path` to a plan-lsp executable.';

/** The bundled server of a platform .vsix, what is wrong with it, or undefined (a universal .vsix). */
function bundledServer(ctx: ResolveContext): BundledLookup {
    if (ctx.serverDir === undefined) {
        return undefined;
    }
    const platform = ctx.platform;
    const plain = joinPath(platform, ctx.serverDir, executableName(platform));
    const text = ctx.readFile?.(joinPath(platform, ctx.serverDir, BUNDLED_MANIFEST));
    if (text === undefined) {
        // No platform package (or an older one): a binary put there by hand still counts.
        return ctx.isExecutable(plain) ? { file: plain } : undefined;
    }
    let manifest: Partial<BundledManifest> = {};
    try {
        const parsed: unknown = JSON.parse(text);
        if (isRecord(parsed)) {
            manifest = parsed;
        }
    } catch {
        // A damaged manifest: look for the binary under its usual name.
    }
    const target = typeof manifest.target === 'string' ? manifest.target : undefined;
    const name = typeof manifest.executable === 'string' && manifest.executable !== '' ? manifest.executable : executableName(platform);
    const file = joinPath(platform, ctx.serverDir, name);
    if (target !== undefined && ctx.arch !== undefined && !targetRunsHere(target, platform, ctx.arch)) {
        return {
            problem: `The bundled plan-lsp server is built for ${target}, but this machine is ${hostTarget(platform, ctx.arch)}. Install the .vsix for ${hostTarget(platform, ctx.arch)}, or set \`planLsp.server.path\` to a plan-lsp executable.`,
        };
    }
    const exists = ctx.exists ?? ((f: string) => ctx.isExecutable(f));
    if (!exists(file)) {
        return { problem: `The bundled plan-lsp server is missing: ${file} is not there (the ${target ?? 'platform'} .vsix carries it). ${BUNDLED_FIX}` };
    }
    if (!ctx.isExecutable(file)) {
        return {
            problem: `The bundled plan-lsp server ${file} is not executable (it lost its exec bit, or is not a regular file). ${BUNDLED_FIX} Or make it executable: chmod +x "${file}".`,
        };
    }
    return { file };
}

/**
 * Where the server executable is: `planLsp.server.path` when set (and then
 * only there: a wrong setting is an error, not a reason to run some other
 * binary), else the binary bundled in a platform .vsix (`server/plan-lsp`),
 * else `plan-lsp` on PATH, else `~/.cargo/bin/plan-lsp`. A bundled binary
 * that is missing or not executable is reported: as the error when no other
 * server is found, else as a warning beside the one found.
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

    const bundled = bundledServer(ctx);
    if (bundled !== undefined && 'file' in bundled) {
        return { ok: true, path: bundled.file, source: 'bundled' };
    }
    const broken = bundled?.problem;
    const found = (file: string, source: ServerSource): Resolution =>
        broken === undefined
            ? { ok: true, path: file, source }
            : { ok: true, path: file, source, warning: `${broken} Using ${file} (from ${source === 'path' ? 'PATH' : '~/.cargo/bin'}) meanwhile.` };

    const onPath = findOnPath(SERVER_NAME, ctx);
    if (onPath !== undefined) {
        return found(onPath, 'path');
    }

    const cargoHome = ctx.env.CARGO_HOME && ctx.env.CARGO_HOME !== '' ? ctx.env.CARGO_HOME : joinPath(ctx.platform, ctx.homedir, '.cargo');
    for (const candidate of candidateNames(SERVER_NAME, ctx)) {
        const file = joinPath(ctx.platform, cargoHome, 'bin', candidate);
        if (ctx.isExecutable(file)) {
            return found(file, 'cargo');
        }
    }

    if (broken !== undefined) {
        return { ok: false, message: `${broken} (No other plan-lsp is on PATH or in ~/.cargo/bin.)` };
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
