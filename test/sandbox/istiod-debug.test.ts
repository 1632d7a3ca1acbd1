/**
 * The sandbox istiod's debug answers have istiod's shapes (docs/istioctl-behaviour.md §12.3) and agree with each
 * other (the index lists what is served; adsz and connections list the same connections).
 */
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {bookinfo, proxies} from '../../src/gen/index.js'
import {decodeDebugIndex} from '../../src/istiod/debug.js'
import {DEBUG_HELP, IstiodDebug} from '../../src/sandbox/istiod-debug.js'

const mesh = bookinfo()
const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster'
const EDS = 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment'
const connected = proxies(mesh)
  .slice(0, 4)
  .map((info) => ({id: `${info.pod}.${info.namespace}`, info, types: [CDS, EDS]}))
const d = new IstiodDebug(mesh, 'istiod-x', new Date('2026-01-01T00:00:00Z'), () => connected)
const q = (s = ''): URLSearchParams => new URLSearchParams(s)
const body = (path: string, query = ''): unknown => JSON.parse(d.answer(path, q(query))!.body)

test('the index and the list name the same endpoints, and each is served', () => {
  const index = decodeDebugIndex(d.answer('/debug', q())!.body).map((r) => r.endpoint)
  assert.deepEqual(index, Object.keys(DEBUG_HELP).sort())
  assert.deepEqual(body('/debug/list'), index)
  for (const e of index) {
    const [path, query] = e.split('?')
    const a = d.answer(`/debug/${path}`, q(query))
    if (path === 'syncz' || path === 'config_dump') assert.equal(a, undefined, 'served by istiod.ts itself')
    else assert.ok(a && (a.status === 200 || (path === 'edsz' && a.status === 400)), e)
  }
  assert.equal(d.answer('/debug/nosuch', q()), undefined)
})

test('adsz: totalClients + clients with istiod\'s fields; proxyID keeps the first match; push; connections', () => {
  const adsz = body('/debug/adsz') as {totalClients: number; clients: Array<Record<string, unknown>>}
  assert.equal(adsz.totalClients, 4)
  assert.deepEqual(Object.keys(adsz.clients[0]!).sort(), ['address', 'connectedAt', 'connectionId', 'labels', 'locality', 'metadata', 'watches'])
  assert.match(String(adsz.clients[0]!.connectionId), new RegExp(`^${connected[0]!.info.nodeId.replace(/[.~]/g, '\\$&')}-\\d+$`))
  assert.deepEqual(Object.keys(adsz.clients[0]!.watches as object), [CDS, EDS])
  const one = body('/debug/adsz', `proxyID=${connected[1]!.id}`) as {totalClients: number; clients: Array<{connectionId: string}>}
  assert.equal(one.totalClients, 1)
  assert.ok(one.clients[0]!.connectionId.includes(connected[1]!.id))
  assert.deepEqual(body('/debug/adsz', 'proxyID=nosuch'), {totalClients: 0}, 'clients omitted when empty')
  assert.equal(d.answer('/debug/adsz', q('push=true'))!.body, 'Pushed to 4 servers\n')
  const conns = body('/debug/connections') as {clients: Array<Record<string, unknown>>}
  assert.deepEqual(Object.keys(conns.clients[0]!).sort(), ['address', 'connectedAt', 'connectionId'])
})

test('registryz, configz, endpointz, push_status, edsz shapes', () => {
  const reg = body('/debug/registryz') as Array<Record<string, unknown>>
  assert.equal(reg.length, [...mesh.services].length)
  for (const k of ['Attributes', 'ports', 'serviceAccounts', 'creationTime', 'hostname', 'clusterVIPs', 'defaultAddress', 'autoAllocatedIPv4Address', 'autoAllocatedIPv6Address', 'Resolution', 'MeshExternal', 'ResourceVersion']) {
    assert.ok(k in reg[0]!, k)
  }
  const cfg = body('/debug/configz') as Array<Record<string, unknown>>
  assert.equal(cfg.length, [...mesh.virtualServices].length + [...mesh.destinationRules].length + [...mesh.gateways].length + [...mesh.services].filter((s) => s.kind === 'ServiceEntry').length + [...mesh.wasmPlugins].length)
  for (const c of cfg) assert.deepEqual(Object.keys(c), ['kind', 'apiVersion', 'metadata', 'spec'])
  const ep = body('/debug/endpointz') as Record<string, Record<string, {Shards: Record<string, unknown[]>; ServiceAccounts: object}>>
  const reviews = ep['reviews.default.svc.cluster.local']!.default!
  assert.equal(Object.values(reviews.Shards)[0]!.length, 3, 'three reviews pods, one port')
  assert.ok(Object.keys(reviews.ServiceAccounts).length > 0)
  assert.match(d.answer('/debug/push_status', q())!.body, /^\{/)
  assert.equal(d.answer('/debug/edsz', q())!.status, 400)
  assert.equal(d.answer('/debug/edsz', q('proxyID=nosuch'))!.status, 404)
  const eds = body('/debug/edsz', `proxyID=${connected[0]!.id}`) as {configs: Array<{'@type': string}>}
  assert.deepEqual(eds.configs.map((c) => c['@type']), ['type.googleapis.com/envoy.admin.v3.EndpointsConfigDump'])
})
