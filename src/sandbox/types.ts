/**
 * Public types of the sandbox cluster (re-exported by ./cluster.ts). See cluster.ts for the overview.
 */
import type {RequestListener} from 'node:http'
import type {Duplex, Readable} from 'node:stream'

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown'

/**
 * What listens on one of a pod's loopback ports, i.e. what `kubectl port-forward pod/x PORT` (and `curl localhost:PORT`
 * inside the pod) reaches:
 * - a plain function or `{http: fn}`: an HTTP request listener (served by a per-pod-port `http.Server` that is fed
 *   in-memory connections, one per forwarded connection);
 * - `{tcp: fn}`: a raw connection handler receiving one duplex per connection;
 * - `'refuse'` (or no entry at all): nothing listens, the connection is refused.
 */
export type PortHandler = RequestListener | {http: RequestListener} | {tcp: (socket: Duplex) => void} | 'refuse'

export interface SandboxContainerPort {
  containerPort: number
  name?: string
  protocol?: string
}

export interface SandboxContainer {
  name: string
  /** default: `docker.io/istio/proxyv2:1.24.2` for istio-proxy, `docker.io/library/<name>:latest` otherwise */
  image?: string
  ports?: SandboxContainerPort[]
  /** overrides the pod-level `ready` for this container */
  ready?: boolean
  restartCount?: number
  /**
   * Executables `kubectl exec` finds in this container. Default: the sidecar tool set (see SIDECAR_TOOLS in
   * ./sidecar-tools.ts) for a container named `istio-proxy`, nothing otherwise (a distroless app container).
   */
  tools?: string[]
  /**
   * How exec'ing a command that is not in `tools` fails: `runtime-error` (default, containerd): an InternalError Status
   * `... OCI runtime exec failed: ... executable file not found in $PATH: unknown`, kubectl exits 1; `exit-127`
   * (dockershim / some runtimes): the same text on stderr and exit code 127.
   */
  missingCommand?: 'runtime-error' | 'exit-127'
  /** init containers only: `Always` makes it a native sidecar (how Istio injects on Kubernetes >= 1.28 when enabled) */
  restartPolicy?: 'Always'
  /** served by `GET .../pods/<name>/log?container=<name>` */
  logs?: string
}

export interface OwnerReference {
  apiVersion: string
  kind: string
  name: string
  uid?: string
  controller?: boolean
  blockOwnerDeletion?: boolean
}

export interface SandboxPod {
  name: string
  namespace: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  /** default `Running` */
  phase?: PodPhase
  /** STATUS column / container waiting reason, e.g. `ContainerCreating`, `CrashLoopBackOff`, `Completed` */
  reason?: string
  /** default: phase === 'Running' */
  ready?: boolean
  /** default: 10.244.0.x, derived from the pod's position */
  ip?: string
  /** default `sandbox-node`; `null` = not scheduled (`pod x does not have a host assigned` for exec/port-forward) */
  nodeName?: string | null
  /** default: a stable UUID derived from namespace/name */
  uid?: string
  containers: SandboxContainer[]
  initContainers?: SandboxContainer[]
  ownerReferences?: OwnerReference[]
  /** creationTimestamp = sandbox start - ageSeconds (default 3600) */
  ageSeconds?: number
  /** the pod's loopback listeners, see PortHandler */
  ports?: Record<number, PortHandler>
  /** replaces the default exec emulation (sidecarExecHandler) for this pod */
  exec?: ExecHandler
  /** files `cat` can read inside the pod */
  files?: Record<string, string>
}

export interface PodHttpResult {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

export interface ExecRequest {
  pod: SandboxPod
  container: SandboxContainer
  argv: string[]
  tty: boolean
  /** the client's stdin; already ended when the client did not ask for stdin */
  stdin: Readable
  /** opens a connection to one of the pod's loopback ports; null when the connection is refused */
  connect(port: number): Duplex | null
  /** one HTTP request to a pod loopback port (`Connection: close`); null when the connection is refused */
  httpRequest(port: number, method: string, path: string, body?: string): Promise<PodHttpResult | null>
}

export interface ExecResult {
  stdout?: string | Buffer
  stderr?: string | Buffer
  /** default 0 */
  exitCode?: number
  /**
   * A runtime failure instead of a process exit (e.g. containerd's `OCI runtime exec failed: ... executable file not
   * found in $PATH`): reported as an InternalError Status on the error channel, which kubectl prints as
   * `error: Internal error occurred: error executing command in container: <error>` and exits 1.
   */
  error?: string
}

export type ExecHandler = (req: ExecRequest) => ExecResult | Promise<ExecResult>

export interface LabelSelectorRequirement {
  key: string
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'
  values?: string[]
}

export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>
  matchExpressions?: LabelSelectorRequirement[]
}

/** Friendly form of a Deployment / ReplicaSet / StatefulSet / DaemonSet / Job. */
export interface SandboxWorkload {
  name: string
  namespace: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  /** a plain map is taken as matchLabels */
  selector: Record<string, string> | LabelSelectorSpec
  /** default 1 */
  replicas?: number
  /** default = replicas */
  readyReplicas?: number
  containers?: Array<{name: string; image?: string}>
  ageSeconds?: number
  ownerReferences?: OwnerReference[]
  /** Jobs: default completions 1, succeeded = completions */
  completions?: number
  succeeded?: number
  failed?: number
  active?: number
}

export interface SandboxServicePort {
  port: number
  targetPort?: number | string
  name?: string
  protocol?: string
  nodePort?: number
}

export interface SandboxService {
  name: string
  namespace: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  selector?: Record<string, string>
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName'
  clusterIP?: string
  ports?: SandboxServicePort[]
  ageSeconds?: number
}

/** Any Kubernetes object given verbatim (must at least have metadata.name). */
export interface KubeObject {
  apiVersion?: string
  kind?: string
  metadata: {name: string; namespace?: string; [k: string]: unknown}
  [k: string]: unknown
}

/** One RBAC-style denial: a request matching all given fields gets the API server's 403. `*` matches anything. */
export interface DenyRule {
  /** get, list, watch, create (exec and port-forward need `create` on pods/exec, pods/portforward) */
  verb: string
  /** `pods`, `deployments`, ... or `pods/exec` (then subresource is taken from it) */
  resource: string
  subresource?: string
  /** API group; default: any */
  group?: string
  namespace?: string
  name?: string
}

export interface SandboxToken {
  user: string
  groups?: string[]
  /** an expired/revoked token: every request gets 401 */
  expired?: boolean
  deny?: DenyRule[]
}

export interface SandboxNamespace {
  name: string
  labels?: Record<string, string>
  ageSeconds?: number
}

export interface SandboxSpec {
  /** default: every namespace used by an object, plus default, kube-system, kube-public */
  namespaces?: Array<string | SandboxNamespace>
  pods?: SandboxPod[]
  deployments?: Array<SandboxWorkload | KubeObject>
  replicasets?: Array<SandboxWorkload | KubeObject>
  statefulsets?: Array<SandboxWorkload | KubeObject>
  daemonsets?: Array<SandboxWorkload | KubeObject>
  jobs?: Array<SandboxWorkload | KubeObject>
  services?: Array<SandboxService | KubeObject>
  /** bearer token -> identity; default `{'sandbox-admin-token': {user: 'sandbox-admin'}}` */
  tokens?: Record<string, SandboxToken>
}

/**
 * `normal`: serve. `hang`: accept TCP connections and never answer (not even the TLS handshake).
 * `hang-after-tls`: complete the TLS handshake, read the request, never answer. Applies to new connections.
 */
export type SandboxMode = 'normal' | 'hang' | 'hang-after-tls'

export interface SandboxRequestRecord {
  /** ms since epoch */
  time: number
  method: string
  /** path without the query string */
  path: string
  query: string
  user?: string
  status: number
  kind: 'discovery' | 'rest' | 'exec' | 'portforward' | 'log' | 'other'
  /** negotiated streaming protocol: `v5.channel.k8s.io`, `SPDY/3.1+portforward.k8s.io`, `SPDY/3.1 v4.channel.k8s.io`... */
  protocol?: string
  namespace?: string
  resource?: string
  name?: string
  userAgent?: string
}
