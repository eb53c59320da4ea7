// Measuring, cutting and wrapping already-sanitised text in terminal cells. CJK and emoji take
// two cells; SGR sequences take none. The work is done by the libraries Ink itself uses, so the
// dashboard and Ink always agree on how wide a row is.
import sliceAnsi from 'slice-ansi';
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import {sgrReset} from './sanitize.js';

export function cellWidth(text: string): number {
	return stringWidth(text);
}

/** Cuts `text` to at most `width` cells, marking a cut with `…`. */
const narrowAscii = /^[\u0020-\u007E]*$/;

export function truncateCells(text: string, width: number): string {
	if (width <= 0) return '';
	if (narrowAscii.test(text)) return text.length <= width ? text : `${text.slice(0, width - 1)}…`; // the common case, no measuring
	if (stringWidth(text) <= width) return text;
	const cut = sliceAnsi(text, 0, width - 1);
	return `${cut}${cut.includes('\u001B') ? sgrReset : ''}…`;
}

/** Cuts and pads `text` to exactly `width` cells. */
export function fitCells(text: string, width: number): string {
	const cut = truncateCells(text, width);
	const missing = width - stringWidth(cut);
	return missing > 0 ? cut + ' '.repeat(missing) : cut;
}

/** Hard-wraps `text` into rows of at most `width` cells (words are kept when they fit). */
export function wrapCells(text: string, width: number): string[] {
	if (width <= 0) return [''];
	if (text.length <= width && !text.includes('\u001B') && stringWidth(text) <= width) return [text];
	return wrapAnsi(text, width, {hard: true, trim: false, wordWrap: true}).split('\n');
}

/** Wraps `text` into at most `maxRows` rows of `width` cells, or one truncated row if wrap is off. */
export function layoutLine(text: string, width: number, wrap: boolean): string[] {
	return wrap ? wrapCells(text, width) : [truncateCells(text, width)];
}
