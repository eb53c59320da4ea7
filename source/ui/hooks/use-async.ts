import {useEffect, useState} from 'react';

export type AsyncState<T> = {state: 'idle'} | {state: 'loading'} | {state: 'done'; value: T} | {state: 'error'; message: string};

/**
 * Runs `load` while `active` is true and `key` is unchanged; a result that arrives after the
 * key changed or the component unmounted is dropped.
 */
export function useAsync<T>(active: boolean, key: string, load: () => Promise<T>): AsyncState<T> {
	const [result, setResult] = useState<AsyncState<T>>({state: 'idle'});
	useEffect(() => {
		if (!active) {
			setResult({state: 'idle'});
			return;
		}

		let current = true;
		setResult({state: 'loading'});
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
	}, [active, key]);
	return result;
}
