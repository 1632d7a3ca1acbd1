/**
 * LDS: outbound listeners (per-VIP TCP, sniffed, wildcard HTTP/SNI), `virtualOutbound` (15001, where
 * iptables sends outbound traffic) and `virtualInbound` (15006, inbound traffic), and gateway listeners.
 */
import type {WasmPlugin} from '../model.js'
import {clusterName, labelsMatch} from '../model.js'
import type {ProxyContext, TrafficClass} from './common.js'
import {ADS_SOURCE, downstreamIstioTls, metadataExchangeFilter, outboundPolicy, socketAddress, statsFilter, T, tcpProxyFilter} from './common.js'
import {isHttp} from './plan.js'
import type {GatewayServerRef, InboundPort, ListenerRef} from './plan.js'
import {inboundRouteConfig} from './routes.js'

const TLS_INSPECTOR = {
  name: 'envoy.filters.listener.tls_inspector',
  typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector'},
}
const HTTP_INSPECTOR = {
  name: 'envoy.filters.listener.http_inspector',
  typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector'},
}
const ORIGINAL_DST = {
  name: 'envoy.filters.listener.original_dst',
  typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst'},
}

/** ALPN values Istio's sniffing chains match: plaintext HTTP, and HTTP over Istio mTLS. */
const PLAIN_HTTP_ALPN = ['http/1.1', 'h2c']
const ISTIO_HTTP_ALPN = ['istio-http/1.0', 'istio-http/1.1', 'istio-h2']
const ISTIO_TCP_ALPN = ['istio-peer-exchange', 'istio']

function wasmFilters(ctx: ProxyContext): object[] {
  return applicableWasmPlugins(ctx).map((p) => ({
    name: `${p.namespace}.${p.name}`,
    config_discovery: {config_source: ADS_SOURCE, type_urls: [T.wasm, 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC']},
  }))
}

export function applicableWasmPlugins(ctx: ProxyContext): WasmPlugin[] {
  return [...ctx.mesh.wasmPlugins].filter((p) => p.namespace === ctx.pod.namespace && labelsMatch(p.selector, ctx.pod.labels))
}

function httpFilters(ctx: ProxyContext, cls: TrafficClass): object[] {
  const filters: object[] = []
  if (ctx.minor >= 20) {
    filters.push({
      name: 'istio.metadata_exchange',
      typed_config: {
        '@type': T.typedStruct,
        type_url: 'type.googleapis.com/io.istio.http.peer_metadata.Config',
        value:
          cls === 'sidecar/Outbound'
            ? {upstream_discovery: [{istio_headers: {}}, {workload_discovery: {}}], upstream_propagation: [{istio_headers: {}}]}
            : {downstream_discovery: [{istio_headers: {}}, {workload_discovery: {}}], downstream_propagation: [{istio_headers: {}}]},
      },
    })
  }
  filters.push({
    name: 'envoy.filters.http.grpc_stats',
    typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.http.grpc_stats.v3.FilterConfig', emit_filter_state: true, stats_for_all_methods: false},
  })
  if (cls === 'sidecar/Outbound') {
    filters.push({
      name: 'istio.alpn',
      typed_config: {
        '@type': 'type.googleapis.com/istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig',
        alpn_override: [
          {alpn_override: ['istio-http/1.0', 'istio', 'http/1.0']},
          {upstream_protocol: 'HTTP11', alpn_override: ['istio-http/1.1', 'istio', 'http/1.1']},
          {upstream_protocol: 'HTTP2', alpn_override: ['istio-h2', 'istio', 'h2']},
        ],
      },
    })
  }
  filters.push({name: 'envoy.filters.http.fault', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault'}})
  filters.push({name: 'envoy.filters.http.cors', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors'}})
  filters.push(statsFilter(ctx, cls, 'HTTP'))
  if (cls === 'sidecar/Inbound') filters.push(...wasmFilters(ctx))
  filters.push({name: 'envoy.filters.http.router', typed_config: {'@type': T.router}})
  return filters
}

function tracing(ctx: ProxyContext): object {
  const lit = (tag: string, value: string) => ({tag, literal: {value}})
  return {
    client_sampling: {value: 100},
    random_sampling: {value: 1},
    overall_sampling: {value: 100},
    custom_tags: [
      lit('istio.canonical_revision', ctx.pod.workload.labels['version'] ?? 'latest'),
      lit('istio.canonical_service', ctx.proxy.app),
      lit('istio.mesh_id', ctx.mesh.trustDomain),
      lit('istio.namespace', ctx.pod.namespace),
    ],
  }
}

const REQUEST_ID = {
  typed_config: {'@type': 'type.googleapis.com/envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig', use_request_id_for_trace_sampling: true},
}

function hcm(ctx: ProxyContext, cls: TrafficClass, statPrefix: string, routing: {rds: string} | {inline: object}): object {
  const c: Record<string, unknown> = {'@type': T.hcm, stat_prefix: statPrefix}
  if ('rds' in routing) c['rds'] = {config_source: ADS_SOURCE, route_config_name: routing.rds}
  else c['route_config'] = routing.inline
  c['http_filters'] = httpFilters(ctx, cls)
  c['tracing'] = tracing(ctx)
  if (cls === 'router/Gateway') c['http_protocol_options'] = {}
  if (cls !== 'sidecar/Outbound') c['server_name'] = 'istio-envoy'
  c['use_remote_address'] = cls === 'router/Gateway'
  if (cls === 'sidecar/Inbound') {
    c['forward_client_cert_details'] = 'APPEND_FORWARD'
    c['set_current_client_cert_details'] = {subject: true, dns: true, uri: true}
  } else if (cls === 'router/Gateway') {
    c['forward_client_cert_details'] = 'SANITIZE_SET'
    c['set_current_client_cert_details'] = {subject: true, cert: true, dns: true, uri: true}
  }
  c['upgrade_configs'] = [{upgrade_type: 'websocket'}]
  c['stream_idle_timeout'] = '0s'
  c['normalize_path'] = true
  c['request_id_extension'] = REQUEST_ID
  c['path_with_escaped_slashes_action'] = 'KEEP_UNCHANGED'
  return {name: 'envoy.filters.network.http_connection_manager', typed_config: c}
}

function tcpFilters(ctx: ProxyContext, cls: TrafficClass, cluster: string): object[] {
  return [statsFilter(ctx, cls, 'TCP'), tcpProxyFilter(cluster)]
}

function dynamicEntry(ctx: ProxyContext, name: string, listener: object): object {
  return {name, active_state: {version_info: ctx.versionInfo, listener, last_updated: ctx.clock.stamp(`lds/${name}`)}}
}

function passthroughChain(ctx: ProxyContext): object {
  const target = outboundPolicy(ctx) === 'REGISTRY_ONLY' ? 'BlackHoleCluster' : 'PassthroughCluster'
  return {filter_chain_match: {}, filters: tcpFilters(ctx, 'sidecar/Outbound', target), name: 'PassthroughFilterChain'}
}

function outboundListener(ctx: ProxyContext, ref: Exclude<ListenerRef, {kind: 'virtualOutbound' | 'virtualInbound' | 'gateway'}>): object {
  const l: Record<string, unknown> = {'@type': T.listener, name: ref.name}
  if (ref.kind === 'wildcard') {
    l['address'] = socketAddress('0.0.0.0', ref.port)
    const chains: object[] = []
    for (const e of ref.sni) {
      const svc = ctx.mesh.services.at(e.s)
      const port = svc.ports[e.p]
      chains.push({filter_chain_match: {server_names: [svc.hostname]}, filters: tcpFilters(ctx, 'sidecar/Outbound', clusterName('outbound', port.port, '', svc.hostname))})
    }
    if (ref.http) {
      chains.push({
        filter_chain_match: {transport_protocol: 'raw_buffer', application_protocols: PLAIN_HTTP_ALPN},
        filters: [hcm(ctx, 'sidecar/Outbound', `outbound_0.0.0.0_${ref.port}`, {rds: String(ref.port)})],
      })
    }
    l['filter_chains'] = chains
    l['listener_filters'] = ref.http ? [TLS_INSPECTOR, HTTP_INSPECTOR] : [TLS_INSPECTOR]
    l['listener_filters_timeout'] = '0s'
    l['traffic_direction'] = 'OUTBOUND'
    l['continue_on_listener_filters_timeout'] = true
    if (ref.tcp) {
      const svc = ctx.mesh.services.at(ref.tcp.s)
      l['default_filter_chain'] = {filters: tcpFilters(ctx, 'sidecar/Outbound', clusterName('outbound', svc.ports[ref.tcp.p].port, '', svc.hostname))}
    } else l['default_filter_chain'] = passthroughChain(ctx)
    l['bind_to_port'] = false
    return l
  }
  const svc = ctx.mesh.services.at(ref.ref.s)
  const port = svc.ports[ref.ref.p]
  const cluster = clusterName('outbound', port.port, '', svc.hostname)
  l['address'] = socketAddress(ref.address, ref.port)
  if (ref.kind === 'vip' && ref.sniff) {
    // protocol sniffing: HTTP if the http_inspector recognises it, otherwise the TCP default chain
    l['filter_chains'] = [
      {
        filter_chain_match: {transport_protocol: 'raw_buffer', application_protocols: PLAIN_HTTP_ALPN},
        filters: [hcm(ctx, 'sidecar/Outbound', `outbound_${ref.address}_${ref.port}`, {rds: `${svc.hostname}:${port.port}`})],
      },
    ]
    l['listener_filters'] = [TLS_INSPECTOR, HTTP_INSPECTOR]
    l['listener_filters_timeout'] = '0s'
    l['traffic_direction'] = 'OUTBOUND'
    l['continue_on_listener_filters_timeout'] = true
    l['default_filter_chain'] = {filters: tcpFilters(ctx, 'sidecar/Outbound', cluster)}
  } else {
    l['filter_chains'] = [{filters: tcpFilters(ctx, 'sidecar/Outbound', cluster)}]
    l['listener_filters_timeout'] = '0s'
    l['traffic_direction'] = 'OUTBOUND'
    l['continue_on_listener_filters_timeout'] = true
  }
  l['bind_to_port'] = false
  return l
}

function virtualOutbound(ctx: ProxyContext): object {
  const catchAll = outboundPolicy(ctx) === 'REGISTRY_ONLY' ? 'BlackHoleCluster' : 'PassthroughCluster'
  return {
    '@type': T.listener,
    name: 'virtualOutbound',
    address: socketAddress('0.0.0.0', 15001),
    filter_chains: [
      // connections addressed to 15001 itself would loop: drop them
      {filter_chain_match: {destination_port: 15001}, filters: tcpFilters(ctx, 'sidecar/Outbound', 'BlackHoleCluster'), name: 'virtualOutbound-blackhole'},
      {filters: tcpFilters(ctx, 'sidecar/Outbound', catchAll), name: 'virtualOutbound-catchall-tcp'},
    ],
    use_original_dst: true,
    traffic_direction: 'OUTBOUND',
  }
}

/** The inline route configs of virtualInbound's HTTP chains, in chain order (Envoy lists them as static routes). */
export function virtualInboundInlineRoutes(ctx: ProxyContext, inbound: readonly InboundPort[]): object[] {
  const out: object[] = []
  for (const c of inboundChains(ctx, inbound)) if (c.route) out.push(c.route)
  return out
}

interface ChainSpec {
  chain: object
  route?: object
}

function inboundChains(ctx: ProxyContext, inbound: readonly InboundPort[]): ChainSpec[] {
  const td = ctx.mesh.trustDomain
  const permissive = ctx.mesh.mtlsMode === 'PERMISSIVE'
  const mx = metadataExchangeFilter(ctx.minor)
  const httpTls = downstreamIstioTls(td, ['h2', 'http/1.1'])
  const tcpTls = downstreamIstioTls(td, ['istio-peer-exchange', 'h2', 'http/1.1'])
  const out: ChainSpec[] = []
  const ip = ctx.inboundPassthrough

  const httpChain = (match: object, name: string, statPrefix: string, routeName: string, cluster: string, vhost: string, op: string, tls: boolean): ChainSpec => {
    const route = inboundRouteConfig(routeName, cluster, vhost, op)
    const chain: Record<string, unknown> = {filter_chain_match: match, filters: [mx, hcm(ctx, 'sidecar/Inbound', statPrefix, {inline: route})]}
    if (tls) chain['transport_socket'] = httpTls
    chain['name'] = name
    return {chain, route}
  }
  const tcpChain = (match: object, name: string, cluster: string, tls: boolean): ChainSpec => {
    const chain: Record<string, unknown> = {filter_chain_match: match, filters: [mx, ...tcpFilters(ctx, 'sidecar/Inbound', cluster)]}
    if (tls) chain['transport_socket'] = tcpTls
    chain['name'] = name
    return {chain}
  }

  out.push({
    chain: {filter_chain_match: {destination_port: 15006}, filters: [mx, ...tcpFilters(ctx, 'sidecar/Inbound', 'BlackHoleCluster')], name: 'virtualInbound-blackhole'},
  })
  const any = {prefix_ranges: [{address_prefix: '0.0.0.0', prefix_len: 0}]}
  out.push(httpChain({...any, transport_protocol: 'tls', application_protocols: ISTIO_HTTP_ALPN}, 'virtualInbound-catchall-http', ip, ip, ip, 'inbound|http|0', ':0/*', true))
  if (permissive) out.push(httpChain({...any, transport_protocol: 'raw_buffer', application_protocols: PLAIN_HTTP_ALPN}, 'virtualInbound-catchall-http', ip, ip, ip, 'inbound|http|0', ':0/*', false))
  out.push(tcpChain({...any, transport_protocol: 'tls', application_protocols: ISTIO_TCP_ALPN}, 'virtualInbound', ip, true))
  if (permissive) out.push(tcpChain({...any, transport_protocol: 'raw_buffer'}, 'virtualInbound', ip, false))
  out.push(tcpChain({...any, transport_protocol: 'tls'}, 'virtualInbound', ip, true))

  for (const p of inbound) {
    const tp = p.targetPort
    const cluster = clusterName('inbound', tp, '', '')
    const name = `0.0.0.0_${tp}`
    const stat = `inbound_0.0.0.0_${tp}`
    const first = p.services[0]
    const op = `${first.service.hostname}:${first.port.port}/*`
    const vhost = `inbound|http|${tp}`
    if (isHttp(p.protocol)) {
      out.push(httpChain({destination_port: tp, transport_protocol: 'tls'}, name, stat, cluster, cluster, vhost, op, true))
      if (permissive) out.push(httpChain({destination_port: tp, transport_protocol: 'raw_buffer'}, name, stat, cluster, cluster, vhost, op, false))
    } else if (p.protocol === 'auto') {
      out.push(httpChain({destination_port: tp, transport_protocol: 'tls', application_protocols: ISTIO_HTTP_ALPN}, name, stat, cluster, cluster, vhost, op, true))
      if (permissive) out.push(httpChain({destination_port: tp, transport_protocol: 'raw_buffer', application_protocols: PLAIN_HTTP_ALPN}, name, stat, cluster, cluster, vhost, op, false))
      out.push(tcpChain({destination_port: tp, transport_protocol: 'tls', application_protocols: ISTIO_TCP_ALPN}, name, cluster, true))
      if (permissive) out.push(tcpChain({destination_port: tp, transport_protocol: 'raw_buffer'}, name, cluster, false))
      out.push(tcpChain({destination_port: tp, transport_protocol: 'tls'}, name, cluster, true))
    } else {
      out.push(tcpChain({destination_port: tp, transport_protocol: 'tls'}, name, cluster, true))
      if (permissive) out.push(tcpChain({destination_port: tp, transport_protocol: 'raw_buffer'}, name, cluster, false))
    }
  }
  return out
}

function virtualInbound(ctx: ProxyContext, inbound: readonly InboundPort[]): object {
  const disabledOn15006 = {destination_port_range: {start: 15006, end: 15007}}
  return {
    '@type': T.listener,
    name: 'virtualInbound',
    address: socketAddress('0.0.0.0', 15006),
    filter_chains: inboundChains(ctx, inbound).map((c) => c.chain),
    listener_filters: [ORIGINAL_DST, {...TLS_INSPECTOR, filter_disabled: disabledOn15006}, {...HTTP_INSPECTOR, filter_disabled: disabledOn15006}],
    listener_filters_timeout: '0s',
    traffic_direction: 'INBOUND',
    continue_on_listener_filters_timeout: true,
  }
}

function gatewayListener(ctx: ProxyContext, name: string, port: number, servers: GatewayServerRef[]): object {
  const chains: object[] = []
  let tls = false
  const seen = new Set<string>()
  for (const ref of servers) {
    if (seen.has(ref.route)) continue
    seen.add(ref.route)
    const filters = [hcm(ctx, 'router/Gateway', `outbound_0.0.0.0_${port}`, {rds: ref.route})]
    if (ref.server.port.protocol === 'HTTP') {
      chains.push({filters})
      continue
    }
    tls = true
    const names = ref.server.hosts.filter((h) => h !== '*')
    const chain: Record<string, unknown> = {}
    if (names.length > 0) chain['filter_chain_match'] = {server_names: names}
    chain['filters'] = filters
    chain['transport_socket'] = {
      name: 'envoy.transport_sockets.tls',
      typed_config: {
        '@type': T.downstreamTls,
        common_tls_context: {
          tls_params: {tls_minimum_protocol_version: 'TLSv1_2', tls_maximum_protocol_version: 'TLSv1_3'},
          alpn_protocols: ['h2', 'http/1.1'],
          tls_certificate_sds_secret_configs: [{name: `kubernetes://${ref.server.tls?.credentialName ?? ''}`, sds_config: ADS_SOURCE}],
        },
        require_client_certificate: ref.server.tls?.mode === 'MUTUAL',
      },
    }
    chains.push(chain)
  }
  const l: Record<string, unknown> = {'@type': T.listener, name, address: socketAddress('0.0.0.0', port), filter_chains: chains}
  if (tls) l['listener_filters'] = [TLS_INSPECTOR]
  l['listener_filters_timeout'] = '0s'
  l['traffic_direction'] = 'OUTBOUND'
  return l
}

export function renderListener(ctx: ProxyContext, ref: ListenerRef, inbound: readonly InboundPort[]): object {
  switch (ref.kind) {
    case 'virtualOutbound':
      return dynamicEntry(ctx, ref.name, virtualOutbound(ctx))
    case 'virtualInbound':
      return dynamicEntry(ctx, ref.name, virtualInbound(ctx, inbound))
    case 'gateway':
      return dynamicEntry(ctx, ref.name, gatewayListener(ctx, ref.name, ref.port, ref.servers))
    default:
      return dynamicEntry(ctx, ref.name, outboundListener(ctx, ref))
  }
}
