// A pod's sandbox: its volumes (shared in-memory trees) and its containers' instances, each with
// a fresh private filesystem, run by the interpreter (shell images) or a native JS binary.

import {Fatal, Proc} from './proc.js';
import {InStream, SinkWriter, emptySource, iterableSource, writeText} from './io.js';
import {ExitSignal, Shell, type CommandImpl, type Machine} from './shell.js';
import {SHELL_COMMANDS} from './commands.js';
import {loggen, server} from './native.js';
import {buildRootFs, resolveCatalog, type ResolvedImage} from './images.js';
import {FsView, Tree, normalisePath, type Mount} from './vfs.js';
import type {
	ContainerSpec, ExecIo, ExecResult, ExitResult, Limits, OutputSink, PodSandbox, PodSandboxOptions, RunningContainer, VolumeSource,
} from './types.js';

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
	cpuMs: 10_000,
	outputBytes: 256 * 1024 * 1024,
	fileBytes: 64 * 1024 * 1024,
	memoryBytes: 128 * 1024 * 1024,
});

const START_STAGGER_MS = 300;

const SHELL_PATH = ['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin'];

type Volume = {source: VolumeSource; tree: Tree};

type Instance = {
	spec: ContainerSpec;
	proc: Proc;
	machine: Machine;
	env: Array<[string, string]>;
	cwd: string;
	ended: ExitResult | undefined;
	done: Promise<ExitResult>;
	execs: Set<Proc>;
};

function binariesFor(resolved: ResolvedImage): Map<string, CommandImpl> {
	switch (resolved.flavour) {
		case 'shell': {
			const map = new Map(Object.entries(SHELL_COMMANDS));
			map.set('bash', SHELL_COMMANDS.sh!);
			return map;
		}

		case 'distroless': {
			return new Map([['/server', server]]);
		}

		case 'loggen': {
			return new Map([['loggen', loggen]]);
		}
	}
}

function makeLookup(resolved: ResolvedImage, binaries: Map<string, CommandImpl>): (name: string) => CommandImpl | undefined {
	return name => {
		if (resolved.flavour === 'shell') {
			if (!name.includes('/')) {
				return binaries.get(name);
			}

			const normalised = normalisePath(name);
			const slash = normalised.lastIndexOf('/');
			const dir = normalised.slice(0, slash) || '/';
			return SHELL_PATH.includes(dir) ? binaries.get(normalised.slice(slash + 1)) : undefined;
		}

		if (resolved.flavour === 'loggen') {
			return name === 'loggen' || normalisePath(name) === '/usr/bin/loggen' ? binaries.get('loggen') : undefined;
		}

		return name.startsWith('/') || name.startsWith('.') ? binaries.get(normalisePath(name)) : undefined;
	};
}

/** Kubernetes `$(VAR)` references in command/args, with `$$(VAR)` as the escape. */
function expandK8sRefs(value: string, env: Map<string, string>): string {
	return value.replaceAll(/\$\$|\$\(([A-Za-z_][\w.-]*)\)/g, (match, name: string | undefined) => {
		if (match === '$$') {
			return '$';
		}

		return env.get(name!) ?? match;
	});
}

function cannotRun(message: string): RunningContainer {
	const result: ExitResult = {exitCode: 128, reason: 'ContainerCannotRun', message};
	const done = Promise.resolve(result);
	return {
		done,
		async terminate() {
			return done;
		},
	};
}

function exitResult(code: number): ExitResult {
	if (code === 0) {
		return {exitCode: 0, reason: 'Completed'};
	}

	if (code === 143) {
		return {exitCode: 143, reason: 'Error', signal: 15};
	}

	return {exitCode: code, reason: 'Error'};
}

function errorResult(error: unknown): ExitResult {
	if (error instanceof Fatal) {
		return error.result;
	}

	if (error instanceof ExitSignal) {
		return exitResult(error.code);
	}

	const message = error instanceof Error ? error.message : String(error);
	return {exitCode: 2, reason: 'Error', message: `sandbox error: ${message}`};
}

export function createPodSandbox(options: PodSandboxOptions): PodSandbox {
	const limits: Limits = {...DEFAULT_LIMITS, ...options.limits};
	const volumes = new Map<string, Volume>();
	for (const source of options.volumes) {
		let tree: Tree;
		if (source.kind === 'files') {
			tree = new Tree(source.name, true, 0o777);
			for (const [path, content] of Object.entries(source.files)) {
				tree.putFile(path, content);
			}
		} else {
			tree = new Tree(source.name, false, 0o777);
		}

		volumes.set(source.name, {source, tree});
	}

	const instances = new Map<string, Instance>();
	let disposed = false;
	/**
	 * Containers start in the order they are started, like a kubelet starting them one by one: the
	 * next one begins once the previous one has reached its first blocking point (its first `sleep`,
	 * `tail -f`, read...) or ended, or after START_STAGGER_MS. So the lesson's main container has
	 * written its first line before the sidecar's `tail -f` opens the file.
	 */
	let previousStart: Promise<void> = Promise.resolve();

	const baseEnv = (spec: ContainerSpec): Array<[string, string]> => {
		const env = new Map<string, string>([
			['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
			['HOSTNAME', options.hostname],
			['KUBERNETES_SERVICE_HOST', '10.96.0.1'],
			['KUBERNETES_SERVICE_PORT', '443'],
			['KUBERNETES_SERVICE_PORT_HTTPS', '443'],
			['KUBERNETES_PORT', 'tcp://10.96.0.1:443'],
			['KUBERNETES_PORT_443_TCP', 'tcp://10.96.0.1:443'],
			['KUBERNETES_PORT_443_TCP_PROTO', 'tcp'],
			['KUBERNETES_PORT_443_TCP_PORT', '443'],
			['KUBERNETES_PORT_443_TCP_ADDR', '10.96.0.1'],
			['HOME', '/root'],
		]);
		for (const variable of spec.env ?? []) {
			env.set(variable.name, expandK8sRefs(variable.value ?? '', env));
		}

		return [...env];
	};

	const startContainer = (spec: ContainerSpec, out: OutputSink): RunningContainer => {
		if (disposed) {
			return cannotRun('the pod sandbox has been disposed');
		}

		const resolved = resolveCatalog(spec.image);
		if (!resolved) {
			return cannotRun(`image "${spec.image}" is not in the demo cluster's image catalog`);
		}

		const previous = instances.get(spec.name);
		previous?.proc.kill({exitCode: 137, reason: 'Error', signal: 9, message: 'replaced by a new instance'});

		const binaries = binariesFor(resolved);
		const lookup = makeLookup(resolved, binaries);
		const env = baseEnv(spec);
		const envMap = new Map(env);
		const command = (spec.command ?? resolved.entry.entrypoint).map(value => expandK8sRefs(value, envMap));
		const args = (spec.command === undefined ? (spec.args ?? resolved.entry.cmd) : (spec.args ?? [])).map(value => expandK8sRefs(value, envMap));
		const argv = [...command, ...args];
		if (argv.length === 0) {
			return cannotRun('failed to create containerd task: OCI runtime create failed: runc create failed: unable to start container process: no command specified: unknown');
		}

		if (!lookup(argv[0]!)) {
			return cannotRun(`failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${argv[0]}": executable file not found in $PATH: unknown`);
		}

		const proc = new Proc(limits, resolved.flavour !== 'loggen');
		if (resolved.flavour === 'distroless') {
			// The server handles TERM itself (shuts down cleanly).
			proc.hasTermTrap = true;
		}

		const root = buildRootFs(resolved, [...binaries.keys()], options.hostname, options.podIP, options.namespace);
		const mounts: Mount[] = [];
		for (const mount of spec.volumeMounts ?? []) {
			let volume = volumes.get(mount.name);
			if (!volume) {
				volume = {source: {name: mount.name, kind: 'other'}, tree: new Tree(mount.name, false, 0o777)};
				volumes.set(mount.name, volume);
			}

			mounts.push({
				path: normalisePath(mount.mountPath),
				tree: volume.tree,
				subPath: normalisePath(mount.subPath ?? '').slice(1),
				readOnly: Boolean(mount.readOnly) || volume.tree.readOnly,
			});
		}

		const oom = (message: string): never => {
			proc.kill({exitCode: 137, reason: 'OOMKilled', signal: 9, message});
			throw new Fatal(proc.dead!);
		};

		const view: FsView = new FsView(root, mounts, (_file, newSize, growth) => {
			if (newSize > limits.fileBytes) {
				oom(`file size limit reached: a file grew past ${limits.fileBytes} bytes (fileBytes limit)`);
			}

			if (view.totalBytes() + growth > limits.memoryBytes) {
				oom(`memory limit reached: files in the container and its volumes passed ${limits.memoryBytes} bytes (memoryBytes limit)`);
			}
		});
		let lastPid = 1;
		const machine: Machine = {
			fs: view,
			hostname: options.hostname,
			podIP: options.podIP,
			lookup,
			pid: 1,
			processes: {
				commandLine: argv.join(' ').replaceAll('\n', ' '),
				cpuMs: () => proc.cpuMs,
				nextPid: () => (lastPid += 6),
			},
		};
		const cwd = spec.workingDir ? normalisePath(spec.workingDir) : '/';
		if (spec.workingDir) {
			root.ensureDir(cwd);
		}

		const launcher = Shell.create(machine, proc, env);
		launcher.isTopLevel = true;
		launcher.cwd = cwd;
		const io = {
			stdin: new InStream(emptySource),
			stdout: new SinkWriter(proc, chunk => {
				out.stdout(chunk);
			}),
			stderr: new SinkWriter(proc, chunk => {
				out.stderr(chunk);
			}),
		};

		const startAfter = previousStart;
		previousStart = proc.settled;
		const done = new Promise<ExitResult>(resolve => {
			proc.onDeath(resolve);
			// Start asynchronously, like a process spawn (the caller gets its handle first), and after
			// the previously started container has settled.
			let stagger: NodeJS.Timeout | undefined;
			void Promise.race([
				startAfter,
				new Promise<void>(resolveStagger => {
					stagger = setTimeout(resolveStagger, START_STAGGER_MS);
				}),
			]).then(() => {
				clearTimeout(stagger);
				if (proc.dead) {
					return;
				}

				launcher.invoke(argv, io).then(
					code => {
						resolve(exitResult(code));
					},
					(error: unknown) => {
						resolve(errorResult(error));
					},
				);
			});
		});

		const instance: Instance = {spec, proc, machine, env, cwd, ended: undefined, done, execs: new Set()};
		instances.set(spec.name, instance);
		void done.then(result => {
			instance.ended = result;
			// Stop anything still running in the tree (background jobs, execs).
			proc.kill(result);
			for (const exec of instance.execs) {
				exec.kill({exitCode: 137, reason: 'Error', signal: 9, message: 'container stopped'});
			}
		});

		return {
			done,
			async terminate(graceMs: number) {
				if (!instance.ended) {
					proc.term();
					const timer = setTimeout(() => {
						proc.kill({exitCode: 137, reason: 'Error', signal: 9, message: `killed after the ${graceMs} ms grace period`});
					}, Math.max(0, graceMs));
					try {
						return await done;
					} finally {
						clearTimeout(timer);
					}
				}

				return done;
			},
		};
	};

	const exec = async (containerName: string, argv: string[], io: ExecIo): Promise<ExecResult> => {
		const instance = instances.get(containerName);
		if (!instance || instance.ended || instance.proc.dead) {
			return {kind: 'not-running', message: `container not found ("${containerName}")`};
		}

		if (argv.length === 0 || !instance.machine.lookup(argv[0]!)) {
			return {kind: 'not-found', message: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv[0] ?? ''}": executable file not found in $PATH: unknown`};
		}

		const proc = new Proc(limits, instance.proc.meterCpu);
		instance.execs.add(proc);
		const onAbort = (): void => {
			proc.kill({exitCode: 137, reason: 'Error', signal: 9, message: 'exec cancelled'});
		};

		io.signal?.addEventListener('abort', onAbort);
		if (io.signal?.aborted) {
			onAbort();
		}

		const shell = Shell.create(instance.machine, proc, instance.env);
		shell.cwd = instance.cwd;
		const execIo = {
			stdin: new InStream(io.stdin ? iterableSource(proc, io.stdin) : emptySource),
			stdout: new SinkWriter(proc, chunk => {
				io.stdout(chunk);
			}),
			stderr: new SinkWriter(proc, chunk => {
				io.stderr(chunk);
			}),
		};
		try {
			const died = new Promise<number>(resolve => {
				proc.onDeath(result => {
					resolve(result.exitCode);
				});
			});
			const exitCode = await Promise.race([
				shell.invoke(argv, execIo).catch((error: unknown) => errorResult(error).exitCode),
				died,
			]);
			return {kind: 'exited', exitCode};
		} catch (error) {
			if (error instanceof Fatal) {
				return {kind: 'exited', exitCode: error.result.exitCode};
			}

			await writeText(execIo.stderr, `sandbox error: ${error instanceof Error ? error.message : String(error)}\n`).catch(() => undefined);
			return {kind: 'exited', exitCode: 126};
		} finally {
			io.signal?.removeEventListener('abort', onAbort);
			instance.execs.delete(proc);
			proc.kill({exitCode: 0, reason: 'Completed'});
		}
	};

	return {
		startContainer,
		exec,
		async dispose() {
			disposed = true;
			const pending: Array<Promise<ExitResult>> = [];
			for (const instance of instances.values()) {
				instance.proc.kill({exitCode: 137, reason: 'Error', signal: 9, message: 'pod sandbox disposed'});
				pending.push(instance.done);
			}

			await Promise.all(pending);
			instances.clear();
			volumes.clear();
		},
	};
}
