// Legacy (JSON) discovery, /version, and the small OpenAPI v3 document kubectl 1.32 reads to
// learn that the server validates fields itself (so `kubectl apply` needs no OpenAPI v2).
import type {Obj} from './types.js';

export type ResourceInfo = {kind: string; namespaced: boolean; shortNames?: string[]; verbs: string[]; singular: string; categories?: string[]};

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const RESOURCES: Record<string, ResourceInfo> = {
	pods: {kind: 'Pod', namespaced: true, shortNames: ['po'], verbs: RW, singular: 'pod', categories: ['all']},
	configmaps: {kind: 'ConfigMap', namespaced: true, shortNames: ['cm'], verbs: RW, singular: 'configmap'},
	secrets: {kind: 'Secret', namespaced: true, verbs: RW, singular: 'secret'},
	events: {kind: 'Event', namespaced: true, shortNames: ['ev'], verbs: RW, singular: 'event'},
	namespaces: {kind: 'Namespace', namespaced: false, shortNames: ['ns'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], singular: 'namespace'},
	nodes: {kind: 'Node', namespaced: false, shortNames: ['no'], verbs: ['get', 'list', 'watch'], singular: 'node'},
};

export const KIND_TO_RESOURCE: Record<string, string> = Object.fromEntries(Object.entries(RESOURCES).map(([r, i]) => [i.kind, r]));

export const SERVER_VERSION = {
	major: '1',
	minor: '32',
	gitVersion: 'v1.32.4',
	gitCommit: '59526cd4867447956156ae3a602fcbac10a2c335',
	gitTreeState: 'clean',
	buildDate: '2025-04-22T16:02:27Z',
	goVersion: 'go1.23.6',
	compiler: 'gc',
	platform: 'linux/amd64',
};

export function apiVersions(): Obj {
	return {kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1'}]};
}

export function apiGroupList(): Obj {
	return {kind: 'APIGroupList', apiVersion: 'v1', groups: []};
}

export function coreResourceList(): Obj {
	const resources: Obj[] = [];
	for (const [name, info] of Object.entries(RESOURCES)) {
		const r: Obj = {name, singularName: info.singular, namespaced: info.namespaced, kind: info.kind, verbs: info.verbs};
		if (info.shortNames) r.shortNames = info.shortNames;
		if (info.categories) r.categories = info.categories;
		resources.push(r);
		if (name === 'pods') {
			resources.push({name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get']});
			resources.push({name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get']});
			resources.push({name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update']});
		}
	}
	return {kind: 'APIResourceList', groupVersion: 'v1', resources};
}

const OPENAPI_HASH = 'B0D1E5C0FFEE0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123';

export function openapiV3Root(): Obj {
	return {paths: {'api/v1': {serverRelativeURL: `/openapi/v3/api/v1?hash=${OPENAPI_HASH}`}, api: {serverRelativeURL: `/openapi/v3/api?hash=${OPENAPI_HASH}`}}};
}

/** Only what kubectl's field-validation probe reads: PATCH operations with their GVK and params. */
export function openapiV3CoreV1(): Obj {
	const paths: Obj = {};
	for (const [name, info] of Object.entries(RESOURCES)) {
		const base = info.namespaced ? `/api/v1/namespaces/{namespace}/${name}/{name}` : `/api/v1/${name}/{name}`;
		paths[base] = {
			patch: {
				description: `partially update the specified ${info.kind}`,
				operationId: `patch${info.namespaced ? 'Namespaced' : ''}${info.kind}`,
				parameters: [
					{name: 'dryRun', in: 'query', schema: {type: 'string', uniqueItems: true}},
					{name: 'fieldManager', in: 'query', schema: {type: 'string', uniqueItems: true}},
					{name: 'fieldValidation', in: 'query', schema: {type: 'string', uniqueItems: true}},
					{name: 'force', in: 'query', schema: {type: 'boolean', uniqueItems: true}},
				],
				responses: {'200': {description: 'OK'}},
				'x-kubernetes-action': 'patch',
				'x-kubernetes-group-version-kind': {group: '', kind: info.kind, version: 'v1'},
			},
		};
	}
	return {openapi: '3.0.0', info: {title: 'Kubernetes', version: SERVER_VERSION.gitVersion}, paths, components: {schemas: {}}};
}

/**
 * A minimal gnostic `openapi_v2.Document` in protobuf (swagger "2.0" and an info block, no
 * paths or definitions). kubectl falls back to it for kinds the v3 document does not list; with
 * no schema for a kind it skips client-side validation, so an unknown kind then fails at
 * resource mapping exactly as against a real cluster.
 */
export function openapiV2Protobuf(): Buffer {
	const field = (tag: number, payload: Buffer) => Buffer.concat([Buffer.from([tag, payload.length]), payload]);
	const info = Buffer.concat([field(0x0a, Buffer.from('Kubernetes')), field(0x12, Buffer.from(SERVER_VERSION.gitVersion))]);
	return Buffer.concat([field(0x0a, Buffer.from('2.0')), field(0x12, info)]);
}
