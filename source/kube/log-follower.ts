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
import type {V1ContainerStatus, V1Pod} from '@kubernetes/client-node';
import {Backoff, sleep} from './backoff.js';
import {classifyError, describeError} from './errors.js';
import {LineSplitter} from './line-splitter.js';
import type {Query, Transport} from './transport.js';
import type {Closeable, LogEntry, LogFollowOptions, SourceStatus} from './types.js';

export type LogFollowerDeps = {
	transport: Transport;
	backoff?: Backoff;
	/** Back-off while the container is waiting or the pod is missing. */
	waitBackoff?: Backoff;
	context?: string;
};

/** Splits a `timestamps=true` line into its RFC3339Nano time and text. */
export function splitTimestamp(line: string): {time: string; text: string} {
	const space = line.indexOf(' ');
	if (space <= 0 || line.charCodeAt(0) < 48 || line.charCodeAt(0) > 57) return {time: '', text: line};
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

type Instance = {uid: string; containerId: string | undefined; restartCount: number};

class StopFollowing extends Error {}

function containerStatus(pod: V1Pod, container: string): V1ContainerStatus | undefined {
	const all = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
	return all.find((s) => s.name === container);
}

function containerNames(pod: V1Pod): string[] {
	return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].map((c) => c.name);
}

/** The ID of the instance a log request would read now, or undefined while waiting. */
function streamableId(cs: V1ContainerStatus): string | undefined {
	if (cs.state?.running) return cs.containerID;
	if (cs.state?.terminated) return cs.state.terminated.containerID ?? cs.containerID;
	return undefined;
}

export function followContainerLogs(options: LogFollowOptions, deps: LogFollowerDeps): Closeable {
	const {transport} = deps;
	const {namespace, pod: podName, container} = options;
	const controller = new AbortController();
	const {signal} = controller;
	const backoff = deps.backoff ?? new Backoff();
	const waitBackoff = deps.waitBackoff ?? new Backoff({initialMs: 500, maxMs: 5000});
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
	const status = (s: SourceStatus) => {
		if (signal.aborted) return;
		const key = s.state === 'reconnecting' ? `r${s.attempt}${s.reason}` : s.state === 'failed' ? `f${s.message}` : s.state;
		if (key === lastStatusKey) return;
		lastStatusKey = key;
		options.onStatus(s);
	};
	const notice = (text: string) => push({kind: 'notice', seq: seq++, time: new Date().toISOString(), text});

	let current: Instance | undefined;
	let dedup = new Dedup();
	let startedOnce = false;
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

	async function waitRetry(reason: string, wait = waitBackoff): Promise<boolean> {
		const retryInMs = wait.next();
		status({state: 'reconnecting', attempt: wait.attempt, retryInMs, reason});
		return sleep(retryInMs, signal);
	}

	async function step(): Promise<boolean> {
		const pod = await getPod();
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
		const restartCount = cs.restartCount ?? 0;

		// First look at a container in CrashLoopBackOff: show its last instance, like kubectl logs.
		if (!current && !streamableId(cs) && cs.lastState?.terminated?.containerID) {
			// While waiting, restartCount still counts the instance that last ran: the next one gets +1.
			current = {uid, containerId: cs.lastState.terminated.containerID, restartCount};
			startedOnce = true;
			await stream({previous: true, tailLines: options.tailLines, sinceSeconds: options.sinceSeconds}, current.restartCount);
			return true;
		}

		if (current && restartCount > current.restartCount) {
			// The instance we followed has ended and a new one exists (maybe still waiting).
			if (restartCount === current.restartCount + 1 && current.containerId !== undefined) {
				try {
					const query: Query = {previous: true};
					if (dedup.lastTime) query['sinceTime'] = floorToSecond(dedup.lastTime);
					await stream(query, current.restartCount);
				} catch {
					// The old instance's log may be gone already; the marker still tells the story.
				}
			}
			const terminated = cs.lastState?.terminated;
			push({
				kind: 'restart',
				seq: seq++,
				time: terminated?.finishedAt ? new Date(terminated.finishedAt as unknown as string).toISOString() : undefined,
				exitCode: terminated?.exitCode,
				reason: terminated?.reason,
				instance: restartCount,
			});
			current = {uid, containerId: undefined, restartCount};
			dedup = new Dedup();
			lastNotice = '';
		}

		const id = streamableId(cs);
		if (!id || (current?.containerId === undefined && current !== undefined && id === cs.lastState?.terminated?.containerID)) {
			const reason = cs.state?.waiting?.reason ?? 'waiting';
			return waitRetry(`container "${container}" is waiting to start: ${reason}`);
		}

		let query: Query;
		if (!current) {
			current = {uid, containerId: id, restartCount};
			query = {tailLines: options.tailLines, sinceSeconds: options.sinceSeconds};
		} else if (current.containerId === undefined) {
			current.containerId = id;
			query = {};
		} else if (dedup.lastTime) {
			query = {sinceTime: floorToSecond(dedup.lastTime)};
		} else {
			query = startedOnce ? {} : {tailLines: options.tailLines, sinceSeconds: options.sinceSeconds};
		}
		startedOnce = true;
		const started = Date.now();
		const result = await stream({...query, follow: true}, current.restartCount, () => {
			waitBackoff.reset();
			status({state: 'live'});
		});
		if (!result.clean) {
			return waitRetry('the log stream was interrupted', backoff);
		}
		if (result.lines > 0 || Date.now() - started > 2000) {
			backoff.reset();
			if (!cs.state?.terminated) {
				waitBackoff.reset();
				return true;
			}
		}
		// Ended with nothing new: the instance has stopped; look at the pod again after a pause.
		const terminated = cs.state?.terminated;
		if (terminated) {
			noticeOnce(`container "${container}" terminated (exit code ${terminated.exitCode ?? '?'}${terminated.reason ? `, ${terminated.reason}` : ''})`);
		}
		return sleep(waitBackoff.next(), signal);
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
			if (batchTimer !== undefined) clearTimeout(batchTimer);
			batchTimer = undefined;
			batch = [];
		},
	};
}
