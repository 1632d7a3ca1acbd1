/**
 * The config graph: one index of a proxy's configuration (listeners, filter chains, route configurations, virtual
 * hosts, routes, clusters, endpoints, secrets) with the references between them. `trace` walks it, `check`
 * validates its edges, `diff` compares its nodes: one model of a dump, not three.
 *
 * Built from a decoded `/config_dump` (and optionally a `/clusters?format=json` answer for live host health). Pure
 * and lazy: each section is decoded and indexed the first time something asks for it, so a trace that needs only
 * listeners and routes never decodes the clusters of a 100 MB dump twice, nor its secrets at all.
 *
 * Which copies take traffic (docs/envoy-request-path.md §1, §12 trap 9): only a listener's `active_state` (or a
 * static listener); `warming_state`, `draining_state` and `error_state` are kept and labelled but never routed
 * to. Clusters in `dynamic_warming_clusters` are not yet usable (a route to one gets 503 NC). An absent
 * EndpointsConfigDump means "endpoints unknown", not "no endpoints" (trap 23). Inline route configurations are
 * resolved from their connection manager, not from `static_route_configs`, where names repeat (trap 24).
 */
import type {ClustersStatus, ConfigDump} from '../envoy/document.js'
import {eitherSpelling, type Projection} from '../envoy/split.js'
import {get, getArray, getNumber, getObject, getString, isObject, type Json, type JsonObject, toCamel} from '../envoy/fields.js'
import {
  type ClusterRef,
  clusterTransportSockets,
  filterConfig,
  filterLabel,
  type NetworkFilterKind,
  networkFilterKind,
  type RouteSpecifier,
  routeClusterRefs,
  routeSpecifier,
  sdsSecretNames,
  tcpProxyClusters,
} from './refs.js'

/** Envoy's bookkeeping of one resource: which version, when, and whether its last update was rejected. */
export interface ResourceMeta {
  versionInfo?: string
  lastUpdated?: string
  /** the update Envoy rejected (`error_state`): its details and when it was attempted */
  error?: {details: string; lastUpdateAttempt?: string}
}

export type ListenerState = 'static' | 'active' | 'warming' | 'draining' | 'error'

export interface ListenerNode {
  readonly type: 'listener'
  name: string
  /** where this copy sits; one name may have several copies (an active one and a warming replacement) */
  state: ListenerState
  raw: JsonObject
  address: string
  port: number
  meta: ResourceMeta
  chains: ChainNode[]
  defaultChain?: ChainNode
}

export interface ChainNode {
  readonly type: 'filterChain'
  listener: string
  /** position in `filter_chains`; -1 for the default chain */
  index: number
  /** the chain's name, else `#<index>` / `default` */
  name: string
  raw: JsonObject
  /** the last network filter, which decides (docs/envoy-request-path.md §5.1) */
  terminal: TerminalFilter
  /** names of the network filters before the terminal one, in order */
  before: string[]
  /** SDS secrets the chain's transport socket asks for */
  secretRefs: string[]
}

export type TerminalFilter =
  | {kind: 'http_connection_manager'; name: string; config: JsonObject; routes: RouteSpecifier}
  | {kind: 'tcp_proxy'; name: string; config: JsonObject; clusters: Array<{name: string; weight?: number}>}
  | {kind: Exclude<NetworkFilterKind, 'http_connection_manager' | 'tcp_proxy'> | 'other'; name: string; config?: JsonObject}
  | {kind: 'none'; name: ''}

export type RouteConfigOrigin = 'rds' | 'static' | 'inline'

export interface RouteConfigNode {
  readonly type: 'routeConfig'
  name: string
  origin: RouteConfigOrigin
  /** for an inline configuration, the listener and chain that hold it */
  owner?: {listener: string; chain: string}
  raw: JsonObject
  meta: ResourceMeta
  virtualHosts: VirtualHostNode[]
}

export interface VirtualHostNode {
  readonly type: 'virtualHost'
  routeConfig: string
  index: number
  name: string
  domains: string[]
  raw: JsonObject
  routes: RouteNode[]
}

export interface RouteNode {
  readonly type: 'route'
  routeConfig: string
  virtualHost: string
  index: number
  /** the route's name, else `#<index>` */
  name: string
  raw: JsonObject
  clusterRefs: ClusterRef[]
}

export type ClusterState = 'static' | 'active' | 'warming'

export interface ClusterNode {
  readonly type: 'cluster'
  name: string
  state: ClusterState
  raw: JsonObject
  meta: ResourceMeta
  /** STATIC, STRICT_DNS, LOGICAL_DNS, EDS, ORIGINAL_DST, or the cluster_type extension's name */
  discovery: string
  /** the name its EDS resource goes by (`eds_cluster_config.service_name`, else the cluster name) */
  edsName: string
  secretRefs: string[]
}

/** One upstream host of a cluster, as EDS (or a static load_assignment) gives it, with live health when known. */
export interface HostNode {
  address: string
  port: number
  priority: number
  locality: string
  weight?: number
  /** EDS health_status (UNKNOWN when absent) */
  edsHealth: string
  /** live health from `/clusters`: failed flags (e.g. `failed_outlier_check`), empty when healthy */
  failed?: string[]
  /** `/clusters` said so, or only EDS did */
  healthSource: 'eds' | 'clusters'
  metadata?: JsonObject
}

export interface EndpointsNode {
  readonly type: 'endpoints'
  cluster: string
  /** where the hosts come from */
  source: 'eds' | 'load_assignment' | 'clusters'
  raw?: JsonObject
  hosts: HostNode[]
  overprovisioningFactor: number
}

export type SecretState = 'static' | 'active' | 'warming'

export interface SecretNode {
  readonly type: 'secret'
  name: string
  state: SecretState
  raw: JsonObject
  meta: ResourceMeta
}

export type NodeType = 'listener' | 'filterChain' | 'routeConfig' | 'virtualHost' | 'route' | 'cluster' | 'endpoints' | 'secret' | 'scopedRoutes'

/** A reference from one resource to another, and whether the dump has what it names. */
export interface Edge {
  from: {type: NodeType; name: string}
  to: {type: NodeType; name: string}
  /** how the reference is made: `rds`, `route.cluster`, `weighted_clusters`, `mirror`, `tcp_proxy`, `sds` ... */
  via: string
  /** the target exists in a usable state */
  resolved: boolean
  /** the target exists but is not usable yet (warming) */
  targetState?: string
}

function metaOf(entry: Json): ResourceMeta {
  const meta: ResourceMeta = {}
  const v = getString(entry, 'version_info')
  if (v !== '') meta.versionInfo = v
  const t = getString(entry, 'last_updated')
  if (t !== '') meta.lastUpdated = t
  const err = getObject(entry, 'error_state')
  if (err) {
    const details = getString(err, 'details')
    const attempt = getString(err, 'last_update_attempt')
    meta.error = attempt !== '' ? {details, lastUpdateAttempt: attempt} : {details}
  }
  return meta
}

function socketAddress(addr: Json | undefined): {address: string; port: number} {
  const sock = getObject(addr, 'socket_address')
  if (sock) return {address: getString(sock, 'address'), port: getNumber(sock, 'port_value')}
  const pipe = getObject(addr, 'pipe')
  if (pipe) return {address: getString(pipe, 'path'), port: 0}
  const internal = getObject(addr, 'envoy_internal_address')
  if (internal) return {address: `envoy://${getString(internal, 'server_listener_name')}`, port: 0}
  return {address: '', port: 0}
}

function chainNode(listener: string, raw: JsonObject, index: number): ChainNode {
  const filters = getArray(raw, 'filters')
  const last = filters.length > 0 ? filters[filters.length - 1] : undefined
  let terminal: TerminalFilter
  if (last === undefined) terminal = {kind: 'none', name: ''}
  else {
    const kind = networkFilterKind(last)
    const config = filterConfig(last)
    const name = filterLabel(last)
    if (kind === 'http_connection_manager' && config) terminal = {kind, name, config, routes: routeSpecifier(config)}
    else if (kind === 'tcp_proxy' && config) terminal = {kind, name, config, clusters: tcpProxyClusters(config)}
    else terminal = {kind: kind && kind !== 'http_connection_manager' && kind !== 'tcp_proxy' ? kind : 'other', name, config}
  }
  const chainName = getString(raw, 'name') || (index < 0 ? 'default' : `#${index}`)
  return {
    type: 'filterChain',
    listener,
    index,
    name: chainName,
    raw,
    terminal,
    before: filters.slice(0, -1).map(filterLabel),
    secretRefs: sdsSecretNames(get(raw, 'transport_socket') ?? null),
  }
}

function listenerNode(raw: JsonObject, state: ListenerState, meta: ResourceMeta, fallbackName: string): ListenerNode {
  const name = getString(raw, 'name') || fallbackName
  const {address, port} = socketAddress(get(raw, 'address'))
  const chains = getArray(raw, 'filter_chains')
    .filter(isObject)
    .map((c, i) => chainNode(name, c, i))
  const def = getObject(raw, 'default_filter_chain')
  return {type: 'listener', name, state, raw, address, port, meta, chains, defaultChain: def ? chainNode(name, def, -1) : undefined}
}

/**
 * A route; its cluster references found when asked (diff never follows them). A class: an object literal with a
 * getter of its own would need a map of its own (dictionary mode), for each of a sidecar's 10,000 routes.
 */
class Route implements RouteNode {
  readonly type = 'route'
  private refs?: ClusterRef[]
  constructor(
    readonly routeConfig: string,
    readonly virtualHost: string,
    readonly index: number,
    readonly name: string,
    readonly raw: JsonObject,
  ) {}
  get clusterRefs(): ClusterRef[] {
    this.refs ??= routeClusterRefs(this.raw)
    return this.refs
  }
}

function routeConfigNode(raw: JsonObject, origin: RouteConfigOrigin, meta: ResourceMeta, owner?: RouteConfigNode['owner']): RouteConfigNode {
  const name = getString(raw, 'name')
  const virtualHosts = getArray(raw, 'virtual_hosts')
    .filter(isObject)
    .map((vh, vi): VirtualHostNode => {
      const vhName = getString(vh, 'name') || `#${vi}`
      return {
        type: 'virtualHost',
        routeConfig: name,
        index: vi,
        name: vhName,
        domains: getArray(vh, 'domains').filter((d): d is string => typeof d === 'string'),
        raw: vh,
        routes: getArray(vh, 'routes')
          .filter(isObject)
          .map((r, ri) => new Route(name, vhName, ri, getString(r, 'name') || `#${ri}`, r)),
      }
    })
  return {type: 'routeConfig', name, origin, owner, raw, meta, virtualHosts}
}

/** Cluster discovery type: the oneof `type`, or the `cluster_type` extension's name; proto3 omits STATIC. */
function discoveryOf(raw: JsonObject): string {
  const t = get(raw, 'type')
  if (typeof t === 'string' && t !== '') return t
  const ext = getObject(raw, 'cluster_type')
  if (ext) return getString(ext, 'name') || 'extension'
  return 'STATIC'
}

const HEALTH_FLAGS = [
  'failed_active_health_check',
  'failed_outlier_check',
  'failed_active_degraded_check',
  'pending_dynamic_removal',
  'pending_active_hc',
  'excluded_via_immediate_hc_fail',
  'active_hc_timeout',
]

function localityText(loc: Json | undefined): string {
  if (!isObject(loc)) return ''
  // region/zone/sub_zone, the empty ones left out (without an array per locality group: 12,800 of them in a large dump)
  let out = getString(loc, 'region')
  const zone = getString(loc, 'zone')
  if (zone !== '') out = out === '' ? zone : `${out}/${zone}`
  const sub = getString(loc, 'sub_zone')
  if (sub !== '') out = out === '' ? sub : `${out}/${sub}`
  return out
}

/** One cluster's hosts in `/clusters`, by `address:port`: the health flags set, EDS health, priority, locality, weight. */
type LiveHosts = Map<string, {failed: string[]; eds: string; priority: number; locality: string; weight?: number}>

function liveHosts(cs: JsonObject): LiveHosts {
  const hosts: LiveHosts = new Map()
  for (const h of getArray(cs, 'host_statuses')) {
    const {address, port} = socketAddress(get(h, 'address'))
    const hs = getObject(h, 'health_status')
    const failed = HEALTH_FLAGS.filter((f) => get(hs, f) === true)
    const w = get(h, 'weight')
    hosts.set(`${address}:${port}`, {failed, eds: getString(hs, 'eds_health_status') || 'UNKNOWN', priority: getNumber(h, 'priority'), locality: localityText(get(h, 'locality')), weight: w === undefined ? undefined : Number(w)})
  }
  return hosts
}

function hostsOfAssignment(cla: JsonObject): HostNode[] {
  const hosts: HostNode[] = []
  for (const group of getArray(cla, 'endpoints')) {
    const lbs = getArray(group, 'lb_endpoints')
    if (lbs.length === 0) continue
    const priority = getNumber(group, 'priority')
    const locality = localityText(get(group, 'locality'))
    for (const lb of lbs) {
      const {address, port} = socketAddress(get(getObject(lb, 'endpoint'), 'address'))
      const w = get(lb, 'load_balancing_weight')
      const md = getObject(lb, 'metadata')
      const host: HostNode = {address, port, priority, locality, edsHealth: getString(lb, 'health_status') || 'UNKNOWN', healthSource: 'eds'}
      if (w !== undefined) host.weight = Number(w)
      if (md) host.metadata = md
      hosts.push(host)
    }
  }
  return hosts
}

function overprovisioning(cla: JsonObject | undefined): number {
  const v = get(getObject(cla, 'policy'), 'overprovisioning_factor')
  return v === undefined ? 140 : Number(v)
}

/** The time a saved dump was taken, as far as the dump tells: its most recent `last_updated`. */
function latestTimestamp(values: Iterable<string | undefined>): string | undefined {
  let best: string | undefined
  let bestMs = -Infinity
  for (const v of values) {
    if (!v) continue
    const ms = Date.parse(v)
    if (Number.isFinite(ms) && ms > bestMs) {
      bestMs = ms
      best = v
    }
  }
  return best
}

/**
 * A lean graph (trace's) indexes clusters, EDS assignments and RDS route configurations by name from a projection
 * that decodes little more than the name and keeps each resource's byte range (`@range`, split.ts); a resource is
 * decoded whole only when the walk asks for it. On a 10,000-service dump the walk then decodes one route
 * configuration, a cluster or two and one assignment, not 120 MB of them. Where the input cannot be cut that way
 * (compact JSON, YAML, an already decoded section), the projection gives whole resources, used as they are.
 */
const LEAN_CLUSTER_ENTRY: Projection = {cluster: {name: true, type: true, cluster_type: true, eds_cluster_config: {service_name: true}}, last_updated: true, version_info: true, '@range': true}
const LEAN_CLUSTERS = eitherSpelling({static_clusters: [LEAN_CLUSTER_ENTRY], dynamic_active_clusters: [LEAN_CLUSTER_ENTRY], dynamic_warming_clusters: [LEAN_CLUSTER_ENTRY]})
const LEAN_EDS_ENTRY: Projection = {endpoint_config: {cluster_name: true}, '@range': true}
const LEAN_EDS = eitherSpelling({static_endpoint_configs: [LEAN_EDS_ENTRY], dynamic_endpoint_configs: [LEAN_EDS_ENTRY]})
const LEAN_RDS_ENTRY: Projection = {route_config: {name: true}, last_updated: true, version_info: true, '@range': true}
const LEAN_RDS = eitherSpelling({static_route_configs: [LEAN_RDS_ENTRY], dynamic_route_configs: [LEAN_RDS_ENTRY]})

/** An EDS resource (a ClusterLoadAssignment, or how to get it): hosts read only when asked for. */
function edsNode(assignment: JsonObject | (() => JsonObject), name?: string): EndpointsNode {
  const cla = typeof assignment === 'function' ? assignment : () => assignment
  let hosts: HostNode[] | undefined
  return {
    type: 'endpoints',
    cluster: name ?? getString(cla(), 'cluster_name'),
    source: 'eds',
    get raw(): JsonObject {
      return cla()
    },
    // diff reads the raw assignment only; endpointsOf copies the hosts
    get hosts(): HostNode[] {
      hosts ??= hostsOfAssignment(cla())
      return hosts
    },
    get overprovisioningFactor(): number {
      return overprovisioning(cla())
    },
  }
}

/**
 * A compact graph's EDS resource: its hosts and overprovisioning factor read when its assignment was decoded, which
 * was then let go (`raw` decodes it again when asked). A class, not an object literal with a getter: 12,800 of those
 * would each need a map of their own (dictionary mode, half a kilobyte apiece).
 */
class CompactEndpoints implements EndpointsNode {
  readonly type = 'endpoints'
  readonly source = 'eds'
  private decoded?: Json
  constructor(
    private readonly dump: ConfigDump,
    private readonly start: number,
    private readonly end: number,
    readonly cluster: string,
    readonly hosts: HostNode[],
    readonly overprovisioningFactor: number,
  ) {}
  get raw(): JsonObject {
    this.decoded ??= this.dump.decodeRange('endpoints', this.start, this.end) ?? null
    return getObject(this.decoded, 'endpoint_config') ?? {}
  }
}

/** Whether a reference resolves (edges): one of three values, shared by every edge. */
interface Resolution {
  resolved: boolean
  targetState?: string
}
const RESOLVED: Resolution = {resolved: true}
const WARMING: Resolution = {resolved: false, targetState: 'warming'}
const MISSING: Resolution = {resolved: false}

/** An edge; `targetState` only when the target is there but not usable. */
function edge(from: Edge['from'], to: Edge['to'], via: string, r: Resolution): Edge {
  return r.targetState === undefined ? {from, to, via, resolved: r.resolved} : {from, to, via, resolved: r.resolved, targetState: r.targetState}
}

/** A compact graph's cluster: what check reads, taken from the decoded entry, which was then let go (see CompactEndpoints). */
class CompactCluster implements ClusterNode {
  readonly type = 'cluster'
  private decoded?: Json
  constructor(
    private readonly dump: ConfigDump,
    private readonly start: number,
    private readonly end: number,
    readonly name: string,
    readonly state: ClusterState,
    readonly meta: ResourceMeta,
    readonly discovery: string,
    readonly edsName: string,
    readonly secretRefs: string[],
    /** a non-EDS cluster's own load_assignment (endpointsOf reads it; an EDS cluster's is not used) */
    readonly inlineAssignment: JsonObject | undefined,
  ) {}
  get raw(): JsonObject {
    this.decoded ??= this.dump.decodeRange('clusters', this.start, this.end) ?? null
    return getObject(this.decoded, 'cluster') ?? {}
  }
}

const CLUSTER_FIELDS = ['static_clusters', 'dynamic_active_clusters', 'dynamic_warming_clusters'] as const
const EDS_FIELDS = ['static_endpoint_configs', 'dynamic_endpoint_configs'] as const

const clusterState = (field: string): ClusterState => (field === 'static_clusters' ? 'static' : field === 'dynamic_warming_clusters' ? 'warming' : 'active')

/** A lean entry's whole value: decoded from its `@range` on first use, or the entry itself when it came whole. */
function wholeEntry(dump: ConfigDump, kind: 'clusters' | 'endpoints' | 'routes', entry: Json): () => Json {
  const range = get(entry, '@range')
  if (!Array.isArray(range)) return () => entry
  let whole: Json | undefined
  return () => {
    whole ??= dump.decodeRange(kind, Number(range[0]), Number(range[1])) ?? null
    return whole
  }
}

export interface GraphOptions {
  /** decode only the cluster fields routing uses (trace); check and diff read clusters whole */
  lean?: boolean
  /**
   * index clusters and EDS assignments as their sections stream by, each resource decoded once and reduced to its
   * node (names, states, discovery, secret references, hosts), its decoded value let go and decoded again from its
   * bytes only if `raw` is asked for (check, which reads the nodes of every resource but the raw of none: on a
   * 10,000-service dump the 90 MB of clusters and endpoints never sit in memory as objects, which made most of its
   * garbage collection). A reader of every `raw` (diff) is better served by the default.
   */
  compact?: boolean
}

/** The arrays of a ClustersConfigDump and of an EndpointsConfigDump, every element whole (compact indexing). */
const CLUSTER_ARRAYS = eitherSpelling({static_clusters: [true], dynamic_active_clusters: [true], dynamic_warming_clusters: [true]})
const EDS_ARRAYS = eitherSpelling({static_endpoint_configs: [true], dynamic_endpoint_configs: [true]})

/**
 * A section's elements streamed by ConfigDump.streamSection, each reduced by `reduce` as it comes (the element is not
 * kept), in the order the graph indexes them: section by section, field by field as `fields` lists them, whatever
 * order the section's members come in. undefined when the section could not be streamed.
 */
function streamed<T>(dump: ConfigDump, kind: 'clusters' | 'endpoints', p: Projection, fields: readonly string[], reduce: (field: string, entry: Json, range: [number, number]) => T | undefined): T[] | undefined {
  // per section, per field
  const sections: T[][][] = []
  // each field's index by either spelling, looked up once per element
  const index = new Map<string, number>()
  fields.forEach((x, i) => {
    // the first field either spelling names wins, as a search of `fields` in order would
    if (!index.has(x)) index.set(x, i)
    if (!index.has(toCamel(x))) index.set(toCamel(x), i)
  })
  const ok = dump.streamSection(kind, p, (key, entry, start, end, section) => {
    const f = index.get(key)
    if (f === undefined) return
    const node = reduce(fields[f]!, entry, [start, end])
    if (node === undefined) return
    sections[section] ??= fields.map(() => [])
    sections[section][f]!.push(node)
  })
  return ok ? sections.flat(2) : undefined
}

export class ConfigGraph {
  private listenerList?: ListenerNode[]
  private routeConfigMap?: Map<string, RouteConfigNode>
  private clusterMap?: Map<string, ClusterNode[]>
  private endpointMap?: Map<string, EndpointsNode> | null
  private secretMap?: Map<string, SecretNode[]>
  private readonly clusterLookups = new Map<string, ClusterNode[] | null>()
  private readonly edsLookups = new Map<string, EndpointsNode | null>()
  private readonly routeLookups = new Map<string, RouteConfigNode | null>()
  /** one string for each secret name compact cluster nodes hold (a few distinct names, 12,800 clusters) */
  private readonly secretNames = new Map<string, string>()
  private liveHealth?: Map<string, LiveHosts>
  private readonly liveLookups = new Map<string, LiveHosts | null>()

  constructor(
    readonly dump: ConfigDump,
    readonly status?: ClustersStatus,
    readonly options: GraphOptions = {},
  ) {}

  // ------------------------------------------------------------------ node (bootstrap)

  /** The proxy's identity from the bootstrap: node id, cluster, Istio metadata (empty when the dump has none). */
  get node(): {id: string; cluster: string; metadata: JsonObject; envoyVersion: string; istioVersion: string} {
    const boot = getObject(this.dump.section('bootstrap'), 'bootstrap')
    const node = getObject(boot, 'node')
    const metadata = getObject(node, 'metadata') ?? {}
    const bv = getObject(node, 'user_agent_build_version')
    const ver = getObject(bv, 'version')
    const envoyVersion = ver ? [getNumber(ver, 'major_number'), getNumber(ver, 'minor_number'), getNumber(ver, 'patch')].join('.') : ''
    return {id: getString(node, 'id'), cluster: getString(node, 'cluster'), metadata, envoyVersion, istioVersion: getString(metadata, 'ISTIO_VERSION')}
  }

  // ------------------------------------------------------------------ listeners

  /** Every listener copy in the dump (all states), in dump order: static, then dynamic. */
  get listeners(): ListenerNode[] {
    if (this.listenerList) return this.listenerList
    const out: ListenerNode[] = []
    for (const section of this.dump.sections('listeners')) {
      for (const s of getArray(section, 'static_listeners')) {
        const l = getObject(s, 'listener')
        if (l) out.push(listenerNode(l, 'static', metaOf(s), ''))
      }
      for (const d of getArray(section, 'dynamic_listeners')) {
        const name = getString(d, 'name')
        for (const [field, state] of [
          ['active_state', 'active'],
          ['warming_state', 'warming'],
          ['draining_state', 'draining'],
        ] as const) {
          const st = getObject(d, field)
          const l = getObject(st, 'listener')
          if (l) out.push(listenerNode(l, state, metaOf(st ?? null), name))
        }
        const err = getObject(d, 'error_state')
        if (err) {
          const failed = getObject(err, 'failed_configuration')
          // the rejected listener, decoded from its Any; a dump may carry only the details
          const l = isObject(failed) ? failed : {name}
          const node = listenerNode(l as JsonObject, 'error', metaOf(d), name)
          out.push(node)
        }
      }
    }
    this.listenerList = out
    return out
  }

  /** The listeners that take connections: static and active copies. */
  get activeListeners(): ListenerNode[] {
    return this.listeners.filter((l) => l.state === 'static' || l.state === 'active')
  }

  /** The active copy of a listener by name. */
  listener(name: string): ListenerNode | undefined {
    return this.activeListeners.find((l) => l.name === name)
  }

  // ------------------------------------------------------------------ routes

  /** RDS and static route configurations by name (inline ones are reached through their chain: inlineRouteConfig). */
  get routeConfigs(): Map<string, RouteConfigNode> {
    if (this.routeConfigMap) return this.routeConfigMap
    const m = new Map<string, RouteConfigNode>()
    const node = (entry: Json, origin: RouteConfigOrigin): RouteConfigNode | undefined => {
      const rc = getObject(entry, 'route_config')
      if (!rc) return undefined
      if (!this.options.lean) return routeConfigNode(rc, origin, metaOf(entry))
      const whole = wholeEntry(this.dump, 'routes', entry)
      let full: RouteConfigNode | undefined
      const load = (): RouteConfigNode => {
        full ??= routeConfigNode(getObject(whole(), 'route_config') ?? rc, origin, metaOf(entry))
        return full
      }
      return {
        type: 'routeConfig',
        name: getString(rc, 'name'),
        origin,
        meta: metaOf(entry),
        get raw(): JsonObject {
          return load().raw
        },
        get virtualHosts(): VirtualHostNode[] {
          return load().virtualHosts
        },
      }
    }
    const sections = this.options.lean ? [this.dump.sectionProjected('routes', LEAN_RDS)].filter((x) => x !== undefined) : this.dump.sections('routes')
    for (const section of sections) {
      for (const s of getArray(section, 'static_route_configs')) {
        const n = node(s, 'static')
        if (n && !m.has(n.name)) m.set(n.name, n)
      }
      for (const d of getArray(section, 'dynamic_route_configs')) {
        // a dynamic configuration wins over a static echo of the same name
        const n = node(d, 'rds')
        if (n) m.set(n.name, n)
      }
    }
    this.routeConfigMap = m
    return m
  }

  /** An RDS (or static) route configuration by name; a lean graph looks it up without indexing every one. */
  routeConfig(name: string): RouteConfigNode | undefined {
    if (this.routeConfigMap || !this.options.lean) return this.routeConfigs.get(name)
    let cached = this.routeLookups.get(name)
    if (cached === undefined) {
      const hits = this.lookup('routes', ['static_route_configs', 'dynamic_route_configs'], 'route_config', 'name', name)
      // a dynamic configuration wins over a static echo of the same name
      const hit = hits?.find((h) => h.field === 'dynamic_route_configs') ?? hits?.[0]
      cached = hit ? routeConfigNode(getObject(hit.entry, 'route_config')!, hit.field === 'dynamic_route_configs' ? 'rds' : 'static', metaOf(hit.entry)) : (this.routeConfigs.get(name) ?? null)
      this.routeLookups.set(name, cached)
    }
    return cached ?? undefined
  }

  /** The route configuration an HTTP chain uses: RDS by name, or its inline one. Undefined when RDS names one the dump lacks. */
  routeConfigOf(chain: ChainNode): RouteConfigNode | undefined {
    const t = chain.terminal
    if (t.kind !== 'http_connection_manager') return undefined
    if (t.routes.kind === 'rds') return this.routeConfig(t.routes.name)
    if (t.routes.kind === 'inline') return routeConfigNode(t.routes.routeConfig, 'inline', {}, {listener: chain.listener, chain: chain.name})
    return undefined
  }

  /** Scoped route configurations (SRDS) in the dump, dynamic and inline. */
  get scopedRoutes(): JsonObject[] {
    const out: JsonObject[] = []
    for (const section of this.dump.sections('scopedRoutes')) {
      for (const d of [...getArray(section, 'dynamic_scoped_route_configs'), ...getArray(section, 'inline_scoped_route_configs')]) {
        for (const c of getArray(d, 'scoped_route_configs')) if (isObject(c)) out.push(c)
      }
    }
    return out
  }

  // ------------------------------------------------------------------ clusters and endpoints

  /** A cluster node from its dump entry; in a lean graph the entry may hold only the indexed fields (clusterNode). */
  private clusterNode(entry: Json, state: ClusterState, range?: [number, number]): ClusterNode | undefined {
    const indexed = getObject(entry, 'cluster')
    if (!indexed) return undefined
    const name = getString(indexed, 'name')
    const edsName = getString(getObject(indexed, 'eds_cluster_config'), 'service_name') || name
    if (range) return this.compactClusterNode(entry, indexed, state, range, name, edsName)
    const whole = this.options.lean ? wholeEntry(this.dump, 'clusters', entry) : undefined
    let secretRefs: string[] | undefined
    const node: ClusterNode = {
      type: 'cluster',
      name,
      state,
      get raw(): JsonObject {
        return whole ? (getObject(whole(), 'cluster') ?? indexed) : indexed
      },
      meta: metaOf(entry),
      discovery: discoveryOf(indexed),
      edsName,
      // found when asked (edges): a reader that never follows references (diff) does not pay for it
      get secretRefs(): string[] {
        secretRefs ??= clusterTransportSockets(node.raw).flatMap(sdsSecretNames)
        return secretRefs
      },
    }
    return node
  }

  /** A compact graph's cluster node (CompactCluster), its secret names shared between the clusters that name them. */
  private compactClusterNode(entry: Json, indexed: JsonObject, state: ClusterState, range: [number, number], name: string, edsName: string): ClusterNode {
    const discovery = discoveryOf(indexed)
    const secretRefs = clusterTransportSockets(indexed)
      .flatMap(sdsSecretNames)
      .map((n) => {
        const known = this.secretNames.get(n)
        if (known !== undefined) return known
        this.secretNames.set(n, n)
        return n
      })
    const inline = discovery === 'EDS' ? undefined : getObject(indexed, 'load_assignment')
    return new CompactCluster(this.dump, range[0], range[1], name, state, metaOf(entry), discovery, edsName === name ? name : edsName, secretRefs, inline)
  }

  /** A cluster's own load_assignment, without decoding a compact node's cluster again. */
  private inlineAssignment(cluster: ClusterNode): JsonObject | undefined {
    return cluster instanceof CompactCluster ? cluster.inlineAssignment : getObject(cluster.raw, 'load_assignment')
  }

  /** Every cluster copy by name (a name may be active and warming at once). */
  get clusterCopies(): Map<string, ClusterNode[]> {
    if (this.clusterMap) return this.clusterMap
    const m = new Map<string, ClusterNode[]>()
    const insert = (node: ClusterNode | undefined): void => {
      if (!node) return
      const list = m.get(node.name)
      if (list) list.push(node)
      else m.set(node.name, [node])
    }
    const stream = this.options.compact && !this.options.lean ? streamed(this.dump, 'clusters', CLUSTER_ARRAYS, CLUSTER_FIELDS, (field, entry, range) => this.clusterNode(entry, clusterState(field), range)) : undefined
    if (stream) for (const node of stream) insert(node)
    else {
      const sections = this.options.lean ? [this.dump.sectionProjected('clusters', LEAN_CLUSTERS)].filter((x) => x !== undefined) : this.dump.sections('clusters')
      for (const section of sections) {
        for (const field of CLUSTER_FIELDS) for (const e of getArray(section, field)) insert(this.clusterNode(e, clusterState(field)))
      }
    }
    this.clusterMap = m
    return m
  }

  /**
   * A lean graph's lookup by name: the entries of the arrays `fields` of a section whose `key` field is `name`,
   * found by a byte search for `"<key>": "<name>"` (ConfigDump.findElements) without indexing the section. undefined
   * when that cannot decide (the layout, or nothing found: absence is confirmed through the index).
   */
  private lookup(kind: 'clusters' | 'endpoints' | 'routes', fields: readonly string[], inner: string, key: string, name: string): Array<{field: string; entry: JsonObject}> | undefined {
    if (!this.options.lean) return undefined
    const keys = fields.flatMap((f) => [f, toCamel(f)])
    const value = JSON.stringify(name)
    const found = this.dump.findElements(kind, keys, [...new Set([`"${key}": ${value}`, `"${toCamel(key)}": ${value}`])])
    if (!found) return undefined
    const hits = found.filter((f) => isObject(f.value) && getString(getObject(f.value, inner), key) === name).map((f) => ({field: fields.find((x) => x === f.key || toCamel(x) === f.key)!, entry: f.value as JsonObject}))
    return hits.length > 0 ? hits : undefined
  }

  private clustersNamed(name: string): ClusterNode[] | undefined {
    if (this.clusterMap) return this.clusterMap.get(name)
    let cached = this.clusterLookups.get(name)
    if (cached === undefined) {
      const hits = this.lookup('clusters', CLUSTER_FIELDS, 'cluster', 'name', name)
      cached = hits ? hits.map((h) => this.clusterNode(h.entry, clusterState(h.field))).filter((c) => c !== undefined) : (this.clusterCopies.get(name) ?? null)
      this.clusterLookups.set(name, cached)
    }
    return cached ?? undefined
  }

  /** The usable copy of a cluster (static or active); a warming-only cluster is not usable (503 NC). */
  cluster(name: string): ClusterNode | undefined {
    return this.clustersNamed(name)?.find((c) => c.state !== 'warming')
  }

  /** Any copy of a cluster, usable or not. */
  anyCluster(name: string): ClusterNode | undefined {
    return this.cluster(name) ?? this.clustersNamed(name)?.[0]
  }

  /** The dump has an EndpointsConfigDump (taken with include_eds), or live /clusters health was given. */
  get endpointsKnown(): boolean {
    if (this.status !== undefined) return true
    if (this.options.lean && this.endpointMap === undefined) return this.dump.types.some((t) => t.includes('EndpointsConfigDump'))
    return this.edsIndex() !== null
  }

  /** The EDS resource of a cluster by its EDS name (a lean graph looks it up without indexing the section). */
  private edsFor(name: string): EndpointsNode | undefined {
    if (this.endpointMap === undefined && this.options.lean) {
      let cached = this.edsLookups.get(name)
      if (cached === undefined) {
        const hit = this.lookup('endpoints', ['static_endpoint_configs', 'dynamic_endpoint_configs'], 'endpoint_config', 'cluster_name', name)?.[0]
        cached = hit ? edsNode(getObject(hit.entry, 'endpoint_config')!, name) : (this.edsIndex()?.get(name) ?? null)
        this.edsLookups.set(name, cached)
      }
      return cached ?? undefined
    }
    return this.edsIndex()?.get(name)
  }

  private edsIndex(): Map<string, EndpointsNode> | null {
    if (this.endpointMap !== undefined) return this.endpointMap
    const lean = this.options.lean === true
    const m = new Map<string, EndpointsNode>()
    const stream = this.options.compact && !lean
      ? streamed(this.dump, 'endpoints', EDS_ARRAYS, EDS_FIELDS, (_field, entry, range) => {
          const cla = getObject(entry, 'endpoint_config')
          return cla ? new CompactEndpoints(this.dump, range[0], range[1], getString(cla, 'cluster_name'), hostsOfAssignment(cla), overprovisioning(cla)) : undefined
        })
      : undefined
    if (stream) {
      for (const node of stream) m.set(node.cluster, node)
      this.endpointMap = m
      return m
    }
    const sections = lean ? [this.dump.sectionProjected('endpoints', LEAN_EDS)].filter((x) => x !== undefined) : this.dump.sections('endpoints')
    if (sections.length === 0) {
      this.endpointMap = null
      return null
    }
    for (const section of sections) {
      for (const e of [...getArray(section, 'static_endpoint_configs'), ...getArray(section, 'dynamic_endpoint_configs')]) {
        const indexed = getObject(e, 'endpoint_config')
        if (!indexed) continue
        const name = getString(indexed, 'cluster_name')
        const whole = lean ? wholeEntry(this.dump, 'endpoints', e) : undefined
        m.set(name, edsNode(whole ? () => getObject(whole(), 'endpoint_config') ?? indexed : indexed, name))
      }
    }
    this.endpointMap = m
    return m
  }

  private liveIndex(): Map<string, LiveHosts> | undefined {
    if (!this.status) return undefined
    if (this.liveHealth) return this.liveHealth
    const m = new Map<string, LiveHosts>()
    for (const [, cs] of this.status.statuses('stats')) m.set(getString(cs, 'name'), liveHosts(cs))
    this.liveHealth = m
    return m
  }

  /** A cluster's hosts as `/clusters` reports them; a lean graph decodes that cluster's status only (ClustersStatus.named). */
  private liveHostsOf(name: string): LiveHosts | undefined {
    if (!this.status) return undefined
    if (this.liveHealth || !this.options.lean) return this.liveIndex()?.get(name)
    let cached = this.liveLookups.get(name)
    if (cached === undefined) {
      const cs = this.status.named(name, 'stats')
      cached = cs ? liveHosts(cs) : null
      this.liveLookups.set(name, cached)
    }
    return cached ?? undefined
  }

  /**
   * The hosts of a cluster: a STATIC cluster's own load_assignment, else EDS from the dump (by the cluster's EDS
   * name), with `/clusters` health laid over them when given; from `/clusters` alone when the dump has no EDS.
   * Undefined when nothing in the input says (no include_eds, no /clusters): unknown, not empty.
   */
  endpointsOf(cluster: ClusterNode): EndpointsNode | undefined {
    const live = this.liveHostsOf(cluster.name)
    let node: EndpointsNode | undefined
    const inline = cluster.discovery !== 'EDS' ? this.inlineAssignment(cluster) : undefined
    if (inline) {
      node = {type: 'endpoints', cluster: cluster.name, source: 'load_assignment', raw: inline, hosts: hostsOfAssignment(inline), overprovisioningFactor: overprovisioning(inline)}
    } else {
      const eds = this.edsFor(cluster.edsName) ?? (cluster.edsName !== cluster.name ? this.edsFor(cluster.name) : undefined)
      // with live health, a copy (laid over the hosts below), its raw only when asked (a compact graph's is decoded again)
      if (eds && !live) node = eds
      else if (eds) {
        node = {
          type: 'endpoints',
          cluster: eds.cluster,
          source: 'eds',
          get raw(): JsonObject | undefined {
            return eds.raw
          },
          hosts: eds.hosts.map((h) => ({...h})),
          overprovisioningFactor: eds.overprovisioningFactor,
        }
      }
      else if (this.endpointsKnown && cluster.discovery === 'EDS') node = {type: 'endpoints', cluster: cluster.name, source: 'eds', hosts: [], overprovisioningFactor: 140}
    }
    if (live) {
      if (!node || node.source === 'eds' && node.hosts.length === 0) {
        node = {type: 'endpoints', cluster: cluster.name, source: 'clusters', hosts: [], overprovisioningFactor: node?.overprovisioningFactor ?? 140}
        for (const [key, h] of live) {
          const i = key.lastIndexOf(':')
          node.hosts.push({address: key.slice(0, i), port: Number(key.slice(i + 1)), priority: h.priority, locality: h.locality, weight: h.weight, edsHealth: h.eds, failed: h.failed, healthSource: 'clusters'})
        }
      } else {
        for (const host of node.hosts) {
          const h = live.get(`${host.address}:${host.port}`)
          if (h) {
            host.failed = h.failed
            host.edsHealth = h.eds
            host.healthSource = 'clusters'
          }
        }
      }
    }
    return node
  }

  // ------------------------------------------------------------------ secrets

  get secretCopies(): Map<string, SecretNode[]> {
    if (this.secretMap) return this.secretMap
    const m = new Map<string, SecretNode[]>()
    const add = (entry: Json, state: SecretState): void => {
      const name = getString(entry, 'name')
      const raw = getObject(entry, 'secret') ?? (isObject(entry) ? entry : {})
      const node: SecretNode = {type: 'secret', name, state, raw, meta: metaOf(entry)}
      const list = m.get(name)
      if (list) list.push(node)
      else m.set(name, [node])
    }
    for (const section of this.dump.sections('secrets')) {
      for (const e of getArray(section, 'static_secrets')) add(e, 'static')
      for (const e of getArray(section, 'dynamic_active_secrets')) add(e, 'active')
      for (const e of getArray(section, 'dynamic_warming_secrets')) add(e, 'warming')
    }
    this.secretMap = m
    return m
  }

  // ------------------------------------------------------------------ edges

  /**
   * Every reference in the config and whether it resolves: listener chain → route configuration (RDS), chain →
   * clusters (tcp_proxy), route → clusters (cluster, weighted, mirror), cluster/chain → SDS secrets. A reference
   * to a warming resource is unresolved with `targetState: 'warming'`. Route configurations are those a listener
   * uses plus every RDS/static one in the dump (a configuration no listener names still routes nothing, but its
   * dangling clusters are still worth reporting).
   */
  *edges(): Generator<Edge> {
    // each target decided once (10,000 clusters name the same two secrets)
    const secrets = new Map<string, Resolution>()
    const secretOk = (name: string): Resolution => {
      let r = secrets.get(name)
      if (r === undefined) {
        const copies = this.secretCopies.get(name)
        r = !copies ? MISSING : copies.some((c) => c.state !== 'warming') ? RESOLVED : WARMING
        secrets.set(name, r)
      }
      return r
    }
    const clusterOk = (name: string): Resolution => {
      if (this.cluster(name)) return RESOLVED
      return this.clusterCopies.has(name) ? WARMING : MISSING
    }
    const seenInline: RouteConfigNode[] = []
    for (const l of this.activeListeners) {
      for (const chain of [...l.chains, ...(l.defaultChain ? [l.defaultChain] : [])]) {
        const from = {type: 'filterChain' as const, name: `${l.name}/${chain.name}`}
        const t = chain.terminal
        if (t.kind === 'http_connection_manager') {
          if (t.routes.kind === 'rds') {
            yield {from, to: {type: 'routeConfig', name: t.routes.name}, via: 'rds', resolved: this.routeConfigs.has(t.routes.name)}
          } else if (t.routes.kind === 'inline') {
            seenInline.push(this.routeConfigOf(chain)!)
          } else if (t.routes.kind === 'scoped' && !t.routes.inlineScopes) {
            const scopes = this.scopedRoutes
            const name = t.routes.scopedRoutesName ?? ''
            yield {from, to: {type: 'scopedRoutes', name}, via: 'srds', resolved: scopes.length > 0}
            for (const s of scopes) {
              const rc = getString(s, 'route_configuration_name')
              if (rc !== '') yield {from: {type: 'scopedRoutes', name: getString(s, 'name')}, to: {type: 'routeConfig', name: rc}, via: 'scope', resolved: this.routeConfigs.has(rc)}
            }
          }
        } else if (t.kind === 'tcp_proxy') {
          for (const c of t.clusters) if (c.name !== '') yield edge(from, {type: 'cluster', name: c.name}, c.weight === undefined ? 'tcp_proxy' : 'tcp_proxy.weighted_clusters', clusterOk(c.name))
        }
        for (const s of chain.secretRefs) yield edge(from, {type: 'secret', name: s}, 'sds', secretOk(s))
      }
    }
    for (const rc of [...this.routeConfigs.values(), ...seenInline]) {
      for (const vh of rc.virtualHosts) {
        for (const r of vh.routes) {
          for (const ref of r.clusterRefs) {
            if (ref.via === 'cluster_header') continue // decided per request
            const via = ref.via === 'cluster' ? 'route.cluster' : ref.via === 'weighted' ? 'route.weighted_clusters' : 'route.request_mirror_policies'
            yield edge({type: 'route', name: `${rc.name}/${vh.name}/${r.name}`}, {type: 'cluster', name: ref.name}, via, clusterOk(ref.name))
          }
        }
      }
    }
    for (const [name, copies] of this.clusterCopies) {
      const c = copies.find((x) => x.state !== 'warming') ?? copies[0]!
      for (const s of c.secretRefs) yield edge({type: 'cluster', name}, {type: 'secret', name: s}, 'sds', secretOk(s))
    }
  }

  /** Every EDS resource of the dump by its cluster (EDS) name; undefined when the dump has no EndpointsConfigDump. */
  get endpointConfigs(): Map<string, EndpointsNode> | undefined {
    return this.edsIndex() ?? undefined
  }

  /** The bootstrap (`BootstrapConfigDump.bootstrap`), if the dump has one. */
  get bootstrap(): JsonObject | undefined {
    return getObject(this.dump.section('bootstrap'), 'bootstrap')
  }

  /**
   * Drops every index built so far and the dump's decoded sections (where they can be decoded again from its bytes),
   * so that a caller going through a huge dump one section at a time (diff) holds one section, not all of them.
   */
  forget(): void {
    this.listenerList = undefined
    this.routeConfigMap = undefined
    this.clusterMap = undefined
    this.endpointMap = undefined
    this.secretMap = undefined
    this.dump.forgetDecoded()
  }

  // ------------------------------------------------------------------ time

  /** The latest `last_updated` anywhere in listeners, clusters, routes and secrets: when the dump was taken, at the earliest. */
  get latestUpdate(): string | undefined {
    const times: Array<string | undefined> = []
    for (const l of this.listeners) times.push(l.meta.lastUpdated, l.meta.error?.lastUpdateAttempt)
    for (const copies of this.clusterCopies.values()) for (const c of copies) times.push(c.meta.lastUpdated)
    for (const rc of this.routeConfigs.values()) times.push(rc.meta.lastUpdated)
    for (const copies of this.secretCopies.values()) for (const s of copies) times.push(s.meta.lastUpdated)
    times.push(getString(this.dump.section('bootstrap'), 'last_updated') || undefined)
    return latestTimestamp(times)
  }
}

/** Builds the graph of a decoded dump (sections are indexed on first use). */
export function buildGraph(dump: ConfigDump, status?: ClustersStatus, options: GraphOptions = {}): ConfigGraph {
  return new ConfigGraph(dump, status, options)
}
