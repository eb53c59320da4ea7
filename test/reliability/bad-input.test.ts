// Bad input through the real binary: names at Kubernetes' length limits, a pod deleted while it is
// viewed, 10 MB log lines, a burst of 100,000 lines. Each must end in a clear screen or message,
// nothing already shown lost, no crash. (Malformed kubeconfig, unknown context, unreachable server
// and a wrong token are covered by test/cli/binary.test.ts; invalid UTF-8 by test/text and
// test/kube/line-splitter.test.ts; the sandbox cannot write invalid UTF-8.)
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {startPodwatch} from '../e2e/terminal.js';
import {compiledCli, kubectl, loggenPod, report, SeqCounter, startRelCluster, waitUntil, type RelCluster} from './helpers.js';

let env: RelCluster;
const POD_253 = `limit-${'a'.repeat(243)}-end`;
const CONTAINER_63 = `c${'b'.repeat(59)}end`;

before(async () => {
	env = await startRelCluster();
});

after(async () => {
	await env?.close();
});

const tty = (args: string[], cols = 80, rows = 24) =>
	startPodwatch([...args, '--kubeconfig', env.kubeconfig], {cols, rows, command: [process.execPath, compiledCli], env: {NODE_ENV: 'production', HOME: env.dir}});

/** Runs podwatch with its output piped; resolves when `done` says so (or it exits). */
function piped(args: string[]) {
	const child = spawn(process.execPath, [compiledCli, ...args, '--kubeconfig', env.kubeconfig], {env: {...process.env, NODE_ENV: 'production', HOME: env.dir}, stdio: ['ignore', 'pipe', 'pipe']});
	const lines: string[] = [];
	let pending = '';
	let stderr = '';
	child.stdout.setEncoding('utf8');
	child.stdout.on('data', (chunk: string) => {
		const parts = (pending + chunk).split('\n');
		pending = parts.pop() ?? '';
		lines.push(...parts);
	});
	child.stderr.setEncoding('utf8');
	child.stderr.on('data', (chunk: string) => (stderr += chunk));
	const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
	return {child, lines, stderr: () => stderr, exited, pending: () => pending};
}

test('a 253-character pod name and a 63-character container name at 80x24: list, pod view and piped lines', {timeout: 60_000}, async () => {
	await env.cluster.applyYaml(
		['apiVersion: v1', 'kind: Pod', `metadata: {name: ${POD_253}}`, 'spec:', '  containers:', `  - name: ${CONTAINER_63}`, '    image: busybox:1.36', '    command: ["sh", "-c", "echo long-names-ok; sleep infinity"]', ''].join('\n'),
	);
	const list = tty([]);
	try {
		const text = await list.waitFor(s => s.includes('limit-aaaa') && /1\/1/.test(s), 20_000);
		assert.ok(text.split('\n').every(l => l.length <= 80), 'every row fits 80 columns');
	} finally {
		await list.kill();
	}
	const view = tty([POD_253]);
	try {
		const text = await view.waitFor(s => /long-names-ok/.test(s) && /READY 1\/1/.test(s), 20_000);
		assert.match(text, /limit-aaaa/);
		assert.match(text, /cbbbb/);
	} finally {
		await view.kill();
	}
	const run = piped([POD_253]);
	try {
		await waitUntil(() => run.lines.some(l => l === `[${CONTAINER_63}] long-names-ok`) || undefined, 'the prefixed line', 20_000);
	} finally {
		run.child.kill('SIGKILL');
	}
});

test('a pod deleted while viewed: its lines stay on screen with a clear note; piped, podwatch ends with 0', {timeout: 60_000}, async () => {
	await env.cluster.applyYaml(loggenPod('victim', {rate: 20, lines: 40}));
	const screen = tty(['victim'], 120, 30);
	const run = piped(['victim']);
	try {
		await screen.waitFor(/P 000040 /, 20_000);
		await waitUntil(() => run.lines.some(l => / P 000040 /.test(` ${l}`)) || undefined, 'line 40 piped', 20_000);
		const deleted = await kubectl(env.kubeconfig, ['delete', 'pod', 'victim', '--grace-period=0', '--wait=false'], env.dir);
		assert.equal(deleted.code, 0, deleted.stderr);
		const text = await screen.waitFor(/pod deleted/, 15_000);
		assert.match(text, /P 000040 /, 'the last line is still on screen');
		assert.equal(await run.exited, 0, run.stderr());
		const counter = new SeqCounter();
		for (const line of run.lines) counter.add(line);
		const figures = counter.figures();
		assert.deepEqual([figures.expected, figures.lost, figures.duplicated], [40, 0, 0]);
	} finally {
		run.child.kill('SIGKILL');
		await screen.kill();
	}
});

test('10 MB log lines: shown cut with a marker, the lines after them intact, the dashboard still answers keys', {timeout: 90_000}, async () => {
	const run = piped(['huge']);
	const screen = tty(['huge'], 120, 30);
	try {
		await screen.waitFor(/not found|waiting|loading/, 20_000);
		// Created after podwatch waits for it, so that every line is followed live.
		await env.cluster.applyYaml(loggenPod('huge', {rate: 1, lines: 3, prefix: 'P'}).replace('args: [', 'args: ["--size", "10485760", '));
		await waitUntil(() => run.lines.some(l => /P 000003 /.test(l)) || undefined, 'the third 10 MB line, piped', 60_000);
		const huge = run.lines.filter(l => /P 00000\d /.test(l));
		const counter = new SeqCounter();
		for (const line of huge) counter.add(line);
		const figures = counter.figures();
		// Line 1 is written the moment the container starts, usually before the follow request
		// arrives; the server's 2 MiB log buffer cannot hold a 10 MB line afterwards (kubectl logs
		// does not show it either). Lines 2 and 3 come while podwatch follows: both must arrive.
		const server = await kubectl(env.kubeconfig, ['logs', 'huge'], env.dir);
		const serverHasFirst = /P 000001 /.test(server.stdout);
		report('huge-lines', {bytesPerLine: 10_485_760, ...figures, serverHasFirst, pipedLengths: huge.map(l => l.length), tail: huge[0]?.slice(-60)});
		assert.equal(figures.lost, serverHasFirst ? 0 : figures.firstLost === 1 ? 1 : 0, `lost: ${JSON.stringify(figures)}`);
		assert.equal(figures.duplicated, 0);
		for (const line of huge) assert.ok(line.length < 70_000 && line.endsWith('[… line cut at 64 KiB]'), `cut with a marker: …${line.slice(-120)}`);
		// Wrapped, a 64 KiB line fills the column with its tail; w turns wrapping off to see its start.
		await screen.waitFor(/x{100}/, 30_000);
		screen.press('w');
		const unwrapped = await screen.waitFor(/P 000003 /, 30_000);
		assert.equal(unwrapped.split('\n').filter(l => /^P 00000\d /.test(l)).length, 2, unwrapped);
		screen.press('?');
		await screen.waitFor(/help|Keys|keys/, 10_000);
	} finally {
		run.child.kill('SIGKILL');
		await screen.kill();
	}
});

test('a burst of 100,000 lines: every line the server kept arrives once, in order; the screen shows the last', {timeout: 90_000}, async () => {
	const run = piped(['flood', '--tail', '-1']);
	const screen = tty(['flood'], 120, 30);
	try {
		await screen.waitFor(/not found|waiting|loading/, 20_000);
		const t0 = Date.now();
		await env.cluster.applyYaml(loggenPod('flood', {rate: 0, lines: 100_000}));
		await waitUntil(() => run.lines.some(l => /P 100000 /.test(l)) || undefined, 'line 100000, piped', 60_000);
		const pipedMs = Date.now() - t0;
		await screen.waitFor(/P 100000 /, 30_000);
		const screenMs = Date.now() - t0;
		const counter = new SeqCounter();
		const order: number[] = [];
		for (const line of run.lines) {
			const n = counter.add(line);
			if (n !== undefined) order.push(n);
		}
		// What the server still holds (its per-instance log buffer is 2 MiB, like log rotation).
		const server = await kubectl(env.kubeconfig, ['logs', 'flood'], env.dir);
		const kept = server.stdout.split('\n').filter(Boolean).length;
		const first = order[0] ?? 0;
		const figures = counter.figures();
		const lostOfKept = 100_000 - first + 1 - new Set(order).size;
		report('flood', {lines: 100_000, received: order.length, firstReceived: first, serverKeeps: kept, lostOfKept, duplicated: figures.duplicated, pipedMs, screenMs});
		assert.ok(first <= 100_000 - kept + 1, `podwatch began at line ${first}, but the server still keeps the last ${kept}`);
		assert.equal(figures.duplicated, 0);
		assert.ok(order.every((n, i) => i === 0 || n === order[i - 1]! + 1), 'in order, no gap');
		assert.equal(order.at(-1), 100_000);
	} finally {
		run.child.kill('SIGKILL');
		await screen.kill();
	}
});

test('piped, following a pod on a server that does not answer: the reason is on stderr at once, not silence', {timeout: 30_000}, async () => {
	const closed = await new Promise<number>(resolve => {
		const server = net.createServer();
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
	const kubeconfig = path.join(env.dir, 'unreachable');
	fs.writeFileSync(kubeconfig, env.cluster.kubeconfigYaml.replace(/server: https:\/\/127\.0\.0\.1:\d+/, `server: https://127.0.0.1:${closed}`));
	const child = spawn(process.execPath, [compiledCli, 'some-pod', '--kubeconfig', kubeconfig], {env: {...process.env, NODE_ENV: 'production', HOME: env.dir}, stdio: ['ignore', 'pipe', 'pipe']});
	let stderr = '';
	child.stderr.setEncoding('utf8');
	child.stderr.on('data', (chunk: string) => (stderr += chunk));
	try {
		await waitUntil(() => /refused/.test(stderr) || undefined, 'the reason on stderr', 10_000);
		assert.match(stderr, new RegExp(`127\\.0\\.0\\.1:${closed} was refused.*Retrying \\(Ctrl-C to stop\\)\\.`));
		assert.equal(stderr.trim().split('\n').length, 1, `said once, not at every attempt: ${stderr}`);
		assert.equal(child.exitCode, null, 'still retrying');
	} finally {
		child.kill('SIGKILL');
	}
});
