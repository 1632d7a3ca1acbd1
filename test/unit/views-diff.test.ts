/** diff's view: the summary table, the field-level diff, --stat, the JSON document, -l's table; and --type parsing. */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {parseTypes} from '../../src/cli/diff.js'
import type {DiffResult, ReplicaReport} from '../../src/diff/engine.js'
import {makeStyler} from '../../src/output/theme.js'
import {compactValue, diffDocument, diffText, replicaDocument, replicaText} from '../../src/views/diff.js'

const result: DiffResult = {
  equal: false,
  types: ['clusters', 'routes'],
  warnings: [],
  counts: {clusters: {added: 1, removed: 0, changed: 0, unchanged: 3}, routes: {added: 0, removed: 0, changed: 1, unchanged: 7}},
  normalized: [{what: 'pod IP', a: '10.0.0.1', b: '10.0.0.2', placeholder: '<pod-ip>'}],
  changes: [
    {type: 'clusters', name: 'outbound|80||x', change: 'added', fields: [], patch: [{op: 'add', path: '', value: {name: 'outbound|80||x'}}]},
    {
      type: 'routes',
      name: '80/x:80/default',
      change: 'changed',
      fields: ['/route/timeout', '/route/retry_policy', '/name', '/match/prefix'],
      patch: [
        {op: 'replace', path: '/route/timeout', value: '7s'},
        {op: 'add', path: '/route/retry_policy', value: {num_retries: 2}},
        {op: 'remove', path: '/name'},
        {op: 'replace', path: '/match/prefix', value: '/b'},
      ],
      details: [
        {path: '/route/timeout', before: '0s', after: '7s'},
        {path: '/route/retry_policy', after: {num_retries: 2}},
        {path: '/name', before: 'default'},
        {path: '/match/prefix', before: '/a', after: '/b'},
      ],
    },
  ],
}
const sides = {a: 'a.json', b: 'b.json'}

describe('diff view', () => {
  test('short: sides, normalisation, summary table (three fields at most), field-level diff', () => {
    assert.equal(
      diffText(result, sides),
      [
        '--- a: a.json',
        '+++ b: b.json',
        'Normalised per-pod values: pod IP (10.0.0.1 | 10.0.0.2 → <pod-ip>); --no-normalize compares them as they are',
        'TYPE      NAME             CHANGE   FIELDS',
        'clusters  outbound|80||x   added',
        'routes    80/x:80/default  changed  /route/timeout /route/retry_policy /name (+1 more)',
        '',
        'routes 80/x:80/default',
        '  ~ /route/timeout: "0s" → "7s"',
        '  + /route/retry_policy: {"num_retries":2}',
        '  - /name: "default"',
        '  ~ /match/prefix: "/a" → "/b"',
        '',
      ].join('\n'),
    )
  })

  test('--stat: counts per type; equal: one line', () => {
    assert.match(diffText(result, sides, {stat: true}), /TYPE\s+ADDED\s+REMOVED\s+CHANGED\s+UNCHANGED\nclusters\s+1\s+0\s+0\s+3\nroutes\s+0\s+0\s+1\s+7\n$/)
    const equal: DiffResult = {...result, equal: true, changes: [], normalized: []}
    assert.equal(diffText(equal, sides), '--- a: a.json\n+++ b: b.json\nNo differences (12 resources compared: clusters, routes).\n')
  })

  test('a terminal: coloured change cells and field lines', () => {
    const out = diffText(result, sides, {styler: makeStyler(), width: 200})
    assert.ok(out.includes('\x1b[32madded\x1b[39m'), out)
    assert.ok(out.includes('\x1b[33m  ~ /route/timeout: "0s" → "7s"\x1b[39m'))
    assert.ok(out.includes('\x1b[31m  - /name: "default"\x1b[39m'))
    assert.match(out, /┌/, 'boxed on a terminal')
  })

  test('JSON: stable field names, RFC 6902 patches', () => {
    const doc = diffDocument(result, sides)
    assert.deepEqual(Object.keys(doc), ['a', 'b', 'equal', 'warnings', 'normalized', 'summary', 'resources'])
    assert.deepEqual(Object.keys((doc.resources as object[])[0]!), ['type', 'name', 'change', 'fields', 'patch'])
    assert.deepEqual((doc.summary as Record<string, unknown>).routes, {added: 0, removed: 0, changed: 1, unchanged: 7})
  })

  test('compactValue cuts long values', () => {
    assert.equal(compactValue('x'.repeat(200), 10), `"${'x'.repeat(8)}…`)
    assert.equal(compactValue({a: 1}), '{"a":1}')
  })

  test('-l: one row per pod, the differences, resources without a majority', () => {
    const r: ReplicaReport = {
      pods: ['p1', 'p2', 'p3'],
      types: ['routes'],
      normalized: ['pod IP'],
      results: [
        {pod: 'p1', differences: []},
        {pod: 'p2', differences: [{type: 'routes', name: '80/x/default', change: 'changed', fields: ['/route/timeout']}]},
        {pod: 'p3', differences: [{type: 'clusters', name: 'c', change: 'missing', fields: []}]},
      ],
      noMajority: [{type: 'listeners', name: 'l', versions: 2}],
    }
    const out = replicaText(r)
    assert.match(out, /^p1\s+as majority$/m)
    assert.match(out, /^p2\s+1 resource differ\s+routes 80\/x\/default: \/route\/timeout$/m)
    assert.match(out, /^p3\s+1 resource differ\s+clusters c \(missing\)$/m)
    assert.match(out, /No majority .* for 1 resource: listeners l \(2 versions\)/)
    assert.equal(replicaDocument(r).equal, false)
  })
})

describe('--type', () => {
  test('a comma-separated list, singulars and all accepted, in the canonical order', () => {
    assert.deepEqual(parseTypes('routes,cluster'), ['clusters', 'routes'])
    assert.deepEqual(parseTypes('all'), ['clusters', 'listeners', 'routes', 'endpoints', 'secrets', 'bootstrap'])
    assert.deepEqual(parseTypes('secret, bootstrap'), ['secrets', 'bootstrap'])
    assert.throws(() => parseTypes('nope'), /--type "nope" is not a resource type/)
    assert.throws(() => parseTypes(','), /at least one/)
  })
})
