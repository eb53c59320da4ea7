// What the API server does to a pod on create and update: fill defaults like a current server,
// validate with the real messages, and refuse changes to immutable fields.
import {randomBytes, randomUUID} from 'node:crypto';
import {invalid, type Cause, type Obj} from './types.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SUBDOMAIN_MSG = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
const LABEL_MSG = `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`;

const randomSuffix = (n: number) => {
	const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
	const bytes = randomBytes(n);
	return [...bytes].map(b => alphabet[b % alphabet.length]).join('');
};

export const newUid = () => randomUUID();
export const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** Assign name (from generateName), uid and creationTimestamp; validate the name. */
export function prepareMetadata(kind: string, obj: Obj, namespace: string | undefined, nowIso: string, nameIsLabel = false): void {
	obj.metadata ??= {};
	const md = obj.metadata;
	if (!md.name && md.generateName) md.name = `${md.generateName}${randomSuffix(5)}`;
	const causes: Cause[] = [];
	if (!md.name) {
		causes.push({reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name'});
	} else if (nameIsLabel ? !DNS1123_LABEL.test(md.name) || md.name.length > 63 : !DNS1123_SUBDOMAIN.test(md.name) || md.name.length > 253) {
		causes.push({reason: 'FieldValueInvalid', message: `Invalid value: "${md.name}": ${nameIsLabel ? LABEL_MSG : SUBDOMAIN_MSG}`, field: 'metadata.name'});
	}
	if (causes.length > 0) throw invalid(kind, md.name ?? '', causes);
	if (namespace) md.namespace = namespace;
	md.uid = newUid();
	md.creationTimestamp = nowIso;
	delete md.resourceVersion;
	delete md.deletionTimestamp;
	delete md.deletionGracePeriodSeconds;
	delete md.managedFields;
	delete md.selfLink;
	if (md.labels && Object.keys(md.labels).length === 0) delete md.labels;
}

function defaultContainer(c: Obj): void {
	if (c.image && !c.imagePullPolicy) {
		const ref = String(c.image).split('@')[0]!;
		const tagged = /:[^/]+$/.test(ref);
		c.imagePullPolicy = !tagged || ref.endsWith(':latest') ? 'Always' : 'IfNotPresent';
	}
	c.resources ??= {};
	c.terminationMessagePath ??= '/dev/termination-log';
	c.terminationMessagePolicy ??= 'File';
	for (const p of c.ports ?? []) p.protocol ??= 'TCP';
}

export const SA_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Defaults a current (1.32) API server and admission chain fill in. */
export function defaultPod(pod: Obj): void {
	pod.apiVersion = 'v1';
	pod.kind = 'Pod';
	const spec = (pod.spec ??= {});
	spec.restartPolicy ??= 'Always';
	spec.terminationGracePeriodSeconds ??= 30;
	spec.dnsPolicy ??= 'ClusterFirst';
	spec.securityContext ??= {};
	spec.schedulerName ??= 'default-scheduler';
	spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
	spec.serviceAccount = spec.serviceAccountName;
	spec.enableServiceLinks ??= true;
	spec.preemptionPolicy ??= 'PreemptLowerPriority';
	spec.priority ??= 0;
	spec.tolerations ??= [];
	for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
		if (!spec.tolerations.some((t: Obj) => t.key === key)) {
			spec.tolerations.push({effect: 'NoExecute', key, operator: 'Exists', tolerationSeconds: 300});
		}
	}
	spec.volumes ??= [];
	for (const v of spec.volumes) {
		if (v.configMap) v.configMap.defaultMode ??= 420;
		if (v.secret) v.secret.defaultMode ??= 420;
		if (v.projected) v.projected.defaultMode ??= 420;
		if (v.downwardAPI) v.downwardAPI.defaultMode ??= 420;
		if (!v.emptyDir && !v.configMap && !v.secret && !v.projected && !v.downwardAPI && !v.hostPath && !v.persistentVolumeClaim) {
			// A volume with no source is an emptyDir, as the API server defaults it.
			v.emptyDir = {};
		}
	}
	const all = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
	for (const c of all) defaultContainer(c);
	// ServiceAccount admission: a projected token volume mounted in every container.
	if (spec.automountServiceAccountToken !== false && !all.some(c => (c.volumeMounts ?? []).some((m: Obj) => m.mountPath === SA_MOUNT))) {
		const name = `kube-api-access-${randomSuffix(5)}`;
		spec.volumes.push({
			name,
			projected: {
				defaultMode: 420,
				sources: [
					{serviceAccountToken: {expirationSeconds: 3607, path: 'token'}},
					{configMap: {items: [{key: 'ca.crt', path: 'ca.crt'}], name: 'kube-root-ca.crt'}},
					{downwardAPI: {items: [{fieldRef: {apiVersion: 'v1', fieldPath: 'metadata.namespace'}, path: 'namespace'}]}},
				],
			},
		});
		for (const c of all) (c.volumeMounts ??= []).push({mountPath: SA_MOUNT, name, readOnly: true});
	}
	if (spec.volumes.length === 0) delete spec.volumes;
	pod.status = {phase: 'Pending', qosClass: 'BestEffort'};
}

export function validatePod(pod: Obj): void {
	const causes: Cause[] = [];
	const spec = pod.spec ?? {};
	const volumeNames = new Set<string>();
	(spec.volumes ?? []).forEach((v: Obj, i: number) => {
		if (!v?.name) causes.push({reason: 'FieldValueRequired', message: 'Required value', field: `spec.volumes[${i}].name`});
		else if (volumeNames.has(v.name)) causes.push({reason: 'FieldValueDuplicate', message: `Duplicate value: "${v.name}"`, field: `spec.volumes[${i}].name`});
		else volumeNames.add(v.name);
	});
	if (!Array.isArray(spec.containers) || spec.containers.length === 0) {
		causes.push({reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers'});
	}
	const names = new Set<string>();
	const check = (list: Obj[] | undefined, field: string) => {
		(list ?? []).forEach((c: Obj, i: number) => {
			const at = `${field}[${i}]`;
			if (!c?.name) causes.push({reason: 'FieldValueRequired', message: 'Required value', field: `${at}.name`});
			else if (!DNS1123_LABEL.test(c.name) || c.name.length > 63) causes.push({reason: 'FieldValueInvalid', message: `Invalid value: "${c.name}": ${LABEL_MSG}`, field: `${at}.name`});
			else if (names.has(c.name)) causes.push({reason: 'FieldValueDuplicate', message: `Duplicate value: "${c.name}"`, field: `${at}.name`});
			else names.add(c.name);
			if (!c?.image) causes.push({reason: 'FieldValueRequired', message: 'Required value', field: `${at}.image`});
			(c?.volumeMounts ?? []).forEach((m: Obj, j: number) => {
				if (!volumeNames.has(m?.name)) causes.push({reason: 'FieldValueNotFound', message: `Not found: "${m?.name}"`, field: `${at}.volumeMounts[${j}].name`});
				if (!m?.mountPath) causes.push({reason: 'FieldValueRequired', message: 'Required value', field: `${at}.volumeMounts[${j}].mountPath`});
			});
			if (field === 'spec.initContainers' && c?.restartPolicy !== undefined && c.restartPolicy !== 'Always') {
				causes.push({reason: 'FieldValueNotSupported', message: `Unsupported value: "${c.restartPolicy}": supported values: "Always"`, field: `${at}.restartPolicy`});
			}
		});
	};
	check(spec.initContainers, 'spec.initContainers');
	check(spec.containers, 'spec.containers');
	if (!['Always', 'OnFailure', 'Never'].includes(spec.restartPolicy)) {
		causes.push({reason: 'FieldValueNotSupported', message: `Unsupported value: "${spec.restartPolicy}": supported values: "Always", "Never", "OnFailure"`, field: 'spec.restartPolicy'});
	}
	if (causes.length > 0) throw invalid('Pod', pod.metadata?.name ?? '', causes);
}

const FORBIDDEN_MSG =
	'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** Pod spec updates may only change images, activeDeadlineSeconds and add tolerations. */
export function validatePodUpdate(oldPod: Obj, newPod: Obj): void {
	const strip = (spec: Obj) => {
		const s = structuredClone(spec ?? {});
		for (const c of [...(s.containers ?? []), ...(s.initContainers ?? [])]) delete c.image;
		delete s.activeDeadlineSeconds;
		delete s.tolerations;
		return JSON.stringify(s);
	};
	const oldTol = JSON.stringify(oldPod.spec?.tolerations ?? []);
	const newTol: Obj[] = newPod.spec?.tolerations ?? [];
	const tolerationsOk = (JSON.parse(oldTol) as Obj[]).every(t => newTol.some(n => JSON.stringify(n) === JSON.stringify(t)));
	if (strip(oldPod.spec) !== strip(newPod.spec) || !tolerationsOk) {
		throw invalid('Pod', oldPod.metadata.name, [{reason: 'FieldValueForbidden', message: FORBIDDEN_MSG, field: 'spec'}]);
	}
	if ((newPod.metadata?.name ?? oldPod.metadata.name) !== oldPod.metadata.name) {
		throw invalid('Pod', oldPod.metadata.name, [{reason: 'FieldValueInvalid', message: `Invalid value: "${newPod.metadata.name}": field is immutable`, field: 'metadata.name'}]);
	}
}
