// Server-side Tables (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), with the columns
// a current API server prints. Pod cells come from the shared pod-status rules.
import {humanDuration, podAge, podReady, podRestarts, podStatus} from '../../source/pod-status.js';
import type {Obj} from './types.js';

type Column = {name: string; type: string; format: string; description: string; priority: number};
const col = (name: string, description: string, priority = 0, type = 'string', format = ''): Column => ({name, type, format, description, priority});

const NAME = col('Name', 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names', 0, 'string', 'name');
const AGE = col('Age', 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata');

const COLUMNS: Record<string, Column[]> = {
	pods: [
		NAME,
		col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
		col('Status', 'The aggregate status of the containers in this pod.'),
		col('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
		AGE,
		col('IP', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1),
		col('Node', 'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename', 1),
		col('Nominated Node', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.', 1),
		col('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates', 1),
	],
	namespaces: [NAME, col('Status', 'The status of the namespace'), AGE],
	configmaps: [NAME, col('Data', 'Data contains the configuration data.', 0, 'integer'), AGE],
	secrets: [NAME, col('Type', 'Used to facilitate programmatic handling of secret data.'), col('Data', 'Data contains the secret data.', 0, 'integer'), AGE],
	nodes: [NAME, col('Status', 'The status of the node'), col('Roles', 'The roles of the node'), AGE, col('Version', 'Kubelet Version reported by the node.'), col('Internal-IP', 'List of addresses reachable to the node.', 1), col('External-IP', 'List of addresses reachable to the node.', 1), col('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1), col('Kernel-Version', 'Kernel Version reported by the node.', 1), col('Container-Runtime', 'ContainerRuntime Version reported by the node.', 1)],
	events: [col('Last Seen', 'Time when last event occurred'), col('Type', 'Type of this event.'), col('Reason', 'Reason of this event.'), col('Object', 'Object this event is about.'), col('Subobject', 'Subobject this event is about.', 1), col('Source', 'Source of this event.', 1), col('Message', 'Message of this event.'), col('First Seen', 'Time when first event occurred.', 1), col('Count', 'Number of times this event occurred.', 1, 'integer'), col('Name', 'Name of this event.', 1)],
};

const orNone = (v: unknown) => (v === undefined || v === null || v === '' ? '<none>' : String(v));

function cells(resource: string, obj: Obj, now: Date): unknown[] {
	const md = obj.metadata ?? {};
	switch (resource) {
		case 'pods': {
			const gates = (obj.spec?.readinessGates ?? []) as Obj[];
			const gateText = gates.length === 0 ? '<none>' : `${gates.filter(g => (obj.status?.conditions ?? []).some((c: Obj) => c.type === g.conditionType && c.status === 'True')).length}/${gates.length}`;
			return [md.name, podReady(obj), podStatus(obj), podRestarts(obj, now), podAge(obj, now), orNone(obj.status?.podIP), orNone(obj.spec?.nodeName), orNone(obj.status?.nominatedNodeName), gateText];
		}
		case 'namespaces':
			return [md.name, obj.status?.phase ?? 'Active', podAge(obj, now)];
		case 'configmaps':
			return [md.name, Object.keys(obj.data ?? {}).length + Object.keys(obj.binaryData ?? {}).length, podAge(obj, now)];
		case 'secrets':
			return [md.name, obj.type ?? 'Opaque', Object.keys(obj.data ?? {}).length, podAge(obj, now)];
		case 'nodes':
			return [md.name, 'Ready', 'control-plane', podAge(obj, now), obj.status?.nodeInfo?.kubeletVersion ?? '', '127.0.0.1', '<none>', obj.status?.nodeInfo?.osImage ?? '', obj.status?.nodeInfo?.kernelVersion ?? '', obj.status?.nodeInfo?.containerRuntimeVersion ?? ''];
		case 'events': {
			const io = obj.involvedObject ?? {};
			const last = Date.parse(obj.lastTimestamp ?? obj.metadata?.creationTimestamp);
			const first = Date.parse(obj.firstTimestamp ?? obj.metadata?.creationTimestamp);
			const src = [obj.source?.component, obj.source?.host].filter(Boolean).join(', ');
			return [humanDuration(now.getTime() - last), obj.type, obj.reason, `${String(io.kind ?? '').toLowerCase()}/${io.name}`, io.fieldPath ?? '', src, obj.message, humanDuration(now.getTime() - first), obj.count ?? 1, md.name];
		}
		default:
			return [md.name, podAge(obj, now)];
	}
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function toTable(resource: string, items: Obj[], listMeta: Obj, now: Date, include: IncludeObject, withColumns = true): Obj {
	const rows = items.map(obj => {
		const row: Obj = {cells: cells(resource, obj, now)};
		if (include === 'Object') row.object = obj;
		else if (include === 'Metadata') row.object = {kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata};
		return row;
	});
	const table: Obj = {kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: listMeta};
	table.columnDefinitions = withColumns ? (COLUMNS[resource] ?? [NAME, AGE]) : [];
	table.rows = rows;
	return table;
}
