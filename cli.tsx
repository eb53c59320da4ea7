#!/usr/bin/env node
// podwatch's entry point: parse the flags, choose the cluster (kubeconfig or the embedded demo),
// then render the dashboard, or stream when stdout is not a terminal.
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {parseArgs} from './source/cli/args.js';
import type {DemoCluster} from './demo/server/index.js';

// What only one mode needs is loaded when that mode runs: the demo cluster (and its sandbox), the
// Ink UI, the inspector's report. Start-up is mostly module loading.
const demoServer = () => import('./demo/server/index.js');

const lessonManifest = fileURLToPath(new URL('../demo/manifests/sidecar-pod.yaml', import.meta.url));

function fail(message: string, code: number): never {
	process.stderr.write(message.endsWith('\n') ? message : `${message}\n`);
	process.exit(code);
}

type ConnectOptions = {
	demo: boolean;
	apply: string[];
	kubeconfig: string | undefined;
	context: string | undefined;
	namespace: string | undefined;
	allNamespaces: boolean;
};

async function connect(inv: ConnectOptions) {
	const {loadKubeConfig} = await import('./source/kube/index.js');
	if (inv.demo) {
		const {startDemoCluster} = await demoServer();
		const cluster = await startDemoCluster({manifests: [lessonManifest, ...inv.apply]});
		const {KubeConfig} = await import('@kubernetes/client-node');
		const kc = new KubeConfig();
		kc.loadFromString(cluster.kubeconfigYaml);
		const target = {context: kc.getCurrentContext(), server: cluster.url, namespace: inv.namespace ?? 'default'};
		return {kc, target, cluster};
	}

	const {kc, target} = loadKubeConfig({
		kubeconfig: inv.kubeconfig,
		context: inv.context,
		namespace: inv.namespace,
		allNamespaces: inv.allNamespaces,
	});
	return {kc, target, cluster: undefined};
}

async function main(): Promise<number> {
	const parsed = parseArgs(process.argv.slice(2));
	if (parsed.kind === 'error') fail(parsed.message, 2);
	const inv = parsed.invocation;

	if (inv.command === 'demo') {
		const {runDemoCommand} = await demoServer();
		return runDemoCommand({kubeconfig: inv.kubeconfig, port: inv.port, apply: inv.apply}, {stdout: process.stdout, stderr: process.stderr});
	}

	const {ConfigError, createKubeSource} = await import('./source/kube/index.js');
	let cluster: DemoCluster | undefined;
	let source;
	try {
		const connection = await connect({...inv, allNamespaces: inv.command === 'dashboard' && inv.allNamespaces});
		cluster = connection.cluster;
		if (inv.command === 'dashboard' && inv.allNamespaces) connection.target.namespace = undefined;
		source = createKubeSource(connection.kc, connection.target);
	} catch (error) {
		if (error instanceof ConfigError) fail(error.message, 1);
		throw error;
	}

	const stopCluster = async () => {
		await cluster?.stop();
	};

	try {
		if (inv.command === 'inspect') {
			const {runInspect} = await import('./source/inspect/report.js');
			return await runInspect({
				source,
				namespace: source.target.namespace ?? 'default',
				pod: inv.pod,
				volume: inv.volume,
				file: inv.file,
				output: inv.output,
				showSecrets: inv.showSecrets,
				out: process.stdout,
				err: process.stderr,
			});
		}

		if (!process.stdout.isTTY) {
			const {runPipe} = await import('./source/cli/pipe.js');
			return await runPipe({
				source,
				out: process.stdout,
				err: process.stderr,
				pod: inv.pod,
				allNamespaces: inv.allNamespaces,
				selector: inv.selector,
				container: inv.container,
				tailLines: inv.tailLines,
				sinceSeconds: inv.sinceSeconds,
				timestamps: inv.timestamps,
				json: inv.output === 'json',
				colour: inv.colour && process.env['FORCE_COLOR'] !== undefined && process.env['FORCE_COLOR'] !== '0',
			});
		}

		const [{render}, {App}, {InspectorView}] = await Promise.all([
			import('ink'),
			import('./source/ui/app.js'),
			import('./source/inspect/inspector-view.js'),
		]);
		let exit = () => {};
		const instance = render(
			<App
				source={source}
				initialPod={inv.pod}
				initialContainer={inv.container}
				bufferLines={inv.bufferLines}
				tailLines={inv.tailLines}
				sinceSeconds={inv.sinceSeconds}
				labelSelector={inv.selector}
				showTimestamps={inv.timestamps}
				theme={inv.theme}
				colour={inv.colour}
				volumeInspector={InspectorView}
				openInspector={inv.inspect}
				onExit={() => exit()}
			/>,
			{exitOnCtrlC: true, alternateScreen: true, incrementalRendering: true, patchConsole: true},
		);
		exit = () => instance.unmount();
		await instance.waitUntilExit();
		return 0;
	} finally {
		await stopCluster();
	}
}

for (const signal of ['SIGTERM', 'SIGHUP'] as const) process.on(signal, () => process.exit(143));

main().then(
	code => process.exit(code),
	(error: unknown) => fail(`podwatch: ${error instanceof Error ? error.message : String(error)}`, 1),
);
