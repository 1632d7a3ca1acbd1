/** The config_dump byte scanner: finds sections and their types, and lets views decode only what they show. */
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {describe, test} from 'node:test'
import {parseAdminDocument, parseAdminReader} from '../../src/envoy/document.js'
import {type ByteReader, locateConfigEntries, locateConfigEntriesIn, scanConfigDump} from '../../src/envoy/scan.js'
import {InputError} from '../../src/errors/index.js'
import {sharedUrl} from '../helpers/shared.js'

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

/** every real dump, and generated ones pretty (indented by 1) and compact */
async function dumpInputs(): Promise<Array<[string, Buffer]>> {
  const {bookinfo, configDump, proxies} = await import('../../src/gen/index.js')
  const dir = sharedUrl('conformance/real-dumps/')
  const out: Array<[string, Buffer]> = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f, readFileSync(new URL(f, dir))])
  const mesh = bookinfo()
  for (const p of proxies(mesh).slice(0, 3)) {
    const dump = configDump(mesh, p, {includeEds: true})
    out.push([`${p.pod}, pretty`, Buffer.from(JSON.stringify(dump, null, 1))], [`${p.pod}, compact`, Buffer.from(JSON.stringify(dump))])
  }
  return out
}

test('the fast locator finds the same entries as the full scan on real and generated dumps', async () => {
  let checked = 0
  for (const [name, buf] of await dumpInputs()) {
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

describe('a large file read through a ByteReader', () => {
  /** an in-memory reader that counts what it was asked for */
  const memReader = (buf: Buffer): ByteReader & {bytesRead: number} => {
    const r = {
      size: buf.length,
      bytesRead: 0,
      read(start: number, end: number): Buffer {
        assert.ok(start >= 0 && end <= buf.length && start <= end, `read(${start}, ${end}) of ${buf.length}`)
        r.bytesRead += end - start
        return Buffer.from(buf.subarray(start, end))
      },
    }
    return r
  }
  test('chunk by chunk, the entries are those the whole-buffer locator finds, for any chunk size', async () => {
    let checked = 0
    for (const [name, buf] of await dumpInputs()) {
      const whole = locateConfigEntries(buf)
      for (const chunk of [16 * 1024, 20_000, 1 << 20]) {
        assert.deepEqual(locateConfigEntriesIn(memReader(buf), chunk), whole, `${name}, chunks of ${chunk}`)
      }
      if (whole) checked++
    }
    assert.ok(checked >= 6, `${checked} dumps located`)
  })

  test('type URLs with an escaped slash among plain ones, before and after them, in any chunk: the full scan\'s entries', () => {
    const V3 = 'type.googleapis.com/envoy.admin.v3.'
    const kinds = ['BootstrapConfigDump', 'ClustersConfigDump', 'ListenersConfigDump', 'RoutesConfigDump', 'SecretsConfigDump']
    for (let escapedMask = 0; escapedMask < 1 << kinds.length; escapedMask += 5) {
      const configs = kinds.map((k, i) => ({'@type': `${V3}${k}`, pad: 'x'.repeat(3000 * (i + 1)), n: i}))
      const text = JSON.stringify({configs}, null, 2).replace(/type\.googleapis\.com\/envoy\.admin\.v3\.(\w+)/g, (m, k: string) => (escapedMask & (1 << kinds.indexOf(k)) ? m.replace('.com/', '.com\\/') : m))
      const buf = Buffer.from(text)
      const full = scanConfigDump(buf)
      assert.equal(full?.length, kinds.length)
      assert.deepEqual(locateConfigEntries(buf), full, `mask ${escapedMask}`)
      for (const chunk of [16 * 1024, 20_000]) assert.deepEqual(locateConfigEntriesIn(memReader(buf), chunk), full, `mask ${escapedMask}, chunks of ${chunk}`)
    }
  })

  test('every section decodes as from the whole buffer; a view reads only the sections it shows', async () => {
    for (const [name, buf] of await dumpInputs()) {
      const eager = parseAdminDocument(buf, name)
      const reader = memReader(buf)
      const lazy = parseAdminReader(reader, name, 16 * 1024)
      assert.equal(lazy.kind, eager.kind, name)
      if (lazy.kind !== 'config_dump' || eager.kind !== 'config_dump') continue
      const located = reader.bytesRead
      assert.deepEqual(lazy.types, eager.types, name)
      const secrets = lazy.section('secrets')
      if (buf.length > 100_000 && locateConfigEntries(buf)) {
        assert.ok(reader.bytesRead - located < buf.length / 2, `${name}: the secrets section alone read ${reader.bytesRead - located} of ${buf.length} bytes`)
      }
      assert.deepEqual(secrets, eager.section('secrets'), name)
      for (const kind of ['bootstrap', 'clusters', 'listeners', 'routes', 'scopedRoutes', 'endpoints', 'ecds'] as const) {
        assert.deepEqual(lazy.sections(kind), eager.sections(kind), `${name}: ${kind}`)
      }
      lazy.forgetDecoded()
      assert.deepEqual(lazy.section('clusters'), eager.section('clusters'), `${name}: decoded again after forgetDecoded`)
    }
  })

  test('not a config_dump (a /clusters answer, YAML): read whole and decoded as usual', () => {
    const clusters = Buffer.from(JSON.stringify({cluster_statuses: [{name: 'a', host_statuses: []}, {name: 'b'}]}, null, 2))
    const doc = parseAdminReader(memReader(clusters), 'clusters.json', 16 * 1024)
    assert.equal(doc.kind, 'clusters')
    const yamlDump = Buffer.from(`configs:\n- "@type": ${CL}\n  static_clusters: []\n`)
    assert.equal(parseAdminReader(memReader(yamlDump), 'dump.yaml').kind, 'config_dump')
  })

  test('a syntax error inside a section is reported where it is', () => {
    const text = Buffer.from(`{\n "configs": [\n  {\n   "@type": "${CL}",\n   "static_clusters": [tru]\n  }\n ]\n}\n`)
    const doc = parseAdminReader(memReader(text), 'broken.json', 16 * 1024)
    assert.equal(doc.kind, 'config_dump')
    if (doc.kind !== 'config_dump') return
    assert.throws(
      () => doc.section('clusters'),
      (err: unknown) => err instanceof InputError && /broken\.json: invalid JSON at byte \d+ \(line 5, column \d+\)/.test(err.message),
    )
  })
})
