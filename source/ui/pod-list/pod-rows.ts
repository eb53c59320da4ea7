// Pod list rows: sorting and filtering touch every pod (cheap string work), but the kubectl
// columns are computed only for the rows on screen, so 5,000 pods cost a few dozen summaries.
import type {V1Pod} from '@kubernetes/client-node';
import {podAge, podReady, podRestarts, podStatus} from '../../pod-status.js';
import {sanitizeName} from '../../text/sanitize.js';

export type PodRow = {
	key: string;
	namespace: string;
	name: string;
	ready: string;
	status: string;
	restarts: string;
	age: string;
	containers: string;
};

export function podKey(pod: V1Pod): string {
	return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/** kubectl's order: by namespace, then name. */
export function sortPods(pods: readonly V1Pod[]): V1Pod[] {
	return [...pods].sort((a, b) => {
		const an = a.metadata?.namespace ?? '';
		const bn = b.metadata?.namespace ?? '';
		if (an !== bn) return an < bn ? -1 : 1;
		const a1 = a.metadata?.name ?? '';
		const b1 = b.metadata?.name ?? '';
		return a1 < b1 ? -1 : a1 > b1 ? 1 : 0;
	});
}

export function filterPods(pods: readonly V1Pod[], filter: string): readonly V1Pod[] {
	if (!filter) return pods;
	const needle = filter.toLowerCase();
	return pods.filter(pod => (pod.metadata?.name ?? '').toLowerCase().includes(needle));
}

export function podRow(pod: V1Pod, now: Date): PodRow {
	const containers = [...(pod.spec?.initContainers ?? []).filter(c => c.restartPolicy === 'Always'), ...(pod.spec?.containers ?? [])];
	return {
		key: podKey(pod),
		namespace: sanitizeName(pod.metadata?.namespace ?? ''),
		name: sanitizeName(pod.metadata?.name ?? ''),
		ready: podReady(pod),
		status: sanitizeName(podStatus(pod), 80),
		restarts: podRestarts(pod, now),
		age: podAge(pod, now),
		containers: containers.map(c => sanitizeName(c.name, 63)).join(','),
	};
}
