// List-then-watch of pods with our own loop (client-node's Watch aborts after 30 s of silence
// and its informer stops for good on most errors). Tracks resourceVersion, relists on 410,
// re-watches with back-off after a drop, and reports its state.
import type {V1Pod} from '@kubernetes/client-node';
import {Backoff, sleep} from './backoff.js';
import {classifyError, describeError, KubeApiError, visible} from './errors.js';
import {LineSplitter} from './line-splitter.js';
import {podsPath} from './transport.js';
import type {Transport} from './transport.js';
import type {Closeable, SourceStatus} from './types.js';

export type PodWatcherOptions = {
	transport: Transport;
	namespace: string | undefined;
	labelSelector?: string;
	fieldSelector?: string;
	/**
	 * Called (coalesced) with the current set of pods after it changed. `membershipChanged` is
	 * false when only existing pods were modified (callers can keep their sort order).
	 */
	onChange(pods: Map<string, V1Pod>, membershipChanged: boolean): void;
	onStatus(status: SourceStatus): void;
	/** Minimum interval between two onChange calls. */
	coalesceMs?: number;
	backoff?: Backoff;
	/** Page size of the initial list. */
	pageSize?: number;
	/** Server-side watch timeout range; the server ends the watch cleanly after it. */
	watchTimeoutSeconds?: () => number;
	context?: string;
};

type WatchEvent = {type: string; object: {metadata?: {resourceVersion?: string; namespace?: string; name?: string}} & Record<string, unknown>};

type PodList = {metadata?: {resourceVersion?: string; continue?: string}; items?: V1Pod[]};

export function podKey(pod: V1Pod): string {
	return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/** Errors after which retrying cannot help: stop and tell the user. */
function isFatal(error: unknown): boolean {
	const kind = classifyError(error).kind;
	return kind === 'unauthorized' || kind === 'forbidden' || kind === 'not-found' || kind === 'tls';
}

class WatchExpired extends Error {}

export function watchPodCollection(options: PodWatcherOptions): Closeable {
	const {transport} = options;
	const controller = new AbortController();
	const {signal} = controller;
	const backoff = options.backoff ?? new Backoff();
	const coalesceMs = options.coalesceMs ?? 75;
	const path = podsPath(options.namespace);
	const pods = new Map<string, V1Pod>();
	let resourceVersion: string | undefined;
	let flushTimer: NodeJS.Timeout | undefined;
	let lastFlush = 0;
	let dirty = false;
	let membershipChanged = true;
	let lastStatus: SourceStatus['state'] | undefined;

	const status = (input: SourceStatus) => {
		if (signal.aborted) return;
		const s: SourceStatus =
			input.state === 'failed' ? {...input, message: visible(input.message)} : input.state === 'reconnecting' ? {...input, reason: visible(input.reason)} : input;
		// "live" repeats carry no news; every reconnect attempt does.
		if (s.state === 'live' && lastStatus === 'live') return;
		lastStatus = s.state;
		options.onStatus(s);
	};

	const flush = () => {
		flushTimer = undefined;
		if (signal.aborted || !dirty) return;
		dirty = false;
		lastFlush = Date.now();
		const membership = membershipChanged;
		membershipChanged = false;
		options.onChange(pods, membership);
	};
	const changed = (immediate = false) => {
		dirty = true;
		if (flushTimer !== undefined) return;
		const wait = immediate ? 0 : Math.max(0, lastFlush + coalesceMs - Date.now());
		flushTimer = setTimeout(flush, wait);
	};

	const errorContext = {server: transport.server, context: options.context};
	const selectors = {labelSelector: options.labelSelector || undefined, fieldSelector: options.fieldSelector || undefined};

	async function list(): Promise<void> {
		const fresh = new Map<string, V1Pod>();
		let continueToken: string | undefined;
		let rv: string | undefined;
		do {
			const page = await transport.getJson<PodList>(
				path,
				{...selectors, limit: options.pageSize ?? 500, continue: continueToken},
				signal,
			);
			for (const pod of page.items ?? []) fresh.set(podKey(pod), pod);
			continueToken = page.metadata?.continue || undefined;
			rv = page.metadata?.resourceVersion;
		} while (continueToken);
		pods.clear();
		for (const [key, pod] of fresh) pods.set(key, pod);
		resourceVersion = rv;
		membershipChanged = true;
		changed(true);
		if (pods.size === 0 && options.namespace !== undefined) await checkNamespace(options.namespace);
	}

	/** An empty list in a namespace that does not exist is a typo, not an empty namespace. */
	async function checkNamespace(namespace: string): Promise<void> {
		try {
			await transport.getJson(`/api/v1/namespaces/${encodeURIComponent(namespace)}`, {}, signal);
		} catch (error) {
			const info = classifyError(error);
			if (info.kind === 'not-found') throw error;
			// 403 on namespaces is common for namespace-scoped users: nothing to conclude.
		}
	}

	/** When the current watch was established and how many events it brought (for the back-off reset). */
	let watchOpenedAt = 0;
	let watchEvents = 0;
	/** A 410 since the last watch that worked: a second one in a row backs off. */
	let expiredBefore = false;

	async function watchOnce(): Promise<{events: number}> {
		const timeoutSeconds = options.watchTimeoutSeconds?.() ?? Math.round(300 + Math.random() * 300);
		const streamController = new AbortController();
		const streamSignal = AbortSignal.any([signal, streamController.signal]);
		const res = await transport.open(
			path,
			{...selectors, watch: 1, resourceVersion, allowWatchBookmarks: true, timeoutSeconds},
			streamSignal,
		);
		status({state: 'live'});
		watchOpenedAt = Date.now();
		watchEvents = 0;
		let events = 0;
		let failure: unknown;
		// A dead connection that never closes: give up when the server stays silent well past its
		// own timeout.
		let idle = setTimeout(onIdle, (timeoutSeconds + 30) * 1000);
		function onIdle() {
			failure = new Error('watch timed out: the server sent nothing');
			streamController.abort();
		}
		const splitter = new LineSplitter((line) => {
			if (failure !== undefined || line.trim() === '') return;
			let event: WatchEvent;
			try {
				event = JSON.parse(line) as WatchEvent;
			} catch {
				failure = new Error(`the server sent a watch line that is not JSON: ${line.slice(0, 80)}`);
				streamController.abort();
				return;
			}
			events++;
			if (event.type !== 'ERROR') watchEvents++;
			const rv = event.object?.metadata?.resourceVersion;
			switch (event.type) {
				case 'ADDED':
				case 'MODIFIED': {
					const key = podKey(event.object as V1Pod);
					if (!pods.has(key)) membershipChanged = true;
					pods.set(key, event.object as V1Pod);
					if (rv) resourceVersion = rv;
					changed();
					break;
				}
				case 'DELETED':
					if (pods.delete(podKey(event.object as V1Pod))) membershipChanged = true;
					if (rv) resourceVersion = rv;
					changed();
					break;
				case 'BOOKMARK':
					if (rv) resourceVersion = rv;
					break;
				case 'ERROR': {
					const s = event.object as {code?: number; message?: string};
					failure = s.code === 410 ? new WatchExpired(s.message) : new KubeApiError(s.code ?? 500, event.object as never, line);
					streamController.abort();
					break;
				}
				default:
					break;
			}
		}, 64 * 1024 * 1024);
		await new Promise<void>((resolve) => {
			res.on('data', (chunk: Buffer) => {
				clearTimeout(idle);
				idle = setTimeout(onIdle, (timeoutSeconds + 30) * 1000);
				splitter.push(chunk);
			});
			res.on('end', () => {
				splitter.end();
				resolve();
			});
			res.on('error', (error) => {
				failure ??= error;
				resolve();
			});
			res.on('close', () => {
				if (!res.complete) failure ??= new Error('watch stream aborted');
				resolve();
			});
		});
		clearTimeout(idle);
		res.destroy();
		if (failure !== undefined && !signal.aborted) throw failure;
		return {events};
	}

	async function run(): Promise<void> {
		status({state: 'connecting'});
		let needList = true;
		while (!signal.aborted) {
			let reason: string;
			try {
				if (needList) {
					await list();
					needList = false;
					backoff.reset();
					status({state: 'live'});
				}
				const started = Date.now();
				const {events} = await watchOnce();
				// A clean end (server timeout): watch again at once, unless the server keeps
				// closing immediately.
				if (events > 0 || Date.now() - started > 1000) {
					backoff.reset();
					expiredBefore = false;
					continue;
				}
				reason = 'the server closed the watch immediately';
			} catch (error) {
				if (signal.aborted) return;
				// A watch that worked for a while before it dropped starts the back-off afresh:
				// blips minutes apart must not add up to the 30 s maximum.
				if (watchOpenedAt > 0 && (watchEvents > 0 || Date.now() - watchOpenedAt > 1000)) {
					backoff.reset();
					expiredBefore = false;
				}
				watchOpenedAt = 0;
				if (error instanceof WatchExpired || classifyError(error).kind === 'expired') {
					// Our resourceVersion is too old: list again, at once the first time (also when
					// the 410 answers a reconnect after a drop); back off only if 410s repeat.
					needList = true;
					if (!expiredBefore) {
						expiredBefore = true;
						continue;
					}
					reason = 'resource version expired';
				} else if (isFatal(error)) {
					status({state: 'failed', message: describeError(error, errorContext)});
					return;
				} else {
					reason = describeError(error, errorContext);
				}
			}
			const retryInMs = backoff.next();
			status({state: 'reconnecting', attempt: backoff.attempt, retryInMs, reason});
			if (!(await sleep(retryInMs, signal))) return;
		}
	}

	void run().catch((error: unknown) => {
		status({state: 'failed', message: describeError(error, errorContext)});
	});

	return {
		close() {
			controller.abort();
			if (flushTimer !== undefined) clearTimeout(flushTimer);
			flushTimer = undefined;
		},
	};
}
