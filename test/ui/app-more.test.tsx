import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import {stripVTControlCharacters as plain} from 'node:util';
import {Text, useInput} from 'ink';
import stringWidth from 'string-width';
import {App} from '../../source/ui/app.js';
import type {VolumeInspectorProps} from '../../source/ui/extensions.js';
import {FakeSource, fixedNow, makePod} from './fake-source.js';
import {keys, renderTerminal, type Terminal} from './render.js';

let terminal: Terminal | undefined;
afterEach(() => {
	terminal?.unmount();
	terminal = undefined;
});

const has = (text: string) => (frame: string) => plain(frame).includes(text);

async function waitFor(condition: () => boolean, what: string) {
	const deadline = Date.now() + 3000;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise(resolve => setTimeout(resolve, 10));
	}
}

test('all namespaces: a NAMESPACE column first; the status line reports reconnecting', async () => {
	const source = new FakeSource({context: 'kind-kind', server: 'https://127.0.0.1:1', namespace: undefined});
	source.pods = [makePod('web', ['nginx'], {namespace: 'shop'}), makePod('dns', ['coredns'], {namespace: 'kube-system'})];
	terminal = renderTerminal(<App source={source} colour={false} now={fixedNow} onExit={() => {}} />);
	const frame = plain(await terminal.waitForFrame(has('coredns'), 'list'));
	assert.match(frame, /NAMESPACE\s+NAME\s+READY/);
	assert.match(frame, /kube-system\s+dns\s+1\/1\s+Running/);
	assert.ok(frame.indexOf('kube-system') < frame.indexOf('shop'), 'sorted by namespace');
	assert.match(frame, /namespace \(all\)/);
	assert.equal(source.listWatches[0]!.options.namespace, undefined);
	source.listWatches[0]!.options.onStatus({state: 'reconnecting', attempt: 2, retryInMs: 4000, reason: 'connection reset'});
	await terminal.waitForFrame(has('reconnecting… (attempt 2, in 4s): connection reset'), 'reconnecting status');
});

test('ages tick with the injected clock', async () => {
	const source = new FakeSource();
	source.pods = [makePod('sidecar-pod')];
	let now = fixedNow();
	terminal = renderTerminal(<App source={source} colour={false} now={() => now} onExit={() => {}} />);
	await terminal.waitForFrame(has('5m20s'), 'initial age');
	now = new Date(now.getTime() + 3_600_000);
	await terminal.waitForFrame(has('65m'), 'age after an hour');
});

test('t shows timestamps, w wraps long lines, a follower problem shows in the column title', async () => {
	const source = new FakeSource();
	source.pods = [makePod('sidecar-pod')];
	terminal = renderTerminal(<App source={source} initialPod="sidecar-pod" colour={false} now={fixedNow} onExit={() => {}} />, {columns: 80, rows: 20});
	const t = terminal;
	await waitFor(() => source.liveFollowers('main-container').length === 1, 'follower');
	source.lines('main-container', [`start ${'x'.repeat(50)} end`], '2026-11-24T03:15:01.5Z');
	await t.waitForFrame(frame => plain(frame).includes('x end') && plain(frame).includes('[w]'), 'wrapped by default');
	t.write('w');
	await t.waitForFrame(frame => plain(frame).includes('start xxxx') && !plain(frame).includes(' end') && !plain(frame).includes('[w]'), 'cut when wrap is off');
	t.write('w');
	await t.waitForFrame(frame => plain(frame).includes('x end') && plain(frame).includes('[w]'), 'wrapped again');
	t.write('t');
	await t.waitForFrame(has('2026-11-24T03:15:01.5Z start'), 'timestamp prefix');
	source.followerStatus('sidecar-container', {state: 'reconnecting', attempt: 1, retryInMs: 1000, reason: 'EOF'});
	await t.waitForFrame(has('2 sidecar-container · reconnecting…'), 'column status');
	source.followerStatus('sidecar-container', {state: 'failed', message: 'container "sidecar-container" is waiting to start: ContainerCreating'});
	const failed = plain(await t.waitForFrame(has('2 sidecar-container · failed: contain'), 'failed status'));
	assert.match(failed, /container "sidecar-container" is waiting/, 'the message is in the column body');
	assert.match(failed, /to start: ContainerCreating/, 'wrapped, not cut');
});

test('the volume inspector extension gets the pod and the keyboard until it closes', async () => {
	const source = new FakeSource();
	source.pods = [makePod('sidecar-pod')];
	const seen: string[] = [];
	function Inspector({pod, focusedContainer, onClose}: VolumeInspectorProps) {
		useInput(input => {
			seen.push(input);
			if (input === 'x') onClose();
		});
		return <Text>inspecting {pod.metadata?.name} from {focusedContainer}</Text>;
	}

	terminal = renderTerminal(<App source={source} initialPod="sidecar-pod" colour={false} now={fixedNow} volumeInspector={Inspector} onExit={() => {}} />);
	const t = terminal;
	await t.waitForFrame(has('· following'), 'pod view');
	t.write(keys.tab);
	await t.waitForFrame(has('▶ 2 sidecar-container'), 'focus');
	t.write('i');
	await t.waitForFrame(has('inspecting sidecar-pod from sidecar-container'), 'inspector');
	t.write('q'); // the inspector owns the keys: q does not quit, Tab does not move focus
	t.write(keys.tab);
	await waitFor(() => seen.includes('q'), 'the inspector to see q');
	t.write('x');
	await t.waitForFrame(has('▶ 2 sidecar-container · following'), 'back to the columns, focus unchanged');
});

test('q quits from the list and from the pod view', async () => {
	const source = new FakeSource();
	source.pods = [makePod('sidecar-pod')];
	let exits = 0;
	terminal = renderTerminal(<App source={source} colour={false} now={fixedNow} onExit={() => exits++} />);
	await terminal.waitForFrame(has('sidecar-pod'), 'list');
	terminal.write('q');
	await waitFor(() => exits === 1, 'exit from the list');
	terminal.write(keys.enter);
	await terminal.waitForFrame(has('· following'), 'pod view');
	terminal.write('q');
	await waitFor(() => exits === 2, 'exit from the pod view');
});

test('CJK and emoji lines keep the columns aligned in terminal cells', async () => {
	const source = new FakeSource();
	source.pods = [makePod('sidecar-pod')];
	terminal = renderTerminal(<App source={source} initialPod="sidecar-pod" colour={false} now={fixedNow} onExit={() => {}} />, {columns: 80, rows: 16});
	const t = terminal;
	await waitFor(() => source.liveFollowers('main-container').length === 1, 'follower');
	source.lines('main-container', ['日本語のログ行はとても長いのでこの列には収まりません', '👍 emoji 🎉 party 👨‍👩‍👧 family and more text here', 'tab\there']);
	const frame = plain(await t.waitForFrame(has('tab     here'), 'lines'));
	const rows = frame.split('\n').filter(line => line.includes('│'));
	assert.ok(rows.length > 5);
	const separatorCells = new Set(rows.map(line => stringWidth(line.slice(0, line.indexOf('│')))));
	assert.deepEqual([...separatorCells], [39], 'the separator sits in the same cell on every row');
	for (const line of frame.split('\n')) assert.ok(stringWidth(line) <= 80, `${stringWidth(line)} cells: ${line}`);
});

test('initialContainer is focused first and showTimestamps starts with timestamps on', async () => {
	const source = new FakeSource();
	source.pods = [makePod('sidecar-pod')];
	terminal = renderTerminal(
		<App source={source} initialPod="sidecar-pod" initialContainer="sidecar-container" showTimestamps colour={false} now={fixedNow} onExit={() => {}} />,
	);
	const t = terminal;
	await t.waitForFrame(has('▶ 2 sidecar-container'), 'initial focus');
	await waitFor(() => source.liveFollowers('sidecar-container').length === 1, 'follower');
	source.lines('sidecar-container', ['hello'], '2026-11-24T03:15:09.000000001Z');
	await t.waitForFrame(has('2026-11-24T03:15:09.000000001Z hello'), 'timestamped line');
});

test('the events pane refreshes while open, without flashing "loading"', async () => {
	const source = new FakeSource();
	source.pods = [makePod('sidecar-pod')];
	let now = fixedNow();
	terminal = renderTerminal(<App source={source} initialPod="sidecar-pod" colour={false} now={() => now} onExit={() => {}} />);
	const t = terminal;
	const event = (reason: string) => ({metadata: {name: reason}, involvedObject: {}, type: 'Normal', reason, message: `${reason} happened`, lastTimestamp: fixedNow(), source: {component: 'kubelet'}});
	source.events = [event('Started')];
	await t.waitForFrame(has('· following'), 'pod view');
	t.write('e');
	await t.waitForFrame(has('Started happened'), 'first events');
	source.events = [event('Started'), event('Killing')];
	now = new Date(now.getTime() + 5000);
	await t.waitForFrame(has('Killing happened'), 'refreshed events');
	assert.ok(!t.lastFrame().includes('loading events'), 'the old list stayed until the new one came');
});
