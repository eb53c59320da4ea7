import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {LogEntry} from '../../source/kube/types.js';
import {LogStore} from '../../source/state/log-store.js';
import {RingBuffer} from '../../source/state/ring-buffer.js';

test('the ring buffer keeps the newest `capacity` items in order and counts what it dropped', () => {
	const ring = new RingBuffer<number>(3);
	for (let i = 1; i <= 5; i++) ring.push(i);
	assert.deepEqual(ring.toArray(), [3, 4, 5]);
	assert.equal(ring.size, 3);
	assert.equal(ring.dropped, 2);
	assert.equal(ring.at(0), 3);
	assert.equal(ring.at(3), undefined);
	assert.equal(ring.at(-1), undefined);
	ring.clear();
	assert.equal(ring.size, 0);
	assert.throws(() => new RingBuffer(0), /positive integer/);
});

const line = (text: string): LogEntry => ({kind: 'line', seq: 0, time: '2026-11-24T03:15:20Z', text, instance: 0});

test('the log store assigns increasing seqs per store and stays bounded however much is appended', () => {
	const store = new LogStore({capacity: 100, notifyEveryMs: 0});
	for (let batch = 0; batch < 50; batch++) store.append('main', Array.from({length: 100}, (_, i) => line(`${batch}-${i}`)));
	const column = store.column('main');
	assert.equal(column.size, 100);
	assert.equal(column.at(99)!.seq, 5000);
	assert.equal(column.at(0)!.seq, 4901);
	assert.equal(store.column('other').size, 0);
});

test('the log store notifies synchronously at 0 ms and coalesces notifications otherwise', async () => {
	const immediate = new LogStore({capacity: 10, notifyEveryMs: 0});
	let calls = 0;
	const unsubscribe = immediate.subscribe(() => calls++);
	immediate.append('a', [line('x')]);
	immediate.append('a', [line('y')]);
	assert.equal(calls, 2);
	assert.equal(immediate.getVersion(), 2);
	unsubscribe();
	immediate.append('a', [line('z')]);
	assert.equal(calls, 2);

	const throttled = new LogStore({capacity: 10, notifyEveryMs: 20});
	let throttledCalls = 0;
	throttled.subscribe(() => throttledCalls++);
	for (let i = 0; i < 100; i++) throttled.append('a', [line(String(i))]);
	assert.equal(throttledCalls, 0);
	const deadline = Date.now() + 2000;
	while (throttledCalls === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 5));
	assert.equal(throttledCalls, 1, 'one notification for 100 appends');
	throttled.append('a', [line('late')]);
	throttled.dispose();
	await new Promise(resolve => setTimeout(resolve, 40));
	assert.equal(throttledCalls, 1, 'dispose cancels the pending notification');
});
