// A scriptable KubeSource for UI tests: the test pushes pods, log entries and statuses, and can
// check that every handle the UI opened was closed again.
import type {CoreV1Event, V1Pod} from '@kubernetes/client-node';
import type {ClusterTarget, Closeable, ExecOutcome, KubeSource, LogEntry, LogFollowOptions, PodListOptions, PodOptions, SourceStatus} from '../../source/kube/types.js';

type Handle<T> = {options: T; closed: boolean};

export class FakeSource implements KubeSource {
	readonly listWatches: Array<Handle<PodListOptions>> = [];
	readonly podWatches: Array<Handle<PodOptions>> = [];
	readonly followers: Array<Handle<LogFollowOptions>> = [];
	previous: Record<string, {lines: string[]} | {error: string}> = {};
	events: CoreV1Event[] = [];
	pods: V1Pod[] = [];
	#seq = 0;

	constructor(readonly target: ClusterTarget = {context: 'podwatch-demo', server: 'https://127.0.0.1:6443', namespace: 'default'}) {}

	watchPods(options: PodListOptions): Closeable {
		const handle = {options, closed: false};
		this.listWatches.push(handle);
		queueMicrotask(() => {
			if (handle.closed) return;
			options.onStatus({state: 'live'});
			options.onPods(this.pods);
		});
		return {close: () => (handle.closed = true)};
	}

	watchPod(options: PodOptions): Closeable {
		const handle = {options, closed: false};
		this.podWatches.push(handle);
		queueMicrotask(() => {
			if (handle.closed) return;
			options.onStatus({state: 'live'});
			options.onPod(this.pods.find(p => p.metadata?.name === options.name && p.metadata?.namespace === options.namespace));
		});
		return {close: () => (handle.closed = true)};
	}

	followLogs(options: LogFollowOptions): Closeable {
		const handle = {options, closed: false};
		this.followers.push(handle);
		queueMicrotask(() => {
			if (!handle.closed) options.onStatus({state: 'live'});
		});
		return {close: () => (handle.closed = true)};
	}

	async previousLogs(_namespace: string, _pod: string, container: string): Promise<{lines: string[]} | {error: string}> {
		return this.previous[container] ?? {error: `previous terminated container "${container}" not found`};
	}

	async podEvents(): Promise<CoreV1Event[]> {
		return this.events;
	}

	async exec(): Promise<ExecOutcome> {
		return {kind: 'error', reason: 'other', message: 'not in the fake'};
	}

	/** Replaces the pod set and tells every open watch. */
	setPods(pods: V1Pod[]): void {
		this.pods = pods;
		for (const w of this.listWatches) if (!w.closed) w.options.onPods(pods);
		for (const w of this.podWatches) {
			if (!w.closed) w.options.onPod(pods.find(p => p.metadata?.name === w.options.name && p.metadata?.namespace === w.options.namespace));
		}
	}

	podStatus(status: SourceStatus): void {
		for (const w of this.podWatches) if (!w.closed) w.options.onStatus(status);
	}

	/** Open (not closed) followers of a container. */
	liveFollowers(container: string): Array<Handle<LogFollowOptions>> {
		return this.followers.filter(f => !f.closed && f.options.container === container);
	}

	/** Sends log lines to every open follower of `container`. */
	lines(container: string, texts: string[], time = '2026-11-24T03:15:00.000000000Z'): void {
		const entries: LogEntry[] = texts.map(text => ({kind: 'line', seq: ++this.#seq, time, text, instance: 0}));
		this.entries(container, entries);
	}

	entries(container: string, entries: LogEntry[]): void {
		for (const f of this.liveFollowers(container)) f.options.onEntries(entries);
	}

	followerStatus(container: string, status: SourceStatus): void {
		for (const f of this.liveFollowers(container)) f.options.onStatus(status);
	}

	openHandles(): number {
		return [...this.listWatches, ...this.podWatches, ...this.followers].filter(h => !h.closed).length;
	}
}

export const created = '2026-11-24T03:10:00Z';
export const fixedNow = () => new Date('2026-11-24T03:15:20Z');

type ContainerSpec = {name: string; ready?: boolean; restartCount?: number; state?: 'running' | 'waiting' | 'terminated'; reason?: string};

/** A Running pod like the lesson's sidecar-pod, with the given containers. */
export function makePod(name: string, containers: Array<string | ContainerSpec> = ['main-container', 'sidecar-container'], options: {namespace?: string; uid?: string} = {}): V1Pod {
	const specs = containers.map(c => (typeof c === 'string' ? {name: c} : c));
	const allReady = specs.every(c => c.ready ?? true);
	return {
		apiVersion: 'v1',
		kind: 'Pod',
		metadata: {name, namespace: options.namespace ?? 'default', uid: options.uid ?? `uid-${name}`, creationTimestamp: new Date(created)},
		spec: {nodeName: 'podwatch-node', containers: specs.map(c => ({name: c.name, image: 'busybox:1.36'}))},
		status: {
			phase: 'Running',
			podIP: '10.244.0.7',
			conditions: [
				{type: 'Initialized', status: 'True'},
				{type: 'Ready', status: allReady ? 'True' : 'False'},
				{type: 'ContainersReady', status: allReady ? 'True' : 'False'},
				{type: 'PodScheduled', status: 'True'},
			],
			containerStatuses: specs.map(c => ({
				name: c.name,
				image: 'busybox:1.36',
				imageID: '',
				ready: c.ready ?? true,
				started: true,
				restartCount: c.restartCount ?? 0,
				state:
					c.state === 'waiting'
						? {waiting: {reason: c.reason ?? 'CrashLoopBackOff'}}
						: c.state === 'terminated'
							? {terminated: {exitCode: 3, reason: c.reason ?? 'Error'}}
							: {running: {startedAt: new Date(created)}},
			})),
		},
	};
}
