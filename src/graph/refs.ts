/**
 * The references one piece of Envoy config makes to another, read from the config itself: a filter chain's
 * terminal network filter and what it names (an RDS route configuration, an SRDS scope set, clusters), the clusters
 * a route sends to (its cluster, weighted clusters, mirrors), and the SDS secrets a cluster or a listener's
 * transport socket asks for. Pure; keys in either spelling (fields.ts).
 *
 * Filters are identified by `typed_config.@type` first and `name` second (docs/envoy-request-path.md §1): custom
 * names are legal, and Istio's own names changed across versions.
 */
import {get, getArray, getObject, getString, isObject, type Json, type JsonObject, typeName, typeUrl} from '../envoy/fields.js'

/** The network filters meshctl recognises, by their proto message and their well-known names. */
const NETWORK_FILTERS: Array<{kind: NetworkFilterKind; types: string[]; names: string[]}> = [
  {kind: 'http_connection_manager', types: ['envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', 'envoy.config.filter.network.http_connection_manager.v2.HttpConnectionManager'], names: ['envoy.filters.network.http_connection_manager', 'envoy.http_connection_manager']},
  {kind: 'tcp_proxy', types: ['envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', 'envoy.config.filter.network.tcp_proxy.v2.TcpProxy'], names: ['envoy.filters.network.tcp_proxy', 'envoy.tcp_proxy']},
  {kind: 'sni_cluster', types: ['envoy.extensions.filters.network.sni_cluster.v3.SniCluster'], names: ['envoy.filters.network.sni_cluster']},
  {kind: 'sni_dynamic_forward_proxy', types: ['envoy.extensions.filters.network.sni_dynamic_forward_proxy.v3.FilterConfig'], names: ['envoy.filters.network.sni_dynamic_forward_proxy']},
  {kind: 'redis_proxy', types: ['envoy.extensions.filters.network.redis_proxy.v3.RedisProxy'], names: ['envoy.filters.network.redis_proxy']},
  {kind: 'thrift_proxy', types: ['envoy.extensions.filters.network.thrift_proxy.v3.ThriftProxy'], names: ['envoy.filters.network.thrift_proxy']},
  {kind: 'dubbo_proxy', types: ['envoy.extensions.filters.network.dubbo_proxy.v3.DubboProxy'], names: ['envoy.filters.network.dubbo_proxy']},
  {kind: 'direct_response', types: ['envoy.extensions.filters.network.direct_response.v3.Config'], names: ['envoy.filters.network.direct_response']},
  {kind: 'echo', types: ['envoy.extensions.filters.network.echo.v3.Echo'], names: ['envoy.filters.network.echo']},
  {kind: 'mongo_proxy', types: ['envoy.extensions.filters.network.mongo_proxy.v3.MongoProxy'], names: ['envoy.filters.network.mongo_proxy']},
  {kind: 'mysql_proxy', types: ['envoy.extensions.filters.network.mysql_proxy.v3.MySQLProxy'], names: ['envoy.filters.network.mysql_proxy']},
]

export type NetworkFilterKind =
  | 'http_connection_manager'
  | 'tcp_proxy'
  | 'sni_cluster'
  | 'sni_dynamic_forward_proxy'
  | 'redis_proxy'
  | 'thrift_proxy'
  | 'dubbo_proxy'
  | 'direct_response'
  | 'echo'
  | 'mongo_proxy'
  | 'mysql_proxy'

const BY_TYPE = new Map<string, NetworkFilterKind>()
const BY_NAME = new Map<string, NetworkFilterKind>()
for (const f of NETWORK_FILTERS) {
  for (const t of f.types) BY_TYPE.set(t, f.kind)
  for (const n of f.names) BY_NAME.set(n, f.kind)
}

/** The filter's configuration (typed_config, or API v2's Struct `config`). */
export function filterConfig(f: Json): JsonObject | undefined {
  const typed = getObject(f, 'typed_config') ?? getObject(f, 'config')
  // a TypedStruct / udpa wrapper carries the real message in `value`
  if (typed && /\.(udpa\.type\.v1|xds\.type\.v3)\.TypedStruct$/.test(typeName(typeUrl(typed)))) return getObject(typed, 'value') ?? typed
  return typed
}

/** What a network filter is: by the type of its config first, its name second; undefined when unknown. */
export function networkFilterKind(f: Json): NetworkFilterKind | undefined {
  const typed = getObject(f, 'typed_config')
  if (typed) {
    let t = typeName(typeUrl(typed))
    if (/\.(udpa\.type\.v1|xds\.type\.v3)\.TypedStruct$/.test(t)) t = typeName(getString(typed, 'type_url'))
    const byType = BY_TYPE.get(t)
    if (byType) return byType
  }
  return BY_NAME.get(getString(f, 'name'))
}

/** A human name for a filter: its name, else its config's message name. */
export function filterLabel(f: Json): string {
  return getString(f, 'name') || typeName(typeUrl(getObject(f, 'typed_config'))) || '(unnamed filter)'
}

/** The route specifier of an HTTP connection manager. */
export type RouteSpecifier =
  | {kind: 'rds'; name: string}
  | {kind: 'inline'; routeConfig: JsonObject}
  | {kind: 'scoped'; scopedRoutesName?: string; inlineScopes?: JsonObject[]; keyBuilder?: JsonObject; rdsConfigSource?: boolean}
  | {kind: 'none'}

export function routeSpecifier(hcm: JsonObject): RouteSpecifier {
  const rds = getObject(hcm, 'rds')
  if (rds) return {kind: 'rds', name: getString(rds, 'route_config_name')}
  const inline = getObject(hcm, 'route_config')
  if (inline) return {kind: 'inline', routeConfig: inline}
  const scoped = getObject(hcm, 'scoped_routes')
  if (scoped) {
    const list = getObject(scoped, 'scoped_route_configurations_list')
    return {
      kind: 'scoped',
      scopedRoutesName: getString(getObject(scoped, 'scoped_rds'), 'srds_resources_locator') || getString(scoped, 'name') || undefined,
      inlineScopes: list ? getArray(list, 'scoped_route_configurations').filter(isObject) : undefined,
      keyBuilder: getObject(scoped, 'scope_key_builder'),
    }
  }
  return {kind: 'none'}
}

/** The clusters a tcp_proxy names: `cluster`, or its weighted clusters (honoured only when `cluster` is empty). */
export function tcpProxyClusters(cfg: JsonObject): Array<{name: string; weight?: number}> {
  const cluster = getString(cfg, 'cluster')
  if (cluster !== '') return [{name: cluster}]
  return getArray(getObject(cfg, 'weighted_clusters'), 'clusters').map((c) => ({name: getString(c, 'name'), weight: Number(get(c, 'weight') ?? 0)}))
}

/** How a route names a cluster. */
export type ClusterRefKind = 'cluster' | 'weighted' | 'mirror' | 'cluster_header'

export interface ClusterRef {
  /** the cluster's name; for `cluster_header`, the header that will carry it */
  name: string
  via: ClusterRefKind
}

/** Every cluster a route may send to (or mirror to), in config order. Redirects and direct responses have none. */
export function routeClusterRefs(route: Json): ClusterRef[] {
  const action = getObject(route, 'route')
  if (!action) return []
  const out: ClusterRef[] = []
  const cluster = getString(action, 'cluster')
  if (cluster !== '') out.push({name: cluster, via: 'cluster'})
  const header = getString(action, 'cluster_header')
  if (header !== '') out.push({name: header, via: 'cluster_header'})
  for (const w of getArray(getObject(action, 'weighted_clusters'), 'clusters')) {
    const name = getString(w, 'name')
    if (name !== '') out.push({name, via: 'weighted'})
    const wh = getString(w, 'cluster_header')
    if (wh !== '') out.push({name: wh, via: 'cluster_header'})
  }
  for (const m of [...getArray(action, 'request_mirror_policies'), ...(isObject(get(action, 'request_mirror_policy')) ? [get(action, 'request_mirror_policy')!] : [])]) {
    const name = getString(m, 'cluster')
    if (name !== '') out.push({name, via: 'mirror'})
  }
  return out
}

/** Names of the SDS secrets a transport socket asks for (certificates and validation contexts). */
export function sdsSecretNames(transportSocket: Json): string[] {
  const cfg = getObject(transportSocket, 'typed_config')
  if (!cfg) return []
  // a wrapping socket (internal_upstream, tap, proxy protocol) carries the TLS one inside it
  const inner = get(cfg, 'transport_socket')
  if (isObject(inner)) return sdsSecretNames(inner)
  const common = getObject(cfg, 'common_tls_context') ?? cfg
  const names: string[] = []
  for (const s of getArray(common, 'tls_certificate_sds_secret_configs')) {
    const n = getString(s, 'name')
    if (n !== '') names.push(n)
  }
  const single = getObject(common, 'validation_context_sds_secret_config')
  if (single && getString(single, 'name') !== '') names.push(getString(single, 'name'))
  const combined = getObject(common, 'combined_validation_context')
  const combinedSds = getObject(combined, 'validation_context_sds_secret_config')
  if (combinedSds && getString(combinedSds, 'name') !== '') names.push(getString(combinedSds, 'name'))
  return names
}

/** The transport sockets of a cluster: its own, and those of its transport_socket_matches. */
export function clusterTransportSockets(cluster: Json): Json[] {
  const out: Json[] = []
  const own = get(cluster, 'transport_socket')
  if (isObject(own)) out.push(own)
  for (const m of getArray(cluster, 'transport_socket_matches')) {
    const ts = get(m, 'transport_socket')
    if (isObject(ts)) out.push(ts)
  }
  return out
}
