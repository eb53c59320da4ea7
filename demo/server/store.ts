// In-memory object store with a cluster-wide resourceVersion, a bounded event history per
// resource (so watches can resume from a recent version, and get 410 Expired when too old),
// and fan-out to watchers.
import {ApiError, type Obj} from './types.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
type HistoryEntry = {rv: number; type: WatchEventType; obj: Obj; prev?: Obj};

export type Watcher = {
	namespace?: string;
	matches(obj: Obj): boolean;
	send(type: WatchEventType, obj: Obj): void;
};

const keyOf = (namespace: string | undefined, name: string) => (namespace ? `${namespace}/${name}` : name);

export class Store {
	private rv = 1000;
	private readonly objects = new Map<string, Map<string, Obj>>();
	private readonly history = new Map<string, {entries: HistoryEntry[]; start: number; lastEvicted: number}>();
	private readonly watchers = new Map<string, Set<Watcher>>();

	constructor(private readonly historyLimit = 4096) {}

	get resourceVersion(): string {
		return String(this.rv);
	}

	/** Moves the resourceVersion on without a change (fault injection: expire every watcher's version). */
	skipVersion(): number {
		return ++this.rv;
	}

	private bucket(resource: string): Map<string, Obj> {
		let map = this.objects.get(resource);
		if (!map) {
			map = new Map();
			this.objects.set(resource, map);
		}
		return map;
	}

	get(resource: string, namespace: string | undefined, name: string): Obj | undefined {
		return this.objects.get(resource)?.get(keyOf(namespace, name));
	}

	/** Objects sorted by namespace/name, as etcd returns them. */
	list(resource: string, namespace?: string): Obj[] {
		const map = this.objects.get(resource);
		if (!map) return [];
		const keys = [...map.keys()].sort();
		const out: Obj[] = [];
		for (const key of keys) {
			const obj = map.get(key)!;
			if (namespace && obj.metadata.namespace !== namespace) continue;
			out.push(obj);
		}
		return out;
	}

	/** Store a new object (the caller checked it does not exist). Returns the stored object. */
	create(resource: string, obj: Obj): Obj {
		obj.metadata.resourceVersion = String(++this.rv);
		this.bucket(resource).set(keyOf(obj.metadata.namespace, obj.metadata.name), obj);
		this.emit(resource, 'ADDED', obj);
		return obj;
	}

	/** Replace an object with a new version (never mutate stored objects in place). */
	update(resource: string, obj: Obj): Obj {
		const key = keyOf(obj.metadata.namespace, obj.metadata.name);
		const map = this.bucket(resource);
		const prev = map.get(key);
		if (!prev) return obj;
		obj.metadata.resourceVersion = String(++this.rv);
		map.set(key, obj);
		this.emit(resource, 'MODIFIED', obj, prev);
		return obj;
	}

	/** Remove an object; `finalMetadata` is merged into the metadata of the DELETED event's object. */
	remove(resource: string, namespace: string | undefined, name: string, finalMetadata?: Obj): Obj | undefined {
		const map = this.bucket(resource);
		const key = keyOf(namespace, name);
		const prev = map.get(key);
		if (!prev) return undefined;
		map.delete(key);
		const gone = {...prev, metadata: {...prev.metadata, ...finalMetadata, resourceVersion: String(++this.rv)}};
		this.emit(resource, 'DELETED', gone);
		return gone;
	}

	private emit(resource: string, type: WatchEventType, obj: Obj, prev?: Obj): void {
		let h = this.history.get(resource);
		if (!h) {
			h = {entries: [], start: 0, lastEvicted: 0};
			this.history.set(resource, h);
		}
		const rv = Number(obj.metadata.resourceVersion);
		h.entries.push(prev ? {rv, type, obj, prev} : {rv, type, obj});
		if (h.entries.length - h.start > this.historyLimit) {
			h.lastEvicted = h.entries[h.start]!.rv;
			h.start++;
			// Compact now and then instead of shifting on every event.
			if (h.start > this.historyLimit) {
				h.entries = h.entries.slice(h.start);
				h.start = 0;
			}
		}
		const set = this.watchers.get(resource);
		if (!set) return;
		for (const w of [...set]) deliver(w, type, obj, prev);
	}

	/**
	 * Register a watcher. With `fromRv` undefined the caller sends the initial state itself;
	 * otherwise every change after fromRv is replayed first (410 Expired when it is too old).
	 */
	watch(resource: string, watcher: Watcher, fromRv?: number): () => void {
		if (fromRv !== undefined) {
			const h = this.history.get(resource);
			// Expired only if an event the watcher has not seen was dropped from the history.
			if (h && fromRv < h.lastEvicted) {
				throw new ApiError(410, 'Expired', `too old resource version: ${fromRv} (${h.lastEvicted})`);
			}
			if (h) {
				for (let i = h.start; i < h.entries.length; i++) {
					const e = h.entries[i]!;
					if (e.rv > fromRv) deliver(watcher, e.type, e.obj, e.prev);
				}
			}
		}
		let set = this.watchers.get(resource);
		if (!set) {
			set = new Set();
			this.watchers.set(resource, set);
		}
		set.add(watcher);
		return () => set.delete(watcher);
	}
}

function deliver(w: Watcher, type: WatchEventType, obj: Obj, prev?: Obj): void {
	if (w.namespace && obj.metadata.namespace !== w.namespace) return;
	const now = w.matches(obj);
	if (type !== 'MODIFIED' || !prev) {
		if (now) w.send(type, obj);
		return;
	}
	const before = w.matches(prev);
	if (now && before) w.send('MODIFIED', obj);
	else if (now) w.send('ADDED', obj);
	else if (before) w.send('DELETED', obj);
}
