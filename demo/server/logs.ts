// Per-container-instance log buffers (bounded), with live followers. Lines are stamped on
// arrival with an RFC3339 timestamp carrying 9-digit nanoseconds, as the kubelet's CRI logs are.

export type LogEntry = {ns: bigint; text: string};

const baseNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
let lastNs = 0n;

/** Monotonic wall-clock nanoseconds. */
export function nowNs(): bigint {
	let ns = process.hrtime.bigint() + baseNs;
	if (ns <= lastNs) ns = lastNs + 1n;
	lastNs = ns;
	return ns;
}

export function formatNs(ns: bigint): string {
	const ms = Number(ns / 1_000_000n);
	const frac = String(ns % 1_000_000_000n).padStart(9, '0');
	return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}

export function parseRfc3339Ns(text: string): bigint | undefined {
	const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
	if (!m) return undefined;
	const secs = Date.parse(`${m[1]}${m[3]}`);
	if (Number.isNaN(secs)) return undefined;
	return BigInt(secs) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

type Follower = {onLines(entries: LogEntry[]): void; onEnd(): void};

export class InstanceLog {
	private entries: LogEntry[] = [];
	private start = 0;
	private bytes = 0;
	private pending = '';
	private readonly decoder = new TextDecoder();
	private readonly followers = new Set<Follower>();
	ended = false;

	constructor(private readonly maxBytes = 2 * 1024 * 1024) {}

	write(chunk: Uint8Array): void {
		if (this.ended) return;
		const text = this.pending + this.decoder.decode(chunk, {stream: true});
		const lastNl = text.lastIndexOf('\n');
		if (lastNl < 0) {
			// Like containerd's 16 KiB line reader: a very long line is logged in partial pieces.
			if (text.length >= 16384) this.append([{ns: nowNs(), text}]);
			else this.pending = text;
			return;
		}
		this.pending = text.slice(lastNl + 1);
		const ns = nowNs();
		const fresh: LogEntry[] = [];
		let from = 0;
		while (from <= lastNl) {
			const nl = text.indexOf('\n', from);
			fresh.push({ns, text: text.slice(from, nl + 1)});
			from = nl + 1;
		}
		this.append(fresh);
	}

	private append(fresh: LogEntry[]): void {
		for (const e of fresh) {
			this.entries.push(e);
			this.bytes += e.text.length;
		}
		while (this.bytes > this.maxBytes && this.start < this.entries.length) {
			this.bytes -= this.entries[this.start]!.text.length;
			this.start++;
		}
		if (this.start > 4096 && this.start > this.entries.length / 2) {
			this.entries = this.entries.slice(this.start);
			this.start = 0;
		}
		for (const f of this.followers) f.onLines(fresh);
	}

	/** The instance stopped: flush a partial last line and end every follow with EOF. */
	end(): void {
		if (this.ended) return;
		const rest = this.pending + this.decoder.decode();
		this.pending = '';
		if (rest) this.append([{ns: nowNs(), text: rest}]);
		this.ended = true;
		for (const f of this.followers) f.onEnd();
		this.followers.clear();
	}

	snapshot(): LogEntry[] {
		return this.entries.slice(this.start);
	}

	follow(f: Follower): () => void {
		if (this.ended) {
			f.onEnd();
			return () => {};
		}
		this.followers.add(f);
		return () => this.followers.delete(f);
	}
}

export type LogQuery = {timestamps: boolean; tailLines?: number; sinceNs?: bigint; limitBytes?: number};

export function selectEntries(entries: LogEntry[], q: LogQuery): LogEntry[] {
	let out = entries;
	if (q.sinceNs !== undefined) {
		const since = q.sinceNs;
		out = out.filter(e => e.ns >= since);
	}
	if (q.tailLines !== undefined) out = q.tailLines <= 0 ? [] : out.slice(-q.tailLines);
	return out;
}

export function renderEntries(entries: LogEntry[], timestamps: boolean): string {
	if (!timestamps) return entries.map(e => e.text).join('');
	let out = '';
	for (const e of entries) out += `${formatNs(e.ns)} ${e.text}`;
	return out;
}
