// The real podwatch binary through the demo cluster's faults: piped (every line counted by its
// sequence number) and in a terminal (the "reconnecting…" state is on screen while the API server
// is down, and the live log comes back without a crash).
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {after, before, test} from 'node:test';
import {startPodwatch} from '../e2e/terminal.js';
import {assertNoLoss, compiledCli, loggenPod, report, SeqCounter, startRelCluster, waitUntil, type RelCluster} from './helpers.js';

const RATE = 150;
let env: RelCluster;

before(async () => {
	env = await startRelCluster();
	await env.cluster.applyYaml(loggenPod('seq', {rate: RATE}));
});

after(async () => {
	await env?.close();
});

test('piped podwatch through drops, 410, mid-line cuts, a restart and 500s: every line once, no stack trace', {timeout: 90_000}, async () => {
	const child = spawn(process.execPath, [compiledCli, 'seq', '--kubeconfig', env.kubeconfig, '--tail', '-1'], {
		env: {...process.env, NODE_ENV: 'production', HOME: env.dir},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const counter = new SeqCounter();
	let stderr = '';
	let pending = '';
	let lastArrival = 0;
	child.stdout.setEncoding('utf8');
	child.stdout.on('data', (chunk: string) => {
		const text = pending + chunk;
		const lines = text.split('\n');
		pending = lines.pop() ?? '';
		for (const line of lines) if (counter.add(line) !== undefined) lastArrival = Date.now();
	});
	child.stderr.setEncoding('utf8');
	child.stderr.on('data', (chunk: string) => (stderr += chunk));
	const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
	const {faults} = env.cluster;
	const flowing = async (what: string) => {
		const since = Date.now();
		await waitUntil(() => lastArrival > since + 300 || undefined, `lines flowing again after ${what}`, 20_000);
	};
	const steps: Array<[string, () => unknown]> = [
		['watch streams dropped', () => faults.dropWatches()],
		['log stream cut mid-line', () => faults.cutLogs({midLine: true})],
		['watch expired (410)', () => faults.expireWatches()],
		['API server restarted, down 1.5 s', () => faults.restartServer({downMs: 1500})],
		['2 × 500 after a cut', () => {
			faults.fail(500, {count: 2});
			faults.cutLogs();
		}],
		['log stream stalled 2 s', () => faults.stall('log', 2000)],
	];
	try {
		await waitUntil(() => counter.max >= 100 || undefined, 'the first 100 lines on stdout', 30_000);
		const before = faults.total;
		for (const [name, inject] of steps) {
			await inject();
			await flowing(name);
		}
		faults.reset();
		const end = counter.max + RATE;
		await waitUntil(() => counter.max >= end || undefined, `line ${end}`, 20_000);
		child.kill('SIGTERM');
		await exited;
		const figures = counter.figures();
		report('binary-pipe-faults', {faults: steps.length, injected: faults.total - before, ...figures});
		assertNoLoss(figures, 'piped podwatch');
		assert.ok(!/\n\s+at .+:\d+:\d+/.test(stderr), `no stack trace on stderr: ${stderr}`);
	} finally {
		child.kill('SIGKILL');
		faults.reset();
	}
});

test('in a terminal: "reconnecting…" is shown while the API server is down, then the log is live again; no crash', {timeout: 60_000}, async () => {
	const screen = startPodwatch(['seq', '--kubeconfig', env.kubeconfig], {cols: 120, rows: 30, command: [process.execPath, compiledCli], env: {NODE_ENV: 'production', HOME: env.dir}});
	const {faults} = env.cluster;
	const lastSeq = (text: string) => Math.max(0, ...[...text.matchAll(/P (\d{6}) /g)].map(m => Number(m[1])));
	try {
		await screen.waitFor(s => lastSeq(s) > 20, 20_000);
		const restart = faults.restartServer({downMs: 4000});
		const t0 = Date.now();
		const during = await screen.waitFor(/reconnecting…/, 4000);
		const shownAfter = Date.now() - t0;
		await restart;
		const beforeBack = lastSeq(during);
		const back = await screen.waitFor(s => !/reconnecting…/.test(s) && lastSeq(s) > beforeBack + 10, 15_000);
		const recoveryMs = Date.now() - t0;
		report('binary-terminal-restart', {downMs: 4000, reconnectingShownAfterMs: shownAfter, recoveryMs});
		assert.match(back, /STATUS Running/);
		// Down 4 s: attempts after 0.5, 1 and 2 s (±20 %) fail, the next comes at most 4.8 s later; 2 s for a loaded machine.
		assert.ok(recoveryMs <= 4000 + 4800 + 2000, `live again after ${recoveryMs} ms`);
		screen.press('q');
		assert.equal((await screen.exited).exitCode, 0, 'podwatch was still running and quits cleanly');
	} finally {
		faults.reset();
		await screen.kill();
	}
});

test('in a terminal: a token that stops working mid-session (401) ends in a clear "must be logged in", not a crash or a retry loop', {timeout: 60_000}, async () => {
	const screen = startPodwatch(['seq', '--kubeconfig', env.kubeconfig], {cols: 160, rows: 30, command: [process.execPath, compiledCli], env: {NODE_ENV: 'production', HOME: env.dir}});
	const {faults} = env.cluster;
	try {
		await screen.waitFor(/P \d{6} /, 20_000);
		faults.refuse(401);
		faults.dropWatches();
		faults.cutLogs();
		const text = await screen.waitFor(/must be logged in/, 15_000);
		assert.match(text, /failed/);
		assert.ok(!/\bat .+\.js:\d+:\d+/.test(screen.raw()), 'no stack trace on screen');
		// Still running, showing the problem: it answers q and exits 0.
		screen.press('q');
		const {exitCode} = await screen.exited;
		assert.equal(exitCode, 0);
	} finally {
		faults.reset();
		await screen.kill();
	}
});
