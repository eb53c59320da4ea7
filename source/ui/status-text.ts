import {humanDuration} from '../pod-status.js';
import type {SourceStatus} from '../kube/types.js';
import {sanitizeLine} from '../text/sanitize.js';

/** One-line description of a connection state, e.g. `reconnecting… (attempt 3, in 4s): EOF`. */
export function statusText(status: SourceStatus | undefined): string {
	switch (status?.state) {
		case undefined:
		case 'connecting': {
			return 'connecting…';
		}

		case 'live': {
			return 'live';
		}

		case 'reconnecting': {
			const reason = status.reason ? `: ${sanitizeLine(status.reason, {maxLength: 200})}` : '';
			return `reconnecting… (attempt ${status.attempt}, in ${humanDuration(status.retryInMs)})${reason}`;
		}

		case 'failed': {
			return `failed: ${sanitizeLine(status.message, {maxLength: 1000})}`;
		}
	}
}
