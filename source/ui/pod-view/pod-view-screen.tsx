import {Box, Text} from 'ink';
import {useCallback, useEffect, useMemo, type ReactNode} from 'react';
import type {KubeSource} from '../../kube/types.js';
import {containerInfos} from '../../state/containers.js';
import {columnLayout} from '../../state/layout.js';
import type {LogRow} from '../../state/log-store.js';
import {bottomIndex, nextMatch, scrollTarget, searchMatches, visibleRows} from '../../state/log-view.js';
import {activeQuery, focusIndex, initialPodViewState, podViewReducer, type PodViewState} from '../../state/pod-view-state.js';
import {RingBuffer} from '../../state/ring-buffer.js';
import {truncateCells} from '../../text/cells.js';
import {sanitizeName} from '../../text/sanitize.js';
import type {VolumeInspector} from '../extensions.js';
import {useAsync} from '../hooks/use-async.js';
import {useLogFollowers} from '../hooks/use-log-followers.js';
import {useKeys} from '../hooks/use-keys.js';
import {useNow} from '../hooks/use-now.js';
import {usePod} from '../hooks/use-pod.js';
import {useSyncReducer} from '../hooks/use-sync-reducer.js';
import {statusText} from '../status-text.js';
import type {Theme} from '../theme.js';
import {ContainerStrip} from './container-strip.js';
import {PodHeader} from './pod-header.js';
import {EventsPane} from './events-pane.js';
import {HelpOverlay} from './help-overlay.js';
import {ColumnSeparator, LogColumn} from './log-column.js';

export type PodViewScreenProps = {
	source: KubeSource;
	namespace: string;
	name: string;
	initialContainer?: string;
	bufferLines: number;
	tailLines?: number;
	sinceSeconds?: number;
	showTimestamps?: boolean;
	/** Open the volume inspector at once (`--inspect`). */
	openInspector?: boolean;
	colour: boolean;
	theme: Theme;
	now?: () => Date;
	width: number;
	height: number;
	volumeInspector?: VolumeInspector;
	onBack(): void;
	onExit(): void;
};

const eventsRefreshMs = 5000;

const previousKey = (container: string) => `previous\u0000${container}`;

/** The previous instance's lines, bounded like a live column (the newest `capacity` kept). */
function previousBuffer(lines: readonly string[], capacity: number): RingBuffer<LogRow> {
	const buffer = new RingBuffer<LogRow>(Math.max(1, Math.min(capacity, lines.length)));
	for (const [index, text] of lines.entries()) buffer.push({seq: index + 1, entry: {kind: 'line', seq: index + 1, time: '', text, instance: 0}});
	return buffer;
}

export function PodViewScreen(props: PodViewScreenProps) {
	const {source, namespace, name, width, height, theme, colour} = props;
	const {pod: livePod, known, lastPod, status: podConnection} = usePod(source, namespace, name);
	// A deleted pod keeps its last state and logs on screen until it comes back.
	const pod = livePod ?? lastPod;
	const deleted = livePod === undefined && lastPod !== undefined;
	const now = useNow(props.now);
	const containers = useMemo(() => containerInfos(pod), [pod]);
	const namesKey = containers.map(c => c.name).join('\u0000');
	const names = useMemo(() => (namesKey ? namesKey.split('\u0000') : []), [namesKey]);
	const [view, dispatch, latestView] = useSyncReducer(podViewReducer, () => initialPodViewState({focused: props.initialContainer, timestamps: props.showTimestamps, overlay: props.openInspector ? 'inspector' : 'none'}));
	useEffect(() => {
		dispatch({type: 'set-containers', containers: names});
	}, [names]);

	const {store, version, statuses} = useLogFollowers(source, {
		namespace,
		pod: name,
		podSeen: pod !== undefined,
		containers: names,
		bufferLines: props.bufferLines,
		tailLines: props.tailLines,
		sinceSeconds: props.sinceSeconds,
	});

	const previous = useAsync(view.previousOf !== undefined, `${namespace}/${name}/${view.previousOf ?? ''}`, async () => {
		const result = await source.previousLogs(namespace, name, view.previousOf!, props.tailLines);
		if ('error' in result) throw new Error(result.error);
		return previousBuffer(result.lines, props.bufferLines);
	});
	// Events refresh every few seconds while the pane is open (a crash loop keeps adding them).
	const eventsRefresh = Math.floor(now.getTime() / eventsRefreshMs);
	const events = useAsync(view.overlay === 'events', `${namespace}/${name}`, async () => source.podEvents(namespace, name), eventsRefresh);

	const focus = focusIndex(view);
	const focusedName = names[focus];
	const query = activeQuery(view);
	const textOptions = {timestamps: view.timestamps, colour};
	const columnIdIn = (v: PodViewState, container: string) => (v.previousOf === container ? previousKey(container) : container);
	const bufferIn = (v: PodViewState, container: string): RingBuffer<LogRow> =>
		v.previousOf === container && previous.state === 'done' ? previous.value : store.column(container);
	const columnId = (container: string) => columnIdIn(view, container);
	const bufferOf = (container: string) => bufferIn(view, container);

	// Layout: header 2, strip, column titles 1, footer 1; the caller already left one row of slack.
	const stripLines = Math.min(containers.length, Math.max(1, Math.floor(height / 6)));
	const logHeight = Math.max(1, height - 2 - stripLines - 1 - 1);
	const layout = columnLayout({width, count: names.length, focus, zoomed: view.zoomed});

	const focusedMatches = useMemo(
		() => (view.search.mode === 'active' && focusedName ? searchMatches(bufferOf(focusedName), view.search.query, textOptions) : []),
		// The buffer mutates in place; `version` says when it changed.
		[view.search, focusedName, version, view.previousOf, previous, view.timestamps, colour],
	);

	const closeOverlay = useCallback(() => {
		dispatch({type: 'close-overlay'});
	}, [dispatch]);
	const inspectorOwnsKeys = view.overlay === 'inspector' && props.volumeInspector !== undefined && pod !== undefined;
	useKeys(
		(input, key) => {
			// The containers effect may not have run yet for the frame the user is looking at.
			if (latestView().containers !== names) dispatch({type: 'set-containers', containers: names});
			// Read the state the previous key left, not the one of the last render (fast typing).
			const view = latestView();
			const focusedName = view.containers[focusIndex(view)];
			const textOptions = {timestamps: view.timestamps, colour};
			const jump = (direction: 'next' | 'previous', query: string, from: number | undefined) => {
				if (!focusedName) return;
				const matches = searchMatches(bufferIn(view, focusedName), query, textOptions);
				const seq = nextMatch(matches, from, direction);
				if (seq !== undefined) dispatch({type: 'search-jump', container: columnIdIn(view, focusedName), seq});
			};

			const scrollFocused = (delta: number | 'top') => {
				if (!focusedName) return;
				const buffer = bufferIn(view, focusedName);
				const id = columnIdIn(view, focusedName);
				const target = delta === 'top' ? buffer.at(0)?.seq : scrollTarget(buffer, view.scroll[id], delta);
				if (target !== undefined) dispatch({type: 'scroll-to', container: id, bottomSeq: target});
			};

			if (view.search.mode === 'editing') {
				if (key.escape) dispatch({type: 'search-cancel'});
				else if (key.return) {
					const submitted = view.search.query || view.search.previous;
					dispatch({type: 'search-submit'});
					if (submitted) jump('previous', submitted, Number.POSITIVE_INFINITY);
				} else if (key.backspace || key.delete) dispatch({type: 'search-backspace'});
				else if (input && !key.ctrl && !key.meta) dispatch({type: 'search-input', text: input});
				return;
			}

			if (view.overlay === 'help') {
				dispatch({type: 'close-overlay'});
				return;
			}

			if (view.overlay !== 'none' && (key.escape || (view.overlay === 'events' && input === 'e') || (view.overlay === 'inspector' && input === 'i'))) {
				dispatch({type: 'close-overlay'});
				return;
			}

			if (input === 'q') props.onExit();
			else if (key.escape) {
				if (view.search.mode === 'active') dispatch({type: 'search-cancel'});
				else if (view.zoomed) dispatch({type: 'toggle-zoom'});
				else props.onBack();
			} else if (key.tab && key.shift) dispatch({type: 'focus-previous'});
			else if (key.tab || key.rightArrow || input === 'l') dispatch({type: 'focus-next'});
			else if (key.leftArrow || input === 'h') dispatch({type: 'focus-previous'});
			else if (/^[1-9]$/.test(input)) dispatch({type: 'focus-index', index: Number(input) - 1});
			else if (key.return) dispatch({type: 'toggle-zoom'});
			else if (key.upArrow || input === 'k') scrollFocused(-1);
			else if (key.downArrow || input === 'j') scrollFocused(1);
			else if (key.pageUp) scrollFocused(-logHeight);
			else if (key.pageDown) scrollFocused(logHeight);
			else if (input === 'g' || key.home) scrollFocused('top');
			else if (input === 'G' || input === 'f' || key.end) {
				if (focusedName) dispatch({type: 'follow', container: columnIdIn(view, focusedName)});
			} else if (input === '/') dispatch({type: 'search-start'});
			else if (input === 'n' || input === 'N') {
				if (view.search.mode === 'active' && focusedName) {
					const buffer = bufferIn(view, focusedName);
					const from = view.search.currentSeq ?? buffer.at(bottomIndex(buffer, view.scroll[columnIdIn(view, focusedName)]))?.seq;
					jump(input === 'n' ? 'next' : 'previous', view.search.query, from);
				}
			} else if (input === 't') dispatch({type: 'toggle-timestamps'});
			else if (input === 'w') dispatch({type: 'toggle-wrap'});
			else if (input === 'p') dispatch({type: 'toggle-previous'});
			else if (input === 'e') dispatch({type: 'show-overlay', overlay: 'events'});
			else if (input === 'i') dispatch({type: 'show-overlay', overlay: 'inspector'});
			else if (input === '?') dispatch({type: 'show-overlay', overlay: 'help'});
		},
		{isActive: !inspectorOwnsKeys},
	);

	const safeName = sanitizeName(name);
	const safeNamespace = sanitizeName(namespace);
	if (!pod) {
		const message = known
			? `pod "${safeName}" not found in namespace "${safeNamespace}" — waiting for it to be created…`
			: `loading pod "${safeName}" in namespace "${safeNamespace}"…`;
		return (
			<Box flexDirection="column" width={width} height={height}>
				<Text bold color={theme.accent} wrap="truncate-end">
					{safeName}
				</Text>
				<Text wrap="wrap">{message}</Text>
				<Text color={podConnection.state === 'live' ? theme.muted : theme.warn} wrap="truncate-end">
					{statusText(podConnection)}
				</Text>
				<Box flexGrow={1} />
				<Text dimColor={theme.dim} wrap="truncate-end">
					Esc pod list · q quit
				</Text>
			</Box>
		);
	}

	let body: ReactNode;
	if (view.overlay === 'help') {
		body = <HelpOverlay width={width} height={logHeight} theme={theme} />;
	} else if (view.overlay === 'events') {
		body = <EventsPane events={events} now={now} width={width} height={logHeight} theme={theme} />;
	} else if (view.overlay === 'inspector') {
		const Inspector = props.volumeInspector;
		body = Inspector ? (
			<Box height={logHeight + 1} width={width} overflow="hidden">
				<Inspector source={source} pod={pod} width={width} height={logHeight} theme={theme} focusedContainer={focusedName} onClose={closeOverlay} />
			</Box>
		) : (
			<Box height={logHeight + 1}>
				<Text color={theme.muted}>volume inspector: coming soon (i or Esc closes)</Text>
			</Box>
		);
	} else {
		body = (
			<Box flexDirection="row" width={width} height={logHeight + 1}>
				{layout.visible.map((index, position) => {
					const info = containers[index]!;
					const id = columnId(info.name);
					const isPrevious = view.previousOf === info.name;
					const paused = view.scroll[id] !== undefined;
					const connection = statuses[info.name];
					const buffer = bufferOf(info.name);
					let mode = paused ? `paused ${bottomIndex(buffer, view.scroll[id]) + 1}/${buffer.size} (f follows)` : 'following';
					let isWarning = false;
					let notice: string | undefined;
					if (isPrevious) mode = previous.state === 'error' ? `previous: ${sanitizeName(previous.message, 300)}` : previous.state === 'done' ? `previous instance${paused ? ' · paused' : ''}` : 'previous: loading…';
					else if (connection && connection.state !== 'live' && connection.state !== 'connecting') {
						mode = statusText(connection);
						isWarning = true;
						if (connection.state === 'failed') notice = sanitizeName(connection.message, 2000);
					}

					const rows =
						isPrevious && previous.state !== 'done'
							? []
							: visibleRows(buffer, {
									height: logHeight,
									width: layout.widths[position]!,
									wrap: view.wrap,
									bottomSeq: view.scroll[id],
									query,
									timestamps: isPrevious ? false : view.timestamps,
									colour,
								});
					return [
						position > 0 ? <ColumnSeparator key={`sep-${info.name}`} height={logHeight} theme={theme} /> : null,
						<LogColumn
							key={info.name}
							title={`${index + 1} ${info.label}`}
							mode={mode}
							isFocused={index === focus}
							isWarning={isWarning || (isPrevious && previous.state === 'error')}
							notice={notice ?? (isPrevious && previous.state === 'error' ? sanitizeName(previous.message, 2000) : undefined)}
							rows={rows}
							width={layout.widths[position]!}
							height={logHeight}
							theme={theme}
						/>,
					];
				})}
			</Box>
		);
	}

	let footer: string;
	if (view.search.mode === 'editing') footer = `/${sanitizeName(view.search.query)}█  (Enter search · Esc cancel)`;
	else if (view.search.mode === 'active') {
		const current = view.search.currentSeq === undefined ? 0 : focusedMatches.indexOf(view.search.currentSeq) + 1;
		footer = `search "${sanitizeName(view.search.query)}": ${focusedMatches.length === 0 ? 'no matches' : `${current}/${focusedMatches.length}`} · n/N next/prev · Esc clear`;
	} else if (width >= 110) footer = 'Tab focus · ⏎ zoom · / search · t time · w wrap · p prev · e events · i volumes · ? help · Esc back · q quit';
	else footer = 'Tab focus · ⏎ zoom · / search · p prev · e events · ? help · q quit';
	const hidden = layout.hidden > 0 ? `${view.zoomed ? 'zoomed' : `${layout.hidden} column${layout.hidden === 1 ? '' : 's'} hidden`} (${focus + 1}/${names.length}) · ` : '';
	const flags = `${view.timestamps ? '[t]' : ''}${view.wrap ? '[w]' : ''}`;

	return (
		<Box flexDirection="column" width={width} height={height}>
			<PodHeader pod={pod} now={now} connection={deleted ? 'pod deleted — showing what it logged; waiting for it to come back…' : statusText(podConnection)} isLive={podConnection.state === 'live' && !deleted} theme={theme} />
			<ContainerStrip containers={containers} focused={focusedName} maxLines={stripLines} width={width} theme={theme} />
			{body}
			<Text dimColor={theme.dim && view.search.mode === 'off'} wrap="truncate-end">
				{truncateCells(`${hidden}${flags ? `${flags} ` : ''}${footer}`, width)}
			</Text>
		</Box>
	);
}
