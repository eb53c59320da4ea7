// The contract between the demo cluster's kubelet (demo/server) and the sandboxed container
// runtime (demo/runtime). Nothing here touches the host: every container runs as an interpreted
// shell script against an in-memory filesystem, and volumes are shared in-memory trees.

/** A volume as the runtime sees it, resolved by the kubelet from the pod spec. */
export type VolumeSource =
	| {name: string; kind: 'emptyDir'; medium?: 'Memory' | ''}
	/** configMap / secret / downwardAPI / projected: files materialised by the kubelet, read-only. */
	| {name: string; kind: 'files'; files: Record<string, string | Uint8Array>}
	/** persistentVolumeClaim / hostPath and anything else: an empty in-memory tree (never the host). */
	| {name: string; kind: 'other'};

export type VolumeMount = {
	name: string;
	mountPath: string;
	readOnly?: boolean;
	subPath?: string;
};

export type ContainerSpec = {
	name: string;
	image: string;
	command?: string[];
	args?: string[];
	env?: Array<{name: string; value?: string}>;
	workingDir?: string;
	volumeMounts?: VolumeMount[];
};

/** How a container instance ended, in the terms the kubelet reports in `state.terminated`. */
export type ExitResult = {
	exitCode: number;
	/** `Completed` (exit 0), `Error` (non-zero), `OOMKilled` (memory/file-size limit), or `ContainerCannotRun`. */
	reason: 'Completed' | 'Error' | 'OOMKilled' | 'ContainerCannotRun';
	/** Set when the instance was killed by a signal (15 for TERM, 9 for KILL). */
	signal?: number;
	/** A short human message (e.g. which limit was hit), kept for `state.terminated.message`. */
	message?: string;
};

export type OutputSink = {
	/** Called with each chunk as the process writes it, in order, live (not at exit). */
	stdout(chunk: Uint8Array): void;
	stderr(chunk: Uint8Array): void;
};

export type RunningContainer = {
	/** Resolves once, when this instance has ended for any reason. */
	readonly done: Promise<ExitResult>;
	/**
	 * Graceful stop: deliver TERM (a running script stops at its next statement or sleep), wait up
	 * to graceMs, then KILL. Resolves when the instance has ended.
	 */
	terminate(graceMs: number): Promise<ExitResult>;
};

export type ExecIo = OutputSink & {
	/** Bytes for the command's standard input; undefined means stdin is closed/empty. */
	stdin?: AsyncIterable<Uint8Array>;
	signal?: AbortSignal;
};

export type ExecResult =
	| {kind: 'exited'; exitCode: number}
	/** The binary does not exist in the image, e.g. `ls` in the distroless image. */
	| {kind: 'not-found'; message: string}
	/** The container has no running instance. */
	| {kind: 'not-running'; message: string};

export type ImageInfo = {
	/** Canonical reference, e.g. `docker.io/library/busybox:1.36`. */
	ref: string;
	/** `sha256:...`, stable per image, for `status.containerStatuses[].imageID`. */
	digest: string;
	/** shell: busybox-like; distroless: no shell and no coreutils; loggen: fast native log generator. */
	flavour: 'shell' | 'distroless' | 'loggen';
};

export type Limits = {
	/** Interpreter work per instance, in milliseconds of CPU time spent in the interpreter. */
	cpuMs: number;
	/** Total bytes an instance may write to stdout+stderr before it is stopped. */
	outputBytes: number;
	/** Largest single file, and total bytes in the container's own filesystem plus memory volumes. */
	fileBytes: number;
	memoryBytes: number;
};

export interface PodSandbox {
	/** Start a new instance of a container (fresh private filesystem; the pod's volumes persist). */
	startContainer(spec: ContainerSpec, out: OutputSink): RunningContainer;
	/** Run argv in the container's current instance (same filesystem and volumes it sees). */
	exec(containerName: string, argv: string[], io: ExecIo): Promise<ExecResult>;
	/** Stop everything and free memory. */
	dispose(): Promise<void>;
}

export type PodSandboxOptions = {
	podName: string;
	namespace: string;
	hostname: string;
	podIP: string;
	volumes: VolumeSource[];
	limits?: Partial<Limits>;
};
