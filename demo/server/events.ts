// Event objects like the kubelet and scheduler record them, aggregated by (object, reason,
// message) with a count, and bounded in number.
import {nowNs} from './logs.js';
import {newUid} from './pods.js';
import type {Store} from './store.js';
import {rfc3339, type Obj} from './types.js';

export const NODE_NAME = 'podwatch-demo';

export type EventSpec = {type: 'Normal' | 'Warning'; reason: string; message: string; fieldPath?: string; component?: string};

export class EventRecorder {
	private readonly index = new Map<string, {namespace: string; name: string}>();
	private readonly order: string[] = [];

	constructor(
		private readonly store: Store,
		private readonly nowMs: () => number,
		private readonly limit = 5000,
	) {}

	record(pod: Obj, spec: EventSpec): void {
		const md = pod.metadata;
		const component = spec.component ?? 'kubelet';
		const key = [md.uid, spec.fieldPath ?? '', spec.reason, spec.message, spec.type, component].join('\u0000');
		const now = rfc3339(this.nowMs());
		const existing = this.index.get(key);
		const current = existing && this.store.get('events', existing.namespace, existing.name);
		if (current) {
			this.store.update('events', {...current, metadata: {...current.metadata}, count: (current.count ?? 1) + 1, lastTimestamp: now});
			return;
		}
		const involvedObject: Obj = {apiVersion: 'v1', kind: 'Pod', name: md.name, namespace: md.namespace, resourceVersion: md.resourceVersion, uid: md.uid};
		if (spec.fieldPath) involvedObject.fieldPath = spec.fieldPath;
		// Named like the real recorder (`<object>.<unix nanos in hex>`), so names sort by time.
		const name = `${md.name}.${nowNs().toString(16)}`;
		const event: Obj = {
			apiVersion: 'v1',
			kind: 'Event',
			metadata: {name, namespace: md.namespace, uid: newUid(), creationTimestamp: now},
			involvedObject,
			reason: spec.reason,
			message: spec.message,
			source: component === 'kubelet' ? {component, host: NODE_NAME} : {},
			firstTimestamp: now,
			lastTimestamp: now,
			count: 1,
			type: spec.type,
			eventTime: null,
			reportingComponent: component,
			reportingInstance: component === 'kubelet' ? NODE_NAME : '',
		};
		this.store.create('events', event);
		this.index.set(key, {namespace: md.namespace, name});
		this.order.push(key);
		while (this.order.length > this.limit) {
			const old = this.order.shift()!;
			const ref = this.index.get(old);
			this.index.delete(old);
			if (ref) this.store.remove('events', ref.namespace, ref.name);
		}
	}
}
