// The embedded demo cluster: a Kubernetes-compatible API server and kubelet on 127.0.0.1.
import {randomBytes} from 'node:crypto';
import {readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import type {ServerResponse} from 'node:http';
import {createServer} from 'node:https';
import type {AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {parseAllDocuments} from 'yaml';
import {Cluster} from './cluster.js';
import {KIND_TO_RESOURCE, RESOURCES} from './discovery.js';
import {attachExec} from './exec.js';
import {Faults} from './faults.js';
import {handleHttp, type HttpContext} from './http.js';
import type {Runtime} from './kubelet.js';
import {selfSignedCertificate} from './tls.js';
import {ApiError, type Obj} from './types.js';

export type {Runtime} from './kubelet.js';
export type {Faults} from './faults.js';

export type DemoClusterOptions = {
	/** 0 (default) picks any free port. */
	port?: number;
	/** Write a kubeconfig there (removed again by stop()). */
	kubeconfigPath?: string;
	/** Manifest files or directories to apply once the server listens. */
	manifests?: string[];
	/** Wall clock for timestamps and ages (defaults to Date.now). */
	clock?: () => number;
	/** Container runtime (defaults to the sandboxed runtime in demo/runtime). */
	runtime?: Runtime;
	/** First CrashLoopBackOff / ImagePullBackOff delay in ms (real kubelet: 10 000). */
	backoffBaseMs?: number;
	/** Interval of BOOKMARK events on watches that allow them (default 10 s). */
	watchBookmarkMs?: number;
	/** Watch events kept per resource for resuming watches (default 4096); older → 410 Expired. */
	watchHistory?: number;
	/** Bearer token to require (random by default). */
	token?: string;
};

export type DemoCluster = {
	url: string;
	token: string;
	/** PEM of the server's self-signed certificate (also in the kubeconfig). */
	caPem: string;
	kubeconfigPath?: string;
	kubeconfigYaml: string;
	/** Apply one or more YAML/JSON documents like `kubectl apply -f` (create, or patch if present). */
	applyYaml(text: string): Promise<void>;
	/** Terminate pods, close sockets, remove the kubeconfig it wrote. */
	stop(): Promise<void>;
	/** Fault injection for tests (all off by default; see demo/server/faults.ts). */
	faults: Faults;
};

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

async function defaultRuntime(): Promise<Runtime> {
	try {
		const mod: Runtime = await import('../runtime/index.js');
		return {createPodSandbox: opts => mod.createPodSandbox(opts), resolveImage: image => mod.resolveImage(image)};
	} catch (error) {
		throw new Error(`the demo cluster's container runtime (demo/runtime) could not be loaded: ${error instanceof Error ? error.message : String(error)}`, {cause: error});
	}
}

export function kubeconfigFor(url: string, token: string, caPem: string): string {
	return [
		'apiVersion: v1',
		'kind: Config',
		'clusters:',
		'- name: podwatch-demo',
		'  cluster:',
		`    certificate-authority-data: ${Buffer.from(caPem).toString('base64')}`,
		`    server: ${url}`,
		'users:',
		'- name: podwatch-demo',
		'  user:',
		`    token: ${token}`,
		'contexts:',
		'- name: podwatch-demo',
		'  context:',
		'    cluster: podwatch-demo',
		'    user: podwatch-demo',
		'    namespace: default',
		'current-context: podwatch-demo',
		'preferences: {}',
		'',
	].join('\n');
}

/** Manifest files from a list of files and directories (directories: *.yaml, *.yml, *.json). */
export function manifestFiles(paths: string[]): string[] {
	const out: string[] = [];
	for (const p of paths) {
		let st;
		try {
			st = statSync(p);
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			throw Object.assign(new Error(`cannot read the manifest ${p}: ${code === 'ENOENT' ? 'no such file or directory' : code}`, {cause: error}), {code});
		}
		if (st.isDirectory()) {
			for (const f of readdirSync(p).sort()) if (/\.(ya?ml|json)$/.test(f)) out.push(join(p, f));
		} else out.push(p);
	}
	return out;
}

function applyDocuments(cluster: Cluster, text: string): void {
	const docs: Obj[] = [];
	for (const doc of parseAllDocuments(text)) {
		if (doc.errors.length > 0) throw new Error(`the manifest is not valid YAML: ${doc.errors[0]!.message}`);
		const value = doc.toJSON();
		if (value == null) continue;
		if (value.kind === 'List' && Array.isArray(value.items)) docs.push(...value.items);
		else docs.push(value);
	}
	for (const obj of docs) {
		const resource = KIND_TO_RESOURCE[obj?.kind];
		if (!resource || (obj.apiVersion ?? 'v1') !== 'v1') {
			throw new Error(`resource mapping not found for name: "${obj?.metadata?.name ?? ''}" namespace: "${obj?.metadata?.namespace ?? ''}" from manifest: no matches for kind "${obj?.kind}" in version "${obj?.apiVersion}"`);
		}
		const namespaced = RESOURCES[resource]!.namespaced;
		const namespace = namespaced ? (obj.metadata?.namespace ?? 'default') : undefined;
		const applied = structuredClone(obj);
		applied.metadata ??= {};
		applied.metadata.annotations = {...applied.metadata.annotations, [LAST_APPLIED]: JSON.stringify(obj) + '\n'};
		if (cluster.store.get(resource, namespace, applied.metadata.name ?? '')) {
			cluster.patch(resource, namespace, applied.metadata.name, 'application/strategic-merge-patch+json', applied);
		} else cluster.create(resource, namespace, applied);
	}
}

/**
 * The kubeconfig is overwritten at start and deleted at stop, so never take over a file that is
 * not an earlier podwatch demo kubeconfig (for example the user's ~/.kube/config).
 */
function refuseForeignKubeconfig(path: string): void {
	let existing: string;
	try {
		existing = readFileSync(path, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
		throw error;
	}
	if (/^current-context: podwatch-demo$/m.test(existing) && /^ {4}token: /m.test(existing)) return;
	throw Object.assign(new Error(`${path} already exists and is not a podwatch demo kubeconfig`), {code: 'EEXIST'});
}

export async function startDemoCluster(opts: DemoClusterOptions = {}): Promise<DemoCluster> {
	const runtime = opts.runtime ?? (await defaultRuntime());
	const nowMs = opts.clock ?? (() => Date.now());
	const cluster = new Cluster(runtime, nowMs, opts.watchHistory ?? 4096, {backoffBaseMs: opts.backoffBaseMs ?? 10_000, maxBackoffMs: 300_000, logBytesPerInstance: 2 * 1024 * 1024, containerStartGapMs: 100});
	const token = opts.token ?? randomBytes(24).toString('base64url');
	let closing = false;
	const open = new Set<ServerResponse>();
	const faults = new Faults();
	faults.bumpVersion = () => cluster.store.skipVersion();
	const ctx: HttpContext = {
		faults,
		cluster,
		token,
		watchBookmarkMs: opts.watchBookmarkMs ?? 10_000,
		closing: () => closing,
		track(res) {
			open.add(res);
			res.on('close', () => open.delete(res));
		},
	};
	// Real time, not the injected clock: TLS clients check validity against their own clocks.
	const tls = selfSignedCertificate();
	const server = createServer({key: tls.key, cert: tls.cert}, (req, res) => void handleHttp(ctx, req, res));
	server.keepAliveTimeout = 5000;
	const wss = attachExec(server, ctx);
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(opts.port ?? 0, '127.0.0.1', () => {
			server.off('error', reject);
			resolve();
		});
	});
	const {port} = server.address() as AddressInfo;
	// Fault injection: every connection goes, the listener closes and comes back on the same port
	// with the same certificate, token and cluster state (pods keep running), like an API server restart.
	faults.restartHook = async (downMs: number) => {
		if (closing) return;
		for (const res of open) res.destroy();
		for (const ws of wss.clients) ws.terminate();
		await new Promise<void>(resolve => {
			server.close(() => resolve());
			server.closeAllConnections();
		});
		if (downMs > 0) await new Promise(resolve => setTimeout(resolve, downMs));
		if (closing) return;
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, '127.0.0.1', () => {
				server.off('error', reject);
				resolve();
			});
		});
	};
	const url = `https://127.0.0.1:${port}`;
	const kubeconfigYaml = kubeconfigFor(url, token, tls.cert);
	let wroteKubeconfig = false;
	const stop = async () => {
		if (closing) return;
		closing = true;
		faults.dispose();
		for (const res of open) res.end();
		for (const ws of wss.clients) ws.terminate();
		wss.close();
		// Containers get no grace at shutdown; never let a stuck one keep stop() from resolving.
		await Promise.race([cluster.kubelet.stopAll(), new Promise(resolve => setTimeout(resolve, 5000).unref())]);
		await new Promise<void>(resolve => {
			server.close(() => resolve());
			server.closeAllConnections();
		});
		if (wroteKubeconfig && opts.kubeconfigPath) rmSync(opts.kubeconfigPath, {force: true});
	};
	try {
		if (opts.kubeconfigPath) {
			refuseForeignKubeconfig(opts.kubeconfigPath);
			writeFileSync(opts.kubeconfigPath, kubeconfigYaml, {mode: 0o600});
			wroteKubeconfig = true;
		}
		for (const file of manifestFiles(opts.manifests ?? [])) {
			try {
				applyDocuments(cluster, readFileSync(file, 'utf8'));
			} catch (error) {
				throw new Error(`could not apply ${file}: ${error instanceof Error ? error.message : String(error)}`, {cause: error});
			}
		}
	} catch (error) {
		await stop();
		throw error;
	}
	const result: DemoCluster = {
		url,
		token,
		caPem: tls.cert,
		kubeconfigYaml,
		async applyYaml(text: string) {
			applyDocuments(cluster, text);
		},
		stop,
		faults,
	};
	if (opts.kubeconfigPath) result.kubeconfigPath = opts.kubeconfigPath;
	return result;
}

type Writable = {write(text: string): unknown};

const printable = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, c => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/** `podwatch demo`: run the cluster in the foreground until SIGINT/SIGTERM. */
export async function runDemoCommand(argv: {kubeconfig?: string; port?: number; apply: string[]}, io: {stdout: Writable; stderr: Writable}): Promise<number> {
	const kubeconfigPath = argv.kubeconfig ?? join(tmpdir(), `podwatch-demo-${process.pid}.kubeconfig`);
	let cluster: DemoCluster;
	try {
		cluster = await startDemoCluster({port: argv.port ?? 0, kubeconfigPath});
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EADDRINUSE') {
			io.stderr.write(`podwatch demo: port ${argv.port} on 127.0.0.1 is already in use. Choose another port with --port N, or leave --port out to use any free port.\n`);
		} else if (code === 'EEXIST') {
			io.stderr.write(`podwatch demo: ${printable(kubeconfigPath)} already exists and is not a podwatch demo kubeconfig, so it was left alone (the demo deletes its kubeconfig when it stops). Choose a new file with --kubeconfig PATH.\n`);
		} else if (code === 'EACCES' || code === 'ENOENT' || code === 'EISDIR') {
			io.stderr.write(`podwatch demo: cannot write the kubeconfig to ${printable(kubeconfigPath)} (${code}). Choose a writable file with --kubeconfig PATH.\n`);
		} else {
			io.stderr.write(`podwatch demo: the demo cluster could not start: ${printable(error instanceof Error ? error.message : String(error))}\n`);
		}
		return 1;
	}
	io.stdout.write(`podwatch demo cluster ready at ${cluster.url} — export KUBECONFIG=${printable(kubeconfigPath)}\n`);
	let failed = false;
	for (const path of argv.apply) {
		try {
			for (const file of manifestFiles([path])) await cluster.applyYaml(readFileSync(file, 'utf8'));
		} catch (error) {
			failed = true;
			const reason = error instanceof ApiError ? error.message : error instanceof Error ? ((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : error.message) : String(error);
			io.stderr.write(`podwatch demo: could not apply ${printable(path)}: ${printable(reason)}. Fix the manifest (or the path) and apply it with kubectl apply -f; the cluster keeps running.\n`);
		}
	}
	void failed;
	await new Promise<void>(resolve => {
		const done = () => {
			process.off('SIGINT', done);
			process.off('SIGTERM', done);
			resolve();
		};
		process.on('SIGINT', done);
		process.on('SIGTERM', done);
	});
	await cluster.stop();
	return 0;
}
