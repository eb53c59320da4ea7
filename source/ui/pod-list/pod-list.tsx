import {Box, Text} from 'ink';
import {cellWidth, fitCells, truncateCells} from '../../text/cells.js';
import type {Theme} from '../theme.js';
import type {PodRow} from './pod-rows.js';

export type PodListProps = {
	/** Sanitised header facts. */
	context: string;
	server: string;
	namespace: string | undefined;
	status: string;
	isLive: boolean;
	rows: readonly PodRow[];
	/** Index into `rows` of the selected row, or -1. */
	selected: number;
	/** Width of the NAME (and NAMESPACE) column, from every pod, not only the visible ones. */
	nameWidth: number;
	namespaceWidth: number;
	total: number;
	shownFrom: number;
	filter: string;
	isEditingFilter: boolean;
	width: number;
	height: number;
	theme: Theme;
};

const pad = (text: string, width: number) => fitCells(text, width);

/** The pod list: a pure function of its props (the screen computes the visible rows). */
export function PodList(props: PodListProps) {
	const {theme, width} = props;
	const allNamespaces = props.namespace === undefined;
	// Like kubectl, columns are as wide as their widest cell (here: of the rows on screen), three
	// spaces apart, so a long STATUS such as Init:CrashLoopBackOff is never cut.
	const widest = (key: 'ready' | 'status' | 'restarts' | 'age', title: string) => Math.max(title.length, ...props.rows.map(row => cellWidth(row[key])));
	const widths = {ready: widest('ready', 'READY'), status: widest('status', 'STATUS'), restarts: widest('restarts', 'RESTARTS'), age: widest('age', 'AGE')};
	// The selection is marked with ▶ as well as inverse video: with NO_COLOR or TERM=dumb Ink
	// drops all attributes, and the selection must still be visible.
	const columns = (row: {namespace: string; name: string; ready: string; status: string; restarts: string; age: string; containers: string}, isSelected = false) => {
		let line = isSelected ? '▶ ' : '  ';
		line += allNamespaces ? `${pad(row.namespace, props.namespaceWidth)}   ` : '';
		line += `${pad(row.name, props.nameWidth)}   ${pad(row.ready, widths.ready)}   ${pad(row.status, widths.status)}   ${pad(row.restarts, widths.restarts)}   ${pad(row.age, widths.age)}   ${row.containers}`;
		return truncateCells(line, width);
	};

	const header = columns({namespace: 'NAMESPACE', name: 'NAME', ready: 'READY', status: 'STATUS', restarts: 'RESTARTS', age: 'AGE', containers: 'CONTAINERS'});
	const filterLine = props.isEditingFilter ? `/${props.filter}█` : props.filter ? `filter: ${props.filter} (Esc clears)` : '';
	const position = props.total === 0 ? '' : `${props.shownFrom + Math.max(props.selected, 0) + 1}/${props.total}`;
	return (
		<Box flexDirection="column" width={width} height={props.height}>
			<Text wrap="truncate-end">
				<Text bold color={theme.accent}>podwatch</Text> context {props.context} · server {props.server} · namespace {props.namespace ?? '(all)'}
			</Text>
			<Text wrap="truncate-end" color={props.isLive ? theme.muted : theme.warn}>
				{props.status}
				{position ? `  ·  ${position} pods` : ''}
			</Text>
			<Text bold wrap="truncate-end">
				{header}
			</Text>
			<Box flexDirection="column" flexGrow={1}>
				{props.rows.length === 0 ? (
					// With nothing to list, the whole connection message fits here, wrapped, instead of cut.
					<Text color={props.isLive ? theme.muted : theme.warn} wrap="wrap">
						{props.total === 0 && !props.filter ? (props.isLive ? 'No pods yet.' : props.status) : 'No pods match the filter.'}
					</Text>
				) : (
					props.rows.map((row, index) => (
						<Text key={row.key} inverse={index === props.selected} wrap="truncate-end">
							{columns(row, index === props.selected)}
						</Text>
					))
				)}
			</Box>
			<Text wrap="truncate-end" dimColor={theme.dim && !props.isEditingFilter}>
				{filterLine || '↑/↓ PgUp/PgDn g/G move · Enter open · / filter · q quit'}
			</Text>
		</Box>
	);
}
