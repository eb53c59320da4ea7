// Pure selectors over one column's ring buffer: which rows are on screen, where scrolling lands,
// which rows match a search. A column's scroll position is the seq of its bottom row, or
// undefined while it follows the tail, so arriving lines never move a paused view.
import type {LogEntry} from '../kube/types.js';
import {layoutLine, truncateCells} from '../text/cells.js';
import {highlightMatches, queryMatcher} from '../text/highlight.js';
import {sanitizeLine} from '../text/sanitize.js';
import type {LogRow} from './log-store.js';
import type {RingBuffer} from './ring-buffer.js';

export type RowTextOptions = {timestamps: boolean; colour: boolean};

/** `2026-11-24T03:15:20.123456789Z` → `03:15:20` (UTC, as the API server reports it). */
export function clockTime(time: string | undefined): string | undefined {
	if (!time) return undefined;
	const match = /T(\d\d:\d\d:\d\d)/.exec(time);
	return match?.[1];
}

export function restartMarker(entry: Extract<LogEntry, {kind: 'restart'}>): string {
	const when = clockTime(entry.time);
	const details = [when ? `restarted ${when}` : 'restarted'];
	if (entry.exitCode !== undefined) details.push(`exit ${entry.exitCode}`);
	if (entry.reason) details.push(sanitizeLine(entry.reason, {maxLength: 64}));
	return `── ${details.join(' · ')} ──`;
}

/** The sanitised display text of a row (memoised on the row, keyed by the options). */
export function rowText(row: LogRow, options: RowTextOptions): string {
	const key = `${options.timestamps ? 't' : ''}${options.colour ? 'c' : ''}`;
	if (row.cache?.key === key) return row.cache.text;
	const {entry} = row;
	let text: string;
	if (entry.kind === 'line') {
		const safe = sanitizeLine(entry.text, {keepColour: options.colour});
		text = options.timestamps ? `${sanitizeLine(entry.time, {maxLength: 40})} ${safe}` : safe;
	} else if (entry.kind === 'restart') {
		text = restartMarker(entry);
	} else {
		text = `── ${sanitizeLine(entry.text, {maxLength: 200})} ──`;
	}

	row.cache = {key, text};
	return text;
}

/** Index of the last row whose seq is ≤ `seq` (binary search; rows are in seq order), or -1. */
export function indexAtOrBefore(buffer: RingBuffer<LogRow>, seq: number): number {
	let low = 0;
	let high = buffer.size - 1;
	let found = -1;
	while (low <= high) {
		const middle = (low + high) >> 1;
		if (buffer.at(middle)!.seq <= seq) {
			found = middle;
			low = middle + 1;
		} else {
			high = middle - 1;
		}
	}

	return found;
}

/** Index of the bottom row for a scroll position (undefined = following = the last row). */
export function bottomIndex(buffer: RingBuffer<LogRow>, bottomSeq: number | undefined): number {
	if (buffer.size === 0) return -1;
	if (bottomSeq === undefined) return buffer.size - 1;
	const index = indexAtOrBefore(buffer, bottomSeq);
	return index === -1 ? 0 : index; // the anchor was evicted: clamp to the oldest kept row
}

export type DisplayRow = {key: string; text: string};

export type WindowOptions = RowTextOptions & {
	height: number;
	width: number;
	wrap: boolean;
	bottomSeq: number | undefined;
	query?: string;
};

/** The row cut or wrapped to the column width, memoised: a row is measured once, not per frame. */
export function rowLines(row: LogRow, options: WindowOptions): string[] {
	const key = `${options.timestamps ? 't' : ''}${options.colour ? 'c' : ''}${options.wrap ? 'w' : ''}${options.width}\u0000${options.query ?? ''}`;
	if (row.layout?.key === key) return row.layout.lines;
	let text = rowText(row, options);
	if (options.query) text = highlightMatches(text, options.query);
	// Markers and notices are always wrapped: a cut "restarted … exit 3 · Err…" hides the point.
	const lines = layoutLine(text, options.width, options.wrap || row.entry.kind !== 'line');
	row.layout = {key, lines};
	return lines;
}

/** The rows to draw, top to bottom, bottom-aligned at the scroll position; at most `height`. */
export function visibleRows(buffer: RingBuffer<LogRow>, options: WindowOptions): DisplayRow[] {
	const out: DisplayRow[] = [];
	if (options.height <= 0) return out;
	let index = bottomIndex(buffer, options.bottomSeq);
	for (; index >= 0 && out.length < options.height; index--) {
		const row = buffer.at(index)!;
		const lines = rowLines(row, options);
		for (let part = lines.length - 1; part >= 0 && out.length < options.height; part--) {
			out.push({key: `${row.seq}.${part}`, text: lines[part]!});
		}
	}

	// Scrolled back to the oldest kept line: say that older ones were let go (bounded memory).
	if (index < 0 && buffer.dropped > 0 && out.length < options.height) {
		out.push({key: `dropped.${buffer.dropped}`, text: truncateCells(`── ${buffer.dropped} older lines dropped (keeping ${buffer.capacity}) ──`, options.width)});
	}

	return out.reverse();
}

/** Where the bottom of the view lands after moving `delta` rows (negative = up, older). */
export function scrollTarget(buffer: RingBuffer<LogRow>, bottomSeq: number | undefined, delta: number): number | undefined {
	if (buffer.size === 0) return bottomSeq;
	const from = bottomIndex(buffer, bottomSeq);
	const to = Math.min(buffer.size - 1, Math.max(0, from + delta));
	return buffer.at(to)!.seq;
}

export function firstSeq(buffer: RingBuffer<LogRow>): number | undefined {
	return buffer.at(0)?.seq;
}

/** Seqs of the rows whose visible text contains `query` (case-insensitive), oldest first. */
export function searchMatches(buffer: RingBuffer<LogRow>, query: string, options: RowTextOptions): number[] {
	const out: number[] = [];
	if (!query) return out;
	const matches = queryMatcher(query);
	for (let index = 0; index < buffer.size; index++) {
		const row = buffer.at(index)!;
		if (matches(rowText(row, options))) out.push(row.seq);
	}

	return out;
}

/**
 * The match to jump to from `current` (the seq of the current match, or of the view's bottom):
 * `next` goes to newer lines, `previous` to older ones; both wrap around.
 */
export function nextMatch(matches: readonly number[], current: number | undefined, direction: 'next' | 'previous'): number | undefined {
	if (matches.length === 0) return undefined;
	if (current === undefined) return direction === 'next' ? matches[0] : matches.at(-1);
	if (direction === 'next') return matches.find(seq => seq > current) ?? matches[0];
	for (let i = matches.length - 1; i >= 0; i--) if (matches[i]! < current) return matches[i];
	return matches.at(-1);
}
