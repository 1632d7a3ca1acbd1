/**
 * RDS: route configurations, virtual hosts and routes, including VirtualService translation (matches,
 * weighted destinations, `metadata.filter_metadata.istio.config` pointing back at the VirtualService).
 */
import type {HttpMatch, HttpRoute, Service, ServicePort, StringMatch, VirtualService} from '../model.js'
import {clusterName, resolveHost} from '../model.js'
import {lazyArray, lazyObject} from '../lazy.js'
import type {LazyObject} from '../lazy.js'
import type {ProxyContext} from './common.js'
import {outboundPolicy, T} from './common.js'
import {istioConfigPath} from './clusters.js'
import type {GatewayServerRef, RouteRef, SvcPort} from './plan.js'

/** Istio's default retry policy on every HTTP route. */
const DEFAULT_RETRY = {
  retry_on: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
  num_retries: 2,
  retry_host_predicate: [
    {
      name: 'envoy.retry_host_predicates.previous_hosts',
      typed_config: {'@type': 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate'},
    },
  ],
  host_selection_retry_max_attempts: '5',
  retriable_status_codes: [503],
}

function retryPolicy(r?: HttpRoute['retries']): object {
  if (!r) return DEFAULT_RETRY
  const out: Record<string, unknown> = {
    retry_on: r.retryOn ?? DEFAULT_RETRY.retry_on,
    num_retries: r.attempts,
  }
  if (r.perTryTimeout) out['per_try_timeout'] = durationSeconds(r.perTryTimeout)
  out['retry_host_predicate'] = DEFAULT_RETRY.retry_host_predicate
  out['host_selection_retry_max_attempts'] = '5'
  return out
}

function durationSeconds(d: string): string {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(d)
  if (!m) return d
  const v = Number(m[1])
  return `${m[2] === 'ms' ? v / 1000 : m[2] === 's' ? v : m[2] === 'm' ? v * 60 : v * 3600}s`
}

/**
 * The domains of a service's virtual host (pilot generateVirtualHostDomains): the FQDN, the short name when
 * the proxy is in the same namespace, `name.ns.svc`, `name.ns` and the VIP; with `:port` variants unless
 * the mesh ignores ports in host matching.
 */
export function serviceDomains(ctx: ProxyContext, svc: Service, port: number): string[] {
  const withPorts = !ctx.mesh.ignorePortInHostMatching
  let names: string[]
  if (svc.kind === 'ServiceEntry') names = [svc.hostname, ...(svc.clusterIP ? [svc.clusterIP] : [])]
  else if (withPorts) {
    // the classic order: fqdn, short name, name.ns.svc, name.ns, vip
    names = [svc.hostname]
    if (svc.namespace === ctx.pod.namespace) names.push(svc.name)
    names.push(`${svc.name}.${svc.namespace}.svc`, `${svc.name}.${svc.namespace}`)
    if (svc.clusterIP) names.push(svc.clusterIP)
  } else {
    names = [svc.hostname]
    if (svc.namespace === ctx.pod.namespace) names.push(svc.name)
    names.push(`${svc.name}.${svc.namespace}`, `${svc.name}.${svc.namespace}.svc`)
    if (svc.clusterIP) names.push(svc.clusterIP)
  }
  if (!withPorts) return names
  const out: string[] = []
  for (const n of names) out.push(n, `${n}:${port}`)
  return out
}

function pathMatch(m?: StringMatch): {match: Record<string, unknown>; op: string} {
  if (!m) return {match: {prefix: '/'}, op: '/*'}
  if ('exact' in m) return {match: {path: m.exact, case_sensitive: true}, op: m.exact}
  if ('prefix' in m) return {match: {prefix: m.prefix, case_sensitive: true}, op: `${m.prefix}*`}
  return {match: {safe_regex: {regex: m.regex}}, op: '/*'}
}

function headerMatchers(h?: HttpMatch['headers']): object[] | undefined {
  if (!h) return undefined
  return Object.entries(h).map(([name, m]) => {
    const sm = 'exact' in m ? {exact: m.exact} : 'prefix' in m ? {prefix: m.prefix} : {safe_regex: {regex: m.regex}}
    return {name, string_match: sm}
  })
}

/** The cluster a VirtualService destination resolves to; `defaultPort` is the port being routed. */
function destinationCluster(ctx: ProxyContext, vs: VirtualService, d: HttpRoute['route'][number]['destination'], defaultPort?: number): {cluster: string; hostPort: string} {
  const host = resolveHost(d.host, vs.namespace)
  const svc = ctx.mesh.lookup.serviceByHost(host)
  const port = d.port ?? defaultPort ?? svc?.ports[0]?.port ?? 80
  return {cluster: clusterName('outbound', port, d.subset ?? '', host), hostPort: `${host}:${port}`}
}

/** Envoy routes for the HTTP routes of a VirtualService (one Envoy route per match, as Istio does). */
export function virtualServiceRoutes(ctx: ProxyContext, vs: VirtualService, defaultPort?: number): object[] {
  const out: object[] = []
  const config = istioConfigPath('virtual-service', vs.namespace, vs.name)
  for (const http of vs.http) {
    const dests = http.route.map((r) => ({...destinationCluster(ctx, vs, r.destination, defaultPort), weight: r.weight}))
    const action: Record<string, unknown> =
      dests.length === 1
        ? {cluster: dests[0].cluster}
        : {weighted_clusters: {clusters: dests.map((d) => ({name: d.cluster, weight: d.weight ?? Math.floor(100 / dests.length)}))}}
    action['timeout'] = http.timeout ? durationSeconds(http.timeout) : '0s'
    action['retry_policy'] = retryPolicy(http.retries)
    action['max_grpc_timeout'] = http.timeout ? durationSeconds(http.timeout) : '0s'
    const matches = http.match && http.match.length > 0 ? http.match : [undefined]
    for (const m of matches) {
      const {match, op} = pathMatch(m?.uri)
      const headers = headerMatchers(m?.headers)
      if (headers) match['headers'] = headers
      const route: Record<string, unknown> = {
        match,
        route: action,
        metadata: {filter_metadata: {istio: {config}}},
        decorator: {operation: `${dests[0].hostPort}${op}`},
      }
      if (http.name) route['name'] = http.name
      out.push(route)
    }
  }
  return out
}

function defaultRoute(svc: Service, port: ServicePort): object {
  return {
    match: {prefix: '/'},
    route: {cluster: clusterName('outbound', port.port, '', svc.hostname), timeout: '0s', retry_policy: DEFAULT_RETRY, max_grpc_timeout: '0s'},
    decorator: {operation: `${svc.hostname}:${port.port}/*`},
    name: 'default',
  }
}

/** The virtual host for one service port: VirtualService routes if one is bound to `mesh`, else the default route. */
export function serviceVirtualHost(ctx: ProxyContext, ref: SvcPort, domains?: string[]): object {
  const svc = ctx.mesh.services.at(ref.s)
  const port = svc.ports[ref.p]
  const vss = ctx.mesh.lookup.virtualServicesFor(svc.hostname, 'mesh')
  const routes = vss.length > 0 ? virtualServiceRoutes(ctx, vss[0], port.port) : [defaultRoute(svc, port)]
  return {
    name: `${svc.hostname}:${port.port}`,
    domains: domains ?? serviceDomains(ctx, svc, port.port),
    routes,
    include_request_attempt_count: true,
  }
}

function catchAllVirtualHost(ctx: ProxyContext): object {
  if (outboundPolicy(ctx) === 'REGISTRY_ONLY') {
    return {name: 'block_all', domains: ['*'], routes: [{match: {prefix: '/'}, direct_response: {status: 502}, name: 'block_all'}], include_request_attempt_count: true}
  }
  return {
    name: 'allow_any',
    domains: ['*'],
    routes: [{match: {prefix: '/'}, route: {cluster: 'PassthroughCluster', timeout: '0s', max_grpc_timeout: '0s'}, name: 'allow_any'}],
    include_request_attempt_count: true,
  }
}

/** Gateway virtual hosts: one per server host (or per VirtualService host for `*` servers). */
function gatewayVirtualHosts(ctx: ProxyContext, servers: GatewayServerRef[], port: number): object[] {
  const vhosts = new Map<string, object[]>()
  for (const {gateway, server} of servers) {
    const gwKey = `${gateway.namespace}/${gateway.name}`
    for (const vs of ctx.mesh.virtualServices) {
      const gws = (vs.gateways ?? []).map((g) => (g.includes('/') ? g : `${vs.namespace}/${g}`))
      if (!gws.includes(gwKey)) continue
      for (const serverHost of server.hosts) {
        for (const vsHost of vs.hosts) {
          if (serverHost !== '*' && vsHost !== '*' && serverHost !== vsHost) continue
          const host = serverHost === '*' ? vsHost : serverHost
          const list = vhosts.get(host) ?? []
          list.push(...virtualServiceRoutes(ctx, vs))
          vhosts.set(host, list)
        }
      }
    }
  }
  const withPorts = !ctx.mesh.ignorePortInHostMatching
  return [...vhosts.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([host, routes]) => ({
      name: `${host}:${port}`,
      domains: host === '*' || !withPorts ? [host] : [host, `${host}:*`],
      routes,
      include_request_attempt_count: true,
    }))
}

function routeConfig(ctx: ProxyContext, name: string, virtualHosts: unknown): LazyObject {
  return lazyObject({
    '@type': T.routeConfig,
    name,
    virtual_hosts: virtualHosts,
    validate_clusters: false,
    max_direct_response_body_size_bytes: 1048576,
    ignore_port_in_host_matching: ctx.mesh.ignorePortInHostMatching ? true : undefined,
  })
}

/** Renders a planned (dynamic) route configuration; big `<port>` routes stream their virtual hosts. */
export function renderRouteConfig(ctx: ProxyContext, ref: RouteRef): LazyObject {
  switch (ref.kind) {
    case 'port': {
      const sorted = sortedByVhostName(ctx, ref.entries)
      return routeConfig(
        ctx,
        ref.name,
        lazyArray(function* () {
          for (const e of sorted) yield serviceVirtualHost(ctx, e)
          yield catchAllVirtualHost(ctx)
        }),
      )
    }
    case 'sniffed':
      return routeConfig(ctx, ref.name, [serviceVirtualHost(ctx, ref.ref, ['*'])])
    case 'gateway':
      return routeConfig(ctx, ref.name, gatewayVirtualHosts(ctx, ref.servers, ref.port))
  }
}

function sortedByVhostName(ctx: ProxyContext, entries: SvcPort[]): SvcPort[] {
  const keyed = entries.map((e) => ({e, k: ctx.mesh.services.at(e.s).hostname}))
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
  return keyed.map((x) => x.e)
}

/** An inline route config of an inbound HTTP chain (`inbound|9080||`, or the passthrough one). */
export function inboundRouteConfig(name: string, cluster: string, vhostName: string, operation: string): object {
  return {
    name,
    virtual_hosts: [
      {
        name: vhostName,
        domains: ['*'],
        routes: [
          {
            match: {prefix: '/'},
            route: {cluster, timeout: '0s', max_stream_duration: {max_stream_duration: '0s', grpc_timeout_header_max: '0s'}},
            decorator: {operation},
            name: 'default',
          },
        ],
      },
    ],
    validate_clusters: false,
  }
}
