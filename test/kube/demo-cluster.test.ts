// Integration: the data layer against the embedded demo cluster, configured exactly as a user
// would (a kubeconfig file read by loadKubeConfig), with real kubectl as the outside judge.
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {promisify} from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';
import type {V1Pod} from '@kubernetes/client-node';
import {startDemoCluster} from '../../demo/server/index.js';
import type {DemoCluster} from '../../demo/server/index.js';
import {createKubeSource, loadKubeConfig} from '../../source/kube/index.js';
import type {KubeSource, LogEntry, SourceStatus} from '../../source/kube/index.js';
import {waitFor} from './fake-api.js';

const manifest = path.resolve('demo/manifests/sidecar-pod.yaml');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'podwatch-kube-demo-'));
const kubeconfig = path.join(dir, 'config');
let cluster: DemoCluster;
let source: KubeSource;
const closers: Array<{close(): void}> = [];

before(async () => {
	assert.ok(fs.existsSync(manifest), `the lesson's manifest ${manifest} is missing (run the tests from the repository root)`);
	// Short CrashLoopBackOff delays so that the restart test sees several instances quickly.
	cluster = await startDemoCluster({manifests: [manifest], backoffBaseMs: 100});
	fs.writeFileSync(kubeconfig, cluster.kubeconfigYaml);
	const {kc, target} = loadKubeConfig({kubeconfig, env: {}, home: dir});
	source = createKubeSource(kc, target);
});

after(async () => {
	for (const closer of closers) closer.close();
	await cluster?.stop();
	fs.rmSync(dir, {recursive: true, force: true});
});

// Asynchronous on purpose: the demo cluster answers from this very process.
async function kubectl(...args: string[]): Promise<string> {
	try {
		const {stdout} = await promisify(execFile)('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'cache'), ...args], {
			encoding: 'utf8',
			env: {...process.env, HOME: dir},
		});
		return stdout;
	} catch (error) {
		const e = error as NodeJS.ErrnoException & {stderr?: string};
		if (e.code === 'ENOENT') throw new Error('kubectl is not installed (expected /usr/bin/kubectl v1.32): this test uses it as the outside judge', {cause: error});
		throw new Error(`kubectl ${args.join(' ')} failed: ${e.stderr ?? e.message}`, {cause: error});
	}
}

test('watchPods sees the sidecar pod with both containers running, as kubectl does', async () => {
	let pods: V1Pod[] = [];
	const statuses: SourceStatus[] = [];
	closers.push(source.watchPods({namespace: 'default', onPods: (p) => (pods = p), onStatus: (s) => statuses.push(s)}));
	const running = () => {
		const pod = pods.find((p) => p.metadata?.name === 'sidecar-pod');
		return (pod?.status?.containerStatuses ?? []).filter((c) => c.state?.running).length === 2;
	};
	await waitFor(running, 'sidecar-pod with 2 running containers', 15_000);
	assert.equal(statuses[0]?.state, 'connecting');
	assert.equal(statuses.at(-1)?.state, 'live');
	const pod = pods.find((p) => p.metadata?.name === 'sidecar-pod')!;
	assert.equal(await kubectl('get', 'pod', 'sidecar-pod', '-o', 'jsonpath={.metadata.uid}'), pod.metadata?.uid);
});

test('followLogs of the sidecar shows the main container\'s log entries with timestamps', async () => {
	const entries: LogEntry[] = [];
	const statuses: SourceStatus[] = [];
	closers.push(
		source.followLogs({namespace: 'default', pod: 'sidecar-pod', container: 'sidecar-container', onEntries: (e) => entries.push(...e), onStatus: (s) => statuses.push(s)}),
	);
	await waitFor(() => entries.some((e) => e.kind === 'line' && /Main container log entry 0/.test(e.text)), 'the first log entry', 20_000);
	const line = entries.find((e) => e.kind === 'line');
	assert.match(line?.kind === 'line' ? line.time : '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
	assert.ok(!statuses.some((s) => s.state === 'failed'), JSON.stringify(statuses));
});

test('exec ls -la /var/log works in both containers sharing the volume', async () => {
	for (const container of ['main-container', 'sidecar-container']) {
		const outcome = await source.exec('default', 'sidecar-pod', container, ['ls', '-la', '/var/log']);
		assert.equal(outcome.kind, 'exited', JSON.stringify(outcome));
		if (outcome.kind !== 'exited') return;
		assert.equal(outcome.exitCode, 0);
		assert.match(Buffer.from(outcome.stdout).toString('utf8'), /app\.log/);
	}
	const missing = await source.exec('default', 'sidecar-pod', 'main-container', ['ls', '/nonexistent']);
	assert.equal(missing.kind === 'exited' && missing.exitCode, 1);
	assert.match(missing.kind === 'exited' ? Buffer.from(missing.stderr).toString('utf8') : '', /nonexistent/);
	const absent = await source.exec('default', 'sidecar-pod', 'main-container', ['nosuchbin']);
	assert.equal(absent.kind === 'error' && absent.reason, 'not-found');
});

test('podEvents lists the pod\'s events oldest first; previousLogs explains a missing previous instance', async () => {
	const events = await source.podEvents('default', 'sidecar-pod');
	assert.ok(events.length > 0);
	assert.ok(events.every((e) => e.involvedObject?.name === 'sidecar-pod'));
	const times = events.map((e) => new Date((e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp) as unknown as string).getTime());
	assert.deepEqual(times, [...times].sort((a, b) => a - b));
	const previous = await source.previousLogs('default', 'sidecar-pod', 'main-container');
	assert.match('error' in previous ? previous.error : '', /previous terminated container "main-container" in pod "sidecar-pod" not found/);
});

test('a kubeconfig without the cluster\'s CA fails with a TLS explanation instead of retrying', async () => {
	const withoutCa = path.join(dir, 'no-ca');
	fs.writeFileSync(withoutCa, cluster.kubeconfigYaml.replace(/^\s*certificate-authority-data:.*\n/m, ''));
	const {kc, target} = loadKubeConfig({kubeconfig: withoutCa, env: {}, home: dir});
	const statuses: SourceStatus[] = [];
	closers.push(createKubeSource(kc, target).watchPods({namespace: 'default', onPods: () => {}, onStatus: (s) => statuses.push(s)}));
	await waitFor(() => statuses.at(-1)?.state === 'failed', 'a failed status', 10_000);
	const last = statuses.at(-1);
	assert.match(last?.state === 'failed' ? last.message : '', /^The secure \(TLS\) connection to the server 127\.0\.0\.1:\d+ failed: .*certificate/);
});

test('followLogs across real restarts: every line of every instance once, in order, with restart markers', async () => {
	await cluster.applyYaml(
		['apiVersion: v1', 'kind: Pod', 'metadata: {name: counter}', 'spec:', '  containers:', '  - name: c', '    image: busybox:1.36',
			'    command: ["sh", "-c", "for i in 1 2 3; do echo line-$i; sleep 0.05; done; exit 3"]', ''].join('\n'),
	);
	const entries: LogEntry[] = [];
	closers.push(source.followLogs({namespace: 'default', pod: 'counter', container: 'c', onEntries: (e) => entries.push(...e), onStatus: () => {}}));
	await waitFor(() => entries.some((e) => e.kind === 'line' && e.instance === 2 && e.text === 'line-3'), 'the third instance\'s last line', 20_000);
	const upToThird = entries.slice(0, entries.findIndex((e) => e.kind === 'line' && e.instance === 2 && e.text === 'line-3') + 1);
	const rendered = upToThird.filter((e) => e.kind !== 'notice').map((e) => (e.kind === 'line' ? `${e.instance}:${e.text}` : e.kind === 'restart' ? `restart->${e.instance} exit=${e.exitCode}` : ''));
	assert.deepEqual(rendered, ['0:line-1', '0:line-2', '0:line-3', 'restart->1 exit=3', '1:line-1', '1:line-2', '1:line-3', 'restart->2 exit=3', '2:line-1', '2:line-2', '2:line-3']);
	const previous = await source.previousLogs('default', 'counter', 'c', 2);
	assert.deepEqual(previous, {lines: ['line-2', 'line-3']});
});

test('kubectl agrees: the same timestamped log lines, the same exec exit code', async () => {
	const entries: LogEntry[] = [];
	closers.push(source.followLogs({namespace: 'default', pod: 'sidecar-pod', container: 'sidecar-container', onEntries: (e) => entries.push(...e), onStatus: () => {}}));
	await waitFor(() => entries.some((e) => e.kind === 'line'), 'a log line', 20_000);
	const theirs = (await kubectl('logs', '--timestamps', 'sidecar-pod', '-c', 'sidecar-container')).split('\n').filter(Boolean);
	const ours = entries.flatMap((e) => (e.kind === 'line' ? [`${e.time} ${e.text}`] : []));
	const common = Math.min(theirs.length, ours.length);
	assert.ok(common > 0);
	assert.deepEqual(ours.slice(0, common), theirs.slice(0, common));
	const outcome = await source.exec('default', 'sidecar-pod', 'main-container', ['sh', '-c', 'echo out; echo err >&2; exit 3']);
	assert.deepEqual(outcome.kind === 'exited' ? [outcome.exitCode, Buffer.from(outcome.stdout).toString(), Buffer.from(outcome.stderr).toString()] : outcome, [3, 'out\n', 'err\n']);
	const kubectlExit = await kubectl('exec', 'sidecar-pod', '-c', 'main-container', '--', 'sh', '-c', 'exit 3').then(
		() => 0,
		(error: Error) => Number(/exit code (\d+)/.exec(error.message)?.[1] ?? -1),
	);
	assert.equal(kubectlExit, 3);
});

test('a context without a user still uses the cluster\'s CA and gets kubectl\'s "must be logged in"', async () => {
	const anonymous = path.join(dir, 'anonymous');
	const yaml = cluster.kubeconfigYaml.replace(/^users:\n- name: podwatch-demo\n {2}user:\n {4}token: .*\n/m, 'users: []\n').replace(/^ {4}user: podwatch-demo\n/m, '');
	assert.ok(!/token:|user: podwatch-demo/.test(yaml), 'the user was removed from the kubeconfig');
	fs.writeFileSync(anonymous, yaml);
	const {kc, target} = loadKubeConfig({kubeconfig: anonymous, env: {}, home: dir});
	const statuses: SourceStatus[] = [];
	closers.push(createKubeSource(kc, target).watchPods({namespace: 'default', onPods: () => {}, onStatus: (s) => statuses.push(s)}));
	await waitFor(() => statuses.at(-1)?.state === 'failed', 'a failed status', 10_000);
	const last = statuses.at(-1);
	assert.match(last?.state === 'failed' ? last.message : '', /^You must be logged in to the server \(Unauthorized\)/);
});
