// The extension's manifest and snippets: that they declare what the code
// reads and that the snippets follow the deployment-plan template. When a
// plan-lsp binary is at hand (PLAN_LSP, else target/{release,debug} of the
// repository), the snippets are also checked by the server's own engine.

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
        commands: { command: string }[];
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
        assert.deepEqual(commands.sort(), ['planLsp.approve', 'planLsp.deploy', 'planLsp.restartServer', 'planLsp.show', 'planLsp.showOutput']);
        const source = fs.readFileSync(path.join(extensionRoot, 'src', 'extension.ts'), 'utf8');
        for (const command of commands) {
            assert.ok(source.includes(`'${command}'`), `${command} is registered`);
        }
    });
});

describe('snippets', () => {
    const snippets = loadSnippets();

    it('has the plan template, the Decision Validation box, the checklist and the status sections', () => {
        for (const name of ['Deployment Plan', 'Decision Validation', 'Deployment Checklist', 'Status Sections', 'Exit Criteria']) {
            assert.ok(snippets[name], `snippet ${name}`);
            assert.ok(snippets[name].description.length > 0);
            assert.ok(snippets[name].prefix.length > 0);
        }
    });

    it('renders the template with the sections and fields of the seed, in order', () => {
        const text = renderSnippet(snippets['Deployment Plan'].body);
        const headings = text.split('\n').filter((l) => l.startsWith('#'));
        assert.deepEqual(headings, [
            '# Deployment Plan',
            '## Environment: staging',
            '## Date: 2026-11-26',
            '## Infrastructure',
            '### Hosting',
            '### CI/CD Pipeline',
            '### Environment Configuration',
            '## Deployment Strategy',
            '### Staging',
            '### Production',
            '## Monitoring',
            '### Health Checks',
            '### Logging',
            '### Metrics',
            '## Rollback Plan',
            '### Triggers',
            '### Procedure',
            '## Deployment Checklist',
            '### Pre-Deployment',
            '### Post-Deployment',
        ]);
        const keys = text
            .split('\n')
            .map((l) => /^- ([A-Za-z /]+):/.exec(l)?.[1])
            .filter((k): k is string => k !== undefined);
        assert.deepEqual(keys, [
            'Provider', 'Region', 'Services',
            'Platform', 'Stages', 'Triggers',
            'Variables', 'Secrets',
            'Strategy', 'Frequency', 'Approval',
            'Strategy', 'Steps', 'Rollback',
            'Endpoint', 'Frequency', 'Conditions',
            'Platform', 'Retention', 'Alerts',
            'Business', 'Technical', 'Dashboards',
        ]);
        assert.ok(text.includes('- Strategy: Blue-Green\n'));
        assert.ok(!text.includes('$'), 'no snippet syntax left');
    });

    it('offers the production strategies as a choice', () => {
        assert.ok(snippets['Deployment Plan'].body.some((l) => l.includes('- Strategy: ${14|Blue-Green,Canary,Rolling|}')));
    });

    it('has every checklist item of the seed', () => {
        const text = renderSnippet(snippets['Deployment Checklist'].body);
        for (const item of [
            'All tests pass', 'Security scan clean', 'Dependencies updated', 'Database migrations prepared', 'Rollback tested',
            'Health checks passing', 'Monitoring active', 'No errors in logs', 'Key metrics normal',
        ]) {
            assert.ok(text.includes(`- [ ] ${item}\n`), item);
        }
        assert.ok(renderSnippet(snippets['Deployment Plan'].body).includes(text.trimEnd()));
    });

    it('draws the Decision Validation box with straight borders', () => {
        const text = renderSnippet(snippets['Decision Validation'].body);
        const lines = text.split('\n');
        assert.equal(lines[0], '## Decision Validation');
        const box = lines.filter((l) => /^[┌├│└]/.test(l));
        assert.equal(box.length, 18);
        for (const line of box) {
            assert.equal([...line].length, 62, `width of ${line}`);
        }
        for (const field of ['Environment: staging', 'Data Classification: PUBLIC', 'Threats Considered: [list]', 'Risk: Low', 'Recommendation: Proceed']) {
            assert.ok(text.includes(field), field);
        }
    });

    it('has the status.md sections', () => {
        const text = renderSnippet(snippets['Status Sections'].body);
        assert.match(text, /^## Deployment State\n- Environment: staging\n- Last Deploy: \[datetime\]\n- Status: pending\n- Version: \[version\/tag\]\n\n## Monitoring State\n/);
        for (const key of ['Health Check', 'Logs', 'Alerts', 'Dashboard']) {
            assert.ok(text.includes(`- ${key}: `), key);
        }
    });

    const binary = findBinary();
    it('gives plans the server accepts, once filled in', { skip: binary === undefined ? 'no plan-lsp binary' : false }, () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-lsp-snippets-'));
        try {
            const plan = renderSnippet(snippets['Deployment Plan'].body)
                .replace(/\[[^\]]*\]/g, (placeholder) => (placeholder.startsWith('[ ') ? placeholder : 'filled in'));
            const file = path.join(dir, 'deployment.md');
            fs.writeFileSync(file, plan);
            const run = spawnSync(binary as string, ['check', '--format', 'json', file], { encoding: 'utf8', cwd: dir, timeout: 30_000 });
            assert.ok(run.status === 0 || run.status === 1, `check exits 0 or 1: ${run.status} ${run.stderr}`);
            const report = JSON.parse(run.stdout) as { files: { diagnostics: { code: string; message: string }[] }[] };
            const structural = report.files
                .flatMap((f) => f.diagnostics)
                .filter((d) => ['missing-section', 'missing-field', 'unknown-field', 'heading-level', 'missing-checklist-item', 'duplicate-section'].includes(d.code));
            assert.deepEqual(structural, []);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it('names only rule codes the server knows', { skip: binary === undefined ? 'no plan-lsp binary' : false }, () => {
        const run = spawnSync(binary as string, ['explain'], { encoding: 'utf8', timeout: 30_000 });
        assert.equal(run.status, 0, run.stderr);
        const known = run.stdout
            .split('\n')
            .map((l) => /^([a-z][a-z-]+)\s/.exec(l)?.[1])
            .filter((c): c is string => c !== undefined);
        const declared = properties['planLsp.rules'].propertyNames?.enum ?? [];
        assert.deepEqual([...declared].sort(), [...known].sort());
    });
});
