// Public API of the Kubernetes data layer. The UI needs only this module:
//
//   const {kc, target} = loadKubeConfig({kubeconfig, context, namespace, allNamespaces}); // throws ConfigError
//   const source = createKubeSource(kc, target);
//   const w = source.watchPods({namespace: target.namespace, onPods, onStatus}); ... w.close();
//
// Every callback-based method returns a Closeable; close() aborts its requests and clears its
// timers, and no callback fires after it. Status and error messages are one paragraph, already
// free of control characters; log line text (LogEntry.text) is raw and must be sanitised for
// display. podEvents rejects with an Error whose message is user-facing; previousLogs and exec
// never reject.
export type * from './types.js';
export {loadKubeConfig, ConfigError} from './kubeconfig.js';
export type {LoadKubeConfigOptions} from './kubeconfig.js';
export {describeError, classifyError, KubeApiError, visible} from './errors.js';
export type {ErrorInfo, ErrorKind, ErrorContext} from './errors.js';
export {createKubeSource} from './source.js';
export type {KubeSourceTuning} from './source.js';
