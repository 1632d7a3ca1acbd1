/**
 * Property tests of the proxy-config path (issue 14, section 4): input bytes → parseAdminDocument → every pc view
 * builder (src/views) → every printer (table, -o json, -o yaml, --query). Over arbitrary JSON, valid dumps with one
 * value of the wrong type / a key removed / an extra key, truncated and damaged bytes, odd and huge strings and deep
 * nesting, every run ends with a result or a documented error (exit 2 or 3), never another exception.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import fc from 'fast-check'
import {type AdminDocument, asConfigDump, parseAdminDocument} from '../../src/envoy/document.js'
import {takeUnreadable} from '../../src/envoy/fields.js'
import {compileQuery} from '../../src/output/query.js'
import {render} from '../../src/output/render.js'
import {goYaml} from '../../src/output/yaml.js'
import {allView, inputJsonBytes, inputJsonText} from '../../src/views/all.js'
import {bootstrapView} from '../../src/views/bootstrap.js'
import {clustersView} from '../../src/views/clusters.js'
import {ecdsView} from '../../src/views/ecds.js'
import {edsView, endpointsView} from '../../src/views/endpoints.js'
import {listenersView} from '../../src/views/listeners.js'
import {routesView} from '../../src/views/routes.js'
import {secretsView} from '../../src/views/secrets.js'
import type {ViewResult} from '../../src/views/types.js'
import {ROOT} from '../helpers/cli.js'
import {anyJson, damaged, deepJson, documented, mutated, oddString, RUNS} from '../helpers/property.js'

const NOW = new Date('2026-01-01T00:00:00Z')
const MINI = readFileSync(join(ROOT, 'test/fixtures/dumps/mini-sidecar.json'), 'utf8')
const CLUSTERS = readFileSync(join(ROOT, 'test/fixtures/gen/bookinfo-productpage.clusters.json'), 'utf8')
const QUERY = compileQuery('[0] || @')

const VIEWS: Array<[string, (doc: AdminDocument, bytes: Uint8Array) => ViewResult]> = [
  ['bootstrap', (d) => bootstrapView(asConfigDump(d, 'bootstrap'))],
  ['clusters', (d) => clustersView(asConfigDump(d, 'clusters'), {fqdn: 'x', port: 80})],
  ['clusters (typed)', (d) => clustersView(asConfigDump(d, 'clusters'), {}, true)],
  ['listeners', (d) => listenersView(asConfigDump(d, 'listeners'), {}, true)],
  ['listeners --no-verbose', (d) => listenersView(asConfigDump(d, 'listeners'), {port: 9080}, false)],
  ['routes', (d) => routesView(asConfigDump(d, 'routes'), {}, true)],
  ['routes --no-verbose', (d) => routesView(asConfigDump(d, 'routes'), {name: '9080'}, false)],
  ['secret', (d) => secretsView(asConfigDump(d, 'secret'), NOW)],
  ['ecds', (d) => ecdsView(asConfigDump(d, 'ecds'))],
  ['eds', (d) => edsView(asConfigDump(d, 'eds'), {address: '10.0.0.1', status: 'healthy'})],
  ['endpoints', (d) => endpointsView(d, {})],
  ['endpoints --address', (d) => endpointsView(d, {address: '10.244.0.12', port: 9080})],
  ...[true, false].map(
    (tables): [string, (doc: AdminDocument, bytes: Uint8Array) => ViewResult] => [
      `all${tables ? '' : ' -o json'}`,
      (d, bytes) =>
        allView(asConfigDump(d, 'all'), {
          clusters: {},
          listeners: {},
          endpoints: {},
          verbose: true,
          withHeaders: true,
          tables,
          now: NOW,
          rawJson: () => inputJsonText(() => d.raw, bytes, 'input'),
          rawBytes: () => inputJsonBytes(bytes),
        }),
    ],
  ),
]

/** Every view of the input, printed every way: each outcome a result or a documented error. */
function exercise(bytes: Uint8Array): void {
  let doc: AdminDocument | undefined
  if (!documented(() => (doc = parseAdminDocument(bytes, 'input')), 'parseAdminDocument')) return
  for (const [name, build] of VIEWS) {
    let result: ViewResult | undefined
    if (!documented(() => (result = build(doc!, bytes)), name)) continue
    documented(() => render(result!, {format: 'short'}), `${name} (table)`)
    documented(() => render(result!, {format: 'json'}), `${name} -o json`)
    documented(() => render(result!, {format: 'yaml', toYaml: goYaml}), `${name} -o yaml`)
    documented(() => render(result!, {format: 'json', query: QUERY}), `${name} --query`)
  }
  takeUnreadable()
}

const utf8 = (text: string): Uint8Array => Buffer.from(text)

describe('pc views over arbitrary input: a result or exit 2/3, nothing else', () => {
  test('arbitrary JSON values', () => {
    fc.assert(fc.property(anyJson, (v) => exercise(utf8(JSON.stringify(v) ?? 'null'))), {numRuns: RUNS})
  })
  test('arbitrary config_dump shapes: configs of sections with random content', () => {
    const types = fc.constantFrom(
      ...['Bootstrap', 'Clusters', 'Listeners', 'Routes', 'ScopedRoutes', 'Secrets', 'Endpoints', 'Ecds'].map((t) => `type.googleapis.com/envoy.admin.v3.${t}ConfigDump`),
      'type.googleapis.com/envoy.admin.v3.ClustersConfigDump.DynamicCluster',
      'type.googleapis.com/other.Thing',
    )
    const section = fc.tuple(fc.oneof(types, anyJson), fc.dictionary(fc.constantFrom('bootstrap', 'dynamic_active_clusters', 'static_clusters', 'dynamic_listeners', 'dynamic_route_configs', 'dynamic_active_secrets', 'dynamic_endpoint_configs', 'ecds_filters', 'cluster', 'name'), anyJson, {maxKeys: 3}))
    fc.assert(
      fc.property(fc.array(section, {maxLength: 5}), (sections) => exercise(utf8(JSON.stringify({configs: sections.map(([t, body]) => ({'@type': t, ...body}))})))),
      {numRuns: RUNS},
    )
  })
  test('a valid dump with one value of the wrong type, a key removed or an extra key', () => {
    // each run prints 14 views 4 ways (about 40 ms): half the runs keep the file well under 20 s
    fc.assert(fc.property(mutated(JSON.parse(MINI)), (doc) => exercise(utf8(JSON.stringify(doc, null, 1)))), {numRuns: RUNS / 2})
  })
  test('a valid /clusters answer with one change', () => {
    fc.assert(fc.property(mutated(JSON.parse(CLUSTERS)), (doc) => exercise(utf8(JSON.stringify(doc)))), {numRuns: RUNS / 2})
  })
  test('truncated or damaged bytes of a valid dump (JSON, compact JSON, YAML)', () => {
    const yaml = goYaml(JSON.parse(MINI))
    const compact = JSON.stringify(JSON.parse(MINI))
    fc.assert(fc.property(fc.oneof(damaged(MINI), damaged(compact), damaged(yaml)), (bytes) => exercise(bytes)), {numRuns: RUNS})
  })
  test('odd strings as names and addresses', () => {
    const doc = JSON.parse(MINI) as {configs: Array<Record<string, unknown>>}
    const names: unknown[] = []
    const collect = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(collect)
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if ((k === 'name' || k === 'address' || k === 'cluster_name') && typeof x === 'string') names.push(v)
          collect(x)
        }
      }
    }
    collect(doc)
    fc.assert(
      fc.property(fc.array(oddString, {minLength: names.length, maxLength: names.length}), (values) => {
        values.forEach((s, i) => {
          const o = names[i] as Record<string, unknown>
          for (const k of ['name', 'address', 'cluster_name']) if (typeof o[k] === 'string') o[k] = s
        })
        exercise(utf8(JSON.stringify(doc)))
      }),
      {numRuns: RUNS / 2},
    )
  })
  test('deep nesting in JSON and YAML', () => {
    fc.assert(
      fc.property(fc.integer({min: 1, max: 5000}), fc.boolean(), (depth, yaml) => {
        const inner = yaml ? `${'{a: '.repeat(Math.min(depth, 700))}1${'}'.repeat(Math.min(depth, 700))}` : deepJson(depth)
        const text = yaml
          ? `configs:\n- "@type": type.googleapis.com/envoy.admin.v3.ClustersConfigDump\n  static_clusters:\n  - cluster: {name: x, metadata: ${inner}}\n`
          : `{"configs":[{"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump","static_clusters":[{"cluster":{"name":"x","metadata":${inner}}}]}]}`
        exercise(utf8(text))
      }),
      // deep documents are slow to print every way: a few depths, the deepest always among them
      {numRuns: 8, examples: [[5000, false], [700, true]]},
    )
  })
})
