/** Listener descriptions (§4.2): MATCH, DESTINATION, type, addresses, and istio's ListenerFilter vectors. */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, test} from 'node:test'
import type {Json, JsonObject} from '../../src/envoy/fields.js'
import {
  describeChainDestination,
  describeChainMatch,
  filterChains,
  listenerAdditionalAddresses,
  listenerAddress,
  listenerPort,
  listenerType,
} from '../../src/envoy/listeners.js'
import {type ListenerFilter, listenerMatches} from '../../src/views/listeners.js'
import {sharedUrl} from '../helpers/shared.js'

const SHARED = sharedUrl('')
const HCM = 'envoy.filters.network.http_connection_manager'
const TCP = 'envoy.filters.network.tcp_proxy'
const HCM_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager'
const TCP_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy'

const hcm = (cfg: JsonObject): Json => ({name: HCM, typed_config: {'@type': HCM_TYPE, stat_prefix: 's', ...cfg}})
const tcp = (cluster: string): Json => ({name: TCP, typed_config: {'@type': TCP_TYPE, stat_prefix: cluster, cluster}})
const chain = (filters: Json[], match?: JsonObject): Json => (match ? {filter_chain_match: match, filters} : {filters})

describe('listenerMatches: istio listener_test.go vectors', () => {
  const {cases} = JSON.parse(readFileSync(new URL('conformance/istioctl/derived/vectors/listener-filter.json', SHARED), 'utf8')) as {
    cases: Array<{desc: string; filter: ListenerFilter; listener: Json; expect: boolean}>
  }
  assert.ok(cases.length >= 9)
  for (const c of cases) {
    test(c.desc, () => {
      assert.equal(listenerMatches(c.listener, c.filter), c.expect)
    })
  }
})

describe('listenerMatches: more', () => {
  const l: Json = {
    address: {socket_address: {address: '0.0.0.0', port_value: 15006}},
    additional_addresses: [{address: {socket_address: {address: '::', port_value: 15006}}}],
    filter_chains: [chain([hcm({rds: {route_config_name: 'x'}})]), chain([tcp('y')])],
  }
  const cases: Array<{filter: ListenerFilter; want: boolean}> = [
    {filter: {address: '0.0.0.0'}, want: true},
    {filter: {address: '::'}, want: true},
    {filter: {address: '0.0.0'}, want: false},
    {filter: {port: 15006}, want: true},
    {filter: {port: 15001}, want: false},
    {filter: {type: 'http+tcp'}, want: true},
    {filter: {type: 'HTTP'}, want: false},
    {filter: {address: '0.0.0.0', port: 15006, type: 'Http+Tcp'}, want: true},
    {filter: {address: '0.0.0.0', port: 15001}, want: false},
  ]
  for (const c of cases) {
    test(JSON.stringify(c.filter), () => assert.equal(listenerMatches(l, c.filter), c.want))
  }
  test('address filter is case-insensitive', () => {
    assert.equal(listenerMatches({address: {socket_address: {address: 'FD00::A'}}}, {address: 'fd00::a'}), true)
  })
})

describe('listener fields', () => {
  test('address: socket, pipe, internal', () => {
    assert.equal(listenerAddress({address: {socket_address: {address: '10.0.0.1', port_value: 80}}}), '10.0.0.1')
    assert.equal(listenerAddress({address: {pipe: {path: '/var/run/x.sock'}}}), '/var/run/x.sock')
    assert.equal(listenerAddress({address: {envoy_internal_address: {server_listener_name: 'connect_originate'}}}), '')
    assert.equal(listenerAddress({name: 'x'}), '')
    assert.equal(listenerAddress({address: {socketAddress: {address: '1.1.1.1'}}}), '1.1.1.1')
  })
  test('port: 0 when absent; strings accepted', () => {
    assert.equal(listenerPort({address: {socket_address: {address: '1.1.1.1'}}}), 0)
    assert.equal(listenerPort({address: {pipe: {path: '/x'}}}), 0)
    assert.equal(listenerPort({address: {socket_address: {port_value: 9080}}}), 9080)
    assert.equal(listenerPort({address: {socketAddress: {portValue: '9080'}}}), 9080)
  })
  test('additional addresses', () => {
    assert.deepEqual(listenerAdditionalAddresses({additional_addresses: [{address: {socket_address: {address: '::'}}}, {address: {socket_address: {address: '::1'}}}]}), ['::', '::1'])
    assert.deepEqual(listenerAdditionalAddresses({}), [])
  })
  test('filter chains then the default chain', () => {
    const a = chain([tcp('a')])
    const d = chain([tcp('d')])
    assert.deepEqual(filterChains({filter_chains: [a], default_filter_chain: d}), [a, d])
    assert.deepEqual(filterChains({default_filter_chain: d}), [d])
    assert.deepEqual(filterChains({}), [])
  })
})

describe('listenerType', () => {
  const cases: Array<{name: string; chains: Json[]; def?: Json; want: string}> = [
    {name: 'no chains', chains: [], want: 'UNKNOWN'},
    {name: 'empty chain', chains: [chain([])], want: 'UNKNOWN'},
    {name: 'HCM', chains: [chain([hcm({})])], want: 'HTTP'},
    {name: 'tcp_proxy', chains: [chain([tcp('c')])], want: 'TCP'},
    {name: 'both in different chains', chains: [chain([tcp('c')]), chain([hcm({})])], want: 'HTTP+TCP'},
    {name: 'black-hole tcp_proxy does not count', chains: [chain([tcp('BlackHoleCluster')])], want: 'UNKNOWN'},
    {name: 'black-hole anywhere in typed_config', chains: [chain([{name: TCP, typed_config: {stat_prefix: 'BlackHoleCluster', cluster: 'x'}}])], want: 'UNKNOWN'},
    {name: 'HCM plus black hole', chains: [chain([hcm({})]), chain([tcp('BlackHoleCluster')])], want: 'HTTP'},
    {name: 'only the default chain', chains: [], def: chain([tcp('c')]), want: 'TCP'},
    {name: 'other network filters', chains: [chain([{name: 'envoy.filters.network.rbac'}, {name: 'istio.stats'}])], want: 'UNKNOWN'},
    {name: 'recognised by name, not by typed_config', chains: [chain([{name: 'custom', typed_config: {'@type': HCM_TYPE}}])], want: 'UNKNOWN'},
  ]
  for (const c of cases) {
    test(c.name, () => {
      const l: JsonObject = {filter_chains: c.chains}
      if (c.def) l.default_filter_chain = c.def
      assert.equal(listenerType(l), c.want)
    })
  }
})

describe('describeChainMatch (§4.2.1)', () => {
  const cases: Array<{name: string; match?: Json; want: string}> = [
    {name: 'no match', want: 'ALL'},
    {name: 'empty match', match: {}, want: 'ALL'},
    {name: 'SNI', match: {server_names: ['a.com', 'b.com']}, want: 'SNI: a.com,b.com'},
    {name: 'transport', match: {transport_protocol: 'tls'}, want: 'Trans: tls'},
    {name: 'raw_buffer', match: {transport_protocol: 'raw_buffer'}, want: 'Trans: raw_buffer'},
    {name: 'ALPN HTTP', match: {application_protocols: ['http/1.0', 'http/1.1', 'h2c']}, want: 'App: HTTP'},
    {name: 'ALPN HTTP TLS', match: {application_protocols: ['http/1.0', 'http/1.1', 'h2c', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2']}, want: 'App: HTTP TLS'},
    {name: 'ALPN Istio HTTP Plain', match: {application_protocols: ['istio', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2']}, want: 'App: Istio HTTP Plain'},
    {name: 'ALPN TCP TLS', match: {application_protocols: ['istio-peer-exchange', 'istio']}, want: 'App: TCP TLS'},
    {name: 'ALPN other', match: {application_protocols: ['http/1.1', 'h2c']}, want: 'App: http/1.1,h2c'},
    {name: 'ALPN known set in another order', match: {application_protocols: ['istio', 'istio-peer-exchange']}, want: 'App: istio,istio-peer-exchange'},
    {name: 'ALPN known set plus one', match: {application_protocols: ['http/1.0', 'http/1.1', 'h2c', 'h2']}, want: 'App: http/1.0,http/1.1,h2c,h2'},
    {name: 'destination port only', match: {destination_port: 15006}, want: 'Addr: *:15006'},
    {name: 'destination port 0', match: {destination_port: 0}, want: 'Addr: *:0'},
    {name: 'destination port as a wrapper object', match: {destinationPort: {value: 53}}, want: 'Addr: *:53'},
    {name: 'prefix ranges', match: {prefix_ranges: [{address_prefix: '10.96.0.10', prefix_len: 32}]}, want: 'Addr: 10.96.0.10/32'},
    {name: 'prefix ranges with port', match: {prefix_ranges: [{address_prefix: '10.96.0.10', prefix_len: 32}], destination_port: 53}, want: 'Addr: 10.96.0.10/32:53'},
    {name: 'several ranges, missing prefix_len', match: {prefix_ranges: [{address_prefix: '0.0.0.0'}, {address_prefix: '::', prefix_len: 0}, {address_prefix: 'fd00::', prefix_len: 8}]}, want: 'Addr: 0.0.0.0/0,::/0,fd00::/8'},
    {
      name: 'everything, in order',
      match: {destination_port: 443, prefix_ranges: [{address_prefix: '1.2.3.4', prefix_len: 32}], application_protocols: ['istio-peer-exchange', 'istio'], transport_protocol: 'tls', server_names: ['x']},
      want: 'SNI: x; Trans: tls; App: TCP TLS; Addr: 1.2.3.4/32:443',
    },
    {
      name: 'not rendered: source ranges, source ports, source type, direct source ranges',
      match: {source_prefix_ranges: [{address_prefix: '1.1.1.1', prefix_len: 32}], source_ports: [80], source_type: 'EXTERNAL', direct_source_prefix_ranges: [{address_prefix: '2.2.2.2'}], suffix_len: 1},
      want: 'ALL',
    },
    {
      name: 'camelCase',
      match: {serverNames: ['s'], transportProtocol: 'tls', applicationProtocols: ['h2'], prefixRanges: [{addressPrefix: '10.0.0.0', prefixLen: 8}], destinationPort: 80},
      want: 'SNI: s; Trans: tls; App: h2; Addr: 10.0.0.0/8:80',
    },
  ]
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(describeChainMatch(c.match === undefined ? {filters: []} : {filter_chain_match: c.match, filters: []}), c.want)
    })
  }
})

describe('describeChainDestination (§4.2.2)', () => {
  const inline = (rc: JsonObject): Json => hcm({route_config: rc})
  const cases: Array<{name: string; filters: Json[]; want: string}> = [
    {name: 'RDS', filters: [hcm({rds: {route_config_name: '9080'}})], want: 'Route: 9080'},
    {name: 'RDS camelCase', filters: [{name: HCM, typedConfig: {rds: {routeConfigName: 'http.8080'}}}], want: 'Route: http.8080'},
    {name: 'HCM without rds or route_config (scoped routes)', filters: [hcm({scoped_routes: {name: 's'}})], want: 'HTTP'},
    {name: 'HCM with an empty rds name', filters: [hcm({rds: {route_config_name: ''}})], want: 'HTTP'},
    {name: 'HCM without typed_config', filters: [{name: HCM}], want: 'HTTP'},
    {name: 'inline match-all to a cluster', filters: [inline({virtual_hosts: [{domains: ['*'], routes: [{match: {prefix: '/'}, route: {cluster: 'InboundPassthroughCluster'}}]}]})], want: 'InboundPassthroughCluster'},
    {name: 'inline routes', filters: [inline({virtual_hosts: [{domains: ['*'], routes: [{match: {prefix: '/healthz/ready'}, route: {cluster: 'agent'}}]}]})], want: 'Inline Route: /healthz/ready*'},
    {name: 'inline wins over rds', filters: [hcm({route_config: {virtual_hosts: [{domains: ['*'], routes: [{match: {path: '/x'}}]}]}, rds: {route_config_name: 'r'}})], want: 'Inline Route: /x'},
    {name: 'empty inline route config', filters: [inline({})], want: 'Inline Route: '},
    {name: 'tcp_proxy', filters: [tcp('outbound|3306||mysql.default.svc.cluster.local')], want: 'Cluster: outbound|3306||mysql.default.svc.cluster.local'},
    {name: 'tcp_proxy to PassthroughCluster', filters: [tcp('PassthroughCluster')], want: 'PassthroughCluster'},
    {name: 'tcp_proxy with weighted clusters', filters: [{name: TCP, typed_config: {weighted_clusters: {clusters: [{name: 'a', weight: 1}]}}}], want: 'Cluster: '},
    {name: 'black hole alone', filters: [tcp('BlackHoleCluster')], want: 'Non-HTTP/Non-TCP'},
    {name: 'black hole skipped, next filter decides', filters: [tcp('BlackHoleCluster'), tcp('real')], want: 'Cluster: real'},
    {name: 'first deciding filter wins', filters: [{name: 'istio.metadata_exchange'}, tcp('a'), hcm({rds: {route_config_name: 'r'}})], want: 'Cluster: a'},
    {name: 'no filters', filters: [], want: 'Non-HTTP/Non-TCP'},
    {name: 'unknown filters', filters: [{name: 'envoy.filters.network.redis_proxy', typed_config: {cluster: 'x'}}], want: 'Non-HTTP/Non-TCP'},
  ]
  for (const c of cases) {
    test(c.name, () => assert.equal(describeChainDestination({filters: c.filters}), c.want))
  }
})
