/** The config_dump byte scanner: finds sections and their types, and lets views decode only what they show. */
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {parseAdminDocument} from '../../src/envoy/document.js'
import {scanConfigDump} from '../../src/envoy/scan.js'
import {InputError} from '../../src/errors/index.js'

const CL = 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump'
const LI = 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump'
const bytes = (s: string): Buffer => Buffer.from(s, 'utf8')

test('finds every entry and its @type, whatever the key order and string contents', () => {
  const text = `\uFEFF {"x": [1, {"y": "]}"}], "configs": [
    {"@type": "${CL}", "static_clusters": [{"cluster": {"name": "a\\"}]{"}}]},
    {"dynamic_listeners": [], "@type": "${LI}"},
    {"no_type": true}
  ], "z": "é"}\n`
  const entries = scanConfigDump(bytes(text))
  assert.ok(entries)
  assert.deepEqual(
    entries.map((e) => e.type),
    [CL, LI, ''],
  )
  const b = bytes(text)
  for (const e of entries) JSON.parse(b.subarray(e.start, e.end).toString('utf8'))
})

test('returns undefined for anything that is not a config_dump object', () => {
  for (const text of ['[]', '{"cluster_statuses": []}', '{"configs": [1]}', '{"configs": {}}', '{"configs": [{"a": 1}', '{"configs": []} x', '{"configs": [}]}']) {
    assert.equal(scanConfigDump(bytes(text)), undefined, text)
  }
  assert.deepEqual(scanConfigDump(bytes('{"configs": []}')), [])
})

test('a view decodes only its sections: a broken section it does not show does not matter', () => {
  const text = `{"configs": [{"@type": "${CL}", "static_clusters": [{"cluster": {"name": "ok"}}]}, {"@type": "${LI}", "x": tru}]}`
  const doc = parseAdminDocument(bytes(text), 'mixed.json')
  assert.equal(doc.kind, 'config_dump')
  if (doc.kind !== 'config_dump') return
  assert.equal(doc.section('clusters')?.['@type'], CL)
  assert.throws(
    () => doc.section('listeners'),
    (err: unknown) => err instanceof InputError && /invalid JSON at byte \d+/.test(err.message),
  )
})
