// The real binary, not on a terminal: what a kubectl user meets first — configuration problems,
// pipes, and `podwatch inspect` — against a demo cluster the test starts in-process.
import {test, after, before} from 'node:test';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {startDemoCluster, type DemoCluster} from '../../demo/server/index.js';
import {cliPath, launcherPath} from '../e2e/terminal.js';

const repo = path.resolve(path.dirname(cliPath), '..');
const manifests = path.join(repo, 'demo', 'manifests');
const home = mkdtempSync(path.join(tmpdir(), 'podwatch-cli-'));
let cluster: DemoCluster;
let kubeconfig: string;

before(async () => {
	kubeconfig = path.join(home, 'demo.kubeconfig');
	cluster = await startDemoCluster({
		kubeconfigPath: kubeconfig,
		manifests: ['sidecar-pod.yaml', 'distroless.yaml', 'different-paths.yaml', 'configmap-shared.yaml'].map(name => path.join(manifests, name)),
	});
});

after(async () => {
	await cluster.stop();
	rmSync(home, {recursive: true, force: true});
});

type Run = {code: number | null; stdout: string; stderr: string};

/** Runs podwatch with piped stdio; `until` ends it early (SIGINT) once stdout matches. */
function podwatch(args: string[], env: NodeJS.ProcessEnv, until?: RegExp, timeoutMs = 20_000): Promise<Run> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [launcherPath, ...args], {env: {PATH: process.env['PATH'], HOME: home, ...env}, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`podwatch ${args.join(' ')} did not finish in ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
		}, timeoutMs);
		child.stdout.on('data', chunk => {
			stdout += String(chunk);
			if (until?.test(stdout)) child.kill('SIGINT');
		});
		child.stderr.on('data', chunk => (stderr += String(chunk)));
		child.on('exit', code => {
			clearTimeout(timer);
			resolve({code, stdout, stderr});
		});
	});
}

function assertNoStackTrace(run: Run) {
	assert.doesNotMatch(run.stderr, /\n\s+at .+\(.+:\d+:\d+\)/, `no stack trace:\n${run.stderr}`);
}

test('no configuration at all says so and offers the demo cluster, instead of trying localhost:8080', async () => {
	const run = await podwatch([], {});
	assert.equal(run.code, 1);
	assert.match(run.stderr, /podwatch --demo/);
	assert.doesNotMatch(run.stderr, /8080/);
	assertNoStackTrace(run);
});

test('a malformed kubeconfig and an unknown context are named with the fix', async () => {
	const broken = path.join(home, 'broken.kubeconfig');
	writeFileSync(broken, 'apiVersion: v1\nclusters: [this is: not yaml\n');
	let run = await podwatch([], {KUBECONFIG: broken});
	assert.equal(run.code, 1);
	assert.match(run.stderr, /broken\.kubeconfig/);
	assertNoStackTrace(run);

	run = await podwatch(['--context', 'nope'], {KUBECONFIG: kubeconfig});
	assert.equal(run.code, 1);
	assert.match(run.stderr, /context "?nope"?/);
	assert.match(run.stderr, /podwatch-demo/, 'the contexts that exist are listed');
	assertNoStackTrace(run);
});

test('an unreachable server and a wrong token get one clear message each', async () => {
	const unreachable = path.join(home, 'unreachable.kubeconfig');
	writeFileSync(
		unreachable,
		`apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
	);
	let run = await podwatch([], {KUBECONFIG: unreachable});
	assert.equal(run.code, 1);
	assert.match(run.stderr, /127\.0\.0\.1:1/);
	assert.match(run.stderr, /refused/i);
	assertNoStackTrace(run);

	const wrongToken = path.join(home, 'wrong-token.kubeconfig');
	writeFileSync(wrongToken, cluster.kubeconfigYaml.replace(cluster.token, 'not-the-token'));
	run = await podwatch([], {KUBECONFIG: wrongToken});
	assert.equal(run.code, 1);
	assert.match(run.stderr, /Unauthorized/);
	assertNoStackTrace(run);
});

test('piped, podwatch lists pods once like kubectl get pods', async () => {
	const run = await podwatch([], {KUBECONFIG: kubeconfig});
	assert.equal(run.code, 0);
	const lines = run.stdout.trim().split('\n');
	assert.match(lines[0]!, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
	assert.ok(lines.some(line => /^sidecar-pod\s+\d\/2\s+/.test(line)));
});

test('piped, podwatch POD streams every container prefixed with its name', async () => {
	const run = await podwatch(['sidecar-pod'], {KUBECONFIG: kubeconfig}, /\[sidecar-container\] .*Main container log entry 0/);
	assert.match(run.stdout, /^\[sidecar-container\] \w{3} \w{3} +\d+ [\d:]+ UTC \d{4}: Main container log entry 0$/m);
	assert.equal(run.stderr, '');
});

test('podwatch inspect: same files in both containers of the lesson pod (exit 0), JSON on request', async () => {
	let run = await podwatch(['inspect', 'sidecar-pod'], {KUBECONFIG: kubeconfig});
	assert.equal(run.code, 0, run.stdout + run.stderr);
	assert.match(run.stdout, /\$ kubectl exec sidecar-pod -c main-container -- ls -la \/var\/log\//);
	assert.match(run.stdout, /\$ kubectl exec sidecar-pod -c sidecar-container -- ls -la \/var\/log\//);
	assert.match(run.stdout, /✓ app\.log/);
	assert.match(run.stdout, /Verdict: all 2 containers that mount shared-logs see the same files\./);

	run = await podwatch(['inspect', 'sidecar-pod', '--file', 'app.log', '-o', 'json'], {KUBECONFIG: kubeconfig});
	assert.equal(run.code, 0);
	const report = JSON.parse(run.stdout) as {verdict: string; files: Array<{path: string; verdict: string; contents: Array<{hash: string}>}>};
	assert.equal(report.verdict, 'same');
	assert.equal(report.files[0]!.path, 'app.log');
	assert.equal(report.files[0]!.contents.length, 2);
	assert.equal(report.files[0]!.contents[0]!.hash, report.files[0]!.contents[1]!.hash);
});

test('podwatch inspect across different mount paths translates the paths', async () => {
	const run = await podwatch(['inspect', 'different-paths'], {KUBECONFIG: kubeconfig});
	assert.match(run.stdout, /ls -la \/producer\/out\//);
	assert.match(run.stdout, /ls -la \/consumer\/in\//);
	assert.ok(run.code === 0 || run.code === 1, `exit ${run.code}: ${run.stderr}`);
	assertNoStackTrace(run);
});

test('podwatch inspect on an unknown pod or volume exits 2 with the names there are', async () => {
	let run = await podwatch(['inspect', 'nosuch'], {KUBECONFIG: kubeconfig});
	assert.equal(run.code, 2);
	assert.match(run.stderr, /pod "nosuch" not found in namespace "default"/);
	run = await podwatch(['inspect', 'sidecar-pod', '--volume', 'nope'], {KUBECONFIG: kubeconfig});
	assert.equal(run.code, 2);
	assert.match(run.stderr, /no mounted volume "nope"; its volumes are: shared-logs/);
});

test('podwatch inspect on the configMap pod: the same keys, read-only, in both containers', async () => {
	const run = await podwatch(['inspect', 'configmap-shared', '--volume', 'config', '--file', 'greeting'], {KUBECONFIG: kubeconfig});
	assert.equal(run.code, 0, run.stdout + run.stderr);
	assert.match(run.stdout, /volume config \(configMap app-config\)/);
	assert.match(run.stdout, /\(ro\)/);
	assert.match(run.stdout, /Hello from the ConfigMap/);
	assert.match(run.stdout, /✓ same content in all 2 containers/);
});

test('podwatch inspect where one container has no ls (distroless): that panel explains, exit 2', async () => {
	const run = await podwatch(['inspect', 'distroless'], {KUBECONFIG: kubeconfig});
	assert.equal(run.code, 2, run.stdout + run.stderr);
	assert.match(run.stdout, /`ls` is not in this container's image.*kubectl debug -it distroless --image=busybox:1\.36 --target=app/);
	assert.match(run.stdout, /\$ kubectl exec distroless -c debug -- ls -la /, 'the other container is still listed');
	assertNoStackTrace(run);
});
