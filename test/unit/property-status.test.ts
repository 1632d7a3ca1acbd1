/**
 * Property tests of the proxy-status path (issue 14, section 4): saved or live bytes → the syncz / DiscoveryResponse
 * decoder (src/istiod/decode.ts) → the ps view in every layout → every printer (table, -o json, -o yaml, --query).
 * Every run ends with a result or a documented error (exit 2 or 3), never another exception.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import fc from 'fast-check'
import {decodeStatusDocuments, filterNamespace} from '../../src/istiod/decode.js'
import type {StatusSet} from '../../src/istiod/model.js'
import {compileQuery} from '../../src/output/query.js'
import {render} from '../../src/output/render.js'
import {goYaml} from '../../src/output/yaml.js'
import {proxyStatusQueryView, proxyStatusView} from '../../src/views/proxy-status.js'
import {SHARED} from '../helpers/cli.js'
import {anyJson, damaged, deepJson, documented, mutated, oddString, RUNS} from '../helpers/property.js'

const NOW = new Date('2026-01-01T00:00:00Z')
const DERIVED = join(SHARED, 'conformance/istioctl/derived')
const SYNCZ = readFileSync(join(DERIVED, 'proxy-status-syncz-legacy/printall-multi-istiod.input.json'), 'utf8')
const XDS = readFileSync(join(DERIVED, 'proxy-status-xds/multi-istiod.input.json'), 'utf8')
const QUERY = compileQuery("[?sync.CDS!='SYNCED'].name")

function exercise(bytes: Uint8Array, istiod?: string): void {
  let set: StatusSet | undefined
  if (!documented(() => (set = decodeStatusDocuments([{bytes, source: 'input', istiod}])), 'decodeStatusDocuments')) return
  documented(() => filterNamespace(set!, 'default'), 'filterNamespace')
  for (const layout of ['types', 'subscribed', 'xds-1.21', 'syncz-1.21'] as const) {
    for (const verbosity of [0, 1]) {
      const what = `ps (${layout}, -v ${verbosity})`
      documented(() => {
        const view = proxyStatusView(set!, {now: NOW, layout, verbosity})
        render(view, {format: 'short'})
        if (layout === 'types' && verbosity === 0) {
          render(view, {format: 'json'})
          render(view, {format: 'yaml', toYaml: goYaml})
        }
      }, what)
    }
  }
  documented(() => render(proxyStatusQueryView(set!), {format: 'json', query: QUERY}), 'ps --query')
}

const utf8 = (text: string): Uint8Array => Buffer.from(text)

describe('ps over arbitrary input: a result or exit 2/3, nothing else', () => {
  test('arbitrary JSON values, bare and as an istiod-keyed object', () => {
    fc.assert(fc.property(anyJson, fc.option(oddString), (v, istiod) => exercise(utf8(JSON.stringify(v) ?? 'null'), istiod ?? undefined)), {numRuns: RUNS})
  })
  test('syncz entries with arbitrary fields', () => {
    const entry = fc.dictionary(
      fc.constantFrom('proxy', 'cluster_id', 'proxy_type', 'proxy_version', 'istio_version', 'cluster_sent', 'cluster_acked', 'listener_sent', 'listener_acked', 'route_sent', 'endpoint_acked', 'resources', 'extra'),
      fc.oneof(oddString, anyJson),
      {maxKeys: 8},
    )
    fc.assert(fc.property(fc.array(entry, {maxLength: 6}), (entries) => exercise(utf8(JSON.stringify(entries)))), {numRuns: RUNS})
  })
  test('a valid legacy syncz answer with one change', () => {
    fc.assert(fc.property(mutated(JSON.parse(SYNCZ)), (doc) => exercise(utf8(JSON.stringify(doc)))), {numRuns: RUNS})
  })
  test('a valid DiscoveryResponse (xDS) answer with one change', () => {
    fc.assert(fc.property(mutated(JSON.parse(XDS)), (doc) => exercise(utf8(JSON.stringify(doc)))), {numRuns: RUNS})
  })
  test('truncated or damaged bytes (JSON and YAML)', () => {
    const yaml = goYaml(JSON.parse(SYNCZ))
    fc.assert(fc.property(fc.oneof(damaged(SYNCZ), damaged(XDS), damaged(yaml)), (bytes) => exercise(bytes)), {numRuns: RUNS})
  })
  test('deep nesting', () => {
    fc.assert(
      fc.property(fc.integer({min: 1, max: 5000}), (depth) => exercise(utf8(`[{"proxy":"p.ns","istio_version":${deepJson(depth)}}]`))),
      {numRuns: 10, examples: [[5000]]},
    )
  })
})
