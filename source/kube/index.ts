// Public API of the Kubernetes data layer.
export type * from './types.js';
export {loadKubeConfig, ConfigError} from './kubeconfig.js';
export type {LoadKubeConfigOptions} from './kubeconfig.js';
export {describeError, classifyError, KubeApiError} from './errors.js';
export type {ErrorInfo, ErrorKind, ErrorContext} from './errors.js';
export {createKubeSource} from './source.js';
export type {KubeSourceTuning} from './source.js';
