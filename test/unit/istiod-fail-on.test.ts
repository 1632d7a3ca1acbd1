/** `--fail-on`: conditions, which proxies match, and the stderr summary line. */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {UsageError} from '../../src/errors/index.js'
import {failOnSummary, findOutOfSync, parseFailOn} from '../../src/istiod/fail-on.js'
import type {ProxySync, SyncStatus} from '../../src/istiod/model.js'
import {TYPE_URL} from '../../src/istiod/xds-types.js'

const proxy = (id: string, types: Array<[string, SyncStatus]>): ProxySync => ({
  id,
  clusterId: 'c',
  namespace: id.split('.').pop()!,
  istioVersion: '1.26.0',
  istiod: 'istiod-1',
  types: types.map(([typeUrl, status]) => ({typeUrl, status})).sort((a, b) => (a.typeUrl < b.typeUrl ? -1 : 1)),
})

const PROXIES = [
  proxy('proxy3.ns', [[TYPE_URL.LDS, 'ERROR'], [TYPE_URL.CDS, 'SYNCED'], [TYPE_URL.EDS, 'STALE']]),
  proxy('proxy1.ns', [[TYPE_URL.CDS, 'STALE'], [TYPE_URL.ECDS, 'NOT SENT'], [TYPE_URL.LDS, 'SYNCED']]),
  proxy('proxy2.ns', [[TYPE_URL.CDS, 'SYNCED'], [TYPE_URL.LDS, 'IGNORED']]),
]

describe('parseFailOn', () => {
  test('a comma-separated list, any order, spaces and case tolerated, in canonical order', () => {
    assert.deepEqual(parseFailOn('stale'), ['stale'])
    assert.deepEqual(parseFailOn('not-sent, ERROR,stale'), ['stale', 'error', 'not-sent'])
    assert.deepEqual(parseFailOn('any'), ['stale', 'error', 'not-sent'])
    assert.deepEqual(parseFailOn('error,error'), ['error'])
  })
  test('unknown or empty: a usage error (exit 2)', () => {
    assert.throws(() => parseFailOn('stale,synced'), (e: unknown) => e instanceof UsageError && e.exitCode === 2 && /--fail-on "synced" is not a condition; use a comma-separated list of stale, error, not-sent \(or any\)/.test(e.message))
    assert.throws(() => parseFailOn(' , '), UsageError)
  })
})

describe('findOutOfSync and the summary', () => {
  test('stale,error: proxies sorted by ID, types in istioctl order (CDS LDS EDS RDS, then by URL)', () => {
    const found = findOutOfSync(PROXIES, ['stale', 'error'])
    assert.deepEqual(
      found.map((f) => [f.proxy.id, f.types.map((t) => t.status)]),
      [
        ['proxy1.ns', ['STALE']],
        ['proxy3.ns', ['ERROR', 'STALE']],
      ],
    )
    assert.equal(failOnSummary(found), 'proxy-status: 2 proxies not in sync: proxy1.ns (CDS STALE), proxy3.ns (LDS ERROR, EDS STALE)')
  })
  test('not-sent only', () => {
    assert.equal(failOnSummary(findOutOfSync(PROXIES, ['not-sent'])), 'proxy-status: 1 proxy not in sync: proxy1.ns (ECDS NOT SENT)')
  })
  test('IGNORED and SYNCED never match; nothing found is an empty list', () => {
    assert.deepEqual(findOutOfSync([PROXIES[2]], ['stale', 'error', 'not-sent']), [])
  })
  test('long lists are cut after 10 proxies', () => {
    const many = Array.from({length: 13}, (_, i) => proxy(`p${String(i).padStart(2, '0')}.ns`, [[TYPE_URL.RDS, 'STALE']]))
    const line = failOnSummary(findOutOfSync(many, ['stale']))
    assert.match(line, /^proxy-status: 13 proxies not in sync: p00\.ns \(RDS STALE\), .*p09\.ns \(RDS STALE\), and 3 more$/)
  })
})
