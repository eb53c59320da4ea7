import {test} from 'node:test';
import assert from 'node:assert/strict';
import {collector, exec, sandbox, until, withDeadline} from './helpers.js';

const busybox = (name: string, script: string, volumeMounts: Array<{name: string; mountPath: string; readOnly?: boolean; subPath?: string}> = []) =>
	({name, image: 'busybox:1.36', command: ['sh', '-c', script], volumeMounts});

test('an emptyDir is shared live between containers at different mount paths', async () => {
	const box = sandbox([{name: 'shared', kind: 'emptyDir'}]);
	try {
		const writer = collector();
		const reader = collector();
		box.startContainer(busybox('writer', 'i=0; while true; do i=$((i+1)); echo "line $i" >> /out/data.log; sleep 0.05; done', [{name: 'shared', mountPath: '/out'}]), writer.out);
		box.startContainer(busybox('reader', 'sleep 0.02; tail -f /in/sub/../data.log', [{name: 'shared', mountPath: '/in'}]), reader.out);
		await until(() => reader.got.stdout.includes('line 3\n'), 'reader sees the writer\'s lines');
		const a = await exec(box, 'writer', ['ls', '-la', '/out']);
		const b = await exec(box, 'reader', ['ls', '-la', '/in']);
		assert.equal(a.kind, 'exited');
		assert.match(a.stdout, /data\.log\n/);
		// Same file, same directory listing, whatever the mount path.
		const sizeOf = (listing: string): string => /(\d+) \w{3} [ \d]\d \d\d:\d\d data\.log/.exec(listing)?.[1] ?? 'none';
		assert.notEqual(sizeOf(a.stdout), 'none');
		const ca = await exec(box, 'writer', ['cat', '/out/data.log']);
		const cb = await exec(box, 'reader', ['cat', '/in/data.log']);
		assert.ok(cb.stdout.startsWith(ca.stdout.slice(0, 20)));
		assert.match(b.stdout, /^total \d+\ndrwxrwxrwx/);
	} finally {
		await box.dispose();
	}
});

test('medium Memory emptyDir behaves the same and counts against memory', async () => {
	const box = sandbox([{name: 'mem', kind: 'emptyDir', medium: 'Memory'}], {memoryBytes: 64 * 1024});
	try {
		const {out} = collector();
		const running = box.startContainer(busybox('c', 'echo small > /m/a; yes > /m/big', [{name: 'mem', mountPath: '/m'}]), out);
		const result = await withDeadline(running.done, 5000, 'memory limit');
		assert.equal(result.reason, 'OOMKilled');
		assert.equal(result.exitCode, 137);
		assert.match(result.message ?? '', /memoryBytes/);
	} finally {
		await box.dispose();
	}
});

test('a configMap volume is read-only and shared; subPath mounts one key as a file', async () => {
	const box = sandbox([{name: 'cfg', kind: 'files', files: {greeting: 'hello\n', 'app.conf': 'color=blue\n'}}]);
	try {
		const one = collector();
		const two = collector();
		const first = box.startContainer(busybox('one', 'cat /etc/cfg/greeting; echo x > /etc/cfg/greeting; echo "s=$?"; touch /etc/cfg/new; cat /etc/app.conf', [
			{name: 'cfg', mountPath: '/etc/cfg'},
			{name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf'},
		]), one.out);
		const second = box.startContainer(busybox('two', 'cat /config/greeting /config/app.conf', [{name: 'cfg', mountPath: '/config', readOnly: true}]), two.out);
		await withDeadline(Promise.all([first.done, second.done]), 5000, 'both end');
		assert.equal(one.got.stdout, 'hello\ns=1\ncolor=blue\n');
		assert.equal(one.got.stderr, 'sh: can\'t create /etc/cfg/greeting: Read-only file system\ntouch: /etc/cfg/new: Read-only file system\n');
		assert.equal(two.got.stdout, 'hello\ncolor=blue\n');
	} finally {
		await box.dispose();
	}
});

test('subPath of an emptyDir shows only that subdirectory', async () => {
	const box = sandbox([{name: 'v', kind: 'emptyDir'}]);
	try {
		const a = collector();
		const b = collector();
		const writer = box.startContainer(busybox('w', 'mkdir -p /v/reports; echo r1 > /v/reports/r1; echo top > /v/top', [{name: 'v', mountPath: '/v'}]), a.out);
		await writer.done;
		const reader = box.startContainer(busybox('r', 'ls /reports; cat /reports/r1', [{name: 'v', mountPath: '/reports', subPath: 'reports'}]), b.out);
		await reader.done;
		assert.equal(b.got.stdout, 'r1\nr1\n');
	} finally {
		await box.dispose();
	}
});

test('private filesystems: /tmp is per container, and a restart gets a fresh one but keeps volumes', async () => {
	const box = sandbox([{name: 'v', kind: 'emptyDir'}]);
	try {
		const mount = [{name: 'v', mountPath: '/data'}];
		const first = collector();
		const run1 = box.startContainer(busybox('a', 'echo secret > /tmp/mine; echo kept > /data/shared; ls /tmp', mount), first.out);
		await run1.done;
		const other = collector();
		await box.startContainer(busybox('b', 'ls /tmp; cat /data/shared', mount), other.out).done;
		assert.equal(other.got.stdout, 'kept\n');
		const second = collector();
		await box.startContainer(busybox('a', 'ls /tmp; cat /data/shared; cat /tmp/mine', mount), second.out).done;
		assert.equal(first.got.stdout, 'mine\n');
		assert.equal(second.got.stdout, 'kept\n');
		assert.equal(second.got.stderr, "cat: can't open '/tmp/mine': No such file or directory\n");
	} finally {
		await box.dispose();
	}
});
