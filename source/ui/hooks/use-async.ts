import {useEffect, useState} from 'react';

export type AsyncState<T> = {state: 'idle'} | {state: 'loading'} | {state: 'done'; value: T} | {state: 'error'; message: string};

/**
 * Runs `load` when `active` turns true, `key` changes or `refresh` changes; a result that
 * arrives after that or after unmount is dropped.
 */
export function useAsync<T>(active: boolean, key: string, load: () => Promise<T>, refresh = 0): AsyncState<T> {
	const [result, setResult] = useState<AsyncState<T>>({state: 'idle'});
	useEffect(() => {
		if (!active) {
			setResult({state: 'idle'});
			return;
		}

		let current = true;
		// A refresh keeps showing the last answer until the new one arrives (no flashing).
		setResult(previous => (previous.state === 'done' && refresh ? previous : {state: 'loading'}));
		load().then(
			value => {
				if (current) setResult({state: 'done', value});
			},
			(error: unknown) => {
				if (current) setResult({state: 'error', message: error instanceof Error ? error.message : String(error)});
			},
		);
		return () => {
			current = false;
		};
		// `load` is a fresh closure each render; `key` says when it means something new.
	}, [active, key, refresh]);
	return result;
}
