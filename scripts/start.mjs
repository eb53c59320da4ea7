// `npm start` with no arguments opens the dashboard on the embedded demo cluster with the lesson's
// pod; `npm start -- ARGS` runs podwatch with exactly ARGS.
import {spawn} from 'node:child_process';

const args = process.argv.slice(2);
const child = spawn(process.execPath, ['--max-semi-space-size=2', '--max-old-space-size=384', 'bin/podwatch.js', ...(args.length > 0 ? args : ['--demo', 'sidecar-pod'])], {
	stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(signal ? 130 : (code ?? 1)));
