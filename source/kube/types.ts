// The contract between the Kubernetes data layer (source/kube) and the dashboard (source/ui,
// source/state). The data layer imports no React; the UI never talks to the API directly.
import type {CoreV1Event, V1Pod} from '@kubernetes/client-node';

export type ClusterTarget = {
	/** kubeconfig context name, e.g. `podwatch-demo` or `kind-kind`. */
	context: string;
	/** The API server URL, shown in the header. */
	server: string;
	/** Namespace to use; undefined means all namespaces (`-A`). */
	namespace: string | undefined;
};

/** Connection state of a live source, shown in the UI ("reconnecting…"). */
export type SourceStatus =
	| {state: 'connecting'}
	| {state: 'live'}
	| {state: 'reconnecting'; attempt: number; retryInMs: number; reason: string}
	/** Will not retry on its own (e.g. 403): `message` is a one-paragraph, user-facing explanation. */
	| {state: 'failed'; message: string};

export type Closeable = {close(): void};

/** One line of a container's log, or a marker the follower inserts. */
export type LogEntry =
	| {
			kind: 'line';
			/** Monotonic per container across restarts; unique key for rendering. */
			seq: number;
			/** The RFC3339Nano timestamp the server gave the line (always requested). */
			time: string;
			/** The raw line text without trailing newline (still untrusted: sanitise before display). */
			text: string;
			/** restartCount of the instance that wrote it. */
			instance: number;
	  }
	| {
			kind: 'restart';
			seq: number;
			/** When the previous instance finished (RFC3339), if known. */
			time: string | undefined;
			exitCode: number | undefined;
			reason: string | undefined;
			/** The restartCount of the NEW instance that follows the marker. */
			instance: number;
	  }
	| {kind: 'notice'; seq: number; time: string; text: string};

export type PodListOptions = {
	namespace: string | undefined;
	labelSelector?: string;
	onPods(pods: V1Pod[]): void;
	onStatus(status: SourceStatus): void;
};

export type PodOptions = {
	namespace: string;
	name: string;
	/** Called with the latest object, or undefined while the pod does not exist (yet / anymore). */
	onPod(pod: V1Pod | undefined): void;
	onStatus(status: SourceStatus): void;
};

export type LogFollowOptions = {
	namespace: string;
	pod: string;
	container: string;
	/** Lines of history to fetch when starting (like `--tail`); undefined = all. */
	tailLines?: number;
	sinceSeconds?: number;
	/** Batched delivery: called at most every `batchMs` (default ~50 ms) with all new entries. */
	onEntries(entries: LogEntry[]): void;
	onStatus(status: SourceStatus): void;
	batchMs?: number;
};

export type ExecOutcome =
	| {kind: 'exited'; exitCode: number; stdout: Uint8Array; stderr: Uint8Array; truncated: boolean}
	/** The command could not run (binary missing, container not running, 403, timeout...). */
	| {kind: 'error'; reason: 'not-found' | 'not-running' | 'forbidden' | 'timeout' | 'other'; message: string};

export interface KubeSource {
	readonly target: ClusterTarget;
	watchPods(options: PodListOptions): Closeable;
	watchPod(options: PodOptions): Closeable;
	followLogs(options: LogFollowOptions): Closeable;
	/** One-shot: the previous instance's log (`kubectl logs -p`), or a user-facing error message. */
	previousLogs(namespace: string, pod: string, container: string, tailLines?: number): Promise<{lines: string[]} | {error: string}>;
	/** Events involving one pod, oldest first (for the `e` pane). */
	podEvents(namespace: string, pod: string): Promise<CoreV1Event[]>;
	exec(
		namespace: string,
		pod: string,
		container: string,
		argv: string[],
		options?: {timeoutMs?: number; maxBytes?: number},
	): Promise<ExecOutcome>;
}
