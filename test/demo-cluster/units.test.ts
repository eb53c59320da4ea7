// The demo server's pure parts: selectors, patches, the watch history, protobuf bodies, TLS.
import assert from 'node:assert/strict';
import {X509Certificate} from 'node:crypto';
import {describe, it} from 'node:test';
import {parseFieldSelector, parseLabelSelector} from '../../demo/server/selectors.js';
import {jsonPatch, mergePatch, strategicMergePatch} from '../../demo/server/patch.js';
import {Store} from '../../demo/server/store.js';
import {decodeKubernetesProtobuf} from '../../demo/server/protobuf.js';
import {selfSignedCertificate} from '../../demo/server/tls.js';
import type {ApiError} from '../../demo/server/types.js';
import { type Obj} from '../../demo/server/types.js';
import {formatNs, InstanceLog, parseRfc3339Ns, renderEntries, selectEntries} from '../../demo/server/logs.js';

const pod = (name: string, labels: Record<string, string>, phase = 'Running'): Obj => ({metadata: {name, namespace: 'default', labels}, spec: {nodeName: 'n'}, status: {phase}});

describe('label and field selectors', () => {
	const a = pod('a', {app: 'web', tier: 'front'});
	const b = pod('b', {app: 'db'}, 'Pending');
	const matches = (sel: string) => [a, b].filter(parseLabelSelector(sel)).map(p => p.metadata.name);
	it('supports =, ==, !=, in, notin, exists and !exists', () => {
		assert.deepEqual(matches('app=web'), ['a']);
		assert.deepEqual(matches('app==db'), ['b']);
		assert.deepEqual(matches('app!=web'), ['b']);
		assert.deepEqual(matches('app in (web, db),tier'), ['a']);
		assert.deepEqual(matches('app notin (web)'), ['b']);
		assert.deepEqual(matches('!tier'), ['b']);
		assert.deepEqual(matches(''), ['a', 'b']);
		assert.throws(() => parseLabelSelector('app in web'), (e: ApiError) => e.code === 400);
	});
	it('matches fields and rejects unsupported ones', () => {
		const sel = (s: string) => [a, b].filter(parseFieldSelector(s, f => ['metadata.name', 'status.phase'].includes(f))).map(p => p.metadata.name);
		assert.deepEqual(sel('status.phase=Pending'), ['b']);
		assert.deepEqual(sel('metadata.name!=a,status.phase!=Running'), ['b']);
		assert.throws(() => sel('spec.bogus=x'), (e: ApiError) => e.code === 400 && e.message === 'field label not supported: spec.bogus');
	});
});

describe('patches', () => {
	it('merge patch sets and deletes keys', () => {
		assert.deepEqual(mergePatch({a: 1, b: {c: 2, d: 3}}, {b: {c: null, e: 4}, f: [1]}), {a: 1, b: {d: 3, e: 4}, f: [1]});
	});
	it('json patch adds, replaces, removes and tests', () => {
		const doc = {metadata: {labels: {a: '1'}}, list: [1, 2]};
		assert.deepEqual(jsonPatch(doc, [{op: 'add', path: '/metadata/labels/b~1c', value: '2'}, {op: 'replace', path: '/list/0', value: 9}, {op: 'remove', path: '/metadata/labels/a'}, {op: 'add', path: '/list/-', value: 3}]), {metadata: {labels: {'b/c': '2'}}, list: [9, 2, 3]});
		assert.throws(() => jsonPatch(doc, [{op: 'remove', path: '/nope/x'}]), (e: ApiError) => e.code === 400);
		assert.throws(() => jsonPatch(doc, {op: 'add'}), (e: ApiError) => e.code === 400);
	});
	it('strategic merge patch merges containers by name and honours $patch: delete', () => {
		const cur = {spec: {containers: [{name: 'a', image: 'x:1', env: [{name: 'K', value: '1'}]}, {name: 'b', image: 'y:1'}]}};
		const out = strategicMergePatch(cur, {spec: {'$setElementOrder/containers': [{name: 'a'}], containers: [{name: 'a', image: 'x:2', env: [{name: 'L', value: '2'}]}, {name: 'b', $patch: 'delete'}]}});
		assert.deepEqual(out, {spec: {containers: [{name: 'a', image: 'x:2', env: [{name: 'K', value: '1'}, {name: 'L', value: '2'}]}]}});
		assert.deepEqual(strategicMergePatch(cur, {}), cur);
	});
});

describe('watch history', () => {
	it('replays changes after a resourceVersion and answers 410 Expired when it is too old', () => {
		const store = new Store(3);
		const first = store.create('configmaps', {metadata: {name: 'c0', namespace: 'default'}});
		const start = Number(first.metadata.resourceVersion);
		for (let i = 1; i <= 5; i++) store.create('configmaps', {metadata: {name: `c${i}`, namespace: 'default'}});
		const seen: string[] = [];
		store.watch('configmaps', {matches: () => true, send: (type, obj) => seen.push(`${type} ${obj.metadata.name}`)}, start + 3);
		assert.deepEqual(seen, ['ADDED c4', 'ADDED c5']);
		assert.throws(() => store.watch('configmaps', {matches: () => true, send: () => {}}, start), (e: ApiError) => e.code === 410 && e.reason === 'Expired' && /^too old resource version: \d+ \(\d+\)$/.test(e.message));
	});
	it('does not expire a watch when only other resources changed since its resourceVersion', () => {
		const store = new Store(2);
		for (let i = 0; i < 4; i++) store.create('pods', pod(`p${i}`, {}));
		const rv = Number(store.resourceVersion);
		for (let i = 0; i < 10; i++) store.create('configmaps', {metadata: {name: `c${i}`, namespace: 'default'}});
		const seen: string[] = [];
		store.watch('pods', {matches: () => true, send: (type, obj) => seen.push(`${type} ${obj.metadata.name}`)}, rv);
		store.create('pods', pod('late', {}));
		assert.deepEqual(seen, ['ADDED late']);
	});

	it('turns label changes into ADDED/DELETED for filtered watchers', () => {
		const store = new Store();
		store.create('pods', pod('p', {app: 'a'}));
		const seen: string[] = [];
		store.watch('pods', {matches: parseLabelSelector('app=b'), send: type => seen.push(type)});
		store.update('pods', pod('p', {app: 'b'}));
		store.update('pods', pod('p', {app: 'b', x: 'y'}));
		store.update('pods', pod('p', {app: 'c'}));
		assert.deepEqual(seen, ['ADDED', 'MODIFIED', 'DELETED']);
	});
});

describe('protobuf request bodies', () => {
	it('decodes a ConfigMap in the k8s envelope', () => {
		const field = (n: number, payload: Buffer) => Buffer.concat([Buffer.from([(n << 3) | 2, payload.length]), payload]);
		const s = (t: string) => Buffer.from(t);
		const meta = field(1, s('cfg'));
		const entry = Buffer.concat([field(1, s('a')), field(2, s('1'))]);
		const raw = Buffer.concat([field(1, meta), field(2, entry)]);
		const unknown = Buffer.concat([field(1, Buffer.concat([field(1, s('v1')), field(2, s('ConfigMap'))])), field(2, raw)]);
		const obj = decodeKubernetesProtobuf(Buffer.concat([Buffer.from('k8s\0'), unknown]));
		assert.deepEqual(obj, {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'cfg'}, data: {a: '1'}});
		assert.throws(() => decodeKubernetesProtobuf(Buffer.from('nope')), (e: ApiError) => e.code === 400);
	});
});

describe('instance logs', () => {
	const enc = new TextEncoder();
	it('joins lines split across chunks, feeds followers, and flushes a partial last line at the end', () => {
		const log = new InstanceLog();
		const followed: string[] = [];
		let ended = false;
		log.follow({onLines: entries => followed.push(...entries.map(e => e.text)), onEnd: () => (ended = true)});
		log.write(enc.encode('one\ntw'));
		log.write(enc.encode('o\nthr'));
		assert.deepEqual(followed, ['one\n', 'two\n']);
		log.end();
		assert.deepEqual(followed, ['one\n', 'two\n', 'thr']);
		assert.ok(ended);
		assert.equal(renderEntries(selectEntries(log.snapshot(), {timestamps: false, tailLines: 2}), false), 'two\nthr');
	});
	it('keeps only the newest bytes within its bound', () => {
		const log = new InstanceLog(100);
		for (let i = 0; i < 50; i++) log.write(enc.encode(`line ${String(i).padStart(3, '0')}\n`));
		const kept = log.snapshot().map(e => e.text);
		assert.ok(kept.join('').length <= 100);
		assert.equal(kept.at(-1), 'line 049\n');
	});
});

describe('timestamps and certificates', () => {
	it('formats log timestamps with 9-digit nanoseconds and parses them back', () => {
		const ns = 1_795_000_000_123_456_789n;
		const text = formatNs(ns);
		assert.match(text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.123456789Z$/);
		assert.equal(parseRfc3339Ns(text), ns);
		assert.equal(parseRfc3339Ns('2026-11-24T03:16:29Z'), BigInt(Date.parse('2026-11-24T03:16:29Z')) * 1_000_000n);
	});
	it('makes a self-signed CA certificate for 127.0.0.1', () => {
		const x = new X509Certificate(selfSignedCertificate().cert);
		assert.ok(x.ca);
		assert.ok(x.verify(x.publicKey));
		assert.match(x.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
	});
});
