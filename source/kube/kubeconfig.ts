// Loads cluster configuration the way kubectl resolves it, because client-node's own
// `loadFromDefault` differs: it throws on a name present in two KUBECONFIG files, lets later
// files override current-context, and silently falls back to http://localhost:8080.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {KubeConfig} from '@kubernetes/client-node';
import type {Cluster, Context, User} from '@kubernetes/client-node';
import {visible} from './errors.js';
import type {ClusterTarget} from './types.js';

export class ConfigError extends Error {
	override name = 'ConfigError';
	constructor(message: string) {
		// Paths and names come from files and flags: keep control characters off the terminal.
		super(visible(message));
	}
}

export type LoadKubeConfigOptions = {
	/** `--kubeconfig PATH`: the only file read when given. */
	kubeconfig?: string;
	/** `--context NAME` */
	context?: string;
	/** `-n NAME` */
	namespace?: string;
	/** `-A`: target.namespace becomes undefined. */
	allNamespaces?: boolean;
	env?: NodeJS.ProcessEnv;
	home?: string;
};

const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

type Loaded = {file: string; clusters: Cluster[]; users: User[]; contexts: Context[]; currentContext: string | undefined};

function readKubeconfigFile(file: string, how: string): Loaded {
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		const problem = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code ?? String(error)})`;
		throw new ConfigError(
			`The kubeconfig file ${file} (${how}) ${problem}. Check the path, or run \`podwatch --demo\` to try podwatch on its built-in demo cluster.`,
		);
	}
	if (text.trim() === '') {
		return {file, clusters: [], users: [], contexts: [], currentContext: undefined};
	}
	const kc = new KubeConfig();
	try {
		kc.loadFromString(text);
		kc.makePathsAbsolute(path.dirname(file));
	} catch (error) {
		const detail = oneLine(error instanceof Error ? error.message : String(error));
		throw new ConfigError(
			`The kubeconfig file ${file} (${how}) is not a valid kubeconfig: ${detail}. Fix the file (\`kubectl config view --kubeconfig ${file}\` shows how kubectl reads it) or point --kubeconfig / KUBECONFIG at another one.`,
		);
	}
	return {
		file,
		clusters: kc.clusters ?? [],
		users: kc.users ?? [],
		contexts: kc.contexts ?? [],
		currentContext: kc.currentContext || undefined,
	};
}

function oneLine(text: string): string {
	return text.replace(/\s*\n\s*/g, ' ').replace(/[.\s]+$/, '');
}

/** kubectl's merge: for every name and for current-context, the first file that sets it wins. */
function merge(files: Loaded[]): KubeConfig {
	const clusters = new Map<string, Cluster>();
	const users = new Map<string, User>();
	const contexts = new Map<string, Context>();
	let currentContext: string | undefined;
	for (const file of files) {
		for (const c of file.clusters) if (!clusters.has(c.name)) clusters.set(c.name, c);
		for (const u of file.users) if (!users.has(u.name)) users.set(u.name, u);
		for (const c of file.contexts) if (!contexts.has(c.name)) contexts.set(c.name, c);
		currentContext ??= file.currentContext;
	}
	const kc = new KubeConfig();
	kc.loadFromOptions({
		clusters: [...clusters.values()],
		users: [...users.values()],
		contexts: [...contexts.values()],
		currentContext: currentContext ?? '',
	});
	return kc;
}

function noConfigMessage(where: string): string {
	return `No Kubernetes cluster is configured: ${where}. Point podwatch at a cluster with --kubeconfig PATH or the KUBECONFIG variable (kind, minikube and cloud CLIs write ~/.kube/config), or run \`podwatch --demo\` to try it on its built-in demo cluster.`;
}

export function loadKubeConfig(options: LoadKubeConfigOptions = {}): {kc: KubeConfig; target: ClusterTarget} {
	const env = options.env ?? process.env;
	const home = options.home ?? env['HOME'] ?? os.homedir();
	let kc: KubeConfig;
	let source: string;
	if (options.kubeconfig !== undefined && options.kubeconfig !== '') {
		kc = merge([readKubeconfigFile(path.resolve(options.kubeconfig), 'given with --kubeconfig')]);
		source = options.kubeconfig;
	} else if (env['KUBECONFIG']) {
		const names = env['KUBECONFIG'].split(path.delimiter).filter(Boolean);
		// kubectl skips KUBECONFIG entries that do not exist; only a broken file is an error.
		const existing = names.filter((name) => fs.existsSync(name));
		if (existing.length === 0) {
			throw new ConfigError(
				noConfigMessage(`none of the files in KUBECONFIG (${names.join(path.delimiter)}) exists`),
			);
		}
		kc = merge(existing.map((name) => readKubeconfigFile(path.resolve(name), 'listed in KUBECONFIG')));
		source = 'KUBECONFIG';
	} else if (home && fs.existsSync(path.join(home, '.kube', 'config'))) {
		const file = path.join(home, '.kube', 'config');
		kc = merge([readKubeconfigFile(file, 'the default kubeconfig')]);
		source = file;
	} else if (env['KUBERNETES_SERVICE_HOST'] && fs.existsSync(path.join(serviceAccountDir, 'token'))) {
		kc = new KubeConfig();
		kc.loadFromCluster();
		source = 'in-cluster service account';
		const nsFile = path.join(serviceAccountDir, 'namespace');
		const ctx = kc.contexts[0];
		if (ctx && !ctx.namespace && fs.existsSync(nsFile)) {
			(ctx as {namespace?: string}).namespace = fs.readFileSync(nsFile, 'utf8').trim();
		}
	} else {
		throw new ConfigError(
			noConfigMessage(`KUBECONFIG is not set, ${home ? path.join(home, '.kube', 'config') : '~/.kube/config'} does not exist and podwatch is not running inside a cluster`),
		);
	}

	const contextNames = kc.contexts.map((c) => c.name);
	const available = contextNames.length > 0 ? `available contexts: ${contextNames.join(', ')}` : 'it defines no contexts';
	if (options.context) {
		if (!kc.getContextObject(options.context)) {
			throw new ConfigError(
				`The context "${options.context}" given with --context does not exist in ${source} (${available}). Pick one of those (\`kubectl config get-contexts\` lists them).`,
			);
		}
		kc.setCurrentContext(options.context);
	} else if (!kc.currentContext) {
		if (contextNames.length === 0 && kc.clusters.length === 0) {
			throw new ConfigError(noConfigMessage(`${source} defines no clusters or contexts`));
		}
		throw new ConfigError(
			`${source} sets no current context (${available}). Choose one with --context NAME or \`kubectl config use-context NAME\`.`,
		);
	} else if (!kc.getContextObject(kc.currentContext)) {
		throw new ConfigError(
			`The current context "${kc.currentContext}" in ${source} does not exist (${available}). Choose one with --context NAME or \`kubectl config use-context NAME\`.`,
		);
	}
	const context = kc.getContextObject(kc.currentContext)!;
	const cluster = kc.getCluster(context.cluster);
	if (!cluster) {
		throw new ConfigError(
			`The context "${context.name}" refers to the cluster "${context.cluster}", which is not defined in ${source}. Add that cluster to the kubeconfig or choose another context with --context.`,
		);
	}
	if (context.user && !kc.getUser(context.user)) {
		throw new ConfigError(
			`The context "${context.name}" refers to the user "${context.user}", which is not defined in ${source}. Add that user to the kubeconfig or choose another context with --context.`,
		);
	}
	if (!context.user) {
		// A context without a user is anonymous for kubectl. client-node then skips the cluster's
		// TLS settings too (it applies them only when there is a user), so give it an empty one.
		const anonymous = '\u0000podwatch-anonymous';
		kc.loadFromOptions({
			clusters: kc.clusters,
			users: [...kc.users, {name: anonymous}],
			contexts: kc.contexts.map((c) => (c.name === context.name ? {...c, user: anonymous} : c)),
			currentContext: kc.currentContext,
		});
	}
	const namespace = options.allNamespaces ? undefined : options.namespace || context.namespace || 'default';
	return {kc, target: {context: context.name, server: cluster.server, namespace}};
}
