import {test} from 'node:test';
import assert from 'node:assert/strict';
import {PassThrough} from 'node:stream';
import type {V1Pod} from '@kubernetes/client-node';
import {parseLsLa} from '../../source/inspect/listing.js';
import {kubectlExec, pathInContainer, volumeMap} from '../../source/inspect/volumes.js';
import {compareFile, findVolume, hexPreview, inspectVolume} from '../../source/inspect/inspect.js';
import {runInspect} from '../../source/inspect/report.js';
import type {ExecOutcome, KubeSource} from '../../source/kube/types.js';

const busybox = `total 12
drwxrwxrwx    2 root     root          4096 Nov 24 09:20 .
drwxr-xr-x    1 root     root          4096 Nov 24 09:19 ..
-rw-r--r--    1 root     root           177 Nov 24 09:20 app.log
lrwxrwxrwx    1 root     root             7 Nov 24 09:20 latest -> app.log
crw-rw-rw-    1 root     root        1,   3 Nov 24 09:19 null
`;
const gnu = `total 8
drwxrwxrwx 2 root root 4096 Nov 24 09:20 .
drwxr-xr-x 1 root root 4096 Nov 24  2025 ..
-rw-r--r-- 1 root root  177 Nov 24  2025 my file.txt
`;

test('ls -la parses in busybox and GNU formats, skipping . and .., with symlinks and devices', () => {
	const entries = parseLsLa(busybox);
	assert.deepEqual(entries.map(e => [e.name, e.kind, e.size]), [
		['app.log', '-', 177],
		['latest', 'l', 7],
		['null', 'c', undefined],
	]);
	assert.equal(entries[1]!.target, 'app.log');
	assert.equal(entries[0]!.modified, 'Nov 24 09:20');
	const gnuEntries = parseLsLa(gnu);
	assert.deepEqual(gnuEntries.map(e => [e.name, e.size, e.modified]), [['my file.txt', 177, 'Nov 24 2025']]);
});

function lessonPod(): V1Pod {
	return {
		metadata: {name: 'sidecar-pod', namespace: 'default'},
		spec: {
			containers: [
				{name: 'main-container', image: 'busybox:1.36', volumeMounts: [{name: 'shared-logs', mountPath: '/var/log'}]},
				{name: 'sidecar-container', image: 'busybox:1.36', volumeMounts: [{name: 'shared-logs', mountPath: '/data/logs', readOnly: true}]},
				{name: 'lonely', image: 'busybox:1.36'},
			],
			volumes: [
				{name: 'shared-logs', emptyDir: {}},
				{name: 'cache', emptyDir: {medium: 'Memory'}},
				{name: 'token', secret: {secretName: 'tok'}},
			],
		},
		status: {
			phase: 'Running',
			containerStatuses: ['main-container', 'sidecar-container', 'lonely'].map(name => ({
				name,
				ready: true,
				restartCount: 0,
				image: 'busybox:1.36',
				imageID: '',
				state: {running: {}},
			})),
		},
	};
}

test('the volume map names types and, per container, the mount path, read-only or not mounted', () => {
	const map = volumeMap(lessonPod());
	assert.deepEqual(map.map(v => [v.name, v.type, v.secret]), [
		['shared-logs', 'emptyDir', false],
		['cache', 'emptyDir (Memory)', false],
		['token', 'secret tok', true],
	]);
	const shared = map[0]!;
	assert.deepEqual(shared.mounts.map(m => [m.container, m.mountPath, m.readOnly]), [
		['main-container', '/var/log', false],
		['sidecar-container', '/data/logs', true],
	]);
	assert.deepEqual(shared.notMountedBy.map(n => n.container), ['lonely']);
	assert.equal(pathInContainer(shared.mounts[1]!, 'app.log'), '/data/logs/app.log');
	assert.equal(findVolume(lessonPod(), undefined)?.name, 'shared-logs');
	assert.equal(findVolume(lessonPod(), 'nope'), undefined);
});

test('the kubectl command shown to students quotes only what needs quoting', () => {
	assert.equal(kubectlExec('sidecar-pod', 'default', 'main-container', ['ls', '-la', '/var/log/']), 'kubectl exec sidecar-pod -c main-container -- ls -la /var/log/');
	assert.equal(kubectlExec('p', 'lesson', 'c', ['cat', "it's here"]), `kubectl exec p -n lesson -c c -- cat 'it'\\''s here'`);
});

type Files = Record<string, Record<string, string>>;

/** A fake cluster whose containers see the given files (path → content) and run ls/cat/sha256sum. */
function fakeSource(files: Files, opts: {noTools?: string[]; forbidden?: boolean} = {}) {
	const execs: string[][] = [];
	const encoder = new TextEncoder();
	const source: KubeSource = {
		target: {context: 't', server: 'http://x', namespace: 'default'},
		watchPods: () => ({close() {}}),
		watchPod(options) {
			queueMicrotask(() => options.onPod(options.name === 'sidecar-pod' ? lessonPod() : undefined));
			return {close() {}};
		},
		followLogs: () => ({close() {}}),
		previousLogs: async () => ({lines: []}),
		podEvents: async () => [],
		async exec(_ns, _pod, container, argv): Promise<ExecOutcome> {
			execs.push([container, ...argv]);
			if (opts.forbidden) return {kind: 'error', reason: 'forbidden', message: 'exec is forbidden: you need create on pods/exec'};
			if (opts.noTools?.includes(container)) return {kind: 'error', reason: 'not-found', message: 'executable file not found'};
			const fs = files[container] ?? {};
			const ok = (text: string): ExecOutcome => ({kind: 'exited', exitCode: 0, stdout: encoder.encode(text), stderr: new Uint8Array(), truncated: false});
			const fail = (text: string): ExecOutcome => ({kind: 'exited', exitCode: 1, stdout: new Uint8Array(), stderr: encoder.encode(text), truncated: false});
			const path = argv.at(-1)!;
			if (argv[0] === 'ls') {
				const dir = path.replace(/\/$/, '');
				const names = Object.keys(fs).filter(p => p.startsWith(`${dir}/`));
				if (names.length === 0 && !Object.keys(fs).some(p => p === dir)) return fail(`ls: ${dir}: No such file or directory`);
				return ok(names.map(p => `-rw-r--r--    1 root     root     ${String(fs[p]!.length).padStart(9)} Nov 24 09:20 ${p.slice(dir.length + 1)}`).join('\n') + '\n');
			}

			const content = fs[path];
			if (content === undefined) return fail(`${argv[0]}: can't open '${path}': No such file or directory`);
			if (argv[0] === 'sha256sum') return ok(`${(await import('node:crypto')).createHash('sha256').update(content).digest('hex')}  ${path}\n`);
			return ok(content);
		},
	};
	return {source, execs};
}

test('listing and comparing the lesson volume across different mount paths', async () => {
	const log = 'Mon Nov 24 09:20:39 UTC 2025: Main container log entry 0\n';
	const {source, execs} = fakeSource({
		'main-container': {'/var/log/app.log': log},
		'sidecar-container': {'/data/logs/app.log': log},
	});
	const pod = lessonPod();
	const volume = findVolume(pod, 'shared-logs')!;
	const listing = await inspectVolume({source, pod}, volume);
	assert.equal(listing.verdict, 'same');
	assert.deepEqual(listing.rows.map(r => [r.name, r.presentIn.length, r.sameSize]), [['app.log', 2, true]]);
	assert.ok(execs.some(e => e.join(' ') === 'sidecar-container ls -la /data/logs/'), 'paths are translated per container');
	const file = await compareFile({source, pod}, volume, 'app.log');
	assert.equal(file.verdict, 'same');
	assert.ok(file.contents.every(c => c.kind === 'ok' && c.hashAlgorithm === 'sha256'));
});

test('a file seen by one container only, or with other content, is flagged', async () => {
	const {source} = fakeSource({
		'main-container': {'/var/log/app.log': 'one\n', '/var/log/extra': 'x'},
		'sidecar-container': {'/data/logs/app.log': 'two\n'},
	});
	const pod = lessonPod();
	const volume = findVolume(pod, 'shared-logs')!;
	const listing = await inspectVolume({source, pod}, volume);
	assert.equal(listing.verdict, 'differ');
	assert.deepEqual(listing.rows.find(r => r.name === 'extra')!.missingIn, ['sidecar-container']);
	const file = await compareFile({source, pod}, volume, 'app.log');
	assert.equal(file.verdict, 'differ');
	assert.deepEqual(file.differing, ['sidecar-container']);
});

test('a container without ls gets the debug-container advice; the other panel still works', async () => {
	const {source} = fakeSource({'main-container': {'/var/log/app.log': 'a'}}, {noTools: ['sidecar-container']});
	const pod = lessonPod();
	const listing = await inspectVolume({source, pod}, findVolume(pod, 'shared-logs')!);
	assert.equal(listing.verdict, 'error');
	const [main, sidecar] = listing.listings;
	assert.equal(main!.kind, 'ok');
	assert.equal(sidecar!.kind, 'error');
	assert.match(sidecar!.kind === 'error' ? sidecar!.message : '', /`ls` is not in this container's image.*kubectl debug -it sidecar-pod --image=busybox:1.36 --target=sidecar-container/);
});

test('a stopped container is not exec-ed into and says why', async () => {
	const {source, execs} = fakeSource({'main-container': {'/var/log/app.log': 'a'}});
	const pod = lessonPod();
	pod.status!.containerStatuses![1]!.state = {waiting: {reason: 'CrashLoopBackOff', message: 'back-off 40s'}};
	const listing = await inspectVolume({source, pod}, findVolume(pod, 'shared-logs')!);
	const sidecar = listing.listings[1]!;
	assert.match(sidecar.kind === 'error' ? sidecar.message : '', /container sidecar-container is not running \(CrashLoopBackOff: back-off 40s\)/);
	assert.ok(!execs.some(e => e[0] === 'sidecar-container'));
});

test('binary contents become a hex preview, never raw bytes', () => {
	assert.equal(hexPreview(new Uint8Array([0, 1, 0x1b, 0xff])), '00 01 1b ff');
	assert.match(hexPreview(new Uint8Array(100)), /… 36 more bytes$/);
});

test('podwatch inspect: exit 0 and a readable report when both containers see the same file', async () => {
	const log = 'entry 0\nentry 1\n';
	const {source} = fakeSource({'main-container': {'/var/log/app.log': log}, 'sidecar-container': {'/data/logs/app.log': log}});
	const out = new PassThrough();
	let text = '';
	out.on('data', c => (text += String(c)));
	const code = await runInspect({source, namespace: 'default', pod: 'sidecar-pod', output: 'text', out, err: new PassThrough()});
	assert.equal(code, 0);
	assert.match(text, /\$ kubectl exec sidecar-pod -c main-container -- ls -la \/var\/log\//);
	assert.match(text, /\$ kubectl exec sidecar-pod -c sidecar-container -- ls -la \/data\/logs\//);
	assert.match(text, /✓ same content in all 2 containers/);
	assert.match(text, /Verdict: all 2 containers that mount shared-logs see the same files\./);
});

test('podwatch inspect: exit 1 when they differ, 2 on a 403 or a missing pod, JSON on request', async () => {
	const differ = fakeSource({'main-container': {'/var/log/app.log': 'a'}, 'sidecar-container': {'/data/logs/app.log': 'b'}});
	const out = new PassThrough();
	let json = '';
	out.on('data', c => (json += String(c)));
	assert.equal(await runInspect({source: differ.source, namespace: 'default', pod: 'sidecar-pod', output: 'json', out, err: new PassThrough()}), 1);
	const report = JSON.parse(json) as {verdict: string; files: Array<{differing: string[]}>};
	assert.equal(report.verdict, 'differ');
	assert.deepEqual(report.files[0]!.differing, ['sidecar-container']);

	const forbidden = fakeSource({}, {forbidden: true});
	assert.equal(await runInspect({source: forbidden.source, namespace: 'default', pod: 'sidecar-pod', output: 'text', out: new PassThrough(), err: new PassThrough()}), 2);

	const err = new PassThrough();
	let errText = '';
	err.on('data', c => (errText += String(c)));
	assert.equal(await runInspect({source: forbidden.source, namespace: 'default', pod: 'nosuch', output: 'text', out: new PassThrough(), err}), 2);
	assert.match(errText, /pod "nosuch" not found in namespace "default"/);
});

test('a subPath mount sees only its part of the volume: compared there, not with the root', async () => {
	const pod = lessonPod();
	pod.spec!.containers[2]!.volumeMounts = [{name: 'shared-logs', mountPath: '/reports', subPath: 'reports'}];
	const volume = findVolume(pod, 'shared-logs')!;
	const reporter = volume.mounts.find(m => m.container === 'lonely')!;
	assert.equal(pathInContainer(reporter, ''), undefined);
	assert.equal(pathInContainer(reporter, 'reports'), '/reports');
	assert.equal(pathInContainer(reporter, 'reports/r1.txt'), '/reports/r1.txt');
	assert.equal(pathInContainer(reporter, 'reportsX/a'), undefined);
	const {source} = fakeSource({
		'main-container': {'/var/log/app.log': 'a', '/var/log/reports/r1.txt': 'r'},
		'sidecar-container': {'/data/logs/app.log': 'a', '/data/logs/reports/r1.txt': 'r'},
		lonely: {'/reports/r1.txt': 'r'},
	});
	const root = await inspectVolume({source, pod}, volume);
	assert.equal(root.listings.find(l => l.mount.container === 'lonely')!.kind, 'elsewhere');
	const reports = await inspectVolume({source, pod}, volume, 'reports');
	assert.equal(reports.verdict, 'same');
	assert.deepEqual(reports.rows.map(r => [r.name, r.presentIn.length]), [['r1.txt', 3]]);
	const file = await compareFile({source, pod}, volume, 'reports/r1.txt');
	assert.equal(file.contents.length, 3);
	assert.equal(file.verdict, 'same');
});

test('a file removed between the listing and the read is gone everywhere alike: not an error', async () => {
	const {source} = fakeSource({'main-container': {'/var/log/app.log': 'a'}, 'sidecar-container': {'/data/logs/app.log': 'a'}});
	const pod = lessonPod();
	const volume = findVolume(pod, 'shared-logs')!;
	const file = await compareFile({source, pod}, volume, 'rotated.log');
	assert.equal(file.verdict, 'gone');
	const partly = fakeSource({'main-container': {'/var/log/x': 'a'}, 'sidecar-container': {}});
	assert.equal((await compareFile({source: partly.source, pod}, volume, 'x')).verdict, 'error');
});

test('a file removed between the reads in two containers is read again before it counts as a difference', async () => {
	const files = {'main-container': {'/var/log/rot.log': 'a'} as Record<string, string>, 'sidecar-container': {} as Record<string, string>};
	const {source} = fakeSource(files);
	const pod = lessonPod();
	const volume = findVolume(pod, 'shared-logs')!;
	// The producer removes the file right after main-container has read it, before the sidecar's
	// read has finished: the first round sees it in one container only.
	const exec = source.exec.bind(source);
	let removed = false;
	source.exec = async (namespace, podName, container, argv, options) => {
		const result = await exec(namespace, podName, container, argv, options);
		if (!removed && container === 'main-container' && argv[0] === 'tail') {
			removed = true;
			delete files['main-container']['/var/log/rot.log'];
		}

		return result;
	};
	const file = await compareFile({source, pod}, volume, 'rot.log');
	assert.equal(file.verdict, 'gone');
});
