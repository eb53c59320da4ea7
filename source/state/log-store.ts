// Log lines live here, outside React state: one bounded ring buffer per container and a version
// counter that React reads through useSyncExternalStore. Appends are cheap (no copying, no
// sanitising); listeners are told at most once per `notifyEveryMs`, so a flood of thousands of
// lines a second costs React a few renders a second, not one per batch.
import type {LogEntry} from '../kube/types.js';
import {RingBuffer} from './ring-buffer.js';

export type LogRow = {
	/** Store-assigned, monotonic per column across follower restarts: the React key. */
	readonly seq: number;
	readonly entry: LogEntry;
	/** Memoised display text (sanitised lazily, only for rows that are actually shown). */
	cache?: {key: string; text: string};
	/** Memoised rows of terminal cells for the last width/wrap/query it was drawn with. */
	layout?: {key: string; lines: string[]};
};

export type LogStoreOptions = {
	capacity: number;
	/** 0 notifies synchronously (unit tests); the UI uses ~33 ms (Ink's 30 fps). */
	notifyEveryMs?: number;
};

export class LogStore {
	readonly #columns = new Map<string, RingBuffer<LogRow>>();
	readonly #listeners = new Set<() => void>();
	readonly #capacity: number;
	readonly #notifyEveryMs: number;
	#nextSeq = 1;
	#version = 0;
	#timer: ReturnType<typeof setTimeout> | undefined;
	#lastNotify = 0;

	constructor(options: LogStoreOptions) {
		this.#capacity = options.capacity;
		this.#notifyEveryMs = options.notifyEveryMs ?? 33;
	}

	column(container: string): RingBuffer<LogRow> {
		let buffer = this.#columns.get(container);
		if (!buffer) {
			buffer = new RingBuffer<LogRow>(this.#capacity);
			this.#columns.set(container, buffer);
		}

		return buffer;
	}

	append(container: string, entries: readonly LogEntry[]): void {
		if (entries.length === 0) return;
		const buffer = this.column(container);
		for (const entry of entries) buffer.push({seq: this.#nextSeq++, entry});
		this.#changed();
	}

	/** A marker the UI itself inserts (e.g. "pod recreated"). */
	notice(container: string, text: string, time = new Date().toISOString()): void {
		this.append(container, [{kind: 'notice', seq: 0, time, text}]);
	}

	clear(): void {
		for (const buffer of this.#columns.values()) buffer.clear();
		this.#changed();
	}

	readonly subscribe = (listener: () => void): (() => void) => {
		this.#listeners.add(listener);
		return () => {
			this.#listeners.delete(listener);
		};
	};

	readonly getVersion = (): number => this.#version;

	/** Cancels a pending notification; the store stays usable. */
	dispose(): void {
		if (this.#timer !== undefined) clearTimeout(this.#timer);
		this.#timer = undefined;
	}

	#changed(): void {
		this.#version++;
		if (this.#notifyEveryMs <= 0) {
			this.#notify();
			return;
		}

		if (this.#timer !== undefined) return;
		const wait = Math.max(0, this.#lastNotify + this.#notifyEveryMs - Date.now());
		this.#timer = setTimeout(() => {
			this.#timer = undefined;
			this.#notify();
		}, wait);
	}

	#notify(): void {
		this.#lastNotify = Date.now();
		for (const listener of this.#listeners) listener();
	}
}
