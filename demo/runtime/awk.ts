// A small busybox-style `awk` for sidecar scripts: `-F`, `-v`, BEGIN/END, /regex/ and expression
// patterns, `print`, `printf`, `if`/`else`, `while`, `next`, `exit`, variables, fields, NR, NF, FS,
// OFS, arithmetic, comparison, `~`, concatenation, and length/substr/index/toupper/tolower/int.
// Input streams line by line, so `tail -f x | awk '{print $2}'` is live.

import {FsError, errnoText} from './vfs.js';
import {InStream, bytesSource, writeText} from './io.js';
import type {CommandImpl} from './shell.js';

type Value = string | number;

type Node =
	| {t: 'num'; v: number}
	| {t: 'str'; v: string}
	| {t: 'regex'; v: RegExp}
	| {t: 'var'; name: string}
	| {t: 'field'; index: Node}
	| {t: 'assign'; op: string; target: Node; value: Node}
	| {t: 'incdec'; op: '++' | '--'; prefix: boolean; target: Node}
	| {t: 'bin'; op: string; left: Node; right: Node}
	| {t: 'not'; v: Node}
	| {t: 'neg'; v: Node}
	| {t: 'cond'; test: Node; yes: Node; no: Node}
	| {t: 'call'; name: string; args: Node[]}
	| {t: 'group'; v: Node};

type Statement =
	| {t: 'print'; args: Node[]}
	| {t: 'printf'; args: Node[]}
	| {t: 'expr'; v: Node}
	| {t: 'if'; test: Node; yes: Statement; no?: Statement}
	| {t: 'while'; test: Node; body: Statement}
	| {t: 'block'; body: Statement[]}
	| {t: 'next'}
	| {t: 'exit'; code?: Node};

type Rule = {pattern: 'BEGIN' | 'END' | Node | undefined; action: Statement | undefined};

class AwkError extends Error {}
class NextSignal {}
class ExitAwk {
	constructor(readonly code: number) {}
}

type Token = {k: 'num' | 'str' | 'regex' | 'name' | 'func' | 'op' | 'nl' | 'eof'; v: string};

function tokenize(source: string): Token[] {
	const tokens: Token[] = [];
	let i = 0;
	const regexAllowed = (): boolean => {
		const last = tokens.at(-1);
		return !last || (last.k === 'op' && !')]'.includes(last.v)) || last.k === 'nl';
	};

	while (i < source.length) {
		const ch = source[i]!;
		if (ch === ' ' || ch === '\t' || ch === '\r') {
			i++;
		} else if (ch === '\\' && source[i + 1] === '\n') {
			i += 2;
		} else if (ch === '\n' || ch === ';') {
			tokens.push({k: 'nl', v: ch});
			i++;
		} else if (ch === '#') {
			while (i < source.length && source[i] !== '\n') {
				i++;
			}
		} else if (/\d/.test(ch) || (ch === '.' && /\d/.test(source[i + 1] ?? ''))) {
			const match = /^(\d*\.?\d+(?:[eE][-+]?\d+)?|\d+\.?)/.exec(source.slice(i))![0];
			tokens.push({k: 'num', v: match});
			i += match.length;
		} else if (ch === '"') {
			let value = '';
			i++;
			while (i < source.length && source[i] !== '"') {
				if (source[i] === '\\' && i + 1 < source.length) {
					const next = source[i + 1]!;
					value += ({n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', '/': '/'} as Record<string, string>)[next] ?? '\\' + next;
					i += 2;
					continue;
				}

				value += source[i];
				i++;
			}

			i++;
			tokens.push({k: 'str', v: value});
		} else if (ch === '/' && regexAllowed()) {
			let value = '';
			i++;
			while (i < source.length && source[i] !== '/') {
				if (source[i] === '\\' && source[i + 1] === '/') {
					value += '/';
					i += 2;
					continue;
				}

				value += source[i];
				i++;
			}

			i++;
			tokens.push({k: 'regex', v: value});
		} else if (/[A-Za-z_]/.test(ch)) {
			const name = /^[A-Za-z_]\w*/.exec(source.slice(i))![0];
			i += name.length;
			tokens.push({k: source[i] === '(' ? 'func' : 'name', v: name});
		} else {
			const op = ['&&', '||', '==', '!=', '<=', '>=', '!~', '++', '--', '+=', '-=', '*=', '/=', '%=', '^='].find(candidate => source.startsWith(candidate, i)) ?? ch;
			tokens.push({k: 'op', v: op});
			i += op.length;
		}
	}

	tokens.push({k: 'eof', v: ''});
	return tokens;
}

class Parser {
	private index = 0;

	constructor(private readonly tokens: Token[]) {}

	private peek(): Token {
		return this.tokens[this.index]!;
	}

	private next(): Token {
		return this.tokens[this.index++]!;
	}

	private isOp(value: string): boolean {
		const token = this.peek();
		return token.k === 'op' && token.v === value;
	}

	private expect(value: string): void {
		const token = this.next();
		if (token.v !== value) {
			throw new AwkError(`syntax error: expected '${value}' near '${token.v || 'end of program'}'`);
		}
	}

	private skipNewlines(): void {
		while (this.peek().k === 'nl') {
			this.index++;
		}
	}

	program(): Rule[] {
		const rules: Rule[] = [];
		this.skipNewlines();
		while (this.peek().k !== 'eof') {
			let pattern: Rule['pattern'];
			const token = this.peek();
			if (token.k === 'name' && (token.v === 'BEGIN' || token.v === 'END')) {
				this.index++;
				pattern = token.v;
			} else if (!this.isOp('{')) {
				pattern = this.expression();
			}

			let action: Statement | undefined;
			if (this.isOp('{')) {
				action = this.block();
			}

			rules.push({pattern, action});
			this.skipNewlines();
		}

		return rules;
	}

	private block(): Statement {
		this.expect('{');
		const body: Statement[] = [];
		this.skipNewlines();
		while (!this.isOp('}')) {
			if (this.peek().k === 'eof') {
				throw new AwkError('syntax error: missing }');
			}

			body.push(this.statement());
			this.skipNewlines();
		}

		this.expect('}');
		return {t: 'block', body};
	}

	private statement(): Statement {
		const token = this.peek();
		if (this.isOp('{')) {
			return this.block();
		}

		if (token.k === 'name' || token.k === 'func') {
			switch (token.v) {
				case 'print':
				case 'printf': {
					this.index++;
					const args: Node[] = [];
					const parenthesised = this.isOp('(') && token.v === 'printf';
					if (parenthesised) {
						this.index++;
					}

					if (this.peek().k !== 'nl' && !this.isOp('}') && this.peek().k !== 'eof') {
						args.push(this.expression(true));
						while (this.isOp(',')) {
							this.index++;
							args.push(this.expression(true));
						}
					}

					if (parenthesised) {
						this.expect(')');
					}

					return {t: token.v, args};
				}

				case 'if': {
					this.index++;
					this.expect('(');
					const test = this.expression();
					this.expect(')');
					this.skipNewlines();
					const yes = this.statement();
					const save = this.index;
					this.skipNewlines();
					if (this.peek().k === 'name' && this.peek().v === 'else') {
						this.index++;
						this.skipNewlines();
						return {t: 'if', test, yes, no: this.statement()};
					}

					this.index = save;
					return {t: 'if', test, yes};
				}

				case 'while': {
					this.index++;
					this.expect('(');
					const test = this.expression();
					this.expect(')');
					this.skipNewlines();
					return {t: 'while', test, body: this.statement()};
				}

				case 'next': {
					this.index++;
					return {t: 'next'};
				}

				case 'exit': {
					this.index++;
					if (this.peek().k === 'nl' || this.isOp('}') || this.peek().k === 'eof') {
						return {t: 'exit'};
					}

					return {t: 'exit', code: this.expression()};
				}

				default: {
					break;
				}
			}
		}

		return {t: 'expr', v: this.expression()};
	}

	/** `noGreater`: inside print, a bare `>` is output redirection (unsupported), not comparison. */
	expression(noGreater = false): Node {
		return this.ternary(noGreater);
	}

	private ternary(noGreater: boolean): Node {
		const test = this.assignment(noGreater);
		if (this.isOp('?')) {
			this.index++;
			const yes = this.ternary(noGreater);
			this.expect(':');
			return {t: 'cond', test, yes, no: this.ternary(noGreater)};
		}

		return test;
	}

	private assignment(noGreater: boolean): Node {
		const left = this.or(noGreater);
		const token = this.peek();
		if (token.k === 'op' && ['=', '+=', '-=', '*=', '/=', '%=', '^='].includes(token.v) && (left.t === 'var' || left.t === 'field')) {
			this.index++;
			return {t: 'assign', op: token.v, target: left, value: this.assignment(noGreater)};
		}

		return left;
	}

	private or(noGreater: boolean): Node {
		let left = this.and(noGreater);
		while (this.isOp('||')) {
			this.index++;
			left = {t: 'bin', op: '||', left, right: this.and(noGreater)};
		}

		return left;
	}

	private and(noGreater: boolean): Node {
		let left = this.match(noGreater);
		while (this.isOp('&&')) {
			this.index++;
			left = {t: 'bin', op: '&&', left, right: this.match(noGreater)};
		}

		return left;
	}

	private match(noGreater: boolean): Node {
		let left = this.comparison(noGreater);
		while (this.isOp('~') || this.isOp('!~')) {
			const op = this.next().v;
			left = {t: 'bin', op, left, right: this.comparison(noGreater)};
		}

		return left;
	}

	private comparison(noGreater: boolean): Node {
		const left = this.concatenation();
		const token = this.peek();
		if (token.k === 'op' && ['<', '<=', '==', '!=', '>=', ...(noGreater ? [] : ['>'])].includes(token.v)) {
			this.index++;
			return {t: 'bin', op: token.v, left, right: this.concatenation()};
		}

		return left;
	}

	private concatenation(): Node {
		let left = this.additive();
		for (;;) {
			const token = this.peek();
			const startsOperand = token.k === 'num' || token.k === 'str' || token.k === 'name' || token.k === 'func' || token.k === 'regex'
				|| (token.k === 'op' && ['$', '(', '!', '-', '++', '--'].includes(token.v) && !(token.v === '-' || token.v === '!'));
			if (!startsOperand || (token.k === 'name' && ['in', 'else'].includes(token.v))) {
				return left;
			}

			left = {t: 'bin', op: 'concat', left, right: this.additive()};
		}
	}

	private additive(): Node {
		let left = this.multiplicative();
		while (this.isOp('+') || this.isOp('-')) {
			const op = this.next().v;
			left = {t: 'bin', op, left, right: this.multiplicative()};
		}

		return left;
	}

	private multiplicative(): Node {
		let left = this.unary();
		while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
			const op = this.next().v;
			left = {t: 'bin', op, left, right: this.unary()};
		}

		return left;
	}

	private unary(): Node {
		if (this.isOp('!')) {
			this.index++;
			return {t: 'not', v: this.unary()};
		}

		if (this.isOp('-')) {
			this.index++;
			return {t: 'neg', v: this.unary()};
		}

		if (this.isOp('+')) {
			this.index++;
			return this.unary();
		}

		return this.power();
	}

	private power(): Node {
		const base = this.postfix();
		if (this.isOp('^')) {
			this.index++;
			return {t: 'bin', op: '^', left: base, right: this.unary()};
		}

		return base;
	}

	private postfix(): Node {
		if (this.isOp('++') || this.isOp('--')) {
			const op = this.next().v as '++' | '--';
			return {t: 'incdec', op, prefix: true, target: this.primary()};
		}

		const value = this.primary();
		if ((this.isOp('++') || this.isOp('--')) && (value.t === 'var' || value.t === 'field')) {
			const op = this.next().v as '++' | '--';
			return {t: 'incdec', op, prefix: false, target: value};
		}

		return value;
	}

	private primary(): Node {
		const token = this.next();
		switch (token.k) {
			case 'num': {
				return {t: 'num', v: Number(token.v)};
			}

			case 'str': {
				return {t: 'str', v: token.v};
			}

			case 'regex': {
				return {t: 'regex', v: toRegex(token.v)};
			}

			case 'name': {
				return {t: 'var', name: token.v};
			}

			case 'func': {
				this.expect('(');
				const args: Node[] = [];
				if (!this.isOp(')')) {
					args.push(this.expression());
					while (this.isOp(',')) {
						this.index++;
						args.push(this.expression());
					}
				}

				this.expect(')');
				return {t: 'call', name: token.v, args};
			}

			case 'op': {
				if (token.v === '$') {
					return {t: 'field', index: this.postfixlessPrimary()};
				}

				if (token.v === '(') {
					const inner = this.expression();
					this.expect(')');
					return {t: 'group', v: inner};
				}

				break;
			}

			default: {
				break;
			}
		}

		throw new AwkError(`syntax error near '${token.v || 'end of program'}'`);
	}

	private postfixlessPrimary(): Node {
		if (this.isOp('++') || this.isOp('--') || this.isOp('-')) {
			return this.unary();
		}

		return this.primary();
	}
}

function toRegex(source: string): RegExp {
	try {
		return new RegExp(source);
	} catch {
		throw new AwkError(`bad regex '${source}'`);
	}
}

function toNumber(value: Value): number {
	if (typeof value === 'number') {
		return value;
	}

	const match = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(value);
	return match ? Number(match[0]) : 0;
}

function toText(value: Value): string {
	if (typeof value === 'string') {
		return value;
	}

	if (Number.isInteger(value)) {
		return String(value);
	}

	return String(Number(value.toPrecision(6)));
}

function looksNumeric(value: Value): boolean {
	return typeof value === 'number' || /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(value);
}

function format(spec: string, args: Value[]): string {
	let index = 0;
	return spec.replaceAll(/%([-+ 0#]*)(\d+|\*)?(?:\.(\d+))?([cdiouxXeEfgGs%])/g, (_, flags: string, width: string | undefined, precision: string | undefined, conv: string) => {
		if (conv === '%') {
			return '%';
		}

		const arg = args[index++] ?? '';
		let out: string;
		switch (conv) {
			case 'c': {
				out = typeof arg === 'number' ? String.fromCodePoint(arg) : arg.slice(0, 1);
				break;
			}

			case 'd':
			case 'i': {
				out = String(Math.trunc(toNumber(arg)));
				break;
			}

			case 'o': {
				out = Math.trunc(toNumber(arg)).toString(8);
				break;
			}

			case 'x':
			case 'X': {
				out = Math.trunc(toNumber(arg)).toString(16);
				if (conv === 'X') {
					out = out.toUpperCase();
				}

				break;
			}

			case 'e':
			case 'E': {
				out = toNumber(arg).toExponential(precision === undefined ? 6 : Number(precision));
				break;
			}

			case 'f': {
				out = toNumber(arg).toFixed(precision === undefined ? 6 : Number(precision));
				break;
			}

			case 'g':
			case 'G': {
				out = String(Number(toNumber(arg).toPrecision(precision === undefined ? 6 : Math.max(1, Number(precision)))));
				break;
			}

			default: {
				out = toText(arg);
				if (precision !== undefined) {
					out = out.slice(0, Number(precision));
				}
			}
		}

		const size = width === undefined || width === '*' ? 0 : Number(width);
		if (out.length < size) {
			out = flags.includes('-') ? out.padEnd(size) : flags.includes('0') && conv !== 's' ? out.padStart(size, '0') : out.padStart(size);
		}

		return out;
	});
}

export const awk: CommandImpl = async ctx => {
	const args = ctx.argv.slice(1);
	let separator: string | undefined;
	const assignments: Array<[string, string]> = [];
	let source: string | undefined;
	const files: string[] = [];
	for (let i = 0; i < args.length; i++) {
		const arg = args[i]!;
		if (source === undefined && arg.startsWith('-F')) {
			separator = arg.length > 2 ? arg.slice(2) : (args[++i] ?? ' ');
		} else if (source === undefined && arg === '-v') {
			const assignment = args[++i] ?? '';
			const eq = assignment.indexOf('=');
			assignments.push([assignment.slice(0, eq), assignment.slice(eq + 1)]);
		} else if (source === undefined) {
			source = arg;
		} else {
			files.push(arg);
		}
	}

	if (source === undefined) {
		await writeText(ctx.io.stderr, 'BusyBox v1.36.1 (Debian 1:1.36.1-9) multi-call binary.\n\nUsage: awk [OPTIONS] [AWK_PROGRAM] [FILE]...\n');
		return 1;
	}

	let rules: Rule[];
	try {
		rules = new Parser(tokenize(source)).program();
	} catch (error) {
		await writeText(ctx.io.stderr, `awk: cmd. line:1: ${error instanceof Error ? error.message : String(error)}\n`);
		return 2;
	}

	const vars = new Map<string, Value>([['FS', separator ?? ' '], ['OFS', ' '], ['ORS', '\n'], ['NR', 0], ['NF', 0]]);
	for (const [name, value] of assignments) {
		vars.set(name, value);
	}

	let fields: string[] = [''];
	let output = '';
	const flush = async (): Promise<void> => {
		if (output) {
			const chunk = output;
			output = '';
			await writeText(ctx.io.stdout, chunk);
		}
	};

	const split = (line: string): void => {
		const fs = toText(vars.get('FS') ?? ' ');
		const parts = fs === ' ' ? line.split(/[ \t\n]+/).filter(Boolean) : line.split(fs.length === 1 ? fs : new RegExp(fs));
		fields = [line, ...parts];
		vars.set('NF', parts.length);
	};

	const rebuild = (): void => {
		const nf = toNumber(vars.get('NF') ?? 0);
		fields.length = Math.max(1, nf + 1);
		for (let i = 1; i <= nf; i++) {
			fields[i] ??= '';
		}

		fields[0] = fields.slice(1).join(toText(vars.get('OFS') ?? ' '));
	};

	const assign = (target: Node, value: Value): void => {
		if (target.t === 'var') {
			vars.set(target.name, value);
			return;
		}

		if (target.t === 'field') {
			const index = Math.trunc(toNumber(evaluate(target.index)));
			if (index === 0) {
				split(toText(value));
				return;
			}

			fields[index] = toText(value);
			if (index > toNumber(vars.get('NF') ?? 0)) {
				vars.set('NF', index);
			}

			rebuild();
		}
	};

	const evaluate = (node: Node): Value => {
		switch (node.t) {
			case 'num':
			case 'str': {
				return node.v;
			}

			case 'regex': {
				return node.v.test(fields[0] ?? '') ? 1 : 0;
			}

			case 'var': {
				return vars.get(node.name) ?? '';
			}

			case 'field': {
				return fields[Math.trunc(toNumber(evaluate(node.index)))] ?? '';
			}

			case 'group': {
				return evaluate(node.v);
			}

			case 'assign': {
				let value = evaluate(node.value);
				if (node.op !== '=') {
					value = arithmetic(node.op.slice(0, -1), toNumber(evaluate(node.target)), toNumber(value));
				}

				assign(node.target, value);
				return value;
			}

			case 'incdec': {
				const old = toNumber(evaluate(node.target));
				const next = node.op === '++' ? old + 1 : old - 1;
				assign(node.target, next);
				return node.prefix ? next : old;
			}

			case 'not': {
				return truthy(evaluate(node.v)) ? 0 : 1;
			}

			case 'neg': {
				return -toNumber(evaluate(node.v));
			}

			case 'cond': {
				return truthy(evaluate(node.test)) ? evaluate(node.yes) : evaluate(node.no);
			}

			case 'call': {
				return call(node.name, node.args.map(arg => evaluate(arg)), node.args);
			}

			case 'bin': {
				return binary(node);
			}
		}
	};

	const binary = (node: Extract<Node, {t: 'bin'}>): Value => {
		if (node.op === '&&') {
			return truthy(evaluate(node.left)) && truthy(evaluate(node.right)) ? 1 : 0;
		}

		if (node.op === '||') {
			return truthy(evaluate(node.left)) || truthy(evaluate(node.right)) ? 1 : 0;
		}

		if (node.op === '~' || node.op === '!~') {
			const subject = toText(evaluate(node.left));
			const regex = node.right.t === 'regex' ? node.right.v : toRegex(toText(evaluate(node.right)));
			return regex.test(subject) === (node.op === '~') ? 1 : 0;
		}

		const left = evaluate(node.left);
		const right = evaluate(node.right);
		if (node.op === 'concat') {
			return toText(left) + toText(right);
		}

		if (['<', '<=', '>', '>=', '==', '!='].includes(node.op)) {
			const numeric = looksNumeric(left) && looksNumeric(right);
			const a: Value = numeric ? toNumber(left) : toText(left);
			const b: Value = numeric ? toNumber(right) : toText(right);
			const result = {'<': a < b, '<=': a <= b, '>': a > b, '>=': a >= b, '==': a === b, '!=': a !== b}[node.op];
			return result ? 1 : 0;
		}

		return arithmetic(node.op, toNumber(left), toNumber(right));
	};

	const call = (name: string, values: Value[], nodes: Node[]): Value => {
		switch (name) {
			case 'length': {
				return toText(nodes.length === 0 ? (fields[0] ?? '') : values[0]!).length;
			}

			case 'substr': {
				const value = toText(values[0] ?? '');
				const start = Math.round(toNumber(values[1] ?? 1));
				const length = values[2] === undefined ? Number.POSITIVE_INFINITY : Math.round(toNumber(values[2]));
				const from = Math.max(1, start);
				const to = Math.min(value.length + 1, start + length);
				return to > from ? value.slice(from - 1, to - 1) : '';
			}

			case 'index': {
				return toText(values[0] ?? '').indexOf(toText(values[1] ?? '')) + 1;
			}

			case 'toupper': {
				return toText(values[0] ?? '').toUpperCase();
			}

			case 'tolower': {
				return toText(values[0] ?? '').toLowerCase();
			}

			case 'int': {
				return Math.trunc(toNumber(values[0] ?? 0));
			}

			case 'sprintf': {
				return format(toText(values[0] ?? ''), values.slice(1));
			}

			default: {
				throw new AwkError(`function ${name} is not supported in the podwatch demo sandbox`);
			}
		}
	};

	const execute = async (statement: Statement): Promise<void> => {
		switch (statement.t) {
			case 'print': {
				const values = statement.args.length === 0 ? [fields[0] ?? ''] : statement.args.map(arg => toText(evaluate(arg)));
				output += values.join(toText(vars.get('OFS') ?? ' ')) + toText(vars.get('ORS') ?? '\n');
				break;
			}

			case 'printf': {
				const [spec, ...rest] = statement.args.map(arg => evaluate(arg));
				output += format(toText(spec ?? ''), rest);
				break;
			}

			case 'expr': {
				evaluate(statement.v);
				break;
			}

			case 'if': {
				if (truthy(evaluate(statement.test))) {
					await execute(statement.yes);
				} else if (statement.no) {
					await execute(statement.no);
				}

				break;
			}

			case 'while': {
				while (truthy(evaluate(statement.test))) {
					await execute(statement.body);
					const pending = ctx.proc.tick();
					if (pending) {
						await pending;
					}
				}

				break;
			}

			case 'block': {
				for (const inner of statement.body) {
					await execute(inner);
				}

				break;
			}

			case 'next': {
				throw new NextSignal();
			}

			case 'exit': {
				throw new ExitAwk(statement.code ? Math.trunc(toNumber(evaluate(statement.code))) : 0);
			}
		}

		if (output.length > 64 * 1024) {
			await flush();
		}
	};

	const runRules = async (which: 'BEGIN' | 'END' | 'main'): Promise<void> => {
		for (const rule of rules) {
			const isSpecial = rule.pattern === 'BEGIN' || rule.pattern === 'END';
			if (which === 'main' ? isSpecial : rule.pattern !== which) {
				continue;
			}

			if (which === 'main' && rule.pattern !== undefined && !truthy(evaluate(rule.pattern as Node))) {
				continue;
			}

			if (rule.action) {
				await execute(rule.action);
			} else {
				output += (fields[0] ?? '') + toText(vars.get('ORS') ?? '\n');
			}
		}
	};

	let status = 0;
	try {
		try {
			await runRules('BEGIN');
			const hasMain = rules.some(rule => rule.pattern !== 'BEGIN');
			if (hasMain) {
				const inputs = files.length === 0 ? ['-'] : files;
				for (const file of inputs) {
					let input: InStream;
					if (file === '-') {
						input = ctx.io.stdin;
					} else {
						try {
							input = new InStream(bytesSource(ctx.fs.readFile(file, ctx.cwd)));
						} catch (error) {
							if (error instanceof FsError) {
								await writeText(ctx.io.stderr, `awk: cannot open "${file}" (${errnoText(error.code)})\n`);
								status = 2;
								continue;
							}

							throw error;
						}
					}

					for (;;) {
						const line = await input.readLine(ctx.proc);
						if (line === null) {
							break;
						}

						vars.set('NR', toNumber(vars.get('NR') ?? 0) + 1);
						split(line);
						try {
							await runRules('main');
						} catch (error) {
							if (!(error instanceof NextSignal)) {
								throw error;
							}
						}

						// Live output for followed streams.
						await flush();
						const pending = ctx.proc.tick();
						if (pending) {
							await pending;
						}
					}
				}
			}
		} catch (error) {
			if (!(error instanceof ExitAwk)) {
				throw error;
			}

			status = error.code;
		}

		try {
			await runRules('END');
		} catch (error) {
			if (!(error instanceof ExitAwk)) {
				throw error;
			}

			status = error.code;
		}
	} catch (error) {
		if (error instanceof AwkError) {
			await flush();
			await writeText(ctx.io.stderr, `awk: ${error.message}\n`);
			return 2;
		}

		throw error;
	}

	await flush();
	return status;
};

function truthy(value: Value): boolean {
	if (typeof value === 'number') {
		return value !== 0;
	}

	return looksNumeric(value) ? toNumber(value) !== 0 : value !== '';
}

function arithmetic(op: string, a: number, b: number): number {
	switch (op) {
		case '+': {
			return a + b;
		}

		case '-': {
			return a - b;
		}

		case '*': {
			return a * b;
		}

		case '/': {
			if (b === 0) {
				throw new AwkError('division by zero');
			}

			return a / b;
		}

		case '%': {
			if (b === 0) {
				throw new AwkError('division by zero in %');
			}

			return a % b;
		}

		case '^': {
			return a ** b;
		}

		default: {
			throw new AwkError(`unsupported operator ${op}`);
		}
	}
}
