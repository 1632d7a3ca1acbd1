/**
 * diff over real dumps (../shared/conformance): every Envoy config dump against itself and against its camelCase
 * rendering (what istioctl/protojson print, keys converted by the project's proto-JSON conversion, not by the
 * engine) is equal, and the comparison compared something; a one-field edit of each is found. istioctl's own pair
 * of dumps of one proxy before and after a change (writer/compare testdata: configdump.json → configdump_diff.json)
 * shows exactly its real changes.
 */
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {diffGraphs} from '../../src/diff/engine.js'
import {asConfigDump, decodeDocument, parseAdminDocument} from '../../src/envoy/document.js'
import type {Json, JsonObject} from '../../src/envoy/fields.js'
import {convertMessage} from '../../src/envoy/protojson.js'
import {buildGraph, type ConfigGraph} from '../../src/graph/graph.js'
import {runCli, SHARED} from '../helpers/cli.js'

const DIR = join(SHARED, 'conformance/real-dumps')
const graphOf = (json: Json, name: string): ConfigGraph => buildGraph(asConfigDump(decodeDocument(json, name), 'diff'))
/** Read as from a file (pretty-printed bytes, lazily decoded sections): diff's byte path. */
const graphOfBytes = (json: Json, name: string): ConfigGraph => buildGraph(asConfigDump(parseAdminDocument(Buffer.from(JSON.stringify(json, null, 2)), name), 'diff'))

/** The Envoy config dumps among the real dumps (not /clusters answers nor plain text). */
const dumps = readdirSync(DIR)
  .sort()
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({name: f, json: JSON.parse(readFileSync(join(DIR, f), 'utf8')) as JsonObject}))
  .filter((d) => Array.isArray(d.json.configs))

describe('diff: real dumps', () => {
  test('there are real config dumps to compare', () => {
    assert.ok(dumps.length >= 5, dumps.map((d) => d.name).join(', '))
  })
  for (const {name, json} of dumps) {
    test(`${name}: against itself and against its camelCase rendering, equal`, () => {
      const self = diffGraphs(graphOf(json, name), graphOf(structuredClone(json), name))
      assert.equal(self.equal, true)
      const camel = convertMessage(json)
      assert.notDeepEqual(camel, json, 'the rendering is another spelling')
      const r = diffGraphs(graphOf(json, name), graphOf(camel, `${name} (camelCase)`))
      assert.deepEqual(
        r.changes.map((c) => `${c.type} ${c.name}: ${c.fields.join(' ')}`),
        [],
      )
      const compared = Object.values(r.counts).reduce((n, c) => n + c.unchanged, 0)
      assert.ok(compared > 0, 'resources were compared')
      // the same from bytes (equal resources recognised undecoded, the camelCase ones decoded), same counts
      assert.deepEqual(diffGraphs(graphOfBytes(json, name), graphOfBytes(camel, name)), r)
      assert.deepEqual(diffGraphs(graphOfBytes(json, name), graphOfBytes(json, name)), self)
    })

    test(`${name}: a one-field edit of its first cluster is found`, () => {
      const edited = structuredClone(json)
      const section = (edited.configs as JsonObject[]).find((c) => String(c['@type']).endsWith('.ClustersConfigDump'))
      const entry = [...((section?.dynamic_active_clusters ?? []) as JsonObject[]), ...((section?.static_clusters ?? []) as JsonObject[])][0]
      if (!entry) return // a dump without clusters
      const cluster = entry.cluster as JsonObject
      cluster.connect_timeout = '12.345s'
      delete cluster.connectTimeout
      const r = diffGraphs(graphOf(json, name), graphOf(edited, name), {types: ['clusters']})
      assert.deepEqual(diffGraphs(graphOfBytes(json, name), graphOfBytes(edited, name), {types: ['clusters']}), r)
      assert.deepEqual(
        r.changes.map((c) => [c.name, c.fields]),
        [[cluster.name, ['/connect_timeout']]],
      )
    })
  }
})

describe("diff: istioctl's before/after dumps of one proxy", () => {
  const dir = join(SHARED, 'conformance/istioctl/head-86c9f01/istioctl/pkg/writer/compare/testdata')
  const before = join(dir, 'configdump.json')
  const after = join(dir, 'configdump_diff.json')

  test('the real changes, and only them: port 9080 → 9999 of an inbound VIP cluster, route and listener stat prefix', () => {
    const r = diffGraphs(graphOf(JSON.parse(readFileSync(before, 'utf8')), 'before'), graphOf(JSON.parse(readFileSync(after, 'utf8')), 'after'))
    assert.deepEqual(
      r.changes.map((c) => [c.type, c.name, c.change, c.fields]),
      [
        ['clusters', 'inbound-vip|9080|http|ratings.default.svc.cluster.local', 'removed', []],
        ['clusters', 'inbound-vip|9999|http|ratings.default.svc.cluster.local', 'added', []],
        ['listeners', 'main_internal', 'changed', ['/filter_chains/0/filters/0/typed_config/stat_prefix']],
        ['routes', 'inbound-vip|9080|http|reviews-v3.default.svc.cluster.local', 'removed', []],
        ['routes', 'inbound-vip|9080|http|reviews-v3.default.svc.cluster.local/inbound|http|9080', 'removed', []],
        ['routes', 'inbound-vip|9080|http|reviews-v3.default.svc.cluster.local/inbound|http|9080/default', 'removed', []],
        ['routes', 'inbound-vip|9999|http|reviews-v3.default.svc.cluster.local', 'added', []],
        ['routes', 'inbound-vip|9999|http|reviews-v3.default.svc.cluster.local/inbound|http|9080', 'added', []],
        ['routes', 'inbound-vip|9999|http|reviews-v3.default.svc.cluster.local/inbound|http|9080/default', 'added', []],
      ],
    )
    // the text diff istioctl shows also has `"use_remote_address": false` dropped: a proto3 default, no change
    const count = (file: string): number => (readFileSync(file, 'utf8').match(/"use_remote_address": false/g) ?? []).length
    assert.equal(count(after), count(before) - 1)
  })

  test('the CLI: exit 0 by default, 10 with --exit-code, JSON with the patch', async () => {
    const plain = await runCli(['diff', before, after])
    assert.equal(plain.code, 0, plain.stderr)
    assert.match(plain.stdout, /main_internal\s+changed\s+\/filter_chains\/0\/filters\/0\/typed_config\/stat_prefix/)
    assert.match(plain.stdout, /~ \/filter_chains\/0\/filters\/0\/typed_config\/stat_prefix: "inbound_0\.0\.0\.0_9080" → "inbound_0\.0\.0\.0_9999"/)
    const ec = await runCli(['diff', before, after, '--exit-code', '-o', 'json'])
    assert.equal(ec.code, 10)
    const doc = JSON.parse(ec.stdout)
    assert.equal(doc.equal, false)
    assert.deepEqual(doc.summary.clusters, {added: 1, removed: 1, changed: 0, unchanged: 0})
    const listener = doc.resources.find((x: {name: string}) => x.name === 'main_internal')
    assert.deepEqual(listener.patch, [{op: 'replace', path: '/filter_chains/0/filters/0/typed_config/stat_prefix', value: 'inbound_0.0.0.0_9999'}])
    const same = await runCli(['diff', before, before, '--exit-code'])
    assert.equal(same.code, 0)
    assert.match(same.stdout, /No differences/)
  })
})
