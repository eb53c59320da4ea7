import {useInput, type Key} from 'ink';

/**
 * useInput that hands multi-character input (a paste, or keys typed faster than a frame) to
 * the handler one character at a time, so `/side` starts a search and types `side` instead of
 * being ignored as one unknown key.
 */
export function useKeys(handler: (input: string, key: Key) => void, options: {isActive?: boolean} = {}): void {
	useInput((input, key) => {
		const chars = [...input];
		if (chars.length > 1 && !key.ctrl && !key.meta && !key.escape) {
			for (const char of chars) handler(char, key);
		} else {
			handler(input, key);
		}
	}, options);
}
