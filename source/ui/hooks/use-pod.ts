import type {V1Pod} from '@kubernetes/client-node';
import {useEffect, useState} from 'react';
import type {KubeSource, SourceStatus} from '../../kube/types.js';

export type PodWatch = {
	pod: V1Pod | undefined;
	/** False until the first answer: distinguishes "loading" from "does not exist". */
	known: boolean;
	status: SourceStatus;
};

/** One pod, live from `source.watchPod`; follows it through deletion and re-creation. */
export function usePod(source: KubeSource, namespace: string, name: string): PodWatch {
	const [state, setState] = useState<{pod: V1Pod | undefined; known: boolean}>({pod: undefined, known: false});
	const [status, setStatus] = useState<SourceStatus>({state: 'connecting'});
	useEffect(() => {
		setState({pod: undefined, known: false});
		const handle = source.watchPod({
			namespace,
			name,
			onPod(pod) {
				setState({pod, known: true});
			},
			onStatus: setStatus,
		});
		return () => {
			handle.close();
		};
	}, [source, namespace, name]);
	return {...state, status};
}
