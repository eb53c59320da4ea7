// The lesson, given with the real kubectl against the demo cluster (real sandboxed runtime).
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {after, before, describe, it} from 'node:test';
import {parseColumns, repoPath, startTestCluster, waitFor, writeManifest, type TestCluster} from './helpers.js';

const manifest = repoPath('demo', 'manifests', 'sidecar-pod.yaml');
// kubectl's output against a real cluster (shared/docs/real-cluster-recordings/errors.txt).
const REAL_PREVIOUS_NONE = 'Error from server (BadRequest): previous terminated container "main-container" in pod "sidecar-pod" not found';
const REAL_MISSING_BINARY =
	/^error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuchbin": executable file not found in \$PATH: unknown$/;

let t: TestCluster;

before(async () => {
	t = await startTestCluster();
});
after(async () => {
	await t?.close();
});

describe('kubectl against the demo cluster: the sidecar lesson', () => {
	it('applies the lesson manifest and shows 2/2 Running', async () => {
		const applied = await t.kubectl(['apply', '-f', manifest]);
		assert.equal(applied.code, 0, applied.stderr);
		assert.equal(applied.stdout.trim(), 'pod/sidecar-pod created');
		const row = await waitFor('sidecar-pod 2/2 Running', async () => {
			const r = await t.kubectl(['get', 'pod', 'sidecar-pod']);
			const [first] = parseColumns(r.stdout);
			return first?.READY === '2/2' && first.STATUS === 'Running' ? first : undefined;
		});
		assert.deepEqual(Object.keys(row), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
		assert.equal(row.NAME, 'sidecar-pod');
		assert.equal(row.RESTARTS, '0');
		assert.match(row.AGE!, /^\d+s$/);
	});

	it('prints the wide columns with the pod IP and node', async () => {
		const r = await t.kubectl(['get', 'pods', '-o', 'wide']);
		const [row] = parseColumns(r.stdout);
		assert.match(row!.IP!, /^10\.244\.\d+\.\d+$/);
		assert.equal(row!.NODE, 'podwatch-demo');
		assert.equal(row!['NOMINATED NODE'], '<none>');
	});

	it('re-applying an unchanged manifest succeeds without error', async () => {
		const r = await t.kubectl(['apply', '-f', manifest]);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /^pod\/sidecar-pod (unchanged|configured)$/m);
		assert.equal(r.stderr, '');
	});

	it("shows the main container's lines in the sidecar's logs", async () => {
		const r = await t.kubectl(['logs', 'sidecar-pod', '-c', 'sidecar-container']);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /Main container log entry 0/);
	});

	it('follows logs live (-f) and stops cleanly when killed', async () => {
		const child = t.spawnKubectl(['logs', '-f', 'sidecar-pod', '-c', 'sidecar-container', '--tail=1']);
		let out = '';
		child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
		try {
			const first = await waitFor('first followed line', () => (/Main container log entry (\d+)/.exec(out) ?? undefined)?.[1], 8000);
			// The main container appends a line every 5 s: a later entry must arrive over the same stream.
			await waitFor('a newer line over the live stream', () => [...out.matchAll(/Main container log entry (\d+)/g)].some(m => Number(m[1]) > Number(first)) || undefined, 9000);
		} finally {
			child.kill();
		}
	});

	it('explains that there is no previous instance, like a real cluster', async () => {
		const r = await t.kubectl(['logs', 'sidecar-pod', '-c', 'main-container', '--previous']);
		assert.equal(r.code, 1);
		assert.equal(r.stderr.trim(), REAL_PREVIOUS_NONE);
	});

	it('exec ls -la /var/log/ and cat /var/log/app.log show the same shared file in both containers', async () => {
		const cats: string[] = [];
		for (const c of ['main-container', 'sidecar-container']) {
			const ls = await t.kubectl(['exec', 'sidecar-pod', '-c', c, '--', 'ls', '-la', '/var/log/']);
			assert.equal(ls.code, 0, ls.stderr);
			assert.match(ls.stdout, /app\.log/);
			const cat = await t.kubectl(['exec', 'sidecar-pod', '-c', c, '--', 'cat', '/var/log/app.log']);
			assert.equal(cat.code, 0, cat.stderr);
			assert.match(cat.stdout, /Main container log entry 0/);
			cats.push(cat.stdout.split('\n')[0]!);
		}
		assert.equal(cats[0], cats[1]);
	});

	it('propagates exit codes and stderr from exec', async () => {
		const r = await t.kubectl(['exec', 'sidecar-pod', '-c', 'main-container', '--', 'sh', '-c', 'echo err >&2; echo out; exit 3']);
		assert.equal(r.code, 3);
		assert.equal(r.stdout, 'out\n');
		assert.equal(r.stderr, 'err\ncommand terminated with exit code 3\n');
	});

	it('passes stdin with exec -i', async () => {
		const r = await t.kubectl(['exec', '-i', 'sidecar-pod', '-c', 'main-container', '--', 'cat'], {input: 'hi there\n'});
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stdout, 'hi there\n');
	});

	it('reports a missing binary as the real runtime does', async () => {
		const r = await t.kubectl(['exec', 'sidecar-pod', '-c', 'main-container', '--', 'nosuchbin']);
		assert.equal(r.code, 1);
		assert.match(r.stderr.trim(), REAL_MISSING_BINARY);
	});

	it('describe shows containers, mounts, conditions and events', async () => {
		const r = await t.kubectl(['describe', 'pod', 'sidecar-pod']);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /^Node:\s+podwatch-demo\/127\.0\.0\.1$/m);
		assert.match(r.stdout, /^Status:\s+Running$/m);
		assert.match(r.stdout, /^ {2}main-container:$/m);
		assert.match(r.stdout, /^ {2}sidecar-container:$/m);
		assert.match(r.stdout, /\/var\/log from shared-logs \(rw\)/);
		assert.match(r.stdout, /\/var\/run\/secrets\/kubernetes\.io\/serviceaccount from kube-api-access-\w+ \(ro\)/);
		assert.match(r.stdout, /Ready\s+True/);
		const events = r.stdout.slice(r.stdout.indexOf('Events:'));
		const reasons = [...events.matchAll(/^\s+Normal\s+(\w+)\s/gm)].map(m => m[1]);
		assert.equal(reasons[0], 'Scheduled');
		for (const reason of ['Pulled', 'Created', 'Started']) assert.ok(reasons.includes(reason), `${reason} in ${events}`);
		assert.match(events, /Successfully assigned default\/sidecar-pod to podwatch-demo/);
		assert.match(events, /Started container sidecar-container/);
	});

	it('answers error cases with the messages a real cluster gives', async () => {
		const missing = await t.kubectl(['get', 'pod', 'nosuch']);
		assert.equal(missing.code, 1);
		assert.equal(missing.stderr.trim(), 'Error from server (NotFound): pods "nosuch" not found');

		const raw = await t.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/sidecar-pod/log?container=nosuch']);
		assert.match(raw.stderr, /container nosuch is not valid for pod sidecar-pod/);
		const noContainer = await t.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/sidecar-pod/log']);
		assert.match(noContainer.stderr, /a container name must be specified for pod sidecar-pod, choose one of: \[main-container sidecar-container\]/);

		const bad = writeManifest(t.dir, 'bad.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\nspec:\n  containers:\n  - name: c\n');
		const invalid = await t.kubectl(['apply', '-f', bad]);
		assert.equal(invalid.code, 1);
		assert.equal(invalid.stderr.trim(), 'The Pod "bad" is invalid: spec.containers[0].image: Required value');

		const dup = writeManifest(t.dir, 'dup.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: sidecar-pod\nspec:\n  containers:\n  - name: c\n    image: busybox:1.36\n');
		const exists = await t.kubectl(['create', '-f', dup]);
		assert.equal(exists.code, 1);
		assert.equal(exists.stderr.trim(), 'Error from server (AlreadyExists): error when creating "' + dup + '": pods "sidecar-pod" already exists');

		const unknown = writeManifest(t.dir, 'svc.yaml', 'apiVersion: v1\nkind: Widget\nmetadata:\n  name: w\n');
		const nokind = await t.kubectl(['apply', '-f', unknown]);
		assert.equal(nokind.code, 1);
		assert.match(nokind.stderr, /resource mapping not found for name: "w" namespace: "" from ".*svc\.yaml": no matches for kind "Widget" in version "v1"/);

		const immutable = writeManifest(t.dir, 'changed.yaml', readFileSync(manifest, 'utf8').replace('tail -f /var/log/app.log', 'tail -F /var/log/app.log'));
		const forbidden = await t.kubectl(['apply', '-f', immutable]);
		assert.equal(forbidden.code, 1);
		assert.match(forbidden.stderr, /The Pod "sidecar-pod" is invalid: spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`/);
	});

	it("accepts kubectl's protobuf bodies: create configmap/secret/namespace and run", async () => {
		assert.equal((await t.kubectl(['create', 'configmap', 'cfg', '--from-literal=a=1'])).stdout.trim(), 'configmap/cfg created');
		assert.equal((await t.kubectl(['get', 'configmap', 'cfg', '-o', 'jsonpath={.data.a}'])).stdout, '1');
		assert.equal((await t.kubectl(['create', 'secret', 'generic', 's1', '--from-literal=pw=hunter2'])).code, 0);
		assert.equal((await t.kubectl(['get', 'secret', 's1', '-o', 'jsonpath={.data.pw} {.type}'])).stdout, `${Buffer.from('hunter2').toString('base64')} Opaque`);
		assert.equal((await t.kubectl(['create', 'namespace', 'lesson'])).stdout.trim(), 'namespace/lesson created');
		const run = await t.kubectl(['run', 'hello', '-n', 'lesson', '--image=busybox:1.36', '--command', '--', 'sh', '-c', 'echo hello from run; sleep 60']);
		assert.equal(run.stdout.trim(), 'pod/hello created', run.stderr);
		await waitFor('logs of the pod made by kubectl run', async () => ((await t.kubectl(['logs', '-n', 'lesson', 'hello'])).stdout === 'hello from run\n' ? true : undefined));
		const labels = await t.kubectl(['get', 'pod', '-n', 'lesson', 'hello', '-o', 'jsonpath={.metadata.labels.run}']);
		assert.equal(labels.stdout, 'hello');
	});

	it('supports --dry-run=server and --server-side apply', async () => {
		const cm = writeManifest(t.dir, 'cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: info\n');
		const dry = await t.kubectl(['apply', '-f', cm, '--dry-run=server']);
		assert.equal(dry.stdout.trim(), 'configmap/settings created (server dry run)');
		assert.equal((await t.kubectl(['get', 'configmap', 'settings'])).code, 1, 'a dry run stores nothing');
		const ssa = await t.kubectl(['apply', '--server-side', '-f', cm]);
		assert.equal(ssa.stdout.trim(), 'configmap/settings serverside-applied', ssa.stderr);
		const changed = writeManifest(t.dir, 'cm2.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: debug\n');
		assert.equal((await t.kubectl(['apply', '--server-side', '-f', changed])).code, 0);
		assert.equal((await t.kubectl(['get', 'configmap', 'settings', '-o', 'jsonpath={.data.level}'])).stdout, 'debug');
	});

	it('refuses requests without the bearer token', async () => {
		const noToken = writeManifest(t.dir, 'notoken.kubeconfig', t.cluster.kubeconfigYaml.replace(/token: .*/, 'token: wrong'));
		const r = await t.kubectl(['--kubeconfig', noToken, 'get', 'pods']);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /error: You must be logged in to the server \(Unauthorized\)/);
	});

	it('deletes the pod: Terminating first, then gone', async () => {
		const r = await t.kubectl(['delete', 'pod', 'sidecar-pod'], {timeoutMs: 30_000});
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stdout.trim(), 'pod "sidecar-pod" deleted');
		const after = await t.kubectl(['get', 'pods']);
		assert.equal(after.stderr.trim(), 'No resources found in default namespace.');
	});
});
