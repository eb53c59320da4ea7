import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {WebSocketServer} from 'ws';
import type {WebSocket} from 'ws';
import {createKubeSource} from '../../source/kube/source.js';
import type {KubeSource} from '../../source/kube/types.js';
import {sendJson, startFakeApi} from './fake-api.js';
import type {FakeApi} from './fake-api.js';

let api: FakeApi;
let source: KubeSource;
const wss = new WebSocketServer({noServer: true, handleProtocols: (protocols) => (protocols.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : false)});
const offered: string[] = [];

function frame(channel: number, data: string | Buffer): Buffer {
	return Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]);
}

function failure(reason: string, message: string, causes?: Array<{reason: string; message: string}>): string {
	return JSON.stringify({metadata: {}, status: 'Failure', reason, message, ...(causes ? {details: {causes}} : {})});
}

function runCommand(ws: WebSocket, command: string[]): void {
	switch (command[0]) {
		case 'ls':
			ws.send(frame(1, 'file-a\nfile-b\n'));
			ws.send(frame(2, 'warn\n'));
			ws.send(frame(3, JSON.stringify({metadata: {}, status: 'Success'})));
			ws.close(1000);
			return;
		case 'exit3':
			ws.send(frame(1, 'out\n'));
			ws.send(frame(3, failure('NonZeroExitCode', 'command terminated with non-zero exit code: error executing command [exit3], exit code 3', [{reason: 'ExitCode', message: '3'}])));
			ws.close(1000);
			return;
		case 'nosuchbin':
			ws.send(frame(3, failure('InternalError', 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuchbin": executable file not found in $PATH: unknown')));
			ws.close(1000);
			return;
		case 'big':
			for (let i = 0; i < 10; i++) ws.send(frame(1, Buffer.alloc(10_000, 0x61)));
			ws.send(frame(3, JSON.stringify({metadata: {}, status: 'Success'})));
			ws.close(1000);
			return;
		case 'weird':
			// Frames a server should never send: a v5 close-channel frame and an unknown channel.
			ws.send(Buffer.from([255, 1]));
			ws.send(frame(9, 'junk'));
			ws.send(frame(1, 'still here\n'));
			ws.send(frame(3, JSON.stringify({metadata: {}, status: 'Success'})));
			ws.close(1000);
			return;
		case 'closefirst':
			ws.send(frame(1, 'partial'));
			ws.close(1000);
			return;
		default:
			// 'hang': never answers.
			return;
	}
}

before(async () => {
	api = await startFakeApi(
		(request, res) => {
			if (request.path === '/api/v1/namespaces/default/pods/stopped') {
				return void sendJson(res, 200, {
					kind: 'Pod',
					metadata: {name: 'stopped', namespace: 'default'},
					spec: {containers: [{name: 'app'}]},
					status: {containerStatuses: [{name: 'app', state: {waiting: {reason: 'CrashLoopBackOff'}}}]},
				});
			}
			sendJson(res, 404, {kind: 'Status', status: 'Failure', reason: 'NotFound', message: 'not found', code: 404});
		},
		(req, socket, head) => {
			const url = new URL(req.url ?? '/', 'http://x');
			offered.push(String(req.headers['sec-websocket-protocol']));
			if (url.pathname.includes('/forbidden/')) {
				socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{}');
				return;
			}
			if (url.pathname.includes('/stopped/')) {
				socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{}');
				return;
			}
			wss.handleUpgrade(req, socket, head, (ws) => runCommand(ws, url.searchParams.getAll('command')));
		},
	);
	source = createKubeSource(api.kc, {context: 'fake', server: api.url, namespace: 'default'});
});
after(async () => {
	for (const client of wss.clients) client.terminate();
	wss.close();
	await api.close();
});

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

test('collects stdout and stderr and the exit code 0 over the v5 channel protocol', async () => {
	const outcome = await source.exec('default', 'web', 'app', ['ls', '-la', '/var/log']);
	assert.equal(outcome.kind, 'exited');
	if (outcome.kind !== 'exited') return;
	assert.equal(outcome.exitCode, 0);
	assert.equal(text(outcome.stdout), 'file-a\nfile-b\n');
	assert.equal(text(outcome.stderr), 'warn\n');
	assert.equal(outcome.truncated, false);
	assert.match(offered.at(-1) ?? '', /v5\.channel\.k8s\.io/);
});

test('a non-zero exit code comes from the NonZeroExitCode Status causes', async () => {
	const outcome = await source.exec('default', 'web', 'app', ['exit3']);
	assert.deepEqual(outcome.kind === 'exited' ? [outcome.exitCode, text(outcome.stdout)] : outcome, [3, 'out\n']);
});

test('a missing executable is reason not-found with the program named', async () => {
	const outcome = await source.exec('default', 'web', 'app', ['nosuchbin']);
	assert.equal(outcome.kind === 'error' && outcome.reason, 'not-found');
	assert.match(outcome.kind === 'error' ? outcome.message : '', /The program "nosuchbin" does not exist in container "app" of pod "web"/);
});

test('output beyond maxBytes is cut and flagged', async () => {
	const outcome = await source.exec('default', 'web', 'app', ['big'], {maxBytes: 25_000});
	assert.equal(outcome.kind, 'exited');
	if (outcome.kind !== 'exited') return;
	assert.equal(outcome.stdout.length, 25_000);
	assert.equal(outcome.truncated, true);
});

test('a command that never answers times out', async () => {
	const started = Date.now();
	const outcome = await source.exec('default', 'web', 'app', ['hang'], {timeoutMs: 300});
	assert.equal(outcome.kind === 'error' && outcome.reason, 'timeout');
	assert.ok(Date.now() - started < 3000);
});

test('a server closing without a status still settles the exec', async () => {
	const outcome = await source.exec('default', 'web', 'app', ['closefirst'], {timeoutMs: 5000});
	assert.equal(outcome.kind === 'error' && outcome.reason, 'other');
	assert.match(outcome.kind === 'error' ? outcome.message : '', /closed before the exit status/);
});

test('403 at the handshake is forbidden, naming pods/exec create', async () => {
	const outcome = await source.exec('default', 'forbidden', 'app', ['ls']);
	assert.equal(outcome.kind === 'error' && outcome.reason, 'forbidden');
	assert.match(outcome.kind === 'error' ? outcome.message : '', /"create" permission on "pods\/exec" in namespace "default"/);
});

test('400 at the handshake for a container that is not running is not-running', async () => {
	const outcome = await source.exec('default', 'stopped', 'app', ['ls']);
	assert.equal(outcome.kind === 'error' && outcome.reason, 'not-running');
	assert.match(outcome.kind === 'error' ? outcome.message : '', /Container "app" of pod "stopped" is not running \(CrashLoopBackOff\)/);
});

test('frames on unknown channels neither crash the process nor touch its stdout', async () => {
	const outcome = await source.exec('default', 'web', 'app', ['weird']);
	assert.equal(outcome.kind, 'exited', JSON.stringify(outcome));
	assert.equal(outcome.kind === 'exited' && text(outcome.stdout), 'still here\n');
	assert.equal(process.stdout.writableEnded, false);
});
