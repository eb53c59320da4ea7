import {useEffect, useState} from 'react';

/** The current time, re-rendering every `everyMs` (ages tick once a second at most). */
export function useNow(now: () => Date = () => new Date(), everyMs = 1000): Date {
	const [, setTick] = useState(0);
	useEffect(() => {
		const timer = setInterval(() => {
			setTick(tick => tick + 1);
		}, everyMs);
		return () => {
			clearInterval(timer);
		};
	}, [everyMs]);
	return now();
}
