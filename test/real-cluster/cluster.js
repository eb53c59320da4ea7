// A real single-node Kubernetes v1.20 on this machine, built from Debian bookworm's `kubernetes`
// source package: the truth the demo cluster is compared with (see docs/fidelity.md).
//
// Every pitfall met on these machines is in /work/shared/docs/real-cluster-facts.md; the comments
// below say which one each odd-looking step answers. Everything listens on 127.0.0.1 only.
// Binaries are cached outside the checkout, keyed by the Debian package version, so only the
// first run pays for the Go build. All runtime state lives under STATE_DIR; `down` removes it and
// everything the daemons left elsewhere (shims, mounts, cni0/veths, cgroups, sysctls).
import {spawn, spawnSync} from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import {Buffer} from 'node:buffer';
import {setTimeout as delay} from 'node:timers/promises';
import path from 'node:path';

export const PACKAGE_VERSION = '1.20.5+really1.20.2-1.1+deb12u1';
const UPSTREAM_VERSION = 'v1.20.2';
const UPSTREAM_COMMIT = 'faecb196815e248d3ecfb03c680a4507229c2a56';
export const CACHE_ROOT = process.env.PODWATCH_REAL_CACHE ?? '/var/cache/podwatch/real-cluster';
export const BIN_DIR = path.join(CACHE_ROOT, PACKAGE_VERSION, 'bin');
export const STATE_DIR = process.env.PODWATCH_REAL_STATE ?? '/var/lib/podwatch-real-cluster';
export const LOG_DIR = path.join(CACHE_ROOT, 'logs');
export const KUBECONFIG = path.join(STATE_DIR, 'admin.kubeconfig');
export const API_SERVER = 'https://127.0.0.1:6443';
export const NODE_NAME = '127.0.0.1';

const COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet'];
const APT_PACKAGES = [
	'golang-1.19-go', 'etcd-server', 'containerd', 'runc', 'containernetworking-plugins',
	'busybox-static', 'rsync', 'make', 'openssl', 'iproute2', 'dpkg-dev', 'procps', 'tar', 'curl',
];
// Daemons in start order; `down` stops them in reverse.
const DAEMONS = ['etcd', 'containerd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet'];
// The kubelet tunes these at start (setupKernelTunables); the bridge plugin may touch forwarding.
const SYSCTLS = [
	'vm.overcommit_memory', 'vm.panic_on_oom', 'kernel.panic', 'kernel.panic_on_oops',
	'kernel.keys.root_maxkeys', 'kernel.keys.root_maxbytes', 'net.ipv4.ip_forward',
	'net.ipv6.conf.all.forwarding',
];
// Paths the kubelet and containerd hard-code outside their configurable roots.
const OUTSIDE_PATHS = ['/var/log/pods', '/var/log/containers', '/var/lib/kubelet', '/run/containerd', '/var/run/netns', '/etc/cni', '/opt/cni'];
const CONTAINERD_SOCK = path.join(STATE_DIR, 'containerd', 'containerd.sock');
const BUSYBOX_IMAGE = 'docker.io/library/busybox:1.36';
const PAUSE_IMAGE = 'localhost/podwatch/pause:1.0';
const BRIDGE = 'cni0';
const POD_SUBNET = '10.88.0.0/16';

export class ClusterError extends Error {}

let quiet = false;
export function setQuiet(value) {
	quiet = value;
}
function say(message) {
	if (!quiet) process.stderr.write(`real-cluster: ${message}\n`);
}

function run(cmd, args, {allowFail = false, input, env, cwd, timeoutMs = 120_000} = {}) {
	const result = spawnSync(cmd, args, {encoding: 'utf8', input, env: env ?? process.env, cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024});
	if (!allowFail && (result.error || result.status !== 0)) {
		const detail = (result.stderr || result.stdout || String(result.error ?? '')).trim().split('\n').slice(-15).join('\n');
		throw new ClusterError(`\`${cmd} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal ?? 'n/a'}):\n${detail}`);
	}
	return result;
}

function runLogged(cmd, args, logFile, {env, cwd} = {}) {
	return new Promise((resolve, reject) => {
		const out = fs.openSync(logFile, 'a');
		const child = spawn(cmd, args, {env, cwd, stdio: ['ignore', out, out]});
		child.on('error', error => {
			fs.closeSync(out);
			reject(error);
		});
		child.on('exit', code => {
			fs.closeSync(out);
			if (code === 0) resolve();
			else {
				const tail = fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-20).join('\n');
				reject(new ClusterError(`\`${cmd} ${args.join(' ')}\` failed (exit ${code}); log ${logFile}:\n${tail}`));
			}
		});
	});
}

export function checkPlatform() {
	if (process.platform !== 'linux') {
		throw new ClusterError(`The real cluster needs Linux (this is ${process.platform}): it runs the kubelet, containerd and runc directly on the machine. Run it on a Linux machine or a Linux VM; on other systems use the embedded demo cluster (podwatch --demo).`);
	}
	if (typeof process.getuid === 'function' && process.getuid() !== 0) {
		throw new ClusterError('The real cluster must be started as root: it installs Debian packages, runs containerd/runc and the kubelet, creates the cni0 bridge and mounts volumes. Run it again with sudo (for example `sudo npm run real-cluster -- up`).');
	}
}

// ---------------------------------------------------------------------------------------------
// Packages and the cached build

function missingPackages() {
	const result = run('dpkg-query', ['-W', '-f', '${Package} ${db:Status-Status}\n', ...APT_PACKAGES], {allowFail: true});
	const installed = new Set(result.stdout.split('\n').filter(line => line.endsWith(' installed')).map(line => line.split(' ')[0]));
	return APT_PACKAGES.filter(name => !installed.has(name));
}

export function ensurePackages() {
	const missing = missingPackages();
	if (missing.length === 0) return;
	say(`installing Debian packages: ${missing.join(' ')}`);
	const env = {...process.env, DEBIAN_FRONTEND: 'noninteractive'};
	run('apt-get', ['update', '-q'], {env, timeoutMs: 600_000});
	run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], {env, timeoutMs: 1_200_000});
}

function ensureSourceList() {
	const file = '/etc/apt/sources.list.d/podwatch-deb-src.sources';
	if (fs.existsSync(file)) return false;
	fs.writeFileSync(file, [
		'Types: deb-src', 'URIs: http://deb.debian.org/debian', 'Suites: bookworm', 'Components: main',
		'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg', '',
	].join('\n'));
	return true;
}

function binariesReady() {
	return COMPONENTS.every(name => fs.existsSync(path.join(BIN_DIR, name))) && fs.existsSync(path.join(BIN_DIR, '.complete'));
}

export async function ensureBinaries() {
	if (binariesReady()) return;
	const versionDir = path.join(CACHE_ROOT, PACKAGE_VERSION);
	const srcDir = path.join(versionDir, 'src');
	fs.mkdirSync(srcDir, {recursive: true});
	fs.mkdirSync(LOG_DIR, {recursive: true});
	const dsc = path.join(srcDir, `kubernetes_${PACKAGE_VERSION}.dsc`);
	if (!fs.existsSync(dsc)) {
		say(`downloading Debian source package kubernetes ${PACKAGE_VERSION}`);
		if (ensureSourceList()) run('apt-get', ['update', '-q'], {timeoutMs: 600_000});
		run('apt-get', ['source', '--download-only', `kubernetes=${PACKAGE_VERSION}`], {cwd: srcDir, timeoutMs: 600_000});
	}
	// GOPATH mode: the 1.20 tree does not build in module mode with its vendor directory.
	const gopath = path.join(versionDir, 'gopath');
	const tree = path.join(gopath, 'src', 'k8s.io', 'kubernetes');
	if (!fs.existsSync(path.join(tree, '.podwatch-unpacked'))) {
		say('unpacking the source package (dpkg-source -x, Debian patches applied)');
		fs.rmSync(gopath, {recursive: true, force: true});
		fs.mkdirSync(path.dirname(tree), {recursive: true});
		run('dpkg-source', ['--no-check', '-x', dsc, tree], {timeoutMs: 600_000});
		fs.writeFileSync(path.join(tree, '.podwatch-unpacked'), '');
	}
	const logFile = path.join(LOG_DIR, 'build.log');
	fs.writeFileSync(logFile, '');
	const goroot = '/usr/lib/go-1.19';
	const env = {
		...process.env,
		PATH: `${goroot}/bin:${gopath}/bin:${process.env.PATH}`,
		GOROOT: goroot,
		GOPATH: gopath,
		GO111MODULE: 'off',
		CGO_ENABLED: '0',
		GOFLAGS: '',
		GOCACHE: path.join(CACHE_ROOT, 'go-build-cache'),
		HOME: versionDir,
		KUBE_GIT_VERSION: UPSTREAM_VERSION,
		KUBE_GIT_COMMIT: UPSTREAM_COMMIT,
		KUBE_GIT_TREE_STATE: 'clean',
	};
	const started = Date.now();
	if (!fs.existsSync(path.join(tree, 'pkg', 'generated', 'openapi', 'zz_generated.openapi.go'))) {
		say('generating OpenAPI definitions (make gen_openapi) — part of the one-time build');
		await runLogged('nice', ['-n', '10', 'make', 'gen_openapi'], logFile, {env, cwd: tree});
	}
	// The version must be stamped in both vendored packages, or the server says v0.0.0-master.
	const buildDate = '2021-01-13T13:20:00Z';
	const stamp = [];
	for (const pkg of ['k8s.io/kubernetes/vendor/k8s.io/component-base/version', 'k8s.io/kubernetes/vendor/k8s.io/client-go/pkg/version']) {
		stamp.push(
			`-X ${pkg}.gitVersion=${UPSTREAM_VERSION}`, `-X ${pkg}.gitMajor=1`, `-X ${pkg}.gitMinor=20`,
			`-X ${pkg}.gitCommit=${UPSTREAM_COMMIT}`, `-X ${pkg}.gitTreeState=clean`, `-X ${pkg}.buildDate=${buildDate}`,
		);
	}
	const outDir = path.join(versionDir, 'bin.partial');
	fs.mkdirSync(outDir, {recursive: true});
	say(`building ${COMPONENTS.join(', ')} with Go 1.19 under nice (about 7 minutes on 2 cores, once; log ${logFile})`);
	await runLogged('nice', ['-n', '10', 'go', 'build', '-o', outDir, '-ldflags', `-s -w ${stamp.join(' ')}`,
		...COMPONENTS.map(name => `k8s.io/kubernetes/cmd/${name}`)], logFile, {env, cwd: tree});
	fs.writeFileSync(path.join(outDir, '.complete'), `${PACKAGE_VERSION}\n`);
	fs.rmSync(BIN_DIR, {recursive: true, force: true});
	fs.renameSync(outDir, BIN_DIR);
	say(`built in ${Math.round((Date.now() - started) / 1000)} s; cached in ${BIN_DIR}`);
}

// ---------------------------------------------------------------------------------------------
// Certificates and kubeconfigs (openssl; one CA signs everything)

function openssl(args, options) {
	return run('openssl', args, options);
}

function makeCertificates(pki) {
	fs.mkdirSync(pki, {recursive: true});
	const ca = path.join(pki, 'ca');
	openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '3650', '-subj', '/CN=podwatch-real-cluster-ca']);
	const issue = (name, subject, sans) => {
		const base = path.join(pki, name);
		openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', subject]);
		const ext = path.join(pki, `${name}.ext`);
		fs.writeFileSync(ext, [
			'basicConstraints=CA:FALSE',
			'keyUsage=digitalSignature,keyEncipherment',
			`extendedKeyUsage=${sans ? 'serverAuth,clientAuth' : 'clientAuth'}`,
			...(sans ? [`subjectAltName=${sans}`] : []),
			'',
		].join('\n'));
		openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${base}.crt`, '-days', '3650', '-extfile', ext]);
	};
	issue('apiserver', '/CN=kube-apiserver', 'IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local');
	issue('admin', '/O=system:masters/CN=kubernetes-admin');
	issue('apiserver-kubelet-client', '/O=system:masters/CN=kube-apiserver-kubelet-client');
	issue('controller-manager', '/CN=system:kube-controller-manager');
	issue('scheduler', '/CN=system:kube-scheduler');
	issue('kubelet', `/O=system:nodes/CN=system:node:${NODE_NAME}`);
	openssl(['genrsa', '-out', path.join(pki, 'sa.key'), '2048']);
	openssl(['rsa', '-in', path.join(pki, 'sa.key'), '-pubout', '-out', path.join(pki, 'sa.pub')]);
}

function kubeconfig(pki, user) {
	const b64 = file => fs.readFileSync(path.join(pki, file)).toString('base64');
	return [
		'apiVersion: v1',
		'kind: Config',
		'clusters:',
		'- name: podwatch-real',
		'  cluster:',
		`    server: ${API_SERVER}`,
		`    certificate-authority-data: ${b64('ca.crt')}`,
		'users:',
		`- name: ${user}`,
		'  user:',
		`    client-certificate-data: ${b64(`${user}.crt`)}`,
		`    client-key-data: ${b64(`${user}.key`)}`,
		'contexts:',
		'- name: podwatch-real',
		'  context:',
		'    cluster: podwatch-real',
		`    user: ${user}`,
		'    namespace: default',
		'current-context: podwatch-real',
		'',
	].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Images: no registry is reachable, so busybox and pause are OCI layouts made from busybox-static

function sha256(data) {
	return crypto.createHash('sha256').update(data).digest('hex');
}

function buildImage(workDir, name, imageConfig) {
	const rootfs = path.join(workDir, 'rootfs');
	fs.rmSync(workDir, {recursive: true, force: true});
	for (const dir of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'tmp', 'var/log', 'root', 'home']) {
		fs.mkdirSync(path.join(rootfs, dir), {recursive: true});
	}
	fs.chmodSync(path.join(rootfs, 'tmp'), 0o1777);
	fs.copyFileSync('/bin/busybox', path.join(rootfs, 'bin/busybox'));
	fs.chmodSync(path.join(rootfs, 'bin/busybox'), 0o755);
	const applets = run('/bin/busybox', ['--list-full']).stdout.split('\n').filter(Boolean);
	for (const applet of applets) {
		const target = path.join(rootfs, applet);
		if (applet === 'bin/busybox' || fs.existsSync(target)) continue;
		fs.mkdirSync(path.dirname(target), {recursive: true});
		fs.symlinkSync('/bin/busybox', target);
	}
	fs.writeFileSync(path.join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
	fs.writeFileSync(path.join(rootfs, 'etc/group'), 'root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n');
	const layout = path.join(workDir, 'layout');
	const blobs = path.join(layout, 'blobs', 'sha256');
	fs.mkdirSync(blobs, {recursive: true});
	const layerTar = path.join(workDir, 'layer.tar');
	run('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=2023-01-01', '-C', rootfs, '-cf', layerTar, '.']);
	const layer = fs.readFileSync(layerTar);
	const layerDigest = sha256(layer);
	fs.writeFileSync(path.join(blobs, layerDigest), layer);
	const config = Buffer.from(JSON.stringify({
		architecture: 'amd64',
		os: 'linux',
		config: {Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ...imageConfig},
		rootfs: {type: 'layers', diff_ids: [`sha256:${layerDigest}`]},
		history: [{created: '2023-01-01T00:00:00Z', created_by: 'podwatch real-cluster: busybox-static rootfs'}],
	}));
	const configDigest = sha256(config);
	fs.writeFileSync(path.join(blobs, configDigest), config);
	const manifest = Buffer.from(JSON.stringify({
		schemaVersion: 2,
		mediaType: 'application/vnd.oci.image.manifest.v1+json',
		config: {mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${configDigest}`, size: config.length},
		layers: [{mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${layerDigest}`, size: layer.length}],
	}));
	const manifestDigest = sha256(manifest);
	fs.writeFileSync(path.join(blobs, manifestDigest), manifest);
	fs.writeFileSync(path.join(layout, 'oci-layout'), JSON.stringify({imageLayoutVersion: '1.0.0'}));
	fs.writeFileSync(path.join(layout, 'index.json'), JSON.stringify({
		schemaVersion: 2,
		manifests: [{
			mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${manifestDigest}`, size: manifest.length,
			platform: {architecture: 'amd64', os: 'linux'},
			annotations: {'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': name.split(':').pop()},
		}],
	}));
	const archive = path.join(workDir, 'image.tar');
	run('tar', ['-C', layout, '-cf', archive, '.']);
	return archive;
}

function importImages() {
	const dir = path.join(STATE_DIR, 'images');
	const busybox = buildImage(path.join(dir, 'busybox'), BUSYBOX_IMAGE, {Cmd: ['sh']});
	// The pause container only has to hold the namespaces and leave promptly on TERM.
	const pause = buildImage(path.join(dir, 'pause'), PAUSE_IMAGE, {
		Entrypoint: ['/bin/sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'],
	});
	for (const archive of [busybox, pause]) {
		run('ctr', ['--address', CONTAINERD_SOCK, '-n', 'k8s.io', 'images', 'import', archive], {timeoutMs: 120_000});
	}
	fs.rmSync(dir, {recursive: true, force: true});
}

// ---------------------------------------------------------------------------------------------
// Configuration files

function writeConfigs() {
	const pki = path.join(STATE_DIR, 'pki');
	const cni = path.join(STATE_DIR, 'cni');
	fs.mkdirSync(path.join(cni, 'net.d'), {recursive: true});
	fs.writeFileSync(path.join(cni, 'net.d', '10-podwatch.conflist'), JSON.stringify({
		cniVersion: '0.4.0',
		name: 'podwatch',
		plugins: [{
			// No gateway on the host side and no masquerading: pod traffic stays on the bridge.
			type: 'bridge', bridge: BRIDGE, isGateway: false, isDefaultGateway: false, ipMasq: false, hairpinMode: false,
			ipam: {type: 'host-local', ranges: [[{subnet: POD_SUBNET}]], dataDir: path.join(cni, 'ipam')},
		}],
	}, null, 2));
	const containerd = path.join(STATE_DIR, 'containerd');
	fs.mkdirSync(containerd, {recursive: true});
	fs.writeFileSync(path.join(containerd, 'config.toml'), `version = 2
root = "${containerd}/root"
state = "${containerd}/state"
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]

[grpc]
  address = "${CONTAINERD_SOCK}"

[ttrpc]
  address = "${CONTAINERD_SOCK}.ttrpc"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  # root here lacks CAP_SYS_RESOURCE: runc fails writing oom_score_adj below the current value.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${cni}/net.d"
`);
	const kubelet = path.join(STATE_DIR, 'kubelet');
	fs.mkdirSync(kubelet, {recursive: true});
	fs.writeFileSync(path.join(kubelet, 'config.yaml'), `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: false
  x509:
    clientCAFile: ${pki}/ca.crt
authorization:
  mode: AlwaysAllow
cgroupDriver: cgroupfs
failSwapOn: false
makeIPTablesUtilChains: false
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
imageGCHighThresholdPercent: 100
evictionHard:
  memory.available: "1Mi"
  nodefs.available: "1%"
  imagefs.available: "1%"
  nodefs.inodesFree: "1%"
syncFrequency: 10s
fileCheckFrequency: 10s
`);
	for (const user of ['admin', 'controller-manager', 'scheduler', 'kubelet']) {
		fs.writeFileSync(path.join(STATE_DIR, `${user}.kubeconfig`), kubeconfig(pki, user), {mode: 0o600});
	}
}

function daemonCommand(name) {
	const pki = path.join(STATE_DIR, 'pki');
	const bin = component => path.join(BIN_DIR, component);
	switch (name) {
		case 'etcd':
			return ['/usr/bin/etcd', [
				'--name=podwatch', `--data-dir=${STATE_DIR}/etcd`,
				'--listen-client-urls=http://127.0.0.1:2379', '--advertise-client-urls=http://127.0.0.1:2379',
				'--listen-peer-urls=http://127.0.0.1:2380', '--initial-advertise-peer-urls=http://127.0.0.1:2380',
				'--initial-cluster=podwatch=http://127.0.0.1:2380', '--initial-cluster-state=new',
			], {ETCD_UNSUPPORTED_ARCH: ''}];
		case 'containerd':
			return ['/usr/bin/containerd', ['--config', `${STATE_DIR}/containerd/config.toml`]];
		case 'kube-apiserver':
			return [bin(name), [
				'--etcd-servers=http://127.0.0.1:2379', '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1',
				'--secure-port=6443', '--insecure-port=0',
				`--client-ca-file=${pki}/ca.crt`, `--tls-cert-file=${pki}/apiserver.crt`, `--tls-private-key-file=${pki}/apiserver.key`,
				`--kubelet-client-certificate=${pki}/apiserver-kubelet-client.crt`, `--kubelet-client-key=${pki}/apiserver-kubelet-client.key`,
				'--kubelet-preferred-address-types=InternalIP,Hostname',
				`--service-account-key-file=${pki}/sa.pub`, `--service-account-signing-key-file=${pki}/sa.key`,
				'--service-account-issuer=https://kubernetes.default.svc.cluster.local',
				'--service-cluster-ip-range=10.0.0.0/24', '--authorization-mode=Node,RBAC', '--allow-privileged=true',
				'--profiling=false',
			]];
		case 'kube-controller-manager':
			return [bin(name), [
				`--kubeconfig=${STATE_DIR}/controller-manager.kubeconfig`,
				`--authentication-kubeconfig=${STATE_DIR}/controller-manager.kubeconfig`,
				`--authorization-kubeconfig=${STATE_DIR}/controller-manager.kubeconfig`,
				'--bind-address=127.0.0.1', '--secure-port=10257', '--port=0', '--leader-elect=false',
				// Without it RBAC refuses the node-lifecycle controller and the not-ready taint stays.
				'--use-service-account-credentials=true',
				`--service-account-private-key-file=${pki}/sa.key`, `--root-ca-file=${pki}/ca.crt`,
				'--controllers=*,-bootstrapsigner,-tokencleaner', '--profiling=false',
			]];
		case 'kube-scheduler':
			return [bin(name), [
				`--kubeconfig=${STATE_DIR}/scheduler.kubeconfig`,
				`--authentication-kubeconfig=${STATE_DIR}/scheduler.kubeconfig`,
				`--authorization-kubeconfig=${STATE_DIR}/scheduler.kubeconfig`,
				'--bind-address=127.0.0.1', '--secure-port=10259', '--port=0', '--leader-elect=false', '--profiling=false',
			]];
		case 'kubelet':
			return [bin(name), [
				`--config=${STATE_DIR}/kubelet/config.yaml`, `--kubeconfig=${STATE_DIR}/kubelet.kubeconfig`,
				`--root-dir=${STATE_DIR}/kubelet/root`, `--cert-dir=${STATE_DIR}/kubelet/pki`,
				'--container-runtime=remote', `--container-runtime-endpoint=unix://${CONTAINERD_SOCK}`,
				'--runtime-request-timeout=5m',
				// --node-ip=127.0.0.1 is refused (loopback); the hostname gives the node loopback addresses.
				`--hostname-override=${NODE_NAME}`,
				'--cgroup-driver=cgroupfs', '--v=1',
			]];
		default:
			throw new ClusterError(`unknown daemon ${name}`);
	}
}

// ---------------------------------------------------------------------------------------------
// Processes

function pidFile(name) {
	return path.join(STATE_DIR, 'run', `${name}.pid`);
}

function processAlive(pid) {
	try {
		process.kill(pid, 0);
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return !/^\d+ \(.*\) Z /.test(stat);
	} catch {
		return false;
	}
}

function readPid(name) {
	try {
		const [pid, exe] = fs.readFileSync(pidFile(name), 'utf8').trim().split('\n');
		const value = Number(pid);
		if (!processAlive(value)) return undefined;
		// Guard against a recycled pid: the process must still run the same binary.
		const actual = fs.readlinkSync(`/proc/${value}/exe`).replace(/ \(deleted\)$/, '');
		return actual === exe ? value : undefined;
	} catch {
		return undefined;
	}
}

function startDaemon(name) {
	const [cmd, args, extraEnv] = daemonCommand(name);
	fs.mkdirSync(path.join(STATE_DIR, 'run'), {recursive: true});
	const log = fs.openSync(path.join(LOG_DIR, `${name}.log`), 'w');
	const child = spawn(cmd, args, {
		detached: true,
		stdio: ['ignore', log, log],
		env: {...process.env, ...extraEnv, PATH: `/usr/sbin:/usr/bin:/sbin:/bin`},
		cwd: STATE_DIR,
	});
	fs.closeSync(log);
	child.unref();
	fs.writeFileSync(pidFile(name), `${child.pid}\n${fs.realpathSync(cmd)}\n`);
	return child.pid;
}

function sleep(ms) {
	return delay(ms);
}

async function waitFor(what, check, {timeoutMs = 60_000, daemon} = {}) {
	const deadline = Date.now() + timeoutMs;
	let last = '';
	while (Date.now() < deadline) {
		try {
			const result = await check();
			if (result === true) return;
			if (typeof result === 'string') last = result;
		} catch (error) {
			last = error instanceof Error ? error.message : String(error);
		}
		if (daemon && readPid(daemon) === undefined) {
			throw new ClusterError(`${daemon} exited while waiting for ${what}. Last lines of ${path.join(LOG_DIR, `${daemon}.log`)}:\n${tailLog(daemon)}`);
		}
		await sleep(500);
	}
	throw new ClusterError(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last answer: ${last.slice(0, 300)})` : ''}.${daemon ? ` Last lines of ${path.join(LOG_DIR, `${daemon}.log`)}:\n${tailLog(daemon)}` : ''}`);
}

function tailLog(name, lines = 15) {
	try {
		return fs.readFileSync(path.join(LOG_DIR, `${name}.log`), 'utf8').trim().split('\n').slice(-lines).join('\n');
	} catch {
		return '(no log)';
	}
}

export function kubectl(args, options = {}) {
	return run('kubectl', [`--kubeconfig=${KUBECONFIG}`, ...args], {allowFail: true, ...options});
}

async function httpOk(url) {
	const result = run('curl', ['-fsS', '--max-time', '3', '--cacert', path.join(STATE_DIR, 'pki', 'ca.crt'),
		'--cert', path.join(STATE_DIR, 'pki', 'admin.crt'), '--key', path.join(STATE_DIR, 'pki', 'admin.key'), url], {allowFail: true});
	return result.status === 0 ? true : (result.stderr || result.stdout).trim();
}

function readSysctl(name) {
	try {
		return fs.readFileSync(`/proc/sys/${name.replaceAll('.', '/')}`, 'utf8').trim();
	} catch {
		return undefined;
	}
}

function writeSysctl(name, value) {
	try {
		fs.writeFileSync(`/proc/sys/${name.replaceAll('.', '/')}`, `${value}\n`);
		return true;
	} catch {
		return false;
	}
}

// ---------------------------------------------------------------------------------------------
// The machine as found: recorded once per run, so `down` after a crash still restores it

const BEFORE_FILE = path.join(STATE_DIR, 'machine-before.json');

function recordMachine() {
	if (fs.existsSync(BEFORE_FILE)) return;
	const before = {
		sysctls: Object.fromEntries(SYSCTLS.map(name => [name, readSysctl(name)]).filter(([, value]) => value !== undefined)),
		paths: Object.fromEntries(OUTSIDE_PATHS.map(p => [p, fs.existsSync(p)])),
		netns: listDir('/run/netns'),
		cgroups: cgroupRoots().filter(dir => fs.existsSync(dir)),
		links: listLinks(),
	};
	fs.mkdirSync(STATE_DIR, {recursive: true});
	fs.writeFileSync(BEFORE_FILE, JSON.stringify(before, null, 2));
}

function readBefore() {
	try {
		return JSON.parse(fs.readFileSync(BEFORE_FILE, 'utf8'));
	} catch {
		return undefined;
	}
}

function listDir(dir) {
	try {
		return fs.readdirSync(dir);
	} catch {
		return [];
	}
}

function listLinks() {
	const result = run('ip', ['-j', 'link', 'show'], {allowFail: true});
	try {
		return JSON.parse(result.stdout).map(link => ({name: link.ifname, master: link.master}));
	} catch {
		return [];
	}
}

function cgroupRoots() {
	return listDir('/sys/fs/cgroup').map(controller => path.join('/sys/fs/cgroup', controller, 'kubepods'));
}

function ourMounts() {
	let lines;
	try {
		lines = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
	} catch {
		return [];
	}
	const points = [];
	for (const line of lines) {
		const fields = line.split(' ');
		if (fields.length < 5) continue;
		const point = fields[4].replace(/\\([0-7]{3})/g, (_, octal) => String.fromCharCode(Number.parseInt(octal, 8)));
		if (point.startsWith(`${STATE_DIR}/`) || point === STATE_DIR || /^\/run\/netns\/cni-/.test(point)
			|| point.startsWith('/run/containerd/') || point.startsWith('/var/lib/kubelet/')) {
			points.push(point);
		}
	}
	return [...new Set(points)].sort((a, b) => b.length - a.length);
}

// Our processes are recognised by STATE_DIR in their command line: the daemons, and the
// containerd shims (their -address points into it), which outlive containerd.
function ourProcesses() {
	const mine = new Set([process.pid, process.ppid]);
	const found = [];
	for (const entry of listDir('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const pid = Number(entry);
		if (mine.has(pid)) continue;
		try {
			const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
			if (cmdline.includes(STATE_DIR) && !/\bkubectl\b|\bnode\b/.test(cmdline.split(' ')[0] ?? '')) found.push({pid, cmdline});
		} catch {
			// gone meanwhile
		}
	}
	return found;
}

function cgroupProcesses() {
	const pids = new Set();
	const walk = dir => {
		for (const pid of (() => {
			try {
				return fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
			} catch {
				return [];
			}
		})()) pids.add(Number(pid));
		for (const entry of listDir(dir)) {
			const child = path.join(dir, entry);
			try {
				if (fs.statSync(child).isDirectory()) walk(child);
			} catch {
				// raced with removal
			}
		}
	};
	const before = readBefore();
	for (const root of cgroupRoots()) {
		if (before?.cgroups?.includes(root)) continue;
		if (fs.existsSync(root)) walk(root);
	}
	pids.delete(process.pid);
	return [...pids];
}

function removeCgroupTree(dir) {
	for (const entry of listDir(dir)) {
		const child = path.join(dir, entry);
		try {
			if (fs.statSync(child).isDirectory()) removeCgroupTree(child);
		} catch {
			// raced
		}
	}
	try {
		fs.rmdirSync(dir);
	} catch {
		// busy or gone; reported by the final check
	}
}

async function killAll(pids, what, signal = 'SIGTERM') {
	const alive = () => pids.filter(pid => processAlive(pid));
	for (const pid of alive()) {
		try {
			process.kill(pid, signal);
		} catch {
			// already gone
		}
	}
	const deadline = Date.now() + 10_000;
	while (alive().length > 0 && Date.now() < deadline) await sleep(200);
	for (const pid of alive()) {
		say(`${what} ${pid} ignored SIGTERM; killing it`);
		try {
			process.kill(pid, 'SIGKILL');
		} catch {
			// already gone
		}
	}
	const hardDeadline = Date.now() + 5000;
	while (alive().length > 0 && Date.now() < hardDeadline) await sleep(100);
}

// ---------------------------------------------------------------------------------------------
// up / down / status

export function isRunning() {
	return DAEMONS.every(name => readPid(name) !== undefined);
}

function nodeReady() {
	const result = kubectl(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}', '--request-timeout=5s']);
	return result.status === 0 && result.stdout.trim() === 'True' ? true : (result.stderr.trim() || `Ready=${result.stdout.trim()}`);
}

export function usage() {
	return [
		'The real Kubernetes v1.20.2 cluster is up (single node "127.0.0.1", everything on loopback).',
		`  export KUBECONFIG=${KUBECONFIG}`,
		'  kubectl get nodes',
		'  kubectl apply -f demo/manifests/sidecar-pod.yaml && kubectl get pods',
		`Daemon logs: ${LOG_DIR}/<daemon>.log. Stop it and clean up with: npm run real-cluster -- down`,
	].join('\n');
}

// One up/down at a time: two engineers (or a test and a shell) starting daemons on the same
// ports and state dir at once would wreck each other.
const LOCK_FILE = '/run/podwatch-real-cluster.lock';

async function withLock(what, fn) {
	for (let attempt = 0; ; attempt++) {
		try {
			fs.writeFileSync(LOCK_FILE, `${process.pid}\n`, {flag: 'wx'});
			break;
		} catch (error) {
			if (error?.code !== 'EEXIST') throw error;
			const holder = Number(fs.readFileSync(LOCK_FILE, 'utf8').trim());
			if (holder && holder !== process.pid && processAlive(holder)) {
				if (attempt >= 600) throw new ClusterError(`another real-cluster command (pid ${holder}) has been running for 10 minutes; wait for it or stop it, then run ${what} again.`);
				if (attempt === 0) say(`waiting for another real-cluster command (pid ${holder}) to finish`);
				await sleep(1000);
				continue;
			}
			fs.rmSync(LOCK_FILE, {force: true});
		}
	}
	try {
		return await fn();
	} finally {
		fs.rmSync(LOCK_FILE, {force: true});
	}
}

export async function up() {
	checkPlatform();
	return withLock('up', upLocked);
}

async function upLocked() {
	if (isRunning() && nodeReady() === true) {
		say('already running; reusing it');
		return {reused: true};
	}
	if (fs.existsSync(STATE_DIR) || ourProcesses().length > 0 || ourMounts().length > 0) {
		say('found the remains of an earlier run; cleaning them up first');
		await downLocked();
	}
	const started = Date.now();
	ensurePackages();
	await ensureBinaries();
	fs.mkdirSync(LOG_DIR, {recursive: true});
	recordMachine();
	say('writing certificates and configuration');
	makeCertificates(path.join(STATE_DIR, 'pki'));
	writeConfigs();

	startDaemon('etcd');
	await waitFor('etcd health', () => run('curl', ['-fsS', '--max-time', '2', 'http://127.0.0.1:2379/health'], {allowFail: true}).status === 0, {daemon: 'etcd', timeoutMs: 30_000});
	startDaemon('containerd');
	await waitFor('containerd', () => {
		const result = run('ctr', ['--address', CONTAINERD_SOCK, 'version'], {allowFail: true, timeoutMs: 5000});
		return result.status === 0 ? true : result.stderr.trim();
	}, {daemon: 'containerd', timeoutMs: 30_000});
	say('importing the busybox and pause images');
	importImages();
	startDaemon('kube-apiserver');
	await waitFor('the API server (/readyz)', () => httpOk(`${API_SERVER}/readyz`), {daemon: 'kube-apiserver', timeoutMs: 90_000});
	startDaemon('kube-controller-manager');
	startDaemon('kube-scheduler');
	startDaemon('kubelet');
	await waitFor(`node ${NODE_NAME} Ready`, nodeReady, {daemon: 'kubelet', timeoutMs: 120_000});
	// Pods are refused until the service-account controller has made "default"; the node's
	// not-ready taint must be gone or the scheduler keeps the pod Pending.
	await waitFor('the default service account', () => {
		const result = kubectl(['get', 'serviceaccount', 'default', '-o', 'jsonpath={.secrets[0].name}']);
		return result.status === 0 && result.stdout.trim() !== '' ? true : result.stderr.trim();
	}, {daemon: 'kube-controller-manager', timeoutMs: 60_000});
	await waitFor('the node to lose its not-ready taint', () => {
		const result = kubectl(['get', 'node', NODE_NAME, '-o', 'jsonpath={.spec.taints}']);
		return result.status === 0 && !result.stdout.includes('not-ready') ? true : result.stdout.trim();
	}, {daemon: 'kube-controller-manager', timeoutMs: 60_000});
	for (const daemon of DAEMONS) {
		if (readPid(daemon) === undefined) throw new ClusterError(`${daemon} exited during start-up. Last lines of its log:\n${tailLog(daemon)}`);
	}
	say(`up in ${Math.round((Date.now() - started) / 1000)} s`);
	return {reused: false};
}

export async function down() {
	checkPlatform();
	return withLock('down', downLocked);
}

async function downLocked() {
	const warnings = [];
	if (!fs.existsSync(STATE_DIR) && ourProcesses().length === 0 && ourMounts().length === 0 && cgroupProcesses().length === 0
		&& !listLinks().some(link => link.name === BRIDGE)) {
		return {warnings, nothingToDo: true};
	}
	const before = readBefore();
	const started = Date.now();
	const phase = name => say(`down: ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
	// 1. The kubelet first, so it does not restart what we remove; then the control plane.
	for (const daemon of ['kubelet', 'kube-scheduler', 'kube-controller-manager', 'kube-apiserver']) {
		const pid = readPid(daemon);
		if (pid !== undefined) await killAll([pid], daemon);
	}
	phase('control plane stopped');
	// 2. Pod containers and sandboxes, through containerd while it still runs (this ends the shims).
	if (readPid('containerd') !== undefined) {
		const ctr = args => run('ctr', ['--address', CONTAINERD_SOCK, '-n', 'k8s.io', ...args], {allowFail: true, timeoutMs: 30_000});
		const tasks = ctr(['tasks', 'ls', '-q']).stdout.split('\n').filter(Boolean);
		for (const task of tasks) ctr(['tasks', 'kill', '-s', 'SIGKILL', task]);
		// containerd's CRI plugin removes a task itself once it has exited; delete what remains.
		const deadline = Date.now() + 15_000;
		for (;;) {
			const remaining = ctr(['tasks', 'ls', '-q']).stdout.split('\n').filter(Boolean);
			if (remaining.length === 0 || Date.now() > deadline) break;
			for (const task of remaining) ctr(['tasks', 'delete', task]);
			await sleep(200);
		}
		const containers = ctr(['containers', 'ls', '-q']).stdout.split('\n').filter(Boolean);
		for (const container of containers) ctr(['containers', 'delete', container]);
	}
	phase('pod containers removed');
	// 3. Whatever is left in the pods' cgroups, then the remaining shims and daemons.
	await killAll(cgroupProcesses(), 'container process', 'SIGKILL');
	await killAll(ourProcesses().filter(p => p.cmdline.includes('containerd-shim')).map(p => p.pid), 'shim');
	for (const daemon of ['containerd', 'etcd']) {
		const pid = readPid(daemon);
		if (pid !== undefined) await killAll([pid], daemon);
	}
	await killAll(ourProcesses().map(p => p.pid), 'leftover process');
	await killAll(cgroupProcesses(), 'container process', 'SIGKILL');
	phase('processes stopped');
	// 4. Mounts (pod volumes, rootfs overlays, network namespaces), deepest first.
	for (const point of ourMounts()) {
		if (run('umount', [point], {allowFail: true}).status !== 0) run('umount', ['-l', point], {allowFail: true});
	}
	for (const entry of listDir('/run/netns')) {
		if (entry.startsWith('cni-') && !(before?.netns ?? []).includes(entry)) fs.rmSync(path.join('/run/netns', entry), {force: true});
	}
	// 5. Network devices: the veths on our bridge (normally gone with their namespaces), the bridge.
	const links = listLinks();
	const hadBridge = (before?.links ?? []).some(link => link.name === BRIDGE);
	for (const link of links) {
		if (link.master === BRIDGE) run('ip', ['link', 'del', link.name], {allowFail: true});
	}
	if (!hadBridge && links.some(link => link.name === BRIDGE)) run('ip', ['link', 'del', BRIDGE], {allowFail: true});
	// 6. Cgroups the kubelet made.
	for (const root of cgroupRoots()) {
		if (!(before?.cgroups ?? []).includes(root) && fs.existsSync(root)) removeCgroupTree(root);
	}
	// 7. Sysctls the kubelet changed.
	if (before) {
		for (const [name, value] of Object.entries(before.sysctls)) {
			if (readSysctl(name) !== value) writeSysctl(name, value);
			if (readSysctl(name) !== value) warnings.push(`could not restore ${name} to ${value} (it is ${readSysctl(name)})`);
		}
	} else if (fs.existsSync(STATE_DIR)) {
		warnings.push(`no record of the machine before the run (${BEFORE_FILE}); sysctls not restored`);
	}
	// 8. Files outside STATE_DIR that did not exist before.
	if (before) {
		for (const [p, existed] of Object.entries(before.paths)) {
			if (!existed && fs.existsSync(p)) fs.rmSync(p, {recursive: true, force: true});
		}
	}
	fs.rmSync(STATE_DIR, {recursive: true, force: true});
	phase('files removed');
	// 9. Check.
	const left = leftovers();
	warnings.push(...left);
	return {warnings};
}

export function leftovers() {
	const problems = [];
	for (const p of ourProcesses()) problems.push(`process ${p.pid} still runs: ${p.cmdline.slice(0, 120)}`);
	for (const pid of cgroupProcesses()) problems.push(`container process ${pid} still runs`);
	for (const point of ourMounts()) problems.push(`still mounted: ${point}`);
	if (listLinks().some(link => link.name === BRIDGE || link.master === BRIDGE)) problems.push(`network device ${BRIDGE} (or a veth on it) still exists`);
	if (fs.existsSync(STATE_DIR)) problems.push(`${STATE_DIR} still exists`);
	return problems;
}

export function status() {
	const daemons = Object.fromEntries(DAEMONS.map(name => [name, readPid(name) ?? null]));
	const anyRunning = Object.values(daemons).some(pid => pid !== null);
	let node = 'not running';
	let pods = '';
	if (daemons['kube-apiserver'] !== null) {
		const ready = nodeReady();
		node = ready === true ? 'Ready' : `not ready (${ready})`;
		pods = kubectl(['get', 'pods', '-A', '--request-timeout=5s']).stdout.trim();
	}
	return {daemons, anyRunning, node, pods, binariesCached: binariesReady(), stateDir: fs.existsSync(STATE_DIR) ? STATE_DIR : null};
}
