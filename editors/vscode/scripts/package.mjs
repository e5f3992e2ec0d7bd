#!/usr/bin/env node
// Builds the extension's .vsix.
//
//   node scripts/package.mjs                     plan-lsp.vsix: no server inside (PATH, ~/.cargo/bin)
//   node scripts/package.mjs --target linux-x64  plan-lsp-linux-x64.vsix: the server binary inside
//   node scripts/package.mjs --target T --out F  another target or file name
//
// Both carry schemas/plan-lsp.schema.json (the JSON Schema of .plan-lsp.toml,
// for the tomlValidation contribution), taken from <repo>/schemas/ when it
// is there, else printed by `plan-lsp config schema` ($PLAN_LSP, else
// <repo>/target/release, else <repo>/target/debug); it is never written by
// hand here, and the package fails without it. A platform .vsix also carries server/plan-lsp (plan-lsp.exe for
// win32-*), copied from $PLAN_LSP (default <repo>/target/release/plan-lsp)
// and made executable, with server/target.json naming its target.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const EXT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO = path.resolve(EXT, '..', '..');
const TARGETS = ['win32-x64', 'win32-arm64', 'linux-x64', 'linux-arm64', 'linux-armhf', 'alpine-x64', 'alpine-arm64', 'darwin-x64', 'darwin-arm64'];

function fail(message) {
    process.stderr.write(`package: ${message}\n`);
    process.exit(1);
}

function parseArgs(argv) {
    const options = { target: undefined, out: undefined };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === '--target' || arg === '--out') {
            const value = argv[++i];
            if (value === undefined) {
                fail(`${arg} needs a value`);
            }
            options[arg.slice(2)] = value;
        } else {
            fail(`unknown argument ${arg} (use --target <target> and --out <file>)`);
        }
    }
    if (options.target !== undefined && !TARGETS.includes(options.target)) {
        fail(`unknown target ${options.target}; one of ${TARGETS.join(', ')}`);
    }
    return options;
}

/** The plan-lsp binary: $PLAN_LSP, else <repo>/target/release/plan-lsp. */
function serverBinary(target) {
    const exe = target?.startsWith('win32-') ? 'plan-lsp.exe' : 'plan-lsp';
    const file = process.env.PLAN_LSP ? path.resolve(process.env.PLAN_LSP) : path.join(REPO, 'target', 'release', exe);
    return { file, exe };
}

/** schemas/plan-lsp.schema.json: the repository's shipped copy, else `plan-lsp config schema`. */
function prepareSchema() {
    const shipped = path.join(REPO, 'schemas', 'plan-lsp.schema.json');
    const dest = path.join(EXT, 'schemas', 'plan-lsp.schema.json');
    fs.rmSync(path.dirname(dest), { recursive: true, force: true });
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    let text;
    let from;
    if (fs.existsSync(shipped)) {
        text = fs.readFileSync(shipped, 'utf8');
        from = shipped;
    } else {
        // Printed by the server: $PLAN_LSP, else the repository's release
        // build, else its debug build (as the unit tests find a binary).
        const why = [`${shipped} does not exist`];
        const candidates = [...new Set([serverBinary(undefined).file, path.join(REPO, 'target', 'release', 'plan-lsp'), path.join(REPO, 'target', 'debug', 'plan-lsp')])];
        for (const file of candidates) {
            if (!fs.existsSync(file)) {
                why.push(`no plan-lsp at ${file}`);
                continue;
            }
            const run = spawnSync(file, ['config', 'schema'], { encoding: 'utf8', timeout: 30_000 });
            if (run.status === 0 && run.stdout.trim() !== '') {
                text = run.stdout;
                from = `${file} config schema`;
                break;
            }
            const detail = (run.error?.message ?? run.stderr ?? '').trim().split('\n')[0];
            why.push(`\`${file} config schema\` failed (exit ${run.status}${detail ? `: ${detail}` : ''})`);
        }
        if (text === undefined) {
            fail(
                `no JSON Schema of .plan-lsp.toml for the tomlValidation contribution: ${why.join(', and ')}. ` +
                    'Build a plan-lsp that has `plan-lsp config schema` (cargo build --release) or point PLAN_LSP at one, ' +
                    'or restore the shipped schemas/plan-lsp.schema.json at the repository root.',
            );
        }
    }
    try {
        const schema = JSON.parse(text);
        if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
            throw new Error('not a JSON object');
        }
    } catch (error) {
        fail(`the schema from ${from} is not a JSON Schema object: ${error.message}`);
    }
    fs.writeFileSync(dest, text);
    console.log(`schema: ${path.relative(EXT, dest)} from ${from}`);
}

/** What the first bytes of an executable say it is built for, when they say it. */
function binaryKind(file) {
    const fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(20);
    try {
        fs.readSync(fd, head, 0, head.length, 0);
    } finally {
        fs.closeSync(fd);
    }
    if (head.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) {
        const machine = head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
        const arch = { 0x3e: 'x64', 0xb7: 'arm64', 0x28: 'armhf' }[machine] ?? `machine ${machine}`;
        return { os: 'linux', arch };
    }
    if (head[0] === 0x4d && head[1] === 0x5a) {
        return { os: 'win32' };
    }
    const magic = head.readUInt32LE(0);
    if ([0xfeedfacf, 0xcafebabe, 0xbebafeca].includes(magic)) {
        return { os: 'darwin' };
    }
    return { os: 'unknown' };
}

/** server/: the binary (executable) and target.json, for a platform .vsix; nothing for the universal one. */
function prepareServer(target) {
    const dir = path.join(EXT, 'server');
    fs.rmSync(dir, { recursive: true, force: true });
    if (target === undefined) {
        return;
    }
    const { file, exe } = serverBinary(target);
    if (!fs.existsSync(file)) {
        fail(`no plan-lsp binary at ${file} to bundle: build it (cargo build --release in ${REPO}) or set PLAN_LSP`);
    }
    const kind = binaryKind(file);
    const [os, arch] = target.replace(/^alpine-/, 'linux-').split('-');
    if (kind.os !== os || (kind.arch !== undefined && kind.arch !== arch)) {
        fail(`${file} is a ${kind.os}${kind.arch ? `-${kind.arch}` : ''} executable, not one for ${target}`);
    }
    fs.mkdirSync(dir, { recursive: true });
    const bundled = path.join(dir, exe);
    fs.copyFileSync(file, bundled);
    fs.chmodSync(bundled, 0o755);
    fs.writeFileSync(path.join(dir, 'target.json'), JSON.stringify({ target, executable: exe }, null, 2) + '\n');
    if (target === `${process.platform}-${process.arch}`) {
        const version = spawnSync(bundled, ['--version'], { encoding: 'utf8', timeout: 30_000 });
        if (version.status !== 0) {
            fail(`the bundled ${bundled} does not run: ${version.error?.message ?? version.stderr}`);
        }
        console.log(`server: ${path.relative(EXT, bundled)} from ${file} (${version.stdout.trim()})`);
    } else {
        console.log(`server: ${path.relative(EXT, bundled)} from ${file}`);
    }
}

const options = parseArgs(process.argv.slice(2));
const out = options.out ?? (options.target === undefined ? 'plan-lsp.vsix' : `plan-lsp-${options.target}.vsix`);
prepareSchema();
prepareServer(options.target);
const vsce = path.join(EXT, 'node_modules', '.bin', process.platform === 'win32' ? 'vsce.cmd' : 'vsce');
const args = ['package', '--skip-license', '--allow-missing-repository', '--out', out];
if (options.target !== undefined) {
    args.push('--target', options.target);
}
const run = spawnSync(vsce, args, { cwd: EXT, stdio: 'inherit' });
if (run.status !== 0) {
    fail(`vsce ${args.join(' ')} failed (${run.error?.message ?? `exit ${run.status}`})`);
}
