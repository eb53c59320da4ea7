// "Native" binaries of the non-shell images, written in JS directly (not interpreted):
// `loggen` (fast numbered log lines for benchmarks and no-loss tests) and the distroless
// image's `/server`.

import {strftime} from './commands.js';
import {utf8, writeText} from './io.js';
import type {CommandContext, CommandImpl} from './shell.js';

export const LOGGEN_USAGE = `Usage: loggen [--lines N] [--rate R] [--prefix P] [--size B] [--stderr-every K] [--then sleep|exit] [--exit-code C]
  --lines N        lines to write; 0 = forever (default 0)
  --rate R         lines per second; 0 = as fast as possible (default 10)
  --prefix P       text before the sequence number (default "loggen")
  --size B         pad each line to at least B bytes including the newline (default 0)
  --stderr-every K write every K-th line to stderr instead of stdout (default 0 = never)
  --then sleep|exit after the last line: sleep forever (default) or exit
  --exit-code C    exit status when --then exit (default 0)
Each line is "P NNNNNN <RFC3339 time> ..." with a 6+ digit sequence number starting at 000001.
`;

type LoggenOptions = {
	lines: number;
	rate: number;
	prefix: string;
	size: number;
	stderrEvery: number;
	then: 'sleep' | 'exit';
	exitCode: number;
};

export function parseLoggenArgs(args: string[]): LoggenOptions | string {
	const options: LoggenOptions = {lines: 0, rate: 10, prefix: 'loggen', size: 0, stderrEvery: 0, then: 'sleep', exitCode: 0};
	for (let i = 0; i < args.length; i++) {
		const raw = args[i]!;
		const eq = raw.indexOf('=');
		const flag = eq === -1 ? raw : raw.slice(0, eq);
		const value = eq === -1 ? args[++i] : raw.slice(eq + 1);
		if (value === undefined) {
			return `loggen: option ${flag} needs a value`;
		}

		const number = Number(value);
		const needNumber = (name: keyof LoggenOptions): string | undefined => {
			if (!Number.isFinite(number) || number < 0) {
				return `loggen: ${flag} wants a non-negative number, got '${value}'`;
			}

			(options as Record<string, unknown>)[name] = number;
			return undefined;
		};

		let problem: string | undefined;
		switch (flag) {
			case '--lines': { problem = needNumber('lines'); break; }
			case '--rate': { problem = needNumber('rate'); break; }
			case '--size': { problem = needNumber('size'); break; }
			case '--stderr-every': { problem = needNumber('stderrEvery'); break; }
			case '--exit-code': { problem = needNumber('exitCode'); break; }
			case '--prefix': { options.prefix = value; break; }
			case '--then': {
				if (value !== 'sleep' && value !== 'exit') {
					problem = `loggen: --then wants sleep or exit, got '${value}'`;
				}

				options.then = value as 'sleep' | 'exit';
				break;
			}

			default: {
				problem = `loggen: unknown option '${flag}'`;
			}
		}

		if (problem) {
			return problem;
		}
	}

	return options;
}

const MAX_BATCH_LINES = 2000;

export const loggen: CommandImpl = async (ctx: CommandContext) => {
	const parsed = parseLoggenArgs(ctx.argv.slice(1));
	if (typeof parsed === 'string') {
		await writeText(ctx.io.stderr, `${parsed}\n${LOGGEN_USAGE}`);
		return 2;
	}

	const {lines, rate, prefix, size, stderrEvery} = parsed;
	const started = performance.now();
	let sent = 0;
	while (lines === 0 || sent < lines) {
		let batch = MAX_BATCH_LINES;
		if (rate > 0) {
			const due = Math.floor(((performance.now() - started) / 1000) * rate) + 1;
			batch = Math.min(batch, due - sent);
			if (batch <= 0) {
				const nextAt = started + ((sent) / rate) * 1000;
				await ctx.proc.sleep(Math.max(1, nextAt - performance.now()));
				if (ctx.proc.termPending) {
					return 143;
				}

				continue;
			}
		}

		if (lines > 0) {
			batch = Math.min(batch, lines - sent);
		}

		const stamp = strftime('%Y-%m-%dT%H:%M:%S', new Date()) + '.' + String(Date.now() % 1000).padStart(3, '0') + 'Z';
		let out = '';
		let errOut = '';
		for (let i = 0; i < batch; i++) {
			sent++;
			let line = `${prefix} ${String(sent).padStart(6, '0')} ${stamp} line ${sent}`;
			if (line.length + 1 < size) {
				line += ' ' + 'x'.repeat(size - line.length - 2);
			}

			if (stderrEvery > 0 && sent % stderrEvery === 0) {
				errOut += line + '\n';
			} else {
				out += line + '\n';
			}
		}

		if (out) {
			await ctx.io.stdout.write(utf8(out));
		}

		if (errOut) {
			await ctx.io.stderr.write(utf8(errOut));
		}

		const pending = ctx.proc.tick();
		if (pending) {
			await pending;
		}
	}

	if (parsed.then === 'exit') {
		return parsed.exitCode;
	}

	await ctx.proc.sleep(2_147_483_647);
	return 143;
};

/** The distroless image's only binary: a pretend HTTP server that logs one line per second. */
export const server: CommandImpl = async ctx => {
	const stamp = (): string => strftime('%Y/%m/%d %H:%M:%S', new Date());
	await writeText(ctx.io.stdout, `${stamp()} server: listening on :8080\n`);
	for (let request = 1; ; request++) {
		await ctx.proc.sleep(1000);
		if (ctx.proc.termPending || ctx.proc.dead) {
			await writeText(ctx.io.stdout, `${stamp()} server: shutting down\n`);
			return 0;
		}

		await writeText(ctx.io.stdout, `${stamp()} GET /healthz 200 (request ${request})\n`);
	}
};
