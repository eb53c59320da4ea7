import type {CoreV1Event} from '@kubernetes/client-node';
import {Box, Text} from 'ink';
import type {ReactNode} from 'react';
import {timestampSince} from '../../pod-status.js';
import {fitCells, truncateCells} from '../../text/cells.js';
import {sanitizeName} from '../../text/sanitize.js';
import type {AsyncState} from '../hooks/use-async.js';
import type {Theme} from '../theme.js';

export type EventsPaneProps = {events: AsyncState<CoreV1Event[]>; now: Date; width: number; height: number; theme: Theme};

/** `kubectl describe`-style events: `(x4 over 5m)` when an event repeated. */
export function eventAge(event: CoreV1Event, now: Date): string {
	const last = event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata?.creationTimestamp;
	const age = timestampSince(last, now);
	const count = event.count ?? 1;
	if (count > 1 && event.firstTimestamp) return `${age} (x${count} over ${timestampSince(event.firstTimestamp, now)})`;
	return age;
}

export function EventsPane({events, now, width, height, theme}: EventsPaneProps) {
	let body: ReactNode;
	if (events.state === 'loading' || events.state === 'idle') body = <Text color={theme.muted}>loading events…</Text>;
	else if (events.state === 'error') body = <Text color={theme.error}>{sanitizeName(events.message, 1000)}</Text>;
	else if (events.value.length === 0) body = <Text color={theme.muted}>Events: &lt;none&gt;</Text>;
	else {
		const rows = events.value.slice(-Math.max(1, height - 2)).map(event => ({
			type: sanitizeName(event.type ?? '', 16),
			reason: sanitizeName(event.reason ?? '', 40),
			age: eventAge(event, now),
			from: sanitizeName(event.source?.component ?? event.reportingComponent ?? '', 40),
			message: sanitizeName(event.message ?? '', 1000),
		}));
		const reasonWidth = Math.max(6, ...rows.map(r => r.reason.length));
		const ageWidth = Math.max(3, ...rows.map(r => r.age.length));
		const fromWidth = Math.max(4, ...rows.map(r => r.from.length));
		const line = (r: {type: string; reason: string; age: string; from: string; message: string}) =>
			truncateCells(`${fitCells(r.type, 7)}  ${fitCells(r.reason, reasonWidth)}  ${fitCells(r.age, ageWidth)}  ${fitCells(r.from, fromWidth)}  ${r.message}`, width);
		body = (
			<>
				<Text bold>{line({type: 'Type', reason: 'Reason', age: 'Age', from: 'From', message: 'Message'})}</Text>
				{rows.map((r, index) => (
					<Text key={index} color={r.type === 'Warning' ? theme.warn : undefined} wrap="truncate-end">
						{line(r)}
					</Text>
				))}
			</>
		);
	}

	return (
		<Box flexDirection="column" width={width} height={height + 1} overflow="hidden">
			<Text bold inverse wrap="truncate-end">
				{fitCells(' Events (e or Esc closes)', width)}
			</Text>
			{body}
		</Box>
	);
}
