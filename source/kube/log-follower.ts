// Follows one container's log across stream drops, container restarts and pod re-creation.
//
// A follow request is tied to one container instance: the server ends the stream when that
// instance stops. After every end we look at the pod to decide what happened:
// - same instance, stream dropped: reconnect with sinceTime (floored to the second, so the server
//   returns a superset) and drop the lines already delivered (older timestamp, or same timestamp
//   and same text, in order);
// - restarted: fetch what we missed of the old instance (`previous=true`), emit a restart marker,
//   follow the new instance from its start;
// - waiting (ContainerCreating, CrashLoopBackOff), pod gone: wait with back-off and say so.
import type {V1ContainerStateTerminated, V1ContainerStatus, V1Pod} from '@kubernetes/client-node';
import {Backoff} from './backoff.js';
import {classifyError, describeError, visible} from './errors.js';
import {LineSplitter} from './line-splitter.js';
import type {Query, Transport} from './transport.js';
import type {Closeable, LogEntry, LogFollowOptions, SourceStatus} from './types.js';

export type LogFollowerDeps = {
	transport: Transport;
	backoff?: Backoff;
	/** Back-off while the container is waiting or the pod is missing. */
	waitBackoff?: Backoff;
	context?: string;
	/** Calls back whenever the pod changes (a watch); waits end early then. */
	watchPodChanges?: (onChange: () => void) => Closeable;
	/** See `settle`: how long to wait for the status after a clean end of a running instance. */
	settleMs?: number;
};

/** Splits a `timestamps=true` line into its RFC3339Nano time and text. */
export function splitTimestamp(line: string): {time: string; text: string} {
	const space = line.indexOf(' ');
	if (line.charCodeAt(0) < 48 || line.charCodeAt(0) > 57) return {time: '', text: line};
	// An empty log line may arrive as the bare timestamp.
	if (space < 0) return /^\d{4}-\d\d-\d\dT\S+$/.test(line) ? {time: line, text: ''} : {time: '', text: line};
	return {time: line.slice(0, space), text: line.slice(space + 1)};
}

/** RFC3339 floored to the second: sinceTime with nanoseconds is not accepted everywhere. */
export function floorToSecond(time: string): string {
	const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(time);
	return match ? `${match[1]}${match[2]}` : time;
}

/** Remembers what was delivered of one instance so that a re-read can skip it. */
class Dedup {
	lastTime = '';
	/** Texts delivered with timestamp == lastTime, in order. */
	sameTime: string[] = [];
	/** Replay position within sameTime for the current connection. */
	private replay = 0;
	count = 0;

	startConnection(): void {
		this.replay = 0;
	}

	/** True when the line is new (and records it). */
	accept(time: string, text: string): boolean {
		if (time === '' || this.lastTime === '') {
			if (time !== '') {
				this.lastTime = time;
				this.sameTime = [text];
				this.replay = 1;
			}
			this.count++;
			return true;
		}
		if (time < this.lastTime) return false;
		if (time === this.lastTime) {
			if (this.replay < this.sameTime.length && this.sameTime[this.replay] === text) {
				this.replay++;
				return false;
			}
			// New line sharing the timestamp: everything replayed so far is behind us.
			this.sameTime.length = this.replay;
			this.sameTime.push(text);
			this.replay = this.sameTime.length;
			this.count++;
			return true;
		}
		this.lastTime = time;
		this.sameTime = [text];
		this.replay = 1;
		this.count++;
		return true;
	}
}

/** The instance we are reading: `n` is its restartCount; `done` once read to its end. */
type Reading = {uid: string; n: number; done: boolean};

class StopFollowing extends Error {}

/** The server's own text when we parsed the JSON ourselves (always here); a Date otherwise. */
function rfc3339(value: Date | string | undefined): string | undefined {
	if (value === undefined || value === null) return undefined;
	return typeof value === 'string' ? value : value.toISOString();
}

function containerStatus(pod: V1Pod, container: string): V1ContainerStatus | undefined {
	const all = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
	return all.find((s) => s.name === container);
}

function containerNames(pod: V1Pod): string[] {
	return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].map((c) => c.name);
}

/**
 * What the kubelet reports, in its terms: restartCount is the instance number of the NEWEST
 * container (set when it is created). Running/terminated: that instance is the state and the one
 * before it (n-1) is lastState. Waiting after a crash (CrashLoopBackOff): the newest instance has
 * already ended and IS lastState; a plain log request reads it, `previous=true` would not.
 */
export function latestInstance(cs: V1ContainerStatus): {n: number; ended: boolean; waiting: boolean} | undefined {
	const n = cs.restartCount ?? 0;
	if (cs.state?.running) return {n, ended: false, waiting: false};
	if (cs.state?.terminated) return {n, ended: true, waiting: false};
	if (cs.lastState?.terminated) return {n, ended: true, waiting: true};
	return undefined;
}

/** The instance before the newest, readable with `previous=true`, when there is one. */
function priorInstance(cs: V1ContainerStatus): {n: number; terminated: V1ContainerStateTerminated} | undefined {
	const terminated = cs.lastState?.terminated;
	if (!terminated || !(cs.state?.running || cs.state?.terminated)) return undefined;
	return {n: (cs.restartCount ?? 0) - 1, terminated};
}

/** How instance `n` ended, when the status still says. */
function terminationOf(cs: V1ContainerStatus, n: number): V1ContainerStateTerminated | undefined {
	const latest = latestInstance(cs);
	if (latest?.ended && latest.n === n) return cs.state?.terminated ?? cs.lastState?.terminated;
	const prior = priorInstance(cs);
	return prior?.n === n ? prior.terminated : undefined;
}

export function followContainerLogs(options: LogFollowOptions, deps: LogFollowerDeps): Closeable {
	const {transport} = deps;
	const {namespace, pod: podName, container} = options;
	const controller = new AbortController();
	const {signal} = controller;
	const backoff = deps.backoff ?? new Backoff();
	const waitBackoff = deps.waitBackoff ?? new Backoff({initialMs: 500, maxMs: 5000});
	/** How long a clean end of a running instance's log waits for the status to explain it. */
	const settleMs = deps.settleMs ?? 3000;
	const batchMs = options.batchMs ?? 50;
	const errorContext = {server: transport.server, context: deps.context};
	const podPath = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(podName)}`;

	let seq = 0;
	let batch: LogEntry[] = [];
	let batchTimer: NodeJS.Timeout | undefined;
	let lastStatusKey = '';

	const flush = () => {
		batchTimer = undefined;
		if (signal.aborted || batch.length === 0) return;
		const entries = batch;
		batch = [];
		options.onEntries(entries);
	};
	const push = (entry: LogEntry) => {
		batch.push(entry);
		batchTimer ??= setTimeout(flush, batchMs);
	};
	const status = (input: SourceStatus) => {
		if (signal.aborted) return;
		const s: SourceStatus =
			input.state === 'failed' ? {...input, message: visible(input.message)} : input.state === 'reconnecting' ? {...input, reason: visible(input.reason)} : input;
		const key = s.state === 'reconnecting' ? `r${s.attempt}${s.reason}` : s.state === 'failed' ? `f${s.message}` : s.state;
		if (key === lastStatusKey) return;
		lastStatusKey = key;
		options.onStatus(s);
	};
	const notice = (text: string) => push({kind: 'notice', seq: seq++, time: new Date().toISOString(), text});

	let current: Reading | undefined;
	let dedup = new Dedup();
	let lastNotice = '';
	const noticeOnce = (text: string) => {
		if (text === lastNotice) return;
		lastNotice = text;
		notice(text);
	};

	/** Streams one request; resolves when it ends. Lines pass through `dedup`. */
	async function stream(query: Query, instance: number, onOpen?: () => void): Promise<{lines: number; clean: boolean}> {
		const res = await transport.open(`${podPath}/log`, {container, timestamps: true, ...query}, signal);
		onOpen?.();
		dedup.startConnection();
		let lines = 0;
		const splitter = new LineSplitter((line) => {
			const {time, text} = splitTimestamp(line);
			if (!dedup.accept(time, text)) return;
			lines++;
			push({kind: 'line', seq: seq++, time, text, instance});
		});
		return new Promise((resolve) => {
			let done = false;
			const finish = (clean: boolean) => {
				if (done) return;
				done = true;
				if (clean) splitter.end();
				res.destroy();
				resolve({lines, clean});
			};
			res.on('data', (chunk: Buffer) => splitter.push(chunk));
			res.on('end', () => finish(true));
			res.on('error', () => finish(false));
			res.on('close', () => finish(res.complete));
		});
	}

	async function getPod(): Promise<V1Pod | undefined> {
		try {
			return await transport.getJson<V1Pod>(podPath, {}, signal);
		} catch (error) {
			if (classifyError(error).kind === 'not-found' && /not found/.test(classifyError(error).message)) return undefined;
			throw error;
		}
	}

	// Pod changes (from a watch) cut waits short, so restarts are seen at once, without polling.
	let wake: (() => void) | undefined;
	let changedWhileBusy = false;
	function pause(ms: number): Promise<boolean> {
		if (changedWhileBusy) {
			changedWhileBusy = false;
			return Promise.resolve(!signal.aborted);
		}
		return new Promise((resolve) => {
			if (signal.aborted) return resolve(false);
			const done = (value: boolean) => {
				clearTimeout(timer);
				signal.removeEventListener('abort', onAbort);
				wake = undefined;
				resolve(value);
			};
			const onAbort = () => done(false);
			const timer = setTimeout(() => done(true), ms);
			signal.addEventListener('abort', onAbort, {once: true});
			wake = () => done(true);
		});
	}
	const podWatch = deps.watchPodChanges?.(() => {
		if (wake) wake();
		else changedWhileBusy = true;
	});

	async function waitRetry(reason: string, wait = waitBackoff): Promise<boolean> {
		const retryInMs = wait.next();
		status({state: 'reconnecting', attempt: wait.attempt, retryInMs, reason});
		return pause(retryInMs);
	}

	function marker(cs: V1ContainerStatus, n: number): void {
		const terminated = terminationOf(cs, n - 1);
		push({kind: 'restart', seq: seq++, time: rfc3339(terminated?.finishedAt), exitCode: terminated?.exitCode, reason: terminated?.reason, instance: n});
		lastNotice = '';
	}

	function skipped(count: number): void {
		if (count > 0) {
			notice(`${count} instance${count === 1 ? '' : 's'} of container "${container}" started and ended between two looks; ${count === 1 ? 'its log is' : 'their logs are'} no longer available`);
		}
	}

	/** Without permission to read the pod, follow the log alone: drops are still bridged. */
	let blind = false;
	async function blindStep(): Promise<boolean> {
		current ??= {uid: '', n: 0, done: false};
		const query: Query = dedup.lastTime ? {sinceTime: floorToSecond(dedup.lastTime)} : {tailLines: options.tailLines, sinceSeconds: options.sinceSeconds};
		return read(query, false);
	}

	async function step(): Promise<boolean> {
		if (blind) return blindStep();
		let pod: V1Pod | undefined;
		try {
			pod = await getPod();
		} catch (error) {
			if (classifyError(error).kind !== 'forbidden') throw error;
			blind = true;
			notice(`podwatch may read this container's log but not its pod ("get pods" is forbidden), so restarts cannot be marked; following the log alone`);
			return blindStep();
		}
		if (!pod) {
			noticeOnce(`pod "${podName}" does not exist (yet); waiting for it`);
			return waitRetry(`pod "${podName}" not found in namespace "${namespace}"`);
		}
		const uid = pod.metadata?.uid ?? '';
		if (current && current.uid !== uid) {
			noticeOnce(`pod "${podName}" was re-created; following the new pod`);
			current = undefined;
			dedup = new Dedup();
		}
		const cs = containerStatus(pod, container);
		if (!cs) {
			const names = containerNames(pod);
			if (!names.includes(container)) {
				throw new StopFollowing(
					`Error from server (BadRequest): container ${container} is not valid for pod ${podName}. Choose one of: ${names.join(', ')}.`,
				);
			}
			return waitRetry(`container "${container}" has not started yet`);
		}
		const latest = latestInstance(cs);
		if (!latest) return waitRetry(`container "${container}" is waiting to start: ${cs.state?.waiting?.reason ?? 'waiting'}`);

		if (!current || latest.n < current.n) {
			// First look (for a container in CrashLoopBackOff: its last instance, like kubectl logs).
			current = {uid, n: latest.n, done: false};
			dedup = new Dedup();
			return read({tailLines: options.tailLines, sinceSeconds: options.sinceSeconds}, latest.ended);
		}

		if (latest.n === current.n) {
			if (!current.done) {
				return read(dedup.lastTime ? {sinceTime: floorToSecond(dedup.lastTime)} : {}, latest.ended);
			}
			// Read to its end; wait for the next instance (or for ever, if it will not restart).
			if (latest.waiting) return waitRetry(`container "${container}" is waiting to start: ${cs.state?.waiting?.reason ?? 'waiting'}`);
			const terminated = cs.state?.terminated;
			if (terminated) {
				noticeOnce(`container "${container}" terminated (exit code ${terminated.exitCode ?? '?'}${terminated.reason ? `, ${terminated.reason}` : ''})`);
			}
			status({state: 'live'});
			return pause(waitBackoff.next());
		}

		// One or more new instances since we last looked.
		const prior = priorInstance(cs);
		if (!current.done && prior?.n === current.n) {
			// The rest of the instance we were reading, in case the stream missed its end.
			try {
				await stream({previous: true, ...(dedup.lastTime ? {sinceTime: floorToSecond(dedup.lastTime)} : {})}, current.n);
			} catch {
				// Gone already: the marker still tells the story.
			}
		}
		if (prior && prior.n > current.n) {
			// An instance that ran and ended between two looks: its log is still there in full.
			skipped(prior.n - current.n - 1);
			marker(cs, prior.n);
			current = {uid, n: prior.n, done: true};
			dedup = new Dedup();
			try {
				await stream({previous: true}, prior.n);
			} catch {
				// Gone already.
			}
		}
		skipped(latest.n - current.n - 1);
		marker(cs, latest.n);
		current = {uid, n: latest.n, done: false};
		dedup = new Dedup();
		return read({}, latest.ended);
	}

	/**
	 * A follow of a running instance ended cleanly: the instance almost always stopped, but the
	 * pod's status can lag behind the log (the kubelet reports a restart up to a second or two
	 * later). Reconnecting before the status shows it would read the NEXT instance as if it were
	 * the rest of this one, and then read it again after the restart marker. So wait, woken by
	 * the pod watch, until the status shows this instance ended or a newer one, or until
	 * `settleMs` says it was only a dropped connection.
	 */
	async function settle(reading: Reading): Promise<void> {
		const deadline = Date.now() + settleMs;
		while (!signal.aborted && Date.now() < deadline) {
			const pod = await getPod().catch(() => undefined);
			if (!pod || (pod.metadata?.uid ?? '') !== reading.uid) return;
			const cs = containerStatus(pod, container);
			const latest = cs ? latestInstance(cs) : undefined;
			if (!latest || latest.n !== reading.n || latest.ended) return;
			if (!(await pause(Math.min(250, Math.max(0, deadline - Date.now()))))) return;
		}
	}

	/** Reads the newest instance (following it while it runs); marks it done at a clean end of an ended one. */
	async function read(query: Query, ended: boolean): Promise<boolean> {
		const reading = current!;
		const started = Date.now();
		const result = await stream({...query, follow: true}, reading.n, () => {
			waitBackoff.reset();
			status({state: 'live'});
		});
		// A stream that delivered (or lasted) before it ended starts the back-off afresh, cut or not:
		// drops minutes apart must not add up to the 30 s maximum.
		if (result.lines > 0 || Date.now() - started > 2000) backoff.reset();
		if (!result.clean) return waitRetry('the log stream was interrupted', backoff);
		if (ended) reading.done = true;
		else if (!blind) await settle(reading);
		if (result.lines > 0 || ended) return true;
		// A running instance whose stream ended at once with nothing new: it is probably stopping.
		return pause(waitBackoff.next());
	}

	async function run(): Promise<void> {
		status({state: 'connecting'});
		while (!signal.aborted) {
			try {
				if (!(await step())) return;
			} catch (error) {
				if (signal.aborted) return;
				if (error instanceof StopFollowing) {
					status({state: 'failed', message: error.message});
					return;
				}
				const info = classifyError(error);
				if (info.kind === 'unauthorized' || info.kind === 'forbidden' || info.kind === 'tls') {
					status({state: 'failed', message: describeError(error, errorContext)});
					return;
				}
				if (info.kind === 'bad-request' && /waiting to start|ContainerCreating|PodInitializing/.test(info.message)) {
					if (!(await waitRetry(info.message))) return;
					continue;
				}
				if (info.kind === 'bad-request' && /is not valid for pod|must be specified/.test(info.message)) {
					status({state: 'failed', message: describeError(error, errorContext)});
					return;
				}
				if (!(await waitRetry(describeError(error, errorContext), backoff))) return;
			}
		}
	}

	void run();

	return {
		close() {
			controller.abort();
			podWatch?.close();
			if (batchTimer !== undefined) clearTimeout(batchTimer);
			batchTimer = undefined;
			batch = [];
		},
	};
}
