// The dashboard: a pod list and a pod view, sized to the terminal (one row of slack below it,
// because Ink flickers when a frame fills the screen) and re-laid out on resize.
import {Box, useWindowSize} from 'ink';
import {useCallback, useMemo, useRef, useState} from 'react';
import {initialPodListState, type PodListState} from '../state/pod-list-state.js';
import type {KubeSource} from '../kube/types.js';
import type {VolumeInspector} from './extensions.js';
import {PodListScreen} from './pod-list/pod-list-screen.js';
import {PodViewScreen} from './pod-view/pod-view-screen.js';
import {makeTheme, type ThemeName} from './theme.js';

export type AppProps = {
	source: KubeSource;
	/** Open this pod straight away (`podwatch POD`); Esc still leads to the list. */
	initialPod?: string;
	/** Focus this container first (`-c NAME`). */
	initialContainer?: string;
	/** Lines kept per container (ring buffer). */
	bufferLines?: number;
	/** History lines fetched when a log follower starts (`--tail`). */
	tailLines?: number;
	sinceSeconds?: number;
	/** Pod list label selector (`-l`). */
	labelSelector?: string;
	showTimestamps?: boolean;
	/** Open the initial pod's volume inspector at once (`--inspect`). */
	openInspector?: boolean;
	theme?: ThemeName;
	/** Colour on: keep SGR colour from logs and use theme colours. */
	colour: boolean;
	/** Injected clock (tests). */
	now?: () => Date;
	/** The `i` key's volume inspector; without one `i` says it is coming soon. */
	volumeInspector?: VolumeInspector;
	onExit(): void;
};

type Route = {kind: 'list'} | {kind: 'pod'; namespace: string; name: string};

export const defaultBufferLines = 5000;

export function App(props: AppProps) {
	const {source} = props;
	const {columns, rows} = useWindowSize();
	const theme = useMemo(() => makeTheme(props.theme, props.colour), [props.theme, props.colour]);
	const [route, setRoute] = useState<Route>(() =>
		props.initialPod ? {kind: 'pod', namespace: source.target.namespace ?? 'default', name: props.initialPod} : {kind: 'list'},
	);
	// `--inspect` applies to the first pod view only, not to pods opened later from the list.
	const inspectFirstView = useRef(props.openInspector ?? false);
	if (route.kind === 'list') inspectFirstView.current = false;
	// The list's selection and filter outlive a visit to a pod.
	const listMemory = useRef<PodListState>(initialPodListState);
	const rememberList = useCallback((state: PodListState) => {
		listMemory.current = state;
	}, []);
	const width = Math.max(20, columns);
	const height = Math.max(6, rows - 1);

	return (
		<Box width={width} height={height} flexDirection="column" overflow="hidden">
			{route.kind === 'list' ? (
				<PodListScreen
					source={source}
					labelSelector={props.labelSelector}
					now={props.now}
					theme={theme}
					width={width}
					height={height}
					initialState={listMemory.current}
					onStateChange={rememberList}
					onOpen={(namespace, name) => {
						setRoute({kind: 'pod', namespace, name});
					}}
					onExit={props.onExit}
				/>
			) : (
				<PodViewScreen
					key={`${route.namespace}/${route.name}`}
					source={source}
					namespace={route.namespace}
					name={route.name}
					initialContainer={props.initialContainer}
					bufferLines={props.bufferLines ?? defaultBufferLines}
					tailLines={props.tailLines}
					sinceSeconds={props.sinceSeconds}
					showTimestamps={props.showTimestamps}
					openInspector={inspectFirstView.current}
					colour={props.colour}
					theme={theme}
					now={props.now}
					width={width}
					height={height}
					volumeInspector={props.volumeInspector}
					onBack={() => {
						setRoute({kind: 'list'});
					}}
					onExit={props.onExit}
				/>
			)}
		</Box>
	);
}
