import type {V1Pod} from '@kubernetes/client-node';
import {useEffect, useState} from 'react';
import type {KubeSource, SourceStatus} from '../../kube/types.js';

/** Live pod list from `source.watchPods` (a watch, never polling); closed on unmount. */
export function usePodList(source: KubeSource, labelSelector: string | undefined): {pods: V1Pod[]; status: SourceStatus} {
	const [pods, setPods] = useState<V1Pod[]>([]);
	const [status, setStatus] = useState<SourceStatus>({state: 'connecting'});
	useEffect(() => {
		const handle = source.watchPods({
			namespace: source.target.namespace,
			labelSelector,
			onPods: setPods,
			onStatus: setStatus,
		});
		return () => {
			handle.close();
		};
	}, [source, labelSelector]);
	return {pods, status};
}
