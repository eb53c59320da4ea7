// What podwatch does when its output is not a terminal: the pod table once (like `kubectl get
// pods`), or every container's lines prefixed with the container name (like stern), or one JSON
// object per line with `-o json`. It ends when the pod is deleted; a closed pipe ends it quietly.
import type {V1Pod} from '@kubernetes/client-node';
import type {Writable} from 'node:stream';
import {podAge, podReady, podRestarts, podStatus} from '../pod-status.js';
import type {Closeable, KubeSource, LogEntry} from '../kube/types.js';
import {sanitizeLine, sanitizeName} from '../text/index.js';

// Piped output may still end on a terminal (`| cat`, `| less -R`): it gets the same treatment.
const plainText = (text: string) => sanitizeName(text, 1_000_000);

export type PipeOptions = {
	source: KubeSource;
	out: Writable;
	err: Writable;
	pod: string | undefined;
	allNamespaces: boolean;
	selector?: string;
	container?: string;
	tailLines?: number;
	sinceSeconds?: number;
	timestamps: boolean;
	json: boolean;
	/** Keep the log's own colour (only when forced: FORCE_COLOR). */
	colour: boolean;
	now?: () => Date;
};

/** kubectl's tabwriter layout: each column as wide as its widest cell, three spaces between. */
export function formatTable(rows: string[][]): string {
	const widths: number[] = [];
	for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
	return rows
		.map(row => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join(''))
		.join('\n');
}

export function podTableRows(pods: V1Pod[], allNamespaces: boolean, now: Date): string[][] {
	const header = ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'];
	const rows = pods.map(pod => [
		plainText(pod.metadata?.name ?? ''),
		podReady(pod),
		plainText(podStatus(pod)),
		podRestarts(pod, now),
		podAge(pod, now),
	]);
	if (!allNamespaces) return [header, ...rows];
	return [['NAMESPACE', ...header], ...rows.map((row, i) => [plainText(pods[i]!.metadata?.namespace ?? ''), ...row])];
}

function containerNames(pod: V1Pod): string[] {
	const init = (pod.spec?.initContainers ?? []).map(c => c.name);
	const main = (pod.spec?.containers ?? []).map(c => c.name);
	return [...init, ...main];
}

/** Resolves with the process exit code. */
export function runPipe(options: PipeOptions): Promise<number> {
	const now = options.now ?? (() => new Date());
	const {source, out} = options;
	const handles: Closeable[] = [];
	let finished = false;

	return new Promise<number>(resolve => {
		const finish = (code: number) => {
			if (finished) return;
			finished = true;
			for (const handle of handles) handle.close();
			resolve(code);
		};

		// A reader that goes away (`| head`) is a normal end, not an error.
		out.on('error', (error: NodeJS.ErrnoException) => finish(error.code === 'EPIPE' ? 0 : 1));

		if (options.pod === undefined) {
			handles.push(
				source.watchPods({
					namespace: options.allNamespaces ? undefined : source.target.namespace,
					labelSelector: options.selector,
					onPods(pods) {
						if (pods.length === 0) {
							const where = options.allNamespaces ? 'any namespace' : `${source.target.namespace} namespace`;
							options.err.write(`No resources found in ${where}.\n`);
						} else {
							out.write(formatTable(podTableRows(pods, options.allNamespaces, now())) + '\n');
						}

						finish(0);
					},
					onStatus(status) {
						// A one-shot listing does not wait for a cluster that is not answering: like
						// `kubectl get pods`, it says why and exits.
						if (status.state === 'failed' || status.state === 'reconnecting') {
							options.err.write(`${status.state === 'failed' ? status.message : status.reason}\n`);
							finish(1);
						}
					},
				}),
			);
			return;
		}

		const podName = options.pod;
		const namespace = source.target.namespace ?? 'default';
		const followed = new Set<string>();
		let seenPod = false;
		let waitingSaid = false;
		let saidReason: string | undefined;

		const write = (container: string, entry: LogEntry) => {
			if (options.json) {
				const line = entry.kind === 'line' ? entry.text : entry.kind === 'notice' ? entry.text : restartText(entry);
				out.write(JSON.stringify({pod: podName, container, time: entry.time ?? null, kind: entry.kind, line}) + '\n');
				return;
			}

			const text = entry.kind === 'line' ? entry.text : entry.kind === 'notice' ? entry.text : restartText(entry);
			const stamp = options.timestamps && entry.time ? `${entry.time} ` : '';
			out.write(`[${plainText(container)}] ${stamp}${sanitizeLine(text, {keepColour: options.colour, maxLength: 1_000_000})}\n`);
		};

		handles.push(
			source.watchPod({
				namespace,
				name: podName,
				onPod(pod) {
					if (pod === undefined) {
						if (seenPod) {
							finish(0);
						} else if (!waitingSaid) {
							waitingSaid = true;
							options.err.write(`podwatch: pod "${plainText(podName)}" does not exist in namespace "${plainText(namespace)}" yet; waiting for it (Ctrl-C to stop).\n`);
						}

						return;
					}

					seenPod = true;
					const names = containerNames(pod);
					if (options.container !== undefined && !names.includes(options.container)) {
						options.err.write(
							`podwatch: container "${plainText(options.container)}" is not in pod "${plainText(podName)}"; its containers are: ${names.map(plainText).join(', ')}.\n`,
						);
						finish(2);
						return;
					}

					for (const container of names) {
						if (followed.has(container)) continue;
						if (options.container !== undefined && container !== options.container) continue;
						followed.add(container);
						handles.push(
							source.followLogs({
								namespace,
								pod: podName,
								container,
								tailLines: options.tailLines,
								sinceSeconds: options.sinceSeconds,
								onEntries: entries => {
									for (const entry of entries) write(container, entry);
								},
								onStatus(status) {
									if (status.state === 'failed') options.err.write(`[${plainText(container)}] ${status.message}\n`);
								},
							}),
						);
					}
				},
				onStatus(status) {
					if (status.state === 'failed') {
						options.err.write(`${status.message}\n`);
						finish(1);
					} else if (status.state === 'reconnecting' && status.reason !== saidReason) {
						// Not silent while the cluster does not answer (the dashboard shows "reconnecting…").
						saidReason = status.reason;
						options.err.write(`podwatch: ${status.reason} Retrying (Ctrl-C to stop).\n`);
					} else if (status.state === 'live') {
						saidReason = undefined;
					}
				},
			}),
		);
	});
}

function restartText(entry: Extract<LogEntry, {kind: 'restart'}>): string {
	const parts = ['restarted'];
	if (entry.exitCode !== undefined) parts.push(`exit ${entry.exitCode}`);
	if (entry.reason) parts.push(entry.reason);
	return `── ${parts.join(' · ')} ──`;
}
