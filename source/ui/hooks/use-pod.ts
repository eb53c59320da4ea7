import type {V1Pod} from '@kubernetes/client-node';
import {useEffect, useState} from 'react';
import type {KubeSource, SourceStatus} from '../../kube/types.js';

export type PodWatch = {
	pod: V1Pod | undefined;
	/** False until the first answer: distinguishes "loading" from "does not exist". */
	known: boolean;
	/** The last version seen before the pod was deleted, so the view keeps what it showed. */
	lastPod: V1Pod | undefined;
	status: SourceStatus;
};

/** One pod, live from `source.watchPod`; follows it through deletion and re-creation. */
export function usePod(source: KubeSource, namespace: string, name: string): PodWatch {
	const [state, setState] = useState<{pod: V1Pod | undefined; known: boolean; lastPod: V1Pod | undefined}>({pod: undefined, known: false, lastPod: undefined});
	const [status, setStatus] = useState<SourceStatus>({state: 'connecting'});
	useEffect(() => {
		setState({pod: undefined, known: false, lastPod: undefined});
		const handle = source.watchPod({
			namespace,
			name,
			onPod(pod) {
				setState(previous => ({pod, known: true, lastPod: pod ?? previous.pod ?? previous.lastPod}));
			},
			onStatus: setStatus,
		});
		return () => {
			handle.close();
		};
	}, [source, namespace, name]);
	return {...state, status};
}
