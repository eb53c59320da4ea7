// `podwatch demo` in the foreground: one ready line, kubectl works with the printed
// KUBECONFIG, manifests are applied, SIGTERM stops it and removes the kubeconfig.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, describe, it} from 'node:test';
import {findKubectl, parseColumns, repoPath, waitFor} from './helpers.js';
import {execFile} from 'node:child_process';

const dir = mkdtempSync(join(tmpdir(), 'podwatch-demo-cmd-'));
after(() => rmSync(dir, {recursive: true, force: true}));

function runDemo(args: {kubeconfig?: string; port?: number; apply: string[]}) {
	const moduleUrl = new URL('../../demo/server/index.js', import.meta.url).href;
	const script = `import {runDemoCommand} from ${JSON.stringify(moduleUrl)};\nprocess.exitCode = await runDemoCommand(${JSON.stringify(args)}, {stdout: process.stdout, stderr: process.stderr});`;
	const child = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', d => (stdout += String(d)));
	child.stderr.on('data', d => (stderr += String(d)));
	const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
	return {child, exited, out: () => stdout, err: () => stderr};
}

const kubectl = (kubeconfig: string, args: string[]) =>
	new Promise<{code: number; stdout: string; stderr: string}>(resolve => {
		execFile(findKubectl(), ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], {env: {...process.env, HOME: dir}}, (error, stdout, stderr) =>
			resolve({code: error ? Number(error.code ?? 1) : 0, stdout, stderr}),
		);
	});

describe('podwatch demo (runDemoCommand)', () => {
	it('prints one ready line, applies manifests, serves kubectl, and cleans up on SIGTERM', async () => {
		const kubeconfig = join(dir, 'demo.kubeconfig');
		const demo = runDemo({kubeconfig, apply: [repoPath('demo', 'manifests')]});
		try {
			const line = await waitFor('the ready line', () => (demo.out().includes('\n') ? demo.out() : undefined), 10_000);
			assert.match(line, /^podwatch demo cluster ready at https:\/\/127\.0\.0\.1:\d+ — export KUBECONFIG=.*demo\.kubeconfig\n$/);
			assert.ok(existsSync(kubeconfig));
			assert.match(readFileSync(kubeconfig, 'utf8'), /current-context: podwatch-demo/);
			const row = await waitFor('sidecar-pod Running', async () => {
				const r = await kubectl(kubeconfig, ['get', 'pod', 'sidecar-pod']);
				const [first] = parseColumns(r.stdout);
				return first?.STATUS === 'Running' ? first : undefined;
			});
			assert.equal(row.READY, '2/2');
		} finally {
			demo.child.kill('SIGTERM');
		}
		assert.equal(await demo.exited, 0);
		assert.equal(demo.err(), '');
		assert.equal(existsSync(kubeconfig), false, 'the kubeconfig it wrote is removed');
	});

	it('explains a bad manifest path in one paragraph and keeps running', async () => {
		const kubeconfig = join(dir, 'bad.kubeconfig');
		const demo = runDemo({kubeconfig, apply: [join(dir, 'missing.yaml')]});
		try {
			const err = await waitFor('the error paragraph', () => (demo.err().includes('\n') ? demo.err() : undefined), 10_000);
			assert.match(err, /^podwatch demo: could not apply .*missing\.yaml: no such file or directory\. .*\n$/);
			assert.ok(!err.includes('    at '), 'no stack trace');
		} finally {
			demo.child.kill('SIGTERM');
		}
		assert.equal(await demo.exited, 0);
	});

	it("refuses to overwrite (and later delete) a kubeconfig that is not the demo's", async () => {
		const precious = join(dir, 'config');
		writeFileSync(precious, 'apiVersion: v1\nkind: Config\ncurrent-context: work\n');
		const demo = runDemo({kubeconfig: precious, apply: []});
		assert.equal(await demo.exited, 1);
		assert.match(demo.err(), /already exists and is not a podwatch demo kubeconfig, so it was left alone/);
		assert.equal(readFileSync(precious, 'utf8'), 'apiVersion: v1\nkind: Config\ncurrent-context: work\n');
	});

	it('says which port is taken instead of crashing', async () => {
		const first = runDemo({kubeconfig: join(dir, 'a.kubeconfig'), apply: []});
		try {
			const line = await waitFor('first ready line', () => (first.out().includes('\n') ? first.out() : undefined), 10_000);
			const port = Number(/127\.0\.0\.1:(\d+)/.exec(line)![1]);
			const second = runDemo({kubeconfig: join(dir, 'b.kubeconfig'), port, apply: []});
			assert.equal(await second.exited, 1);
			assert.match(second.err(), new RegExp(`^podwatch demo: port ${port} on 127\\.0\\.0\\.1 is already in use\\. .*--port`));
		} finally {
			first.child.kill('SIGTERM');
		}
		await first.exited;
	});
});
