/** trace's last hops: cluster existence (NC and its Istio hint) and which hosts Envoy picks (priorities, panic, UH). */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {parseAdminDocument} from '../../src/envoy/document.js'
import type {JsonObject} from '../../src/envoy/fields.js'
import {buildGraph, type ConfigGraph} from '../../src/graph/graph.js'
import {decideCluster, decideEndpoints} from '../../src/trace/upstream.js'

const T = 'type.googleapis.com/envoy.admin.v3.'

function graphOf(clusters: JsonObject, endpoints?: JsonObject[], status?: JsonObject[]): ConfigGraph {
  const configs: JsonObject[] = [{'@type': `${T}ClustersConfigDump`, ...clusters}]
  if (endpoints) configs.push({'@type': `${T}EndpointsConfigDump`, dynamic_endpoint_configs: endpoints.map((e) => ({endpoint_config: e}))})
  const doc = parseAdminDocument(Buffer.from(JSON.stringify({configs})), 't.json')
  if (doc.kind !== 'config_dump') throw new Error('not a dump')
  const st = status ? parseAdminDocument(Buffer.from(JSON.stringify({cluster_statuses: status})), 's.json') : undefined
  return buildGraph(doc, st?.kind === 'clusters' ? st : undefined)
}

const eds = (name: string): JsonObject => ({cluster: {name, type: 'EDS', eds_cluster_config: {service_name: name}}})
const host = (ip: string, extra: JsonObject = {}): JsonObject => ({endpoint: {address: {socket_address: {address: ip, port_value: 9080}}}, ...extra})
const cla = (name: string, groups: Array<{priority?: number; hosts: JsonObject[]}>): JsonObject => ({
  cluster_name: name,
  endpoints: groups.map((g) => ({...(g.priority ? {priority: g.priority} : {}), lb_endpoints: g.hosts})),
})
const R = 'outbound|9080||reviews.default.svc.cluster.local'

describe('decideCluster', () => {
  test('an active cluster is found, with its DestinationRule', () => {
    const g = graphOf({dynamic_active_clusters: [{cluster: {...eds(R).cluster as JsonObject, metadata: {filter_metadata: {istio: {config: '/apis/networking.istio.io/v1/namespaces/default/destination-rule/reviews'}}}}}]})
    const d = decideCluster(g, R).decision
    assert.equal(d.found, true)
    assert.equal(d.discovery, 'EDS')
    assert.equal(d.destinationRule, 'reviews.default')
  })
  test('a missing subset cluster: not found, the hint names the missing DestinationRule subset', () => {
    const g = graphOf({dynamic_active_clusters: [eds(R)]})
    const d = decideCluster(g, 'outbound|9080|v4|reviews.default.svc.cluster.local').decision
    assert.equal(d.found, false)
    assert.match(d.hint!, /subset "v4".*no DestinationRule/)
  })
  test('a missing service cluster: the hint names Service/ServiceEntry/Sidecar', () => {
    const d = decideCluster(graphOf({}), 'outbound|80||httpbin.org').decision
    assert.match(d.hint!, /Service or ServiceEntry/)
  })
  test('a warming-only cluster is not usable (NC), and says it is warming', () => {
    const g = graphOf({dynamic_warming_clusters: [eds(R)]})
    const d = decideCluster(g, R).decision
    assert.equal(d.found, false)
    assert.equal(d.warming, true)
  })
})

describe('decideEndpoints', () => {
  const dst = {ip: '10.0.0.9', port: 9080}
  test('ORIGINAL_DST goes where the application was connecting', () => {
    const g = graphOf({static_clusters: [{cluster: {name: 'PassthroughCluster', type: 'ORIGINAL_DST'}}]})
    const d = decideEndpoints(g, g.cluster('PassthroughCluster')!, dst)
    assert.equal(d.knowledge, 'dynamic')
    assert.equal(d.usable[0]!.address, '10.0.0.9')
  })
  test('no EDS section: unknown, not empty', () => {
    const g = graphOf({dynamic_active_clusters: [eds(R)]})
    const d = decideEndpoints(g, g.cluster(R)!, dst)
    assert.equal(d.knowledge, 'unknown')
  })
  test('EDS section without this cluster: no endpoints at all, UH', () => {
    const g = graphOf({dynamic_active_clusters: [eds(R)]}, [])
    const d = decideEndpoints(g, g.cluster(R)!, dst)
    assert.equal(d.knowledge, 'known')
    assert.equal(d.usable.length, 0)
    assert.match(d.summary, /503 UH/)
  })
  test('STATIC without hosts (Istio BlackHoleCluster) is UH', () => {
    const g = graphOf({static_clusters: [{cluster: {name: 'BlackHoleCluster', type: 'STATIC'}}]})
    const d = decideEndpoints(g, g.cluster('BlackHoleCluster')!, dst)
    assert.equal(d.usable.length, 0)
  })
  test('healthy hosts take traffic; unhealthy ones do not while enough are healthy', () => {
    const g = graphOf({dynamic_active_clusters: [eds(R)]}, [cla(R, [{hosts: [host('10.1.0.1'), host('10.1.0.2'), host('10.1.0.3', {health_status: 'UNHEALTHY'})]}])])
    const d = decideEndpoints(g, g.cluster(R)!, dst)
    assert.equal(d.panic, false)
    assert.deepEqual(
      d.usable.map((h) => h.address),
      ['10.1.0.1', '10.1.0.2'],
    )
  })
  test('all hosts unhealthy: panic mode sends to all of them (not UH)', () => {
    const g = graphOf({dynamic_active_clusters: [eds(R)]}, [cla(R, [{hosts: [host('10.1.0.1', {health_status: 'UNHEALTHY'}), host('10.1.0.2', {health_status: 'TIMEOUT'})]}])])
    const d = decideEndpoints(g, g.cluster(R)!, dst)
    assert.equal(d.panic, true)
    assert.equal(d.usable.length, 2)
    assert.match(d.summary, /panic threshold/)
  })
  test('1 of 3 healthy is below the 50% panic threshold', () => {
    const g = graphOf({dynamic_active_clusters: [eds(R)]}, [cla(R, [{hosts: [host('10.1.0.1'), host('10.1.0.2', {health_status: 'UNHEALTHY'}), host('10.1.0.3', {health_status: 'UNHEALTHY'})]}])])
    assert.equal(decideEndpoints(g, g.cluster(R)!, dst).panic, true)
  })
  test('a custom panic threshold of 0 disables panic: 1 of 3 healthy takes everything', () => {
    const c = {cluster: {...(eds(R).cluster as JsonObject), common_lb_config: {healthy_panic_threshold: {value: 0}}}}
    const g = graphOf({dynamic_active_clusters: [c]}, [cla(R, [{hosts: [host('10.1.0.1'), host('10.1.0.2', {health_status: 'UNHEALTHY'}), host('10.1.0.3', {health_status: 'UNHEALTHY'})]}])])
    const d = decideEndpoints(g, g.cluster(R)!, dst)
    assert.equal(d.panic, false)
    assert.deepEqual(
      d.usable.map((h) => h.address),
      ['10.1.0.1'],
    )
  })
  test('priority 0 all down, priority 1 healthy: failover, no panic', () => {
    const g = graphOf({dynamic_active_clusters: [eds(R)]}, [
      cla(R, [
        {hosts: [host('10.1.0.1', {health_status: 'UNHEALTHY'})]},
        {priority: 1, hosts: [host('10.2.0.1')]},
      ]),
    ])
    const d = decideEndpoints(g, g.cluster(R)!, dst)
    assert.equal(d.panic, false)
    assert.equal(d.priority, 1)
    assert.deepEqual(
      d.usable.map((h) => h.address),
      ['10.2.0.1'],
    )
  })
  test('/clusters health overrides EDS: an outlier-ejected host is not used', () => {
    const g = graphOf(
      {dynamic_active_clusters: [eds(R)]},
      [cla(R, [{hosts: [host('10.1.0.1'), host('10.1.0.2'), host('10.1.0.3')]}])],
      [{name: R, host_statuses: [{address: {socket_address: {address: '10.1.0.3', port_value: 9080}}, health_status: {eds_health_status: 'HEALTHY', failed_outlier_check: true}}]}],
    )
    const d = decideEndpoints(g, g.cluster(R)!, dst)
    const ejected = d.hosts.find((h) => h.address === '10.1.0.3')!
    assert.equal(ejected.usable, false)
    assert.deepEqual(ejected.failed, ['failed_outlier_check'])
  })
})
