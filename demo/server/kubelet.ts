// The demo node's kubelet: runs each scheduled pod in a runtime sandbox and reports status the
// way a real kubelet does (container states, restarts with back-off, conditions, events).
import type {ContainerSpec, ExitResult, ImageInfo, PodSandbox, PodSandboxOptions, RunningContainer, VolumeSource} from '../runtime/types.js';
import {NODE_NAME, type EventRecorder} from './events.js';
import {InstanceLog} from './logs.js';
import {hex, SA_MOUNT} from './pods.js';
import type {Store} from './store.js';
import {clone, rfc3339, type Obj} from './types.js';

export type Runtime = {
	createPodSandbox(opts: PodSandboxOptions): PodSandbox | Promise<PodSandbox>;
	resolveImage(image: string): ImageInfo | undefined | null | Promise<ImageInfo | undefined | null>;
};

export type KubeletOptions = {
	/** First CrashLoopBackOff delay; doubles up to maxBackoffMs (real kubelet: 10 s → 5 min). */
	backoffBaseMs: number;
	maxBackoffMs: number;
	logBytesPerInstance: number;
	/** Pause between starting a pod's containers (a real runtime needs ~100 ms to create one). */
	containerStartGapMs: number;
};

type ContainerState = {
	spec: Obj;
	kind: 'init' | 'sidecar' | 'main';
	restartCount: number;
	crashes: number;
	state: Obj;
	lastState: Obj;
	ready: boolean;
	started: boolean;
	containerID?: string;
	image?: ImageInfo;
	instance?: RunningContainer;
	logs: {current?: InstanceLog; previous?: InstanceLog};
	timer?: NodeJS.Timeout;
	/** Resolves the wait of a regular init container. */
	onFinish?: (ok: boolean) => void;
	/** Set while the instance is being replaced because its image changed. */
	replacing?: boolean;
};

const FAKE_CA = '-----BEGIN CERTIFICATE-----\nMIIBdemo-podwatch-cluster-ca\n-----END CERTIFICATE-----\n';

class PodWorker {
	readonly containers = new Map<string, ContainerState>();
	sandbox?: PodSandbox;
	stopping = false;
	private initialized = false;
	private stopped?: Promise<void>;
	private readonly timers = new Set<NodeJS.Timeout>();
	private conditionTimes = new Map<string, {status: string; time: string}>();
	podIP: string;

	constructor(
		private readonly kubelet: Kubelet,
		readonly namespace: string,
		readonly name: string,
		readonly uid: string,
		podIP: string,
	) {
		this.podIP = podIP;
		const pod = this.pod()!;
		for (const c of pod.spec.initContainers ?? []) this.addContainer(c, c.restartPolicy === 'Always' ? 'sidecar' : 'init');
		for (const c of pod.spec.containers ?? []) this.addContainer(c, 'main');
	}

	private addContainer(spec: Obj, kind: ContainerState['kind']): void {
		const hasInit = (this.pod()?.spec.initContainers ?? []).length > 0;
		const reason = kind === 'main' && hasInit ? 'PodInitializing' : kind === 'main' ? 'ContainerCreating' : 'PodInitializing';
		this.containers.set(spec.name, {spec, kind, restartCount: 0, crashes: 0, state: {waiting: {reason}}, lastState: {}, ready: false, started: false, logs: {}});
	}

	pod(): Obj | undefined {
		const pod = this.kubelet.store.get('pods', this.namespace, this.name);
		return pod && pod.metadata.uid === this.uid ? pod : undefined;
	}

	private now(): string {
		return rfc3339(this.kubelet.nowMs());
	}

	private event(type: 'Normal' | 'Warning', reason: string, message: string, container?: ContainerState): void {
		const pod = this.pod();
		if (!pod) return;
		const list = container?.kind === 'main' ? 'containers' : 'initContainers';
		this.kubelet.events.record(pod, {type, reason, message, ...(container ? {fieldPath: `spec.${list}{${container.spec.name}}`} : {})});
	}

	private later(ms: number, fn: () => void): void {
		const t = setTimeout(() => {
			this.timers.delete(t);
			if (!this.stopping) fn();
		}, ms);
		this.timers.add(t);
	}

	/** Write the current status into the stored pod. */
	publish(extra?: {phase?: string}): void {
		const pod = this.pod();
		if (!pod) return;
		const next = clone(pod);
		const status = next.status ?? {};
		const statusOf = (c: ContainerState): Obj => {
			const s: Obj = {name: c.spec.name, state: c.state, lastState: c.lastState, ready: c.ready, restartCount: c.restartCount, image: c.image?.ref ?? c.spec.image, imageID: c.image ? `${c.image.ref.replace(/:[^/:]*$/, '')}@${c.image.digest}` : ''};
			if (c.containerID) s.containerID = c.containerID;
			s.started = c.started;
			return s;
		};
		const all = [...this.containers.values()];
		const init = all.filter(c => c.kind !== 'main');
		const main = all.filter(c => c.kind === 'main');
		if (init.length > 0) status.initContainerStatuses = init.map(statusOf);
		// The kubelet reports main containers sorted by name (init containers stay in spec order).
		status.containerStatuses = main.map(statusOf).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
		// Once initialised, a pod stays so (a native sidecar restarting later does not revoke it).
		this.initialized ||= init.every(c => (c.kind === 'init' && c.state.terminated?.exitCode === 0) || (c.kind === 'sidecar' && c.started));
		const initialized = this.initialized;
		const unready = [...main, ...init.filter(c => c.kind === 'sidecar')].filter(c => !c.ready).map(c => c.spec.name);
		const containersReady = unready.length === 0;
		if (extra?.phase) status.phase = extra.phase;
		const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
		const cond = (type: string, ok: boolean, reason?: string, message?: string): Obj => {
			const st = ok ? 'True' : 'False';
			const prev = this.conditionTimes.get(type);
			const time = prev && prev.status === st ? prev.time : this.now();
			this.conditionTimes.set(type, {status: st, time});
			const c: Obj = {type, status: st, lastProbeTime: null, lastTransitionTime: time};
			if (!ok && reason) c.reason = reason;
			if (!ok && message) c.message = message;
			return c;
		};
		const readyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
		const readyMsg = terminal ? undefined : `containers with unready status: [${unready.join(' ')}]`;
		const initMsg = `containers with incomplete status: [${init.filter(c => !(c.state.terminated?.exitCode === 0 || (c.kind === 'sidecar' && c.started))).map(c => c.spec.name).join(' ')}]`;
		const scheduled = (status.conditions ?? []).find((c: Obj) => c.type === 'PodScheduled');
		status.conditions = [
			cond('PodReadyToStartContainers', this.sandbox !== undefined && !(terminal && this.stopping)),
			cond('Initialized', initialized, 'ContainersNotInitialized', initMsg),
			cond('Ready', containersReady && !terminal, readyReason, readyMsg),
			cond('ContainersReady', containersReady && !terminal, readyReason, readyMsg),
			scheduled ?? cond('PodScheduled', true),
		];
		status.hostIP = '127.0.0.1';
		status.hostIPs = [{ip: '127.0.0.1'}];
		// The pod IP exists once the sandbox (its network namespace) does.
		if (this.sandbox) {
			status.podIP = this.podIP;
			status.podIPs = [{ip: this.podIP}];
		}
		status.startTime ??= this.now();
		status.qosClass ??= 'BestEffort';
		next.status = status;
		this.kubelet.store.update('pods', next);
	}

	async run(): Promise<void> {
		const volumes = await this.mountVolumes();
		if (!volumes || this.stopping) return;
		this.sandbox = await this.kubelet.runtime.createPodSandbox({podName: this.name, namespace: this.namespace, hostname: this.name, podIP: this.podIP, volumes});
		if (this.stopping) {
			await this.sandbox.dispose();
			return;
		}
		const all = [...this.containers.values()];
		const init = all.filter(c => c.kind !== 'main');
		for (const c of all) if (c.kind === 'main' && init.length === 0) c.state = {waiting: {reason: 'ContainerCreating'}};
		this.publish({phase: 'Pending'});
		for (const c of init) {
			if (this.stopping) return;
			if (c.kind === 'sidecar') {
				await this.start(c);
				continue;
			}
			const ok = await new Promise<boolean>(resolve => {
				c.onFinish = resolve;
				void this.start(c);
			});
			if (!ok) return;
		}
		if (this.stopping) return;
		const main = all.filter(c => c.kind === 'main');
		for (const c of main) c.state = {waiting: {reason: 'ContainerCreating'}};
		this.publish();
		// One after the other, as the kubelet's SyncPod does (pull, create, start per container),
		// with the container-creation latency of a real runtime between them: the lesson's sidecar
		// (`tail -f` of a file the first container creates) depends on that ordering there too.
		for (const [i, c] of main.entries()) {
			if (i > 0) await new Promise(resolve => this.later(this.kubelet.options.containerStartGapMs, () => resolve(undefined)));
			if (this.stopping) return;
			await this.start(c);
		}
	}

	/** Resolve the pod's volumes; retry while a ConfigMap/Secret is missing (FailedMount). */
	private async mountVolumes(): Promise<VolumeSource[] | undefined> {
		for (;;) {
			const pod = this.pod();
			if (!pod || this.stopping) return undefined;
			const missing: string[] = [];
			const volumes: VolumeSource[] = [];
			for (const v of pod.spec.volumes ?? []) {
				const resolved = this.resolveVolume(pod, v, missing);
				if (resolved) volumes.push(resolved);
			}
			if (missing.length === 0) return volumes;
			for (const m of missing) this.event('Warning', 'FailedMount', m);
			this.publish();
			await new Promise(resolve => this.later(2000, () => resolve(undefined)));
			if (this.stopping) return undefined;
		}
	}

	private resolveVolume(pod: Obj, v: Obj, missing: string[]): VolumeSource | undefined {
		const ns = pod.metadata.namespace;
		const fromData = (kind: 'configmap' | 'secret', name: string, items: Obj[] | undefined, optional: boolean, files: Record<string, string | Uint8Array>): boolean => {
			const obj = this.kubelet.store.get(kind === 'configmap' ? 'configmaps' : 'secrets', ns, name);
			if (!obj && name === 'kube-root-ca.crt') {
				files['ca.crt'] = FAKE_CA;
				return true;
			}
			if (!obj) {
				if (!optional) missing.push(`MountVolume.SetUp failed for volume "${v.name}" : ${kind} "${name}" not found`);
				return !optional ? false : true;
			}
			const data: Record<string, string | Uint8Array> = {};
			for (const [k, val] of Object.entries<string>(obj.data ?? {})) data[k] = kind === 'secret' ? Buffer.from(val, 'base64') : val;
			for (const [k, val] of Object.entries<string>(obj.binaryData ?? {})) data[k] = Buffer.from(val, 'base64');
			if (items) {
				for (const item of items) if (data[item.key] !== undefined) files[item.path] = data[item.key]!;
			} else Object.assign(files, data);
			return true;
		};
		const downward = (items: Obj[], files: Record<string, string | Uint8Array>) => {
			for (const item of items ?? []) {
				const path: string = item.fieldRef?.fieldPath ?? '';
				let value: string;
				const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
				if (m) value = pod.metadata[m[1]!]?.[m[2]!] ?? '';
				else if (path === 'metadata.labels' || path === 'metadata.annotations') value = Object.entries<string>(pod.metadata[path.slice(9)] ?? {}).map(([k, val]) => `${k}="${val}"`).join('\n');
				else value = String(path.split('.').reduce((o: Obj, k) => o?.[k], pod) ?? '');
				files[item.path] = value;
			}
		};
		if (v.emptyDir) return {name: v.name, kind: 'emptyDir', medium: v.emptyDir.medium === 'Memory' ? 'Memory' : ''};
		const files: Record<string, string | Uint8Array> = {};
		if (v.configMap) return fromData('configmap', v.configMap.name, v.configMap.items, v.configMap.optional === true, files) ? {name: v.name, kind: 'files', files} : undefined;
		if (v.secret) return fromData('secret', v.secret.secretName, v.secret.items, v.secret.optional === true, files) ? {name: v.name, kind: 'files', files} : undefined;
		if (v.downwardAPI) {
			downward(v.downwardAPI.items, files);
			return {name: v.name, kind: 'files', files};
		}
		if (v.projected) {
			let ok = true;
			for (const src of v.projected.sources ?? []) {
				if (src.serviceAccountToken) files[src.serviceAccountToken.path] = `podwatch-demo-token.${hex(24)}`;
				if (src.configMap) ok = fromData('configmap', src.configMap.name, src.configMap.items, src.configMap.optional === true, files) && ok;
				if (src.secret) ok = fromData('secret', src.secret.name, src.secret.items, src.secret.optional === true, files) && ok;
				if (src.downwardAPI) downward(src.downwardAPI.items, files);
			}
			return ok ? {name: v.name, kind: 'files', files} : undefined;
		}
		return {name: v.name, kind: 'other'};
	}

	private async pullImage(c: ContainerState): Promise<ImageInfo | undefined> {
		const image: string = c.spec.image;
		const always = c.spec.imagePullPolicy === 'Always';
		if (always || c.spec.imagePullPolicy === undefined) this.event('Normal', 'Pulling', `Pulling image "${image}"`, c);
		let info: ImageInfo | undefined | null;
		try {
			info = await this.kubelet.runtime.resolveImage(image);
		} catch {
			info = undefined;
		}
		if (info) {
			if (always) this.event('Normal', 'Pulled', `Successfully pulled image "${image}" in 412ms (412ms including waiting). Image size: 2167176 bytes.`, c);
			else this.event('Normal', 'Pulled', `Container image "${image}" already present on machine`, c);
			return info;
		}
		const full = image.includes('/') ? (image.split('/')[0]!.includes('.') ? image : `docker.io/${image}`) : `docker.io/library/${image}`;
		const ref = /:[^/]+$/.test(full) || full.includes('@') ? full : `${full}:latest`;
		if (!always) this.event('Normal', 'Pulling', `Pulling image "${image}"`, c);
		const detail = `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
		this.event('Warning', 'Failed', `Failed to pull image "${image}": ${detail}`, c);
		this.event('Warning', 'Failed', 'Error: ErrImagePull', c);
		c.state = {waiting: {reason: 'ErrImagePull', message: detail}};
		this.publish();
		c.crashes++;
		const delay = this.kubelet.backoff(c.crashes);
		this.later(Math.min(delay, 1000), () => {
			c.state = {waiting: {reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"`}};
			this.event('Normal', 'BackOff', `Back-off pulling image "${image}"`, c);
			this.event('Warning', 'Failed', 'Error: ImagePullBackOff', c);
			this.publish();
		});
		this.later(Math.max(delay, 1000) + 10, () => void this.start(c));
		return undefined;
	}

	private async start(c: ContainerState): Promise<void> {
		if (this.stopping || !this.sandbox) return;
		const image = await this.pullImage(c);
		if (!image || this.stopping) return;
		c.image = image;
		if (c.containerID) c.restartCount++;
		if (c.state.terminated) c.lastState = {terminated: c.state.terminated};
		c.containerID = `containerd://${hex(32)}`;
		if (c.logs.current) c.logs.previous = c.logs.current;
		const log = new InstanceLog(this.kubelet.options.logBytesPerInstance);
		c.logs.current = log;
		const spec: ContainerSpec = {name: c.spec.name, image: c.spec.image};
		if (c.spec.command) spec.command = c.spec.command;
		if (c.spec.args) spec.args = c.spec.args;
		if (c.spec.workingDir) spec.workingDir = c.spec.workingDir;
		const pod = this.pod();
		if (!pod) return;
		spec.env = this.env(pod, c.spec.env ?? []);
		if (c.spec.volumeMounts) spec.volumeMounts = c.spec.volumeMounts.map((m: Obj) => ({name: m.name, mountPath: m.mountPath, ...(m.readOnly ? {readOnly: true} : {}), ...(m.subPath ? {subPath: m.subPath} : {})}));
		this.event('Normal', 'Created', `Created container ${c.spec.name}`, c);
		let instance: RunningContainer;
		try {
			instance = this.sandbox.startContainer(spec, {stdout: chunk => log.write(chunk), stderr: chunk => log.write(chunk)});
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			this.event('Warning', 'Failed', `Error: ${message}`, c);
			this.onExit(c, log, {exitCode: 128, reason: 'ContainerCannotRun', message}, this.now());
			return;
		}
		c.instance = instance;
		const startedAt = this.now();
		c.state = {running: {startedAt}};
		c.started = c.kind !== 'init' && !c.spec.startupProbe?.exec;
		c.ready = c.started && !c.spec.readinessProbe?.exec;
		this.event('Normal', 'Started', `Started container ${c.spec.name}`, c);
		this.publish({phase: this.anyMainStarted() ? 'Running' : 'Pending'});
		if (c.kind !== 'init') {
			if (c.spec.startupProbe?.exec) this.probe(c, instance, 'Startup', c.spec.startupProbe);
			else this.startProbes(c, instance);
		}
		void instance.done.then(
			result => this.onExit(c, log, result, startedAt),
			error => this.onExit(c, log, {exitCode: 128, reason: 'ContainerCannotRun', message: String(error)}, startedAt),
		);
	}

	/**
	 * Exec probes, run in the container like the kubelet's prober: readiness flips `ready` after
	 * successThreshold/failureThreshold results; liveness kills the instance after failureThreshold
	 * failures (it is then restarted per restartPolicy). httpGet/tcpSocket/grpc probes are not run:
	 * the sandbox has no network, so they would only ever fail.
	 */
	private startProbes(c: ContainerState, instance: RunningContainer): void {
		if (c.spec.readinessProbe?.exec) this.probe(c, instance, 'Readiness', c.spec.readinessProbe);
		if (c.spec.livenessProbe?.exec) this.probe(c, instance, 'Liveness', c.spec.livenessProbe);
	}

	private probe(c: ContainerState, instance: RunningContainer, kind: 'Startup' | 'Readiness' | 'Liveness', spec: Obj): void {
		const period = Math.max(1, spec.periodSeconds ?? 10) * 1000;
		const timeout = Math.max(1, spec.timeoutSeconds ?? 1) * 1000;
		const successThreshold = Math.max(1, spec.successThreshold ?? 1);
		const failureThreshold = Math.max(1, spec.failureThreshold ?? 3);
		let successes = 0;
		let failures = 0;
		const run = async () => {
			if (this.stopping || c.instance !== instance || !this.sandbox) return;
			let output = '';
			const collect = (chunk: Uint8Array) => {
				if (output.length < 1024) output += Buffer.from(chunk).toString();
			};
			const abort = new AbortController();
			const timer = setTimeout(() => abort.abort(), timeout);
			let ok = false;
			try {
				const result = await this.sandbox.exec(c.spec.name, spec.exec.command ?? [], {stdout: collect, stderr: collect, signal: abort.signal});
				ok = result.kind === 'exited' && result.exitCode === 0 && !abort.signal.aborted;
				if (result.kind !== 'exited') output = result.message;
				else if (abort.signal.aborted) output = `command timed out after ${timeout / 1000}s`;
			} catch (error) {
				output = error instanceof Error ? error.message : String(error);
			} finally {
				clearTimeout(timer);
			}
			if (this.stopping || c.instance !== instance) return;
			if (ok) {
				failures = 0;
				successes++;
				if (kind === 'Readiness' && !c.ready && successes >= successThreshold) {
					c.ready = true;
					this.publish();
				}
				if (kind === 'Startup') {
					// Started: readiness (ready at once without a probe) and liveness take over.
					c.started = true;
					c.ready = !c.spec.readinessProbe?.exec;
					this.publish();
					this.startProbes(c, instance);
					return;
				}
			} else {
				successes = 0;
				failures++;
				this.event('Warning', 'Unhealthy', `${kind} probe failed: ${output.trimEnd()}`, c);
				if (failures >= failureThreshold) {
					if (kind === 'Readiness' && c.ready) {
						c.ready = false;
						this.publish();
					}
					if (kind !== 'Readiness') {
						this.event('Normal', 'Killing', `Container ${c.spec.name} failed ${kind.toLowerCase()} probe, will be restarted`, c);
						void instance.terminate(Math.max(0, this.pod()?.spec.terminationGracePeriodSeconds ?? 30) * 1000).catch(() => undefined);
						return;
					}
				}
			}
			this.later(period, () => void run());
		};
		this.later(Math.max(0, spec.initialDelaySeconds ?? 0) * 1000, () => void run());
	}

	private env(pod: Obj, env: Obj[]): Array<{name: string; value?: string}> {
		const out: Array<{name: string; value?: string}> = [];
		for (const e of env) {
			if (e.value !== undefined) out.push({name: e.name, value: String(e.value)});
			else if (e.valueFrom?.fieldRef) out.push({name: e.name, value: String(String(e.valueFrom.fieldRef.fieldPath).split('.').reduce((o: Obj, k) => o?.[k], {...pod, status: {...pod.status, podIP: this.podIP, hostIP: '127.0.0.1'}}) ?? '')});
			else if (e.valueFrom?.configMapKeyRef) {
				const cm = this.kubelet.store.get('configmaps', this.namespace, e.valueFrom.configMapKeyRef.name);
				out.push({name: e.name, value: cm?.data?.[e.valueFrom.configMapKeyRef.key] ?? ''});
			} else if (e.valueFrom?.secretKeyRef) {
				const s = this.kubelet.store.get('secrets', this.namespace, e.valueFrom.secretKeyRef.name);
				const raw = s?.data?.[e.valueFrom.secretKeyRef.key];
				out.push({name: e.name, value: raw ? Buffer.from(raw, 'base64').toString() : ''});
			} else out.push({name: e.name, value: ''});
		}
		return out;
	}

	private anyMainStarted(): boolean {
		return [...this.containers.values()].some(c => c.kind === 'main' && (c.state.running || c.state.terminated || c.lastState.terminated));
	}

	private onExit(c: ContainerState, log: InstanceLog, result: ExitResult, startedAt: string): void {
		log.end();
		if (c.logs.current !== log) return;
		c.instance = undefined;
		if (this.stopping) return;
		const terminated: Obj = {exitCode: result.exitCode, reason: result.reason, startedAt, finishedAt: this.now(), containerID: c.containerID};
		if (result.signal) terminated.signal = result.signal;
		if (result.message) terminated.message = result.message;
		c.state = {terminated};
		c.ready = false;
		// A container that is not running is not started (the kubelet reports started=false).
		c.started = false;
		if (c.replacing) {
			// Killed because the image changed: start the new definition at once, like the kubelet.
			c.replacing = false;
			this.publish();
			void this.start(c);
			return;
		}
		const policy = this.pod()?.spec.restartPolicy ?? 'Always';
		const failed = result.exitCode !== 0;
		if (c.kind === 'init') {
			if (!failed) {
				c.started = false;
				this.publish();
				c.onFinish?.(true);
				return;
			}
			if (policy === 'Never') {
				this.publish({phase: 'Failed'});
				c.onFinish?.(false);
				return;
			}
		}
		const restart = c.kind === 'sidecar' || c.kind === 'init' || policy === 'Always' || (policy === 'OnFailure' && failed);
		if (!restart) {
			this.publish(this.finishedPhase());
			this.stopSidecarsIfDone();
			return;
		}
		// Like the kubelet, forget the back-off once an instance ran for twice the maximum delay.
		if (Date.parse(terminated.finishedAt) - Date.parse(startedAt) >= 2 * this.kubelet.options.maxBackoffMs) c.crashes = 0;
		c.crashes++;
		const delay = this.kubelet.backoff(c.crashes - 1);
		if (delay <= 0) {
			this.publish();
			void this.start(c);
			return;
		}
		c.lastState = {terminated};
		c.state = {waiting: {reason: 'CrashLoopBackOff', message: `back-off ${humanSeconds(delay)} restarting failed container=${c.spec.name} pod=${this.name}_${this.namespace}(${this.uid})`}};
		this.event('Warning', 'BackOff', `Back-off restarting failed container ${c.spec.name} in pod ${this.name}_${this.namespace}(${this.uid})`, c);
		this.publish();
		this.later(delay, () => void this.start(c));
	}

	/** Phase once a main container will not be restarted. */
	private finishedPhase(): {phase?: string} {
		const main = [...this.containers.values()].filter(c => c.kind === 'main');
		if (main.some(c => !c.state.terminated)) return {};
		return {phase: main.every(c => c.state.terminated.exitCode === 0) ? 'Succeeded' : 'Failed'};
	}

	private stopSidecarsIfDone(): void {
		const all = [...this.containers.values()];
		if (all.some(c => c.kind === 'main' && !c.state.terminated)) return;
		for (const c of all) {
			if (c.kind === 'sidecar' && c.instance) {
				const instance = c.instance;
				const log = c.logs.current;
				c.instance = undefined;
				this.event('Normal', 'Killing', `Stopping container ${c.spec.name}`, c);
				void instance.terminate(1000).catch(() => ({exitCode: 137, reason: 'Error' as const})).then(result => {
					log?.end();
					c.state = {terminated: {exitCode: result.exitCode, reason: result.reason, startedAt: c.state.running?.startedAt, finishedAt: this.now(), containerID: c.containerID}};
					c.ready = false;
					c.started = false;
					this.publish();
				});
			}
		}
	}

	/** The pod's spec was updated: containers whose image changed are restarted with the new one. */
	specChanged(pod: Obj): void {
		if (this.stopping) return;
		for (const spec of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])]) {
			const c = this.containers.get(spec.name);
			if (!c || c.spec.image === spec.image) continue;
			c.spec = spec;
			if (c.instance) {
				c.replacing = true;
				this.event('Normal', 'Killing', `Container ${spec.name} definition changed, will be restarted`, c);
				void c.instance.terminate(1000).catch(() => undefined);
			}
		}
	}

	/** Stop every container (TERM, then KILL after the grace period) and free the sandbox. */
	stop(graceMs: number): Promise<void> {
		if (this.stopped) return this.stopped;
		this.stopping = true;
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
		const running = [...this.containers.values()].filter(c => c.instance);
		for (const c of running) this.event('Normal', 'Killing', `Stopping container ${c.spec.name}`, c);
		this.stopped = (async () => {
			await Promise.all(
				running.map(async c => {
					const startedAt = c.state.running?.startedAt;
					const result = await c.instance!.terminate(graceMs).catch(() => ({exitCode: 137, reason: 'Error' as const}));
					c.logs.current?.end();
					c.instance = undefined;
					c.state = {terminated: {exitCode: result.exitCode, reason: result.reason, startedAt, finishedAt: this.now(), containerID: c.containerID}};
					c.ready = false;
					c.started = false;
				}),
			);
			for (const c of this.containers.values()) c.logs.current?.end();
			if (this.pod()) this.publish();
			await this.sandbox?.dispose().catch(() => {});
		})();
		return this.stopped;
	}
}

/** Go's time.Duration String for whole milliseconds: 200ms, 10s, 1m20s, 5m0s. */
const humanSeconds = (ms: number) => {
	if (ms < 1000) return `${ms}ms`;
	const s = ms / 1000;
	if (s < 60) return `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
	return `${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
};

export class Kubelet {
	private readonly workers = new Map<string, PodWorker>();
	private nextIp = 2;

	constructor(
		readonly store: Store,
		readonly runtime: Runtime,
		readonly events: EventRecorder,
		readonly nowMs: () => number,
		readonly options: KubeletOptions,
	) {}

	/** Back-off before restart number n (0 = restart at once, then base, 2·base, … up to max). */
	backoff(n: number): number {
		if (n <= 0) return 0;
		return Math.min(this.options.backoffBaseMs * 2 ** (n - 1), this.options.maxBackoffMs);
	}

	private allocateIp(): string {
		const n = this.nextIp++;
		return `10.244.${Math.floor(n / 254) % 256}.${(n % 254) + 1}`;
	}

	worker(namespace: string, name: string): PodWorker | undefined {
		const w = this.workers.get(`${namespace}/${name}`);
		if (!w) return undefined;
		const pod = this.store.get('pods', namespace, name);
		return pod && pod.metadata.uid === w.uid ? w : undefined;
	}

	/** Schedule a new pod onto the node (as the scheduler would), then run it. */
	admit(pod: Obj): void {
		const {namespace, name, uid} = pod.metadata;
		setTimeout(() => {
			const current = this.store.get('pods', namespace, name);
			if (!current || current.metadata.uid !== uid || current.metadata.deletionTimestamp) return;
			const bound = clone(current);
			bound.spec.nodeName = NODE_NAME;
			const now = rfc3339(this.nowMs());
			bound.status = {...bound.status, phase: 'Pending', conditions: [{type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now}]};
			this.store.update('pods', bound);
			this.events.record(bound, {type: 'Normal', reason: 'Scheduled', message: `Successfully assigned ${namespace}/${name} to ${NODE_NAME}`, component: 'default-scheduler'});
			const worker = new PodWorker(this, namespace, name, uid, this.allocateIp());
			this.workers.set(`${namespace}/${name}`, worker);
			worker.publish({phase: 'Pending'});
			worker.run().catch(error => {
				const message = error instanceof Error ? error.message : String(error);
				this.events.record(bound, {type: 'Warning', reason: 'FailedCreatePodSandBox', message: `Failed to create pod sandbox: ${message}`});
			});
		}, 5);
	}

	specChanged(pod: Obj): void {
		this.worker(pod.metadata.namespace, pod.metadata.name)?.specChanged(pod);
	}

	/** Terminate a pod's containers and remove it from the store when done. */
	async terminate(namespace: string, name: string, uid: string, graceMs: number): Promise<void> {
		const key = `${namespace}/${name}`;
		const worker = this.workers.get(key);
		if (worker && worker.uid === uid) {
			await worker.stop(graceMs);
			if (this.workers.get(key) === worker) this.workers.delete(key);
		}
		const pod = this.store.get('pods', namespace, name);
		if (pod && pod.metadata.uid === uid) this.store.remove('pods', namespace, name);
	}

	async stopAll(): Promise<void> {
		await Promise.all([...this.workers.values()].map(w => w.stop(0)));
		this.workers.clear();
	}
}

export {SA_MOUNT};
