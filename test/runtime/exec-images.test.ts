import {test} from 'node:test';
import assert from 'node:assert/strict';
import {IMAGE_CATALOG, resolveImage} from '../../demo/runtime/index.js';
import {collector, exec, sandbox, until, withDeadline} from './helpers.js';

test('resolveImage knows the catalog, with stable digests, and nothing else', () => {
	const busybox = resolveImage('busybox:1.36');
	assert.deepEqual({ref: busybox?.ref, flavour: busybox?.flavour}, {ref: 'docker.io/library/busybox:1.36', flavour: 'shell'});
	assert.match(busybox!.digest, /^sha256:[\da-f]{64}$/);
	assert.equal(resolveImage('docker.io/library/busybox:1.36')?.digest, busybox!.digest);
	assert.notEqual(resolveImage('busybox:1.35')?.digest, busybox!.digest);
	assert.equal(resolveImage('busybox')?.ref, 'docker.io/library/busybox:latest');
	assert.equal(resolveImage('alpine:3.20')?.flavour, 'shell');
	assert.equal(resolveImage('gcr.io/distroless/static:nonroot')?.flavour, 'distroless');
	assert.equal(resolveImage('podwatch/loggen')?.flavour, 'loggen');
	assert.equal(resolveImage('nginx:1.27'), undefined);
	assert.equal(resolveImage('busybox:bad tag'), undefined);
	assert.equal(resolveImage(''), undefined);
	assert.ok(IMAGE_CATALOG.length >= 4);
});

test('exec runs in the container\'s filesystem, streams output and returns the exit code', async () => {
	const box = sandbox([{name: 'v', kind: 'emptyDir'}]);
	try {
		const {out, got} = collector();
		box.startContainer({name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'echo hi > /v/x; echo private > /tmp/p; echo ready; sleep 30'], volumeMounts: [{name: 'v', mountPath: '/v'}]}, out);
		await until(() => got.stdout === 'ready\n', 'container wrote its files');
		assert.deepEqual(await exec(box, 'c', ['cat', '/v/x', '/tmp/p']), {stdout: 'hi\nprivate\n', stderr: '', kind: 'exited', exitCode: 0});
		assert.deepEqual(await exec(box, 'c', ['sh', '-c', 'echo out; echo err >&2; exit 3']), {stdout: 'out\n', stderr: 'err\n', kind: 'exited', exitCode: 3});
		assert.deepEqual(await exec(box, 'c', ['ls', '/nonexistent']), {stdout: '', stderr: 'ls: /nonexistent: No such file or directory\n', kind: 'exited', exitCode: 1});
		const sum = await exec(box, 'c', ['sha256sum', '/v/x']);
		assert.equal(sum.stdout, '98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4  /v/x\n');
		const missing = await exec(box, 'c', ['nosuchbin']);
		assert.equal(missing.kind, 'not-found');
		assert.match(missing.message ?? '', /exec: "nosuchbin": executable file not found in \$PATH/);
		assert.equal((await exec(box, 'nope', ['ls'])).kind, 'not-running');
	} finally {
		await box.dispose();
	}
});

test('exec with stdin, and exec is not-running once the container ended', async () => {
	const box = sandbox();
	try {
		const {out} = collector();
		const running = box.startContainer({name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 0.5']}, out);
		async function * input(): AsyncGenerator<Uint8Array> {
			yield new TextEncoder().encode('b\na\n');
		}

		const {out: execOut, got} = collector();
		const result = await box.exec('c', ['sort'], {...execOut, stdin: input()});
		assert.deepEqual(result, {kind: 'exited', exitCode: 0});
		assert.equal(got.stdout, 'a\nb\n');
		await running.done;
		assert.equal((await exec(box, 'c', ['ls'])).kind, 'not-running');
	} finally {
		await box.dispose();
	}
});

test('a command that is not in the image: ContainerCannotRun, exit 128', async () => {
	const box = sandbox();
	try {
		const {out} = collector();
		const result = await box.startContainer({name: 'c', image: 'busybox:1.36', command: ['foo']}, out).done;
		assert.equal(result.reason, 'ContainerCannotRun');
		assert.equal(result.exitCode, 128);
		assert.match(result.message ?? '', /exec: "foo": executable file not found in \$PATH/);
	} finally {
		await box.dispose();
	}
});

test('busybox default command is sh, which exits 0 at once without stdin', async () => {
	const box = sandbox();
	try {
		const {out} = collector();
		assert.deepEqual(await box.startContainer({name: 'c', image: 'busybox:1.36'}, out).done, {exitCode: 0, reason: 'Completed'});
	} finally {
		await box.dispose();
	}
});

test('distroless: /server runs and logs, exec of anything else is not-found, TERM shuts it down cleanly', async () => {
	const box = sandbox();
	try {
		const {out, got} = collector();
		const running = box.startContainer({name: 'app', image: 'gcr.io/distroless/static'}, out);
		await until(() => got.stdout.includes('listening on :8080'), 'server starts');
		for (const argv of [['ls'], ['sh', '-c', 'echo'], ['cat', '/etc/hostname']]) {
			assert.equal((await exec(box, 'app', argv)).kind, 'not-found');
		}

		const result = await running.terminate(2000);
		assert.equal(result.reason, 'Completed');
		assert.match(got.stdout, /server: shutting down\n$/);
	} finally {
		await box.dispose();
	}
});

test('loggen writes numbered lines without loss, fast, and exits per --then', async () => {
	const box = sandbox();
	try {
		const {out, got} = collector();
		const started = performance.now();
		const result = await withDeadline(box.startContainer({name: 'g', image: 'podwatch/loggen', args: ['--lines', '200000', '--rate', '0', '--prefix', 'P', '--then', 'exit']}, out).done, 10_000, 'loggen');
		const seconds = (performance.now() - started) / 1000;
		assert.deepEqual(result, {exitCode: 0, reason: 'Completed'});
		const lines = got.stdout.split('\n');
		assert.equal(lines.pop(), '');
		assert.equal(lines.length, 200_000);
		for (const [index, line] of lines.entries()) {
			if (!line.startsWith(`P ${String(index + 1).padStart(6, '0')} `)) {
				assert.fail(`line ${index + 1} is ${line}`);
			}
		}

		assert.ok(200_000 / seconds > 100_000, `${Math.round(200_000 / seconds)} lines/s`);
	} finally {
		await box.dispose();
	}
});

test('loggen --rate paces lines and rejects bad flags with a clear message', async () => {
	const box = sandbox();
	try {
		const {out, got} = collector();
		const running = box.startContainer({name: 'g', image: 'podwatch/loggen', args: ['--rate', '100', '--prefix', 'r']}, out);
		await until(() => got.stdout.length > 0, 'first line');
		const started = performance.now();
		const before = got.stdout.split('\n').length - 1;
		await new Promise(resolve => {
			setTimeout(resolve, 500);
		});
		const seconds = (performance.now() - started) / 1000;
		const count = got.stdout.split('\n').length - 1 - before;
		assert.ok(Math.abs(count - (seconds * 100)) <= 20, `${count} lines in ${seconds.toFixed(2)} s at 100/s`);
		await running.terminate(1000);
		const bad = collector();
		const result = await box.startContainer({name: 'b', image: 'podwatch/loggen', args: ['--speed', '9']}, bad.out).done;
		assert.equal(result.exitCode, 2);
		assert.match(bad.got.stderr, /^loggen: unknown option '--speed'\nUsage: loggen/);
	} finally {
		await box.dispose();
	}
});

test('an aborted exec (client went away) stops its process, the container keeps running', async () => {
	const box = sandbox();
	try {
		const {out, got: ready} = collector();
		const running = box.startContainer({name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'date >> /tmp/d; echo ready; while true; do date >> /tmp/d; sleep 0.05; done']}, out);
		await until(() => ready.stdout === 'ready\n', 'container started');
		const controller = new AbortController();
		const {out: execOut, got} = collector();
		const following = box.exec('c', ['tail', '-f', '/tmp/d'], {...execOut, signal: controller.signal});
		await until(() => got.stdout.split('\n').length > 3, 'exec streams the growing file');
		controller.abort();
		const result = await withDeadline(following, 2000, 'aborted exec ends');
		assert.equal(result.kind, 'exited');
		assert.equal((await exec(box, 'c', ['true'])).exitCode, 0, 'container still running');
		await running.terminate(1000);
	} finally {
		await box.dispose();
	}
});

test('exec of sh reading stdin runs each command as its line arrives (kubectl exec -i pod -- sh)', async () => {
	const box = sandbox();
	try {
		const {out} = collector();
		const running = box.startContainer({name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 30']}, out);
		const {out: execOut, got} = collector();
		async function * typing(): AsyncGenerator<Uint8Array> {
			const encoder = new TextEncoder();
			yield encoder.encode('echo one\nfor i in 1 2\n');
			await until(() => got.stdout === 'one\n', 'first line ran before the rest was typed');
			yield encoder.encode('do echo "i=$i"; done\ndone\necho after-error\nexit 3\necho never\n');
		}

		const result = await withDeadline(box.exec('c', ['sh'], {...execOut, stdin: typing()}), 5000, 'interactive sh');
		assert.deepEqual(result, {kind: 'exited', exitCode: 3});
		assert.equal(got.stdout, 'one\ni=1\ni=2\nafter-error\n');
		assert.match(got.stderr, /^sh: syntax error/);
		await running.terminate(100);
	} finally {
		await box.dispose();
	}
});

test('the keep-alive idioms tail -f /dev/null and sleep infinity run until TERM', async () => {
	const box = sandbox();
	try {
		for (const command of [['tail', '-f', '/dev/null'], ['sleep', 'infinity']]) {
			const {out, got} = collector();
			const running = box.startContainer({name: command[0]!, image: 'busybox:1.36', command}, out);
			const listing = await exec(box, command[0]!, ['sh', '-c', 'echo x > /dev/null; cat /dev/null; ls /dev']);
			assert.equal(listing.stdout, 'null\n');
			assert.deepEqual(await running.terminate(1000), {exitCode: 143, reason: 'Error', signal: 15});
			assert.equal(got.stdout + got.stderr, '');
		}
	} finally {
		await box.dispose();
	}
});
