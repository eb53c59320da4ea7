// kubectl's typed commands (`create configmap|secret|namespace`, `run`) send Kubernetes protobuf
// (`application/vnd.kubernetes.protobuf`, "k8s\0" + runtime.Unknown) and never fall back to
// JSON, so the demo server decodes the subset of fields those commands produce. Field numbers
// are those of k8s.io/api core/v1 generated.proto and apimachinery's ObjectMeta.
import {badRequest, type Obj} from './types.js';

type Kind = 'string' | 'bytes' | 'int' | 'bool' | Schema | {map: 'string' | 'bytes' | Schema};
type Field = [name: string, kind: Kind, repeated?: true];
type Schema = {[field: number]: Field};

const QUANTITY: Schema = {1: ['string', 'string']};
const OBJECT_META: Schema = {1: ['name', 'string'], 2: ['generateName', 'string'], 3: ['namespace', 'string'], 11: ['labels', {map: 'string'}], 12: ['annotations', {map: 'string'}], 14: ['finalizers', 'string', true]};
const KEY_TO_PATH: Schema = {1: ['key', 'string'], 2: ['path', 'string'], 3: ['mode', 'int']};
const VOLUME_SOURCE: Schema = {
	2: ['emptyDir', {1: ['medium', 'string']}],
	6: ['secret', {1: ['secretName', 'string'], 2: ['items', KEY_TO_PATH, true], 3: ['defaultMode', 'int'], 4: ['optional', 'bool']}],
	19: ['configMap', {1: ['localObjectReference', {1: ['name', 'string']}], 2: ['items', KEY_TO_PATH, true], 3: ['defaultMode', 'int'], 4: ['optional', 'bool']}],
};
const CONTAINER: Schema = {
	1: ['name', 'string'],
	2: ['image', 'string'],
	3: ['command', 'string', true],
	4: ['args', 'string', true],
	5: ['workingDir', 'string'],
	6: ['ports', {1: ['name', 'string'], 2: ['hostPort', 'int'], 3: ['containerPort', 'int'], 4: ['protocol', 'string']}, true],
	7: ['env', {1: ['name', 'string'], 2: ['value', 'string']}, true],
	8: ['resources', {1: ['limits', {map: QUANTITY}], 2: ['requests', {map: QUANTITY}]}],
	9: ['volumeMounts', {1: ['name', 'string'], 2: ['readOnly', 'bool'], 3: ['mountPath', 'string'], 4: ['subPath', 'string']}, true],
	13: ['terminationMessagePath', 'string'],
	14: ['imagePullPolicy', 'string'],
	16: ['stdin', 'bool'],
	17: ['stdinOnce', 'bool'],
	18: ['tty', 'bool'],
	20: ['terminationMessagePolicy', 'string'],
	24: ['restartPolicy', 'string'],
};
const POD_SPEC: Schema = {
	1: ['volumes', {1: ['name', 'string'], 2: ['volumeSource', VOLUME_SOURCE]}, true],
	2: ['containers', CONTAINER, true],
	3: ['restartPolicy', 'string'],
	4: ['terminationGracePeriodSeconds', 'int'],
	6: ['dnsPolicy', 'string'],
	7: ['nodeSelector', {map: 'string'}],
	8: ['serviceAccountName', 'string'],
	20: ['initContainers', CONTAINER, true],
	21: ['automountServiceAccountToken', 'bool'],
};

const SCHEMAS: Record<string, Schema> = {
	ConfigMap: {1: ['metadata', OBJECT_META], 2: ['data', {map: 'string'}], 3: ['binaryData', {map: 'bytes'}], 4: ['immutable', 'bool']},
	Secret: {1: ['metadata', OBJECT_META], 2: ['data', {map: 'bytes'}], 3: ['type', 'string'], 4: ['stringData', {map: 'string'}], 5: ['immutable', 'bool']},
	Namespace: {1: ['metadata', OBJECT_META], 2: ['spec', {1: ['finalizers', 'string', true]}]},
	Pod: {1: ['metadata', OBJECT_META], 2: ['spec', POD_SPEC]},
};
const UNKNOWN: Schema = {1: ['typeMeta', {1: ['apiVersion', 'string'], 2: ['kind', 'string']}], 2: ['raw', 'bytes'], 3: ['contentEncoding', 'string'], 4: ['contentType', 'string']};

class Reader {
	pos = 0;
	constructor(readonly buf: Uint8Array) {}
	varint(): number {
		let result = 0;
		let shift = 1;
		for (;;) {
			if (this.pos >= this.buf.length) throw badRequest('the protobuf body is truncated');
			const b = this.buf[this.pos++]!;
			result += (b & 0x7f) * shift;
			if (b < 0x80) return result;
			shift *= 128;
		}
	}
	bytes(): Uint8Array {
		const n = this.varint();
		if (this.pos + n > this.buf.length) throw badRequest('the protobuf body is truncated');
		const out = this.buf.subarray(this.pos, this.pos + n);
		this.pos += n;
		return out;
	}
	skip(wire: number): void {
		if (wire === 0) this.varint();
		else if (wire === 2) this.bytes();
		else if (wire === 1) this.pos += 8;
		else if (wire === 5) this.pos += 4;
		else throw badRequest(`unsupported protobuf wire type ${wire}`);
	}
}

const text = new TextDecoder();

function decodeValue(kind: Kind, r: Reader, wire: number): unknown {
	if (kind === 'int') return r.varint();
	if (kind === 'bool') return r.varint() !== 0;
	const raw = r.bytes();
	if (kind === 'string') return text.decode(raw);
	if (kind === 'bytes') return raw;
	void wire;
	return decodeMessage(kind as Schema, raw);
}

function decodeMessage(schema: Schema, buf: Uint8Array): Obj {
	const r = new Reader(buf);
	const out: Obj = {};
	while (r.pos < buf.length) {
		const tag = r.varint();
		const field = schema[Math.floor(tag / 8)];
		const wire = tag & 7;
		if (!field) {
			r.skip(wire);
			continue;
		}
		const [name, kind, repeated] = field;
		if (typeof kind === 'object' && 'map' in kind) {
			const entry = decodeMessage({1: ['key', 'string'], 2: ['value', kind.map as Kind]}, r.bytes());
			const map = (out[name] ??= {});
			let value = entry.value ?? (kind.map === 'string' ? '' : undefined);
			if (kind.map === 'bytes') value = Buffer.from((value as Uint8Array | undefined) ?? new Uint8Array()).toString('base64');
			else if (typeof kind.map === 'object') value = (value as Obj)?.string ?? '';
			map[entry.key ?? ''] = value;
			continue;
		}
		const value = decodeValue(kind, r, wire);
		if (repeated) (out[name] ??= []).push(value);
		else out[name] = value;
	}
	return out;
}

/** Decode a `k8s\0`-prefixed protobuf object into the JSON shape the API uses. */
export function decodeKubernetesProtobuf(body: Uint8Array): Obj {
	if (body.length < 4 || body[0] !== 0x6b || body[1] !== 0x38 || body[2] !== 0x73 || body[3] !== 0) throw badRequest('the protobuf body does not start with the k8s magic prefix');
	const unknown = decodeMessage(UNKNOWN, body.subarray(4));
	const kind: string = unknown.typeMeta?.kind ?? '';
	const schema = SCHEMAS[kind];
	if (!schema) throw badRequest(`the demo cluster cannot decode a protobuf ${kind || 'object'}; send JSON instead`);
	const obj = decodeMessage(schema, unknown.raw ?? new Uint8Array());
	obj.apiVersion = unknown.typeMeta?.apiVersion ?? 'v1';
	obj.kind = kind;
	// Volume sources are inlined in JSON; configMap's name sits in an embedded LocalObjectReference.
	for (const v of obj.spec?.volumes ?? []) {
		Object.assign(v, v.volumeSource);
		delete v.volumeSource;
		if (v.configMap?.localObjectReference) {
			v.configMap.name = v.configMap.localObjectReference.name;
			delete v.configMap.localObjectReference;
		}
		if (v.emptyDir && Object.keys(v.emptyDir).length === 0) v.emptyDir = {};
	}
	for (const c of [...(obj.spec?.containers ?? []), ...(obj.spec?.initContainers ?? [])]) c.resources ??= {};
	return obj;
}
