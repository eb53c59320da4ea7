import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {LogEntry} from '../../source/kube/types.js';
import {LogStore} from '../../source/state/log-store.js';
import {bottomIndex, clockTime, indexAtOrBefore, nextMatch, restartMarker, rowText, scrollTarget, searchMatches, visibleRows} from '../../source/state/log-view.js';
import {highlightOn} from '../../source/text/highlight.js';

const line = (text: string, time = '2026-11-24T03:15:20.123456789Z'): LogEntry => ({kind: 'line', seq: 0, time, text, instance: 0});

function columnOf(texts: string[], capacity = 100) {
	const store = new LogStore({capacity, notifyEveryMs: 0});
	store.append('c', texts.map(text => line(text)));
	return store.column('c');
}

const plainOptions = {timestamps: false, colour: false};

test('visibleRows is bottom-aligned on the tail while following and cut to the width', () => {
	const column = columnOf(Array.from({length: 10}, (_, i) => `line ${i} ${'x'.repeat(30)}`));
	const rows = visibleRows(column, {...plainOptions, height: 3, width: 12, wrap: false, bottomSeq: undefined});
	assert.deepEqual(
		rows.map(r => r.text),
		['line 7 xxxx…', 'line 8 xxxx…', 'line 9 xxxx…'],
	);
	assert.deepEqual(rows.map(r => r.key), ['8.0', '9.0', '10.0']);
});

test('visibleRows anchors at a paused bottom seq and wraps long lines into several rows', () => {
	const column = columnOf(['aaaa', 'bbbbbbbbbb', 'cccc', 'dddd']);
	const rows = visibleRows(column, {...plainOptions, height: 3, width: 4, wrap: true, bottomSeq: 2});
	assert.deepEqual(rows.map(r => r.text), ['bbbb', 'bbbb', 'bb']);
	const more = visibleRows(column, {...plainOptions, height: 10, width: 4, wrap: true, bottomSeq: 2});
	assert.deepEqual(more.map(r => r.text), ['aaaa', 'bbbb', 'bbbb', 'bb']);
});

test('visibleRows sanitises and highlights the search query', () => {
	const column = columnOf(['\u001B[2Jfind me', 'other']);
	const rows = visibleRows(column, {...plainOptions, height: 5, width: 40, wrap: false, bottomSeq: undefined, query: 'find'});
	assert.equal(rows[0]!.text, `␛[2J${highlightOn}find\u001B[27m me`);
	assert.equal(rows[1]!.text, 'other');
});

test('scroll targets clamp to the buffer and survive eviction of the anchor', () => {
	const column = columnOf(Array.from({length: 10}, (_, i) => `l${i}`), 5); // seqs 6..10 kept
	assert.equal(scrollTarget(column, undefined, -2), 8);
	assert.equal(scrollTarget(column, 8, -100), 6);
	assert.equal(scrollTarget(column, 8, 100), 10);
	assert.equal(bottomIndex(column, 2), 0, 'an evicted anchor clamps to the oldest row');
	assert.equal(indexAtOrBefore(column, 7), 1);
	assert.equal(indexAtOrBefore(column, 5), -1);
});

test('search finds matching rows and n/N wrap around', () => {
	const column = columnOf(['alpha', 'beta', 'ALPHA two', 'gamma', 'alphabet']);
	const matches = searchMatches(column, 'alpha', plainOptions);
	assert.deepEqual(matches, [1, 3, 5]);
	assert.equal(nextMatch(matches, 3, 'next'), 5);
	assert.equal(nextMatch(matches, 5, 'next'), 1);
	assert.equal(nextMatch(matches, 1, 'previous'), 5);
	assert.equal(nextMatch(matches, 4, 'previous'), 3);
	assert.equal(nextMatch(matches, undefined, 'previous'), 5);
	assert.equal(nextMatch([], 1, 'next'), undefined);
});

test('row text: timestamps, restart markers and notices; memoised per option set', () => {
	const store = new LogStore({capacity: 10, notifyEveryMs: 0});
	store.append('c', [line('hello')]);
	store.append('c', [{kind: 'restart', seq: 0, time: '2026-11-24T03:15:20Z', exitCode: 3, reason: 'Error', instance: 1}]);
	store.notice('c', 'pod \u001B]0;x\u0007recreated');
	const [hello, marker, notice] = store.column('c').toArray();
	assert.equal(rowText(hello!, {timestamps: true, colour: false}), '2026-11-24T03:15:20.123456789Z hello');
	assert.equal(rowText(hello!, plainOptions), 'hello');
	assert.equal(rowText(marker!, plainOptions), '── restarted 03:15:20 · exit 3 · Error ──');
	assert.equal(rowText(notice!, plainOptions), '── pod ␛]0;xrecreated ──');
	assert.equal(restartMarker({kind: 'restart', seq: 1, time: undefined, exitCode: undefined, reason: undefined, instance: 2}), '── restarted ──');
	assert.equal(clockTime('garbage'), undefined);
});

test('restart markers wrap even with wrap off; log lines are cut', () => {
	const store = new LogStore({capacity: 10, notifyEveryMs: 0});
	store.append('c', [line('a long log line that does not fit')]);
	store.append('c', [{kind: 'restart', seq: 0, time: '2026-11-24T03:15:20Z', exitCode: 3, reason: 'Error', instance: 1}]);
	const rows = visibleRows(store.column('c'), {...plainOptions, height: 10, width: 20, wrap: false, bottomSeq: undefined});
	assert.deepEqual(rows.map(r => r.text), ['a long log line tha…', '── restarted ', '03:15:20 · exit 3 · ', 'Error ──']);
});

test('at the top of a buffer that evicted lines, a marker says how many were dropped', () => {
	const column = columnOf(Array.from({length: 8}, (_, i) => `l${i}`), 5); // l3..l7 kept
	const top = visibleRows(column, {...plainOptions, height: 10, width: 60, wrap: false, bottomSeq: undefined});
	assert.deepEqual(top.map(r => r.text), ['── 3 older lines dropped (keeping 5) ──', 'l3', 'l4', 'l5', 'l6', 'l7']);
	const full = visibleRows(column, {...plainOptions, height: 5, width: 60, wrap: false, bottomSeq: undefined});
	assert.deepEqual(full.map(r => r.text), ['l3', 'l4', 'l5', 'l6', 'l7'], 'no marker while the view is full of lines');
	assert.equal(visibleRows(columnOf(['a']), {...plainOptions, height: 5, width: 60, wrap: false, bottomSeq: undefined}).length, 1);
});
