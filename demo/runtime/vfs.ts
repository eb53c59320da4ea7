// A small in-memory filesystem for sandboxed containers. Nothing here touches the host.
//
// Each container instance has a private `Tree`; each pod volume is a `Tree` shared by every
// container that mounts it. A `FsView` is one container's view: its private tree at `/` plus
// volume trees mounted at (possibly different) paths, optionally read-only or at a subPath.
// Files keep a growable buffer so appends are cheap, and notify watchers so `tail -f` needs no
// polling.

export class FsError extends Error {
	constructor(
		readonly code: 'ENOENT' | 'ENOTDIR' | 'EISDIR' | 'EEXIST' | 'EROFS' | 'ENOTEMPTY' | 'EFBIG' | 'ENOSPC' | 'EINVAL',
		message: string,
	) {
		super(message);
	}
}

/** Human text for an error code, as busybox prints it (strerror). */
export function errnoText(code: FsError['code']): string {
	switch (code) {
		case 'ENOENT': {
			return 'No such file or directory';
		}

		case 'ENOTDIR': {
			return 'Not a directory';
		}

		case 'EISDIR': {
			return 'Is a directory';
		}

		case 'EEXIST': {
			return 'File exists';
		}

		case 'EROFS': {
			return 'Read-only file system';
		}

		case 'ENOTEMPTY': {
			return 'Directory not empty';
		}

		case 'EFBIG': {
			return 'File too large';
		}

		case 'ENOSPC': {
			return 'No space left on device';
		}

		case 'EINVAL': {
			return 'Invalid argument';
		}
	}
}

export type FileNode = {
	kind: 'file';
	buf: Uint8Array;
	size: number;
	mode: number;
	mtime: number;
	/** Bumped on every change; watchers are called after it changes. */
	version: number;
	watchers: Set<() => void>;
	tree: Tree;
	/** `/dev/null`: always empty, writes vanish. */
	device?: 'null';
};

export type DirNode = {
	kind: 'dir';
	children: Map<string, FsNode>;
	mode: number;
	mtime: number;
	tree: Tree;
};

export type FsNode = FileNode | DirNode;

export class Tree {
	readonly root: DirNode;
	/** Total bytes of file content in this tree. */
	bytes = 0;
	constructor(
		readonly label: string,
		readonly readOnly = false,
		dirMode = 0o755,
	) {
		this.root = {kind: 'dir', children: new Map(), mode: dirMode, mtime: Date.now(), tree: this};
	}

	mkdirNode(parent: DirNode, name: string, mode = 0o755): DirNode {
		const existing = parent.children.get(name);
		if (existing?.kind === 'dir') {
			return existing;
		}

		const dir: DirNode = {kind: 'dir', children: new Map(), mode, mtime: Date.now(), tree: this};
		parent.children.set(name, dir);
		parent.mtime = Date.now();
		return dir;
	}

	/** Create directories along a relative path (no checks, used to build images and volumes). */
	ensureDir(path: string, mode = 0o755): DirNode {
		let dir = this.root;
		for (const part of path.split('/').filter(Boolean)) {
			const next = dir.children.get(part);
			dir = next?.kind === 'dir' ? next : this.mkdirNode(dir, part, mode);
		}

		return dir;
	}

	/** Put a file (used to build images and configMap volumes). */
	putFile(path: string, content: string | Uint8Array, mode = 0o644): FileNode {
		const parts = path.split('/').filter(Boolean);
		const name = parts.pop() ?? '';
		const dir = this.ensureDir(parts.join('/'));
		const data = typeof content === 'string' ? new TextEncoder().encode(content) : content;
		const file: FileNode = {
			kind: 'file',
			buf: data.slice(),
			size: data.length,
			mode,
			mtime: Date.now(),
			version: 0,
			watchers: new Set(),
			tree: this,
		};
		dir.children.set(name, file);
		this.bytes += data.length;
		return file;
	}
}

export function fileContent(file: FileNode): Uint8Array {
	return file.buf.subarray(0, file.size);
}

function notify(file: FileNode): void {
	file.version++;
	for (const watcher of [...file.watchers]) {
		watcher();
	}
}

export type Mount = {
	/** Absolute, normalised mount path, e.g. `/var/log`. */
	path: string;
	tree: Tree;
	/** Directory inside the tree that appears at `path` (the subPath, '' for the root). */
	subPath: string;
	readOnly: boolean;
};

export type Resolved = {
	tree: Tree;
	readOnly: boolean;
	/** The node, if it exists. */
	node: FsNode | undefined;
	/** The parent directory, if it exists (undefined for a mount root). */
	parent: DirNode | undefined;
	name: string;
};

export function normalisePath(path: string, cwd = '/'): string {
	const full = path.startsWith('/') ? path : `${cwd}/${path}`;
	const out: string[] = [];
	for (const part of full.split('/')) {
		if (part === '' || part === '.') {
			continue;
		}

		if (part === '..') {
			out.pop();
		} else {
			out.push(part);
		}
	}

	return '/' + out.join('/');
}

export type WriteGuard = (file: FileNode, newSize: number, growth: number) => void;

/** One container's view of the filesystem. */
export class FsView {
	private mounts: Mount[];

	constructor(
		readonly root: Tree,
		mounts: Mount[],
		/** Called before a write grows a file; throws to refuse (limits). */
		private readonly guard: WriteGuard = () => undefined,
	) {
		// Longest path first, so the most specific mount wins.
		this.mounts = [...mounts].sort((a, b) => b.path.length - a.path.length);
		for (const mount of this.mounts) {
			const target = findNode(mount.tree, mount.subPath);
			if (target?.kind === 'file') {
				// subPath naming a file (e.g. one ConfigMap key): the same file node appears at the path.
				const slash = mount.path.lastIndexOf('/');
				const parent = root.ensureDir(mount.path.slice(0, slash));
				parent.children.set(mount.path.slice(slash + 1), target);
				this.fileMounts.set(mount.path, mount);
				continue;
			}

			// The mount point exists as a directory in the container's own tree, so `ls /var` shows it.
			root.ensureDir(mount.path);
			mount.tree.ensureDir(mount.subPath);
		}

		this.mounts = this.mounts.filter(mount => !this.fileMounts.has(mount.path));
	}

	private readonly fileMounts = new Map<string, Mount>();

	mountList(): readonly Mount[] {
		return this.mounts;
	}

	private locate(abs: string): {tree: Tree; readOnly: boolean; base: DirNode; rest: string[]; isMountRoot: boolean} {
		const fileMount = this.fileMounts.get(abs);
		if (fileMount) {
			const slash = abs.lastIndexOf('/');
			const base = this.root.ensureDir(abs.slice(0, slash));
			return {tree: fileMount.tree, readOnly: fileMount.readOnly || fileMount.tree.readOnly, base, rest: [abs.slice(slash + 1)], isMountRoot: true};
		}

		for (const mount of this.mounts) {
			if (abs === mount.path || abs.startsWith(mount.path + '/')) {
				const rest = abs.slice(mount.path.length).split('/').filter(Boolean);
				const base = mount.tree.ensureDir(mount.subPath);
				return {tree: mount.tree, readOnly: mount.readOnly || mount.tree.readOnly, base, rest, isMountRoot: rest.length === 0};
			}
		}

		return {tree: this.root, readOnly: false, base: this.root.root, rest: abs.split('/').filter(Boolean), isMountRoot: abs === '/'};
	}

	resolve(path: string, cwd = '/'): Resolved {
		const abs = normalisePath(path, cwd);
		const {tree, readOnly, base, rest} = this.locate(abs);
		if (rest.length === 0) {
			return {tree, readOnly, node: base, parent: undefined, name: abs.split('/').pop() ?? ''};
		}

		let dir: DirNode | undefined = base;
		for (let i = 0; i < rest.length - 1; i++) {
			const next: FsNode | undefined = dir.children.get(rest[i]!);
			if (next === undefined) {
				return {tree, readOnly, node: undefined, parent: undefined, name: rest.at(-1)!};
			}

			if (next.kind !== 'dir') {
				throw new FsError('ENOTDIR', 'Not a directory');
			}

			dir = next;
		}

		const name = rest.at(-1)!;
		return {tree, readOnly, node: dir.children.get(name), parent: dir, name};
	}

	stat(path: string, cwd?: string): FsNode | undefined {
		try {
			return this.resolve(path, cwd).node;
		} catch {
			return undefined;
		}
	}

	readFile(path: string, cwd?: string): Uint8Array {
		const {node} = this.resolve(path, cwd);
		if (!node) {
			throw new FsError('ENOENT', 'No such file or directory');
		}

		if (node.kind === 'dir') {
			throw new FsError('EISDIR', 'Is a directory');
		}

		return fileContent(node);
	}

	/** Open (creating if needed) a file for writing; `truncate` empties it. */
	openWrite(path: string, cwd: string | undefined, truncate: boolean): FileNode {
		const r = this.resolve(path, cwd);
		if (r.node?.kind === 'dir') {
			throw new FsError('EISDIR', 'Is a directory');
		}

		if (r.readOnly) {
			throw new FsError('EROFS', 'Read-only file system');
		}

		if (!r.node) {
			if (!r.parent) {
				throw new FsError('ENOENT', 'nonexistent directory');
			}

			const file: FileNode = {
				kind: 'file',
				buf: new Uint8Array(0),
				size: 0,
				mode: 0o644,
				mtime: Date.now(),
				version: 0,
				watchers: new Set(),
				tree: r.tree,
			};
			r.parent.children.set(r.name, file);
			r.parent.mtime = Date.now();
			return file;
		}

		if (truncate && r.node.size > 0) {
			r.node.tree.bytes -= r.node.size;
			r.node.size = 0;
			r.node.buf = new Uint8Array(0);
			r.node.mtime = Date.now();
			notify(r.node);
		}

		return r.node;
	}

	append(file: FileNode, data: Uint8Array): void {
		if (data.length === 0 || file.device === 'null') {
			return;
		}

		const newSize = file.size + data.length;
		this.guard(file, newSize, data.length);
		if (newSize > file.buf.length) {
			const grown = new Uint8Array(Math.max(newSize, file.buf.length * 2, 256));
			grown.set(file.buf.subarray(0, file.size));
			file.buf = grown;
		}

		file.buf.set(data, file.size);
		file.size = newSize;
		file.tree.bytes += data.length;
		file.mtime = Date.now();
		notify(file);
	}

	writeFile(path: string, data: Uint8Array, cwd?: string): void {
		const file = this.openWrite(path, cwd, true);
		this.append(file, data);
	}

	touch(path: string, cwd?: string): void {
		const r = this.resolve(path, cwd);
		if (r.node) {
			if (r.readOnly) {
				throw new FsError('EROFS', 'Read-only file system');
			}

			r.node.mtime = Date.now();
			return;
		}

		this.openWrite(path, cwd, false);
	}

	mkdir(path: string, cwd: string | undefined, parents: boolean): void {
		const abs = normalisePath(path, cwd);
		if (parents) {
			let sofar = '';
			for (const part of abs.split('/').filter(Boolean)) {
				sofar += '/' + part;
				const r = this.resolve(sofar);
				if (r.node?.kind === 'dir') {
					continue;
				}

				if (r.node) {
					throw new FsError('ENOTDIR', 'Not a directory');
				}

				if (r.readOnly) {
					throw new FsError('EROFS', 'Read-only file system');
				}

				r.tree.mkdirNode(r.parent!, r.name);
			}

			return;
		}

		const r = this.resolve(abs);
		if (r.node) {
			throw new FsError('EEXIST', 'File exists');
		}

		if (!r.parent) {
			throw new FsError('ENOENT', 'No such file or directory');
		}

		if (r.readOnly) {
			throw new FsError('EROFS', 'Read-only file system');
		}

		r.tree.mkdirNode(r.parent, r.name);
	}

	remove(path: string, cwd: string | undefined, recursive: boolean): void {
		const r = this.resolve(path, cwd);
		if (!r.node) {
			throw new FsError('ENOENT', 'No such file or directory');
		}

		if (r.readOnly) {
			throw new FsError('EROFS', 'Read-only file system');
		}

		if (!r.parent) {
			throw new FsError('EINVAL', 'Device or resource busy');
		}

		if (r.node.kind === 'dir') {
			if (!recursive) {
				throw new FsError('EISDIR', 'Is a directory');
			}

			freeTree(r.node);
		} else {
			r.node.tree.bytes -= r.node.size;
		}

		r.parent.children.delete(r.name);
		r.parent.mtime = Date.now();
	}

	/** Insert a node under a new name (used by cp/mv). */
	link(path: string, cwd: string | undefined, node: FsNode): void {
		const r = this.resolve(path, cwd);
		if (r.readOnly) {
			throw new FsError('EROFS', 'Read-only file system');
		}

		if (!r.parent) {
			throw new FsError('ENOENT', 'No such file or directory');
		}

		if (r.node?.kind === 'file') {
			r.node.tree.bytes -= r.node.size;
		}

		r.parent.children.set(r.name, node);
		r.parent.mtime = Date.now();
	}

	/** Total bytes across this view's own tree and every memory-backed tree it mounts. */
	totalBytes(): number {
		let total = this.root.bytes;
		const seen = new Set<Tree>();
		for (const mount of this.mounts) {
			if (!seen.has(mount.tree)) {
				seen.add(mount.tree);
				total += mount.tree.bytes;
			}
		}

		return total;
	}
}

function findNode(tree: Tree, path: string): FsNode | undefined {
	let node: FsNode = tree.root;
	for (const part of path.split('/').filter(Boolean)) {
		if (node.kind !== 'dir') {
			return undefined;
		}

		const next: FsNode | undefined = node.children.get(part);
		if (!next) {
			return undefined;
		}

		node = next;
	}

	return node;
}

function freeTree(dir: DirNode): void {
	for (const child of dir.children.values()) {
		if (child.kind === 'dir') {
			freeTree(child);
		} else {
			child.tree.bytes -= child.size;
		}
	}
}

/** Deep-copy a node into another tree (cp -r across mounts). */
export function cloneNode(node: FsNode, tree: Tree): FsNode {
	if (node.kind === 'file') {
		const data = fileContent(node).slice();
		tree.bytes += data.length;
		return {kind: 'file', buf: data, size: data.length, mode: node.mode, mtime: Date.now(), version: 0, watchers: new Set(), tree};
	}

	const dir: DirNode = {kind: 'dir', children: new Map(), mode: node.mode, mtime: Date.now(), tree};
	for (const [name, child] of node.children) {
		dir.children.set(name, cloneNode(child, tree));
	}

	return dir;
}
