// `npm run test:real`: build, bring the real cluster up (or reuse a running one), run the compiled
// suite in dist/test/real-cluster/ with Node's test runner, and tear the cluster down again if
// this run started it. Never skips: if the cluster cannot run here, it fails and says why.
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {ClusterError, LOG_DIR, checkPlatform, down, isRunning, up} from './cluster.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const suiteDir = path.join(repo, 'dist', 'test', 'real-cluster');

// A closed output pipe must not stop the teardown at the end.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

function fail(message) {
	process.stderr.write(`test:real: ${message}\n`);
	process.exit(1);
}

try {
	checkPlatform();
} catch (error) {
	fail(`cannot run the real-cluster suite: ${error instanceof Error ? error.message : String(error)}`);
}
// Build (tsc emits even when some file has type errors). Errors in what this suite runs fail it;
// errors elsewhere (say bench/) are npm test's business and only reported here.
const build = spawnSync(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {cwd: repo, encoding: 'utf8'});
if (build.status !== 0) {
	const errors = `${build.stdout}${build.stderr}`.split('\n').filter(line => /error TS\d+/.test(line));
	const relevant = errors.filter(line => /^(test\/real-cluster|demo|source)\//.test(line));
	if (errors.length === 0 || relevant.length > 0) fail(`the TypeScript build failed:\n${(relevant.length > 0 ? relevant : [build.stdout, build.stderr]).join('\n')}`);
	process.stderr.write(`test:real: the build reports ${errors.length} type error(s) in files this suite does not use; continuing with the emitted JavaScript:\n${errors.slice(0, 5).map(line => `  ${line}`).join('\n')}\n`);
}

const files = fs.existsSync(suiteDir) ? fs.readdirSync(suiteDir).filter(name => name.endsWith('.test.js')).map(name => path.join(suiteDir, name)) : [];
if (files.length === 0) fail(`no compiled tests in ${suiteDir} after the build.`);

const wasRunning = isRunning();
const started = Date.now();
try {
	await up();
} catch (error) {
	process.stderr.write(`test:real: the real cluster did not come up: ${error instanceof Error ? error.message : String(error)}\nDaemon logs: ${LOG_DIR}\n`);
	if (!(error instanceof ClusterError)) process.stderr.write(`${error instanceof Error ? error.stack : ''}\n`);
	await down().catch(() => undefined);
	process.exit(1);
}
process.stderr.write(`test:real: cluster ready after ${Math.round((Date.now() - started) / 1000)} s${wasRunning ? ' (reused)' : ''}\n`);

// One file at a time: every file uses the same single-node cluster and its own pod names.
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], {
	stdio: 'inherit',
	cwd: repo,
	env: {...process.env, PODWATCH_REAL_CLUSTER: '1'},
});
let code = result.status ?? 1;

if (wasRunning) {
	process.stderr.write('test:real: the cluster was already running before the suite; leaving it up.\n');
} else {
	const {warnings} = await down();
	if (warnings.length > 0) {
		process.stderr.write(`test:real: teardown left things behind:\n${warnings.map(w => `  - ${w}`).join('\n')}\n`);
		code = code || 1;
	}
}
process.stderr.write(`test:real: finished in ${Math.round((Date.now() - started) / 1000)} s\n`);
process.exit(code);
