/** istiod's debug answers: classification, decoding and tables (src/istiod/debug.ts). */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {ExitCode} from '../../src/errors/index.js'
import {
  answersDocument,
  debugPath,
  debugView,
  decodeAdsz,
  decodeConfigz,
  decodeDebugIndex,
  decodeEndpointz,
  decodePushStatus,
  decodeRegistryz,
  proxyOfConnection,
  type ReplicaAnswer,
  usableAnswers,
} from '../../src/istiod/debug.js'
import {renderShort} from '../../src/output/render.js'

const ok = (istiod: string, body: unknown): ReplicaAnswer => ({istiod, status: 200, body: typeof body === 'string' ? body : JSON.stringify(body)})
const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster'
const EDS = 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment'
const NOW = new Date('2026-01-02T12:00:00Z')

describe('paths and classification', () => {
  test('debugPath adds flag parameters to the endpoint, keeping its own query', () => {
    assert.equal(debugPath('adsz', []), 'debug/adsz')
    assert.equal(debugPath('/debug/edsz', [['proxyID', 'a.b']]), 'debug/edsz?proxyID=a.b')
    assert.equal(debugPath('syncz?namespace=x', [['proxyID', 'p']]), 'debug/syncz?namespace=x&proxyID=p')
  })
  test('proxyID demanded, unknown type: usage errors; not connected everywhere: exit 5 naming the proxy; one replica failing: warned', () => {
    const need = {istiod: 'a', status: 400, body: 'You must provide a proxyID in the query string\n'}
    assert.throws(() => usableAnswers('edsz', [need], () => {}), (e: {exitCode: number; message: string}) => e.exitCode === ExitCode.USAGE && /needs a proxy/.test(e.message))
    // over xDS the status is lost: the body alone decides
    assert.throws(() => usableAnswers('nope', [ok('a', '404 page not found\n')], () => {}), (e: {exitCode: number}) => e.exitCode === ExitCode.USAGE)
    const nc = {istiod: 'a', status: 404, body: 'Proxy not connected to this Pilot instance. It may be connected to another instance.\n'}
    assert.throws(() => usableAnswers('edsz', [nc, {...nc, istiod: 'b'}], () => {}, 'p.ns'), (e: {exitCode: number; message: string}) => e.exitCode === ExitCode.PROXY && /proxy p\.ns is not connected to any of the 2 istiods/.test(e.message))
    const warnings: string[] = []
    const kept = usableAnswers('edsz', [nc, ok('b', {configs: []}), {istiod: 'c', status: 503, body: 'overloaded'}], (m) => warnings.push(m))
    assert.deepEqual(kept.map((k) => k.istiod), ['b'])
    assert.deepEqual(warnings, ['istiod c answered 503 for /debug/edsz: overloaded (the other istiods answered)'])
    assert.throws(() => usableAnswers('adsz', [{istiod: 'c', status: 401, body: 'unauthorized'}], () => {}), (e: {exitCode: number}) => e.exitCode === ExitCode.PROXY)
  })
})

describe('decoders', () => {
  test('the /debug HTML index and the xDS list', () => {
    const html = "<table><tbody>\n<tr class=\"even\">\n  <td><a href='/debug/adsz'>/debug/adsz</a></td><td>Status and debug interface for ADS</td>\n</tr>\n<tr><td><a href=\"/debug/cachez?sizes=true\">/debug/cachez?sizes=true</a></td><td>Info about the size &amp; cache</td></tr></tbody></table>"
    assert.deepEqual(decodeDebugIndex(html), [
      {endpoint: 'adsz', description: 'Status and debug interface for ADS'},
      {endpoint: 'cachez?sizes=true', description: 'Info about the size & cache'},
    ])
    assert.deepEqual(decodeDebugIndex('["adsz","syncz"]'), [
      {endpoint: 'adsz', description: ''},
      {endpoint: 'syncz', description: ''},
    ])
    assert.throws(() => decodeDebugIndex('<html>nothing</html>'), (e: {exitCode: number}) => e.exitCode === ExitCode.INPUT)
  })
  test('adsz: proxy from the connection ID, watched counts; clients omitted when empty', () => {
    const id = 'sidecar~10.0.0.1~reviews-v1-abc.default~default.svc.cluster.local-12'
    assert.equal(proxyOfConnection(id), 'reviews-v1-abc.default')
    const rows = decodeAdsz(ok('istiod-a', {totalClients: 1, clients: [{connectionId: id, connectedAt: '2026-01-02T10:00:00Z', address: '10.0.0.1:4000', watches: {[CDS]: [], [EDS]: ['a', 'b']}}]}))
    assert.deepEqual(rows, [{proxy: 'reviews-v1-abc.default', istiod: 'istiod-a', connectionId: id, connectedAt: '2026-01-02T10:00:00Z', address: '10.0.0.1:4000', watches: {CDS: 0, EDS: 2}}])
    assert.deepEqual(decodeAdsz(ok('x', {totalClients: 0})), [])
    assert.throws(() => decodeAdsz(ok('x', [1])), (e: {exitCode: number}) => e.exitCode === ExitCode.INPUT)
    const table = renderShort(debugView('adsz', [ok('istiod-a', {totalClients: 1, clients: [{connectionId: id, connectedAt: '2026-01-02T10:00:00Z', address: '10.0.0.1:4000', watches: {[EDS]: ['a', 'b'], [CDS]: []}}]})], NOW))
    assert.equal(table, 'PROXY                    ISTIOD     CONNECTED   ADDRESS         WATCHED\nreviews-v1-abc.default   istiod-a   120m        10.0.0.1:4000   CDS,EDS(2)\n')
  })
  test('registryz, configz, endpointz, push_status', () => {
    const svc = {Attributes: {ServiceRegistry: 'Kubernetes', Name: 'reviews', Namespace: 'default'}, ports: [{name: 'http', port: 9080, protocol: 'HTTP'}], hostname: 'reviews.default.svc.cluster.local', defaultAddress: '10.96.0.9', Resolution: 0, MeshExternal: false}
    assert.deepEqual(decodeRegistryz(ok('a', [svc, {...svc, hostname: 'x.org', Resolution: 1, MeshExternal: true}])).map((r) => [r.hostname, r.resolution, r.external, r.ports]), [
      ['reviews.default.svc.cluster.local', 'ClientSideLB', false, '9080/HTTP'],
      ['x.org', 'DNSLB', true, '9080/HTTP'],
    ])
    assert.deepEqual(decodeConfigz(ok('a', [{kind: 'VirtualService', apiVersion: 'networking.istio.io/v1', metadata: {name: 'r', namespace: 'd', resourceVersion: '7'}, spec: {}}])), [
      {kind: 'VirtualService', namespace: 'd', name: 'r', apiVersion: 'networking.istio.io/v1', resourceVersion: '7'},
    ])
    assert.deepEqual(decodeEndpointz(ok('a', {'h.d.svc.cluster.local': {d: {Shards: {'Kubernetes/c1': [{HealthStatus: 1}, {HealthStatus: 2}]}, ServiceAccounts: {}}}})), [
      {hostname: 'h.d.svc.cluster.local', namespace: 'd', shard: 'Kubernetes/c1', endpoints: 2, healthy: 1},
    ])
    assert.deepEqual(decodePushStatus(ok('a', '')), [])
    assert.deepEqual(decodePushStatus(ok('a', {pilot_eds_no_instances: {'outbound|80||x': {}}, pilot_duplicate_envoy_clusters: {c: {proxy: 'p.ns', message: 'dup'}}})), [
      {metric: 'pilot_eds_no_instances', key: 'outbound|80||x', proxy: '', message: ''},
      {metric: 'pilot_duplicate_envoy_clusters', key: 'c', proxy: 'p.ns', message: 'dup'},
    ])
  })
})

describe('views over several replicas', () => {
  test('identical rows once with ISTIOD all, differing rows name their replica', () => {
    const cfg = (name: string) => ({kind: 'Gateway', apiVersion: 'networking.istio.io/v1', metadata: {name, namespace: 'ns', resourceVersion: '1'}})
    const out = renderShort(debugView('configz', [ok('i-1', [cfg('a'), cfg('b')]), ok('i-2', [cfg('a')])], NOW))
    assert.equal(out, 'KIND      NAMESPACE   NAME   API VERSION              RESOURCE VERSION   ISTIOD\nGateway   ns          a      networking.istio.io/v1   1                  all\nGateway   ns          b      networking.istio.io/v1   1                  i-1\n')
  })
  test('the document: the answer itself, or keyed by istiod; text answers shown as they are', () => {
    assert.deepEqual(answersDocument([ok('a', {x: 1})]), {x: 1})
    assert.deepEqual(answersDocument([ok('a', {x: 1}), ok('b', 'Pushed to 2 servers\n')]), {a: {x: 1}, b: 'Pushed to 2 servers\n'})
    assert.equal(renderShort(debugView('adsz?push=true', [ok('a', 'Pushed to 2 servers\n')], NOW)), 'Pushed to 2 servers\n')
    assert.equal(renderShort(debugView('mesh', [ok('a', '{"a":{"b":1}}')], NOW)), '{\n  "a": {\n    "b": 1\n  }\n}\n')
  })
})
