import {useEffect, useRef, useState, useSyncExternalStore} from 'react';
import type {Closeable, KubeSource, SourceStatus} from '../../kube/types.js';
import {LogStore} from '../../state/log-store.js';

export const logRefreshMs = 100;

export type LogFollowersOptions = {
	namespace: string;
	pod: string;
	/**
	 * Followers start once the pod has been seen. They are not restarted when the pod is deleted
	 * and recreated: the data layer follows the new pod itself (with a notice), so restarting here
	 * would show the new pod's first lines twice.
	 */
	podSeen: boolean;
	containers: readonly string[];
	bufferLines: number;
	tailLines?: number;
	sinceSeconds?: number;
};

export type LogFollowers = {
	store: LogStore;
	/** Changes whenever lines arrive (at most ~30 times a second). */
	version: number;
	statuses: Readonly<Record<string, SourceStatus>>;
};

/**
 * Follows every container's log into one LogStore kept outside React state. Followers are
 * opened and closed one by one as containers appear and disappear (an ephemeral container does
 * not restart the others) and all of them are closed on unmount.
 */
export function useLogFollowers(source: KubeSource, options: LogFollowersOptions): LogFollowers {
	const {namespace, pod, podSeen, containers, bufferLines, tailLines, sinceSeconds} = options;
	// Ten log updates a second read smoothly and leave the CPU to the keyboard; keys re-render at once.
	const [store] = useState(() => new LogStore({capacity: bufferLines, notifyEveryMs: logRefreshMs}));
	const [statuses, setStatuses] = useState<Record<string, SourceStatus>>({});
	const open = useRef(new Map<string, Closeable>());
	const containersKey = containers.join('\u0000');

	useEffect(() => {
		const handles = open.current;
		return () => {
			for (const handle of handles.values()) handle.close();
			handles.clear();
			store.dispose();
		};
	}, [store]);

	useEffect(() => {
		const handles = open.current;
		const wanted = new Set(podSeen ? containersKey.split('\u0000').filter(Boolean) : []);
		for (const [key, handle] of handles) {
			if (!wanted.has(key)) {
				handle.close();
				handles.delete(key);
			}
		}

		for (const container of wanted) {
			if (handles.has(container)) continue;
			handles.set(
				container,
				source.followLogs({
					namespace,
					pod,
					container,
					tailLines,
					sinceSeconds,
					onEntries(entries) {
						store.append(container, entries);
					},
					onStatus(status) {
						setStatuses(previous => ({...previous, [container]: status}));
					},
				}),
			);
		}
	}, [source, store, namespace, pod, podSeen, containersKey, tailLines, sinceSeconds]);

	const version = useSyncExternalStore(store.subscribe, store.getVersion);
	return {store, version, statuses};
}
