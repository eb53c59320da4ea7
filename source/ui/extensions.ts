// Extension points for later features. The volume inspector (`i` in the pod view) is a separate
// task: it plugs in here as a component that receives the pod and owns the keyboard until it
// calls `onClose`. Without one, the pod view says "volume inspector: coming soon".
import type {V1Pod} from '@kubernetes/client-node';
import type {ReactNode} from 'react';
import type {KubeSource} from '../kube/types.js';
import type {Theme} from './theme.js';

export type VolumeInspectorProps = {
	source: KubeSource;
	pod: V1Pod;
	/** Cells available to the inspector (the log columns' area). */
	width: number;
	height: number;
	theme: Theme;
	/** The container focused in the pod view when `i` was pressed. */
	focusedContainer: string | undefined;
	onClose(): void;
};

export type VolumeInspector = (props: VolumeInspectorProps) => ReactNode;
