// Runs every compiled test file except the real-cluster suite (that one has its own command,
// `npm run test:real`, because it builds and starts a real Kubernetes).
import {spawn} from 'node:child_process';
import {readdirSync, statSync} from 'node:fs';
import path from 'node:path';

const root = path.join('dist', 'test');
const files = [];
const walk = dir => {
	for (const name of readdirSync(dir)) {
		const full = path.join(dir, name);
		if (statSync(full).isDirectory()) {
			if (name !== 'real-cluster') walk(full);
		} else if (name.endsWith('.test.js')) {
			files.push(full);
		}
	}
};

walk(root);
if (files.length === 0) {
	console.error(`No compiled tests under ${root}: run the build first (npm test does).`);
	process.exit(1);
}

const only = process.argv.slice(2);
const selected = only.length > 0 ? files.filter(f => only.some(o => f.includes(o))) : files;
const child = spawn(process.execPath, ['--test', '--test-concurrency=2', ...selected], {stdio: 'inherit'});
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
