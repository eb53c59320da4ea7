// The busybox-like commands of the shell images. Output formats follow busybox 1.36 (what the
// lesson's `busybox:1.36` prints), e.g. `ls -l`, `date`, error messages. Every loop passes
// Proc.tick() or Proc.wait(), so runaway commands (`yes`) are stopped by the limits.

import {createHash} from 'node:crypto';
import {FsError, errnoText, cloneNode, fileContent, normalisePath, type DirNode, type FileNode, type FsNode} from './vfs.js';
import {text, utf8, writeText, type Writer} from './io.js';
import {basicToExtended, sed} from './sed.js';
import {awk} from './awk.js';
import {Shell, testBinary, testUnary, baseName, globToRegex, ShellError, type CommandContext, type CommandImpl} from './shell.js';

const CHUNK = 64 * 1024;

async function out(ctx: CommandContext, value: string): Promise<void> {
	await writeText(ctx.io.stdout, value);
}

async function err(ctx: CommandContext, value: string): Promise<void> {
	await writeText(ctx.io.stderr, value);
}

async function writeBytes(ctx: CommandContext, writer: Writer, data: Uint8Array): Promise<void> {
	for (let offset = 0; offset < data.length; offset += CHUNK) {
		const pending = ctx.proc.tick();
		if (pending) {
			await pending;
		}

		await writer.write(data.subarray(offset, offset + CHUNK));
	}
}

/** Split options from operands, busybox-style (`-la`, `-n 5`, `-n5`, `--`). */
function options(argv: string[], withValue: string): {flags: Set<string>; values: Map<string, string>; rest: string[]} {
	const flags = new Set<string>();
	const values = new Map<string, string>();
	const rest: string[] = [];
	let i = 1;
	for (; i < argv.length; i++) {
		const arg = argv[i]!;
		if (arg === '--') {
			i++;
			break;
		}

		if (!arg.startsWith('-') || arg === '-') {
			rest.push(arg);
			continue;
		}

		for (let j = 1; j < arg.length; j++) {
			const flag = arg[j]!;
			if (withValue.includes(flag)) {
				const value = arg.slice(j + 1) || argv[++i] || '';
				values.set(flag, value);
				break;
			}

			flags.add(flag);
		}
	}

	rest.push(...argv.slice(i));
	return {flags, values, rest};
}

/** Read each operand (or stdin for none / `-`), calling `each` with its bytes. */
async function readInputs(
	ctx: CommandContext,
	files: string[],
	name: string,
	each: (data: Uint8Array, file: string) => Promise<void>,
): Promise<number> {
	let status = 0;
	for (const file of files.length === 0 ? ['-'] : files) {
		if (file === '-') {
			await each(await ctx.io.stdin.readAll(ctx.proc), '-');
			continue;
		}

		try {
			const data = ctx.fs.readFile(file, ctx.cwd);
			await each(data, file);
		} catch (error) {
			if (error instanceof FsError) {
				await err(ctx, error.code === 'EISDIR' ? `${name}: read error: Is a directory\n` : `${name}: can't open '${file}': ${errnoText(error.code)}\n`);
				status = 1;
				continue;
			}

			throw error;
		}
	}

	return status;
}

function lines(data: Uint8Array): string[] {
	const value = text(data);
	const parts = value.split('\n');
	if (parts.at(-1) === '') {
		parts.pop();
	}

	return parts;
}

// ---------- date ----------

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const pad = (value: number, width = 2, fill = '0'): string => String(value).padStart(width, fill);

/** strftime in UTC (containers here have no TZ). */
export function strftime(format: string, date: Date): string {
	let result = '';
	for (let i = 0; i < format.length; i++) {
		const ch = format[i]!;
		if (ch !== '%' || i === format.length - 1) {
			result += ch;
			continue;
		}

		const code = format[++i]!;
		switch (code) {
			case 'a': { result += DAYS[date.getUTCDay()]; break; }
			case 'A': { result += DAY_NAMES[date.getUTCDay()]; break; }
			case 'b':
			case 'h': { result += MONTHS[date.getUTCMonth()]; break; }
			case 'B': { result += MONTH_NAMES[date.getUTCMonth()]; break; }
			case 'c': { result += strftime('%a %b %e %H:%M:%S %Y', date); break; }
			case 'C': { result += pad(Math.floor(date.getUTCFullYear() / 100)); break; }
			case 'd': { result += pad(date.getUTCDate()); break; }
			case 'D': { result += strftime('%m/%d/%y', date); break; }
			case 'e': { result += pad(date.getUTCDate(), 2, ' '); break; }
			case 'F': { result += strftime('%Y-%m-%d', date); break; }
			case 'H': { result += pad(date.getUTCHours()); break; }
			case 'I': { result += pad(((date.getUTCHours() + 11) % 12) + 1); break; }
			case 'j': { result += pad(Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000) + 1, 3); break; }
			case 'k': { result += pad(date.getUTCHours(), 2, ' '); break; }
			case 'm': { result += pad(date.getUTCMonth() + 1); break; }
			case 'M': { result += pad(date.getUTCMinutes()); break; }
			case 'n': { result += '\n'; break; }
			case 'N': { result += pad(date.getUTCMilliseconds() * 1_000_000, 9); break; }
			case 'p': { result += date.getUTCHours() < 12 ? 'AM' : 'PM'; break; }
			case 'r': { result += strftime('%I:%M:%S %p', date); break; }
			case 'R': { result += strftime('%H:%M', date); break; }
			case 's': { result += String(Math.floor(date.getTime() / 1000)); break; }
			case 'S': { result += pad(date.getUTCSeconds()); break; }
			case 't': { result += '\t'; break; }
			case 'T': { result += strftime('%H:%M:%S', date); break; }
			case 'u': { result += String(date.getUTCDay() === 0 ? 7 : date.getUTCDay()); break; }
			case 'w': { result += String(date.getUTCDay()); break; }
			case 'y': { result += pad(date.getUTCFullYear() % 100); break; }
			case 'Y': { result += String(date.getUTCFullYear()); break; }
			case 'z': { result += '+0000'; break; }
			case 'Z': { result += 'UTC'; break; }
			case '%': { result += '%'; break; }
			default: { result += '%' + code; }
		}
	}

	return result;
}

const date: CommandImpl = async ctx => {
	let format = '%a %b %e %H:%M:%S %Z %Y';
	let when = new Date();
	const args = ctx.argv.slice(1);
	for (let i = 0; i < args.length; i++) {
		const arg = args[i]!;
		if (arg.startsWith('+')) {
			format = arg.slice(1);
		} else if (arg === '-u' || arg === '--utc') {
			continue;
		} else if (arg.startsWith('-I')) {
			const precision = arg.slice(2) || 'date';
			format = precision === 'date' ? '%Y-%m-%d' : precision === 'hours' ? '%Y-%m-%dT%H+00:00' : precision === 'minutes' ? '%Y-%m-%dT%H:%M+00:00' : '%Y-%m-%dT%H:%M:%S+00:00';
		} else if (arg === '-R') {
			format = '%a, %d %b %Y %H:%M:%S +0000';
		} else if (arg === '-d' || arg === '-D') {
			const value = args[++i] ?? '';
			const parsed = value.startsWith('@') ? new Date(Number(value.slice(1)) * 1000) : new Date(value);
			if (Number.isNaN(parsed.getTime())) {
				await err(ctx, `date: invalid date '${value}'\n`);
				return 1;
			}

			when = parsed;
		} else {
			await err(ctx, `date: invalid date '${arg}'\n`);
			return 1;
		}
	}

	await out(ctx, strftime(format, when) + '\n');
	return 0;
};

// ---------- echo / printf ----------

function backslashEscapes(value: string): {text: string; stop: boolean} {
	let result = '';
	for (let i = 0; i < value.length; i++) {
		const ch = value[i]!;
		if (ch !== '\\' || i === value.length - 1) {
			result += ch;
			continue;
		}

		const next = value[++i]!;
		switch (next) {
			case 'n': { result += '\n'; break; }
			case 't': { result += '\t'; break; }
			case 'r': { result += '\r'; break; }
			case 'a': { result += '\u0007'; break; }
			case 'b': { result += '\b'; break; }
			case 'f': { result += '\f'; break; }
			case 'v': { result += '\v'; break; }
			case 'e': { result += '\u001B'; break; }
			case '\\': { result += '\\'; break; }
			case 'c': { return {text: result, stop: true}; }
			case '0': {
				const digits = /^[0-7]{0,3}/.exec(value.slice(i + 1))![0];
				result += String.fromCodePoint(Number.parseInt(digits || '0', 8));
				i += digits.length;
				break;
			}

			case 'x': {
				const digits = /^[\da-fA-F]{0,2}/.exec(value.slice(i + 1))![0];
				if (digits) {
					result += String.fromCodePoint(Number.parseInt(digits, 16));
					i += digits.length;
				} else {
					result += '\\x';
				}

				break;
			}

			default: { result += '\\' + next; }
		}
	}

	return {text: result, stop: false};
}

const echo: CommandImpl = async ctx => {
	const args = ctx.argv.slice(1);
	let newline = true;
	let escapes = false;
	while (args.length > 0 && /^-[neE]+$/.test(args[0]!)) {
		const flag = args.shift()!;
		newline &&= !flag.includes('n');
		if (flag.includes('e')) {
			escapes = true;
		}

		if (flag.includes('E')) {
			escapes = false;
		}
	}

	let value = args.join(' ');
	if (escapes) {
		const result = backslashEscapes(value);
		value = result.text;
		if (result.stop) {
			newline = false;
		}
	}

	await out(ctx, newline ? value + '\n' : value);
	return 0;
};

const printf: CommandImpl = async ctx => {
	const format = ctx.argv[1];
	if (format === undefined) {
		await err(ctx, 'printf: usage: printf FORMAT [ARGUMENT...]\n');
		return 1;
	}

	const args = ctx.argv.slice(2);
	let status = 0;
	let result = '';
	let consumed = 0;
	do {
		let used = 0;
		const spec = /%([-+ #0]*)(\d+|\*)?(?:\.(\d+|\*))?([diouxXfeEgGcsb%])/g;
		let last = 0;
		let stop = false;
		for (let match = spec.exec(format); match; match = spec.exec(format)) {
			result += backslashEscapes(format.slice(last, match.index)).text;
			last = spec.lastIndex;
			const [, flags = '', widthRaw, precisionRaw, conv] = match;
			if (conv === '%') {
				result += '%';
				continue;
			}

			const width = widthRaw === '*' ? Number(args[consumed + used++] ?? 0) : widthRaw ? Number(widthRaw) : 0;
			const precision = precisionRaw === '*' ? Number(args[consumed + used++] ?? 0) : precisionRaw === undefined ? undefined : Number(precisionRaw);
			const arg = args[consumed + used++];
			let piece: string;
			switch (conv) {
				case 's': {
					piece = arg ?? '';
					if (precision !== undefined) {
						piece = piece.slice(0, precision);
					}

					break;
				}

				case 'b': {
					const escaped = backslashEscapes(arg ?? '');
					piece = escaped.text;
					stop = escaped.stop;
					break;
				}

				case 'c': {
					piece = (arg ?? '').slice(0, 1);
					break;
				}

				case 'd':
				case 'i':
				case 'o':
				case 'u':
				case 'x':
				case 'X': {
					let number = 0;
					if (arg !== undefined && arg !== '') {
						number = /^'./.test(arg) || /^"./.test(arg) ? arg.codePointAt(1)! : Number.parseInt(arg, /^-?0x/i.test(arg) ? 16 : 10);
						if (Number.isNaN(number) || !/^\s*[-+]?(0x[\da-f]+|\d+)\s*$/i.test(arg) && !/^['"]./.test(arg)) {
							await err(ctx, `printf: invalid number '${arg}'\n`);
							status = 1;
							number = Number.isNaN(number) ? 0 : number;
						}
					}

					piece = conv === 'o' ? Math.trunc(number).toString(8) : conv === 'x' ? Math.trunc(number).toString(16) : conv === 'X' ? Math.trunc(number).toString(16).toUpperCase() : String(Math.trunc(number));
					if (precision !== undefined) {
						piece = piece.padStart(precision, '0');
					}

					if (flags.includes('+') && number >= 0 && (conv === 'd' || conv === 'i')) {
						piece = '+' + piece;
					}

					break;
				}

				default: {
					const number = arg === undefined || arg === '' ? 0 : Number(arg);
					if (Number.isNaN(number)) {
						await err(ctx, `printf: invalid number '${arg}'\n`);
						status = 1;
					}

					const value = Number.isNaN(number) ? 0 : number;
					piece = conv === 'e' || conv === 'E' ? value.toExponential(precision ?? 6) : conv === 'g' || conv === 'G' ? String(Number(value.toPrecision(precision ?? 6))) : value.toFixed(precision ?? 6);
					if (conv === 'E' || conv === 'G') {
						piece = piece.toUpperCase();
					}
				}
			}

			if (piece.length < width) {
				piece = flags.includes('-') ? piece.padEnd(width) : flags.includes('0') && conv !== 's' ? piece.replace(/^([+-]?)/, (_, sign: string) => sign + '0'.repeat(width - piece.length)) : piece.padStart(width);
			}

			result += piece;
			if (stop) {
				break;
			}
		}

		if (stop) {
			break;
		}

		result += backslashEscapes(format.slice(last)).text;
		consumed += used;
		if (used === 0) {
			break;
		}
	} while (consumed < args.length);

	await out(ctx, result);
	return status;
};

// ---------- sleep / yes / seq ----------

const sleep: CommandImpl = async ctx => {
	let total = 0;
	for (const arg of ctx.argv.slice(1)) {
		if (/^inf(inity)?$/i.test(arg)) {
			total = Number.POSITIVE_INFINITY;
			continue;
		}

		const match = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(arg);
		if (!match) {
			await err(ctx, `sleep: invalid number '${arg}'\n`);
			return 1;
		}

		const unit = {'': 1, s: 1, m: 60, h: 3600, d: 86_400}[match[2] as '' | 's' | 'm' | 'h' | 'd'];
		total += Number(match[1]) * unit * 1000;
	}

	if (ctx.argv.length === 1) {
		await err(ctx, 'BusyBox v1.36.1 (Debian 1:1.36.1-9) multi-call binary.\n\nUsage: sleep [N]...\n');
		return 1;
	}

	// Timers max out at ~24.8 days: sleep in pieces (forever for `sleep infinity`).
	const endAt = performance.now() + total;
	for (;;) {
		const remaining = endAt - performance.now();
		if (remaining <= 0) {
			return 0;
		}

		await ctx.proc.sleep(Math.min(remaining, 2_147_483_647));
		if (ctx.proc.termPending) {
			return 143;
		}
	}
};

const yes: CommandImpl = async ctx => {
	const line = (ctx.argv.length > 1 ? ctx.argv.slice(1).join(' ') : 'y') + '\n';
	const block = utf8(line.repeat(Math.max(1, Math.floor(8192 / line.length))));
	for (;;) {
		const pending = ctx.proc.tick();
		if (pending) {
			await pending;
		}

		await ctx.io.stdout.write(block);
	}
};

const seq: CommandImpl = async ctx => {
	const {rest, values} = options(ctx.argv, 'sf');
	const numbers = rest.map(Number);
	if (numbers.length === 0 || numbers.some(Number.isNaN)) {
		await err(ctx, `seq: invalid number '${rest.find(arg => Number.isNaN(Number(arg))) ?? ''}'\n`);
		return 1;
	}

	const [first, step, last] = numbers.length === 1 ? [1, 1, numbers[0]!] : numbers.length === 2 ? [numbers[0]!, 1, numbers[1]!] : [numbers[0]!, numbers[1]!, numbers[2]!];
	const separator = values.get('s') ?? '\n';
	let buffer = '';
	let firstItem = true;
	for (let value = first; step > 0 ? value <= last : value >= last; value += step) {
		buffer += (firstItem ? '' : separator) + String(value);
		firstItem = false;
		if (buffer.length > CHUNK) {
			await out(ctx, buffer);
			buffer = '';
			const pending = ctx.proc.tick();
			if (pending) {
				await pending;
			}
		}

		if (step === 0) {
			break;
		}
	}

	await out(ctx, firstItem ? buffer : buffer + '\n');
	return 0;
};

// ---------- cat / head / tail / wc / grep ----------

const cat: CommandImpl = async ctx => {
	const {rest} = options(ctx.argv, '');
	if (rest.length === 0 || rest.includes('-')) {
		// Stream stdin chunk by chunk (cat in a pipeline must not wait for EOF).
		let status = 0;
		for (const file of rest.length === 0 ? ['-'] : rest) {
			if (file === '-') {
				for (;;) {
					const chunk = await ctx.io.stdin.read();
					if (chunk === null) {
						break;
					}

					await ctx.io.stdout.write(chunk);
				}

				continue;
			}

			status = Math.max(status, await readInputs(ctx, [file], 'cat', async data => writeBytes(ctx, ctx.io.stdout, data)));
		}

		return status;
	}

	return readInputs(ctx, rest, 'cat', async data => writeBytes(ctx, ctx.io.stdout, data));
};

function countArg(argv: string[]): {argv: string[]; count?: string} {
	// Old style `head -5` / `tail -5`.
	const index = argv.findIndex((arg, i) => i > 0 && /^-\d+$/.test(arg));
	if (index === -1) {
		return {argv};
	}

	return {argv: argv.filter((_, i) => i !== index), count: argv[index]!.slice(1)};
}

const head: CommandImpl = async ctx => {
	const legacy = countArg(ctx.argv);
	const {rest, values} = options(legacy.argv, 'nc');
	const count = Number.parseInt(values.get('n') ?? legacy.count ?? '10', 10);
	if (values.has('c')) {
		const bytes = Number.parseInt(values.get('c')!, 10);
		return readInputs(ctx, rest, 'head', async data => writeBytes(ctx, ctx.io.stdout, data.subarray(0, bytes)));
	}

	if (rest.length === 0) {
		// Stream from stdin and stop early (so `yes | head -3` ends).
		for (let i = 0; i < count; i++) {
			const line = await ctx.io.stdin.readLine(ctx.proc);
			if (line === null) {
				break;
			}

			await out(ctx, line + '\n');
		}

		ctx.io.stdin.close();
		return 0;
	}

	const many = rest.length > 1;
	let first = true;
	return readInputs(ctx, rest, 'head', async (data, file) => {
		if (many) {
			await out(ctx, `${first ? '' : '\n'}==> ${file} <==\n`);
			first = false;
		}

		const selected = count < 0 ? lines(data).slice(0, count) : lines(data).slice(0, count);
		await out(ctx, selected.map(line => line + '\n').join(''));
	});
};

function tailBytes(data: Uint8Array, count: number, fromStart: boolean): Uint8Array {
	if (fromStart) {
		let seen = 1;
		for (let i = 0; i < data.length; i++) {
			if (seen >= count) {
				return data.subarray(i);
			}

			if (data[i] === 10) {
				seen++;
			}
		}

		return data.subarray(data.length);
	}

	let end = data.length;
	if (end > 0 && data[end - 1] === 10) {
		end--;
	}

	let seen = 0;
	for (let i = end - 1; i >= 0; i--) {
		if (data[i] === 10) {
			seen++;
			if (seen === count) {
				return data.subarray(i + 1);
			}
		}
	}

	return count === 0 ? data.subarray(data.length) : data;
}

const tail: CommandImpl = async ctx => {
	const legacy = countArg(ctx.argv);
	const {rest, values, flags} = options(legacy.argv, 'ncs');
	const rawCount = values.get('n') ?? legacy.count ?? '10';
	const fromStart = rawCount.startsWith('+');
	const count = Math.abs(Number.parseInt(rawCount, 10));
	if (Number.isNaN(count)) {
		await err(ctx, `tail: invalid number '${rawCount}'\n`);
		return 1;
	}

	const follow = flags.has('f') || flags.has('F');
	const retry = flags.has('F');
	const interval = Number(values.get('s') ?? '1') * 1000;
	const files = rest.length === 0 ? ['-'] : rest;
	let status = 0;
	type Followed = {path: string; node: FileNode | undefined; pos: number};
	const followed: Followed[] = [];
	for (const [index, file] of files.entries()) {
		if (files.length > 1) {
			await out(ctx, `${index === 0 ? '' : '\n'}==> ${file === '-' ? 'standard input' : file} <==\n`);
		}

		if (file === '-') {
			const data = await ctx.io.stdin.readAll(ctx.proc);
			await writeBytes(ctx, ctx.io.stdout, tailBytes(data, count, fromStart));
			continue;
		}

		const node = ctx.fs.stat(file, ctx.cwd);
		if (node?.kind !== 'file') {
			await err(ctx, node ? `tail: read error: Is a directory\n` : `tail: can't open '${file}': No such file or directory\n`);
			status = 1;
			if (retry) {
				followed.push({path: file, node: undefined, pos: 0});
			}

			continue;
		}

		const data = fileContent(node);
		await writeBytes(ctx, ctx.io.stdout, values.has('c') ? data.subarray(Math.max(0, data.length - Number.parseInt(values.get('c')!, 10))) : tailBytes(data, count, fromStart));
		followed.push({path: file, node, pos: node.size});
	}

	if (!follow || followed.length === 0) {
		if (follow && !retry && files.every(file => file !== '-')) {
			await err(ctx, 'tail: no files\n');
		}

		return status;
	}

	// Follow: wake on any change of a followed file (no polling); -F also re-checks names each interval.
	let wake: (() => void) | undefined;
	const watcher = (): void => wake?.();
	const attach = (entry: Followed): void => {
		entry.node?.watchers.add(watcher);
	};

	for (const entry of followed) {
		attach(entry);
	}

	try {
		for (;;) {
			for (const entry of followed) {
				if (retry) {
					const current = ctx.fs.stat(entry.path, ctx.cwd);
					if (current?.kind === 'file' && current !== entry.node) {
						entry.node?.watchers.delete(watcher);
						entry.node = current;
						entry.pos = 0;
						attach(entry);
					}
				}

				const node = entry.node;
				if (!node) {
					continue;
				}

				if (node.size < entry.pos) {
					// Truncated: start again from the beginning, like busybox.
					entry.pos = 0;
				}

				if (node.size > entry.pos) {
					const chunk = node.buf.slice(entry.pos, node.size);
					entry.pos = node.size;
					await writeBytes(ctx, ctx.io.stdout, chunk);
				}
			}

			const changed = new Promise<void>(resolve => {
				wake = resolve;
			});
			if (retry) {
				await ctx.proc.wait(Promise.race([changed, new Promise<void>(resolve => {
					setTimeout(resolve, interval).unref();
				})]));
			} else {
				await ctx.proc.wait(changed);
			}

			if (ctx.proc.termPending) {
				return 143;
			}
		}
	} finally {
		for (const entry of followed) {
			entry.node?.watchers.delete(watcher);
		}
	}
};

const wc: CommandImpl = async ctx => {
	const {rest, flags} = options(ctx.argv, '');
	const wanted = ['l', 'w', 'c'].filter(flag => flags.has(flag) || (flag === 'c' && flags.has('m')));
	const show = wanted.length > 0 ? wanted : ['l', 'w', 'c'];
	const totals = {l: 0, w: 0, c: 0};
	const rows: string[] = [];
	const format = (counts: Record<string, number>, name: string): string => {
		// busybox: "%9u" then " %9u" per count; a lone count for at most one file is unpadded.
		const cells = show.map(flag => counts[flag]!);
		const body = show.length === 1 && rest.length <= 1 ? String(cells[0]) : cells.map(cell => String(cell).padStart(9)).join(' ');
		return name ? `${body} ${name}` : body;
	};

	const status = await readInputs(ctx, rest, 'wc', async (data, file) => {
		let newlines = 0;
		for (const byte of data) {
			if (byte === 10) {
				newlines++;
			}
		}

		const counts = {l: newlines, w: text(data).split(/\s+/).filter(Boolean).length, c: data.length};
		totals.l += counts.l;
		totals.w += counts.w;
		totals.c += counts.c;
		rows.push(format(counts, file === '-' ? '' : file));
	});
	if (rest.length > 1) {
		rows.push(format(totals, 'total'));
	}

	await out(ctx, rows.map(row => row + '\n').join(''));
	return status;
};

const grep: CommandImpl = async ctx => {
	// Several -e patterns are alternatives.
	const patterns: string[] = [];
	const argv = ctx.argv.filter((arg, index, all) => {
		if (arg === '-e' && index + 1 < all.length) {
			patterns.push(all[index + 1]!);
			return false;
		}

		return index === 0 || all[index - 1] !== '-e';
	});
	const {rest, flags, values} = options(argv, 'm');
	const patternSource = patterns.length > 0 ? patterns.join('\n') : rest.shift();
	if (patternSource === undefined) {
		await err(ctx, 'BusyBox v1.36.1 (Debian 1:1.36.1-9) multi-call binary.\n\nUsage: grep [-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...\n');
		return 2;
	}

	const toSource = (pattern: string): string => flags.has('F') ? pattern.replaceAll(/[\\^$.*+?()[\]{}|]/g, String.raw`\$&`) : flags.has('E') ? pattern : basicToExtended(pattern);
	let source = patternSource.split('\n').map(pattern => `(?:${toSource(pattern)})`).join('|');
	if (flags.has('w')) {
		source = String.raw`\b(?:${source})\b`;
	}

	if (flags.has('x')) {
		source = `^(?:${source})$`;
	}

	let regex: RegExp;
	try {
		regex = new RegExp(source, flags.has('i') ? 'i' : '');
	} catch {
		await err(ctx, `grep: bad regex '${patternSource}'\n`);
		return 2;
	}

	const invert = flags.has('v');
	const max = values.has('m') ? Number.parseInt(values.get('m')!, 10) : Number.POSITIVE_INFINITY;
	const showNames = rest.length > 1 && !flags.has('h');
	let matched = 0;
	const matchLine = (line: string): boolean => regex.test(line) !== invert;
	const emit = async (line: string, file: string, number: number): Promise<void> => {
		if (flags.has('q') || flags.has('l') || flags.has('c')) {
			return;
		}

		const prefix = (showNames ? `${file}:` : '') + (flags.has('n') ? `${number}:` : '');
		if (flags.has('o') && !invert) {
			const all = line.match(new RegExp(regex.source, regex.flags + 'g')) ?? [];
			await out(ctx, all.map(piece => prefix + piece + '\n').join(''));
			return;
		}

		await out(ctx, prefix + line + '\n');
	};

	if (rest.length === 0) {
		// Stream stdin line by line, so `tail -f x | grep y` is live.
		let number = 0;
		let count = 0;
		for (;;) {
			const line = await ctx.io.stdin.readLine(ctx.proc);
			if (line === null || count >= max) {
				break;
			}

			number++;
			if (matchLine(line)) {
				count++;
				matched++;
				if (flags.has('q')) {
					ctx.io.stdin.close();
					return 0;
				}

				await emit(line, '(standard input)', number);
			}
		}

		if (flags.has('c')) {
			await out(ctx, `${count}\n`);
		}

		return matched > 0 ? 0 : 1;
	}

	const status = await readInputs(ctx, rest, 'grep', async (data, file) => {
		let count = 0;
		let number = 0;
		for (const line of lines(data)) {
			number++;
			if (count >= max) {
				break;
			}

			const pending = ctx.proc.tick();
			if (pending) {
				await pending;
			}

			if (matchLine(line)) {
				count++;
				matched++;
				await emit(line, file, number);
			}
		}

		if (flags.has('c')) {
			await out(ctx, `${showNames ? `${file}:` : ''}${count}\n`);
		}

		if (flags.has('l') && count > 0) {
			await out(ctx, `${file}\n`);
		}
	});
	if (status !== 0 && !flags.has('s')) {
		return 2;
	}

	return matched > 0 ? 0 : 1;
};

// ---------- files ----------

const MODE_BITS = 'rwxrwxrwx';

function modeString(node: FsNode): string {
	let result = node.kind === 'dir' ? 'd' : '-';
	for (let i = 0; i < 9; i++) {
		result += node.mode & (1 << (8 - i)) ? MODE_BITS[i] : '-';
	}

	if (node.mode & 0o1000) {
		result = result.slice(0, 9) + (node.mode & 1 ? 't' : 'T');
	}

	return result;
}

function lsTime(mtime: number): string {
	const when = new Date(mtime);
	const recent = Math.abs(Date.now() - mtime) < 182 * 86_400_000;
	return `${MONTHS[when.getUTCMonth()]} ${pad(when.getUTCDate(), 2, ' ')} ` + (recent ? strftime('%H:%M', when) : ` ${when.getUTCFullYear()}`);
}

function nodeSize(node: FsNode): number {
	return node.kind === 'dir' ? 4096 : node.size;
}

function blocks(node: FsNode): number {
	return node.kind === 'dir' ? 4 : Math.ceil(node.size / 4096) * 4;
}

function humanSize(size: number): string {
	if (size < 1024) {
		return String(size);
	}

	const units = ['K', 'M', 'G', 'T'];
	let value = size;
	let unit = -1;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}

	return (value < 10 ? value.toFixed(1) : String(Math.round(value))) + units[unit];
}

function nlink(node: FsNode): number {
	if (node.kind === 'file') {
		return 1;
	}

	let count = 2;
	for (const child of node.children.values()) {
		if (child.kind === 'dir') {
			count++;
		}
	}

	return count;
}

const ls: CommandImpl = async ctx => {
	const {rest, flags} = options(ctx.argv, '');
	const long = flags.has('l') || flags.has('n');
	const all = flags.has('a');
	const almost = flags.has('A');
	const human = flags.has('h');
	const directoryItself = flags.has('d');
	const line = (node: FsNode, name: string): string => {
		if (!long) {
			return name + (flags.has('F') && node.kind === 'dir' ? '/' : '') + '\n';
		}

		const size = human ? humanSize(nodeSize(node)) : String(nodeSize(node));
		const owner = flags.has('n') ? '0       ' : 'root    ';
		return `${modeString(node)} ${String(nlink(node)).padStart(4)} ${owner} ${owner} ${size.padStart(9)} ${lsTime(node.mtime)} ${name}\n`;
	};

	const sortNames = (entries: Array<[string, FsNode]>): Array<[string, FsNode]> => {
		const sorted = entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		if (flags.has('t')) {
			sorted.sort(([, a], [, b]) => b.mtime - a.mtime);
		}

		if (flags.has('r')) {
			sorted.reverse();
		}

		return sorted;
	};

	const targets = rest.length === 0 ? ['.'] : rest;
	let status = 0;
	const files: Array<[string, FsNode]> = [];
	const dirs: Array<[string, DirNode]> = [];
	for (const target of targets) {
		let node: FsNode | undefined;
		try {
			node = ctx.fs.resolve(target, ctx.cwd).node;
		} catch {
			node = undefined;
		}

		if (!node) {
			await err(ctx, `ls: ${target}: No such file or directory\n`);
			status = 1;
			continue;
		}

		if (node.kind === 'file' || directoryItself) {
			files.push([target, node]);
		} else {
			dirs.push([target, node]);
		}
	}

	let output = '';
	for (const [name, node] of sortNames(files)) {
		output += line(node, name);
	}

	const showHeaders = targets.length > 1;
	let first = files.length === 0;
	for (const [name, dir] of sortNames(dirs) as Array<[string, DirNode]>) {
		if (showHeaders) {
			output += `${first ? '' : '\n'}${name}:\n`;
		}

		first = false;
		const entries: Array<[string, FsNode]> = [];
		if (all) {
			const parentPath = normalisePath(name + '/..', ctx.cwd);
			entries.push(['.', dir], ['..', ctx.fs.stat(parentPath) ?? dir]);
		}

		for (const [childName, child] of dir.children) {
			if (childName.startsWith('.') && !all && !almost) {
				continue;
			}

			entries.push([childName, child]);
		}

		const sorted = all ? [...entries.slice(0, 2), ...sortNames(entries.slice(2))] : sortNames(entries);
		if (long) {
			output += `total ${sorted.reduce((sum, [, node]) => sum + blocks(node), 0)}\n`;
		}

		for (const [childName, child] of sorted) {
			output += line(child, childName);
		}
	}

	await out(ctx, output);
	return status;
};

const touch: CommandImpl = async ctx => {
	const {rest} = options(ctx.argv, 'dtr');
	let status = 0;
	for (const file of rest) {
		try {
			ctx.fs.touch(file, ctx.cwd);
		} catch (error) {
			if (error instanceof FsError) {
				await err(ctx, `touch: ${file}: ${error.message === 'nonexistent directory' ? 'No such file or directory' : errnoText(error.code)}\n`);
				status = 1;
				continue;
			}

			throw error;
		}
	}

	return status;
};

const mkdir: CommandImpl = async ctx => {
	const {rest, flags} = options(ctx.argv, 'm');
	let status = 0;
	for (const dir of rest) {
		try {
			ctx.fs.mkdir(dir, ctx.cwd, flags.has('p'));
		} catch (error) {
			if (error instanceof FsError) {
				await err(ctx, `mkdir: can't create directory '${dir}': ${errnoText(error.code)}\n`);
				status = 1;
				continue;
			}

			throw error;
		}
	}

	return status;
};

const rm: CommandImpl = async ctx => {
	const {rest, flags} = options(ctx.argv, '');
	const force = flags.has('f');
	const recursive = flags.has('r') || flags.has('R');
	let status = 0;
	for (const file of rest) {
		try {
			ctx.fs.remove(file, ctx.cwd, recursive);
		} catch (error) {
			if (error instanceof FsError) {
				if (force && error.code === 'ENOENT') {
					continue;
				}

				const message = error.code === 'EISDIR' ? `rm: '${file}' is a directory\n` : `rm: can't remove '${file}': ${errnoText(error.code)}\n`;
				await err(ctx, message);
				status = 1;
				continue;
			}

			throw error;
		}
	}

	return status;
};

function copyOrMove(move: boolean): CommandImpl {
	const name = move ? 'mv' : 'cp';
	return async ctx => {
		const {rest, flags} = options(ctx.argv, '');
		if (rest.length < 2) {
			await err(ctx, `${name}: missing file operand\n`);
			return 1;
		}

		const target = rest.pop()!;
		const targetNode = ctx.fs.stat(target, ctx.cwd);
		if (rest.length > 1 && targetNode?.kind !== 'dir') {
			await err(ctx, `${name}: '${target}' is not a directory\n`);
			return 1;
		}

		let status = 0;
		for (const source of rest) {
			const node = ctx.fs.stat(source, ctx.cwd);
			if (!node) {
				await err(ctx, `${name}: can't stat '${source}': No such file or directory\n`);
				status = 1;
				continue;
			}

			if (node.kind === 'dir' && !move && !flags.has('r') && !flags.has('R') && !flags.has('a')) {
				await err(ctx, `${name}: omitting directory '${source}'\n`);
				status = 1;
				continue;
			}

			const destination = targetNode?.kind === 'dir' ? `${target}/${baseName(normalisePath(source, ctx.cwd))}` : target;
			try {
				const resolved = ctx.fs.resolve(destination, ctx.cwd);
				if (resolved.readOnly) {
					throw new FsError('EROFS', 'Read-only file system');
				}

				if (node.kind === 'file') {
					// Copy through the normal write path so limits apply.
					ctx.fs.writeFile(destination, fileContent(node).slice(), ctx.cwd);
				} else {
					ctx.fs.link(destination, ctx.cwd, cloneNode(node, resolved.tree));
				}

				if (move) {
					ctx.fs.remove(source, ctx.cwd, true);
				}
			} catch (error) {
				if (error instanceof FsError) {
					await err(ctx, `${name}: can't create '${destination}': ${errnoText(error.code)}\n`);
					status = 1;
					continue;
				}

				throw error;
			}
		}

		return status;
	};
}

const stat: CommandImpl = async ctx => {
	const {rest, values} = options(ctx.argv, 'c');
	const format = values.get('c');
	let status = 0;
	for (const file of rest) {
		const node = ctx.fs.stat(file, ctx.cwd);
		if (!node) {
			await err(ctx, `stat: can't stat '${file}': No such file or directory\n`);
			status = 1;
			continue;
		}

		if (format === undefined) {
			await out(ctx, `  File: ${file}\n  Size: ${nodeSize(node)}\tBlocks: ${blocks(node) * 2}\tIO Block: 4096\t${node.kind === 'dir' ? 'directory' : 'regular file'}\nAccess: (${(node.mode & 0o7777).toString(8).padStart(4, '0')}/${modeString(node)})  Uid: (    0/    root)   Gid: (    0/    root)\nModify: ${strftime('%Y-%m-%d %H:%M:%S.000000000 +0000', new Date(node.mtime))}\n`);
			continue;
		}

		const result = format.replaceAll(/%([sdnFaAUGYy%])/g, (_, code: string) => {
			switch (code) {
				case 's': { return String(nodeSize(node)); }
				case 'n': { return file; }
				case 'F': { return node.kind === 'dir' ? 'directory' : node.size === 0 ? 'regular empty file' : 'regular file'; }
				case 'a': { return (node.mode & 0o7777).toString(8); }
				case 'A': { return modeString(node); }
				case 'U':
				case 'G': { return 'root'; }
				case 'Y': { return String(Math.floor(node.mtime / 1000)); }
				case 'y': { return strftime('%Y-%m-%d %H:%M:%S.000000000 +0000', new Date(node.mtime)); }
				case '%': { return '%'; }
				default: { return ''; }
			}
		});
		await out(ctx, result + '\n');
	}

	return status;
};

function hashCommand(algorithm: 'md5' | 'sha1' | 'sha256' | 'sha512'): CommandImpl {
	return async ctx => {
		const {rest} = options(ctx.argv, '');
		let output = '';
		const status = await readInputs(ctx, rest, `${algorithm}sum`, async (data, file) => {
			output += `${createHash(algorithm).update(data).digest('hex')}  ${file}\n`;
		});
		await out(ctx, output);
		return status;
	};
}

const tee: CommandImpl = async ctx => {
	const {rest, flags} = options(ctx.argv, '');
	const writers: Writer[] = [ctx.io.stdout];
	let status = 0;
	for (const file of rest) {
		try {
			const node = ctx.fs.openWrite(file, ctx.cwd, !flags.has('a'));
			writers.push({write: chunk => ctx.fs.append(node, chunk)});
		} catch (error) {
			if (error instanceof FsError) {
				await err(ctx, `tee: ${file}: ${errnoText(error.code)}\n`);
				status = 1;
				continue;
			}

			throw error;
		}
	}

	for (;;) {
		const chunk = await ctx.io.stdin.read();
		if (chunk === null) {
			return status;
		}

		for (const writer of writers) {
			await writer.write(chunk);
		}
	}
};

// ---------- misc ----------

const test: CommandImpl = async ctx => {
	let args = ctx.argv.slice(1);
	if (ctx.argv[0] === '[') {
		if (args.at(-1) !== ']') {
			await err(ctx, '[: missing ]\n');
			return 2;
		}

		args = args.slice(0, -1);
	}

	try {
		return evaluateTest(ctx.shell, args) ? 0 : 1;
	} catch (error) {
		if (error instanceof ShellError) {
			await err(ctx, `sh: ${error.message}\n`);
			return 2;
		}

		throw error;
	}
};

function evaluateTest(shell: Shell, args: string[]): boolean {
	let index = 0;
	const peek = (): string | undefined => args[index];
	const orExpr = (): boolean => {
		let value = andExpr();
		while (peek() === '-o') {
			index++;
			const right = andExpr();
			value ||= right;
		}

		return value;
	};

	const andExpr = (): boolean => {
		let value = notExpr();
		while (peek() === '-a') {
			index++;
			const right = notExpr();
			value &&= right;
		}

		return value;
	};

	const notExpr = (): boolean => {
		if (peek() === '!' && args.length - index > 1) {
			index++;
			return !notExpr();
		}

		return primary();
	};

	const primary = (): boolean => {
		const first = args[index];
		if (first === undefined) {
			return false;
		}

		if (first === '(' && args.length - index > 2) {
			index++;
			const value = orExpr();
			if (args[index] === ')') {
				index++;
			}

			return value;
		}

		const second = args[index + 1];
		const third = args[index + 2];
		if (second !== undefined && third !== undefined && !['-a', '-o'].includes(second)) {
			const result = testBinary(shell, second, first, third);
			if (result !== undefined) {
				index += 3;
				return result;
			}
		}

		if (second !== undefined && /^-[a-zA-Z]$/.test(first)) {
			const result = testUnary(shell, first, second);
			if (result !== undefined) {
				index += 2;
				return result;
			}
		}

		index++;
		return first !== '';
	};

	if (args.length === 0) {
		return false;
	}

	return orExpr();
}

const env: CommandImpl = async ctx => {
	const args = ctx.argv.slice(1);
	const variables = new Map(ctx.env);
	while (args.length > 0 && args[0]!.includes('=')) {
		const assignment = args.shift()!;
		const eq = assignment.indexOf('=');
		variables.set(assignment.slice(0, eq), assignment.slice(eq + 1));
	}

	if (args.length > 0) {
		const shell = ctx.shell.subshell();
		for (const [name, value] of variables) {
			shell.vars.set(name, value);
			shell.exported.add(name);
		}

		return shell.invoke(args, ctx.io);
	}

	await out(ctx, [...variables].map(([name, value]) => `${name}=${value}\n`).join(''));
	return 0;
};

/** `sh -c SCRIPT [name [args...]]`, `sh FILE [args]`, or `sh` reading its script from stdin. */
const sh: CommandImpl = async ctx => {
	const shell = Shell.create(ctx.shell.machine, ctx.proc, [...ctx.env]);
	shell.cwd = ctx.cwd;
	const args = ctx.argv.slice(1);
	let script: string | undefined;
	while (args.length > 0 && /^[-+][a-z]+$/.test(args[0]!)) {
		const flag = args.shift()!;
		if (flag.includes('c')) {
			script = args.shift() ?? '';
			if (ctx.argv.at(-1) === flag && args.length === 0 && script === '') {
				await err(ctx, 'sh: -c requires an argument\n');
				return 2;
			}
		}

		if (flag.includes('e')) {
			shell.errexit = true;
		}
	}

	if (script === undefined) {
		const file = args.shift();
		if (file === undefined) {
			shell.positional = args;
			shell.isMain = ctx.shell.isTopLevel;
			return shell.runInteractive(ctx.io);
		} else {
			try {
				script = text(ctx.fs.readFile(file, ctx.cwd));
			} catch {
				await err(ctx, `sh: can't open '${file}': No such file or directory\n`);
				return 2;
			}

			shell.scriptName = file;
		}

		shell.positional = args;
	} else {
		shell.scriptName = args.shift() ?? 'sh';
		shell.positional = args;
	}

	// The container's own `sh` (PID 1) is the shell TERM traps run in.
	shell.isMain = ctx.shell.isTopLevel;
	const status = await shell.runSource(script, ctx.io);
	const onExit = shell.traps.get('EXIT');
	if (onExit) {
		shell.traps.delete('EXIT');
		await shell.runSource(onExit, ctx.io);
	}

	return status;
};

const hostname: CommandImpl = async ctx => {
	const {flags} = options(ctx.argv, '');
	await out(ctx, (flags.has('i') ? ctx.shell.machine.podIP : ctx.shell.machine.hostname) + '\n');
	return 0;
};

const id: CommandImpl = async ctx => {
	const {flags} = options(ctx.argv, '');
	if (flags.has('u') || flags.has('g')) {
		await out(ctx, flags.has('n') ? 'root\n' : '0\n');
		return 0;
	}

	await out(ctx, 'uid=0(root) gid=0(root) groups=0(root),10(wheel)\n');
	return 0;
};

const whoami: CommandImpl = async ctx => {
	await out(ctx, 'root\n');
	return 0;
};

const basename: CommandImpl = async ctx => {
	const [path = '', suffix] = ctx.argv.slice(1);
	let name = path.replace(/\/+$/, '').split('/').pop() || (path.startsWith('/') ? '/' : '');
	if (suffix && name.endsWith(suffix) && name !== suffix) {
		name = name.slice(0, -suffix.length);
	}

	await out(ctx, name + '\n');
	return 0;
};

const dirname: CommandImpl = async ctx => {
	const path = (ctx.argv[1] ?? '').replace(/\/+$/, '');
	const index = path.lastIndexOf('/');
	await out(ctx, (index === -1 ? '.' : index === 0 ? '/' : path.slice(0, index)) + '\n');
	return 0;
};

const uname: CommandImpl = async ctx => {
	const {flags} = options(ctx.argv, '');
	const parts: string[] = [];
	const all = flags.has('a');
	if (all || flags.has('s') || flags.size === 0) {
		parts.push('Linux');
	}

	if (all || flags.has('n')) {
		parts.push(ctx.shell.machine.hostname);
	}

	if (all || flags.has('r')) {
		parts.push('6.1.0-podwatch');
	}

	if (all || flags.has('m')) {
		parts.push('x86_64');
	}

	await out(ctx, parts.join(' ') + '\n');
	return 0;
};

const trCommand: CommandImpl = async ctx => {
	const {rest, flags} = options(ctx.argv, '');
	const expand = (set: string): string[] => {
		const named: Record<string, string> = {'[:upper:]': 'A-Z', '[:lower:]': 'a-z', '[:digit:]': '0-9', '[:space:]': ' \t\n\r\v\f', '[:alpha:]': 'a-zA-Z', '[:alnum:]': 'a-zA-Z0-9'};
		let source = set;
		for (const [key, value] of Object.entries(named)) {
			source = source.replaceAll(key, value);
		}

		source = backslashEscapes(source).text;
		const chars: string[] = [];
		const list = [...source];
		for (let i = 0; i < list.length; i++) {
			if (list[i + 1] === '-' && list[i + 2] !== undefined) {
				for (let code = list[i]!.codePointAt(0)!; code <= list[i + 2]!.codePointAt(0)!; code++) {
					chars.push(String.fromCodePoint(code));
				}

				i += 2;
			} else {
				chars.push(list[i]!);
			}
		}

		return chars;
	};

	const from = expand(rest[0] ?? '');
	const to = expand(rest[1] ?? '');
	for (;;) {
		const chunk = await ctx.io.stdin.read();
		if (chunk === null) {
			return 0;
		}

		let result = '';
		for (const ch of text(chunk)) {
			const index = from.indexOf(ch);
			if (flags.has('d')) {
				if (index === -1) {
					result += ch;
				}

				continue;
			}

			result += index === -1 ? ch : (to[Math.min(index, to.length - 1)] ?? ch);
		}

		await out(ctx, result);
	}
};

const sortCommand: CommandImpl = async ctx => {
	const {rest, flags} = options(ctx.argv, 'kt');
	let all: string[] = [];
	const status = await readInputs(ctx, rest, 'sort', async data => {
		all = all.concat(lines(data));
	});
	all = flags.has('n') ? all.sort((a, b) => Number.parseFloat(a) - Number.parseFloat(b)) : all.sort();
	if (flags.has('r')) {
		all.reverse();
	}

	if (flags.has('u')) {
		all = all.filter((line, index) => index === 0 || line !== all[index - 1]);
	}

	await out(ctx, all.map(line => line + '\n').join(''));
	return status;
};

const uniq: CommandImpl = async ctx => {
	const {rest, flags} = options(ctx.argv, '');
	let output = '';
	const status = await readInputs(ctx, rest.slice(0, 1), 'uniq', async data => {
		let previous: string | undefined;
		let count = 0;
		const flush = (): void => {
			if (previous !== undefined) {
				output += flags.has('c') ? `${String(count).padStart(7)} ${previous}\n` : `${previous}\n`;
			}
		};

		for (const line of lines(data)) {
			if (line === previous) {
				count++;
				continue;
			}

			flush();
			previous = line;
			count = 1;
		}

		flush();
	});
	await out(ctx, output);
	return status;
};

const cut: CommandImpl = async ctx => {
	const {rest, values} = options(ctx.argv, 'dfc');
	const delimiter = values.get('d') ?? '\t';
	const spec = values.get('f') ?? values.get('c');
	if (!spec) {
		await err(ctx, 'cut: expected a list of bytes, characters, or fields\n');
		return 1;
	}

	const wanted = (index: number): boolean =>
		spec.split(',').some(range => {
			const [start, end] = range.split('-');
			const low = start ? Number(start) : 1;
			const high = range.includes('-') ? (end ? Number(end) : Number.POSITIVE_INFINITY) : low;
			return index >= low && index <= high;
		});
	let output = '';
	const status = await readInputs(ctx, rest, 'cut', async data => {
		for (const line of lines(data)) {
			if (values.has('c')) {
				output += [...line].filter((_, index) => wanted(index + 1)).join('') + '\n';
			} else if (line.includes(delimiter)) {
				output += line.split(delimiter).filter((_, index) => wanted(index + 1)).join(delimiter) + '\n';
			} else {
				output += line + '\n';
			}
		}
	});
	await out(ctx, output);
	return status;
};

const kill: CommandImpl = async ctx => {
	await err(ctx, 'kill: not supported in the podwatch demo sandbox\n');
	return 1;
};

/** busybox `du` in 1K blocks (4K allocation units, like ext4): -s, -h, -k. */
const du: CommandImpl = async ctx => {
	const {rest, flags} = options(ctx.argv, 'd');
	const usage = (node: FsNode): number => node.kind === 'file' ? blocks(node) : [...node.children.values()].reduce((sum, child) => sum + usage(child), blocks(node));
	const show = (kb: number): string => (flags.has('h') ? (kb < 1024 ? `${kb.toFixed(1)}K` : humanSize(kb * 1024)) : String(kb));
	let status = 0;
	let output = '';
	for (const target of rest.length === 0 ? ['.'] : rest) {
		const node = ctx.fs.stat(target, ctx.cwd);
		if (!node) {
			await err(ctx, `du: can't open '${target}': No such file or directory\n`);
			status = 1;
			continue;
		}

		const walk = (current: FsNode, path: string): void => {
			if (current.kind === 'dir' && !flags.has('s')) {
				for (const [name, child] of current.children) {
					if (child.kind === 'dir') {
						walk(child, `${path}/${name}`);
					}
				}
			}

			output += `${show(usage(current))}\t${path}\n`;
		};

		walk(node, target.replace(/\/+$/, '') || '/');
	}

	await out(ctx, output);
	return status;
};

/** busybox `ps`: PID 1 (the container's command) and ps itself. */
const ps: CommandImpl = async ctx => {
	const processes = ctx.shell.machine.processes;
	const time = (ms: number): string => `${Math.floor(ms / 60_000)}:${pad(Math.floor(ms / 1000) % 60)}`;
	const rows = ['PID   USER     TIME  COMMAND'];
	if (processes) {
		rows.push(`${'1'.padStart(5)} root     ${time(processes.cpuMs()).padStart(5)} ${processes.commandLine}`);
		rows.push(`${String(processes.nextPid()).padStart(5)} root     ${time(0).padStart(5)} ${ctx.argv.join(' ')}`);
	}

	await out(ctx, rows.map(row => row + '\n').join(''));
	return 0;
};

const trueCommand: CommandImpl = async () => 0;
const falseCommand: CommandImpl = async () => 1;

/** The busybox applets this sandbox implements (the shell image's /bin). */
export const SHELL_COMMANDS: Record<string, CommandImpl> = {
	sh,
	ash: sh,
	echo,
	printf,
	date,
	sleep,
	cat,
	ls,
	tail,
	head,
	wc,
	grep,
	touch,
	mkdir,
	rm,
	cp: copyOrMove(false),
	mv: copyOrMove(true),
	true: trueCommand,
	false: falseCommand,
	test,
	'[': test,
	yes,
	seq,
	hostname,
	md5sum: hashCommand('md5'),
	sha1sum: hashCommand('sha1'),
	sha256sum: hashCommand('sha256'),
	sha512sum: hashCommand('sha512'),
	stat,
	id,
	whoami,
	env,
	tee,
	basename,
	dirname,
	uname,
	tr: trCommand,
	sort: sortCommand,
	uniq,
	cut,
	kill,
	sed,
	awk,
	ps,
	du,
};

export {globToRegex};
