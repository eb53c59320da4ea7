// Label and field selectors as the API server parses them (equality, set-based, existence).
import {badRequest, type Obj} from './types.js';

type Requirement =
	| {key: string; op: 'in' | 'notin'; values: string[]}
	| {key: string; op: 'exists' | '!exists'};

export type Matcher = (obj: Obj) => boolean;

/** Split on commas that are not inside parentheses. */
function splitTop(text: string): string[] {
	const parts: string[] = [];
	let depth = 0;
	let current = '';
	for (const ch of text) {
		if (ch === '(') depth++;
		if (ch === ')') depth--;
		if (ch === ',' && depth === 0) {
			parts.push(current);
			current = '';
		} else {
			current += ch;
		}
	}
	parts.push(current);
	return parts.map(p => p.trim()).filter(p => p !== '');
}

export function parseLabelSelector(text: string | null): Matcher {
	if (!text) return () => true;
	const reqs: Requirement[] = [];
	for (const part of splitTop(text)) {
		let m: RegExpMatchArray | null;
		if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part))) {
			reqs.push({key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map(v => v.trim())});
		} else if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(part))) {
			reqs.push({key: m[1]!, op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]!]});
		} else if ((m = /^!\s*([\w./-]+)$/.exec(part))) {
			reqs.push({key: m[1]!, op: '!exists'});
		} else if ((m = /^([\w./-]+)$/.exec(part))) {
			reqs.push({key: m[1]!, op: 'exists'});
		} else {
			throw badRequest(`unable to parse requirement: found '${part}', expected: identifier, !, in, notin, =, ==, !=`);
		}
	}
	return (obj: Obj) => {
		const labels: Record<string, string> = obj?.metadata?.labels ?? {};
		return reqs.every(r => {
			const has = Object.hasOwn(labels, r.key);
			switch (r.op) {
				case 'exists':
					return has;
				case '!exists':
					return !has;
				case 'in':
					return has && r.values.includes(labels[r.key]!);
				case 'notin':
					return !has || !r.values.includes(labels[r.key]!);
			}
			return false;
		});
	};
}

function fieldValue(obj: Obj, path: string): string {
	let cur: Obj = obj;
	for (const key of path.split('.')) {
		if (cur == null || typeof cur !== 'object') return '';
		cur = cur[key];
	}
	return cur == null ? '' : String(cur);
}

/** Field selectors: `a.b=v`, `a.b==v`, `a.b!=v`, comma-separated (all must hold). */
export function parseFieldSelector(text: string | null, supported?: (field: string) => boolean): Matcher {
	if (!text) return () => true;
	const reqs: Array<{path: string; negate: boolean; value: string}> = [];
	for (const part of splitTop(text)) {
		const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
		if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
		const path = m[1]!;
		if (supported && !supported(path)) {
			throw badRequest(`field label not supported: ${path}`);
		}
		reqs.push({path, negate: m[2] === '!=', value: m[3]!.trim()});
	}
	return (obj: Obj) => reqs.every(r => (fieldValue(obj, r.path) === r.value) !== r.negate);
}
