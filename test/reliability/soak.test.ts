// Soak: the real binary (one in a terminal, one piped) follows a loggen pod for a while, through a
// fault every few seconds and terminal resizes, and must end with no line lost or repeated and
// flat memory (RSS at the end vs. after warm-up). Short in `npm test` (20 s);
// PODWATCH_SOAK_SECONDS=600 runs it for ten minutes.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import {after, before, test} from 'node:test';
import {startPodwatch} from '../e2e/terminal.js';
import {assertNoLoss, compiledCli, loggenPod, report, SeqCounter, startRelCluster, waitUntil, type RelCluster} from './helpers.js';

const SECONDS = Number(process.env['PODWATCH_SOAK_SECONDS'] ?? 20);
const RATE = 200;
/** Lines kept per container: small, so that the buffer is full after the warm-up. */
const BUFFER = 1000;
/** Allowed growth of RSS from the end of the warm-up to the end (garbage collection is lazy; a leak of one object per line would pass 2x within minutes). */
const MAX_GROWTH = SECONDS >= 120 ? 1.3 : 1.6;
let env: RelCluster;

before(async () => {
	env = await startRelCluster();
	await env.cluster.applyYaml(loggenPod('soak', {rate: RATE}));
});

after(async () => {
	await env?.close();
});

/** RSS in KiB of a process, from /proc. */
function rssKiB(pid: number): number {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
}

/** The pid of the podwatch that node-pty started: our child running the CLI (it renames itself "podwatch"), not the piped one. */
function ptyChildPid(exclude: number): number | undefined {
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			if (Number(entry) === exclude) continue;
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
			if (ppid === process.pid && (cmdline.startsWith('podwatch') || cmdline.includes(compiledCli))) return Number(entry);
		} catch {
			// gone
		}
	}
	return undefined;
}

// An error thrown from a callback after the test (e.g. a stream written after its end) fails the
// file with its message only; print its stack too, so that it can be found.
process.on('uncaughtExceptionMonitor', error => console.error(`[soak] uncaught: ${error.stack ?? String(error)}`));

test(`soak for ${SECONDS} s: faults every 3 s and resizes, no line lost, memory flat`, {timeout: (SECONDS + 90) * 1000}, async () => {
	const piped = spawn(process.execPath, [compiledCli, 'soak', '--kubeconfig', env.kubeconfig, '--tail', '-1'], {
		env: {...process.env, NODE_ENV: 'production', HOME: env.dir},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const counter = new SeqCounter();
	let pending = '';
	piped.stdout.setEncoding('utf8');
	piped.stdout.on('data', (chunk: string) => {
		const parts = (pending + chunk).split('\n');
		pending = parts.pop() ?? '';
		for (const line of parts) counter.add(line);
	});
	let stderr = '';
	piped.stderr.setEncoding('utf8');
	piped.stderr.on('data', (chunk: string) => (stderr += chunk));
	const screen = startPodwatch(['soak', '--kubeconfig', env.kubeconfig, '--buffer', String(BUFFER)], {cols: 120, rows: 30, command: [process.execPath, compiledCli], env: {NODE_ENV: 'production', HOME: env.dir}});
	const {faults} = env.cluster;
	const sizes: Array<[number, number]> = [[80, 24], [160, 45], [120, 30], [100, 20]];
	const injections: Array<[string, () => unknown]> = [
		['drop watches', () => faults.dropWatches()],
		['cut logs mid-line', () => faults.cutLogs({midLine: true})],
		['expire watches (410)', () => faults.expireWatches()],
		['cut logs', () => faults.cutLogs()],
		['restart the API server (down 0.5 s)', () => faults.restartServer({downMs: 500})],
		['stall logs 1 s', () => faults.stall('log', 1000)],
	];
	let exitedEarly = false;
	void screen.exited.then(() => (exitedEarly = true));
	try {
		await screen.waitFor(/P \d{6} /, 20_000);
		const ptyPid = await waitUntil(() => ptyChildPid(piped.pid!), 'the podwatch process in the PTY', 5000);
		const started = Date.now();
		const warmUpMs = Math.max(8000, SECONDS * 300);
		let warm: {tty: number; pipe: number} | undefined;
		let peak = {tty: 0, pipe: 0};
		let tick = 0;
		let faultsInjected = 0;
		while (Date.now() - started < SECONDS * 1000) {
			await new Promise(resolve => setTimeout(resolve, 1000));
			tick++;
			const [cols, rows] = sizes[tick % sizes.length]!;
			screen.resize(cols, rows);
			if (tick % 3 === 0) {
				const [, inject] = injections[(tick / 3 - 1) % injections.length]!;
				await inject();
				faultsInjected++;
			}
			const now = {tty: rssKiB(ptyPid), pipe: rssKiB(piped.pid!)};
			if (!warm && Date.now() - started >= warmUpMs) warm = now;
			if (warm) peak = {tty: Math.max(peak.tty, now.tty), pipe: Math.max(peak.pipe, now.pipe)};
			assert.equal(exitedEarly, false, 'podwatch in the terminal exited');
		}
		faults.reset();
		screen.resize(120, 30);
		const end = counter.max + RATE;
		await waitUntil(() => counter.max >= end || undefined, `line ${end} piped`, 20_000);
		// A whole frame (header and column title, not only lines caught mid-redraw) with a recent line.
		const lastOnScreen = await screen.waitFor(s => /following|live/.test(s) && Math.max(0, ...[...s.matchAll(/P (\d{6}) /g)].map(m => Number(m[1]))) >= end - RATE, 20_000);
		const final = {tty: rssKiB(ptyPid), pipe: rssKiB(piped.pid!)};
		const figures = counter.figures();
		const growth = {tty: Number((final.tty / warm!.tty).toFixed(2)), pipe: Number((final.pipe / warm!.pipe).toFixed(2))};
		report('soak', {seconds: SECONDS, rate: RATE, faultsInjected, resizes: tick, ...figures, rssKiB: {warm, peak, final}, growth, maxGrowth: MAX_GROWTH});
		assertNoLoss(figures, 'soak (piped)');
		assert.ok(figures.expected >= SECONDS * RATE * 0.5, `only ${figures.expected} lines in ${SECONDS} s`);
		assert.ok(growth.tty <= MAX_GROWTH, `RSS of the dashboard grew ${growth.tty}x after warm-up (${warm!.tty} → ${final.tty} KiB)`);
		assert.ok(growth.pipe <= MAX_GROWTH, `RSS of the piped podwatch grew ${growth.pipe}x after warm-up (${warm!.pipe} → ${final.pipe} KiB)`);
		assert.match(lastOnScreen, /live|following/);
		assert.ok(!/\n\s+at .+:\d+:\d+/.test(stderr), `no stack trace: ${stderr}`);
	} finally {
		faults.reset();
		piped.kill('SIGKILL');
		await screen.kill();
	}
});
