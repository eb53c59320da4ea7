// Exponential back-off with jitter, so that many clients reconnecting after a server restart
// do not all knock at the same moment.
export type BackoffOptions = {initialMs?: number; maxMs?: number; factor?: number; jitter?: number; random?: () => number};

export class Backoff {
	attempt = 0;
	private readonly initialMs: number;
	private readonly maxMs: number;
	private readonly factor: number;
	private readonly jitter: number;
	private readonly random: () => number;

	constructor(options: BackoffOptions = {}) {
		this.initialMs = options.initialMs ?? 500;
		this.maxMs = options.maxMs ?? 30_000;
		this.factor = options.factor ?? 2;
		this.jitter = options.jitter ?? 0.2;
		this.random = options.random ?? Math.random;
	}

	/** The delay before the next attempt; increments the attempt counter. */
	next(): number {
		const base = Math.min(this.maxMs, this.initialMs * this.factor ** this.attempt);
		this.attempt++;
		const spread = base * this.jitter;
		return Math.max(0, Math.round(base - spread + this.random() * 2 * spread));
	}

	reset(): void {
		this.attempt = 0;
	}
}

/** A setTimeout that an AbortSignal cancels; resolves false when aborted. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
	return new Promise((resolve) => {
		if (signal.aborted) {
			resolve(false);
			return;
		}
		const onAbort = () => {
			clearTimeout(timer);
			resolve(false);
		};
		const timer = setTimeout(() => {
			signal.removeEventListener('abort', onAbort);
			resolve(true);
		}, ms);
		signal.addEventListener('abort', onAbort, {once: true});
	});
}
