// The fault suite for podwatch's data layer: a loggen pod writes numbered lines while the demo
// cluster drops and expires watches, cuts log streams (mid-line too), stalls streams, restarts,
// and answers 500s and malformed bodies. Every line must arrive exactly once, every pod change must
// be seen, and each recovery must come within the back-off bound. The figures are printed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {after, before, test} from 'node:test';
import type {V1Pod} from '@kubernetes/client-node';
import {createKubeSource, loadKubeConfig} from '../../source/kube/index.js';
import type {KubeSource, SourceStatus} from '../../source/kube/index.js';
import {assertNoLoss, kubectl, loggenPod, report, SeqCounter, startRelCluster, waitUntil, type FaultFigure, type RelCluster} from './helpers.js';

const RATE = 200;
let env: RelCluster;
let source: KubeSource;

before(async () => {
	env = await startRelCluster();
	await env.cluster.applyYaml(loggenPod('seq', {rate: RATE}));
	await env.cluster.applyYaml(['apiVersion: v1', 'kind: Pod', 'metadata: {name: box}', 'spec:', '  containers:', '  - name: box', '    image: busybox:1.36', '    command: ["sleep", "infinity"]', ''].join('\n'));
	const {kc, target} = loadKubeConfig({kubeconfig: env.kubeconfig, env: {}, home: env.dir});
	source = createKubeSource(kc, target);
});

after(async () => {
	await env?.close();
});

type Stamped = {t: number; status: SourceStatus};

/** The default Backoff: 500 ms doubling, ±20 % jitter. The longest wait before attempt k (0-based). */
const backoffMax = (k: number) => 1.2 * 500 * 2 ** k;
/** Worst case to reconnect after `failures` failed attempts, plus the fault's own duration and 1.5 s for a loaded 2-core machine. */
const bound = (durationMs: number, failures: number) => durationMs + Array.from({length: failures + 1}, (_, k) => backoffMax(k)).reduce((a, b) => a + b, 0) + 1500;

test('the data layer through every fault: no line lost or repeated, every pod change seen, recovery within the back-off bound', {timeout: 120_000}, async () => {
	const counter = new SeqCounter();
	const arrivals: Array<{t: number; seq: number}> = [];
	const logStatuses: Stamped[] = [];
	const podStatuses: Stamped[] = [];
	let pod: V1Pod | undefined;
	const follower = source.followLogs({
		namespace: 'default',
		pod: 'seq',
		container: 'gen',
		onEntries: entries => {
			const t = Date.now();
			for (const e of entries) {
				if (e.kind !== 'line') continue;
				const seq = counter.add(e.text);
				if (seq !== undefined) arrivals.push({t, seq});
			}
		},
		onStatus: status => logStatuses.push({t: Date.now(), status}),
	});
	const watcher = source.watchPod({namespace: 'default', name: 'seq', onPod: p => (pod = p), onStatus: status => podStatuses.push({t: Date.now(), status})});
	const {faults} = env.cluster;
	const figures: FaultFigure[] = [];
	try {
		await waitUntil(() => counter.max >= 50, 'the first 50 lines', 30_000);
		let step = 0;

		/** Changes the pod, so that a watch that missed the event would show the old value. */
		const touch = async () => {
			step++;
			await env.cluster.applyYaml(loggenPod('seq', {rate: RATE}).replace('metadata: {name: seq}', `metadata: {name: seq, annotations: {rel/step: "${step}"}}`));
			return String(step);
		};

		const run = async (name: string, options: {durationMs: number; failures: number; watch?: boolean; log?: boolean; reconnects?: boolean}, inject: () => unknown) => {
			const before = faults.total;
			const t0 = Date.now();
			await inject();
			const faultEnd = t0 + options.durationMs;
			const wanted = options.watch ? await touch() : undefined;
			const last = (list: Stamped[]) => list.at(-1)?.status.state;
			const recovered = await waitUntil(
				() => {
					const now = Date.now();
					if (now < faultEnd) return undefined;
					let at = t0;
					if (options.log !== false) {
						// Lines batched before a cut can arrive just after it: count only lines that came
						// after the stream was live again.
						const reconnect = logStatuses.filter(s => s.t >= t0 && s.status.state === 'reconnecting').at(-1)?.t;
						const liveAt = reconnect === undefined ? t0 : logStatuses.find(s => s.t >= reconnect && s.status.state === 'live')?.t;
						if (liveAt === undefined) return undefined;
						const line = arrivals.find(a => a.t >= Math.max(faultEnd, liveAt));
						if (!line || last(logStatuses) !== 'live') return undefined;
						at = Math.max(at, line.t);
					}
					if (wanted !== undefined) {
						if (pod?.metadata?.annotations?.['rel/step'] !== wanted || last(podStatuses) !== 'live') return undefined;
						at = Math.max(at, now);
					}
					return {at};
				},
				`recovery from ${name}`,
				bound(options.durationMs, options.failures) + 10_000,
			);
			const recoveryMs = recovered.at - t0;
			const sawReconnecting = [...logStatuses, ...podStatuses].some(s => s.t >= t0 && s.t <= recovered.at && s.status.state === 'reconnecting');
			const figure: FaultFigure = {fault: name, injected: faults.total - before, recoveryMs, boundMs: Math.round(bound(options.durationMs, options.failures)), sawReconnecting};
			figures.push(figure);
			assert.ok(figure.injected > 0, `${name}: the fault was not injected (no stream or request matched)`);
			if (options.reconnects) assert.ok(sawReconnecting, `${name}: no "reconnecting" status while it lasted: ${JSON.stringify([...logStatuses, ...podStatuses].filter(s => s.t >= t0))}`);
			const trail = [...logStatuses.map(s => ({...s, of: 'log'})), ...podStatuses.map(s => ({...s, of: 'pod'}))].filter(s => s.t >= t0).map(s => `${s.t - t0}ms ${s.of} ${JSON.stringify(s.status)}`);
			assert.ok(recoveryMs <= figure.boundMs, `${name}: recovered after ${recoveryMs} ms, bound ${figure.boundMs} ms; statuses since: ${trail.join('; ')}`);
		};

		await run('watch streams dropped', {durationMs: 0, failures: 0, watch: true, log: false, reconnects: true}, () => faults.dropWatches());
		await run('watch answered 410 Expired (relist)', {durationMs: 0, failures: 0, watch: true, log: false}, () => faults.expireWatches());
		await run('log stream cut between lines', {durationMs: 0, failures: 0, reconnects: true}, () => faults.cutLogs());
		await run('log stream cut mid-line', {durationMs: 0, failures: 0, reconnects: true}, async () => {
			faults.cutLogs({midLine: true});
			await waitUntil(() => faults.injected.cutLogMidLine > 0 || undefined, 'the mid-line cut', 5000);
		});
		await run('log stream stalled 3 s (not closed)', {durationMs: 3000, failures: 0}, () => faults.stall('log', 3000));
		await run('watch stream stalled 3 s (not closed)', {durationMs: 3000, failures: 0, watch: true, log: false}, () => faults.stall('watch', 3000));
		await run('API server restarted (same port), down 2 s', {durationMs: 2000, failures: 3, watch: true, reconnects: true}, () => void faults.restartServer({downMs: 2000}));
		await run('3 × 500 Internal Error after a drop', {durationMs: 0, failures: 3, watch: true, reconnects: true}, () => {
			faults.fail(500, {count: 3});
			faults.cutLogs();
			faults.dropWatches();
		});
		await run('2 × malformed JSON body after a drop', {durationMs: 0, failures: 2, watch: true, reconnects: true}, () => {
			faults.fail('malformed', {count: 2, path: /\/pods(\/seq)?\?/});
			faults.cutLogs();
			faults.dropWatches();
		});
		await run('everything at once: restart, then 410 and a mid-line cut', {durationMs: 1000, failures: 3, watch: true, reconnects: true}, async () => {
			await faults.restartServer({downMs: 1000});
			await waitUntil(() => (logStatuses.at(-1)?.status.state === 'live' && podStatuses.at(-1)?.status.state === 'live') || undefined, 'live again', 15_000);
			faults.expireWatches();
			faults.cutLogs({midLine: true});
		});
		faults.reset();
		// Let the stream settle, then count: every line 1..max exactly once.
		const end = counter.max + RATE;
		await waitUntil(() => counter.max >= end || undefined, `line ${end}`, 20_000);
		const lines = counter.figures();
		report('data-layer-faults', {faults: figures.length, injected: faults.total, ...lines, maxRecoveryMs: Math.max(...figures.map(f => f.recoveryMs)), figures});
		for (const f of figures) console.log(`  ${f.fault.padEnd(58)} injected ${String(f.injected).padStart(2)}  recovered in ${String(f.recoveryMs).padStart(5)} ms (bound ${f.boundMs} ms)${f.sawReconnecting ? '  reconnecting… shown' : ''}`);
		assertNoLoss(lines, 'followLogs through the faults');
		assert.equal(lines.expected, lines.received, 'every line 1..max arrived once');
	} finally {
		follower.close();
		watcher.close();
		faults.reset();
	}
});

test('refusals: a 401 (expired token) and a 403 stop with a one-paragraph explanation, not a retry loop or a crash', async () => {
	const {faults} = env.cluster;
	for (const code of [401, 403] as const) {
		faults.refuse(code, {path: '/pods'});
		const statuses: SourceStatus[] = [];
		const watch = source.watchPods({namespace: 'default', onPods: () => {}, onStatus: s => statuses.push(s)});
		try {
			const failed = await waitUntil(() => statuses.find(s => s.state === 'failed'), `a failed status after ${code}`, 10_000);
			const message = failed.state === 'failed' ? failed.message : '';
			if (code === 401) assert.match(message, /must be logged in/i);
			else assert.match(message, /forbidden/i);
			assert.ok(!/\n/.test(message.trim()) && !/\bat .+:\d+:\d+/.test(message), `one paragraph, no stack: ${message}`);
			assert.ok(!statuses.some(s => s.state === 'reconnecting'), 'a refusal is not retried');
		} finally {
			watch.close();
			faults.reset();
		}
	}
});

test('exec: a slow answer still completes, a hung one times out, a 403 is forbidden naming pods/exec, and exec works after', async () => {
	const {faults} = env.cluster;
	const slowMs = 1500;
	faults.slowExec(slowMs);
	let started = Date.now();
	const slow = await source.exec('default', 'box', 'box', ['echo', 'slow'], {timeoutMs: 10_000});
	const slowTook = Date.now() - started;
	faults.slowExec(Infinity);
	started = Date.now();
	const hung = await source.exec('default', 'box', 'box', ['echo', 'hung'], {timeoutMs: 2000});
	const hungTook = Date.now() - started;
	faults.reset();
	faults.refuse(403, {path: '/exec'});
	const refused = await source.exec('default', 'box', 'box', ['echo', 'refused'], {timeoutMs: 10_000});
	faults.reset();
	assert.equal(refused.kind === 'error' ? refused.reason : refused.kind, 'forbidden', JSON.stringify(refused));
	assert.match(refused.kind === 'error' ? refused.message : '', /pods\/exec/);
	const after = await source.exec('default', 'box', 'box', ['echo', 'after'], {timeoutMs: 10_000});
	report('exec-faults', {slowMs, slowTook, hungTimeoutMs: 2000, hungTook, injected: faults.injected.slowExec});
	assert.equal(slow.kind, 'exited', JSON.stringify(slow));
	assert.ok(slowTook >= slowMs, `the slow exec took ${slowTook} ms`);
	assert.equal(hung.kind, 'error', JSON.stringify(hung));
	assert.equal(hung.kind === 'error' ? hung.reason : '', 'timeout');
	assert.ok(hungTook < 6000, `the hung exec gave up after ${hungTook} ms`);
	assert.equal(after.kind, 'exited');
	assert.equal(Buffer.from(after.kind === 'exited' ? after.stdout : new Uint8Array()).toString(), 'after\n');
});

test('faults are off by default and unreachable from the CLI: podwatch demo has no fault flag', () => {
	const fresh = env.cluster.faults;
	assert.equal(fresh.active, false);
	const args = fs.readFileSync(new URL('../../source/cli/args.js', import.meta.url), 'utf8');
	assert.ok(!/--[a-z-]*(fault|drop|stall|expire|refuse|restart|slow)|faults\.|dropWatches|restartServer|slowExec/i.test(args), 'the CLI argument parser mentions faults');
});

test('restartServer keeps port, token, certificate and state: kubectl works with the same kubeconfig, the pod keeps its uid and its log', async () => {
	const before = await waitUntil(async () => {
		const got = await kubectl(env.kubeconfig, ['get', 'pod', 'seq', '-o', 'jsonpath={.metadata.uid} {.status.phase}'], env.dir);
		return got.code === 0 && / Running$/.test(got.stdout) ? got : undefined;
	}, 'seq running', 20_000);
	const url = env.cluster.url;
	await env.cluster.faults.restartServer({downMs: 300});
	assert.equal(env.cluster.url, url);
	const after = await kubectl(env.kubeconfig, ['get', 'pod', 'seq', '-o', 'jsonpath={.metadata.uid} {.status.phase}'], env.dir);
	assert.equal(after.code, 0, after.stderr);
	assert.equal(after.stdout, before.stdout);
	assert.match(after.stdout, / Running$/);
	const logs = await kubectl(env.kubeconfig, ['logs', 'seq', '--tail', '1'], env.dir);
	assert.match(logs.stdout, /^P \d{6} /, 'the container kept running through the restart');
});
