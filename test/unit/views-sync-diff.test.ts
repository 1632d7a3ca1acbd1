/** `ps <pod>` comparison on istioctl's own compare testdata, plus the normalisation rules. */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {test} from 'node:test'
import {type ConfigDump, parseAdminDocument} from '../../src/envoy/document.js'
import {rfc1123, syncDiffView, unifiedDiff} from '../../src/views/sync-diff.js'
import {sharedUrl} from '../helpers/shared.js'

const dir = sharedUrl('conformance/istioctl/head-86c9f01/istioctl/pkg/writer/compare/testdata/')
const load = (name: string): ConfigDump => parseAdminDocument(readFileSync(new URL(name, dir)), name) as ConfigDump
const textOf = (r: ReturnType<typeof syncDiffView>): string => r.blocks.map((b) => (b.kind === 'text' ? b.text : '')).join('')

test('istiod = envoy: everything matches (istio comparator_test)', () => {
  const r = syncDiffView(load('configdump.json'), load('configdump.json'), {timeZone: 'UTC'})
  const out = textOf(r)
  assert.match(out, /^Clusters Match\n/)
  assert.match(out, /^Listeners Match\n/m)
  assert.match(out, /^Routes Match( \(RDS last loaded at \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} UTC\))?\n/m)
  assert.equal(r.inSync, true)
})

test("istiod != envoy: Don't Match, with unified diffs from istiod to envoy", () => {
  const r = syncDiffView(load('configdump.json'), load('configdump_diff.json'), {timeZone: 'UTC'})
  const out = textOf(r)
  assert.match(out, /^Clusters Don't Match\n--- Istiod Clusters\n\+\+\+ Envoy Clusters\n@@ -\d+,\d+ \+\d+,\d+ @@\n/m)
  assert.match(out, /^Listeners Don't Match\n--- Istiod Listeners\n/m)
  assert.match(out, /^Routes Don't Match.*\n--- Istiod Routes\n/m)
  assert.equal(r.inSync, false)
})

test('versions and timestamps do not count; order of entries does not count', () => {
  const a = parseAdminDocument(
    Buffer.from(
      JSON.stringify({
        configs: [
          {
            '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
            dynamic_active_clusters: [
              {version_info: '1', cluster: {name: 'b'}, last_updated: '2026-01-01T00:00:00Z'},
              {version_info: '1', cluster: {name: 'a'}},
            ],
          },
        ],
      }),
    ),
    'a',
  ) as ConfigDump
  const b = parseAdminDocument(
    Buffer.from(
      JSON.stringify({
        configs: [
          {
            '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
            dynamic_active_clusters: [{versionInfo: '2', cluster: {name: 'a'}}, {version_info: '9', cluster: {name: 'b'}}],
          },
        ],
      }),
    ),
    'b',
  ) as ConfigDump
  assert.match(textOf(syncDiffView(a, b)), /^Clusters Match\n/)
})

test('diff text and dates', () => {
  assert.equal(unifiedDiff('X', 'a\nb', 'a\nb'), '')
  assert.equal(unifiedDiff('X', 'a\nb\nc', 'a\nB\nc'), '--- Istiod X\n+++ Envoy X\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n')
  assert.equal(rfc1123(new Date('2006-01-02T15:04:05Z'), 'UTC'), 'Mon, 02 Jan 2006 15:04:05 UTC')
})
