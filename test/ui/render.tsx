// Renders an Ink tree into an in-memory terminal of a chosen size and polls its frames. Unlike
// ink-testing-library's fixed 100-column stdout, the size here is exact and can change (resize).
import {EventEmitter} from 'node:events';
import {render as inkRender} from 'ink';
import type {ReactElement} from 'react';

class FakeStdout extends EventEmitter {
	isTTY = true;
	frames: string[] = [];
	constructor(
		public columns: number,
		public rows: number,
	) {
		super();
	}

	write = (frame: string) => {
		this.frames.push(frame);
		return true;
	};

	lastFrame = () => this.frames.at(-1) ?? '';
}

class FakeStdin extends EventEmitter {
	isTTY = true;
	#pending: string[] = [];
	setEncoding() {}
	setRawMode() {}
	resume() {}
	pause() {}
	ref() {}
	unref() {}
	read = () => this.#pending.shift() ?? null;
	write(data: string) {
		this.#pending.push(data);
		this.emit('readable');
		this.emit('data', data);
	}
}

export type Terminal = {
	lastFrame(): string;
	/** How many frames Ink has written so far. */
	frameCount(): number;
	/** Sends keys; `press` is the same with a name for readability. */
	write(data: string): void;
	resize(columns: number, rows: number): void;
	waitForFrame(predicate: (frame: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
	unmount(): void;
};

export {keys} from '../keys.js';

export function renderTerminal(tree: ReactElement, size: {columns: number; rows: number} = {columns: 120, rows: 30}): Terminal {
	const stdout = new FakeStdout(size.columns, size.rows);
	const stdin = new FakeStdin();
	const stderr = new FakeStdout(size.columns, size.rows);
	const instance = inkRender(tree, {
		stdout: stdout as unknown as NodeJS.WriteStream,
		stdin: stdin as unknown as NodeJS.ReadStream,
		stderr: stderr as unknown as NodeJS.WriteStream,
		debug: true,
		exitOnCtrlC: false,
		patchConsole: false,
		interactive: true,
	});
	return {
		lastFrame: stdout.lastFrame,
		frameCount: () => stdout.frames.length,
		write(data) {
			stdin.write(data);
		},
		resize(columns, rows) {
			stdout.columns = columns;
			stdout.rows = rows;
			stdout.emit('resize');
		},
		async waitForFrame(predicate, what, timeoutMs = 4000) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const frame = stdout.lastFrame();
				if (predicate(frame)) return frame;
				if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last frame:\n${frame}`);
				await new Promise(resolve => setTimeout(resolve, 10));
			}
		},
		unmount() {
			instance.unmount();
			instance.cleanup();
		},
	};
}
