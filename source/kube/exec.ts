// One-shot command execution over client-node's WebSocket Exec (it offers the v5 and v4 channel
// subprotocols), collecting output up to a byte cap, with a timeout, and with the outcome read
// from the channel-3 Status — or from the socket closing, since the status callback never fires
// when the server closes first (client-node #714).
import {Readable, Writable} from 'node:stream';
import {Exec} from '@kubernetes/client-node';
import type {KubeConfig, V1Pod, V1Status} from '@kubernetes/client-node';
// Not re-exported by the package index; the package has no "exports" map, so the path is public.
import {WebSocketHandler} from '@kubernetes/client-node/dist/web-socket-handler.js';
import type {WebSocketInterface} from '@kubernetes/client-node/dist/web-socket-handler.js';
import {classifyError, describeError, visible} from './errors.js';
import {transportConfig} from './transport.js';
import type {Transport} from './transport.js';
import type {ExecOutcome} from './types.js';

export type ExecRequest = {
	namespace: string;
	pod: string;
	container: string;
	argv: string[];
	timeoutMs?: number;
	maxBytes?: number;
	server: string;
	context?: string;
	/** Used to look at the pod when the handshake fails, to explain why. */
	transport?: Transport;
};

class Collector extends Writable {
	chunks: Buffer[] = [];
	size = 0;
	truncated = false;
	constructor(private readonly limit: number) {
		super();
	}
	override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
		const room = this.limit - this.size;
		if (room <= 0) {
			if (chunk.length > 0) this.truncated = true;
		} else if (chunk.length > room) {
			this.chunks.push(Buffer.from(chunk.subarray(0, room)));
			this.size += room;
			this.truncated = true;
		} else {
			this.chunks.push(Buffer.from(chunk));
			this.size += chunk.length;
		}
		callback();
	}
	bytes(): Uint8Array {
		return new Uint8Array(Buffer.concat(this.chunks));
	}
}

type SocketLike = {
	on?(event: 'close', listener: (code: number, reason: Buffer) => void): unknown;
	close(): void;
	terminate?(): void;
};

function exitCodeOf(status: V1Status): number | undefined {
	if (status.status === 'Success') return 0;
	if (status.reason !== 'NonZeroExitCode') return undefined;
	const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
	const code = Number(cause?.message);
	return Number.isInteger(code) ? code : undefined;
}

/** Maps a runtime failure reported on channel 3 to an outcome. */
export function outcomeFromStatusFailure(status: V1Status, request: Pick<ExecRequest, 'pod' | 'container' | 'argv'>): ExecOutcome {
	const message = (status.message ?? 'the command failed').trim();
	const program = request.argv[0] ?? '';
	if (/executable file not found|no such file or directory|not found in \$PATH/i.test(message)) {
		return {
			kind: 'error',
			reason: 'not-found',
			message: `The program "${program}" does not exist in container "${request.container}" of pod "${request.pod}" (${message}). Minimal images often lack tools such as ls or cat.`,
		};
	}
	if (/not running|container not found|is terminated|is waiting|stopped state|not created/i.test(message)) {
		return {
			kind: 'error',
			reason: 'not-running',
			message: `Container "${request.container}" of pod "${request.pod}" is not running, so nothing can be run in it (${message}).`,
		};
	}
	return {kind: 'error', reason: 'other', message: `Error from server (${status.reason ?? 'InternalError'}): ${message}`};
}

async function explainHandshakeFailure(error: unknown, request: ExecRequest): Promise<ExecOutcome> {
	const info = classifyError(error);
	const errorContext = {server: request.server, context: request.context};
	if (info.kind === 'forbidden') {
		return {
			kind: 'error',
			reason: 'forbidden',
			message: `Error from server (Forbidden): you may not run commands in pod "${request.pod}": your user lacks the "create" permission on "pods/exec" in namespace "${request.namespace}". Ask a cluster admin to grant it (\`kubectl auth can-i create pods/exec -n ${request.namespace}\` checks it).`,
		};
	}
	if ((info.kind === 'not-found' || info.kind === 'bad-request') && request.transport) {
		// The handshake error carries no body: look at the pod to say what is wrong.
		let pod: V1Pod | undefined;
		try {
			pod = await request.transport.getJson<V1Pod>(
				`/api/v1/namespaces/${encodeURIComponent(request.namespace)}/pods/${encodeURIComponent(request.pod)}`,
			);
		} catch (podError) {
			return {kind: 'error', reason: 'other', message: describeError(podError, errorContext)};
		}
		const names = (pod.spec?.containers ?? []).map((c) => c.name);
		if (!names.includes(request.container)) {
			return {
				kind: 'error',
				reason: 'other',
				message: `Error from server (BadRequest): container ${request.container} is not valid for pod ${request.pod}; choose one of: ${names.join(', ')}.`,
			};
		}
		const cs = pod.status?.containerStatuses?.find((s) => s.name === request.container);
		if (!cs?.state?.running) {
			const why = cs?.state?.waiting?.reason ?? (cs?.state?.terminated ? `terminated: ${cs.state.terminated.reason ?? 'exit ' + cs.state.terminated.exitCode}` : 'not started');
			return {
				kind: 'error',
				reason: 'not-running',
				message: `Container "${request.container}" of pod "${request.pod}" is not running (${why}), so nothing can be run in it.`,
			};
		}
	}
	if (info.kind === 'timeout') {
		return {kind: 'error', reason: 'timeout', message: describeError(error, errorContext)};
	}
	return {kind: 'error', reason: 'other', message: describeError(error, errorContext)};
}

/**
 * client-node's handler throws inside the socket's message event on a channel it does not know
 * (that would crash the process) and, on a channel-close frame, ends its default streams, which
 * are process.stdout/stderr. Give it inert streams and ignore channels above 3.
 */
function guardedHandler(kc: KubeConfig): WebSocketInterface {
	const sink = () => new Writable({write: (_chunk, _encoding, callback) => callback()});
	const handler = new WebSocketHandler(kc, undefined, {stdin: Readable.from([]), stdout: sink(), stderr: sink()});
	return {
		connect: (path, textHandler, binaryHandler) =>
			handler.connect(
				path,
				textHandler,
				binaryHandler &&
					((channel, data) => {
						if (channel > 3) return true;
						try {
							return binaryHandler(channel, data);
						} catch {
							return true;
						}
					}),
			),
	};
}

export async function execInContainer(kc: KubeConfig, request: ExecRequest): Promise<ExecOutcome> {
	const timeoutMs = request.timeoutMs ?? 10_000;
	const maxBytes = request.maxBytes ?? 1024 * 1024;
	const stdout = new Collector(maxBytes);
	const stderr = new Collector(maxBytes);
	// client-node ends these streams on the status frame; a late frame must not become an
	// unhandled 'write after end' error.
	stdout.on('error', () => {});
	stderr.on('error', () => {});
	const config = transportConfig(kc);
	const exec = new Exec(config, guardedHandler(config));
	let socket: SocketLike | undefined;
	let timer: NodeJS.Timeout | undefined;
	let settled = false;

	return new Promise<ExecOutcome>((resolve) => {
		const finish = (outcome: ExecOutcome) => {
			if (settled) return;
			if (outcome.kind === 'error') outcome = {...outcome, message: visible(outcome.message)};
			settled = true;
			if (timer !== undefined) clearTimeout(timer);
			if (socket) {
				try {
					if (socket.terminate) socket.terminate();
					else socket.close();
				} catch {
					// already closed
				}
			}
			resolve(outcome);
		};
		const exited = (exitCode: number) =>
			finish({kind: 'exited', exitCode, stdout: stdout.bytes(), stderr: stderr.bytes(), truncated: stdout.truncated || stderr.truncated});

		timer = setTimeout(() => {
			finish({
				kind: 'error',
				reason: 'timeout',
				message: `The command \`${request.argv.join(' ')}\` in container "${request.container}" did not finish within ${Math.round(timeoutMs / 100) / 10} s and was abandoned.`,
			});
		}, timeoutMs);

		const onStatus = (status: V1Status) => {
			const code = exitCodeOf(status);
			if (code !== undefined) exited(code);
			else finish(outcomeFromStatusFailure(status, request));
		};

		exec
			.exec(request.namespace, request.pod, request.container, request.argv, stdout, stderr, null, false, onStatus)
			.then((ws) => {
				socket = ws as unknown as SocketLike;
				if (settled) {
					finish({kind: 'error', reason: 'timeout', message: 'abandoned'});
					try {
						ws.terminate();
					} catch {
						// ignore
					}
					return;
				}
				ws.on('error', () => {
					// Reported through 'close' below.
				});
				const closedEarly = () =>
					// Give a status frame that arrived together with the close a moment to be handled.
					setImmediate(() =>
						finish({
							kind: 'error',
							reason: 'other',
							message: `The connection closed before the exit status of \`${request.argv.join(' ')}\` arrived (the server ended the exec stream early).`,
						}),
					);
				// CLOSING or CLOSED already: the 'close' event may have passed before we listened.
				if (ws.readyState >= 2) closedEarly();
				else ws.on('close', closedEarly);
			})
			.catch((error: unknown) => {
				const cause = typeof error === 'object' && error !== null && 'error' in error ? (error as {error: unknown}).error : error;
				const normalized = cause ?? new Error(String((error as {message?: string})?.message ?? error));
				void explainHandshakeFailure(normalized, request).then(finish, () =>
					finish({kind: 'error', reason: 'other', message: describeError(normalized, {server: request.server, context: request.context})}),
				);
			});
	});
}
