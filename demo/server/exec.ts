// pods/exec over WebSocket (v5/v4/v1 channel protocols): stdin on channel 0, stdout 1, stderr 2,
// the final Status on channel 3, then close 1000. Errors found before the upgrade are HTTP Status
// responses (kubectl then retries with SPDY as a POST, which gets the same Status).
import type {IncomingMessage} from 'node:http';
import type {Server} from 'node:https';
import type {Duplex} from 'node:stream';
import {WebSocketServer, type WebSocket} from 'ws';
import type {Cluster} from './cluster.js';
import {authorized, unauthorized, type HttpContext} from './http.js';
import {hex} from './pods.js';
import {ApiError, badRequest, type Obj} from './types.js';

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io'];

export type ExecTarget = {container: string; argv: string[]; stdin: boolean};

export function execPreflight(cluster: Cluster, namespace: string, name: string, q: URLSearchParams): ExecTarget {
	const pod = cluster.get('pods', namespace, name);
	const containers: string[] = [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])].map((c: Obj) => c.name);
	let container = q.get('container');
	if (!container) {
		if ((pod.spec.containers ?? []).length !== 1) {
			throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${(pod.spec.containers ?? []).map((c: Obj) => c.name).join(' ')}]`);
		}
		container = pod.spec.containers[0].name as string;
	}
	if (!containers.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
	const argv = q.getAll('command');
	if (argv.length === 0) throw badRequest('you must specify at least one command for the container');
	if (!pod.spec.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
	const phase = pod.status?.phase;
	if (phase === 'Succeeded' || phase === 'Failed') throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
	return {container, argv, stdin: q.get('stdin') === 'true' || q.get('stdin') === '1'};
}

function rejectUpgrade(socket: Duplex, error: ApiError): void {
	const body = JSON.stringify(error.toStatus());
	const text = error.code === 401 ? 'Unauthorized' : error.code === 403 ? 'Forbidden' : error.code === 404 ? 'Not Found' : error.code === 400 ? 'Bad Request' : 'Error';
	socket.end(`HTTP/1.1 ${error.code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

const internal = (message: string) => ({kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', details: {causes: [{message}]}, code: 500});

export function attachExec(server: Server, ctx: HttpContext): WebSocketServer {
	const wss = new WebSocketServer({
		noServer: true,
		perMessageDeflate: false,
		handleProtocols: offered => PROTOCOLS.find(p => offered.has(p)) ?? false,
	});
	server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
		socket.on('error', () => {});
		try {
			if (ctx.closing()) throw new ApiError(503, 'ServiceUnavailable', 'the demo cluster is shutting down');
			if (!authorized(req, ctx.token)) throw unauthorized();
			const refused = ctx.faults?.refuseUpgrade(req);
			if (refused) throw refused;
			const url = new URL(req.url ?? '/', 'http://localhost');
			const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec\/?$/.exec(url.pathname);
			if (!m) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
			const namespace = decodeURIComponent(m[1]!);
			const name = decodeURIComponent(m[2]!);
			const target = execPreflight(ctx.cluster, namespace, name, url.searchParams);
			const upgrade = () => wss.handleUpgrade(req, socket, head, ws => void runExec(ctx.cluster, ws, namespace, name, target));
			if (ctx.faults) ctx.faults.delayExec(socket, upgrade);
			else upgrade();
		} catch (error) {
			rejectUpgrade(socket, error instanceof ApiError ? error : new ApiError(500, 'InternalError', String(error)));
		}
	});
	return wss;
}

async function runExec(cluster: Cluster, ws: WebSocket, namespace: string, name: string, target: ExecTarget): Promise<void> {
	const abort = new AbortController();
	const send = (channel: number, data: Uint8Array | string) => {
		if (ws.readyState !== ws.OPEN) return;
		const payload = typeof data === 'string' ? Buffer.from(data) : data;
		const frame = Buffer.allocUnsafe(payload.length + 1);
		frame[0] = channel;
		frame.set(payload, 1);
		ws.send(frame, {binary: true});
	};
	const finish = (status: Obj) => {
		send(3, JSON.stringify(status));
		if (ws.readyState === ws.OPEN) ws.close(1000);
	};
	// Stdin as an async queue fed by channel-0 frames; v5's [255, 0] (or the socket closing) ends it.
	const queue: Uint8Array[] = [];
	let stdinEnded = !target.stdin;
	let wake: (() => void) | undefined;
	const endStdin = () => {
		stdinEnded = true;
		wake?.();
	};
	ws.on('message', (data: Buffer, isBinary: boolean) => {
		if (!isBinary || data.length === 0) return;
		if (data[0] === 0 && !stdinEnded) {
			if (data.length > 1) queue.push(new Uint8Array(data.subarray(1)));
			wake?.();
		} else if (data[0] === 255 && data[1] === 0) endStdin();
	});
	ws.on('close', () => {
		endStdin();
		abort.abort();
	});
	ws.on('error', () => {});
	async function* stdin(): AsyncIterable<Uint8Array> {
		for (;;) {
			while (queue.length > 0) yield queue.shift()!;
			if (stdinEnded) return;
			await new Promise<void>(resolve => (wake = resolve));
			wake = undefined;
		}
	}
	const worker = cluster.kubelet.worker(namespace, name);
	const state = worker?.containers.get(target.container);
	if (!worker?.sandbox || !state?.instance) {
		finish(internal(`unable to upgrade connection: container not found ("${target.container}")`));
		return;
	}
	try {
		const result = await worker.sandbox.exec(target.container, target.argv, {
			stdout: chunk => send(1, chunk),
			stderr: chunk => send(2, chunk),
			...(target.stdin ? {stdin: stdin()} : {}),
			signal: abort.signal,
		});
		if (result.kind === 'exited') {
			if (result.exitCode === 0) finish({metadata: {}, status: 'Success'});
			else {
				finish({
					metadata: {},
					status: 'Failure',
					message: `command terminated with non-zero exit code: error executing command [${target.argv.join(' ')}], exit code ${result.exitCode}`,
					reason: 'NonZeroExitCode',
					details: {causes: [{reason: 'ExitCode', message: String(result.exitCode)}]},
				});
			}
		} else if (result.kind === 'not-found') {
			const bin = target.argv[0] ?? '';
			finish(internal(`error executing command in container: failed to exec in container: failed to start exec "${hex(32)}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${bin}": executable file not found in $PATH: unknown`));
		} else {
			finish(internal(`unable to upgrade connection: container not found ("${target.container}")`));
		}
	} catch (error) {
		finish(internal(`error executing command in container: ${error instanceof Error ? error.message : String(error)}`));
	}
}
