// The volume inspector screen (`i` in the pod view, or `--inspect`): the pod's volumes, then for
// the selected one `ls -la` from inside every container that mounts it, side by side, and for the
// selected file its contents in each container with a verdict. Live mode re-lists every few
// seconds and marks what changed, which is the moment the sidecar lesson is about.
import {Box, Text, useInput} from 'ink';
import {useEffect, useMemo, useRef, useState} from 'react';
import type {VolumeInspectorProps} from '../ui/extensions.js';
import {fitCells, sanitizeLine, sanitizeName, truncateCells} from '../text/index.js';
import {compareFile, hexPreview, inspectVolume, type FileComparison, type VolumeListing} from './inspect.js';
import {volumeMap, type VolumeInfo} from './volumes.js';

/** How often live mode re-lists, in ms. */
export const liveIntervalMs = 3000;

type Loaded<T> = {state: 'idle'} | {state: 'loading'; previous?: T; name?: string} | {state: 'done'; value: T} | {state: 'failed'; message: string};

const clean = (text: string) => sanitizeLine(text, {keepColour: false, maxLength: 1000});

function describeMounts(volume: VolumeInfo): string {
	const mounted = volume.mounts.map(m => `${sanitizeName(m.container)}: ${clean(m.mountPath)} (${m.readOnly ? 'ro' : 'rw'}${m.subPath ? `, subPath ${clean(m.subPath)}` : ''})`);
	const not = volume.notMountedBy.map(n => `${sanitizeName(n.container)}: not mounted`);
	return [...mounted, ...not].join('   ');
}

export function InspectorView({source, pod, width, height, theme, onClose}: VolumeInspectorProps) {
	const volumes = useMemo(() => volumeMap(pod), [pod]);
	const mountedVolumes = volumes.filter(v => v.mounts.length > 0);
	const firstShared = Math.max(
		0,
		mountedVolumes.findIndex(v => new Set(v.mounts.map(m => m.container)).size > 1),
	);
	const [volumeIndex, setVolumeIndex] = useState(firstShared);
	const [selectedRow, setSelectedRowState] = useState(0);
	// Keys arrive in bursts (typed fast, or pasted) before React re-renders: Enter after ↓↓ must
	// act on the row the arrows reached, so the selection is also kept in a ref updated at once.
	const selectedRef = useRef(0);
	const setSelectedRow = (update: number | ((row: number) => number)) => {
		selectedRef.current = typeof update === 'function' ? update(selectedRef.current) : update;
		setSelectedRowState(selectedRef.current);
	};
	const [live, setLive] = useState(true);
	const [showSecrets, setShowSecrets] = useState(false);
	const [listing, setListing] = useState<Loaded<VolumeListing>>({state: 'idle'});
	const [file, setFileState] = useState<Loaded<FileComparison> | undefined>(undefined);
	// Like the selection below, kept in refs too: keys of one burst see each other's effects.
	const fileOpen = useRef(false);
	const setFile = (value: Loaded<FileComparison> | undefined) => {
		fileOpen.current = value !== undefined;
		setFileState(value);
	};
	const [changed, setChanged] = useState<ReadonlySet<string>>(new Set());
	const [refreshes, setRefreshes] = useState(0);
	/** The directory compared, relative to the volume's root: Enter on a directory goes in. */
	const [relative, setRelativeState] = useState('');
	const relativeRef = useRef('');
	const setRelative = (update: string | ((current: string) => string)) => {
		relativeRef.current = typeof update === 'function' ? update(relativeRef.current) : update;
		setRelativeState(relativeRef.current);
	};
	const lastSizes = useRef(new Map<string, string>());
	const podRef = useRef(pod);
	podRef.current = pod;

	const volume = mountedVolumes[Math.min(volumeIndex, mountedVolumes.length - 1)];
	const openFile = file === undefined ? undefined : file;

	// Listing: on volume change, and every few seconds in live mode.
	useEffect(() => {
		if (!volume) return;
		let cancelled = false;
		const load = async () => {
			setListing(previous => ({state: 'loading', previous: previous.state === 'done' ? previous.value : previous.state === 'loading' ? previous.previous : undefined}));
			try {
				const value = await inspectVolume({source, pod: podRef.current}, volume, relative);
				if (cancelled) return;
				const sizes = new Map<string, string>();
				for (const row of value.rows) sizes.set(row.name, JSON.stringify(row.sizes));
				const diff = new Set<string>();
				if (lastSizes.current.size > 0) for (const [name, sig] of sizes) if (lastSizes.current.get(name) !== sig) diff.add(name);
				lastSizes.current = sizes;
				setChanged(diff);
				setListing({state: 'done', value});
			} catch (error) {
				if (!cancelled) setListing({state: 'failed', message: (error as Error).message});
			}
		};

		void load();
		const timer = live ? setInterval(() => void load(), liveIntervalMs) : undefined;
		return () => {
			cancelled = true;
			if (timer) clearInterval(timer);
		};
	}, [source, volume, live, refreshes, relative]);

	// Reset per-volume state when the volume changes.
	useEffect(() => {
		lastSizes.current = new Map();
		setSelectedRow(0);
		setFile(undefined);
	}, [volumeIndex, relative]);

	useEffect(() => {
		setRelative('');
	}, [volumeIndex]);

	const rows = listing.state === 'done' ? listing.value.rows : listing.state === 'loading' ? (listing.previous?.rows ?? []) : [];

	// File comparison: when opened, and again with each live refresh so growth shows.
	const listedValue = listing.state === 'done' ? listing.value : undefined;
	const openName = openFile === undefined ? undefined : openFile.state === 'done' ? openFile.value.path : openFile.state === 'loading' ? openFile.name : undefined;
	useEffect(() => {
		if (!volume || openName === undefined) return;
		let cancelled = false;
		void compareFile({source, pod: podRef.current}, volume, openName, {showSecrets}).then(
			value => !cancelled && setFile({state: 'done', value}),
			(error: Error) => !cancelled && setFile({state: 'failed', message: error.message}),
		);
		return () => {
			cancelled = true;
		};
		// Re-read whenever a listing refresh completes, so a growing file shows its growth.
	}, [source, volume, openName, showSecrets, listedValue]);

	useInput((input, key) => {
		const up = () => setRelative(r => r.split('/').slice(0, -1).join('/'));
		if (key.escape) {
			if (fileOpen.current) setFile(undefined);
			else if (relativeRef.current !== '') up();
			else onClose();
			return;
		}

		if ((key.backspace || key.delete) && !fileOpen.current && relativeRef.current !== '') return up();

		if (input === 'q' && !fileOpen.current) return onClose();
		const count = Math.max(1, mountedVolumes.length);
		if ((key.shift && key.tab) || key.leftArrow || input === 'V') setVolumeIndex(i => (i - 1 + count) % count);
		else if (key.tab || key.rightArrow || input === 'v') setVolumeIndex(i => (i + 1) % count);
		else if (key.downArrow || input === 'j') setSelectedRow(r => Math.min(r + 1, Math.max(0, rows.length - 1)));
		else if (key.upArrow || input === 'k') setSelectedRow(r => Math.max(0, r - 1));
		else if (key.return) {
			const row = rows[Math.min(selectedRef.current, rows.length - 1)];
			if (row === undefined) return;
			const full = relativeRef.current ? `${relativeRef.current}/${row.name}` : row.name;
			if (row.kind === 'd') setRelative(full);
			else setFile({state: 'loading', name: full});
		}
		else if (input === 'l') setLive(l => !l);
		else if (input === 's') setShowSecrets(s => !s);
		else if (input === 'r') setRefreshes(n => n + 1);
	});

	if (!volume) {
		return (
			<Box flexDirection="column" width={width} height={height}>
				<Text bold>Volume inspector · {sanitizeName(pod.metadata?.name ?? '')}</Text>
				<Text>This pod mounts no volumes, so there is nothing to compare. Esc to go back.</Text>
			</Box>
		);
	}

	const value = listing.state === 'done' ? listing.value : listing.state === 'loading' ? listing.previous : undefined;
	const panels = volume.mounts;
	const gap = 1;
	const panelWidth = Math.max(16, Math.floor((width - gap * (panels.length - 1)) / Math.max(1, panels.length)));
	const header = `Volume inspector · ${sanitizeName(pod.metadata?.name ?? '')} · ${relative ? `${clean(volume.name)}/${clean(relative)}/ (Esc: up)` : `${clean(volume.name)}/`} · live ${live ? 'on' : 'off'}${listing.state === 'loading' ? ' · refreshing…' : ''}`;
	const keysLine = 'Tab volume · ↑↓ file · Enter compare · l live · s secrets · r refresh · Esc back';
	const volumeLine = mountedVolumes
		.map((v, i) => `${i === volumeIndex ? '▸' : ' '}${sanitizeName(v.name)} (${clean(v.type)})`)
		.join('  ');
	const bodyHeight = Math.max(3, height - 6);

	const verdictText = (() => {
		if (openFile?.state === 'done') {
			const f = openFile.value;
			const n = new Set(f.contents.filter(c => c.kind === 'ok').map(c => c.mount.container)).size;
			if (f.verdict === 'same') return {text: `✓ ${clean(f.path)}: same content in all ${n} containers`, color: theme.ok};
			if (f.verdict === 'differ') return {text: `✗ ${clean(f.path)}: content differs in ${f.differing.map(c => sanitizeName(c)).join(', ')}`, color: theme.error};
			if (f.verdict === 'gone') return {text: `${clean(f.path)}: removed from the volume (gone in every container alike)`, color: theme.muted};
			return {text: `! ${clean(f.path)}: could not read it in every container`, color: theme.warn};
		}

		if (!value) return {text: listing.state === 'failed' ? `! ${clean(listing.message)}` : 'listing…', color: theme.muted};
		if (value.verdict === 'same') return {text: `✓ every mounting container sees the same ${value.rows.length} entries`, color: theme.ok};
		if (value.verdict === 'differ') return {text: '✗ the containers do not see the same entries (marked ✗)', color: theme.error};
		return {text: '! could not list in every container (see the panels)', color: theme.warn};
	})();

	return (
		<Box flexDirection="column" width={width} height={height} overflow="hidden">
			<Text bold color={theme.accent} wrap="truncate-end">
				{truncateCells(header, width)}
			</Text>
			<Text wrap="truncate-end">{truncateCells(volumeLine, width)}</Text>
			<Text color={theme.muted} wrap="truncate-end">
				{truncateCells(describeMounts(volume), width)}
			</Text>
			<Box flexDirection="row" height={bodyHeight} overflow="hidden">
				{panels.map((mount, index) => {
					const listed = value?.relative !== relative ? undefined : value?.listings.find(l => l.mount === mount || (l.mount.container === mount.container && l.mount.mountPath === mount.mountPath));
					const content = openFile?.state === 'done' ? openFile.value.contents.find(c => c.mount.container === mount.container && c.mount.mountPath === mount.mountPath) : undefined;
					const lines: Array<{text: string; color?: string; bold?: boolean; inverse?: boolean; wrap?: boolean}> = [];
					if (openFile !== undefined) {
						lines.push({text: `$ ${clean(content?.command ?? '')}`, color: theme.muted});
						if (openFile.state !== 'done' || !content) lines.push({text: openFile.state === 'failed' ? `! ${clean(openFile.message)}` : 'reading…'});
						else if (content.kind === 'error') lines.push({text: `! ${clean(content.message)}`, color: theme.error, wrap: true});
						else {
							const differs = openFile.value.differing.includes(mount.container);
							lines.push({
								text: `${differs ? '✗' : '✓'} ${content.hashAlgorithm === 'md5' ? 'md5' : 'sha256'} ${(content.hash ?? 'n/a').slice(0, 12)}…${content.truncated ? ' · tail shown' : ''}`,
								color: differs ? theme.error : theme.ok,
							});
							if (content.hidden) lines.push({text: 'secret contents hidden (s to show)', color: theme.warn});
							else if (content.binary) for (const l of hexPreview(content.bytes).split('\n')) lines.push({text: l});
							else {
								const all = new TextDecoder().decode(content.bytes).split('\n');
								if (all.at(-1) === '') all.pop();
								for (const l of all.slice(-(bodyHeight - 3))) lines.push({text: clean(l)});
							}
						}
					} else if (listed) {
						lines.push({text: listed.kind === 'elsewhere' ? '' : `$ ${clean(listed.command)}`, color: theme.muted});
						if (listed.kind === 'error') lines.push({text: `! ${clean(listed.message)}`, color: theme.error, wrap: true});
						else if (listed.kind === 'elsewhere') lines.push({text: `(${clean(listed.message)}: Enter on that directory to compare it)`, color: theme.muted, wrap: true});
						else {
							for (const [rowIndex, row] of rows.entries()) {
								const entry = listed.entries.find(e => e.name === row.name);
								const mark = !entry ? '✗' : row.missingIn.length > 0 || !row.sameSize ? '✗' : '✓';
								const textLine = entry
									? `${mark} ${entry.mode} ${String(entry.size ?? '-').padStart(7)} ${entry.modified} ${clean(entry.name)}${changed.has(row.name) ? '  ← changed' : ''}`
									: `✗ (missing) ${clean(row.name)}`;
								lines.push({
									text: textLine,
									color: mark === '✗' ? theme.error : changed.has(row.name) ? theme.accent : undefined,
									bold: changed.has(row.name),
									inverse: rowIndex === selectedRow,
								});
							}

							if (listed.entries.length === 0) lines.push({text: '(empty)', color: theme.muted});
							if (listed.more > 0) lines.push({text: `… and ${listed.more} more entries`, color: theme.muted});
						}
					} else {
						lines.push({text: 'listing…', color: theme.muted});
					}

					return (
						<Box key={`${mount.container}:${mount.mountPath}`} flexDirection="column" width={panelWidth} marginLeft={index === 0 ? 0 : gap} overflow="hidden">
							<Text bold inverse wrap="truncate-end">
								{fitCells(`${sanitizeName(mount.container)} · ${clean(mount.mountPath)}`, panelWidth)}
							</Text>
							{lines.slice(0, bodyHeight - 1).map((line, i) =>
								// The kubectl command (first line) and problems wrap: students copy the command whole,
								// and an explanation cut in the middle explains nothing.
								i === 0 || line.wrap ? (
									<Text key={i} color={line.color} wrap="wrap">
										{line.text}
									</Text>
								) : (
									<Text key={i} color={line.color} bold={line.bold} inverse={line.inverse} wrap="truncate-end">
										{truncateCells(line.text, panelWidth)}
									</Text>
								),
							)}
						</Box>
					);
				})}
			</Box>
			<Text color={verdictText.color} bold wrap="truncate-end">
				{truncateCells(verdictText.text, width)}
			</Text>
			<Text color={theme.muted} wrap="truncate-end">
				{truncateCells(keysLine, width)}
			</Text>
		</Box>
	);
}
