#!/usr/bin/env -S node --max-semi-space-size=2 --max-old-space-size=384
// podwatch needs Node 22 or newer. When the `node` on PATH is older (these machines ship Node 20),
// run the CLI with the Node 22 binary that comes with the package's `node` dependency instead.
// Kept in plain JavaScript that old Node versions can parse.
//
// The heap flags on the first line keep memory flat while logs stream (bench/RESULTS.md: RSS after
// 1M lines 352 MB -> 182 MB, 1.06x of the 100k figure): a small young generation for the
// short-lived strings of a log flood, and an old-space cap that makes V8 collect instead of grow.
import {spawn} from 'node:child_process';
import {createRequire} from 'node:module';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath, pathToFileURL} from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const major = Number(process.versions.node.split('.')[0]);
const args = process.argv.slice(2);
const heapFlags = ['--max-semi-space-size=2', `--max-old-space-size=${heapMegabytes(args)}`];

// React's development build costs several times the CPU per frame; a terminal app ships production.
process.env.NODE_ENV ??= 'production';

/** 384 MB holds the default buffers many times over; a large --buffer gets room in proportion. */
function heapMegabytes(argv) {
	const index = argv.findIndex(arg => arg === '--buffer' || arg.startsWith('--buffer='));
	const value = index === -1 ? undefined : Number(argv[index].includes('=') ? argv[index].split('=')[1] : argv[index + 1]);
	return Number.isFinite(value) && value > 50_000 ? Math.ceil(384 + (value / 1000) * 2) : 384;
}

function run(binary, flags) {
	const child = spawn(binary, [...flags, cli, ...args], {stdio: 'inherit'});
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
	child.on('exit', (code, signal) => process.exit(signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : (code ?? 1)));
}

if (major >= 22) {
	const v8 = await import('node:v8');
	const limitMegabytes = v8.getHeapStatistics().heap_size_limit / 1024 / 1024;
	if (limitMegabytes + 64 < heapMegabytes(args)) {
		// A large --buffer needs a larger heap than this process was started with.
		run(process.execPath, heapFlags);
	} else {
		// Cache compiled code between runs (Node 22.1+): start-up is mostly module loading.
		const {enableCompileCache} = await import('node:module');
		enableCompileCache?.();
		await import(pathToFileURL(cli).href);
	}
} else {
	let binary;
	try {
		const require = createRequire(import.meta.url);
		binary = path.join(path.dirname(require.resolve('node/package.json')), 'bin', 'node');
	} catch {
		process.stderr.write(`podwatch needs Node.js 22 or newer, and this is Node.js ${process.versions.node}. Install Node.js 22 (or reinstall podwatch so that its bundled runtime is installed too).\n`);
		process.exit(1);
	}

	run(binary, heapFlags);
}
