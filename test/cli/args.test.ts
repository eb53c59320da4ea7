import {test} from 'node:test';
import assert from 'node:assert/strict';
import {parseArgs, parseDuration, type DashboardInvocation} from '../../source/cli/args.js';

function dashboard(argv: string[], env: NodeJS.ProcessEnv = {}): DashboardInvocation {
	const result = parseArgs(argv, env);
	assert.equal(result.kind, 'ok', result.kind === 'error' ? result.message : '');
	assert.ok(result.kind === 'ok' && result.invocation.command === 'dashboard');
	return result.invocation;
}

function error(argv: string[]): string {
	const result = parseArgs(argv, {});
	assert.equal(result.kind, 'error');
	assert.ok(result.kind === 'error');
	assert.ok(!result.message.includes('\n'), 'the error is one line');
	assert.match(result.message, /podwatch --help/);
	return result.message;
}

test('a pod name and kubectl-style short flags', () => {
	const inv = dashboard(['sidecar-pod', '-n', 'lesson', '-c', 'sidecar-container', '-l', 'app=x']);
	assert.equal(inv.pod, 'sidecar-pod');
	assert.equal(inv.namespace, 'lesson');
	assert.equal(inv.container, 'sidecar-container');
	assert.equal(inv.selector, 'app=x');
	assert.equal(inv.tailLines, 200);
	assert.equal(inv.bufferLines, 5000);
	assert.equal(inv.colour, true);
});

test('no pod means the list; -A selects every namespace', () => {
	const inv = dashboard(['-A']);
	assert.equal(inv.pod, undefined);
	assert.equal(inv.allNamespaces, true);
	assert.equal(dashboard(['--all-namespaces']).allNamespaces, true);
});

test('--demo with and without a pod, and --apply only beside it', () => {
	const inv = dashboard(['--demo', 'sidecar-pod', '--apply', 'demo/manifests']);
	assert.equal(inv.demo, true);
	assert.equal(inv.pod, 'sidecar-pod');
	assert.deepEqual(inv.apply, ['demo/manifests']);
	assert.match(error(['--apply', 'x.yaml']), /--apply goes with --demo/);
	assert.match(error(['--demo', '--kubeconfig', '/tmp/k']), /--demo uses the embedded cluster/);
});

test('podwatch demo takes --port, --kubeconfig and repeated --apply', () => {
	const result = parseArgs(['demo', '--port', '8443', '--kubeconfig', '/tmp/k', '--apply', 'a.yaml', '--apply', 'b'], {});
	assert.deepEqual(result, {
		kind: 'ok',
		invocation: {command: 'demo', port: 8443, kubeconfig: '/tmp/k', apply: ['a.yaml', 'b']},
	});
	assert.match(error(['demo', '--port', '70000']), /--port must be a number from 0 to 65535 \(got '70000'\)/);
	assert.match(error(['demo', 'extra']), /'demo' takes no pod name/);
	assert.match(error(['--port', '1']), /--port only goes with 'podwatch demo'/);
});

test('unknown flags are named, in one line, with the usage hint', () => {
	assert.match(error(['--bogus']), /unknown flag --bogus/);
	assert.match(error(['-x']), /unknown flag -x/);
});

test('bad values name the flag, the value and the expected form', () => {
	assert.match(error(['--tail', 'ten']), /--tail must be a whole number.*'ten'/);
	assert.match(error(['--since', '5 minutes']), /--since must be a duration.*'5 minutes'/);
	assert.match(error(['--buffer', '10']), /--buffer must be a number of lines from 100/);
	assert.match(error(['-o', 'yaml']), /--output must be text or json \(got 'yaml'\)/);
	assert.match(error(['--theme', 'neon']), /--theme must be default or high-contrast/);
	assert.match(error(['a', 'b']), /one pod at a time/);
	assert.match(error(['-A', '-n', 'x']), /either -n\/--namespace or -A/);
});

test('--tail -1 means all history; --since takes Go-style durations', () => {
	assert.equal(dashboard(['--tail', '-1']).tailLines, undefined);
	assert.equal(dashboard(['--tail', '0']).tailLines, 0);
	assert.equal(dashboard(['--since', '1h30m']).sinceSeconds, 5400);
	assert.equal(parseDuration('30s'), 30);
	assert.equal(parseDuration('5m'), 300);
	assert.equal(parseDuration(''), undefined);
	assert.equal(parseDuration('0s'), undefined);
	assert.equal(parseDuration('m'), undefined);
});

test('NO_COLOR and --no-color turn colour off', () => {
	assert.equal(dashboard(['--no-color']).colour, false);
	assert.equal(dashboard([], {NO_COLOR: '1'}).colour, false);
	assert.equal(dashboard([], {NO_COLOR: ''}).colour, true);
});

test('podwatch inspect POD with its own flags, and those flags refused elsewhere', () => {
	const result = parseArgs(['inspect', 'sidecar-pod', '--volume', 'shared-logs', '--file', 'app.log', '-o', 'json'], {});
	assert.equal(result.kind, 'ok');
	assert.ok(result.kind === 'ok' && result.invocation.command === 'inspect');
	assert.equal(result.invocation.pod, 'sidecar-pod');
	assert.equal(result.invocation.volume, 'shared-logs');
	assert.equal(result.invocation.file, 'app.log');
	assert.equal(result.invocation.output, 'json');
	assert.match(error(['inspect']), /'inspect' takes exactly one pod name/);
	assert.match(error(['sidecar-pod', '--volume', 'x']), /--volume goes with 'podwatch inspect POD'/);
	assert.match(error(['--inspect']), /--inspect needs a pod name/);
	assert.equal(dashboard(['sidecar-pod', '--inspect']).inspect, true);
});
