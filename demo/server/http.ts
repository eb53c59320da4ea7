// The HTTP face of the demo cluster: auth, routing, list/watch/Table, CRUD, and pod logs.
import type {IncomingMessage, ServerResponse} from 'node:http';
import {parse as parseYaml} from 'yaml';
import type {Cluster} from './cluster.js';
import {apiGroupList, apiVersions, coreResourceList, openapiV2Protobuf, openapiV3CoreV1, openapiV3Root, RESOURCES, SERVER_VERSION} from './discovery.js';
import {decodeKubernetesProtobuf} from './protobuf.js';
import {parseRfc3339Ns, renderEntries, selectEntries, type LogEntry, type LogQuery} from './logs.js';
import {parseFieldSelector, parseLabelSelector} from './selectors.js';
import {toTable, type IncludeObject} from './table.js';
import {ApiError, badRequest, type Obj} from './types.js';
import type {WatchEventType} from './store.js';
import type {Faults} from './faults.js';

const FIELD_LABELS: Record<string, string[]> = {
	pods: ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName'],
	events: ['metadata.name', 'metadata.namespace', 'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
	secrets: ['metadata.name', 'metadata.namespace', 'type'],
	namespaces: ['metadata.name', 'status.phase'],
	nodes: ['metadata.name', 'spec.unschedulable'],
};

export type HttpContext = {cluster: Cluster; token: string; watchBookmarkMs: number; closing: () => boolean; track(res: ServerResponse): void; faults?: Faults};

// Stored objects are never mutated (updates replace them), so their JSON can be cached: a list
// or a watch fan-out to many clients then serialises each object version once.
const jsonCache = new WeakMap<object, string>();
export function objectJson(obj: Obj): string {
	let text = jsonCache.get(obj);
	if (text === undefined) {
		text = JSON.stringify(obj);
		jsonCache.set(obj, text);
	}
	return text;
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
	sendText(res, code, JSON.stringify(body));
}

function sendText(res: ServerResponse, code: number, text: string): void {
	res.writeHead(code, {'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Content-Length': Buffer.byteLength(text)});
	res.end(text);
}

export function sendError(res: ServerResponse, error: unknown): void {
	const apiError = error instanceof ApiError ? error : new ApiError(500, 'InternalError', `Internal error occurred: ${error instanceof Error ? error.message : String(error)}`);
	if (res.headersSent) {
		res.end();
		return;
	}
	sendJson(res, apiError.code, apiError.toStatus());
}

export function authorized(req: IncomingMessage, token: string): boolean {
	return req.headers.authorization === `Bearer ${token}`;
}

export const unauthorized = () => new ApiError(401, 'Unauthorized', 'Unauthorized');

async function readBody(req: IncomingMessage): Promise<Obj> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size > 3 * 1024 * 1024) throw new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
		chunks.push(chunk as Buffer);
	}
	const raw = Buffer.concat(chunks);
	const type = String(req.headers['content-type'] ?? 'application/json');
	if (type.includes('protobuf')) return decodeKubernetesProtobuf(raw);
	const text = raw.toString('utf8');
	if (text.trim() === '') return undefined;
	try {
		return type.includes('yaml') ? parseYaml(text) : JSON.parse(text);
	} catch (error) {
		throw badRequest(`the server rejected our request due to an error in our request: ${type.includes('yaml') ? 'yaml' : 'json'}: ${(error as Error).message}`);
	}
}

type Route = {resource: string; namespace?: string; name?: string; sub?: string};

function parsePath(parts: string[]): Route | undefined {
	// parts after /api/v1
	if (parts.length === 0) return undefined;
	if (parts[0] === 'namespaces' && parts.length >= 3) {
		const [, namespace, resource, name, sub, ...rest] = parts;
		if (rest.length > 0) return undefined;
		return {resource: resource!, namespace, ...(name !== undefined ? {name} : {}), ...(sub !== undefined ? {sub} : {})};
	}
	const [resource, name, sub, ...rest] = parts;
	if (rest.length > 0) return undefined;
	return {resource: resource!, ...(name !== undefined ? {name} : {}), ...(sub !== undefined ? {sub} : {})};
}

const wantsTable = (req: IncomingMessage) => /as=Table/.test(String(req.headers.accept ?? ''));

export async function handleHttp(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
	try {
		if (!authorized(req, ctx.token)) throw unauthorized();
		if (ctx.faults?.intercept(req, res)) return;
		const url = new URL(req.url ?? '/', 'http://localhost');
		const path = url.pathname.replace(/\/+$/, '') || '/';
		const q = url.searchParams;
		const method = req.method ?? 'GET';
		if (method === 'GET') {
			switch (path) {
				case '/version':
					return sendJson(res, 200, SERVER_VERSION);
				case '/api':
					return sendJson(res, 200, apiVersions());
				case '/apis':
					return sendJson(res, 200, apiGroupList());
				case '/api/v1':
					return sendJson(res, 200, coreResourceList());
				case '/openapi/v2': {
					const body = openapiV2Protobuf();
					res.writeHead(200, {'Content-Type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', 'Content-Length': body.length});
					res.end(body);
					return;
				}
				case '/openapi/v3':
					return sendJson(res, 200, openapiV3Root());
				case '/openapi/v3/api/v1':
					return sendJson(res, 200, openapiV3CoreV1());
				case '/healthz':
				case '/livez':
				case '/readyz':
					res.writeHead(200, {'Content-Type': 'text/plain'});
					res.end('ok');
					return;
			}
		}
		if (!path.startsWith('/api/v1/')) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
		const route = parsePath(path.slice('/api/v1/'.length).split('/').map(decodeURIComponent));
		const fixed = fixNamespaceRoute(path) ?? route;
		if (!fixed || !RESOURCES[fixed.resource]) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
		await handleResource(ctx, req, res, fixed, q, method);
	} catch (error) {
		sendError(res, error);
	}
}

/** `/api/v1/namespaces/x` (4 segments after the root) addresses the namespace x. */
function fixNamespaceRoute(path: string): Route | undefined {
	const parts = path.split('/').slice(3);
	if (parts[0] === 'namespaces' && parts.length === 2) return {resource: 'namespaces', name: decodeURIComponent(parts[1]!)};
	if (parts[0] === 'namespaces' && parts.length === 3 && parts[2] === 'status') return {resource: 'namespaces', name: decodeURIComponent(parts[1]!), sub: 'status'};
	return undefined;
}

async function handleResource(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, route: Route, q: URLSearchParams, method: string): Promise<void> {
	const {cluster} = ctx;
	const info = RESOURCES[route.resource]!;
	const ns = info.namespaced ? route.namespace : undefined;
	if (info.namespaced && route.name !== undefined && ns === undefined) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
	if (route.sub !== undefined) {
		if (route.resource === 'pods' && route.sub === 'log' && method === 'GET') return podLogs(ctx, req, res, ns!, route.name!, q);
		if (route.resource === 'pods' && route.sub === 'exec') {
			const {execPreflight} = await import('./exec.js');
			execPreflight(cluster, ns!, route.name!, q);
			throw badRequest('Upgrade request required');
		}
		if (route.sub === 'status' && method === 'GET') return sendJson(res, 200, cluster.get(route.resource, ns, route.name!));
		throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
	}
	if (route.name === undefined) {
		if (method === 'GET') {
			if (q.get('watch') === 'true' || q.get('watch') === '1') return watch(ctx, req, res, route.resource, route.namespace, q);
			return list(ctx, req, res, route.resource, route.namespace, q);
		}
		if (method === 'POST') {
			if (!route.namespace && info.namespaced) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
			const body = await readBody(req);
			return sendJson(res, 201, cluster.create(route.resource, ns, body, q.get('dryRun') === 'All'));
		}
		if (method === 'DELETE') {
			const labels = parseLabelSelector(q.get('labelSelector'));
			const items = cluster.store.list(route.resource, ns).filter(labels);
			for (const obj of items) cluster.delete(route.resource, ns, obj.metadata.name);
			return sendJson(res, 200, {kind: `${info.kind}List`, apiVersion: 'v1', metadata: {resourceVersion: cluster.store.resourceVersion}, items});
		}
		throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
	}
	switch (method) {
		case 'GET':
			if (wantsTable(req)) return sendJson(res, 200, toTable(route.resource, [cluster.get(route.resource, ns, route.name)], {resourceVersion: cluster.store.resourceVersion}, new Date(cluster.nowMs()), includeObject(q)));
			return sendText(res, 200, objectJson(cluster.get(route.resource, ns, route.name)));
		case 'PUT': {
			const body = await readBody(req);
			return sendJson(res, 200, cluster.update(route.resource, ns, route.name, body, undefined, q.get('dryRun') === 'All'));
		}
		case 'PATCH': {
			const body = await readBody(req);
			const patchType = String(req.headers['content-type'] ?? '');
			if (patchType.startsWith('application/apply-patch')) {
				// Server-side apply, simplified: create when absent, else merge like a strategic patch
				// (field ownership and conflicts are not tracked).
				const dryRun = q.get('dryRun') === 'All';
				if (!cluster.store.get(route.resource, ns, route.name)) return sendJson(res, 201, cluster.create(route.resource, ns, {...body, metadata: {...body?.metadata, name: route.name}}, dryRun));
				return sendJson(res, 200, cluster.patch(route.resource, ns, route.name, 'application/strategic-merge-patch+json', body, dryRun));
			}
			return sendJson(res, 200, cluster.patch(route.resource, ns, route.name, String(req.headers['content-type'] ?? ''), body, q.get('dryRun') === 'All'));
		}
		case 'DELETE': {
			const body = await readBody(req).catch(() => undefined);
			const graceParam = q.get('gracePeriodSeconds');
			const grace = body?.gracePeriodSeconds ?? (graceParam !== null ? Number(graceParam) : undefined);
			if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) throw badRequest(`invalid gracePeriodSeconds: ${grace}`);
			if (q.get('dryRun') === 'All' || (Array.isArray(body?.dryRun) && body.dryRun.includes('All'))) return sendJson(res, 200, cluster.get(route.resource, ns, route.name));
			return sendJson(res, 200, cluster.delete(route.resource, ns, route.name, grace));
		}
	}
	throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

function includeObject(q: URLSearchParams): IncludeObject {
	const v = q.get('includeObject');
	return v === 'None' || v === 'Object' ? v : 'Metadata';
}

function matcher(resource: string, q: URLSearchParams): (obj: Obj) => boolean {
	const labels = parseLabelSelector(q.get('labelSelector'));
	const allowed = FIELD_LABELS[resource] ?? ['metadata.name', 'metadata.namespace'];
	const fields = parseFieldSelector(q.get('fieldSelector'), f => allowed.includes(f));
	return obj => labels(obj) && fields(obj);
}

function list(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, resource: string, namespace: string | undefined, q: URLSearchParams): void {
	const {cluster} = ctx;
	const info = RESOURCES[resource]!;
	const match = matcher(resource, q);
	let items = cluster.store.list(resource, info.namespaced ? namespace : undefined).filter(match);
	const meta: Obj = {resourceVersion: cluster.store.resourceVersion};
	const cont = q.get('continue');
	if (cont) {
		let after: string;
		try {
			after = JSON.parse(Buffer.from(cont, 'base64url').toString()).k;
		} catch {
			throw badRequest('continue key is not valid: illegal base64 data');
		}
		items = items.filter(o => keyOf(o) > after);
	}
	const limit = Number(q.get('limit') ?? 0);
	if (limit > 0 && items.length > limit) {
		const remaining = items.length - limit;
		items = items.slice(0, limit);
		meta.continue = Buffer.from(JSON.stringify({k: keyOf(items[items.length - 1]), rv: meta.resourceVersion})).toString('base64url');
		meta.remainingItemCount = remaining;
	}
	if (wantsTable(req)) return sendJson(res, 200, toTable(resource, items, meta, new Date(cluster.nowMs()), includeObject(q)));
	sendText(res, 200, `{"kind":"${info.kind}List","apiVersion":"v1","metadata":${JSON.stringify(meta)},"items":[${items.map(objectJson).join(',')}]}`);
}

const keyOf = (o: Obj) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

function watch(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, resource: string, namespace: string | undefined, q: URLSearchParams): void {
	const {cluster} = ctx;
	const info = RESOURCES[resource]!;
	const match = matcher(resource, q);
	const table = wantsTable(req);
	const include = includeObject(q);
	const bookmarks = q.get('allowWatchBookmarks') === 'true';
	const rvParam = q.get('resourceVersion');
	const sendInitial = q.get('sendInitialEvents') === 'true';
	const timeoutSeconds = Number(q.get('timeoutSeconds') ?? 1800);
	res.writeHead(200, {'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked'});
	res.flushHeaders();
	ctx.track(res);
	const out = ctx.faults?.tap('watch', res);
	let buffer = '';
	let scheduled = false;
	let closed = false;
	let first = true;
	const flush = () => {
		scheduled = false;
		if (closed || buffer === '') return;
		if (out) out.write(buffer);
		else res.write(buffer);
		buffer = '';
		// Like the API server with a watcher that cannot keep up: end the stream (the client
		// re-watches from its last resourceVersion, or relists) rather than buffer without bound.
		if (res.writableLength > 64 * 1024 * 1024) close();
	};
	const encode = (type: string, obj: Obj) => {
		if (table && type !== 'BOOKMARK' && type !== 'ERROR') {
			const t = toTable(resource, [obj], {resourceVersion: obj.metadata.resourceVersion}, new Date(cluster.nowMs()), include, first);
			first = false;
			return JSON.stringify({type, object: t});
		}
		return `{"type":"${type}","object":${type === 'BOOKMARK' || type === 'ERROR' ? JSON.stringify(obj) : objectJson(obj)}}`;
	};
	const push = (type: string, obj: Obj) => {
		if (closed) return;
		buffer += encode(type, obj) + '\n';
		if (!scheduled) {
			scheduled = true;
			setImmediate(flush);
		}
	};
	const bookmark = (annotations?: Record<string, string>) =>
		push('BOOKMARK', {kind: info.kind, apiVersion: 'v1', metadata: {resourceVersion: cluster.store.resourceVersion, ...(annotations ? {annotations} : {})}});
	const watcher = {
		...(info.namespaced && namespace ? {namespace} : {}),
		matches: match,
		send: (type: WatchEventType, obj: Obj) => push(type, obj),
	};
	let unwatch: () => void = () => {};
	const initial = !rvParam || rvParam === '0' || sendInitial;
	try {
		if (initial) {
			for (const obj of cluster.store.list(resource, info.namespaced ? namespace : undefined)) if (match(obj)) push('ADDED', obj);
			if (sendInitial && bookmarks) bookmark({'k8s.io/initial-events-end': 'true'});
			unwatch = cluster.store.watch(resource, watcher);
		} else {
			const from = Number(rvParam);
			if (!Number.isInteger(from) || from < 0) throw badRequest(`invalid resource version: ${rvParam}`);
			const expired = ctx.faults?.expired(from);
			if (expired) throw expired;
			unwatch = cluster.store.watch(resource, watcher, from);
		}
	} catch (error) {
		if (error instanceof ApiError) {
			push('ERROR', error.toStatus());
			flush();
			out?.close();
			res.end();
			return;
		}
		throw error;
	}
	const timers: NodeJS.Timeout[] = [];
	const close = () => {
		if (closed) return;
		flush();
		closed = true;
		out?.close();
		unwatch();
		for (const t of timers) clearInterval(t);
		res.end();
	};
	if (bookmarks) timers.push(setInterval(() => bookmark(), ctx.watchBookmarkMs));
	timers.push(setTimeout(close, Math.max(1, timeoutSeconds) * 1000));
	req.on('close', close);
	res.on('close', close);
}

function podLogs(ctx: HttpContext, _req: IncomingMessage, res: ServerResponse, namespace: string, name: string, q: URLSearchParams): void {
	const pod = ctx.cluster.get('pods', namespace, name);
	const containers: string[] = (pod.spec.containers ?? []).map((c: Obj) => c.name);
	const inits: string[] = (pod.spec.initContainers ?? []).map((c: Obj) => c.name);
	let container = q.get('container');
	if (!container) {
		if (containers.length === 1 && inits.length === 0) container = containers[0]!;
		else if (containers.length === 1) container = containers[0]!;
		else {
			const extra = inits.length > 0 ? ` or one of the init containers: [${inits.join(' ')}]` : '';
			throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${extra}`);
		}
	}
	if (!containers.includes(container) && !inits.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
	const worker = ctx.cluster.kubelet.worker(namespace, name);
	const state = worker?.containers.get(container);
	const previous = q.get('previous') === 'true';
	const log = previous ? state?.logs.previous : state?.logs.current;
	if (!log) {
		if (previous) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
		const reason = state?.state.waiting?.reason ?? 'ContainerCreating';
		throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${reason}`);
	}
	const query: LogQuery = {timestamps: q.get('timestamps') === 'true'};
	const num = (key: string): number | undefined => {
		const v = q.get(key);
		if (v === null) return undefined;
		const n = Number(v);
		if (!Number.isInteger(n)) throw badRequest(`invalid ${key}: ${v}`);
		return n;
	};
	query.tailLines = num('tailLines');
	const sinceSeconds = num('sinceSeconds');
	if (sinceSeconds !== undefined) {
		if (sinceSeconds < 1) throw new ApiError(422, 'Invalid', `PodLogOptions "${name}" is invalid: sinceSeconds: Invalid value: ${sinceSeconds}: must be greater than 0`);
		query.sinceNs = BigInt(Date.now() - sinceSeconds * 1000) * 1_000_000n;
	}
	const sinceTime = q.get('sinceTime');
	if (sinceTime) {
		const ns = parseRfc3339Ns(sinceTime);
		if (ns === undefined) throw badRequest(`parsing time "${sinceTime}" as "2006-01-02T15:04:05Z07:00": cannot parse "${sinceTime}" as "2006"`);
		query.sinceNs = ns;
	}
	let budget = num('limitBytes') ?? Infinity;
	res.writeHead(200, {'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked'});
	res.flushHeaders();
	const out = q.get('follow') === 'true' ? ctx.faults?.tap('log', res) : undefined;
	const put = (chunk: string | Buffer) => (out ? out.write(chunk) : res.write(chunk));
	const write = (text: string): boolean => {
		if (text === '') return true;
		if (budget !== Infinity) {
			const buf = Buffer.from(text);
			if (buf.length >= budget) {
				put(buf.subarray(0, budget));
				budget = 0;
				return false;
			}
			budget -= buf.length;
			put(buf);
			return true;
		}
		put(text);
		return true;
	};
	const snapshot = log.snapshot();
	const initial = selectEntries(snapshot, query);
	const more = write(renderEntries(initial, query.timestamps));
	if (!more || q.get('follow') !== 'true' || log.ended) {
		out?.close();
		res.end();
		return;
	}
	ctx.track(res);
	// A slow reader must not make the server buffer without bound: stop writing while the socket
	// is backed up and catch up from the instance's (bounded) buffer on 'drain'. Lines that fell
	// out of that buffer meanwhile are lost, as with a real kubelet's log rotation.
	let done = false;
	let paused = false;
	let endPending = false;
	let lastNs = -1n;
	const finish = () => {
		if (done) return;
		done = true;
		stop();
		out?.close();
		res.end();
	};
	const sinceNs = query.sinceNs;
	const deliver = (entries: LogEntry[]) => {
		const chosen = entries.filter(e => e.ns > lastNs && (sinceNs === undefined || e.ns >= sinceNs));
		if (chosen.length === 0) return;
		lastNs = chosen[chosen.length - 1]!.ns;
		if (!write(renderEntries(chosen, query.timestamps))) {
			finish();
			return;
		}
		if (res.writableLength > 4 * 1024 * 1024) {
			paused = true;
			res.once('drain', () => {
				paused = false;
				if (done) return;
				deliver(log.snapshot());
				if (endPending && !paused) finish();
			});
		}
	};
	if (snapshot.length > 0) lastNs = snapshot[snapshot.length - 1]!.ns;
	const stop = log.follow({
		onLines: entries => {
			if (!done && !paused) deliver(entries);
		},
		onEnd: () => {
			if (paused) endPending = true;
			else finish();
		},
	});
	res.on('close', finish);
}
