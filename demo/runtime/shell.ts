// An async, streaming POSIX-sh (busybox ash flavoured) interpreter over just-bash's parser AST.
// Every write goes straight to the next stage (pipe, file, or the container's OutputSink), so
// `while true; do echo ...; sleep 5; done` streams live. Each statement passes Proc.tick(), which
// accounts CPU, yields to the event loop regularly and stops a killed process tree.

import {parse, type ScriptNode, type StatementNode, type PipelineNode, type SimpleCommandNode, type WordNode} from 'just-bash';
import {Fatal, BrokenPipe, type Proc} from './proc.js';
import {
	BufferWriter, FileWriter, InStream, Pipe, bytesSource, emptySource, nullWriter, text, utf8, writeText,
	type Writer,
} from './io.js';
import {FsError, errnoText, normalisePath, type FsView} from './vfs.js';

type CommandNode = PipelineNode['commands'][number];
type WordPart = WordNode['parts'][number];
type RedirectionNode = SimpleCommandNode['redirections'][number];
type AssignmentNode = SimpleCommandNode['assignments'][number];
type ArithmeticExpansionPart = Extract<WordPart, {type: 'ArithmeticExpansion'}>;
type ArithExpr = ArithmeticExpansionPart['expression']['expression'];
type ParamPart = Extract<WordPart, {type: 'ParameterExpansion'}>;
type ParamOp = NonNullable<ParamPart['operation']>;
type CaseNode = Extract<CommandNode, {type: 'Case'}>;
type ConditionalNode = Extract<CommandNode, {type: 'ConditionalCommand'}>;
type CondExpr = ConditionalNode['expression'];

export type Io = {
	stdin: InStream;
	stdout: Writer;
	stderr: Writer;
};

/** What a command implementation gets. */
export type CommandContext = {
	argv: string[];
	io: Io;
	shell: Shell;
	fs: FsView;
	proc: Proc;
	cwd: string;
	env: Map<string, string>;
};

export type CommandImpl = (ctx: CommandContext) => Promise<number>;

/** The image's binaries and the pod facts the commands print. */
export type Machine = {
	fs: FsView;
	hostname: string;
	podIP: string;
	/** name → implementation, for binaries found on PATH or by absolute path. */
	lookup(name: string): CommandImpl | undefined;
	pid: number;
	/** For `ps`: the container's PID 1 command line, its CPU time, and a source of exec PIDs. */
	processes?: {commandLine: string; cpuMs(): number; nextPid(): number};
};

class ExitSignal {
	constructor(readonly code: number) {}
}

class ReturnSignal {
	constructor(readonly code: number) {}
}

class LoopSignal {
	constructor(
		readonly kind: 'break' | 'continue',
		public levels: number,
	) {}
}

export class ShellError extends Error {}

const MAX_FUNCTION_DEPTH = 200;
const MAX_TASKS = 128;
const MAX_CAPTURE = 8 * 1024 * 1024;

type Field = {text: string; glob: boolean};
type FieldPart = {s: string; quoted: boolean; split: boolean; glob: boolean};

export class Shell {
	vars = new Map<string, string>();
	exported = new Set<string>();
	functions = new Map<string, CommandNode>();
	positional: string[] = [];
	scriptName = 'sh';
	status = 0;
	cwd = '/';
	errexit = false;
	traps = new Map<string, string>();
	lastBg = '';
	jobs: Array<Promise<number>> = [];
	private jobCounter = 0;
	depth = 0;
	/** Enclosing loops (`break`/`continue` outside a loop do nothing). */
	loopDepth = 0;
	/** True for the instance's main shell (the one TERM traps run in). */
	isMain = false;
	/** True for the launcher that starts the container's command (its `sh` becomes main). */
	isTopLevel = false;
	/** Inside a condition (if/while test, && ||, !): set -e does not apply. */
	private condDepth = 0;
	private locals: Array<Map<string, string | undefined>> = [];

	constructor(
		readonly machine: Machine,
		readonly proc: Proc,
	) {}

	static create(machine: Machine, proc: Proc, env: Array<[string, string]>): Shell {
		const shell = new Shell(machine, proc);
		for (const [name, value] of env) {
			shell.vars.set(name, value);
			shell.exported.add(name);
		}

		shell.vars.set('IFS', ' \t\n');
		shell.cwd = env.find(([name]) => name === 'PWD')?.[1] ?? '/';
		return shell;
	}

	subshell(): Shell {
		const child = new Shell(this.machine, this.proc);
		child.vars = new Map(this.vars);
		child.exported = new Set(this.exported);
		child.functions = new Map(this.functions);
		child.positional = [...this.positional];
		child.scriptName = this.scriptName;
		child.status = this.status;
		child.cwd = this.cwd;
		child.errexit = this.errexit;
		child.depth = this.depth;
		child.loopDepth = this.loopDepth;
		return child;
	}

	env(): Map<string, string> {
		const out = new Map<string, string>();
		for (const name of this.exported) {
			const value = this.vars.get(name);
			if (value !== undefined) {
				out.set(name, value);
			}
		}

		return out;
	}

	setVar(name: string, value: string): void {
		// x=$x$x in a loop doubles: a variable past the memory limit ends the container.
		if (value.length * 2 > this.proc.limits.memoryBytes) {
			this.proc.kill({
				exitCode: 137,
				reason: 'OOMKilled',
				signal: 9,
				message: `memory limit reached: variable ${name} grew past ${this.proc.limits.memoryBytes} bytes (memoryBytes limit)`,
			});
			throw new Fatal(this.proc.dead!);
		}

		this.vars.set(name, value);
	}

	/** Parse and run a script; returns its exit status (ExitSignal ends it). */
	async runSource(source: string, io: Io): Promise<number> {
		let script: ScriptNode;
		try {
			script = parse(source);
		} catch (error) {
			await writeText(io.stderr, `sh: syntax error: ${cleanParseError(error)}\n`);
			return 2;
		}

		try {
			return await this.runStatements(script.statements, io);
		} catch (error) {
			if (error instanceof ExitSignal || error instanceof ReturnSignal) {
				return error.code;
			}

			if (error instanceof LoopSignal) {
				// `break`/`continue` outside a loop: ignored, like ash.
				return this.status;
			}

			throw error;
		}
	}

	/**
	 * `sh` reading its script from stdin: run each complete command as soon as its line arrives
	 * (so `kubectl exec -i pod -- sh` works line by line), until end of input or `exit`.
	 */
	async runInteractive(io: Io, prompt?: () => Promise<void>): Promise<number> {
		let buffer = '';
		for (;;) {
			if (prompt && buffer === '') {
				await prompt();
			}

			const line = await io.stdin.readLine(this.proc);
			if (line === null) {
				if (buffer.trim() === '') {
					return this.status;
				}

				const status = await this.runSource(buffer, io);
				return status;
			}

			buffer += line + '\n';
			if (/(\|\||&&|\||\\)\s*$/.test(line)) {
				continue;
			}

			let script: ScriptNode;
			try {
				script = parse(buffer);
			} catch (error) {
				if (isIncomplete(error)) {
					continue;
				}

				await writeText(io.stderr, `sh: syntax error: ${cleanParseError(error)}\n`);
				buffer = '';
				this.status = 2;
				continue;
			}

			buffer = '';
			try {
				await this.runStatements(script.statements, io);
			} catch (error) {
				if (error instanceof ExitSignal) {
					return error.code;
				}

				if (!(error instanceof LoopSignal || error instanceof ReturnSignal)) {
					throw error;
				}
			}
		}
	}

	async runStatements(statements: StatementNode[], io: Io): Promise<number> {
		for (const statement of statements) {
			await this.checkpoint(io);
			this.status = await this.runStatement(statement, io);
		}

		// A TERM that interrupted the last command (`sleep infinity & wait`) runs its trap now.
		if (this.isMain && this.proc.termPending) {
			await this.checkpoint(io);
		}

		return this.status;
	}

	/** Between statements: CPU/yield, and the TERM trap in the main shell. */
	async checkpoint(io: Io): Promise<void> {
		const pending = this.proc.tick();
		if (pending) {
			await pending;
		}

		if (this.isMain && this.proc.termPending) {
			this.proc.termPending = false;
			const action = this.traps.get('TERM');
			if (action !== undefined && action !== '') {
				const saved = this.status;
				let script: ScriptNode | undefined;
				try {
					script = parse(action);
				} catch (error) {
					await writeText(io.stderr, `sh: syntax error: ${cleanParseError(error)}\n`);
				}

				if (script) {
					// `exit` in the trap ends the shell (ExitSignal propagates).
					await this.runStatements(script.statements, io);
				}

				this.status = saved;
			}
		}
	}

	async runStatement(statement: StatementNode, io: Io): Promise<number> {
		try {
			return await this.runStatementInner(statement, io);
		} catch (error) {
			if (error instanceof ShellError) {
				await writeText(io.stderr, `sh: ${error.message}\n`);
				throw new ExitSignal(2);
			}

			throw error;
		}
	}

	private async runStatementInner(statement: StatementNode, io: Io): Promise<number> {
		if (statement.deferredError) {
			await writeText(io.stderr, `sh: syntax error: ${statement.deferredError.message}\n`);
			throw new ExitSignal(2);
		}

		if (statement.background) {
			return this.background(statement, io);
		}

		let status = 0;
		const count = statement.pipelines.length;
		for (let i = 0; i < count; i++) {
			const operator = i === 0 ? undefined : statement.operators[i - 1];
			if (operator === '&&' && status !== 0) {
				continue;
			}

			if (operator === '||' && status === 0) {
				continue;
			}

			const isLast = i === count - 1;
			const inCondition = !isLast || statement.pipelines[i]!.negated;
			if (inCondition) {
				this.condDepth++;
			}

			try {
				status = await this.runPipeline(statement.pipelines[i]!, io);
			} finally {
				if (inCondition) {
					this.condDepth--;
				}
			}

			this.status = status;
		}

		if (status !== 0 && this.errexit && this.condDepth === 0 && !statement.pipelines.at(-1)?.negated) {
			throw new ExitSignal(status);
		}

		return status;
	}

	private background(statement: StatementNode, io: Io): number {
		if (this.proc.tasks >= MAX_TASKS) {
			writeText(io.stderr, 'sh: can\'t fork: Resource temporarily unavailable\n').catch(() => undefined);
			return 2;
		}

		const child = this.subshell();
		const foreground: StatementNode = {...statement, background: false};
		this.proc.tasks++;
		const job: Promise<number> = child
			.runStatement(foreground, {...io, stdin: new InStream(emptySource)})
			.catch(error => exitCodeOf(error))
			.finally(() => {
				this.proc.tasks--;
				// Forget finished jobs, so `while :; do x & sleep 1; done` does not grow forever.
				const index = this.jobs.indexOf(job);
				if (index !== -1) {
					this.jobs.splice(index, 1);
				}
			});
		this.jobs.push(job);
		this.jobCounter++;
		this.lastBg = String(this.machine.pid + this.jobCounter);
		return 0;
	}

	async runPipeline(pipeline: PipelineNode, io: Io): Promise<number> {
		let status: number;
		if (pipeline.commands.length === 1) {
			status = await this.runCommand(pipeline.commands[0]!, io);
		} else {
			status = await this.runStages(pipeline, io);
		}

		return pipeline.negated ? (status === 0 ? 1 : 0) : status;
	}

	private async runStages(pipeline: PipelineNode, io: Io): Promise<number> {
		const stages = pipeline.commands;
		if (this.proc.tasks + stages.length > MAX_TASKS) {
			await writeText(io.stderr, 'sh: can\'t fork: Resource temporarily unavailable\n');
			return 2;
		}

		const pipes = stages.slice(1).map(() => new Pipe(this.proc));
		this.proc.tasks += stages.length;
		const runs = stages.map(async (command, index) => {
			const stdin = index === 0 ? io.stdin : new InStream(pipes[index - 1]!);
			const pipeOut = pipes[index];
			const stdout = pipeOut ?? io.stdout;
			const stderr = pipeline.pipeStderr?.[index] && pipeOut ? pipeOut : io.stderr;
			const child = this.subshell();
			try {
				return await child.runCommand(command, {stdin, stdout, stderr});
			} catch (error) {
				if (error instanceof ExitSignal) {
					return error.code;
				}

				if (error instanceof BrokenPipe) {
					return 141;
				}

				throw error;
			} finally {
				pipeOut?.end();
				if (index > 0) {
					// This stage no longer reads: its writer gets SIGPIPE.
					pipes[index - 1]!.close();
				}

				this.proc.tasks--;
			}
		});
		const results = await Promise.allSettled(runs);
		for (const result of results) {
			if (result.status === 'rejected') {
				throw result.reason;
			}
		}

		const last = results.at(-1)!;
		return last.status === 'fulfilled' ? last.value : 1;
	}

	async runCommand(command: CommandNode, io: Io): Promise<number> {
		switch (command.type) {
			case 'SimpleCommand': {
				return this.runSimple(command, io);
			}

			case 'FunctionDef': {
				this.functions.set(command.name, command.body);
				return 0;
			}

			default: {
				const redirected = await this.redirect(command.redirections, io);
				if (typeof redirected === 'number') {
					return redirected;
				}

				return this.runCompound(command, redirected);
			}
		}
	}

	private async runCompound(command: Exclude<CommandNode, {type: 'SimpleCommand' | 'FunctionDef'}>, io: Io): Promise<number> {
		switch (command.type) {
			case 'If': {
				for (const clause of command.clauses) {
					const condition = await this.runCondition(clause.condition, io);
					if (condition === 0) {
						return this.runStatements(clause.body, io);
					}
				}

				if (command.elseBody) {
					return this.runStatements(command.elseBody, io);
				}

				return 0;
			}

			case 'While':
			case 'Until': {
				this.loopDepth++;
				try {
					return await this.runWhile(command, io);
				} finally {
					this.loopDepth--;
				}
			}

			case 'For': {
				this.loopDepth++;
				try {
					return await this.runFor(command, io);
				} finally {
					this.loopDepth--;
				}
			}

			case 'Case': {
				return this.runCase(command, io);
			}

			case 'Subshell': {
				const child = this.subshell();
				try {
					return await child.runStatements(command.body, io);
				} catch (error) {
					if (error instanceof ExitSignal) {
						return error.code;
					}

					throw error;
				}
			}

			case 'Group': {
				return this.runStatements(command.body, io);
			}

			case 'ArithmeticCommand': {
				const value = await this.arith(command.expression.expression, io);
				return value === 0 ? 1 : 0;
			}

			case 'ConditionalCommand': {
				return (await this.cond(command.expression, io)) ? 0 : 1;
			}

			case 'CStyleFor': {
				await writeText(io.stderr, 'sh: syntax error: bad for loop variable\n');
				return 2;
			}
		}
	}

	private async runWhile(command: Extract<CommandNode, {type: 'While' | 'Until'}>, io: Io): Promise<number> {
		let status = 0;
		for (;;) {
			await this.checkpoint(io);
			const condition = await this.runCondition(command.condition, io);
			if ((condition === 0) !== (command.type === 'While')) {
				break;
			}

			try {
				status = await this.runStatements(command.body, io);
			} catch (error) {
				const next = loopControl(error);
				if (next === 'break') {
					break;
				}
			}
		}

		return status;
	}

	private async runFor(command: Extract<CommandNode, {type: 'For'}>, io: Io): Promise<number> {
		const words = command.words === null ? [...this.positional] : await this.expandWords(command.words, io);
		let status = 0;
		for (const word of words) {
			this.setVar(command.variable, word);
			try {
				status = await this.runStatements(command.body, io);
			} catch (error) {
				if (loopControl(error) === 'break') {
					break;
				}
			}
		}

		return status;
	}

	private async runCondition(statements: StatementNode[], io: Io): Promise<number> {
		this.condDepth++;
		try {
			return await this.runStatements(statements, io);
		} finally {
			this.condDepth--;
		}
	}

	private async runCase(command: CaseNode, io: Io): Promise<number> {
		const word = await this.expandString(command.word, io);
		let fallthrough = false;
		let status = 0;
		for (const item of command.items) {
			let matched = fallthrough;
			if (!matched) {
				for (const pattern of item.patterns) {
					const regex = await this.patternRegex(pattern, io);
					if (regex.test(word)) {
						matched = true;
						break;
					}
				}
			}

			if (matched) {
				status = await this.runStatements(item.body, io);
				if (item.terminator === ';&') {
					fallthrough = true;
					continue;
				}

				return status;
			}
		}

		return status;
	}

	private async cond(expr: CondExpr, io: Io): Promise<boolean> {
		switch (expr.type) {
			case 'CondAnd': {
				return (await this.cond(expr.left, io)) && this.cond(expr.right, io);
			}

			case 'CondOr': {
				return (await this.cond(expr.left, io)) || this.cond(expr.right, io);
			}

			case 'CondNot': {
				return !(await this.cond(expr.operand, io));
			}

			case 'CondGroup': {
				return this.cond(expr.expression, io);
			}

			case 'CondWord': {
				return (await this.expandString(expr.word, io)) !== '';
			}

			case 'CondUnary': {
				const operand = await this.expandString(expr.operand, io);
				return testUnary(this, expr.operator, operand) ?? false;
			}

			case 'CondBinary': {
				const left = await this.expandString(expr.left, io);
				if (expr.operator === '==' || expr.operator === '=' || expr.operator === '!=') {
					const regex = await this.patternRegex(expr.right, io);
					return regex.test(left) === (expr.operator !== '!=');
				}

				const right = await this.expandString(expr.right, io);
				if (expr.operator === '=~') {
					try {
						return new RegExp(right).test(left);
					} catch {
						return false;
					}
				}

				return testBinary(this, expr.operator, left, right) ?? false;
			}
		}
	}

	// ---------- simple commands ----------

	private async runSimple(command: SimpleCommandNode, io: Io): Promise<number> {
		const argv = await this.expandWords(command.name ? [command.name, ...command.args] : command.args, io);
		if (argv.length === 0) {
			const assigned = await this.assign(command.assignments, io);
			const redirected = await this.redirect(command.redirections, io);
			if (typeof redirected === 'number') {
				return redirected;
			}

			return assigned ?? (command.assignments.some(a => a.value?.parts.some(p => p.type === 'CommandSubstitution')) ? this.status : 0);
		}

		const redirected = await this.redirect(command.redirections, io);
		if (typeof redirected === 'number') {
			return redirected;
		}

		const name = argv[0]!;
		const builtin = BUILTINS[name];
		if (builtin && SPECIAL_BUILTINS.has(name)) {
			await this.assign(command.assignments, io);
			return builtin(this, argv, redirected);
		}

		// Prefix assignments apply to this command only (kept simple: set, run, restore).
		const saved: Array<[string, string | undefined, boolean]> = [];
		for (const assignment of command.assignments) {
			saved.push([assignment.name, this.vars.get(assignment.name), this.exported.has(assignment.name)]);
		}

		await this.assign(command.assignments, io);
		for (const assignment of command.assignments) {
			this.exported.add(assignment.name);
		}

		try {
			return await this.invoke(argv, redirected);
		} finally {
			for (const [varName, value, wasExported] of saved) {
				if (value === undefined) {
					this.vars.delete(varName);
				} else {
					this.vars.set(varName, value);
				}

				if (!wasExported) {
					this.exported.delete(varName);
				}
			}
		}
	}

	/** Run argv as a function, builtin or image binary. */
	async invoke(argv: string[], io: Io): Promise<number> {
		const name = argv[0]!;
		const fn = this.functions.get(name);
		if (fn) {
			return this.callFunction(fn, argv, io);
		}

		const builtin = BUILTINS[name];
		if (builtin) {
			return builtin(this, argv, io);
		}

		const impl = this.machine.lookup(name);
		if (!impl) {
			if (name.includes('/')) {
				await writeText(io.stderr, `sh: ${name}: not found\n`);
				return 127;
			}

			await writeText(io.stderr, `sh: ${name}: not found\n`);
			return 127;
		}

		try {
			return await impl({argv, io, shell: this, fs: this.machine.fs, proc: this.proc, cwd: this.cwd, env: this.env()});
		} catch (error) {
			if (error instanceof BrokenPipe) {
				return 141;
			}

			if (error instanceof FsError) {
				await writeText(io.stderr, `${baseName(name)}: ${errnoText(error.code)}\n`);
				return 1;
			}

			throw error;
		}
	}

	private async callFunction(body: CommandNode, argv: string[], io: Io): Promise<number> {
		if (this.depth >= MAX_FUNCTION_DEPTH) {
			await writeText(io.stderr, `sh: ${argv[0]}: function nesting too deep\n`);
			throw new ExitSignal(2);
		}

		const savedPositional = this.positional;
		this.positional = argv.slice(1);
		this.depth++;
		this.locals.push(new Map());
		try {
			return await this.runCommand(body, io);
		} catch (error) {
			if (error instanceof ReturnSignal) {
				return error.code;
			}

			throw error;
		} finally {
			this.depth--;
			this.positional = savedPositional;
			const locals = this.locals.pop()!;
			for (const [name, value] of locals) {
				if (value === undefined) {
					this.vars.delete(name);
				} else {
					this.vars.set(name, value);
				}
			}
		}
	}

	declareLocal(name: string): void {
		const frame = this.locals.at(-1);
		if (frame && !frame.has(name)) {
			frame.set(name, this.vars.get(name));
		}
	}

	private async assign(assignments: AssignmentNode[], io: Io): Promise<number | undefined> {
		let status: number | undefined;
		for (const assignment of assignments) {
			const value = assignment.value ? await this.expandString(assignment.value, io) : '';
			if (assignment.append) {
				this.setVar(assignment.name, (this.vars.get(assignment.name) ?? '') + value);
			} else {
				this.setVar(assignment.name, value);
			}

			if (assignment.value?.parts.some(p => p.type === 'CommandSubstitution')) {
				status = this.status;
			}
		}

		return status;
	}

	// ---------- redirections ----------

	private async redirect(redirections: RedirectionNode[], io: Io): Promise<Io | number> {
		if (redirections.length === 0) {
			return io;
		}

		const out: Io = {...io};
		for (const redirection of redirections) {
			const fd = redirection.fd ?? (redirection.operator.startsWith('<') ? 0 : 1);
			const target = redirection.target;
			if (target.type === 'HereDoc') {
				let body = target.quoted ? literalText(target.content) : await this.expandString(target.content, io, true);
				if (target.stripTabs) {
					body = body.replaceAll(/^\t+/gm, '');
				}

				out.stdin = new InStream(bytesSource(utf8(body)));
				continue;
			}

			const word = await this.expandString(target, io);
			switch (redirection.operator) {
				case '>&':
				case '<&': {
					if (word === '-') {
						setFd(out, fd, nullWriter);
						break;
					}

					const source = word === '1' ? out.stdout : word === '2' ? out.stderr : undefined;
					if (source === undefined) {
						if (/^\d+$/.test(word)) {
							await writeText(io.stderr, `sh: ${word}: Bad file descriptor\n`);
							return 1;
						}

						// `>& file` (bash): both to file.
						const writer = await this.openFile(word, false, io);
						if (typeof writer === 'number') {
							return writer;
						}

						out.stdout = writer;
						out.stderr = writer;
						break;
					}

					setFd(out, fd, source);
					break;
				}

				case '<': {
					if (word === '/dev/null') {
						out.stdin = new InStream(emptySource);
						break;
					}

					try {
						const data = this.machine.fs.readFile(word, this.cwd);
						out.stdin = new InStream(bytesSource(data));
					} catch (error) {
						await writeText(io.stderr, `sh: can't open ${word}: ${error instanceof FsError && error.code !== 'ENOENT' ? errnoText(error.code) : 'no such file'}\n`);
						return 1;
					}

					break;
				}

				case '<<<': {
					out.stdin = new InStream(bytesSource(utf8(word + '\n')));
					break;
				}

				case '>':
				case '>|':
				case '>>':
				case '&>':
				case '&>>':
				case '<>': {
					const append = redirection.operator === '>>' || redirection.operator === '&>>';
					const writer = await this.openFile(word, append, io);
					if (typeof writer === 'number') {
						return writer;
					}

					if (redirection.operator.startsWith('&')) {
						out.stdout = writer;
						out.stderr = writer;
					} else {
						setFd(out, fd, writer);
					}

					break;
				}

				default: {
					break;
				}
			}
		}

		return out;
	}

	private async openFile(path: string, append: boolean, io: Io): Promise<Writer | number> {
		if (path === '/dev/null') {
			return nullWriter;
		}

		if (path === '/dev/stdout') {
			return io.stdout;
		}

		if (path === '/dev/stderr') {
			return io.stderr;
		}

		try {
			const file = this.machine.fs.openWrite(path, this.cwd, !append);
			return new FileWriter(this.machine.fs, file);
		} catch (error) {
			if (error instanceof FsError) {
				const reason = error.message === 'nonexistent directory' ? 'nonexistent directory' : errnoText(error.code);
				await writeText(io.stderr, `sh: can't create ${path}: ${reason}\n`);
				return 1;
			}

			throw error;
		}
	}

	// ---------- expansion ----------

	async expandWords(words: WordNode[], io: Io): Promise<string[]> {
		const out: string[] = [];
		for (const word of words) {
			const fields = await this.expandFields(word, io);
			for (const field of fields) {
				if (field.glob) {
					const matches = this.glob(field.text);
					if (matches.length > 0) {
						for (const match of matches) {
							out.push(match);
						}
						continue;
					}

					out.push(unescapeGlob(field.text));
					continue;
				}

				out.push(field.text);
			}
		}

		return out;
	}

	/** A word expanded to one string (no field splitting or globbing): assignments, redirections. */
	async expandString(word: WordNode, io: Io, hereDoc = false): Promise<string> {
		const parts = await this.expandParts(word.parts, io, hereDoc);
		return parts.map(p => p.s).join('');
	}

	private async expandFields(word: WordNode, io: Io): Promise<Field[]> {
		const parts = await this.expandParts(word.parts, io, false);
		const ifs = this.vars.get('IFS') ?? ' \t\n';
		const fields: Field[] = [];
		let current: Field | undefined;
		const push = (s: string, glob: boolean): void => {
			current ??= {text: '', glob: false};
			current.text += s;
			current.glob ||= glob;
		};

		for (const part of parts) {
			if (part.s === FIELD_BREAK) {
				if (current) {
					fields.push(current);
				}

				current = undefined;
				continue;
			}

			if (part.split && ifs !== '') {
				const pieces = splitIfs(part.s, ifs);
				for (let i = 0; i < pieces.length; i++) {
					const piece = pieces[i]!;
					if (piece === null) {
						if (current) {
							fields.push(current);
						}

						current = undefined;
						continue;
					}

					// Unquoted expansions are subject to pathname expansion too.
					const globbable = /[*?[]/.test(piece);
					push(globbable ? piece : escapeGlob(piece), globbable);
				}

				continue;
			}

			if (part.glob) {
				push(part.s, true);
			} else {
				push(escapeGlob(part.s), false);
			}

			if (part.quoted) {
				current ??= {text: '', glob: false};
			}
		}

		if (current) {
			fields.push(current);
		}

		// Fields with no glob part lose their glob escapes.
		return fields.map(field => (field.glob ? field : {text: unescapeGlob(field.text), glob: false}));
	}

	private async expandParts(parts: WordPart[], io: Io, hereDoc: boolean, quoted = false): Promise<FieldPart[]> {
		const out: FieldPart[] = [];
		for (const part of parts) {
			switch (part.type) {
				case 'Literal': {
					out.push({s: part.value, quoted: quoted || hereDoc, split: false, glob: false});
					break;
				}

				case 'SingleQuoted': {
					out.push({s: part.value, quoted: true, split: false, glob: false});
					break;
				}

				case 'Escaped': {
					out.push({s: part.value, quoted: true, split: false, glob: false});
					break;
				}

				case 'DoubleQuoted': {
					const inner = await this.expandParts(part.parts, io, hereDoc, true);
					if (inner.length === 0) {
						out.push({s: '', quoted: true, split: false, glob: false});
					}

					out.push(...inner);
					break;
				}

				case 'ParameterExpansion': {
					if ((part.parameter === '@' || part.parameter === '*') && part.operation === null) {
						const values = this.positional;
						if (quoted && part.parameter === '@') {
							values.forEach((value, index) => {
								if (index > 0) {
									out.push({s: FIELD_BREAK, quoted: true, split: false, glob: false});
								}

								out.push({s: value, quoted: true, split: false, glob: false});
							});
							break;
						}

						const joined = quoted ? values.join((this.vars.get('IFS') ?? ' ')[0] ?? '') : values.join(' ');
						out.push({s: joined, quoted, split: !quoted && !hereDoc, glob: false});
						break;
					}

					const value = await this.parameter(part, io);
					out.push({s: value, quoted: quoted || hereDoc, split: !quoted && !hereDoc, glob: false});
					break;
				}

				case 'CommandSubstitution': {
					const value = await this.capture(part.body, io);
					out.push({s: value, quoted: quoted || hereDoc, split: !quoted && !hereDoc, glob: false});
					break;
				}

				case 'ArithmeticExpansion': {
					const value = await this.arith(part.expression.expression, io);
					out.push({s: String(value), quoted: quoted || hereDoc, split: !quoted && !hereDoc, glob: false});
					break;
				}

				case 'TildeExpansion': {
					const home = part.user === null ? (this.vars.get('HOME') ?? '/root') : part.user === 'root' ? '/root' : `~${part.user}`;
					out.push({s: home, quoted: true, split: false, glob: false});
					break;
				}

				case 'Glob': {
					out.push({s: part.pattern, quoted: false, split: false, glob: !quoted && !hereDoc});
					break;
				}

				case 'BraceExpansion': {
					// busybox ash has no brace expansion: the text stays as written.
					out.push({s: braceText(part), quoted, split: false, glob: false});
					break;
				}

				case 'ProcessSubstitution': {
					throw new ShellError('syntax error: unexpected "("');
				}
			}
		}

		return out;
	}

	async capture(body: ScriptNode, io: Io): Promise<string> {
		const child = this.subshell();
		const buffer = new BufferWriter(this.proc, MAX_CAPTURE);
		let status: number;
		try {
			status = await child.runStatements(body.statements, {stdin: io.stdin, stdout: buffer, stderr: io.stderr});
		} catch (error) {
			if (error instanceof ExitSignal) {
				status = error.code;
			} else if (error instanceof LoopSignal || error instanceof ReturnSignal) {
				status = 0;
			} else {
				throw error;
			}
		}

		this.status = status;
		return text(buffer.bytes()).replace(/\n+$/, '');
	}

	private async parameter(part: ParamPart, io: Io): Promise<string> {
		const name = part.parameter;
		const value = this.lookupVar(name);
		const op = part.operation;
		if (op === null) {
			if (value === undefined && this.nounset) {
				await writeText(io.stderr, `sh: ${name}: parameter not set\n`);
				throw new ExitSignal(2);
			}

			return value ?? '';
		}

		return this.applyOp(name, value, op, io);
	}

	nounset = false;

	lookupVar(name: string): string | undefined {
		switch (name) {
			case '?': {
				return String(this.status);
			}

			case '$': {
				return String(this.machine.pid);
			}

			case '#': {
				return String(this.positional.length);
			}

			case '0': {
				return this.scriptName;
			}

			case '!': {
				return this.lastBg;
			}

			case '-': {
				return this.errexit ? 'e' : '';
			}

			case '@':
			case '*': {
				return this.positional.join(' ');
			}

			case 'RANDOM': {
				return String(Math.floor(Math.random() * 32_768));
			}

			case 'PWD': {
				return this.cwd;
			}

			default: {
				if (/^\d+$/.test(name)) {
					return this.positional[Number(name) - 1];
				}

				return this.vars.get(name);
			}
		}
	}

	private async applyOp(name: string, value: string | undefined, op: ParamOp, io: Io): Promise<string> {
		switch (op.type) {
			case 'DefaultValue': {
				const unset = value === undefined || (op.checkEmpty && value === '');
				return unset ? this.expandString(op.word, io) : value;
			}

			case 'AssignDefault': {
				const unset = value === undefined || (op.checkEmpty && value === '');
				if (unset) {
					const next = await this.expandString(op.word, io);
					this.setVar(name, next);
					return next;
				}

				return value;
			}

			case 'UseAlternative': {
				const unset = value === undefined || (op.checkEmpty && value === '');
				return unset ? '' : this.expandString(op.word, io);
			}

			case 'ErrorIfUnset': {
				const unset = value === undefined || (op.checkEmpty && value === '');
				if (unset) {
					const message = op.word ? await this.expandString(op.word, io) : 'parameter not set';
					await writeText(io.stderr, `sh: ${name}: ${message}\n`);
					throw new ExitSignal(1);
				}

				return value;
			}

			case 'Length': {
				return String([...(value ?? '')].length);
			}

			case 'PatternRemoval': {
				const subject = value ?? '';
				const regexSource = (await this.patternRegex(op.pattern, io)).source.slice(1, -1);
				const chars = [...subject];
				if (op.side === 'prefix') {
					const lengths = op.greedy ? range(chars.length, 0) : range(0, chars.length);
					for (const length of lengths) {
						if (new RegExp(`^(?:${regexSource})$`, 's').test(chars.slice(0, length).join(''))) {
							return chars.slice(length).join('');
						}
					}

					return subject;
				}

				const starts = op.greedy ? range(0, chars.length) : range(chars.length, 0);
				for (const start of starts) {
					if (new RegExp(`^(?:${regexSource})$`, 's').test(chars.slice(start).join(''))) {
						return chars.slice(0, start).join('');
					}
				}

				return subject;
			}

			case 'PatternReplacement': {
				const subject = value ?? '';
				const regexSource = (await this.patternRegex(op.pattern, io)).source.slice(1, -1);
				const replacement = op.replacement ? await this.expandString(op.replacement, io) : '';
				const anchored = op.anchor === 'start' ? `^(?:${regexSource})` : op.anchor === 'end' ? `(?:${regexSource})$` : regexSource;
				const regex = new RegExp(anchored, op.all ? 'gs' : 's');
				return subject.replace(regex, () => replacement);
			}

			case 'Substring': {
				const chars = [...(value ?? '')];
				let offset = await this.arith(op.offset.expression, io);
				if (offset < 0) {
					offset = Math.max(0, chars.length + offset);
				}

				const length = op.length ? await this.arith(op.length.expression, io) : chars.length - offset;
				const end = length < 0 ? chars.length + length : offset + length;
				return chars.slice(offset, end).join('');
			}

			case 'CaseModification': {
				const subject = value ?? '';
				if (op.direction === 'upper') {
					return op.all ? subject.toUpperCase() : subject.charAt(0).toUpperCase() + subject.slice(1);
				}

				return op.all ? subject.toLowerCase() : subject.charAt(0).toLowerCase() + subject.slice(1);
			}

			default: {
				await writeText(io.stderr, `sh: syntax error: bad substitution\n`);
				throw new ExitSignal(2);
			}
		}
	}

	/** A shell pattern (case, ${x#p}, [[ = ]]) as an anchored RegExp. */
	async patternRegex(word: WordNode, io: Io): Promise<RegExp> {
		let source = '';
		const walk = async (parts: WordPart[], quoted: boolean): Promise<void> => {
			for (const part of parts) {
				if (part.type === 'Glob' && !quoted) {
					source += globToRegex(part.pattern);
				} else if (part.type === 'Literal' && !quoted) {
					source += globToRegex(part.value);
				} else if (part.type === 'DoubleQuoted') {
					await walk(part.parts, true);
				} else {
					const expanded = await this.expandParts([part], io, false, quoted);
					const value = expanded.map(p => p.s).join('');
					source += quoted || part.type === 'SingleQuoted' || part.type === 'Escaped' ? escapeRegex(value) : globToRegex(value);
				}
			}
		};

		await walk(word.parts, false);
		return new RegExp(`^${source}$`, 's');
	}

	private glob(pattern: string): string[] {
		const absolute = pattern.startsWith('/');
		const segments = pattern.split('/').filter(Boolean);
		let paths = [absolute ? '/' : ''];
		for (const segment of segments) {
			const next: string[] = [];
			const hasGlob = /(?<!\\)[*?[]/.test(segment);
			for (const base of paths) {
				if (!hasGlob) {
					next.push(joinPath(base, unescapeGlob(segment)));
					continue;
				}

				const dir = this.machine.fs.stat(base === '' ? '.' : base, this.cwd);
				if (dir?.kind !== 'dir') {
					continue;
				}

				const regex = new RegExp(`^${globToRegex(segment)}$`, 's');
				const names = [...dir.children.keys()].filter(name => regex.test(name) && (!name.startsWith('.') || segment.startsWith('.'))).sort();
				for (const name of names) {
					next.push(joinPath(base, name));
				}
			}

			paths = next;
		}

		return paths.filter(path => this.machine.fs.stat(path, this.cwd) !== undefined);
	}

	// ---------- arithmetic ----------

	async arith(expr: ArithExpr, io: Io): Promise<number> {
		switch (expr.type) {
			case 'ArithNumber': {
				return expr.value;
			}

			case 'ArithVariable': {
				return this.arithVar(expr.name, io);
			}

			case 'ArithSpecialVar': {
				return toInt(this.lookupVar(expr.name) ?? '0');
			}

			case 'ArithGroup':
			case 'ArithNested': {
				return this.arith(expr.expression, io);
			}

			case 'ArithUnary': {
				if (expr.operator === '++' || expr.operator === '--') {
					const name = expr.operand.type === 'ArithVariable' ? expr.operand.name : undefined;
					if (!name) {
						throw new ShellError('arithmetic syntax error');
					}

					const old = await this.arithVar(name, io);
					const next = expr.operator === '++' ? old + 1 : old - 1;
					this.setVar(name, String(next));
					return expr.prefix ? next : old;
				}

				const value = await this.arith(expr.operand, io);
				switch (expr.operator) {
					case '-': {
						return -value;
					}

					case '+': {
						return value;
					}

					case '!': {
						return value === 0 ? 1 : 0;
					}

					case '~': {
						return ~value;
					}
				}

				return value;
			}

			case 'ArithBinary': {
				if (expr.operator === '&&') {
					return (await this.arith(expr.left, io)) !== 0 && (await this.arith(expr.right, io)) !== 0 ? 1 : 0;
				}

				if (expr.operator === '||') {
					return (await this.arith(expr.left, io)) !== 0 || (await this.arith(expr.right, io)) !== 0 ? 1 : 0;
				}

				const left = await this.arith(expr.left, io);
				const right = await this.arith(expr.right, io);
				return binaryArith(expr.operator, left, right);
			}

			case 'ArithTernary': {
				return (await this.arith(expr.condition, io)) === 0 ? this.arith(expr.alternate, io) : this.arith(expr.consequent, io);
			}

			case 'ArithAssignment': {
				const value = await this.arith(expr.value, io);
				let next = value;
				if (expr.operator !== '=') {
					const old = await this.arithVar(expr.variable, io);
					next = binaryArith(expr.operator.slice(0, -1) as '+', old, value);
				}

				this.setVar(expr.variable, String(next));
				return next;
			}

			case 'ArithCommandSubst': {
				const value = await this.capture(parse(expr.command), io);
				return toInt(value);
			}

			case 'ArithBracedExpansion': {
				const script = parse(`echo \${${expr.content}}`);
				const value = await this.capture(script, io);
				return toInt(value);
			}

			case 'ArithSyntaxError': {
				throw new ShellError(`arithmetic syntax error: ${expr.message}`);
			}

			default: {
				throw new ShellError('arithmetic syntax error');
			}
		}
	}

	private async arithVar(name: string, io: Io): Promise<number> {
		const raw = this.lookupVar(name);
		if (raw === undefined || raw.trim() === '') {
			return 0;
		}

		if (/^\s*-?\d+\s*$/.test(raw)) {
			return toInt(raw);
		}

		if (/^[A-Za-z_]\w*$/.test(raw.trim()) && raw.trim() !== name) {
			return this.arithVar(raw.trim(), io);
		}

		const script = parse(`: $((${raw}))`);
		const part = script.statements[0]?.pipelines[0]?.commands[0];
		if (part?.type === 'SimpleCommand' && part.args[0]?.parts[0]?.type === 'ArithmeticExpansion') {
			return this.arith(part.args[0].parts[0].expression.expression, io);
		}

		throw new ShellError(`arithmetic syntax error: ${raw}`);
	}

	/** Wait for background jobs (the `wait` builtin). */
	async waitJobs(): Promise<number> {
		let status = 0;
		while (this.jobs.length > 0) {
			const jobs = this.jobs.splice(0);
			const results = await this.proc.wait(Promise.all(jobs), true);
			if (!results) {
				// Interrupted by a signal with a trap: 128 + 15.
				return 143;
			}

			status = results.at(-1) ?? status;
		}

		return status;
	}
}

// ---------- helpers ----------

const FIELD_BREAK = '\u0000FIELD\u0000';

function setFd(io: Io, fd: number, writer: Writer): void {
	if (fd === 1) {
		io.stdout = writer;
	} else if (fd === 2) {
		io.stderr = writer;
	}
}

function exitCodeOf(error: unknown): number {
	if (error instanceof ExitSignal) {
		return error.code;
	}

	if (error instanceof Fatal) {
		return error.result.exitCode;
	}

	return 1;
}

function loopControl(error: unknown): 'break' | 'continue' {
	if (error instanceof LoopSignal) {
		if (error.levels > 1) {
			error.levels--;
			throw error;
		}

		return error.kind;
	}

	throw error;
}

function splitIfs(value: string, ifs: string): Array<string | null> {
	// Returns pieces with null marking a field boundary.
	const out: Array<string | null> = [];
	let current = '';
	let sawSeparator = false;
	for (const ch of value) {
		if (ifs.includes(ch)) {
			if (current !== '' || !/\s/.test(ch)) {
				out.push(current, null);
				current = '';
			} else if (!sawSeparator && out.length === 0) {
				out.push(null);
			}

			sawSeparator = true;
			continue;
		}

		sawSeparator = false;
		current += ch;
	}

	if (current !== '') {
		out.push(current);
	}

	return out;
}

function escapeGlob(value: string): string {
	return value.replaceAll(/[\\*?[\]]/g, String.raw`\$&`);
}

function unescapeGlob(value: string): string {
	return value.replaceAll(/\\(.)/gs, '$1');
}

function escapeRegex(value: string): string {
	return value.replaceAll(/[\\^$.*+?()[\]{}|/]/g, String.raw`\$&`);
}

/** Glob text (with `\` escapes) to a RegExp source. */
export function globToRegex(glob: string): string {
	let out = '';
	for (let i = 0; i < glob.length; i++) {
		const ch = glob[i]!;
		if (ch === '\\' && i + 1 < glob.length) {
			out += escapeRegex(glob[++i]!);
		} else if (ch === '*') {
			out += '.*';
		} else if (ch === '?') {
			out += '.';
		} else if (ch === '[') {
			const close = glob.indexOf(']', i + 2);
			if (close === -1) {
				out += String.raw`\[`;
			} else {
				let body = glob.slice(i + 1, close);
				if (body.startsWith('!')) {
					body = '^' + body.slice(1);
				}

				out += `[${body.replaceAll('\\', '\\\\')}]`;
				i = close;
			}
		} else {
			out += escapeRegex(ch);
		}
	}

	return out;
}

function joinPath(base: string, name: string): string {
	if (base === '') {
		return name;
	}

	return base.endsWith('/') ? base + name : `${base}/${name}`;
}

function braceText(part: Extract<WordPart, {type: 'BraceExpansion'}>): string {
	const items = part.items.map(item => {
		if (item.type === 'Range') {
			return `${item.startStr ?? item.start}..${item.endStr ?? item.end}`;
		}

		return literalText(item.word);
	});
	return `{${items.join(',')}}`;
}

function literalText(word: WordNode): string {
	return word.parts
		.map(part => {
			switch (part.type) {
				case 'Literal':
				case 'SingleQuoted':
				case 'Escaped': {
					return part.value;
				}

				case 'DoubleQuoted': {
					return literalText({type: 'Word', parts: part.parts});
				}

				case 'Glob': {
					return part.pattern;
				}

				case 'ParameterExpansion': {
					return `$${part.parameter}`;
				}

				default: {
					return '';
				}
			}
		})
		.join('');
}

function range(from: number, to: number): number[] {
	const out: number[] = [];
	if (from <= to) {
		for (let i = from; i <= to; i++) {
			out.push(i);
		}
	} else {
		for (let i = from; i >= to; i--) {
			out.push(i);
		}
	}

	return out;
}

function toInt(value: string): number {
	const trimmed = value.trim();
	if (trimmed === '') {
		return 0;
	}

	if (/^-?0x[\da-f]+$/i.test(trimmed)) {
		return Number.parseInt(trimmed, 16);
	}

	const number = Number.parseInt(trimmed, 10);
	if (Number.isNaN(number)) {
		throw new ShellError(`arithmetic syntax error: ${trimmed}`);
	}

	return number;
}

function binaryArith(operator: string, left: number, right: number): number {
	switch (operator) {
		case '+': {
			return left + right;
		}

		case '-': {
			return left - right;
		}

		case '*': {
			return left * right;
		}

		case '/':
		case '%': {
			if (right === 0) {
				throw new ShellError('arithmetic syntax error: divide by zero');
			}

			return operator === '/' ? Math.trunc(left / right) : left % right;
		}

		case '**': {
			return left ** right;
		}

		case '<<': {
			return left << right;
		}

		case '>>': {
			return left >> right;
		}

		case '<': {
			return left < right ? 1 : 0;
		}

		case '<=': {
			return left <= right ? 1 : 0;
		}

		case '>': {
			return left > right ? 1 : 0;
		}

		case '>=': {
			return left >= right ? 1 : 0;
		}

		case '==': {
			return left === right ? 1 : 0;
		}

		case '!=': {
			return left === right ? 0 : 1;
		}

		case '&': {
			return left & right;
		}

		case '|': {
			return left | right;
		}

		case '^': {
			return left ^ right;
		}

		case ',': {
			return right;
		}

		default: {
			throw new ShellError('arithmetic syntax error');
		}
	}
}

export function baseName(path: string): string {
	return path.split('/').pop() ?? path;
}

function isIncomplete(error: unknown): boolean {
	const token = (error as {token?: {type?: string}} | undefined)?.token;
	const message = error instanceof Error ? error.message : '';
	return token?.type === 'EOF' || /unexpected EOF|got EOF/.test(message);
}

function cleanParseError(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	return message.split('\n')[0]!.replace(/^Parse error[^:]*:\s*/i, '');
}

// ---------- test / [ ----------

export function testUnary(shell: Shell, operator: string, operand: string): boolean | undefined {
	switch (operator) {
		case '-z': {
			return operand === '';
		}

		case '-n': {
			return operand !== '';
		}

		case '-e':
		case '-a': {
			return shell.machine.fs.stat(operand, shell.cwd) !== undefined;
		}

		case '-f': {
			return shell.machine.fs.stat(operand, shell.cwd)?.kind === 'file';
		}

		case '-d': {
			return shell.machine.fs.stat(operand, shell.cwd)?.kind === 'dir';
		}

		case '-s': {
			const node = shell.machine.fs.stat(operand, shell.cwd);
			return node?.kind === 'dir' || (node?.kind === 'file' && node.size > 0);
		}

		case '-r':
		case '-w':
		case '-x': {
			const node = shell.machine.fs.stat(operand, shell.cwd);
			if (!node) {
				return false;
			}

			if (operator === '-x') {
				return node.kind === 'dir' || (node.mode & 0o111) !== 0;
			}

			return true;
		}

		case '-L':
		case '-h':
		case '-p':
		case '-S':
		case '-b':
		case '-c': {
			return false;
		}

		case '-t': {
			return false;
		}

		default: {
			return undefined;
		}
	}
}

export function testBinary(shell: Shell, operator: string, left: string, right: string): boolean | undefined {
	const numeric = (): [number, number] | undefined => {
		if (!/^\s*-?\d+\s*$/.test(left) || !/^\s*-?\d+\s*$/.test(right)) {
			return undefined;
		}

		return [Number.parseInt(left, 10), Number.parseInt(right, 10)];
	};

	switch (operator) {
		case '=':
		case '==': {
			return left === right;
		}

		case '!=': {
			return left !== right;
		}

		case '<': {
			return left < right;
		}

		case '>': {
			return left > right;
		}

		case '-eq':
		case '-ne':
		case '-lt':
		case '-le':
		case '-gt':
		case '-ge': {
			const pair = numeric();
			if (!pair) {
				throw new ShellError(`${/^\s*-?\d+\s*$/.test(left) ? right : left}: bad number`);
			}

			const [a, b] = pair;
			return {'-eq': a === b, '-ne': a !== b, '-lt': a < b, '-le': a <= b, '-gt': a > b, '-ge': a >= b}[operator];
		}

		case '-nt':
		case '-ot': {
			const a = shell.machine.fs.stat(left, shell.cwd);
			const b = shell.machine.fs.stat(right, shell.cwd);
			if (!a || !b) {
				return false;
			}

			return operator === '-nt' ? a.mtime > b.mtime : a.mtime < b.mtime;
		}

		default: {
			return undefined;
		}
	}
}

// ---------- builtins ----------

type Builtin = (shell: Shell, argv: string[], io: Io) => Promise<number>;

const SPECIAL_BUILTINS = new Set([':', 'exit', 'export', 'set', 'trap', 'shift', 'unset', 'eval', '.', 'return', 'break', 'continue', 'readonly', 'exec', 'local']);

const BUILTINS: Record<string, Builtin> = {
	async ':'() {
		return 0;
	},
	async exit(shell, argv) {
		const code = argv[1] === undefined ? shell.status : Number.parseInt(argv[1], 10) & 255;
		throw new ExitSignal(Number.isNaN(code) ? 2 : code);
	},
	async return(shell, argv) {
		throw new ReturnSignal(argv[1] === undefined ? shell.status : Number.parseInt(argv[1], 10) & 255);
	},
	async break(shell, argv) {
		if (shell.loopDepth === 0) {
			return 0;
		}

		throw new LoopSignal('break', Number.parseInt(argv[1] ?? '1', 10) || 1);
	},
	async continue(shell, argv) {
		if (shell.loopDepth === 0) {
			return 0;
		}

		throw new LoopSignal('continue', Number.parseInt(argv[1] ?? '1', 10) || 1);
	},
	async export(shell, argv, io) {
		const names = argv.slice(1).filter(arg => arg !== '-p');
		if (names.length === 0) {
			for (const [name, value] of [...shell.env()].sort(([a], [b]) => (a < b ? -1 : 1))) {
				await writeText(io.stdout, `export ${name}='${value.replaceAll('\'', String.raw`'\''`)}'\n`);
			}

			return 0;
		}

		for (const arg of names) {
			const eq = arg.indexOf('=');
			const name = eq === -1 ? arg : arg.slice(0, eq);
			if (eq !== -1) {
				shell.setVar(name, arg.slice(eq + 1));
			}

			shell.exported.add(name);
		}

		return 0;
	},
	async readonly(shell, argv) {
		for (const arg of argv.slice(1)) {
			const eq = arg.indexOf('=');
			if (eq !== -1) {
				shell.setVar(arg.slice(0, eq), arg.slice(eq + 1));
			}
		}

		return 0;
	},
	async local(shell, argv) {
		for (const arg of argv.slice(1)) {
			const eq = arg.indexOf('=');
			const name = eq === -1 ? arg : arg.slice(0, eq);
			shell.declareLocal(name);
			shell.setVar(name, eq === -1 ? (shell.vars.get(name) ?? '') : arg.slice(eq + 1));
		}

		return 0;
	},
	async unset(shell, argv) {
		for (const name of argv.slice(1)) {
			if (name === '-v') {
				continue;
			}

			if (name === '-f') {
				continue;
			}

			shell.vars.delete(name);
			shell.functions.delete(name);
			shell.exported.delete(name);
		}

		return 0;
	},
	async set(shell, argv, io) {
		if (argv.length === 1) {
			for (const [name, value] of [...shell.vars].sort(([a], [b]) => (a < b ? -1 : 1))) {
				await writeText(io.stdout, `${name}='${value}'\n`);
			}

			return 0;
		}

		let i = 1;
		for (; i < argv.length; i++) {
			const arg = argv[i]!;
			if (arg === '--') {
				i++;
				shell.positional = argv.slice(i);
				return 0;
			}

			if (/^[-+][a-z]+$/.test(arg)) {
				const on = arg.startsWith('-');
				for (const flag of arg.slice(1)) {
					if (flag === 'e') {
						shell.errexit = on;
					} else if (flag === 'u') {
						shell.nounset = on;
					}
				}

				continue;
			}

			if (arg === '-o' || arg === '+o') {
				i++;
				continue;
			}

			shell.positional = argv.slice(i);
			return 0;
		}

		return 0;
	},
	async shift(shell, argv) {
		const count = Number.parseInt(argv[1] ?? '1', 10);
		if (count > shell.positional.length) {
			return 1;
		}

		shell.positional = shell.positional.slice(count);
		return 0;
	},
	async trap(shell, argv, io) {
		if (argv.length === 1) {
			for (const [signal, action] of shell.traps) {
				await writeText(io.stdout, `trap -- '${action}' ${signal}\n`);
			}

			return 0;
		}

		let action: string | undefined = argv[1]!;
		let signals = argv.slice(2);
		if (/^\d+$/.test(action) && signals.length === 0) {
			signals = [action];
			action = undefined;
		}

		if (action === '-') {
			action = undefined;
		}

		for (const raw of signals) {
			const signal = normaliseSignal(raw);
			if (!signal) {
				await writeText(io.stderr, `sh: trap: ${raw}: invalid signal specification\n`);
				return 1;
			}

			if (action === undefined) {
				shell.traps.delete(signal);
			} else {
				shell.traps.set(signal, action);
			}

			if (signal === 'TERM' && shell.isMain) {
				shell.proc.hasTermTrap = action !== undefined;
			}
		}

		return 0;
	},
	async eval(shell, argv, io) {
		const source = argv.slice(1).join(' ');
		let script: ScriptNode;
		try {
			script = parse(source);
		} catch (error) {
			await writeText(io.stderr, `sh: syntax error: ${cleanParseError(error)}\n`);
			return 2;
		}

		return shell.runStatements(script.statements, io);
	},
	async '.'(shell, argv, io) {
		const path = argv[1];
		if (!path) {
			return 0;
		}

		let source: string;
		try {
			source = text(shell.machine.fs.readFile(path, shell.cwd));
		} catch {
			await writeText(io.stderr, `sh: .: can't open '${path}'\n`);
			throw new ExitSignal(2);
		}

		return shell.runStatements(parse(source).statements, io);
	},
	async exec(shell, argv, io) {
		if (argv.length === 1) {
			return 0;
		}

		const code = await shell.invoke(argv.slice(1), io);
		throw new ExitSignal(code);
	},
	async cd(shell, argv, io) {
		const target = argv[1] ?? shell.vars.get('HOME') ?? '/';
		const node = shell.machine.fs.stat(target, shell.cwd);
		if (node?.kind !== 'dir') {
			await writeText(io.stderr, `sh: cd: can't cd to ${target}: ${node ? 'Not a directory' : 'No such file or directory'}\n`);
			return 2;
		}

		shell.cwd = normalisePath(target, shell.cwd);
		return 0;
	},
	async pwd(shell, _argv, io) {
		await writeText(io.stdout, shell.cwd + '\n');
		return 0;
	},
	async wait(shell) {
		return shell.waitJobs();
	},
	async read(shell, argv, io) {
		// Options with a value (-t TIMEOUT, -p PROMPT, -n COUNT, -d DELIM) are skipped, not variables.
		const names: string[] = [];
		let raw = false;
		for (let i = 1; i < argv.length; i++) {
			const arg = argv[i]!;
			if (/^-[tpnud]$/.test(arg)) {
				if (arg === '-p') {
					await writeText(io.stderr, argv[i + 1] ?? '');
				}

				i++;
			} else if (arg.startsWith('-')) {
				raw ||= arg.includes('r');
			} else {
				names.push(arg);
			}
		}

		let line = await io.stdin.readLine(shell.proc);
		if (line === null) {
			for (const name of names) {
				shell.setVar(name, '');
			}

			return 1;
		}

		if (!raw) {
			line = line.replaceAll(/\\(.)/g, '$1');
		}

		const targets = names.length === 0 ? ['REPLY'] : names;
		const ifs = shell.vars.get('IFS') ?? ' \t\n';
		let rest = line.replace(new RegExp(`^[${escapeRegex(ifs.replaceAll(/\S/g, ''))}]+`), '');
		for (let i = 0; i < targets.length; i++) {
			const name = targets[i]!;
			if (i === targets.length - 1) {
				shell.setVar(name, rest.replace(/\s+$/, ''));
				break;
			}

			const match = new RegExp(`^([^${escapeRegex(ifs)}]*)[${escapeRegex(ifs)}]*`).exec(rest);
			shell.setVar(name, match?.[1] ?? '');
			rest = rest.slice(match?.[0].length ?? rest.length);
		}

		return 0;
	},
	async command(shell, argv, io) {
		const args = argv.slice(1).filter(arg => arg !== '-v' && arg !== '-p');
		if (argv[1] === '-v') {
			const name = args[0] ?? '';
			if (BUILTINS[name] || shell.functions.has(name)) {
				await writeText(io.stdout, name + '\n');
				return 0;
			}

			if (shell.machine.lookup(name)) {
				await writeText(io.stdout, (name.includes('/') ? name : `/bin/${name}`) + '\n');
				return 0;
			}

			return 127;
		}

		if (args.length === 0) {
			return 0;
		}

		return shell.invoke(args, io);
	},
	async type(shell, argv, io) {
		let status = 0;
		for (const name of argv.slice(1)) {
			if (shell.functions.has(name)) {
				await writeText(io.stdout, `${name} is a function\n`);
			} else if (BUILTINS[name]) {
				await writeText(io.stdout, `${name} is a shell builtin\n`);
			} else if (shell.machine.lookup(name)) {
				await writeText(io.stdout, `${name} is /bin/${name}\n`);
			} else {
				await writeText(io.stdout, `${name}: not found\n`);
				status = 127;
			}
		}

		return status;
	},
};

function normaliseSignal(raw: string): string | undefined {
	const upper = raw.toUpperCase().replace(/^SIG/, '');
	const numbers: Record<string, string> = {'0': 'EXIT', '1': 'HUP', '2': 'INT', '3': 'QUIT', '9': 'KILL', '15': 'TERM', '10': 'USR1', '12': 'USR2'};
	const name = numbers[upper] ?? upper;
	return ['EXIT', 'HUP', 'INT', 'QUIT', 'TERM', 'USR1', 'USR2', 'KILL', 'CHLD', 'PIPE', 'ALRM'].includes(name) ? name : undefined;
}

export {ExitSignal, ReturnSignal, LoopSignal};
