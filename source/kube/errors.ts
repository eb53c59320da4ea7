// Turns whatever the HTTP/WebSocket layers throw into one paragraph a user can act on, in the
// words kubectl uses. Never a stack trace.
import type {V1Status} from '@kubernetes/client-node';

/** An API answer that was not 2xx; `status` is the parsed Status body when there was one. */
export class KubeApiError extends Error {
	override name = 'KubeApiError';
	constructor(
		readonly code: number,
		readonly status: V1Status | undefined,
		readonly body: string,
	) {
		super(status?.message ?? (body.trim() || `HTTP ${code}`));
	}
}

export type ErrorKind =
	| 'refused'
	| 'dns'
	| 'tls'
	| 'timeout'
	| 'network'
	| 'unauthorized'
	| 'forbidden'
	| 'not-found'
	| 'expired'
	| 'bad-request'
	| 'server'
	| 'other';

export type ErrorInfo = {
	kind: ErrorKind;
	/** HTTP status code when the server answered. */
	code: number | undefined;
	/** Status reason (`Forbidden`, `NotFound`...) when the server sent a Status. */
	reason: string | undefined;
	/** The server's Status message, or the low-level error message. */
	message: string;
};

const tlsCodes = new Set([
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'CERT_HAS_EXPIRED',
	'CERT_NOT_YET_VALID',
	'ERR_TLS_CERT_ALTNAME_INVALID',
	'ERR_SSL_WRONG_VERSION_NUMBER',
	'EPROTO',
]);

function parseStatus(body: unknown): V1Status | undefined {
	if (typeof body === 'object' && body !== null && 'kind' in body) return body as V1Status;
	if (typeof body !== 'string' || body.trim() === '') return undefined;
	try {
		const parsed: unknown = JSON.parse(body);
		if (typeof parsed === 'object' && parsed !== null && (parsed as {kind?: unknown}).kind === 'Status') {
			return parsed as V1Status;
		}
	} catch {
		// Not JSON: the body is plain text.
	}
	return undefined;
}

function kindForCode(code: number): ErrorKind {
	if (code === 401) return 'unauthorized';
	if (code === 403) return 'forbidden';
	if (code === 404) return 'not-found';
	if (code === 410) return 'expired';
	if (code === 400 || code === 422 || code === 409) return 'bad-request';
	if (code === 504 || code === 408) return 'timeout';
	if (code >= 500) return 'server';
	return 'other';
}

function errnoCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
		const code = (current as {code?: unknown}).code;
		if (typeof code === 'string') return code;
		current = (current as {cause?: unknown}).cause;
	}
	return undefined;
}

/** Sorts an error into a kind the callers can branch on (retry, fail, wait). */
export function classifyError(error: unknown): ErrorInfo {
	if (error instanceof KubeApiError) {
		return {kind: kindForCode(error.code), code: error.code, reason: error.status?.reason, message: error.message};
	}
	if (typeof error === 'object' && error !== null) {
		const code = (error as {code?: unknown}).code;
		// client-node ApiException: numeric code, body as raw text.
		if (typeof code === 'number' && 'body' in error) {
			const status = parseStatus((error as {body?: unknown}).body);
			const rawBody = (error as {body?: unknown}).body;
			const message = status?.message ?? (typeof rawBody === 'string' && rawBody.trim() ? rawBody.trim() : `HTTP ${code}`);
			return {kind: kindForCode(code), code, reason: status?.reason, message};
		}
		const statusCode = (error as {statusCode?: unknown}).statusCode;
		if (typeof statusCode === 'number') {
			return {kind: kindForCode(statusCode), code: statusCode, reason: undefined, message: `HTTP ${statusCode}`};
		}
	}
	const message = error instanceof Error ? error.message : String(error);
	// ws handshake failures: "Unexpected server response: 403".
	const handshake = /Unexpected server response: (\d{3})/.exec(message);
	if (handshake) {
		const code = Number(handshake[1]);
		return {kind: kindForCode(code), code, reason: undefined, message};
	}
	const code = errnoCode(error);
	if (code === 'ECONNREFUSED') return {kind: 'refused', code: undefined, reason: undefined, message};
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return {kind: 'dns', code: undefined, reason: undefined, message};
	if ((code && tlsCodes.has(code)) || /certificate/i.test(message)) {
		return {kind: 'tls', code: undefined, reason: undefined, message};
	}
	const name = error instanceof Error ? error.name : '';
	if (code === 'ETIMEDOUT' || name === 'TimeoutError' || /timed? ?out/i.test(message)) {
		return {kind: 'timeout', code: undefined, reason: undefined, message};
	}
	if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || name === 'AbortError' || /socket hang up|aborted|premature close|closed before/i.test(message)) {
		return {kind: 'network', code: undefined, reason: undefined, message};
	}
	return {kind: 'other', code: undefined, reason: undefined, message};
}

export type ErrorContext = {
	/** API server URL, e.g. https://127.0.0.1:6443 */
	server?: string;
	/** kubeconfig context name, for the fix. */
	context?: string;
	/** What podwatch was doing, e.g. "list pods in namespace default". */
	action?: string;
};

function hostPort(server: string | undefined): string {
	if (!server) return 'the API server';
	try {
		const url = new URL(server);
		const port = url.port || (url.protocol === 'https:' ? '443' : '80');
		return `${url.hostname}:${port}`;
	} catch {
		return server;
	}
}

/**
 * Messages quote server text and names; a hostile server must not reach the terminal with
 * escape sequences through them. Control characters become visible `\xNN` escapes.
 */
export function visible(text: string): string {
	return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function sentence(text: string): string {
	const flat = visible(text).replace(/\s+/g, ' ').trim();
	return /[.!?]$/.test(flat) ? flat : `${flat}.`;
}

/** A one-paragraph, user-facing explanation with a suggested fix. */
export function describeError(error: unknown, context: ErrorContext = {}): string {
	const info = classifyError(error);
	const where = visible(hostPort(context.server));
	const ctx = context.context ? ` (context "${visible(context.context)}")` : '';
	const fromServer = (reason: string) => `Error from server (${visible(info.reason ?? reason)}): ${sentence(info.message)}`;
	switch (info.kind) {
		case 'refused':
			return `The connection to the server ${where} was refused — is the cluster running? Start it, or check that the kubeconfig${ctx} points at the right address (\`kubectl cluster-info\`); \`podwatch --demo\` runs a built-in demo cluster.`;
		case 'dns':
			return `The API server address ${where} could not be resolved (${sentence(info.message)}) Check the server URL in the kubeconfig${ctx} and your network or VPN.`;
		case 'tls':
			return `The secure (TLS) connection to the server ${where} failed: ${sentence(info.message)} The cluster's certificate does not match the certificate authority in the kubeconfig${ctx}; fetch a fresh kubeconfig for this cluster.`;
		case 'timeout':
			return `The server ${where} did not answer in time${context.action ? ` (${context.action})` : ''}. It may be overloaded or unreachable; podwatch keeps retrying — check \`kubectl cluster-info\` if this persists.`;
		case 'network':
			return `The connection to the server ${where} was interrupted (${sentence(info.message)}) podwatch reconnects on its own; if this persists, check the network path to the cluster.`;
		case 'unauthorized':
			return `You must be logged in to the server (Unauthorized). The credentials in the kubeconfig${ctx} were rejected or have expired: log in again (e.g. refresh your cloud CLI's credentials) or choose another context with --context.`;
		case 'forbidden':
			return `${fromServer('Forbidden')} Your user lacks this permission; ask a cluster admin to grant it (\`kubectl auth can-i\` checks it), or use a namespace you have access to with -n.`;
		case 'not-found': {
			const nsMatch = /namespaces? "([^"]+)" not found/.exec(info.message);
			if (nsMatch) {
				return `${fromServer('NotFound')} Check the namespace name (\`kubectl get namespaces\` lists them) and pass the right one with -n.`;
			}
			if (info.reason) {
				return `${fromServer('NotFound')} Check the name and namespace (\`kubectl get pods -n NAMESPACE\` lists the pods).`;
			}
			return `The server ${where} answered 404 Not Found${context.action ? ` to ${context.action}` : ''}. This does not look like a Kubernetes API server; check the server URL in the kubeconfig${ctx}.`;
		}
		case 'expired':
			return `${fromServer('Expired')} podwatch lists again on its own.`;
		case 'bad-request':
			return fromServer(info.code === 422 ? 'Invalid' : 'BadRequest');
		case 'server':
			return `${fromServer('InternalError')} The API server reported a problem on its side; podwatch retries.`;
		default:
			if (info.code !== undefined) return fromServer(`HTTP ${info.code}`);
			return `Unexpected problem talking to the server ${where}: ${sentence(info.message)}`;
	}
}
