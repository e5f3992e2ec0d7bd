// End-to-end test of the plan-lsp extension in code-server, driven through
// headless Chromium. Started by run.sh, which provides:
//   E2E_URL               code-server, e.g. http://127.0.0.1:PORT
//   E2E_WORKSPACE         the workspace folder code-server opened
//   E2E_ARTIFACTS         where screenshots and page dumps go on failure
//   E2E_DEPS              the folder where playwright-core is installed
//   E2E_CHROMIUM          the Chromium binary
//   E2E_CHROMIUM_PROFILE  a fresh, empty Chromium profile folder
//   E2E_USER_DATA         code-server's user data folder (for the protocol trace)
//   E2E_PLAN_LSP          the server binary under test (its CLI gives expected texts)
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

// --- the test ----------------------------------------------------------------------

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
