// Drops minutes apart are separate incidents: after a watch or log stream that worked, the next
// drop must be retried after the first back-off step again, not after a delay that grew with every
// earlier blip (before the fix: 0.5 s, 1 s, 2 s, 4 s... up to 30 s for a classroom Wi-Fi).
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {createKubeSource, loadKubeConfig} from '../../source/kube/index.js';
import type {KubeSource, SourceStatus} from '../../source/kube/index.js';
import {loggenPod, SeqCounter, startRelCluster, waitUntil, type RelCluster} from './helpers.js';

let env: RelCluster;
let source: KubeSource;

before(async () => {
	env = await startRelCluster();
	await env.cluster.applyYaml(loggenPod('blips', {rate: 100}));
	const {kc, target} = loadKubeConfig({kubeconfig: env.kubeconfig, env: {}, home: env.dir});
	source = createKubeSource(kc, target);
});

after(async () => {
	await env?.close();
});

test('each of several separate drops is retried at the first back-off step (pod watch and log stream)', async () => {
	const counter = new SeqCounter();
	const logStatuses: SourceStatus[] = [];
	const podStatuses: SourceStatus[] = [];
	let lastLine = 0;
	let lastStatusAt = 0;
	const follower = source.followLogs({
		namespace: 'default',
		pod: 'blips',
		container: 'gen',
		onEntries: entries => {
			for (const e of entries) if (e.kind === 'line' && counter.add(e.text) !== undefined) lastLine = Date.now();
		},
		onStatus: s => {
			logStatuses.push(s);
			lastStatusAt = Date.now();
		},
	});
	// Reconnects after a drop (not the back-off of a container that is still being created).
	const attempts = (list: SourceStatus[]) => list.flatMap(s => (s.state === 'reconnecting' && !/waiting to start|not started/.test(s.reason) ? [s.attempt] : []));
	const watcher = source.watchPod({namespace: 'default', name: 'blips', onPod: () => {}, onStatus: s => {
		podStatuses.push(s);
		lastStatusAt = Date.now();
	}});
	try {
		for (let blip = 1; blip <= 3; blip++) {
			// A healthy stretch: both live for 1.5 s, lines still flowing.
			await waitUntil(() => (logStatuses.at(-1)?.state === 'live' && podStatuses.at(-1)?.state === 'live' && Date.now() - lastStatusAt > 1500 && Date.now() - lastLine < 200) || undefined, `a healthy stretch before blip ${blip}`, 15_000);
			assert.ok(env.cluster.faults.dropWatches() > 0, 'a watch was open');
			assert.ok(env.cluster.faults.cutLogs() > 0, 'a log stream was open');
			await waitUntil(() => (attempts(logStatuses).length >= blip && attempts(podStatuses).length >= blip) || undefined, `reconnecting statuses for blip ${blip}`, 5000);
		}
		await waitUntil(() => (logStatuses.at(-1)?.state === 'live' && podStatuses.at(-1)?.state === 'live') || undefined, 'live after the last blip', 15_000);
		assert.deepEqual(attempts(podStatuses), [1, 1, 1], `pod watch: ${JSON.stringify(podStatuses)}`);
		assert.deepEqual(attempts(logStatuses), [1, 1, 1], `log stream: ${JSON.stringify(logStatuses)}`);
		const figures = counter.figures();
		assert.equal(figures.lost, 0);
		assert.equal(figures.duplicated, 0);
	} finally {
		follower.close();
		watcher.close();
	}
});

test('a 410 that answers the reconnect after a drop relists at once: one back-off step, not a second "expired" one', async () => {
	const statuses: SourceStatus[] = [];
	let lastStatusAt = 0;
	let pod: unknown;
	const watcher = source.watchPod({namespace: 'default', name: 'blips', onPod: p => (pod = p), onStatus: s => {
		statuses.push(s);
		lastStatusAt = Date.now();
	}});
	try {
		await waitUntil(() => (pod && statuses.at(-1)?.state === 'live' && Date.now() - lastStatusAt > 1500) || undefined, 'a healthy watch', 15_000);
		const t0 = Date.now();
		assert.ok(env.cluster.faults.expireWatches() > 0);
		const before = env.cluster.faults.injected.expireWatch;
		await waitUntil(() => (env.cluster.faults.injected.expireWatch > before && statuses.at(-1)?.state === 'live') || undefined, 'the 410, then live', 10_000);
		const took = Date.now() - t0;
		const reconnects = statuses.filter(s => s.state === 'reconnecting');
		assert.deepEqual(reconnects.map(s => (s.state === 'reconnecting' ? s.attempt : 0)), [1], JSON.stringify(reconnects));
		// One back-off step of at most 600 ms, then an immediate relist; a second step would add 800-1200 ms more. Slack for a loaded machine.
		assert.ok(took < 2500, `live again after ${took} ms (one back-off step of at most 600 ms, then an immediate relist)`);
	} finally {
		watcher.close();
		env.cluster.faults.reset();
	}
});
