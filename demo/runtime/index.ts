// The demo cluster's sandboxed container runtime. Containers run their manifest's command in an
// async streaming shell interpreter (or a native JS binary) against private in-memory
// filesystems; pod volumes are shared in-memory trees. Nothing touches the host.

export {createPodSandbox, DEFAULT_LIMITS} from './sandbox.js';
export {resolveImage, IMAGE_CATALOG, type CatalogEntry} from './images.js';
export {LOGGEN_USAGE} from './native.js';
export type * from './types.js';
