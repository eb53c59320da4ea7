// A tiny stand-in for demo/runtime used by lifecycle tests: containers are driven by their
// command text instead of a shell, so the kubelet's behaviour can be tested in isolation.
//   - a command mentioning `exit N` prints "starting", then exits with N after 50 ms;
//   - anything else prints "tick <i>" every 20 ms until terminated (exit 143 on TERM).
// exec: `sh -c 'exit N'`, `echo ...`, `cat` (echoes stdin), `ls`; anything else is not found.
import type {ContainerSpec, ExecIo, ExecResult, ExitResult, ImageInfo, OutputSink, PodSandbox, PodSandboxOptions, RunningContainer} from '../../demo/runtime/types.js';

const enc = new TextEncoder();

export const fakeImages: Record<string, ImageInfo> = {
	'busybox:1.36': {ref: 'docker.io/library/busybox:1.36', digest: 'sha256:' + 'ab'.repeat(32), flavour: 'shell'},
	busybox: {ref: 'docker.io/library/busybox:latest', digest: 'sha256:' + 'cd'.repeat(32), flavour: 'shell'},
};

export type FakeSandbox = PodSandbox & {opts: PodSandboxOptions; started: string[]; disposed: boolean};

export const fakeRuntime = {
	sandboxes: [] as FakeSandbox[],
	resolveImage(image: string): ImageInfo | undefined {
		return fakeImages[image];
	},
	createPodSandbox(opts: PodSandboxOptions): FakeSandbox {
		const running = new Map<string, {stop: () => void}>();
		const sandbox: FakeSandbox = {
			opts,
			started: [],
			disposed: false,
			startContainer(spec: ContainerSpec, out: OutputSink): RunningContainer {
				sandbox.started.push(spec.name);
				const text = [...(spec.command ?? []), ...(spec.args ?? [])].join(' ');
				const exit = /exit (\d+)/.exec(text);
				let resolveDone!: (r: ExitResult) => void;
				const done = new Promise<ExitResult>(resolve => (resolveDone = resolve));
				let ended = false;
				const end = (r: ExitResult) => {
					if (ended) return;
					ended = true;
					clearInterval(timer);
					running.delete(spec.name);
					resolveDone(r);
				};
				let i = 0;
				let timer: NodeJS.Timeout | undefined;
				if (exit) {
					out.stdout(enc.encode('starting\n'));
					timer = setTimeout(() => end({exitCode: Number(exit[1]), reason: Number(exit[1]) === 0 ? 'Completed' : 'Error'}), 50);
				} else {
					timer = setInterval(() => out.stdout(enc.encode(`tick ${i++}\n`)), 20);
				}
				running.set(spec.name, {stop: () => end({exitCode: 143, reason: 'Error', signal: 15})});
				return {
					done,
					async terminate() {
						end({exitCode: 143, reason: 'Error', signal: 15});
						return done;
					},
				};
			},
			async exec(containerName: string, argv: string[], io: ExecIo): Promise<ExecResult> {
				if (!running.has(containerName)) return {kind: 'not-running', message: 'container is not running'};
				const [bin, ...rest] = argv;
				if (bin === 'sh' && rest[0] === '-c') {
					const m = /exit (\d+)/.exec(rest[1] ?? '');
					io.stderr(enc.encode('err\n'));
					io.stdout(enc.encode('out\n'));
					return {kind: 'exited', exitCode: m ? Number(m[1]) : 0};
				}
				if (bin === 'echo') {
					io.stdout(enc.encode(rest.join(' ') + '\n'));
					return {kind: 'exited', exitCode: 0};
				}
				if (bin === 'cat') {
					for await (const chunk of io.stdin ?? []) io.stdout(chunk);
					return {kind: 'exited', exitCode: 0};
				}
				if (bin === 'ls') {
					io.stdout(enc.encode(opts.volumes.map(v => v.name).join('\n') + '\n'));
					return {kind: 'exited', exitCode: 0};
				}
				return {kind: 'not-found', message: `exec: "${bin}": executable file not found in $PATH`};
			},
			async dispose() {
				for (const r of [...running.values()]) r.stop();
				sandbox.disposed = true;
			},
		};
		fakeRuntime.sandboxes.push(sandbox);
		return sandbox;
	},
};
