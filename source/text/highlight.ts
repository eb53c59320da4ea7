// Search matches in already-sanitised text. Matching is case-insensitive on the visible text
// (SGR stripped); a highlighted line drops its own colours, because re-threading the line's SGR
// state around inverse-video spans is not worth its bugs for a search view.
import {stripSgr} from './sanitize.js';

export const highlightOn = '\u001B[7m';
export const highlightOff = '\u001B[27m';

function pattern(query: string): RegExp {
	return new RegExp(query.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'giu');
}

export function matchesQuery(safe: string, query: string): boolean {
	return queryMatcher(query)(safe);
}

/** A reusable test for one query (compiles the pattern once for a whole buffer). */
export function queryMatcher(query: string): (safe: string) => boolean {
	if (!query) return () => false;
	const compiled = new RegExp(pattern(query).source, 'iu');
	return safe => compiled.test(stripSgr(safe));
}

/** Returns the visible text with every match wrapped in inverse video, or the input if none. */
export function highlightMatches(safe: string, query: string): string {
	if (!query) return safe;
	const plain = stripSgr(safe);
	let found = false;
	const out = plain.replace(pattern(query), match => {
		found = true;
		return highlightOn + match + highlightOff;
	});
	return found ? out : safe;
}
