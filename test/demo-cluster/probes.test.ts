// Exec readiness and liveness probes, run inside the sandboxed container (real runtime).
import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import {parseColumns, startTestCluster, waitFor, writeManifest, type TestCluster} from './helpers.js';

let t: TestCluster;
before(async () => {
	t = await startTestCluster({backoffBaseMs: 200});
});
after(async () => {
	await t?.close();
});

const row = async (name: string) => parseColumns((await t.kubectl(['get', 'pod', name])).stdout)[0];

describe('probes', () => {
	it('keeps a container unready until its readiness probe passes', async () => {
		const manifest = writeManifest(
			t.dir,
			'ready.yaml',
			`apiVersion: v1
kind: Pod
metadata: {name: gated}
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: [sh, -c, "while true; do sleep 1; done"]
    readinessProbe:
      exec: {command: [cat, /tmp/ready]}
      periodSeconds: 1
`,
		);
		assert.equal((await t.kubectl(['apply', '-f', manifest])).code, 0);
		await waitFor('Running but 0/1', async () => {
			const r = await row('gated');
			return r?.STATUS === 'Running' && r.READY === '0/1' ? r : undefined;
		});
		const describe = await t.kubectl(['describe', 'pod', 'gated']);
		await waitFor('an Unhealthy event', async () => /Readiness probe failed: cat: can't open '\/tmp\/ready': No such file or directory/.test((await t.kubectl(['describe', 'pod', 'gated'])).stdout) || undefined);
		assert.match(describe.stdout, /Readiness:\s+exec \[cat \/tmp\/ready\]/);
		assert.equal((await t.kubectl(['exec', 'gated', '--', 'touch', '/tmp/ready'])).code, 0);
		await waitFor('1/1 once the probe passes', async () => ((await row('gated'))?.READY === '1/1' ? true : undefined));
	});

	it('restarts a container whose liveness probe fails', async () => {
		const manifest = writeManifest(
			t.dir,
			'live.yaml',
			`apiVersion: v1
kind: Pod
metadata: {name: doomed}
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: [sh, -c, "while true; do sleep 1; done"]
    livenessProbe:
      exec: {command: [cat, /tmp/alive]}
      periodSeconds: 1
      failureThreshold: 2
`,
		);
		assert.equal((await t.kubectl(['apply', '-f', manifest])).code, 0);
		await waitFor('a restart', async () => (Number((await row('doomed'))?.RESTARTS?.split(' ')[0]) >= 1 ? true : undefined), 15_000);
		const events = (await t.kubectl(['describe', 'pod', 'doomed'])).stdout;
		assert.match(events, /Container app failed liveness probe, will be restarted/);
		assert.match(events, /Liveness probe failed:/);
	});

	it('reports a container as not started until its startup probe passes', async () => {
		const manifest = writeManifest(
			t.dir,
			'startup.yaml',
			`apiVersion: v1
kind: Pod
metadata: {name: slow-start}
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: [sh, -c, "sleep 2; touch /tmp/started; while true; do sleep 1; done"]
    startupProbe:
      exec: {command: [cat, /tmp/started]}
      periodSeconds: 1
      failureThreshold: 30
`,
		);
		assert.equal((await t.kubectl(['apply', '-f', manifest])).code, 0);
		const started = async () => (await t.kubectl(['get', 'pod', 'slow-start', '-o', 'jsonpath={.status.containerStatuses[0].started} {.status.containerStatuses[0].ready}'])).stdout;
		await waitFor('running but not started', async () => ((await started()) === 'false false' ? true : undefined));
		await waitFor('started and ready after the probe passes', async () => ((await started()) === 'true true' ? true : undefined), 10_000);
	});
});
