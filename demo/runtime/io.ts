// Byte streams between sandboxed commands: writers (sink, file, pipe, buffer, null) and a
// buffered reader with line reading. Pipes have a high-water mark so a fast producer waits for a
// slow consumer, and a closed reader turns writes into BrokenPipe (SIGPIPE).

import {BrokenPipe, Fatal, type Proc} from './proc.js';
import {type FileNode, type FsView} from './vfs.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const utf8 = (text: string): Uint8Array => encoder.encode(text);
export const text = (bytes: Uint8Array): string => decoder.decode(bytes);

export type Writer = {
	/** Returns a promise only when the caller must wait (a full pipe). */
	write(chunk: Uint8Array): void | Promise<void>;
};

export async function writeText(writer: Writer, value: string): Promise<void> {
	if (value.length > 0) {
		await writer.write(utf8(value));
	}
}

export const nullWriter: Writer = {
	write() {
		// Discard.
	},
};

export class SinkWriter implements Writer {
	constructor(
		private readonly proc: Proc,
		private readonly emit: (chunk: Uint8Array) => void,
	) {}

	write(chunk: Uint8Array): void {
		if (chunk.length === 0) {
			return;
		}

		this.proc.countOutput(chunk.length);
		// The sink may keep the chunk: hand over a copy the interpreter will not touch again.
		this.emit(chunk.slice());
	}
}

export class FileWriter implements Writer {
	constructor(
		private readonly fs: FsView,
		private readonly file: FileNode,
	) {}

	write(chunk: Uint8Array): void {
		this.fs.append(this.file, chunk);
	}
}

export class BufferWriter implements Writer {
	private readonly chunks: Uint8Array[] = [];
	size = 0;

	constructor(
		private readonly proc: Proc,
		private readonly max: number,
	) {}

	write(chunk: Uint8Array): void {
		this.size += chunk.length;
		if (this.size > this.max) {
			this.proc.kill({
				exitCode: 137,
				reason: 'OOMKilled',
				signal: 9,
				message: `memory limit reached: a command substitution captured more than ${this.max} bytes (memoryBytes limit)`,
			});
			this.proc.tick();
		}

		this.chunks.push(chunk.slice());
	}

	bytes(): Uint8Array {
		const out = new Uint8Array(this.size);
		let offset = 0;
		for (const chunk of this.chunks) {
			out.set(chunk, offset);
			offset += chunk.length;
		}

		return out;
	}
}

export type Source = {
	/** Next chunk, or null at end of input. */
	read(): Promise<Uint8Array | null>;
	/** The reader no longer wants data (writers get BrokenPipe). */
	close?(): void;
};

export const emptySource: Source = {
	async read() {
		return null;
	},
};

export function bytesSource(data: Uint8Array): Source {
	let done = false;
	return {
		async read() {
			if (done || data.length === 0) {
				return null;
			}

			done = true;
			return data;
		},
	};
}

export function iterableSource(proc: Proc, iterable: AsyncIterable<Uint8Array>): Source {
	const iterator = iterable[Symbol.asyncIterator]();
	return {
		async read() {
			const next = await proc.wait(iterator.next());
			if (!next || next.done) {
				return null;
			}

			return next.value;
		},
		close() {
			iterator.return?.().catch(() => undefined);
		},
	};
}

const PIPE_HIGH_WATER = 64 * 1024;

export class Pipe implements Writer, Source {
	private readonly chunks: Uint8Array[] = [];
	private buffered = 0;
	private ended = false;
	private readerGone = false;
	private wakeReader: (() => void) | undefined;
	/** Several writers may share a pipe (`{ a & b; } | c`): wake them all. */
	private readonly wakeWriters = new Set<() => void>();

	constructor(private readonly proc: Proc) {}

	write(chunk: Uint8Array): void | Promise<void> {
		if (this.readerGone) {
			throw new BrokenPipe();
		}

		if (chunk.length === 0) {
			return;
		}

		this.chunks.push(chunk.slice());
		this.buffered += chunk.length;
		this.wakeReader?.();
		if (this.buffered > PIPE_HIGH_WATER) {
			return this.waitDrained();
		}
	}

	private async waitDrained(): Promise<void> {
		while (this.buffered > PIPE_HIGH_WATER && !this.readerGone) {
			let wake: (() => void) | undefined;
			try {
				await this.proc.wait(new Promise<void>(resolve => {
					wake = resolve;
					this.wakeWriters.add(resolve);
				}));
			} finally {
				this.wakeWriters.delete(wake!);
			}
		}

		if (this.readerGone) {
			throw new BrokenPipe();
		}
	}

	/** Writer side finished. */
	end(): void {
		this.ended = true;
		this.wakeReader?.();
	}

	async read(): Promise<Uint8Array | null> {
		while (this.chunks.length === 0) {
			if (this.ended || this.readerGone) {
				return null;
			}

			await this.proc.wait(new Promise<void>(resolve => {
				this.wakeReader = resolve;
			}));
		}

		const chunk = this.chunks.shift()!;
		this.buffered -= chunk.length;
		if (this.buffered <= PIPE_HIGH_WATER) {
			this.wakeAllWriters();
		}

		return chunk;
	}

	close(): void {
		this.readerGone = true;
		this.chunks.length = 0;
		this.buffered = 0;
		this.wakeAllWriters();
	}

	private wakeAllWriters(): void {
		for (const wake of [...this.wakeWriters]) {
			wake();
		}
	}
}

/** A Source with a pushback buffer, for line-oriented readers (`read`, `head`, `grep`). */
export class InStream implements Source {
	private pending: Uint8Array | undefined;
	private eof = false;

	constructor(private readonly source: Source) {}

	async read(): Promise<Uint8Array | null> {
		if (this.pending) {
			const chunk = this.pending;
			this.pending = undefined;
			return chunk;
		}

		if (this.eof) {
			return null;
		}

		const chunk = await this.source.read();
		if (chunk === null) {
			this.eof = true;
		}

		return chunk;
	}

	unread(chunk: Uint8Array): void {
		if (chunk.length > 0) {
			this.pending = this.pending ? concat([chunk, this.pending]) : chunk;
		}
	}

	/** Next line without its newline, or null at end of input. A line past the memory limit kills `proc`. */
	async readLine(proc: Proc): Promise<string | null> {
		const parts: Uint8Array[] = [];
		let size = 0;
		for (;;) {
			const chunk = await this.read();
			if (chunk === null) {
				return parts.length > 0 ? text(concat(parts)) : null;
			}

			const nl = chunk.indexOf(10);
			if (nl === -1) {
				parts.push(chunk);
				size += chunk.length;
				guardMemory(proc, size, 'a line of input');
				continue;
			}

			parts.push(chunk.subarray(0, nl));
			this.unread(chunk.subarray(nl + 1));
			return text(concat(parts));
		}
	}

	/** All remaining input (`sort`, `wc`, `tail` of stdin...); past the memory limit it kills `proc`. */
	async readAll(proc: Proc): Promise<Uint8Array> {
		const parts: Uint8Array[] = [];
		let size = 0;
		for (;;) {
			const chunk = await this.read();
			if (chunk === null) {
				return concat(parts);
			}

			parts.push(chunk);
			size += chunk.length;
			guardMemory(proc, size, 'buffered input');
		}
	}

	close(): void {
		this.source.close?.();
	}
}

/** `yes | sort` must not take the server's memory: buffered input counts against memoryBytes. */
function guardMemory(proc: Proc, size: number, what: string): void {
	if (size > proc.limits.memoryBytes) {
		proc.kill({
			exitCode: 137,
			reason: 'OOMKilled',
			signal: 9,
			message: `memory limit reached: ${what} grew past ${proc.limits.memoryBytes} bytes (memoryBytes limit)`,
		});
		throw new Fatal(proc.dead!);
	}
}

export function concat(parts: Uint8Array[]): Uint8Array {
	if (parts.length === 1) {
		return parts[0]!;
	}

	let size = 0;
	for (const part of parts) {
		size += part.length;
	}

	const out = new Uint8Array(size);
	let offset = 0;
	for (const part of parts) {
		out.set(part, offset);
		offset += part.length;
	}

	return out;
}
