// Parses `ls -la` as busybox and GNU coreutils print it, so the inspector can compare what each
// container sees entry by entry.

export type ListingEntry = {
	name: string;
	/** `-`, `d`, `l`, `c`, `b`, `p`, `s`. */
	kind: string;
	mode: string;
	links: number;
	owner: string;
	group: string;
	/** Bytes; undefined for device files (which show major, minor instead). */
	size: number | undefined;
	/** The date as ls printed it (`Nov 24 09:20` or `Nov 24  2025`). */
	modified: string;
	/** Symlink target, when the entry is a symlink. */
	target: string | undefined;
};

// perms links owner group (size | major, minor) month day (time|year) name
const line =
	/^([-dlcbps])([-rwxsStTl]{9})[.+@]?\s+(\d+)\s+(\S+)\s+(\S+)\s+(?:(\d+)|(\d+),\s*(\d+))\s+([A-Z][a-z]{2}\s+\d{1,2}\s+(?:\d{1,2}:\d{2}|\d{4}))\s(.*)$/;

export function parseLsLa(output: string): ListingEntry[] {
	const entries: ListingEntry[] = [];
	for (const raw of output.split('\n')) {
		const match = line.exec(raw.trimEnd());
		if (!match) continue;
		const [, kind, perms, links, owner, group, size, , , modified, rest] = match;
		let name = rest!;
		let target: string | undefined;
		if (kind === 'l') {
			const arrow = name.indexOf(' -> ');
			if (arrow !== -1) {
				target = name.slice(arrow + 4);
				name = name.slice(0, arrow);
			}
		}

		if (name === '.' || name === '..') continue;
		entries.push({
			name,
			kind: kind!,
			mode: kind! + perms!,
			links: Number(links),
			owner: owner!,
			group: group!,
			size: size === undefined ? undefined : Number(size),
			modified: modified!.replaceAll(/\s+/g, ' '),
			target,
		});
	}

	return entries;
}
