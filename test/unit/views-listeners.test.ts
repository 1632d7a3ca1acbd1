/** `pc listener` (§4.2) on a hand-built sidecar-like dump: order, rows per chain, verbose and not, filters. */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {type ConfigDump, decodeDocument} from '../../src/envoy/document.js'
import type {Json, JsonObject} from '../../src/envoy/fields.js'
import {InputError} from '../../src/errors/index.js'
import {renderShort} from '../../src/output/render.js'
import {type ListenerFilter, listenersView} from '../../src/views/listeners.js'

const LDS = 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump'
const HCM = 'envoy.filters.network.http_connection_manager'
const TCP = 'envoy.filters.network.tcp_proxy'
const hcm = (cfg: JsonObject): Json => ({name: HCM, typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', stat_prefix: 'x', ...cfg}})
const tcp = (cluster: string): Json => ({name: TCP, typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', stat_prefix: cluster, cluster}})
const matchAll = (cluster: string): JsonObject => ({route_config: {name: 'inline', virtual_hosts: [{name: 'vh', domains: ['*'], routes: [{match: {prefix: '/'}, route: {cluster}}]}]}})
const sock = (address: string, port: number): JsonObject => ({socket_address: {address, port_value: port}})

function listeners(): {dynamic: JsonObject[]; statics: JsonObject[]} {
  const inbound: JsonObject = {
    name: 'virtualInbound',
    address: sock('0.0.0.0', 15006),
    additional_addresses: [{address: sock('::', 15006)}],
    filter_chains: [
      {filter_chain_match: {prefix_ranges: [{address_prefix: '10.244.0.7', prefix_len: 32}], destination_port: 9080}, filters: [hcm(matchAll('inbound|9080||'))]},
      {filter_chain_match: {transport_protocol: 'tls', application_protocols: ['istio-peer-exchange', 'istio']}, filters: [{name: 'istio.metadata_exchange'}, tcp('InboundPassthroughCluster')]},
      {filter_chain_match: {destination_port: 15006}, filters: [tcp('BlackHoleCluster')]},
      {filter_chain_match: {transport_protocol: 'raw_buffer', application_protocols: ['http/1.0', 'http/1.1', 'h2c']}, filters: [hcm(matchAll('InboundPassthroughCluster'))]},
    ],
  }
  const dns: JsonObject = {name: '10.96.0.10_53', address: sock('10.96.0.10', 53), filter_chains: [{filters: [tcp('outbound|53||kube-dns.kube-system.svc.cluster.local')]}]}
  const http: JsonObject = {
    name: '0.0.0.0_9080',
    address: sock('0.0.0.0', 9080),
    filter_chains: [{filters: [hcm({rds: {route_config_name: '9080', config_source: {ads: {}}}})]}],
    default_filter_chain: {filters: [tcp('PassthroughCluster')]},
  }
  const outbound: JsonObject = {
    name: 'virtualOutbound',
    address: sock('0.0.0.0', 15001),
    filter_chains: [{filter_chain_match: {destination_port: 15001}, filters: [{name: 'istio.stats'}, tcp('BlackHoleCluster')]}],
    default_filter_chain: {filters: [tcp('PassthroughCluster')]},
  }
  const uds: JsonObject = {name: 'uds', address: {pipe: {path: '/var/run/envoy.sock'}}, filter_chains: [{filters: [hcm({})]}]}
  const internal: JsonObject = {name: 'connect_originate', internal_listener: {}, filter_chains: []}
  const stats: JsonObject = {
    name: 'stats',
    address: sock('0.0.0.0', 15090),
    filter_chains: [{filters: [hcm({route_config: {virtual_hosts: [{name: 'backend', domains: ['*'], routes: [{match: {prefix: '/stats/prometheus'}, route: {cluster: 'prometheus_stats'}}]}]}})]}],
  }
  return {dynamic: [inbound, dns, http, outbound, uds, internal], statics: [stats]}
}

function dumpOf(dynamic: JsonObject[], statics: JsonObject[] = [], extra: JsonObject[] = []): ConfigDump {
  return decodeDocument(
    {
      configs: [
        {
          '@type': LDS,
          version_info: '1',
          static_listeners: statics.map((listener) => ({listener, last_updated: 'x'})),
          dynamic_listeners: [...dynamic.map((listener) => ({name: listener.name, active_state: {version_info: '1', listener, last_updated: 'x'}})), ...extra],
        },
      ],
    },
    'test',
  ) as ConfigDump
}
const sidecar = (): ConfigDump => {
  const {dynamic, statics} = listeners()
  return dumpOf(dynamic, statics, [{name: 'warming', warming_state: {listener: {name: 'warming', address: sock('1.1.1.1', 1)}}}])
}

/** An independent oracle for tables whose rows all have the same number of cells. */
const table = (rows: string[][], padding: number): string => {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => [...r[j]].length)) + padding)
  return rows.map((r) => r.map((cell, j) => (j === r.length - 1 ? cell : cell + ' '.repeat(widths[j] - [...cell].length))).join('')).join('\n') + '\n'
}
const short = (d: ConfigDump, f: ListenerFilter = {}, verbose = true, typed = false): string => renderShort(listenersView(d, f, verbose, typed))

describe('verbose table (default)', () => {
  test('sorted by port, address, type; one row per chain; chains by DESTINATION descending', () => {
    assert.equal(
      short(sidecar()),
      table(
        [
          ['ADDRESSES', 'PORT', 'MATCH', 'DESTINATION'],
          ['/var/run/envoy.sock', '0', 'ALL', 'HTTP'],
          ['10.96.0.10', '53', 'ALL', 'Cluster: outbound|53||kube-dns.kube-system.svc.cluster.local'],
          ['0.0.0.0', '9080', 'ALL', 'Route: 9080'],
          ['0.0.0.0', '9080', 'ALL', 'PassthroughCluster'],
          ['0.0.0.0', '15001', 'ALL', 'PassthroughCluster'],
          ['0.0.0.0', '15001', 'Addr: *:15001', 'Non-HTTP/Non-TCP'],
          ['0.0.0.0,::', '15006', 'Addr: *:15006', 'Non-HTTP/Non-TCP'],
          ['0.0.0.0,::', '15006', 'Trans: tls; App: TCP TLS', 'InboundPassthroughCluster'],
          ['0.0.0.0,::', '15006', 'Trans: raw_buffer; App: HTTP', 'InboundPassthroughCluster'],
          ['0.0.0.0,::', '15006', 'Addr: 10.244.0.7/32:9080', 'Cluster: inbound|9080||'],
          ['0.0.0.0', '15090', 'ALL', 'Inline Route: /stats/prometheus*'],
        ],
        1,
      ),
    )
  })

  test('padding is 1 (exact first lines)', () => {
    const lines = short(sidecar()).split('\n')
    assert.equal(lines[0], 'ADDRESSES           PORT  MATCH                        DESTINATION')
    assert.equal(lines[1], '/var/run/envoy.sock 0     ALL                          HTTP')
  })

  test('-o json: filtered listeners in dump order (dynamic, then static), warming skipped', () => {
    const data = listenersView(sidecar(), {}, true).data() as JsonObject[]
    assert.deepEqual(
      data.map((l) => l.name),
      ['virtualInbound', '10.96.0.10_53', '0.0.0.0_9080', 'virtualOutbound', 'uds', 'connect_originate', 'stats'],
    )
    assert.deepEqual(data[1].address, {socketAddress: {address: '10.96.0.10', portValue: 53}})
    assert.equal('filterChains' in data[1], true)
  })
})

describe('--verbose=false', () => {
  test('one row per listener with its TYPE', () => {
    assert.equal(
      short(sidecar(), {}, false),
      table(
        [
          ['ADDRESSES', 'PORT', 'TYPE'],
          ['', '0', 'UNKNOWN'],
          ['/var/run/envoy.sock', '0', 'HTTP'],
          ['10.96.0.10', '53', 'TCP'],
          ['0.0.0.0', '9080', 'HTTP+TCP'],
          ['0.0.0.0', '15001', 'TCP'],
          ['0.0.0.0,::', '15006', 'HTTP+TCP'],
          ['0.0.0.0', '15090', 'HTTP'],
        ],
        1,
      ),
    )
  })

  test('same port and address: ordered by type', () => {
    const d = dumpOf([
      {name: 't', address: sock('0.0.0.0', 80), filter_chains: [{filters: [tcp('x')]}]},
      {name: 'u', address: sock('0.0.0.0', 80), filter_chains: []},
      {name: 'h', address: sock('0.0.0.0', 80), filter_chains: [{filters: [hcm({})]}]},
    ])
    assert.deepEqual(
      short(d, {}, false).split('\n').slice(1, -1).map((l) => l.split(/ +/)[2]),
      ['HTTP', 'TCP', 'UNKNOWN'],
    )
  })
})

describe('filters in the view', () => {
  const cases: Array<{f: ListenerFilter; want: string[]}> = [
    {f: {address: '::'}, want: ['virtualInbound']},
    {f: {address: '0.0.0.0'}, want: ['virtualInbound', '0.0.0.0_9080', 'virtualOutbound', 'stats']},
    {f: {port: 9080}, want: ['0.0.0.0_9080']},
    {f: {port: 0}, want: ['virtualInbound', '10.96.0.10_53', '0.0.0.0_9080', 'virtualOutbound', 'uds', 'connect_originate', 'stats']},
    {f: {type: 'tcp'}, want: ['10.96.0.10_53', 'virtualOutbound']},
    {f: {type: 'HTTP+TCP'}, want: ['virtualInbound', '0.0.0.0_9080']},
    {f: {type: 'unknown'}, want: ['connect_originate']},
    {f: {address: '/var/run/envoy.sock'}, want: ['uds']},
    {f: {address: '0.0.0.0', port: 15001, type: 'TCP'}, want: ['virtualOutbound']},
    {f: {address: '1.1.1.1'}, want: []},
  ]
  for (const c of cases) {
    test(JSON.stringify(c.f), () => {
      assert.deepEqual(
        (listenersView(sidecar(), c.f, true).data() as JsonObject[]).map((l) => l.name),
        c.want,
      )
    })
  }

  test('a listener without chains gives no verbose rows', () => {
    assert.equal(short(sidecar(), {type: 'unknown'}), 'ADDRESSES PORT MATCH DESTINATION\n')
  })
})

describe('pc all: typed NAME column', () => {
  test('verbose and not', () => {
    const d = dumpOf([listeners().dynamic[1]])
    assert.equal(
      short(d, {}, true, true),
      table(
        [
          ['NAME', 'ADDRESSES', 'PORT', 'MATCH', 'DESTINATION'],
          ['listener/10.96.0.10_53', '10.96.0.10', '53', 'ALL', 'Cluster: outbound|53||kube-dns.kube-system.svc.cluster.local'],
        ],
        1,
      ),
    )
    assert.equal(short(d, {}, false, true), 'NAME                   ADDRESSES  PORT TYPE\nlistener/10.96.0.10_53 10.96.0.10 53   TCP\n')
  })
})

describe('camelCase input', () => {
  /** Renames every key to lowerCamelCase except `@type` (these fixtures have no map fields). */
  const camelize = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(camelize)
    if (v === null || typeof v !== 'object') return v
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k === '@type' ? k : k.replace(/_([a-z0-9])/g, (_m, ch: string) => ch.toUpperCase()), camelize(x)]))
  }
  test('same verbose and non-verbose tables as snake_case', () => {
    const {dynamic, statics} = listeners()
    const snake = dumpOf(dynamic, statics)
    const camel = decodeDocument(
      {
        configs: [
          {
            '@type': LDS,
            dynamicListeners: dynamic.map((l) => ({name: l.name, activeState: {listener: camelize(l)}})),
            staticListeners: statics.map((l) => ({listener: camelize(l)})),
          },
        ],
      },
      'x',
    ) as ConfigDump
    assert.match(JSON.stringify(camel.raw), /filterChainMatch/)
    assert.equal(short(camel), short(snake))
    assert.equal(short(camel, {}, false), short(snake, {}, false))
  })
})

describe('empty and missing', () => {
  test('no active listeners → "no listeners found"', () => {
    const d = dumpOf([], [], [{name: 'w', warming_state: {listener: {name: 'w'}}}, {name: 'd', draining_state: {listener: {name: 'd'}}}])
    assert.throws(() => listenersView(d, {}, true), (e: unknown) => e instanceof InputError && e.message === 'no listeners found')
  })
  test('listeners filtered away → header only', () => {
    assert.equal(short(sidecar(), {port: 1}), 'ADDRESSES PORT MATCH DESTINATION\n')
    assert.equal(short(sidecar(), {port: 1}, false), 'ADDRESSES PORT TYPE\n')
  })
})
