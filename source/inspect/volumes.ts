// The pod's volumes and who mounts them where: the map the inspector opens with. Pure functions of
// the pod object, so they work the same on any cluster.
import type {V1Pod, V1Volume} from '@kubernetes/client-node';
import {podContainers, type ContainerKind} from '../state/containers.js';

export type ContainerRole = ContainerKind;

export type MountInfo = {
	container: string;
	role: ContainerRole;
	mountPath: string;
	readOnly: boolean;
	subPath: string | undefined;
};

export type VolumeInfo = {
	name: string;
	/** `emptyDir`, `emptyDir (Memory)`, `configMap app-config`, `secret x`, `persistentVolumeClaim data`... */
	type: string;
	/** True for secret volumes (and projected volumes carrying a secret): contents stay hidden unless asked. */
	secret: boolean;
	mounts: MountInfo[];
	/** Containers that do not mount it, with their role. */
	notMountedBy: Array<{container: string; role: ContainerRole}>;
};

export function volumeType(volume: V1Volume): {type: string; secret: boolean} {
	if (volume.emptyDir) {
		const medium = volume.emptyDir.medium ? ` (${volume.emptyDir.medium})` : '';
		return {type: `emptyDir${medium}`, secret: false};
	}

	if (volume.configMap) return {type: `configMap ${volume.configMap.name ?? ''}`.trim(), secret: false};
	if (volume.secret) return {type: `secret ${volume.secret.secretName ?? ''}`.trim(), secret: true};
	if (volume.persistentVolumeClaim) return {type: `persistentVolumeClaim ${volume.persistentVolumeClaim.claimName}`, secret: false};
	if (volume.hostPath) return {type: `hostPath ${volume.hostPath.path}`, secret: false};
	if (volume.projected) {
		const kinds = (volume.projected.sources ?? []).flatMap(source =>
			Object.entries(source)
				.filter(([, value]) => value !== undefined && value !== null)
				.map(([key]) => key),
		);
		return {type: `projected (${kinds.join(', ') || 'empty'})`, secret: kinds.includes('secret') || kinds.includes('serviceAccountToken')};
	}

	if (volume.downwardAPI) return {type: 'downwardAPI', secret: false};
	const other = Object.keys(volume).find(key => key !== 'name');
	return {type: other ?? 'unknown', secret: false};
}

export function volumeMap(pod: V1Pod): VolumeInfo[] {
	const containers = podContainers(pod);
	return (pod.spec?.volumes ?? []).map(volume => {
		const {type, secret} = volumeType(volume);
		const apiData = Boolean(volume.configMap ?? volume.secret ?? volume.downwardAPI ?? volume.projected);
		const mounts: MountInfo[] = [];
		const notMountedBy: VolumeInfo['notMountedBy'] = [];
		for (const {container, kind: role} of containers) {
			const own = (container.volumeMounts ?? []).filter(mount => mount.name === volume.name);
			if (own.length === 0) notMountedBy.push({container: container.name, role});
			for (const mount of own) {
				mounts.push({
					container: container.name,
					role,
					mountPath: mount.mountPath,
					// The kubelet mounts API data (configMap, secret, downwardAPI, projected) read-only
					// whatever the mount says.
					readOnly: (mount.readOnly ?? false) || apiData,
					subPath: mount.subPath || undefined,
				});
			}
		}

		return {name: volume.name, type, secret, mounts, notMountedBy};
	});
}

/**
 * The path, inside one container, of a path given relative to the volume's root, or undefined
 * when that container cannot see it: a subPath mount shows only its own part of the volume.
 */
export function pathInContainer(mount: MountInfo, relative: string): string | undefined {
	const base = mount.mountPath.endsWith('/') ? mount.mountPath.slice(0, -1) : mount.mountPath;
	const clean = relative.replace(/^\/+|\/+$/g, '');
	let inside = clean;
	if (mount.subPath) {
		const sub = mount.subPath.replace(/^\/+|\/+$/g, '');
		if (clean === sub) inside = '';
		else if (clean.startsWith(`${sub}/`)) inside = clean.slice(sub.length + 1);
		else return undefined;
	}

	if (inside === '' || inside === '.') return base || '/';
	return `${base}/${inside}`;
}

/** Quote an argument for a shell only when it needs it, so commands shown to students stay readable. */
export function shellQuote(arg: string): string {
	return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The kubectl command a student can type to see the same thing. */
export function kubectlExec(pod: string, namespace: string, container: string, argv: string[]): string {
	const ns = namespace === 'default' ? '' : ` -n ${shellQuote(namespace)}`;
	return `kubectl exec ${shellQuote(pod)}${ns} -c ${shellQuote(container)} -- ${argv.map(shellQuote).join(' ')}`;
}
