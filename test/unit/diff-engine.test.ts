/**
 * diff's engine on generated dump pairs with known edits (src/gen's Bookinfo): each edit is found, named by its
 * identity and its field, and nothing else is reported; spelling, key order and defaults alone are no change.
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {asConfigDump, decodeDocument, parseAdminDocument} from '../../src/envoy/document.js'
import type {Json, JsonObject} from '../../src/envoy/fields.js'
import {convertMessage} from '../../src/envoy/protojson.js'
import {bookinfo} from '../../src/gen/bookinfo.js'
import {configDump} from '../../src/gen/configdump.js'
import {iterateProxies, type ProxyInfo} from '../../src/gen/proxies.js'
import {atPointer, type DiffOptions, type DiffResult, diffGraphs, ReplicaComparison} from '../../src/diff/engine.js'
import {canonical, certificateIdentity, podSubstitution, sameResource} from '../../src/diff/normalize.js'
import {buildGraph, type ConfigGraph} from '../../src/graph/graph.js'

const mesh = bookinfo()
const proxy = (pred: (p: ProxyInfo) => boolean): ProxyInfo => {
  for (const p of iterateProxies(mesh)) if (pred(p)) return p
  throw new Error('no such proxy')
}
const productpage = proxy((p) => p.pod.startsWith('productpage'))
const dumpOf = (p: ProxyInfo, opts = {}): JsonObject => JSON.parse(JSON.stringify(configDump(mesh, p, {includeEds: true, ...opts}))) as JsonObject
const graphOf = (json: Json): ConfigGraph => buildGraph(asConfigDump(decodeDocument(json, 'test'), 'diff'))
/** The dump as read from a file: pretty-printed bytes, sections located and decoded lazily (diff's byte path). */
const graphOfBytes = (json: Json, indent = 2): ConfigGraph => buildGraph(asConfigDump(parseAdminDocument(Buffer.from(JSON.stringify(json, null, indent)), 'test.json'), 'diff'))

/**
 * The comparison both ways a dump can be read: decoded (the graph path) and from pretty-printed bytes (the byte
 * path for clusters, endpoints, listeners, routes); they must agree exactly.
 */
function both(a: Json, b: Json, opts: DiffOptions = {}): DiffResult {
  const decoded = diffGraphs(graphOf(a), graphOf(b), opts)
  // the same layout (equal resources are equal bytes, never decoded), and another indentation (every resource decoded)
  assert.deepEqual(diffGraphs(graphOfBytes(a), graphOfBytes(b), opts), decoded, 'byte path = graph path')
  assert.deepEqual(diffGraphs(graphOfBytes(a), graphOfBytes(b, 1), opts), decoded, 'byte path, other layout = graph path')
  return decoded
}

type Section = JsonObject & Record<string, Json>
function section(dump: JsonObject, kind: string): Section {
  const s = (dump.configs as JsonObject[]).find((c) => String(c['@type']).endsWith(`.${kind}`))
  if (!s) throw new Error(`no ${kind}`)
  return s as Section
}

/** Every object key order reversed, recursively: the same data written differently. */
function reversedKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(reversedKeys)
  if (v === null || typeof v !== 'object') return v
  const out: JsonObject = {}
  for (const k of Object.keys(v).reverse()) out[k] = reversedKeys(v[k]!)
  return out
}

describe('diff engine: generated pairs with known edits', () => {
  test('a dump against itself, and against its camelCase rendering with keys reordered, is equal', () => {
    const base = dumpOf(productpage)
    const same = both(base, dumpOf(productpage))
    assert.equal(same.equal, true)
    const camel = reversedKeys(convertMessage(base))
    const r = both(base, camel)
    assert.deepEqual(r.changes, [])
    assert.equal(r.equal, true)
    // and the comparison did compare something
    assert.ok((r.counts.clusters?.unchanged ?? 0) > 10)
    assert.ok((r.counts.routes?.unchanged ?? 0) > 5)
    assert.ok((r.counts.endpoints?.unchanged ?? 0) > 5)
    assert.deepEqual(r.normalized, [], 'the same proxy: nothing normalised')
  })

  test('one cluster added', () => {
    const a = dumpOf(productpage)
    const b = dumpOf(productpage)
    const clusters = section(b, 'ClustersConfigDump').dynamic_active_clusters as JsonObject[]
    const copy = JSON.parse(JSON.stringify(clusters[clusters.length - 1])) as JsonObject
    ;(copy.cluster as JsonObject).name = 'outbound|8080||extra.default.svc.cluster.local'
    clusters.push(copy)
    const r = both(a, b)
    assert.equal(r.equal, false)
    assert.deepEqual(
      r.changes.map((c) => [c.type, c.name, c.change]),
      [['clusters', 'outbound|8080||extra.default.svc.cluster.local', 'added']],
    )
    assert.equal(r.counts.clusters?.added, 1)
    const op = r.changes[0]!.patch[0]!
    assert.equal(op.op, 'add')
    assert.equal(op.path, '')
  })

  test("a route's timeout changed: one route, one field, before and after", () => {
    const a = dumpOf(productpage)
    const b = dumpOf(productpage)
    const rcs = section(b, 'RoutesConfigDump').dynamic_route_configs as JsonObject[]
    let edited = ''
    for (const rc of rcs) {
      const conf = rc.route_config as JsonObject
      for (const vh of (conf.virtual_hosts ?? []) as JsonObject[]) {
        for (const route of (vh.routes ?? []) as JsonObject[]) {
          if (!edited && route.route && typeof route.name === 'string') {
            ;(route.route as JsonObject).timeout = '42s'
            edited = `${conf.name}/${vh.name}/${route.name}`
          }
        }
      }
    }
    assert.ok(edited)
    const r = both(a, b)
    assert.equal(r.changes.length, 1, JSON.stringify(r.changes.map((c) => c.name)))
    const c = r.changes[0]!
    assert.equal(c.type, 'routes')
    assert.equal(c.name, edited)
    assert.equal(c.change, 'changed')
    assert.deepEqual(c.fields, ['/route/timeout'])
    assert.equal(c.details?.[0]?.after, '42s')
  })

  test('an endpoint gone: the endpoints of that cluster change, nothing else', () => {
    const reviewsClient = productpage
    const a = dumpOf(reviewsClient)
    const b = dumpOf(reviewsClient)
    const eds = section(b, 'EndpointsConfigDump').dynamic_endpoint_configs as JsonObject[]
    // a group with several endpoints (one gone leaves the others; the last gone would empty the list, which reads as absent)
    const several = (g: JsonObject): boolean => ((g.lb_endpoints ?? []) as Json[]).length > 1
    const target = eds.find((e) => (((e.endpoint_config as JsonObject).endpoints ?? []) as JsonObject[]).some(several))!
    const cla = target.endpoint_config as JsonObject
    const group = (cla.endpoints as JsonObject[]).find(several)!
    const gone = (group.lb_endpoints as Json[]).shift()
    const r = both(a, b)
    assert.deepEqual(
      r.changes.map((c) => [c.type, c.name, c.change]),
      [['endpoints', cla.cluster_name, 'changed']],
    )
    const removed = r.changes[0]!.details!.find((d) => d.after === undefined)
    assert.ok(removed, 'a removal')
    assert.deepEqual(removed.before, canonical(gone!))
  })

  test('a certificate rotated on the same proxy shows; between replicas serial and validity are normalised', () => {
    const a = dumpOf(productpage)
    const rotated = dumpOf(productpage, {leafValidity: {notBefore: '2026-03-01T00:00:00Z', notAfter: '2026-03-02T00:00:00Z'}})
    const r = both(a, rotated, {types: ['secrets']})
    assert.deepEqual(
      r.changes.map((c) => [c.type, c.name, c.change, c.fields]),
      [['secrets', 'default', 'changed', ['/tls_certificate/certificate_chain/inline_bytes']]],
    )
    // the two inventory replicas, one with a rotated certificate: equal once per-pod values are normalised
    const [inv0, inv1] = [...iterateProxies(mesh)].filter((p) => p.pod.startsWith('inventory'))
    const r2 = both(dumpOf(inv0!), dumpOf(inv1!, {leafValidity: {notBefore: '2026-03-01T00:00:00Z', notAfter: '2026-03-02T00:00:00Z'}}), {types: ['secrets', 'listeners', 'clusters', 'routes']})
    assert.deepEqual(r2.changes, [])
    assert.deepEqual(
      r2.normalized.map((n) => n.what),
      ['pod IP', 'pod name', 'node id', 'workload certificate'],
    )
    const r3 = both(dumpOf(inv0!), dumpOf(inv1!, {leafValidity: {notBefore: '2026-03-01T00:00:00Z', notAfter: '2026-03-02T00:00:00Z'}}), {types: ['secrets'], normalize: false})
    assert.equal(r3.changes.length, 1, '--no-normalize: the per-pod certificate differs')
  })

  test('a side without EndpointsConfigDump: endpoints unknown, not gone; not compared, and said', () => {
    const a = dumpOf(productpage)
    const b = JSON.parse(JSON.stringify(configDump(mesh, productpage, {includeEds: false}))) as JsonObject
    const r = both(a, b)
    assert.equal(r.equal, true)
    assert.deepEqual(r.types, ['clusters', 'listeners', 'routes', 'secrets', 'bootstrap'])
    assert.deepEqual(r.warnings, ['endpoints not compared: b has no EndpointsConfigDump (a dump taken without ?include_eds)'])
  })

  test('--include-meta: version_info and last_updated count', () => {
    const a = dumpOf(productpage)
    const b = dumpOf(productpage)
    const c0 = (section(b, 'ClustersConfigDump').dynamic_active_clusters as JsonObject[])[0]!
    c0.version_info = 'another-version'
    assert.equal(both(a, b).equal, true)
    const r = both(a, b, {includeMeta: true, types: ['clusters']})
    assert.equal(r.changes.length, 1)
    assert.deepEqual(r.changes[0]!.fields, ['/_meta/version_info'])
  })

  test('--type and the filters narrow the comparison', () => {
    const a = dumpOf(productpage)
    const b = dumpOf(productpage)
    const clusters = section(b, 'ClustersConfigDump').dynamic_active_clusters as JsonObject[]
    clusters.splice(0, clusters.length, ...clusters.filter((c) => !String((c.cluster as JsonObject).name).includes('reviews')))
    const all = both(a, b)
    assert.ok(all.changes.length > 0 && all.changes.every((c) => c.type === 'clusters' && c.change === 'removed'))
    assert.equal(both(a, b, {types: ['listeners', 'routes']}).equal, true)
    assert.equal(both(a, b, {fqdn: 'ratings'}).equal, true)
    const reviews = both(a, b, {fqdn: 'reviews'})
    assert.deepEqual(reviews.types, ['clusters', 'endpoints'])
    assert.equal(reviews.changes.length, all.changes.length)
  })

  test('replicas against their majority: the odd one is named, with the field', () => {
    const [inv0, inv1] = [...iterateProxies(mesh)].filter((p) => p.pod.startsWith('inventory'))
    const cmp = new ReplicaComparison({types: ['clusters', 'listeners', 'routes', 'endpoints']})
    cmp.add('a', graphOf(dumpOf(inv0!)))
    cmp.add('b', graphOf(dumpOf(inv1!)))
    const odd = dumpOf(inv0!)
    const c0 = (section(odd, 'ClustersConfigDump').dynamic_active_clusters as JsonObject[])[0]!
    ;(c0.cluster as JsonObject).connect_timeout = '99s'
    cmp.add('c', graphOf(odd))
    // a fourth pod whose dump was taken without EDS: its endpoints are unknown, not missing
    cmp.add('d', graphOf(JSON.parse(JSON.stringify(configDump(mesh, inv1!, {includeEds: false})))))
    const rep = cmp.result()
    assert.deepEqual(rep.noMajority, [])
    assert.deepEqual(
      rep.results.map((p) => [p.pod, p.differences.map((d) => [d.type, d.name, d.change, d.fields])]),
      [
        ['a', []],
        ['b', []],
        ['c', [['clusters', (c0.cluster as JsonObject).name, 'changed', ['/connect_timeout']]]],
        ['d', []],
      ],
    )
  })
})

describe('diff normalisation', () => {
  test('proto3 defaults equal an absent field; an empty message does not', () => {
    assert.equal(sameResource({name: 'x', a: false, b: 0, c: '', d: [], e: null}, {name: 'x'}), true)
    assert.equal(sameResource({name: 'x', ads: {}}, {name: 'x'}), false)
    assert.equal(sameResource({connect_timeout: '1s'}, {connectTimeout: '1s'}), true)
    assert.equal(sameResource({connect_timeout: '1s'}, {connectTimeout: '2s'}), false)
    assert.equal(sameResource({routes: [{a: 1}, {b: 1}]}, {routes: [{b: 1}, {a: 1}]}), false, 'order of lists counts')
  })

  test('Structs are data: keys exact, false kept', () => {
    const a = {metadata: {filter_metadata: {istio: {some_key: false}}}}
    assert.equal(sameResource(a, {metadata: {filterMetadata: {istio: {some_key: false}}}}), true)
    assert.equal(sameResource(a, {metadata: {filterMetadata: {istio: {}}}}), false)
    assert.equal(sameResource(a, {metadata: {filterMetadata: {istio: {someKey: false}}}}), false)
    assert.deepEqual(canonical({filterMetadata: {istio: {some_key: false}}, connectTimeout: '1s', useRemoteAddress: false}), {connect_timeout: '1s', filter_metadata: {istio: {some_key: false}}})
  })

  test('per-pod substitution: the IP as a whole address only, the pod name as a whole name', () => {
    const sub = podSubstitution({ips: ['10.0.0.2'], podName: 'reviews-v2-abc'})
    assert.equal(sub('sidecar~10.0.0.2~reviews-v2-abc.default~default.svc.cluster.local'), 'sidecar~<pod-ip>~<pod-name>.default~default.svc.cluster.local')
    assert.equal(sub('10.0.0.25'), '10.0.0.25')
    assert.equal(sub('110.0.0.2'), '110.0.0.2')
    assert.equal(sub('10.0.0.2_9080'), '<pod-ip>_9080')
    assert.equal(sub('reviews-v2-abcd'), 'reviews-v2-abcd')
  })

  test('certificateIdentity keeps the subject, SANs and issuer, not the serial', () => {
    const a = section(dumpOf(productpage), 'SecretsConfigDump')
    const chain = (((a.dynamic_active_secrets as JsonObject[])[0]!.secret as JsonObject).tls_certificate as JsonObject).certificate_chain as JsonObject
    const id = certificateIdentity(chain.inline_bytes as string)
    assert.match(id, /^<certificate .*san=URI:spiffe:\/\/cluster\.local\/ns\/default\/sa\/bookinfo-productpage/)
    assert.doesNotMatch(id, /serial/i)
    assert.equal(certificateIdentity('not a certificate'), 'not a certificate')
  })

  test('atPointer follows RFC 6901 escapes', () => {
    assert.equal(atPointer({'a/b': {'c~d': [1, 2]}}, '/a~1b/c~0d/1'), 2)
    assert.equal(atPointer({a: 1}, '/b'), undefined)
  })
})
