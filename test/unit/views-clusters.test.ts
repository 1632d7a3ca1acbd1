/** `pc cluster` (§4.1) and the clusters section of `pc all` (§4.9). */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {type ConfigDump, decodeDocument} from '../../src/envoy/document.js'
import type {JsonObject} from '../../src/envoy/fields.js'
import {InputError} from '../../src/errors/index.js'
import {render, renderShort} from '../../src/output/render.js'
import {type ClusterFilter, clusterMatches, clustersView, clusterType} from '../../src/views/clusters.js'
import {sharedUrl} from '../helpers/shared.js'

const CDS = 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump'
const CLUSTER = 'type.googleapis.com/envoy.config.cluster.v3.Cluster'
const DR = (name: string, ns: string): JsonObject => ({filter_metadata: {istio: {config: `/apis/networking.istio.io/v1/namespaces/${ns}/destination-rule/${name}`}}})
const c = (name: string, type = 'EDS', extra: JsonObject = {}): JsonObject => ({'@type': CLUSTER, name, type, ...extra})
const dumpOf = (dynamic: JsonObject[], statics: JsonObject[] = [], warming: JsonObject[] = []): ConfigDump =>
  decodeDocument(
    {
      configs: [
        {
          '@type': CDS,
          static_clusters: statics.map((cluster) => ({cluster, last_updated: '2024-01-01T00:00:00Z'})),
          dynamic_active_clusters: dynamic.map((cluster) => ({version_info: '1', cluster})),
          dynamic_warming_clusters: warming.map((cluster) => ({cluster})),
        },
      ],
    },
    'test',
  ) as ConfigDump
const rows = (d: ConfigDump, f: ClusterFilter = {}, typed = false): string[] => renderShort(clustersView(d, f, typed)).split('\n').slice(0, -1)
const names = (d: ConfigDump, f: ClusterFilter = {}): string[] => (clustersView(d, f).data() as JsonObject[]).map((x) => x.name as string)

const bookinfo = (): ConfigDump =>
  dumpOf(
    [
      c('outbound|15010||istiod.istio-system.svc.cluster.local'),
      c('outbound|9080|v2|reviews.default.svc.cluster.local', 'EDS', {metadata: DR('reviews', 'default')}),
      c('outbound|443||istiod.istio-system.svc.cluster.local'),
      c('inbound|9080||', 'STATIC'),
      c('outbound_.9080_.v1_.reviews.default.svc.cluster.local'),
      c('outbound|9080|v1|reviews.default.svc.cluster.local', 'EDS', {metadata: DR('reviews', 'default')}),
      c('outbound|9080||reviews.default.svc.cluster.local'),
      c('BlackHoleCluster', 'STATIC'),
      c('PassthroughCluster', 'ORIGINAL_DST'),
      c('inbound-vip|9080|http|reviews.default.svc.cluster.local'),
    ],
    [c('agent', 'STATIC'), c('prometheus_stats', 'STATIC'), c('xds-grpc', 'STRICT_DNS'), c('zipkin', 'LOGICAL_DNS')],
    [c('warming-only')],
  )

describe('clusters table', () => {
  test('istioctl order and layout', () => {
    assert.deepEqual(rows(bookinfo()), [
      'SERVICE FQDN                                              PORT      SUBSET     DIRECTION       TYPE             DESTINATION RULE',
      '                                                          9080      -          inbound         STATIC           ',
      'BlackHoleCluster                                          -         -          -               STATIC           ',
      'PassthroughCluster                                        -         -          -               ORIGINAL_DST     ',
      'agent                                                     -         -          -               STATIC           ',
      'istiod.istio-system.svc.cluster.local                     443       -          outbound        EDS              ',
      'istiod.istio-system.svc.cluster.local                     15010     -          outbound        EDS              ',
      'outbound_.9080_.v1_.reviews.default.svc.cluster.local     -         -          -               EDS              ',
      'prometheus_stats                                          -         -          -               STATIC           ',
      'reviews.default.svc.cluster.local                         9080      -          outbound        EDS              ',
      'reviews.default.svc.cluster.local                         9080      http       inbound-vip     EDS              ',
      'reviews.default.svc.cluster.local                         9080      v1         outbound        EDS              reviews.default',
      'reviews.default.svc.cluster.local                         9080      v2         outbound        EDS              reviews.default',
      'xds-grpc                                                  -         -          -               STRICT_DNS       ',
      'zipkin                                                    -         -          -               LOGICAL_DNS      ',
    ])
  })

  test('warming clusters are never shown', () => {
    assert.equal(names(bookinfo()).includes('warming-only'), false)
  })

  test('-o json: same order, camelCase, no @type on the element', () => {
    const data = clustersView(bookinfo(), {}).data() as JsonObject[]
    assert.equal(data.length, 14)
    assert.equal(data[0].name, 'inbound|9080||')
    assert.equal('@type' in data[0], false)
    const dr = data.find((x) => x.name === 'outbound|9080|v1|reviews.default.svc.cluster.local')!
    assert.deepEqual(dr.metadata, {filterMetadata: DR('reviews', 'default').filter_metadata})
  })

  test('same hostname and subset: port numeric, then direction', () => {
    const d = dumpOf([c('outbound|9080||x'), c('inbound|9080||x'), c('outbound|80||x'), c('outbound|100||x')])
    assert.deepEqual(names(d), ['outbound|80||x', 'outbound|100||x', 'inbound|9080||x', 'outbound|9080||x'])
  })

  test('5-part names have an empty FQDN and sort first', () => {
    const d = dumpOf([c('a'), c('outbound|80|v1|host|extra')])
    assert.deepEqual(rows(d).slice(1), ['                 80       v1         outbound      EDS      ', 'a                -        -          -             EDS      '])
  })

  test('more than 12 clusters (pdqsort path) still sort by key', () => {
    const list = Array.from({length: 40}, (_, i) => c(`outbound|${(i * 7919) % 1000}||svc${i % 5}.ns.svc.cluster.local`))
    const got = names(dumpOf(list))
    const key = (n: string): [string, number] => [n.split('|')[3], Number(n.split('|')[1])]
    const want = [...got].sort((a, b) => (key(a)[0] !== key(b)[0] ? (key(a)[0] < key(b)[0] ? -1 : 1) : key(a)[1] - key(b)[1]))
    assert.deepEqual(got, want)
  })
})

describe('TYPE column', () => {
  const cases: Array<[JsonObject, string]> = [
    [{type: 'STATIC'}, 'STATIC'],
    [{type: 'STRICT_DNS'}, 'STRICT_DNS'],
    [{type: 'LOGICAL_DNS'}, 'LOGICAL_DNS'],
    [{type: 'EDS'}, 'EDS'],
    [{type: 'ORIGINAL_DST'}, 'ORIGINAL_DST'],
    [{}, 'STATIC'],
    [{cluster_type: {name: 'envoy.clusters.aggregate', typed_config: {}}}, 'STATIC'],
    [{clusterType: {name: 'envoy.clusters.dynamic_forward_proxy'}}, 'STATIC'],
  ]
  for (const [cl, want] of cases) test(`${JSON.stringify(cl)} → ${want}`, () => assert.equal(clusterType(cl), want))
})

describe('DESTINATION RULE column', () => {
  const cases: Array<[string, JsonObject | undefined, string]> = [
    ['absent', undefined, ''],
    ['v1alpha3 path', {filter_metadata: {istio: {config: '/apis/networking.istio.io/v1alpha3/namespaces/bookinfo/destination-rule/reviews'}}}, 'reviews.bookinfo'],
    ['wrong piece count', {filter_metadata: {istio: {config: '/apis/networking.istio.io/v1/namespaces/bookinfo/destination-rule'}}}, ''],
    ['not networking.istio.io', {filter_metadata: {istio: {config: 'something-else'}}}, '<unknown>'],
    ['other istio metadata only', {filter_metadata: {istio: {services: [{host: 'x'}]}}}, ''],
  ]
  for (const [name, metadata, want] of cases) {
    test(name, () => {
      const d = dumpOf([c('outbound|80||x', 'EDS', metadata ? {metadata} : {})])
      assert.equal(rows(d)[1], `${'x'.padEnd(17)}80       -          outbound      EDS      ${want}`)
    })
  }
})

describe('filters: substrings of the full name', () => {
  const d = (): ConfigDump =>
    dumpOf([c('outbound|9080|v1|reviews.default.svc.cluster.local'), c('inbound|9080||'), c('inbound-vip|9080|http|reviews.default.svc.cluster.local'), c('outbound|15010||istiod.istio-system.svc.cluster.local'), c('outbound|80||my-inbound-svc.ns.svc.cluster.local'), c('BlackHoleCluster')])
  const cases: Array<{f: ClusterFilter; want: string[]}> = [
    {f: {}, want: ['inbound|9080||', 'BlackHoleCluster', 'outbound|15010||istiod.istio-system.svc.cluster.local', 'outbound|80||my-inbound-svc.ns.svc.cluster.local', 'inbound-vip|9080|http|reviews.default.svc.cluster.local', 'outbound|9080|v1|reviews.default.svc.cluster.local']},
    {f: {direction: 'inbound'}, want: ['inbound|9080||', 'outbound|80||my-inbound-svc.ns.svc.cluster.local', 'inbound-vip|9080|http|reviews.default.svc.cluster.local']},
    {f: {fqdn: 'reviews'}, want: ['inbound-vip|9080|http|reviews.default.svc.cluster.local', 'outbound|9080|v1|reviews.default.svc.cluster.local']},
    {f: {port: 9080}, want: ['inbound|9080||', 'inbound-vip|9080|http|reviews.default.svc.cluster.local', 'outbound|9080|v1|reviews.default.svc.cluster.local']},
    {f: {port: 908}, want: []},
    {f: {subset: 'v1'}, want: ['outbound|9080|v1|reviews.default.svc.cluster.local']},
    {f: {fqdn: 'Black'}, want: ['BlackHoleCluster']},
    {f: {fqdn: 'black'}, want: []},
    {f: {fqdn: 'reviews', direction: 'outbound', subset: 'v1', port: 9080}, want: ['outbound|9080|v1|reviews.default.svc.cluster.local']},
    {f: {fqdn: 'reviews', port: 15010}, want: []},
  ]
  for (const x of cases) {
    test(JSON.stringify(x.f), () => assert.deepEqual(names(d(), x.f), x.want))
  }

  test('a filter matching nothing prints only the header; -o json prints []', () => {
    const r = clustersView(d(), {fqdn: 'nothing'})
    assert.equal(renderShort(r), 'SERVICE FQDN     PORT     SUBSET     DIRECTION     TYPE     DESTINATION RULE\n')
    assert.equal(render(r, {format: 'json'}), '[]\n')
  })

  test('clusterMatches: port 0 means no port filter', () => {
    assert.equal(clusterMatches('x', {port: 0}), true)
  })
})

describe('empty and missing', () => {
  test('no clusters at all → "no clusters found" (also for -o json)', () => {
    for (const d of [dumpOf([]), dumpOf([], [], [c('warming')])]) {
      // the table and the document are built on demand: each says so when asked for
      const view = clustersView(d, {})
      const none = (e: unknown): boolean => e instanceof InputError && e.message === 'no clusters found' && e.exitCode === 3
      assert.throws(() => view.blocks, none)
      assert.throws(() => view.data(), none)
    }
  })
})

describe('pc all: typed NAME column', () => {
  test('Istio names parsed; other names repeat the typed name in SERVICE FQDN (istioctl quirk)', () => {
    const d = dumpOf([c('outbound|80|v1|x.ns.svc.cluster.local', 'EDS', {metadata: DR('x', 'ns')}), c('BlackHoleCluster', 'STATIC')])
    assert.deepEqual(rows(d, {}, true), [
      'NAME                                              SERVICE FQDN                 PORT     SUBSET     DIRECTION     TYPE       DESTINATION RULE',
      'cluster/BlackHoleCluster                          cluster/BlackHoleCluster     -        -          -             STATIC     ',
      'cluster/outbound|80|v1|x.ns.svc.cluster.local     x.ns.svc.cluster.local       80       v1         outbound      EDS        x.ns',
    ])
  })
})

describe('camelCase input', () => {
  test('gives the same table as snake_case', () => {
    const snake = bookinfo()
    const camel = decodeDocument(
      {
        configs: [
          {
            '@type': CDS,
            dynamicActiveClusters: [
              {cluster: {name: 'outbound|9080|v1|reviews.default.svc.cluster.local', type: 'EDS', metadata: {filterMetadata: {istio: {config: '/apis/networking.istio.io/v1/namespaces/default/destination-rule/reviews'}}}}},
              {cluster: {name: 'inbound|9080||', type: 'STATIC'}},
            ],
            staticClusters: [{cluster: {name: 'agent', type: 'STATIC'}}],
          },
        ],
      },
      'x',
    ) as ConfigDump
    const want = rows(snake).filter((l) => /^(SERVICE| {20}|agent|reviews.*v1)/.test(l))
    const got = rows(camel)
    assert.equal(got.length, 4)
    // same cells (widths differ because the tables hold different rows)
    assert.deepEqual(
      got.map((l) => l.split(/ {2,}/)),
      want.map((l) => l.split(/ {2,}/)),
    )
  })
})

describe('pc all: a cluster with an empty name', () => {
  test('gets a row with one cell fewer (istioctl quirk)', () => {
    const lines = rows(dumpOf([c(''), c('a')]), {}, true)
    // the short row ends the TYPE column block, so header and row 2 get their own TYPE widths
    assert.equal(lines[0], 'NAME          SERVICE FQDN     PORT     SUBSET     DIRECTION     TYPE     DESTINATION RULE')
    assert.equal(lines[1], 'cluster/      -                -        -          EDS           ')
    assert.equal(lines[2], 'cluster/a     cluster/a        -        -          -             EDS     ')
  })
})

describe('the table from the clusters’ table fields only', () => {
  test('reads as the table from fully decoded clusters: real dumps, generated meshes, pretty and compact, every filter', async () => {
    const {readdirSync, readFileSync} = await import('node:fs')
    const {parseAdminDocument} = await import('../../src/envoy/document.js')
    const {syntheticMesh, configDump, proxies, bookinfo} = await import('../../src/gen/index.js')
    const inputs: Array<[string, Buffer]> = []
    const dir = sharedUrl('conformance/real-dumps/')
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.json'))) inputs.push([f, readFileSync(new URL(f, dir))])
    for (const mesh of [bookinfo(), syntheticMesh({services: 60})]) {
      for (const p of proxies(mesh).slice(0, 2)) {
        const dump = configDump(mesh, p, {includeEds: true})
        inputs.push([`${p.pod}, pretty`, Buffer.from(JSON.stringify(dump, null, 1))], [`${p.pod}, compact`, Buffer.from(JSON.stringify(dump))])
      }
    }
    const filters: ClusterFilter[] = [{}, {direction: 'outbound'}, {port: 9080}, {fqdn: 'svc'}, {subset: 'v1'}]
    let projected = 0
    for (const [name, bytes] of inputs) {
      const lazy = parseAdminDocument(bytes, name) as ConfigDump
      const eager = decodeDocument(JSON.parse(bytes.toString('utf8')), name) as ConfigDump
      if (eager.kind !== 'config_dump' || !eager.section('clusters')) continue
      for (const f of filters) {
        for (const typed of [false, true]) {
          const table = (d: ConfigDump): string => {
            try {
              return renderShort(clustersView(d, f, typed))
            } catch (err) {
              return `error: ${(err as Error).message}`
            }
          }
          assert.equal(table(lazy), table(eager), `${name} ${JSON.stringify(f)} typed=${typed}`)
        }
      }
      // the pretty inputs are the ones cut into fields
      const section = lazy.sectionProjected('clusters', {static_clusters: [{cluster: {name: true}}]})
      if (section && Object.keys(section).length === 1) projected++
    }
    assert.ok(projected >= 5, `${projected} inputs read through the projection`)
  })
})
