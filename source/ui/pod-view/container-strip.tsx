import {Text} from 'ink';
import type {ContainerInfo} from '../../state/containers.js';
import {fitCells, truncateCells} from '../../text/cells.js';
import type {Theme} from '../theme.js';

export type ContainerStripProps = {
	containers: readonly ContainerInfo[];
	focused: string | undefined;
	/** Most lines to use; extra containers are summarised on the last one. */
	maxLines: number;
	width: number;
	theme: Theme;
};

const kindLabel: Record<ContainerInfo['kind'], string> = {init: 'init', sidecar: 'sidecar', container: 'container', ephemeral: 'debug'};

/** One line per container: number key, kind, name, state, ready mark, restarts, image. */
export function ContainerStrip({containers, focused, maxLines, width, theme}: ContainerStripProps) {
	const shown = containers.length > maxLines ? containers.slice(0, Math.max(0, maxLines - 1)) : containers;
	const nameWidth = Math.min(24, Math.max(...containers.map(c => c.label.length), 4));
	const stateWidth = Math.min(40, Math.max(...containers.map(c => c.state.length), 7));
	return (
		<>
			{shown.map((c, index) => {
				const running = c.state === 'Running';
				const line = `${index < 9 ? index + 1 : ' '} ${fitCells(kindLabel[c.kind], 9)} ${fitCells(c.label, nameWidth)} ${c.ready ? '✓' : '✗'} ${fitCells(c.state, stateWidth)} ↻${fitCells(String(c.restarts), 3)} ${c.image}`;
				return (
					<Text key={c.name} wrap="truncate-end" bold={c.name === focused} color={running ? undefined : c.state.startsWith('Terminated: Completed') ? theme.muted : theme.warn}>
						{truncateCells(line, width)}
					</Text>
				);
			})}
			{shown.length < containers.length ? <Text color={theme.muted}>{`  … ${containers.length - shown.length} more containers`}</Text> : null}
		</>
	);
}
