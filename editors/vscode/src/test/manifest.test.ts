// The extension's manifest and snippets: that they declare what the code
// reads, that the one snippet left (the Decision Validation record as a
// list) does not repeat what the server offers itself, and that it is the
// record of the template. When a plan-lsp binary is at hand (PLAN_LSP, else
// target/{release,debug} of the repository), the snippet is also checked by
// the server's own engine.

import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, it } from 'node:test';

import { buildServerSettings } from '../config';

const extensionRoot = path.resolve(__dirname, '..', '..');
const repoRoot = path.resolve(extensionRoot, '..', '..');

interface Snippet {
    prefix: string | string[];
    body: string[];
    description: string;
}

interface Manifest {
    main: string;
    activationEvents: string[];
    dependencies: Record<string, string>;
    contributes: {
        configuration: { properties: Record<string, { default: unknown; enum?: unknown[]; propertyNames?: { enum: string[] } }> };
        snippets: { language: string; path: string }[];
        commands: { command: string; title: string }[];
        menus: { commandPalette: { command: string; when?: string }[] };
        tomlValidation: { fileMatch: string; url: string }[];
        languages: { id: string; filenames?: string[] }[];
    };
    scripts: Record<string, string>;
    capabilities: {
        untrustedWorkspaces: { supported: boolean | 'limited'; description: string; restrictedConfigurations: string[] };
    };
}

const manifest = JSON.parse(fs.readFileSync(path.join(extensionRoot, 'package.json'), 'utf8')) as Manifest;
const properties = manifest.contributes.configuration.properties;

function loadSnippets(): Record<string, Snippet> {
    const entry = manifest.contributes.snippets.find((s) => s.language === 'markdown');
    assert.ok(entry, 'a markdown snippets file is contributed');
    return JSON.parse(fs.readFileSync(path.join(extensionRoot, entry.path), 'utf8')) as Record<string, Snippet>;
}

/** The text a snippet inserts when every tab stop keeps its default. */
export function renderSnippet(body: string[]): string {
    const variables: Record<string, string> = {
        CURRENT_YEAR: '2026',
        CURRENT_MONTH: '11',
        CURRENT_DATE: '26',
    };
    let text = body.join('\n');
    // Variables, then choices, placeholders and tab stops, until nothing changes.
    for (let i = 0; i < 10; i++) {
        const before = text;
        text = text
            .replace(/\$([A-Z_]+)/g, (_m, name: string) => variables[name] ?? '')
            .replace(/\$\{\d+\|([^|]*?)(?:,[^|]*)?\|\}/g, '$1')
            .replace(/\$\{\d+:([^${}]*)\}/g, '$1')
            .replace(/\$\{\d+\}|\$\d+/g, '');
        if (text === before) {
            break;
        }
    }
    return text;
}

function findBinary(): string | undefined {
    const candidates = [
        process.env.PLAN_LSP,
        path.join(repoRoot, 'target', 'release', 'plan-lsp'),
        path.join(repoRoot, 'target', 'debug', 'plan-lsp'),
    ];
    return candidates.find((c): c is string => c !== undefined && c !== '' && fs.existsSync(c));
}

describe('package.json', () => {
    it('activates on Markdown and starts from the compiled entry point', () => {
        assert.ok(manifest.activationEvents.includes('onLanguage:markdown'));
        assert.equal(manifest.main, './dist/extension.js');
        assert.ok(fs.existsSync(path.join(extensionRoot, 'src', 'extension.ts')));
    });

    it('pins its runtime dependency', () => {
        assert.match(manifest.dependencies['vscode-languageclient'], /^\d+\.\d+\.\d+$/);
    });

    it('declares every setting the extension reads, with an empty default', () => {
        for (const key of ['server.path', 'env', 'include', 'rules', 'values', 'trace.server']) {
            assert.ok(properties[`planLsp.${key}`], `planLsp.${key} is declared`);
        }
        const defaults = (key: string): unknown => properties[`planLsp.${key}`]?.default;
        assert.deepEqual(buildServerSettings(defaults), {}, 'the defaults send nothing to the server');
    });

    it('offers both environments', () => {
        assert.deepEqual(properties['planLsp.env'].enum, ['', 'staging', 'production']);
    });

    it('contributes its commands', () => {
        const commands = manifest.contributes.commands.map((c) => c.command);
        assert.deepEqual(commands.sort(), ['planLsp.approve', 'planLsp.deploy', 'planLsp.restartServer', 'planLsp.rollback', 'planLsp.show', 'planLsp.showOutput']);
        const source = ['extension.ts', 'workflow.ts'].map((f) => fs.readFileSync(path.join(extensionRoot, 'src', f), 'utf8')).join('\n');
        for (const command of commands) {
            assert.ok(source.includes(`'${command}'`), `${command} is registered`);
        }
    });

    it('says what Deploy and Rollback do: run the configured command, or record', () => {
        const title = (command: string) => manifest.contributes.commands.find((c) => c.command === command)?.title ?? '';
        assert.match(title('planLsp.deploy'), /^Deploy \(runs the configured deploy command, or records a deployment\)$/);
        assert.match(title('planLsp.rollback'), /^Rollback \(runs the configured rollback command, or records a rollback\)$/);
    });

    it('supports untrusted workspaces in part: no Deploy or Rollback there, no server binary from their settings', () => {
        const untrusted = manifest.capabilities.untrustedWorkspaces;
        assert.equal(untrusted.supported, 'limited');
        assert.match(untrusted.description, /Deploy and Rollback/);
        // Every setting that decides what runs: the server binary (the deploy
        // and rollback commands come from .plan-lsp.toml, not from settings).
        assert.deepEqual(untrusted.restrictedConfigurations, ['planLsp.server.path']);
        for (const key of untrusted.restrictedConfigurations) {
            assert.ok(properties[key], `${key} is a declared setting`);
        }
        assert.ok(!Object.keys(properties).some((k) => /^planLsp\.(deploy|rollback)\b/.test(k)), 'no deploy or rollback command setting');
        const palette = manifest.contributes.menus.commandPalette;
        for (const command of ['planLsp.deploy', 'planLsp.rollback']) {
            assert.deepEqual(palette.filter((entry) => entry.command === command).map((entry) => entry.when), ['isWorkspaceTrusted'], `${command} is hidden in Restricted Mode`);
        }
    });
});

describe('packaging', () => {
    /** The lines of a gitignore-style file that are patterns. */
    const patterns = (file: string) =>
        fs.readFileSync(path.join(extensionRoot, file), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

    it('validates .plan-lsp.toml against the schema the package step puts in schemas/', () => {
        assert.deepEqual(manifest.contributes.tomlValidation, [{ fileMatch: '.plan-lsp.toml', url: './schemas/plan-lsp.schema.json' }]);
        // Without a TOML extension VS Code has no `toml` language: the file still gets that id (for the document selector).
        assert.deepEqual(manifest.contributes.languages, [{ id: 'toml', filenames: ['.plan-lsp.toml'] }]);
        assert.ok(manifest.activationEvents.includes('workspaceContains:.plan-lsp.toml'));
    });

    it('packs the schema and the bundled server, and git keeps neither', () => {
        const ignore = patterns('.vscodeignore');
        assert.equal(ignore[0], '**', 'everything is left out unless named');
        for (const kept of ['!package.json', '!dist/extension.js', '!schemas/plan-lsp.schema.json', '!server/**']) {
            assert.ok(ignore.includes(kept), `.vscodeignore keeps ${kept}`);
        }
        const git = patterns('.gitignore');
        for (const ignored of ['/server/', '/schemas/', '*.vsix']) {
            assert.ok(git.includes(ignored), `.gitignore has ${ignored}`);
        }
    });

    it('has a package script for the universal and the linux-x64 .vsix', () => {
        assert.equal(manifest.scripts.package, 'node scripts/package.mjs');
        assert.equal(manifest.scripts['package:linux-x64'], 'node scripts/package.mjs --target linux-x64');
        const script = fs.readFileSync(path.join(extensionRoot, 'scripts', 'package.mjs'), 'utf8');
        assert.ok(script.includes("['config', 'schema']"), 'the schema comes from `plan-lsp config schema` when not shipped');
        assert.ok(script.includes("path.join(REPO, 'schemas', 'plan-lsp.schema.json')"), 'the shipped schema is preferred');
    });
});

/** Prefixes of the snippets the server's own completion and insert actions replaced. */
const SERVER_TEMPLATES = [
    'deployment-plan', 'plan', 'decision-validation', 'validation-box', 'deployment-checklist', 'checklist',
    'exit-criteria', 'status-sections', 'deployment-state',
];

function prefixes(snippet: Snippet): string[] {
    return typeof snippet.prefix === 'string' ? [snippet.prefix] : snippet.prefix;
}

/** A list item `- Key: value` as `- Key:`, so the template's placeholders and the snippet's defaults compare equal. */
function skeleton(text: string): string[] {
    return text.trimEnd().split('\n').map((l) => l.replace(/^(- [A-Za-z ]+:).*$/, '$1'));
}

describe('snippets', () => {
    const snippets = loadSnippets();

    it('has one snippet, the Decision Validation record as Markdown fields, under one prefix', () => {
        assert.deepEqual(Object.keys(snippets), ['Decision Validation (list)']);
        const snippet = snippets['Decision Validation (list)'];
        assert.deepEqual(prefixes(snippet), ['decision-validation-list']);
        assert.ok(snippet.description.length > 0);
    });

    it('leaves the plan template, the box, the checklists and the status sections to the server', () => {
        // The server offers these in context (completion in an empty plan and
        // after `## `, the Insert source actions); a snippet next to them was
        // the same item twice in the completion list.
        const all = Object.values(snippets).flatMap(prefixes);
        assert.equal(new Set(all).size, all.length, 'no prefix twice');
        for (const [name, snippet] of Object.entries(snippets)) {
            assert.deepEqual(prefixes(snippet).filter((p) => SERVER_TEMPLATES.includes(p)), [], `${name}: a server template's prefix`);
            const text = renderSnippet(snippet.body);
            for (const heading of ['# Deployment Plan', '## Deployment Checklist', '## Exit Criteria', '## Deployment State', '## Monitoring State']) {
                assert.ok(!text.split('\n').includes(heading), `${name} inserts ${heading}`);
            }
            assert.ok(!text.includes('┌'), `${name} draws the Decision Validation box`);
        }
    });

    it('renders the record with the fields of the seed, in order', () => {
        const text = renderSnippet(snippets['Decision Validation (list)'].body);
        assert.equal(
            text,
            [
                '## Decision Validation',
                '',
                '- Environment: production',
                '',
                '### Security Assessment',
                '- Data Classification: PUBLIC',
                '- Threats Considered: [list]',
                '- Mitigations: [how addressed]',
                '',
                '### Deployment',
                '- Risk: Low',
                '- Rollback Strategy: [specific steps]',
                '- Monitoring: [what to watch]',
                '',
                '- Recommendation: Proceed',
                '',
            ].join('\n'),
        );
    });

    it('offers the closed values as choices', () => {
        const body = snippets['Decision Validation (list)'].body;
        for (const choice of ['${1|production,staging|}', '${2|PUBLIC,INTERNAL,CONFIDENTIAL|}', '${5|Low,Medium,High|}', '${8|Proceed,Proceed with Caution|}']) {
            assert.ok(body.some((l) => l.includes(choice)), choice);
        }
    });

    const binary = findBinary();
    const skipWithout = { skip: binary === undefined ? 'no plan-lsp binary' : false };
    const run = (args: string[], cwd?: string) => spawnSync(binary as string, args, { encoding: 'utf8', cwd, timeout: 30_000 });

    it('is the record `plan-lsp new validation --record markdown` prints, field for field', skipWithout, () => {
        const printed = run(['new', 'validation', '--record', 'markdown']);
        assert.equal(printed.status, 0, printed.stderr);
        assert.deepEqual(skeleton(renderSnippet(snippets['Decision Validation (list)'].body)), skeleton(printed.stdout));
    });

    it('stands in for the box in a production plan the server accepts', skipWithout, () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-lsp-snippets-'));
        try {
            const template = run(['new', 'deployment', '--env', 'production']);
            assert.equal(template.status, 0, template.stderr);
            const start = template.stdout.indexOf('## Decision Validation\n');
            const end = template.stdout.indexOf('## Infrastructure\n');
            assert.ok(start > 0 && end > start, 'the production template has the box before ## Infrastructure');
            const plan = (template.stdout.slice(0, start) + renderSnippet(snippets['Decision Validation (list)'].body) + '\n' + template.stdout.slice(end))
                // A placeholder `[A/B/other]` takes its first value; other placeholders a text.
                .replace(/\[[^\]]*\]/g, (placeholder) =>
                    placeholder.startsWith('[ ') || placeholder === '[x]' ? placeholder : placeholder.includes('/') ? placeholder.slice(1).split('/')[0] : 'filled in');
            const file = path.join(dir, 'deployment.md');
            fs.writeFileSync(file, plan);
            const check = run(['check', '--format', 'json', file], dir);
            assert.ok(check.status === 0 || check.status === 1, `check exits 0 or 1: ${check.status} ${check.stderr}`);
            const report = JSON.parse(check.stdout) as { files: { diagnostics: { code: string; message: string }[] }[] };
            const wrong = report.files
                .flatMap((f) => f.diagnostics)
                .filter((d) => [
                    'missing-section', 'missing-field', 'unknown-field', 'heading-level', 'duplicate-section',
                    'missing-decision-validation', 'env-mismatch', 'invalid-value', 'placeholder',
                ].includes(d.code));
            assert.deepEqual(wrong, []);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it('names only rule codes the server knows', skipWithout, () => {
        const explain = run(['explain']);
        assert.equal(explain.status, 0, explain.stderr);
        const known = explain.stdout
            .split('\n')
            .map((l) => /^([a-z][a-z-]+)\s/.exec(l)?.[1])
            .filter((c): c is string => c !== undefined);
        const declared = properties['planLsp.rules'].propertyNames?.enum ?? [];
        assert.deepEqual([...declared].sort(), [...known].sort());
    });
});
