// READY, STATUS, RESTARTS and AGE exactly as kubectl prints them (kubectl's `printPod` and
// apimachinery's `HumanDuration`, as of Kubernetes 1.32). The dashboard and the demo cluster's
// server-side Table both use this module, so the two can never disagree.
//
// The types are structural on purpose: the demo cluster holds plain JSON (timestamps as RFC 3339
// strings) while @kubernetes/client-node hands out `Date` objects; both are accepted.

type Timestamp = Date | string | undefined | null;

type ContainerState = {
	waiting?: {reason?: string | null} | null;
	running?: {startedAt?: Timestamp} | null;
	terminated?: {
		exitCode?: number | null;
		signal?: number | null;
		reason?: string | null;
		finishedAt?: Timestamp;
	} | null;
};

type ContainerStatusLike = {
	name: string;
	ready?: boolean | null;
	started?: boolean | null;
	restartCount?: number | null;
	state?: ContainerState | null;
	lastState?: ContainerState | null;
};

export type PodLike = {
	metadata?: {
		name?: string;
		creationTimestamp?: Timestamp;
		deletionTimestamp?: Timestamp;
	} | null;
	spec?: {
		containers?: Array<{name: string}>;
		initContainers?: Array<{name: string; restartPolicy?: string | null}> | null;
	} | null;
	status?: {
		phase?: string | null;
		reason?: string | null;
		conditions?: Array<{type: string; status: string; reason?: string | null}> | null;
		initContainerStatuses?: ContainerStatusLike[] | null;
		containerStatuses?: ContainerStatusLike[] | null;
	} | null;
};

export type PodSummary = {
	ready: string;
	status: string;
	restarts: number;
	/** Time of the most recent restart that counts towards `restarts`, in epoch ms. */
	lastRestartMs: number | undefined;
};

function toMillis(value: Timestamp): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const ms = value instanceof Date ? value.getTime() : Date.parse(value);
	return Number.isNaN(ms) ? undefined : ms;
}

function later(a: number | undefined, b: Timestamp): number | undefined {
	const ms = toMillis(b);
	if (ms === undefined) return a;
	return a === undefined || ms > a ? ms : a;
}

function conditionIsTrue(pod: PodLike, type: string): boolean {
	return (pod.status?.conditions ?? []).some(c => c.type === type && c.status === 'True');
}

/** The whole row logic of kubectl's printPod, minus the name and age cells. */
export function summarisePod(pod: PodLike): PodSummary {
	const spec = pod.spec ?? {};
	const status = pod.status ?? {};
	const initSpecs = spec.initContainers ?? [];
	const restartable = new Set(initSpecs.filter(c => c.restartPolicy === 'Always').map(c => c.name));

	const total = (spec.containers ?? []).length + restartable.size;
	let ready = 0;
	let restarts = 0;
	let sidecarRestarts = 0;
	let lastRestart: number | undefined;
	let lastSidecarRestart: number | undefined;

	let reason = status.phase ?? '';
	if (status.reason) reason = status.reason;
	for (const condition of status.conditions ?? []) {
		if (condition.type === 'PodScheduled' && condition.reason === 'SchedulingGated') reason = 'SchedulingGated';
	}

	let initializing = false;
	const initStatuses = status.initContainerStatuses ?? [];
	for (const [index, container] of initStatuses.entries()) {
		restarts += container.restartCount ?? 0;
		lastRestart = later(lastRestart, container.lastState?.terminated?.finishedAt);
		const isSidecar = restartable.has(container.name);
		if (isSidecar) {
			sidecarRestarts += container.restartCount ?? 0;
			lastSidecarRestart = later(lastSidecarRestart, container.lastState?.terminated?.finishedAt);
		}

		const terminated = container.state?.terminated;
		const waiting = container.state?.waiting;
		if (terminated && (terminated.exitCode ?? 0) === 0) continue;
		if (isSidecar && container.started) {
			if (container.ready) ready++;
			continue;
		}

		if (terminated) {
			if (terminated.reason) reason = `Init:${terminated.reason}`;
			else if (terminated.signal) reason = `Init:Signal:${terminated.signal}`;
			else reason = `Init:ExitCode:${terminated.exitCode ?? 0}`;
		} else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
			reason = `Init:${waiting.reason}`;
		} else {
			reason = `Init:${index}/${initSpecs.length}`;
		}

		initializing = true;
		break;
	}

	if (!initializing || conditionIsTrue(pod, 'Initialized')) {
		restarts = sidecarRestarts;
		lastRestart = lastSidecarRestart;
		let hasRunning = false;
		const statuses = status.containerStatuses ?? [];
		for (let index = statuses.length - 1; index >= 0; index--) {
			const container = statuses[index]!;
			restarts += container.restartCount ?? 0;
			lastRestart = later(lastRestart, container.lastState?.terminated?.finishedAt);
			const waiting = container.state?.waiting;
			const terminated = container.state?.terminated;
			if (waiting?.reason) {
				reason = waiting.reason;
			} else if (terminated?.reason) {
				reason = terminated.reason;
			} else if (terminated) {
				reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
			} else if (container.ready && container.state?.running) {
				hasRunning = true;
				ready++;
			}
		}

		if (reason === 'Completed' && hasRunning) {
			reason = conditionIsTrue(pod, 'Ready') ? 'Running' : 'NotReady';
		}
	}

	const terminalPhase = status.phase === 'Succeeded' || status.phase === 'Failed';
	if (pod.metadata?.deletionTimestamp && status.reason === 'NodeLost') {
		reason = 'Unknown';
	} else if (pod.metadata?.deletionTimestamp && !terminalPhase) {
		reason = 'Terminating';
	}

	return {ready: `${ready}/${total}`, status: reason, restarts, lastRestartMs: lastRestart};
}

export function podReady(pod: PodLike): string {
	return summarisePod(pod).ready;
}

export function podStatus(pod: PodLike): string {
	return summarisePod(pod).status;
}

export function podRestartCount(pod: PodLike): number {
	return summarisePod(pod).restarts;
}

/** `0`, `3`, or `3 (12s ago)` when the latest restart's time is known. */
export function podRestarts(pod: PodLike, now: Date): string {
	const {restarts, lastRestartMs} = summarisePod(pod);
	if (restarts === 0 || lastRestartMs === undefined) return String(restarts);
	return `${restarts} (${humanDuration(now.getTime() - lastRestartMs)} ago)`;
}

/** kubectl's AGE cell: `<unknown>` when there is no creation time. */
export function podAge(pod: PodLike, now: Date): string {
	return timestampSince(pod.metadata?.creationTimestamp, now);
}

export function timestampSince(value: Timestamp, now: Date): string {
	const ms = toMillis(value);
	if (ms === undefined) return '<unknown>';
	return humanDuration(now.getTime() - ms);
}

/** apimachinery's duration.HumanDuration. */
export function humanDuration(durationMs: number): string {
	const seconds = Math.trunc(durationMs / 1000);
	if (seconds < -1) return '<invalid>';
	if (seconds < 0) return '0s';
	if (seconds < 120) return `${seconds}s`;
	const minutes = Math.trunc(seconds / 60);
	if (minutes < 10) {
		const rest = seconds % 60;
		return rest === 0 ? `${minutes}m` : `${minutes}m${rest}s`;
	}

	if (minutes < 180) return `${minutes}m`;
	const hours = Math.trunc(minutes / 60);
	if (hours < 8) {
		const rest = minutes % 60;
		return rest === 0 ? `${hours}h` : `${hours}h${rest}m`;
	}

	if (hours < 48) return `${hours}h`;
	const days = Math.trunc(hours / 24);
	if (hours < 24 * 8) {
		const rest = hours % 24;
		return rest === 0 ? `${days}d` : `${days}d${rest}h`;
	}

	if (hours < 24 * 365 * 2) return `${days}d`;
	const years = Math.trunc(days / 365);
	if (hours < 24 * 365 * 8) {
		const rest = days % 365;
		return rest === 0 ? `${years}y` : `${years}y${rest}d`;
	}

	return `${years}y`;
}
