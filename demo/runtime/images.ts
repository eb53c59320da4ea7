// The demo cluster's image catalog. Only these images "exist": anything else is an image pull
// error for the kubelet. Each image is a flavour (what binaries it has) plus a root filesystem.

import {createHash} from 'node:crypto';
import type {ImageInfo} from './types.js';
import {Tree} from './vfs.js';

export type CatalogEntry = {
	/** Repository names this entry answers to (without registry prefix or tag). */
	names: string[];
	/** Canonical repository, e.g. `docker.io/library/busybox`. */
	repository: string;
	defaultTag: string;
	flavour: ImageInfo['flavour'];
	/** Image ENTRYPOINT and CMD (Kubernetes: command overrides ENTRYPOINT, args override CMD). */
	entrypoint: string[];
	cmd: string[];
	description: string;
	osRelease: string;
};

const BUSYBOX_OS = 'NAME="BusyBox"\nVERSION="1.36.1"\nID=busybox\n';

/** The documented image catalog (also used for docs). */
export const IMAGE_CATALOG: readonly CatalogEntry[] = [
	{
		names: ['busybox', 'library/busybox', 'docker.io/library/busybox', 'docker.io/busybox'],
		repository: 'docker.io/library/busybox',
		defaultTag: 'latest',
		flavour: 'shell',
		entrypoint: [],
		cmd: ['sh'],
		description: 'busybox-like shell image (any tag; the lesson uses busybox:1.36): sh and the common applets, interpreted in a sandbox',
		osRelease: BUSYBOX_OS,
	},
	{
		names: ['alpine', 'library/alpine', 'docker.io/library/alpine', 'docker.io/alpine'],
		repository: 'docker.io/library/alpine',
		defaultTag: 'latest',
		flavour: 'shell',
		entrypoint: [],
		cmd: ['/bin/sh'],
		description: 'alias of the busybox-like shell image with alpine\'s /etc/os-release',
		osRelease: 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n',
	},
	{
		names: ['ubuntu', 'library/ubuntu', 'docker.io/library/ubuntu', 'debian', 'library/debian', 'docker.io/library/debian'],
		repository: 'docker.io/library/debian',
		defaultTag: 'latest',
		flavour: 'shell',
		entrypoint: [],
		cmd: ['bash'],
		description: 'ubuntu/debian aliases of the shell image (bash is the same POSIX sh interpreter)',
		osRelease: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
	},
	{
		names: ['gcr.io/distroless/static', 'gcr.io/distroless/static-debian12', 'gcr.io/distroless/base', 'podwatch/distroless'],
		repository: 'gcr.io/distroless/static',
		defaultTag: 'latest',
		flavour: 'distroless',
		entrypoint: ['/server'],
		cmd: [],
		description: 'distroless-like image: no shell, no ls/cat (exec finds nothing); its one binary /server logs a line per second',
		osRelease: 'PRETTY_NAME="Distroless"\nNAME="Debian GNU/Linux"\nID="debian"\n',
	},
	{
		names: ['podwatch/loggen'],
		repository: 'docker.io/podwatch/loggen',
		defaultTag: 'latest',
		flavour: 'loggen',
		entrypoint: ['loggen'],
		cmd: ['--rate', '10'],
		description: 'native log generator: loggen --lines N --rate R --prefix P --size B --then sleep|exit writes numbered lines `P 000001 ...` (up to >100k lines/s)',
		osRelease: 'NAME="podwatch loggen"\nID=loggen\n',
	},
];

function parseReference(image: string): {repository: string; tag: string; digest?: string} | undefined {
	const trimmed = image.trim();
	if (trimmed === '' || /\s/.test(trimmed)) {
		return undefined;
	}

	let rest = trimmed;
	let digest: string | undefined;
	const at = rest.indexOf('@');
	if (at !== -1) {
		digest = rest.slice(at + 1);
		rest = rest.slice(0, at);
	}

	let tag = '';
	const colon = rest.lastIndexOf(':');
	if (colon > rest.lastIndexOf('/')) {
		tag = rest.slice(colon + 1);
		rest = rest.slice(0, colon);
	}

	if (!/^[a-z\d][a-z\d._\-/]*(?::\d+)?[a-z\d._\-/]*$/.test(rest) || (tag !== '' && !/^[\w][\w.-]{0,127}$/.test(tag))) {
		return undefined;
	}

	return digest === undefined ? {repository: rest, tag} : {repository: rest, tag, digest};
}

export type ResolvedImage = ImageInfo & {entry: CatalogEntry};

export function resolveCatalog(image: string): ResolvedImage | undefined {
	const reference = parseReference(image);
	if (!reference) {
		return undefined;
	}

	const entry = IMAGE_CATALOG.find(candidate => candidate.names.includes(reference.repository));
	if (!entry) {
		return undefined;
	}

	const tag = reference.tag || entry.defaultTag;
	const ref = `${entry.repository}:${tag}`;
	const digest = 'sha256:' + createHash('sha256').update(`podwatch-demo-image:${ref}`).digest('hex');
	return {ref, digest, flavour: entry.flavour, entry};
}

/** Image lookup: undefined for anything not in the catalog (the kubelet reports ErrImagePull). */
export function resolveImage(image: string): ImageInfo | undefined {
	const resolved = resolveCatalog(image);
	if (!resolved) {
		return undefined;
	}

	return {ref: resolved.ref, digest: resolved.digest, flavour: resolved.flavour};
}

/** Build a fresh root filesystem for one container instance. */
export function buildRootFs(resolved: ResolvedImage, binaries: string[], hostname: string, podIP: string, namespace: string): Tree {
	const tree = new Tree('rootfs');
	const binaryStub = (name: string): string => `#!podwatch-sandbox ${name}\n`;
	if (resolved.flavour === 'shell') {
		for (const dir of ['bin', 'dev', 'etc', 'home', 'lib', 'proc', 'root', 'sys', 'usr/bin', 'usr/sbin', 'var/log', 'var/spool/mail', 'var/www']) {
			tree.ensureDir(dir);
		}

		tree.ensureDir('root').mode = 0o700;
		tree.ensureDir('tmp').mode = 0o1777;
		for (const name of ['busybox', ...binaries]) {
			tree.putFile(`bin/${name}`, binaryStub(name), 0o755);
		}

		tree.putFile('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
		tree.putFile('etc/group', 'root:x:0:\ndaemon:x:1:\nwheel:x:10:root\nnobody:x:65534:\n');
	} else {
		for (const dir of ['dev', 'etc', 'proc', 'sys', 'tmp']) {
			tree.ensureDir(dir);
		}

		tree.ensureDir('tmp').mode = 0o1777;
		for (const name of binaries) {
			tree.putFile(name.startsWith('/') ? name.slice(1) : `usr/bin/${name}`, binaryStub(name), 0o755);
		}
	}

	tree.putFile('dev/null', '', 0o666).device = 'null';
	tree.putFile('etc/hostname', hostname + '\n');
	// As the kubelet writes it.
	tree.putFile('etc/hosts', `# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n${podIP}\t${hostname}\n`);
	tree.putFile('etc/os-release', resolved.entry.osRelease);
	tree.putFile('etc/resolv.conf', `search ${namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`);
	// Image files do not count against the instance's memory limit.
	tree.bytes = 0;
	return tree;
}
