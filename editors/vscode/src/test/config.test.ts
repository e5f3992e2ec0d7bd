import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, it } from 'node:test';

import {
    DOCUMENT_SELECTOR,
    INSTALL_HINT,
    ResolveContext,
    defaultResolveContext,
    executableName,
    hostTarget,
    buildInitializationOptions,
    buildServerSettings,
    expandPath,
    findOnPath,
    isExecutable,
    needsRestart,
    resolveServerPath,
} from '../config';

/** A settings reader over a flat map of `planLsp.*` keys. */
function reader(settings: Record<string, unknown>) {
    return (key: string): unknown => settings[key];
}

/** A resolve context over a fake file system: the set of executable files. */
function context(executables: string[], overrides: Partial<ResolveContext> = {}): ResolveContext {
    const files = new Set(executables);
    return {
        configured: undefined,
        workspaceFolder: '/ws',
        env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
        platform: 'linux',
        homedir: '/home/dev',
        isExecutable: (file) => files.has(file),
        ...overrides,
    };
}

describe('buildInitializationOptions', () => {
    it('passes every server setting under planLsp', () => {
        const options = buildInitializationOptions(
            reader({
                env: 'production',
                include: ['plans/**/*.md', 'ops/*.md'],
                rules: { placeholder: 'off', 'unchecked-item': 'error' },
                values: { provider: ['Fly.io', 'Hetzner'], strategy: ['Shadow'] },
            }),
        );
        assert.deepEqual(options, {
            planLsp: {
                env: 'production',
                include: ['plans/**/*.md', 'ops/*.md'],
                rules: { placeholder: 'off', 'unchecked-item': 'error' },
                values: { provider: ['Fly.io', 'Hetzner'], strategy: ['Shadow'] },
            },
        });
    });

    it('sends nothing for settings left at their defaults', () => {
        assert.deepEqual(buildInitializationOptions(reader({ env: '', include: [], rules: {}, values: {} })), {
            planLsp: {},
        });
        assert.deepEqual(buildInitializationOptions(reader({})), { planLsp: {} });
    });

    it('never passes the extension-only settings to the server', () => {
        const settings = buildServerSettings(
            reader({
                env: 'staging',
                'server.path': '/opt/plan-lsp',
                server: { path: '/opt/plan-lsp' },
                'trace.server': 'verbose',
                trace: { server: 'verbose' },
            }),
        );
        assert.deepEqual(settings, { env: 'staging' });
    });

    it('trims values and drops the ones of the wrong shape', () => {
        const settings = buildServerSettings(
            reader({
                env: '  production ',
                include: ['  plans/*.md ', '', 42, null],
                rules: { placeholder: ' hint ', 'missing-field': 3, '': 'off', 'empty-procedure': '' },
                values: { provider: 'Fly.io', risk: [], ci: ['Drone', 7, ' '] },
            }),
        );
        assert.deepEqual(settings, {
            env: 'production',
            include: ['plans/*.md'],
            rules: { placeholder: 'hint' },
            values: { provider: ['Fly.io'], ci: ['Drone'] },
        });
    });

    it('ignores settings that are not objects or lists', () => {
        const settings = buildServerSettings(reader({ env: 7, include: 'plans/*.md', rules: ['off'], values: 'x' }));
        assert.deepEqual(settings, {});
    });

    it('passes unknown codes and levels on for the server to report', () => {
        const settings = buildServerSettings(reader({ rules: { 'no-such-rule': 'loud' } }));
        assert.deepEqual(settings, { rules: { 'no-such-rule': 'loud' } });
    });

    it('produces JSON the server can read back', () => {
        const options = buildInitializationOptions(reader({ env: 'staging', rules: { placeholder: 'off' } }));
        assert.deepEqual(JSON.parse(JSON.stringify(options)), options);
    });
});

describe('resolveServerPath', () => {
    it('uses plan-lsp from PATH when nothing is configured', () => {
        const result = resolveServerPath(context(['/usr/bin/plan-lsp']));
        assert.deepEqual(result, { ok: true, path: '/usr/bin/plan-lsp', source: 'path' });
    });

    it('takes the first match in PATH order', () => {
        const result = resolveServerPath(context(['/usr/bin/plan-lsp', '/usr/local/bin/plan-lsp']));
        assert.ok(result.ok);
        assert.equal(result.path, '/usr/local/bin/plan-lsp');
    });

    it('falls back to ~/.cargo/bin, then CARGO_HOME', () => {
        assert.deepEqual(resolveServerPath(context(['/home/dev/.cargo/bin/plan-lsp'])), {
            ok: true,
            path: '/home/dev/.cargo/bin/plan-lsp',
            source: 'cargo',
        });
        const custom = context(['/opt/cargo/bin/plan-lsp'], {
            env: { PATH: '/usr/bin', CARGO_HOME: '/opt/cargo' },
        });
        assert.deepEqual(resolveServerPath(custom), { ok: true, path: '/opt/cargo/bin/plan-lsp', source: 'cargo' });
    });

    it('explains how to install the server when it is nowhere', () => {
        const result = resolveServerPath(context([]));
        assert.equal(result.ok, false);
        assert.ok(!result.ok);
        assert.match(result.message, /plan-lsp language server was not found/);
        assert.match(result.message, /planLsp\.server\.path/);
        assert.match(result.message, /cargo install/);
        assert.ok(result.message.endsWith(INSTALL_HINT));
    });

    it('prefers the setting over PATH', () => {
        const result = resolveServerPath(
            context(['/usr/bin/plan-lsp', '/opt/plan-lsp/bin/plan-lsp'], { configured: '/opt/plan-lsp/bin/plan-lsp' }),
        );
        assert.deepEqual(result, { ok: true, path: '/opt/plan-lsp/bin/plan-lsp', source: 'setting' });
    });

    it('reports a configured path that is not executable, without falling back to PATH', () => {
        const result = resolveServerPath(context(['/usr/bin/plan-lsp'], { configured: '/opt/missing/plan-lsp' }));
        assert.ok(!result.ok);
        assert.match(result.message, /planLsp\.server\.path is "\/opt\/missing\/plan-lsp"/);
        assert.match(result.message, /not an executable file/);
    });

    it('ignores a blank setting', () => {
        const result = resolveServerPath(context(['/usr/bin/plan-lsp'], { configured: '   ' }));
        assert.ok(result.ok);
        assert.equal(result.source, 'path');
    });

    it('expands ~, ${userHome}, ${workspaceFolder} and ${env:NAME}', () => {
        const files = ['/home/dev/bin/plan-lsp', '/ws/target/release/plan-lsp', '/srv/tools/plan-lsp'];
        const env = { PATH: '/usr/bin', TOOLS: '/srv/tools' };
        for (const [configured, expected] of [
            ['~/bin/plan-lsp', '/home/dev/bin/plan-lsp'],
            ['${userHome}/bin/plan-lsp', '/home/dev/bin/plan-lsp'],
            ['${workspaceFolder}/target/release/plan-lsp', '/ws/target/release/plan-lsp'],
            ['${env:TOOLS}/plan-lsp', '/srv/tools/plan-lsp'],
        ]) {
            assert.deepEqual(resolveServerPath(context(files, { configured, env })), {
                ok: true,
                path: expected,
                source: 'setting',
            });
        }
    });

    it('resolves a relative path against the workspace folder', () => {
        const result = resolveServerPath(context(['/ws/target/debug/plan-lsp'], { configured: 'target/debug/plan-lsp' }));
        assert.deepEqual(result, { ok: true, path: '/ws/target/debug/plan-lsp', source: 'setting' });
    });

    it('refuses a relative path or ${workspaceFolder} without a workspace', () => {
        const relative = resolveServerPath(
            context(['/ws/target/debug/plan-lsp'], { configured: 'target/debug/plan-lsp', workspaceFolder: undefined }),
        );
        assert.ok(!relative.ok);
        assert.match(relative.message, /no workspace folder/);
        const variable = resolveServerPath(
            context([], { configured: '${workspaceFolder}/plan-lsp', workspaceFolder: undefined }),
        );
        assert.ok(!variable.ok);
        assert.match(variable.message, /no workspace folder/);
    });

    it('looks a bare command name up on PATH', () => {
        const found = resolveServerPath(context(['/usr/bin/plan-lsp-nightly'], { configured: 'plan-lsp-nightly' }));
        assert.deepEqual(found, { ok: true, path: '/usr/bin/plan-lsp-nightly', source: 'setting' });
        const missing = resolveServerPath(context([], { configured: 'plan-lsp-nightly' }));
        assert.ok(!missing.ok);
        assert.match(missing.message, /not on PATH|no such executable is on PATH/);
    });

    it('finds plan-lsp.exe through PATHEXT on Windows', () => {
        const result = resolveServerPath(
            context(['C:\\tools\\plan-lsp.exe'], {
                platform: 'win32',
                env: { Path: 'C:\\Windows;C:\\tools', PATHEXT: '.COM;.EXE;.BAT' },
                homedir: 'C:\\Users\\dev',
                workspaceFolder: 'C:\\ws',
            }),
        );
        assert.deepEqual(result, { ok: true, path: 'C:\\tools\\plan-lsp.exe', source: 'path' });
    });
});

/** The extension's server/ folder in the fake file systems below. */
const SERVER_DIR = '/ext/plan-lsp-0.1.0-linux-x64/server';
const BUNDLED = `${SERVER_DIR}/plan-lsp`;
const LINUX_MANIFEST = JSON.stringify({ target: 'linux-x64', executable: 'plan-lsp' });

/**
 * A context with an extension folder: `executables` are executable files,
 * `plain` files exist but are not executable, `texts` are readable files.
 */
function bundledContext(
    { executables = [], plain = [], texts = {} }: { executables?: string[]; plain?: string[]; texts?: Record<string, string> },
    overrides: Partial<ResolveContext> = {},
): ResolveContext {
    const all = new Set([...executables, ...plain, ...Object.keys(texts)]);
    return context(executables, {
        serverDir: SERVER_DIR,
        arch: 'x64',
        exists: (file) => all.has(file),
        readFile: (file) => texts[file],
        ...overrides,
    });
}

/** A platform .vsix as installed: server/target.json beside the binary. */
const PLATFORM = { [`${SERVER_DIR}/target.json`]: LINUX_MANIFEST };

describe('resolveServerPath with a bundled server (platform .vsix)', () => {
    it('resolves in the order setting > bundled > PATH > ~/.cargo/bin', () => {
        const everywhere = ['/opt/plan-lsp', BUNDLED, '/usr/bin/plan-lsp', '/home/dev/.cargo/bin/plan-lsp'];
        // Without the bundled binary: the universal .vsix (no server/ folder).
        const resolve = (executables: string[], configured?: string) =>
            resolveServerPath(bundledContext({ executables, texts: executables.includes(BUNDLED) ? PLATFORM : {} }, { configured }));
        assert.deepEqual(resolve(everywhere, '/opt/plan-lsp'), { ok: true, path: '/opt/plan-lsp', source: 'setting' });
        assert.deepEqual(resolve(everywhere), { ok: true, path: BUNDLED, source: 'bundled' });
        assert.deepEqual(resolve(everywhere.slice(2)), { ok: true, path: '/usr/bin/plan-lsp', source: 'path' });
        assert.deepEqual(resolve(everywhere.slice(3)), { ok: true, path: '/home/dev/.cargo/bin/plan-lsp', source: 'cargo' });
    });

    it('keeps a wrong setting an error: no fallback to the bundled server', () => {
        const result = resolveServerPath(bundledContext({ executables: [BUNDLED], texts: PLATFORM }, { configured: '/opt/missing/plan-lsp' }));
        assert.ok(!result.ok);
        assert.match(result.message, /planLsp\.server\.path is "\/opt\/missing\/plan-lsp"/);
    });

    it('uses PATH without a message in the universal .vsix (no server/ inside)', () => {
        const result = resolveServerPath(bundledContext({ executables: ['/usr/bin/plan-lsp'] }));
        assert.deepEqual(result, { ok: true, path: '/usr/bin/plan-lsp', source: 'path' });
        const nowhere = resolveServerPath(bundledContext({}));
        assert.ok(!nowhere.ok);
        assert.match(nowhere.message, /plan-lsp language server was not found/);
        assert.ok(nowhere.message.endsWith(INSTALL_HINT));
    });

    it('uses a binary put into server/ by hand (no target.json)', () => {
        const result = resolveServerPath(bundledContext({ executables: [BUNDLED, '/usr/bin/plan-lsp'] }));
        assert.deepEqual(result, { ok: true, path: BUNDLED, source: 'bundled' });
    });

    it('says the bundled binary is missing, and how to fix it, when nothing else is found', () => {
        const result = resolveServerPath(bundledContext({ texts: PLATFORM }));
        assert.ok(!result.ok);
        assert.match(result.message, /bundled plan-lsp server is missing/);
        assert.ok(result.message.includes(BUNDLED), result.message);
        assert.match(result.message, /Reinstall the extension from its platform \.vsix/);
        assert.match(result.message, /planLsp\.server\.path/);
        assert.match(result.message, /No other plan-lsp is on PATH or in ~\/\.cargo\/bin/);
    });

    it('says the bundled binary is not executable (lost its exec bit), and how to fix it', () => {
        const result = resolveServerPath(bundledContext({ plain: [BUNDLED], texts: PLATFORM }));
        assert.ok(!result.ok);
        assert.match(result.message, /bundled plan-lsp server .* is not executable/);
        assert.match(result.message, /exec bit/);
        assert.match(result.message, /Reinstall the extension from its platform \.vsix/);
        assert.match(result.message, /planLsp\.server\.path/);
        assert.ok(result.message.includes(`chmod +x "${BUNDLED}"`), result.message);
    });

    it('falls back to PATH, then ~/.cargo/bin, with the bundled problem as a warning', () => {
        const onPath = resolveServerPath(bundledContext({ plain: [BUNDLED], executables: ['/usr/bin/plan-lsp'], texts: PLATFORM }));
        assert.ok(onPath.ok);
        assert.equal(onPath.path, '/usr/bin/plan-lsp');
        assert.equal(onPath.source, 'path');
        assert.match(onPath.warning ?? '', /is not executable/);
        assert.match(onPath.warning ?? '', /Using \/usr\/bin\/plan-lsp \(from PATH\) meanwhile/);
        const cargo = resolveServerPath(bundledContext({ executables: ['/home/dev/.cargo/bin/plan-lsp'], texts: PLATFORM }));
        assert.ok(cargo.ok);
        assert.equal(cargo.source, 'cargo');
        assert.match(cargo.warning ?? '', /is missing/);
    });

    it('refuses a binary built for another platform', () => {
        const result = resolveServerPath(bundledContext({ executables: [BUNDLED], texts: PLATFORM }, { arch: 'arm64' }));
        assert.ok(!result.ok);
        assert.match(result.message, /built for linux-x64, but this machine is linux-arm64/);
        const alpine = resolveServerPath(
            bundledContext({ executables: [BUNDLED], texts: { [`${SERVER_DIR}/target.json`]: JSON.stringify({ target: 'alpine-x64', executable: 'plan-lsp' }) } }),
        );
        assert.deepEqual(alpine, { ok: true, path: BUNDLED, source: 'bundled' });
    });

    it('finds server\\plan-lsp.exe on Windows', () => {
        const dir = 'C:\\ext\\plan-lsp-0.1.0-win32-x64\\server';
        const result = resolveServerPath(
            context([`${dir}\\plan-lsp.exe`], {
                platform: 'win32',
                arch: 'x64',
                env: { Path: 'C:\\Windows' },
                homedir: 'C:\\Users\\dev',
                serverDir: dir,
                exists: (file) => file === `${dir}\\plan-lsp.exe`,
                readFile: (file) => (file === `${dir}\\target.json` ? JSON.stringify({ target: 'win32-x64', executable: 'plan-lsp.exe' }) : undefined),
            }),
        );
        assert.deepEqual(result, { ok: true, path: `${dir}\\plan-lsp.exe`, source: 'bundled' });
        assert.equal(executableName('win32'), 'plan-lsp.exe');
        assert.equal(executableName('linux'), 'plan-lsp');
        assert.equal(hostTarget('linux', 'arm'), 'linux-armhf');
    });

    it('reads the extension folder on disk: a bundled binary, then one without its exec bit', () => {
        const ext = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-lsp-ext-bundled-'));
        try {
            const binary = path.join(ext, 'server', executableName(process.platform));
            fs.mkdirSync(path.dirname(binary));
            fs.writeFileSync(binary, '#!/bin/sh\n');
            fs.chmodSync(binary, 0o755);
            fs.writeFileSync(
                path.join(ext, 'server', 'target.json'),
                JSON.stringify({ target: hostTarget(process.platform, process.arch), executable: path.basename(binary) }),
            );
            const ctx = (): ResolveContext => ({ ...defaultResolveContext(undefined, undefined, ext), env: { PATH: '' }, homedir: ext });
            assert.deepEqual(resolveServerPath(ctx()), { ok: true, path: binary, source: 'bundled' });
            if (process.platform !== 'win32') {
                fs.chmodSync(binary, 0o644);
                const result = resolveServerPath(ctx());
                assert.ok(!result.ok);
                assert.match(result.message, /is not executable/);
                fs.rmSync(binary);
                const missing = resolveServerPath(ctx());
                assert.ok(!missing.ok);
                assert.match(missing.message, /is missing/);
            }
        } finally {
            fs.rmSync(ext, { recursive: true, force: true });
        }
    });
});

describe('document selector', () => {
    it('sends Markdown and the workspace .plan-lsp.toml (as toml) to the server', () => {
        assert.deepEqual(DOCUMENT_SELECTOR, [
            { scheme: 'file', language: 'markdown' },
            { scheme: 'untitled', language: 'markdown' },
            { scheme: 'file', language: 'toml', pattern: '**/.plan-lsp.toml' },
        ]);
    });
});

describe('expandPath', () => {
    it('leaves unknown variables and plain paths alone', () => {
        const ctx = { workspaceFolder: '/ws', env: {}, homedir: '/home/dev' };
        assert.equal(expandPath('/usr/bin/plan-lsp', ctx), '/usr/bin/plan-lsp');
        assert.equal(expandPath('${config:x}/plan-lsp', ctx), '${config:x}/plan-lsp');
        assert.equal(expandPath('${env:UNSET}/plan-lsp', ctx), '/plan-lsp');
        assert.equal(expandPath('~', ctx), '/home/dev');
    });
});

describe('file system checks', () => {
    it('tells executable files from other files and directories', () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-lsp-ext-'));
        try {
            const exe = path.join(dir, 'plan-lsp');
            const plain = path.join(dir, 'notes.txt');
            fs.writeFileSync(exe, '#!/bin/sh\n');
            fs.chmodSync(exe, 0o755);
            fs.writeFileSync(plain, 'x');
            fs.chmodSync(plain, 0o644);
            assert.equal(isExecutable(exe), true);
            assert.equal(isExecutable(dir), false);
            assert.equal(isExecutable(path.join(dir, 'absent')), false);
            if (process.platform !== 'win32' && process.getuid?.() !== 0) {
                assert.equal(isExecutable(plain), false);
            }
            const found = findOnPath('plan-lsp', {
                env: { PATH: `/nonexistent:${dir}` },
                platform: process.platform,
                homedir: os.homedir(),
                isExecutable,
            });
            assert.equal(found, exe);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe('needsRestart', () => {
    it('restarts for a new server path only', () => {
        assert.equal(needsRestart((s) => s === 'planLsp.server'), true);
        assert.equal(needsRestart((s) => s === 'planLsp' || s === 'planLsp.env'), false);
    });
});
