// `npm run bench [-- --smoke] [-- --only NAME[,NAME]]`: podwatch against kubectl on the demo cluster
// (run in its own process), printing one table row per figure with its ratio and target.
import {cpus, totalmem} from 'node:os';
import {performance} from 'node:perf_hooks';
import {benchmarks, fullSizes, shareCluster, smokeSizes, type Row} from './benchmarks.js';
import {loadAverage, requireKubectl, startCluster, stopAllClusters} from './lib.js';

const usage = `Usage: npm run bench [-- --smoke] [-- --only NAME[,NAME...]]
  --smoke        tiny sizes: checks that every benchmark works, in seconds (timings meaningless)
  --only NAMES   run only these benchmarks: ${Object.keys(benchmarks).join(', ')}
  --markdown     also print the table as Markdown (for bench/RESULTS.md)
Environment: KUBECTL (the kubectl to compare with), BENCH_PODWATCH_NODE_OPTIONS (Node options for
podwatch alone, for experiments such as a V8 flag).`;

function parse(argv: string[]): {smoke: boolean; markdown: boolean; only: string[]} | string {
	let smoke = false;
	let markdown = false;
	let only: string[] = Object.keys(benchmarks);
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i]!;
		if (arg === '--smoke') smoke = true;
		else if (arg === '--markdown') markdown = true;
		else if (arg === '--only' || arg.startsWith('--only=')) {
			const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
			if (!value) return `bench: --only needs a benchmark name (one of ${Object.keys(benchmarks).join(', ')}).`;
			only = value.split(',').map(name => name.trim()).filter(Boolean);
			const unknown = only.filter(name => !(name in benchmarks));
			if (unknown.length > 0) return `bench: no benchmark named ${unknown.map(name => `'${name.replace(/[^\w.-]/g, '?')}'`).join(', ')}; choose from ${Object.keys(benchmarks).join(', ')}.`;
		} else if (arg === '--help' || arg === '-h') {
			return usage;
		} else return `bench: unknown option '${arg.replace(/[^\w.=-]/g, '?')}'.\n${usage}`;
	}

	return {smoke, markdown, only};
}

/** Control characters (from kubectl's or a screen's text) shown as \xNN, never sent to the terminal. */
const printable = (text: string) => text.replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g, c => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

const columns: Array<[keyof Row, string]> = [['benchmark', 'benchmark'], ['podwatch', 'podwatch'], ['reference', 'reference'], ['ratio', 'ratio'], ['target', 'target'], ['verdict', 'result']];

function table(rows: Row[]): string {
	const widths = columns.map(([key, title]) => Math.max(title.length, ...rows.map(row => String(row[key] ?? '').length)));
	const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
	const out = [line(columns.map(([, title]) => title)), line(widths.map(width => '-'.repeat(width)))];
	for (const row of rows) out.push(line(columns.map(([key]) => String(row[key] ?? ''))));
	return out.join('\n');
}

function markdown(rows: Row[]): string {
	const out = [`| ${columns.map(([, title]) => title).join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`];
	for (const row of rows) out.push(`| ${columns.map(([key]) => String(row[key] ?? '').replace(/\|/g, '\\|')).join(' | ')} |`);
	return out.join('\n');
}

async function main(): Promise<number> {
	const options = parse(process.argv.slice(2));
	if (typeof options === 'string') {
		process.stderr.write(`${options}\n`);
		return options === usage ? 0 : 2;
	}

	const kubectlVersion = requireKubectl();
	const sizes = options.smoke ? smokeSizes : fullSizes;
	const cpu = cpus();
	console.log(`podwatch bench${options.smoke ? ' (smoke: tiny sizes, timings meaningless)' : ''} — ${new Date().toISOString()}`);
	console.log(`machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GB; node ${process.version}; kubectl ${kubectlVersion}; load average ${loadAverage()}`);
	const extra = process.env['BENCH_PODWATCH_NODE_OPTIONS'];
	if (extra) console.log(`podwatch runs with NODE_OPTIONS += ${printable(extra)} (BENCH_PODWATCH_NODE_OPTIONS)`);
	const rows: Row[] = [];
	const failed: string[] = [];
	// The smoke run checks that everything works, quickly: one cluster for all.
	const cluster = options.smoke ? await startCluster() : undefined;
	shareCluster(cluster);
	try {
		for (const name of options.only) {
			const started = performance.now();
			console.log(`running ${name}…`);
			try {
				const result = await benchmarks[name]!(sizes);
				rows.push(...result);
				for (const row of result) console.log(`  ${row.benchmark}: ${row.podwatch} vs ${row.reference} → ${row.ratio} (${row.target}) ${row.verdict}${row.note ? `\n    ${row.note}` : ''}`);
			} catch (error) {
				failed.push(name);
				console.log(`  ${name} FAILED: ${printable(error instanceof Error ? error.message : String(error))}`);
			}

			console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s, load average ${loadAverage()})`);
		}
	} finally {
		shareCluster(undefined);
		await cluster?.stop();
	}

	console.log('');
	console.log(table(rows));
	if (options.markdown) {
		console.log('');
		console.log(markdown(rows));
	}

	if (failed.length > 0) {
		console.log(`\nfailed to run: ${failed.join(', ')}`);
		return 1;
	}

	return 0;
}

// Interrupted: stop the demo clusters (separate processes) rather than leave them behind. The
// podwatch processes end by themselves: their terminal hangs up when this process exits.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
	process.once(signal, () => {
		void stopAllClusters().finally(() => process.exit(code));
	});
}

main().then(
	code => process.exit(code),
	(error: unknown) => {
		process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
		process.exit(1);
	},
);
