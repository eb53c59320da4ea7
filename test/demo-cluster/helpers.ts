// Shared helpers for the demo-cluster tests: run the real kubectl against a cluster started by
// the test (async, so the in-process server keeps serving), and poll for conditions.
import {execFile, spawn, type ChildProcess} from 'node:child_process';
import {accessSync, constants, existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {startDemoCluster, type DemoCluster, type DemoClusterOptions} from '../../demo/server/index.js';

export type KubectlResult = {code: number; stdout: string; stderr: string};

export function findKubectl(): string {
	for (const dir of (process.env.PATH ?? '').split(':')) {
		const candidate = join(dir, 'kubectl');
		try {
			execFileSyncCheck(candidate);
			return candidate;
		} catch {
			// keep looking
		}
	}
	throw new Error(
		'kubectl was not found on PATH. These tests drive the real kubectl (v1.32) against the demo cluster; install it (e.g. /usr/bin/kubectl) and run the tests again.' +
			(process.env.CI ? ' (CI is set: this is a failure, not a skip.)' : ''),
	);
}

function execFileSyncCheck(path: string): void {
	accessSync(path, constants.X_OK);
}

export type TestCluster = {
	cluster: DemoCluster;
	dir: string;
	kubeconfig: string;
	kubectl(args: string[], opts?: {input?: string; timeoutMs?: number}): Promise<KubectlResult>;
	spawnKubectl(args: string[]): ChildProcess;
	close(): Promise<void>;
};

export async function startTestCluster(opts: DemoClusterOptions = {}): Promise<TestCluster> {
	const kubectlPath = findKubectl();
	const dir = mkdtempSync(join(tmpdir(), 'podwatch-demo-test-'));
	const kubeconfig = join(dir, 'kubeconfig');
	const cluster = await startDemoCluster({...opts, kubeconfigPath: kubeconfig});
	const env = {...process.env, HOME: dir, KUBECONFIG: kubeconfig};
	const base = ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache')];
	const kubectl = (args: string[], o: {input?: string; timeoutMs?: number} = {}) =>
		new Promise<KubectlResult>(resolve => {
			const child = execFile(kubectlPath, [...base, ...args], {env, timeout: o.timeoutMs ?? 20_000, maxBuffer: 64 * 1024 * 1024}, (error, stdout, stderr) => {
				const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
				resolve({code, stdout: String(stdout), stderr: String(stderr)});
			});
			if (o.input !== undefined) child.stdin?.end(o.input);
			else child.stdin?.end();
		});
	return {
		cluster,
		dir,
		kubeconfig,
		kubectl,
		spawnKubectl: args => spawn(kubectlPath, [...base, ...args], {env, stdio: ['ignore', 'pipe', 'pipe']}),
		async close() {
			await cluster.stop();
			rmSync(dir, {recursive: true, force: true});
		},
	};
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, everyMs = 50): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	for (;;) {
		try {
			const value = await probe();
			if (value !== undefined && value !== false) return value;
		} catch (error) {
			last = error;
		}
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
		await new Promise(resolve => setTimeout(resolve, everyMs));
	}
}

/** `kubectl get` output as rows of columns keyed by header. */
export function parseColumns(text: string): Array<Record<string, string>> {
	const lines = text.trimEnd().split('\n');
	const header = lines[0] ?? '';
	const starts: Array<{name: string; at: number}> = [];
	for (const m of header.matchAll(/\S+(?: \S+)*/g)) starts.push({name: m[0], at: m.index});
	return lines.slice(1).map(line => {
		const row: Record<string, string> = {};
		starts.forEach((s, i) => {
			const end = i + 1 < starts.length ? starts[i + 1]!.at : undefined;
			row[s.name] = line.slice(s.at, end).trim();
		});
		return row;
	});
}

export function writeManifest(dir: string, name: string, text: string): string {
	const path = join(dir, name);
	writeFileSync(path, text);
	return path;
}

/** The checkout's root, found by walking up from this file (works from dist/ and .cache/<name>/). */
export function repoPath(...parts: string[]): string {
	let dir = dirname(fileURLToPath(import.meta.url));
	for (;;) {
		if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'demo', 'manifests'))) return join(dir, ...parts);
		const up = dirname(dir);
		if (up === dir) throw new Error('could not find the podwatch checkout (package.json next to demo/manifests) above the test file');
		dir = up;
	}
}
