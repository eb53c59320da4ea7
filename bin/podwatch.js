#!/usr/bin/env node
// podwatch needs Node 22 or newer. When the `node` on PATH is older (these machines ship Node 20),
// run the CLI with the Node 22 binary that comes with the package's `node` dependency instead.
// Kept in plain JavaScript that old Node versions can parse.
import {spawn} from 'node:child_process';
import {createRequire} from 'node:module';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath, pathToFileURL} from 'node:url';

// React's development build costs several times the CPU per frame; a terminal app ships production.
process.env.NODE_ENV ??= 'production';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const major = Number(process.versions.node.split('.')[0]);

if (major >= 22) {
	await import(pathToFileURL(cli).href);
} else {
	let binary;
	try {
		const require = createRequire(import.meta.url);
		binary = path.join(path.dirname(require.resolve('node/package.json')), 'bin', 'node');
	} catch {
		process.stderr.write(`podwatch needs Node.js 22 or newer, and this is Node.js ${process.versions.node}. Install Node.js 22 (or reinstall podwatch so that its bundled runtime is installed too).\n`);
		process.exit(1);
	}

	const child = spawn(binary, [cli, ...process.argv.slice(2)], {stdio: 'inherit'});
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
	child.on('exit', (code, signal) => process.exit(signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : (code ?? 1)));
}
