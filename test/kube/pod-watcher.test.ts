import assert from 'node:assert/strict';
import type {ServerResponse} from 'node:http';
import {test} from 'node:test';
import type {V1Pod} from '@kubernetes/client-node';
import {Backoff} from '../../source/kube/backoff.js';
import {watchPodCollection} from '../../source/kube/pod-watcher.js';
import {createKubeSource} from '../../source/kube/source.js';
import {Transport} from '../../source/kube/transport.js';
import type {SourceStatus} from '../../source/kube/types.js';
import {pod, sendJson, startFakeApi, status, waitFor, useCleanups} from './fake-api.js';

const track = useCleanups();

const fastBackoff = () => new Backoff({initialMs: 20, maxMs: 100, jitter: 0});
const names = (pods: V1Pod[]) => pods.map((p) => p.metadata?.name);

test('lists, watches from the list resourceVersion, re-watches from the last one after a drop, relists on 410', async () => {
	let lists = 0;
	let watches = 0;
	const api = await startFakeApi((request, res) => {
		if (request.path !== '/api/v1/namespaces/default/pods') return void sendJson(res, 404, status(404, 'NotFound', 'no'));
		if (!request.query.get('watch')) {
			lists++;
			if (lists === 1) return void sendJson(res, 200, {kind: 'PodList', metadata: {resourceVersion: '10'}, items: [pod('b'), pod('a')]});
			return void sendJson(res, 200, {kind: 'PodList', metadata: {resourceVersion: '20'}, items: [pod('d'), pod('a'), pod('c')]});
		}
		watches++;
		res.writeHead(200, {'Content-Type': 'application/json'});
		if (watches === 1) {
			// One event, then the connection drops mid-way through the next line.
			res.write(JSON.stringify({type: 'ADDED', object: pod('c', {rv: '11'})}) + '\n');
			res.write('{"type":"MODIF', () => setTimeout(() => res.socket?.destroy(), 20));
		} else if (watches === 2) {
			res.write(JSON.stringify({type: 'ERROR', object: status(410, 'Expired', 'too old resource version: 11 (15)')}) + '\n');
			res.end();
		} else {
			res.write(JSON.stringify({type: 'DELETED', object: pod('d', {rv: '21'})}) + '\n');
			// stays open
		}
	});
	const statuses: SourceStatus[] = [];
	let latest: V1Pod[] = [];
	const watcher = watchPodCollection({
		transport: new Transport(api.kc),
		namespace: 'default',
		backoff: fastBackoff(),
		coalesceMs: 10,
		onChange: (pods) => (latest = [...pods.values()].sort((x, y) => (x.metadata!.name! < y.metadata!.name! ? -1 : 1))),
		onStatus: (s) => statuses.push(s),
	});
	track(api, watcher);
	await waitFor(() => watches >= 3 && names(latest).join() === 'a,c', 'the relisted set minus the deleted pod');

	const watchRequests = api.requests.filter((r) => r.query.get('watch'));
	assert.equal(watchRequests[0]?.query.get('resourceVersion'), '10');
	assert.equal(watchRequests[1]?.query.get('resourceVersion'), '11', 're-watch continues from the last event');
	assert.equal(watchRequests[2]?.query.get('resourceVersion'), '20', 'after 410 the watch starts from the new list');
	assert.equal(watchRequests[0]?.query.get('allowWatchBookmarks'), 'true');
	assert.equal(lists, 2);
	const states = statuses.map((s) => s.state);
	assert.equal(states[0], 'connecting');
	assert.equal(states[1], 'live');
	const reconnect = statuses.find((s) => s.state === 'reconnecting');
	assert.ok(reconnect && reconnect.state === 'reconnecting' && reconnect.attempt === 1 && reconnect.retryInMs === 20, JSON.stringify(statuses));
	assert.equal(states.at(-1), 'live');
	assert.ok(!states.includes('failed'));
});

test('back-off grows while the server is down and the status says so; live again when it answers', async () => {
	let fail = 3;
	const api = await startFakeApi((request, res) => {
		if (!request.query.get('watch')) {
			if (fail-- > 0) return void sendJson(res, 503, status(503, 'ServiceUnavailable', 'etcd is down'));
			return void sendJson(res, 200, {kind: 'PodList', metadata: {resourceVersion: '5'}, items: [pod('x')]});
		}
		res.writeHead(200, {'Content-Type': 'application/json'});
	});
	const statuses: SourceStatus[] = [];
	const watcher = watchPodCollection({
		transport: new Transport(api.kc),
		namespace: 'default',
		backoff: fastBackoff(),
		onChange: () => {},
		onStatus: (s) => statuses.push(s),
	});
	track(api, watcher);
	await waitFor(() => statuses.at(-1)?.state === 'live', 'live status');
	const delays = statuses.flatMap((s) => (s.state === 'reconnecting' ? [[s.attempt, s.retryInMs]] : []));
	assert.deepEqual(delays, [
		[1, 20],
		[2, 40],
		[3, 80],
	]);
	const first = statuses.find((s) => s.state === 'reconnecting');
	assert.match(first && first.state === 'reconnecting' ? first.reason : '', /etcd is down/);
});

test('401 and 403 stop with a clear failed status instead of retrying', async () => {
	for (const [code, reason, message, expected] of [
		[401, 'Unauthorized', 'Unauthorized', /You must be logged in to the server \(Unauthorized\)/],
		[403, 'Forbidden', 'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"', /Error from server \(Forbidden\): pods is forbidden: User "bob" cannot list resource "pods"/],
	] as const) {
		const api = await startFakeApi((_request, res) => sendJson(res, code, status(code, reason, message)));
		const statuses: SourceStatus[] = [];
		const watcher = watchPodCollection({transport: new Transport(api.kc), namespace: 'default', backoff: fastBackoff(), onChange: () => {}, onStatus: (s) => statuses.push(s)});
		track(api, watcher);
		await waitFor(() => statuses.at(-1)?.state === 'failed', `failed status for ${code}`);
		const last = statuses.at(-1);
		assert.match(last?.state === 'failed' ? last.message : '', expected);
		const before = api.requests.length;
		await new Promise((resolve) => setTimeout(resolve, 100));
		assert.equal(api.requests.length, before, 'no retries after a fatal error');
	}
});

test('an empty list in a namespace that does not exist fails with the namespace named', async () => {
	const api = await startFakeApi((request, res) => {
		if (request.path === '/api/v1/namespaces/nosuch') return void sendJson(res, 404, status(404, 'NotFound', 'namespaces "nosuch" not found'));
		sendJson(res, 200, {kind: 'PodList', metadata: {resourceVersion: '1'}, items: []});
	});
	const statuses: SourceStatus[] = [];
	const watcher = watchPodCollection({transport: new Transport(api.kc), namespace: 'nosuch', onChange: () => {}, onStatus: (s) => statuses.push(s)});
	track(api, watcher);
	await waitFor(() => statuses.at(-1)?.state === 'failed', 'failed status');
	const last = statuses.at(-1);
	assert.match(last?.state === 'failed' ? last.message : '', /namespaces "nosuch" not found.*-n/);
});

test('watchPods over 5,000 pods: a burst of 2,000 events arrives in a handful of sorted snapshots, adds and deletes included', async () => {
	const name = (i: number) => `p-${String(i).padStart(4, '0')}`;
	const ns = (i: number) => (i % 2 ? 'ns-b' : 'ns-a');
	const initial = Array.from({length: 5000}, (_, i) => pod(name(4999 - i), {namespace: ns(4999 - i)}));
	const api = await startFakeApi((request, res) => {
		if (!request.query.get('watch')) return void sendJson(res, 200, {kind: 'PodList', metadata: {resourceVersion: '1'}, items: initial});
		res.writeHead(200, {'Content-Type': 'application/json'});
		let text = '';
		for (let i = 0; i < 2000; i++) {
			const p = pod(name(i % 5000), {namespace: ns(i % 5000), rv: String(i + 2)});
			(p['status'] as {phase: string}).phase = `Phase${i}`;
			text += JSON.stringify({type: 'MODIFIED', object: p}) + '\n';
		}
		text += JSON.stringify({type: 'DELETED', object: pod(name(7), {namespace: ns(7), rv: '3000'})}) + '\n';
		text += JSON.stringify({type: 'ADDED', object: pod('p-0000a', {namespace: 'ns-a', rv: '3001'})}) + '\n';
		res.write(text);
		// Later, modifications only: the order is reused, not re-sorted.
		setTimeout(() => {
			const p = pod(name(1), {namespace: ns(1), rv: '3002'});
			(p['status'] as {phase: string}).phase = 'Final';
			res.write(JSON.stringify({type: 'MODIFIED', object: p}) + '\n');
		}, 200);
	});
	const source = createKubeSource(api.kc, {context: 'fake', server: api.url, namespace: undefined});
	const snapshots: V1Pod[][] = [];
	const watcher = source.watchPods({namespace: undefined, onPods: (pods) => snapshots.push(pods), onStatus: () => {}});
	track(api, watcher);
	await waitFor(() => snapshots.at(-1)?.some((p) => p.status?.phase === 'Final') === true, 'the last event', 10_000);
	assert.ok(snapshots.length <= 10, `${snapshots.length} snapshots`);
	for (const snapshot of snapshots.slice(-2)) {
		assert.equal(snapshot.length, 5000);
		const keys = snapshot.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
		assert.deepEqual(keys, [...keys].sort(), 'sorted by namespace, then name');
		assert.deepEqual(keys.slice(0, 3), ['ns-a/p-0000', 'ns-a/p-0000a', 'ns-a/p-0002']);
		assert.ok(!keys.includes('ns-b/p-0007'));
	}
	const last = snapshots.at(-1)!;
	assert.equal(last.find((p) => p.metadata?.name === name(1999))?.status?.phase, 'Phase1999');
	assert.notEqual(snapshots.at(-2), last, 'every snapshot is a new array');
});

test('watchPod reports undefined while the pod is missing and follows it when re-created with a new UID', async () => {
	let watchResponse: ServerResponse | undefined;
	const api = await startFakeApi((request, res) => {
		assert.equal(request.query.get('fieldSelector'), 'metadata.name=web');
		if (!request.query.get('watch')) return void sendJson(res, 200, {kind: 'PodList', metadata: {resourceVersion: '1'}, items: []});
		res.writeHead(200, {'Content-Type': 'application/json'});
		res.flushHeaders();
		watchResponse = res;
	});
	const source = createKubeSource(api.kc, {context: 'fake', server: api.url, namespace: 'default'});
	const seen: Array<string | undefined> = [];
	const watcher = source.watchPod({namespace: 'default', name: 'web', onPod: (p) => seen.push(p?.metadata?.uid), onStatus: () => {}});
	track(api, watcher);
	await waitFor(() => watchResponse !== undefined && seen.length === 1, 'the initial empty answer');
	assert.deepEqual(seen, [undefined]);
	watchResponse!.write(JSON.stringify({type: 'ADDED', object: pod('web', {uid: 'one', rv: '2'})}) + '\n');
	await waitFor(() => seen.at(-1) === 'one', 'the pod');
	watchResponse!.write(JSON.stringify({type: 'DELETED', object: pod('web', {uid: 'one', rv: '3'})}) + '\n');
	await waitFor(() => seen.at(-1) === undefined, 'deletion');
	watchResponse!.write(JSON.stringify({type: 'ADDED', object: pod('web', {uid: 'two', rv: '4'})}) + '\n');
	await waitFor(() => seen.at(-1) === 'two', 're-created pod');
	assert.deepEqual(seen, [undefined, 'one', undefined, 'two']);
});

test('close() aborts the open watch request', async () => {
	let closed = false;
	const api = await startFakeApi((request, res, req) => {
		if (!request.query.get('watch')) return void sendJson(res, 200, {kind: 'PodList', metadata: {resourceVersion: '1'}, items: []});
		res.writeHead(200, {'Content-Type': 'application/json'});
		res.flushHeaders();
		req.socket.on('close', () => (closed = true));
	});
	const statuses: SourceStatus[] = [];
	const watcher = watchPodCollection({transport: new Transport(api.kc), namespace: 'default', onChange: () => {}, onStatus: (s) => statuses.push(s)});
	track(api);
	await waitFor(() => api.requests.some((r) => r.query.get('watch')), 'the watch request');
	watcher.close();
	await waitFor(() => closed, 'the server to see the connection closed');
	const count = statuses.length;
	await new Promise((resolve) => setTimeout(resolve, 50));
	assert.equal(statuses.length, count, 'no status after close');
});

test('a BOOKMARK moves the resourceVersion on; a clean end of the watch (server timeout) re-watches at once from it', async () => {
	let watches = 0;
	const api = await startFakeApi((request, res) => {
		if (!request.query.get('watch')) return void sendJson(res, 200, {kind: 'PodList', metadata: {resourceVersion: '7'}, items: [pod('a')]});
		watches++;
		assert.ok(Number(request.query.get('timeoutSeconds')) >= 300, 'a server-side timeout is always set');
		res.writeHead(200, {'Content-Type': 'application/json'});
		if (watches === 1) return void res.end(JSON.stringify({type: 'BOOKMARK', object: {kind: 'Pod', apiVersion: 'v1', metadata: {resourceVersion: '50'}}}) + '\n');
	});
	const statuses: SourceStatus[] = [];
	let snapshots = 0;
	const watcher = watchPodCollection({transport: new Transport(api.kc), namespace: 'default', backoff: fastBackoff(), onChange: () => snapshots++, onStatus: (s) => statuses.push(s)});
	track(api, watcher);
	await waitFor(() => watches === 2, 'the second watch');
	const second = api.requests.filter((r) => r.query.get('watch'))[1];
	assert.equal(second?.query.get('resourceVersion'), '50');
	assert.deepEqual(statuses.map((s) => s.state), ['connecting', 'live'], 'a clean end is not a reconnect');
	assert.equal(snapshots, 1, 'a bookmark changes no pod');
});
