// podwatch end to end on the real Kubernetes v1.20 cluster, with kubectl as the judge: the
// dashboard in a pseudo-terminal on the lesson's pod and on a crash-looping pod, the volume
// inspector and `podwatch inspect` (the lesson's pod, and one volume mounted at different paths),
// and pipe mode. podwatch reaches the cluster through --kubeconfig, as it would reach any cluster.
// Everything runs in its own namespace, created here and deleted at the end.
// Run through `npm run test:real`, or alone after `npm run real-cluster -- up`.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {cliPath, keys, launcherPath, startPodwatch, type Screen} from '../e2e/terminal.js';
import {Kubectl, describeSection, loadHarness, manifestPath, parseTable, repoRoot, requireKubectl, waitUntil} from './helpers.js';

const namespace = 'podwatch-e2e';
const crasherManifest = path.join(repoRoot(), 'test', 'real-cluster', 'fixtures', 'numbered-crasher.yaml');
const differentPathsManifest = path.join(repoRoot(), 'demo', 'manifests', 'different-paths.yaml');
let kubectl: Kubectl;
let kubeconfig: string;

// The installed entry point when this build is the one it runs (dist/), else this build's cli.js
// (a private build dir), with the production React build either way, as bin/podwatch.js sets it.
const command = fs.existsSync(launcherPath) && path.resolve(path.dirname(launcherPath), '..', 'dist', 'cli.js') === cliPath ? launcherPath : cliPath;
const env = {NODE_ENV: 'production'};

before(async () => {
	requireKubectl();
	assert.ok(fs.existsSync(differentPathsManifest), `${differentPathsManifest} is missing`);
	const harness = await loadHarness();
	await harness.up();
	kubeconfig = harness.KUBECONFIG;
	kubectl = new Kubectl(kubeconfig);
	// A namespace left by an interrupted run is deleted first (a Terminating one cannot take pods).
	const gone = await kubectl.run(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=true', '--timeout=90s']);
	assert.equal(gone.code, 0, gone.stderr);
	const created = await kubectl.run(['create', 'namespace', namespace]);
	assert.equal(created.code, 0, created.stderr);
	const applied = await kubectl.run(['apply', '-n', namespace, '-f', manifestPath('sidecar-pod'), '-f', differentPathsManifest]);
	assert.equal(applied.code, 0, applied.stderr);
	await waitUntil('sidecar-pod 2/2 Running and different-paths 3/3 Running', async () => {
		const rows = parseTable((await kubectl.run(['get', 'pods', '-n', namespace])).stdout);
		const ready = (name: string, count: string) => rows.some(row => row.NAME === name && row.READY === count && row.STATUS === 'Running');
		return ready('sidecar-pod', '2/2') && ready('different-paths', '3/3') ? true : undefined;
	}, 90_000);
	// The lesson's sidecar has printed its first entry (the main container writes every 5 s).
	await waitUntil('the first entry in the sidecar log', async () => {
		const out = await kubectl.run(['logs', '-n', namespace, 'sidecar-pod', '-c', 'sidecar-container']);
		return /Main container log entry 0/.test(out.stdout) ? true : undefined;
	}, 30_000);
});

after(async () => {
	if (!kubectl) return;
	// busybox's sh ignores SIGTERM as PID 1: delete the pods at once, then the namespace.
	await kubectl.run(['delete', 'pods', '--all', '-n', namespace, '--now', '--wait=false']);
	await kubectl.run(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=false']);
	kubectl.dispose();
});

// ---------------------------------------------------------------------------------------------
// Helpers

function dashboard(args: string[]): Screen {
	return startPodwatch(['--kubeconfig', kubeconfig, '-n', namespace, ...args], {command: [process.execPath, command], env, cwd: repoRoot()});
}

async function withDashboard(args: string[], body: (screen: Screen) => Promise<void>): Promise<void> {
	const screen = dashboard(args);
	try {
		await body(screen);
	} finally {
		await screen.kill();
	}
}

type Run = {code: number | null; stdout: string; stderr: string};

/** podwatch with piped stdout; `until` ends it (SIGINT) once the output satisfies it. */
function piped(args: string[], until?: (stdout: string) => boolean, timeoutMs = 30_000): {done: Promise<Run>; stop(): void} {
	const child = spawn(process.execPath, [command, '--kubeconfig', kubeconfig, '-n', namespace, ...args], {
		env: {...process.env, ...env},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	const done = new Promise<Run>((resolve, reject) => {
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`podwatch ${args.join(' ')} did not finish within ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
		}, timeoutMs);
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
			stdout += chunk;
			if (until?.(stdout)) child.kill('SIGINT');
		});
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
		child.on('error', reject);
		child.on('close', code => {
			clearTimeout(timer);
			resolve({code, stdout, stderr});
		});
	});
	return {done, stop: () => child.kill('SIGINT')};
}

async function kubectlOk(args: string[]): Promise<string> {
	const result = await kubectl.run(['-n', namespace, ...args]);
	assert.equal(result.code, 0, `kubectl ${args.join(' ')}: ${result.stderr}`);
	return result.stdout;
}

/** kubectl's READY and STATUS for one pod. */
async function kubectlReadyStatus(pod: string): Promise<{ready: string; status: string}> {
	const row = parseTable(await kubectlOk(['get', 'pod', pod]))[0];
	return {ready: row?.READY ?? '?', status: row?.STATUS ?? '?'};
}

/** The header's READY and STATUS as the dashboard shows them. */
function screenReadyStatus(screen: string): {ready: string; status: string} | undefined {
	const match = /READY (\S+)\s+STATUS (\S+)/.exec(screen);
	return match ? {ready: match[1]!, status: match[2]!} : undefined;
}

/** Polls until the dashboard's READY/STATUS equal kubectl's (read before and after: a moving pod must hold still). */
async function headerMatchesKubectl(screen: Screen, pod: string, timeoutMs: number): Promise<{ready: string; status: string}> {
	return waitUntil(`the header's READY/STATUS to equal kubectl's for ${pod}`, async () => {
		const before = await kubectlReadyStatus(pod);
		await screen.waitFor(() => true, 1000);
		const shown = screenReadyStatus(screen.text());
		const afterwards = await kubectlReadyStatus(pod);
		return shown && shown.ready === before.ready && shown.status === before.status && afterwards.ready === before.ready && afterwards.status === before.status ? shown : undefined;
	}, timeoutMs, 300).catch((error: unknown) => {
		throw new Error(`${error instanceof Error ? error.message : String(error)}; the screen shows:\n${screen.text()}`);
	});
}

/** The row holding the column titles (it carries the focus marker ▶). */
function titleRow(screen: string): string {
	return screen.split('\n').find(line => line.includes('▶') && line.includes('│')) ?? '';
}

/** The right-hand column's text, line by line (everything after the first column separator). */
function rightColumn(screen: string): string[] {
	const lines = screen.split('\n');
	const start = lines.findIndex(line => line.includes('▶') && line.includes('│'));
	return lines.slice(start + 1).filter(line => line.includes('│')).map(line => line.slice(line.indexOf('│') + 1).trimEnd());
}

/** The inspector's side-by-side panels, each as one string (wrapped lines joined with a space), by title. */
function panels(screen: string, titles: string[]): string[] {
	const lines = screen.split('\n');
	const row = lines.findIndex(line => titles.every(title => line.includes(title)));
	assert.ok(row >= 0, `no row with the panel titles ${titles.join(', ')}:\n${screen}`);
	const starts = titles.map(title => lines[row]!.indexOf(title));
	return titles.map((_, i) =>
		lines
			.slice(row + 1)
			.map(line => line.slice(starts[i], starts[i + 1]).trim())
			.filter(Boolean)
			.join(' '),
	);
}

/** Event rows (`Type Reason Age From Message`) as type, reason, source and message; the age moves. */
function eventRows(lines: string[]): Array<{head: string; message: string}> {
	return lines
		.map(line => /^\s*(Normal|Warning)\s+(\S+)\s+(?:\S+(?: \(x\d+ over \S+\))?)\s+(\S+)\s+(.*?)\s*$/.exec(line))
		.filter(match => match !== null)
		.map(match => ({head: `${match[1]} ${match[2]} ${match[3]}`, message: match[4]!}));
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** sha256 of every prefix of `text` that ends at a line end: an appended-to file's past states. */
function prefixHashes(text: string): Set<string> {
	const hashes = new Set<string>();
	for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', end + 1)) hashes.add(sha256(text.slice(0, end + 1)));
	return hashes;
}

// ---------------------------------------------------------------------------------------------
// The lesson's pod

test('the lesson pod in a pseudo-terminal: READY/STATUS exactly as kubectl prints them, both columns live', async () => {
	await withDashboard(['sidecar-pod'], async screen => {
		await screen.waitFor(/READY \S+\s+STATUS \S+/, 20_000);
		const shown = await headerMatchesKubectl(screen, 'sidecar-pod', 20_000);
		assert.deepEqual(shown, {ready: '2/2', status: 'Running'});
		let text = await screen.waitFor(s => /1 main-container · following/.test(titleRow(s)) && /2 sidecar-container · following/.test(titleRow(s)), 20_000);
		assert.match(titleRow(text), /▶ 1 main-container/, 'the first container has the focus');

		// The main container writes to a file, so its column is empty, exactly as kubectl logs is.
		assert.equal(await kubectlOk(['logs', 'sidecar-pod', '-c', 'main-container']), '');
		assert.match(text.split('\n').find(line => line.includes('│') && !line.includes('▶')) ?? '', /^\(no log output yet\)\s+│/);

		// The sidecar's column is the right one and holds what kubectl logs prints, in its order.
		text = await screen.waitFor(/Main container log entry 0/, 20_000);
		const kubectlLines = (await kubectlOk(['logs', 'sidecar-pod', '-c', 'sidecar-container'])).split('\n').filter(Boolean);
		const column = rightColumn(text).filter(Boolean);
		assert.ok(column.length > 0);
		const start = kubectlLines.indexOf(column[0]!);
		assert.ok(start >= 0, `the column's first line ${JSON.stringify(column[0])} is not in kubectl logs:\n${kubectlLines.join('\n')}`);
		assert.deepEqual(column, kubectlLines.slice(start, start + column.length), 'the column shows kubectl logs\' lines in order, none lost or repeated');

		// Live: the next entry the main container writes reaches the sidecar's column.
		const newest = Math.max(...column.map(line => Number(/entry (\d+)$/.exec(line)?.[1] ?? -1)));
		text = await screen.waitFor(s => rightColumn(s).some(line => line.endsWith(`Main container log entry ${newest + 1}`)), 20_000);
		const entries = rightColumn(text).filter(Boolean).map(line => Number(/entry (\d+)$/.exec(line)?.[1]));
		entries.forEach((n, i) => i > 0 && assert.equal(n, entries[i - 1]! + 1, `consecutive entries on screen: ${entries.join(', ')}`));

		screen.press(keys.tab);
		await screen.waitFor(s => /▶ 2 sidecar-container · following/.test(titleRow(s)));
	});
});

test('the volume inspector on the lesson pod: ls -la and the same app.log from inside both containers', async () => {
	await withDashboard(['sidecar-pod'], async screen => {
		await screen.waitFor(/READY 2\/2/, 20_000);
		screen.press('i');
		let text = await screen.waitFor(/every mounting container sees the same 1 entries/, 30_000);
		assert.match(text, /▸shared-logs \(emptyDir\)/);
		assert.match(text, /main-container: \/var\/log \(rw\)\s+sidecar-container: \/var\/log \(rw\)/);
		const [main, side] = panels(text, ['main-container · /var/log', 'sidecar-container · /var/log']);
		assert.match(main!, /^\$ kubectl exec sidecar-pod -n podwatch-e2e -c main-container -- ls -la \/var\/log\/ ✓ -rw-r--r-- +\d+ \w{3} +\d+ \d\d:\d\d app\.log /);
		assert.match(side!, /^\$ kubectl exec sidecar-pod -n podwatch-e2e -c sidecar-container -- ls -la \/var\/log\/ ✓ -rw-r--r-- +\d+ \w{3} +\d+ \d\d:\d\d app\.log /);

		screen.press(keys.enter);
		text = await screen.waitFor(/✓ app\.log: same content in all 2 containers/, 30_000);
		const shownHashes = [...text.matchAll(/✓ sha256 ([\da-f]{12})…/g)].map(match => match[1]!);
		assert.equal(shownHashes.length, 2);
		assert.equal(shownHashes[0], shownHashes[1]);
		// The file only grows: the hash shown is the sha256 of a state kubectl sees (a prefix of it now).
		const now = await kubectlOk(['exec', 'sidecar-pod', '-c', 'main-container', '--', 'cat', '/var/log/app.log']);
		assert.ok([...prefixHashes(now)].some(hash => hash.startsWith(shownHashes[0]!)), `sha256 ${shownHashes[0]}… is no state of app.log kubectl reads`);
		// The panels show the file's lines as kubectl exec cat prints them.
		for (const line of now.split('\n').slice(0, 2)) assert.equal(text.split(line).length - 1, 2, `${line} in both panels`);
	});
});

test('podwatch inspect on the lesson pod: same files in both containers (exit 0), and the JSON hash is the file kubectl reads', async () => {
	const report = await piped(['inspect', 'sidecar-pod']).done;
	assert.equal(report.code, 0, report.stdout + report.stderr);
	assert.match(report.stdout, /^Pod podwatch-e2e\/sidecar-pod · volume shared-logs \(emptyDir\)$/m);
	assert.match(report.stdout, /\$ kubectl exec sidecar-pod -n podwatch-e2e -c main-container -- ls -la \/var\/log\//);
	assert.match(report.stdout, /\$ kubectl exec sidecar-pod -n podwatch-e2e -c sidecar-container -- ls -la \/var\/log\//);
	assert.match(report.stdout, /✓ app\.log/);
	assert.match(report.stdout, /Verdict: all 2 containers that mount shared-logs see the same files\./);
	// Every command it prints works as printed.
	const ls = await kubectl.run(['exec', 'sidecar-pod', '-n', namespace, '-c', 'sidecar-container', '--', 'ls', '-la', '/var/log/']);
	assert.equal(ls.code, 0, ls.stderr);
	assert.match(ls.stdout, / app\.log$/m);

	const json = await piped(['inspect', 'sidecar-pod', '--file', 'app.log', '-o', 'json']).done;
	assert.equal(json.code, 0, json.stderr);
	const parsed = JSON.parse(json.stdout) as {verdict: string; files: Array<{path: string; verdict: string; contents: Array<{container: string; path: string; hash: string; hashAlgorithm: string}>}>};
	assert.equal(parsed.verdict, 'same');
	const [file] = parsed.files;
	assert.equal(file?.path, 'app.log');
	assert.deepEqual(file.contents.map(c => [c.container, c.path, c.hashAlgorithm]), [
		['main-container', '/var/log/app.log', 'sha256'],
		['sidecar-container', '/var/log/app.log', 'sha256'],
	]);
	assert.equal(file.contents[0]!.hash, file.contents[1]!.hash);
	const now = await kubectlOk(['exec', 'sidecar-pod', '-c', 'sidecar-container', '--', 'cat', '/var/log/app.log']);
	assert.ok(prefixHashes(now).has(file.contents[0]!.hash), 'the hash is the sha256 of app.log as kubectl reads it (at some moment: the file grows)');
});

test('pipe mode: the pod table like kubectl get pods, and every line of the pod prefixed with its container', async () => {
	const table = await piped([]).done;
	assert.equal(table.code, 0, table.stderr);
	const ours = parseTable(table.stdout);
	const theirs = parseTable(await kubectlOk(['get', 'pods']));
	assert.deepEqual(Object.keys(ours[0] ?? {}), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
	const pick = (rows: Array<Record<string, string>>) => rows.filter(row => row.NAME !== 'numbered-crasher').map(row => [row.NAME, row.READY, row.STATUS, row.RESTARTS]);
	assert.deepEqual(pick(ours), pick(theirs));
	assert.deepEqual(pick(ours).map(row => row[0]), ['different-paths', 'sidecar-pod']);

	const stream = await piped(['sidecar-pod'], out => /\[sidecar-container\] .*Main container log entry 1\n/.test(out)).done;
	assert.equal(stream.stderr, '');
	const kubectlLines = (await kubectlOk(['logs', 'sidecar-pod', '-c', 'sidecar-container'])).split('\n').filter(Boolean);
	const lines = stream.stdout.split('\n').filter(Boolean);
	assert.ok(lines.length >= 2);
	for (const line of lines) {
		const match = /^\[(main-container|sidecar-container)\] (.*)$/.exec(line);
		assert.ok(match, `a prefixed line: ${JSON.stringify(line)}`);
		assert.equal(match[1], 'sidecar-container', 'the main container prints nothing to stdout');
	}
	assert.deepEqual(lines.map(line => line.slice('[sidecar-container] '.length)), kubectlLines.slice(0, lines.length), 'the lines kubectl logs prints, from the start, in order');
});

// ---------------------------------------------------------------------------------------------
// A crash loop: each instance prints `run <id> line 1..3` and exits 3.

type JsonEntry = {pod: string; container: string; time: string | null; kind: 'line' | 'notice' | 'restart'; line: string};
const parseJsonLines = (stdout: string) => stdout.split('\n').filter(Boolean).map(line => JSON.parse(line) as JsonEntry);

/** The JSON entries cut into instances at each restart marker (notices left out). */
function instances(entries: JsonEntry[]): string[][] {
	const runs: string[][] = [[]];
	for (const entry of entries) {
		if (entry.kind === 'restart') runs.push([]);
		else if (entry.kind === 'line') runs.at(-1)!.push(entry.line);
	}
	return runs;
}

const enoughRestarts = (stdout: string) => {
	const runs = instances(parseJsonLines(stdout.slice(0, stdout.lastIndexOf('\n') + 1)));
	return runs.length >= 3 && runs[2]!.length >= 3;
};

let crashPipe: Promise<Run> | undefined;

test('a crash-looping pod in the dashboard: READY/STATUS as kubectl prints them, restart markers, previous logs, events as kubectl describe lists them', async () => {
	// Both start before the pod exists, so they see its first instance; pipe mode is checked below.
	crashPipe = piped(['numbered-crasher', '-c', 'counter', '-o', 'json'], enoughRestarts, 110_000).done;
	crashPipe.catch(() => undefined);
	await withDashboard(['numbered-crasher', '-c', 'counter'], async screen => {
		await screen.waitFor(/does not exist|waiting|not found/i, 20_000);
		await kubectlOk(['apply', '-f', crasherManifest]);
		let text = await screen.waitFor(s => /▶ 2 counter/.test(titleRow(s)) && rightColumn(s).some(line => /^── restarted \d\d:\d\d:\d\d · exit 3 · Error ──$/.test(line)), 60_000);
		const column = rightColumn(text).filter(Boolean);
		assert.match(column[0]!, /^run [\da-f]{8} line 1$/, `the column starts with the first instance:\n${column.join('\n')}`);
		const runLines = column.filter(line => line.startsWith('run '));
		assert.equal(new Set(runLines).size, runLines.length, `no line repeated:\n${column.join('\n')}`);
		assert.match(text, /RESTARTS [1-9]/);

		// The header follows the pod through Running, Error and CrashLoopBackOff as kubectl does.
		const shown = await headerMatchesKubectl(screen, 'numbered-crasher', 30_000);
		assert.match(shown.ready, /^[12]\/2$/);
		await screen.waitFor(/READY 1\/2\s+STATUS CrashLoopBackOff/, 45_000);
		assert.deepEqual(await headerMatchesKubectl(screen, 'numbered-crasher', 10_000), {ready: '1/2', status: 'CrashLoopBackOff'});

		// p: the previous instance, as kubectl logs -p prints it (in back-off that is the one that just ended).
		screen.press('p');
		text = await screen.waitFor(s => /▶ 2 counter · previous instance/.test(titleRow(s)) && rightColumn(s).filter(line => line.startsWith('run ')).length === 3, 15_000);
		const previous = (await kubectlOk(['logs', '-p', 'numbered-crasher', '-c', 'counter'])).split('\n').filter(Boolean);
		assert.deepEqual(rightColumn(text).filter(Boolean), previous);

		// e: the pod's events as kubectl describe lists them (type, reason, source, message; ages move).
		screen.press('e');
		await waitUntil('the events pane to list what kubectl describe lists', async () => {
			const described = describeSection(await kubectlOk(['describe', 'pod', 'numbered-crasher']), 'Events');
			const theirs = eventRows(described.filter(line => !/^\s+(Type|----)\s/.test(line)));
			await screen.waitFor(() => true, 1000);
			const shown = screen.text().split('\n');
			const start = shown.findIndex(line => /^Type\s+Reason\s+Age\s+From\s+Message/.test(line.trim()));
			const ours = start < 0 ? [] : eventRows(shown.slice(start + 1, shown.findIndex((line, i) => i > start && line.startsWith('[w]'))));
			const same = theirs.length > 0 && theirs.length === ours.length && ours.every((row, i) => {
				const their = theirs[i]!;
				return row.head === their.head && (row.message.endsWith('…') ? their.message.startsWith(row.message.slice(0, -1)) : row.message === their.message);
			});
			return same ? true : undefined;
		}, 20_000, 500).catch((error: unknown) => {
			throw new Error(`${error instanceof Error ? error.message : String(error)}; the screen shows:\n${screen.text()}`);
		});
		assert.match(screen.text(), /Warning\s+BackOff\s+.*kubelet\s+Back-off restarting failed container/);
	});
});

test('a crash-looping pod piped as JSON: each instance\'s lines exactly once, in order, a marker between instances', async () => {
	assert.ok(crashPipe, 'the previous test starts podwatch on the crash-looping pod');
	const run = await crashPipe;
	assert.match(run.stderr, /does not exist in namespace "podwatch-e2e" yet; waiting/);
	assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
	const entries = parseJsonLines(run.stdout.slice(0, run.stdout.lastIndexOf('\n') + 1));
	for (const entry of entries) {
		assert.equal(entry.pod, 'numbered-crasher');
		assert.equal(entry.container, 'counter');
		if (entry.kind === 'line') assert.match(entry.time ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
	}
	const markers = entries.filter(entry => entry.kind === 'restart').map(entry => entry.line);
	assert.ok(markers.length >= 2, `two restarts or more:\n${run.stdout}`);
	for (const marker of markers) assert.equal(marker, '── restarted · exit 3 · Error ──');

	const runs = instances(entries);
	const ids = runs.map((lines, i) => {
		const id = /^run ([\da-f]{8}) line 1$/.exec(lines[0] ?? '')?.[1];
		assert.ok(id, `instance ${i} starts with its line 1:\n${run.stdout}`);
		// The instance being read when podwatch was stopped may still be printing; every finished one has all three.
		const expected = i < 3 ? [1, 2, 3] : [1, 2, 3].slice(0, lines.length);
		assert.deepEqual(lines, expected.map(n => `run ${id} line ${n}`), `instance ${i}: its lines, once each, in order`);
		return id;
	});
	assert.equal(new Set(ids).size, ids.length, `every instance is a new run: ${ids.join(', ')}`);
	// The judge: what kubectl logs prints now is one of the instances podwatch showed, line for line.
	const latest = (await kubectlOk(['logs', 'numbered-crasher', '-c', 'counter'])).split('\n').filter(Boolean);
	const id = /^run ([\da-f]{8}) /.exec(latest[0] ?? '')?.[1];
	assert.ok(id && ids.includes(id), `kubectl logs shows run ${id ?? '?'}, which podwatch showed`);
	assert.deepEqual(runs[ids.indexOf(id)]!.slice(0, latest.length), latest);
});

// ---------------------------------------------------------------------------------------------
// One volume, different mount paths (and a subPath)


test('the volume inspector on one volume at different paths: each container at its own path, the subPath part compared on Enter', async () => {
	await withDashboard(['different-paths'], async screen => {
		await screen.waitFor(/READY 3\/3\s+STATUS Running/, 20_000);
		screen.press('i');
		const titles = ['producer · /producer/out', 'consumer · /consumer/in', 'reporter · /reports'];
		const names = (panel: string, pattern: RegExp) => [...panel.matchAll(pattern)].map(match => match[1]);
		const batch = /-rw-r--r-- +\d+ \w{3} +\d+ \d\d:\d\d (batch-\d+\.txt)/g;
		const report = /-rw-r--r-- +\d+ \w{3} +\d+ \d\d:\d\d (report-\d+\.txt)/g;
		// The producer adds and removes a batch every 2 s; live mode refreshes until the panels agree.
		let text = await screen.waitFor(s => {
			if (!titles.every(title => s.includes(title))) return false;
			const [producer, consumer] = panels(s, titles);
			return names(producer!, batch).length > 0 && JSON.stringify(names(producer!, batch)) === JSON.stringify(names(consumer!, batch));
		}, 30_000);
		assert.match(text, /▸exchange \(emptyDir\)/);
		assert.match(text, /producer: \/producer\/out \(rw\)\s+consumer: \/consumer\/in \(rw\)\s+reporter: \/reports \(rw, subPath reports\)/);
		let [producer, consumer, reporter] = panels(text, titles);
		assert.match(producer!, /^\$ kubectl exec different-paths -n podwatch-e2e -c producer -- ls -la \/producer\/out\/ .* reports( |$)/);
		assert.match(consumer!, /^\$ kubectl exec different-paths -n podwatch-e2e -c consumer -- ls -la \/consumer\/in\/ .* reports( |$)/);
		assert.match(reporter!, /mounts only reports\/ of this volume \(subPath\), at \/reports/);

		// Down to the last entry (`reports`, the list stops there), Enter: the directory in all three.
		// One burst, as a fast typist or key repeat sends it (Enter once acted on the row before the
		// arrows and "compared" the directory as a file; fixed in cd33dce).
		screen.press(`${keys.down.repeat(10)}${keys.enter}`);
		text = await screen.waitFor(s => {
			if (!/exchange\/reports\//.test(s) || !titles.every(title => s.includes(title))) return false;
			const listed = panels(s, titles).map(panel => JSON.stringify(names(panel, report)));
			return listed[0] !== '[]' && listed.every(list => list === listed[0]);
		}, 30_000);
		[producer, consumer, reporter] = panels(text, titles);
		assert.match(producer!, /^\$ kubectl exec different-paths -n podwatch-e2e -c producer -- ls -la \/producer\/out\/reports\/ /);
		assert.match(consumer!, /^\$ kubectl exec different-paths -n podwatch-e2e -c consumer -- ls -la \/consumer\/in\/reports\/ /);
		assert.match(reporter!, /^\$ kubectl exec different-paths -n podwatch-e2e -c reporter -- ls -la \/reports\/ /);
		await screen.waitFor(/✓ every mounting container sees the same \d+ entries/, 15_000);
	});
});

test('podwatch inspect on one volume at different paths: the root and the subPath part, each container at its own path, as kubectl exec sees them', async () => {
	type Listing = {container: string; command?: string; entries?: Array<{name: string}>; elsewhere?: string};
	type Content = {container: string; path: string; hash?: string; error?: string};
	type Report = {
		volume: {name: string; mounts: Array<{container: string; mountPath: string; subPath?: string}>};
		directories: Array<{relative: string; verdict: string; listings: Listing[]}>;
		files: Array<{path: string; verdict: string; contents: Content[]}>;
		verdict: string;
	};
	const names = (listing: Listing | undefined) => JSON.stringify((listing?.entries ?? []).map(entry => entry.name).sort());
	const lsNames = async (container: string, dir: string) => JSON.stringify((await kubectlOk(['exec', 'different-paths', '-c', container, '--', 'ls', '-A', dir])).split('\n').filter(Boolean).sort());
	/** Where each container reads a file given relative to the volume (the reporter sees only reports/). */
	const pathsOf = (relative: string) =>
		relative.startsWith('reports/') ? [`/producer/out/${relative}`, `/consumer/in/${relative}`, `/reports/${relative.slice('reports/'.length)}`] : [`/producer/out/${relative}`, `/consumer/in/${relative}`];
	/** The manifest says what each file holds, so its sha256 is known. */
	const expectedHash = (relative: string) => {
		const n = /(?:batch|report)-(\d+)\.txt$/.exec(relative)?.[1];
		return n === undefined ? undefined : sha256(relative.startsWith('reports/') ? `report for batch ${n}\n` : `batch ${n}\n`);
	};

	// The producer adds and removes a batch every 2 s. One report file (it lives 10 s) keeps the run
	// short, and kubectl lists at the same moment; retry until the two listings agree.
	const {run, report, relative} = await waitUntil('podwatch inspect and kubectl exec ls, run together, to list the same names', async () => {
		const latest = (await kubectlOk(['exec', 'different-paths', '-c', 'producer', '--', 'cat', '/producer/out/latest'])).trim();
		const relative = `reports/report-${latest}.txt`;
		const [run, producer, reporter] = await Promise.all([
			piped(['inspect', 'different-paths', '--file', relative, '-o', 'json']).done,
			lsNames('producer', '/producer/out/'),
			lsNames('reporter', '/reports/'),
		]);
		const report = JSON.parse(run.stdout) as Report;
		const [root, reports] = report.directories;
		const agree =
			names(root?.listings[0]) === producer &&
			names(root?.listings[1]) === producer &&
			(reports?.listings ?? []).length === 3 &&
			reports!.listings.every(listing => names(listing) === reporter);
		return agree ? {run, report, relative} : undefined;
	}, 45_000, 200);
	assert.equal(run.code, 0, `the containers see the same files:\n${run.stdout}\n${run.stderr}`);
	assert.equal(report.verdict, 'same');
	assert.deepEqual(report.volume.mounts.map(m => [m.container, m.mountPath, m.subPath]), [
		['producer', '/producer/out', undefined],
		['consumer', '/consumer/in', undefined],
		['reporter', '/reports', 'reports'],
	]);
	const [root, reports] = report.directories;
	assert.equal(root!.relative, '');
	assert.deepEqual(root!.listings.slice(0, 2).map(l => l.command), [
		'kubectl exec different-paths -n podwatch-e2e -c producer -- ls -la /producer/out/',
		'kubectl exec different-paths -n podwatch-e2e -c consumer -- ls -la /consumer/in/',
	]);
	assert.match(root!.listings[2]?.elsewhere ?? '', /reports\/.*subPath.*\/reports/);
	assert.equal(reports!.relative, 'reports');
	assert.deepEqual(reports!.listings.map(l => l.command), [
		'kubectl exec different-paths -n podwatch-e2e -c producer -- ls -la /producer/out/reports/',
		'kubectl exec different-paths -n podwatch-e2e -c consumer -- ls -la /consumer/in/reports/',
		'kubectl exec different-paths -n podwatch-e2e -c reporter -- ls -la /reports/',
	]);
	assert.deepEqual(report.files.map(f => f.path), [relative]);
	assert.deepEqual(report.files[0]!.contents.map(c => [c.path, c.hash]), pathsOf(relative).map(p => [p, expectedHash(relative)]));
	// kubectl agrees (a report lives 10 s, so it is still there).
	assert.equal(sha256(await kubectlOk(['exec', 'different-paths', '-c', 'reporter', '--', 'cat', pathsOf(relative)[2]!])), expectedHash(relative));

	// Without --file every file is compared, each read at each container's own path. That takes
	// about 3 s on this cluster, longer than a batch lives, so a file may be gone when it is read:
	// then it is gone in every container alike (verdict "gone", which does not make the report
	// fail). Any file read has its known content.
	const all = await piped(['inspect', 'different-paths', '-o', 'json']).done;
	const full = JSON.parse(all.stdout) as Report;
	assert.equal(all.code, {same: 0, differ: 1}[full.verdict] ?? 2, `exit ${all.code} for verdict ${full.verdict}: ${all.stderr}`);
	assert.ok(full.files.some(file => file.path.startsWith('reports/')) && full.files.some(file => /^batch-\d+\.txt$/.test(file.path)), full.files.map(f => f.path).join(' '));
	for (const file of full.files) {
		assert.deepEqual(file.contents.map(c => c.path), pathsOf(file.path));
		const errors = file.contents.filter(c => c.error !== undefined);
		if (errors.length > 0) {
			assert.equal(errors.length, file.contents.length, `${file.path} vanished in some containers only: ${JSON.stringify(file.contents)}`);
			for (const content of errors) assert.match(content.error!, /does not exist in this container/);
			assert.equal(file.verdict, 'gone', `${file.path}: a file gone everywhere is reported as gone`);
		} else if (expectedHash(file.path)) {
			for (const content of file.contents) assert.equal(content.hash, expectedHash(file.path), `${content.container}: ${content.path}`);
		}
	}
});
