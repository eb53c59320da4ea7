// The demo cluster's own safety: loopback only, nothing without its token, sandboxes that cannot
// see the host's files, environment or processes, and runaway manifests that end inside their
// limits while the API keeps answering. (test/runtime/isolation.test.ts and limits.test.ts check
// the runtime alone; these go through the API server like a user's kubectl.)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';
import WebSocket from 'ws';
import {kubectl, report, startRelCluster, waitUntil, type RelCluster} from './helpers.js';

let env: RelCluster;
let port: number;
const SENTINEL = `rel-sentinel-${process.pid}-${Date.now()}`;

before(async () => {
	process.env['PODWATCH_REL_SENTINEL'] = SENTINEL;
	env = await startRelCluster();
	port = Number(new URL(env.cluster.url).port);
});

after(async () => {
	delete process.env['PODWATCH_REL_SENTINEL'];
	await env?.close();
});

function request(urlPath: string, headers: Record<string, string> = {}, host = '127.0.0.1'): Promise<{code: number; body: string; ms: number}> {
	const started = Date.now();
	return new Promise((resolve, reject) => {
		const req = https.request({host, port, path: urlPath, ca: env.cluster.caPem, headers, timeout: 10_000}, res => {
			let body = '';
			res.setEncoding('utf8');
			res.on('data', (chunk: string) => {
				body += chunk;
				if (body.length > 4096) res.destroy();
			});
			res.on('close', () => resolve({code: res.statusCode ?? 0, body, ms: Date.now() - started}));
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', reject);
		req.end();
	});
}

const auth = () => ({Authorization: `Bearer ${env.cluster.token}`});

test('listens on 127.0.0.1 only: other loopback and interface addresses are refused', async () => {
	const others = ['127.0.0.2', ...Object.values(os.networkInterfaces()).flat().filter(i => i && !i.internal && !i.address.startsWith('fe80:')).map(i => i!.address)];
	// (IPv6 link-local addresses need a scope id and only time out; the server binds 127.0.0.1 only.)
	const outcomes: Record<string, string> = {};
	for (const address of others) {
		outcomes[address] = await new Promise<string>(resolve => {
			const socket = net.connect({host: address, port, timeout: 2000});
			socket.on('connect', () => {
				socket.destroy();
				resolve('connected');
			});
			socket.on('timeout', () => {
				socket.destroy();
				resolve('timeout');
			});
			socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
		});
	}
	report('demo-loopback', {port, outcomes});
	assert.ok(others.length >= 1);
	for (const [address, outcome] of Object.entries(outcomes)) assert.notEqual(outcome, 'connected', `${address}:${port} accepted a connection`);
	assert.equal((await request('/version', auth())).code, 200, '127.0.0.1 itself answers');
});

test('nothing without the token: no header, a wrong token, a token in the query, and exec upgrades get 401', async () => {
	const paths = ['/version', '/api/v1/pods', '/api/v1/namespaces/default/pods?watch=1', '/api/v1/namespaces/kube-system/secrets', '/api/v1/namespaces/default/pods/x/log?follow=true'];
	const codes: Record<string, number[]> = {};
	for (const p of paths) {
		codes[p] = [
			(await request(p)).code,
			(await request(p, {Authorization: 'Bearer wrong'})).code,
			(await request(p, {Authorization: `Basic ${Buffer.from(`admin:${env.cluster.token}`).toString('base64')}`})).code,
			(await request(`${p}${p.includes('?') ? '&' : '?'}access_token=${env.cluster.token}`)).code,
		];
	}
	const execCode = await new Promise<number>(resolve => {
		const ws = new WebSocket(`wss://127.0.0.1:${port}/api/v1/namespaces/default/pods/x/exec?command=id&stdout=1`, ['v5.channel.k8s.io'], {ca: env.cluster.caPem});
		ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
		ws.on('open', () => resolve(101));
		ws.on('error', () => resolve(-1));
	});
	report('demo-token', {codes, execCode});
	for (const [p, list] of Object.entries(codes)) assert.deepEqual(list, [401, 401, 401, 401], p);
	assert.equal(execCode, 401);
});

async function execIn(pod: string, container: string, script: string): Promise<{code: number; stdout: string; stderr: string}> {
	return kubectl(env.kubeconfig, ['exec', pod, '-c', container, '--', 'sh', '-c', script], env.dir);
}

test('a sandbox cannot see the host: files, environment and processes stay outside', {timeout: 60_000}, async () => {
	const secretDir = fs.mkdtempSync(path.join(os.tmpdir(), 'podwatch-rel-host-'));
	const secretFile = path.join(secretDir, 'secret.txt');
	fs.writeFileSync(secretFile, SENTINEL);
	try {
		await env.cluster.applyYaml(['apiVersion: v1', 'kind: Pod', 'metadata: {name: prisoner}', 'spec:', '  containers:', '  - name: p', '    image: busybox:1.36', '    command: ["sleep", "infinity"]', ''].join('\n'));
		await waitUntil(async () => (await kubectl(env.kubeconfig, ['get', 'pod', 'prisoner', '-o', 'jsonpath={.status.phase}'], env.dir)).stdout === 'Running' || undefined, 'prisoner running', 20_000);
		const read = await execIn('prisoner', 'p', `cat ${secretFile}; ls ${secretDir}; ls ${process.cwd()}; cat /proc/${process.pid}/environ; cat /proc/${process.pid}/cmdline`);
		const env_ = await execIn('prisoner', 'p', 'env; cat /proc/1/environ');
		const ps = await execIn('prisoner', 'p', 'ps; ls /proc');
		const written = await execIn('prisoner', 'p', `mkdir -p ${secretDir}; echo pwned > ${secretDir}/planted.txt; echo pwned > /tmp/podwatch-rel-planted-${process.pid}`);
		const kill = await execIn('prisoner', 'p', `kill -9 ${process.pid}; kill -9 1`);
		report('demo-sandbox', {read: read.stdout.slice(0, 200), readErr: read.stderr.slice(0, 300), psOut: ps.stdout.slice(0, 300), killCode: kill.code});
		assert.ok(!read.stdout.includes(SENTINEL), 'the host file was read from inside');
		assert.ok(!env_.stdout.includes(SENTINEL), 'the host environment leaked into the container');
		assert.ok(!new RegExp(`\\b${process.pid}\\b`).test(ps.stdout), `the host's pid ${process.pid} is visible: ${ps.stdout}`);
		assert.ok(!fs.existsSync(path.join(secretDir, 'planted.txt')), 'a container wrote into the host directory');
		assert.ok(!fs.existsSync(`/tmp/podwatch-rel-planted-${process.pid}`), 'a container wrote into the host /tmp');
		assert.equal(written.code, 0, 'writing inside its own filesystem works');
		assert.equal((await request('/version', auth())).code, 200, 'the server (this process) survived kill -9 from inside');
	} finally {
		fs.rmSync(secretDir, {recursive: true, force: true});
		fs.rmSync(`/tmp/podwatch-rel-planted-${process.pid}`, {force: true});
	}
});

test('runaway manifests (busy loop, memory bomb, output flood, process storm) end inside their limits; the API keeps answering', {timeout: 90_000}, async () => {
	const pod = (name: string, script: string) =>
		['apiVersion: v1', 'kind: Pod', `metadata: {name: ${name}}`, 'spec:', '  restartPolicy: Never', '  containers:', '  - name: r', '    image: busybox:1.36', `    command: ["sh", "-c", ${JSON.stringify(script)}]`, ''].join('\n');
	await env.cluster.applyYaml(pod('busy', 'while true; do :; done'));
	await env.cluster.applyYaml(pod('membomb', 'x=xxxxxxxxxxxxxxxx; while true; do x=$x$x; done'));
	await env.cluster.applyYaml(pod('flood', 'yes flooding-the-log'));
	await env.cluster.applyYaml(pod('storm', 'while true; do sleep 100 & done'));
	const latencies: number[] = [];
	const started = Date.now();
	const ended = new Map<string, string>();
	while (Date.now() - started < 60_000 && ended.size < 4) {
		const answer = await request('/api/v1/namespaces/default/pods', auth());
		latencies.push(answer.ms);
		const list = await new Promise<{items: Array<{metadata: {name: string}; status?: {containerStatuses?: Array<{state?: {terminated?: {reason?: string}}}>}}>}>(resolve => {
			const req = https.request({host: '127.0.0.1', port, path: '/api/v1/namespaces/default/pods', ca: env.cluster.caPem, headers: auth()}, res => {
				let body = '';
				res.setEncoding('utf8');
				res.on('data', (c: string) => (body += c));
				res.on('end', () => resolve(JSON.parse(body)));
			});
			req.end();
		});
		for (const item of list.items) {
			const reason = item.status?.containerStatuses?.[0]?.state?.terminated?.reason;
			if (reason && ['busy', 'membomb', 'flood', 'storm'].includes(item.metadata.name)) ended.set(item.metadata.name, reason);
		}
		await new Promise(resolve => setTimeout(resolve, 250));
	}
	const sorted = [...latencies].sort((a, b) => a - b);
	const p50 = sorted[Math.floor(sorted.length / 2)] ?? 0;
	const max = sorted.at(-1) ?? 0;
	const get = await kubectl(env.kubeconfig, ['get', 'pods', 'busy', 'membomb', 'flood', 'storm'], env.dir);
	report('demo-runaway', {ended: Object.fromEntries(ended), seconds: Math.round((Date.now() - started) / 1000), requests: latencies.length, p50Ms: p50, maxMs: max, kubectl: get.stdout});
	assert.equal(get.code, 0, get.stderr);
	assert.ok(ended.has('membomb') && ended.has('flood'), `the memory bomb and the flood were stopped: ${JSON.stringify(Object.fromEntries(ended))}`);
	assert.ok(ended.has('busy') && ended.has('storm'), `the busy loop (CPU budget) and the process storm were stopped: ${JSON.stringify(Object.fromEntries(ended))}`);
	assert.ok(max < 3000, `the API answered every request within 3 s (max ${max} ms, median ${p50} ms)`);
});
