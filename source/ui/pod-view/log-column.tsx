import {Box, Text} from 'ink';
import {memo} from 'react';
import type {DisplayRow} from '../../state/log-view.js';
import {truncateCells} from '../../text/cells.js';
import type {Theme} from '../theme.js';

export type LogColumnProps = {
	title: string;
	/** `following`, `paused`, `previous instance`, a connection problem... */
	mode: string;
	isFocused: boolean;
	isWarning: boolean;
	/** A problem to explain in the column body (wrapped) when there is nothing else to show. */
	notice?: string;
	rows: readonly DisplayRow[];
	width: number;
	height: number;
	theme: Theme;
};

/** One container's log: a title line and the visible rows (already cut to `width`). */
export const LogColumn = memo(function LogColumn({title, mode, isFocused, isWarning, notice, rows, width, height, theme}: LogColumnProps) {
	const heading = truncateCells(`${isFocused ? '▶ ' : '  '}${title} · ${mode}`, width);
	return (
		<Box flexDirection="column" width={width} height={height + 1} overflow="hidden">
			<Text bold={isFocused} inverse={isFocused} color={isWarning ? theme.warn : undefined} wrap="truncate-end">
				{heading}
			</Text>
			{rows.length === 0 && notice ? (
				<Text color={theme.warn} wrap="wrap">
					{notice}
				</Text>
			) : null}
			{rows.length === 0 && !notice ? (
				<Text color={theme.muted} dimColor={theme.dim} wrap="truncate-end">
					{truncateCells('(no log output yet)', width)}
				</Text>
			) : null}
			{rows.map(row => (
				<Text key={row.key} wrap="truncate-end">
					{row.text}
				</Text>
			))}
		</Box>
	);
});

export function ColumnSeparator({height, theme}: {height: number; theme: Theme}) {
	return (
		<Box flexDirection="column" width={1} height={height + 1}>
			<Text color={theme.muted}>{Array.from({length: height + 1}, () => '│').join('\n')}</Text>
		</Box>
	);
}
