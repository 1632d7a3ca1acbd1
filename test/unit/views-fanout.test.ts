/** -l fan-out: one table with a leading POD column, JSON keyed by pod, notes kept per pod. */
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {renderShort} from '../../src/output/render.js'
import {mergeFanout} from '../../src/views/fanout.js'
import {header, table, text, type ViewResult} from '../../src/views/types.js'

const view = (rows: string[][], data: unknown, extra: Partial<ViewResult> = {}): ViewResult => ({
  blocks: [table([header('NAME', 'PORT'), ...rows], 5)],
  data: () => data as never,
  ...extra,
})

test('tables merge under one header with a POD column', () => {
  const merged = mergeFanout([
    {id: 'a-1.ns', result: view([['x', '80']], [1])},
    {id: 'b-22.ns', result: view([['y', '9080'], ['z', '1']], [2], {warnings: ['w']})},
  ])
  assert.equal(
    renderShort(merged),
    ['POD         NAME     PORT', 'a-1.ns      x        80', 'b-22.ns     y        9080', 'b-22.ns     z        1', ''].join('\n'),
  )
  assert.deepEqual(merged.data(), {'a-1.ns': [1], 'b-22.ns': [2]})
  assert.deepEqual(merged.warnings, ['b-22.ns: w'])
})

test('text blocks are said per pod; blank separators once', () => {
  const merged = mergeFanout([
    {id: 'a.ns', result: {blocks: [text('No active or warming secrets found.\n'), text('\n')], data: () => null}},
    {id: 'b.ns', result: {blocks: [text('No active or warming secrets found.\n'), text('\n')], data: () => null}},
  ])
  assert.equal(renderShort(merged), 'a.ns: No active or warming secrets found.\nb.ns: No active or warming secrets found.\n\n')
})
