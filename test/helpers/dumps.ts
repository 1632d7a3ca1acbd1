/** Small hand-made config dumps for the graph-based engines (check, trace): only the fields a test needs. */
import {asConfigDump, type ClustersStatus, parseAdminDocument} from '../../src/envoy/document.js'
import {buildGraph, type ConfigGraph} from '../../src/graph/graph.js'

const T = 'type.googleapis.com/envoy.admin.v3.'
export const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager'
export const TCP = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy'

export interface DumpParts {
  listeners?: object[]
  /** dynamic_listeners entries as they are (warming_state, error_state ...) */
  dynamicListeners?: object[]
  clusters?: object[]
  warmingClusters?: object[]
  routes?: object[]
  /** cluster name → hosts; undefined = no EndpointsConfigDump */
  endpoints?: Record<string, Array<{address: string; port?: number; health?: string; priority?: number}>>
  secrets?: object[]
  warmingSecrets?: object[]
  lastUpdated?: string
}

export function hcmChain(rds: string, name?: string): object {
  return {...(name ? {name} : {}), filters: [{name: 'envoy.filters.network.http_connection_manager', typed_config: {'@type': HCM, rds: {route_config_name: rds}}}]}
}

export function tcpChain(cluster: string, extra: object = {}): object {
  return {...extra, filters: [{name: 'envoy.filters.network.tcp_proxy', typed_config: {'@type': TCP, cluster}}]}
}

export function listener(name: string, port: number, chains: object[], extra: object = {}): object {
  return {name, address: {socket_address: {address: '0.0.0.0', port_value: port}}, filter_chains: chains, ...extra}
}

export function edsCluster(name: string, extra: object = {}): object {
  return {name, type: 'EDS', eds_cluster_config: {service_name: name}, ...extra}
}

export function route(match: object, cluster: string, extra: object = {}): object {
  return {match, route: {cluster}, ...extra}
}

export function routeConfig(name: string, vhosts: Array<{name: string; domains: string[]; routes: object[]}>): object {
  return {name, virtual_hosts: vhosts}
}

export function dumpOf(p: DumpParts): object {
  const at = p.lastUpdated ?? '2025-06-02T09:14:07Z'
  const configs: object[] = [
    {'@type': `${T}BootstrapConfigDump`, bootstrap: {node: {id: 'sidecar~10.0.0.1~test.default~default.svc.cluster.local'}}},
    {
      '@type': `${T}ClustersConfigDump`,
      dynamic_active_clusters: (p.clusters ?? []).map((c) => ({cluster: c, last_updated: at})),
      dynamic_warming_clusters: (p.warmingClusters ?? []).map((c) => ({cluster: c, last_updated: at})),
    },
  ]
  if (p.endpoints) {
    configs.push({
      '@type': `${T}EndpointsConfigDump`,
      dynamic_endpoint_configs: Object.entries(p.endpoints).map(([name, hosts]) => ({
        endpoint_config: {
          cluster_name: name,
          endpoints: hosts.length === 0 ? undefined : groupByPriority(hosts),
        },
      })),
    })
  }
  configs.push({
    '@type': `${T}ListenersConfigDump`,
    dynamic_listeners: [...(p.listeners ?? []).map((l) => ({name: (l as {name: string}).name, active_state: {listener: l, last_updated: at}})), ...(p.dynamicListeners ?? [])],
  })
  configs.push({'@type': `${T}RoutesConfigDump`, dynamic_route_configs: (p.routes ?? []).map((r) => ({route_config: r, last_updated: at}))})
  configs.push({'@type': `${T}SecretsConfigDump`, dynamic_active_secrets: p.secrets ?? [], dynamic_warming_secrets: p.warmingSecrets ?? []})
  return {configs}
}

function groupByPriority(hosts: NonNullable<DumpParts['endpoints']>[string]): object[] {
  const byP = new Map<number, object[]>()
  for (const h of hosts) {
    const list = byP.get(h.priority ?? 0) ?? []
    list.push({endpoint: {address: {socket_address: {address: h.address, port_value: h.port ?? 9080}}}, ...(h.health ? {health_status: h.health} : {})})
    byP.set(h.priority ?? 0, list)
  }
  return [...byP].map(([priority, lb]) => ({...(priority ? {priority} : {}), lb_endpoints: lb}))
}

export function graphOf(p: DumpParts | object, clusters?: object): ConfigGraph {
  const dump = 'configs' in (p as object) ? p : dumpOf(p as DumpParts)
  const doc = parseAdminDocument(Buffer.from(JSON.stringify(dump)), 'test.json')
  let status: ClustersStatus | undefined
  if (clusters) status = parseAdminDocument(Buffer.from(JSON.stringify(clusters)), 'clusters.json') as ClustersStatus
  return buildGraph(asConfigDump(doc, 'check'), status)
}
