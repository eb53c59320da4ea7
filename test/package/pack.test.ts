// The package as a user gets it: `npm pack`, installed into an empty directory, run with npx and
// as a kubectl plugin. Needs the npm registry (or npm's cache) for the dependencies.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {cliPath, startPodwatch} from '../e2e/terminal.js';

const repo = path.resolve(path.dirname(cliPath), '..');
const version = (JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as {version: string}).version;

test('npm pack holds only what runs, and the installed package works with npx and as a kubectl plugin', {timeout: 240_000}, async () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'podwatch-pack-'));
	try {
		// dist/ is already built by `npm test`; --ignore-scripts skips the prepack rebuild.
		const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {cwd: repo, encoding: 'utf8'});
		const [info] = JSON.parse(packed) as Array<{filename: string; files: Array<{path: string}>}>;
		const files = info!.files.map(f => f.path);
		assert.ok(files.includes('bin/podwatch.js'));
		assert.ok(files.includes('dist/cli.js'));
		assert.ok(files.includes('demo/manifests/sidecar-pod.yaml'));
		assert.ok(files.includes('LICENSE') && files.includes('README.md'));
		const stray = files.filter(f => !/^(bin\/podwatch\.js|dist\/(cli\.js|source\/|demo\/)|demo\/manifests\/|README\.md|LICENSE|package\.json)/.test(f));
		assert.deepEqual(stray, [], 'nothing but what runs');
		assert.ok(!files.some(f => f.endsWith('.ts') || f.endsWith('.tsx') || f.includes('/test/')), 'no sources or tests');

		execFileSync('npm', ['init', '-y'], {cwd: dir, stdio: 'ignore'});
		execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, info!.filename)], {cwd: dir, stdio: 'ignore'});
		const bin = path.join(dir, 'node_modules', '.bin');
		assert.equal(execFileSync(path.join(bin, 'podwatch'), ['--version'], {encoding: 'utf8'}).trim(), version);

		const env = {...process.env, PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}`, HOME: dir};
		assert.equal(execFileSync('kubectl', ['podwatch', '--version'], {env, encoding: 'utf8'}).trim(), version, 'kubectl finds the plugin on PATH');

		const screen = startPodwatch(['podwatch', '--demo'], {command: ['npx', '--no-install'], cwd: dir, env});
		try {
			await screen.waitFor(/sidecar-pod\s+2\/2\s+Running/, 30_000);
		} finally {
			await screen.kill();
		}
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});
