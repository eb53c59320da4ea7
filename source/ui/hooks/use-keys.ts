import {useInput, type Key} from 'ink';

/** The key flags a single control character stands for when it arrives inside a chunk. */
function keyOf(char: string, base: Key): Key {
	return {
		...base,
		return: char === '\r' || char === '\n',
		tab: char === '\t',
		backspace: char === '\u007F' || char === '\b',
	};
}

/**
 * useInput that hands multi-character input (a paste, or keys typed faster than a frame) to
 * the handler one key at a time, so `/side⏎` starts a search, types `side` and submits it,
 * instead of being taken as one unknown key.
 */
export function useKeys(handler: (input: string, key: Key) => void, options: {isActive?: boolean} = {}): void {
	useInput((input, key) => {
		const chars = [...input];
		if (chars.length > 1 && !key.ctrl && !key.meta && !key.escape) {
			for (const char of chars) {
				const charKey = keyOf(char, key);
				handler(charKey.return || charKey.tab || charKey.backspace ? '' : char, charKey);
			}
		} else {
			handler(input, key);
		}
	}, options);
}
