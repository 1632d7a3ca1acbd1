/**
 * The generator's fault options (bookinfo({faults: true}), Workload.faults, Workload.outboundTrafficPolicy) produce
 * the broken configs check and trace explain, shaped as Envoy and Istio would; the plain mesh has none of them.
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {checkGraph, checkTime, DEFAULT_CERT_WARN_MS, type Finding} from '../../src/check/index.js'
import {asConfigDump, parseAdminDocument} from '../../src/envoy/document.js'
import {BOOKINFO_FAULTS, bookinfo} from '../../src/gen/bookinfo.js'
import {configDump} from '../../src/gen/configdump.js'
import type {MeshModel} from '../../src/gen/model.js'
import {proxies} from '../../src/gen/proxies.js'
import {buildGraph} from '../../src/graph/graph.js'

function findingsOf(mesh: MeshModel, podPrefix: string): Finding[] {
  const p = proxies(mesh).find((x) => x.pod.startsWith(podPrefix))
  assert.ok(p, podPrefix)
  const dump = configDump(mesh, p, {includeEds: true})
  const graph = buildGraph(asConfigDump(parseAdminDocument(Buffer.from(JSON.stringify(dump)), podPrefix), 'check'))
  return checkGraph(graph, {proxy: podPrefix, time: checkTime(graph, {saved: true, now: new Date()}), certWarnMs: DEFAULT_CERT_WARN_MS})
}

const byCode = (fs: Finding[], code: string) => fs.filter((f) => f.code === code)

describe('bookinfo({faults: true})', () => {
  const mesh = bookinfo({faults: true})
  test('a route to the missing subset v4 (503 NC) with the DestinationRule hint, on every sidecar', () => {
    const [f] = byCode(findingsOf(mesh, 'productpage-v1'), 'ROUTE_CLUSTER_MISSING')
    assert.equal(f?.resource.name, '9080/reviews.default.svc.cluster.local:9080/canary')
    assert.match(f!.message, /outbound\|9080\|v4\|reviews\.default\.svc\.cluster\.local.*503 NC/)
    assert.match(f!.hint!, /a DestinationRule subset is missing/)
  })
  test(`${BOOKINFO_FAULTS.noEndpointsService}: a used cluster with no endpoints (503 UH)`, () => {
    const [f] = byCode(findingsOf(mesh, 'productpage-v1'), 'ENDPOINTS_NONE')
    assert.equal(f?.resource.name, 'outbound|9080||ratings-broken.default.svc.cluster.local')
  })
  test('sleep-locked runs REGISTRY_ONLY: BlackHoleCluster catch-all and block_all virtual hosts; others ALLOW_ANY', () => {
    const locked = findingsOf(mesh, 'sleep-locked')
    assert.equal(byCode(locked, 'OUTBOUND_REGISTRY_ONLY').length, 1)
    assert.match(byCode(locked, 'OUTBOUND_REGISTRY_ONLY')[0]!.message, /end with block_all/)
    assert.equal(byCode(locked, 'PASSTHROUGH_USED').length, 0)
    assert.equal(byCode(findingsOf(mesh, 'sleep-7'), 'OUTBOUND_REGISTRY_ONLY').length, 0)
  })
  test('legacy-api: the /v2 route behind the catch-all is shadowed', () => {
    assert.deepEqual(byCode(findingsOf(mesh, 'details-v1'), 'ROUTE_SHADOWED').map((f) => f.resource.name), ['8080/legacy-api.foo.svc.cluster.local:8080/v2'])
  })
  test('legacy-api-v1: a rejected listener, a warming listener and cluster (10 minutes), an expired certificate', () => {
    const fs = findingsOf(mesh, BOOKINFO_FAULTS.faultyWorkload)
    assert.match(byCode(fs, 'CONFIG_REJECTED')[0]!.message, /LuaValidationError/)
    assert.equal(byCode(fs, 'CONFIG_REJECTED')[0]!.resource.name, `0.0.0.0_${BOOKINFO_FAULTS.rejectedListenerPort}`)
    assert.match(byCode(fs, 'LISTENER_WARMING')[0]!.message, /warming for 1[01]m/)
    assert.equal(byCode(fs, 'CLUSTER_WARMING')[0]!.resource.name, BOOKINFO_FAULTS.warmingCluster)
    assert.match(byCode(fs, 'CERT_EXPIRED')[0]!.message, /spiffe:\/\/cluster\.local\/ns\/foo\/sa\/default expired 60m ago/)
  })
})

describe('bookinfo() without faults', () => {
  test('no errors or warnings on any sidecar, and the fault pods do not exist', () => {
    const mesh = bookinfo()
    for (const p of proxies(mesh)) assert.ok(!p.pod.startsWith('sleep-locked') && !p.pod.startsWith('legacy-api'), p.pod)
    for (const prefix of ['productpage-v1', 'reviews-v2', 'sleep-']) {
      const serious = findingsOf(mesh, prefix).filter((f) => f.severity !== 'info')
      assert.deepEqual(serious, [], prefix)
    }
  })
})
