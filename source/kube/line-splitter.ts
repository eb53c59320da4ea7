// Splits a byte stream into lines. Works on bytes, not strings, so that a UTF-8 character split
// across two chunks is decoded whole, and decodes each line once.

/** Appended to a line cut at the byte cap. */
export const cutMarker = ' [… line cut at 64 KiB]';
export const defaultMaxLineBytes = 64 * 1024;

export class LineSplitter {
	private pending: Buffer | undefined;
	/** The current line was cut: discard bytes until the next newline. */
	private discarding = false;

	constructor(
		private readonly onLine: (line: string) => void,
		private readonly maxLineBytes = defaultMaxLineBytes,
	) {}

	push(chunk: Buffer): void {
		let start = 0;
		let newline = chunk.indexOf(10);
		if (this.pending !== undefined && newline !== -1) {
			// Finish the line begun in an earlier chunk.
			const head = this.pending;
			this.pending = undefined;
			if (this.discarding) {
				this.discarding = false;
			} else {
				this.emitBytes(Buffer.concat([head, chunk.subarray(0, newline)]));
			}
			start = newline + 1;
			newline = chunk.indexOf(10, start);
		} else if (this.discarding && newline !== -1) {
			this.discarding = false;
			start = newline + 1;
			newline = chunk.indexOf(10, start);
		}
		while (newline !== -1) {
			let end = newline;
			if (end > start && chunk[end - 1] === 13) end--;
			if (end - start > this.maxLineBytes) {
				this.onLine(cutUtf8(chunk.subarray(start, start + this.maxLineBytes)) + cutMarker);
			} else {
				this.onLine(chunk.toString('utf8', start, end));
			}
			start = newline + 1;
			newline = chunk.indexOf(10, start);
		}
		if (start < chunk.length) {
			if (this.discarding) return;
			const rest = chunk.subarray(start);
			this.pending = this.pending === undefined ? Buffer.from(rest) : Buffer.concat([this.pending, rest]);
			if (this.pending.length > this.maxLineBytes) {
				this.onLine(cutUtf8(this.pending.subarray(0, this.maxLineBytes)) + cutMarker);
				this.pending = Buffer.alloc(0);
				this.discarding = true;
			}
		}
	}

	/** End of stream: a final line without newline is still a line. */
	end(): void {
		const rest = this.pending;
		this.pending = undefined;
		const wasDiscarding = this.discarding;
		this.discarding = false;
		if (rest !== undefined && rest.length > 0 && !wasDiscarding) this.emitBytes(rest);
	}

	private emitBytes(bytes: Buffer): void {
		let end = bytes.length;
		if (end > 0 && bytes[end - 1] === 13) end--;
		if (end > this.maxLineBytes) {
			this.onLine(cutUtf8(bytes.subarray(0, this.maxLineBytes)) + cutMarker);
		} else {
			this.onLine(bytes.toString('utf8', 0, end));
		}
	}
}

/** Decodes bytes cut at an arbitrary point without leaving half a character. */
function cutUtf8(bytes: Buffer): string {
	let end = bytes.length;
	// Step back over continuation bytes (10xxxxxx) and the lead byte they belong to.
	let back = 0;
	while (back < 4 && end - back - 1 >= 0 && ((bytes[end - back - 1] ?? 0) & 0xc0) === 0x80) back++;
	if (end - back - 1 >= 0) {
		const lead = bytes[end - back - 1] ?? 0;
		const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
		if (need > back + 1) end = end - back - 1;
	}
	return bytes.toString('utf8', 0, end);
}
