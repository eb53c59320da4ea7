// The runtime must not touch the host: no host files written, no process globals patched
// (just-bash's defense-in-depth is not enabled, its Bash class is not used).
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import {randomBytes} from 'node:crypto';

test('importing and running the runtime patches no globals and writes no host files', async () => {
	const watched = ['eval', 'Function', 'setTimeout', 'setImmediate', 'fetch', 'WebAssembly', 'Proxy'] as const;
	const before = new Map<string, unknown>(watched.map(name => [name, (globalThis as Record<string, unknown>)[name]]));
	const globalsBefore = Object.getOwnPropertyNames(globalThis).length;
	const constructorBefore = Function.prototype.constructor;
	const {createPodSandbox} = await import('../../demo/runtime/index.js');
	const probe = `/tmp/podwatch-sandbox-probe-${randomBytes(6).toString('hex')}`;
	const box = createPodSandbox({podName: 'iso', namespace: 'default', hostname: 'iso', podIP: '10.0.0.1', volumes: []});
	try {
		const chunks: string[] = [];
		const result = await box.startContainer({name: 'c', image: 'busybox:1.36', command: ['sh', '-c', `echo secret > ${probe}; cat ${probe}; ls /work /etc/passwd`]}, {
			stdout(chunk) {
				chunks.push(new TextDecoder().decode(chunk));
			},
			stderr(chunk) {
				chunks.push(new TextDecoder().decode(chunk));
			},
		}).done;
		assert.equal(result.exitCode, 1);
		assert.equal(chunks.join(''), 'secret\nls: /work: No such file or directory\n/etc/passwd\n');
		assert.equal(existsSync(probe), false, 'the sandbox file is not on the host');
	} finally {
		await box.dispose();
	}

	for (const [name, value] of before) {
		assert.equal((globalThis as Record<string, unknown>)[name], value, `${name} untouched`);
	}

	assert.equal(Object.getOwnPropertyNames(globalThis).length, globalsBefore);
	assert.equal(Function.prototype.constructor, constructorBefore);
});
