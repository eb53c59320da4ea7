import assert from 'node:assert/strict';
import type {ServerResponse} from 'node:http';
import {test} from 'node:test';
import {Backoff} from '../../source/kube/backoff.js';
import {floorToSecond, followContainerLogs, splitTimestamp} from '../../source/kube/log-follower.js';
import {Transport} from '../../source/kube/transport.js';
import type {LogEntry, SourceStatus} from '../../source/kube/types.js';
import {sendJson, startFakeApi, status, waitFor, useCleanups} from './fake-api.js';

const track = useCleanups();

const fast = () => ({backoff: new Backoff({initialMs: 10, maxMs: 40, jitter: 0}), waitBackoff: new Backoff({initialMs: 10, maxMs: 40, jitter: 0})});

function ts(second: number, nanos: number): string {
	return `2026-11-24T03:00:${String(second).padStart(2, '0')}.${String(nanos).padStart(9, '0')}Z`;
}

type ContainerState = {
	containerID?: string;
	restartCount: number;
	state: Record<string, unknown>;
	lastState?: Record<string, unknown>;
};

function podWith(uid: string, cs: ContainerState): Record<string, unknown> {
	return {
		kind: 'Pod',
		apiVersion: 'v1',
		metadata: {name: 'web', namespace: 'default', uid},
		spec: {containers: [{name: 'app', image: 'busybox'}, {name: 'side', image: 'busybox'}]},
		status: {phase: 'Running', containerStatuses: [{name: 'app', ready: true, image: 'busybox', imageID: '', ...cs}]},
	};
}

/** Writes `text` in chunks of `size` bytes, so that lines and UTF-8 characters straddle chunks. */
function writeInChunks(res: ServerResponse, text: string, size: number): void {
	const bytes = Buffer.from(text);
	for (let i = 0; i < bytes.length; i += size) res.write(bytes.subarray(i, i + size));
}

test('splitTimestamp separates the RFC3339Nano prefix, keeping spaces in the text', () => {
	assert.deepEqual(splitTimestamp('2026-11-24T03:00:07.123456789Z hello  world '), {time: '2026-11-24T03:00:07.123456789Z', text: 'hello  world '});
	assert.deepEqual(splitTimestamp('2026-11-24T03:00:07.123456789Z '), {time: '2026-11-24T03:00:07.123456789Z', text: ''});
	assert.deepEqual(splitTimestamp('2026-11-24T03:00:07.123456789Z'), {time: '2026-11-24T03:00:07.123456789Z', text: ''});
	assert.deepEqual(splitTimestamp('no timestamp here'), {time: '', text: 'no timestamp here'});
	assert.deepEqual(splitTimestamp('42'), {time: '', text: '42'});
});

test('floorToSecond drops the fraction and keeps the zone', () => {
	assert.equal(floorToSecond('2026-11-24T03:00:07.123456789Z'), '2026-11-24T03:00:07Z');
	assert.equal(floorToSecond('2026-11-24T03:00:07+02:00'), '2026-11-24T03:00:07+02:00');
});

test('no line lost or repeated across a stream cut mid-line and across a container restart', async () => {
	// Instance c1 writes 120 numbered lines; lines 49-51 share one timestamp and 49-50 the same text.
	const old = Array.from({length: 120}, (_, index) => {
		const i = index + 1;
		const time = i >= 49 && i <= 51 ? ts(0, 49_000) : ts(0, i * 1000);
		const text = i === 49 || i === 50 ? 'same' : i === 60 ? 'line-60 ✓ é 日本' : `line-${i}`;
		return {time, text, wire: `${time} ${text}\n`};
	});
	const fresh = Array.from({length: 30}, (_, index) => ({time: ts(5, index), text: `new-${index + 1}`}));
	let restarted = false;
	let logRequests = 0;
	const api = await startFakeApi((request, res) => {
		if (request.path === '/api/v1/namespaces/default/pods/web') {
			return void sendJson(
				res,
				200,
				restarted
					? podWith('u1', {
							containerID: 'c2',
							restartCount: 1,
							state: {running: {startedAt: '2026-11-24T03:00:05Z'}},
							lastState: {terminated: {exitCode: 3, reason: 'Error', finishedAt: '2026-11-24T03:00:04Z', containerID: 'c1'}},
						})
					: podWith('u1', {containerID: 'c1', restartCount: 0, state: {running: {startedAt: '2026-11-24T03:00:00Z'}}}),
			);
		}
		assert.equal(request.path, '/api/v1/namespaces/default/pods/web/log');
		assert.equal(request.query.get('timestamps'), 'true');
		assert.equal(request.query.get('container'), 'app');
		logRequests++;
		res.writeHead(200, {'Content-Type': 'text/plain'});
		if (request.query.get('previous') === 'true') {
			assert.equal(request.query.get('sinceTime'), '2026-11-24T03:00:00Z');
			writeInChunks(res, old.map((l) => l.wire).join(''), 4096);
			return void res.end();
		}
		assert.equal(request.query.get('follow'), 'true');
		if (logRequests === 1) {
			assert.equal(request.query.get('sinceTime'), null);
			const upTo50 = old.slice(0, 50).map((l) => l.wire).join('');
			res.write(upTo50 + old[50]!.wire.slice(0, 12), () => setTimeout(() => res.socket?.destroy(), 10));
			return;
		}
		if (logRequests === 2) {
			// Reconnect: the server re-sends everything from the floored second; the stream then
			// ends cleanly after line 100 (the instance stopped; 101-120 were never streamed).
			assert.equal(request.query.get('sinceTime'), '2026-11-24T03:00:00Z');
			writeInChunks(res, old.slice(0, 100).map((l) => l.wire).join(''), 7);
			restarted = true;
			return void res.end();
		}
		// The new instance, from its start.
		assert.equal(request.query.get('sinceTime'), null);
		assert.equal(request.query.get('tailLines'), null);
		writeInChunks(res, fresh.map((l) => `${l.time} ${l.text}\r\n`).join(''), 5);
	});
	const entries: LogEntry[] = [];
	const statuses: SourceStatus[] = [];
	const follower = followContainerLogs(
		{namespace: 'default', pod: 'web', container: 'app', batchMs: 20, onEntries: (batch) => entries.push(...batch), onStatus: (s) => statuses.push(s)},
		{transport: new Transport(api.kc), ...fast()},
	);
	track(api, follower);
	await waitFor(() => entries.filter((e) => e.kind === 'line').length >= 150, '150 lines');
	// Let a possible duplicate arrive before judging.
	await waitFor(() => logRequests >= 4, 'the follow of the new instance');

	const rendered = entries.map((e) =>
		e.kind === 'line' ? `${e.instance}:${e.text}` : e.kind === 'restart' ? `restart->${e.instance} exit=${e.exitCode} ${e.reason} ${e.time}` : `notice:${e.text}`,
	);
	const expected = [
		...old.map((l) => `0:${l.text}`),
		'restart->1 exit=3 Error 2026-11-24T03:00:04Z',
		...fresh.map((l) => `1:${l.text}`),
	];
	assert.deepEqual(rendered, expected);
	const seqs = entries.map((e) => e.seq);
	assert.deepEqual(seqs, seqs.map((_, i) => i), 'seq counts up without gaps');
	const firstLine = entries[0];
	assert.equal(firstLine?.kind === 'line' ? firstLine.time : '', ts(0, 1000));
	assert.ok(statuses.some((s) => s.state === 'reconnecting' && /interrupted/.test(s.reason)), JSON.stringify(statuses));
	assert.equal(statuses.at(-1)?.state, 'live');
});

test('a waiting container is retried with back-off and reported, not turned into errors', async () => {
	let podGets = 0;
	let logGets = 0;
	const api = await startFakeApi((request, res) => {
		if (request.path.endsWith('/pods/web')) {
			podGets++;
			return void sendJson(
				res,
				200,
				podGets <= 2
					? podWith('u1', {restartCount: 0, state: {waiting: {reason: 'ContainerCreating'}}})
					: podWith('u1', {containerID: 'c1', restartCount: 0, state: {running: {}}}),
			);
		}
		logGets++;
		if (logGets === 1) {
			// The pod status lags behind: the kubelet still says waiting.
			return void sendJson(res, 400, status(400, 'BadRequest', 'container "app" in pod "web" is waiting to start: ContainerCreating'));
		}
		res.writeHead(200, {'Content-Type': 'text/plain'});
		res.write(`${ts(1, 0)} hello\n`);
	});
	const entries: LogEntry[] = [];
	const statuses: SourceStatus[] = [];
	const follower = followContainerLogs(
		{namespace: 'default', pod: 'web', container: 'app', tailLines: 100, onEntries: (batch) => entries.push(...batch), onStatus: (s) => statuses.push(s)},
		{transport: new Transport(api.kc), ...fast()},
	);
	track(api, follower);
	await waitFor(() => entries.some((e) => e.kind === 'line' && e.text === 'hello'), 'the first line');
	assert.equal(statuses[0]?.state, 'connecting');
	const waiting = statuses.filter((s) => s.state === 'reconnecting');
	assert.ok(waiting.length >= 2, JSON.stringify(statuses));
	assert.ok(waiting.every((s) => s.state === 'reconnecting' && /waiting to start: ContainerCreating/.test(s.reason)));
	assert.ok(!statuses.some((s) => s.state === 'failed'));
	assert.equal(statuses.at(-1)?.state, 'live');
	const logRequest = api.requests.find((r) => r.path.endsWith('/log'));
	assert.equal(logRequest?.query.get('tailLines'), '100');
});

test('an unknown container fails at once with the valid names', async () => {
	const api = await startFakeApi((_request, res) => sendJson(res, 200, podWith('u1', {containerID: 'c1', restartCount: 0, state: {running: {}}})));
	const statuses: SourceStatus[] = [];
	const follower = followContainerLogs(
		{namespace: 'default', pod: 'web', container: 'nosuch', onEntries: () => {}, onStatus: (s) => statuses.push(s)},
		{transport: new Transport(api.kc), ...fast()},
	);
	track(api, follower);
	await waitFor(() => statuses.at(-1)?.state === 'failed', 'failed status');
	const last = statuses.at(-1);
	assert.match(last?.state === 'failed' ? last.message : '', /container nosuch is not valid for pod web\. Choose one of: app, side/);
});

test('a pod that is deleted and re-created is followed again from the new pod\'s start', async () => {
	let phase = 0;
	let missingLooks = 0;
	const api = await startFakeApi((request, res) => {
		if (request.path.endsWith('/pods/web')) {
			if (phase === 1) {
				// Gone for two looks, then back with a new UID.
				if (++missingLooks === 2) phase = 2;
				return void sendJson(res, 404, status(404, 'NotFound', 'pods "web" not found'));
			}
			return void sendJson(res, 200, podWith(phase === 0 ? 'u1' : 'u2', {containerID: phase === 0 ? 'c1' : 'c9', restartCount: 0, state: {running: {}}}));
		}
		res.writeHead(200, {'Content-Type': 'text/plain'});
		if (phase === 0) {
			phase = 1;
			return void res.end(`${ts(1, 0)} from-old-pod\n`);
		}
		res.write(`${ts(0, 5)} from-new-pod\n`);
	});
	const entries: LogEntry[] = [];
	const follower = followContainerLogs(
		{namespace: 'default', pod: 'web', container: 'app', batchMs: 10, onEntries: (batch) => entries.push(...batch), onStatus: () => {}},
		{transport: new Transport(api.kc), ...fast()},
	);
	track(api, follower);
	await waitFor(() => entries.some((e) => e.kind === 'line' && e.text === 'from-new-pod'), 'the new pod\'s line');
	const kinds = entries.map((e) => (e.kind === 'line' ? e.text : e.kind));
	assert.deepEqual(kinds, ['from-old-pod', 'notice', 'notice', 'from-new-pod']);
	const notices = entries.flatMap((e) => (e.kind === 'notice' ? [e.text] : []));
	assert.match(notices[0]!, /does not exist/);
	assert.match(notices[1]!, /re-created/);
});

test('batches a burst of 200,000 lines into a few deliveries, faster than 100,000 lines/s', async () => {
	const total = 200_000;
	const parts: string[] = [];
	for (let i = 0; i < total; i++) parts.push(`${ts(10 + Math.floor(i / 100_000), i % 100_000)} payload line number ${i} with some text\n`);
	const body = Buffer.from(parts.join(''));
	const api = await startFakeApi((request, res) => {
		if (request.path.endsWith('/pods/web')) return void sendJson(res, 200, podWith('u1', {containerID: 'c1', restartCount: 0, state: {running: {}}}));
		res.writeHead(200, {'Content-Type': 'text/plain'});
		for (let i = 0; i < body.length; i += 16_384) res.write(body.subarray(i, i + 16_384));
	});
	let lines = 0;
	let calls = 0;
	let lastText = '';
	let started = 0;
	let cpuAtStart: NodeJS.CpuUsage | undefined;
	const follower = followContainerLogs(
		{
			namespace: 'default',
			pod: 'web',
			container: 'app',
			onEntries: (batch) => {
				calls++;
				lines += batch.length;
				const last = batch.at(-1);
				if (last?.kind === 'line') lastText = last.text;
			},
			onStatus: (s) => {
				if (s.state === 'live') {
					started = performance.now();
					cpuAtStart = process.cpuUsage();
				}
			},
		},
		{transport: new Transport(api.kc), ...fast()},
	);
	track(api, follower);
	await waitFor(() => lines >= total, `${total} lines`, 15_000);
	const seconds = (performance.now() - started) / 1000;
	// CPU time, not wall time: the machine is shared, and this process also runs the fake server,
	// so lines per CPU-second is a conservative and stable measure of what the follower sustains.
	const cpu = process.cpuUsage(cpuAtStart);
	const cpuSeconds = (cpu.user + cpu.system) / 1e6;
	assert.equal(lines, total);
	assert.equal(lastText, `payload line number ${total - 1} with some text`);
	const rate = total / cpuSeconds;
	console.log(`${Math.round(rate)} lines per CPU-second (server included); ${calls} deliveries in ${seconds.toFixed(2)} s`);
	assert.ok(rate > 100_000, `only ${Math.round(rate)} lines/s`);
	assert.ok(calls <= Math.ceil((seconds * 1000) / 50) + 3, `${calls} deliveries in ${seconds.toFixed(2)} s`);
});

test('a container in CrashLoopBackOff shows its last instance first, then a restart marker and the next instance', async () => {
	let running = false;
	let podGets = 0;
	const api = await startFakeApi((request, res) => {
		if (request.path.endsWith('/pods/web')) {
			// Two looks while waiting (the second one reports the wait), then the next instance runs.
			running = ++podGets > 2;
			const lastState = {terminated: {exitCode: 1, reason: 'Error', finishedAt: '2026-11-24T03:00:09Z', containerID: 'c2'}};
			return void sendJson(
				res,
				200,
				running
					? podWith('u1', {containerID: 'c3', restartCount: 3, state: {running: {}}, lastState})
					: podWith('u1', {containerID: 'c2', restartCount: 2, state: {waiting: {reason: 'CrashLoopBackOff'}}, lastState}),
			);
		}
		res.writeHead(200, {'Content-Type': 'text/plain'});
		// Like the kubelet: while waiting, a plain request reads the last (ended) instance;
		// once the next one runs, that one is only reachable with previous=true.
		if (request.query.get('previous') === 'true' || !running) {
			assert.equal(request.query.get('previous') === 'true', running);
			return void res.end(`${ts(8, 0)} crash a\n${ts(8, 1)} crash b\n`);
		}
		assert.equal(request.query.get('sinceTime'), null);
		res.write(`${ts(12, 0)} run x\n`);
	});
	const entries: LogEntry[] = [];
	const statuses: SourceStatus[] = [];
	const follower = followContainerLogs(
		{namespace: 'default', pod: 'web', container: 'app', batchMs: 10, onEntries: (batch) => entries.push(...batch), onStatus: (s) => statuses.push(s)},
		{transport: new Transport(api.kc), ...fast()},
	);
	track(api, follower);
	await waitFor(() => entries.some((e) => e.kind === 'line' && e.text === 'run x'), 'the new instance\'s line');
	const rendered = entries.map((e) => (e.kind === 'line' ? `${e.instance}:${e.text}` : e.kind === 'restart' ? `restart->${e.instance} exit=${e.exitCode}` : `notice:${e.text}`));
	assert.deepEqual(rendered, ['2:crash a', '2:crash b', 'restart->3 exit=1', '3:run x']);
	assert.ok(statuses.some((s) => s.state === 'reconnecting' && /CrashLoopBackOff/.test(s.reason)), JSON.stringify(statuses));
	assert.equal(statuses.at(-1)?.state, 'live');
});

test('an instance that started and ended between two looks is read in full with previous=true', async () => {
	let jumped = false;
	const api = await startFakeApi((request, res) => {
		if (request.path.endsWith('/pods/web')) {
			return void sendJson(
				res,
				200,
				jumped
					? podWith('u1', {
							containerID: 'c2',
							restartCount: 2,
							state: {running: {}},
							lastState: {terminated: {exitCode: 7, reason: 'Error', finishedAt: '2026-11-24T03:00:20Z', containerID: 'c1'}},
						})
					: podWith('u1', {containerID: 'c0', restartCount: 0, state: {running: {}}}),
			);
		}
		res.writeHead(200, {'Content-Type': 'text/plain'});
		if (!jumped) {
			jumped = true;
			return void res.end(`${ts(1, 0)} zero\n`);
		}
		if (request.query.get('previous') === 'true') {
			assert.equal(request.query.get('sinceTime'), null, 'a different instance is read from its start');
			return void res.end(`${ts(15, 0)} one-a\n${ts(15, 1)} one-b\n`);
		}
		res.write(`${ts(25, 0)} two\n`);
	});
	const entries: LogEntry[] = [];
	const follower = followContainerLogs(
		{namespace: 'default', pod: 'web', container: 'app', batchMs: 10, onEntries: (batch) => entries.push(...batch), onStatus: () => {}},
		{transport: new Transport(api.kc), ...fast()},
	);
	track(api, follower);
	await waitFor(() => entries.some((e) => e.kind === 'line' && e.text === 'two'), 'the newest instance');
	const rendered = entries.map((e) => (e.kind === 'line' ? `${e.instance}:${e.text}` : e.kind === 'restart' ? `restart->${e.instance} exit=${e.exitCode}` : `notice:${e.text}`));
	assert.deepEqual(rendered, ['0:zero', 'restart->1 exit=undefined', '1:one-a', '1:one-b', 'restart->2 exit=7', '2:two']);
});

test('close() leaves no timer and no connection behind, whatever the follower was doing', async () => {
	const api = await startFakeApi((request, res) => {
		if (request.path.endsWith('/pods/web')) return void sendJson(res, 200, podWith('u1', {restartCount: 0, state: {waiting: {reason: 'ContainerCreating'}}}));
		if (request.path.endsWith('/pods/busy')) return void sendJson(res, 200, {...podWith('u2', {containerID: 'c1', restartCount: 0, state: {running: {}}}), metadata: {name: 'busy', namespace: 'default', uid: 'u2'}});
		res.writeHead(200, {'Content-Type': 'text/plain'});
		res.write(`${ts(1, 0)} streaming\n`);
	});
	track(api);
	const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
	const openSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
	const baseline = timers();
	const socketBaseline = openSockets();
	const statuses: SourceStatus[] = [];
	const entries: LogEntry[] = [];
	const waiting = followContainerLogs({namespace: 'default', pod: 'web', container: 'app', onEntries: () => {}, onStatus: (s) => statuses.push(s)}, {transport: new Transport(api.kc)});
	const streaming = followContainerLogs(
		{namespace: 'default', pod: 'busy', container: 'app', batchMs: 10_000, onEntries: (e) => entries.push(...e), onStatus: (s) => statuses.push(s)},
		{transport: new Transport(api.kc)},
	);
	await waitFor(() => statuses.some((s) => s.state === 'reconnecting') && statuses.some((s) => s.state === 'live'), 'one waiting and one streaming follower');
	await waitFor(() => timers() > baseline, 'a pending batch timer');
	waiting.close();
	streaming.close();
	await waitFor(() => timers() <= baseline, 'all timers cleared');
	await waitFor(() => openSockets() <= socketBaseline, 'client and server sides of the connections closed');
	assert.equal(entries.length, 0, 'a batch pending at close is dropped, not delivered late');
});

test('a clean end while the same instance still runs (e.g. the API server restarting) resumes without duplicates', async () => {
	const lines = Array.from({length: 40}, (_, i) => `${ts(Math.floor(i / 10), i)} n${i + 1}\n`);
	let logRequests = 0;
	const api = await startFakeApi((request, res) => {
		if (request.path.endsWith('/pods/web')) return void sendJson(res, 200, podWith('u1', {containerID: 'c1', restartCount: 0, state: {running: {}}}));
		logRequests++;
		res.writeHead(200, {'Content-Type': 'text/plain'});
		if (logRequests === 1) return void res.end(lines.slice(0, 25).join(''));
		assert.equal(request.query.get('sinceTime'), '2026-11-24T03:00:02Z');
		// The server returns everything from that second on, including lines 21-25 again.
		res.write(lines.slice(20).join(''));
	});
	const entries: LogEntry[] = [];
	const follower = followContainerLogs(
		{namespace: 'default', pod: 'web', container: 'app', batchMs: 10, onEntries: (batch) => entries.push(...batch), onStatus: () => {}},
		{transport: new Transport(api.kc), ...fast()},
	);
	track(api, follower);
	await waitFor(() => entries.some((e) => e.kind === 'line' && e.text === 'n40'), 'line 40');
	assert.deepEqual(
		entries.map((e) => (e.kind === 'line' ? e.text : e.kind)),
		Array.from({length: 40}, (_, i) => `n${i + 1}`),
	);
});

test('without permission to get the pod, the log is still followed (and a drop still bridged)', async () => {
	let logRequests = 0;
	const api = await startFakeApi((request, res) => {
		if (request.path.endsWith('/pods/web')) {
			return void sendJson(res, 403, status(403, 'Forbidden', 'pods "web" is forbidden: User "u" cannot get resource "pods" in API group "" in the namespace "default"'));
		}
		logRequests++;
		res.writeHead(200, {'Content-Type': 'text/plain'});
		if (logRequests === 1) {
			assert.equal(request.query.get('tailLines'), '10');
			res.write(`${ts(1, 1)} a\n${ts(1, 2)} b\n`, () => setTimeout(() => res.socket?.destroy(), 10));
			return;
		}
		assert.equal(request.query.get('sinceTime'), '2026-11-24T03:00:01Z');
		res.write(`${ts(1, 1)} a\n${ts(1, 2)} b\n${ts(1, 3)} c\n`);
	});
	const entries: LogEntry[] = [];
	const statuses: SourceStatus[] = [];
	const follower = followContainerLogs(
		{namespace: 'default', pod: 'web', container: 'app', tailLines: 10, batchMs: 10, onEntries: (batch) => entries.push(...batch), onStatus: (s) => statuses.push(s)},
		{transport: new Transport(api.kc), ...fast()},
	);
	track(api, follower);
	await waitFor(() => entries.some((e) => e.kind === 'line' && e.text === 'c'), 'line c');
	assert.deepEqual(entries.map((e) => (e.kind === 'line' ? e.text : e.kind)), ['notice', 'a', 'b', 'c']);
	assert.ok(!statuses.some((s) => s.state === 'failed'));
});

test('a restart the pod status reports late is not read as the rest of the old instance (no line twice)', async () => {
	// Instance 0's follow ends cleanly; for the next 400 ms the status still says instance 0 is
	// running, while the log endpoint already serves instance 1. Then the status catches up.
	const endedAt = {value: 0};
	const first = [`${ts(1, 1)} old-1\n`, `${ts(1, 2)} old-2\n`];
	const second = [`${ts(3, 1)} new-1\n`, `${ts(3, 2)} new-2\n`];
	const api = await startFakeApi((request, res) => {
		if (request.path.endsWith('/pods/web')) {
			const caughtUp = endedAt.value > 0 && Date.now() - endedAt.value > 400;
			return void sendJson(
				res,
				200,
				caughtUp
					? podWith('u1', {containerID: 'c2', restartCount: 1, state: {running: {}}, lastState: {terminated: {exitCode: 3, reason: 'Error', finishedAt: '2026-11-24T03:00:02Z'}}})
					: podWith('u1', {containerID: 'c1', restartCount: 0, state: {running: {}}}),
			);
		}

		res.writeHead(200, {'Content-Type': 'text/plain'});
		if (request.query.get('previous') === 'true') return void res.end(first.join(''));
		if (endedAt.value === 0) {
			endedAt.value = Date.now();
			return void res.end(first.join(''));
		}

		res.write(second.join(''));
	});
	const entries: LogEntry[] = [];
	const follower = followContainerLogs(
		{namespace: 'default', pod: 'web', container: 'app', batchMs: 10, onEntries: (batch) => entries.push(...batch), onStatus: () => {}},
		{transport: new Transport(api.kc), ...fast(), settleMs: 2000},
	);
	track(api, follower);
	await waitFor(() => entries.filter((e) => e.kind === 'line' && e.text === 'new-2').length > 0, 'the new instance');
	await new Promise((resolve) => setTimeout(resolve, 300));
	assert.deepEqual(
		entries.map((e) => (e.kind === 'line' ? `${e.instance}:${e.text}` : e.kind === 'restart' ? `restart->${e.instance} exit=${e.exitCode}` : e.kind)),
		['0:old-1', '0:old-2', 'restart->1 exit=3', '1:new-1', '1:new-2'],
	);
});
