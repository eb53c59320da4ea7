// PATCH bodies: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and the subset of strategic
// merge patch that pods, config maps and client-side `kubectl apply` use.
import {badRequest, clone, type Obj} from './types.js';

const isMap = (v: unknown): v is Record<string, Obj> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function mergePatch(target: Obj, patch: Obj): Obj {
	if (!isMap(patch)) return clone(patch);
	const out: Obj = isMap(target) ? {...target} : {};
	for (const [key, value] of Object.entries(patch)) {
		if (value === null) delete out[key];
		else out[key] = mergePatch(out[key], value);
	}
	return out;
}

function pointer(path: string): string[] {
	if (path === '') return [];
	if (!path.startsWith('/')) throw badRequest(`the server rejected our request due to an error in our request`);
	return path.slice(1).split('/').map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function jsonPatch(target: Obj, ops: Obj): Obj {
	if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
	let doc = clone(target);
	const locate = (path: string): [Obj, string] => {
		const parts = pointer(path);
		const last = parts.pop();
		if (last === undefined) throw badRequest(`jsonpatch: cannot operate on the root of ${path}`);
		let cur = doc;
		for (const p of parts) {
			if (cur == null || typeof cur !== 'object' || !(p in cur)) throw badRequest(`jsonpatch add operation does not apply: doc is missing path: "${path}"`);
			cur = cur[p];
		}
		return [cur, last];
	};
	const get = (path: string): Obj => {
		let cur = doc;
		for (const p of pointer(path)) {
			if (cur == null || typeof cur !== 'object' || !(p in cur)) throw badRequest(`doc is missing path: "${path}"`);
			cur = cur[p];
		}
		return cur;
	};
	const remove = (path: string) => {
		const [parent, key] = locate(path);
		if (Array.isArray(parent)) parent.splice(Number(key), 1);
		else if (key in parent) delete parent[key];
		else throw badRequest(`jsonpatch remove operation does not apply: doc is missing path: "${path}"`);
	};
	const add = (path: string, value: Obj) => {
		if (path === '') {
			doc = clone(value);
			return;
		}
		const [parent, key] = locate(path);
		if (Array.isArray(parent)) {
			if (key === '-') parent.push(clone(value));
			else parent.splice(Number(key), 0, clone(value));
		} else parent[key] = clone(value);
	};
	for (const op of ops) {
		switch (op?.op) {
			case 'add':
				add(op.path, op.value);
				break;
			case 'remove':
				remove(op.path);
				break;
			case 'replace':
				get(op.path);
				remove(op.path);
				add(op.path, op.value);
				break;
			case 'move': {
				const v = get(op.from);
				remove(op.from);
				add(op.path, v);
				break;
			}
			case 'copy':
				add(op.path, get(op.from));
				break;
			case 'test':
				if (JSON.stringify(get(op.path)) !== JSON.stringify(op.value)) throw new Error('testing value failed');
				break;
			default:
				throw badRequest(`Unexpected kind: ${String(op?.op)}`);
		}
	}
	return doc;
}

/** Merge keys of the lists strategic merge patch merges element-wise (from the Pod schema). */
const MERGE_KEYS: Record<string, string> = {
	containers: 'name',
	initContainers: 'name',
	ephemeralContainers: 'name',
	volumes: 'name',
	volumeMounts: 'mountPath',
	env: 'name',
	ports: 'containerPort',
	imagePullSecrets: 'name',
	conditions: 'type',
	containerStatuses: 'name',
	initContainerStatuses: 'name',
	ownerReferences: 'uid',
};

export function strategicMergePatch(target: Obj, patch: Obj): Obj {
	if (!isMap(patch)) return clone(patch);
	if (patch.$patch === 'replace') {
		const {$patch: _, ...rest} = patch;
		return clone(rest);
	}
	if (patch.$patch === 'delete') return undefined;
	const out: Obj = isMap(target) ? {...target} : {};
	for (const [key, value] of Object.entries(patch)) {
		if (key.startsWith('$setElementOrder/') || key === '$retainKeys' || key === '$patch') continue;
		if (key.startsWith('$deleteFromPrimitiveList/')) {
			const field = key.slice('$deleteFromPrimitiveList/'.length);
			if (Array.isArray(out[field]) && Array.isArray(value)) out[field] = out[field].filter((v: Obj) => !value.includes(v));
			continue;
		}
		if (value === null) {
			delete out[key];
		} else if (Array.isArray(value) && MERGE_KEYS[key] && Array.isArray(out[key])) {
			out[key] = mergeList(out[key], value, MERGE_KEYS[key]);
		} else if (isMap(value)) {
			const merged = strategicMergePatch(out[key], value);
			if (merged === undefined) delete out[key];
			else out[key] = merged;
		} else {
			out[key] = clone(value);
		}
	}
	return out;
}

function mergeList(current: Obj[], patch: Obj[], mergeKey: string): Obj[] {
	if (patch.some(p => isMap(p) && p.$patch === 'replace')) {
		return patch.filter(p => !(isMap(p) && p.$patch === 'replace')).map(p => clone(p));
	}
	const out = current.map(c => c);
	for (const item of patch) {
		if (!isMap(item)) {
			out.push(clone(item));
			continue;
		}
		const index = out.findIndex(c => isMap(c) && c[mergeKey] === item[mergeKey]);
		if (item.$patch === 'delete') {
			if (index >= 0) out.splice(index, 1);
			continue;
		}
		if (index >= 0) out[index] = strategicMergePatch(out[index], item);
		else out.push(strategicMergePatch({}, item));
	}
	return out;
}

export function applyPatch(contentType: string, target: Obj, patch: Obj): Obj {
	const type = contentType.split(';')[0]!.trim();
	switch (type) {
		case 'application/merge-patch+json':
			return mergePatch(target, patch);
		case 'application/json-patch+json':
			return jsonPatch(target, patch);
		case 'application/strategic-merge-patch+json':
			return strategicMergePatch(target, patch);
		default:
			throw new UnsupportedMediaType(type);
	}
}

export class UnsupportedMediaType extends Error {}
