// Process control for one sandboxed process tree (a container instance, or one exec): CPU
// accounting with regular yields to the event loop, output limits, TERM/KILL, and interruptible
// waits. Everything that may block goes through `Proc.wait` so a KILL always unwinds it.

import type {ExitResult, Limits} from './types.js';

/** Thrown through the interpreter when the process tree has been killed or hit a limit. */
export class Fatal extends Error {
	constructor(readonly result: ExitResult) {
		super(result.message ?? `killed (${result.exitCode})`);
	}
}

/** A write to a pipe whose reader has gone (SIGPIPE). */
export class BrokenPipe extends Error {
	constructor() {
		super('broken pipe');
	}
}

/** How long interpreted work may run before yielding to the event loop. */
const SLICE_MS = 4;

/**
 * This process's CPU time in ms. Charging CPU time rather than wall time keeps a loaded machine
 * (other processes running) from eating a container's budget.
 */
function cpuNow(): number {
	const usage = process.cpuUsage();
	return (usage.user + usage.system) / 1000;
}

/** CPU budget refill: 250 ms of interpreter time per second of wall time (a quarter core). */
const CPU_REFILL_PER_MS = 0.25;

// One time budget shared by every sandboxed task in the process: when it is used up, all of them
// wait for the same setImmediate, so timers and I/O run between slices however many tasks exist.
let sliceStartedAt = performance.now();
let pendingYield: Promise<void> | undefined;

function sliceUsedUp(now: number): boolean {
	return now - sliceStartedAt >= SLICE_MS;
}

async function yieldToEventLoop(): Promise<void> {
	pendingYield ??= new Promise<void>(resolve => {
		setImmediate(() => {
			pendingYield = undefined;
			sliceStartedAt = performance.now();
			resolve();
		});
	});
	return pendingYield;
}

export class Proc {
	/** Interpreter time used so far (ms). */
	cpuMs = 0;
	private budget: number;
	private refilledAt = performance.now();
	outputBytes = 0;
	/** Set once the tree is dead (killed, limit, or ended); every checkpoint then throws. */
	dead: ExitResult | undefined;
	/** TERM delivered and a trap is set: the main shell runs the trap at its next statement. */
	termPending = false;
	/** Set by the main shell: TERM runs this instead of killing. */
	hasTermTrap = false;
	/** Number of concurrently running tasks (pipeline stages, background jobs). */
	tasks = 0;
	/** Process CPU time (ms) when this tree last resumed: only CPU actually used is charged. */
	private sliceStart = cpuNow();
	private settle: (() => void) | undefined;
	/** Resolves the first time the tree blocks (sleep, read, tail -f...) or dies: "it has started". */
	readonly settled = new Promise<void>(resolve => {
		this.settle = resolve;
	});
	private readonly wakers = new Set<() => void>();
	private readonly deathListeners = new Set<(result: ExitResult) => void>();

	constructor(
		readonly limits: Limits,
		/** Whether interpreter time counts against limits.cpuMs (the native loggen image opts out). */
		readonly meterCpu = true,
	) {
		this.budget = limits.cpuMs;
	}

	/** Called between statements/chunks: accounts CPU, yields now and then, throws if dead. */
	tick(): Promise<void> | undefined {
		if (this.dead) {
			throw new Fatal(this.dead);
		}

		const now = performance.now();
		if (!sliceUsedUp(now)) {
			return undefined;
		}

		this.charge(now);
		return this.yieldSlice();
	}

	private async yieldSlice(): Promise<void> {
		await yieldToEventLoop();
		this.sliceStart = cpuNow();
		if (this.dead) {
			throw new Fatal(this.dead);
		}
	}

	private charge(now: number): void {
		const cpu = cpuNow();
		const used = Math.max(0, cpu - this.sliceStart);
		this.sliceStart = cpu;
		if (!this.meterCpu) {
			return;
		}

		this.cpuMs += used;
		// A budget of limits.cpuMs that refills at CPU_REFILL_PER_MS: a busy loop drains it within
		// seconds, while a long-running demo loop that mostly sleeps never does.
		this.budget = Math.min(this.limits.cpuMs, this.budget + (now - this.refilledAt) * CPU_REFILL_PER_MS) - used;
		this.refilledAt = now;
		if (this.budget < 0) {
			this.kill({
				exitCode: 137,
				reason: 'Error',
				signal: 9,
				message: `CPU limit reached: the container kept the interpreter busy past its ${this.limits.cpuMs} ms budget (cpuMs limit, refilled at ${CPU_REFILL_PER_MS * 1000} ms per second)`,
			});
			throw new Fatal(this.dead!);
		}
	}

	/**
	 * Wait for `promise` without counting the wait as CPU; resolves early (undefined) when the
	 * process is killed or, if `interruptible`, when TERM arrives.
	 */
	async wait<T>(promise: Promise<T>, interruptible = false): Promise<T | undefined> {
		if (this.dead) {
			throw new Fatal(this.dead);
		}

		this.charge(performance.now());
		this.settle?.();
		let waker: (() => void) | undefined;
		const woken = new Promise<undefined>(resolve => {
			waker = () => {
				resolve(undefined);
			};
		});
		const wrapped = (): void => {
			if (this.dead || (interruptible && this.termPending)) {
				waker!();
			}
		};

		this.wakers.add(wrapped);
		wrapped();
		try {
			const value = await Promise.race([promise, woken]);
			if (this.dead) {
				throw new Fatal(this.dead);
			}

			return value;
		} finally {
			this.wakers.delete(wrapped);
			this.sliceStart = cpuNow();
		}
	}

	async sleep(ms: number): Promise<void> {
		let timer: NodeJS.Timeout | undefined;
		try {
			await this.wait(
				new Promise<void>(resolve => {
					timer = setTimeout(resolve, ms);
				}),
				true,
			);
		} finally {
			clearTimeout(timer);
		}
	}

	/** Count output bytes; kills the tree when over the limit. */
	countOutput(bytes: number): void {
		if (this.dead) {
			throw new Fatal(this.dead);
		}

		this.outputBytes += bytes;
		if (this.outputBytes > this.limits.outputBytes) {
			this.kill({
				exitCode: 137,
				reason: 'Error',
				signal: 9,
				message: `output limit reached: the container wrote more than ${this.limits.outputBytes} bytes to stdout/stderr (outputBytes limit)`,
			});
			throw new Fatal(this.dead!);
		}
	}

	/** Deliver TERM: runs the trap if the main shell set one, otherwise the tree ends with 143. */
	term(): void {
		if (this.dead) {
			return;
		}

		if (this.hasTermTrap) {
			this.termPending = true;
			this.wakeAll();
			return;
		}

		this.kill({exitCode: 143, reason: 'Error', signal: 15});
	}

	kill(result: ExitResult): void {
		if (this.dead) {
			return;
		}

		this.dead = result;
		this.settle?.();
		this.wakeAll();
		for (const listener of this.deathListeners) {
			listener(result);
		}
	}

	onDeath(listener: (result: ExitResult) => void): void {
		if (this.dead) {
			listener(this.dead);
			return;
		}

		this.deathListeners.add(listener);
	}

	private wakeAll(): void {
		for (const waker of [...this.wakers]) {
			waker();
		}
	}
}
