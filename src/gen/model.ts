/**
 * The mesh model the generator works from: a small, Kubernetes-shaped description of namespaces, Services,
 * workloads (Deployments/StatefulSets and their pods), and Istio networking resources. Everything the xDS
 * builders need is reached through `MeshModel`, whose collections may be backed by arrays (hand-written
 * scenarios such as Bookinfo, see `createMesh`) or computed on demand (the synthetic benchmark mesh, which
 * must stay small in memory for 70k services).
 */
import {hash32, k8sSuffix, podTemplateHash} from './prng.js'

// ---------------------------------------------------------------------------------------------------------
// Collections

/** A read-only, indexable, iterable collection; lazily computed collections hold nothing per item. */
export interface Collection<T> extends Iterable<T> {
  readonly size: number
  at(index: number): T
}

export function listOf<T>(items: readonly T[]): Collection<T> {
  return {
    size: items.length,
    at: (i) => items[i],
    [Symbol.iterator]: () => items[Symbol.iterator](),
  }
}

export function lazyCollection<T>(size: number, at: (index: number) => T): Collection<T> {
  return {
    size,
    at,
    *[Symbol.iterator]() {
      for (let i = 0; i < size; i++) yield at(i)
    },
  }
}

// ---------------------------------------------------------------------------------------------------------
// Kubernetes-level objects

/**
 * How Istio treats a port, from its name prefix (`http-`, `grpc-`, `tcp-`, ...) or appProtocol. `auto`
 * means unnamed/unknown: Istio sniffs the protocol, which changes the listener shape (a per-VIP listener
 * with an HTTP chain plus a TCP default chain, and an RDS route named `<fqdn>:<port>`).
 */
export type PortProtocol = 'http' | 'http2' | 'grpc' | 'tcp' | 'https' | 'tls' | 'auto'

export interface ServicePort {
  name: string
  port: number
  targetPort: number
  protocol: PortProtocol
}

/**
 * Istio's service resolution (pilot model.Resolution): ClientSideLB → EDS cluster, Passthrough (headless,
 * or ServiceEntry resolution NONE) → ORIGINAL_DST, DNSLB → STRICT_DNS, DNSRoundRobinLB → LOGICAL_DNS.
 */
export type Resolution = 'ClientSideLB' | 'Passthrough' | 'DNSLB' | 'DNSRoundRobinLB'

export interface Locality {
  region: string
  zone: string
  subzone?: string
}

export interface StaticEndpoint {
  address: string
  /** defaults to the service port's targetPort */
  port?: number
  locality?: Locality
}

export interface Service {
  kind: 'Service' | 'ServiceEntry'
  name: string
  namespace: string
  /** `name.namespace.svc.cluster.local` for Kubernetes services; the host for ServiceEntries */
  hostname: string
  /** the VIP; undefined for headless services and VIP-less ServiceEntries */
  clusterIP?: string
  ports: readonly ServicePort[]
  /** pod selector (same namespace); endpoints are the matching pods */
  selector?: Readonly<Record<string, string>>
  resolution: Resolution
  /** endpoints not backed by pods (the API server, ServiceEntry addresses) */
  endpoints?: readonly StaticEndpoint[]
  /** ServiceEntry location: external hosts get no mTLS transport socket */
  meshExternal?: boolean
}

export interface Namespace {
  name: string
  labels: Readonly<Record<string, string>>
}

export interface NodeInfo {
  name: string
  ip: string
  locality: Locality
}

export type ProxyKind = 'sidecar' | 'router' | 'none'

export interface Workload {
  kind: 'Deployment' | 'StatefulSet'
  name: string
  namespace: string
  /** pod template labels (app, version, ...) */
  labels: Readonly<Record<string, string>>
  replicas: number
  serviceAccount: string
  /** Envoy in the pod: an injected sidecar, a gateway (router), or none */
  proxy: ProxyKind
  /** the application container (absent for gateways, whose only container is istio-proxy) */
  container?: {name: string; image: string; ports: readonly number[]}
  /** ordinals of replicas whose pod is not Ready (their endpoints are UNHEALTHY) */
  notReady?: readonly number[]
  /** a Sidecar resource's outboundTrafficPolicy for this workload's proxies (default: the mesh's) */
  outboundTrafficPolicy?: 'ALLOW_ANY' | 'REGISTRY_ONLY'
  /** config faults of this workload's proxies, as real proxies show them (for `check` and its tests) */
  faults?: ProxyFaults
}

/**
 * Faults a proxy's config dump can show, each the way Envoy records it: a listener update Envoy rejected
 * (`error_state` with the failed configuration, details and the attempt time), a listener stuck warming (waiting
 * for a route configuration istiod never sent), a cluster stuck warming (waiting for EDS), and an expired workload
 * certificate (istio-agent stopped rotating it).
 */
export interface ProxyFaults {
  /** a listener on this port whose update Envoy rejected (an EnvoyFilter with a broken Lua filter) */
  rejectedListenerPort?: number
  /** a listener on this port warming for 10 minutes before the epoch, its RDS never answered */
  warmingListenerPort?: number
  /** the name of a cluster only in dynamic_warming_clusters (10 minutes) */
  warmingCluster?: string
  /** the workload certificate expired an hour before the epoch */
  expiredCertificate?: boolean
}

/** A pod of a workload, derived deterministically from the workload and its replica ordinal. */
export interface Pod {
  name: string
  namespace: string
  workload: Workload
  ordinal: number
  /** ReplicaSet name for Deployments (`reviews-v1-7d6f4b8c5d`), undefined for StatefulSets */
  replicaSet?: string
  ip: string
  node: NodeInfo
  ready: boolean
  labels: Readonly<Record<string, string>>
}

// ---------------------------------------------------------------------------------------------------------
// Istio networking resources (a subset of networking.istio.io/v1)

export type StringMatch = {exact: string} | {prefix: string} | {regex: string}

export interface HttpMatch {
  uri?: StringMatch
  headers?: Readonly<Record<string, StringMatch>>
}

export interface RouteDestination {
  destination: {host: string; subset?: string; port?: number}
  weight?: number
}

export interface HttpRoute {
  name?: string
  match?: readonly HttpMatch[]
  route: readonly RouteDestination[]
  timeout?: string
  retries?: {attempts: number; perTryTimeout?: string; retryOn?: string}
}

export interface VirtualService {
  name: string
  namespace: string
  hosts: readonly string[]
  /** `namespace/name` or `name` of Gateways; empty/absent means `mesh` (sidecars) */
  gateways?: readonly string[]
  http: readonly HttpRoute[]
}

export interface TrafficPolicy {
  tls?: {mode: 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL'}
  loadBalancer?: {simple: 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RANDOM'}
  outlierDetection?: {consecutive5xxErrors: number; interval: string; baseEjectionTime: string; maxEjectionPercent?: number}
  connectionPool?: {tcp?: {maxConnections?: number}; http?: {http1MaxPendingRequests?: number; maxRequestsPerConnection?: number}}
}

export interface Subset {
  name: string
  labels: Readonly<Record<string, string>>
  trafficPolicy?: TrafficPolicy
}

export interface DestinationRule {
  name: string
  namespace: string
  /** as written in the resource: a short name is relative to the rule's namespace */
  host: string
  trafficPolicy?: TrafficPolicy
  subsets: readonly Subset[]
}

export interface GatewayServer {
  port: {number: number; name: string; protocol: 'HTTP' | 'HTTPS' | 'TLS' | 'TCP'}
  hosts: readonly string[]
  tls?: {mode: 'SIMPLE' | 'MUTUAL' | 'PASSTHROUGH'; credentialName?: string}
}

export interface Gateway {
  name: string
  namespace: string
  selector: Readonly<Record<string, string>>
  servers: readonly GatewayServer[]
}

/** extensions.istio.io WasmPlugin; delivered to selected proxies through ECDS as `<namespace>.<name>` */
export interface WasmPlugin {
  name: string
  namespace: string
  selector: Readonly<Record<string, string>>
  url: string
  /** sha256 of the module, used for the local file name Envoy loads */
  sha256: string
}

export interface IstioInfo {
  /** e.g. `1.24.2`; decides version-dependent shapes (ECDS telemetry, InboundPassthroughCluster naming) */
  version: string
  revision: string
  /** istio/proxy commit */
  proxySha: string
}

export interface MeshModel {
  /** scenario name, e.g. `bookinfo` or `synthetic-10000` */
  name: string
  istio: IstioInfo
  trustDomain: string
  clusterId: string
  /** PeerAuthentication mode, mesh-wide: PERMISSIVE accepts plaintext and mTLS; STRICT only ISTIO_MUTUAL */
  mtlsMode: 'PERMISSIVE' | 'STRICT'
  /** meshConfig.outboundTrafficPolicy: ALLOW_ANY adds `allow_any` vhosts and PassthroughCluster catch-alls */
  outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY'
  /**
   * Newer Istio (1.15+) sets `ignore_port_in_host_matching` on route configs and drops the `:port` domain
   * variants; with false, virtual host domains list every name also with `:port` (the classic shape).
   */
  ignorePortInHostMatching: boolean
  /** fixed instant used for all timestamps in generated output (ISO 8601, whole seconds, UTC) */
  epoch: string
  namespaces: Collection<Namespace>
  nodes: Collection<NodeInfo>
  services: Collection<Service>
  workloads: Collection<Workload>
  destinationRules: Collection<DestinationRule>
  virtualServices: Collection<VirtualService>
  gateways: Collection<Gateway>
  wasmPlugins: Collection<WasmPlugin>
  lookup: MeshLookup
}

/** Queries the builders need; array-backed meshes index once, synthetic meshes compute them directly. */
export interface MeshLookup {
  /** pods of a workload, in ordinal order */
  pods(workload: Workload): readonly Pod[]
  /** workloads whose pods a service selects */
  workloadsOf(service: Service): readonly Workload[]
  /** services selecting a workload's pods */
  servicesOf(workload: Workload): readonly Service[]
  /** service by hostname (FQDN) */
  serviceByHost(hostname: string): Service | undefined
  destinationRuleFor(hostname: string): DestinationRule | undefined
  /** VirtualServices bound to `gateway` (`mesh` for sidecars, else `namespace/name`) that name `hostname` */
  virtualServicesFor(hostname: string, gateway: string): readonly VirtualService[]
  workloadByName(namespace: string, name: string): Workload | undefined
}

// ---------------------------------------------------------------------------------------------------------
// Naming helpers

export const CLUSTER_DOMAIN = 'svc.cluster.local'

export function serviceFqdn(name: string, namespace: string): string {
  return `${name}.${namespace}.${CLUSTER_DOMAIN}`
}

/** Resolves a host as written in an Istio resource (short, `name.ns`, or FQDN) relative to `namespace`. */
export function resolveHost(host: string, namespace: string): string {
  if (host.includes('*')) return host
  const parts = host.split('.')
  if (parts.length === 1) return serviceFqdn(host, namespace)
  if (parts.length === 2) return serviceFqdn(parts[0], parts[1])
  if (parts.length === 3 && parts[2] === 'svc') return serviceFqdn(parts[0], parts[1])
  return host
}

/** `outbound|9080|v1|reviews.default.svc.cluster.local` (pilot model.BuildSubsetKey). */
export function clusterName(direction: 'inbound' | 'outbound', port: number, subset: string, hostname: string): string {
  return `${direction}|${port}|${subset}|${hostname}`
}

export function labelsMatch(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  for (const k in selector) if (labels[k] !== selector[k]) return false
  return true
}

/** Parses `1.24.2` (or `1.24-dev`) into numbers; unknown parts are 0. */
export function istioMinor(version: string): number {
  const m = /^(\d+)\.(\d+)/.exec(version)
  return m ? Number(m[2]) : 0
}

/** The ReplicaSet hash of a Deployment (stable per namespace/name/template labels). */
export function replicaSetName(w: Workload): string {
  return `${w.name}-${podTemplateHash(`rs/${w.namespace}/${w.name}/${JSON.stringify(w.labels)}`)}`
}

export function podName(w: Workload, ordinal: number): string {
  if (w.kind === 'StatefulSet') return `${w.name}-${ordinal}`
  return `${replicaSetName(w)}-${k8sSuffix(`pod/${w.namespace}/${w.name}/${ordinal}`, 5)}`
}

/** Numeric IPv4 helpers. */
export function ipToInt(ip: string): number {
  const p = ip.split('.').map(Number)
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0
}

export function intToIp(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`
}

// ---------------------------------------------------------------------------------------------------------
// Array-backed meshes

export interface MeshSpec {
  name: string
  istio: IstioInfo
  trustDomain?: string
  clusterId?: string
  mtlsMode?: 'PERMISSIVE' | 'STRICT'
  outboundTrafficPolicy?: 'ALLOW_ANY' | 'REGISTRY_ONLY'
  ignorePortInHostMatching?: boolean
  epoch?: string
  /** first address of the pod CIDR; pods get consecutive addresses in workload order */
  podCidr?: string
  namespaces: readonly Namespace[]
  nodes: readonly NodeInfo[]
  services: readonly Service[]
  workloads: readonly Workload[]
  destinationRules?: readonly DestinationRule[]
  virtualServices?: readonly VirtualService[]
  gateways?: readonly Gateway[]
  wasmPlugins?: readonly WasmPlugin[]
}

export const DEFAULT_EPOCH = '2025-06-02T09:14:07Z'

/** Builds a MeshModel over arrays, with indexes built once. */
export function createMesh(spec: MeshSpec): MeshModel {
  const podBase = ipToInt(spec.podCidr ?? '10.244.0.10')
  const podsByWorkload = new Map<Workload, Pod[]>()
  let next = 0
  for (const w of spec.workloads) {
    const pods: Pod[] = []
    for (let i = 0; i < w.replicas; i++) {
      const name = podName(w, i)
      pods.push({
        name,
        namespace: w.namespace,
        workload: w,
        ordinal: i,
        replicaSet: w.kind === 'Deployment' ? replicaSetName(w) : undefined,
        ip: intToIp(podBase + next++),
        node: spec.nodes[hash32(`${w.namespace}/${name}`) % spec.nodes.length],
        ready: !(w.notReady ?? []).includes(i),
        labels: podLabels(w, i),
      })
    }
    podsByWorkload.set(w, pods)
  }

  const byHost = new Map<string, Service>()
  for (const s of spec.services) byHost.set(s.hostname, s)
  const drByHost = new Map<string, DestinationRule>()
  for (const dr of spec.destinationRules ?? []) drByHost.set(resolveHost(dr.host, dr.namespace), dr)
  const workloadsOf = new Map<Service, Workload[]>()
  const servicesOf = new Map<Workload, Service[]>()
  for (const s of spec.services) {
    const ws = s.selector ? spec.workloads.filter((w) => w.namespace === s.namespace && labelsMatch(s.selector!, w.labels)) : []
    workloadsOf.set(s, ws)
    for (const w of ws) {
      const list = servicesOf.get(w) ?? []
      list.push(s)
      servicesOf.set(w, list)
    }
  }
  const vsByKey = new Map<string, VirtualService[]>()
  for (const vs of spec.virtualServices ?? []) {
    const gateways = vs.gateways && vs.gateways.length > 0 ? vs.gateways : ['mesh']
    for (const g of gateways) {
      const gw = g === 'mesh' || g.includes('/') ? g : `${vs.namespace}/${g}`
      for (const h of vs.hosts) {
        const key = `${gw} ${resolveHost(h, vs.namespace)}`
        const list = vsByKey.get(key) ?? []
        list.push(vs)
        vsByKey.set(key, list)
      }
    }
  }
  const byName = new Map<string, Workload>()
  for (const w of spec.workloads) byName.set(`${w.namespace}/${w.name}`, w)

  return {
    name: spec.name,
    istio: spec.istio,
    trustDomain: spec.trustDomain ?? 'cluster.local',
    clusterId: spec.clusterId ?? 'Kubernetes',
    mtlsMode: spec.mtlsMode ?? 'PERMISSIVE',
    outboundTrafficPolicy: spec.outboundTrafficPolicy ?? 'ALLOW_ANY',
    ignorePortInHostMatching: spec.ignorePortInHostMatching ?? true,
    epoch: spec.epoch ?? DEFAULT_EPOCH,
    namespaces: listOf(spec.namespaces),
    nodes: listOf(spec.nodes),
    services: listOf(spec.services),
    workloads: listOf(spec.workloads),
    destinationRules: listOf(spec.destinationRules ?? []),
    virtualServices: listOf(spec.virtualServices ?? []),
    gateways: listOf(spec.gateways ?? []),
    wasmPlugins: listOf(spec.wasmPlugins ?? []),
    lookup: {
      pods: (w) => podsByWorkload.get(w) ?? [],
      workloadsOf: (s) => workloadsOf.get(s) ?? [],
      servicesOf: (w) => servicesOf.get(w) ?? [],
      serviceByHost: (h) => byHost.get(h),
      destinationRuleFor: (h) => drByHost.get(h),
      virtualServicesFor: (h, g) => vsByKey.get(`${g} ${h}`) ?? [],
      workloadByName: (ns, name) => byName.get(`${ns}/${name}`),
    },
  }
}

/** Labels a pod carries: the template labels plus what Kubernetes and Istio's injector add. */
export function podLabels(w: Workload, ordinal: number): Record<string, string> {
  const labels: Record<string, string> = {...w.labels}
  if (w.kind === 'Deployment') labels['pod-template-hash'] = replicaSetName(w).slice(w.name.length + 1)
  else {
    labels['apps.kubernetes.io/pod-index'] = String(ordinal)
    labels['statefulset.kubernetes.io/pod-name'] = `${w.name}-${ordinal}`
  }
  if (w.proxy !== 'none') {
    labels['security.istio.io/tlsMode'] = 'istio'
    labels['service.istio.io/canonical-name'] = w.labels['app'] ?? w.name
    labels['service.istio.io/canonical-revision'] = w.labels['version'] ?? 'latest'
  }
  return labels
}
