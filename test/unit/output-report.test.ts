/** Report tables: on a terminal long cells wrap to the column, and a word longer than the column is broken, not cut. */
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {renderReport, wrapText} from '../../src/output/report.js'

test('wrapText: words stay whole when they fit; a longer word is broken across lines', () => {
  assert.deepEqual(wrapText('routes to cluster x', 10), ['routes to', 'cluster x'])
  assert.deepEqual(wrapText('outbound|8080||a.b.svc', 8), ['outbound', '|8080||a', '.b.svc'])
  assert.deepEqual(wrapText('a\nb', 5), ['a', 'b'])
})

test('renderReport on a narrow terminal keeps every character of a long name', () => {
  const name = 'outbound|9080|v4|reviews.default.svc.cluster.local'
  const out = renderReport({columns: ['CODE', 'MESSAGE'], rows: [['ROUTE_CLUSTER_MISSING', `routes to cluster ${name}, which the proxy does not have: 503 NC`]]}, {width: 60})
  assert.doesNotMatch(out, /…/)
  const text = out
    .split('\n')
    .map((l) => l.split('│')[2] ?? '')
    .map((s) => s.trim())
    .join('')
  assert.ok(text.replace(/\s/g, '').includes(name), text)
  for (const line of out.trimEnd().split('\n')) assert.ok(line.length <= 60, line)
})

test('warmReports draws nothing anywhere, and the report drawn after it is the same', async () => {
  const {warmReports} = await import('../../src/cli/print.js')
  const table = {columns: ['STEP', 'RESULT'], rows: [['listener', 'matched']]}
  const written: unknown[] = []
  const write = process.stdout.write
  process.stdout.write = ((chunk: unknown) => written.push(chunk) > 0) as typeof process.stdout.write
  try {
    warmReports()
  } finally {
    process.stdout.write = write
  }
  assert.deepEqual(written, [])
  assert.equal(renderReport(table), 'STEP      RESULT\nlistener  matched\n')
})
