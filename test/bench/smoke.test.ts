// CI smoke run of the benchmark suite (`npm run bench -- --smoke`): tiny sizes, so it checks that
// every benchmark still runs end to end against kubectl and prints its figures, not the timings.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {spawn, spawnSync} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const runner = path.resolve(here, '..', '..', 'bench', 'run.js');

/** Every row the table must hold, each with a number in its podwatch column. */
const expectedRows = [
	/^1 drain 2×[\d,]+ lines\s+\d+ ms\s+\d+ ms kubectl logs -f\s+[\d.]+×/m,
	/^2 key→frame at [\d,]+ lines\/s\s+p50 \d+ ms p99 \d+ ms\s+idle p50 \d+ ms p99 \d+ ms\s+[\d.]+×/m,
	/^3 RSS before the first line\s+\d+ MB/m,
	/^3 RSS after [\d,]+ lines\s+\d+ MB/m,
	/^3 RSS after [\d,]+ lines\s+\d+ MB\s+\d+ MB after [\d,]+\s+[\d.]+×/m,
	/^4 launch → first pod list\s+\d+ ms\s+\d+ ms kubectl get pods\s+[\d.]+×/m,
	/^5 [\d,]+ pods, \d+ changes\/s: CPU\s+[\d.]+ %/m,
	/^5 {3}frame time \(CPU per frame\)\s+[\d.]+ ms/m,
	/^5 {3}key→frame while churning\s+p50 \d+ ms p99 \d+ ms/m,
	/^6 inspector: i → ls in all 4 containers\s+\d+ ms\s+\d+ ms one kubectl exec ls\s+[\d.]+×/m,
	/^6 inspector: Enter → file in all 4\s+\d+ ms\s+\d+ ms one kubectl exec cat\s+[\d.]+×/m,
	/^6 inspector: both steps vs 8 execs\s+\d+ ms\s+\d+ ms 8 kubectl execs\s+[\d.]+×/m,
	/^6 podwatch inspect \(CLI, with launch\)\s+\d+ ms\s+\d+ ms 8 kubectl execs\s+[\d.]+×/m,
];

test('kubectl is installed (the benchmarks\' reference)', () => {
	const probe = spawnSync(process.env['KUBECTL'] ?? 'kubectl', ['version', '--client'], {encoding: 'utf8'});
	assert.ok(!probe.error && probe.status === 0, `kubectl is required to run the benchmarks and could not be run: ${probe.error?.message ?? probe.stderr}`);
});

test('npm run bench -- --smoke runs every benchmark and prints each row with its figures', {timeout: 150_000}, async t => {
	const child = spawn(process.execPath, [runner, '--smoke'], {stdio: ['ignore', 'pipe', 'pipe']});
	// On a timeout, interrupt the runner, which stops its demo cluster.
	t.signal.addEventListener('abort', () => child.kill('SIGTERM'));
	let output = '';
	child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
	const code = await new Promise<number | null>(resolve => child.once('close', resolve));
	assert.equal(code, 0, `the smoke run failed:\n${output}`);
	for (const row of expectedRows) assert.match(output, row, `no row matching ${row} in:\n${output}`);
	assert.match(output, /^machine: \d+ × .*kubectl v\d+\.\d+.*load average [\d.]+ /m);
	assert.doesNotMatch(output, /FAILED|NaN|Infinity/);
});

test('bench refuses an unknown benchmark name with a one-line reason', () => {
	const result = spawnSync(process.execPath, [runner, '--only', 'nope'], {encoding: 'utf8'});
	assert.equal(result.status, 2);
	assert.match(result.stderr, /no benchmark named 'nope'; choose from drain, responsiveness, memory, start, scale, inspector\./);
	assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
});
