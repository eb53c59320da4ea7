// `podwatch inspect POD`: the inspector's report without the TUI, for a lesson handout or a check.
// Exit codes: 0 every mounting container sees the same content, 1 they differ, 2 error.
import type {V1Pod} from '@kubernetes/client-node';
import type {Writable} from 'node:stream';
import type {KubeSource} from '../kube/types.js';
import {sanitizeLine, sanitizeName} from '../text/index.js';
import {compareFile, comparisonRoots, findVolume, hexPreview, inspectVolume, type FileComparison, type VolumeListing} from './inspect.js';
import {volumeMap, type VolumeInfo} from './volumes.js';

export type InspectOptions = {
	source: KubeSource;
	namespace: string;
	pod: string;
	volume?: string;
	file?: string;
	output: 'text' | 'json';
	showSecrets?: boolean;
	out: Writable;
	err: Writable;
	/** How long to wait for the pod object. */
	timeoutMs?: number;
};

/** Files compared when no --file is given. */
const maxFilesCompared = 20;

export function getPodOnce(source: KubeSource, namespace: string, name: string, timeoutMs: number): Promise<V1Pod | {error: string}> {
	return new Promise(resolve => {
		let settled = false;
		const settle = (value: V1Pod | {error: string}) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			queueMicrotask(() => handle.close());
			resolve(value);
		};

		const timer = setTimeout(() => settle({error: `podwatch: the cluster did not answer within ${timeoutMs / 1000} s.`}), timeoutMs);
		const handle = source.watchPod({
			namespace,
			name,
			onPod: pod => settle(pod ?? {error: `podwatch: pod "${sanitizeName(name)}" not found in namespace "${sanitizeName(namespace)}". Check the name with: kubectl get pods -n ${sanitizeName(namespace)}`}),
			onStatus(status) {
				if (status.state === 'failed') settle({error: status.message});
			},
		});
	});
}

const clean = (text: string) => sanitizeLine(text, {keepColour: false, maxLength: 2000});

function textReport(volume: VolumeInfo, listings: VolumeListing[], files: FileComparison[], podLabel: string): string {
	const out: string[] = [];
	out.push(`Pod ${podLabel} · volume ${clean(volume.name)} (${clean(volume.type)})`);
	const width = Math.max(...volume.mounts.map(m => m.container.length), 9);
	for (const mount of volume.mounts) {
		const extras = [mount.readOnly ? 'ro' : 'rw', mount.subPath ? `subPath ${clean(mount.subPath)}` : ''].filter(Boolean).join(', ');
		out.push(`  ${clean(mount.container).padEnd(width)}  ${clean(mount.mountPath)} (${extras})`);
	}

	for (const other of volume.notMountedBy) out.push(`  ${clean(other.container).padEnd(width)}  not mounted`);
	out.push('');
	for (const listing of listings) out.push(...listingText(listing));
	out.push(...filesText(files));
	return out.join('\n');
}

function listingText(listing: VolumeListing): string[] {
	const out: string[] = [];
	out.push(listing.relative === '' ? 'The volume\'s root:' : `Its ${clean(listing.relative)}/ directory (mounted alone by subPath):`);
	for (const result of listing.listings) {
		if (result.kind === 'elsewhere') continue;
		out.push(`$ ${clean(result.command)}`);
		if (result.kind === 'error') {
			out.push(`  ! ${clean(result.message)}`);
		} else {
			for (const entry of result.entries) {
				out.push(`  ${entry.mode}  ${String(entry.size ?? '-').padStart(8)}  ${entry.modified}  ${clean(entry.name)}${entry.target ? ` -> ${clean(entry.target)}` : ''}`);
			}

			if (result.entries.length === 0) out.push('  (empty)');
			if (result.more > 0) out.push(`  … and ${result.more} more entries`);
		}

		out.push('');
	}

	for (const result of listing.listings) if (result.kind === 'elsewhere') out.push(`  (${clean(result.mount.container)} ${clean(result.message)})`);
	const containers = listing.listings.filter(l => l.kind === 'ok').map(l => l.mount.container);
	if (listing.rows.length > 0) {
		out.push('Entries:');
		for (const row of listing.rows) {
			const mark = row.missingIn.length > 0 ? `only in ${row.presentIn.map(clean).join(', ')}` : row.sameSize ? `in all ${containers.length}` : 'sizes differ';
			const sizes = row.kind === 'd' ? 'dir' : containers.map(c => String(row.sizes[c] ?? '-')).join(' / ');
			out.push(`  ${row.missingIn.length > 0 || !row.sameSize ? '✗' : '✓'} ${clean(row.name)}  ${sizes}  ${mark}`);
		}

		out.push('');
	}

	return out;
}

function filesText(files: FileComparison[]): string[] {
	const out: string[] = [];
	for (const file of files) {
		out.push(`File ${clean(file.path)}:`);
		for (const content of file.contents) {
			if (content.kind === 'error') {
				out.push(`  ${clean(content.mount.container)}: ! ${clean(content.message)}`);
				continue;
			}

			const hash = content.hash ? `${content.hashAlgorithm === 'md5' ? 'md5' : 'sha256'} ${content.hash.slice(0, 16)}…` : 'no hash';
			out.push(`  ${clean(content.mount.container)}: ${hash}  $ ${clean(content.command)}`);
			if (content.hidden) {
				out.push('    (secret contents hidden; pass --show-secrets to print them)');
			} else if (content.binary) {
				out.push(...hexPreview(content.bytes).split('\n').map(line => `    ${line}`));
			} else {
				const lines = new TextDecoder().decode(content.bytes).split('\n');
				if (lines.at(-1) === '') lines.pop();
				const shown = lines.slice(-5);
				if (content.truncated || lines.length > shown.length) out.push(`    … (last ${shown.length} lines)`);
				for (const line of shown) out.push(`    ${clean(line)}`);
			}
		}

		const okCount = new Set(file.contents.filter(c => c.kind === 'ok').map(c => c.mount.container)).size;
		out.push(
			file.verdict === 'same'
				? `  ✓ same content in all ${okCount} containers`
				: file.verdict === 'differ'
					? `  ✗ content differs in: ${file.differing.map(clean).join(', ')}`
					: file.verdict === 'gone'
						? '  (removed from the volume while podwatch was inspecting it: gone in every container alike)'
						: '  ! could not compare in every container',
		);
		out.push('');
	}

	return out;
}

function jsonReport(volume: VolumeInfo, listings: VolumeListing[], files: FileComparison[], pod: string, namespace: string, verdict: string) {
	return {
		pod,
		namespace,
		volume: {name: volume.name, type: volume.type, mounts: volume.mounts, notMountedBy: volume.notMountedBy},
		directories: listings.map(listing => ({
			relative: listing.relative,
			verdict: listing.verdict,
			listings: listing.listings.map(l =>
				l.kind === 'ok'
					? {container: l.mount.container, command: l.command, entries: l.entries, more: l.more}
					: l.kind === 'error'
						? {container: l.mount.container, command: l.command, error: l.message}
						: {container: l.mount.container, elsewhere: l.message},
			),
			entries: listing.rows,
		})),
		files: files.map(f => ({
			path: f.path,
			verdict: f.verdict,
			differing: f.differing,
			contents: f.contents.map(c =>
				c.kind === 'ok'
					? {container: c.mount.container, path: c.path, hash: c.hash, hashAlgorithm: c.hashAlgorithm, truncated: c.truncated, binary: c.binary, hidden: c.hidden}
					: {container: c.mount.container, path: c.path, error: c.message},
			),
		})),
		verdict,
	};
}

export async function runInspect(options: InspectOptions): Promise<number> {
	const pod = await getPodOnce(options.source, options.namespace, options.pod, options.timeoutMs ?? 15_000);
	if ('error' in pod) {
		options.err.write(`${pod.error}\n`);
		return 2;
	}

	const volume = findVolume(pod, options.volume);
	if (!volume) {
		const names = volumeMap(pod).filter(v => v.mounts.length > 0).map(v => v.name);
		options.err.write(
			options.volume === undefined
				? `podwatch: pod "${sanitizeName(options.pod)}" mounts no volumes, so there is nothing to compare.\n`
				: `podwatch: pod "${sanitizeName(options.pod)}" has no mounted volume "${sanitizeName(options.volume)}"; its volumes are: ${names.map(n => sanitizeName(n)).join(', ') || 'none'}.\n`,
		);
		return 2;
	}

	const target = {source: options.source, pod};
	const listings: VolumeListing[] = [];
	for (const relative of comparisonRoots(volume)) {
		// A subPath that names a file (a single configMap key, say) is compared as a file below,
		// not listed as a directory.
		const root = listings[0];
		if (relative !== '' && root && !relative.includes('/') && root.rows.some(row => row.name === relative && row.kind !== 'd')) continue;
		listings.push(await inspectVolume(target, volume, relative));
	}
	let paths: string[];
	if (options.file === undefined) {
		paths = listings
			.flatMap(listing => listing.rows.filter(r => r.kind === '-' && r.missingIn.length === 0).map(r => (listing.relative ? `${listing.relative}/${r.name}` : r.name)))
			.slice(0, maxFilesCompared);
	} else {
		paths = [options.file.replace(/^\/+/, '')];
	}

	const files: FileComparison[] = [];
	for (const path of paths) files.push(await compareFile(target, volume, path, {showSecrets: options.showSecrets ?? false}));

	// A file removed between the listing and the read is gone for every container alike: that
	// is agreement, not an error (a live volume changes while it is inspected).
	const verdicts = [...listings.map(l => l.verdict), ...files.map(f => (f.verdict === 'gone' ? 'same' : f.verdict))];
	const verdict = verdicts.includes('error') ? 'error' : verdicts.includes('differ') ? 'differ' : 'same';
	const podLabel = `${sanitizeName(options.namespace)}/${sanitizeName(options.pod)}`;
	if (options.output === 'json') {
		options.out.write(JSON.stringify(jsonReport(volume, listings, files, options.pod, options.namespace, verdict), null, 2) + '\n');
	} else {
		options.out.write(textReport(volume, listings, files, podLabel));
		const containers = new Set(volume.mounts.map(m => m.container)).size;
		options.out.write(
			verdict === 'same'
				? `Verdict: all ${containers} containers that mount ${sanitizeName(volume.name)} see the same files.\n`
				: verdict === 'differ'
					? `Verdict: the containers that mount ${sanitizeName(volume.name)} do NOT see the same files.\n`
					: `Verdict: could not compare in every container (see the messages above).\n`,
		);
	}

	return verdict === 'same' ? 0 : verdict === 'differ' ? 1 : 2;
}
