import {useEffect, useRef, useState, useSyncExternalStore} from 'react';
import type {Closeable, KubeSource, SourceStatus} from '../../kube/types.js';
import {LogStore} from '../../state/log-store.js';

export const logRefreshMs = 100;

export type LogFollowersOptions = {
	namespace: string;
	pod: string;
	/** The pod's uid: a new uid (pod deleted and recreated) restarts every follower. */
	uid: string | undefined;
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
	const {namespace, pod, uid, containers, bufferLines, tailLines, sinceSeconds} = options;
	// Ten log updates a second read smoothly and leave the CPU to the keyboard; keys re-render at once.
	const [store] = useState(() => new LogStore({capacity: bufferLines, notifyEveryMs: logRefreshMs}));
	const [statuses, setStatuses] = useState<Record<string, SourceStatus>>({});
	const open = useRef(new Map<string, Closeable>());
	const lastUid = useRef<string | undefined>(undefined);
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
		const wanted = new Set(uid === undefined ? [] : containersKey.split('\u0000').filter(Boolean).map(c => `${uid}/${c}`));
		for (const [key, handle] of handles) {
			if (!wanted.has(key)) {
				handle.close();
				handles.delete(key);
			}
		}

		if (uid !== undefined && lastUid.current !== undefined && lastUid.current !== uid) {
			for (const container of containersKey.split('\u0000').filter(Boolean)) store.notice(container, 'pod recreated');
		}

		if (uid !== undefined) lastUid.current = uid;
		for (const key of wanted) {
			if (handles.has(key)) continue;
			const container = key.slice(uid!.length + 1);
			handles.set(
				key,
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
	}, [source, store, namespace, pod, uid, containersKey, tailLines, sinceSeconds]);

	const version = useSyncExternalStore(store.subscribe, store.getVersion);
	return {store, version, statuses};
}
