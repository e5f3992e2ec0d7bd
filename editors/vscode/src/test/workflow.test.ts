// The workflow actions' decisions (src/workflow.ts): which commands are
// refused in an untrusted workspace, how server progress is shown and
// cancelled, and which files a server edit leaves to be saved.

import { strict as assert } from 'assert';
import { describe, it } from 'node:test';

import {
    ProgressOptions,
    ProgressToken,
    ProgressUpdate,
    RUNNING_COMMANDS,
    ServerProgress,
    WORKFLOW_COMMANDS,
    filesToSave,
    filesWritten,
    progressLocation,
    restrictedLensTitle,
    runsProgram,
    untrustedRefusal,
} from '../workflow';

describe('workflow commands', () => {
    it('maps each palette command to its server command', () => {
        assert.deepEqual(
            WORKFLOW_COMMANDS.map(([palette, server]) => `${palette} -> ${server}`),
            [
                'planLsp.show -> plan-lsp.show',
                'planLsp.approve -> plan-lsp.approve',
                'planLsp.deploy -> plan-lsp.deploy',
                'planLsp.rollback -> plan-lsp.rollback',
            ],
        );
    });

    it('counts Deploy and Rollback, and only them, as running a program', () => {
        assert.deepEqual([...RUNNING_COMMANDS], ['plan-lsp.deploy', 'plan-lsp.rollback']);
        assert.ok(runsProgram('plan-lsp.deploy'));
        assert.ok(runsProgram('plan-lsp.rollback'));
        for (const command of ['plan-lsp.show', 'plan-lsp.approve', 'plan-lsp.finishCompletion', 'planLsp.deploy', '']) {
            assert.ok(!runsProgram(command), command);
        }
    });

    it('says why Deploy and Rollback are refused in an untrusted workspace, and how to allow them', () => {
        const deploy = untrustedRefusal('plan-lsp.deploy');
        assert.match(deploy, /^plan-lsp: Deploy is not available in Restricted Mode/);
        assert.match(deploy, /\.plan-lsp\.toml/);
        assert.match(deploy, /Manage Workspace Trust/);
        assert.match(untrustedRefusal('plan-lsp.rollback'), /^plan-lsp: Rollback is not available/);
    });

    it('keeps what a lens would do in its restricted title', () => {
        const title = restrictedLensTitle('Deploy to production: sh -c make deploy');
        assert.ok(title.startsWith('Deploy to production: sh -c make deploy'));
        assert.match(title, /trust the workspace/);
    });
});

/** A fake progress UI: what was shown, reported and ended, and a way to press Cancel. */
function fakeUi() {
    const shown: { options: ProgressOptions; updates: ProgressUpdate[]; done: boolean; cancel: () => void }[] = [];
    const cancelled: ProgressToken[] = [];
    const progress = new ServerProgress(
        (options, onCancel) => {
            const entry = { options, updates: [] as ProgressUpdate[], done: false, cancel: onCancel };
            shown.push(entry);
            return {
                report: (update) => entry.updates.push(update),
                done: () => {
                    entry.done = true;
                },
            };
        },
        (token) => cancelled.push(token),
    );
    return { progress, shown, cancelled };
}

describe('ServerProgress', () => {
    it('shows a cancellable progress as a notification, the others in the status bar', () => {
        assert.equal(progressLocation({ cancellable: true }), 'notification');
        assert.equal(progressLocation({ cancellable: false }), 'window');
        assert.equal(progressLocation({}), 'window');
    });

    it('shows begin, reports the output lines and ends on end', () => {
        const { progress, shown } = fakeUi();
        progress.create('deploy-1');
        progress.handle('deploy-1', { kind: 'begin', title: 'Deploy to production', cancellable: true, message: 'sh -c ./deploy.sh' });
        progress.handle('deploy-1', { kind: 'report', message: 'step 1 of 2' });
        progress.handle('deploy-1', { kind: 'report', message: 'done' });
        assert.equal(shown.length, 1);
        assert.deepEqual(shown[0].options, { location: 'notification', title: 'Deploy to production', cancellable: true });
        assert.deepEqual(shown[0].updates, [{ message: 'sh -c ./deploy.sh' }, { message: 'step 1 of 2' }, { message: 'done' }]);
        assert.equal(shown[0].done, false);
        assert.ok(progress.has('deploy-1'));
        progress.handle('deploy-1', { kind: 'end', message: 'deployed' });
        assert.equal(shown[0].done, true);
        assert.ok(!progress.has('deploy-1'));
    });

    it('sends window/workDoneProgress/cancel with the token once when the user cancels', () => {
        const { progress, shown, cancelled } = fakeUi();
        progress.create(7);
        progress.handle(7, { kind: 'begin', title: 'Deploy to production', cancellable: true });
        shown[0].cancel();
        shown[0].cancel();
        assert.deepEqual(cancelled, [7]);
        // The server answers with end (the outcome: failed).
        progress.handle(7, { kind: 'end', message: 'failed: cancelled' });
        assert.equal(shown[0].done, true);
        shown[0].cancel();
        assert.deepEqual(cancelled, [7], 'no cancel after the end');
    });

    it('turns percentages into increments, clamped and never backwards', () => {
        const { progress, shown } = fakeUi();
        progress.create('t');
        progress.handle('t', { kind: 'begin', title: 'Indexing', percentage: 10 });
        progress.handle('t', { kind: 'report', percentage: 40, message: 'half' });
        progress.handle('t', { kind: 'report', percentage: 30 });
        progress.handle('t', { kind: 'report', percentage: 250 });
        assert.equal(shown[0].options.location, 'window');
        assert.deepEqual(shown[0].updates, [{ increment: 10 }, { message: 'half', increment: 30 }, { increment: 60 }]);
    });

    it('ignores progress for tokens it did not create, a second begin, and values after the end', () => {
        const { progress, shown } = fakeUi();
        progress.handle('unknown', { kind: 'begin', title: 'x', cancellable: true });
        assert.equal(shown.length, 0);
        progress.create('a');
        progress.handle('a', { kind: 'report', message: 'before begin' });
        progress.handle('a', { kind: 'begin', title: 'A', cancellable: true });
        progress.handle('a', { kind: 'begin', title: 'A again', cancellable: true });
        assert.equal(shown.length, 1);
        assert.deepEqual(shown[0].updates, []);
        progress.handle('a', { kind: 'end' });
        progress.handle('a', { kind: 'report', message: 'late' });
        assert.deepEqual(shown[0].updates, []);
    });

    it('ends every open progress when the client stops', () => {
        const { progress, shown } = fakeUi();
        for (const token of ['x', 'y']) {
            progress.create(token);
            progress.handle(token, { kind: 'begin', title: token, cancellable: true });
        }
        progress.clear();
        assert.deepEqual(shown.map((s) => s.done), [true, true]);
        assert.ok(!progress.has('x') && !progress.has('y'));
    });
});

describe('files a server edit writes', () => {
    const status = 'file:///w/status.md';
    const plan = 'file:///w/docs/deployment.md';

    it('lists the edited and created files, each once', () => {
        assert.deepEqual(filesWritten({ changes: { [status]: [], [plan]: [] } }), [status, plan]);
        assert.deepEqual(
            filesWritten({
                documentChanges: [
                    { kind: 'create', uri: status },
                    { textDocument: { uri: status } },
                ],
            }),
            [status],
        );
    });

    it('follows renames and leaves deleted files out', () => {
        assert.deepEqual(
            filesWritten({
                documentChanges: [
                    { textDocument: { uri: 'file:///w/a.md' } },
                    { kind: 'rename', oldUri: 'file:///w/a.md', newUri: 'file:///w/b.md' },
                    { textDocument: { uri: 'file:///w/c.md' } },
                    { kind: 'delete', uri: 'file:///w/c.md' },
                ],
            }),
            ['file:///w/b.md'],
        );
        assert.deepEqual(filesWritten({}), []);
    });

    it('saves the files that were neither open in an editor nor unsaved', () => {
        const written = [status, plan];
        assert.deepEqual(filesToSave(written, new Set(), new Set()), [status, plan]);
        assert.deepEqual(filesToSave(written, new Set([plan]), new Set()), [status], 'an open plan keeps the edit unsaved');
        assert.deepEqual(filesToSave(written, new Set(), new Set([status])), [plan], 'unsaved changes are not saved for the user');
    });
});
