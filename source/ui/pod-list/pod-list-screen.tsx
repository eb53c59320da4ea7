import {useEffect, useMemo} from 'react';
import type {KubeSource} from '../../kube/types.js';
import {initialPodListState, podListReducer, type PodListState, selectedIndex, windowTop} from '../../state/pod-list-state.js';
import {cellWidth} from '../../text/cells.js';
import {sanitizeName} from '../../text/sanitize.js';
import {useKeys} from '../hooks/use-keys.js';
import {useNow} from '../hooks/use-now.js';
import {usePodList} from '../hooks/use-pod-list.js';
import {useSyncReducer} from '../hooks/use-sync-reducer.js';
import {statusText} from '../status-text.js';
import type {Theme} from '../theme.js';
import {PodList} from './pod-list.js';
import {filterPods, podKey, podRow, sortPods} from './pod-rows.js';

export type PodListScreenProps = {
	source: KubeSource;
	labelSelector?: string;
	now?: () => Date;
	theme: Theme;
	width: number;
	height: number;
	/** Where the list was (selection, filter) when the user last left it. */
	initialState?: PodListState;
	onStateChange?(state: PodListState): void;
	onOpen(namespace: string, name: string): void;
	onExit(): void;
};

/** Lines of the list screen that are not pod rows: two header lines, column titles, footer. */
const chromeLines = 4;

export function PodListScreen(props: PodListScreenProps) {
	const {source, width, height} = props;
	const {pods, status} = usePodList(source, props.labelSelector);
	const now = useNow(props.now);
	const [renderedState, dispatch, latestState] = useSyncReducer(podListReducer, () => props.initialState ?? initialPodListState);
	const {onStateChange} = props;
	useEffect(() => {
		onStateChange?.(renderedState);
	}, [onStateChange, renderedState]);
	const sorted = useMemo(() => sortPods(pods), [pods]);
	const filtered = useMemo(() => filterPods(sorted, renderedState.filter), [sorted, renderedState.filter]);
	const renderedKeys = useMemo(() => filtered.map(pod => podKey(pod)), [filtered]);
	const nameWidth = useMemo(() => Math.min(63, Math.max(4, ...filtered.map(pod => cellWidth(sanitizeName(pod.metadata?.name ?? ''))))), [filtered]);
	const namespaceWidth = useMemo(
		() => (source.target.namespace === undefined ? Math.min(63, Math.max(9, ...filtered.map(pod => (pod.metadata?.namespace ?? '').length))) : 0),
		[filtered, source.target.namespace],
	);
	const bodyHeight = Math.max(1, height - chromeLines);
	const selected = selectedIndex(renderedState, renderedKeys);
	const top = windowTop(filtered.length, selected, bodyHeight);
	const rows = filtered.slice(top, top + bodyHeight).map(pod => podRow(pod, now));

	useKeys((input, key) => {
		// Read the state the previous key left, not the one of the last render (fast typing).
		const state = latestState();
		const shown = state.filter === renderedState.filter ? filtered : filterPods(sorted, state.filter);
		const keys = state.filter === renderedState.filter ? renderedKeys : shown.map(pod => podKey(pod));
		const selected = selectedIndex(state, keys);
		if (state.editingFilter) {
			if (key.escape) dispatch({type: 'filter-clear'});
			else if (key.return) dispatch({type: 'filter-submit'});
			else if (key.backspace || key.delete) dispatch({type: 'filter-backspace'});
			else if (input && !key.ctrl && !key.meta) dispatch({type: 'filter-input', text: input});
			return;
		}

		if (input === 'q') props.onExit();
		else if (key.upArrow || input === 'k') dispatch({type: 'move', delta: -1, keys});
		else if (key.downArrow || input === 'j') dispatch({type: 'move', delta: 1, keys});
		else if (key.pageUp) dispatch({type: 'move', delta: -bodyHeight, keys});
		else if (key.pageDown) dispatch({type: 'move', delta: bodyHeight, keys});
		else if (input === 'g' || key.home) dispatch({type: 'move-to', index: 0, keys});
		else if (input === 'G' || key.end) dispatch({type: 'move-to', index: -1, keys});
		else if (input === '/') dispatch({type: 'filter-start'});
		else if (key.escape && state.filter) dispatch({type: 'filter-clear'});
		else if (key.return && selected >= 0) {
			const pod = shown[selected]!;
			props.onStateChange?.(state); // the render with this state may never happen: we leave now
			props.onOpen(pod.metadata?.namespace ?? source.target.namespace ?? 'default', pod.metadata?.name ?? '');
		}
	});

	return (
		<PodList
			context={sanitizeName(source.target.context)}
			server={sanitizeName(source.target.server, 200)}
			namespace={source.target.namespace === undefined ? undefined : sanitizeName(source.target.namespace)}
			status={statusText(status)}
			isLive={status.state === 'live'}
			rows={rows}
			selected={selected - top}
			nameWidth={nameWidth}
			namespaceWidth={namespaceWidth}
			total={filtered.length}
			shownFrom={top}
			filter={sanitizeName(renderedState.filter)}
			isEditingFilter={renderedState.editingFilter}
			width={width}
			height={height}
			theme={props.theme}
		/>
	);
}
