// Shared machinery for the benchmarks: the demo cluster in its own process, kubectl pointed at it,
// the real podwatch binary in a pseudo-terminal read through xterm's headless emulator, and
// /proc readings (CPU, RSS) of the processes measured.
//
// The PTY driver here complements test/e2e/terminal.ts (whose cliPath and keys it reuses): the
// end-to-end driver polls the screen every 50 ms, too coarse for millisecond figures, and does not
// expose the child's pid or when each output burst arrived. Here every burst is timestamped on
// arrival and screen conditions are checked as soon as xterm has parsed it.
import {spawn as spawnPty, type IPty} from '@lydell/node-pty';
import xterm from '@xterm/headless';
import {CoreV1Api, KubeConfig, type V1Pod} from '@kubernetes/client-node';
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {cliPath, launcherPath, stopPty} from '../test/e2e/terminal.js';

export {cliPath, keys, launcherPath} from '../test/e2e/terminal.js';

const {Terminal} = xterm;

export const kubectlBinary = process.env['KUBECTL'] ?? 'kubectl';

/** Fails loudly (no silent skip) when kubectl, the reference, is missing. */
export function requireKubectl(): string {
	const probe = spawnSync(kubectlBinary, ['version', '--client', '-o', 'json'], {encoding: 'utf8'});
	if (probe.error || probe.status !== 0) {
		throw new Error(`kubectl is required: every benchmark is measured against it, and '${kubectlBinary}' could not be run (${probe.error?.message ?? probe.stderr.trim()}). Install kubectl, or point KUBECTL at it.`);
	}

	const info = JSON.parse(probe.stdout) as {clientVersion?: {gitVersion?: string}};
	return info.clientVersion?.gitVersion ?? 'unknown';
}

export const sleep = async (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

/** Polls `test` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function poll<T>(what: string, test: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, everyMs = 20): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await test();
		if (value !== undefined && value !== false) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(everyMs);
	}
}

// ---------------------------------------------------------------------------------------------
// The demo cluster, in its own process.

export type ClusterProcess = {
	kubeconfig: string;
	cacheDir: string;
	pid: number;
	api: CoreV1Api;
	kubectl(args: string[], options?: {input?: string; stdout?: 'ignore' | 'pipe'}): Promise<KubectlResult>;
	/** Spawns kubectl without waiting (for follows). */
	spawnKubectl(args: string[], stdout: 'ignore' | 'pipe'): ChildProcess;
	stop(): Promise<void>;
};

export type KubectlResult = {code: number; stdout: string; stderr: string; ms: number};

const liveClusters = new Set<ClusterProcess>();

/** Stops every cluster still running (the runner calls it when interrupted). */
export async function stopAllClusters(): Promise<void> {
	await Promise.all([...liveClusters].map(async cluster => cluster.stop()));
}

export async function startCluster(): Promise<ClusterProcess> {
	const dir = mkdtempSync(path.join(tmpdir(), 'podwatch-bench-'));
	const kubeconfig = path.join(dir, 'kubeconfig');
	const cacheDir = path.join(dir, 'kube-cache');
	const child = spawn(process.execPath, [cliPath, 'demo', '--port', '0', '--kubeconfig', kubeconfig], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NODE_ENV: process.env['NODE_ENV'] ?? 'production'}});
	let output = '';
	child.stdout.setEncoding('utf8');
	child.stderr.setEncoding('utf8');
	child.stdout.on('data', (chunk: string) => (output += chunk));
	child.stderr.on('data', (chunk: string) => (output += chunk));
	const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
	let gone = false;
	void exited.then(() => (gone = true));
	try {
		await poll('the demo cluster\'s ready line', () => (gone ? Promise.reject(new Error(`the demo cluster exited before it was ready: ${output.trim()}`)) : output.includes('cluster ready at')), 30_000, 25);
	} catch (error) {
		child.kill('SIGKILL');
		rmSync(dir, {recursive: true, force: true});
		throw error;
	}

	const kc = new KubeConfig();
	kc.loadFromString(readFileSync(kubeconfig, 'utf8'));
	const api = kc.makeApiClient(CoreV1Api);
	const base = ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir];
	const spawnKubectl = (args: string[], stdout: 'ignore' | 'pipe') => spawn(kubectlBinary, [...base, ...args], {stdio: ['pipe', stdout, 'pipe']});
	const cluster: ClusterProcess = {
		kubeconfig,
		cacheDir,
		pid: child.pid!,
		api,
		spawnKubectl,
		async kubectl(args, options = {}) {
			const started = performance.now();
			const proc = spawnKubectl(args, options.stdout ?? 'pipe');
			let stdout = '';
			let stderr = '';
			proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
			proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
			proc.stdin!.end(options.input ?? '');
			const code = await new Promise<number>(resolve => proc.once('close', code => resolve(code ?? 1)));
			return {code, stdout, stderr, ms: performance.now() - started};
		},
		async stop() {
			liveClusters.delete(cluster);
			if (!gone) {
				child.kill('SIGTERM');
				const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
				await exited;
				clearTimeout(timer);
			}

			rmSync(dir, {recursive: true, force: true});
		},
	};
	liveClusters.add(cluster);
	return cluster;
}

/** kubectl, failing with its own message when it fails. */
export async function kubectlOk(cluster: ClusterProcess, args: string[], input?: string): Promise<KubectlResult> {
	const result = await cluster.kubectl(args, input === undefined ? {} : {input});
	if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`);
	return result;
}

export async function readPod(cluster: ClusterProcess, name: string, namespace = 'default'): Promise<V1Pod | undefined> {
	try {
		return await cluster.api.readNamespacedPod({name, namespace});
	} catch {
		return undefined;
	}
}

/** Waits until every named container of the pod is running (or has run). */
export async function waitContainersStarted(cluster: ClusterProcess, pod: string, containers: string[], timeoutMs: number, everyMs = 10): Promise<void> {
	await poll(`containers ${containers.join(', ')} of ${pod} to start`, async () => {
		const current = await readPod(cluster, pod);
		const statuses = current?.status?.containerStatuses ?? [];
		return containers.every(name => {
			const state = statuses.find(s => s.name === name)?.state;
			return Boolean(state?.running ?? state?.terminated);
		});
	}, timeoutMs, everyMs);
}

export async function waitPodPhase(cluster: ClusterProcess, pod: string, phases: string[], timeoutMs: number): Promise<void> {
	await poll(`${pod} to be ${phases.join(' or ')}`, async () => phases.includes((await readPod(cluster, pod))?.status?.phase ?? ''), timeoutMs, 50);
}

// ---------------------------------------------------------------------------------------------
// Pods.

export type Obj = Record<string, unknown>;

/**
 * Loggen containers held back by an init container until the bench opens the gate, so that a
 * client can be attached before the first line is written and every line reaches it live (the demo
 * kubelet, like a real one, keeps only the last 2 MB of a container's log).
 */
export function gatedLoggenPod(name: string, containers: Array<{name: string; args: string[]}>): Obj {
	return {
		apiVersion: 'v1',
		kind: 'Pod',
		metadata: {name, labels: {app: 'podwatch-bench'}},
		spec: {
			restartPolicy: 'Never',
			terminationGracePeriodSeconds: 0,
			initContainers: [{name: 'gate', image: 'busybox:1.36', command: ['sh', '-c', 'until [ -f /tmp/go ]; do sleep 0.02; done']}],
			containers: containers.map(c => ({name: c.name, image: 'podwatch/loggen:latest', args: c.args})),
		},
	};
}

export async function openGate(cluster: ClusterProcess, pod: string): Promise<void> {
	await kubectlOk(cluster, ['exec', pod, '-c', 'gate', '--', 'touch', '/tmp/go']);
}

export async function applyObjects(cluster: ClusterProcess, objects: Obj[]): Promise<void> {
	await kubectlOk(cluster, ['apply', '-f', '-'], JSON.stringify({apiVersion: 'v1', kind: 'List', items: objects}));
}

export async function deletePod(cluster: ClusterProcess, name: string): Promise<void> {
	try {
		await cluster.api.deleteNamespacedPod({name, namespace: 'default', gracePeriodSeconds: 0});
	} catch {
		// Already gone.
	}
}

// ---------------------------------------------------------------------------------------------
// /proc.

const clockTicks = (() => {
	const out = spawnSync('getconf', ['CLK_TCK'], {encoding: 'utf8'});
	const value = Number(out.stdout?.trim());
	return Number.isFinite(value) && value > 0 ? value : 100;
})();

/** User + system CPU time of a process, in ms. */
export function cpuMs(pid: number): number {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	// The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

/** Resident set size of a process, in MB. */
export function rssMb(pid: number): number {
	const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	if (!match) throw new Error(`no VmRSS for pid ${pid}`);
	return Number(match[1]) / 1024;
}

/** Peak RSS of a running process sampled every `everyMs` until `stop()`. */
export function sampleRss(pid: number, everyMs = 50): {stop(): number} {
	let peak = 0;
	const take = () => {
		try {
			peak = Math.max(peak, rssMb(pid));
		} catch {
			// The process has exited.
		}
	};

	take();
	const timer = setInterval(take, everyMs);
	return {
		stop() {
			clearInterval(timer);
			take();
			return peak;
		},
	};
}

export function loadAverage(): string {
	return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

// ---------------------------------------------------------------------------------------------
// podwatch in a pseudo-terminal.

export type Tty = {
	pid: number;
	screen(): string;
	raw(): string;
	/** performance.now() of every output burst, in arrival order. */
	bursts: number[];
	/**
	 * Resolves with the arrival time (performance.now()) of the output burst after which the screen
	 * first satisfies `test` (checked at once, then after each burst), or rejects after `timeoutMs`.
	 */
	waitScreen(what: string, test: (screen: string) => boolean, timeoutMs: number): Promise<number>;
	press(keys: string): void;
	readonly exited: Promise<number>;
	kill(): Promise<void>;
};

export function startTty(args: string[], options: {cols?: number; rows?: number} = {}): Tty {
	const cols = options.cols ?? 160;
	const rows = options.rows ?? 45;
	const env: Record<string, string> = {};
	for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
	env['TERM'] = 'xterm-256color';
	// What bin/podwatch.js (the installed binary) sets before it loads dist/cli.js in-process: React's
	// production build. Running dist/cli.js without it would measure React's development build.
	env['NODE_ENV'] ??= 'production';
	// For experiments on podwatch alone (e.g. a V8 flag), not on the demo cluster or the bench.
	const extra = process.env['BENCH_PODWATCH_NODE_OPTIONS'];
	if (extra) env['NODE_OPTIONS'] = `${env['NODE_OPTIONS'] ?? ''} ${extra}`.trim();
	// Ink treats a CI environment as non-interactive and would only print the last frame.
	for (const key of ['CI', 'CONTINUOUS_INTEGRATION', 'GITHUB_ACTIONS']) delete env[key];
	const term = new Terminal({cols, rows, allowProposedApi: true, scrollback: 0});
	// The entry point users run (bin/podwatch.js: production React, compile cache, heap settings).
	const pty: IPty = spawnPty(launcherPath, args, {name: 'xterm-256color', cols, rows, cwd: process.cwd(), env});
	let raw = '';
	const bursts: number[] = [];
	let done = false;
	let exitCode = -1;
	type Waiter = {test: (screen: string) => boolean; resolve(at: number): void};
	const waiters = new Set<Waiter>();

	const screen = () => {
		const buffer = term.buffer.active;
		const lines: string[] = [];
		for (let y = 0; y < term.rows; y++) lines.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
		return lines.join('\n');
	};

	const check = (at: number) => {
		if (waiters.size === 0) return;
		const text = screen();
		for (const waiter of waiters) {
			if (waiter.test(text)) {
				waiters.delete(waiter);
				waiter.resolve(at);
			}
		}
	};

	pty.onData(data => {
		const at = performance.now();
		bursts.push(at);
		if (raw.length < 4_000_000) raw += data;
		term.write(data, () => check(at));
	});
	const exited = new Promise<number>(resolve => {
		pty.onExit(event => {
			done = true;
			exitCode = event.exitCode;
			resolve(event.exitCode);
		});
	});

	return {
		pid: pty.pid,
		screen,
		raw: () => raw,
		bursts,
		async waitScreen(what, test, timeoutMs) {
			// Let xterm finish parsing what has arrived before the first check.
			await new Promise<void>(resolve => term.write('', resolve));
			if (test(screen())) return performance.now();
			return new Promise<number>((resolve, reject) => {
				const waiter: Waiter = {
					test,
					resolve(at) {
						clearTimeout(timer);
						resolve(at);
					},
				};
				const timer = setTimeout(() => {
					waiters.delete(waiter);
					reject(new Error(`podwatch's screen did not show ${what} within ${timeoutMs} ms${done ? ` (podwatch exited with ${exitCode})` : ''}; it shows:\n${screen()}`));
				}, timeoutMs);
				waiters.add(waiter);
			});
		},
		press(keys) {
			pty.write(keys);
		},
		exited,
		async kill() {
			await stopPty(pty, exited, () => done);
			term.dispose();
		},
	};
}

// ---------------------------------------------------------------------------------------------
// Figures.

export function percentile(values: number[], p: number): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	if (p === 50 && sorted.length % 2 === 0) return (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
	const rank = Math.ceil((p / 100) * sorted.length) - 1;
	return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

export const median = (values: number[]) => percentile(values, 50);
