import {test} from 'node:test';
import assert from 'node:assert/strict';
import {collector, sandbox, sh, until, withDeadline} from './helpers.js';

/**
 * Max timer lag while `work` runs: a 10 ms interval that records how late each tick fires. Without
 * yields a runaway loop would block for its whole CPU budget (600+ ms); the bound of 250 ms leaves
 * room for a loaded shared machine (idle lag alone reaches ~30 ms here).
 */
async function maxLagDuring<T>(work: Promise<T>): Promise<{value: T; lag: number}> {
	let lag = 0;
	let last = performance.now();
	const timer = setInterval(() => {
		const now = performance.now();
		lag = Math.max(lag, now - last - 10);
		last = now;
	}, 10);
	try {
		const value = await work;
		return {value, lag};
	} finally {
		clearInterval(timer);
	}
}

test('yes > file ends as OOMKilled (file size limit), exit 137', async () => {
	const run = await sh('yes > /tmp/f', {limits: {fileBytes: 1024 * 1024}});
	assert.equal(run.result.reason, 'OOMKilled');
	assert.equal(run.result.exitCode, 137);
	assert.match(run.result.message ?? '', /fileBytes/);
});

test('an endless loop without sleep is stopped by the CPU limit and the event loop stays responsive', async () => {
	const {value: run, lag} = await maxLagDuring(sh('while true; do :; done', {limits: {cpuMs: 600}}));
	assert.equal(run.result.reason, 'Error');
	assert.equal(run.result.exitCode, 137);
	assert.match(run.result.message ?? '', /cpuMs/);
	assert.ok(lag < 250, `timer lag ${lag.toFixed(1)} ms`);
});

test('the CPU budget refills: bursts that add up to more than cpuMs, with sleeps between, are not stopped', async () => {
	// Each burst is ~130 ms of CPU here (4 bursts > 400 ms); each sleep refills 225 ms.
	const run = await sh('for b in 1 2 3 4; do n=0; while [ $n -lt 6000 ]; do n=$((n+1)); done; echo burst $b; sleep 0.9; done', {limits: {cpuMs: 400}});
	assert.deepEqual(run.result, {exitCode: 0, reason: 'Completed'});
	assert.equal(run.stdout, 'burst 1\nburst 2\nburst 3\nburst 4\n');
});

test('a fork-bomb-ish script is contained: bounded tasks, the shell survives, the event loop stays responsive', async () => {
	const {value: run, lag} = await maxLagDuring(sh('f(){ f|f& }; f; sleep 0.5; echo alive', {limits: {cpuMs: 2000}}));
	assert.equal(run.stdout, 'alive\n');
	assert.match(run.stderr, /can't fork: Resource temporarily unavailable/);
	assert.ok(lag < 250, `timer lag ${lag.toFixed(1)} ms`);
});

test('unbounded recursion through pipes ends with an error, not a crash', async () => {
	const {value: run, lag} = await maxLagDuring(sh('f(){ f|f; }; f', {limits: {cpuMs: 2000}}));
	assert.equal(run.result.reason, 'Error');
	assert.ok(lag < 250, `timer lag ${lag.toFixed(1)} ms`);
});

test('an endless stream into a buffering command (yes | sort) is OOMKilled, not the server', async () => {
	const run = await sh('yes | sort', {limits: {memoryBytes: 2 * 1024 * 1024}});
	assert.equal(run.result.reason, 'OOMKilled');
	assert.match(run.result.message ?? '', /buffered input .*memoryBytes/);
	const line = await sh('yes | tr -d "\\n" | sed s/y/n/', {limits: {memoryBytes: 2 * 1024 * 1024}});
	assert.equal(line.result.reason, 'OOMKilled');
	assert.match(line.result.message ?? '', /a line of input/);
	const doubling = await sh('x=y; while true; do x=$x$x; done', {limits: {memoryBytes: 2 * 1024 * 1024}});
	assert.equal(doubling.result.reason, 'OOMKilled');
	assert.match(doubling.result.message ?? '', /variable x/);
});

test('output flood to stdout is stopped by the output limit', async () => {
	const run = await sh('yes', {limits: {outputBytes: 256 * 1024}});
	assert.equal(run.result.reason, 'Error');
	assert.match(run.result.message ?? '', /outputBytes/);
	assert.ok(run.stdout.length <= 256 * 1024 + 8192, `wrote ${run.stdout.length}`);
});

test('TERM without a trap ends the script with 143 during sleep infinity', async () => {
	const box = sandbox();
	try {
		const {out, got} = collector();
		const running = box.startContainer({name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'echo up; sleep infinity']}, out);
		await until(() => got.stdout === 'up\n', 'script started');
		const started = performance.now();
		const result = await running.terminate(5000);
		assert.deepEqual(result, {exitCode: 143, reason: 'Error', signal: 15});
		assert.ok(performance.now() - started < 1000, 'sleep was interrupted');
		assert.equal(got.stdout, 'up\n');
	} finally {
		await box.dispose();
	}
});

test('TERM runs the trap handler (trap \'echo bye; exit 0\' TERM)', async () => {
	const box = sandbox();
	try {
		const {out, got} = collector();
		const running = box.startContainer({name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'trap \'echo bye; exit 0\' TERM; echo ready; while true; do sleep 1; done']}, out);
		await until(() => got.stdout === 'ready\n', 'trap set');
		const result = await running.terminate(5000);
		assert.deepEqual(result, {exitCode: 0, reason: 'Completed'});
		assert.equal(got.stdout, 'ready\nbye\n');
	} finally {
		await box.dispose();
	}
});

test('TERM interrupts wait and runs the trap (trap ...; sleep infinity & wait $!)', async () => {
	const box = sandbox();
	try {
		const {out, got} = collector();
		const running = box.startContainer({name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'trap "echo graceful; exit 0" TERM; echo ready; sleep infinity & wait $!']}, out);
		await until(() => got.stdout === 'ready\n', 'waiting');
		assert.deepEqual(await running.terminate(2000), {exitCode: 0, reason: 'Completed'});
		assert.equal(got.stdout, 'ready\ngraceful\n');
	} finally {
		await box.dispose();
	}
});

test('KILL after the grace period when the trap does not exit (137)', async () => {
	const box = sandbox();
	try {
		const {out, got} = collector();
		const running = box.startContainer({name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'trap "echo ignoring" TERM; echo ready; while true; do sleep 0.05; done']}, out);
		await until(() => got.stdout === 'ready\n', 'trap set');
		const started = performance.now();
		const result = await withDeadline(running.terminate(300), 3000, 'terminate');
		const took = performance.now() - started;
		assert.equal(result.exitCode, 137);
		assert.equal(result.signal, 9);
		assert.ok(took >= 280 && took < 1500, `took ${took}`);
		assert.equal(got.stdout, 'ready\nignoring\n');
	} finally {
		await box.dispose();
	}
});
