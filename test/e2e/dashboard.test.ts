// The real podwatch binary in a pseudo-terminal against the embedded demo cluster, read through a
// terminal emulator: what a student in front of the projector would see.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {keys, startPodwatch, cliPath, type Screen} from './terminal.js';

const repo = path.resolve(path.dirname(cliPath), '..');
const manifest = (name: string) => path.join(repo, 'demo', 'manifests', name);
const fixture = (name: string) => path.join(repo, 'test', 'e2e', 'fixtures', name);

async function withPodwatch(args: string[], options: {cols?: number; rows?: number}, body: (screen: Screen) => Promise<void>) {
	const screen = startPodwatch(args, {...options, cwd: repo});
	try {
		await body(screen);
	} finally {
		await screen.kill();
	}
}

/** The row of the screen that holds the column titles (it carries the focus marker ▶). */
function titleRow(screen: string): string {
	return screen.split('\n').find(line => line.includes('▶')) ?? '';
}

test('the lesson pod: 2/2 Running, both columns live, Tab, zoom and search', async () => {
	await withPodwatch(['--demo', 'sidecar-pod'], {}, async screen => {
		let text = await screen.waitFor(s => /READY 2\/2/.test(s) && /STATUS Running/.test(s));
		assert.match(text, /main-container/);
		assert.match(text, /sidecar-container/);
		text = await screen.waitFor(/Main container log entry 0/);
		// The sidecar's column is the right one: the entry appears to the right of the separator.
		const logLine = text.split('\n').find(line => line.includes('Main container log entry 0'))!;
		assert.ok(logLine.indexOf('│') !== -1 && logLine.indexOf('│') < logLine.indexOf('Main container log entry 0'), 'the entry is in the second column');
		assert.match(titleRow(text), /▶ 1 main-container/);

		screen.press(keys.tab);
		await screen.waitFor(s => /▶ 2 sidecar-container/.test(titleRow(s)));

		screen.press(keys.enter);
		text = await screen.waitFor(s => /zoomed/.test(s) && !/│/.test(s.split('\n').slice(4, -2).join('\n')));
		assert.doesNotMatch(titleRow(text), /main-container/, 'zoom shows the focused container alone');

		screen.press('/');
		screen.press('entry 0');
		screen.press(keys.enter);
		text = await screen.waitFor(/search "entry 0": 1\/1/);
		assert.match(text, /paused/);

		screen.press(keys.escape);
		screen.press(keys.enter);
		await screen.waitFor(s => (s.match(/│/g) ?? []).length > 10, 10_000);
	});
});

test('a crash-looping container shows a restart marker and carries on in its column', async () => {
	await withPodwatch(['--demo', '--apply', manifest('crasher.yaml'), 'crasher'], {}, async screen => {
		await screen.waitFor(/giving up/);
		const text = await screen.waitFor(/restarted/, 45_000);
		assert.match(text, /exit 3/);
		assert.match(text, /RESTARTS [1-9]/);
	});
});

test('80x24: the columns that do not fit are counted, and the focused one stays visible', async () => {
	await withPodwatch(['--demo', '--apply', manifest('different-paths.yaml'), 'different-paths'], {cols: 80, rows: 24}, async screen => {
		let text = await screen.waitFor(/1 column hidden/);
		assert.ok(text.split('\n').every(line => line.length <= 80));
		assert.doesNotMatch(titleRow(text), /reporter/, 'the third container does not fit at first');
		screen.press(keys.tab);
		screen.press(keys.tab);
		text = await screen.waitFor(s => /▶ 3 reporter/.test(titleRow(s)));
		assert.match(text, /1 column hidden/);
	});
});

test('escape sequences in a log are shown, not obeyed: no title change, no clipboard, no mouse mode', async () => {
	const screen = startPodwatch(['--demo', '--apply', fixture('hostile-logs.yaml'), 'hostile-logs'], {cwd: repo});
	try {
		const text = await screen.waitFor(/title .* end/);
		const line = text.split('\n').find(l => l.includes('title '))!;
		assert.match(line, /␛\]0;pwned-title/, 'the OSC is shown as a visible placeholder');
		assert.match(line, /red end/, 'the colour sequence itself is not shown as text');
		const raw = screen.raw();
		assert.ok(!raw.includes('\u001B]0;pwned-title'), 'no title escape reaches the terminal');
		assert.ok(!raw.includes('\u001B]52;'), 'no clipboard escape reaches the terminal');
		assert.ok(!raw.includes('\u001B[?1000h'), 'no mouse-tracking escape reaches the terminal');
	} finally {
		await screen.kill();
	}
});

test('the pod list shows ready counts, and Enter opens the selected pod', async () => {
	await withPodwatch(['--demo'], {}, async screen => {
		let text = await screen.waitFor(/sidecar-pod\s+2\/2\s+Running/);
		assert.match(text, /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
		screen.press(keys.enter);
		text = await screen.waitFor(/READY 2\/2/);
		assert.match(text, /sidecar-container/);
		screen.press(keys.escape);
		await screen.waitFor(/NAME\s+READY\s+STATUS/);
		screen.press('q');
		const exit = await screen.exited;
		assert.equal(exit.exitCode, 0);
	});
});

test('i opens the volume inspector: both containers list app.log, Enter compares it', async () => {
	await withPodwatch(['--demo', 'sidecar-pod'], {cols: 120, rows: 30}, async screen => {
		await screen.waitFor(/Main container log entry 0/);
		screen.press('i');
		let text = await screen.waitFor(/every mounting container sees the same 1 entries/);
		assert.match(text, /kubectl exec sidecar-pod -c main-container --/);
		assert.match(text, /kubectl exec sidecar-pod -c sidecar-container --/);
		assert.equal((text.match(/✓ -rw-r--r-- +\d+ \w{3} +\d+ [\d:]+ app\.log/g) ?? []).length, 2, 'app.log with its size in both panels');
		screen.press(keys.enter);
		text = await screen.waitFor(/app\.log: same content in all 2 containers/);
		assert.equal((text.match(/✓ sha256 [\da-f]{12}/g) ?? []).length, 2);
		screen.press(keys.escape);
		await screen.waitFor(/every mounting container sees the same 1 entries/);
		screen.press(keys.escape);
		await screen.waitFor(s => /▶ 1 main-container/.test(titleRow(s)));
	});
});
