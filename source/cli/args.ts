// Command-line parsing for podwatch. meow does the parsing and the help text; this module turns its
// result into one validated `Invocation`, or one clear error line, without exiting the process,
// so that the rules are unit-tested and cli.tsx stays thin.
import meow from 'meow';

export const helpText = `
  A terminal dashboard for pods with several containers: ready counts as kubectl prints them,
  every container's live logs side by side, and a volume inspector.

  Usage
    $ podwatch                      list pods with their ready counts (live)
    $ podwatch POD                  open the dashboard on one pod
    $ podwatch --demo [POD]         the same on the embedded offline demo cluster
    $ podwatch inspect POD          compare a shared volume's files across the pod's containers
    $ podwatch demo                 run the demo cluster in the foreground, for kubectl
    $ kubectl podwatch ...          the same, as a kubectl plugin

  Options
    -n, --namespace NAME     namespace (default: the context's, else "default")
    -A, --all-namespaces     list pods in every namespace
    -l, --selector QUERY     label selector, e.g. app=sidecar-demo
    -c, --container NAME     container to focus first
        --context NAME       kubeconfig context to use
        --kubeconfig PATH    kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)
        --tail N             lines of history per container (default 200, -1 for all)
        --since DURATION     only logs newer than this, e.g. 30s, 5m, 1h
        --timestamps         show log timestamps (toggle with t)
        --buffer N           lines kept per container (default 5000)
        --demo               start the embedded demo cluster with the lesson's pod
        --apply PATH         with --demo or demo: also apply this manifest file or folder
    -o, --output FORMAT      when not on a terminal: text (default) or json
        --no-color           no colour (NO_COLOR is respected too)
        --theme NAME         default or high-contrast (for projectors)
        --version            print the version
        --help               print this help

  Volume inspector (podwatch inspect POD, or i in the dashboard)
        --volume NAME        the volume to compare (default: the first one shared by two containers)
        --file PATH          one file, relative to the volume (default: every file at its top)
    -o, --output FORMAT      text (default) or json
        --show-secrets       print the contents of secret volumes (hidden by default)
        --inspect            open the dashboard's inspector at once
    Exit codes: 0 same content everywhere, 1 the containers differ, 2 error.

  Demo cluster (podwatch demo)
        --kubeconfig PATH    where to write its kubeconfig (default: a file in the temp dir)
        --port N             port on 127.0.0.1 (default: any free port)
        --apply PATH         manifest file or folder to apply at start (repeatable)

  Examples
    $ podwatch --demo sidecar-pod
    $ podwatch sidecar-pod -c sidecar-container
    $ podwatch -A
    $ podwatch sidecar-pod | grep "log entry"
    $ podwatch demo --apply demo/manifests
`;

export type DashboardInvocation = {
	command: 'dashboard';
	pod: string | undefined;
	namespace: string | undefined;
	allNamespaces: boolean;
	selector: string | undefined;
	container: string | undefined;
	context: string | undefined;
	kubeconfig: string | undefined;
	tailLines: number | undefined;
	sinceSeconds: number | undefined;
	timestamps: boolean;
	bufferLines: number;
	demo: boolean;
	apply: string[];
	output: 'text' | 'json';
	colour: boolean;
	theme: 'default' | 'high-contrast';
	/** Open the volume inspector at once. */
	inspect: boolean;
};

export type DemoInvocation = {
	command: 'demo';
	kubeconfig: string | undefined;
	port: number | undefined;
	apply: string[];
};

export type InspectInvocation = {
	command: 'inspect';
	pod: string;
	namespace: string | undefined;
	context: string | undefined;
	kubeconfig: string | undefined;
	demo: boolean;
	apply: string[];
	volume: string | undefined;
	file: string | undefined;
	output: 'text' | 'json';
	showSecrets: boolean;
};

export type Invocation = DashboardInvocation | DemoInvocation | InspectInvocation;

export type ParseResult = {kind: 'ok'; invocation: Invocation} | {kind: 'error'; message: string};

const flags = {
	namespace: {type: 'string', shortFlag: 'n'},
	allNamespaces: {type: 'boolean', shortFlag: 'A', default: false},
	selector: {type: 'string', shortFlag: 'l'},
	container: {type: 'string', shortFlag: 'c'},
	context: {type: 'string'},
	kubeconfig: {type: 'string'},
	tail: {type: 'string'},
	since: {type: 'string'},
	timestamps: {type: 'boolean', default: false},
	buffer: {type: 'string'},
	demo: {type: 'boolean', default: false},
	apply: {type: 'string', isMultiple: true},
	port: {type: 'string'},
	output: {type: 'string', shortFlag: 'o'},
	color: {type: 'boolean', default: true},
	theme: {type: 'string'},
	volume: {type: 'string'},
	file: {type: 'string'},
	showSecrets: {type: 'boolean', default: false},
	inspect: {type: 'boolean', default: false},
} as const;

const usageHint = "Run 'podwatch --help' for usage.";

/** `30s`, `5m`, `1h30m`, `2h` → seconds; kubectl's --since accepts Go durations like these. */
export function parseDuration(text: string): number | undefined {
	const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
	if (!match || text === '') return undefined;
	const [, h, m, s] = match;
	const seconds = Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0);
	return seconds > 0 ? seconds : undefined;
}

function wholeNumber(text: string, min: number): number | undefined {
	if (!/^-?\d+$/.test(text)) return undefined;
	const value = Number(text);
	return value >= min && Number.isSafeInteger(value) ? value : undefined;
}

const knownFlagNames = new Set([
	...Object.keys(flags),
	...Object.values(flags).flatMap(f => ('shortFlag' in f ? [f.shortFlag] : [])),
	'help',
	'version',
	'noColor',
	'all-namespaces',
	'no-color',
	'show-secrets',
]);

/**
 * Parse argv (without the node and script paths). `env` supplies NO_COLOR. meow's own `--help` and
 * `--version` handling prints and exits, as every CLI user expects.
 */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ParseResult {
	let cli;
	try {
		cli = meow(helpText, {
			importMeta: import.meta,
			argv,
			flags,
			allowUnknownFlags: true,
			booleanDefault: undefined,
		});
	} catch (error) {
		return {kind: 'error', message: `podwatch: ${(error as Error).message} ${usageHint}`};
	}

	const unknown = Object.keys(cli.unnormalizedFlags).filter(name => !knownFlagNames.has(name));
	if (unknown.length > 0) {
		const shown = unknown.map(name => (name.length === 1 ? `-${name}` : `--${name}`)).join(', ');
		return {kind: 'error', message: `podwatch: unknown flag ${shown}. ${usageHint}`};
	}

	const f = cli.flags;
	const input = cli.input;
	const apply = (f.apply ?? []).filter(value => value !== '');

	if (input[0] === 'demo') {
		if (input.length > 1) return {kind: 'error', message: `podwatch: 'demo' takes no pod name (got '${input[1]}'). ${usageHint}`};
		let port: number | undefined;
		if (f.port !== undefined) {
			port = wholeNumber(f.port, 0);
			if (port === undefined || port > 65_535) {
				return {kind: 'error', message: `podwatch: --port must be a number from 0 to 65535 (got '${f.port}'). ${usageHint}`};
			}
		}

		return {kind: 'ok', invocation: {command: 'demo', kubeconfig: f.kubeconfig, port, apply}};
	}

	if (f.port !== undefined) return {kind: 'error', message: `podwatch: --port only goes with 'podwatch demo'. ${usageHint}`};
	if (apply.length > 0 && !f.demo) {
		return {kind: 'error', message: `podwatch: --apply goes with --demo (or 'podwatch demo'). ${usageHint}`};
	}

	if (f.demo && (f.kubeconfig !== undefined || f.context !== undefined)) {
		return {kind: 'error', message: `podwatch: --demo uses the embedded cluster, so --kubeconfig and --context do not apply. ${usageHint}`};
	}

	if (input[0] === 'inspect') {
		if (input.length !== 2) return {kind: 'error', message: `podwatch: 'inspect' takes exactly one pod name. ${usageHint}`};
		const output = f.output ?? 'text';
		if (output !== 'text' && output !== 'json') {
			return {kind: 'error', message: `podwatch: --output must be text or json (got '${output}'). ${usageHint}`};
		}

		return {
			kind: 'ok',
			invocation: {
				command: 'inspect',
				pod: input[1]!,
				namespace: f.namespace,
				context: f.context,
				kubeconfig: f.kubeconfig,
				demo: f.demo ?? false,
				apply,
				volume: f.volume,
				file: f.file,
				output,
				showSecrets: f.showSecrets ?? false,
			},
		};
	}

	for (const name of ['volume', 'file', 'showSecrets'] as const) {
		if (f[name] !== undefined && f[name] !== false) {
			return {kind: 'error', message: `podwatch: --${name === 'showSecrets' ? 'show-secrets' : name} goes with 'podwatch inspect POD'. ${usageHint}`};
		}
	}
	if (input.length > 1) {
		return {kind: 'error', message: `podwatch: one pod at a time (got ${input.map(i => `'${i}'`).join(', ')}). ${usageHint}`};
	}

	if (f.allNamespaces && f.namespace !== undefined) {
		return {kind: 'error', message: `podwatch: use either -n/--namespace or -A/--all-namespaces, not both. ${usageHint}`};
	}

	if (f.allNamespaces && input[0] !== undefined) {
		return {kind: 'error', message: `podwatch: -A lists pods; to open '${input[0]}' name its namespace with -n instead. ${usageHint}`};
	}

	if (f.inspect && input[0] === undefined) return {kind: 'error', message: `podwatch: --inspect needs a pod name. ${usageHint}`};

	let tailLines: number | undefined = 200;
	if (f.tail !== undefined) {
		const value = wholeNumber(f.tail, -1);
		if (value === undefined) return {kind: 'error', message: `podwatch: --tail must be a whole number, -1 for all (got '${f.tail}'). ${usageHint}`};
		tailLines = value === -1 ? undefined : value;
	}

	let sinceSeconds: number | undefined;
	if (f.since !== undefined) {
		sinceSeconds = parseDuration(f.since);
		if (sinceSeconds === undefined) {
			return {kind: 'error', message: `podwatch: --since must be a duration such as 30s, 5m or 1h (got '${f.since}'). ${usageHint}`};
		}
	}

	let bufferLines = 5000;
	if (f.buffer !== undefined) {
		const value = wholeNumber(f.buffer, 100);
		if (value === undefined || value > 1_000_000) {
			return {kind: 'error', message: `podwatch: --buffer must be a number of lines from 100 to 1000000 (got '${f.buffer}'). ${usageHint}`};
		}

		bufferLines = value;
	}

	const output = f.output ?? 'text';
	if (output !== 'text' && output !== 'json') {
		return {kind: 'error', message: `podwatch: --output must be text or json (got '${output}'). ${usageHint}`};
	}

	const theme = f.theme ?? 'default';
	if (theme !== 'default' && theme !== 'high-contrast') {
		return {kind: 'error', message: `podwatch: --theme must be default or high-contrast (got '${theme}'). ${usageHint}`};
	}

	for (const [name, value] of [['namespace', f.namespace], ['container', f.container], ['context', f.context], ['selector', f.selector]] as const) {
		if (value === '') return {kind: 'error', message: `podwatch: --${name} needs a value. ${usageHint}`};
	}

	const noColourEnv = env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '';
	return {
		kind: 'ok',
		invocation: {
			command: 'dashboard',
			pod: input[0],
			namespace: f.namespace,
			allNamespaces: f.allNamespaces ?? false,
			selector: f.selector,
			container: f.container,
			context: f.context,
			kubeconfig: f.kubeconfig,
			tailLines,
			sinceSeconds,
			timestamps: f.timestamps ?? false,
			bufferLines,
			demo: f.demo ?? false,
			apply,
			output,
			colour: (f.color ?? true) && !noColourEnv,
			theme,
			inspect: f.inspect ?? false,
		},
	};
}
