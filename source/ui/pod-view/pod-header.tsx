import type {V1Pod} from '@kubernetes/client-node';
import {Text} from 'ink';
import {podAge, podReady, podRestarts, podStatus} from '../../pod-status.js';
import {sanitizeName} from '../../text/sanitize.js';
import type {Theme} from '../theme.js';

export type PodHeaderProps = {pod: V1Pod; now: Date; connection: string; isLive: boolean; theme: Theme};

/** Two lines: who the pod is (name, namespace, node, IP, phase), then kubectl's columns. */
export function PodHeader({pod, now, connection, isLive, theme}: PodHeaderProps) {
	const name = sanitizeName(pod.metadata?.name ?? '');
	const namespace = sanitizeName(pod.metadata?.namespace ?? '');
	const node = sanitizeName(pod.spec?.nodeName ?? '<none>');
	const ip = sanitizeName(pod.status?.podIP ?? '<none>', 64);
	const phase = sanitizeName(pod.status?.phase ?? 'Unknown', 32);
	const status = sanitizeName(podStatus(pod), 80);
	const healthy = status === 'Running' || status === 'Completed';
	return (
		<>
			<Text wrap="truncate-end">
				<Text bold color={theme.accent}>
					{name}
				</Text>
				{`  ns ${namespace} · node ${node} · IP ${ip} · phase ${phase}`}
			</Text>
			<Text wrap="truncate-end">
				{'READY '}
				<Text bold>{podReady(pod)}</Text>
				{'  STATUS '}
				<Text bold color={healthy ? theme.ok : theme.warn}>
					{status}
				</Text>
				{`  RESTARTS ${podRestarts(pod, now)}  AGE ${podAge(pod, now)}  `}
				<Text color={isLive ? theme.muted : theme.warn}>{connection}</Text>
			</Text>
		</>
	);
}
