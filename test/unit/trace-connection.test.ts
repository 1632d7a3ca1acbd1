/**
 * The connection half of trace (src/trace/connection.ts), table-driven per envoy-request-path.md §13 items 2-5:
 * listener hand-off, listener filters, the filter chain tree at every level and its fallbacks, the unified
 * matcher, Istio's listener layouts (synthetic, from the spec's description of what Istio generates), terminal
 * network filters, scoped route keys; then every real dump in ../shared/conformance/real-dumps.
 */
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {ConfigDump, parseAdminDocument} from '../../src/envoy/document.js'
import {get, getArray, getString, isObject, type Json, type JsonObject} from '../../src/envoy/fields.js'
import {
  type Connection,
  chainCompatibility,
  filterDisabled,
  inspect,
  type ListenerView,
  listenerAt,
  listenersOnPort,
  type MatchProperties,
  type Mode,
  selectFilterChain,
  selectListener,
  selectScope,
  terminalFilter,
  traceConnection,
} from '../../src/trace/connection.js'
import {canonicalIp, cidrText, makeCidr} from '../../src/trace/net.js'
import {SHARED} from '../helpers/shared.js'
import {buildGraph} from '../../src/graph/graph.js'

// ---------------------------------------------------------------------------------------------------------------
// Builders (shapes as Envoy prints them)

const HCM_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager'
const TCP_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy'
const TLS_INSPECTOR = {name: 'envoy.filters.listener.tls_inspector', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector'}}
const HTTP_INSPECTOR = {name: 'envoy.filters.listener.http_inspector', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector'}}
const ORIGINAL_DST = {name: 'envoy.filters.listener.original_dst', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst'}}
const ROUTER = {name: 'envoy.filters.http.router', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router'}}
const DOWNSTREAM_TLS = (requireClientCert: boolean): JsonObject => ({
  name: 'envoy.transport_sockets.tls',
  typed_config: {'@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext', ...(requireClientCert ? {require_client_certificate: true} : {})},
})

const rds = (name: string, extra: JsonObject = {}): JsonObject => ({
  name: 'envoy.filters.network.http_connection_manager',
  typed_config: {'@type': HCM_TYPE, stat_prefix: name, rds: {route_config_name: name}, http_filters: [ROUTER], ...extra},
})
const inlineHcm = (name: string): JsonObject => ({
  name: 'envoy.filters.network.http_connection_manager',
  typed_config: {'@type': HCM_TYPE, stat_prefix: name, route_config: {name, virtual_hosts: [{name: 'vh', domains: ['*'], routes: [{match: {prefix: '/'}, route: {cluster: name}}]}]}, http_filters: [ROUTER]},
})
const tcp = (cluster: string): JsonObject => ({name: 'envoy.filters.network.tcp_proxy', typed_config: {'@type': TCP_TYPE, stat_prefix: cluster, cluster}})
const chain = (name: string, match: JsonObject | undefined, filters: JsonObject[], extra: JsonObject = {}): JsonObject => ({
  name,
  ...(match ? {filter_chain_match: match} : {}),
  filters,
  ...extra,
})
const listener = (name: string, address: string, port: number, fields: JsonObject = {}): ListenerView => ({
  name,
  raw: {name, address: {socket_address: {address, port_value: port}}, ...fields},
})
const conn = (c: Partial<Connection> & {destIp: string; destPort: number}): Connection => ({transport: 'raw_buffer', sourceIp: '10.0.0.10', sourcePort: 40000, ...c})
const HTTP11 = {httpProtocol: 'http/1.1' as const}

/** Runs the three connection steps the way trace does: listener, listener filters, filter chain, terminal filter. */
function run(listeners: ListenerView[], c: Connection, mode: Mode) {
  const t = traceConnection(listeners, c, mode)
  return {l: t.listener, i: t.inspect ?? undefined, ch: t.chain ?? undefined, net: t.network ?? undefined, compatibility: t.compatibility}
}

/** Properties for chain-level tests (what inspect would produce). */
const props = (p: Partial<MatchProperties>): MatchProperties => ({
  destinationIp: '10.0.0.1',
  destinationPort: 80,
  sourceIp: '10.0.0.10',
  sourcePort: 40000,
  directSourceIp: '10.0.0.10',
  transportProtocol: 'raw_buffer',
  serverName: '',
  applicationProtocols: [],
  sourceType: 'external',
  ...p,
})
const chainName = (listenerRaw: JsonObject, p: Partial<MatchProperties>): string | null => selectFilterChain(listenerRaw, props(p)).chain?.name ?? null

// ---------------------------------------------------------------------------------------------------------------
// Istio-shaped listeners (spec §2.2-§2.4)

const virtualOutbound = (policy: 'PassthroughCluster' | 'BlackHoleCluster' = 'PassthroughCluster'): ListenerView =>
  listener('virtualOutbound', '0.0.0.0', 15001, {
    use_original_dst: true,
    filter_chains: [chain('virtualOutbound-blackhole', {destination_port: 15001}, [tcp('BlackHoleCluster')]), chain('virtualOutbound-catchall-tcp', undefined, [tcp(policy)])],
  })
/** Shared HTTP port: HCM for raw_buffer + http/1.1,h2c, PassthroughFilterChain as default (istio#26079). */
const sharedHttp = (port: number, inspectors: JsonObject[] = [TLS_INSPECTOR, HTTP_INSPECTOR]): ListenerView =>
  listener(`0.0.0.0_${port}`, '0.0.0.0', port, {
    bind_to_port: false,
    listener_filters: inspectors,
    filter_chains: [chain('', {transport_protocol: 'raw_buffer', application_protocols: ['http/1.1', 'h2c']}, [rds(String(port))])],
    default_filter_chain: chain('PassthroughFilterChain', undefined, [tcp('PassthroughCluster')]),
  })
/** Sniffed (auto) VIP port: HTTP chain with RDS host:port, TCP as default. */
const sniffedVip = (vip: string, port: number, host: string): ListenerView =>
  listener(`${vip}_${port}`, vip, port, {
    bind_to_port: false,
    listener_filters: [TLS_INSPECTOR, HTTP_INSPECTOR],
    filter_chains: [chain('', {transport_protocol: 'raw_buffer', application_protocols: ['http/1.1', 'h2c']}, [rds(`${host}:${port}`)])],
    default_filter_chain: chain('', undefined, [tcp(`outbound|${port}||${host}`)]),
  })
const tcpVip = (vip: string, port: number, host: string): ListenerView =>
  listener(`${vip}_${port}`, vip, port, {bind_to_port: false, filter_chains: [chain('', undefined, [tcp(`outbound|${port}||${host}`)])]})

const ISTIO_HTTP_ALPN = ['istio-http/1.0', 'istio-http/1.1', 'istio-h2']
const ISTIO_TCP_ALPN = ['istio-peer-exchange', 'istio']
/** virtualInbound with per-port chains for 8080 in PERMISSIVE or STRICT, protocol auto (spec §2.3 table). */
function virtualInbound(mode: 'PERMISSIVE' | 'STRICT' | 'DISABLE'): ListenerView {
  const port = 8080
  const mtls = {transport_socket: DOWNSTREAM_TLS(true)}
  const perPort =
    mode === 'PERMISSIVE'
      ? [
          chain(`0.0.0.0_${port}`, {destination_port: port, transport_protocol: 'tls', application_protocols: ISTIO_HTTP_ALPN}, [inlineHcm(`inbound|${port}||`)], mtls),
          chain(`0.0.0.0_${port}`, {destination_port: port, transport_protocol: 'raw_buffer', application_protocols: ['http/1.1', 'h2c']}, [inlineHcm(`inbound|${port}||`)]),
          chain(`0.0.0.0_${port}`, {destination_port: port, transport_protocol: 'tls', application_protocols: ISTIO_TCP_ALPN}, [tcp(`inbound|${port}||`)], mtls),
          chain(`0.0.0.0_${port}`, {destination_port: port, transport_protocol: 'raw_buffer'}, [tcp(`inbound|${port}||`)]),
          chain(`0.0.0.0_${port}`, {destination_port: port, transport_protocol: 'tls'}, [tcp(`inbound|${port}||`)]),
        ]
      : mode === 'STRICT'
        ? [
            chain(`0.0.0.0_${port}`, {destination_port: port, transport_protocol: 'tls', application_protocols: ISTIO_HTTP_ALPN}, [inlineHcm(`inbound|${port}||`)], mtls),
            chain(`0.0.0.0_${port}`, {destination_port: port, transport_protocol: 'tls'}, [tcp(`inbound|${port}||`)], mtls),
          ]
        : [
            chain(`0.0.0.0_${port}`, {destination_port: port, transport_protocol: 'raw_buffer', application_protocols: ['http/1.1', 'h2c']}, [inlineHcm(`inbound|${port}||`)]),
            chain(`0.0.0.0_${port}`, {destination_port: port, transport_protocol: 'raw_buffer'}, [tcp(`inbound|${port}||`)]),
          ]
  return listener('virtualInbound', '0.0.0.0', 15006, {
    listener_filters: [
      ORIGINAL_DST,
      {...TLS_INSPECTOR, filter_disabled: {destination_port_range: {start: 15006, end: 15007}}},
      {...HTTP_INSPECTOR, filter_disabled: {destination_port_range: {start: 15006, end: 15007}}},
    ],
    filter_chains: [
      chain('virtualInbound-blackhole', {destination_port: 15006}, [tcp('BlackHoleCluster')]),
      chain('virtualInbound-catchall-http', {transport_protocol: 'raw_buffer', application_protocols: ['http/1.1', 'h2c']}, [inlineHcm('InboundPassthroughCluster')]),
      chain('virtualInbound', {transport_protocol: 'raw_buffer'}, [tcp('InboundPassthroughCluster')]),
      ...perPort,
    ],
  })
}

// ---------------------------------------------------------------------------------------------------------------

describe('selectListener (spec §2, §13 item 2)', () => {
  const mesh = [virtualOutbound(), sharedHttp(9080), sniffedVip('10.96.0.20', 9080, 'ratings.default.svc.cluster.local'), tcpVip('10.96.0.30', 3306, 'mysql.db.svc.cluster.local')]
  const cases: Array<{name: string; listeners: ListenerView[]; c: Connection; mode: Mode; listener: string | null; handedOff?: boolean; reason?: RegExp}> = [
    {name: 'the VIP listener beats 0.0.0.0_port', listeners: mesh, c: conn({destIp: '10.96.0.20', destPort: 9080}), mode: 'outbound', listener: '10.96.0.20_9080', handedOff: true, reason: /exact ip:port 10\.96\.0\.20:9080/},
    {name: 'another VIP on the port takes 0.0.0.0_port', listeners: mesh, c: conn({destIp: '10.96.0.99', destPort: 9080}), mode: 'outbound', listener: '0.0.0.0_9080', handedOff: true, reason: /0\.0\.0\.0:9080 \(no listener at 10\.96\.0\.99:9080\)/},
    {name: 'no listener for the port: virtualOutbound keeps it', listeners: mesh, c: conn({destIp: '1.2.3.4', destPort: 443}), mode: 'outbound', listener: 'virtualOutbound', handedOff: false, reason: /stays on virtualOutbound/},
    {name: 'a connection to 15001 stays on virtualOutbound', listeners: mesh, c: conn({destIp: '10.0.0.10', destPort: 15001}), mode: 'outbound', listener: 'virtualOutbound', handedOff: false},
    {name: 'TCP VIP', listeners: mesh, c: conn({destIp: '10.96.0.30', destPort: 3306}), mode: 'outbound', listener: '10.96.0.30_3306', handedOff: true},
    {
      name: 'IPv6: exact VIP in another spelling',
      listeners: [virtualOutbound(), listener('fd00::20_9080', 'fd00:0:0::20', 9080, {bind_to_port: false})],
      c: conn({destIp: 'FD00::0:20', destPort: 9080}),
      mode: 'outbound',
      listener: 'fd00::20_9080',
      handedOff: true,
    },
    {
      name: 'IPv6 takes [::]:port, never 0.0.0.0:port',
      listeners: [virtualOutbound(), sharedHttp(9080), listener('[::]_9080', '::', 9080, {bind_to_port: false})],
      c: conn({destIp: 'fd00::99', destPort: 9080}),
      mode: 'outbound',
      listener: '[::]_9080',
      handedOff: true,
    },
    {
      name: 'IPv6 without [::]:port stays on virtualOutbound even if 0.0.0.0:port exists',
      listeners: [virtualOutbound(), sharedHttp(9080)],
      c: conn({destIp: 'fd00::99', destPort: 9080}),
      mode: 'outbound',
      listener: 'virtualOutbound',
      handedOff: false,
    },
    {
      name: 'IPv4 takes a [::] listener with ipv4_compat',
      listeners: [virtualOutbound(), {name: 'dual_9080', raw: {name: 'dual_9080', address: {socket_address: {address: '::', port_value: 9080, ipv4_compat: true}}}}],
      c: conn({destIp: '10.1.1.1', destPort: 9080}),
      mode: 'outbound',
      listener: 'dual_9080',
      handedOff: true,
    },
    {
      name: 'Consul: one listener with an explicit original_dst, no hand-off',
      listeners: [listener('outbound_listener:127.0.0.1:15001', '127.0.0.1', 15001, {listener_filters: [ORIGINAL_DST], filter_chains: []}), listener('public_listener', '10.0.0.10', 20000)],
      c: conn({destIp: '10.100.31.2', destPort: 8080}),
      mode: 'outbound',
      listener: 'outbound_listener:127.0.0.1:15001',
      handedOff: false,
      reason: /no hand-off/,
    },
    {name: 'inbound: virtualInbound', listeners: [...mesh, virtualInbound('PERMISSIVE')], c: conn({destIp: '10.0.0.10', destPort: 8080}), mode: 'inbound', listener: 'virtualInbound', handedOff: false},
    {name: 'inbound without virtualInbound: refused', listeners: mesh, c: conn({destIp: '10.0.0.10', destPort: 8080}), mode: 'inbound', listener: null, reason: /refused/},
    {
      name: 'direct: the bound gateway listener',
      listeners: [listener('0.0.0.0_8080', '0.0.0.0', 8080, {filter_chains: [chain('', undefined, [rds('http.8080')])]})],
      c: conn({destIp: '10.0.0.5', destPort: 8080}),
      mode: 'direct',
      listener: '0.0.0.0_8080',
    },
    {name: 'direct: bind_to_port false is not reachable', listeners: mesh, c: conn({destIp: '10.96.0.30', destPort: 3306}), mode: 'direct', listener: null, reason: /refused/},
    {
      name: 'outbound on a gateway (no capture listener) is traced as direct',
      listeners: [listener('0.0.0.0_8080', '0.0.0.0', 8080)],
      c: conn({destIp: '10.0.0.5', destPort: 8080}),
      mode: 'outbound',
      listener: '0.0.0.0_8080',
    },
  ]
  for (const k of cases) {
    test(k.name, () => {
      const d = selectListener(k.listeners, k.c, k.mode)
      assert.equal(d.listener?.name ?? null, k.listener, d.reason)
      if (k.handedOff !== undefined) assert.equal(d.handedOff, k.handedOff)
      if (d.handedOff) assert.equal(d.entry?.name, 'virtualOutbound')
      if (k.reason) assert.match(d.reason, k.reason)
      assert.doesNotThrow(() => JSON.stringify(d))
    })
  }
  test('a gateway traced as outbound says why', () => {
    const d = selectListener([listener('0.0.0.0_8080', '0.0.0.0', 8080)], conn({destIp: '10.0.0.5', destPort: 8080}), 'outbound')
    assert.match(d.assumptions.join(' '), /does not capture outbound traffic/)
    assert.equal(d.mode, 'outbound')
  })
  test('candidates say why other listeners on the port lost', () => {
    const d = selectListener(mesh, conn({destIp: '10.96.0.20', destPort: 9080}), 'outbound')
    assert.ok(d.candidates.some((c) => c.name === '0.0.0.0_9080' && /exact address/.test(c.why)), JSON.stringify(d.candidates))
  })
  test('listenersOnPort and listenerAt', () => {
    assert.deepEqual(
      listenersOnPort(mesh, 9080).map((l) => l.name),
      ['0.0.0.0_9080', '10.96.0.20_9080'],
    )
    assert.equal(listenerAt(mesh, '10.96.0.30', 3306)?.name, '10.96.0.30_3306')
    assert.equal(listenerAt(mesh, '10.96.0.30', 3307), undefined)
  })
})

describe('inspect: listener filters (spec §3, §13 item 3)', () => {
  const withBoth = sharedHttp(9080).raw
  const cases: Array<{name: string; l: JsonObject; c: Connection; transport: string; sni?: string; alpn: string[]; assume?: RegExp}> = [
    {name: 'TLS with the inspector: tls, SNI lowercased, ALPN in client order', l: withBoth, c: conn({destIp: '10.0.0.1', destPort: 9080, transport: 'tls', sni: 'Reviews.Example.COM', alpn: ['h2', 'http/1.1']}), transport: 'tls', sni: 'reviews.example.com', alpn: ['h2', 'http/1.1']},
    {name: 'TLS without the inspector: raw_buffer, no SNI, no ALPN (trap 5)', l: sharedHttp(9080, [HTTP_INSPECTOR]).raw, c: conn({destIp: '10.0.0.1', destPort: 9080, transport: 'tls', sni: 'a.b', alpn: ['h2']}), transport: 'raw_buffer', alpn: [], assume: /no tls_inspector ran/},
    {name: 'HTTP/1.1', l: withBoth, c: conn({destIp: '10.0.0.1', destPort: 9080, ...HTTP11}), transport: 'raw_buffer', alpn: ['http/1.1']},
    {name: 'HTTP/1.0', l: withBoth, c: conn({destIp: '10.0.0.1', destPort: 9080, httpProtocol: 'http/1.0'}), transport: 'raw_buffer', alpn: ['http/1.0']},
    {name: 'h2c prior knowledge', l: withBoth, c: conn({destIp: '10.0.0.1', destPort: 9080, httpProtocol: 'h2c'}), transport: 'raw_buffer', alpn: ['h2c']},
    {name: 'opaque TCP', l: withBoth, c: conn({destIp: '10.0.0.1', destPort: 9080}), transport: 'raw_buffer', alpn: []},
    {name: 'HTTP without an http_inspector: no ALPN', l: sharedHttp(9080, [TLS_INSPECTOR]).raw, c: conn({destIp: '10.0.0.1', destPort: 9080, ...HTTP11}), transport: 'raw_buffer', alpn: []},
    {name: 'filter_disabled [15006,15007) switches both off on 15006', l: virtualInbound('PERMISSIVE').raw, c: conn({destIp: '10.0.0.10', destPort: 15006, transport: 'tls', sni: 'x', alpn: ['h2']}), transport: 'raw_buffer', alpn: []},
    {name: 'filter_disabled end is exclusive: 15007 is inspected', l: virtualInbound('PERMISSIVE').raw, c: conn({destIp: '10.0.0.10', destPort: 15007, transport: 'tls', sni: 'x', alpn: ['h2']}), transport: 'tls', sni: 'x', alpn: ['h2']},
  ]
  for (const k of cases) {
    test(k.name, () => {
      const d = inspect(k.l, k.c, true)
      assert.equal(d.properties.transportProtocol, k.transport)
      assert.equal(d.properties.serverName, k.sni ?? '')
      assert.deepEqual(d.properties.applicationProtocols, k.alpn)
      if (k.assume) assert.match(d.assumptions.join(' '), k.assume)
    })
  }
  test('use_original_dst shows the implicit original_dst filter', () => {
    const d = inspect(virtualOutbound().raw, conn({destIp: '1.2.3.4', destPort: 80}), false)
    assert.equal(d.filters[0]?.kind, 'original_dst')
    assert.match(d.filters[0]!.name, /implicit/)
  })
  test('source type: loopback and same-IP connections are local', () => {
    assert.equal(inspect(withBoth, conn({destIp: '10.0.0.1', destPort: 80, sourceIp: '127.0.0.6'}), true).properties.sourceType, 'local')
    assert.equal(inspect(withBoth, conn({destIp: '10.0.0.1', destPort: 80, sourceIp: '10.0.0.1'}), true).properties.sourceType, 'local')
    assert.equal(inspect(withBoth, conn({destIp: '10.0.0.1', destPort: 80, sourceIp: '10.0.0.2'}), true).properties.sourceType, 'external')
  })
  test('a default source is reported as an assumption', () => {
    const d = inspect(withBoth, {destIp: '10.0.0.1', destPort: 80, transport: 'raw_buffer'}, true)
    assert.match(d.assumptions.join(' '), /source 10\.0\.0\.10:40000 assumed/)
  })
  test('filter_disabled predicates', () => {
    const range = (start: number, end: number): JsonObject => ({destination_port_range: {start, end}})
    assert.equal(filterDisabled(range(80, 81), 80), true)
    assert.equal(filterDisabled(range(80, 81), 81), false)
    assert.equal(filterDisabled({or_match: {rules: [range(1, 2), range(80, 90)]}}, 85), true)
    assert.equal(filterDisabled({and_match: {rules: [range(1, 100), range(80, 90)]}}, 95), false)
    assert.equal(filterDisabled({not_match: range(80, 81)}, 80), false)
    assert.equal(filterDisabled({not_match: range(80, 81)}, 443), true)
    assert.equal(filterDisabled({any_match: true}, 1), true)
    assert.equal(filterDisabled(undefined, 1), false)
  })
})

describe('selectFilterChain: the filter_chain_match tree (spec §4.1, §13 item 4)', () => {
  const sniL: JsonObject = {
    filter_chains: [
      chain('exact', {server_names: ['API.example.com']}, [tcp('exact')]),
      chain('wild', {server_names: ['*.example.com']}, [tcp('wild')]),
      chain('wild-b', {server_names: ['*.b.example.com']}, [tcp('wild-b')]),
      chain('com', {server_names: ['*.com']}, [tcp('com')]),
      chain('no-sni', undefined, [tcp('no-sni')]),
    ],
  }
  const prefixL: JsonObject = {
    filter_chains: [
      chain('/32', {prefix_ranges: [{address_prefix: '10.1.2.3', prefix_len: 32}]}, [tcp('a')]),
      chain('/16', {prefix_ranges: [{address_prefix: '10.1.0.0', prefix_len: 16}]}, [tcp('b')]),
      chain('any', undefined, [tcp('c')]),
    ],
  }
  const cases: Array<{name: string; l: JsonObject; p: Partial<MatchProperties>; want: string | null}> = [
    {name: 'SNI exact (server_names lowercased)', l: sniL, p: {serverName: 'api.example.com'}, want: 'exact'},
    {name: 'SNI wildcard', l: sniL, p: {serverName: 'www.example.com'}, want: 'wild'},
    {name: 'SNI multi-label: the longest wildcard suffix', l: sniL, p: {serverName: 'x.b.example.com'}, want: 'wild-b'},
    {name: 'SNI multi-label: *.example.com covers a.c.example.com', l: sniL, p: {serverName: 'a.c.example.com'}, want: 'wild'},
    {name: '*.example.com does not cover example.com (*.com does)', l: sniL, p: {serverName: 'example.com'}, want: 'com'},
    {name: 'unknown SNI falls to the chain without server_names', l: sniL, p: {serverName: 'example.org'}, want: 'no-sni'},
    {name: 'no SNI takes the chain without server_names', l: sniL, p: {serverName: ''}, want: 'no-sni'},
    {name: 'longest prefix: /32', l: prefixL, p: {destinationIp: '10.1.2.3'}, want: '/32'},
    {name: 'longest prefix: /16', l: prefixL, p: {destinationIp: '10.1.9.9'}, want: '/16'},
    {name: 'longest prefix: none', l: prefixL, p: {destinationIp: '192.168.0.1'}, want: 'any'},
    {
      name: 'no backtracking: an exact SNI branch whose transport fails does not fall to the wildcard',
      l: {filter_chains: [chain('exact-tls', {server_names: ['a.example.com'], transport_protocol: 'tls'}, [tcp('x')]), chain('wild-raw', {server_names: ['*.example.com']}, [tcp('y')])], default_filter_chain: chain('def', undefined, [tcp('d')])},
      p: {serverName: 'a.example.com', transportProtocol: 'raw_buffer'},
      want: 'def',
    },
    {
      name: 'destination IP outranks ALPN (trap 4): a /32 TCP chain takes HTTP',
      l: {filter_chains: [chain('tcp-32', {prefix_ranges: [{address_prefix: '10.0.0.7', prefix_len: 32}]}, [tcp('x')]), chain('http', {application_protocols: ['http/1.1', 'h2c']}, [rds('80')])]},
      p: {destinationIp: '10.0.0.7', applicationProtocols: ['http/1.1']},
      want: 'tcp-32',
    },
    {
      name: 'port branch then default (trap 2): a failing port branch never uses the port-less chains',
      l: {filter_chains: [chain('port-tls', {destination_port: 9080, transport_protocol: 'tls'}, [tcp('x')]), chain('portless', undefined, [tcp('y')])], default_filter_chain: chain('def', undefined, [tcp('d')])},
      p: {destinationPort: 9080},
      want: 'def',
    },
    {
      name: 'port branch then default, and no default: closed',
      l: {filter_chains: [chain('port-tls', {destination_port: 9080, transport_protocol: 'tls'}, [tcp('x')]), chain('portless', undefined, [tcp('y')])]},
      p: {destinationPort: 9080},
      want: null,
    },
    {
      name: 'another port takes the port-less chain',
      l: {filter_chains: [chain('port-tls', {destination_port: 9080, transport_protocol: 'tls'}, [tcp('x')]), chain('portless', undefined, [tcp('y')])]},
      p: {destinationPort: 8080},
      want: 'portless',
    },
    {
      name: 'ALPN follows the client order (trap 3): [istio, istio-http/1.1] picks the TCP chain',
      l: {filter_chains: [chain('http', {transport_protocol: 'tls', application_protocols: ['istio-http/1.1']}, [rds('x')]), chain('tcp', {transport_protocol: 'tls', application_protocols: ['istio-peer-exchange', 'istio']}, [tcp('x')])]},
      p: {transportProtocol: 'tls', applicationProtocols: ['istio', 'istio-http/1.1']},
      want: 'tcp',
    },
    {
      name: 'ALPN: no offered protocol has a branch ⇒ the chain without application_protocols',
      l: {filter_chains: [chain('h2', {application_protocols: ['h2']}, [tcp('x')]), chain('none', undefined, [tcp('y')])]},
      p: {applicationProtocols: ['http/1.1']},
      want: 'none',
    },
    {
      name: 'transport exact beats empty',
      l: {filter_chains: [chain('tls', {transport_protocol: 'tls'}, [tcp('x')]), chain('any', undefined, [tcp('y')])]},
      p: {transportProtocol: 'tls'},
      want: 'tls',
    },
    {
      name: 'direct source prefix',
      l: {filter_chains: [chain('dsrc', {direct_source_prefix_ranges: [{address_prefix: '10.0.0.0', prefix_len: 24}]}, [tcp('x')]), chain('any', undefined, [tcp('y')])]},
      p: {directSourceIp: '10.0.0.99'},
      want: 'dsrc',
    },
    {
      name: 'source type: a local connection takes SAME_IP_OR_LOOPBACK',
      l: {filter_chains: [chain('local', {source_type: 'SAME_IP_OR_LOOPBACK'}, [tcp('x')]), chain('ext', {source_type: 'EXTERNAL'}, [tcp('y')]), chain('any', undefined, [tcp('z')])]},
      p: {sourceType: 'local'},
      want: 'local',
    },
    {
      name: 'source type: an external connection takes EXTERNAL',
      l: {filter_chains: [chain('local', {source_type: 'SAME_IP_OR_LOOPBACK'}, [tcp('x')]), chain('ext', {source_type: 'EXTERNAL'}, [tcp('y')]), chain('any', undefined, [tcp('z')])]},
      p: {sourceType: 'external'},
      want: 'ext',
    },
    {
      name: 'source type: a local connection without a local branch takes ANY, never EXTERNAL',
      l: {filter_chains: [chain('ext', {source_type: 'EXTERNAL'}, [tcp('y')]), chain('any', undefined, [tcp('z')])]},
      p: {sourceType: 'local'},
      want: 'any',
    },
    {
      name: 'source prefix: longest',
      l: {filter_chains: [chain('src8', {source_prefix_ranges: [{address_prefix: '10.0.0.0', prefix_len: 8}]}, [tcp('x')]), chain('src24', {source_prefix_ranges: [{address_prefix: '10.0.0.0', prefix_len: 24}]}, [tcp('y')])]},
      p: {sourceIp: '10.0.0.7'},
      want: 'src24',
    },
    {
      name: 'source ports: exact',
      l: {filter_chains: [chain('p', {source_ports: [40000]}, [tcp('x')]), chain('any', undefined, [tcp('y')])]},
      p: {sourcePort: 40000},
      want: 'p',
    },
    {
      name: 'source ports: the any-port entry',
      l: {filter_chains: [chain('p', {source_ports: [40000]}, [tcp('x')]), chain('any', undefined, [tcp('y')])]},
      p: {sourcePort: 40001},
      want: 'any',
    },
    {
      name: 'camelCase keys and a wrapped destinationPort',
      l: {filterChains: [chain('c', undefined, [tcp('x')]), {name: 'camel', filterChainMatch: {destinationPort: {value: 81}, prefixRanges: [{addressPrefix: '10.0.0.0', prefixLen: 8}]}, filters: [tcp('y')]}]} as JsonObject,
      p: {destinationPort: 81},
      want: 'camel',
    },
    {name: 'no chains, no default: closed', l: {filter_chains: []}, p: {}, want: null},
    {name: 'only a default chain', l: {default_filter_chain: chain('only', undefined, [rds('x')])}, p: {}, want: 'only'},
  ]
  for (const k of cases) {
    test(k.name, () => {
      assert.equal(chainName(k.l, k.p), k.want)
    })
  }
  test('the reason names the deciding criteria; candidates say why the others lost', () => {
    const d = selectFilterChain(sharedHttp(9080).raw, props({destinationPort: 9080, applicationProtocols: ['http/1.1']}))
    assert.equal(d.reason, 'filter_chain_match: transport_protocol raw_buffer, application_protocols http/1.1')
    const p = selectFilterChain(prefixL, props({destinationIp: '10.1.2.3'}))
    assert.ok(p.candidates.some((c) => c.name === '/16' && /less specific than \/32/.test(c.why)), JSON.stringify(p.candidates))
    const port = selectFilterChain({filter_chains: [chain('port-tls', {destination_port: 9080, transport_protocol: 'tls'}, [tcp('x')])], default_filter_chain: chain('def', undefined, [])}, props({destinationPort: 9080}))
    assert.match(port.reason, /does not fall back to chains without a port/)
    assert.equal(port.chain?.isDefault, true)
    assert.equal(port.chain?.index, -1)
  })
  test('overlapping matches are reported (Envoy rejects such a listener)', () => {
    const d = selectFilterChain({filter_chains: [chain('a', undefined, [tcp('x')]), chain('b', undefined, [tcp('y')])]}, props({}))
    assert.equal(d.chain?.name, 'a')
    assert.match(d.assumptions.join(' '), /overlapping/)
  })
  test('partial wildcard server names are reported', () => {
    const d = selectFilterChain({filter_chains: [chain('p', {server_names: ['*w.example.com']}, [tcp('x')])]}, props({serverName: 'www.example.com'}))
    assert.match(d.assumptions.join(' '), /partial wildcard/)
  })
  test('thousands of chains (headless /32 per pod): one call stays fast', () => {
    const chains: JsonObject[] = []
    for (let i = 0; i < 5000; i++) chains.push(chain(`pod${i}`, {prefix_ranges: [{address_prefix: `10.${(i >> 8) & 255}.${i & 255}.1`, prefix_len: 32}]}, [tcp(`c${i}`)]))
    const l: JsonObject = {filter_chains: chains}
    const t0 = performance.now()
    const d = selectFilterChain(l, props({destinationIp: '10.19.135.1'}))
    const ms = performance.now() - t0
    assert.equal(d.chain?.name, `pod${19 * 256 + 135}`)
    assert.ok(ms < 2000, `${ms} ms`)
    assert.equal(d.candidates.length + d.candidatesOmitted, 4999)
  })
})

describe('selectFilterChain: the unified filter_chain_matcher (spec §4.2)', () => {
  const input = (t: string): JsonObject => ({name: t, typed_config: {'@type': `type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3.${t}`}})
  const action = (name: string): JsonObject => ({action: {name: name, typed_config: {'@type': 'type.googleapis.com/google.protobuf.StringValue', value: name}}})
  const named = ['a', 'b', 'c', 'def'].map((n) => chain(n, {destination_port: 1}, [tcp(n)]))
  const ipm = (exclusive: boolean): JsonObject => ({
    filter_chains: named,
    filter_chain_matcher: {
      matcher_tree: {
        input: input('DestinationIPInput'),
        custom_match: {
          name: 'ip',
          typed_config: {
            '@type': 'type.googleapis.com/xds.type.matcher.v3.IPMatcher',
            range_matchers: [
              {ranges: [{address_prefix: '10.0.0.0', prefix_len: 8}], exclusive, on_match: {matcher: {matcher_tree: {input: input('DestinationPortInput'), exact_match_map: {map: {'80': action('a')}}}}}},
              {ranges: [{address_prefix: '10.1.0.0', prefix_len: 16}], on_match: {matcher: {matcher_tree: {input: input('DestinationPortInput'), exact_match_map: {map: {'443': action('b')}}}}}},
            ],
          },
        },
      },
      on_no_match: action('c'),
    },
  })
  const cases: Array<{name: string; l: JsonObject; p: Partial<MatchProperties>; want: string | null}> = [
    {name: 'exact map hit', l: {filter_chains: named, filter_chain_matcher: {matcher_tree: {input: input('DestinationPortInput'), exact_match_map: {map: {'80': action('a'), '443': action('b')}}}}}, p: {destinationPort: 443}, want: 'b'},
    {name: 'exact map miss without on_no_match: default chain', l: {filter_chains: named, default_filter_chain: chain('dflt', undefined, [tcp('d')]), filter_chain_matcher: {matcher_tree: {input: input('DestinationPortInput'), exact_match_map: {map: {'80': action('a')}}}}}, p: {destinationPort: 8080}, want: 'dflt'},
    {name: 'exact map miss: on_no_match', l: {filter_chains: named, filter_chain_matcher: {matcher_tree: {input: input('DestinationPortInput'), exact_match_map: {map: {'80': action('a')}}}, on_no_match: action('c')}}, p: {destinationPort: 8080}, want: 'c'},
    {name: 'IP matcher: the most specific range', l: ipm(false), p: {destinationIp: '10.1.2.3', destinationPort: 443}, want: 'b'},
    {name: 'IP matcher: a non-exclusive less specific range after a nested miss', l: ipm(false), p: {destinationIp: '10.1.2.3', destinationPort: 80}, want: 'a'},
    {name: 'IP matcher: an exclusive less specific range is not tried', l: ipm(true), p: {destinationIp: '10.1.2.3', destinationPort: 80}, want: 'c'},
    {name: 'IP matcher: outside every range: on_no_match', l: ipm(false), p: {destinationIp: '192.168.1.1', destinationPort: 80}, want: 'c'},
    {
      name: "ApplicationProtocolInput keys are quoted and comma-joined ('h2c')",
      l: {filter_chains: named, filter_chain_matcher: {matcher_tree: {input: input('ApplicationProtocolInput'), exact_match_map: {map: {"'h2c'": action('a'), "'http/1.1'": action('b')}}}}},
      p: {applicationProtocols: ['http/1.1']},
      want: 'b',
    },
    {
      name: 'matcher_list: the first predicate that holds, and_matcher',
      l: {
        filter_chains: named,
        filter_chain_matcher: {
          matcher_list: {
            matchers: [
              {predicate: {and_matcher: {predicate: [{single_predicate: {input: input('ServerNameInput'), value_match: {suffix: '.example.com'}}}, {single_predicate: {input: input('TransportProtocolInput'), value_match: {exact: 'tls'}}}]}}, on_match: action('a')},
              {predicate: {single_predicate: {input: input('ServerNameInput'), value_match: {prefix: 'www.'}}}, on_match: action('b')},
            ],
          },
        },
      },
      p: {serverName: 'www.example.com', transportProtocol: 'raw_buffer'},
      want: 'b',
    },
    {
      name: 'prefix map: the longest prefix',
      l: {filter_chains: named, filter_chain_matcher: {matcher_tree: {input: input('ServerNameInput'), prefix_match_map: {map: {www: action('a'), 'www.ex': action('b')}}}}},
      p: {serverName: 'www.example.com'},
      want: 'b',
    },
    {
      name: 'matcher_list: a holding predicate whose nested matcher fails lets the next entry match',
      l: {
        filter_chains: named,
        filter_chain_matcher: {
          matcher_list: {
            matchers: [
              {predicate: {single_predicate: {input: input('ServerNameInput'), value_match: {suffix: '.example.com'}}}, on_match: {matcher: {matcher_tree: {input: input('DestinationPortInput'), exact_match_map: {map: {'443': action('a')}}}}}},
              {predicate: {single_predicate: {input: input('ServerNameInput'), value_match: {prefix: 'www.'}}}, on_match: action('b')},
            ],
          },
          on_no_match: action('c'),
        },
      },
      p: {serverName: 'www.example.com', destinationPort: 80},
      want: 'b',
    },
    {
      name: 'prefix map: a failing longer prefix falls to a shorter one',
      l: {
        filter_chains: named,
        filter_chain_matcher: {
          matcher_tree: {
            input: input('ServerNameInput'),
            prefix_match_map: {map: {www: action('a'), 'www.ex': {matcher: {matcher_tree: {input: input('DestinationPortInput'), exact_match_map: {map: {'443': action('b')}}}}}}},
          },
        },
      },
      p: {serverName: 'www.example.com', destinationPort: 80},
      want: 'a',
    },
    {name: 'not_matcher and an absent input', l: {filter_chains: named, filter_chain_matcher: {matcher_list: {matchers: [{predicate: {not_matcher: {single_predicate: {input: input('ServerNameInput'), value_match: {exact: 'x'}}}}, on_match: action('a')}]}}}, p: {serverName: ''}, want: 'a'},
    {name: 'an action naming no chain closes the connection', l: {filter_chains: named, default_filter_chain: chain('dflt', undefined, []), filter_chain_matcher: {matcher_tree: {input: input('DestinationPortInput'), exact_match_map: {map: {'80': action('nope')}}}}}, p: {destinationPort: 80}, want: null},
  ]
  for (const k of cases) {
    test(k.name, () => {
      const d = selectFilterChain(k.l, props(k.p))
      assert.equal(d.method, 'filter_chain_matcher')
      assert.equal(d.chain?.name ?? null, k.want, d.reason)
    })
  }
})

describe('Istio layouts end to end (spec §2.2-§2.4, §13 item 5)', () => {
  const mesh = [virtualOutbound(), sharedHttp(9080), sniffedVip('10.96.0.20', 8000, 'ratings.default.svc.cluster.local'), tcpVip('10.96.0.30', 3306, 'mysql.db.svc.cluster.local'), virtualInbound('PERMISSIVE')]
  const strict = [virtualOutbound(), virtualInbound('STRICT')]
  const disable = [virtualOutbound(), virtualInbound('DISABLE')]
  // PILOT_ENABLE_HEADLESS_FILTER_CHAIN_LISTENER: one 0.0.0.0_<port> with a /32 chain per pod
  const headless = [
    virtualOutbound(),
    listener('0.0.0.0_9042', '0.0.0.0', 9042, {
      bind_to_port: false,
      filter_chains: ['10.1.0.5', '10.1.0.6', '10.1.0.7'].map((ip) => chain(`${ip}_9042`, {prefix_ranges: [{address_prefix: ip, prefix_len: 32}]}, [tcp(`outbound|9042||${ip}.cassandra.db.svc.cluster.local`)])),
    }),
  ]
  const gateway = [
    listener('0.0.0.0_8080', '0.0.0.0', 8080, {filter_chains: [chain('', undefined, [rds('http.8080')])]}),
    listener('0.0.0.0_8443', '0.0.0.0', 8443, {
      listener_filters: [TLS_INSPECTOR],
      filter_chains: [
        chain('', {server_names: ['bookinfo.example.com']}, [rds('https.443.https-bookinfo.bookinfo-gateway.default')], {transport_socket: DOWNSTREAM_TLS(false)}),
        chain('', {server_names: ['*.example.com']}, [rds('https.443.https-wild.wild-gateway.default')], {transport_socket: DOWNSTREAM_TLS(false)}),
      ],
    }),
  ]
  const MTLS_HTTP = {transport: 'tls' as const, sni: 'outbound_.8080_._.app.default.svc.cluster.local', alpn: ['istio-http/1.1', 'istio', 'http/1.1']}
  const MTLS_TCP = {transport: 'tls' as const, sni: 'outbound_.8080_._.app.default.svc.cluster.local', alpn: ['istio-peer-exchange', 'istio']}
  const cases: Array<{name: string; ls: ListenerView[]; c: Connection; mode: Mode; listener: string | null; chain?: number | 'default' | null; kind?: string; target?: string; compat?: RegExp}> = [
    {name: 'outbound shared HTTP port: HTTP/1.1 → HCM RDS "9080"', ls: mesh, c: conn({destIp: '10.96.0.99', destPort: 9080, ...HTTP11}), mode: 'outbound', listener: '0.0.0.0_9080', chain: 0, kind: 'hcm', target: '9080'},
    {name: 'outbound shared HTTP port: h2c → HCM', ls: mesh, c: conn({destIp: '10.96.0.99', destPort: 9080, httpProtocol: 'h2c'}), mode: 'outbound', listener: '0.0.0.0_9080', chain: 0, kind: 'hcm', target: '9080'},
    {name: 'outbound shared HTTP port: HTTP/1.0 → Passthrough (trap 6)', ls: mesh, c: conn({destIp: '10.96.0.99', destPort: 9080, httpProtocol: 'http/1.0'}), mode: 'outbound', listener: '0.0.0.0_9080', chain: 'default', kind: 'tcp_proxy', target: 'PassthroughCluster'},
    {name: 'outbound shared HTTP port: TLS → Passthrough', ls: mesh, c: conn({destIp: '10.96.0.99', destPort: 9080, transport: 'tls', sni: 'x', alpn: ['h2']}), mode: 'outbound', listener: '0.0.0.0_9080', chain: 'default', kind: 'tcp_proxy', target: 'PassthroughCluster'},
    {name: 'sniffed VIP port: HTTP → HCM RDS host:port', ls: mesh, c: conn({destIp: '10.96.0.20', destPort: 8000, ...HTTP11}), mode: 'outbound', listener: '10.96.0.20_8000', chain: 0, kind: 'hcm', target: 'ratings.default.svc.cluster.local:8000'},
    {name: 'sniffed VIP port: TCP → the default tcp_proxy', ls: mesh, c: conn({destIp: '10.96.0.20', destPort: 8000}), mode: 'outbound', listener: '10.96.0.20_8000', chain: 'default', kind: 'tcp_proxy', target: 'outbound|8000||ratings.default.svc.cluster.local'},
    {name: 'TCP VIP', ls: mesh, c: conn({destIp: '10.96.0.30', destPort: 3306}), mode: 'outbound', listener: '10.96.0.30_3306', chain: 0, kind: 'tcp_proxy', target: 'outbound|3306||mysql.db.svc.cluster.local'},
    {name: 'unknown destination, ALLOW_ANY: PassthroughCluster', ls: mesh, c: conn({destIp: '1.2.3.4', destPort: 443}), mode: 'outbound', listener: 'virtualOutbound', chain: 1, kind: 'tcp_proxy', target: 'PassthroughCluster'},
    {name: 'unknown destination, REGISTRY_ONLY: BlackHoleCluster', ls: [virtualOutbound('BlackHoleCluster')], c: conn({destIp: '1.2.3.4', destPort: 443}), mode: 'outbound', listener: 'virtualOutbound', chain: 1, kind: 'tcp_proxy', target: 'BlackHoleCluster'},
    {name: 'a connection to 15001: the blackhole chain', ls: mesh, c: conn({destIp: '10.0.0.10', destPort: 15001}), mode: 'outbound', listener: 'virtualOutbound', chain: 0, kind: 'tcp_proxy', target: 'BlackHoleCluster'},
    {name: 'inbound PERMISSIVE: mTLS HTTP → TLS HCM chain', ls: mesh, c: conn({destIp: '10.0.0.10', destPort: 8080, ...MTLS_HTTP}), mode: 'inbound', listener: 'virtualInbound', chain: 3, kind: 'hcm', target: 'inbound|8080||'},
    {name: 'inbound PERMISSIVE: plaintext HTTP → raw HCM chain', ls: mesh, c: conn({destIp: '10.0.0.10', destPort: 8080, ...HTTP11}), mode: 'inbound', listener: 'virtualInbound', chain: 4, kind: 'hcm', target: 'inbound|8080||'},
    {name: 'inbound PERMISSIVE: mTLS TCP → TLS tcp_proxy chain', ls: mesh, c: conn({destIp: '10.0.0.10', destPort: 8080, ...MTLS_TCP}), mode: 'inbound', listener: 'virtualInbound', chain: 5, kind: 'tcp_proxy', target: 'inbound|8080||'},
    {name: 'inbound PERMISSIVE: plaintext TCP → raw tcp_proxy chain', ls: mesh, c: conn({destIp: '10.0.0.10', destPort: 8080}), mode: 'inbound', listener: 'virtualInbound', chain: 6, kind: 'tcp_proxy', target: 'inbound|8080||'},
    {name: 'inbound PERMISSIVE: one-way TLS → passthrough TLS chain', ls: mesh, c: conn({destIp: '10.0.0.10', destPort: 8080, transport: 'tls', sni: 'app.example.com', alpn: ['h2']}), mode: 'inbound', listener: 'virtualInbound', chain: 7, kind: 'tcp_proxy', target: 'inbound|8080||'},
    {name: 'inbound on an unlisted port: passthrough HTTP', ls: mesh, c: conn({destIp: '10.0.0.10', destPort: 9999, ...HTTP11}), mode: 'inbound', listener: 'virtualInbound', chain: 1, kind: 'hcm', target: 'InboundPassthroughCluster'},
    {name: 'inbound to 15006 itself: blackhole', ls: mesh, c: conn({destIp: '10.0.0.10', destPort: 15006}), mode: 'inbound', listener: 'virtualInbound', chain: 0, kind: 'tcp_proxy', target: 'BlackHoleCluster'},
    {name: 'inbound STRICT: mTLS HTTP → HCM', ls: strict, c: conn({destIp: '10.0.0.10', destPort: 8080, ...MTLS_HTTP}), mode: 'inbound', listener: 'virtualInbound', chain: 3, kind: 'hcm', target: 'inbound|8080||'},
    {name: 'inbound STRICT: mTLS TCP → tcp_proxy', ls: strict, c: conn({destIp: '10.0.0.10', destPort: 8080, ...MTLS_TCP}), mode: 'inbound', listener: 'virtualInbound', chain: 4, kind: 'tcp_proxy', target: 'inbound|8080||'},
    {name: 'inbound STRICT: plaintext HTTP is closed (port branch, no default)', ls: strict, c: conn({destIp: '10.0.0.10', destPort: 8080, ...HTTP11}), mode: 'inbound', listener: 'virtualInbound', chain: null},
    {name: 'inbound DISABLE: plaintext HTTP → HCM', ls: disable, c: conn({destIp: '10.0.0.10', destPort: 8080, ...HTTP11}), mode: 'inbound', listener: 'virtualInbound', chain: 3, kind: 'hcm', target: 'inbound|8080||'},
    {name: 'inbound DISABLE: mTLS is closed (port branch, no default)', ls: disable, c: conn({destIp: '10.0.0.10', destPort: 8080, ...MTLS_HTTP}), mode: 'inbound', listener: 'virtualInbound', chain: null},
    {name: 'headless: the pod /32 chain', ls: headless, c: conn({destIp: '10.1.0.7', destPort: 9042}), mode: 'outbound', listener: '0.0.0.0_9042', chain: 2, kind: 'tcp_proxy', target: 'outbound|9042||10.1.0.7.cassandra.db.svc.cluster.local'},
    {name: 'headless: an unknown pod IP has no chain', ls: headless, c: conn({destIp: '10.1.0.8', destPort: 9042}), mode: 'outbound', listener: '0.0.0.0_9042', chain: null},
    {name: 'gateway HTTP', ls: gateway, c: conn({destIp: '10.0.0.5', destPort: 8080, ...HTTP11}), mode: 'direct', listener: '0.0.0.0_8080', chain: 0, kind: 'hcm', target: 'http.8080'},
    {name: 'gateway HTTPS: exact SNI (case-insensitive)', ls: gateway, c: conn({destIp: '10.0.0.5', destPort: 8443, transport: 'tls', sni: 'BookInfo.Example.com', alpn: ['h2', 'http/1.1']}), mode: 'direct', listener: '0.0.0.0_8443', chain: 0, kind: 'hcm', target: 'https.443.https-bookinfo.bookinfo-gateway.default'},
    {name: 'gateway HTTPS: wildcard SNI', ls: gateway, c: conn({destIp: '10.0.0.5', destPort: 8443, transport: 'tls', sni: 'api.example.com'}), mode: 'direct', listener: '0.0.0.0_8443', chain: 1, kind: 'hcm', target: 'https.443.https-wild.wild-gateway.default'},
    {name: 'gateway HTTPS: no SNI is closed', ls: gateway, c: conn({destIp: '10.0.0.5', destPort: 8443, transport: 'tls'}), mode: 'direct', listener: '0.0.0.0_8443', chain: null},
    {name: 'gateway HTTPS: plaintext HTTP is closed', ls: gateway, c: conn({destIp: '10.0.0.5', destPort: 8443, ...HTTP11}), mode: 'direct', listener: '0.0.0.0_8443', chain: null},
  ]
  const targetOf = (net: ReturnType<typeof terminalFilter>): string => {
    if (net.tcpProxy) return net.tcpProxy.cluster
    const r = net.hcm?.route
    if (!r) return ''
    return 'rds' in r ? r.rds : 'inline' in r ? getString(r.inline, 'name') : ''
  }
  for (const k of cases) {
    test(k.name, () => {
      const {l, ch, net} = run(k.ls, k.c, k.mode)
      assert.equal(l.listener?.name ?? null, k.listener, l.reason)
      if (k.chain === undefined) return
      const got = ch?.chain ? (ch.chain.isDefault ? 'default' : ch.chain.index) : null
      assert.equal(got, k.chain, ch?.reason)
      if (k.kind) assert.equal(net?.kind, k.kind)
      if (k.target) assert.equal(targetOf(net!), k.target)
      if (ch?.chain) assert.equal(chainCompatibility(ch.chain.raw, k.c), undefined)
      if (ch?.chain) assert.equal(run(k.ls, k.c, k.mode).compatibility, null)
      else assert.match(ch?.reason ?? '', /closes the connection/)
    })
  }
})

describe('terminalFilter (spec §5)', () => {
  test('HCM with RDS and the settings routing needs', () => {
    const d = terminalFilter(
      chain('c', undefined, [
        {name: 'istio.metadata_exchange', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.network.wasm.v3.Wasm'}},
        rds('9080', {
          strip_any_host_port: true,
          normalize_path: true,
          merge_slashes: true,
          path_with_escaped_slashes_action: 'UNESCAPE_AND_REDIRECT',
          http_filters: [
            {name: 'istio.metadata_exchange', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm', config: {vm_config: {runtime: 'envoy.wasm.runtime.null'}}}},
            {name: 'envoy.filters.http.lua', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua'}},
            {name: 'envoy.filters.http.jwt_authn', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication'}},
            ROUTER,
            {name: 'envoy.filters.http.lua', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua'}},
          ],
        }),
      ]),
    )
    assert.equal(d.kind, 'hcm')
    assert.deepEqual(d.hcm?.route, {rds: '9080'})
    assert.equal(d.hcm?.stripAnyHostPort, true)
    assert.equal(d.hcm?.stripMatchingHostPort, false)
    assert.equal(d.hcm?.normalizePath, true)
    assert.equal(d.hcm?.mergeSlashes, true)
    assert.equal(d.hcm?.pathWithEscapedSlashesAction, 'UNESCAPE_AND_REDIRECT')
    assert.deepEqual(d.hcm?.mayAlterRouting, ['envoy.filters.http.lua', 'envoy.filters.http.jwt_authn'])
    assert.equal(d.filter?.index, 1)
    assert.equal(d.reason, 'HTTP connection manager (envoy.filters.network.http_connection_manager) with RDS route config "9080"')
  })
  test('HCM defaults when fields are absent', () => {
    const d = terminalFilter(chain('c', undefined, [inlineHcm('inbound|8080||')]))
    assert.equal(getString((d.hcm?.route as {inline: JsonObject}).inline, 'name'), 'inbound|8080||')
    assert.equal(d.hcm?.pathWithEscapedSlashesAction, 'KEEP_UNCHANGED')
    assert.equal(d.hcm?.normalizePath, false)
  })
  test('HCM scoped routes (SRDS and inline scopes)', () => {
    const kb = {fragments: [{header_value_extractor: {name: 'x-tenant', index: 0}}]}
    const srds = terminalFilter(chain('c', undefined, [{name: 'envoy.filters.network.http_connection_manager', typed_config: {'@type': HCM_TYPE, scoped_routes: {name: 'sr', scope_key_builder: kb, scoped_rds: {}}}}]))
    assert.deepEqual(srds.hcm?.route, {scoped: {scopedRoutesName: 'sr', keyBuilder: kb}})
    const inline = terminalFilter(chain('c', undefined, [{name: 'x', typed_config: {'@type': HCM_TYPE, scoped_routes: {scope_key_builder: kb, scoped_route_configurations_list: {scoped_route_configurations: [{name: 's1'}]}}}}]))
    assert.deepEqual(inline.hcm?.route, {scoped: {keyBuilder: kb, inlineScopes: [{name: 's1'}]}})
  })
  test('@type decides before the name', () => {
    const d = terminalFilter(chain('c', undefined, [{name: 'envoy.filters.network.tcp_proxy', typed_config: {'@type': HCM_TYPE, rds: {route_config_name: 'r'}}}]))
    assert.equal(d.kind, 'hcm')
    const v2 = terminalFilter(chain('c', undefined, [{name: 'envoy.tcp_proxy', config: {cluster: 'old'}}]))
    assert.equal(v2.kind, 'tcp_proxy')
    assert.equal(v2.tcpProxy?.cluster, 'old')
  })
  test('tcp_proxy: weighted clusters only when cluster is empty; sni_cluster', () => {
    const weighted = terminalFilter(chain('c', undefined, [{name: 't', typed_config: {'@type': TCP_TYPE, weighted_clusters: {clusters: [{name: 'a', weight: 3}, {name: 'b', weight: 1}]}}}]))
    assert.equal(weighted.tcpProxy?.clusterSource, 'weighted_clusters')
    assert.deepEqual(weighted.tcpProxy?.weightedClusters, [
      {name: 'a', weight: 3},
      {name: 'b', weight: 1},
    ])
    const both = terminalFilter(chain('c', undefined, [{name: 't', typed_config: {'@type': TCP_TYPE, cluster: 'fixed', weighted_clusters: {clusters: [{name: 'a', weight: 1}]}}}]))
    assert.equal(both.tcpProxy?.clusterSource, 'cluster')
    assert.equal(both.tcpProxy?.cluster, 'fixed')
    const sniC = chain('c', undefined, [{name: 'envoy.filters.network.sni_cluster', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.network.sni_cluster.v3.SniCluster'}}, tcp('fallback')])
    assert.equal(terminalFilter(sniC, 'outbound_.443_._.svc').tcpProxy?.cluster, 'outbound_.443_._.svc')
    assert.equal(terminalFilter(sniC, '').tcpProxy?.cluster, 'fallback')
    assert.equal(terminalFilter(sniC, 'x').filters[0]?.role, 'routing')
  })
  test('other terminals and empty chains', () => {
    assert.equal(terminalFilter(chain('c', undefined, [])).kind, 'none')
    assert.match(terminalFilter(chain('c', undefined, [])).reason, /closes/)
    const redis = terminalFilter(chain('c', undefined, [{name: 'envoy.filters.network.redis_proxy', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.network.redis_proxy.v3.RedisProxy', prefix_routes: {catch_all_route: {cluster: 'redis'}}}}]))
    assert.equal(redis.kind, 'redis_proxy')
    assert.deepEqual(redis.clusters, ['redis'])
    assert.match(redis.reason, /not HTTP\/TCP/)
    const dr = terminalFilter(chain('c', undefined, [{name: 'envoy.filters.network.direct_response', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.network.direct_response.v3.Config', response: {inline_string: 'bye'}}}]))
    assert.equal(dr.kind, 'direct_response')
    assert.equal(dr.body, 'bye')
    assert.equal(terminalFilter(chain('c', undefined, [{name: 'envoy.filters.network.echo'}])).kind, 'echo')
    const mongoOnly = terminalFilter(chain('c', undefined, [{name: 'envoy.filters.network.mongo_proxy', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.network.mongo_proxy.v3.MongoProxy'}}, tcp('mongo')]))
    assert.equal(mongoOnly.kind, 'tcp_proxy')
    assert.equal(mongoOnly.filters[0]?.role, 'observer')
    const rbac = terminalFilter(chain('c', undefined, [{name: 'envoy.filters.network.rbac', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC'}}, tcp('x')]))
    assert.match(rbac.assumptions.join(' '), /may close/)
    const other = terminalFilter(chain('c', undefined, [{name: 'envoy.filters.network.kafka_mesh', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.network.kafka_mesh.v3alpha.KafkaMesh'}}]))
    assert.equal(other.kind, 'other')
    assert.equal(other.reason, 'not HTTP/TCP: envoy.filters.network.kafka_mesh stops here')
  })
})

describe('selectScope (spec §5.2)', () => {
  const scope = (name: string, keys: string[], rc = `rc-${name}`): JsonObject => ({name, route_configuration_name: rc, key: {fragments: keys.map((k) => ({string_key: k}))}})
  const req = (headers: Array<[string, string]>, authority = 'example.com', localPort = 80) => ({authority, headers, localPort})
  test('header value: first value, element separator, index', () => {
    const kb = {fragments: [{header_value_extractor: {name: 'X-Route', element_separator: ',', index: 1}}]}
    const d = selectScope({keyBuilder: kb}, [scope('s-a', ['a']), scope('s-b', ['b'])], req([['x-route', 'a,b'], ['x-route', 'c,a']]))
    assert.equal(d.scope?.name, 's-b')
    assert.equal(d.routeConfigurationName, 'rc-s-b')
    assert.deepEqual(d.key, ['b'])
  })
  test('header value: element key/separator', () => {
    const kb = {fragments: [{header_value_extractor: {name: 'cookie', element_separator: ';', element: {key: 'tenant', separator: '='}}}]}
    const d = selectScope({keyBuilder: kb}, [scope('t1', ['one']), scope('t2', ['two'])], req([['Cookie', 'a=1;tenant=two;b=2']]))
    assert.equal(d.scope?.name, 't2')
  })
  test('a missing fragment gives no key and no route config', () => {
    const kb = {fragments: [{header_value_extractor: {name: 'x-route', index: 0}}]}
    const d = selectScope({keyBuilder: kb}, [scope('s', ['a'])], req([]))
    assert.equal(d.scope, null)
    assert.equal(d.key, null)
    assert.match(d.reason, /404 NR/)
  })
  test('Higress: local port and host, masking one label at a time', () => {
    const kb: JsonObject = {fragments: [{local_port_value_extractor: {}}, {host_value_extractor: {}}]}
    const scopes = [scope('80.*', ['80', '*']), scope('443.*', ['443', '*']), scope('443.*.example.com', ['443', '*.example.com'])]
    const d = selectScope({keyBuilder: kb}, scopes, req([], 'a.b.example.com:443', 443))
    assert.equal(d.scope?.name, '443.*.example.com')
    assert.deepEqual(d.triedKeys, [
      ['443', 'a.b.example.com'],
      ['443', '*.b.example.com'],
      ['443', '*.example.com'],
    ])
    const star = selectScope({keyBuilder: kb}, scopes, req([], 'foo.org', 80))
    assert.equal(star.scope?.name, '80.*')
    assert.deepEqual(star.triedKeys.at(-1), ['80', '*'])
    const none = selectScope({keyBuilder: kb}, scopes, req([], 'foo.org', 8080))
    assert.equal(none.scope, null)
    assert.equal(none.triedKeys.length, 3)
  })
  test('inline scopes from the HCM are used when no scopes are given', () => {
    const kb = {fragments: [{header_value_extractor: {name: 'x', index: 0}}]}
    const d = selectScope({keyBuilder: kb, inlineScopes: [scope('in', ['v'])]}, [], req([['x', 'v']]))
    assert.equal(d.routeConfigurationName, 'rc-in')
  })
})

describe('chainCompatibility (spec §4.3)', () => {
  const tlsChain = chain('tls', undefined, [rds('r')], {transport_socket: DOWNSTREAM_TLS(false)})
  const mtlsChain = chain('mtls', undefined, [rds('r')], {transport_socket: DOWNSTREAM_TLS(true)})
  const hcmChain = chain('plain', undefined, [rds('r')])
  const tcpChain = chain('tcp', undefined, [tcp('x')])
  const cases: Array<{name: string; ch: JsonObject; c: Connection; want: RegExp | undefined}> = [
    {name: 'plaintext into a TLS chain', ch: tlsChain, c: conn({destIp: '1.1.1.1', destPort: 1, ...HTTP11}), want: /^invalid TLS/},
    {name: 'no client certificate into an mTLS chain', ch: mtlsChain, c: conn({destIp: '1.1.1.1', destPort: 1, transport: 'tls', alpn: ['h2']}), want: /^invalid mTLS/},
    {name: 'a sidecar (istio ALPN) into an mTLS chain', ch: mtlsChain, c: conn({destIp: '1.1.1.1', destPort: 1, transport: 'tls', alpn: ['istio-http/1.1', 'istio', 'http/1.1']}), want: undefined},
    {name: 'TLS into a non-terminating HCM', ch: hcmChain, c: conn({destIp: '1.1.1.1', destPort: 1, transport: 'tls'}), want: /^protocol error: TLS/},
    {name: 'opaque TCP into an HCM', ch: hcmChain, c: conn({destIp: '1.1.1.1', destPort: 1}), want: /^protocol error: opaque TCP/},
    {name: 'HTTP into an HCM', ch: hcmChain, c: conn({destIp: '1.1.1.1', destPort: 1, ...HTTP11}), want: undefined},
    {name: 'anything into tcp_proxy', ch: tcpChain, c: conn({destIp: '1.1.1.1', destPort: 1, transport: 'tls'}), want: undefined},
  ]
  for (const k of cases) {
    test(k.name, () => {
      const got = chainCompatibility(k.ch, k.c)
      if (k.want === undefined) assert.equal(got, undefined)
      else assert.match(got ?? '', k.want)
    })
  }
})

describe('traceConnection and activeListeners', () => {
  test('the compatibility error of the chosen chain is part of the trace', () => {
    const ls = [listener('0.0.0.0_8443', '0.0.0.0', 8443, {filter_chains: [chain('tls', undefined, [rds('r')], {transport_socket: DOWNSTREAM_TLS(false)})]})]
    const t = traceConnection(ls, conn({destIp: '10.0.0.5', destPort: 8443, ...HTTP11}), 'direct')
    assert.equal(t.chain?.chain?.name, 'tls')
    assert.match(t.compatibility ?? '', /^invalid TLS/)
    const none = traceConnection(ls, conn({destIp: '10.0.0.5', destPort: 9999}), 'direct')
    assert.deepEqual([none.inspect, none.chain, none.network, none.compatibility], [null, null, null, null])
  })
  test('only static and active listeners take connections', () => {
    const raw = (name: string): JsonObject => ({name, address: {socket_address: {address: '0.0.0.0', port_value: 1}}})
    const section: JsonObject = {
      staticListeners: [{listener: raw('static')}],
      dynamic_listeners: [{name: 'active', active_state: {listener: raw('active')}}, {name: 'warming', warming_state: {listener: raw('warming')}}, {name: 'error', error_state: {failed_configuration: {}}}],
    }
    const doc = parseAdminDocument(Buffer.from(JSON.stringify({configs: [{'@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump', ...section}]})), 't.json') as ConfigDump
    assert.deepEqual(
      buildGraph(doc).activeListeners.map((l) => l.name),
      ['static', 'active'],
    )
  })
})

describe('net helpers', () => {
  test('canonical IPv6 and CIDR text', () => {
    assert.equal(canonicalIp('FD00:0:0:0::1'), 'fd00::1')
    assert.equal(canonicalIp('::ffff:10.0.0.1'), '::ffff:a00:1')
    assert.equal(canonicalIp('not-an-ip'), 'not-an-ip')
    assert.equal(cidrText(makeCidr('10.1.2.3', 16)!), '10.1.0.0/16')
    assert.equal(cidrText(makeCidr('2001:db8::1', 32)!), '2001:db8::/32')
    assert.equal(makeCidr('10.1.2.256', 8), undefined)
    assert.equal(makeCidr('1.2.3', 8), undefined)
    assert.equal(canonicalIp('010.1.1.1'), '010.1.1.1')
    assert.equal(canonicalIp('0.0.0.0'), '0.0.0.0')
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Real dumps: never throw; one known request per dump

const DIR = join(SHARED, 'conformance/real-dumps')

const listenersOf = (dump: ConfigDump): ListenerView[] => buildGraph(dump).activeListeners.map((l) => ({name: l.name, raw: l.raw}))

function portsOf(l: ListenerView): Array<{ip: string; port: number}> {
  const sock = get(get(l.raw, 'address'), 'socket_address')
  const ip = getString(sock, 'address')
  const port = Number(get(sock, 'port_value') ?? 0)
  const out = [{ip: ip === '0.0.0.0' || ip === '::' ? '10.99.0.1' : ip, port}]
  for (const c of getArray(l.raw, 'filter_chains')) {
    const dp = get(get(c, 'filter_chain_match'), 'destination_port')
    if (typeof dp === 'number') out.push({ip: '10.99.0.1', port: dp})
  }
  return out
}

const variants: Array<Partial<Connection>> = [
  {transport: 'raw_buffer', httpProtocol: 'http/1.1'},
  {transport: 'raw_buffer', httpProtocol: 'h2c'},
  {transport: 'raw_buffer'},
  {transport: 'tls', sni: 'outbound_.9080_._.reviews.default.svc.cluster.local', alpn: ['istio-http/1.1', 'istio', 'http/1.1']},
  {transport: 'tls', sni: 'www.example.com', alpn: ['h2', 'http/1.1']},
]

const known: Record<string, (ls: ListenerView[], dump: ConfigDump) => void> = {
  'deathstarbench__istio-1.18-sidecar.json': (ls) => {
    // an outbound HTTP connection to an existing service port hands off to 0.0.0.0_<port> and its HCM chain, RDS "<port>"
    const {l, ch, net} = run(ls, conn({destIp: '10.68.1.2', destPort: 9080, ...HTTP11}), 'outbound')
    assert.equal(l.entry?.name, 'virtualOutbound')
    assert.equal(l.listener?.name, '0.0.0.0_9080')
    assert.equal(ch?.chain?.isDefault, false)
    assert.equal(net?.kind, 'hcm')
    assert.deepEqual(net?.hcm?.route, {rds: '9080'})
    // the sniffed VIP port: HTTP → RDS host:port, TCP → tcp_proxy default chain
    const vip = run(ls, conn({destIp: '10.68.128.168', destPort: 5000, ...HTTP11}), 'outbound')
    assert.deepEqual(vip.net?.hcm?.route, {rds: 'frontend.hr2.svc.cluster.local:5000'})
    const vipTcp = run(ls, conn({destIp: '10.68.128.168', destPort: 5000}), 'outbound')
    assert.equal(vipTcp.net?.tcpProxy?.cluster, 'outbound|5000||frontend.hr2.svc.cluster.local')
    // virtualInbound is in error_state only: inbound connections find no listener
    assert.equal(run(ls, conn({destIp: '10.0.0.10', destPort: 8080, ...HTTP11}), 'inbound').l.listener, null)
  },
  'openshift-mesh__sidecar.json': (ls) => {
    const inbound = run(ls, conn({destIp: '10.128.0.50', destPort: 8080, ...HTTP11}), 'inbound')
    assert.equal(inbound.l.listener?.name, 'virtualInbound')
    assert.equal(getString((inbound.net?.hcm?.route as {inline: JsonObject}).inline, 'name'), 'inbound|8080||')
    const mtls = run(ls, conn({destIp: '10.128.0.50', destPort: 8080, transport: 'tls', sni: 'outbound_.8080_._.hello.svc.cluster.local', alpn: ['istio-http/1.1', 'istio', 'http/1.1']}), 'inbound')
    assert.equal(mtls.ch?.chain?.index, 6)
    assert.equal(chainCompatibility(mtls.ch!.chain!.raw, conn({destIp: '10.128.0.50', destPort: 8080, transport: 'tls', alpn: ['istio-http/1.1', 'istio', 'http/1.1']})), undefined)
    const vip = run(ls, conn({destIp: '172.30.32.106', destPort: 8080, ...HTTP11}), 'outbound')
    assert.equal(vip.l.listener?.name, '172.30.32.106_8080')
    assert.equal(vip.net?.kind, 'hcm')
  },
  'openshift-mesh__ingress-gateway.json': (ls) => {
    const {l, net} = run(ls, conn({destIp: '10.128.0.7', destPort: 8080, ...HTTP11}), 'direct')
    assert.equal(l.listener?.name, '0.0.0.0_8080')
    assert.deepEqual(net?.hcm?.route, {rds: 'http.8080'})
  },
  'consul__config_dump.json': (ls) => {
    const {l, ch, net} = run(ls, conn({destIp: '10.100.31.2', destPort: 8080}), 'outbound')
    assert.equal(l.listener?.name, 'outbound_listener:127.0.0.1:15001')
    assert.match(ch!.reason, /prefix_ranges 10\.100\.31\.2\/32/)
    assert.match(net?.tcpProxy?.cluster ?? '', /^frontend\.default\.dc1\./)
    const other = run(ls, conn({destIp: '1.2.3.4', destPort: 443}), 'outbound')
    assert.equal(other.net?.tcpProxy?.cluster, 'original-destination')
  },
  'envoy-gateway__egctl-in.all.json': (ls) => {
    const {l, ch, net} = run(ls, conn({destIp: '10.0.0.5', destPort: 10080, ...HTTP11}), 'direct')
    assert.equal(l.listener?.name, 'default-eg-http')
    assert.equal(ch?.chain?.isDefault, true)
    assert.deepEqual(net?.hcm?.route, {rds: 'default-eg-http'})
  },
  'higress__gateway-scoped-routes.json': (ls, dump) => {
    const {net} = run(ls, conn({destIp: '10.0.0.5', destPort: 80, ...HTTP11}), 'direct')
    const r = net?.hcm?.route
    assert.ok(r && 'scoped' in r, JSON.stringify(r))
    const srds = getArray(dump.section('scopedRoutes'), 'dynamic_scoped_route_configs').find((s) => getString(s, 'name') === r.scoped.scopedRoutesName)
    const scopes = getArray(srds, 'scoped_route_configs').filter(isObject)
    const d = selectScope(r.scoped, scopes, {authority: 'foo.example.com', headers: [], localPort: 80})
    assert.equal(d.routeConfigurationName, 'higress-rds-80.*')
  },
}

describe('real dumps: every listener and port never throws; one known request each', () => {
  for (const name of readdirSync(DIR).sort()) {
    let dump: ConfigDump | undefined
    try {
      const doc = parseAdminDocument(readFileSync(join(DIR, name)), name)
      if (doc instanceof ConfigDump) dump = doc
    } catch {
      dump = undefined // not a config dump (the plain-text /clusters answer)
    }
    if (!dump) continue
    const d = dump
    test(`${name}: every mode × listener port × connection kind`, () => {
      const ls = listenersOf(d)
      assert.ok(ls.length > 0)
      let steps = 0
      for (const l of ls) {
        for (const {ip, port} of portsOf(l)) {
          for (const mode of ['outbound', 'inbound', 'direct'] as Mode[]) {
            for (const v of variants) {
              const c = conn({destIp: ip, destPort: port, ...v})
              const r = run(ls, c, mode)
              if (r.ch?.chain) chainCompatibility(r.ch.chain.raw, c)
              JSON.stringify(r)
              steps++
            }
          }
        }
        // every chain's terminal filter, directly
        for (const ch of [...getArray(l.raw, 'filter_chains'), get(l.raw, 'default_filter_chain')] as Json[]) if (isObject(ch)) terminalFilter(ch, 'x.example.com')
      }
      assert.ok(steps > 0)
    })
    if (known[name]) test(`${name}: known request`, () => known[name]!(listenersOf(d), d))
  }
  test('every config dump has a known request', () => {
    for (const name of readdirSync(DIR)) if (name.includes('config_dump') || name.includes('sidecar') || name.includes('gateway') || name.includes('egctl')) assert.ok(known[name], name)
  })
})
