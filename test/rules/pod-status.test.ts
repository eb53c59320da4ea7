import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import path from 'node:path';
import {
	humanDuration,
	podAge,
	podReady,
	podRestarts,
	podStatus,
	type PodLike,
} from '../../source/pod-status.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const recordings = (() => {
	// The recordings live beside the repository in ../shared; find them from the compiled test too.
	for (let dir = here; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		const candidate = path.join(dir, '..', 'shared', 'docs', 'real-cluster-recordings');
		try {
			readFileSync(path.join(candidate, 'README.md'));
			return candidate;
		} catch {
			// keep walking up
		}
	}

	throw new Error('cannot find shared/docs/real-cluster-recordings next to the repository');
})();

function recorded(name: string): PodLike {
	return JSON.parse(readFileSync(path.join(recordings, name), 'utf8')) as PodLike;
}

const clone = <T>(value: T): T => structuredClone(value);

test('the lesson pod recorded from a real cluster reads 2/2 Running 0', () => {
	const pod = recorded('pod-sidecar.json');
	assert.equal(podReady(pod), '2/2');
	assert.equal(podStatus(pod), 'Running');
	assert.equal(podRestarts(pod, new Date()), '0');
});

test('the recorded crash-looping pod reads 1/2 CrashLoopBackOff with the restart age', () => {
	const pod = recorded('pod-crasher.json');
	assert.equal(podReady(pod), '1/2');
	assert.equal(podStatus(pod), 'CrashLoopBackOff');
	// lastState.terminated.finishedAt is 03:15:52Z
	assert.equal(podRestarts(pod, new Date('2026-11-24T03:16:04Z')), '3 (12s ago)');
});

test('a terminated container with a reason wins over a running one, as in the recorded Table', () => {
	const pod = recorded('pod-crasher.json');
	const flaky = pod.status!.containerStatuses!.find(c => c.name === 'flaky')!;
	flaky.state = {terminated: {exitCode: 3, reason: 'Error', finishedAt: '2026-11-24T03:16:40Z'}};
	flaky.restartCount = 4;
	assert.equal(podStatus(pod), 'Error');
	assert.equal(podReady(pod), '1/2');
});

test('the first container with a reason wins, because statuses are walked last to first', () => {
	const pod = clone(recorded('pod-sidecar.json'));
	const [first, second] = pod.status!.containerStatuses!;
	first!.state = {waiting: {reason: 'ImagePullBackOff'}};
	first!.ready = false;
	second!.state = {waiting: {reason: 'CrashLoopBackOff'}};
	second!.ready = false;
	assert.equal(podStatus(pod), 'ImagePullBackOff');
	assert.equal(podReady(pod), '0/2');
});

test('terminated without a reason prints Signal:N or ExitCode:N', () => {
	const pod = clone(recorded('pod-sidecar.json'));
	pod.status!.containerStatuses![1]!.state = {terminated: {exitCode: 137, signal: 9}};
	assert.equal(podStatus(pod), 'Signal:9');
	pod.status!.containerStatuses![1]!.state = {terminated: {exitCode: 2}};
	assert.equal(podStatus(pod), 'ExitCode:2');
});

test('Completed with a container still running reads Running or NotReady by the Ready condition', () => {
	const pod = clone(recorded('pod-sidecar.json'));
	pod.status!.containerStatuses![0]!.state = {terminated: {exitCode: 0, reason: 'Completed'}};
	pod.status!.containerStatuses![0]!.ready = false;
	assert.equal(podStatus(pod), 'Running');
	pod.status!.conditions = pod.status!.conditions!.map(c => (c.type === 'Ready' ? {...c, status: 'False'} : c));
	assert.equal(podStatus(pod), 'NotReady');
});

test('a pod being created reads ContainerCreating and Pending before any status', () => {
	const pending: PodLike = {
		metadata: {name: 'p'},
		spec: {containers: [{name: 'a'}, {name: 'b'}]},
		status: {phase: 'Pending'},
	};
	assert.equal(podStatus(pending), 'Pending');
	assert.equal(podReady(pending), '0/2');
	pending.status!.containerStatuses = [
		{name: 'a', ready: false, restartCount: 0, state: {waiting: {reason: 'ContainerCreating'}}},
		{name: 'b', ready: false, restartCount: 0, state: {waiting: {reason: 'ContainerCreating'}}},
	];
	assert.equal(podStatus(pending), 'ContainerCreating');
});

test('init containers: Init:i/N, Init:<reason>, Init:ExitCode, and skipping finished ones', () => {
	const pod: PodLike = {
		spec: {initContainers: [{name: 'i1'}, {name: 'i2'}], containers: [{name: 'app'}]},
		status: {
			phase: 'Pending',
			initContainerStatuses: [
				{name: 'i1', restartCount: 0, state: {terminated: {exitCode: 0, reason: 'Completed'}}},
				{name: 'i2', restartCount: 0, state: {running: {}}},
			],
			containerStatuses: [{name: 'app', restartCount: 0, state: {waiting: {reason: 'PodInitializing'}}}],
		},
	};
	assert.equal(podStatus(pod), 'Init:1/2');
	assert.equal(podReady(pod), '0/1');
	pod.status!.initContainerStatuses![1]!.state = {waiting: {reason: 'CrashLoopBackOff'}};
	assert.equal(podStatus(pod), 'Init:CrashLoopBackOff');
	pod.status!.initContainerStatuses![1]!.state = {terminated: {exitCode: 4}};
	assert.equal(podStatus(pod), 'Init:ExitCode:4');
	pod.status!.initContainerStatuses![1]!.state = {terminated: {exitCode: 1, reason: 'Error'}};
	assert.equal(podStatus(pod), 'Init:Error');
	pod.status!.initContainerStatuses![1]!.state = {waiting: {reason: 'PodInitializing'}};
	assert.equal(podStatus(pod), 'Init:1/2');
});

test('native sidecars count towards READY and their restarts count after initialisation', () => {
	const pod: PodLike = {
		spec: {initContainers: [{name: 'shipper', restartPolicy: 'Always'}], containers: [{name: 'app'}]},
		status: {
			phase: 'Running',
			conditions: [{type: 'Initialized', status: 'True'}, {type: 'Ready', status: 'True'}],
			initContainerStatuses: [
				{
					name: 'shipper',
					started: true,
					ready: true,
					restartCount: 2,
					state: {running: {}},
					lastState: {terminated: {exitCode: 1, finishedAt: '2026-11-24T10:00:00Z'}},
				},
			],
			containerStatuses: [{name: 'app', ready: true, restartCount: 1, state: {running: {}}}],
		},
	};
	assert.equal(podReady(pod), '2/2');
	assert.equal(podStatus(pod), 'Running');
	assert.equal(podRestarts(pod, new Date('2026-11-24T10:05:00Z')), '3 (5m ago)');
	pod.status!.initContainerStatuses![0]!.started = false;
	pod.status!.initContainerStatuses![0]!.ready = false;
	pod.status!.conditions = [{type: 'Initialized', status: 'False'}];
	assert.equal(podStatus(pod), 'Init:0/1');
	assert.equal(podReady(pod), '0/2');
});

test('deletion: Terminating unless the phase is terminal; Unknown for a lost node', () => {
	const pod = clone(recorded('pod-sidecar.json'));
	pod.metadata!.deletionTimestamp = '2026-11-24T03:20:00Z';
	assert.equal(podStatus(pod), 'Terminating');
	pod.status!.reason = 'NodeLost';
	assert.equal(podStatus(pod), 'Unknown');
	pod.status!.reason = undefined;
	pod.status!.phase = 'Succeeded';
	pod.status!.containerStatuses = pod.status!.containerStatuses!.map(c => ({
		...c,
		ready: false,
		state: {terminated: {exitCode: 0, reason: 'Completed'}},
	}));
	assert.equal(podStatus(pod), 'Completed');
});

test('a scheduling gate shows SchedulingGated', () => {
	const pod: PodLike = {
		spec: {containers: [{name: 'a'}]},
		status: {phase: 'Pending', conditions: [{type: 'PodScheduled', status: 'False', reason: 'SchedulingGated'}]},
	};
	assert.equal(podStatus(pod), 'SchedulingGated');
});

test('ages follow HumanDuration at every boundary', () => {
	const s = 1000;
	const cases: Array<[number, string]> = [
		[-5 * s, '<invalid>'],
		[-1 * s, '0s'],
		[0, '0s'],
		[45 * s, '45s'],
		[119 * s, '119s'],
		[120 * s, '2m'],
		[310 * s, '5m10s'],
		[600 * s, '10m'],
		[95 * 60 * s, '95m'],
		[180 * 60 * s, '3h'],
		[(3 * 60 + 20) * 60 * s, '3h20m'],
		[8 * 3600 * s, '8h'],
		[30 * 3600 * s, '30h'],
		[48 * 3600 * s, '2d'],
		[(3 * 24 + 4) * 3600 * s, '3d4h'],
		[12 * 24 * 3600 * s, '12d'],
		[(2 * 365 + 30) * 24 * 3600 * s, '2y30d'],
		[9 * 365 * 24 * 3600 * s, '9y'],
	];
	for (const [ms, expected] of cases) assert.equal(humanDuration(ms), expected, `${ms} ms`);
});

test('age accepts Date objects (client-node) and strings (raw JSON), and <unknown> without one', () => {
	const now = new Date('2026-11-24T03:16:48Z');
	assert.equal(podAge({metadata: {creationTimestamp: '2026-11-24T03:16:28Z'}}, now), '20s');
	assert.equal(podAge({metadata: {creationTimestamp: new Date('2026-11-24T03:15:07Z')}}, now), '101s');
	assert.equal(podAge({metadata: {}}, now), '<unknown>');
});
