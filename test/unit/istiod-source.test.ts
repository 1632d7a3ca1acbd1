/** The StatusSource seam: the file source, the live placeholder, and runProxyStatus with a source plugged in. */
import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {InputError} from '../../src/errors/index.js'
import {pickSource, type ProxyStatusOptions, runProxyStatus} from '../../src/istiod/cli.js'
import {decodeStatusDocuments, type RawStatusDocument} from '../../src/istiod/decode.js'
import {allProxies} from '../../src/istiod/model.js'
import {fileStatusSource, type StatusRequest, type StatusSource} from '../../src/istiod/source.js'

const REQUEST: StatusRequest = {istioNamespace: 'istio-system'}
const tmp = mkdtempSync(join(tmpdir(), 'meshctl-istiod-'))

/** A live-like source: one answer per istiod pod, named. */
const fakeLive = (answers: Record<string, unknown>, seen: StatusRequest[] = []): StatusSource => ({
  fetch: async (request, decode) => {
    seen.push(request)
    return Object.entries(answers).map(([istiod, body]) => decode({istiod, source: `${istiod} (istio-system)`, bytes: Buffer.from(JSON.stringify(body))}))
  },
})

/** What a source handed to its decoder: the documents themselves. */
const asIs = (d: RawStatusDocument): RawStatusDocument => d

/** Runs with stdout/stderr captured; restores process.exitCode. */
async function capture(opts: Partial<ProxyStatusOptions>, source: StatusSource): Promise<{stdout: string; stderr: string; exitCode: typeof process.exitCode}> {
  const out: string[] = []
  const err: string[] = []
  const write = process.stdout.write
  const ewrite = process.stderr.write
  const before = process.exitCode
  process.stdout.write = ((chunk: string, cb?: (e?: Error) => void) => {
    out.push(String(chunk))
    cb?.()
    return true
  }) as typeof process.stdout.write
  process.stderr.write = ((chunk: string) => {
    err.push(String(chunk))
    return true
  }) as typeof process.stderr.write
  try {
    await runProxyStatus({output: 'table', verbosity: 0, 'istio-namespace': 'istio-system', color: false, ...opts}, {source, now: () => new Date('2026-06-01T12:00:00Z')})
    return {stdout: out.join(''), stderr: err.join(''), exitCode: process.exitCode}
  } finally {
    process.stdout.write = write
    process.stderr.write = ewrite
    process.exitCode = before
  }
}

describe('sources', () => {
  test('the file source returns the file as one document named by its path', async () => {
    const p = join(tmp, 'syncz.json')
    writeFileSync(p, '[{"proxy": "a.ns"}]')
    const docs = await fileStatusSource(p).fetch(REQUEST, asIs)
    assert.equal(docs.length, 1)
    assert.equal(docs[0].source, p)
    assert.equal(docs[0].istiod, undefined)
    assert.equal(allProxies(decodeStatusDocuments(docs))[0].id, 'a.ns')
  })

  test('a missing file is an InputError', async () => {
    await assert.rejects(fileStatusSource(join(tmp, 'nope.json')).fetch(REQUEST, asIs), InputError)
  })

  test('--file picks the file source', async () => {
    const src = await pickSource({file: 'x.json', output: 'table', verbosity: 0, 'istio-namespace': 'istio-system'})
    assert.equal(typeof src.fetch, 'function')
  })

  test('documents named by the source: each istiod keeps its name, whatever the shape', () => {
    const set = decodeStatusDocuments([
      {istiod: 'istiod-a', source: 'a', bytes: Buffer.from('[{"proxy": "p1.ns"}]')},
      {istiod: 'istiod-b', source: 'b', bytes: Buffer.from('{"resources": [{"node": {"id": "p2.ns"}}]}')},
    ])
    assert.deepEqual(
      set.istiods.map((i) => [i.name, i.origin, i.proxies.map((p) => `${p.id}@${p.istiod}`)]),
      [
        ['istiod-a', 'syncz', ['p1.ns@istiod-a']],
        ['istiod-b', 'xds', ['p2.ns@MISSING']],
      ],
    )
  })
})

describe('runProxyStatus with a plugged-in source', () => {
  const answers = {
    'istiod-1': [{proxy: 'b.default', cluster_id: 'K', istio_version: '1.26.0', cluster_sent: 'x', cluster_acked: 'y'}],
    'istiod-2': [{proxy: 'a.bookinfo', cluster_id: 'K', istio_version: '1.26.0', cluster_sent: 'x', cluster_acked: 'x'}],
  }

  test('the request carries -n, -i and -r; rows merge across istiods, sorted', async () => {
    const seen: StatusRequest[] = []
    const res = await capture({}, fakeLive(answers, seen))
    assert.deepEqual(seen, [{namespace: undefined, istioNamespace: 'istio-system', revision: undefined}])
    assert.deepEqual(
      res.stdout.trimEnd().split('\n').map((l) => l.split(/\s+/).at(-2)),
      ['ISTIOD', 'istiod-2', 'istiod-1'],
    )
    assert.equal(res.exitCode, undefined)
  })

  test('--fail-on sets exit code 10 after printing', async () => {
    const res = await capture({'fail-on': ['stale']}, fakeLive(answers))
    assert.match(res.stdout, /^NAME/)
    assert.equal(res.stderr, 'proxy-status: 1 proxy not in sync: b.default (CDS STALE)\n')
    assert.equal(res.exitCode, 10)
  })

  test('-n filters after decoding, whatever the source did', async () => {
    const seen: StatusRequest[] = []
    const res = await capture({namespace: 'bookinfo', revision: 'canary'}, fakeLive(answers, seen))
    assert.equal(seen[0].namespace, 'bookinfo')
    assert.equal(seen[0].revision, 'canary')
    assert.deepEqual(
      res.stdout.trimEnd().split('\n').map((l) => l.split(' ')[0]),
      ['NAME', 'a.bookinfo'],
    )
  })

})
