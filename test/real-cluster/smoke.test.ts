// Smoke test on the real Kubernetes v1.20 cluster: the lesson's pod reaches `2/2 Running`, its
// logs flow, and `ls -la /var/log/` works in both containers (they share the emptyDir).
// Run through `npm run test:real` (which brings the cluster up and down), or alone after
// `npm run real-cluster -- up`.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {Kubectl, loadHarness, manifestPath, parseTable, requireKubectl, waitUntil} from './helpers.js';

let kubectl: Kubectl;

before(async () => {
	requireKubectl();
	const harness = await loadHarness();
	await harness.up();
	kubectl = new Kubectl(harness.KUBECONFIG);
	await kubectl.run(['delete', 'pod', 'sidecar-pod', '--ignore-not-found', '--now', '--wait=true']);
	const applied = await kubectl.run(['apply', '-f', manifestPath('sidecar-pod')]);
	assert.equal(applied.code, 0, applied.stderr);
});

after(async () => {
	if (!kubectl) return;
	await kubectl.run(['delete', 'pod', 'sidecar-pod', '--ignore-not-found', '--now', '--wait=false']);
	kubectl.dispose();
});

test('the lesson pod reaches 2/2 Running by `kubectl get pod`', async () => {
	const row = await waitUntil('sidecar-pod 2/2 Running', async () => {
		const result = await kubectl.run(['get', 'pod', 'sidecar-pod']);
		const found = parseTable(result.stdout)[0];
		return found?.READY === '2/2' && found.STATUS === 'Running' ? found : undefined;
	}, 90_000);
	assert.equal(row.NAME, 'sidecar-pod');
	assert.equal(row.RESTARTS, '0');
	assert.match(row.AGE ?? '', /^\d+s$/);
});

test('the sidecar container logs what the main container writes to the shared volume', async () => {
	const lines = await waitUntil('two lines in the sidecar log', async () => {
		const result = await kubectl.run(['logs', 'sidecar-pod', '-c', 'sidecar-container']);
		const found = result.stdout.split('\n').filter(Boolean);
		return found.length >= 2 ? found : undefined;
	}, 30_000);
	lines.forEach((line, i) => assert.match(line, new RegExp(`^\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d UTC \\d{4}: Main container log entry ${i}$`)));
	const main = await kubectl.run(['logs', 'sidecar-pod', '-c', 'main-container']);
	assert.equal(main.code, 0, main.stderr);
	assert.equal(main.stdout, '', 'the main container writes to a file, not to stdout');
});

test('`kubectl logs -f` streams new lines as they are written', async () => {
	const followed = await kubectl.follow(['logs', '-f', '--tail=1', 'sidecar-pod', '-c', 'sidecar-container'], out => out.split('\n').filter(Boolean).length >= 2, 20_000);
	assert.equal(followed.timedOut, false, `no second line within 20 s: ${JSON.stringify(followed.stdout)}`);
	const [first, second] = followed.stdout.split('\n').filter(Boolean).map(line => Number(/entry (\d+)$/.exec(line)?.[1]));
	assert.equal(second, (first ?? Number.NaN) + 1);
});

for (const container of ['main-container', 'sidecar-container']) {
	test(`\`kubectl exec ls -la /var/log/\` works in ${container} and shows the shared app.log`, async () => {
		const result = await kubectl.run(['exec', 'sidecar-pod', '-c', container, '--', 'ls', '-la', '/var/log/']);
		assert.equal(result.code, 0, result.stderr);
		const names = result.stdout.split('\n').filter(line => /^[-d]/.test(line)).map(line => line.split(/\s+/).pop());
		assert.deepEqual(names, ['.', '..', 'app.log']);
		assert.match(result.stdout, /^-rw-r--r--\s+1 root\s+root\s+\d+ .* app\.log$/m);
	});
}

test('both containers read the same bytes from the shared volume', async () => {
	// The main container appends every 5 s; read both within one exec so the file cannot move between reads.
	const main = await kubectl.run(['exec', 'sidecar-pod', '-c', 'main-container', '--', 'head', '-n', '1', '/var/log/app.log']);
	const side = await kubectl.run(['exec', 'sidecar-pod', '-c', 'sidecar-container', '--', 'head', '-n', '1', '/var/log/app.log']);
	assert.equal(main.code, 0, main.stderr);
	assert.match(main.stdout, /Main container log entry 0\n$/);
	assert.equal(side.stdout, main.stdout);
});

// podwatch itself on this cluster (dashboard in a pseudo-terminal, inspector, pipe mode): podwatch.test.ts.
