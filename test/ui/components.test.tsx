// The presentational components are pure functions of their props: rendered here with
// ink-testing-library, no source, no hooks with effects.
import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import {stripVTControlCharacters as plain} from 'node:util';
import {cleanup, render} from 'ink-testing-library';
import {ContainerStrip} from '../../source/ui/pod-view/container-strip.js';
import {HelpOverlay, podViewKeys} from '../../source/ui/pod-view/help-overlay.js';
import {LogColumn} from '../../source/ui/pod-view/log-column.js';
import {PodList} from '../../source/ui/pod-list/pod-list.js';
import {makeTheme} from '../../source/ui/theme.js';

afterEach(cleanup);
const theme = makeTheme('default', false);

test('PodList marks the selected row and shows the filter prompt', () => {
	const row = (name: string) => ({key: `default/${name}`, namespace: 'default', name, ready: '2/2', status: 'Running', restarts: '0', age: '5m', containers: 'a,b'});
	const {lastFrame} = render(
		<PodList
			context="ctx"
			server="https://x"
			namespace="default"
			status="live"
			isLive
			rows={[row('one'), row('two')]}
			selected={1}
			nameWidth={4}
			namespaceWidth={0}
			total={2}
			shownFrom={0}
			filter="tw"
			isEditingFilter
			width={90}
			height={10}
			theme={theme}
		/>,
	);
	const frame = lastFrame()!;
	assert.match(plain(frame), /two\s+2\/2\s+Running\s+0\s+5m\s+a,b/);
	assert.match(plain(frame), /\/tw█/);
	assert.match(plain(frame), /2\/2 pods/);
	assert.match(plain(frame), /^▶ two/m, 'the selected row is marked without relying on attributes');
	assert.match(plain(frame), /^ {2}one/m);
});

test('LogColumn: focus marker, mode, empty and failure notices', () => {
	const {lastFrame, rerender} = render(
		<LogColumn title="1 app" mode="following" isFocused isWarning={false} rows={[{key: '1.0', text: 'hello'}]} width={30} height={3} theme={theme} />,
	);
	assert.match(plain(lastFrame()!), /▶ 1 app · following\s*\nhello/);
	rerender(<LogColumn title="1 app" mode="failed" isFocused={false} isWarning notice="forbidden: ask for pods/log" rows={[]} width={30} height={3} theme={theme} />);
	assert.match(plain(lastFrame()!), /^ {2}1 app · failed/);
	assert.match(plain(lastFrame()!), /forbidden: ask for pods\/log/);
	rerender(<LogColumn title="1 app" mode="following" isFocused={false} isWarning={false} rows={[]} width={30} height={3} theme={theme} />);
	assert.match(plain(lastFrame()!), /no log output yet/);
});

test('ContainerStrip summarises what does not fit', () => {
	const info = (name: string, kind: 'init' | 'sidecar' | 'container' | 'ephemeral') => ({name, label: name, kind, image: 'busybox', state: 'Running', ready: true, restarts: 2});
	const {lastFrame} = render(
		<ContainerStrip containers={[info('a', 'init'), info('b', 'sidecar'), info('c', 'container'), info('d', 'ephemeral')]} focused="b" maxLines={3} width={80} theme={theme} />,
	);
	const frame = plain(lastFrame()!);
	assert.match(frame, /1 init\s+a\s+✓ Running\s+↻2\s+busybox/);
	assert.match(frame, /2 sidecar\s+b/);
	assert.match(frame, /… 2 more containers/);
	assert.doesNotMatch(frame, /debug/);
});

test('HelpOverlay lists every key', () => {
	const {lastFrame} = render(<HelpOverlay width={90} height={20} theme={theme} />);
	for (const [, what] of podViewKeys) assert.ok(plain(lastFrame()!).includes(what), what);
});

test('PodList columns grow to their widest cell like kubectl: a long STATUS is not cut', () => {
	const rows = [
		{key: 'a', namespace: 'default', name: 'init-crash', ready: '0/1', status: 'Init:CrashLoopBackOff', restarts: '12 (3m ago)', age: '2d3h', containers: 'app'},
		{key: 'b', namespace: 'default', name: 'ok', ready: '1/1', status: 'Running', restarts: '0', age: '5m', containers: 'app'},
	];
	const {lastFrame} = render(
		<PodList context="c" server="s" namespace="default" status="live" isLive rows={rows} selected={0} nameWidth={10} namespaceWidth={0} total={2} shownFrom={0} filter="" isEditingFilter={false} width={100} height={8} theme={theme} />,
	);
	const lines = plain(lastFrame()!).split('\n');
	assert.ok(lines.some(line => line.includes('  NAME         READY   STATUS                  RESTARTS      AGE    CONTAINERS')), lines.join('\n'));
	assert.ok(lines.some(line => line.includes('▶ init-crash   0/1     Init:CrashLoopBackOff   12 (3m ago)   2d3h   app')), lines.join('\n'));
});
