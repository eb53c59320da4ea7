// Shared helpers for the runtime tests: run a script in a fresh sandbox, collect output, poll.
import {createPodSandbox} from '../../demo/runtime/index.js';
import type {ContainerSpec, ExitResult, Limits, PodSandbox, RunningContainer, VolumeSource} from '../../demo/runtime/types.js';

export type Collected = {
	stdout: string;
	stderr: string;
	/** Each stdout chunk with the time (ms since start) it arrived. */
	chunks: Array<{at: number; text: string}>;
};

export function collector(): {out: {stdout(c: Uint8Array): void; stderr(c: Uint8Array): void}; got: Collected} {
	const started = performance.now();
	const decoder = new TextDecoder();
	const got: Collected = {stdout: '', stderr: '', chunks: []};
	return {
		got,
		out: {
			stdout(chunk) {
				const text = decoder.decode(chunk);
				got.stdout += text;
				got.chunks.push({at: performance.now() - started, text});
			},
			stderr(chunk) {
				got.stderr += decoder.decode(chunk);
			},
		},
	};
}

export function sandbox(volumes: VolumeSource[] = [], limits?: Partial<Limits>): PodSandbox {
	return createPodSandbox({podName: 'test-pod', namespace: 'default', hostname: 'test-pod', podIP: '10.244.0.7', volumes, ...(limits ? {limits} : {})});
}

export type Run = Collected & {result: ExitResult};

/** Run `sh -c script` in a fresh busybox container and wait for it to end. */
export async function sh(script: string, options: {limits?: Partial<Limits>; spec?: Partial<ContainerSpec>; volumes?: VolumeSource[]} = {}): Promise<Run> {
	const box = sandbox(options.volumes ?? [], options.limits);
	try {
		const {out, got} = collector();
		const running = box.startContainer({name: 'c', image: 'busybox:1.36', command: ['sh', '-c', script], ...options.spec}, out);
		const result = await withDeadline(running.done, 15_000, `script did not end: ${script}`);
		return {...got, result};
	} finally {
		await box.dispose();
	}
}

export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	try {
		return await Promise.race([
			promise,
			new Promise<never>((_, reject) => {
				timer = setTimeout(() => {
					reject(new Error(`timed out after ${ms} ms: ${what}`));
				}, ms);
			}),
		]);
	} finally {
		clearTimeout(timer);
	}
}

/** Poll `condition` every 10 ms until it holds or the deadline passes (then throw). */
export async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
	const deadline = performance.now() + ms;
	while (!condition()) {
		if (performance.now() > deadline) {
			throw new Error(`timed out after ${ms} ms waiting for: ${what}`);
		}

		await new Promise(resolve => {
			setTimeout(resolve, 10);
		});
	}
}

/** Run an exec and collect its output. */
export async function exec(box: PodSandbox, container: string, argv: string[]): Promise<{stdout: string; stderr: string; kind: string; exitCode?: number; message?: string}> {
	const {out, got} = collector();
	const result = await box.exec(container, argv, out);
	return {stdout: got.stdout, stderr: got.stderr, ...result};
}

export type {RunningContainer};
