// createKubeSource: the one object through which the dashboard talks to a cluster.
import type {CoreV1Event, KubeConfig, V1Pod} from '@kubernetes/client-node';
import {describeError} from './errors.js';
import {execInContainer} from './exec.js';
import {followContainerLogs} from './log-follower.js';
import {podKey, watchPodCollection} from './pod-watcher.js';
import {Transport} from './transport.js';
import type {ClusterTarget, Closeable, KubeSource, LogFollowOptions, PodListOptions, PodOptions} from './types.js';

export type KubeSourceTuning = {
	/** Minimum interval between two pod snapshots (default 75 ms). */
	coalesceMs?: number;
};

function comparePods(allNamespaces: boolean): (a: V1Pod, b: V1Pod) => number {
	return (a, b) => {
		if (allNamespaces) {
			const na = a.metadata?.namespace ?? '';
			const nb = b.metadata?.namespace ?? '';
			if (na !== nb) return na < nb ? -1 : 1;
		}
		const ma = a.metadata?.name ?? '';
		const mb = b.metadata?.name ?? '';
		return ma < mb ? -1 : ma > mb ? 1 : 0;
	};
}

/** Sorted snapshots; sorts only when pods came or went, otherwise reuses the order (O(n)). */
function snapshotter(allNamespaces: boolean): (pods: Map<string, V1Pod>, membershipChanged: boolean) => V1Pod[] {
	const compare = comparePods(allNamespaces);
	let order: string[] = [];
	return (pods, membershipChanged) => {
		if (membershipChanged || order.length !== pods.size) {
			const list = [...pods.values()].sort(compare);
			order = list.map((pod) => podKey(pod));
			return list;
		}
		return order.map((key) => pods.get(key)!);
	};
}

export function createKubeSource(kc: KubeConfig, target: ClusterTarget, tuning: KubeSourceTuning = {}): KubeSource {
	const transport = new Transport(kc);
	const context = target.context;
	const errorContext = {server: transport.server, context};

	return {
		target,

		watchPods(options: PodListOptions): Closeable {
			const snapshot = snapshotter(options.namespace === undefined);
			return watchPodCollection({
				transport,
				namespace: options.namespace,
				labelSelector: options.labelSelector,
				coalesceMs: tuning.coalesceMs,
				context,
				onChange: (pods, membershipChanged) => options.onPods(snapshot(pods, membershipChanged)),
				onStatus: options.onStatus,
			});
		},

		watchPod(options: PodOptions): Closeable {
			let last: V1Pod | undefined | null = null;
			return watchPodCollection({
				transport,
				namespace: options.namespace,
				fieldSelector: `metadata.name=${options.name}`,
				coalesceMs: tuning.coalesceMs,
				context,
				onChange: (pods) => {
					const pod = pods.values().next().value as V1Pod | undefined;
					if (pod === undefined && last === undefined) return;
					last = pod;
					options.onPod(pod);
				},
				onStatus: options.onStatus,
			});
		},

		followLogs(options: LogFollowOptions): Closeable {
			// A watch on the pod wakes the follower when a container restarts, instead of polling.
			const watchPodChanges = (onChange: () => void) =>
				watchPodCollection({
					transport,
					namespace: options.namespace,
					fieldSelector: `metadata.name=${options.pod}`,
					coalesceMs: 0,
					context,
					onChange,
					onStatus: () => {},
				});
			return followContainerLogs(options, {transport, context, watchPodChanges});
		},

		async previousLogs(namespace, pod, container, tailLines) {
			try {
				const text = await transport.getText(
					`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
					{container, previous: true, tailLines},
				);
				const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
				if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
				return {lines};
			} catch (error) {
				return {error: describeError(error, errorContext)};
			}
		},

		async podEvents(namespace, pod) {
			// Like kubectl describe: the events of THIS pod (its uid). A real cluster keeps events for an
			// hour, so a pod deleted and created again under the same name would show the old one's too.
			let uid: string | undefined;
			try {
				uid = (await transport.getJson<V1Pod>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}`)).metadata?.uid;
			} catch {
				// Gone, or not readable: by name, as before.
			}
			const selector = [`involvedObject.name=${pod}`, `involvedObject.namespace=${namespace}`, 'involvedObject.kind=Pod', ...(uid ? [`involvedObject.uid=${uid}`] : [])];
			let list: {items?: CoreV1Event[]};
			try {
				list = await transport.getJson<{items?: CoreV1Event[]}>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, {fieldSelector: selector.join(',')});
			} catch (error) {
				// The message is already user-facing; the caller shows it as is.
				throw new Error(describeError(error, errorContext), {cause: error});
			}
			// kubectl describe orders by lastTimestamp alone: an event with only an eventTime (the v1.20
			// scheduler's Scheduled) has none and comes first. Ties keep the server's order.
			const time = (event: CoreV1Event): number => (event.lastTimestamp ? new Date(event.lastTimestamp as unknown as string).getTime() : 0);
			return (list.items ?? []).sort((a, b) => time(a) - time(b));
		},

		exec(namespace, pod, container, argv, options = {}) {
			return execInContainer(kc, {namespace, pod, container, argv, ...options, server: transport.server, context, transport});
		},
	};
}
