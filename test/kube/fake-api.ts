// A tiny API server for unit tests: each test supplies the handler, so faults (dropped streams,
// 410, restarts) happen exactly when the test wants them.
import http from 'node:http';
import type {AddressInfo, Socket} from 'node:net';
import {afterEach} from 'node:test';
import {KubeConfig} from '@kubernetes/client-node';

export type FakeRequest = {method: string; path: string; query: URLSearchParams; headers: http.IncomingHttpHeaders};
export type Handler = (request: FakeRequest, res: http.ServerResponse, req: http.IncomingMessage) => void;

export type FakeApi = {
	url: string;
	kc: KubeConfig;
	requests: FakeRequest[];
	close(): Promise<void>;
};

export type UpgradeHandler = (req: http.IncomingMessage, socket: Socket, head: Buffer) => void;

export async function startFakeApi(handler: Handler, onUpgrade?: UpgradeHandler): Promise<FakeApi> {
	const requests: FakeRequest[] = [];
	const sockets = new Set<Socket>();
	const server = http.createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://x');
		const request = {method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers};
		requests.push(request);
		try {
			handler(request, res, req);
		} catch (error) {
			res.writeHead(500).end(String(error));
		}
	});
	if (onUpgrade) server.on('upgrade', onUpgrade);
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	const url = `http://127.0.0.1:${port}`;
	return {
		url,
		kc: kubeConfigFor(url),
		requests,
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}

export function kubeConfigFor(server: string, token = 'test-token'): KubeConfig {
	const kc = new KubeConfig();
	kc.loadFromOptions({
		clusters: [{name: 'fake', server, skipTLSVerify: false}],
		users: [{name: 'fake-user', token}],
		contexts: [{name: 'fake', cluster: 'fake', user: 'fake-user', namespace: 'default'}],
		currentContext: 'fake',
	});
	return kc;
}

export function sendJson(res: http.ServerResponse, code: number, body: unknown): void {
	const text = JSON.stringify(body);
	res.writeHead(code, {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text)});
	res.end(text);
}

export function status(code: number, reason: string, message: string): Record<string, unknown> {
	return {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code};
}

/** Polls `condition` until it holds or the deadline passes (then fails with `what`). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

export function pod(name: string, extra: {namespace?: string; uid?: string; rv?: string; phase?: string} = {}): Record<string, unknown> {
	return {
		kind: 'Pod',
		apiVersion: 'v1',
		metadata: {name, namespace: extra.namespace ?? 'default', uid: extra.uid ?? `uid-${name}`, resourceVersion: extra.rv ?? '1'},
		spec: {containers: [{name: 'app', image: 'busybox'}]},
		status: {phase: extra.phase ?? 'Running'},
	};
}

/**
 * Registers, for the calling test file, an afterEach that closes what each test tracked, so that
 * no follower or watcher of an earlier test is still running in a later one.
 */
export function useCleanups(): (api: FakeApi, closeable?: {close(): unknown}) => void {
	const cleanups: Array<() => unknown> = [];
	afterEach(async () => {
		for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
	});
	return (api, closeable) => {
		cleanups.push(() => api.close());
		if (closeable) cleanups.push(() => closeable.close());
	};
}
