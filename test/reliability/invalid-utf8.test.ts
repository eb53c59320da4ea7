// Invalid UTF-8 in a log, end to end. The demo's sandbox cannot write invalid bytes (its shell is
// text), so a minimal fake API server sends them: the real binary, piped and in a terminal, must
// show U+FFFD for them and keep the lines around them intact.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {startPodwatch} from '../e2e/terminal.js';
import {compiledCli, waitUntil} from './helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'podwatch-rel-utf8-'));
const kubeconfig = path.join(dir, 'kubeconfig');
let server: http.Server;

const pod = {
	kind: 'Pod',
	apiVersion: 'v1',
	metadata: {name: 'bytes', namespace: 'default', uid: 'uid-bytes', resourceVersion: '5', creationTimestamp: new Date().toISOString()},
	spec: {nodeName: 'fake', containers: [{name: 'app', image: 'busybox'}]},
	status: {phase: 'Running', containerStatuses: [{name: 'app', ready: true, restartCount: 0, image: 'busybox', imageID: '', containerID: 'fake://1', started: true, state: {running: {startedAt: new Date().toISOString()}}}]},
};

const LOG = Buffer.concat([
	Buffer.from('2026-01-01T00:00:00.000000001Z before\n'),
	Buffer.from('2026-01-01T00:00:00.000000002Z bad '),
	Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]),
	Buffer.from(' end\n'),
	Buffer.from('2026-01-01T00:00:00.000000003Z after ünïcode\n'),
]);

before(async () => {
	server = http.createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://x');
		const json = (body: unknown) => {
			res.writeHead(200, {'Content-Type': 'application/json'});
			res.end(JSON.stringify(body));
		};
		if (url.pathname === '/api/v1/namespaces/default/pods' && url.searchParams.get('watch')) {
			res.writeHead(200, {'Content-Type': 'application/json'});
			res.flushHeaders();
			return; // an open, quiet watch
		}
		if (url.pathname === '/api/v1/namespaces/default/pods') return json({kind: 'PodList', apiVersion: 'v1', metadata: {resourceVersion: '5'}, items: [pod]});
		if (url.pathname === '/api/v1/namespaces/default/pods/bytes') return json(pod);
		if (url.pathname === '/api/v1/namespaces/default') return json({kind: 'Namespace', apiVersion: 'v1', metadata: {name: 'default'}});
		if (url.pathname === '/api/v1/namespaces/default/pods/bytes/log') {
			res.writeHead(200, {'Content-Type': 'text/plain'});
			res.write(LOG);
			return; // follow: stays open
		}
		if (url.pathname.endsWith('/events')) return json({kind: 'EventList', apiVersion: 'v1', metadata: {}, items: []});
		res.writeHead(404, {'Content-Type': 'application/json'});
		res.end(JSON.stringify({kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound', message: 'not found'}));
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	fs.writeFileSync(
		kubeconfig,
		['apiVersion: v1', 'kind: Config', 'clusters:', '- name: fake', `  cluster: {server: "http://127.0.0.1:${port}"}`, 'users:', '- name: u', '  user: {token: t}', 'contexts:', '- name: fake', '  context: {cluster: fake, user: u, namespace: default}', 'current-context: fake', ''].join('\n'),
	);
});

after(async () => {
	server.closeAllConnections();
	await new Promise(resolve => server.close(resolve));
	fs.rmSync(dir, {recursive: true, force: true});
});

test('invalid UTF-8 in a log becomes U+FFFD, piped and on screen; the lines around it are intact', {timeout: 60_000}, async () => {
	const child = spawn(process.execPath, [compiledCli, 'bytes', '--kubeconfig', kubeconfig], {env: {...process.env, NODE_ENV: 'production', HOME: dir}, stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	child.stdout.setEncoding('utf8');
	child.stdout.on('data', (chunk: string) => (stdout += chunk));
	try {
		await waitUntil(() => /after/.test(stdout) || undefined, 'the line after the bad bytes', 15_000);
		const lines = stdout.trim().split('\n');
		assert.equal(lines[0], '[app] before');
		assert.match(lines[1]!, /^\[app\] bad \uFFFD+\(\uFFFD+ end$/, JSON.stringify(lines[1]));
		assert.equal(lines[2], '[app] after ünïcode');
	} finally {
		child.kill('SIGKILL');
	}
	const screen = startPodwatch(['bytes', '--kubeconfig', kubeconfig], {cols: 100, rows: 20, command: [process.execPath, compiledCli], env: {NODE_ENV: 'production', HOME: dir}});
	try {
		const text = await screen.waitFor(/after ünïcode/, 15_000);
		assert.match(text, /bad \uFFFD+\(\uFFFD+ end/);
		assert.match(text, /before/);
	} finally {
		await screen.kill();
	}
});
