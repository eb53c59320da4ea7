// Drives the real podwatch binary in a pseudo-terminal and reads the screen the way a user's
// terminal would show it: the PTY's bytes go through xterm.js's headless emulator, so assertions
// are about what is on screen, not about Ink's output stream.
import {spawn as spawnPty, type IPty} from '@lydell/node-pty';
import xterm from '@xterm/headless';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const {Terminal} = xterm;

const here = path.dirname(fileURLToPath(import.meta.url));
/** The compiled CLI, from dist/test/e2e/terminal.js (or any build dir mirroring the repo). */
export const cliPath = path.resolve(here, '..', '..', 'cli.js');
/** The installed entry point (sets NODE_ENV=production, brings Node 22 when needed). */
export const launcherPath = path.resolve(here, '..', '..', '..', 'bin', 'podwatch.js');

export type Screen = {
	/** The visible rows, right-trimmed, joined with newlines. */
	text(): string;
	/** Everything the program wrote, raw. */
	raw(): string;
	/** Polls the screen until `test` passes; throws with the last screen if it does not by `timeoutMs`. */
	waitFor(test: RegExp | ((screen: string) => boolean), timeoutMs?: number): Promise<string>;
	press(keys: string): void;
	resize(cols: number, rows: number): void;
	readonly exited: Promise<{exitCode: number; signal?: number}>;
	kill(): Promise<void>;
};

export {keys} from '../keys.js';

export function startPodwatch(
	args: string[],
	options: {cols?: number; rows?: number; env?: NodeJS.ProcessEnv; cwd?: string; command?: string[]} = {},
): Screen {
	const cols = options.cols ?? 160;
	const rows = options.rows ?? 45;
	const env: NodeJS.ProcessEnv = {...process.env, TERM: 'xterm-256color', ...options.env};
	// Ink treats a CI environment as non-interactive and would only print the last frame.
	delete env['CI'];
	delete env['CONTINUOUS_INTEGRATION'];
	delete env['GITHUB_ACTIONS'];
	const term = new Terminal({cols, rows, allowProposedApi: true, scrollback: 0});
	let raw = '';
	// By default the real entry point users run, with the project's Node 22.
	const [file, ...prefix] = options.command ?? [process.execPath, launcherPath];
	const pty: IPty = spawnPty(file!, [...prefix, ...args], {
		name: 'xterm-256color',
		cols,
		rows,
		cwd: options.cwd ?? process.cwd(),
		env: env as Record<string, string>,
	});
	pty.onData(data => {
		raw += data;
		term.write(data);
	});
	const exited = new Promise<{exitCode: number; signal?: number}>(resolve => {
		pty.onExit(event => resolve(event));
	});
	let done = false;
	void exited.then(() => (done = true));

	const text = () => {
		const buffer = term.buffer.active;
		const lines: string[] = [];
		for (let y = 0; y < term.rows; y++) lines.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
		return lines.join('\n');
	};

	// xterm.js parses asynchronously: wait for the write queue before reading.
	const flushed = () => new Promise<void>(resolve => term.write('', resolve));

	return {
		text,
		raw: () => raw,
		async waitFor(test, timeoutMs = 15_000) {
			const deadline = Date.now() + timeoutMs;
			const passes = (screen: string) => (typeof test === 'function' ? test(screen) : test.test(screen));
			for (;;) {
				await flushed();
				const screen = text();
				if (passes(screen)) return screen;
				if (Date.now() > deadline) {
					throw new Error(`screen did not show ${String(test)} within ${timeoutMs} ms${done ? ' (podwatch exited)' : ''}; it shows:\n${screen}`);
				}

				await new Promise(resolve => setTimeout(resolve, 50));
			}
		},
		press(input) {
			pty.write(input);
		},
		resize(newCols, newRows) {
			pty.resize(newCols, newRows);
			term.resize(newCols, newRows);
		},
		exited,
		async kill() {
			await stopPty(pty, exited, () => done);
			term.dispose();
		},
	};
}

/** TERM, then KILL after 3 s if the program is still there; resolves once it has exited. */
export async function stopPty(pty: IPty, exited: Promise<unknown>, isDone: () => boolean): Promise<void> {
	if (isDone()) return;
	pty.kill('SIGTERM');
	const timer = setTimeout(() => {
		if (!isDone()) pty.kill('SIGKILL');
	}, 3000);
	await exited;
	clearTimeout(timer);
}
