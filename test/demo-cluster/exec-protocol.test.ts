// pods/exec and pods/log on the wire: subprotocol negotiation, channels, the final Status,
// HTTP errors before the upgrade, and a follow that ends when its container instance stops.
import assert from 'node:assert/strict';
import https from 'node:https';
import type {IncomingMessage} from 'node:http';
import {after, before, describe, it} from 'node:test';
import WebSocket from 'ws';
import {startDemoCluster, type DemoCluster} from '../../demo/server/index.js';
import {fakeRuntime} from './fake-runtime.js';
import {waitFor} from './helpers.js';

let cluster: DemoCluster;

before(async () => {
	cluster = await startDemoCluster({runtime: fakeRuntime, backoffBaseMs: 2000});
	await cluster.applyYaml(`apiVersion: v1
kind: Pod
metadata: {name: box}
spec:
  containers:
  - {name: main, image: "busybox:1.36"}
  - {name: flaky, image: "busybox:1.36", command: [sh, -c, "exit 4"]}
`);
});
after(async () => {
	await cluster?.stop();
});

type Session = {protocol: string; frames: Buffer[]; closeCode?: number; status?: Record<string, unknown>};

function exec(query: string, protocols: string[], stdin?: Buffer[]): Promise<Session> {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(`${cluster.url.replace('https', 'wss')}/api/v1/namespaces/default/pods/box/exec?${query}`, protocols, {ca: cluster.caPem, headers: {authorization: `Bearer ${cluster.token}`}});
		const session: Session = {protocol: '', frames: []};
		ws.on('open', () => {
			session.protocol = ws.protocol;
			for (const frame of stdin ?? []) ws.send(frame);
		});
		ws.on('message', (data: Buffer) => {
			session.frames.push(data);
			if (data[0] === 3) session.status = JSON.parse(data.subarray(1).toString());
		});
		ws.on('close', code => {
			session.closeCode = code;
			resolve(session);
		});
		ws.on('unexpected-response', (_req, res: IncomingMessage) => {
			let body = '';
			res.on('data', d => (body += String(d)));
			res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), {statusCode: res.statusCode, body})));
		});
		ws.on('error', error => reject(error));
	});
}

const channel = (s: Session, n: number) => Buffer.concat(s.frames.filter(f => f[0] === n).map(f => f.subarray(1))).toString();

describe('exec over WebSocket', () => {
	before(async () => {
		await waitFor('main running', async () => {
			try {
				return (await exec('container=main&command=echo&command=up&stdout=true', ['v5.channel.k8s.io'])).status?.status === 'Success' || undefined;
			} catch {
				return undefined;
			}
		});
	});

	for (const protocol of ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io']) {
		it(`speaks ${protocol}: output on channel 1, Status on channel 3, close 1000`, async () => {
			const s = await exec('container=main&command=echo&command=hello&stdout=true&stderr=true', ['base64.channel.k8s.io', protocol]);
			assert.equal(s.protocol, protocol);
			assert.equal(channel(s, 1), 'hello\n');
			assert.deepEqual(s.status, {metadata: {}, status: 'Success'});
			assert.equal(s.closeCode, 1000);
		});
	}

	it('reports a non-zero exit as NonZeroExitCode with the code in the causes', async () => {
		const s = await exec('container=main&command=sh&command=-c&command=exit%207&stdout=true&stderr=true', ['v5.channel.k8s.io']);
		assert.equal(channel(s, 2), 'err\n');
		assert.equal(s.status?.reason, 'NonZeroExitCode');
		assert.deepEqual((s.status?.details as {causes: unknown[]}).causes, [{reason: 'ExitCode', message: '7'}]);
	});

	it('feeds stdin from channel 0 until the v5 close frame [255, 0]', async () => {
		const s = await exec('container=main&command=cat&stdin=true&stdout=true', ['v5.channel.k8s.io'], [Buffer.from([0, ...Buffer.from('one ')]), Buffer.from([0, ...Buffer.from('two\n')]), Buffer.from([255, 0])]);
		assert.equal(channel(s, 1), 'one two\n');
		assert.equal(s.status?.status, 'Success');
	});

	it('reports a missing binary and a stopped container as InternalError on channel 3', async () => {
		const missing = await exec('container=main&command=nosuchbin&stdout=true', ['v5.channel.k8s.io']);
		assert.equal(missing.status?.reason, 'InternalError');
		assert.equal(missing.status?.code, 500);
		assert.match(String(missing.status?.message), /exec: "nosuchbin": executable file not found in \$PATH: unknown$/);
		await waitFor('flaky in back-off', async () => {
			const s = await exec('container=flaky&command=echo&stdout=true', ['v5.channel.k8s.io']);
			return s.status?.reason === 'InternalError' ? s : undefined;
		});
	});

	it('answers errors before the upgrade with an HTTP Status', async () => {
		await assert.rejects(exec('container=nosuch&command=ls&stdout=true', ['v5.channel.k8s.io']), (e: {statusCode?: number; body?: string}) => {
			assert.equal(e.statusCode, 400);
			assert.equal(JSON.parse(e.body!).message, 'container nosuch is not valid for pod box');
			return true;
		});
		await assert.rejects(exec('command=ls&stdout=true', ['v5.channel.k8s.io']), (e: {statusCode?: number; body?: string}) => {
			assert.equal(JSON.parse(e.body!).message, 'a container name must be specified for pod box, choose one of: [main flaky]');
			return true;
		});
	});
});

describe('log follow', () => {
	it('ends with a clean EOF when the followed instance stops', async () => {
		const open = (): Promise<IncomingMessage> =>
			new Promise((resolve, reject) => {
				https.get(`${cluster.url}/api/v1/namespaces/default/pods/box/log?container=main&follow=true`, {ca: cluster.caPem, headers: {authorization: `Bearer ${cluster.token}`}}, resolve).on('error', reject);
			});
		const res = await open();
		assert.equal(res.statusCode, 200);
		let text = '';
		const ended = new Promise<void>((resolve, reject) => {
			res.on('data', d => (text += String(d)));
			res.on('end', resolve);
			res.on('error', reject);
		});
		await waitFor('a live line', () => /tick \d+\n/.test(text) || undefined);
		// Deleting the pod stops the instance; the follow must end by itself (not by a reset).
		const deleted = await new Promise<IncomingMessage>((resolve, reject) => {
			const req = https.request(`${cluster.url}/api/v1/namespaces/default/pods/box`, {method: 'DELETE', ca: cluster.caPem, headers: {authorization: `Bearer ${cluster.token}`}}, resolve);
			req.on('error', reject);
			req.end();
		});
		deleted.resume();
		await ended;
		assert.match(text, /tick \d+\n$/);
	});
});

describe('watch details on the wire', () => {
	const get = (path: string, token = cluster.token): Promise<IncomingMessage> =>
		new Promise((resolve, reject) => {
			https.get(`${cluster.url}${path}`, {ca: cluster.caPem, headers: token ? {authorization: `Bearer ${token}`} : {}}, resolve).on('error', reject);
		});
	const readAll = async (res: IncomingMessage) => {
		let text = '';
		for await (const chunk of res) text += String(chunk);
		return text;
	};

	it('sends initial events, then a BOOKMARK marking their end, and honours timeoutSeconds', async () => {
		await cluster.applyYaml('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: seen}\n');
		const started = performance.now();
		const res = await get('/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1');
		assert.equal(res.headers['content-type'], 'application/json');
		const events = (await readAll(res)).trim().split('\n').map(line => JSON.parse(line));
		assert.ok(performance.now() - started >= 900, 'the stream stays open until the timeout');
		const names = events.filter(e => e.type === 'ADDED').map(e => e.object.metadata.name);
		assert.ok(names.includes('seen') && names.includes('kube-root-ca.crt'));
		const bookmark = events.find(e => e.type === 'BOOKMARK');
		assert.equal(bookmark.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
		assert.ok(events.indexOf(bookmark) > events.findIndex(e => e.object.metadata.name === 'seen'));
	});

	it('answers 401 Unauthorized without a valid bearer token and 404 for unknown paths', async () => {
		const res = await get('/api/v1/pods', 'wrong');
		assert.equal(res.statusCode, 401);
		assert.deepEqual(JSON.parse(await readAll(res)), {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401});
		const missing = await get('/api/v1/namespaces/default/widgets');
		assert.equal(missing.statusCode, 404);
		assert.equal(JSON.parse(await readAll(missing)).reason, 'NotFound');
	});
});
