import {useCallback, useRef, useState} from 'react';

/**
 * useReducer whose current state can be read synchronously (`get()`), so that a keyboard
 * handler sees the effect of the previous key even before React re-rendered: pasted or quickly
 * typed input (`/alpha⏎`) is routed by the mode the previous key just switched to.
 */
export function useSyncReducer<S, A>(reducer: (state: S, action: A) => S, initial: () => S): [S, (action: A) => void, () => S] {
	const [state, setState] = useState(initial);
	const current = useRef(state);
	const dispatch = useCallback(
		(action: A) => {
			current.current = reducer(current.current, action);
			setState(current.current);
		},
		[reducer],
	);
	const get = useCallback(() => current.current, []);
	return [state, dispatch, get];
}
