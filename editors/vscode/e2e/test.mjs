// End-to-end test of the plan-lsp extension in code-server, driven through
// headless Chromium. Started by run.sh, which provides:
//   E2E_URL               code-server, e.g. http://127.0.0.1:PORT
//   E2E_WORKSPACE         the workspace folder code-server opened
//   E2E_ARTIFACTS         where screenshots and page dumps go on failure
//   E2E_DEPS              the folder where playwright-core is installed
//   E2E_CHROMIUM          the Chromium binary
//   E2E_CHROMIUM_PROFILE  a fresh, empty Chromium profile folder
//   E2E_USER_DATA         code-server's user data folder (for the protocol trace)
//   E2E_PLAN_LSP          the server binary under test (its CLI gives expected texts;
//                         code-server runs the copy bundled in the .vsix)
//   E2E_EXTENSIONS        code-server's extensions folder (holds the bundled server)
//   E2E_CS_CARGO_HOME     the CARGO_HOME code-server runs with (tells its processes from others)
//   E2E_REPO              the repository (examples/production/docs/deployment.md)
//   E2E_UNTRUSTED_URL     a second code-server, with Workspace Trust on
//   E2E_UNTRUSTED_WORKSPACE  an empty folder for the untrusted-workspace step
// and optionally
//   E2E_ONLY              a regular expression: run only the steps whose name
//                         matches it (and the critical ones), for working on a step
//
// The plan docs/deployment.md (a staging plan) has the defects listed in
// EXPECTED_INITIAL. The workspace settings (.vscode/settings.json) set
// non-canonical-value to "warning" (a hint would not be listed in the
// Problems panel) and unknown-field to "off" (so the `Owner` field on line 12
// must not be reported), and add "Shadow" to the production strategies: all
// three only hold if the extension passes its settings to the server.
//
// The "keyboard" steps then work on the plans of fixtures/keyboard (copied
// into the workspace's keyboard/ folder) as a user with only a keyboard
// does, and compare each saved file byte for byte with the expected text:
// from the CLI of the same binary where there is one (`plan-lsp new`,
// `plan-lsp fix`), else literal here.
//
// The "deploy" steps run the workflow actions for real: the workspace's
// .plan-lsp.toml (written by the first of them) configures `sh -c <script>`
// as the deploy and rollback commands, and the user answers the server's
// confirmation and progress notifications with the mouse. The "untrusted"
// step opens a workspace in the second code-server without trusting it.
//
// The "template kind" steps (after the deploy steps, which write
// .plan-lsp.toml) add a [[kinds]] entry for the repository's
// tests/fixtures/templates/postmortem.md (include postmortems/**/*.md) to
// that file, before its [deploy] table, copy fixtures/template-kind into the
// workspace, and check a postmortem's findings and completion as a user sees
// them.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const env = (name) => {
    const value = process.env[name];
    if (!value) {
        throw new Error(`${name} is not set; run this test through run.sh`);
    }
    return value;
};

const URL = env('E2E_URL');
const WORKSPACE = env('E2E_WORKSPACE');
const ARTIFACTS = env('E2E_ARTIFACTS');
const USER_DATA = env('E2E_USER_DATA');
const PLAN_LSP = env('E2E_PLAN_LSP');
const EXTENSIONS = fs.realpathSync(env('E2E_EXTENSIONS'));
const CS_CARGO_HOME = env('E2E_CS_CARGO_HOME');
const REPO = env('E2E_REPO');
const UNTRUSTED_URL = env('E2E_UNTRUSTED_URL');
const UNTRUSTED_WORKSPACE = env('E2E_UNTRUSTED_WORKSPACE');
const ONLY = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY, 'i') : undefined;
const require = createRequire(path.join(env('E2E_DEPS'), 'package.json'));
const { chromium } = require('playwright-core');

const PLAN = path.join(WORKSPACE, 'docs', 'deployment.md');
/** The plans of the keyboard steps, copied into the workspace's keyboard/ folder when they start. */
const KEYBOARD_FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'keyboard');
const KEYBOARD = path.join(WORKSPACE, 'keyboard');
const TEST_TIMEOUT_MS = 480_000;
const STEP_TIMEOUT_MS = 60_000;

/** What the Problems panel must show first: each exactly once, and nothing else from plan-lsp. */
const EXPECTED_INITIAL = [
    { severity: 'warning', code: 'missing-section', line: 1, message: 'Deployment Checklist' },
    { severity: 'error', code: 'invalid-date', line: 4, message: 'Date' },
    { severity: 'warning', code: 'non-canonical-value', line: 28, message: 'Auto' },
    { severity: 'warning', code: 'missing-field', line: 31, message: 'Strategy' },
    { severity: 'warning', code: 'placeholder', line: 38, message: '[url]' },
    { severity: 'error', code: 'invalid-duration', line: 44, message: 'Retention' },
];

/** After the strategy is completed, the checklist inserted and the safe fixes applied. */
const EXPECTED_FINAL = EXPECTED_INITIAL.filter((f) =>
    ['invalid-date', 'placeholder', 'invalid-duration'].includes(f.code),
);

const CHECKLIST = [
    '## Deployment Checklist',
    '### Pre-Deployment',
    '- [ ] All tests pass',
    '- [ ] Security scan clean',
    '- [ ] Dependencies updated',
    '- [ ] Database migrations prepared',
    '- [ ] Rollback tested',
    '### Post-Deployment',
    '- [ ] Health checks passing',
    '- [ ] Monitoring active',
    '- [ ] No errors in logs',
    '- [ ] Key metrics normal',
];

const results = [];
let page;
let browser;
let currentStep = 'start';

function log(message) {
    process.stderr.write(`[test] ${message}\n`);
}

const failures = [];

/**
 * Runs one step. A failed step is recorded (with a screenshot) and the next
 * steps still run, except after a step marked `critical`, which the others
 * depend on.
 */
async function step(name, body, { critical = false } = {}) {
    if (ONLY !== undefined && !critical && !ONLY.test(name)) {
        log(`${name}: skipped (E2E_ONLY)`);
        return;
    }
    currentStep = name;
    const started = Date.now();
    log(`${name} ...`);
    try {
        await body();
    } catch (error) {
        failures.push({ name, error });
        await saveFailureArtifacts(error);
        if (critical) {
            throw new CriticalFailure(name);
        }
        return;
    }
    results.push({ name, ms: Date.now() - started });
    log(`${name}: ok (${Date.now() - started} ms)`);
}

class CriticalFailure extends Error {}

async function poll(what, fn, timeoutMs = STEP_TIMEOUT_MS, intervalMs = 500) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
        try {
            const value = await fn();
            if (value !== undefined && value !== false) {
                return value;
            }
        } catch (error) {
            last = error;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
        }
        await page.waitForTimeout(intervalMs);
    }
}

// --- VS Code helpers ---------------------------------------------------------------

async function quickInputRows() {
    return page.$$eval('.quick-input-widget .quick-input-list .monaco-list-row', (rows) =>
        rows.map((row) => ({
            label: row.querySelector('.label-name')?.textContent?.trim() ?? row.getAttribute('aria-label') ?? '',
            aria: row.getAttribute('aria-label') ?? '',
            focused: row.classList.contains('focused'),
        })),
    );
}

/** Runs a command by its title in the command palette. */
async function runCommand(title) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(`>${title}`);
    await poll(`the command "${title}" in the palette`, async () => {
        const rows = await quickInputRows();
        return rows.length > 0 && rows[0].focused && rows[0].aria.toLowerCase().startsWith(title.toLowerCase());
    }, 15_000, 200);
    await page.keyboard.press('Enter');
}

async function openFile(relative) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(relative);
    const base = path.basename(relative);
    // The row of the file, not of another file with the same name.
    const dir = path.dirname(relative);
    await poll(`${relative} in quick open`, async () => {
        const rows = await quickInputRows();
        return rows.some((r) => r.focused && r.aria.includes(base) && (dir === '.' || r.aria.includes(dir)));
    }, 15_000, 200);
    await page.keyboard.press('Enter');
    await page.locator(`.tabs-container .tab.active[aria-label^="${base}"]`).waitFor({ timeout: 15_000 });
    await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ timeout: 15_000 });
}

const editorHasFocus = () =>
    page.evaluate(() => document.activeElement?.closest('.editor-instance .monaco-editor') !== null && document.activeElement !== null);

async function focusEditor() {
    await page.keyboard.press('Escape');
    if (await editorHasFocus()) {
        return;
    }
    // View: Focus First Editor Group.
    await page.keyboard.press('Control+1');
    if (await poll('the editor to take the focus', editorHasFocus, 3_000, 100).catch(() => false)) {
        return;
    }
    const box = await page.locator('.editor-instance .monaco-editor .overflow-guard').first().boundingBox();
    assert.ok(box, 'the editor is on screen');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await poll('the editor to take the focus', editorHasFocus, 5_000, 100);
}

async function goToLine(line, column) {
    await focusEditor();
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(column === undefined ? `:${line}` : `:${line}:${column}`);
    await page.waitForTimeout(200);
    await page.keyboard.press('Enter');
    await poll(`the cursor on line ${line}`, async () => {
        const status = await page.locator('.statusbar-item[id="status.editor.selection"]').textContent();
        return status !== null && status.includes(`Ln ${line},`);
    }, 10_000, 200);
}

async function save() {
    await page.keyboard.press('Control+S');
    await poll('the editor to be saved', async () => (await page.locator('.tabs-container .tab.active.dirty').count()) === 0, 15_000, 200);
}

function findFiles(dir, wanted, found = []) {
    let entries = [];
    try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
        return found;
    }
    for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            findFiles(full, wanted, found);
        } else if (wanted(full)) {
            found.push(full);
        }
    }
    return found;
}

function readPlan() {
    return fs.readFileSync(PLAN, 'utf8');
}

async function showProblems() {
    const visible = await page.locator('.markers-panel').isVisible().catch(() => false);
    if (!visible) {
        await runCommand('View: Focus Problems');
        await page.locator('.markers-panel').waitFor({ state: 'visible', timeout: 15_000 });
    }
}

/** Every row of the Problems panel (scrolling through the virtualised list). */
async function readProblems() {
    await showProblems();
    const byIndex = new Map();
    const list = page.locator('.markers-panel .monaco-list').first();
    const start = await list.boundingBox();
    if (start) {
        // From the top of the list.
        await page.mouse.move(start.x + start.width / 2, start.y + start.height / 2);
        await page.mouse.wheel(0, -100_000);
        await page.waitForTimeout(100);
    }
    for (let round = 0; round < 50; round++) {
        const rows = await page.$$eval('.markers-panel .monaco-list-row', (elements) =>
            elements.map((row) => ({
                index: Number(row.getAttribute('data-index')),
                level: row.getAttribute('aria-level'),
                severity: ['error', 'warning', 'info'].find((s) => row.querySelector(`.marker-icon.${s}`)) ?? 'other',
                message: row.querySelector('.marker-message')?.textContent?.trim() ?? '',
                source: row.querySelector('.marker-source')?.textContent?.trim() ?? '',
                code: row.querySelector('.marker-code')?.textContent?.trim() ?? '',
                position: row.querySelector('.marker-line')?.textContent?.trim() ?? '',
            })),
        );
        const known = byIndex.size;
        for (const row of rows) {
            byIndex.set(row.index, row);
        }
        // The list renders only the rows in view: scroll on while that shows new ones.
        const fits = await list
            .evaluate((el) => {
                const content = el.querySelector('.monaco-list-rows')?.getBoundingClientRect().height ?? 0;
                return content <= el.getBoundingClientRect().height + 1;
            })
            .catch(() => true);
        if (fits || (round > 0 && byIndex.size === known)) {
            break;
        }
        const box = await list.boundingBox();
        if (!box) {
            break;
        }
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await page.mouse.wheel(0, box.height / 2);
        await page.waitForTimeout(150);
    }
    return [...byIndex.values()]
        .filter((row) => row.level === '2')
        .sort((a, b) => a.index - b.index)
        .map((row) => {
            const m = /Ln (\d+), Col (\d+)/.exec(row.position);
            return { ...row, line: m ? Number(m[1]) : -1, column: m ? Number(m[2]) : -1 };
        });
}

function describeMarkers(markers) {
    return markers.map((m) => `  ${m.severity} ${m.source}(${m.code}) [Ln ${m.line}, Col ${m.column}] ${m.message}`).join('\n');
}

/** Checks that the plan-lsp findings are exactly `expected`, each once, and no finding is shown twice. */
function checkProblems(markers, expected) {
    const problems = [];
    const seen = new Map();
    for (const m of markers) {
        const key = `${m.source}|${m.code}|${m.line}|${m.column}|${m.message}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    for (const [key, count] of seen) {
        if (count > 1) {
            problems.push(`shown ${count} times: ${key}`);
        }
    }
    const ours = markers.filter((m) => m.source === 'plan-lsp');
    for (const e of expected) {
        const matching = ours.filter((m) => m.code === e.code && m.line === e.line);
        if (matching.length !== 1) {
            problems.push(`expected exactly one ${e.code} on line ${e.line}, found ${matching.length}`);
            continue;
        }
        const [m] = matching;
        if (m.severity !== e.severity) {
            problems.push(`${e.code} on line ${e.line} is ${m.severity}, expected ${e.severity}`);
        }
        if (!m.message.includes(e.message)) {
            problems.push(`${e.code} on line ${e.line}: message "${m.message}" does not mention ${e.message}`);
        }
    }
    for (const m of ours) {
        if (!expected.some((e) => e.code === m.code && e.line === m.line)) {
            problems.push(`unexpected finding: ${m.code} on line ${m.line}: ${m.message}`);
        }
    }
    return problems;
}

async function waitForProblems(expected, what) {
    let markers = [];
    let problems = [];
    try {
        await poll(what, async () => {
            markers = await readProblems();
            problems = checkProblems(markers, expected);
            return problems.length === 0;
        }, 45_000, 1000);
    } catch (error) {
        throw new Error(`${error.message}\n${problems.join('\n')}\nthe Problems panel shows:\n${describeMarkers(markers)}`);
    }
    // Stable: read again after a pause, so a late second copy (pushed and
    // pulled diagnostics both shown) is caught too.
    await page.waitForTimeout(3000);
    markers = await readProblems();
    problems = checkProblems(markers, expected);
    assert.deepEqual(problems, [], `the Problems panel changed:\n${describeMarkers(markers)}`);
    log(`Problems panel:\n${describeMarkers(markers)}`);
    return markers;
}

async function suggestions() {
    return page.$$eval('.editor-widget.suggest-widget.visible .monaco-list-row', (rows) =>
        rows.map((row) => ({
            label: row.querySelector('.label-name')?.textContent?.trim() ?? '',
            aria: row.getAttribute('aria-label') ?? '',
            focused: row.classList.contains('focused'),
        })),
    );
}

async function actionWidgetRows() {
    return page.$$eval('.action-widget .monaco-list-row', (rows) =>
        rows.map((row) => ({
            label: row.getAttribute('aria-label') ?? row.textContent?.trim() ?? '',
            action: row.classList.contains('action'),
            focused: row.classList.contains('focused'),
        })),
    );
}

/** Opens the Source Action menu and picks the action titled `title` (with the keyboard). */
async function runSourceAction(title) {
    let rows = [];
    // VS Code cancels its code-action request when the editor changes under
    // it (focus returning from the palette, a lightbulb request): the menu
    // then says "No source actions available". A user asks again; so do we.
    for (let attempt = 1; ; attempt++) {
        await focusEditor();
        await runCommand('Source Action...');
        try {
            await poll(`"${title}" in the Source Action menu`, async () => {
                rows = await actionWidgetRows();
                return rows.some((r) => r.action && r.label === title);
            }, 8_000, 200);
            break;
        } catch (error) {
            const message = `${error.message}; the menu has: ${JSON.stringify(rows.map((r) => r.label))}`;
            if (attempt === 3) {
                throw new Error(message);
            }
            log(`attempt ${attempt}: ${message}; asking again`);
            await page.keyboard.press('Escape');
        }
    }
    log(`source actions offered: ${rows.filter((r) => r.action).map((r) => r.label).join(' | ')}`);
    for (let i = 0; i <= rows.length; i++) {
        rows = await actionWidgetRows();
        if (rows.some((r) => r.focused && r.label === title)) {
            await page.keyboard.press('Enter');
            await page.locator('.action-widget').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
            return;
        }
        await page.keyboard.press('ArrowDown');
        await page.waitForTimeout(100);
    }
    throw new Error(`could not focus "${title}" in the Source Action menu: ${JSON.stringify(rows)}`);
}

// --- keyboard steps: helpers -----------------------------------------------------------

/** Runs the plan-lsp CLI under test; returns its stdout. */
function cli(args, { cwd, okStatus = [0] } = {}) {
    const run = spawnSync(PLAN_LSP, args, { encoding: 'utf8', cwd, timeout: 30_000 });
    assert.ok(okStatus.includes(run.status), `plan-lsp ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
    return run.stdout;
}

/** What `plan-lsp fix FILE` writes for `text` (on a copy in a temporary folder). */
function cliFix(text, name) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-lsp-e2e-fix-'));
    try {
        const file = path.join(dir, name);
        fs.writeFileSync(file, text);
        cli(['fix', file], { cwd: dir, okStatus: [0, 1] });
        return fs.readFileSync(file, 'utf8');
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function keyboardFile(name) {
    return path.join(KEYBOARD, name);
}

function readKeyboardFile(name) {
    return fs.readFileSync(keyboardFile(name), 'utf8');
}

/** Where two texts first differ, line by line, for a failure message. */
function describeDifference(actual, expected) {
    const a = actual.split('\n');
    const e = expected.split('\n');
    for (let i = 0; i < Math.max(a.length, e.length); i++) {
        if (a[i] !== e[i]) {
            const show = (lines) => lines.slice(Math.max(0, i - 2), i + 3).map((l, k) => `    ${Math.max(0, i - 2) + k + 1}: ${JSON.stringify(l)}`).join('\n');
            return `first difference on line ${i + 1} (${actual.length} bytes, expected ${expected.length}):\n  expected:\n${show(e)}\n  actual:\n${show(a)}`;
        }
    }
    return `same lines, different bytes (${actual.length} vs ${expected.length})`;
}

/**
 * The file's text once two reads 150 ms apart agree: VS Code writes a file
 * by truncating it first, so a read during a save can see it empty (and, on
 * a busy machine, twice): an empty file counts only once it has stayed
 * empty for a second.
 */
async function readSettled(file) {
    let text = fs.readFileSync(file, 'utf8');
    let emptyFor = 0;
    for (let i = 0; i < 40; i++) {
        await page.waitForTimeout(150);
        const again = fs.readFileSync(file, 'utf8');
        emptyFor = again === '' && text === '' ? emptyFor + 1 : 0;
        if (again === text && (text !== '' || emptyFor >= 7)) {
            return text;
        }
        text = again;
    }
    return text;
}

/**
 * Saves the active editor (Ctrl+S) until the file on disk is byte for byte
 * `expected` (edits the server applies afterwards, e.g. the finishCompletion
 * command's workspace/applyEdit, may still be on their way), then checks
 * that it stays so.
 */
async function expectSavedText(file, expected, what, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    // Ctrl+S, then a short wait for the tab to be clean: an edit that lands
    // just after the save makes it dirty again, and the next round saves again.
    const saveOnce = async () => {
        await page.keyboard.press('Control+S');
        await poll('the editor to be saved', async () => (await page.locator('.tabs-container .tab.active.dirty').count()) === 0, 3_000, 100).catch(() => {});
    };
    let actual;
    for (;;) {
        await saveOnce();
        actual = await readSettled(file);
        if (actual === expected) {
            break;
        }
        if (Date.now() > deadline) {
            throw new Error(`${what}: the saved file is not the expected text; ${describeDifference(actual, expected)}`);
        }
        await page.waitForTimeout(500);
    }
    await page.waitForTimeout(1500);
    await saveOnce();
    actual = await readSettled(file);
    if (actual !== expected) {
        throw new Error(`${what}: the file changed again after it was right; ${describeDifference(actual, expected)}`);
    }
}

/** Asks for completion with Ctrl+Space (closing first what typing opened) until `ready(labels)`. */
async function requestSuggestions(ready, what) {
    await page.keyboard.press('Escape');
    await page.waitForTimeout(200);
    await page.keyboard.press('Control+Space');
    let rows = [];
    try {
        await poll(what, async () => {
            rows = await suggestions();
            return ready(rows.map((r) => r.label));
        }, 20_000, 200);
    } catch (error) {
        throw new Error(`${error.message}; offered: ${JSON.stringify(rows.map((r) => r.label))}`);
    }
    // Let the list settle (a second response, the selection).
    await page.waitForTimeout(400);
    rows = await suggestions();
    log(`offered: ${rows.map((r) => (r.focused ? `[${r.label}]` : r.label)).join(', ')}`);
    return rows;
}

/** Moves the selection in the suggest widget down to `label` and accepts it with Enter. */
async function acceptSuggestion(label) {
    for (let i = 0; i < 40; i++) {
        const rows = await suggestions();
        if (rows.some((r) => r.focused && r.label === label)) {
            await page.keyboard.press('Enter');
            await page.locator('.editor-widget.suggest-widget.visible').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
            return;
        }
        await page.keyboard.press('ArrowDown');
        await page.waitForTimeout(80);
    }
    throw new Error(`could not select "${label}" in the suggestions: ${JSON.stringify(await suggestions())}`);
}

/** Every label in the open suggest widget (it renders only the rows in view: page through them). */
async function allSuggestionLabels() {
    const byIndex = new Map();
    let lastFocused = -1;
    for (let i = 0; i < 50; i++) {
        const rows = await page.$$eval('.editor-widget.suggest-widget.visible .monaco-list-row', (nodes) =>
            nodes.map((row) => ({
                index: Number(row.getAttribute('data-index')),
                label: row.querySelector('.label-name')?.textContent?.trim() ?? '',
                focused: row.classList.contains('focused'),
            })),
        );
        for (const row of rows) {
            byIndex.set(row.index, row.label);
        }
        const focused = rows.find((r) => r.focused)?.index ?? -1;
        if (focused === lastFocused) {
            break;
        }
        lastFocused = focused;
        await page.keyboard.press('PageDown');
        await page.waitForTimeout(100);
    }
    return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, label]) => label);
}

async function focusedSuggestion() {
    return (await suggestions()).find((r) => r.focused)?.label;
}

/** Each code lens on its own (several on one line read "A | B | C" in codeLensTitles). */
async function codeLenses() {
    return page.$$eval('.editor-instance .monaco-editor .codelens-decoration a', (nodes) =>
        nodes.map((n) => (n.textContent ?? '').replace(/\u00a0/g, ' ').trim()),
    );
}

async function codeLensTitles() {
    return page.$$eval('.editor-instance .monaco-editor .codelens-decoration', (nodes) =>
        nodes.map((n) => (n.textContent ?? '').replace(/\u00a0/g, ' ').trim()),
    );
}

/** Opens the quick-fix menu (Ctrl+.) at the cursor; returns its action rows once they are there. */
async function openQuickFixMenu(ready, what) {
    let rows = [];
    for (let attempt = 1; ; attempt++) {
        await page.keyboard.press('Control+.');
        try {
            await poll(what, async () => {
                rows = (await actionWidgetRows()).filter((r) => r.action);
                return ready(rows.map((r) => r.label));
            }, 8_000, 200);
            break;
        } catch (error) {
            const message = `${error.message}; the menu has: ${JSON.stringify(rows.map((r) => r.label))}`;
            if (attempt === 3) {
                throw new Error(message);
            }
            log(`attempt ${attempt}: ${message}; asking again`);
            await page.keyboard.press('Escape');
        }
    }
    await page.waitForTimeout(400);
    return (await actionWidgetRows()).filter((r) => r.action);
}

/** In the open action menu, arrows down to `title` and presses Enter. */
async function pickAction(title) {
    for (let i = 0; i < 40; i++) {
        const rows = await actionWidgetRows();
        if (rows.some((r) => r.focused && r.label === title)) {
            await page.keyboard.press('Enter');
            await page.locator('.action-widget').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
            return;
        }
        await page.keyboard.press('ArrowDown');
        await page.waitForTimeout(100);
    }
    throw new Error(`could not focus "${title}" in the menu: ${JSON.stringify(await actionWidgetRows())}`);
}

/** A line of the Decision Validation box: 60 columns between the borders. */
function boxLine(content) {
    return `│${content.padEnd(60)}│`;
}

function replaceOnce(text, from, to) {
    const at = text.indexOf(from);
    assert.ok(at >= 0, `the fixture has ${JSON.stringify(from)}`);
    assert.equal(text.indexOf(from, at + 1), -1, `the fixture has ${JSON.stringify(from)} once`);
    return text.slice(0, at) + to + text.slice(at + from.length);
}

/** 1-based number of the line that is exactly `line` in `text`. */
function lineNumber(text, line) {
    const index = text.split('\n').indexOf(line);
    assert.ok(index >= 0, `the fixture has the line ${JSON.stringify(line)}`);
    return index + 1;
}

// --- deploy steps: helpers -------------------------------------------------------------

/** The clean production plan of the repository's examples, deployed in the deploy steps. */
const PRODUCTION_PLAN = path.join(REPO, 'examples', 'production', 'docs', 'deployment.md');
const DEPLOY_PLAN = path.join(WORKSPACE, 'deploy', 'docs', 'deployment.md');
/** Where the server keeps the plan's state: beside the plan's docs/ folder. */
const DEPLOY_STATUS = path.join(WORKSPACE, 'deploy', 'status.md');
/** What the configured commands leave behind (they run in the workspace root). */
const MARKERS = path.join(WORKSPACE, '.e2e-deploy');

/**
 * The deploy command's script: it records each run, its process id, its
 * working directory and environment, prints a line, then (with the `slow`
 * marker) sleeps 30 s for the cancel step, and finishes after 2 s.
 */
const DEPLOY_SCRIPT = [
    'mkdir -p .e2e-deploy',
    'date -u +%Y-%m-%dT%H:%M:%SZ >> .e2e-deploy/runs',
    'echo $$ > .e2e-deploy/pid',
    '{ echo "PWD=$(pwd)"; env | grep -E "^(PLAN_[A-Z]+|STATUS_FILE)=" | sort; } > .e2e-deploy/env',
    'echo "e2e: deploying $PLAN_ENV"',
    'if [ -f .e2e-deploy/slow ]; then echo "e2e: sleeping"; sleep 30 & echo $! > .e2e-deploy/sleep.pid; wait $!; fi',
    'sleep 2',
    'echo "e2e: deploy finished"',
].join('; ');
const ROLLBACK_SCRIPT = 'mkdir -p .e2e-deploy; date -u +%Y-%m-%dT%H:%M:%SZ >> .e2e-deploy/rollbacks; echo "e2e: rolling back $PLAN_ENV"; sleep 1';

/** `.plan-lsp.toml` with the two commands (a JSON string is a TOML basic string). */
function deployConfig(deployScript, rollbackScript) {
    return [
        '# Written by the plan-lsp e2e test.',
        '[deploy]',
        `command = ["sh", "-c", ${JSON.stringify(deployScript)}]`,
        'timeout = "2m"',
        '',
        '[rollback]',
        `command = ["sh", "-c", ${JSON.stringify(rollbackScript)}]`,
        '',
    ].join('\n');
}

/** The production example with an `Approved:` line in its Decision Validation box (as Approve writes it). */
function approvedProductionPlan() {
    const text = fs.readFileSync(PRODUCTION_PLAN, 'utf8');
    const recommendation = text.split('\n').find((l) => l.startsWith('│ Recommendation:'));
    assert.ok(recommendation, 'the production example has a Recommendation in its box');
    return replaceOnce(text, `${recommendation}\n`, `${recommendation}\n${boxLine(' Approved: 2026-12-01T09:00:00Z')}\n`);
}

function markerLines(name) {
    try {
        return fs.readFileSync(path.join(MARKERS, name), 'utf8').split('\n').filter((l) => l !== '');
    } catch {
        return [];
    }
}

/** The fields of status.md's Deployment State. */
function deploymentState(text) {
    const get = (key) => new RegExp(`^- ${key}:[ \\t]*(.*)$`, 'm').exec(text)?.[1]?.trim();
    return { environment: get('Environment'), lastDeploy: get('Last Deploy'), status: get('Status'), version: get('Version') };
}

/**
 * The server's result messages (window/showMessage), one per run: "plan-lsp:
 * Deploy to production succeeded; …/status.md records deployed", the Error
 * "… failed: `argv` …; …/status.md records failed", and the rollback's
 * "Roll back production succeeded; … records rolledback".
 */
const DEPLOYED = /Deploy to production( \(version [^)]*\))? succeeded; .* records deployed$/;
const DEPLOY_FAILED = /Deploy to production( \(version [^)]*\))? failed: /;
const ROLLED_BACK = /Roll back production( \(version [^)]*\))? succeeded; .* records rolledback$/;

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Whether a process runs (a zombie, waiting for its parent to reap it, does not). */
function processRuns(pid) {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
        return state !== 'Z' && state !== 'X';
    } catch {
        return false;
    }
}

/** Notifications as toasts, and in the notification center when it is open. */
const NOTIFICATION_ITEMS = '.notifications-toasts .notification-list-item, .notifications-center .notification-list-item';

/** The notifications on screen: message, buttons, whether they show a running progress. */
async function notifications() {
    return page.$$eval(NOTIFICATION_ITEMS, (items) =>
        items.map((item) => ({
            message: (item.querySelector('.notification-list-item-message')?.textContent ?? '').trim(),
            buttons: [...item.querySelectorAll('.notification-list-item-buttons-container .monaco-button')].map((b) => (b.textContent ?? '').trim()),
            // The item's progress bar (beside it in its row): "monaco-progress-container
            // active infinite" while a progress runs, "… done" (hidden) otherwise.
            progress: (() => {
                const bar = item.parentElement?.querySelector('.monaco-progress-container') ?? null;
                return bar !== null && bar.classList.contains('active') && !bar.classList.contains('done');
            })(),
            severity: ['error', 'warning', 'info'].find((s) => item.querySelector(`.codicon-${s}`) !== null) ?? '',
            toast: item.closest('.notifications-toasts') !== null,
        })),
    );
}

async function waitForNotification(what, match, timeoutMs = 30_000) {
    let seen = [];
    try {
        return await poll(what, async () => {
            seen = await notifications();
            return seen.find(match);
        }, timeoutMs, 150);
    } catch (error) {
        throw new Error(`${error.message}; the notifications read: ${JSON.stringify(seen)}`);
    }
}

function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Clicks, with the mouse, the button `label` of the (visible) notification showing `text`. */
async function clickNotificationButton(text, label) {
    const button = (scope) => scope.locator('.notification-list-item-buttons-container .monaco-button', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) });
    const item = page.locator(NOTIFICATION_ITEMS).filter({ hasText: text, visible: true }).filter({ has: button(page) }).first();
    await button(item).first().click({ timeout: 10_000 });
}

async function clearNotifications() {
    await runCommand('Notifications: Clear All Notifications');
    await poll('the notifications to be cleared', async () => (await notifications()).length === 0, 5_000, 200).catch(() => {});
}

/** The plan-lsp output channel as VS Code logs it (the client's outputChannel, where window/logMessage goes). */
function outputChannelText(userData = USER_DATA) {
    return findFiles(path.join(userData, 'logs'), (f) => path.basename(f).endsWith('plan-lsp.log'))
        .map((f) => fs.readFileSync(f, 'utf8'))
        .join('\n');
}

const statusTabDirty = async () => (await page.locator('.tabs-container .tab.dirty[aria-label^="status.md"]').count()) > 0;

/**
 * Waits for status.md on disk to have `Status: <status>`. The extension
 * saves the edit of a status.md that is not open; one open in an editor
 * keeps it unsaved, and is saved here as a user saves it (Ctrl+S).
 */
async function waitForSavedStatus(status, timeoutMs = 40_000) {
    let text = '';
    try {
        return await poll(`"Status: ${status}" in status.md on disk`, async () => {
            text = fs.existsSync(DEPLOY_STATUS) ? fs.readFileSync(DEPLOY_STATUS, 'utf8') : '';
            if (deploymentState(text).status === status && !(await statusTabDirty())) {
                return text;
            }
            if (await statusTabDirty()) {
                await openFile('deploy/status.md');
                await save();
            }
            return undefined;
        }, timeoutMs, 500);
    } catch (error) {
        throw new Error(`${error.message}; status.md ${fs.existsSync(DEPLOY_STATUS) ? `reads:\n${text}` : 'does not exist'}`);
    }
}

function checkDeploymentState(text, status, since) {
    const state = deploymentState(text);
    assert.equal(state.status, status, `Status in:\n${text}`);
    assert.equal(state.environment, 'production', `Environment in:\n${text}`);
    assert.match(state.lastDeploy ?? '', RFC3339, `Last Deploy is an RFC 3339 date-time in:\n${text}`);
    const at = Date.parse(state.lastDeploy);
    assert.ok(at >= since - 60_000 && at <= Date.now() + 60_000, `Last Deploy ${state.lastDeploy} is now`);
    return state;
}

/** Runs Deploy from the command palette and returns the confirmation notification once it shows. */
async function deployFromPalette(command = 'plan-lsp: Deploy', confirmation = /^(?:plan-lsp: )?Deploy to production/) {
    await clearNotifications();
    await openFile('deploy/docs/deployment.md');
    await focusEditor();
    await runCommand(command);
    const shown = await waitForNotification(`the confirmation of "${command}"`, (n) => confirmation.test(n.message) && n.buttons.includes('Cancel') && !n.progress);
    log(`confirmation: ${shown.message} [${shown.buttons.join('] [')}]`);
    return shown;
}

/** The lines "Starting <path> (found via <source>)" of the extension's "plan-lsp" output, in order. */
function serverStarts(userData = USER_DATA) {
    const files = findFiles(path.join(userData, 'logs'), (f) => /(^|-)plan-lsp\.log$/.test(path.basename(f))).sort();
    return files
        .flatMap((f) => fs.readFileSync(f, 'utf8').split('\n'))
        .map((line) => /^Starting (.+) \(found via (\w+)\)$/.exec(line))
        .filter((m) => m !== null)
        .map((m) => ({ path: m[1], source: m[2] }));
}

/**
 * The executables of the running plan-lsp processes that code-server started
 * (from /proc: those with its CARGO_HOME in their environment; other
 * plan-lsp processes on the machine are not the test's).
 */
function runningServers() {
    const exes = [];
    for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
        try {
            const exe = fs.readlinkSync(`/proc/${pid}/exe`);
            if (!/^plan-lsp( \(deleted\))?$/.test(path.basename(exe))) {
                continue;
            }
            const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
            if (environ.includes(`CARGO_HOME=${CS_CARGO_HOME}`)) {
                exes.push(exe);
            }
        } catch {
            // gone, or not ours to read
        }
    }
    return exes;
}

/**
 * The server the extension started last is the one bundled in the .vsix
 * (found via "bundled", under the extensions folder), and it is running.
 */
async function checkBundledServer(userData = USER_DATA) {
    const start = await poll('the extension\'s "Starting ..." line in its output', async () => serverStarts(userData).at(-1), 20_000, 500);
    log(`server started: ${start.path} (found via ${start.source})`);
    assert.equal(start.source, 'bundled', `the server is found via the bundled binary, not ${start.source}`);
    assert.ok(start.path.startsWith(EXTENSIONS + path.sep) && start.path.endsWith(`${path.sep}server${path.sep}plan-lsp`), `${start.path} is the extension's server/plan-lsp`);
    const running = await poll('a running bundled plan-lsp', async () => {
        const exes = runningServers();
        return exes.some((exe) => exe === start.path) ? exes : undefined;
    }, 20_000, 500);
    const others = running.filter((exe) => !exe.startsWith(EXTENSIONS + path.sep));
    assert.deepEqual(others, [], 'code-server runs no plan-lsp from elsewhere');
}

// --- the test ----------------------------------------------------------------------

// --- template kind steps: helpers ------------------------------------------------------

/** The repository's postmortem template (a team template in the seed's notation). */
const POSTMORTEM_TEMPLATE = path.join(REPO, 'tests', 'fixtures', 'templates', 'postmortem.md');
/** The postmortem documents of the template kind steps, copied into the workspace. */
const TEMPLATE_KIND_FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'template-kind');
const POSTMORTEM_DOC = path.join(WORKSPACE, 'postmortems', 'db.md');
/**
 * The `[[kinds]]` entry for the postmortem kind. It goes before the
 * `[deploy]` table the deploy steps wrote, so a key appended at the end of
 * the file (the toml step) still lands in `[rollback]`.
 */
const POSTMORTEM_KIND = [
    '[[kinds]]',
    'name = "postmortem"',
    'template = "templates/postmortem.md"',
    'include = ["postmortems/**/*.md"]',
    '',
].join('\n');

/**
 * Types `text` into the Problems panel's filter box: with workspace
 * diagnostics the panel lists every plan of the workspace, and a glob of
 * one file's path keeps that file's rows; '' shows them all again.
 */
async function filterProblems(text) {
    await showProblems();
    const input = page.locator('.markers-panel-container input[aria-label="Filter Problems"], input[aria-label="Filter Problems"]').first();
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(text);
    await page.waitForTimeout(700);
}

async function main() {
    const original = readPlan();
    browser = await chromium.launchPersistentContext(env('E2E_CHROMIUM_PROFILE'), {
        executablePath: env('E2E_CHROMIUM'),
        headless: true,
        args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
            '--disable-quic',
            '--disable-dev-shm-usage',
        ],
        viewport: { width: 1600, height: Number(process.env.E2E_VIEWPORT_HEIGHT ?? 1200) },
        timeout: STEP_TIMEOUT_MS,
    });
    browser.setDefaultTimeout(STEP_TIMEOUT_MS);
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('pageerror', (error) => log(`page error: ${error.message.split('\n')[0]}`));

    await step('open VS Code', async () => {
        await page.goto(`${URL}/?folder=${encodeURIComponent(WORKSPACE)}`, { timeout: STEP_TIMEOUT_MS });
        await page.locator('.monaco-workbench').waitFor({ timeout: STEP_TIMEOUT_MS });
        await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: STEP_TIMEOUT_MS });
    }, { critical: true });

    await step('open docs/deployment.md', async () => {
        await openFile('docs/deployment.md');
    }, { critical: true });

    await step('Problems panel shows each expected finding exactly once', async () => {
        await waitForProblems(EXPECTED_INITIAL, 'the initial findings');
    });

    await step('the server bundled in the .vsix (server/plan-lsp) serves them: no plan-lsp on PATH, no planLsp.server.path', async () => {
        await checkBundledServer();
    });

    await step('completion after "- Strategy: " in ### Production', async () => {
        const line = readPlan().split('\n').indexOf('- Strategy: ') + 1;
        assert.equal(line, 31, 'the fixture has an empty production strategy on line 31');
        await goToLine(line, '- Strategy: '.length + 1);
        await page.keyboard.press('End');
        await page.keyboard.press('Control+Space');
        let offered = [];
        try {
            await poll('Blue-Green, Canary, Rolling and Shadow (from planLsp.values) in the suggestions', async () => {
                offered = (await suggestions()).map((s) => s.label);
                return ['Blue-Green', 'Canary', 'Rolling', 'Shadow'].every((v) => offered.includes(v));
            }, 30_000, 300);
        } catch (error) {
            throw new Error(`${error.message}; offered: ${JSON.stringify(offered)}`);
        }
        log(`offered: ${offered.join(', ')}`);
        // Pick Canary by filtering, then accept it.
        await page.keyboard.type('Can');
        await poll('Canary focused', async () => (await suggestions()).some((s) => s.focused && s.label === 'Canary'), 10_000, 200);
        await page.keyboard.press('Enter');
        await save();
        const lines = readPlan().split('\n');
        assert.equal(lines[line - 1], '- Strategy: Canary', 'the accepted completion writes the value');
        assert.deepEqual(
            lines.filter((_, i) => i !== line - 1),
            original.split('\n').filter((_, i) => i !== line - 1),
            'nothing else changed',
        );
    });

    await step('source action "Insert Deployment Checklist"', async () => {
        const before = readPlan();
        await runSourceAction('Insert Deployment Checklist');
        await poll('the checklist in the editor', async () => (await page.locator('.tabs-container .tab.active.dirty').count()) > 0, 15_000, 200);
        await save();
        const after = readPlan();
        const lines = after.split('\n').map((l) => l.trimEnd());
        let at = lines.indexOf('## Deployment Checklist');
        assert.ok(at > lines.indexOf('## Rollback Plan'), `the checklist follows the Rollback Plan:\n${after}`);
        for (const item of CHECKLIST) {
            const found = lines.indexOf(item, at);
            assert.ok(found >= at, `"${item}" in order in:\n${after}`);
            at = found;
        }
        assert.equal(lines.filter((l) => l === '## Deployment Checklist').length, 1, 'inserted once');
        // Every line of the plan is still there, in order.
        let from = 0;
        for (const original of before.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '')) {
            const found = lines.indexOf(original, from);
            assert.ok(found >= 0, `"${original}" is kept`);
            from = found + 1;
        }
    });

    await step('source action "Fix all safe plan-lsp findings"', async () => {
        await runSourceAction('Fix all safe plan-lsp findings');
        await poll('the fixes in the editor', async () => (await page.locator('.tabs-container .tab.active.dirty').count()) > 0, 15_000, 200);
        await save();
        const text = readPlan();
        assert.ok(text.includes('\n- Approval: Auto\n'), `auto is written Auto:\n${text}`);
        assert.ok(text.includes('\n- Strategy: Canary\n'));
    });

    await step('Problems panel follows the edits', async () => {
        await waitForProblems(EXPECTED_FINAL, 'the findings after the edits');
    });

    const settingsFile = path.join(WORKSPACE, '.vscode', 'settings.json');
    const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
    const writeSettings = (changes) =>
        fs.writeFileSync(settingsFile, JSON.stringify({ ...settings, ...changes }, null, 2) + '\n');

    await step('diagnostics are pulled, never pushed, to VS Code', async () => {
        // The workspace sets planLsp.trace.server to verbose: the client logs
        // every message to the "plan-lsp Trace" output, which VS Code keeps
        // in its logs folder.
        const trace = await poll('the plan-lsp protocol trace', async () => {
            const files = findFiles(path.join(USER_DATA, 'logs'), (f) => f.endsWith('plan-lsp Trace.log'));
            const text = files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
            return text.includes("Received response 'initialize") ? text : undefined;
        }, 20_000, 500);
        const pulls = (trace.match(/Sending request 'textDocument\/diagnostic/g) ?? []).length;
        const pushes = (trace.match(/Received notification 'textDocument\/publishDiagnostics'/g) ?? []).length;
        log(`protocol trace: ${pulls} textDocument/diagnostic requests, ${pushes} publishDiagnostics notifications`);
        assert.ok(/"diagnosticProvider"/.test(trace), 'the server advertises pull diagnostics (diagnosticProvider) to VS Code, which supports them');
        assert.ok(pulls > 0, 'VS Code pulls diagnostics');
        assert.equal(pushes, 0, 'a server that is pulled from must not also push');
    });

    await step('a settings change reaches the running server', async () => {
        writeSettings({ 'planLsp.rules': { ...settings['planLsp.rules'], placeholder: 'off' } });
        await waitForProblems(EXPECTED_FINAL.filter((f) => f.code !== 'placeholder'), 'placeholder findings to be turned off');
    });

    await step('a wrong server path is reported, and fixing it restarts the server', async () => {
        writeSettings({ 'planLsp.server.path': '/nonexistent/plan-lsp' });
        const toast = page.locator('.notifications-toasts .notification-list-item-message', { hasText: 'planLsp.server.path' });
        await toast.first().waitFor({ state: 'visible', timeout: 30_000 });
        const text = (await toast.first().textContent()) ?? '';
        log(`notification: ${text}`);
        assert.match(text, /\/nonexistent\/plan-lsp/);
        assert.match(text, /cargo install/);
        writeSettings({});
        await waitForProblems(EXPECTED_FINAL, 'the findings from the restarted server');
        // Back to no setting: the bundled server again.
        await checkBundledServer();
    });

    // --- keyboard steps ------------------------------------------------------------
    // What a user does with the keyboard only (type, Ctrl+Space, arrows or
    // typing to filter, Enter; Ctrl+. and Source Action... from the command
    // palette), each checked byte for byte on the saved file. Numbered after
    // the rows of the issue they guard against.

    await step('keyboard: the keyboard fixtures are in the workspace', async () => {
        fs.cpSync(KEYBOARD_FIXTURES, KEYBOARD, { recursive: true });
        assert.equal(readKeyboardFile('new/docs/deployment.md'), '');
    }, { critical: true });

    await step('keyboard 1: Ctrl+Space in an empty docs/deployment.md offers the plan templates once, no snippet copies', async () => {
        await openFile('keyboard/new/docs/deployment.md');
        await focusEditor();
        await requestSuggestions((labels) => labels.includes('Deployment Plan (staging)'), 'the plan templates in the suggestions');
        const labels = await allSuggestionLabels();
        await page.keyboard.press('Escape');
        log(`all suggestions: ${labels.join(', ')}`);
        const problems = [];
        for (const wanted of ['Deployment Plan (staging)', 'Deployment Plan (production)']) {
            if (labels.filter((l) => l === wanted).length !== 1) {
                problems.push(`"${wanted}" is not offered exactly once`);
            }
        }
        // The contract: a file named deployment.md gets only the two plan items.
        if (labels.includes('Deployment State (status.md)')) {
            problems.push('the status.md template is offered in deployment.md');
        }
        // The snippets the extension used to contribute next to the server's templates.
        for (const copy of ['deployment-plan', 'plan', 'decision-validation', 'validation-box', 'deployment-checklist', 'checklist', 'exit-criteria', 'status-sections', 'deployment-state']) {
            if (labels.includes(copy)) {
                problems.push(`the snippet "${copy}" duplicates a server template`);
            }
        }
        assert.deepEqual(problems, [], `offered: ${JSON.stringify(labels)}`);
    });

    await step('keyboard 1: accepting "Deployment Plan (staging)" in the empty docs/deployment.md writes `plan-lsp new deployment --env staging`', async () => {
        // (Plain `plan-lsp new deployment` leaves the placeholder `[staging/production]`.)
        const expected = cli(['new', 'deployment', '--env', 'staging']);
        await focusEditor();
        await requestSuggestions((labels) => labels.includes('Deployment Plan (staging)'), 'the plan templates in the suggestions');
        await acceptSuggestion('Deployment Plan (staging)');
        await expectSavedText(keyboardFile('new/docs/deployment.md'), expected, 'the accepted template');
    });

    await step('keyboard 2: in the box, "Hig" + Ctrl+Space + Enter gives High with the right border in its column', async () => {
        const name = 'box-typed.md';
        const before = readKeyboardFile(name);
        const line = boxLine('   Risk:');
        const expected = replaceOnce(before, line, boxLine('   Risk: High'));
        await openFile(`keyboard/${name}`);
        await goToLine(lineNumber(before, line), '│   Risk: '.length + 1);
        await page.keyboard.type('Hig');
        const rows = await requestSuggestions((labels) => labels.length > 0, 'suggestions for "Hig"');
        const focused = rows.find((r) => r.focused)?.label;
        await page.keyboard.press('Enter');
        try {
            await expectSavedText(keyboardFile(name), expected, `Enter with "${focused}" selected`);
        } catch (error) {
            throw new Error(`${error.message}\n(selected when Enter was pressed: ${JSON.stringify(focused)}; offered: ${JSON.stringify(rows.map((r) => r.label))})`);
        }
    });

    await step('keyboard 2: in the box, Ctrl+Space right after "Risk: " and picking High replaces the placeholder, border aligned', async () => {
        const name = 'box-placeholder.md';
        const before = readKeyboardFile(name);
        const line = boxLine('   Risk: [Low|Medium|High]');
        const expected = replaceOnce(before, line, boxLine('   Risk: High'));
        await openFile(`keyboard/${name}`);
        await goToLine(lineNumber(before, line), '│   Risk: '.length + 1);
        await requestSuggestions((labels) => ['Low', 'Medium', 'High'].every((v) => labels.includes(v)), 'Low, Medium, High in the suggestions');
        await acceptSuggestion('High');
        await expectSavedText(keyboardFile(name), expected, 'High accepted over the placeholder');
    });

    await step('keyboard 3: "## Environment: " + Ctrl+Space + production keeps the space', async () => {
        const name = 'env.md';
        const before = readKeyboardFile(name);
        assert.equal(before.split('\n')[2], '', 'line 3 of env.md is empty');
        const expected = replaceOnce(before, '# Deployment Plan\n\n\n', '# Deployment Plan\n\n## Environment: production\n');
        await openFile(`keyboard/${name}`);
        await goToLine(3);
        await page.keyboard.type('## Environment: ');
        await requestSuggestions((labels) => labels.includes('staging') && labels.includes('production'), 'staging and production in the suggestions');
        await acceptSuggestion('production');
        await expectSavedText(keyboardFile(name), expected, 'production accepted after "## Environment: "');
    });

    await step('keyboard 4: "## " + typing "Exit" + Enter inserts the Exit Criteria section with a blank line before the next heading', async () => {
        const name = 'sections.md';
        const before = readKeyboardFile(name);
        const blank = lineNumber(before, '## Deployment Checklist') - 1;
        assert.equal(before.split('\n')[blank - 1], '', 'a blank line before ## Deployment Checklist');
        const expected = replaceOnce(
            before,
            '\n\n## Deployment Checklist\n',
            '\n\n## Exit Criteria\n' +
                '- [ ] Deployment tested (staging)\n' +
                '- [ ] Monitoring active\n' +
                '- [ ] Rollback validated\n' +
                '- [ ] Rollback strategy documented\n' +
                '\n## Deployment Checklist\n',
        );
        await openFile(`keyboard/${name}`);
        await goToLine(blank);
        // A new line between the blank one and the heading, then "## ".
        await page.keyboard.press('Enter');
        await page.keyboard.type('## ');
        await requestSuggestions((labels) => labels.includes('## Exit Criteria'), '## Exit Criteria in the suggestions');
        await page.keyboard.type('Exit');
        await poll('## Exit Criteria selected', async () => (await focusedSuggestion()) === '## Exit Criteria', 10_000, 200);
        await acceptSuggestion('## Exit Criteria');
        await expectSavedText(keyboardFile(name), expected, 'the accepted ## Exit Criteria');
    });

    await step('keyboard 5: fix-all from the Source Action menu equals `plan-lsp fix` (all three missing items at once)', async () => {
        const name = 'fix-all.md';
        const before = readKeyboardFile(name);
        const expected = cliFix(before, name);
        for (const item of ['Security scan clean', 'Dependencies updated', 'Database migrations prepared']) {
            assert.ok(!before.includes(`- [ ] ${item}\n`) && expected.includes(`- [ ] ${item}\n`), `plan-lsp fix inserts "${item}"`);
        }
        await openFile(`keyboard/${name}`);
        await focusEditor();
        await runSourceAction('Fix all safe plan-lsp findings');
        await expectSavedText(keyboardFile(name), expected, 'the text after one fix-all');
    });

    await step('keyboard 6: the checklist lens reads "Pre-Deployment 2/5 — 2 missing" and follows an edit', async () => {
        const name = 'lens.md';
        const before = readKeyboardFile(name);
        const item = '- [ ] Rollback tested';
        const itemLine = lineNumber(before, item);
        await openFile(`keyboard/${name}`);
        await goToLine(lineNumber(before, '### Pre-Deployment'));
        let titles = [];
        try {
            await poll('the lens "Pre-Deployment 2/5 — 2 missing"', async () => {
                titles = await codeLensTitles();
                return titles.includes('Pre-Deployment 2/5 — 2 missing');
            }, 20_000, 300);
        } catch (error) {
            throw new Error(`${error.message}; the lenses read: ${JSON.stringify(titles)}`);
        }
        // Check the item: the space between the brackets becomes an x.
        await goToLine(itemLine, 4);
        await page.keyboard.press('Delete');
        await page.keyboard.type('x');
        await expectSavedText(keyboardFile(name), replaceOnce(before, item, '- [x] Rollback tested'), 'the checked item');
        try {
            await poll('the lens "Pre-Deployment 3/5 — 2 missing"', async () => {
                titles = await codeLensTitles();
                return titles.includes('Pre-Deployment 3/5 — 2 missing');
            }, 20_000, 300);
        } catch (error) {
            throw new Error(`${error.message}; the lenses read: ${JSON.stringify(titles)}`);
        }
    });

    await step('keyboard 6b: "- [" typed straight after "- " + Ctrl+Space inserts the missing item', async () => {
        // Typed in one go, the "[" usually stays alone ("- ["): VS Code closes
        // a bracket only when the line's tokens are at hand (it skips the
        // auto-close while its background tokenizer is behind). Either way,
        // the result must be the same.
        const name = 'item.md';
        const before = readKeyboardFile(name);
        const after = '- [ ] Rollback tested';
        const expected = replaceOnce(before, `${after}\n`, `${after}\n- [ ] Dependencies updated\n`);
        await openFile(`keyboard/${name}`);
        await goToLine(lineNumber(before, after), after.length + 1);
        await page.keyboard.press('Enter');
        await page.keyboard.type('- [');
        const rows = await requestSuggestions((labels) => labels.some((l) => l.includes('Dependencies updated')), 'the missing items in the suggestions');
        await acceptSuggestion(rows.find((r) => r.label.includes('Dependencies updated')).label);
        await expectSavedText(keyboardFile(name), expected, 'the item accepted after "- ["');
    });

    await step('keyboard 6c: "- [" auto-closed by VS Code to "- []" + Ctrl+Space inserts the missing item without a stray "]"', async () => {
        // With no suggestions open (Escape after "- "), Markdown's
        // auto-closing pairs make the typed "[" read "[]", the cursor
        // between: the "]" after the cursor must go.
        const name = 'item.md';
        const before = readKeyboardFile(name);
        const after = '- [ ] Rollback tested';
        const expected = replaceOnce(before, `${after}\n`, `${after}\n- [ ] Database migrations prepared\n`);
        await openFile(`keyboard/${name}`);
        await goToLine(lineNumber(before, after), after.length + 1);
        await page.keyboard.press('Enter');
        await page.keyboard.type('- ');
        await page.keyboard.press('Escape');
        // VS Code closes a bracket only on a line its (background) tokenizer
        // has caught up with: typed quickly, "[" stays alone. Pause, as a
        // user who stops to think does, and type it again until it closes.
        const closed = replaceOnce(before, `${after}\n`, `${after}\n- []\n`);
        for (let attempt = 1; ; attempt++) {
            await page.waitForTimeout(1000);
            await page.keyboard.type('[');
            try {
                await expectSavedText(keyboardFile(name), closed, 'VS Code closing the "["', 2_000);
                break;
            } catch (error) {
                if (attempt === 3) {
                    throw error;
                }
                log(`attempt ${attempt}: the "[" was not closed; typing it again`);
                await page.keyboard.press('Backspace');
            }
        }
        const rows = await requestSuggestions((labels) => labels.some((l) => l.includes('Database migrations prepared')), 'the missing items in the suggestions');
        await acceptSuggestion(rows.find((r) => r.label.includes('Database migrations prepared')).label);
        await expectSavedText(keyboardFile(name), expected, 'the item accepted inside "[]"');
    });

    await step('keyboard 7: the quick-fix menu (Ctrl+.) lists each title once; its "Ignore missing-checklist-item" writes one comment', async () => {
        const name = 'checklist.md';
        const before = readKeyboardFile(name);
        const heading = '### Pre-Deployment';
        const ignore = 'Ignore missing-checklist-item on this line';
        await openFile(`keyboard/${name}`);
        await goToLine(lineNumber(before, heading), 1);
        // Wait for the findings before asking (the lightbulb needs them).
        await poll('the missing-checklist-item findings', async () => (await readProblems()).filter((m) => m.code === 'missing-checklist-item').length >= 3, 30_000, 500);
        await focusEditor();
        const rows = await openQuickFixMenu((labels) => labels.includes(ignore), `"${ignore}" in the quick-fix menu`);
        const titles = rows.map((r) => r.label);
        log(`quick fixes offered: ${titles.join(' | ')}`);
        const repeated = [...new Set(titles.filter((t, i) => titles.indexOf(t) !== i))];
        assert.deepEqual(repeated, [], `titles listed more than once: ${JSON.stringify(titles)}`);
        await pickAction(ignore);
        await expectSavedText(
            keyboardFile(name),
            replaceOnce(before, `\n${heading}\n`, `\n<!-- plan-lsp-disable-next-line missing-checklist-item -->\n${heading}\n`),
            'the ignore comment',
        );
    });

    await step('outline: a plan\'s Outline has two groups, the server\'s section tree and VS Code\'s Markdown headings', async () => {
        // VS Code asks every document-symbol provider of a Markdown file: the
        // built-in Markdown one (headings) and plan-lsp's (sections, with the
        // fields as properties). With two non-empty results the Outline shows
        // one group per provider, and Go to Symbol in Editor lists both. The
        // README says so; this step keeps it true.
        await openFile('keyboard/lens.md');
        await runCommand('Explorer: Focus on Outline View');
        let groups = [];
        await poll('the Outline groups', async () => {
            // Collapse the first group, so the second one's row is in view.
            await page.keyboard.press('Home');
            await page.keyboard.press('ArrowLeft');
            groups = await page.$$eval('.outline-pane .monaco-list-row[aria-level="1"]', (rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
            return groups.length >= 2;
        }, 15_000, 500).catch(() => {});
        log(`Outline groups: ${JSON.stringify(groups)}`);
        assert.deepEqual([...groups].sort(), ['Markdown Language Features', 'plan-lsp — Deployment Plans']);
        await focusEditor();
        await page.keyboard.press('Control+Shift+O');
        await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible', timeout: 15_000 });
        // The list shows only the rows in view: filter it (the input reads "@Hosting").
        await page.keyboard.type('Hosting');
        let symbols = [];
        await poll('the symbols in Go to Symbol in Editor', async () => {
            symbols = (await quickInputRows()).map((r) => r.aria);
            return symbols.some((s) => s.startsWith('Hosting')) && symbols.some((s) => s.startsWith('### Hosting'));
        }, 15_000, 300).catch(() => {});
        await page.keyboard.press('Escape');
        log(`Go to Symbol in Editor, "Hosting": ${symbols.join(' | ')}`);
        assert.ok(symbols.some((s) => s.startsWith('### Hosting')), `the Markdown heading "### Hosting" is listed: ${JSON.stringify(symbols)}`);
        assert.ok(symbols.some((s) => s.startsWith('Hosting (namespace)')), `the server's section "Hosting" is listed: ${JSON.stringify(symbols)}`);
    });

    // --- deploy steps ------------------------------------------------------------------
    // The workflow actions run for real (SPEC §11): .plan-lsp.toml configures
    // `sh -c <script>` as the deploy and rollback commands; the user runs
    // them from the command palette and answers the server's confirmation
    // and progress notifications with the mouse.

    await step('deploy: the workspace configures the deploy and rollback commands; a clean production plan is in deploy/', async () => {
        fs.rmSync(MARKERS, { recursive: true, force: true });
        fs.writeFileSync(path.join(WORKSPACE, '.plan-lsp.toml'), deployConfig(DEPLOY_SCRIPT, ROLLBACK_SCRIPT));
        fs.mkdirSync(path.dirname(DEPLOY_PLAN), { recursive: true });
        fs.copyFileSync(PRODUCTION_PLAN, DEPLOY_PLAN);
        fs.rmSync(DEPLOY_STATUS, { force: true });
        const check = spawnSync(PLAN_LSP, ['check', DEPLOY_PLAN], { encoding: 'utf8', cwd: WORKSPACE, timeout: 30_000 });
        log(`plan-lsp check deploy/docs/deployment.md: exit ${check.status} ${check.stdout.trim()} ${check.stderr.trim()}`);
    }, { critical: true });

    await step('deploy 1: Approve, then Deploy from the palette: the confirmation shows the argv, its Deploy button runs it with progress, status.md says deployed', async () => {
        await openFile('deploy/docs/deployment.md');
        // Production deploys need the approval: Approve first.
        assert.ok(!fs.readFileSync(DEPLOY_PLAN, 'utf8').includes('Approved:'), 'the example is not approved yet');
        await runCommand('plan-lsp: Approve Plan');
        await poll('the approval in the plan', async () => (await page.locator('.tabs-container .tab.active.dirty').count()) > 0, 15_000, 200);
        await save();
        const approved = fs.readFileSync(DEPLOY_PLAN, 'utf8');
        assert.match(approved, /Approved: \d{4}-\d{2}-\d{2}T/, 'Approve writes Approved: <RFC 3339>');
        let titles = [];
        try {
            await poll('the lens "Deploy to production: sh -c …"', async () => {
                titles = await codeLenses();
                return titles.some((t) => /Deploy to production: sh -c/.test(t));
            }, 30_000, 500);
        } catch (error) {
            throw new Error(`${error.message}; the lenses read: ${JSON.stringify(titles)}`);
        }
        log(`lenses: ${titles.join(' | ')}`);

        const since = Date.now();
        const confirmation = await deployFromPalette();
        // The exact argv and environment, before anything runs.
        assert.match(confirmation.message, /sh -c/, 'the confirmation shows the argv');
        assert.ok(confirmation.message.includes('e2e: deploying'), `the confirmation shows the script: ${confirmation.message}`);
        assert.match(confirmation.message, /PLAN_FILE=/, 'the confirmation shows the environment');
        assert.deepEqual(confirmation.buttons, ['Deploy', 'Cancel']);
        assert.deepEqual(markerLines('runs'), [], 'nothing ran before the answer');

        await clickNotificationButton('Deploy to production', 'Deploy');
        const progress = await waitForNotification('the deployment progress notification', (n) => n.progress && /Deploy to production/.test(n.message) && n.buttons.includes('Cancel') && !n.buttons.includes('Deploy'), 15_000);
        log(`progress notification: ${progress.message} [${progress.buttons.join('] [')}]`);
        const result = await waitForNotification('the deployment\'s result', (n) => DEPLOYED.test(n.message), 30_000);
        log(`result: ${result.severity} ${result.message}`);

        // status.md did not exist: the server created it (a create-file edit),
        // and, not open in an editor, the extension saved it.
        const text = await waitForSavedStatus('deployed');
        const state = checkDeploymentState(text, 'deployed', since);
        log(`status.md: ${JSON.stringify(state)}`);
        assert.equal(markerLines('runs').length, 1, 'the command ran once');
        const envLines = markerLines('env');
        log(`the command's environment: ${envLines.join(' ')}`);
        assert.ok(envLines.includes(`PWD=${fs.realpathSync(WORKSPACE)}`) || envLines.includes(`PWD=${WORKSPACE}`), 'it ran in the workspace root');
        assert.ok(envLines.includes('PLAN_ENV=production'));
        assert.ok(envLines.includes('PLAN_STRATEGY=Blue-Green'));
        assert.ok(envLines.some((l) => l.startsWith('PLAN_FILE=') && l.endsWith(path.join('deploy', 'docs', 'deployment.md'))));
        assert.ok(envLines.some((l) => l.startsWith('STATUS_FILE=') && l.endsWith(path.join('deploy', 'status.md'))));
        // Its output went to the plan-lsp output channel (window/logMessage).
        await poll('the command\'s output in the plan-lsp output channel', async () => outputChannelText().includes('e2e: deploy finished'), 15_000, 500);
        await openFile('deploy/status.md');
        assert.equal(await statusTabDirty(), false, 'status.md opens saved');
    });

    await step('deploy 2: Cancel in the confirmation runs nothing and leaves status.md as it was', async () => {
        const before = fs.existsSync(DEPLOY_STATUS) ? fs.readFileSync(DEPLOY_STATUS, 'utf8') : undefined;
        const runs = markerLines('runs').length;
        const shownAt = Date.now();
        await deployFromPalette();
        // The confirmation is a notification, not a modal dialog: left
        // alone (the mouse elsewhere) it leaves the screen for the
        // notification center, where it still waits for its answer.
        const box = await page.locator('.editor-instance .monaco-editor .overflow-guard').first().boundingBox();
        if (box) {
            await page.mouse.move(box.x + box.width / 3, box.y + box.height / 3);
        }
        const hidden = await poll('the confirmation to leave the screen', async () => !(await notifications()).some((n) => n.toast && /Deploy to production: run/.test(n.message)), 30_000, 500).catch(() => false);
        if (hidden) {
            log(`the confirmation went to the notification center after ${Math.round((Date.now() - shownAt) / 1000)} s`);
            await runCommand('Notifications: Show Notifications');
            await page.locator('.notifications-center .notification-list-item', { hasText: 'Deploy to production: run' }).first().waitFor({ state: 'visible', timeout: 10_000 });
        } else {
            log('the confirmation stayed on screen for 30 s');
        }
        assert.equal(markerLines('runs').length, runs, 'nothing runs while the confirmation waits');
        await clickNotificationButton('Deploy to production', 'Cancel');
        let sawProgress = false;
        const until = Date.now() + 5_000;
        while (Date.now() < until) {
            sawProgress ||= (await notifications()).some((n) => n.progress || DEPLOYED.test(n.message) || DEPLOY_FAILED.test(n.message));
            await page.waitForTimeout(250);
        }
        assert.equal(sawProgress, false, 'no progress and no result after Cancel');
        assert.equal(markerLines('runs').length, runs, 'the command did not run');
        assert.equal(fs.existsSync(DEPLOY_STATUS) ? fs.readFileSync(DEPLOY_STATUS, 'utf8') : undefined, before, 'status.md is unchanged on disk');
        assert.equal(await statusTabDirty(), false, 'status.md has no unsaved change');
    });

    await step('deploy 3: Cancel in the progress notification during `sleep 30` stops the command; status.md says failed', async () => {
        fs.mkdirSync(MARKERS, { recursive: true });
        fs.writeFileSync(path.join(MARKERS, 'slow'), '');
        fs.rmSync(path.join(MARKERS, 'sleep.pid'), { force: true });
        try {
            const since = Date.now();
            await deployFromPalette();
            await clickNotificationButton('Deploy to production', 'Deploy');
            const sleepPid = Number(await poll('the command to reach `sleep 30`', async () => markerLines('sleep.pid')[0], 20_000, 200));
            const shellPid = Number(markerLines('pid')[0]);
            assert.ok(processRuns(sleepPid) && processRuns(shellPid), 'the command runs');
            // The progress shows the command's last output line.
            const progress = await waitForNotification('the progress notification with Cancel and the last output line', (n) => n.progress && /Deploy to production: e2e: sleeping/.test(n.message) && n.buttons.includes('Cancel'), 10_000);
            log(`progress notification: ${progress.message} [${progress.buttons.join('] [')}]`);

            // A second deployment meanwhile is refused.
            await runCommand('plan-lsp: Deploy');
            const refused = await waitForNotification('"already running"', (n) => /already running/.test(n.message), 15_000);
            log(`second deploy: ${refused.message}`);

            // The palette's Escape hid the toasts; VS Code then shows the
            // progress in the status bar, and a click on it opens the
            // notification center, where the progress has its Cancel.
            const toastShown = (await notifications()).some((n) => n.toast && /Deploy to production/.test(n.message) && n.buttons.includes('Cancel'));
            if (!toastShown) {
                const entry = page.locator('.statusbar-item', { hasText: 'Deploy to production' }).first();
                await entry.waitFor({ state: 'visible', timeout: 10_000 });
                log(`status bar: ${(await entry.textContent())?.trim()}`);
                await entry.click();
                await page.locator('.notifications-center .notification-list-item', { hasText: 'Deploy to production' }).first().waitFor({ state: 'visible', timeout: 10_000 });
            }
            const cancelledAt = Date.now();
            await clickNotificationButton('Deploy to production', 'Cancel');
            await poll('the command\'s processes to end', async () => !processRuns(sleepPid) && !processRuns(shellPid), 20_000, 200);
            log(`the command ended ${Date.now() - cancelledAt} ms after Cancel`);
            const failed = await waitForNotification('the failure', (n) => DEPLOY_FAILED.test(n.message), 20_000);
            log(`result: ${failed.severity} ${failed.message}`);
            checkDeploymentState(await waitForSavedStatus('failed'), 'failed', since);
        } finally {
            fs.rmSync(path.join(MARKERS, 'slow'), { force: true });
        }
    });

    await step('deploy 4: Rollback from the palette, confirmed, runs the rollback command; status.md says rolledback', async () => {
        const since = Date.now();
        const confirmation = await deployFromPalette('plan-lsp: Rollback', /Roll(?:ing)? ?back/i);
        assert.match(confirmation.message, /sh -c/);
        assert.ok(confirmation.message.includes('e2e: rolling back'), `the confirmation shows the rollback script: ${confirmation.message}`);
        const confirm = confirmation.buttons.find((b) => b !== 'Cancel');
        assert.equal(confirm, 'Roll back');
        await clickNotificationButton(confirmation.message.slice(0, 20), confirm);
        const result = await waitForNotification('the rollback\'s result', (n) => ROLLED_BACK.test(n.message), 30_000);
        log(`result: ${result.severity} ${result.message}`);
        checkDeploymentState(await waitForSavedStatus('rolledback'), 'rolledback', since);
        assert.equal(markerLines('rollbacks').length, 1, 'the rollback command ran once');
    });

    // --- template kind steps --------------------------------------------------------------
    // A team template configured as a document kind (docs/templates.md):
    // the workspace's .plan-lsp.toml names templates/postmortem.md for
    // postmortems/**/*.md, and a postmortem gets the server's findings and
    // completion from the template alone.

    await step('template kind: .plan-lsp.toml gains a [[kinds]] entry for templates/postmortem.md, postmortems/db.md is in the workspace', async () => {
        const config = path.join(WORKSPACE, '.plan-lsp.toml');
        const before = fs.readFileSync(config, 'utf8');
        assert.ok(/^\[deploy\]$/m.test(before) && /^\[rollback\]$/m.test(before), `the deploy steps wrote [deploy] and [rollback]:\n${before}`);
        fs.mkdirSync(path.join(WORKSPACE, 'templates'), { recursive: true });
        fs.copyFileSync(POSTMORTEM_TEMPLATE, path.join(WORKSPACE, 'templates', 'postmortem.md'));
        fs.cpSync(TEMPLATE_KIND_FIXTURES, WORKSPACE, { recursive: true, filter: (from) => path.basename(from) !== 'README.md' });
        const at = before.indexOf('[deploy]');
        fs.writeFileSync(config, `${before.slice(0, at)}${POSTMORTEM_KIND}\n${before.slice(at)}`);
        // The CLI of the same binary agrees on the kind and its findings.
        const check = spawnSync(PLAN_LSP, ['check', 'postmortems/db.md'], { encoding: 'utf8', cwd: WORKSPACE, timeout: 30_000 });
        log(`plan-lsp check postmortems/db.md: exit ${check.status}\n${check.stdout.trim()} ${check.stderr.trim()}`);
        assert.match(check.stdout, /db\.md:3:\d+: error\[invalid-value\]/, 'the CLI reads db.md as a postmortem');
        assert.match(check.stdout, /db\.md:1:1: warning\[missing-section\] missing section `## Timeline`/);
    });

    await step('template kind: postmortems/db.md shows invalid-value (SEV4) on line 3 and missing-section `## Timeline` in the Problems panel', async () => {
        await openFile('postmortems/db.md');
        // The panel lists the findings of the whole workspace (the keyboard
        // plans too): filter it to db.md's.
        try {
            await filterProblems('**/postmortems/db.md');
            await waitForProblems([
                { code: 'missing-section', line: 1, severity: 'warning', message: '`## Timeline`' },
                { code: 'invalid-value', line: 3, severity: 'error', message: '`SEV4` is not a valid Severity' },
            ], 'the postmortem\'s findings');
        } finally {
            await filterProblems('');
        }
    });

    await step('template kind: "## Severity: " + deleting SEV4 + "SEV" + Ctrl+Space + SEV2 + Enter writes SEV2, nothing else changes', async () => {
        const before = fs.readFileSync(POSTMORTEM_DOC, 'utf8');
        const heading = '## Severity: SEV4';
        const line = lineNumber(before, heading);
        assert.equal(line, 3, 'the fixture has "## Severity: SEV4" on line 3');
        const expected = replaceOnce(before, `${heading}\n`, '## Severity: SEV2\n');
        await openFile('postmortems/db.md');
        await goToLine(line, '## Severity: '.length + 1);
        // Delete the value: select to the end of the line, then Delete.
        await page.keyboard.press('Shift+End');
        await page.keyboard.press('Delete');
        await page.keyboard.type('SEV');
        await requestSuggestions((labels) => ['SEV1', 'SEV2', 'SEV3'].every((v) => labels.includes(v)), 'SEV1, SEV2, SEV3 (from the template) in the suggestions');
        await acceptSuggestion('SEV2');
        await expectSavedText(POSTMORTEM_DOC, expected, 'SEV2 accepted after "## Severity: SEV"');
        try {
            await filterProblems('**/postmortems/db.md');
            await waitForProblems([
                { code: 'missing-section', line: 1, severity: 'warning', message: '`## Timeline`' },
            ], 'invalid-value gone after SEV2');
        } finally {
            await filterProblems('');
        }
    });

    await step('toml: .plan-lsp.toml opens as toml and reaches the server, which goes on answering', async () => {
        // The deploy steps wrote the workspace's .plan-lsp.toml. The
        // extension gives it the language id toml (no TOML extension here)
        // and its document selector sends it to the server.
        await clearNotifications();
        await openFile('.plan-lsp.toml');
        const mode = await poll('the language of .plan-lsp.toml in the status bar', async () => {
            const text = (await page.locator('.statusbar-item[id="status.editor.mode"]').textContent())?.trim();
            return text ? text : undefined;
        }, 15_000, 200);
        assert.match(mode, /^toml$/i, `.plan-lsp.toml is a toml document (status bar: ${mode})`);
        const didOpen = /Sending notification 'textDocument\/didOpen'\.\s*Params: \{\s*"textDocument": \{\s*"uri": "file:\/\/[^"]*\/\.plan-lsp\.toml",\s*"languageId": "toml"/;
        const after = await poll('didOpen of .plan-lsp.toml (languageId toml), then a response, in the protocol trace', async () => {
            const files = findFiles(path.join(USER_DATA, 'logs'), (f) => f.endsWith('plan-lsp Trace.log'));
            const text = files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
            const at = text.search(didOpen);
            const rest = at < 0 ? '' : text.slice(at);
            return /Received response '/.test(rest) ? rest : undefined;
        }, 20_000, 500);
        log(`after the didOpen of .plan-lsp.toml: ${(after.match(/Received response '[^']+/g) ?? []).slice(0, 6).join(', ')}`);
        // The server is still up (the bundled one) and nothing complains.
        await page.waitForTimeout(1500);
        await checkBundledServer();
        const errors = (await notifications()).filter((n) => n.severity === 'error' && /plan-lsp|server/i.test(n.message));
        assert.deepEqual(errors, [], 'no plan-lsp error with .plan-lsp.toml open');
        // A key the configuration does not know, typed at its end: the
        // server puts invalid-config on that line; reverting the file clears it.
        await page.keyboard.press('Control+End');
        await page.keyboard.press('Enter');
        await page.keyboard.type('colour = 1');
        const configMarkers = async () => (await readProblems()).filter((m) => m.code.includes('invalid-config'));
        // The panel lists the whole workspace's findings and renders only
        // the rows in view: filter it to this file's, or its row may be
        // scrolled out of sight.
        try {
            await filterProblems('**/.plan-lsp.toml');
            // (while the key is being typed the server reports the half-typed
            // line; wait for the finding on the whole of it)
            const found = await poll('invalid-config on the typed key in the Problems panel', async () => {
                const markers = await configMarkers();
                return markers.some((m) => /unknown field `colour`/.test(m.message)) ? markers : undefined;
            }, 20_000, 500);
            log(`invalid-config: ${describeMarkers(found)}`);
            assert.equal(found.length, 1, describeMarkers(found));
            assert.equal(found[0].severity, 'error', describeMarkers(found));
            assert.equal(found[0].column, 1, describeMarkers(found));
            assert.match(found[0].message, /unknown field `colour`/, describeMarkers(found));
            // back in the editor (the filter has the focus), revert it
            await openFile('.plan-lsp.toml');
            await runCommand('File: Revert File');
            await poll('invalid-config gone after reverting .plan-lsp.toml', async () => ((await configMarkers()).length === 0 ? true : undefined), 20_000, 500);
        } finally {
            await filterProblems('');
        }
    });

    await step('untrusted: in Restricted Mode Deploy and Rollback are not offered, their lens is refused, nothing runs', async () => {
        // A workspace whose .plan-lsp.toml would run a command (it would
        // leave a marker) and whose settings name another server binary
        // (restricted: not read while the workspace is untrusted).
        const markers = path.join(UNTRUSTED_WORKSPACE, '.e2e-deploy');
        const untrustedStatus = path.join(UNTRUSTED_WORKSPACE, 'status.md');
        const run = 'mkdir -p .e2e-deploy; date -u >> .e2e-deploy/runs; echo ran';
        fs.writeFileSync(path.join(UNTRUSTED_WORKSPACE, '.plan-lsp.toml'), deployConfig(run, run));
        fs.mkdirSync(path.join(UNTRUSTED_WORKSPACE, 'docs'), { recursive: true });
        fs.writeFileSync(path.join(UNTRUSTED_WORKSPACE, 'docs', 'deployment.md'), approvedProductionPlan());
        fs.mkdirSync(path.join(UNTRUSTED_WORKSPACE, '.vscode'), { recursive: true });
        fs.writeFileSync(path.join(UNTRUSTED_WORKSPACE, '.vscode', 'settings.json'), JSON.stringify({ 'planLsp.server.path': '/nonexistent/plan-lsp-of-the-untrusted-workspace' }, null, 2) + '\n');
        const trustedPage = page;
        page = await browser.newPage();
        page.on('pageerror', (error) => log(`page error (untrusted): ${error.message.split('\n')[0]}`));
        try {
            await page.goto(`${UNTRUSTED_URL}/?folder=${encodeURIComponent(UNTRUSTED_WORKSPACE)}`, { timeout: STEP_TIMEOUT_MS });
            await page.locator('.monaco-workbench').waitFor({ timeout: STEP_TIMEOUT_MS });
            // VS Code asks whether to trust the folder: the user says no.
            const dialog = page.locator('.monaco-dialog-box', { hasText: 'Do you trust the authors' });
            await dialog.waitFor({ state: 'visible', timeout: 30_000 });
            await dialog.locator('.monaco-button', { hasText: "No, I don't trust the authors" }).click();
            await page.locator('.statusbar-item[aria-label*="Restricted Mode"]').first().waitFor({ timeout: 15_000 });
            await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: STEP_TIMEOUT_MS });

            await openFile('docs/deployment.md');
            // The server runs (the bundled one; the workspace's path is not read) and its lenses show.
            let titles = [];
            try {
                await poll('the Deploy lens, marked as not running here', async () => {
                    titles = await codeLenses();
                    return titles.some((t) => t.startsWith('Deploy') && t.includes('trust the workspace'));
                }, 40_000, 500);
            } catch (error) {
                throw new Error(`${error.message}; the lenses read: ${JSON.stringify(titles)}; notifications: ${JSON.stringify(await notifications())}`);
            }
            log(`lenses (Restricted Mode): ${titles.join(' | ')}`);
            await checkBundledServer(env('E2E_UNTRUSTED_USER_DATA'));
            assert.ok(!(await notifications()).some((n) => n.message.includes('/nonexistent/')), 'the untrusted workspace\'s planLsp.server.path is not used');

            // The palette offers the other plan-lsp commands, not Deploy or Rollback.
            await page.keyboard.press('Escape');
            await page.keyboard.press('F1');
            const input = page.locator('.quick-input-widget .quick-input-box input');
            await input.waitFor({ state: 'visible', timeout: 15_000 });
            await input.fill('>plan-lsp:');
            let rows = [];
            await poll('the plan-lsp commands in the palette', async () => {
                rows = (await quickInputRows()).map((r) => r.aria);
                return rows.some((r) => r.startsWith('plan-lsp: Show Plan Summary'));
            }, 15_000, 200);
            await page.waitForTimeout(500);
            rows = (await quickInputRows()).map((r) => r.aria);
            log(`palette (Restricted Mode): ${rows.join(' | ')}`);
            assert.ok(!rows.some((r) => r.startsWith('plan-lsp: Deploy') || r.startsWith('plan-lsp: Rollback')), `Deploy and Rollback are not offered: ${JSON.stringify(rows)}`);
            await input.fill('>plan-lsp: Deploy');
            await page.waitForTimeout(800);
            rows = (await quickInputRows()).map((r) => r.aria);
            assert.ok(!rows.some((r) => r.startsWith('plan-lsp: Deploy')), `"plan-lsp: Deploy" is not offered: ${JSON.stringify(rows)}`);
            await page.keyboard.press('Escape');

            // The lens, clicked anyway, is refused by the extension.
            await page.locator('.codelens-decoration a', { hasText: /^Deploy/ }).first().click();
            const refusal = await waitForNotification('the Restricted Mode refusal', (n) => /not available in Restricted Mode/.test(n.message), 15_000);
            log(`refusal: ${refusal.message}`);
            const until = Date.now() + 4_000;
            while (Date.now() < until) {
                assert.ok(!(await notifications()).some((n) => /Deploy to production/.test(n.message) && n.buttons.includes('Cancel')), 'no confirmation is asked');
                await page.waitForTimeout(250);
            }
            assert.equal(fs.existsSync(markers), false, 'the command did not run');
            assert.equal(fs.existsSync(untrustedStatus), false, 'no status.md was written');
        } finally {
            await page.close().catch(() => {});
            page = trustedPage;
        }
    });
}

async function saveFailureArtifacts(error) {
    const name = currentStep.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
    log(`FAILED in step "${currentStep}": ${error.stack ?? error}`);
    try {
        if (page) {
            const shot = path.join(ARTIFACTS, `failure-${name}.png`);
            await page.screenshot({ path: shot, timeout: 15_000 });
            log(`screenshot: ${shot}`);
            fs.writeFileSync(path.join(ARTIFACTS, `failure-${name}.html`), await page.content());
        }
    } catch (e) {
        log(`could not save a screenshot: ${e.message}`);
    }
    try {
        if (name.startsWith('deploy') || name.startsWith('untrusted')) {
            for (const dir of [path.join(WORKSPACE, 'deploy'), MARKERS, UNTRUSTED_WORKSPACE]) {
                if (fs.existsSync(dir)) {
                    fs.cpSync(dir, path.join(ARTIFACTS, `failure-${name}.${path.basename(dir)}`), { recursive: true });
                }
            }
        }
    } catch {
        // best effort
    }
    try {
        fs.copyFileSync(PLAN, path.join(ARTIFACTS, `failure-${name}.deployment.md`));
        if (name.startsWith('keyboard') && fs.existsSync(KEYBOARD)) {
            fs.cpSync(KEYBOARD, path.join(ARTIFACTS, `failure-${name}.keyboard`), { recursive: true });
        }
    } catch {
        // the plan may be gone with the run directory
    }
}

const watchdog = setTimeout(async () => {
    await saveFailureArtifacts(new Error(`the test did not finish within ${TEST_TIMEOUT_MS / 1000} s`));
    console.log(`${results.length} passed, ${failures.length + 1} failed`);
    process.exit(1);
}, TEST_TIMEOUT_MS);

try {
    await main();
} catch (error) {
    if (!(error instanceof CriticalFailure)) {
        failures.push({ name: currentStep, error });
        await saveFailureArtifacts(error);
    }
} finally {
    clearTimeout(watchdog);
    await browser?.close().catch(() => {});
}
log(failures.length === 0 ? 'all steps passed' : `${failures.length} step(s) failed`);
for (const r of results) {
    log(`  ok    ${r.name} (${r.ms} ms)`);
}
for (const f of failures) {
    log(`  FAIL  ${f.name}: ${String(f.error.message ?? f.error).split('\n')[0]}`);
}
if (failures.length > 0) {
    log(`screenshots and page dumps: ${ARTIFACTS}`);
}
console.log(`${results.length} passed, ${failures.length} failed`);
process.exit(failures.length === 0 ? 0 : 1);
