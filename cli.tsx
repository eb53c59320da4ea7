#!/usr/bin/env node
// podwatch's entry point: parse the flags, choose the cluster (kubeconfig or the embedded demo),
// then render the dashboard, or stream when stdout is not a terminal.
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {render} from 'ink';
import {parseArgs} from './source/cli/args.js';
import {runInspect} from './source/inspect/report.js';
import {InspectorView} from './source/inspect/inspector-view.js';
import {runPipe} from './source/cli/pipe.js';
import {ConfigError, createKubeSource, loadKubeConfig} from './source/kube/index.js';
import {App} from './source/ui/app.js';
import {runDemoCommand, startDemoCluster, type DemoCluster} from './demo/server/index.js';
import {KubeConfig} from '@kubernetes/client-node';

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
	if (inv.demo) {
		const cluster = await startDemoCluster({manifests: [lessonManifest, ...inv.apply]});
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
		return runDemoCommand({kubeconfig: inv.kubeconfig, port: inv.port, apply: inv.apply}, {stdout: process.stdout, stderr: process.stderr});
	}

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
