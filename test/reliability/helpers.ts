// Shared pieces of the reliability suite: a demo cluster with a kubeconfig file, loggen pods whose
// numbered lines (`P 000001 ...`) let a test count lost and duplicated lines, polling with a
// deadline, and the figures every suite prints (and appends to a JSON file when asked).
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {startDemoCluster, type DemoCluster, type DemoClusterOptions} from '../../demo/server/index.js';

export type RelCluster = {cluster: DemoCluster; dir: string; kubeconfig: string; close(): Promise<void>};

export async function startRelCluster(options: DemoClusterOptions = {}): Promise<RelCluster> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'podwatch-rel-'));
	const kubeconfig = path.join(dir, 'kubeconfig');
	const cluster = await startDemoCluster({backoffBaseMs: 200, ...options, kubeconfigPath: kubeconfig});
	return {
		cluster,
		dir,
		kubeconfig,
		async close() {
			await cluster.stop();
			fs.rmSync(dir, {recursive: true, force: true});
		},
	};
}

/** A pod with one loggen container writing `<prefix> 000001 ...` at `rate` lines/s (0 lines = for ever). */
export function loggenPod(name: string, options: {rate: number; lines?: number; prefix?: string; container?: string}): string {
	const args = ['--rate', String(options.rate), '--lines', String(options.lines ?? 0), '--prefix', options.prefix ?? 'P'];
	return [
		'apiVersion: v1',
		'kind: Pod',
		`metadata: {name: ${name}}`,
		'spec:',
		'  containers:',
		`  - name: ${options.container ?? 'gen'}`,
		'    image: podwatch/loggen',
		`    args: ${JSON.stringify(args)}`,
		'',
	].join('\n');
}

/** Counts numbered lines: which arrived, which twice, which never (up to the highest seen). */
export class SeqCounter {
	private readonly seen = new Map<number, number>();
	max = 0;
	total = 0;
	constructor(private readonly pattern = /(?:^|\] )P (\d{6,}) /) {}

	/** Returns the sequence number, if the text carries one. */
	add(text: string): number | undefined {
		const match = this.pattern.exec(text);
		if (!match) return undefined;
		const n = Number(match[1]);
		this.seen.set(n, (this.seen.get(n) ?? 0) + 1);
		this.total++;
		if (n > this.max) this.max = n;
		return n;
	}

	/** Lines expected: 1..max (loggen writes line n only after 1..n-1). */
	figures(): {expected: number; received: number; lost: number; duplicated: number; firstLost?: number} {
		let lost = 0;
		let duplicated = 0;
		let firstLost: number | undefined;
		for (let n = 1; n <= this.max; n++) {
			const count = this.seen.get(n) ?? 0;
			if (count === 0) {
				lost++;
				firstLost ??= n;
			}
			if (count > 1) duplicated += count - 1;
		}
		return {expected: this.max, received: this.total, lost, duplicated, ...(firstLost === undefined ? {} : {firstLost})};
	}
}

export async function waitUntil<T>(condition: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs: number): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await condition();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise(resolve => setTimeout(resolve, 25));
	}
}

export type FaultFigure = {fault: string; injected: number; recoveryMs: number; boundMs: number; sawReconnecting?: boolean};

/** Prints a suite's figures and, with PODWATCH_RELIABILITY_OUT=file, appends them as one JSON line. */
export function report(suite: string, figures: Record<string, unknown>): void {
	const line = JSON.stringify({suite, at: new Date().toISOString(), ...figures});
	console.log(`[reliability] ${line}`);
	const out = process.env['PODWATCH_RELIABILITY_OUT'];
	if (out) fs.appendFileSync(out, line + '\n');
}

/** The real kubectl (v1.32), as the outside judge; fails loudly when it is missing. */
export function kubectl(kubeconfig: string, args: string[], dir: string): Promise<{code: number; stdout: string; stderr: string}> {
	return new Promise((resolve, reject) => {
		execFile('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'kcache'), ...args], {env: {...process.env, HOME: dir}, timeout: 20_000}, (error, stdout, stderr) => {
			if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
				reject(new Error('kubectl is not installed (expected /usr/bin/kubectl v1.32): the reliability suite uses it as the outside judge'));
				return;
			}
			resolve({code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr});
		});
	});
}

export function assertNoLoss(figures: {lost: number; duplicated: number; firstLost?: number}, what: string): void {
	assert.equal(figures.lost, 0, `${what}: ${figures.lost} lines lost (first: ${figures.firstLost})`);
	assert.equal(figures.duplicated, 0, `${what}: ${figures.duplicated} lines duplicated`);
}

/** The compiled CLI next to this file's build dir (dist/ or .cache/<name>/). */
export const compiledCli = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'cli.js');
