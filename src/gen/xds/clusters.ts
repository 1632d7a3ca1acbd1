/** CDS: rendering the plan's clusters as Envoy v3 Cluster resources, the way istiod builds them. */
import type {DestinationRule, Service, ServicePort, Subset, TrafficPolicy} from '../model.js'
import type {ProxyContext} from './common.js'
import {ADS_SOURCE, DEFAULT_CIRCUIT_BREAKERS, metadataExchangeFilter, RAW_BUFFER_SOCKET, socketAddress, T, upstreamIstioTls} from './common.js'
import {endpointsOf} from './endpoints.js'
import type {ClusterRef, InboundPort} from './plan.js'
import {subsetsOf} from './plan.js'

/** `/apis/networking.istio.io/v1/namespaces/<ns>/<kind>/<name>`: what istioctl renders as `<name>.<ns>`. */
export function istioConfigPath(kind: 'destination-rule' | 'virtual-service', namespace: string, name: string): string {
  return `/apis/networking.istio.io/v1/namespaces/${namespace}/${kind}/${name}`
}

const ENVOY_TYPE = {ClientSideLB: 'EDS', Passthrough: 'ORIGINAL_DST', DNSLB: 'STRICT_DNS', DNSRoundRobinLB: 'LOGICAL_DNS'} as const

/** Duration like `10s`, `3m`, `1h` to Envoy's JSON form in seconds (`180s`). */
function seconds(d: string): string {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(d)
  if (!m) return d
  const v = Number(m[1])
  const s = m[2] === 'ms' ? v / 1000 : m[2] === 's' ? v : m[2] === 'm' ? v * 60 : v * 3600
  return `${s}s`
}

/** Subset policy overrides the rule's; fields are merged one level deep like Istio's MergeTrafficPolicy. */
function effectivePolicy(dr?: DestinationRule, subset?: Subset): TrafficPolicy | undefined {
  if (!dr) return undefined
  if (!subset?.trafficPolicy) return dr.trafficPolicy
  return {...dr.trafficPolicy, ...subset.trafficPolicy}
}

function spiffeIdsOf(ctx: ProxyContext, svc: Service): string[] {
  const ids = new Set<string>()
  for (const w of ctx.mesh.lookup.workloadsOf(svc)) ids.add(`spiffe://${ctx.mesh.trustDomain}/ns/${w.namespace}/sa/${w.serviceAccount}`)
  return [...ids].sort()
}

export function outboundCluster(ctx: ProxyContext, svc: Service, port: ServicePort, subsetIndex: number, name: string): object {
  const {dr} = subsetsOf(ctx, svc)
  const subset = subsetIndex >= 0 && dr ? dr.subsets[subsetIndex] : undefined
  const policy = effectivePolicy(dr, subset)
  const type = ENVOY_TYPE[svc.resolution]
  const c: Record<string, unknown> = {'@type': T.cluster, name, type}
  if (type === 'EDS') c['eds_cluster_config'] = {eds_config: ADS_SOURCE, service_name: name}
  c['connect_timeout'] = '10s'
  const lb = policy?.loadBalancer?.simple ?? 'LEAST_REQUEST'
  if (type === 'ORIGINAL_DST') c['lb_policy'] = 'CLUSTER_PROVIDED'
  else if (lb !== 'ROUND_ROBIN') c['lb_policy'] = lb // ROUND_ROBIN is the proto default, so Envoy omits it

  const cb = policy?.connectionPool
  if (cb?.tcp?.maxConnections || cb?.http?.http1MaxPendingRequests) {
    c['circuit_breakers'] = {
      thresholds: [
        {
          max_connections: cb.tcp?.maxConnections ?? 4294967295,
          max_pending_requests: cb.http?.http1MaxPendingRequests ?? 4294967295,
          max_requests: 4294967295,
          max_retries: 4294967295,
          track_remaining: true,
        },
      ],
    }
  } else c['circuit_breakers'] = DEFAULT_CIRCUIT_BREAKERS

  const od = policy?.outlierDetection
  if (od) {
    c['outlier_detection'] = {
      consecutive_5xx: od.consecutive5xxErrors,
      interval: seconds(od.interval),
      base_ejection_time: seconds(od.baseEjectionTime),
      max_ejection_percent: od.maxEjectionPercent ?? 10,
      enforcing_consecutive_5xx: 100,
      enforcing_success_rate: 0,
    }
  }

  const dns = type === 'STRICT_DNS' || type === 'LOGICAL_DNS'
  if (dns) {
    c['dns_refresh_rate'] = '60s'
    c['respect_dns_ttl'] = true
    c['dns_lookup_family'] = 'V4_ONLY'
  }

  // mTLS: DR `ISTIO_MUTUAL` → a fixed transport_socket; no DR setting → auto mTLS, chosen per endpoint
  // by the `tlsMode` label Istio adds to injected pods (transport_socket_matches); DISABLE / external → none.
  const sni = `outbound_.${port.port}_.${subset?.name ?? ''}_.${svc.hostname}`
  const tlsMode = policy?.tls?.mode
  const inMesh = !svc.meshExternal
  if (inMesh && tlsMode === 'ISTIO_MUTUAL') c['transport_socket'] = upstreamIstioTls(sni, spiffeIdsOf(ctx, svc))

  const istio: Record<string, unknown> = {}
  if (dr) istio['config'] = istioConfigPath('destination-rule', dr.namespace, dr.name)
  istio['services'] = [{host: svc.hostname, name: svc.name, namespace: svc.namespace}]
  if (subset) istio['subset'] = subset.name
  c['metadata'] = {filter_metadata: {istio}}
  c['common_lb_config'] = type === 'EDS' ? {locality_weighted_lb_config: {}} : {}

  const h2 = port.protocol === 'http2' || port.protocol === 'grpc'
  const maxReq = cb?.http?.maxRequestsPerConnection
  if (h2 || maxReq) {
    const opts: Record<string, unknown> = {'@type': T.httpProtocolOptions}
    if (maxReq) opts['common_http_protocol_options'] = {max_requests_per_connection: maxReq}
    opts['explicit_http_config'] = h2 ? {http2_protocol_options: {}} : {http_protocol_options: {}}
    c['typed_extension_protocol_options'] = {'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': opts}
  }
  if (dns) {
    const eps = endpointsOf(ctx, svc, port)
    c['load_assignment'] = {
      cluster_name: name,
      endpoints: [
        {
          locality: {},
          lb_endpoints: eps.map((e) => ({endpoint: {address: socketAddress(svc.hostname, e.port)}, load_balancing_weight: 1})),
          load_balancing_weight: eps.length,
        },
      ],
    }
  }
  if (inMesh) c['filters'] = [metadataExchangeFilter(ctx.minor)]
  if (inMesh && tlsMode === undefined) {
    c['transport_socket_matches'] = [
      {name: 'tlsMode-istio', match: {tlsMode: 'istio'}, transport_socket: upstreamIstioTls(sni, spiffeIdsOf(ctx, svc))},
      {name: 'tlsMode-disabled', match: {}, transport_socket: RAW_BUFFER_SOCKET},
    ]
  }
  return c
}

export function inboundCluster(ip: InboundPort, name: string): object {
  const h2 = ip.protocol === 'http2' || ip.protocol === 'grpc'
  return {
    '@type': T.cluster,
    name,
    type: 'ORIGINAL_DST',
    connect_timeout: '10s',
    lb_policy: 'CLUSTER_PROVIDED',
    circuit_breakers: DEFAULT_CIRCUIT_BREAKERS,
    // inbound traffic to the app is sent from 127.0.0.6 so iptables does not capture it again
    upstream_bind_config: {source_address: {address: '127.0.0.6', port_value: 0}},
    metadata: {
      filter_metadata: {istio: {services: ip.services.map(({service}) => ({host: service.hostname, name: service.name, namespace: service.namespace}))}},
    },
    common_lb_config: {},
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': T.httpProtocolOptions,
        ...(h2 ? {explicit_http_config: {http2_protocol_options: {}}} : {use_downstream_protocol_config: {http_protocol_options: {}, http2_protocol_options: {}}}),
      },
    },
  }
}

function passthroughCluster(ctx: ProxyContext, name: string, inbound: boolean): object {
  const c: Record<string, unknown> = {
    '@type': T.cluster,
    name,
    type: 'ORIGINAL_DST',
    connect_timeout: '10s',
    lb_policy: 'CLUSTER_PROVIDED',
    circuit_breakers: DEFAULT_CIRCUIT_BREAKERS,
  }
  if (inbound) c['upstream_bind_config'] = {source_address: {address: '127.0.0.6', port_value: 0}}
  c['typed_extension_protocol_options'] = {
    'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
      '@type': T.httpProtocolOptions,
      common_http_protocol_options: {idle_timeout: '300s'},
      use_downstream_protocol_config: {http_protocol_options: {}, http2_protocol_options: {}},
    },
  }
  if (!inbound) c['filters'] = [metadataExchangeFilter(ctx.minor)]
  return c
}

export function renderCluster(ctx: ProxyContext, ref: ClusterRef): object {
  switch (ref.kind) {
    case 'outbound': {
      const svc = ctx.mesh.services.at(ref.s)
      return outboundCluster(ctx, svc, svc.ports[ref.p], ref.sub, ref.name)
    }
    case 'inbound':
      return inboundCluster(ref.inbound, ref.name)
    case 'blackhole':
      return {'@type': T.cluster, name: ref.name, type: 'STATIC', connect_timeout: '10s'}
    case 'passthrough':
      return passthroughCluster(ctx, ref.name, false)
    case 'inboundPassthrough':
      return passthroughCluster(ctx, ref.name, true)
  }
}

/** The Envoy discovery type of a planned cluster (what `pc cluster` shows as TYPE). */
export function clusterType(ctx: ProxyContext, ref: ClusterRef): string {
  if (ref.kind === 'outbound') return ENVOY_TYPE[ctx.mesh.services.at(ref.s).resolution]
  return ref.kind === 'blackhole' ? 'STATIC' : 'ORIGINAL_DST'
}
