// Every demo manifest parses, and every container of every pod really runs in the sandbox and
// does what its comment says. All pods run at once for about two seconds.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {parseAllDocuments} from 'yaml';
import {resolveImage} from '../../demo/runtime/index.js';
import type {ContainerSpec, ExitResult, PodSandbox, RunningContainer, VolumeSource} from '../../demo/runtime/types.js';
import {collector, exec, sandbox, until, type Collected} from './helpers.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const dir = path.resolve('demo/manifests');
const files = readdirSync(dir).filter(name => name.endsWith('.yaml')).sort();

type Pod = {file: string; pod: Obj; configMaps: Map<string, Obj>};

function loadPods(): Pod[] {
	const pods: Pod[] = [];
	for (const file of files) {
		const text = readFileSync(path.join(dir, file), 'utf8');
		assert.match(text, /^# Teaches: /, `${file} starts with a comment saying what it teaches`);
		const documents = parseAllDocuments(text);
		for (const document of documents) {
			assert.deepEqual(document.errors, [], `${file} parses`);
		}

		const objects = documents.map(document => document.toJS() as Obj);
		const configMaps = new Map(objects.filter(o => o.kind === 'ConfigMap').map(o => [o.metadata.name as string, o]));
		for (const pod of objects.filter(o => o.kind === 'Pod')) {
			pods.push({file, pod, configMaps});
		}
	}

	return pods;
}

function volumesOf({pod, configMaps}: Pod): VolumeSource[] {
	return (pod.spec.volumes ?? []).map((volume: Obj): VolumeSource => {
		if (volume.configMap) {
			const configMap = configMaps.get(volume.configMap.name);
			assert.ok(configMap, `ConfigMap ${volume.configMap.name} is in the same file`);
			return {name: volume.name, kind: 'files', files: {...configMap.data}};
		}

		if (volume.emptyDir) {
			return {name: volume.name, kind: 'emptyDir', medium: volume.emptyDir.medium ?? ''};
		}

		return {name: volume.name, kind: 'other'};
	});
}

type Running = {box: PodSandbox; out: Map<string, Collected>; runs: Map<string, RunningContainer>; results: Map<string, ExitResult>};

function start(entry: Pod): Running {
	const box = sandbox(volumesOf(entry));
	const out = new Map<string, Collected>();
	const runs = new Map<string, RunningContainer>();
	const results = new Map<string, ExitResult>();
	const containers: Obj[] = [...(entry.pod.spec.initContainers ?? []).filter((c: Obj) => c.restartPolicy === 'Always'), ...entry.pod.spec.containers];
	for (const container of containers) {
		assert.ok(resolveImage(container.image), `${entry.file}: image ${container.image} is in the catalog`);
		const {out: sink, got} = collector();
		const spec: ContainerSpec = {name: container.name, image: container.image, command: container.command, args: container.args, env: container.env, volumeMounts: container.volumeMounts};
		const running = box.startContainer(spec, sink);
		void running.done.then(result => results.set(container.name, result));
		out.set(container.name, got);
		runs.set(container.name, running);
	}

	return {box, out, runs, results};
}

const LINE = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d UTC \d{4}: Main container log entry 0$/;

/** Per pod: wait for and check the behaviour the manifest teaches. */
const expectations: Record<string, (r: Running) => Promise<void>> = {
	async 'sidecar-pod'(r) {
		const sidecar = r.out.get('sidecar-container')!;
		await until(() => sidecar.stdout.includes('entry 0\n'), 'sidecar shows main\'s first line');
		assert.match(sidecar.stdout.trimEnd(), LINE);
		assert.equal(r.out.get('main-container')!.stdout, '', 'main writes to the file, not stdout');
		// Live: a line appended now shows up in the sidecar's stdout.
		const appended = await exec(r.box, 'main-container', ['sh', '-c', 'echo "appended by exec" >> /var/log/app.log']);
		assert.equal(appended.exitCode, 0);
		await until(() => sidecar.stdout.endsWith('appended by exec\n'), 'sidecar streams the new line');
		const a = await exec(r.box, 'main-container', ['ls', '-la', '/var/log']);
		const b = await exec(r.box, 'sidecar-container', ['ls', '-la', '/var/log']);
		const size = (listing: string): string | undefined => /^-rw-r--r-- +1 root +root +(\d+) .* app\.log$/m.exec(listing)?.[1];
		assert.ok(size(a.stdout), `main lists app.log:\n${a.stdout}`);
		assert.equal(size(a.stdout), size(b.stdout));
		assert.match(a.stdout, /^total \d+\ndrwxrwxrwx +2 root +root +4096 .* \.\ndrwxr-xr-x .* \.\.\n/);
	},
	async 'log-shipper'(r) {
		const shipper = r.out.get('log-shipper')!;
		await until(() => shipper.stdout.includes('request=2'), 'two lines shipped');
		assert.match(shipper.stdout, /^ship #1 -> collector\.logging\.svc:24224 ts=\S+\+00:00 level=INFO msg="handled request" request=1\nship #2 /);
	},
	async 'metrics-collector'(r) {
		const collected = r.out.get('metrics-collector')!;
		await until(() => collected.stdout.includes('app_last_update_seconds'), 'one scrape');
		assert.match(collected.stdout, /^# scrape at \S+Z\napp_errors_total \d+\napp_requests_total [1-9]\d*\napp_last_update_seconds \d{10}\n/);
	},
	async 'file-watcher'(r) {
		const watcher = r.out.get('file-watcher')!;
		await until(() => watcher.stdout.includes('settings.conf'), 'watcher sees both files');
		assert.match(watcher.stdout, /\d\d:\d\d:\d\d changed: \/watch\/order-1\.txt \(\d+ bytes\) -> reloading\n/);
	},
	async 'proxy-helper'(r) {
		const app = r.out.get('app')!;
		await until(() => app.stdout.includes('answered'), 'a request answered through the proxy');
		assert.match(app.stdout, /^app: request 1 answered: 200 OK price=7\.99\n/);
		assert.match(r.out.get('proxy')!.stdout, /proxy: -> GET \/api\/prices\?item=1 \(upstream 200, 4 ms\)\n/);
	},
	async 'different-paths'(r) {
		await until(() => r.out.get('consumer')!.stdout.includes('batches') && r.out.get('reporter')!.stdout.includes('reports'), 'consumer and reporter report');
		assert.match(r.out.get('consumer')!.stdout, /^consumer: \/consumer\/in has [12] batches, latest: batch [12]\n/);
		assert.match(r.out.get('reporter')!.stdout, /^reporter: [12] reports visible at \/reports \(subPath reports\)\n/);
		const listing = await exec(r.box, 'consumer', ['ls', '/consumer/in']);
		assert.match(listing.stdout, /^batch-1\.txt\n/);
	},
	async 'native-sidecar'(r) {
		const forwarder = r.out.get('log-forwarder')!;
		await until(() => forwarder.stdout.includes('app heartbeat 0'), 'forwarder shows the app\'s heartbeat');
		assert.match(forwarder.stdout, /^log-forwarder: ready, following \/var\/log\/app\.log\n.* UTC \d{4}: app heartbeat 0\n/);
		await r.runs.get('app')!.terminate(2000);
		assert.deepEqual(r.results.get('app'), {exitCode: 0, reason: 'Completed'});
		await until(() => forwarder.stdout.includes('app shutting down'), 'trap wrote its goodbye to the shared log');
	},
	async crasher(r) {
		await until(() => r.results.has('flaky'), 'flaky exits');
		assert.deepEqual(r.results.get('flaky'), {exitCode: 3, reason: 'Error'});
		assert.equal(r.out.get('flaky')!.stdout, 'starting\ngiving up\n');
		assert.match(r.out.get('steady')!.stdout, /^steady\n/);
		assert.equal(r.results.has('steady'), false, 'steady keeps running');
	},
	async 'configmap-shared'(r) {
		const writer = r.out.get('writer')!;
		await until(() => writer.stdout.includes('read-only') && r.out.get('reader')!.stdout.includes('replicas=3'), 'reader read, writer tried to write');
		assert.equal(r.out.get('reader')!.stdout, 'reader: greeting=Hello from the ConfigMap log_level=debug\nreader: app.properties via subPath:\ncolor=blue\nreplicas=3\n');
		assert.equal(writer.stdout, 'writer: sees 3 keys in /config\nwriter: cannot change the config: the volume is read-only\n');
		assert.equal(writer.stderr, 'sh: can\'t create /config/log_level: Read-only file system\n');
	},
	async distroless(r) {
		await until(() => r.out.get('app')!.stdout.includes('listening') && r.out.get('debug')!.stdout !== '', 'server and debug shell up');
		assert.equal((await exec(r.box, 'app', ['ls'])).kind, 'not-found');
		assert.equal((await exec(r.box, 'debug', ['ls', '/'])).exitCode, 0);
		assert.equal(r.out.get('debug')!.stdout, 'debug shell ready\n');
	},
	async 'noisy-loggen'(r) {
		const noisy = r.out.get('noisy')!;
		await until(() => noisy.stderr.includes('noisy 000050 '), 'every 50th line on stderr');
		const numbers = [...noisy.stdout.matchAll(/^noisy (\d{6}) /gm)].map(match => Number(match[1]));
		assert.ok(numbers.length >= 40);
		assert.deepEqual(numbers.slice(0, 49), Array.from({length: 49}, (_, i) => i + 1));
	},
};

test('every manifest parses, teaches something, and every container runs as its comment says', async () => {
	const pods = loadPods();
	assert.deepEqual(pods.map(entry => entry.pod.metadata.name).sort(), Object.keys(expectations).sort(), 'each pod has expectations');
	const sidecar = pods.find(entry => entry.pod.metadata.name === 'sidecar-pod')!;
	const lesson = readFileSync('/work/shared/docs/lesson-day08-sidecar.md', 'utf8');
	const verbatim = /## Sidecar Pod Manifest[\s\S]*?```yaml\n([\s\S]*?)```/.exec(lesson)?.[1];
	assert.ok(verbatim, 'lesson manifest found');
	assert.ok(readFileSync(path.join(dir, sidecar.file), 'utf8').endsWith(verbatim), 'sidecar-pod.yaml is the lesson\'s manifest verbatim');
	const running = pods.map(entry => ({name: entry.pod.metadata.name as string, r: start(entry)}));
	try {
		await Promise.all(running.map(async ({name, r}) => {
			try {
				await expectations[name]!(r);
			} catch (error) {
				const outputs = [...r.out].map(([c, got]) => `--- ${c} stdout:\n${got.stdout}--- ${c} stderr:\n${got.stderr}`).join('\n');
				throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}\n${outputs}`, {cause: error});
			}
		}));
	} finally {
		await Promise.all(running.map(async ({r}) => r.box.dispose()));
	}
});
