// Kubernetes objects travel through the demo cluster as plain JSON. A loose alias keeps the
// patch/merge code readable; the shapes are checked by validation, not by the type system.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = any;

export type StatusBody = {
	kind: 'Status';
	apiVersion: 'v1';
	metadata: Record<string, never>;
	status: 'Failure' | 'Success';
	message?: string;
	reason?: string;
	details?: {name?: string; kind?: string; group?: string; causes?: Array<{reason: string; message: string; field?: string}>};
	code: number;
};

/** An error that the HTTP layer turns into a Kubernetes Status response. */
export class ApiError extends Error {
	constructor(
		readonly code: number,
		readonly reason: string,
		message: string,
		readonly details?: StatusBody['details'],
	) {
		super(message);
	}

	toStatus(): StatusBody {
		const body: StatusBody = {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code};
		if (this.details) body.details = this.details;
		return body;
	}
}

export const notFound = (resource: string, name: string) =>
	new ApiError(404, 'NotFound', `${resource} "${name}" not found`, {name, kind: resource});
export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);
export const alreadyExists = (resource: string, name: string) =>
	new ApiError(409, 'AlreadyExists', `${resource} "${name}" already exists`, {name, kind: resource});

export type Cause = {reason: string; message: string; field: string};

export function invalid(kind: string, name: string, causes: Cause[]): ApiError {
	const parts = causes.map(c => `${c.field}: ${c.message}`);
	const joined = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
	return new ApiError(422, 'Invalid', `${kind} "${name}" is invalid: ${joined}`, {name, kind, causes});
}

/** RFC3339 without fractions, as metadata timestamps are written. */
export const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export const clone = <T>(value: T): T => structuredClone(value);
