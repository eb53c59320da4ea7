import {Box, Text} from 'ink';
import {fitCells} from '../../text/cells.js';
import type {Theme} from '../theme.js';

export const podViewKeys: ReadonlyArray<[string, string]> = [
	['Tab / Shift-Tab, ← / →', 'focus next / previous container'],
	['1 – 9', 'focus container by number'],
	['Enter', 'zoom the focused container to full width (again: back)'],
	['↑ ↓ PgUp PgDn g', 'scroll the focused column (pauses following)'],
	['G / f', 'back to the end and follow'],
	['/', 'search; n / N next / previous match; Esc clears'],
	['t', 'timestamps on / off'],
	['w', 'wrap long lines on / off'],
	['p', "previous instance's log of the focused container"],
	['e', 'events of the pod'],
	['i', 'volume inspector'],
	['?', 'this help'],
	['Esc', 'back to the pod list'],
	['q', 'quit'],
];

export function HelpOverlay({width, height, theme}: {width: number; height: number; theme: Theme}) {
	const keyWidth = Math.max(...podViewKeys.map(([k]) => k.length));
	return (
		<Box flexDirection="column" width={width} height={height + 1} overflow="hidden">
			<Text bold inverse>
				{fitCells(' Keys (any key closes)', width)}
			</Text>
			{podViewKeys.map(([k, what]) => (
				<Text key={k} wrap="truncate-end">
					<Text bold color={theme.accent}>
						{fitCells(k, keyWidth)}
					</Text>
					{`  ${what}`}
				</Text>
			))}
		</Box>
	);
}
