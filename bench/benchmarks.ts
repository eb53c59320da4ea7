// The six benchmarks of the issue, each measured side by side with its reference in the same run.
// Every figure comes from outside podwatch: the screen of the real binary in a pseudo-terminal,
// /proc of its process, and wall-clock time around kubectl.
import type {V1Pod} from '@kubernetes/client-node';
import {spawn} from 'node:child_process';
import {performance} from 'node:perf_hooks';
import {
	applyObjects,
	launcherPath,
	cpuMs,
	deletePod,
	gatedLoggenPod,
	keys,
	kubectlOk,
	median,
	openGate,
	percentile,
	poll,
	rssMb,
	sampleRss,
	sleep,
	startCluster,
	startTty,
	waitContainersStarted,
	waitPodPhase,
	type ClusterProcess,
	type Obj,
	type Tty,
} from './lib.js';

export type Row = {
	benchmark: string;
	podwatch: string;
	reference: string;
	ratio: string;
	target: string;
	verdict: 'PASS' | 'MISS' | 'info';
	note?: string;
};

export type Sizes = {
	drainLines: number;
	drainRounds: number;
	responsivenessPresses: number;
	/** Lines per second per container (two containers). */
	responsivenessRate: number;
	memoryLines: [number, number];
	startRuns: number;
	scalePods: number;
	scaleChangesPerSecond: number;
	scaleSeconds: number;
	inspectRuns: number;
};

export const fullSizes: Sizes = {
	drainLines: 100_000,
	drainRounds: 3,
	responsivenessPresses: 80,
	responsivenessRate: 2500,
	memoryLines: [100_000, 1_000_000],
	startRuns: 5,
	scalePods: 5000,
	scaleChangesPerSecond: 50,
	scaleSeconds: 10,
	inspectRuns: 3,
};

export const smokeSizes: Sizes = {
	drainLines: 2000,
	drainRounds: 1,
	responsivenessPresses: 4,
	responsivenessRate: 500,
	memoryLines: [2000, 10_000],
	startRuns: 1,
	scalePods: 60,
	scaleChangesPerSecond: 20,
	scaleSeconds: 2,
	inspectRuns: 1,
};

const ms = (value: number) => `${value.toFixed(0)} ms`;
const mb = (value: number) => `${value.toFixed(0)} MB`;
const times = (value: number) => `${value.toFixed(2)}×`;

let shared: ClusterProcess | undefined;

/**
 * With a shared cluster (the smoke run), every benchmark uses it (their pods' names do not
 * collide); otherwise each benchmark gets a fresh cluster, so one's pods do not load another's.
 */
export function shareCluster(cluster: ClusterProcess | undefined): void {
	shared = cluster;
}

async function withCluster<T>(body: (cluster: ClusterProcess) => Promise<T>): Promise<T> {
	if (shared) return body(shared);
	const cluster = await startCluster();
	try {
		return await body(cluster);
	} finally {
		await cluster.stop();
	}
}

async function withTty<T>(args: string[], body: (tty: Tty) => Promise<T>, size?: {cols: number; rows: number}): Promise<T> {
	const tty = startTty(args, size);
	try {
		return await body(tty);
	} finally {
		await tty.kill();
	}
}

const seq = (n: number) => String(n).padStart(6, '0');
/** The screen shows loggen's line number `n` with prefix `prefix`. */
const showsLine = (screen: string, prefix: string, n: number) => screen.includes(`${prefix} ${seq(n)} `);

// ---------------------------------------------------------------------------------------------
// 1. Drain

/**
 * Two loggen containers write N lines each as fast as they can, starting when the gate opens.
 * podwatch (already showing the pod) is timed from the gate opening to the frame that shows both
 * last lines; kubectl from the gate opening until both `kubectl logs -f` (to /dev/null, started as
 * soon as the containers run) have exited at the end of the streams.
 */
export async function drain(sizes: Sizes): Promise<Row[]> {
	const lines = sizes.drainLines;
	const args = (prefix: string) => ['--lines', String(lines), '--rate', '0', '--prefix', prefix, '--then', 'exit'];
	const containers = [{name: 'a', args: args('a')}, {name: 'b', args: args('b')}];
	return withCluster(async cluster => {
		const podwatchTimes: number[] = [];
		const kubectlTimes: number[] = [];
		for (let round = 0; round < sizes.drainRounds; round++) {
			const pw = `drain-pw-${round}`;
			const kc = `drain-kc-${round}`;
			await applyObjects(cluster, [gatedLoggenPod(pw, containers), gatedLoggenPod(kc, containers)]);

			const podwatchRun = async () => withTty(['--kubeconfig', cluster.kubeconfig, '--tail', '-1', pw], async tty => {
				await tty.waitScreen('the pod waiting for its init container', s => s.includes('PodInitializing') && s.includes('▶'), 30_000);
				const t0 = performance.now();
				await openGate(cluster, pw);
				const shown = await tty.waitScreen(`line ${lines} of both containers`, s => showsLine(s, 'a', lines) && showsLine(s, 'b', lines), 120_000);
				podwatchTimes.push(shown - t0);
			});

			const kubectlRun = async () => {
				await waitPodPhase(cluster, kc, ['Pending'], 30_000);
				const t0 = performance.now();
				await openGate(cluster, kc);
				await waitContainersStarted(cluster, kc, ['a', 'b'], 30_000, 5);
				const follows = ['a', 'b'].map(async container => {
					const proc = cluster.spawnKubectl(['logs', '-f', kc, '-c', container], 'ignore');
					let stderr = '';
					proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
					proc.stdin!.end();
					const code = await new Promise<number>(resolve => proc.once('close', code => resolve(code ?? 1)));
					if (code !== 0) throw new Error(`kubectl logs -f ${kc} -c ${container} failed (${code}): ${stderr.trim()}`);
					return performance.now();
				});
				const ends = await Promise.all(follows);
				kubectlTimes.push(Math.max(...ends) - t0);
			};

			// Alternate which goes first, so neither always meets a fresher server.
			for (const run of round % 2 === 0 ? [podwatchRun, kubectlRun] : [kubectlRun, podwatchRun]) await run();
			await Promise.all([deletePod(cluster, pw), deletePod(cluster, kc)]);
		}

		const p = median(podwatchTimes);
		const k = median(kubectlTimes);
		return [{
			benchmark: `1 drain 2×${lines.toLocaleString('en')} lines`,
			podwatch: ms(p),
			reference: `${ms(k)} kubectl logs -f`,
			ratio: times(p / k),
			target: '≤ 1.20×',
			verdict: p / k <= 1.2 ? 'PASS' : 'MISS',
			note: `median of ${sizes.drainRounds}; podwatch ${podwatchTimes.map(v => v.toFixed(0)).join(', ')} ms, kubectl ${kubectlTimes.map(v => v.toFixed(0)).join(', ')} ms`,
		}];
	});
}

// ---------------------------------------------------------------------------------------------
// 2. Responsiveness

const titleRow = (screen: string) => screen.split('\n').find(line => line.includes('▶')) ?? '';

/** Key press → arrival of the output burst after which the screen shows its effect, in ms. */
async function keyLatencies(tty: Tty, presses: number): Promise<number[]> {
	const steps: Array<{key: string; what: string; test: (s: string) => boolean}> = [
		{key: keys.tab, what: 'focus on container 2', test: s => /▶ 2 b/.test(titleRow(s))},
		{key: keys.tab, what: 'focus back on container 1', test: s => /▶ 1 a/.test(titleRow(s))},
		{key: keys.enter, what: 'the zoomed view', test: s => /zoomed/.test(s) && !/│/.test(titleRow(s))},
		{key: keys.enter, what: 'both columns again', test: s => !/zoomed/.test(s) && /│/.test(titleRow(s))},
	];
	const out: number[] = [];
	for (let i = 0; i < presses; i++) {
		const step = steps[i % steps.length]!;
		// A random pause, so presses do not fall into step with podwatch's frame clock.
		await sleep(60 + Math.random() * 90);
		const pressed = performance.now();
		tty.press(step.key);
		const shown = await tty.waitScreen(step.what, step.test, 10_000);
		out.push(shown - pressed);
	}

	return out;
}

export async function responsiveness(sizes: Sizes): Promise<Row[]> {
	const container = (name: string, args: string[]) => ({name, image: 'podwatch/loggen:latest', args: [...args, '--prefix', name]});
	const pod = (name: string, args: string[]): Obj => ({
		apiVersion: 'v1',
		kind: 'Pod',
		metadata: {name},
		spec: {terminationGracePeriodSeconds: 0, containers: [container('a', args), container('b', args)]},
	});
	return withCluster(async cluster => {
		await applyObjects(cluster, [
			pod('idle', ['--lines', '20', '--then', 'sleep']),
			pod('busy', ['--rate', String(sizes.responsivenessRate), '--then', 'sleep']),
		]);
		await Promise.all([waitPodPhase(cluster, 'idle', ['Running'], 30_000), waitPodPhase(cluster, 'busy', ['Running'], 30_000)]);
		const measure = async (name: string) => withTty(['--kubeconfig', cluster.kubeconfig, name], async tty => {
			await tty.waitScreen('both columns with logs', s => /▶ 1 a/.test(titleRow(s)) && /\bb \d{6} /.test(s), 30_000);
			await sleep(500);
			return keyLatencies(tty, sizes.responsivenessPresses);
		});
		const idle = await measure('idle');
		const busy = await measure('busy');
		const idle99 = percentile(idle, 99);
		const busy99 = percentile(busy, 99);
		const rate = sizes.responsivenessRate * 2;
		return [{
			benchmark: `2 key→frame at ${rate.toLocaleString('en')} lines/s`,
			podwatch: `p50 ${ms(percentile(busy, 50))} p99 ${ms(busy99)}`,
			reference: `idle p50 ${ms(percentile(idle, 50))} p99 ${ms(idle99)}`,
			ratio: times(busy99 / idle99),
			target: 'p99 ≤ 50 ms, ≤ 2× idle',
			verdict: busy99 <= 50 && busy99 / idle99 <= 2 ? 'PASS' : 'MISS',
			note: `${sizes.responsivenessPresses} presses each (Tab, Tab, Enter zoom, Enter unzoom); ratio is p99 loaded / p99 idle`,
		}];
	});
}

// ---------------------------------------------------------------------------------------------
// 3. Memory

export async function memory(sizes: Sizes): Promise<Row[]> {
	const [small, large] = sizes.memoryLines;
	const pod = (name: string, lines: number) => gatedLoggenPod(name, [{name: 'a', args: ['--lines', String(lines), '--rate', '0', '--prefix', 'a', '--then', 'sleep']}]);
	return withCluster(async cluster => {
		await applyObjects(cluster, [pod('mem-small', small), pod('mem-large', large), gatedLoggenPod('mem-kubectl', [{name: 'a', args: ['--lines', String(large), '--rate', '0', '--prefix', 'a', '--then', 'exit']}])]);
		const baseline: number[] = [];
		const podwatchRss = async (name: string, lines: number) => withTty(['--kubeconfig', cluster.kubeconfig, '--tail', '-1', name], async tty => {
			await tty.waitScreen('the pod waiting for its init container', s => s.includes('PodInitializing') && s.includes('▶'), 30_000);
			await sleep(500);
			baseline.push(rssMb(tty.pid));
			await openGate(cluster, name);
			await tty.waitScreen(`line ${lines}`, s => showsLine(s, 'a', lines), 300_000);
			// Let the last frames and the garbage collector settle before reading.
			await sleep(1000);
			return rssMb(tty.pid);
		});
		const rssSmall = await podwatchRss('mem-small', small);
		const rssLarge = await podwatchRss('mem-large', large);

		await waitPodPhase(cluster, 'mem-kubectl', ['Pending'], 30_000);
		await openGate(cluster, 'mem-kubectl');
		await waitContainersStarted(cluster, 'mem-kubectl', ['a'], 30_000, 5);
		const proc = cluster.spawnKubectl(['logs', '-f', 'mem-kubectl', '-c', 'a'], 'ignore');
		proc.stdin!.end();
		const sampler = sampleRss(proc.pid!, 50);
		await new Promise(resolve => proc.once('close', resolve));
		const kubectlPeak = sampler.stop();

		const before = median(baseline);
		return [
			{
				benchmark: '3 RSS before the first line',
				podwatch: mb(before),
				reference: '—',
				ratio: '—',
				target: '(info)',
				verdict: 'info',
				note: 'the dashboard showing the pod, its containers not started yet: what loading the code costs',
			},
			{
				benchmark: `3 RSS after ${small.toLocaleString('en')} lines`,
				podwatch: mb(rssSmall),
				reference: '—',
				ratio: '—',
				target: '≤ 150 MB',
				verdict: rssSmall <= 150 ? 'PASS' : 'MISS',
			},
			{
				benchmark: `3 RSS after ${large.toLocaleString('en')} lines`,
				podwatch: mb(rssLarge),
				reference: `${mb(rssSmall)} after ${small.toLocaleString('en')}`,
				ratio: times(rssLarge / rssSmall),
				target: '≤ 150 MB, ≤ 1.10×',
				verdict: rssLarge <= 150 && rssLarge / rssSmall <= 1.1 ? 'PASS' : 'MISS',
				note: `kubectl logs -f on the same ${large.toLocaleString('en')} lines: peak RSS ${mb(kubectlPeak)} (it keeps nothing, podwatch keeps --buffer 5000 lines per container)`,
			},
		];
	});
}

// ---------------------------------------------------------------------------------------------
// 4. Start

export async function start(sizes: Sizes): Promise<Row[]> {
	return withCluster(async cluster => {
		const pods: Obj[] = [];
		for (let i = 0; i < 5; i++) {
			pods.push({apiVersion: 'v1', kind: 'Pod', metadata: {name: `start-${i}`}, spec: {terminationGracePeriodSeconds: 0, containers: [{name: 'a', image: 'podwatch/loggen:latest', args: ['--lines', '1', '--then', 'sleep']}]}});
		}

		await applyObjects(cluster, pods);
		await waitPodPhase(cluster, 'start-4', ['Running'], 30_000);
		// Warm the caches both sides would have warm (kubectl's discovery cache, the OS's file cache).
		await kubectlOk(cluster, ['get', 'pods']);
		await withTty(['--kubeconfig', cluster.kubeconfig], async tty => tty.waitScreen('the pod list', s => s.includes('start-4'), 30_000));

		const podwatchTimes: number[] = [];
		const kubectlTimes: number[] = [];
		for (let run = 0; run < sizes.startRuns; run++) {
			const launched = performance.now();
			await withTty(['--kubeconfig', cluster.kubeconfig], async tty => {
				const shown = await tty.waitScreen('the pod list', s => /NAME\s+READY\s+STATUS/.test(s) && s.includes('start-4'), 30_000);
				podwatchTimes.push(shown - launched);
			});
			const result = await kubectlOk(cluster, ['get', 'pods']);
			if (!result.stdout.includes('start-4')) throw new Error(`kubectl get pods did not list start-4:\n${result.stdout}`);
			kubectlTimes.push(result.ms);
		}

		const p = median(podwatchTimes);
		const k = median(kubectlTimes);
		return [{
			benchmark: '4 launch → first pod list',
			podwatch: ms(p),
			reference: `${ms(k)} kubectl get pods`,
			ratio: times(p / k),
			target: '≤ 1.50×',
			verdict: p / k <= 1.5 ? 'PASS' : 'MISS',
			note: `median of ${sizes.startRuns}; podwatch ${podwatchTimes.map(v => v.toFixed(0)).join(', ')} ms, kubectl ${kubectlTimes.map(v => v.toFixed(0)).join(', ')} ms`,
		}];
	});
}

// ---------------------------------------------------------------------------------------------
// 5. Scale

/** Runs `task` on `count` items with at most `parallel` at once. */
async function inParallel<T>(items: T[], parallel: number, task: (item: T) => Promise<unknown>): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < items.length) await task(items[next++]!);
	};

	await Promise.all(Array.from({length: parallel}, worker));
}

/** Output bursts closer than this belong to one frame (a frame may reach the PTY in pieces). */
const frameGapMs = 4;

function countFrames(bursts: number[], from: number, to: number): number {
	let frames = 0;
	let last = Number.NEGATIVE_INFINITY;
	for (const at of bursts) {
		if (at < from || at > to) continue;
		if (at - last > frameGapMs) frames++;
		last = at;
	}

	return frames;
}

export async function scale(sizes: Sizes): Promise<Row[]> {
	const namespace = 'scale';
	const podBody = (name: string): V1Pod => ({
		apiVersion: 'v1',
		kind: 'Pod',
		metadata: {name, namespace},
		spec: {terminationGracePeriodSeconds: 0, containers: [{name: 'a', image: 'podwatch/loggen:latest', args: ['--lines', '1', '--then', 'sleep']}]},
	});
	return withCluster(async cluster => {
		await kubectlOk(cluster, ['create', 'namespace', namespace]);
		const names = Array.from({length: sizes.scalePods}, (_, i) => `pod-${String(i).padStart(5, '0')}`);
		await inParallel(names, 16, async name => cluster.api.createNamespacedPod({namespace, body: podBody(name)}));
		const last = names.at(-1)!;
		await poll(`${last} to run`, async () => (await cluster.api.readNamespacedPod({name: last, namespace})).status?.phase === 'Running', 120_000, 200);

		return withTty(['--kubeconfig', cluster.kubeconfig, '-n', namespace], async tty => {
			await tty.waitScreen(`${sizes.scalePods} pods listed`, s => s.includes(`${sizes.scalePods}/${sizes.scalePods} pods`) || s.includes(`${sizes.scalePods} pods`), 120_000);
			await sleep(1500);

			// Churn: alternately create a pod (sorted first in the list, so the visible rows move) and
			// delete the oldest churned one, at the given rate, paced against the clock.
			let changes = 0;
			let failures = 0;
			let created = 0;
			let deleted = 0;
			const interval = 1000 / sizes.scaleChangesPerSecond;
			const churnStart = performance.now();
			let churning = true;
			const churn = (async () => {
				while (churning) {
					const due = churnStart + changes * interval;
					const wait = due - performance.now();
					if (wait > 0) await sleep(wait);
					if (!churning) break;
					const change = changes % 2 === 0 || created - deleted < 3
						? cluster.api.createNamespacedPod({namespace, body: podBody(`a-churn-${String(created++).padStart(6, '0')}`)})
						: cluster.api.deleteNamespacedPod({name: `a-churn-${String(deleted++).padStart(6, '0')}`, namespace, gracePeriodSeconds: 0});
					changes++;
					change.catch(() => failures++);
				}
			})();

			await sleep(1000);
			const from = performance.now();
			const cpuFrom = cpuMs(tty.pid);
			// Key → frame while it churns: '/' opens the filter prompt, Escape closes it.
			const latencies: number[] = [];
			const keyLoop = (async () => {
				while (performance.now() - from < sizes.scaleSeconds * 1000) {
					await sleep(150 + Math.random() * 150);
					const opening = latencies.length % 2 === 0;
					const pressed = performance.now();
					tty.press(opening ? '/' : keys.escape);
					const shown = await tty.waitScreen(opening ? 'the filter prompt' : 'the prompt closed', s => (opening ? /^\/█?\s*$/m.test(s) : !/^\/█?\s*$/m.test(s)), 10_000);
					latencies.push(shown - pressed);
				}
			})();
			await keyLoop;
			const to = performance.now();
			const cpu = cpuMs(tty.pid) - cpuFrom;
			churning = false;
			await churn;
			const wall = to - from;
			const frames = countFrames(tty.bursts, from, to);
			const cpuPercent = (cpu / wall) * 100;
			const perFrame = cpu / Math.max(1, frames);
			const achieved = (changes / ((performance.now() - churnStart) / 1000));
			if (failures > changes / 10) throw new Error(`${failures} of ${changes} pod changes failed: the cluster could not keep up`);
			const key99 = percentile(latencies, 99);
			return [
				{
					benchmark: `5 ${sizes.scalePods.toLocaleString('en')} pods, ${sizes.scaleChangesPerSecond} changes/s: CPU`,
					podwatch: `${cpuPercent.toFixed(1)} %`,
					reference: '—',
					ratio: '—',
					target: '≤ 30 % of a core',
					verdict: cpuPercent <= 30 ? 'PASS' : 'MISS',
					note: `${(wall / 1000).toFixed(1)} s window, ${achieved.toFixed(0)} changes/s achieved, ${failures} failed`,
				},
				{
					benchmark: '5   frame time (CPU per frame)',
					podwatch: `${perFrame.toFixed(1)} ms`,
					reference: '—',
					ratio: '—',
					target: '≤ 16 ms',
					verdict: perFrame <= 16 ? 'PASS' : 'MISS',
					note: `${frames} frames in ${(wall / 1000).toFixed(1)} s (${(frames / (wall / 1000)).toFixed(1)}/s); CPU time over frames is an upper bound of the mean render time`,
				},
				{
					benchmark: '5   key→frame while churning',
					podwatch: `p50 ${ms(percentile(latencies, 50))} p99 ${ms(key99)}`,
					reference: '—',
					ratio: '—',
					target: '(info)',
					verdict: 'info',
					note: `${latencies.length} presses of / and Escape`,
				},
			];
		});
	});
}

// ---------------------------------------------------------------------------------------------
// 6. Inspector

export async function inspector(sizes: Sizes): Promise<Row[]> {
	const shell = (name: string, command: string) => ({name, image: 'busybox:1.36', command: ['sh', '-c', command], volumeMounts: [{name: 'shared', mountPath: '/shared'}]});
	const pod: Obj = {
		apiVersion: 'v1',
		kind: 'Pod',
		metadata: {name: 'insp'},
		spec: {
			terminationGracePeriodSeconds: 0,
			volumes: [{name: 'shared', emptyDir: {}}],
			containers: [
				shell('c1', 'echo "shared by four containers" > /shared/data.txt; sleep 1000000'),
				shell('c2', 'sleep 1000000'),
				shell('c3', 'sleep 1000000'),
				shell('c4', 'sleep 1000000'),
			],
		},
	};
	return withCluster(async cluster => {
		await applyObjects(cluster, [pod]);
		await waitPodPhase(cluster, 'insp', ['Running'], 30_000);
		await poll('/shared/data.txt', async () => (await cluster.kubectl(['exec', 'insp', '-c', 'c4', '--', 'cat', '/shared/data.txt'])).code === 0, 10_000, 100);

		// kubectl: the same ls and cat in each of the four containers, one after another.
		const singles: number[] = [];
		const singleLs: number[] = [];
		const singleCat: number[] = [];
		const sequences: number[] = [];
		for (let run = 0; run < sizes.inspectRuns; run++) {
			let total = 0;
			for (const c of ['c1', 'c2', 'c3', 'c4']) {
				for (const command of [['ls', '-la', '/shared/'], ['cat', '/shared/data.txt']]) {
					const result = await kubectlOk(cluster, ['exec', 'insp', '-c', c, '--', ...command]);
					singles.push(result.ms);
					(command[0] === 'ls' ? singleLs : singleCat).push(result.ms);
					total += result.ms;
				}
			}

			sequences.push(total);
		}

		// podwatch, in the dashboard: i (ls in every container) then Enter (the file in every container).
		const dashboard: number[] = [];
		const listings: number[] = [];
		const files: number[] = [];
		for (let run = 0; run < sizes.inspectRuns; run++) {
			await withTty(['--kubeconfig', cluster.kubeconfig, 'insp'], async tty => {
				await tty.waitScreen('the pod running', s => /READY 4\/4/.test(s), 30_000);
				await sleep(300);
				const pressed = performance.now();
				tty.press('i');
				const listed = await tty.waitScreen('the volume listing', s => /sees the same 1 entr/.test(s), 30_000);
				await sleep(100);
				const compared = performance.now();
				tty.press(keys.enter);
				const shownFile = await tty.waitScreen('the file compared', s => (s.match(/shared by four containers/g) ?? []).length >= 1 && /same content|identical|same in all|✓ same/i.test(s), 30_000);
				listings.push(listed - pressed);
				files.push(shownFile - compared);
				dashboard.push(listed - pressed + (shownFile - compared));
			});
		}

		// podwatch inspect: the whole report from the command line, launch included.
		const cli: number[] = [];
		for (let run = 0; run < sizes.inspectRuns; run++) {
			const started = performance.now();
			const child = spawn(launcherPath, ['inspect', 'insp', '--kubeconfig', cluster.kubeconfig], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NODE_ENV: process.env['NODE_ENV'] ?? 'production'}});
			let output = '';
			child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
			child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
			const code = await new Promise<number>(resolve => child.once('close', code => resolve(code ?? 1)));
			if (code !== 0 || !/same content in all 4/.test(output)) throw new Error(`podwatch inspect insp failed (${code}):\n${output}`);
			cli.push(performance.now() - started);
		}

		const single = median(singles);
		const ls = median(singleLs);
		const cat = median(singleCat);
		const listing = median(listings);
		const file = median(files);
		const d = median(dashboard);
		const c = median(cli);
		const sequence = median(sequences);
		return [
			{
				benchmark: '6 inspector: i → ls in all 4 containers',
				podwatch: ms(listing),
				reference: `${ms(ls)} one kubectl exec ls`,
				ratio: times(listing / ls),
				target: '≤ 1.30×',
				verdict: listing / ls <= 1.3 ? 'PASS' : 'MISS',
				note: `median of ${sizes.inspectRuns}, each the first inspection of a freshly started dashboard`,
			},
			{
				benchmark: '6 inspector: Enter → file in all 4',
				podwatch: ms(file),
				reference: `${ms(cat)} one kubectl exec cat`,
				ratio: times(file / cat),
				target: '≤ 1.30×',
				verdict: file / cat <= 1.3 ? 'PASS' : 'MISS',
				note: 'podwatch runs sha256sum, then tail -c, in each container (in parallel across containers)',
			},
			{
				benchmark: '6 inspector: both steps vs 8 execs',
				podwatch: ms(d),
				reference: `${ms(sequence)} 8 kubectl execs`,
				ratio: times(d / sequence),
				target: '(info)',
				verdict: 'info',
				note: `ls and cat in each of the 4 containers through kubectl exec one after another; one exec: ${ms(single)}, so podwatch's two steps are ${times(d / single)} of one exec`,
			},
			{
				benchmark: '6 podwatch inspect (CLI, with launch)',
				podwatch: ms(c),
				reference: `${ms(sequence)} 8 kubectl execs`,
				ratio: times(c / sequence),
				target: '(info)',
				verdict: 'info',
				note: 'the whole report from the command line, Node start-up and module loading included (see 4)',
			},
		];
	});
}

export const benchmarks: Record<string, (sizes: Sizes) => Promise<Row[]>> = {drain, responsiveness, memory, start, scale, inspector};
