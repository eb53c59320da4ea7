// The volume inspector's work: run `ls -la` and `cat` (bounded) in every container that mounts a
// volume, in parallel, through the same WebSocket exec any cluster offers, and compare what each
// container saw. No React here: the TUI and `podwatch inspect` both call these functions.
import {createHash} from 'node:crypto';
import type {V1ContainerStatus, V1Pod} from '@kubernetes/client-node';
import type {ExecOutcome, KubeSource} from '../kube/types.js';
import {parseLsLa, type ListingEntry} from './listing.js';
import {kubectlExec, pathInContainer, volumeMap, type MountInfo, type VolumeInfo} from './volumes.js';

/** Entries shown per listing; the rest are counted. */
export const maxEntries = 500;
/** Bytes of a file's tail fetched for display. */
export const tailBytes = 16 * 1024;

export type Problem = {message: string};

export type ListingResult = {
	mount: MountInfo;
	command: string;
} & (
	| {kind: 'ok'; entries: ListingEntry[]; more: number}
	| ({kind: 'error'} & Problem)
	/** The container mounts another part of the volume (subPath): not part of this comparison. */
	| ({kind: 'elsewhere'} & Problem)
);

export type FileRow = {
	name: string;
	kind: string;
	/** Containers whose listing has this entry. */
	presentIn: string[];
	/** Containers that listed the directory but lack this entry. */
	missingIn: string[];
	/** Every container that has it reports the same size. */
	sameSize: boolean;
	sizes: Record<string, number | undefined>;
};

export type VolumeListing = {
	volume: VolumeInfo;
	/** The directory compared, relative to the volume's root ('' for the root). */
	relative: string;
	listings: ListingResult[];
	rows: FileRow[];
	/** same: every mounting container listed the same names and sizes; differ; error: no comparison possible. */
	verdict: 'same' | 'differ' | 'error';
};

export type FileContent = {
	mount: MountInfo;
	path: string;
	command: string;
} & (
	| {
			kind: 'ok';
			/** sha256 (or md5 when only md5sum exists) of the whole file, computed in the container. */
			hash: string | undefined;
			hashAlgorithm: 'sha256' | 'md5' | 'local-sha256' | undefined;
			/** Size in bytes when known (from the hash command's input or the fetched bytes). */
			bytes: Uint8Array;
			/** The fetched bytes are only the file's tail. */
			truncated: boolean;
			binary: boolean;
			/** The content was not fetched because the volume holds secrets and they were not asked for. */
			hidden: boolean;
	  }
	| ({kind: 'error'; /** The file does not exist in this container. */ missing?: boolean} & Problem)
);

export type FileComparison = {
	volume: VolumeInfo;
	path: string;
	contents: FileContent[];
	/** gone: no container has the file any more (removed between the listing and the read). */
	verdict: 'same' | 'differ' | 'error' | 'gone';
	/** Containers whose hash differs from the first container's. */
	differing: string[];
};

type Target = {source: KubeSource; pod: V1Pod; timeoutMs?: number};

function allStatuses(pod: V1Pod): V1ContainerStatus[] {
	const status = pod.status;
	return [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? []), ...(status?.ephemeralContainerStatuses ?? [])];
}

/** Why exec cannot run in this container now, or undefined when it is running. */
export function notRunningReason(pod: V1Pod, container: string): string | undefined {
	const status = allStatuses(pod).find(s => s.name === container);
	if (!status) return `container ${container} has not started yet, so nothing can run in it.`;
	const state = status.state;
	if (state?.running) return undefined;
	if (state?.waiting) {
		const why = state.waiting.reason ?? 'Waiting';
		return `container ${container} is not running (${why}${state.waiting.message ? `: ${state.waiting.message}` : ''}), so nothing can run in it.`;
	}

	if (state?.terminated) {
		const t = state.terminated;
		return `container ${container} is not running (terminated: ${t.reason ?? 'exit'} with exit code ${t.exitCode}), so nothing can run in it.`;
	}

	return `container ${container} is not running, so nothing can run in it.`;
}

function describeExecError(outcome: Extract<ExecOutcome, {kind: 'error'}>, binary: string, pod: string, container: string): string {
	if (outcome.reason === 'not-found') {
		return `\`${binary}\` is not in this container's image (a distroless or scratch image has no shell tools). To look inside anyway, attach a debug container: kubectl debug -it ${pod} --image=busybox:1.36 --target=${container}`;
	}

	return outcome.message;
}

function text(bytes: Uint8Array): string {
	return new TextDecoder('utf-8', {fatal: false}).decode(bytes);
}

async function run(target: Target, container: string, argv: string[], maxBytes: number): Promise<ExecOutcome> {
	const namespace = target.pod.metadata?.namespace ?? 'default';
	const pod = target.pod.metadata?.name ?? '';
	return target.source.exec(namespace, pod, container, argv, {timeoutMs: target.timeoutMs ?? 10_000, maxBytes});
}

async function listOne(target: Target, mount: MountInfo, relative: string): Promise<ListingResult> {
	const pod = target.pod.metadata?.name ?? '';
	const namespace = target.pod.metadata?.namespace ?? 'default';
	const dir = pathInContainer(mount, relative);
	if (dir === undefined) {
		return {mount, command: '', kind: 'elsewhere', message: `mounts only ${mount.subPath}/ of this volume (subPath), at ${mount.mountPath}`};
	}

	const argv = ['ls', '-la', dir.endsWith('/') ? dir : `${dir}/`];
	const command = kubectlExec(pod, namespace, mount.container, argv);
	const notRunning = notRunningReason(target.pod, mount.container);
	if (notRunning) return {mount, command, kind: 'error', message: notRunning};
	const outcome = await run(target, mount.container, argv, 4 * 1024 * 1024);
	if (outcome.kind === 'error') return {mount, command, kind: 'error', message: describeExecError(outcome, 'ls', pod, mount.container)};
	if (outcome.exitCode !== 0) {
		const stderr = text(outcome.stderr).trim();
		const missing = /no such file|not found|cannot access/i.test(stderr);
		return {
			mount,
			command,
			kind: 'error',
			message: missing ? `${dir} does not exist in this container.` : `ls exited with code ${outcome.exitCode}: ${stderr || '(no message)'}`,
		};
	}

	const entries = parseLsLa(text(outcome.stdout));
	return {mount, command, kind: 'ok', entries: entries.slice(0, maxEntries), more: Math.max(0, entries.length - maxEntries)};
}

export function compareListings(listings: ListingResult[]): {rows: FileRow[]; verdict: VolumeListing['verdict']} {
	const ok = listings.filter((l): l is Extract<ListingResult, {kind: 'ok'}> => l.kind === 'ok');
	const compared = listings.filter(l => l.kind !== 'elsewhere');
	if (ok.length === 0) return {rows: [], verdict: 'error'};
	const names = new Map<string, string>();
	for (const listing of ok) for (const entry of listing.entries) if (!names.has(entry.name)) names.set(entry.name, entry.kind);
	const rows: FileRow[] = [...names.entries()]
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
		.map(([name, kind]) => {
			const sizes: Record<string, number | undefined> = {};
			const presentIn: string[] = [];
			const missingIn: string[] = [];
			for (const listing of ok) {
				const entry = listing.entries.find(e => e.name === name);
				if (entry) {
					presentIn.push(listing.mount.container);
					sizes[listing.mount.container] = entry.size;
				} else {
					missingIn.push(listing.mount.container);
				}
			}

			// Directories' sizes depend on the filesystem, not on what they hold.
			const fileSizes = kind === 'd' ? [] : Object.values(sizes);
			const sameSize = fileSizes.every(size => size === fileSizes[0]);
			return {name, kind, presentIn, missingIn, sameSize, sizes};
		});
	const differ = rows.some(row => row.missingIn.length > 0 || !row.sameSize) || ok.some(l => l.more > 0 && l.more !== ok[0]!.more);
	const verdict = ok.length < compared.length ? 'error' : differ ? 'differ' : 'same';
	return {rows, verdict};
}

/** `ls -la` of one directory of the volume in every container that mounts it, in parallel. */
export async function inspectVolume(target: Target, volume: VolumeInfo, relative = ''): Promise<VolumeListing> {
	const listings = await Promise.all(volume.mounts.map(async mount => listOne(target, mount, relative)));
	const {rows, verdict} = compareListings(listings);
	return {volume, relative, listings, rows, verdict};
}

/** The directories worth comparing: the volume's root, and each part a container mounts by subPath. */
export function comparisonRoots(volume: VolumeInfo): string[] {
	const roots = [''];
	for (const mount of volume.mounts) {
		const sub = mount.subPath?.replace(/^\/+|\/+$/g, '');
		if (sub && !roots.includes(sub)) roots.push(sub);
	}

	return roots;
}

function looksBinary(bytes: Uint8Array): boolean {
	const sample = bytes.subarray(0, 8192);
	if (sample.includes(0)) return true;
	const decoded = text(sample);
	const replacement = decoded.split('\uFFFD').length - 1;
	return replacement > Math.max(2, decoded.length / 100);
}

async function hashOne(target: Target, mount: MountInfo, path: string): Promise<{hash: string; algorithm: 'sha256' | 'md5'} | undefined> {
	for (const [binary, algorithm] of [['sha256sum', 'sha256'], ['md5sum', 'md5']] as const) {
		const outcome = await run(target, mount.container, [binary, path], 4096);
		if (outcome.kind === 'exited' && outcome.exitCode === 0) {
			const hash = /^([\da-f]{32,64})\b/.exec(text(outcome.stdout).trim())?.[1];
			if (hash) return {hash, algorithm};
		}
	}

	return undefined;
}

async function readOne(target: Target, mount: MountInfo, relative: string, showSecrets: boolean, secret: boolean): Promise<FileContent> {
	const pod = target.pod.metadata?.name ?? '';
	const namespace = target.pod.metadata?.namespace ?? 'default';
	const path = pathInContainer(mount, relative)!;
	const argv = ['tail', '-c', String(tailBytes), path];
	const command = kubectlExec(pod, namespace, mount.container, ['cat', path]);
	const notRunning = notRunningReason(target.pod, mount.container);
	if (notRunning) return {mount, path, command, kind: 'error', message: notRunning};

	const hashed = await hashOne(target, mount, path);
	const hidden = secret && !showSecrets;
	let bytes: Uint8Array = new Uint8Array();
	let truncated = false;
	if (!hidden || !hashed) {
		let outcome = await run(target, mount.container, argv, tailBytes + 1024);
		if (outcome.kind === 'error' && outcome.reason === 'not-found') outcome = await run(target, mount.container, ['cat', path], tailBytes);
		if (outcome.kind === 'error') return {mount, path, command, kind: 'error', message: describeExecError(outcome, 'cat', pod, mount.container)};
		if (outcome.exitCode !== 0) {
			const stderr = text(outcome.stderr).trim();
			const missing = /no such file|not found|cannot open/i.test(stderr);
			return {mount, path, command, kind: 'error', missing, message: missing ? `${path} does not exist in this container.` : stderr || `exit code ${outcome.exitCode}`};
		}

		bytes = outcome.stdout;
		truncated = outcome.truncated || bytes.length >= tailBytes;
	}

	let hash = hashed?.hash;
	let hashAlgorithm: 'sha256' | 'md5' | 'local-sha256' | undefined = hashed?.algorithm;
	if (!hashed && !truncated) {
		hash = createHash('sha256').update(bytes).digest('hex');
		hashAlgorithm = 'local-sha256';
	}

	return {mount, path, command, kind: 'ok', hash, hashAlgorithm, bytes: hidden ? new Uint8Array() : bytes, truncated, binary: looksBinary(bytes), hidden};
}

/** Reads one file (a path relative to the volume's root) in every container that mounts the volume. */
export async function compareFile(
	target: Target,
	volume: VolumeInfo,
	relative: string,
	options: {showSecrets?: boolean} = {},
): Promise<FileComparison> {
	const visible = volume.mounts.filter(mount => pathInContainer(mount, relative) !== undefined);
	const readAll = async () => Promise.all(visible.map(async mount => readOne(target, mount, relative, options.showSecrets ?? false, volume.secret)));
	let contents = await readAll();
	// On a live volume a file can be removed between the reads in two containers. Missing in some
	// and present in others is read once more before it is called a difference.
	const missing = (c: FileContent) => c.kind === 'error' && c.missing === true;
	if (contents.some(missing) && !contents.every(missing)) contents = await readAll();
	const ok = contents.filter((c): c is Extract<FileContent, {kind: 'ok'}> => c.kind === 'ok');
	const first = ok[0];
	// Hashes from different algorithms cannot be compared: fall back to the fetched bytes then.
	const key = (c: Extract<FileContent, {kind: 'ok'}>) =>
		ok.every(o => o.hashAlgorithm === first?.hashAlgorithm) && c.hash ? c.hash : Buffer.from(c.bytes).toString('base64');
	const differing = first ? ok.filter(c => key(c) !== key(first)).map(c => c.mount.container) : [];
	const goneEverywhere = contents.length > 0 && contents.every(c => c.kind === 'error' && c.missing);
	const verdict = goneEverywhere ? 'gone' : ok.length < contents.length || ok.length === 0 ? 'error' : differing.length > 0 ? 'differ' : 'same';
	return {volume, path: relative, contents, verdict, differing};
}

export function findVolume(pod: V1Pod, name: string | undefined): VolumeInfo | undefined {
	const volumes = volumeMap(pod).filter(v => v.mounts.length > 0);
	if (name !== undefined) return volumes.find(v => v.name === name);
	// Default: the first volume mounted by two or more containers (the lesson's point), else the first mounted one.
	return volumes.find(v => new Set(v.mounts.map(m => m.container)).size > 1) ?? volumes[0];
}

/** Hex preview of the first bytes, for binary files (never printed raw). */
export function hexPreview(bytes: Uint8Array, count = 64): string {
	const shown = bytes.subarray(0, count);
	const hex = [...shown].map(b => b.toString(16).padStart(2, '0'));
	const lines: string[] = [];
	for (let i = 0; i < hex.length; i += 16) lines.push(hex.slice(i, i + 16).join(' '));
	return lines.join('\n') + (bytes.length > count ? `\n… ${bytes.length - count} more bytes` : '');
}
