import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import {stripVTControlCharacters as plain} from 'node:util';
import {App} from '../../source/ui/app.js';
import {FakeSource, fixedNow, makePod} from './fake-source.js';
import {keys, renderTerminal, type Terminal} from './render.js';

let terminal: Terminal | undefined;
afterEach(() => {
	terminal?.unmount();
	terminal = undefined;
});

function start(source: FakeSource, props: {initialPod?: string; size?: {columns: number; rows: number}; colour?: boolean} = {}) {
	terminal = renderTerminal(
		<App source={source} initialPod={props.initialPod} bufferLines={100} colour={props.colour ?? false} now={fixedNow} onExit={() => {}} />,
		props.size,
	);
	return terminal;
}

async function waitFor(condition: () => boolean, what: string) {
	const deadline = Date.now() + 3000;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise(resolve => setTimeout(resolve, 10));
	}
}

const has = (text: string) => (frame: string) => plain(frame).includes(text);

/** Lines of the lesson's sidecar: what main-container wrote, as tail -f prints it. */
const lessonLines = (from: number, count: number) =>
	Array.from({length: count}, (_, i) => `Tue Nov 24 03:15:${String(i).padStart(2, '0')} UTC 2026: Main container log entry ${from + i}`);

async function openLessonPod(size?: {columns: number; rows: number}) {
	const source = new FakeSource();
	source.pods = [makePod('sidecar-pod'), makePod('crasher', [{name: 'app', ready: false, state: 'waiting', restartCount: 4}])];
	const t = start(source, {size});
	await t.waitForFrame(has('sidecar-pod'), 'the pod list');
	return {source, t};
}

test('the pod list shows READY and STATUS as kubectl prints them, and the containers', async () => {
	const {t} = await openLessonPod();
	const frame = plain(await t.waitForFrame(has('CrashLoopBackOff'), 'both pods'));
	const row = frame.split('\n').find(line => line.includes('sidecar-pod'))!;
	assert.match(row, /sidecar-pod\s+2\/2\s+Running\s+0\s+5m20s\s+main-container,sidecar-container/);
	assert.match(frame, /crasher\s+0\/1\s+CrashLoopBackOff\s+4/);
	assert.match(frame, /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
	assert.match(frame, /context podwatch-demo/);
});

test('Enter opens the selected pod: header, two columns, the sidecar shows what main wrote', async () => {
	const {source, t} = await openLessonPod();
	t.write(keys.down); // crasher sorts first
	await t.waitForFrame(frame => plain(frame).split('\n').some(l => l.includes('sidecar-pod') && l.includes('2/2')), 'selection');
	t.write(keys.enter);
	await t.waitForFrame(has('READY 2/2'), 'the pod header');
	await waitFor(() => source.liveFollowers('sidecar-container').length === 1, 'the sidecar follower');
	source.lines('sidecar-container', lessonLines(0, 3));
	const frame = plain(await t.waitForFrame(has('Main container log entry 2'), 'sidecar lines'));
	assert.match(frame, /STATUS Running/);
	assert.match(frame, /1 main-container · following/);
	assert.match(frame, /2 sidecar-container · following/);
	assert.match(frame, /node podwatch-node · IP 10\.244\.0\.7 · phase Running/);
	// The sidecar's lines are in the right-hand column.
	const line = frame.split('\n').find(l => l.includes('Main container log entry 0'))!;
	assert.ok(line.indexOf('Main container') > line.indexOf('│'), line);
	assert.equal(source.liveFollowers('main-container').length, 1);
	assert.equal(source.liveFollowers('sidecar-container').length, 1);
});

async function podView(containers?: Parameters<typeof makePod>[1], size?: {columns: number; rows: number}, colour = false) {
	const source = new FakeSource();
	source.pods = [makePod('sidecar-pod', containers)];
	const t = start(source, {initialPod: 'sidecar-pod', size, colour});
	await t.waitForFrame(has('· following'), 'the pod view');
	await waitFor(() => source.followers.length === (containers?.length ?? 2), 'a follower per container');
	return {source, t};
}

test('Tab and Shift-Tab move focus, 2 jumps, Enter zooms and back', async () => {
	const {t} = await podView();
	await t.waitForFrame(has('▶ 1 main-container'), 'focus on the first column');
	t.write(keys.tab);
	await t.waitForFrame(has('▶ 2 sidecar-container'), 'focus on the second column');
	t.write(keys.shiftTab);
	await t.waitForFrame(has('▶ 1 main-container'), 'focus back');
	t.write('2');
	await t.waitForFrame(has('▶ 2 sidecar-container'), 'focus by number');
	t.write(keys.enter);
	const zoomed = plain(await t.waitForFrame(has('zoomed'), 'zoom'));
	assert.doesNotMatch(zoomed, /1 main-container · following/);
	t.write(keys.enter);
	await t.waitForFrame(has('1 main-container · following'), 'unzoom');
});

test('search highlights matches and n/N move between them', async () => {
	const {source, t} = await podView(undefined, undefined, true);
	source.lines('main-container', ['alpha one', 'beta', 'alpha two', 'gamma', 'alpha three']);
	await t.waitForFrame(has('alpha three'), 'lines');
	t.write('/alph'); // one chunk, as a paste or fast typing arrives
	t.write('a');
	await t.waitForFrame(has('/alpha█'), 'the search prompt');
	t.write('\u007F\u007Fha\r'); // backspaces and Enter inside one chunk too
	const frame = await t.waitForFrame(has('search "alpha": 3/3'), 'the last match selected');
	assert.ok(frame.includes('\u001B[7malpha\u001B[27m one'), 'matches are in inverse video');
	t.write('N');
	await t.waitForFrame(has('search "alpha": 2/3'), 'previous match');
	t.write('N');
	await t.waitForFrame(has('search "alpha": 1/3'), 'first match');
	t.write('n');
	await t.waitForFrame(has('search "alpha": 2/3'), 'next match');
	t.write(keys.escape);
	await t.waitForFrame(has('Tab focus'), 'search cleared');
});

test('restart markers from the data layer are shown inline', async () => {
	const {source, t} = await podView();
	source.lines('main-container', ['before the crash']);
	source.entries('main-container', [{kind: 'restart', seq: 99, time: '2026-11-24T03:15:20Z', exitCode: 3, reason: 'Error', instance: 1}]);
	source.lines('main-container', ['after the restart']);
	const frame = plain(await t.waitForFrame(has('after the restart'), 'lines after the marker'));
	assert.match(frame, /── restarted 03:15:20 · exit 3 · Error ──/);
});

test('at 80x24 columns that do not fit are hidden and counted, the focused one stays visible', async () => {
	const {t} = await podView(['one', 'two', 'three', 'four'], {columns: 80, rows: 24});
	let frame = plain(await t.waitForFrame(has('columns hidden'), 'hidden column notice'));
	assert.match(frame, /2 columns hidden \(1\/4\)/);
	assert.match(frame, /▶ 1 one/);
	assert.doesNotMatch(frame, /3 three ·/);
	t.write('4');
	frame = plain(await t.waitForFrame(has('▶ 4 four'), 'focused column scrolled into view'));
	assert.match(frame, /2 columns hidden \(4\/4\)/);
	const lines = frame.split('\n');
	assert.ok(lines.length <= 23, `one row of slack: ${lines.length} lines`);
	for (const line of lines) assert.ok(line.length <= 80, `fits 80 columns: ${line}`);
	t.resize(200, 30);
	await t.waitForFrame(frame => plain(frame).includes('1 one ·') && plain(frame).includes('4 four') && !plain(frame).includes('hidden'), 'all columns after resize');
});

test('escape sequences in log lines are neutralised in the frame; colour survives', async () => {
	const {source, t} = await podView(undefined, undefined, true);
	source.lines('main-container', ['\u001B[2J\u001B[Hcleared?', '\u001B]0;pwned\u0007title', '\u001B[31mred\u001B[0m text', 'bell\u0007 and \u009B31m c1']);
	const frame = await t.waitForFrame(has('text'), 'the hostile lines');
	assert.ok(plain(frame).includes('␛[2J␛[Hcleared?'));
	assert.ok(plain(frame).includes('␛]0;pwnedtitle'));
	assert.ok(plain(frame).includes('bell␇ and <9B>31m c1'));
	assert.ok(frame.includes('\u001B[31mred'), 'SGR colour kept');
	const withoutSgr = frame.replaceAll(/\u001B\[[\d;]*m/g, '');
	assert.doesNotMatch(withoutSgr, /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/, 'no escape or control byte other than SGR and newline');
});

test('scrolling pauses the focused column, new lines do not move it, f follows again', async () => {
	const {source, t} = await podView(undefined, {columns: 100, rows: 16});
	source.lines('main-container', Array.from({length: 40}, (_, i) => `line ${i}`));
	await t.waitForFrame(has('line 39'), 'tail');
	t.write(keys.pageUp);
	const paused = plain(await t.waitForFrame(has('paused 31/40 (f follows)'), 'paused title with position'));
	assert.doesNotMatch(paused, /line 39/);
	source.lines('main-container', ['line 40']);
	await t.waitForFrame(has('paused 31/41 (f follows)'), 'still paused, one more line below');
	assert.doesNotMatch(plain(t.lastFrame()), /line 40/);
	t.write('f');
	await t.waitForFrame(frame => plain(frame).includes('line 40') && plain(frame).includes('1 main-container · following'), 'following again');
});

test('a pod that does not exist yet says so, then appears; a deleted pod keeps its logs on screen until it is back', async () => {
	const source = new FakeSource();
	const t = start(source, {initialPod: 'sidecar-pod'});
	await t.waitForFrame(has('not found in namespace "default" — waiting'), 'the waiting message');
	source.setPods([makePod('sidecar-pod', undefined, {uid: 'first'})]);
	await t.waitForFrame(has('2 sidecar-container · following'), 'the pod view');
	await waitFor(() => source.liveFollowers('main-container').length === 1, 'the follower');
	source.lines('sidecar-container', ['Main container log entry 7']);
	await t.waitForFrame(has('Main container log entry 7'), 'a line');
	source.setPods([]);
	const gone = plain(await t.waitForFrame(has('pod deleted — showing what it logged'), 'deleted'));
	assert.match(gone, /Main container log entry 7/, 'nothing already shown is lost');
	// The data layer follows a recreated pod itself; the view must not restart its followers.
	assert.equal(source.liveFollowers('main-container').length, 1);
	source.setPods([makePod('sidecar-pod', undefined, {uid: 'second'})]);
	await t.waitForFrame(s => !plain(s).includes('pod deleted'), 'back');
	assert.equal(source.liveFollowers('main-container').length, 1, 'the same follower carries on');
	assert.match(plain(t.lastFrame()), /Main container log entry 7/);
});

test('p shows the previous instance, e the events, ? the help, i the inspector placeholder', async () => {
	const {source, t} = await podView();
	source.previous['main-container'] = {lines: ['last words of instance 0']};
	source.events = [
		{
			metadata: {name: 'e1'},
			involvedObject: {},
			type: 'Warning',
			reason: 'BackOff',
			message: 'Back-off restarting failed container',
			count: 4,
			firstTimestamp: new Date('2026-11-24T03:10:20Z'),
			lastTimestamp: new Date('2026-11-24T03:15:00Z'),
			source: {component: 'kubelet'},
		},
	];
	t.write('p');
	await t.waitForFrame(has('last words of instance 0'), 'previous logs');
	assert.match(plain(t.lastFrame()), /1 main-container · previous instance/);
	t.write('p');
	await t.waitForFrame(has('1 main-container · following'), 'live again');
	t.write('e');
	const events = plain(await t.waitForFrame(has('BackOff'), 'events'));
	assert.match(events, /Warning\s+BackOff\s+20s \(x4 over 5m\)\s+kubelet\s+Back-off restarting failed container/);
	t.write(keys.escape);
	await t.waitForFrame(has('1 main-container · following'), 'events closed');
	t.write('?');
	await t.waitForFrame(has('Keys (any key closes)'), 'help');
	t.write('x');
	await t.waitForFrame(has('1 main-container · following'), 'help closed');
	t.write('i');
	await t.waitForFrame(has('volume inspector: coming soon'), 'inspector placeholder');
});

test('the list keeps its selection by name when pods change, filters, and Esc returns from a pod', async () => {
	const source = new FakeSource();
	source.pods = ['b-pod', 'c-pod'].map(n => makePod(n));
	const t = start(source);
	await t.waitForFrame(has('c-pod'), 'list');
	t.write(keys.down);
	await t.waitForFrame(has('2/2 pods'), 'second selected');
	source.setPods(['a-pod', 'b-pod', 'c-pod'].map(n => makePod(n)));
	await t.waitForFrame(has('3/3 pods'), 'selection stays on c-pod, now third');
	t.write('/b-');
	await t.waitForFrame(frame => plain(frame).includes('/b-█') && !plain(frame).includes('c-pod'), 'filtered');
	t.write(keys.enter);
	t.write(keys.enter);
	await t.waitForFrame(has('1 main-container · following'), 'b-pod opened');
	assert.match(plain(t.lastFrame()), /^b-pod/m);
	t.write(keys.escape);
	await t.waitForFrame(has('filter: b-'), 'back on the list, filter kept');
});

test('5,000 pods: only the visible rows render and the frame fits the terminal', async () => {
	const source = new FakeSource();
	source.pods = Array.from({length: 5000}, (_, i) => makePod(`pod-${String(i).padStart(4, '0')}`));
	const t = start(source, {size: {columns: 120, rows: 30}});
	const frame = plain(await t.waitForFrame(has('1/5000 pods'), 'list'));
	assert.ok(frame.split('\n').length <= 29);
	const started = Date.now();
	t.write('G');
	await t.waitForFrame(has('5000/5000 pods'), 'last pod');
	assert.match(plain(t.lastFrame()), /pod-4999/);
	assert.ok(Date.now() - started < 2000, `G took ${Date.now() - started} ms`);
});

test('unmounting closes every watch and log follower', async () => {
	const {source, t} = await podView();
	assert.ok(source.openHandles() >= 3);
	t.unmount();
	terminal = undefined;
	assert.equal(source.openHandles(), 0);
});
