/**
 * The compact graph (GraphOptions.compact, check's): clusters and EDS assignments indexed as their sections stream
 * by, each resource let go once reduced to its node. It must be the same graph as the default one: the same nodes
 * (raw decoded again from the input when asked), the same hosts, edges and findings, on every real dump, through
 * the in-memory path and the file reader, pretty-printed (streamed) or not (read whole).
 */
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {checkGraph, DEFAULT_CERT_WARN_MS} from '../../src/check/index.js'
import {type AdminDocument, asConfigDump, type ClustersStatus, parseAdminDocument, parseAdminReader} from '../../src/envoy/document.js'
import type {ByteReader} from '../../src/envoy/scan.js'
import {buildGraph, type ConfigGraph, type GraphOptions} from '../../src/graph/graph.js'
import {SHARED} from '../helpers/cli.js'
import {dumpOf, edsCluster, hcmChain, listener, route, routeConfig, tcpChain} from '../helpers/dumps.js'

const AT = new Date('2025-06-02T09:14:07Z')

const memReader = (b: Buffer): ByteReader => ({
  size: b.length,
  read: (s, e, into) => {
    if (into) {
      b.copy(into, 0, s, e)
      return into.subarray(0, e - s)
    }
    return Buffer.from(b.subarray(s, e))
  },
})

type Load = (options: GraphOptions) => ConfigGraph
const fromBytes =
  (buf: Buffer, status?: object): Load =>
  (options) =>
    buildGraph(asConfigDump(parseAdminDocument(buf, 'test.json'), 'check'), status && (parseAdminDocument(Buffer.from(JSON.stringify(status)), 'clusters.json') as ClustersStatus), options)
const fromReader =
  (buf: Buffer): Load =>
  (options) =>
    buildGraph(asConfigDump(parseAdminReader(memReader(buf), 'test.json', 64 * 1024) as AdminDocument, 'check'), undefined, options)

/** Everything check and the other readers see of a graph's clusters and endpoints, as plain values. */
function view(g: ConfigGraph): unknown {
  const clusters = [...g.clusterCopies].map(([name, copies]) => [
    name,
    copies.map((c) => ({name: c.name, state: c.state, meta: c.meta, discovery: c.discovery, edsName: c.edsName, secretRefs: c.secretRefs, raw: c.raw, endpoints: plain(g.endpointsOf(c))})),
  ])
  const eds = g.endpointConfigs && [...g.endpointConfigs].map(([name, e]) => [name, plain(e)])
  return {clusters, eds, edges: [...g.edges()], latest: g.latestUpdate, known: g.endpointsKnown}
}

const plain = (e: ReturnType<ConfigGraph['endpointsOf']>): unknown => e && {type: e.type, cluster: e.cluster, source: e.source, raw: e.raw, hosts: e.hosts, overprovisioningFactor: e.overprovisioningFactor}

function findings(load: Load, options: GraphOptions): unknown {
  return checkGraph(load(options), {proxy: 'p', time: {at: AT, source: 'flag'}, certWarnMs: DEFAULT_CERT_WARN_MS})
}

/** Whether the clusters section of this input is streamed (else the compact graph falls back to the decoded section). */
function streams(buf: Buffer): boolean {
  const dump = asConfigDump(parseAdminDocument(buf, 'test.json'), 'check')
  return dump.streamSection('clusters', {dynamic_active_clusters: [true], static_clusters: [true]}, () => {})
}

function assertSameGraphs(load: Load, what: string): void {
  assert.deepEqual(view(load({compact: true})), view(load({})), what)
  assert.deepEqual(findings(load, {compact: true}), findings(load, {}), `${what}: findings`)
}

describe('the compact graph is the default graph', () => {
  test('every real dump, as it is and pretty-printed, from memory and through a reader', () => {
    const dir = join(SHARED, 'conformance/real-dumps')
    let streamed = 0
    let n = 0
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const original = readFileSync(join(dir, name))
      const doc = parseAdminDocument(original, name)
      if (doc.kind !== 'config_dump') continue
      const pretty = Buffer.from(JSON.stringify(JSON.parse(original.toString('utf8')), null, 2))
      for (const [layout, buf] of [
        ['as is', original],
        ['pretty', pretty],
        ['compact', Buffer.from(JSON.stringify(JSON.parse(original.toString('utf8'))))],
      ] as const) {
        if (streams(buf)) streamed++
        assertSameGraphs(fromBytes(buf), `${name} ${layout}`)
        assertSameGraphs(fromReader(buf), `${name} ${layout}, reader`)
        n++
      }
    }
    assert.ok(n >= 15, `${n} inputs`)
    assert.ok(streamed >= 5, `${streamed} inputs streamed`)
  })

  test('warming and static clusters, inline load assignments, service names, both spellings, several sections', () => {
    const dump = dumpOf({
      listeners: [listener('l', 80, [hcmChain('80'), tcpChain('outbound|9000||db')])],
      clusters: [
        edsCluster('outbound|80||a', {eds_cluster_config: {service_name: 'svc-a'}, transport_socket: {name: 'tls', typed_config: {common_tls_context: {tls_certificate_sds_secret_configs: [{name: 'default'}]}}}}),
        {name: 'static-one', type: 'STATIC', load_assignment: {cluster_name: 'static-one', endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: '10.0.0.9', port_value: 80}}}}]}]}},
        {name: 'dns', type: 'STRICT_DNS', load_assignment: {cluster_name: 'dns', endpoints: []}},
        edsCluster('outbound|9000||db'),
      ],
      warmingClusters: [edsCluster('outbound|80||a'), edsCluster('outbound|81||warm')],
      routes: [routeConfig('80', [{name: 'vh', domains: ['*'], routes: [route({prefix: '/'}, 'outbound|80||a'), route({prefix: '/w'}, 'outbound|81||warm')]}])],
      endpoints: {'svc-a': [{address: '10.0.0.1'}, {address: '10.0.0.2', health: 'UNHEALTHY', priority: 1}], 'outbound|9000||db': []},
      secrets: [{name: 'default', secret: {name: 'default'}}],
    }) as {configs: Array<Record<string, unknown>>}
    // a second clusters section, static first in the text (the graph indexes static, active, warming per section)
    const second = {'@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump', dynamic_active_clusters: [{cluster: edsCluster('late')}], static_clusters: [{cluster: {name: 'late-static', type: 'STATIC'}}]}
    const configs = [...dump.configs, second]
    const snake = Buffer.from(JSON.stringify({configs}, null, 2))
    const camel = Buffer.from(JSON.stringify({configs}, null, 2).replace(/"(dynamic_active_clusters|dynamic_warming_clusters|static_clusters|dynamic_endpoint_configs|endpoint_config|cluster_name)"/g, (_m, k: string) => `"${k.replace(/_(\w)/g, (_x, c: string) => c.toUpperCase())}"`))
    for (const [what, buf] of [
      ['snake_case', snake],
      ['lowerCamelCase', camel],
    ] as const) {
      assert.ok(streams(buf), what)
      assertSameGraphs(fromBytes(buf), what)
      assertSameGraphs(fromReader(buf), `${what}, reader`)
    }
    // live health from /clusters laid over EDS hosts (a copy each time), and hosts from /clusters alone
    const status = {
      cluster_statuses: [
        {name: 'outbound|80||a', host_statuses: [{address: {socket_address: {address: '10.0.0.1', port_value: 9080}}, health_status: {failed_outlier_check: true, eds_health_status: 'HEALTHY'}}]},
        {name: 'outbound|9000||db', host_statuses: [{address: {socket_address: {address: '10.0.0.7', port_value: 9000}}, health_status: {eds_health_status: 'HEALTHY'}}]},
      ],
    }
    assertSameGraphs(fromBytes(snake, status), 'with /clusters')
    const live = fromBytes(snake, status)({compact: true})
    assert.deepEqual(live.endpointsOf(live.cluster('outbound|80||a')!)?.hosts.map((h) => h.failed), [['failed_outlier_check'], undefined])
    // the EDS node's own hosts are not changed by the overlay
    assert.deepEqual(live.endpointConfigs?.get('svc-a')?.hosts.map((h) => h.failed), [undefined, undefined])
    const g = fromBytes(snake)({compact: true})
    assert.deepEqual(
      g.clusterCopies.get('outbound|80||a')?.map((c) => c.state),
      ['active', 'warming'],
    )
    assert.deepEqual([...g.clusterCopies.keys()].slice(-2), ['late-static', 'late'])
    assert.deepEqual(g.endpointsOf(g.cluster('static-one')!)?.hosts.map((h) => h.address), ['10.0.0.9'])
  })
})
