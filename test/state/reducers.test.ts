import assert from 'node:assert/strict';
import {test} from 'node:test';
import {containerInfos, describeState} from '../../source/state/containers.js';
import {columnLayout} from '../../source/state/layout.js';
import {initialPodListState, podListReducer, selectedIndex, windowTop} from '../../source/state/pod-list-state.js';
import {activeQuery, focusIndex, initialPodViewState, podViewReducer, type PodViewAction, type PodViewState} from '../../source/state/pod-view-state.js';

const run = (state: PodViewState, ...actions: PodViewAction[]) => actions.reduce(podViewReducer, state);

test('focus moves with wrap-around, by number, and follows its container when the list changes', () => {
	let state = run(initialPodViewState(), {type: 'set-containers', containers: ['a', 'b', 'c']});
	assert.equal(state.focused, 'a');
	state = run(state, {type: 'focus-previous'});
	assert.equal(state.focused, 'c');
	state = run(state, {type: 'focus-next'}, {type: 'focus-next'});
	assert.equal(state.focused, 'b');
	state = run(state, {type: 'focus-index', index: 8});
	assert.equal(state.focused, 'b', 'out of range is ignored');
	state = run(state, {type: 'set-containers', containers: ['debug', 'a', 'b', 'c']});
	assert.equal(focusIndex(state), 2);
	state = run(state, {type: 'set-containers', containers: ['x']});
	assert.equal(state.focused, 'x');
	assert.equal(run(initialPodViewState({focused: 'c'}), {type: 'set-containers', containers: ['a', 'c']}).focused, 'c');
});

test('scroll-to pauses a column, follow resumes it; search edit, submit, jump, cancel', () => {
	let state = run(initialPodViewState(), {type: 'set-containers', containers: ['a']}, {type: 'scroll-to', container: 'a', bottomSeq: 7});
	assert.deepEqual(state.scroll, {a: 7});
	state = run(state, {type: 'follow', container: 'a'});
	assert.deepEqual(state.scroll, {});
	state = run(state, {type: 'search-start'}, {type: 'search-input', text: 'er'}, {type: 'search-input', text: 'rx'}, {type: 'search-backspace'});
	assert.deepEqual(state.search, {mode: 'editing', query: 'err', previous: ''});
	state = run(state, {type: 'search-submit'}, {type: 'search-jump', container: 'a', seq: 3});
	assert.deepEqual(state.search, {mode: 'active', query: 'err', currentSeq: 3});
	assert.deepEqual(state.scroll, {a: 3});
	assert.equal(activeQuery(state), 'err');
	state = run(state, {type: 'search-start'}, {type: 'search-submit'});
	assert.equal(activeQuery(state), 'err', 'an empty query repeats the previous search');
	state = run(state, {type: 'search-cancel'});
	assert.equal(activeQuery(state), '');
	assert.deepEqual(run(state, {type: 'search-start'}, {type: 'search-submit'}).search, {mode: 'off'});
});

test('toggles and overlays', () => {
	let state = run(initialPodViewState({timestamps: true}), {type: 'set-containers', containers: ['a', 'b']});
	assert.equal(state.wrap, true, 'narrow columns wrap by default');
	state = run(state, {type: 'toggle-timestamps'}, {type: 'toggle-wrap'}, {type: 'toggle-zoom'});
	assert.equal(state.timestamps, false);
	assert.equal(state.wrap, false);
	assert.equal(state.zoomed, true);
	state = run(state, {type: 'toggle-previous'});
	assert.equal(state.previousOf, 'a');
	state = run(state, {type: 'focus-next'}, {type: 'toggle-previous'});
	assert.equal(state.previousOf, 'b', 'p on another column moves the previous view there');
	state = run(state, {type: 'toggle-previous'});
	assert.equal(state.previousOf, undefined);
	state = run(state, {type: 'show-overlay', overlay: 'events'});
	assert.equal(state.overlay, 'events');
	state = run(state, {type: 'show-overlay', overlay: 'events'});
	assert.equal(state.overlay, 'none');
	state = run(state, {type: 'show-overlay', overlay: 'help'}, {type: 'close-overlay'});
	assert.equal(state.overlay, 'none');
});

test('the pod list keeps its selection by key and falls to a neighbour when it vanishes', () => {
	let state = podListReducer(initialPodListState, {type: 'move', delta: 1, keys: ['a', 'b', 'c']});
	assert.equal(state.selected, 'b');
	assert.equal(selectedIndex(state, ['z', 'a', 'b', 'c']), 2);
	assert.equal(selectedIndex(state, ['a', 'c']), 1, 'deleted: the row that took its place');
	state = podListReducer(state, {type: 'move-to', index: -1, keys: ['a', 'b', 'c']});
	assert.equal(state.selected, 'c');
	state = podListReducer(state, {type: 'move', delta: 10, keys: ['a', 'b', 'c']});
	assert.equal(state.selected, 'c');
	state = [{type: 'filter-start'} as const, {type: 'filter-input', text: 'we'} as const, {type: 'filter-backspace'} as const, {type: 'filter-submit'} as const].reduce(podListReducer, state);
	assert.equal(state.filter, 'w');
	assert.equal(state.editingFilter, false);
	assert.equal(podListReducer(state, {type: 'filter-input', text: 'x'}).filter, 'w', 'typing only edits while editing');
	assert.equal(podListReducer(state, {type: 'filter-clear'}).filter, '');
	assert.equal(selectedIndex(initialPodListState, []), -1);
});

test('the list window keeps the selection visible', () => {
	assert.equal(windowTop(10, 3, 20), 0);
	assert.equal(windowTop(5000, 0, 20), 0);
	assert.equal(windowTop(5000, 2500, 20), 2490);
	assert.equal(windowTop(5000, 4999, 20), 4980);
});

test('column layout: what fits at 80 cells, focus always shown, zoom, remainders', () => {
	assert.deepEqual(columnLayout({width: 80, count: 2, focus: 0, zoomed: false}), {visible: [0, 1], widths: [39, 40], hidden: 0});
	const narrow = columnLayout({width: 80, count: 4, focus: 3, zoomed: false});
	assert.deepEqual(narrow.visible, [2, 3]);
	assert.equal(narrow.hidden, 2);
	assert.deepEqual(columnLayout({width: 80, count: 4, focus: 1, zoomed: true}), {visible: [1], widths: [80], hidden: 3});
	assert.deepEqual(columnLayout({width: 20, count: 3, focus: 2, zoomed: false}), {visible: [2], widths: [20], hidden: 2});
	const wide = columnLayout({width: 200, count: 3, focus: 0, zoomed: false});
	assert.equal(wide.widths.reduce((a, b) => a + b) + wide.visible.length - 1, 200);
	assert.deepEqual(columnLayout({width: 80, count: 0, focus: 0, zoomed: false}), {visible: [], widths: [], hidden: 0});
});

test('containers: init, native sidecar, regular, ephemeral, each with state, ready and restarts', () => {
	const infos = containerInfos({
		metadata: {name: 'p'},
		spec: {
			initContainers: [
				{name: 'setup', image: 'busybox'},
				{name: 'proxy', image: 'envoy', restartPolicy: 'Always'},
			],
			containers: [{name: 'app\u001B[2J', image: 'app:1'}],
			ephemeralContainers: [{name: 'debugger', image: 'busybox'}],
		},
		status: {
			initContainerStatuses: [
				{name: 'setup', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: {terminated: {exitCode: 0, reason: 'Completed'}}},
				{name: 'proxy', image: 'envoy', imageID: '', ready: true, restartCount: 1, state: {running: {}}},
			],
			containerStatuses: [{name: 'app\u001B[2J', image: 'app:1', imageID: '', ready: false, restartCount: 5, state: {waiting: {reason: 'CrashLoopBackOff'}}}],
		},
	});
	assert.deepEqual(
		infos.map(c => [c.kind, c.label, c.state, c.ready, c.restarts]),
		[
			['init', 'setup', 'Terminated: Completed (exit 0)', false, 0],
			['sidecar', 'proxy', 'Running', true, 1],
			['container', 'app␛[2J', 'Waiting: CrashLoopBackOff', false, 5],
			['ephemeral', 'debugger', 'Pending', false, 0],
		],
	);
	assert.equal(infos[2]!.name, 'app\u001B[2J', 'the raw name is kept for API calls');
	assert.equal(describeState({terminated: {exitCode: 137, signal: 9, reason: 'OOMKilled'}}), 'Terminated: OOMKilled (signal 9)');
	assert.deepEqual(containerInfos(undefined), []);
});
