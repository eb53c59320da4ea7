// A small busybox-compatible `sed`: -n, -e (several), -E/-r, -i; addresses N, $, /re/, and ranges;
// commands s/re/replacement/[gpI N], p, d, q, =. Streams line by line, so `tail -f x | sed ...`
// is live.

import {FsError, errnoText} from './vfs.js';
import {InStream, bytesSource, utf8, writeText} from './io.js';
import type {CommandContext, CommandImpl} from './shell.js';

type Address = {kind: 'line'; line: number} | {kind: 'last'} | {kind: 'regex'; regex: RegExp};

type SedCommand = {
	from?: Address;
	to?: Address;
	negate: boolean;
	name: 's' | 'p' | 'd' | 'q' | '=';
	regex?: RegExp;
	replacement?: string;
	global?: boolean;
	occurrence?: number;
	print?: boolean;
	/** Range state. */
	active: boolean;
};

/** POSIX basic regex to JS: `\(`, `\)`, `\{`, `\}`, `\|`, `\+`, `\?` are operators; bare ones are literal. */
export function basicToExtended(pattern: string): string {
	let result = '';
	for (let i = 0; i < pattern.length; i++) {
		const ch = pattern[i]!;
		if (ch === '\\' && i + 1 < pattern.length) {
			const next = pattern[++i]!;
			result += '(){}|+?'.includes(next) ? next : '\\' + next;
		} else if ('(){}|+?'.includes(ch)) {
			result += '\\' + ch;
		} else {
			result += ch;
		}
	}

	return result;
}

class SedSyntaxError extends Error {}

function parseScript(script: string, extended: boolean): SedCommand[] {
	const commands: SedCommand[] = [];
	let i = 0;
	const skipSpace = (): void => {
		while (i < script.length && /[ \t]/.test(script[i]!)) {
			i++;
		}
	};

	const delimited = (delimiter: string): string => {
		let value = '';
		while (i < script.length && script[i] !== delimiter) {
			if (script[i] === '\\' && i + 1 < script.length) {
				value += script[i + 1] === delimiter ? delimiter : script.slice(i, i + 2);
				i += 2;
				continue;
			}

			value += script[i];
			i++;
		}

		if (script[i] !== delimiter) {
			throw new SedSyntaxError(`unterminated ${delimiter === '/' ? 'regex' : '`s\' command'}`);
		}

		i++;
		return value;
	};

	const toRegex = (source: string, flags = ''): RegExp => {
		try {
			return new RegExp(extended ? source : basicToExtended(source), flags);
		} catch {
			throw new SedSyntaxError(`bad regex '${source}'`);
		}
	};

	const address = (): Address | undefined => {
		if (/\d/.test(script[i] ?? '')) {
			const match = /^\d+/.exec(script.slice(i))![0];
			i += match.length;
			return {kind: 'line', line: Number(match)};
		}

		if (script[i] === '$') {
			i++;
			return {kind: 'last'};
		}

		if (script[i] === '/') {
			i++;
			return {kind: 'regex', regex: toRegex(delimited('/'))};
		}

		return undefined;
	};

	while (i < script.length) {
		skipSpace();
		if (script[i] === ';' || script[i] === '\n') {
			i++;
			continue;
		}

		if (i >= script.length) {
			break;
		}

		const command: SedCommand = {negate: false, name: 'p', active: false};
		const from = address();
		if (from) {
			command.from = from;
			if (script[i] === ',') {
				i++;
				const to = address();
				if (!to) {
					throw new SedSyntaxError('unexpected \',\'');
				}

				command.to = to;
			}
		}

		skipSpace();
		if (script[i] === '!') {
			command.negate = true;
			i++;
			skipSpace();
		}

		const name = script[i++];
		switch (name) {
			case 's': {
				const delimiter = script[i++] ?? '/';
				const pattern = delimited(delimiter);
				const replacement = delimited(delimiter);
				let flags = '';
				let occurrence = 1;
				let global = false;
				let print = false;
				while (i < script.length && /[gpI\d]/.test(script[i]!)) {
					const flag = script[i]!;
					if (flag === 'g') {
						global = true;
					} else if (flag === 'p') {
						print = true;
					} else if (flag === 'I') {
						flags += 'i';
					} else {
						const digits = /^\d+/.exec(script.slice(i))![0];
						occurrence = Number(digits);
						i += digits.length - 1;
					}

					i++;
				}

				Object.assign(command, {name: 's', regex: toRegex(pattern, flags + 'g'), replacement, global, occurrence, print});
				break;
			}

			case 'p':
			case 'd':
			case 'q':
			case '=': {
				command.name = name;
				break;
			}

			default: {
				throw new SedSyntaxError(`unsupported command ${name ?? ''}`);
			}
		}

		commands.push(command);
	}

	return commands;
}

function substitute(line: string, command: SedCommand): {line: string; changed: boolean} {
	let count = 0;
	let changed = false;
	const result = line.replace(command.regex!, (...match: unknown[]) => {
		const groups = match.slice(0, -2) as Array<string | undefined>;
		count++;
		if (!command.global && count !== command.occurrence) {
			return groups[0]!;
		}

		if (command.global && count < command.occurrence!) {
			return groups[0]!;
		}

		changed = true;
		return command.replacement!.replaceAll(/\\(\d)|\\n|\\(.)|&/g, (token: string, digit?: string, escaped?: string) => {
			if (token === '&') {
				return groups[0] ?? '';
			}

			if (digit !== undefined) {
				return groups[Number(digit)] ?? '';
			}

			if (token === String.raw`\n`) {
				return '\n';
			}

			return escaped ?? '';
		});
	});
	return {line: result, changed};
}

function matches(address: Address, line: string, number: number, last: boolean): boolean {
	switch (address.kind) {
		case 'line': {
			return number === address.line;
		}

		case 'last': {
			return last;
		}

		case 'regex': {
			address.regex.lastIndex = 0;
			return address.regex.test(line);
		}
	}
}

function selected(command: SedCommand, line: string, number: number, last: boolean): boolean {
	let hit: boolean;
	if (!command.from) {
		hit = true;
	} else if (!command.to) {
		hit = matches(command.from, line, number, last);
	} else if (command.active) {
		hit = true;
		if (matches(command.to, line, number, last) || (command.to.kind === 'line' && number >= command.to.line)) {
			command.active = false;
		}
	} else if (matches(command.from, line, number, last)) {
		hit = true;
		command.active = !(command.to.kind === 'line' && command.to.line <= number);
	} else {
		hit = false;
	}

	return hit !== command.negate;
}

export const sed: CommandImpl = async (ctx: CommandContext) => {
	const args = ctx.argv.slice(1);
	const scripts: string[] = [];
	const files: string[] = [];
	let quiet = false;
	let extended = false;
	let inPlace = false;
	for (let i = 0; i < args.length; i++) {
		const arg = args[i]!;
		if (arg === '-e') {
			scripts.push(args[++i] ?? '');
		} else if (arg === '-n') {
			quiet = true;
		} else if (arg === '-E' || arg === '-r') {
			extended = true;
		} else if (arg === '-i') {
			inPlace = true;
		} else if (/^-[nErie]+$/.test(arg) && arg.length > 2) {
			quiet ||= arg.includes('n');
			extended ||= arg.includes('E') || arg.includes('r');
			inPlace ||= arg.includes('i');
			if (arg.endsWith('e')) {
				scripts.push(args[++i] ?? '');
			}
		} else if (scripts.length === 0) {
			scripts.push(arg);
		} else {
			files.push(arg);
		}
	}

	let commands: SedCommand[];
	try {
		commands = parseScript(scripts.join('\n'), extended);
	} catch (error) {
		await writeText(ctx.io.stderr, `sed: ${error instanceof Error ? error.message : String(error)}\n`);
		return 1;
	}

	const runOn = async (input: InStream, emit: (value: string) => Promise<void>): Promise<boolean> => {
		// Read one line ahead only when `$` is used, so a followed stream stays live.
		const needsLast = commands.some(command => command.from?.kind === 'last' || command.to?.kind === 'last');
		let number = 0;
		let next = await input.readLine(ctx.proc);
		while (next !== null) {
			let line: string = next;
			number++;
			next = needsLast ? await input.readLine(ctx.proc) : '';
			const last = needsLast && next === null;
			let deleted = false;
			let quit = false;
			for (const command of commands) {
				if (!selected(command, line, number, last)) {
					continue;
				}

				if (command.name === 's') {
					const result = substitute(line, command);
					line = result.line;
					if (result.changed && command.print) {
						await emit(line + '\n');
					}
				} else if (command.name === 'p') {
					await emit(line + '\n');
				} else if (command.name === '=') {
					await emit(`${number}\n`);
				} else if (command.name === 'd') {
					deleted = true;
					break;
				} else {
					quit = true;
					break;
				}
			}

			if (!deleted && !quiet) {
				await emit(line + '\n');
			}

			if (quit) {
				return true;
			}

			if (!needsLast) {
				next = await input.readLine(ctx.proc);
			}

			const pending = ctx.proc.tick();
			if (pending) {
				await pending;
			}
		}

		return false;
	};

	const stdoutEmit = async (value: string): Promise<void> => writeText(ctx.io.stdout, value);
	if (files.length === 0) {
		await runOn(ctx.io.stdin, stdoutEmit);
		return 0;
	}

	let status = 0;
	for (const file of files) {
		let data: Uint8Array;
		try {
			data = ctx.fs.readFile(file, ctx.cwd);
		} catch (error) {
			if (error instanceof FsError) {
				await writeText(ctx.io.stderr, `sed: ${file}: ${errnoText(error.code)}\n`);
				status = 1;
				continue;
			}

			throw error;
		}

		const input = new InStream(bytesSource(data));
		if (inPlace) {
			let output = '';
			await runOn(input, async value => {
				output += value;
			});
			try {
				ctx.fs.writeFile(file, utf8(output), ctx.cwd);
			} catch (error) {
				if (error instanceof FsError) {
					await writeText(ctx.io.stderr, `sed: can't create ${file}: ${errnoText(error.code)}\n`);
					status = 4;
					continue;
				}

				throw error;
			}

			continue;
		}

		if (await runOn(input, stdoutEmit)) {
			break;
		}
	}

	return status;
};
