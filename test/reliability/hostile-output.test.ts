// Hostile output through the real binary in a terminal: a pod's log and a file on its volume (shown
// by the inspector) carry every kind of escape sequence. The proof is on the wire: every escape
// podwatch wrote is either colour (SGR) or one of Ink's own drawing sequences, none of the hostile
// ones appears, and a second terminal emulator fed the same bytes keeps its title, its paste and
// mouse modes and its screen. (test/e2e/dashboard.test.ts checks a smaller log-only case on screen;
// test/text/sanitize.test.ts fuzzes the sanitiser itself.)
import assert from 'node:assert/strict';
import path from 'node:path';
import {after, before, test} from 'node:test';
import xterm from '@xterm/headless';
import {startPodwatch} from '../e2e/terminal.js';
import {compiledCli, report, startRelCluster, type RelCluster} from './helpers.js';

const {Terminal} = xterm;
let env: RelCluster;

before(async () => {
	env = await startRelCluster({manifests: [path.resolve('test/reliability/fixtures/hostile.yaml')]});
});

after(async () => {
	await env?.close();
});

/** Every escape sequence in a byte stream (CSI, OSC, DCS/APC/PM/SOS, two-byte ESC x, 8-bit C1). */
function escapes(raw: string): string[] {
	const found: string[] = [];
	const pattern = /\u001B\[[\u0030-\u003F]*[\u0020-\u002F]*[\u0040-\u007E]|\u001B[\]P_^X][\s\S]*?(?:\u0007|\u001B\\)|\u001B[\u0020-\u002F]*[\u0030-\u007E]|[\u0080-\u009F]/g;
	for (const match of raw.matchAll(pattern)) found.push(match[0]);
	return found;
}

/** What Ink itself draws with: colour, relative cursor moves, erasing lines, cursor visibility, the alternate screen, synchronised output. */
function allowed(seq: string): boolean {
	if (/^\u001B\[[\d;:]*m$/.test(seq)) return true; // SGR colour
	if (/^\u001B\[\d*[ABCDEFG]$/.test(seq)) return true; // relative moves, column
	if (/^\u001B\[[012]?[JK]$/.test(seq)) return true; // erase line / below
	if (/^\u001B\[H$/.test(seq)) return true; // home (clearing the frame)
	if (/^\u001B\[\?(25|1049|2026)[hl]$/.test(seq)) return true; // cursor, alternate screen, synchronised update
	return false;
}

const HOSTILE = ['\u001B]0;', '\u001B]2;', '\u001B]52;', '\u001B]8;', '\u001B[?2004h', '\u001B[?1000h', '\u001B[?1006h', '\u001B[5;5H', '\u001B7', '\u001B8', '\u001B[6n', '\u001B[c', '\u001BP', '\u001Bc', '\u009B', '\b'];

test('escapes in a log and in a file shown by the inspector: only colour and Ink\'s own drawing reach the terminal', {timeout: 60_000}, async () => {
	const screen = startPodwatch(['hostile', '--kubeconfig', env.kubeconfig], {cols: 200, rows: 40, command: [process.execPath, compiledCli], env: {NODE_ENV: 'production', HOME: env.dir}});
	try {
		const logs = await screen.waitFor(s => /T0 [\s\S]*green END/.test(s), 20_000);
		assert.match(logs, /T0 ␛\]0;pwned-title/, 'the OSC is shown as a visible placeholder');
		assert.match(logs, /green END/, 'the colour sequence is not shown as text');
		// The volume inspector: open it, pick the file, show its contents.
		screen.press('i');
		await screen.waitFor(/evil\.txt/, 20_000);
		screen.press('\r');
		const shown = await screen.waitFor(s => /cat \/data\/evil\.txt/.test(s) && /same content/.test(s), 20_000);
		assert.ok(shown.includes('␛]52;'), 'the clipboard OSC in the file is shown as a placeholder');
		const raw = screen.raw();
		const all = escapes(raw);
		const foreign = [...new Set(all.filter(seq => !allowed(seq)))];
		const hostile = HOSTILE.filter(seq => raw.includes(seq));
		// A second emulator, fed exactly what podwatch wrote, must be left as it was.
		const judge = new Terminal({cols: 200, rows: 40, allowProposedApi: true});
		let title: string | undefined;
		judge.onTitleChange(t => (title = t));
		await new Promise<void>(resolve => judge.write(raw, resolve));
		const modes = judge.modes;
		report('hostile-output', {escapesWritten: all.length, distinct: new Set(all).size, foreign: foreign.map(s => JSON.stringify(s)), hostileFound: hostile.map(s => JSON.stringify(s))});
		assert.deepEqual(foreign.map(s => JSON.stringify(s)), [], 'escapes other than colour and Ink\'s drawing');
		assert.deepEqual(hostile.map(s => JSON.stringify(s)), [], 'hostile sequences on the wire');
		assert.equal(title, undefined, 'the window title was not changed');
		assert.equal(modes.bracketedPasteMode, false, 'bracketed paste stays off');
		assert.equal(modes.mouseTrackingMode, 'none', 'mouse tracking stays off');
		judge.dispose();
	} finally {
		await screen.kill();
	}
});
