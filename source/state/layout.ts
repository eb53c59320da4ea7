// How many log columns fit the terminal and which ones are shown. Columns are separated by one
// cell; a column narrower than `minWidth` is not worth showing, so extra containers are hidden
// and counted, and the focused one is always among those shown.
export type ColumnLayout = {
	/** Container indexes shown, left to right. */
	visible: number[];
	/** Width of each shown column, in cells (same order as `visible`). */
	widths: number[];
	hidden: number;
};

export const defaultMinColumnWidth = 28;

export function columnLayout(options: {width: number; count: number; focus: number; zoomed: boolean; minWidth?: number}): ColumnLayout {
	const {width, count, zoomed} = options;
	if (count === 0) return {visible: [], widths: [], hidden: 0};
	const focus = Math.min(Math.max(0, options.focus), count - 1);
	const minWidth = options.minWidth ?? defaultMinColumnWidth;
	const fit = zoomed ? 1 : Math.max(1, Math.min(count, Math.floor((width + 1) / (minWidth + 1))));
	const start = Math.min(Math.max(0, focus - fit + 1), count - fit);
	const visible = Array.from({length: fit}, (_, i) => start + i);
	const usable = Math.max(fit, width - (fit - 1));
	const base = Math.floor(usable / fit);
	const widths = visible.map((_, i) => (i === fit - 1 ? usable - base * (fit - 1) : base));
	return {visible, widths, hidden: count - fit};
}
