// Fault injection for the demo cluster, switched at run time by tests: drop or expire watches,
// cut or stall log streams, restart the API server, refuse (401/403) or fail (500, malformed
// bodies) requests, slow or hang exec. Everything is off by default; when off, each hook costs one
// boolean test per request or write (open streams are kept in a set so that they can be cut). Only code holding the DemoCluster object can reach it: `podwatch demo` has no flag.
import type {IncomingMessage, ServerResponse} from 'node:http';
import type {Duplex} from 'node:stream';
import {ApiError} from './types.js';

export type StreamKind = 'watch' | 'log';
export type RefuseCode = 401 | 403;
export type FailKind = 500 | 'malformed';
export type FaultName = 'dropWatch' | 'expireWatch' | 'cutLog' | 'cutLogMidLine' | 'stall' | 'restartServer' | 'refuse' | 'fail' | 'slowExec';

/** A path filter: a substring of the request path, or a pattern tested against path and query. */
export type PathFilter = string | RegExp;

type Rule<T> = {what: T; path: PathFilter | undefined; remaining: number};

/** One open streaming response (a watch or a log follow), written through the fault layer. */
export type StreamTap = {
	write(chunk: string | Buffer): void;
	/** Forget the stream (call when it ends). */
	close(): void;
};

type Tapped = {
	kind: StreamKind;
	res: ServerResponse;
	queue: Array<string | Buffer>;
	cutMidLine: boolean;
};

const matches = (filter: PathFilter | undefined, url: string) => filter === undefined || (typeof filter === 'string' ? url.includes(filter) : filter.test(url));

export class Faults {
	/** True while any fault is armed: the hooks test only this when nothing is. */
	active = false;
	/** How many times each fault was injected (a dropped stream, a refused request...), since start. */
	readonly injected: Record<FaultName, number> = {dropWatch: 0, expireWatch: 0, cutLog: 0, cutLogMidLine: 0, stall: 0, restartServer: 0, refuse: 0, fail: 0, slowExec: 0};
	private readonly streams = new Set<Tapped>();
	private readonly stallUntil: Record<StreamKind, number> = {watch: 0, log: 0};
	private readonly stallTimers = new Set<NodeJS.Timeout>();
	private expireBelow = 0;
	private refusals: Array<Rule<RefuseCode>> = [];
	private failures: Array<Rule<FailKind>> = [];
	private execDelayMs = 0;
	private readonly heldSockets = new Set<Duplex>();
	/** Set by startDemoCluster: closes every connection and listens again on the same port. */
	restartHook: ((downMs: number) => Promise<void>) | undefined;
	/** Raises the store's resourceVersion (so that every watcher's version is older). */
	bumpVersion: (() => number) | undefined;

	private update(): void {
		const now = Date.now();
		let armed = false;
		for (const tapped of this.streams) if (tapped.cutMidLine) armed = true;
		this.active =
			armed ||
			this.expireBelow > 0 ||
			this.refusals.length > 0 ||
			this.failures.length > 0 ||
			this.execDelayMs > 0 ||
			this.stallUntil.watch > now ||
			this.stallUntil.log > now;
	}

	// ---- switches, for tests ----

	/** Ends every open watch abruptly (connection reset, no clean end). Returns how many. */
	dropWatches(): number {
		let n = 0;
		for (const tapped of [...this.streams]) {
			if (tapped.kind !== 'watch') continue;
			tapped.res.destroy();
			this.streams.delete(tapped);
			n++;
		}
		this.injected.dropWatch += n;
		return n;
	}

	/**
	 * Answers 410 Expired ("too old resource version") to every watch that resumes from a version
	 * older than now, as an API server does after compaction, and drops the open watches so that
	 * they resume. A fresh list gives a version that is accepted again. Returns the watches dropped.
	 */
	expireWatches(): number {
		const bump = this.bumpVersion;
		if (!bump) throw new Error('expireWatches: the demo cluster did not connect its store');
		this.expireBelow = bump();
		this.update();
		const n = this.dropWatches();
		this.injected.dropWatch -= n;
		return n;
	}

	/**
	 * Cuts every open log stream. With midLine, each is cut in the middle of its next line (the
	 * first part of the line is sent, then the connection is reset); otherwise at once.
	 */
	cutLogs(options: {midLine?: boolean} = {}): number {
		let n = 0;
		for (const tapped of [...this.streams]) {
			if (tapped.kind !== 'log') continue;
			n++;
			if (options.midLine) tapped.cutMidLine = true;
			else {
				tapped.res.destroy();
				this.streams.delete(tapped);
				this.injected.cutLog++;
			}
		}
		this.update();
		return n;
	}

	/** Holds back everything written to open (and newly opened) streams of a kind for `ms`, without closing them. */
	stall(kind: StreamKind, ms: number): void {
		this.stallUntil[kind] = Math.max(this.stallUntil[kind], Date.now() + ms);
		this.injected.stall++;
		this.update();
		const timer = setTimeout(() => {
			this.stallTimers.delete(timer);
			this.release(kind);
		}, ms + 1);
		this.stallTimers.add(timer);
	}

	/** Closes every connection and the listener, waits `downMs`, listens again on the same port with the same token and state. */
	async restartServer(options: {downMs?: number} = {}): Promise<void> {
		if (!this.restartHook) throw new Error('restartServer: the demo cluster did not connect its server');
		this.injected.restartServer++;
		for (const tapped of this.streams) tapped.queue.length = 0;
		this.streams.clear();
		await this.restartHook(options.downMs ?? 0);
	}

	/** Refuses requests (HTTP and exec) whose path and query match, with 401 or 403; `count` times (default: until reset). */
	refuse(code: RefuseCode, options: {path?: PathFilter; count?: number} = {}): void {
		this.refusals.push({what: code, path: options.path, remaining: options.count ?? Infinity});
		this.update();
	}

	/** Answers matching requests with a 500 Status or a malformed (truncated JSON) 200 body; `count` times (default 1). */
	fail(kind: FailKind, options: {path?: PathFilter; count?: number} = {}): void {
		this.failures.push({what: kind, path: options.path, remaining: options.count ?? 1});
		this.update();
	}

	/** Delays every exec's answer by `ms`; Infinity never answers (the client must give up). 0 turns it off. */
	slowExec(ms: number): void {
		this.execDelayMs = ms;
		this.update();
	}

	/** Turns every fault off: stalled data is delivered, held exec sockets are closed. Counters stay. */
	reset(): void {
		this.expireBelow = 0;
		this.refusals = [];
		this.failures = [];
		this.execDelayMs = 0;
		this.stallUntil.watch = 0;
		this.stallUntil.log = 0;
		for (const timer of this.stallTimers) clearTimeout(timer);
		this.stallTimers.clear();
		for (const tapped of this.streams) tapped.cutMidLine = false;
		this.release('watch');
		this.release('log');
		for (const socket of this.heldSockets) socket.destroy();
		this.heldSockets.clear();
		this.update();
	}

	/** Total faults injected so far. */
	get total(): number {
		return Object.values(this.injected).reduce((a, b) => a + b, 0);
	}

	// ---- hooks, for the server ----

	/** Wraps a streaming response. Writes go straight through unless a fault is armed. */
	tap(kind: StreamKind, res: ServerResponse): StreamTap {
		const tapped: Tapped = {kind, res, queue: [], cutMidLine: false};
		this.streams.add(tapped);
		return {
			write: chunk => {
				if (res.writableEnded || res.destroyed) return;
				if (!this.active) {
					res.write(chunk);
					return;
				}
				this.write(tapped, chunk);
			},
			close: () => {
				this.streams.delete(tapped);
				if (tapped.cutMidLine) this.update();
			},
		};
	}

	private write(tapped: Tapped, chunk: string | Buffer): void {
		if (tapped.res.destroyed || tapped.res.writableEnded) return;
		if (this.stallUntil[tapped.kind] > Date.now() || tapped.queue.length > 0) {
			tapped.queue.push(chunk);
			return;
		}
		if (tapped.cutMidLine) {
			const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
			const nl = buf.indexOf(10);
			const lineEnd = nl < 0 ? buf.length : nl;
			// Everything before the line, and half of it (at least one byte, never its newline).
			const cut = Math.max(1, Math.floor(lineEnd / 2));
			if (lineEnd >= 2) {
				tapped.cutMidLine = false;
				this.streams.delete(tapped);
				this.injected.cutLogMidLine++;
				tapped.res.write(buf.subarray(0, cut), () => tapped.res.destroy());
				this.update();
				return;
			}
		}
		tapped.res.write(chunk);
	}

	private release(kind: StreamKind): void {
		if (this.stallUntil[kind] > Date.now()) return;
		this.stallUntil[kind] = 0;
		this.update();
		for (const tapped of this.streams) {
			if (tapped.kind !== kind || tapped.queue.length === 0) continue;
			const queued = tapped.queue.splice(0);
			for (const chunk of queued) this.write(tapped, chunk);
		}
	}

	/** A watch resuming from `fromRv`: the 410 to answer, if it is expired. */
	expired(fromRv: number): ApiError | undefined {
		if (!this.active || this.expireBelow === 0 || fromRv >= this.expireBelow) return undefined;
		this.injected.expireWatch++;
		return new ApiError(410, 'Expired', `too old resource version: ${fromRv} (${this.expireBelow})`);
	}

	/** An HTTP request: answers it here (and returns true) when a refusal or failure matches. */
	intercept(req: IncomingMessage, res: ServerResponse): boolean {
		if (!this.active) return false;
		const url = req.url ?? '/';
		const refusal = this.take(this.refusals, url);
		if (refusal !== undefined) {
			const error = refusalError(refusal, req.method ?? 'GET', url);
			const body = JSON.stringify(error.toStatus());
			res.writeHead(error.code, {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body)});
			res.end(body);
			return true;
		}
		const failure = this.take(this.failures, url);
		if (failure === undefined) return false;
		if (failure === 500) {
			const body = JSON.stringify(new ApiError(500, 'InternalError', 'Internal error occurred: injected fault').toStatus());
			res.writeHead(500, {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body)});
			res.end(body);
		} else {
			const body = '{"kind":"Status","apiVersion":"v1","metadata":{},"items":[{"metadata":{"name":"\u0000\u001b[2J';
			res.writeHead(200, {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body)});
			res.end(body);
		}
		return true;
	}

	/** An exec upgrade: the refusal to send instead, if any. */
	refuseUpgrade(req: IncomingMessage): ApiError | undefined {
		if (!this.active) return undefined;
		const url = req.url ?? '/';
		const refusal = this.take(this.refusals, url);
		return refusal === undefined ? undefined : refusalError(refusal, 'POST', url);
	}

	/** An exec upgrade: runs `proceed` after the injected delay (never, when hung). */
	delayExec(socket: Duplex, proceed: () => void): void {
		if (!this.active || this.execDelayMs <= 0) {
			proceed();
			return;
		}
		this.injected.slowExec++;
		this.heldSockets.add(socket);
		socket.once('close', () => this.heldSockets.delete(socket));
		if (this.execDelayMs === Infinity) return;
		const timer = setTimeout(() => {
			this.heldSockets.delete(socket);
			if (!socket.destroyed) proceed();
		}, this.execDelayMs);
		socket.once('close', () => clearTimeout(timer));
	}

	private take<T>(rules: Array<Rule<T>>, url: string): T | undefined {
		const rule = rules.find(r => r.remaining > 0 && matches(r.path, url));
		if (!rule) return undefined;
		rule.remaining--;
		if (rules === (this.refusals as unknown)) this.injected.refuse++;
		else this.injected.fail++;
		if (rule.remaining <= 0) {
			rules.splice(rules.indexOf(rule), 1);
			this.update();
		}
		return rule.what;
	}

	/** Called when the cluster stops. */
	dispose(): void {
		this.reset();
		this.streams.clear();
	}
}

function refusalError(code: RefuseCode, method: string, url: string): ApiError {
	if (code === 401) return new ApiError(401, 'Unauthorized', 'Unauthorized');
	const path = url.split('?')[0] ?? '/';
	const parts = path.split('/').filter(Boolean);
	const nsIndex = parts.indexOf('namespaces');
	const namespace = nsIndex >= 0 ? parts[nsIndex + 1] : undefined;
	const rest = nsIndex >= 0 ? parts.slice(nsIndex + 2) : parts.slice(2);
	const resource = rest[0] ?? 'resources';
	const name = rest[1];
	const sub = rest[2];
	const watching = /[?&]watch=(true|1)/.test(url);
	const verb = method === 'POST' || sub === 'exec' ? 'create' : watching ? 'watch' : name === undefined ? 'list' : 'get';
	const what = sub ? `${resource}/${sub}` : resource;
	const where = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope';
	const subject = name ? `${resource} "${name}"` : resource;
	return new ApiError(403, 'Forbidden', `${subject} is forbidden: User "podwatch-demo" cannot ${verb} resource "${what}" in API group ""${where}`);
}
