/**
 * istiod in the sandbox: the control plane a generator mesh (./mesh.ts) gets, answering what `proxy-status` asks.
 *
 * Per istiod pod (`istiodPorts`):
 * - HTTP on 15014 (and 8080): `/debug/syncz[?namespace=]` (istiod's current shape: the flat `<type>_sent/_acked`
 *   nonces plus `resources` {typeURL: {sent, acked, sentTime, lastError}}), `/debug/config_dump?proxyID=<pod>.<ns>`
 *   (istiod's view of that proxy's config: dynamic clusters, listeners and routes; 404 with istiod's text
 *   `Proxy not connected to this Pilot instance. It may be connected to another instance.` for a proxy connected
 *   elsewhere), `/version`, `/ready`, `/metrics`;
 * - gRPC ADS (`envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources`) on 15010
 *   (plaintext, no authentication) and 15012 (TLS with a self-signed certificate, see istiodCerts(); every stream
 *   needs `authorization: Bearer <token>` with a token from the sandbox's TokenRequest for audience `istio-ca`
 *   (./istiod-auth.ts), else UNAUTHENTICATED with istiod's `authentication failure: [...]` text). Debug types:
 *   `istio.io/debug/syncz` (one envoy.service.status.v3.ClientConfig per connected proxy, status by istiod's rules),
 *   `istio.io/debug/config_dump` with resource `<pod>.<ns>` (the config dump sections as Anys of their
 *   envoy.admin.v3 types; no resources for a proxy not connected here, as istiod), and `istio.io/debug` with
 *   resource `<path>?<query>` (the HTTP debug answer's body in one Any of type `istio.io/debug`; needs an
 *   authenticated stream, else UNAUTHENTICATED `authentication required`). Any other type gets an empty response;
 *   ACKs/NACKs (requests with a response_nonce) get none.
 *   Sandbox shortcut: the envoy.admin.v3 Anys of `istio.io/debug/config_dump` carry the section's JSON text, not
 *   protobuf (there are no Envoy schemas here); clients that need the content ask `istio.io/debug` for
 *   `config_dump?proxyID=...`, which is JSON on a real istiod too.
 *   The pod port hands each connection to an in-process grpc-js Server through `createConnectionInjector` (no
 *   listening socket; created on first use; the sandbox's close() destroys the connections).
 *
 * Two layouts (`IstiodSandboxOptions.mode`):
 * - `basic` (default, compatible with earlier sandboxes): the model's istiod pods (or one added), each reporting
 *   every proxy of the mesh with every type SYNCED.
 * - `full`: `replicas` istiod pods of the default revision (the model's pods, plus added ones in the same
 *   ReplicaSet) and, with `canary` (default true), a second revision `istiod-canary-...` (`istio.io/rev=canary`,
 *   its own Deployment, ReplicaSet and Service). Proxies, sorted by ID: the last sidecar is connected to no istiod
 *   (`disconnected`); the sidecars of the first namespace (by name) other than `default` and istio-system go to the
 *   canary (every fourth sidecar when they all live in one namespace; their pods get `istio.io/rev: canary`); the
 *   others are spread over the default replicas round-robin.
 *   Within each revision the connected sidecars take the profiles synced, stale, never-acked, not-sent, error in
 *   turn; gateways are synced and do not watch ECDS. Per type (PROFILE_STATES): `stale` = CDS and RDS pushed but
 *   the proxy acked an older nonce; `never-acked` = EDS pushed, nothing ever acked (xDS STALE; istioctl <= 1.21
 *   `STALE (Never Acknowledged)`); `not-sent` = ECDS watched but never pushed; `error` = LDS NACKed (lastError /
 *   ERROR with errorState.details). The first `stale` sidecar of the default revision is `diverged`: istiod's
 *   config dump for it has an extra cluster (`outbound|<port>|canary|<host>`) and a changed route timeout, so
 *   `proxy-status <pod>` shows a diff.
 * Push times (`sentTime` / `lastUpdated`) are fixed offsets before the layout's `now` (default: when the spec is
 * built, i.e. about sandbox start), so ages render and grow like real ones. BOOKINFO_ISTIOD lists what the full
 * layout gives Bookinfo.
 */
import {randomUUID} from 'node:crypto'
import type {IncomingMessage, RequestListener, ServerResponse} from 'node:http'
import type {Duplex} from 'node:stream'
import type * as grpcTypes from '@grpc/grpc-js'
import {generateCaAndLeaf} from './tls.js'
import {controlzListener, IstiodDebug} from './istiod-debug.js'
import {configDump} from '../gen/configdump.js'
import type {MeshModel, Workload} from '../gen/model.js'
import {replicaSetName} from '../gen/model.js'
import {hash32, k8sSuffix, podTemplateHash} from '../gen/prng.js'
import {proxies as meshProxies} from '../gen/proxies.js'
import type {ProxyInfo} from '../gen/proxies.js'
import {decodeObject, encode, type Json, type JsonObject, timestampOfDate} from '../xds/codec.js'
import {ADS_METHOD_PATH, CLIENT_CONFIG, DISCOVERY_REQUEST, DISCOVERY_RESPONSE, typeUrlOf} from '../xds/schema.js'
import {ISTIO_CA_AUDIENCE, type ServiceAccountClaims, uuidFrom, verifyServiceAccountToken} from './istiod-auth.js'
import type {PortHandler, SandboxPod, SandboxService, SandboxWorkload} from './types.js'

export const ISTIO_NAMESPACE = 'istio-system'
export const CANARY_REVISION = 'canary'
export const NOT_CONNECTED_TEXT = 'Proxy not connected to this Pilot instance. It may be connected to another instance.\n'

const T = 'type.googleapis.com/'
export const XDS_TYPE = {
  CDS: `${T}envoy.config.cluster.v3.Cluster`,
  LDS: `${T}envoy.config.listener.v3.Listener`,
  EDS: `${T}envoy.config.endpoint.v3.ClusterLoadAssignment`,
  RDS: `${T}envoy.config.route.v3.RouteConfiguration`,
  ECDS: `${T}envoy.config.core.v3.TypedExtensionConfig`,
} as const

/** syncz's flat field prefixes */
const FLAT: Array<[string, string]> = [
  ['cluster', XDS_TYPE.CDS],
  ['listener', XDS_TYPE.LDS],
  ['route', XDS_TYPE.RDS],
  ['endpoint', XDS_TYPE.EDS],
  ['extensionconfig', XDS_TYPE.ECDS],
]

export type SyncState = 'SYNCED' | 'STALE' | 'NEVER_ACKED' | 'NOT_SENT' | 'ERROR'
export type Profile = 'synced' | 'stale' | 'never-acked' | 'not-sent' | 'error'

export const PROFILES: readonly Profile[] = ['synced', 'stale', 'never-acked', 'not-sent', 'error']

/** Per profile, the types whose state is not SYNCED. */
export const PROFILE_STATES: Record<Profile, Partial<Record<keyof typeof XDS_TYPE, SyncState>>> = {
  synced: {},
  stale: {CDS: 'STALE', RDS: 'STALE'},
  'never-acked': {EDS: 'NEVER_ACKED'},
  'not-sent': {ECDS: 'NOT_SENT'},
  error: {LDS: 'ERROR'},
}

/** How each state reads in the xDS answer (configStatus). */
export const XDS_STATUS: Record<SyncState, 'SYNCED' | 'STALE' | 'NOT_SENT' | 'ERROR'> = {
  SYNCED: 'SYNCED',
  STALE: 'STALE',
  NEVER_ACKED: 'STALE',
  NOT_SENT: 'NOT_SENT',
  ERROR: 'ERROR',
}

export const NACK_ERROR =
  "Error adding/updating listener(s) virtualInbound: Didn't find a registered implementation for 'envoy.filters.http.custom_authz' with type URL: 'type.googleapis.com/udpa.type.v1.TypedStruct'"

export interface IstiodSandboxOptions {
  /** see the module comment; default `basic` */
  mode?: 'basic' | 'full'
  /** full: istiod pods of the default revision; default 2 (at least the model's replicas) */
  replicas?: number
  /** full: add the `canary` revision's istiod; default true */
  canary?: boolean
  /** the instant push ages count from; default now (rounded down to the second) */
  now?: Date
  /**
   * proxies outside the model (ambient mode: the ztunnels, and waypoints of another model): each is connected to
   * every replica (basic) or to the first default replica (full), all types SYNCED; added after the model's
   * proxies are placed, so their layout does not change
   */
  extraProxies?: ExtraProxy[]
}

/** A proxy istiod serves that is not a pod of the model: a ztunnel, or an Envoy (waypoint) of another model. */
export interface ExtraProxy {
  pod: string
  namespace: string
  kind: 'ztunnel' | 'router'
  /** for an Envoy: its model and ProxyInfo, so istiod's config_dump for it can be computed */
  mesh?: MeshModel
  info?: ProxyInfo
}

/** What istiod pushes to a ztunnel: workload addresses (WDS) and authorizations (WADS). */
const ZTUNNEL_TYPES = ['type.googleapis.com/istio.security.Authorization', 'type.googleapis.com/istio.workload.Address'] as const

export interface IstiodReplica {
  pod: string
  revision: string
  ip: string
  /** the pod belongs to the model (its Deployment/ReplicaSet come from the mesh) */
  fromModel: boolean
}

export interface TypeSyncState {
  typeUrl: string
  state: SyncState
  /** nonce of the last push ('' = never pushed) */
  sent: string
  /** nonce the proxy last acknowledged ('' = never) */
  acked: string
  sentTime?: Date
  lastError?: string
}

export interface ProxyPlacement {
  /** `<pod>.<namespace>` */
  id: string
  pod: string
  namespace: string
  kind: 'sidecar' | 'router' | 'ztunnel'
  /** the istiod pods this proxy is connected to (full: at most one; basic: every replica) */
  istiods: string[]
  revision?: string
  profile?: Profile
  /** sorted by type URL */
  types: TypeSyncState[]
}

export interface IstiodLayout {
  mode: 'basic' | 'full'
  now: Date
  replicas: IstiodReplica[]
  proxies: ProxyPlacement[]
  /** full: the proxy whose istiod config dump differs from its Envoy's */
  diverged?: string
  /** full: the proxy no istiod knows */
  disconnected?: string
  /** the proxies from IstiodSandboxOptions.extraProxies */
  extras?: ExtraProxy[]
}

// ---------------------------------------------------------------------------------------------------------------
// layout

const isIstiodWorkload = (w: Workload): boolean => w.namespace === ISTIO_NAMESPACE && w.proxy === 'none' && (w.name === 'istiod' || w.labels.app === 'istiod')

/** ReplicaSet and pod of the istiod added to models without one (names kept from earlier sandboxes). */
const ADDED_ISTIOD = {rs: 'istiod-5b7c9d4f68', hash: '5b7c9d4f68', pod: 'istiod-5b7c9d4f68-w8k2n', ip: '10.244.3.2'}

function istiodIp(i: number): string {
  return `10.244.3.${30 + i}`
}

function canaryNames(): {deploy: string; rs: string; hash: string; pod: string} {
  const hash = podTemplateHash('rs/istio-system/istiod-canary')
  const rs = `istiod-canary-${hash}`
  return {deploy: 'istiod-canary', rs, hash, pod: `${rs}-${k8sSuffix('pod/istio-system/istiod-canary/0', 5)}`}
}

function defaultIstiodNames(mesh: MeshModel): {rs: string; hash: string; pods: Array<{name: string; ip: string}>; workload?: Workload} {
  const w = [...mesh.workloads].find(isIstiodWorkload)
  if (!w) return {rs: ADDED_ISTIOD.rs, hash: ADDED_ISTIOD.hash, pods: [{name: ADDED_ISTIOD.pod, ip: ADDED_ISTIOD.ip}]}
  const pods = mesh.lookup.pods(w).map((p) => ({name: p.name, ip: p.ip}))
  const rs = mesh.lookup.pods(w)[0]?.replicaSet ?? replicaSetName(w)
  return {rs, hash: rs.slice(w.name.length + 1), pods, workload: w}
}

const byteLess = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

function stateOf(layoutKey: string, typeUrl: string, state: SyncState, now: Date, age: number): TypeSyncState {
  const nonce = (n: string): string => uuidFrom(`nonce/${layoutKey}/${typeUrl}/${n}`)
  const at = new Date(now.getTime() - age * 1000)
  switch (state) {
    case 'SYNCED':
      return {typeUrl, state, sent: nonce('1'), acked: nonce('1'), sentTime: at}
    case 'STALE':
      return {typeUrl, state, sent: nonce('2'), acked: nonce('1'), sentTime: at}
    case 'NEVER_ACKED':
      return {typeUrl, state, sent: nonce('1'), acked: '', sentTime: at}
    case 'NOT_SENT':
      return {typeUrl, state, sent: '', acked: ''}
    case 'ERROR':
      return {typeUrl, state, sent: nonce('2'), acked: nonce('1'), sentTime: at, lastError: NACK_ERROR}
  }
}

/** Seconds before `now` of a push, per state: synced pushes are spread over minutes to days, the others recent. */
function ageOf(key: string, state: SyncState): number {
  const h = hash32(key)
  const synced = [47, 250, 1_800, 5 * 3600 + 720, 30 * 3600, 4 * 86400 + 7200]
  switch (state) {
    case 'SYNCED':
      return synced[h % synced.length]! + ((h >>> 8) % 50)
    case 'STALE':
      return 6 + ((h >>> 8) % 30)
    case 'NEVER_ACKED':
      return 3 + ((h >>> 8) % 15)
    case 'ERROR':
      return 70 + ((h >>> 8) % 200)
    default:
      return 0
  }
}

function typeStates(id: string, kind: 'sidecar' | 'router', profile: Profile, now: Date, allTypes: boolean): TypeSyncState[] {
  const overrides = PROFILE_STATES[profile]
  const out: TypeSyncState[] = []
  for (const [short, url] of Object.entries(XDS_TYPE) as Array<[keyof typeof XDS_TYPE, string]>) {
    if (short === 'ECDS' && kind === 'router' && !allTypes) continue
    const state = overrides[short] ?? 'SYNCED'
    out.push(stateOf(id, url, state, now, ageOf(`${id}/${url}`, state)))
  }
  return out.sort((a, b) => byteLess(a.typeUrl, b.typeUrl))
}

/** Where every proxy of the mesh is connected and how its types stand: see the module comment. Deterministic. */
export function istiodLayout(mesh: MeshModel, opts: IstiodSandboxOptions = {}): IstiodLayout {
  const layout = modelLayout(mesh, opts)
  const extras = opts.extraProxies ?? []
  if (extras.length === 0) return layout
  const rev = mesh.istio.revision
  const defaults = layout.replicas.filter((r) => r.revision === rev)
  for (const x of extras) {
    const id = `${x.pod}.${x.namespace}`
    const types =
      x.kind === 'ztunnel'
        ? ZTUNNEL_TYPES.map((url) => stateOf(id, url, 'SYNCED', layout.now, ageOf(`${id}/${url}`, 'SYNCED')))
        : typeStates(id, 'router', 'synced', layout.now, layout.mode === 'basic')
    const istiods = layout.mode === 'basic' ? defaults.map((r) => r.pod) : defaults.slice(0, 1).map((r) => r.pod)
    layout.proxies.push({id, pod: x.pod, namespace: x.namespace, kind: x.kind, istiods, revision: rev, profile: 'synced', types})
  }
  layout.proxies.sort((a, b) => byteLess(a.id, b.id))
  layout.extras = extras
  return layout
}

function modelLayout(mesh: MeshModel, opts: IstiodSandboxOptions): IstiodLayout {
  const mode = opts.mode ?? 'basic'
  const now = new Date(Math.floor((opts.now ?? new Date()).getTime() / 1000) * 1000)
  const def = defaultIstiodNames(mesh)
  const rev = mesh.istio.revision
  const replicas: IstiodReplica[] = def.pods.map((p) => ({pod: p.name, revision: rev, ip: p.ip, fromModel: def.workload !== undefined}))
  const all = meshProxies(mesh)
    .map((p) => ({id: `${p.pod}.${p.namespace}`, info: p}))
    .sort((a, b) => byteLess(a.id, b.id))

  if (mode === 'basic') {
    return {
      mode,
      now,
      replicas,
      proxies: all.map(({id, info}) => ({
        id,
        pod: info.pod,
        namespace: info.namespace,
        kind: info.kind,
        istiods: replicas.map((r) => r.pod),
        revision: rev,
        profile: 'synced' as Profile,
        types: typeStates(id, info.kind, 'synced', now, true),
      })),
    }
  }

  const want = Math.max(opts.replicas ?? 2, replicas.length, 1)
  for (let i = replicas.length; i < want; i++) {
    replicas.push({pod: `${def.rs}-${k8sSuffix(`pod/istio-system/istiod/extra/${i}`, 5)}`, revision: rev, ip: istiodIp(i), fromModel: false})
  }
  const defaultReplicas = [...replicas]
  const canary = opts.canary ?? true
  let canaryReplica: IstiodReplica | undefined
  if (canary) {
    canaryReplica = {pod: canaryNames().pod, revision: CANARY_REVISION, ip: istiodIp(20), fromModel: false}
    replicas.push(canaryReplica)
  }

  const sidecars = all.filter((p) => p.info.kind === 'sidecar')
  const disconnected = sidecars.length >= 2 ? sidecars.at(-1)!.id : undefined
  // the canary serves one namespace when the sidecars span several, else every fourth sidecar
  const sidecarNamespaces = [...new Set(sidecars.map((p) => p.info.namespace))]
  const canaryNs = canary && sidecarNamespaces.length >= 2 ? sidecarNamespaces.filter((n) => n !== 'default' && n !== ISTIO_NAMESPACE).sort(byteLess)[0] : undefined
  const sidecarPos = new Map(sidecars.map((p, i) => [p.id, i]))
  const onCanary = (p: (typeof all)[number]): boolean =>
    p.info.kind === 'sidecar' && (canaryNs !== undefined ? p.info.namespace === canaryNs : sidecarPos.get(p.id)! % 4 === 3)

  const placements: ProxyPlacement[] = []
  const canaryGroup = canaryReplica ? [canaryReplica] : undefined
  const groups = new Map<IstiodReplica[], Array<(typeof all)[number]>>([[defaultReplicas, []]])
  if (canaryGroup) groups.set(canaryGroup, [])
  for (const p of all) {
    if (p.id === disconnected) {
      placements.push({id: p.id, pod: p.info.pod, namespace: p.info.namespace, kind: p.info.kind, istiods: [], types: []})
      continue
    }
    const group = canaryGroup && onCanary(p) ? canaryGroup : defaultReplicas
    groups.get(group)!.push(p)
  }
  let diverged: string | undefined
  for (const [group, members] of groups) {
    let sidecarIndex = 0
    members.forEach((p, i) => {
      const profile: Profile = p.info.kind === 'router' ? 'synced' : PROFILES[sidecarIndex++ % PROFILES.length]!
      const istiod = group[i % group.length]!
      if (!diverged && profile === 'stale' && group === defaultReplicas) diverged = p.id
      placements.push({
        id: p.id,
        pod: p.info.pod,
        namespace: p.info.namespace,
        kind: p.info.kind,
        istiods: [istiod.pod],
        revision: istiod.revision,
        profile,
        types: typeStates(p.id, p.info.kind, profile, now, false),
      })
    })
  }
  placements.sort((a, b) => byteLess(a.id, b.id))
  return {mode, now, replicas, proxies: placements, diverged, disconnected}
}

// ---------------------------------------------------------------------------------------------------------------
// what one istiod answers

function syncStatusJson(mesh: MeshModel, p: ProxyPlacement): Record<string, Json> {
  // istiod never fills proxy_version (docs/istioctl-behaviour.md §12.3): the field is left out
  const e: Record<string, Json> = {cluster_id: mesh.clusterId, proxy: p.id, proxy_type: p.kind, istio_version: mesh.istio.version}
  for (const [prefix, url] of FLAT) {
    const t = p.types.find((x) => x.typeUrl === url)
    if (t?.sent) e[`${prefix}_sent`] = t.sent
    if (t?.acked) e[`${prefix}_acked`] = t.acked
  }
  const resources: JsonObject = {}
  for (const t of p.types) {
    const r: JsonObject = {}
    if (t.sent) r.sent = t.sent
    if (t.acked) r.acked = t.acked
    if (t.sentTime) r.sentTime = timestampOfDate(t.sentTime)
    if (t.lastError) r.lastError = t.lastError
    resources[t.typeUrl] = r
  }
  e.resources = resources
  return e
}

/** One proxy as istiod's `istio.io/debug/syncz` reports it (proto-JSON Any of a ClientConfig). */
export function clientConfigJson(mesh: MeshModel, p: ProxyPlacement): JsonObject {
  const metadata: JsonObject = {}
  if (mesh.clusterId) metadata.CLUSTER_ID = mesh.clusterId
  if (mesh.istio.version) metadata.ISTIO_VERSION = mesh.istio.version
  if (p.namespace) metadata.NAMESPACE = p.namespace
  return {
    '@type': typeUrlOf(CLIENT_CONFIG),
    node: {id: p.id, metadata},
    genericXdsConfigs: p.types.map((t) => {
      const g: JsonObject = {typeUrl: t.typeUrl}
      if (t.sentTime) g.lastUpdated = timestampOfDate(t.sentTime)
      g.configStatus = XDS_STATUS[t.state]
      if (t.lastError) g.errorState = {details: t.lastError}
      return g
    }),
  }
}

const A = 'type.googleapis.com/envoy.admin.v3.'
type Section = {'@type': string; [k: string]: unknown}
// biome-ignore lint/suspicious/noExplicitAny: config dump sections are read loosely, the way istioctl's compare does
type Obj = Record<string, any>

/** Renames a cluster's subset: `outbound|9080||reviews...` -> `outbound|9080|canary|reviews...`. */
function canaryClusterName(name: string): string {
  const parts = name.split('|')
  return parts.length === 4 ? `${parts[0]}|${parts[1]}|canary|${parts[3]}` : `${name}-canary`
}

/** istiod's view of a proxy's config (what its /debug/config_dump answers): dynamic resources only, no EDS. */
export function istiodConfigDump(mesh: MeshModel, proxy: ProxyInfo, diverged = false): {configs: Section[]} {
  const envoy = configDump(mesh, proxy)
  const find = (kind: string): Obj | undefined => envoy.configs.find((c) => c['@type'] === `${A}${kind}`) as Obj | undefined
  const clusters = find('ClustersConfigDump')
  const listeners = find('ListenersConfigDump')
  const routes = envoy.configs.find((c) => c['@type'] === `${A}RoutesConfigDump` && 'dynamic_route_configs' in c) as Obj | undefined
  const version = (clusters?.version_info as string | undefined) ?? ''
  const dynClusters = structuredClone(((clusters?.dynamic_active_clusters ?? []) as Array<{cluster: Obj}>).map((c) => ({cluster: c.cluster})))
  const dynRoutes = structuredClone(((routes?.dynamic_route_configs ?? []) as Array<{version_info?: string; route_config: Obj}>).map((r) => ({version_info: r.version_info ?? version, route_config: r.route_config})))
  if (diverged) {
    const base = dynClusters.find((c) => String(c.cluster.name).startsWith('outbound|'))
    if (base) {
      const extra = structuredClone(base)
      const oldName = String(base.cluster.name)
      extra.cluster.name = canaryClusterName(oldName)
      const eds = extra.cluster.eds_cluster_config as {service_name?: string} | undefined
      if (eds?.service_name === oldName) eds.service_name = extra.cluster.name
      dynClusters.push(extra)
    }
    const route = dynRoutes.flatMap((r) => (r.route_config.virtual_hosts ?? []) as Array<{routes?: Array<{route?: Record<string, unknown>}>}>).flatMap((v) => v.routes ?? []).find((r) => r.route)
    if (route?.route) route.route.timeout = '15s'
  }
  return {
    configs: [
      {'@type': `${A}BootstrapConfigDump`},
      {'@type': `${A}ClustersConfigDump`, version_info: version, dynamic_active_clusters: dynClusters},
      {
        '@type': `${A}ListenersConfigDump`,
        version_info: version,
        dynamic_listeners: ((listeners?.dynamic_listeners ?? []) as Array<{name: string; active_state?: {version_info?: string; listener: unknown}}>)
          .filter((l) => l.active_state)
          .map((l) => ({name: l.name, active_state: {version_info: l.active_state!.version_info ?? version, listener: l.active_state!.listener}})),
      },
      {'@type': `${A}ScopedRoutesConfigDump`},
      {'@type': `${A}RoutesConfigDump`, dynamic_route_configs: dynRoutes},
      {'@type': `${A}SecretsConfigDump`},
    ],
  }
}

type DebugAnswer = import('./istiod-debug.js').DebugAnswer

const ISTIOD_BUILD = {revision: 'c6e2b3f5d1a84b7e9f0a2c4d6e8f1a3b5c7d9e0f', golang_version: 'go1.23.4', status: 'Clean'}

/** One istiod pod's answers, shared by its HTTP port and its gRPC debug types. */
class IstiodReplicaServer {
  private readonly connected: ProxyPlacement[]
  private readonly byId: Map<string, ProxyPlacement>
  private readonly infos: Map<string, ProxyInfo>
  private readonly dumps = new Map<string, string>()
  /** the whole syncz, made once (2.7 MB for 1,700 proxies): its text (xDS answers) and bytes (the HTTP port) */
  private syncz0?: {text: string; bytes: Buffer}
  private grpc?: Promise<{insecure: grpcTypes.ConnectionInjector; secure: grpcTypes.ConnectionInjector}>
  readonly identifier: string
  readonly pushVersion: string
  readonly version: string
  /** the other debug endpoints (./istiod-debug.ts) */
  private readonly more: IstiodDebug

  constructor(
    private readonly mesh: MeshModel,
    private readonly layout: IstiodLayout,
    readonly replica: IstiodReplica,
  ) {
    this.connected = layout.proxies.filter((p) => p.istiods.includes(replica.pod))
    this.byId = new Map(this.connected.map((p) => [p.id, p]))
    this.infos = new Map(meshProxies(mesh).map((p) => [`${p.pod}.${p.namespace}`, p]))
    const version = mesh.istio.version
    this.version = version
    this.identifier = JSON.stringify({Component: 'istiod', ID: replica.pod, Info: {version, revision: ISTIOD_BUILD.revision, golang_version: ISTIOD_BUILD.golang_version, status: ISTIOD_BUILD.status, tag: version}})
    this.pushVersion = `${timestampOfDate(new Date(layout.now.getTime() - 40_000))}/${17 + (hash32(replica.pod) % 40)}`
    this.more = new IstiodDebug(mesh, replica.pod, layout.now, () =>
      this.connected.flatMap((p) => {
        const info = this.infos.get(p.id)
        return info ? [{id: p.id, info, types: p.types.map((t) => t.typeUrl)}] : []
      }),
    )
  }

  syncz(namespace?: string): Array<Record<string, Json>> {
    return this.connected.filter((p) => !namespace || p.namespace === namespace).map((p) => syncStatusJson(this.mesh, p))
  }

  configDumpText(id: string): string | undefined {
    if (!this.byId.has(id)) return undefined
    let text = this.dumps.get(id)
    if (text === undefined) {
      const extra = this.layout.extras?.find((x) => `${x.pod}.${x.namespace}` === id)
      // a ztunnel has no Envoy config (istioctl does not ask for it)
      if (extra && !(extra.mesh && extra.info)) return undefined
      text = JSON.stringify(extra ? istiodConfigDump(extra.mesh!, extra.info!) : istiodConfigDump(this.mesh, this.infos.get(id)!, id === this.layout.diverged))
      this.dumps.set(id, text)
    }
    return text
  }

  /**
   * What `GET /debug/<path>?<query>` answers (also the body of an `istio.io/debug` xDS answer). JSON as istiod's
   * writeJSON writes it: compact, or indented by 4 spaces with `?pretty` (docs/istioctl-behaviour.md §12.2).
   */
  debug(pathname: string, query: URLSearchParams): DebugAnswer {
    const a = this.debugAnswer(pathname, query)
    if (!query.has('pretty') || a.status !== 200 || a.contentType !== 'application/json') return a
    return {status: a.status, contentType: a.contentType, body: JSON.stringify(JSON.parse(a.body), null, 4)}
  }

  private debugAnswer(pathname: string, query: URLSearchParams): DebugAnswer {
    const json = (body: string): DebugAnswer => ({status: 200, contentType: 'application/json', body})
    if (pathname === '/debug/syncz') {
      const ns = query.get('namespace') ?? undefined
      if (ns) return json(JSON.stringify(this.syncz(ns)))
      if (!this.syncz0) {
        const text = JSON.stringify(this.syncz())
        this.syncz0 = {text, bytes: Buffer.from(text)}
      }
      return {...json(this.syncz0.text), bytes: this.syncz0.bytes}
    }
    if (pathname === '/debug/config_dump') {
      const id = query.get('proxyID')
      if (!id) return {status: 400, contentType: 'text/plain; charset=utf-8', body: 'You must provide a proxyID in the query string\n'}
      const text = this.configDumpText(id)
      return text === undefined ? {status: 404, contentType: 'text/plain; charset=utf-8', body: NOT_CONNECTED_TEXT} : json(text)
    }
    return this.more.answer(pathname, query) ?? {status: 404, contentType: 'text/plain; charset=utf-8', body: '404 page not found\n'}
  }

  readonly http: RequestListener = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname
    if (path.startsWith('/debug/') || path === '/debug') {
      const a = this.debug(path, url.searchParams)
      res.statusCode = a.status
      res.setHeader('content-type', a.contentType)
      // an answer kept encoded is not encoded again per request (a real istiod does not pay for it either)
      res.end(a.bytes ?? a.body)
    } else if (path === '/version') res.end(this.mesh.istio.version)
    else if (path === '/ready') res.end()
    else if (path === '/metrics') {
      res.setHeader('content-type', 'text/plain; version=0.0.4; charset=utf-8')
      res.end(`# HELP istio_build Istio component build info\n# TYPE istio_build gauge\nistio_build{component="pilot",tag="${this.mesh.istio.version}"} 1\n`)
    } else {
      res.statusCode = 404
      res.setHeader('content-type', 'text/plain; charset=utf-8')
      res.end('404 page not found\n')
    }
  }

  /** A pod-port connection to 15010 (`secure` false) or 15012. */
  inject(socket: Duplex, secure: boolean): void {
    socket.on('error', () => {})
    this.grpc ??= this.startGrpc()
    this.grpc.then(
      (g) => {
        if (!socket.destroyed) (secure ? g.secure : g.insecure).injectConnection(socket)
      },
      () => socket.destroy(),
    )
  }

  /** Two servers (the call's auth context only says "ssl" for verified client certificates): 15010 and 15012. */
  private async startGrpc(): Promise<{insecure: grpcTypes.ConnectionInjector; secure: grpcTypes.ConnectionInjector}> {
    const grpc = await import('@grpc/grpc-js')
    const certs = await istiodCerts()
    const service: grpcTypes.ServiceDefinition = {
      StreamAggregatedResources: {
        path: ADS_METHOD_PATH,
        requestStream: true,
        responseStream: true,
        originalName: 'streamAggregatedResources',
        requestSerialize: (m: JsonObject) => encode(DISCOVERY_REQUEST, m),
        requestDeserialize: (b: Buffer) => decodeObject(DISCOVERY_REQUEST, b),
        responseSerialize: (m: JsonObject) => encode(DISCOVERY_RESPONSE, m),
        responseDeserialize: (b: Buffer) => decodeObject(DISCOVERY_RESPONSE, b),
      },
    }
    const server = (secure: boolean): grpcTypes.Server => {
      const s = new grpc.Server({'grpc.enable_channelz': 0})
      s.addService(service, {StreamAggregatedResources: (call: grpcTypes.ServerDuplexStream<JsonObject, JsonObject>) => this.stream(call, secure)})
      return s
    }
    return {
      insecure: server(false).createConnectionInjector(grpc.ServerCredentials.createInsecure()),
      secure: server(true).createConnectionInjector(grpc.ServerCredentials.createSsl(null, [{private_key: Buffer.from(certs.keyPem), cert_chain: Buffer.from(certs.certPem)}], false)),
    }
  }

  /** One ADS stream, istiod's way (pilot/pkg/xds/ads.go, statusgen.go, debuggen.go). */
  private stream(call: grpcTypes.ServerDuplexStream<JsonObject, JsonObject>, secure: boolean): void {
    const fail = (code: number, details: string): void => {
      call.emit('error', {code, details})
    }
    call.on('error', () => {})
    call.on('end', () => call.end())
    let identity: ServiceAccountClaims | undefined
    if (secure) {
      const header = String(call.metadata.get('authorization')[0] ?? '')
      const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1]
      const cert = 'Authenticator ClientCertAuthenticator: no verified chain is found'
      if (!token) {
        fail(16, `authentication failure: [${cert} Authenticator KubeJWTAuthenticator: target JWT extraction error: no HTTP authorization header exists]`)
        return
      }
      const check = verifyServiceAccountToken(token, ISTIO_CA_AUDIENCE)
      if (!check.ok) {
        fail(16, `authentication failure: [${cert} Authenticator KubeJWTAuthenticator: failed to validate the JWT from cluster "${this.mesh.clusterId}": ${check.reason}]`)
        return
      }
      identity = check.claims
    }
    let node: JsonObject | undefined
    call.on('data', (req: JsonObject) => {
      if (!node) {
        const n = req.node as JsonObject | undefined
        if (!n || typeof n.id !== 'string' || n.id === '') {
          fail(3, 'missing node information')
          return
        }
        node = n
        const ns = (node.metadata as JsonObject | undefined)?.NAMESPACE
        if (identity && typeof ns === 'string' && ns !== '' && ns !== identity['kubernetes.io'].namespace) {
          const sa = identity['kubernetes.io'].serviceaccount.name
          fail(7, `authorization failed: no identities ([spiffe://cluster.local/ns/${identity['kubernetes.io'].namespace}/sa/${sa}]) matched ${ns}/${sa}`)
          return
        }
      }
      if (typeof req.responseNonce === 'string' && req.responseNonce !== '') return // ACK or NACK
      const typeUrl = typeof req.typeUrl === 'string' ? req.typeUrl : ''
      const names = Array.isArray(req.resourceNames) ? req.resourceNames.map(String) : []
      const answer = this.xdsResources(typeUrl, names, identity)
      if ('error' in answer) {
        fail(answer.error.code, answer.error.details)
        return
      }
      call.write({versionInfo: this.pushVersion, resources: answer.resources, typeUrl, nonce: randomUUID(), controlPlane: {identifier: this.identifier}})
    })
  }

  private xdsResources(typeUrl: string, names: string[], identity: ServiceAccountClaims | undefined): {resources: JsonObject[]} | {error: {code: number; details: string}} {
    if (typeUrl === 'istio.io/debug/syncz') return {resources: this.connected.map((p) => clientConfigJson(this.mesh, p))}
    if (typeUrl === 'istio.io/debug/config_dump') {
      if (names.length !== 1) return {resources: []}
      const text = this.configDumpText(names[0]!)
      if (text === undefined) return {resources: []}
      const dump = JSON.parse(text) as {configs: Section[]}
      return {
        resources: dump.configs.map(({'@type': type, ...rest}) => ({'@type': type, value: Buffer.from(JSON.stringify(rest)).toString('base64')})),
      }
    }
    if (typeUrl === 'istio.io/debug') {
      if (!identity) return {error: {code: 16, details: 'authentication required'}}
      if (names.length === 0) return {error: {code: 2, details: 'debug type is required'}}
      if (names.length !== 1) return {error: {code: 2, details: 'only one debug request is allowed'}}
      const url = new URL(`/debug/${names[0]}`, 'http://localhost')
      const debugType = url.pathname.slice('/debug/'.length)
      if (identity['kubernetes.io'].namespace !== ISTIO_NAMESPACE && !['config_dump', 'ndsz', 'edsz'].includes(debugType)) {
        return {error: {code: 2, details: `the debug info is not available for current identity: "spiffe://cluster.local/ns/${identity['kubernetes.io'].namespace}/sa/${identity['kubernetes.io'].serviceaccount.name}"`}}
      }
      const a = this.debug(url.pathname, url.searchParams)
      return {resources: [{'@type': 'istio.io/debug', value: (a.bytes ?? Buffer.from(a.body)).toString('base64')}]}
    }
    return {resources: []}
  }
}

// ---------------------------------------------------------------------------------------------------------------
// TLS

export interface IstiodCerts {
  caPem: string
  certPem: string
  keyPem: string
}

let certsPromise: Promise<IstiodCerts> | undefined

/**
 * The serving certificate of every sandbox istiod's 15012 (made once per process): signed by a throwaway CA
 * `meshctl-sandbox-istio-ca`, SANs `istiod.istio-system.svc`, `istiod-canary.istio-system.svc`, their
 * `.cluster.local` forms, `localhost` and `127.0.0.1`.
 */
export function istiodCerts(): Promise<IstiodCerts> {
  certsPromise ??= generateCaAndLeaf({
    ca: [
      {name: 'organizationName', value: 'cluster.local'},
      {name: 'commonName', value: 'meshctl-sandbox-istio-ca'},
    ],
    leaf: [],
    dnsNames: ['istiod.istio-system.svc', 'istiod.istio-system.svc.cluster.local', 'istiod-canary.istio-system.svc', 'istiod-canary.istio-system.svc.cluster.local', 'localhost'],
    ips: ['127.0.0.1'],
    clientAuth: true,
  })
  return certsPromise
}

// ---------------------------------------------------------------------------------------------------------------
// pods and objects

const ISTIOD_LABELS = {app: 'istiod', istio: 'pilot', 'operator.istio.io/component': 'Pilot', 'sidecar.istio.io/inject': 'false'}
const ISTIOD_ANNOTATIONS = {'prometheus.io/port': '15014', 'prometheus.io/scrape': 'true', 'sidecar.istio.io/inject': 'false'}
const ISTIOD_AGE = 9 * 86400
const CANARY_AGE = 26 * 3600
const ISTIOD_PORTS = [8080, 15010, 15012, 15014, 15017]
const APPS_V1 = 'apps/v1'

/** The loopback listeners of one istiod pod. */
function istiodPorts(server: IstiodReplicaServer): Record<number, PortHandler> {
  return {
    8080: server.http,
    15014: server.http,
    // ControlZ (listens on the pod's loopback only; `dashboard controlz` reaches it through a port-forward)
    9876: controlzListener(server.version),
    15010: {tcp: (s: Duplex) => server.inject(s, false)},
    15012: {tcp: (s: Duplex) => server.inject(s, true)},
  }
}

function istiodService(name: string, revision: string, clusterIP: string, age: number, selector: Record<string, string>): SandboxService {
  return {
    name,
    namespace: ISTIO_NAMESPACE,
    labels: {app: 'istiod', istio: 'pilot', 'istio.io/rev': revision},
    selector,
    clusterIP,
    ports: [
      {port: 15010, name: 'grpc-xds'},
      {port: 15012, name: 'https-dns'},
      {port: 443, name: 'https-webhook', targetPort: 15017},
      {port: 15014, name: 'http-monitoring'},
    ],
    ageSeconds: age,
  }
}

export interface IstiodSpecParts {
  pods: SandboxPod[]
  deployments: SandboxWorkload[]
  replicasets: SandboxWorkload[]
  services: SandboxService[]
}

/**
 * Adds the control plane of `istiodLayout(mesh, opts)` to a mesh sandbox spec under construction: decorates the
 * model's istiod pods (or adds an istiod), adds the extra replicas and the canary revision with their workloads and
 * Services, marks canary-connected proxy pods, and gives every istiod pod its ports. Returns the layout.
 */
export function installIstiod(mesh: MeshModel, parts: IstiodSpecParts, opts: IstiodSandboxOptions = {}): IstiodLayout {
  const layout = istiodLayout(mesh, opts)
  const def = defaultIstiodNames(mesh)
  const version = mesh.istio.version
  const rev = mesh.istio.revision
  const image = `docker.io/istio/pilot:${version}`
  const discovery = (): SandboxPod['containers'] => [{name: 'discovery', image, ports: ISTIOD_PORTS.map((p) => ({containerPort: p, protocol: 'TCP'}))}]
  const decorate = (p: SandboxPod, r: IstiodReplica, age: number): void => {
    p.labels = {...p.labels, ...ISTIOD_LABELS, 'istio.io/rev': r.revision}
    p.annotations = {...p.annotations, ...ISTIOD_ANNOTATIONS}
    p.ports = {...p.ports, ...istiodPorts(new IstiodReplicaServer(mesh, layout, r))}
    p.ageSeconds = age
  }

  const defaults = layout.replicas.filter((r) => r.revision === rev)
  if (!def.workload) {
    const labels = {app: 'istiod', istio: 'pilot', 'istio.io/rev': rev}
    const containers = [{name: 'discovery', image}]
    parts.deployments.push({name: 'istiod', namespace: ISTIO_NAMESPACE, labels, selector: {app: 'istiod', istio: 'pilot'}, replicas: defaults.length, containers, ageSeconds: ISTIOD_AGE})
    parts.replicasets.push({
      name: def.rs,
      namespace: ISTIO_NAMESPACE,
      labels: {...labels, 'pod-template-hash': def.hash},
      selector: {app: 'istiod', istio: 'pilot', 'pod-template-hash': def.hash},
      replicas: defaults.length,
      containers,
      ownerReferences: [{apiVersion: APPS_V1, kind: 'Deployment', name: 'istiod'}],
      ageSeconds: ISTIOD_AGE,
    })
    parts.services.push(istiodService('istiod', rev, '10.96.5.10', ISTIOD_AGE, {app: 'istiod', istio: 'pilot'}))
  } else {
    for (const list of [parts.deployments, parts.replicasets]) {
      for (const w of list) {
        if (w.namespace === ISTIO_NAMESPACE && (w.name === def.workload.name || w.name === def.rs)) {
          w.replicas = defaults.length
          w.readyReplicas = defaults.length
        }
      }
    }
  }
  for (const r of defaults) {
    let pod = parts.pods.find((p) => p.namespace === ISTIO_NAMESPACE && p.name === r.pod)
    if (!pod) {
      pod = {
        name: r.pod,
        namespace: ISTIO_NAMESPACE,
        labels: {app: 'istiod', istio: 'pilot', 'istio.io/rev': rev, 'pod-template-hash': def.hash},
        ip: r.ip,
        ownerReferences: [{apiVersion: APPS_V1, kind: 'ReplicaSet', name: def.rs}],
        containers: discovery(),
      }
      parts.pods.push(pod)
    }
    decorate(pod, r, r.fromModel || r.pod === ADDED_ISTIOD.pod ? ISTIOD_AGE : ISTIOD_AGE - 3600 * (1 + (hash32(r.pod) % 20)))
  }

  const canary = layout.replicas.find((r) => r.revision === CANARY_REVISION)
  if (canary) {
    const n = canaryNames()
    const labels = {app: 'istiod', istio: 'pilot', 'istio.io/rev': CANARY_REVISION}
    const selector = {app: 'istiod', 'istio.io/rev': CANARY_REVISION}
    const containers = [{name: 'discovery', image}]
    parts.deployments.push({name: n.deploy, namespace: ISTIO_NAMESPACE, labels, selector, replicas: 1, containers, ageSeconds: CANARY_AGE})
    parts.replicasets.push({
      name: n.rs,
      namespace: ISTIO_NAMESPACE,
      labels: {...labels, 'pod-template-hash': n.hash},
      selector: {...selector, 'pod-template-hash': n.hash},
      replicas: 1,
      containers,
      ownerReferences: [{apiVersion: APPS_V1, kind: 'Deployment', name: n.deploy}],
      ageSeconds: CANARY_AGE,
    })
    const pod: SandboxPod = {
      name: canary.pod,
      namespace: ISTIO_NAMESPACE,
      labels: {...labels, 'pod-template-hash': n.hash},
      ip: canary.ip,
      ownerReferences: [{apiVersion: APPS_V1, kind: 'ReplicaSet', name: n.rs}],
      containers: discovery(),
    }
    decorate(pod, canary, CANARY_AGE)
    parts.pods.push(pod)
    parts.services.push(istiodService('istiod-canary', CANARY_REVISION, '10.96.5.11', CANARY_AGE, selector))
    for (const p of layout.proxies) {
      if (p.revision !== CANARY_REVISION) continue
      const pod = parts.pods.find((x) => x.namespace === p.namespace && x.name === p.pod)
      if (!pod?.annotations) continue
      const a: Record<string, string> = {...pod.annotations, 'istio.io/rev': CANARY_REVISION}
      const status = a['sidecar.istio.io/status']
      if (status) a['sidecar.istio.io/status'] = status.replace(/"revision":"[^"]*"/, `"revision":"${CANARY_REVISION}"`)
      pod.annotations = a
    }
  }
  return layout
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * What the full layout gives Bookinfo (`bookinfoSandboxSpec({istiod: 'full'})`); test/sandbox/istiod.test.ts checks
 * it against istiodLayout(bookinfo(), {mode: 'full'}).
 */
export const BOOKINFO_ISTIOD = {
  namespace: ISTIO_NAMESPACE,
  /** default revision (`istio.io/rev=default`): the model's pod, then the added replica */
  pods: ['istiod-564d54fb85-rb5rb', 'istiod-564d54fb85-6d4sp'],
  /** `istio.io/rev=canary` */
  canaryPod: 'istiod-canary-cc58c4485-2vkhv',
  /** istiod's dump has an extra cluster and a changed route timeout (connected to pods[0], CDS and RDS STALE) */
  diverged: 'productpage-v1-79756db444-l8d6g.default',
  /** connected to no istiod */
  disconnected: 'tcp-echo-v1-65c98d4899-t5xrc.foo',
  /** proxy ID -> [istiod pod, profile] (PROFILE_STATES says which types that makes non-SYNCED) */
  proxies: {
    'details-v1-6c558c5844-jcwv8.default': ['istiod-564d54fb85-rb5rb', 'synced'],
    'httpbin-v1-69f6c5b97f-mgmkt.foo': ['istiod-canary-cc58c4485-2vkhv', 'synced'],
    'inventory-v1-888bc4cdf-6c9bk.foo': ['istiod-canary-cc58c4485-2vkhv', 'stale'],
    'inventory-v1-888bc4cdf-ptbg4.foo': ['istiod-canary-cc58c4485-2vkhv', 'never-acked'],
    'istio-ingressgateway-658d7657d4-j24sn.istio-system': ['istiod-564d54fb85-6d4sp', 'synced'],
    'productpage-v1-79756db444-l8d6g.default': ['istiod-564d54fb85-rb5rb', 'stale'],
    'ratings-v1-5f98446588-5zrjn.default': ['istiod-564d54fb85-6d4sp', 'never-acked'],
    'redis-0.foo': ['istiod-canary-cc58c4485-2vkhv', 'not-sent'],
    'redis-1.foo': ['istiod-canary-cc58c4485-2vkhv', 'error'],
    'reviews-v1-67c9647854-ndshr.default': ['istiod-564d54fb85-rb5rb', 'not-sent'],
    'reviews-v2-79b4679796-px2hv.default': ['istiod-564d54fb85-6d4sp', 'error'],
    'reviews-v3-69558b8894-sg94x.default': ['istiod-564d54fb85-rb5rb', 'synced'],
    'sleep-765679d9f4-c8xtg.foo': ['istiod-canary-cc58c4485-2vkhv', 'synced'],
  } as Record<string, readonly [string, Profile]>,
} as const
