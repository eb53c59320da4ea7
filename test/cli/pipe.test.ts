import {test} from 'node:test';
import assert from 'node:assert/strict';
import {PassThrough} from 'node:stream';
import type {V1Pod} from '@kubernetes/client-node';
import {formatTable, runPipe} from '../../source/cli/pipe.js';
import type {KubeSource, LogFollowOptions, PodListOptions, PodOptions} from '../../source/kube/types.js';

function pod(name: string, containers: string[]): V1Pod {
	return {
		metadata: {name, namespace: 'default', creationTimestamp: new Date('2026-11-24T03:00:00Z')},
		spec: {containers: containers.map(c => ({name: c}))},
		status: {
			phase: 'Running',
			containerStatuses: containers.map(c => ({name: c, ready: true, restartCount: 0, image: 'busybox', imageID: '', state: {running: {}}})),
		},
	};
}

function fakeSource() {
	const calls = {pods: [] as PodListOptions[], pod: [] as PodOptions[], logs: [] as LogFollowOptions[], closed: 0};
	const source: KubeSource = {
		target: {context: 'test', server: 'http://127.0.0.1:1', namespace: 'default'},
		watchPods(options) {
			calls.pods.push(options);
			return {close: () => calls.closed++};
		},
		watchPod(options) {
			calls.pod.push(options);
			return {close: () => calls.closed++};
		},
		followLogs(options) {
			calls.logs.push(options);
			return {close: () => calls.closed++};
		},
		previousLogs: async () => ({lines: []}),
		podEvents: async () => [],
		exec: async () => ({kind: 'error', reason: 'other', message: 'unused'}),
	};
	return {source, calls};
}

function collect(stream: PassThrough): () => string {
	let text = '';
	stream.on('data', chunk => (text += String(chunk)));
	return () => text;
}

test('formatTable pads like kubectl: widest cell plus three spaces', () => {
	assert.equal(
		formatTable([
			['NAME', 'READY', 'STATUS'],
			['sidecar-pod', '2/2', 'Running'],
		]),
		'NAME          READY   STATUS\nsidecar-pod   2/2     Running',
	);
});

test('without a pod it prints the table once and ends', async () => {
	const {source, calls} = fakeSource();
	const out = new PassThrough();
	const text = collect(out);
	const done = runPipe({source, out, err: new PassThrough(), pod: undefined, allNamespaces: false, timestamps: false, json: false, colour: false, now: () => new Date('2026-11-24T03:00:20Z')});
	calls.pods[0]!.onPods([pod('sidecar-pod', ['main-container', 'sidecar-container'])]);
	assert.equal(await done, 0);
	assert.equal(text(), 'NAME          READY   STATUS    RESTARTS   AGE\nsidecar-pod   2/2     Running   0          20s\n');
	assert.equal(calls.closed, 1, 'the watch is closed');
});

test('a pod streams every container prefixed with its name, sanitised, and ends when the pod goes', async () => {
	const {source, calls} = fakeSource();
	const out = new PassThrough();
	const text = collect(out);
	const done = runPipe({source, out, err: new PassThrough(), pod: 'sidecar-pod', allNamespaces: false, timestamps: false, json: false, colour: false});
	calls.pod[0]!.onPod(pod('sidecar-pod', ['main-container', 'sidecar-container']));
	assert.deepEqual(calls.logs.map(l => l.container), ['main-container', 'sidecar-container']);
	calls.logs[1]!.onEntries([
		{kind: 'line', seq: 1, time: '2026-11-24T03:00:01.000000000Z', text: 'Main container log entry 0', instance: 0},
		{kind: 'line', seq: 2, time: '2026-11-24T03:00:02.000000000Z', text: 'evil \u001B]0;pwned\u0007 \u001B[2J', instance: 0},
	]);
	calls.logs[0]!.onEntries([{kind: 'restart', seq: 3, time: undefined, exitCode: 3, reason: 'Error', instance: 1}]);
	calls.pod[0]!.onPod(undefined);
	assert.equal(await done, 0);
	const lines = text().trimEnd().split('\n');
	assert.equal(lines[0], '[sidecar-container] Main container log entry 0');
	assert.ok(lines[1]!.startsWith('[sidecar-container] evil '));
	assert.ok(!lines[1]!.includes('\u001B'), 'no escape byte reaches the output');
	assert.match(lines[2]!, /^\[main-container\] ── restarted · exit 3 · Error ──$/);
	assert.equal(calls.closed, 3);
});

test('-o json gives one object per line with pod, container, time and line', async () => {
	const {source, calls} = fakeSource();
	const out = new PassThrough();
	const text = collect(out);
	const done = runPipe({source, out, err: new PassThrough(), pod: 'p', allNamespaces: false, timestamps: false, json: true, colour: false});
	calls.pod[0]!.onPod(pod('p', ['a']));
	calls.logs[0]!.onEntries([{kind: 'line', seq: 1, time: '2026-11-24T03:00:01.5Z', text: 'hello', instance: 0}]);
	calls.pod[0]!.onPod(undefined);
	await done;
	assert.deepEqual(JSON.parse(text().trim()), {pod: 'p', container: 'a', time: '2026-11-24T03:00:01.5Z', kind: 'line', line: 'hello'});
});

test('an unknown -c names the containers there are and exits 2', async () => {
	const {source, calls} = fakeSource();
	const err = new PassThrough();
	const errText = collect(err);
	const done = runPipe({source, out: new PassThrough(), err, pod: 'p', container: 'nope', allNamespaces: false, timestamps: false, json: false, colour: false});
	calls.pod[0]!.onPod(pod('p', ['a', 'b']));
	assert.equal(await done, 2);
	assert.match(errText(), /container "nope" is not in pod "p"; its containers are: a, b\./);
});

test('a closed pipe (EPIPE) ends quietly with 0', async () => {
	const {source, calls} = fakeSource();
	const out = new PassThrough();
	const done = runPipe({source, out, err: new PassThrough(), pod: 'p', allNamespaces: false, timestamps: false, json: false, colour: false});
	calls.pod[0]!.onPod(pod('p', ['a']));
	out.emit('error', Object.assign(new Error('write EPIPE'), {code: 'EPIPE'}));
	assert.equal(await done, 0);
});
