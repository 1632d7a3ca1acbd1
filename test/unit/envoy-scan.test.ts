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

test('the fast locator finds the same entries as the full scan on real and generated dumps', async () => {
  const {readdirSync, readFileSync} = await import('node:fs')
  const {locateConfigEntries} = await import('../../src/envoy/scan.js')
  const {bookinfo, configDump, proxies} = await import('../../src/gen/index.js')
  const dir = new URL('../../../../shared/conformance/real-dumps/', import.meta.url)
  const inputs: Array<[string, Buffer]> = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f, readFileSync(new URL(f, dir))])
  const mesh = bookinfo()
  const p = proxies(mesh)[0]
  const dump = configDump(mesh, p, {includeEds: true})
  inputs.push(['generated, pretty', Buffer.from(JSON.stringify(dump, null, 2))], ['generated, compact', Buffer.from(JSON.stringify(dump))])
  let checked = 0
  for (const [name, buf] of inputs) {
    const full = scanConfigDump(buf)
    if (!full) continue
    assert.deepEqual(locateConfigEntries(buf), full, name)
    checked++
  }
  assert.ok(checked >= 6, `checked ${checked}`)
})

test('the fast locator falls back to the full scan when the layout is unusual', async () => {
  const {locateConfigEntries} = await import('../../src/envoy/scan.js')
  // @type not first: only the full scan finds it
  const late = bytes(`{"configs": [{"static_clusters": [], "@type": "${CL}"}]}`)
  assert.deepEqual(locateConfigEntries(late)?.map((e) => e.type), [CL])
  // another top-level key first: not located (a /clusters answer is never walked byte by byte), yet still read
  const extra = bytes(`{"x": 1, "configs": [{"@type": "${CL}"}]}`)
  assert.equal(locateConfigEntries(extra), undefined)
  const doc = parseAdminDocument(extra, 'extra.json')
  assert.equal(doc.kind === 'config_dump' && doc.section('clusters')?.['@type'], CL)
  // trailing commas are still rejected
  assert.equal(locateConfigEntries(bytes(`{"configs": [{"@type": "${CL}"},]}`)), undefined)
})
