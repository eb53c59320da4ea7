// The cluster's state and the API operations on it (create, update, patch, delete), shared by
// the HTTP layer and by `applyYaml`.
import {RESOURCES} from './discovery.js';
import {EventRecorder, NODE_NAME} from './events.js';
import {Kubelet, type KubeletOptions, type Runtime} from './kubelet.js';
import {applyPatch, UnsupportedMediaType} from './patch.js';
import {defaultPod, prepareMetadata, validatePod, validatePodUpdate} from './pods.js';
import {Store} from './store.js';
import {alreadyExists, ApiError, badRequest, clone, notFound, rfc3339, type Obj} from './types.js';
import {SERVER_VERSION} from './discovery.js';

export class Cluster {
	readonly store: Store;
	readonly events: EventRecorder;
	readonly kubelet: Kubelet;

	constructor(
		runtime: Runtime,
		readonly nowMs: () => number,
		watchHistory: number,
		kubeletOptions: KubeletOptions,
	) {
		this.store = new Store(watchHistory);
		this.events = new EventRecorder(this.store, nowMs);
		this.kubelet = new Kubelet(this.store, runtime, this.events, nowMs, kubeletOptions);
		for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) this.create('namespaces', undefined, {metadata: {name: ns}});
		this.store.create('nodes', this.nodeObject());
	}

	private nodeObject(): Obj {
		const now = rfc3339(this.nowMs());
		return {
			apiVersion: 'v1',
			kind: 'Node',
			metadata: {name: NODE_NAME, uid: crypto.randomUUID(), creationTimestamp: now, labels: {'kubernetes.io/hostname': NODE_NAME, 'kubernetes.io/os': 'linux', 'node-role.kubernetes.io/control-plane': ''}},
			spec: {podCIDR: '10.244.0.0/16'},
			status: {
				capacity: {cpu: '2', memory: '4028440Ki', pods: '110', 'ephemeral-storage': '20511312Ki'},
				allocatable: {cpu: '2', memory: '3926040Ki', pods: '110', 'ephemeral-storage': '18903225108'},
				addresses: [{type: 'InternalIP', address: '127.0.0.1'}, {type: 'Hostname', address: NODE_NAME}],
				conditions: [{type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now}],
				nodeInfo: {kubeletVersion: SERVER_VERSION.gitVersion, osImage: 'podwatch demo sandbox', kernelVersion: 'sandbox', containerRuntimeVersion: 'podwatch://sandbox', operatingSystem: 'linux', architecture: 'amd64'},
			},
		};
	}

	private nowIso(): string {
		return rfc3339(this.nowMs());
	}

	private requireNamespace(resource: string, namespace: string | undefined): void {
		if (!RESOURCES[resource]?.namespaced || !namespace) return;
		if (!this.store.get('namespaces', undefined, namespace)) throw notFound('namespaces', namespace);
		const ns = this.store.get('namespaces', undefined, namespace);
		if (ns.metadata.deletionTimestamp) {
			throw new ApiError(403, 'Forbidden', `${resource} "${'x'}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`);
		}
	}

	create(resource: string, namespace: string | undefined, body: Obj, dryRun = false): Obj {
		const info = RESOURCES[resource];
		if (!info) throw notFound(resource, '');
		if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`the object provided is unrecognized (must be of type ${info.kind})`);
		if (body.kind && body.kind !== info.kind) throw badRequest(`the object provided is unrecognized (must be of type ${info.kind}): ${body.kind}`);
		const bodyNs = body.metadata?.namespace;
		if (info.namespaced && bodyNs && namespace && bodyNs !== namespace) {
			throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
		}
		if (resource === 'nodes') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
		const obj = clone(body);
		obj.apiVersion = 'v1';
		obj.kind = info.kind;
		prepareMetadata(info.kind, obj, info.namespaced ? namespace : undefined, this.nowIso(), resource === 'namespaces');
		this.requireNamespace(resource, namespace);
		if (this.store.get(resource, info.namespaced ? namespace : undefined, obj.metadata.name)) throw alreadyExists(resource, obj.metadata.name);
		if (resource === 'pods') {
			defaultPod(obj);
			validatePod(obj);
			if (obj.spec.nodeName) delete obj.spec.nodeName;
		}
		if (resource === 'namespaces') {
			obj.spec = {finalizers: ['kubernetes']};
			obj.status = {phase: 'Active'};
			obj.metadata.labels = {...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name};
		}
		if (resource === 'secrets') obj.type ||= 'Opaque';
		if (dryRun) return obj;
		const stored = this.store.create(resource, obj);
		if (resource === 'pods') this.kubelet.admit(stored);
		if (resource === 'namespaces') {
			this.store.create('configmaps', {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'kube-root-ca.crt', namespace: obj.metadata.name, uid: crypto.randomUUID(), creationTimestamp: this.nowIso(), annotations: {'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.'}}, data: {'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIBdemo-podwatch-cluster-ca\n-----END CERTIFICATE-----\n'}});
		}
		return stored;
	}

	get(resource: string, namespace: string | undefined, name: string): Obj {
		const obj = this.store.get(resource, RESOURCES[resource]?.namespaced ? namespace : undefined, name);
		if (!obj) throw notFound(resource, name);
		return obj;
	}

	/** Replace an object (PUT) or write a patched version: keeps system metadata, checks immutability. */
	update(resource: string, namespace: string | undefined, name: string, body: Obj, expectRv?: string, dryRun = false): Obj {
		const info = RESOURCES[resource]!;
		const current = this.get(resource, namespace, name);
		if (body?.metadata?.name && body.metadata.name !== name) {
			throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
		}
		const rv = expectRv ?? body?.metadata?.resourceVersion;
		if (rv && rv !== current.metadata.resourceVersion) {
			throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`, {name, kind: resource});
		}
		const next = clone(body);
		next.apiVersion = 'v1';
		next.kind = info.kind;
		const md = (next.metadata ??= {});
		for (const key of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generateName']) {
			if (current.metadata[key] === undefined) delete md[key];
			else md[key] = current.metadata[key];
		}
		delete md.managedFields;
		if (resource === 'pods') {
			// The status is the kubelet's to write; the user may only change a few spec fields.
			next.status = current.status;
			validatePod(next);
			validatePodUpdate(current, next);
		}
		if (resource === 'namespaces') {
			next.spec = current.spec;
			next.status = current.status;
		}
		if (JSON.stringify(next) === JSON.stringify({...current, metadata: {...current.metadata, resourceVersion: next.metadata.resourceVersion ?? current.metadata.resourceVersion}})) {
			return current;
		}
		if (dryRun) return next;
		const stored = this.store.update(resource, next);
		if (resource === 'pods') this.kubelet.specChanged(stored);
		return stored;
	}

	patch(resource: string, namespace: string | undefined, name: string, contentType: string, patch: Obj, dryRun = false): Obj {
		const current = this.get(resource, namespace, name);
		let next: Obj;
		try {
			next = applyPatch(contentType, current, patch);
		} catch (error) {
			if (error instanceof UnsupportedMediaType) {
				throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
			}
			if (error instanceof ApiError) throw error;
			throw new ApiError(500, 'InternalError', `Internal error occurred: ${(error as Error).message}`);
		}
		const expectRv = patch?.metadata?.resourceVersion;
		if (next?.metadata) next.metadata.resourceVersion = current.metadata.resourceVersion;
		return this.update(resource, namespace, name, next, typeof expectRv === 'string' ? expectRv : undefined, dryRun);
	}

	/** DELETE: pods terminate gracefully (deletionTimestamp, then removal by the kubelet). */
	delete(resource: string, namespace: string | undefined, name: string, graceSeconds?: number): Obj {
		const current = this.get(resource, namespace, name);
		if (resource === 'nodes') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
		if (resource === 'namespaces') {
			if (['default', 'kube-system', 'kube-public'].includes(name)) {
				throw new ApiError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, {name, kind: 'namespaces'});
			}
			for (const r of Object.keys(RESOURCES)) {
				if (!RESOURCES[r]!.namespaced) continue;
				for (const obj of this.store.list(r, name)) {
					if (r === 'pods') this.delete('pods', name, obj.metadata.name, 0);
					else this.store.remove(r, name, obj.metadata.name);
				}
			}
			return this.store.remove(resource, undefined, name);
		}
		if (resource !== 'pods') return this.store.remove(resource, namespace, name);
		const grace = graceSeconds ?? current.spec.terminationGracePeriodSeconds ?? 30;
		const {uid} = current.metadata;
		const phase = current.status?.phase;
		if (!current.spec.nodeName || phase === 'Succeeded' || phase === 'Failed' || grace === 0) {
			const gone = this.store.remove('pods', namespace, name, current.metadata.deletionTimestamp ? undefined : {deletionTimestamp: rfc3339(this.nowMs()), deletionGracePeriodSeconds: 0});
			void this.kubelet.terminate(namespace!, name, uid, 0);
			return gone;
		}
		if (current.metadata.deletionTimestamp) {
			if ((current.metadata.deletionGracePeriodSeconds ?? grace) <= grace) return current;
		}
		const next = clone(current);
		next.metadata.deletionTimestamp = rfc3339(this.nowMs() + grace * 1000);
		next.metadata.deletionGracePeriodSeconds = grace;
		const stored = this.store.update('pods', next);
		void this.kubelet.terminate(namespace!, name, uid, grace * 1000);
		return stored;
	}
}
