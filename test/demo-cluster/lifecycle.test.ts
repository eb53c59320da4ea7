// The kubelet's pod lifecycle against a fake runtime (fast, deterministic containers): restarts
// with back-off, restart policies and phases, init containers and native sidecars, image pull
// errors, a missing ConfigMap, graceful deletion.
import assert from 'node:assert/strict';
import https from 'node:https';
import {after, before, describe, it} from 'node:test';
import {CoreV1Api, KubeConfig, type CoreV1Event, type V1Pod, type V1PodSpec} from '@kubernetes/client-node';
import {podReady, podStatus} from '../../source/pod-status.js';
import {startDemoCluster, type DemoCluster} from '../../demo/server/index.js';
import {fakeRuntime} from './fake-runtime.js';
import {waitFor} from './helpers.js';

let cluster: DemoCluster;
let core: CoreV1Api;

before(async () => {
	cluster = await startDemoCluster({runtime: fakeRuntime, backoffBaseMs: 150});
	const kc = new KubeConfig();
	kc.loadFromString(cluster.kubeconfigYaml);
	core = kc.makeApiClient(CoreV1Api);
});
after(async () => {
	await cluster?.stop();
});

const pod = (name: string, spec: V1PodSpec): V1Pod => ({apiVersion: 'v1', kind: 'Pod', metadata: {name}, spec});
const c = (name: string, command?: string) => ({name, image: 'busybox:1.36', ...(command ? {command: ['sh', '-c', command]} : {})});
const read = (name: string) => core.readNamespacedPod({name, namespace: 'default'});
const until = (name: string, what: string, test: (p: V1Pod) => boolean, timeoutMs = 5000) =>
	waitFor(`${name}: ${what}`, async () => {
		const p = await read(name);
		return test(p) ? p : undefined;
	}, timeoutMs);
const eventsOf = async (name: string): Promise<CoreV1Event[]> =>
	(await core.listNamespacedEvent({namespace: 'default', fieldSelector: `involvedObject.name=${name},involvedObject.namespace=default`})).items;

describe('demo kubelet lifecycle', () => {
	it('fills the defaults a real API server adds', async () => {
		const created = await core.createNamespacedPod({namespace: 'default', body: pod('defaults', {containers: [c('a'), {name: 'b', image: 'busybox'}]})});
		assert.match(created.metadata!.uid!, /^[0-9a-f-]{36}$/);
		assert.equal(created.spec!.restartPolicy, 'Always');
		assert.equal(created.spec!.terminationGracePeriodSeconds, 30);
		assert.equal(created.spec!.dnsPolicy, 'ClusterFirst');
		assert.equal(created.spec!.schedulerName, 'default-scheduler');
		assert.equal(created.spec!.serviceAccountName, 'default');
		assert.equal(created.spec!.enableServiceLinks, true);
		assert.equal(created.spec!.containers[0]!.imagePullPolicy, 'IfNotPresent');
		assert.equal(created.spec!.containers[1]!.imagePullPolicy, 'Always');
		assert.equal(created.spec!.containers[0]!.terminationMessagePath, '/dev/termination-log');
		const sa = created.spec!.volumes!.find(v => v.name.startsWith('kube-api-access-'));
		assert.ok(sa?.projected, 'projected service-account volume');
		assert.equal(created.status!.phase, 'Pending');
		const running = await until('defaults', 'Running', p => p.status?.phase === 'Running' && podReady(p) === '2/2');
		assert.equal(running.spec!.nodeName, 'podwatch-demo');
		assert.match(running.status!.podIP!, /^10\.244\./);
		assert.match(running.status!.containerStatuses![0]!.containerID!, /^containerd:\/\/[0-9a-f]{64}$/);
		assert.deepEqual(running.status!.conditions!.map(x => `${x.type}=${x.status}`), ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
		const volumes = fakeRuntime.sandboxes.find(s => s.opts.podName === 'defaults')!.opts.volumes;
		const token = volumes.find(v => v.name === sa!.name);
		assert.ok(token?.kind === 'files' && 'token' in token.files && 'ca.crt' in token.files && token.files.namespace === 'default');
	});

	it('restarts a crashing container with back-off: CrashLoopBackOff, lastState, previous logs', async () => {
		await core.createNamespacedPod({namespace: 'default', body: pod('crasher', {containers: [c('steady'), c('flaky', 'echo starting; exit 3')]})});
		const p = await until('crasher', 'CrashLoopBackOff after restarts', x => {
			const flaky = x.status?.containerStatuses?.find(s => s.name === 'flaky');
			return (flaky?.restartCount ?? 0) >= 2 && flaky?.state?.waiting?.reason === 'CrashLoopBackOff';
		});
		assert.deepEqual(p.status!.containerStatuses!.map(s => s.name), ['flaky', 'steady'], 'statuses sorted by name, like the kubelet');
		const flaky = p.status!.containerStatuses!.find(s => s.name === 'flaky')!;
		assert.equal(flaky.started, false, 'a container waiting in CrashLoopBackOff is not started');
		assert.equal(flaky.lastState!.terminated!.exitCode, 3);
		assert.equal(flaky.lastState!.terminated!.reason, 'Error');
		assert.match(flaky.state!.waiting!.message!, /^back-off \d+m?s restarting failed container=flaky pod=crasher_default\(/);
		assert.equal(podStatus(p), 'CrashLoopBackOff');
		assert.equal(podReady(p), '1/2');
		const prev = await core.readNamespacedPodLog({name: 'crasher', namespace: 'default', container: 'flaky', previous: true});
		assert.equal(prev, 'starting\n');
		const backoffs = (await eventsOf('crasher')).filter(e => e.reason === 'BackOff');
		assert.equal(backoffs.length, 1, 'repeated BackOff events are aggregated');
		await until('crasher', 'back-off aggregated with a count', () => true);
		await waitFor('BackOff count ≥ 2', async () => ((await eventsOf('crasher')).find(e => e.reason === 'BackOff')?.count ?? 0) >= 2 || undefined);
	});

	it('follows restart policies to the Succeeded and Failed phases', async () => {
		await core.createNamespacedPod({namespace: 'default', body: pod('ok-once', {restartPolicy: 'Never', containers: [c('job', 'exit 0')]})});
		await core.createNamespacedPod({namespace: 'default', body: pod('fail-once', {restartPolicy: 'Never', containers: [c('job', 'exit 1')]})});
		await core.createNamespacedPod({namespace: 'default', body: pod('on-failure', {restartPolicy: 'OnFailure', containers: [c('job', 'exit 0')]})});
		const ok = await until('ok-once', 'Succeeded', x => x.status?.phase === 'Succeeded');
		assert.equal(podStatus(ok), 'Completed');
		const failed = await until('fail-once', 'Failed', x => x.status?.phase === 'Failed');
		assert.equal(podStatus(failed), 'Error');
		assert.equal(failed.status!.containerStatuses![0]!.restartCount, 0);
		await until('on-failure', 'Succeeded', x => x.status?.phase === 'Succeeded');
	});

	it('runs init containers in order before the main ones, and keeps native sidecars running', async () => {
		await core.createNamespacedPod({
			namespace: 'default',
			body: pod('with-init', {initContainers: [c('setup', 'exit 0'), {...c('proxy'), restartPolicy: 'Always'}], containers: [c('app')]}),
		});
		const p = await until('with-init', 'Running 2/2', x => podReady(x) === '2/2' && podStatus(x) === 'Running');
		const init = p.status!.initContainerStatuses!;
		assert.equal(init.find(s => s.name === 'setup')!.state!.terminated!.reason, 'Completed');
		assert.ok(init.find(s => s.name === 'proxy')!.state!.running);
		const order = fakeRuntime.sandboxes.find(s => s.opts.podName === 'with-init')!.started;
		assert.deepEqual(order, ['setup', 'proxy', 'app']);
		await core.createNamespacedPod({namespace: 'default', body: pod('init-fails', {restartPolicy: 'Never', initContainers: [c('setup', 'exit 2')], containers: [c('app')]})});
		const failed = await until('init-fails', 'Init:Error', x => podStatus(x) === 'Init:Error');
		assert.equal(failed.status!.phase, 'Failed');
	});

	it('reports unknown images as ErrImagePull then ImagePullBackOff with events', async () => {
		await core.createNamespacedPod({namespace: 'default', body: pod('bad-image', {containers: [{name: 'x', image: 'nosuch/image:1.0'}]})});
		await until('bad-image', 'ErrImagePull', x => podStatus(x) === 'ErrImagePull');
		await until('bad-image', 'ImagePullBackOff', x => podStatus(x) === 'ImagePullBackOff');
		const events = await eventsOf('bad-image');
		const failed = events.find(e => e.reason === 'Failed' && e.message!.startsWith('Failed to pull image'));
		assert.match(failed!.message!, /^Failed to pull image "nosuch\/image:1\.0": rpc error: code = NotFound desc = failed to pull and unpack image "docker\.io\/nosuch\/image:1\.0"/);
		assert.ok(events.some(e => e.message === 'Error: ImagePullBackOff'));
	});

	it('waits in ContainerCreating with FailedMount while a ConfigMap is missing', async () => {
		await core.createNamespacedPod({
			namespace: 'default',
			body: pod('needs-config', {containers: [{...c('app'), volumeMounts: [{name: 'cfg', mountPath: '/etc/cfg'}]}], volumes: [{name: 'cfg', configMap: {name: 'app-config'}}]}),
		});
		await waitFor('FailedMount event', async () => (await eventsOf('needs-config')).find(e => e.reason === 'FailedMount'));
		const waiting = await read('needs-config');
		assert.equal(podStatus(waiting), 'ContainerCreating');
		const event = (await eventsOf('needs-config')).find(e => e.reason === 'FailedMount')!;
		assert.equal(event.message, 'MountVolume.SetUp failed for volume "cfg" : configmap "app-config" not found');
		await core.createNamespacedConfigMap({namespace: 'default', body: {metadata: {name: 'app-config'}, data: {'app.conf': 'level=debug\n'}}});
		await until('needs-config', 'Running once the ConfigMap exists', x => podStatus(x) === 'Running', 6000);
		const vol = fakeRuntime.sandboxes.find(s => s.opts.podName === 'needs-config')!.opts.volumes.find(v => v.name === 'cfg');
		assert.deepEqual(vol, {name: 'cfg', kind: 'files', files: {'app.conf': 'level=debug\n'}});
	});

	it('deletes gracefully: deletionTimestamp (Terminating), containers stopped, then removed', async () => {
		const before = await until('defaults', 'Running', x => x.status?.phase === 'Running');
		const sandbox = fakeRuntime.sandboxes.find(s => s.opts.podName === 'defaults')!;
		const answer = await core.deleteNamespacedPod({name: 'defaults', namespace: 'default'});
		assert.ok((answer as V1Pod).metadata?.deletionTimestamp, 'DELETE answers with the pod marked for deletion');
		assert.equal((answer as V1Pod).metadata?.deletionGracePeriodSeconds, 30);
		await waitFor('pod gone', async () => {
			try {
				await read('defaults');
				return undefined;
			} catch (error) {
				return (error as {code?: number}).code === 404 ? true : undefined;
			}
		});
		assert.ok(sandbox.disposed);
		assert.ok(before.metadata?.uid);
		const killing = (await core.listNamespacedEvent({namespace: 'default', fieldSelector: 'involvedObject.name=defaults,reason=Killing'})).items;
		assert.deepEqual(killing.map(e => e.message).sort(), ['Stopping container a', 'Stopping container b']);
	});

	it('restarts a container with the new image when the image is changed', async () => {
		await core.createNamespacedPod({namespace: 'default', body: pod('swap', {containers: [c('app')]})});
		await until('swap', 'Running', x => podStatus(x) === 'Running');
		await core.patchNamespacedPod({name: 'swap', namespace: 'default', body: [{op: 'replace', path: '/spec/containers/0/image', value: 'busybox'}]});
		const p = await until('swap', 'running the new image', x => x.status?.containerStatuses?.[0]?.image === 'docker.io/library/busybox:latest' && !!x.status.containerStatuses[0].state?.running);
		assert.equal(p.status!.containerStatuses![0]!.restartCount, 1);
		const events = await eventsOf('swap');
		assert.ok(events.some(e => e.reason === 'Killing' && e.message === 'Container app definition changed, will be restarted'));
	});

	it('rejects invalid pods and changes to immutable fields with 422 and causes', async () => {
		await assert.rejects(core.createNamespacedPod({namespace: 'default', body: pod('Bad_Name', {containers: [c('a')]})}), (e: {code?: number; body?: string}) => {
			assert.equal(e.code, 422);
			assert.match(String(e.body), /metadata\.name: Invalid value: \\"Bad_Name\\": a lowercase RFC 1123 subdomain/);
			return true;
		});
		await assert.rejects(core.createNamespacedPod({namespace: 'default', body: pod('dup', {containers: [c('a'), c('a')]})}), (e: {code?: number; body?: string}) => {
			const status = JSON.parse(String(e.body));
			assert.equal(status.reason, 'Invalid');
			assert.deepEqual(status.details.causes, [{reason: 'FieldValueDuplicate', message: 'Duplicate value: "a"', field: 'spec.containers[1].name'}]);
			return true;
		});
		await assert.rejects(
			core.patchNamespacedPod({name: 'crasher', namespace: 'default', body: [{op: 'replace', path: '/spec/restartPolicy', value: 'Never'}]}),
			(e: {code?: number; body?: string}) => {
				assert.equal(e.code, 422);
				assert.match(JSON.parse(String(e.body)).message, /^Pod "crasher" is invalid: spec: Forbidden: pod updates may not change fields other than/);
				return true;
			},
		);
		const labelled = await core.patchNamespacedPod({name: 'crasher', namespace: 'default', body: [{op: 'add', path: '/metadata/labels', value: {tier: 'demo'}}]});
		assert.equal(labelled.metadata!.labels!.tier, 'demo');
	});
});

describe('injected clock', () => {
	it('stamps objects and computes Table ages with the given clock', async () => {
		let now = Date.parse('2030-01-01T00:00:00Z');
		const clocked = await startDemoCluster({runtime: fakeRuntime, clock: () => now});
		try {
			const kc = new KubeConfig();
			kc.loadFromString(clocked.kubeconfigYaml);
			const api = kc.makeApiClient(CoreV1Api);
			const created = await api.createNamespacedConfigMap({namespace: 'default', body: {metadata: {name: 'timed'}}});
			assert.equal(created.metadata!.creationTimestamp!.toISOString(), '2030-01-01T00:00:00.000Z');
			now += 95 * 60_000;
			const table = await new Promise<string>((resolve, reject) => {
				const headers = {authorization: `Bearer ${clocked.token}`, accept: 'application/json;as=Table;v=v1;g=meta.k8s.io'};
				https
					.get(`${clocked.url}/api/v1/namespaces/default/configmaps/timed`, {ca: clocked.caPem, headers}, r => {
						let body = '';
						r.on('data', d => (body += String(d)));
						r.on('end', () => resolve(body));
					})
					.on('error', reject);
			});
			assert.deepEqual(JSON.parse(table).rows[0].cells, ['timed', 0, '95m']);
		} finally {
			await clocked.stop();
		}
	});
});
