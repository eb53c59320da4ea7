// `npm run real-cluster -- up|down|status|build`: a real Kubernetes v1.20 on this machine.
// See cluster.js for what each step does and docs/fidelity.md for why it exists.
import {ClusterError, KUBECONFIG, LOG_DIR, down, status, up, usage, ensureBinaries, ensurePackages, checkPlatform} from './cluster.js';

const HELP = `Usage: npm run real-cluster -- <command>

  up       install the Debian packages, build (once, cached) and start a single-node
           Kubernetes v1.20.2 on 127.0.0.1; reuses a running one
  down     stop everything and leave the machine as it was found (idempotent)
  status   show which daemons run and whether the node is Ready
  build    only install the packages and build the cached binaries`;

async function main(command) {
	switch (command) {
		case 'up': {
			await up();
			process.stdout.write(`${usage()}\n`);
			return 0;
		}
		case 'down': {
			const {warnings, nothingToDo} = await down();
			if (nothingToDo) {
				process.stdout.write('The real cluster is not running and left nothing behind; nothing to do.\n');
				return 0;
			}
			if (warnings.length > 0) {
				process.stderr.write(`real-cluster: down finished with problems:\n${warnings.map(w => `  - ${w}`).join('\n')}\n`);
				return 1;
			}
			process.stdout.write('The real cluster is down; the machine is as it was found.\n');
			return 0;
		}
		case 'status': {
			const s = status();
			const lines = Object.entries(s.daemons).map(([name, pid]) => `  ${name.padEnd(24)} ${pid === null ? 'stopped' : `running (pid ${pid})`}`);
			process.stdout.write([
				`binaries cached: ${s.binariesCached ? 'yes' : 'no'}`,
				`state dir: ${s.stateDir ?? 'none'}`,
				'daemons:', ...lines,
				`node: ${s.node}`,
				...(s.pods ? ['pods:', s.pods] : []),
				...(s.anyRunning ? [`KUBECONFIG=${KUBECONFIG}`] : []),
				'',
			].join('\n'));
			return 0;
		}
		case 'build': {
			checkPlatform();
			ensurePackages();
			await ensureBinaries();
			return 0;
		}
		default:
			process.stderr.write(`${HELP}\n`);
			return command === undefined || command === '--help' || command === 'help' ? 0 : 2;
	}
}

// A closed pipe on the other end (`... down | head -1`) must not kill a teardown half-way.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

try {
	process.exitCode = await main(process.argv[2]);
} catch (error) {
	if (error instanceof ClusterError) {
		process.stderr.write(`real-cluster: ${error.message}\n`);
		if (!/needs Linux|must be started as root/.test(error.message)) process.stderr.write(`Daemon logs are in ${LOG_DIR}; \`npm run real-cluster -- down\` cleans up a half-started cluster.\n`);
	} else {
		process.stderr.write(`real-cluster: unexpected failure: ${error instanceof Error ? error.stack : String(error)}\n`);
	}
	process.exitCode = 1;
}
