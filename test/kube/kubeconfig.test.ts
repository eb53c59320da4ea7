import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import {ConfigError, loadKubeConfig} from '../../source/kube/kubeconfig.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'podwatch-kubeconfig-'));
after(() => fs.rmSync(dir, {recursive: true, force: true}));
const emptyHome = path.join(dir, 'empty-home');
fs.mkdirSync(emptyHome);

function write(name: string, text: string): string {
	const file = path.join(dir, name);
	fs.mkdirSync(path.dirname(file), {recursive: true});
	fs.writeFileSync(file, text);
	return file;
}

function config(opts: {clusters: Array<[string, string]>; contexts: Array<[string, string, string?]>; current?: string}): string {
	const lines = ['apiVersion: v1', 'kind: Config'];
	if (opts.current) lines.push(`current-context: ${opts.current}`);
	lines.push('clusters:');
	for (const [name, server] of opts.clusters) lines.push(`- name: ${name}`, '  cluster:', `    server: ${server}`, '    certificate-authority: ca.crt');
	lines.push('users:', '- name: u', '  user:', '    token: abc');
	lines.push('contexts:');
	for (const [name, cluster, namespace] of opts.contexts) {
		lines.push(`- name: ${name}`, '  context:', `    cluster: ${cluster}`, '    user: u');
		if (namespace) lines.push(`    namespace: ${namespace}`);
	}
	return lines.join('\n') + '\n';
}

const first = write('a/config', config({clusters: [['one', 'https://one:6443'], ['shared', 'https://first-wins:6443']], contexts: [['ctx-one', 'one', 'team-a'], ['ctx-shared', 'shared']], current: 'ctx-one'}));
const second = write('b/config', config({clusters: [['two', 'https://two:6443'], ['shared', 'https://second-loses:6443']], contexts: [['ctx-two', 'two'], ['ctx-shared', 'two']], current: 'ctx-two'}));

function expectConfigError(fn: () => unknown, pattern: RegExp): void {
	assert.throws(fn, (error: unknown) => {
		assert.ok(error instanceof ConfigError, `not a ConfigError: ${String(error)}`);
		assert.match(error.message, pattern);
		assert.ok(!error.message.includes('\n'), 'one paragraph');
		assert.ok(!/ at .*\.js:\d+/.test(error.message), 'no stack trace');
		return true;
	});
}

test('KUBECONFIG files are merged like kubectl: first current-context wins, first duplicate wins, no throw', () => {
	const env = {KUBECONFIG: [first, second].join(path.delimiter)};
	const {kc, target} = loadKubeConfig({env, home: emptyHome});
	assert.deepEqual(target, {context: 'ctx-one', server: 'https://one:6443', namespace: 'team-a'});
	assert.equal(kc.getCluster('shared')?.server, 'https://first-wins:6443');
	assert.equal(kc.getContextObject('ctx-shared')?.cluster, 'shared');
	assert.equal(kc.getCluster('two')?.server, 'https://two:6443');
	// Relative certificate paths are resolved against each file's own directory.
	assert.equal(kc.getCluster('two')?.caFile, path.join(dir, 'b', 'ca.crt'));
	const reversed = loadKubeConfig({env: {KUBECONFIG: [second, first].join(path.delimiter)}, home: emptyHome});
	assert.equal(reversed.target.context, 'ctx-two');
	assert.equal(reversed.kc.getCluster('shared')?.server, 'https://second-loses:6443');
});

test('missing files in KUBECONFIG are skipped; --context and -n override; -A means all namespaces', () => {
	const env = {KUBECONFIG: [path.join(dir, 'nope'), second, first].join(path.delimiter)};
	assert.equal(loadKubeConfig({env, home: emptyHome}).target.context, 'ctx-two');
	assert.equal(loadKubeConfig({env, home: emptyHome}).target.namespace, 'default', 'no namespace in the context → default');
	const chosen = loadKubeConfig({env, home: emptyHome, context: 'ctx-one'});
	assert.deepEqual(chosen.target, {context: 'ctx-one', server: 'https://one:6443', namespace: 'team-a'});
	assert.equal(chosen.kc.getCurrentContext(), 'ctx-one');
	assert.equal(loadKubeConfig({env, home: emptyHome, context: 'ctx-one', namespace: 'kube-system'}).target.namespace, 'kube-system');
	assert.equal(loadKubeConfig({env, home: emptyHome, namespace: 'x', allNamespaces: true}).target.namespace, undefined);
});

test('--kubeconfig beats KUBECONFIG, which beats ~/.kube/config', () => {
	const home = path.join(dir, 'home');
	write('home/.kube/config', config({clusters: [['h', 'https://home:6443']], contexts: [['home-ctx', 'h']], current: 'home-ctx'}));
	assert.equal(loadKubeConfig({env: {}, home}).target.context, 'home-ctx');
	assert.equal(loadKubeConfig({env: {KUBECONFIG: second}, home}).target.context, 'ctx-two');
	assert.equal(loadKubeConfig({env: {KUBECONFIG: second}, home, kubeconfig: first}).target.context, 'ctx-one');
});

test('no configuration at all is a ConfigError suggesting --demo, never localhost:8080', () => {
	expectConfigError(() => loadKubeConfig({env: {}, home: emptyHome}), /No Kubernetes cluster is configured.*podwatch --demo/);
	expectConfigError(() => loadKubeConfig({env: {KUBECONFIG: path.join(dir, 'missing')}, home: emptyHome}), /none of the files in KUBECONFIG.*podwatch --demo/);
	expectConfigError(() => loadKubeConfig({env: {KUBECONFIG: write('empty', '')}, home: emptyHome}), /defines no clusters or contexts.*--demo/);
});

test('broken, missing and inconsistent kubeconfigs give one-paragraph messages with the fix', () => {
	expectConfigError(() => loadKubeConfig({kubeconfig: path.join(dir, 'absent.yaml'), env: {}, home: emptyHome}), /absent\.yaml \(given with --kubeconfig\) does not exist\. Check the path/);
	const broken = write('broken.yaml', 'clusters: [\n  - name: x\n  oops: : :\n');
	expectConfigError(() => loadKubeConfig({kubeconfig: broken, env: {}, home: emptyHome}), /broken\.yaml \(given with --kubeconfig\) is not a valid kubeconfig: .*kubectl config view/);
	const noServer = write('noserver.yaml', 'clusters:\n- name: x\n  cluster: {}\ncontexts: []\nusers: []\n');
	expectConfigError(() => loadKubeConfig({kubeconfig: noServer, env: {}, home: emptyHome}), /not a valid kubeconfig: clusters\[0\]\.cluster\.server is missing/);
	expectConfigError(() => loadKubeConfig({kubeconfig: first, context: 'nosuch', env: {}, home: emptyHome}), /context "nosuch" given with --context does not exist .*available contexts: ctx-one, ctx-shared/);
	const noCurrent = write('nocurrent.yaml', config({clusters: [['one', 'https://one:6443']], contexts: [['c1', 'one']]}));
	expectConfigError(() => loadKubeConfig({kubeconfig: noCurrent, env: {}, home: emptyHome}), /sets no current context \(available contexts: c1\)\. Choose one with --context/);
	const dangling = write('dangling.yaml', config({clusters: [['one', 'https://one:6443']], contexts: [['c1', 'ghost']], current: 'c1'}));
	expectConfigError(() => loadKubeConfig({kubeconfig: dangling, env: {}, home: emptyHome}), /refers to the cluster "ghost", which is not defined/);
	const wrongCurrent = write('wrongcurrent.yaml', config({clusters: [['one', 'https://one:6443']], contexts: [['c1', 'one']], current: 'gone'}));
	expectConfigError(() => loadKubeConfig({kubeconfig: wrongCurrent, env: {}, home: emptyHome}), /current context "gone" .* does not exist/);
});

test('real kubectl resolves the same merged KUBECONFIG the same way (context, namespace, server, duplicates)', () => {
	const env = {KUBECONFIG: [path.join(dir, 'nope'), first, second].join(path.delimiter), HOME: emptyHome, PATH: process.env['PATH'] ?? ''};
	const kubectl = (...args: string[]): string => {
		try {
			return execFileSync('kubectl', args, {encoding: 'utf8', env});
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
				throw new Error('kubectl is not installed (expected /usr/bin/kubectl v1.32): this test uses it as the judge', {cause: error});
			}
			throw error;
		}
	};
	for (const context of [undefined, 'ctx-two', 'ctx-shared']) {
		const ours = loadKubeConfig({env, home: emptyHome, context});
		const flags = context ? ['--context', context] : [];
		assert.equal(kubectl('config', 'view', '--minify', ...flags, '-o', 'jsonpath={.contexts[0].name}'), ours.target.context);
		assert.equal(kubectl('config', 'view', '--minify', ...flags, '-o', 'jsonpath={.clusters[0].cluster.server}'), ours.target.server);
		assert.equal(kubectl('config', 'view', '--minify', ...flags, '-o', 'jsonpath={.contexts[0].context.namespace}') || 'default', ours.target.namespace);
	}
});
