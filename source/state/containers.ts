// The containers of a pod, in the order the dashboard shows them: init containers and native
// sidecars (init containers with `restartPolicy: Always`) in spec order, then the regular
// containers, then ephemeral (debug) containers. Names and reasons are sanitised here, once.
import type {V1Container, V1ContainerState, V1ContainerStatus, V1EphemeralContainer, V1Pod} from '@kubernetes/client-node';
import {sanitizeName} from '../text/sanitize.js';

export type ContainerKind = 'init' | 'sidecar' | 'container' | 'ephemeral';

export type ContainerInfo = {
	/** The raw name, for API calls (never printed). */
	name: string;
	/** The sanitised name, for display. */
	label: string;
	kind: ContainerKind;
	image: string;
	/** `Running`, `Waiting: CrashLoopBackOff`, `Terminated: Error (exit 3)`, or `Pending`. */
	state: string;
	ready: boolean;
	restarts: number;
};

export function describeState(state: V1ContainerState | undefined): string {
	if (state?.running) return 'Running';
	if (state?.waiting) return `Waiting: ${sanitizeName(state.waiting.reason ?? 'unknown', 64)}`;
	if (state?.terminated) {
		const {reason, exitCode, signal} = state.terminated;
		const code = signal ? `signal ${signal}` : `exit ${exitCode}`;
		return `Terminated: ${sanitizeName(reason ?? 'unknown', 64)} (${code})`;
	}

	return 'Pending';
}

function info(name: string, image: string | undefined, kind: ContainerKind, status: V1ContainerStatus | undefined): ContainerInfo {
	return {
		name,
		label: sanitizeName(name, 63),
		kind,
		image: sanitizeName(image ?? '', 200),
		state: describeState(status?.state),
		ready: status?.ready ?? false,
		restarts: status?.restartCount ?? 0,
	};
}

/** Every container of the pod in display order, with its kind and status (shared with the inspector). */
export function podContainers(pod: V1Pod | undefined): Array<{container: V1Container | V1EphemeralContainer; kind: ContainerKind; status: V1ContainerStatus | undefined}> {
	if (!pod) return [];
	const spec = pod.spec;
	const status = pod.status;
	const find = (statuses: V1ContainerStatus[] | undefined, name: string) => statuses?.find(s => s.name === name);
	return [
		...(spec?.initContainers ?? []).map(container => ({
			container,
			kind: (container.restartPolicy === 'Always' ? 'sidecar' : 'init') as ContainerKind,
			status: find(status?.initContainerStatuses, container.name),
		})),
		...(spec?.containers ?? []).map(container => ({container, kind: 'container' as ContainerKind, status: find(status?.containerStatuses, container.name)})),
		...(spec?.ephemeralContainers ?? []).map(container => ({container, kind: 'ephemeral' as ContainerKind, status: find(status?.ephemeralContainerStatuses, container.name)})),
	];
}

export function containerInfos(pod: V1Pod | undefined): ContainerInfo[] {
	return podContainers(pod).map(({container, kind, status}) => info(container.name, container.image, kind, status));
}
