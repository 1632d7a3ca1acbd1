/** When meshctl colours its tables: a terminal only, never with NO_COLOR or TERM=dumb, flags win. */
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {wantColor} from '../../src/output/color.js'
import {makeStyler} from '../../src/output/theme.js'

test('colour decision', () => {
  const cases: Array<[Parameters<typeof wantColor>[0], boolean]> = [
    [{isTTY: true, env: {}}, true],
    [{isTTY: false, env: {}}, false],
    [{isTTY: true, env: {NO_COLOR: '1'}}, false],
    [{isTTY: true, env: {NO_COLOR: ''}}, true],
    [{isTTY: true, env: {TERM: 'dumb'}}, false],
    [{isTTY: false, env: {NO_COLOR: '1'}, flag: true}, true],
    [{isTTY: true, env: {}, flag: false}, false],
  ]
  for (const [ctx, want] of cases) assert.equal(wantColor(ctx), want, JSON.stringify(ctx))
})

test('styles wrap text in ANSI codes and leave unknown styles alone', () => {
  const s = makeStyler(1)
  assert.equal(s('NAME', 'header'), '\u001b[1mNAME\u001b[22m')
  assert.equal(s('HEALTHY', 'good'), '\u001b[32mHEALTHY\u001b[39m')
  assert.equal(s('x', 'nope'), 'x')
})
