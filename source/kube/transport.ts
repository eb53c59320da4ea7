// Plain HTTP(S) requests to the API server, authenticated by client-node's KubeConfig. We use our
// own requests rather than client-node's Watch / Log helpers so that every stream can be aborted
// cleanly, every error keeps the server's Status message, and nothing throws asynchronously.
import http from 'node:http';
import https from 'node:https';
import {KubeConfig} from '@kubernetes/client-node';
import type {V1Status} from '@kubernetes/client-node';
import {KubeApiError} from './errors.js';

export type Query = Record<string, string | number | boolean | undefined>;

/**
 * client-node refuses to build an agent for a plain-http server unless insecure-skip-tls-verify is
 * set (there is no TLS to verify). kubectl accepts such servers, so give client-node a copy of the
 * config with the flag set for http:// clusters only; https clusters are left untouched.
 */
export function transportConfig(kc: KubeConfig): KubeConfig {
	const cluster = kc.getCurrentCluster();
	if (!cluster || !cluster.server.startsWith('http:') || cluster.skipTLSVerify) return kc;
	const copy = new KubeConfig();
	copy.loadFromOptions({
		clusters: kc.clusters.map((c) => (c.name === cluster.name ? {...c, skipTLSVerify: true} : c)),
		users: kc.users,
		contexts: kc.contexts,
		currentContext: kc.currentContext,
	});
	return copy;
}

export function buildPath(path: string, query: Query = {}): string {
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(query)) {
		if (value !== undefined) params.append(key, String(value));
	}
	const qs = params.toString();
	return qs ? `${path}?${qs}` : path;
}

export function parseStatusBody(body: string): V1Status | undefined {
	try {
		const parsed = JSON.parse(body) as {kind?: unknown};
		if (parsed && parsed.kind === 'Status') return parsed as V1Status;
	} catch {
		// not a Status
	}
	return undefined;
}

export class Transport {
	readonly kc: KubeConfig;
	readonly server: string;

	constructor(kc: KubeConfig) {
		this.kc = transportConfig(kc);
		this.server = kc.getCurrentCluster()?.server ?? '';
	}

	/**
	 * Sends a GET and resolves with the response once a 2xx status arrives (the body still
	 * streaming). Rejects with KubeApiError (non-2xx, Status parsed) or the network error.
	 */
	async open(path: string, query: Query, signal: AbortSignal): Promise<http.IncomingMessage> {
		const url = new URL(this.server + buildPath(path, query));
		const options: https.RequestOptions = {
			method: 'GET',
			protocol: url.protocol,
			hostname: url.hostname.replace(/^\[|\]$/g, ''),
			port: url.port || undefined,
			path: url.pathname + url.search,
			headers: {Accept: 'application/json, */*'},
			signal,
		};
		await this.kc.applyToHTTPSOptions(options);
		signal.throwIfAborted();
		const request = url.protocol === 'https:' ? https.request : http.request;
		return new Promise((resolve, reject) => {
			const req = request(options, (res) => {
				const code = res.statusCode ?? 0;
				if (code >= 200 && code < 300) {
					resolve(res);
					return;
				}
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('error', reject);
				res.on('end', () => {
					const body = Buffer.concat(chunks).toString('utf8');
					reject(new KubeApiError(code, parseStatusBody(body), body));
				});
			});
			req.on('socket', (socket) => socket.setKeepAlive(true, 15_000));
			req.on('error', reject);
			req.end();
		});
	}

	/** GET a JSON document. */
	async getJson<T>(path: string, query: Query = {}, signal?: AbortSignal, timeoutMs = 30_000): Promise<T> {
		const text = await this.getText(path, query, signal, timeoutMs);
		return JSON.parse(text) as T;
	}

	async getText(path: string, query: Query = {}, signal?: AbortSignal, timeoutMs = 30_000): Promise<string> {
		const timeout = AbortSignal.timeout(timeoutMs);
		const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
		const res = await this.open(path, query, combined);
		return new Promise((resolve, reject) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('error', reject);
			res.on('close', () => {
				if (!res.complete) reject(new Error('the connection closed before the response was complete'));
			});
			res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		});
	}
}

export function podsPath(namespace: string | undefined): string {
	return namespace === undefined ? '/api/v1/pods' : `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
}
