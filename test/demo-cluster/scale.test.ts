// Volume: 5,000 pods listed and watched (JSON and Table), many watchers at once, and log
// streaming to a follower at more than 100k lines/s (the runtime's loggen image).
import assert from 'node:assert/strict';
import https from 'node:https';
import type {IncomingMessage} from 'node:http';
import {after, before, describe, it} from 'node:test';
import {startDemoCluster, type DemoCluster} from '../../demo/server/index.js';
import type {PodSandbox, RunningContainer} from '../../demo/runtime/types.js';
import {waitFor} from './helpers.js';

/** Containers that start and then do nothing until stopped: cheap enough for thousands of pods. */
const quietRuntime = {
	resolveImage: (image: string) => ({ref: `docker.io/library/${image}`, digest: 'sha256:' + '0'.repeat(64), flavour: 'shell' as const}),
	createPodSandbox(): PodSandbox {
		return {
			startContainer(): RunningContainer {
				let stop!: () => void;
				const done = new Promise<{exitCode: number; reason: 'Error'}>(resolve => (stop = () => resolve({exitCode: 143, reason: 'Error'})));
				return {done, terminate: async () => (stop(), done)};
			},
			exec: async () => ({kind: 'exited', exitCode: 0}),
			dispose: async () => {},
		};
	},
};

const PODS = 5000;
let cluster: DemoCluster;

function request(path: string, accept = 'application/json'): Promise<IncomingMessage> {
	return new Promise((resolve, reject) => {
		https.get(`${cluster.url}${path}`, {ca: cluster.caPem, headers: {authorization: `Bearer ${cluster.token}`, accept}}, resolve).on('error', reject);
	});
}

async function body(res: IncomingMessage): Promise<string> {
	let text = '';
	for await (const chunk of res) text += String(chunk);
	return text;
}

before(async () => {
	cluster = await startDemoCluster({runtime: quietRuntime});
	const docs: string[] = [];
	for (let i = 0; i < PODS; i++) {
		docs.push(`apiVersion: v1\nkind: Pod\nmetadata:\n  name: p-${String(i).padStart(5, '0')}\n  labels: {shard: "s${i % 10}"}\nspec:\n  containers: [{name: c, image: "busybox:1.36"}]\n`);
	}
	await cluster.applyYaml(docs.join('---\n'));
	await waitFor('all pods running', async () => {
		const list = JSON.parse(await body(await request('/api/v1/pods?fieldSelector=status.phase%3DRunning&limit=1')));
		return list.metadata.remainingItemCount === PODS - 1 || undefined;
	}, 30_000, 200);
});
after(async () => {
	await cluster?.stop();
});

describe('demo cluster at scale', () => {
	it(`lists ${PODS} pods as JSON and as a Table, paginates with limit/continue`, async () => {
		const t0 = performance.now();
		const list = JSON.parse(await body(await request('/api/v1/namespaces/default/pods')));
		assert.equal(list.items.length, PODS);
		const table = JSON.parse(await body(await request('/api/v1/pods', 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json')));
		assert.equal(table.kind, 'Table');
		assert.equal(table.rows.length, PODS);
		assert.equal(table.rows[0].cells[0], 'p-00000');
		assert.ok(performance.now() - t0 < 10_000, 'both lists within 10 s');
		const page = JSON.parse(await body(await request('/api/v1/namespaces/default/pods?limit=1000&labelSelector=shard%20in%20(s1,s2)')));
		assert.equal(page.items.length, 1000);
		assert.equal(page.metadata.continue, undefined, 'no continue token when everything fits');
		const more = JSON.parse(await body(await request('/api/v1/namespaces/default/pods?limit=300&labelSelector=shard%3Ds3')));
		const restText = await body(await request(`/api/v1/namespaces/default/pods?limit=300&labelSelector=shard%3Ds3&continue=${more.metadata.continue}`));
		const rest = JSON.parse(restText);
		assert.ok(Array.isArray(rest.items), restText.slice(0, 300));
		assert.equal(more.items.length + rest.items.length, 500);
		assert.equal(rest.metadata.continue, undefined);
	});

	it('feeds 5,000 ADDED events to each of 25 watchers, then one change to all of them', async () => {
		const watchers = await Promise.all(Array.from({length: 25}, () => request('/api/v1/namespaces/default/pods?watch=true')));
		const counts = watchers.map(() => ({added: 0, modified: 0}));
		watchers.forEach((res, i) => {
			let tail = '';
			res.on('data', chunk => {
				const lines = (tail + String(chunk)).split('\n');
				tail = lines.pop()!;
				for (const line of lines) {
					// Only the event type is needed; parsing 125k pod objects here would measure the test.
					if (line.startsWith('{"type":"ADDED"')) counts[i]!.added++;
					if (line.startsWith('{"type":"MODIFIED"')) counts[i]!.modified++;
				}
			});
		});
		try {
			await waitFor('every watcher to receive all pods', () => counts.every(c => c.added === PODS) || undefined, 20_000);
			await cluster.applyYaml('apiVersion: v1\nkind: Pod\nmetadata:\n  name: p-00001\n  labels: {shard: "s1", touched: "yes"}\nspec:\n  containers: [{name: c, image: "busybox:1.36"}]\n');
			await waitFor('every watcher to see the change', () => counts.every(c => c.modified >= 1) || undefined, 10_000);
		} finally {
			for (const res of watchers) res.destroy();
		}
	});
});

describe('log streaming throughput', () => {
	it('streams at least 100k lines/s to a follower, without gaps', async () => {
		const logCluster = await startDemoCluster();
		try {
			const lines = 200_000;
			await logCluster.applyYaml(`apiVersion: v1\nkind: Pod\nmetadata: {name: gen}\nspec:\n  containers: [{name: gen, image: podwatch/loggen, args: [--lines, "${lines}", --rate, "0"]}]\n`);
			const open = (): Promise<IncomingMessage> =>
				new Promise((resolve, reject) => {
					https.get(`${logCluster.url}/api/v1/namespaces/default/pods/gen/log?follow=true`, {ca: logCluster.caPem, headers: {authorization: `Bearer ${logCluster.token}`}}, resolve).on('error', reject);
				});
			const res = await waitFor('the log stream to open', async () => {
				const r = await open();
				if (r.statusCode === 200) return r;
				r.resume();
				return undefined;
			}, 10_000, 5);
			let tail = '';
			let expected: number | undefined;
			let start = 0;
			const result = await new Promise<{count: number; ms: number}>((resolve, reject) => {
				let count = 0;
				res.on('data', chunk => {
					const parts = (tail + String(chunk)).split('\n');
					tail = parts.pop()!;
					for (const line of parts) {
						const seq = Number(line.split(' ')[1]);
						if (expected === undefined) {
							expected = seq;
							start = performance.now();
						}
						if (seq !== expected) reject(new Error(`gap: expected line ${expected}, got ${seq}`));
						expected = seq + 1;
						count++;
						if (seq === lines) {
							resolve({count, ms: performance.now() - start});
							res.destroy();
						}
					}
				});
			});
			const perSecond = (result.count / result.ms) * 1000;
			assert.ok(result.count > 1000, `followed ${result.count} lines`);
			assert.ok(perSecond >= 100_000, `streamed ${Math.round(perSecond)} lines/s`);

			// A reader that stalls: the server stops writing, then catches up from its bounded
			// buffer — lines stay in order without duplicates and the newest ones still arrive.
			await logCluster.applyYaml(`apiVersion: v1\nkind: Pod\nmetadata: {name: gen2}\nspec:\n  containers: [{name: gen, image: podwatch/loggen, args: [--lines, "${lines}", --rate, "0", --size, "200"]}]\n`);
			const slow = await waitFor('the second log stream', async () => {
				const r: IncomingMessage = await new Promise((resolve, reject) => {
					https.get(`${logCluster.url}/api/v1/namespaces/default/pods/gen2/log?follow=true`, {ca: logCluster.caPem, headers: {authorization: `Bearer ${logCluster.token}`}}, resolve).on('error', reject);
				});
				if (r.statusCode === 200) return r;
				r.resume();
				return undefined;
			}, 10_000, 5);
			slow.pause();
			await new Promise(resolve => setTimeout(resolve, 700)); // the stall under test, not a wait for a condition
			let last = 0;
			let tail2 = '';
			let ordered = true;
			await new Promise<void>(resolve => {
				slow.on('data', chunk => {
					const parts = (tail2 + String(chunk)).split('\n');
					tail2 = parts.pop()!;
					for (const line of parts) {
						const seq = Number(line.split(' ')[1]);
						if (seq <= last) ordered = false;
						last = seq;
						if (seq === lines) {
							slow.destroy();
							resolve();
						}
					}
				});
				slow.resume();
			});
			assert.ok(ordered, 'strictly increasing sequence numbers after catching up');
			assert.equal(last, lines);
		} finally {
			await logCluster.stop();
		}
	});
});
