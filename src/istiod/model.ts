/**
 * proxy-status's model: what every accepted input (istiod's xDS `istio.io/debug/syncz` answer, its HTTP
 * `/debug/syncz`, in any of their saved forms) says about each proxy, once decoded. Pure types.
 */
import type {JsonObject} from '../envoy/fields.js'

/** A type's sync state, in the words istioctl's tables use. */
export type SyncStatus = 'SYNCED' | 'STALE' | 'NOT SENT' | 'ERROR' | 'IGNORED'

export const SYNC_STATUSES: readonly SyncStatus[] = ['SYNCED', 'STALE', 'NOT SENT', 'ERROR', 'IGNORED']

/** One xDS type a proxy subscribed to (or, for old istiods, one istiod reported anyway). */
export interface TypeSync {
  typeUrl: string
  status: SyncStatus
  /**
   * HTTP syncz without per-type `resources` (istiod ≤ 1.2x flat `<type>_sent/_acked` nonces): pushed but never
   * acknowledged. istioctl ≤ 1.21 printed `STALE (Never Acknowledged)`.
   */
  neverAcknowledged?: boolean
  /** when istiod last pushed this type (xDS `lastUpdated`, syncz `sentTime`); absent when not reported */
  lastUpdated?: Date
  /** the NACK / error istiod recorded for the type (xDS `errorState.details`, syncz `lastError`) */
  error?: string
}

/** What one istiod says about one connected proxy. */
export interface ProxySync {
  /** proxy ID, `<pod>.<namespace>` (xDS `node.id`, syncz `proxy`) */
  id: string
  /** CLUSTER column: metadata CLUSTER_ID / syncz `cluster_id` */
  clusterId: string
  /**
   * metadata NAMESPACE (xDS); for HTTP syncz, which has no namespace field, the proxy ID's last
   * dot-separated part. '' when unknown (`-n` then never matches, as in istioctl).
   */
  namespace: string
  /** VERSION column: the proxy's metadata ISTIO_VERSION / syncz `istio_version` */
  istioVersion: string
  /** syncz `proxy_version` (istiod ≤ 1.1 had no istio_version; istioctl ≤ 1.21 then printed `<proxy_version>*`) */
  proxyVersion?: string
  /** syncz `proxy_type`: sidecar, router, ztunnel, waypoint, ... */
  proxyType?: string
  /** ISTIOD column: the control plane's ID (`MISSING` / `INVALID` as istioctl when a response lacks it) */
  istiod: string
  /** the types reported for the proxy, sorted by type URL (Go byte order); at most one entry per type URL */
  types: TypeSync[]
}

/** Where a report came from, which decides a few legacy presentation rules. */
export type StatusOrigin = 'xds' | 'syncz'

/** One istiod's answer. */
export interface IstiodStatus {
  /** the name to key this istiod by (map key in the input, else the control plane ID); '' when unknown */
  name: string
  origin: StatusOrigin
  /**
   * The DiscoveryResponse `istioctl ps -o json` prints for this istiod: the input itself for xDS answers; for
   * HTTP syncz, the equivalent response built from it (ClientConfig per proxy, statuses as xDS enum names).
   */
  response: JsonObject
  proxies: ProxySync[]
}

/** Everything the inputs said, istiod by istiod, in input order. */
export interface StatusSet {
  istiods: IstiodStatus[]
}

/** Every proxy of every istiod, in input order (views sort). */
export function allProxies(set: StatusSet): ProxySync[] {
  return set.istiods.flatMap((i) => i.proxies)
}

/** How many proxies all istiods reported (allProxies(set).length, without the list). */
export function proxyCount(set: StatusSet): number {
  let n = 0
  for (const i of set.istiods) n += i.proxies.length
  return n
}

/** The type entry of a proxy for a type URL, if reported. */
export function typeOf(p: ProxySync, typeUrl: string): TypeSync | undefined {
  // a loop rather than find(): called for every cell of a table of thousands of proxies, without a closure each
  const types = p.types
  for (let i = 0; i < types.length; i++) if (types[i]!.typeUrl === typeUrl) return types[i]
  return undefined
}
