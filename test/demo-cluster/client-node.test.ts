// @kubernetes/client-node 2.x against the demo cluster, exactly as podwatch uses it.
import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import {PassThrough, Writable} from 'node:stream';
import {CoreV1Api, Exec, KubeConfig, Log, Watch, type V1Status} from '@kubernetes/client-node';
import {startDemoCluster, type DemoCluster} from '../../demo/server/index.js';
import {repoPath, waitFor} from './helpers.js';
import {readFileSync} from 'node:fs';

let cluster: DemoCluster;
let kc: KubeConfig;
let core: CoreV1Api;

before(async () => {
	cluster = await startDemoCluster({watchHistory: 8, watchBookmarkMs: 200});
	kc = new KubeConfig();
	kc.loadFromString(cluster.kubeconfigYaml);
	core = kc.makeApiClient(CoreV1Api);
	await cluster.applyYaml(readFileSync(repoPath('demo', 'manifests', 'sidecar-pod.yaml'), 'utf8'));
	await waitFor('sidecar-pod running', async () => {
		const pod = await core.readNamespacedPod({name: 'sidecar-pod', namespace: 'default'});
		return pod.status?.containerStatuses?.every(c => c.ready) && pod.status.containerStatuses.length === 2 ? pod : undefined;
	});
});
after(async () => {
	await cluster?.stop();
});

const collect = () => {
	let text = '';
	const stream = new Writable({
		write(chunk, _enc, cb) {
			text += String(chunk);
			cb();
		},
	});
	// client-node ends a followed log by emitting AbortError on the stream when aborted.
	stream.on('error', () => {});
	return {stream, text: () => text};
};

describe('client-node against the demo cluster', () => {
	it('lists pods with the kubeconfig context namespace and a label selector', async () => {
		const list = await core.listNamespacedPod({namespace: 'default', labelSelector: 'app=sidecar-demo'});
		assert.deepEqual(list.items.map(p => p.metadata?.name), ['sidecar-pod']);
		assert.equal((await core.listNamespacedPod({namespace: 'default', labelSelector: 'app!=sidecar-demo'})).items.length, 0);
		assert.equal(kc.getContextObject(kc.getCurrentContext())?.namespace, 'default');
	});

	it('watches changes from a list resourceVersion, with bookmarks when asked', async () => {
		const list = await core.listNamespacedConfigMap({namespace: 'default'});
		const seen: Array<[string, string | undefined]> = [];
		const watch = new Watch(kc);
		const controller = await watch.watch(
			'/api/v1/namespaces/default/configmaps',
			{resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true},
			(type, obj) => seen.push([type, obj?.metadata?.name]),
			() => {},
		);
		try {
			await core.createNamespacedConfigMap({namespace: 'default', body: {metadata: {name: 'watched'}, data: {a: '1'}}});
			await core.patchNamespacedConfigMap({name: 'watched', namespace: 'default', body: [{op: 'add', path: '/metadata/labels', value: {x: 'y'}}]});
			await core.deleteNamespacedConfigMap({name: 'watched', namespace: 'default'});
			await waitFor('ADDED, MODIFIED, DELETED and a BOOKMARK', () => seen.some(([t]) => t === 'DELETED') && seen.some(([t]) => t === 'BOOKMARK') || undefined, 5000);
			assert.deepEqual(seen.filter(([t]) => t !== 'BOOKMARK'), [['ADDED', 'watched'], ['MODIFIED', 'watched'], ['DELETED', 'watched']]);
		} finally {
			controller.abort();
		}
	});

	it('answers a watch from a too-old resourceVersion with a 410 Expired ERROR, and a relist recovers', async () => {
		const old = (await core.listNamespacedConfigMap({namespace: 'default'})).metadata!.resourceVersion!;
		for (let i = 0; i < 12; i++) await core.createNamespacedConfigMap({namespace: 'default', body: {metadata: {name: `churn-${i}`}}});
		const events: Array<{type: string; obj: {code?: number; reason?: string}}> = [];
		let ended = false;
		await new Watch(kc).watch('/api/v1/namespaces/default/configmaps', {resourceVersion: old}, (type, obj) => events.push({type, obj}), () => (ended = true));
		await waitFor('the watch to end after the ERROR', () => ended || undefined, 5000);
		assert.equal(events.length, 1);
		assert.equal(events[0]!.type, 'ERROR');
		assert.equal(events[0]!.obj.code, 410);
		assert.equal(events[0]!.obj.reason, 'Expired');
		const relist = await core.listNamespacedConfigMap({namespace: 'default'});
		assert.equal(relist.items.filter(c => c.metadata?.name?.startsWith('churn-')).length, 12);
		const fresh: string[] = [];
		const controller = await new Watch(kc).watch('/api/v1/namespaces/default/configmaps', {resourceVersion: relist.metadata!.resourceVersion}, (type, obj) => fresh.push(`${type} ${obj.metadata.name}`), () => {});
		try {
			await core.deleteNamespacedConfigMap({name: 'churn-0', namespace: 'default'});
			await waitFor('the DELETED event on the new watch', () => fresh.includes('DELETED churn-0') || undefined, 5000);
		} finally {
			controller.abort();
		}
	});

	it('reads and follows logs; the typed API keeps the server message of an error', async () => {
		// A follow that the server ends itself (limitBytes): aborting client-node's Log makes its
		// internal stream emit an unhandled AbortError, which is client-node's problem, not ours.
		const out = collect();
		const finished = new Promise(resolve => out.stream.on('finish', resolve));
		await new Log(kc).log('default', 'sidecar-pod', 'sidecar-container', out.stream, {follow: true, timestamps: true, limitBytes: 40});
		await finished;
		assert.equal(Buffer.byteLength(out.text()), 40);
		assert.match(out.text(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \w/);
		await assert.rejects(core.readNamespacedPodLog({name: 'sidecar-pod', namespace: 'default'}), (error: {code?: number; body?: string}) => {
			assert.equal(error.code, 400);
			assert.match(String(error.body), /a container name must be specified for pod sidecar-pod, choose one of: \[main-container sidecar-container\]/);
			return true;
		});
	});

	it('execs with output streams and an exit status', async () => {
		const run = async (command: string[], stdin?: string) => {
			const stdout = collect();
			const stderr = collect();
			let input: PassThrough | null = null;
			if (stdin !== undefined) {
				input = new PassThrough();
				input.end(stdin);
			}
			const status = await new Promise<V1Status>((resolve, reject) => {
				new Exec(kc).exec('default', 'sidecar-pod', 'main-container', command, stdout.stream, stderr.stream, input, false, resolve).catch(reject);
			});
			return {status, stdout: stdout.text(), stderr: stderr.text()};
		};
		const ok = await run(['cat', '/var/log/app.log']);
		assert.equal(ok.status.status, 'Success');
		assert.match(ok.stdout, /Main container log entry 0/);
		const failed = await run(['sh', '-c', 'echo oops >&2; exit 3']);
		assert.equal(failed.status.status, 'Failure');
		assert.equal(failed.status.reason, 'NonZeroExitCode');
		assert.equal(failed.status.details?.causes?.[0]?.message, '3');
		assert.equal(failed.stderr, 'oops\n');
		const echoed = await run(['cat'], 'from stdin\n');
		assert.equal(echoed.stdout, 'from stdin\n');
	});
});
