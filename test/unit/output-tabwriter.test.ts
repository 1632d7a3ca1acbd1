/**
 * formatTable: a port of Go's text/tabwriter (minwidth 0, space padding, no flags), spec §1.1.
 * Expected texts below are what Go's tabwriter writes for the same `cell\tcell\n` input.
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {formatTable, type Row, type Styler} from '../../src/output/tabwriter.js'

interface Case {
  name: string
  rows: Row[]
  padding: number
  want: string[]
}

const cases: Case[] = [
  {name: 'empty table', rows: [], padding: 1, want: []},
  {name: 'single cell rows are written as is', rows: [['abc'], ['d']], padding: 5, want: ['abc', 'd']},
  {
    name: 'header is part of the width',
    rows: [
      ['NAME', 'PORT', 'X'],
      ['a', '80', 'y'],
    ],
    padding: 5,
    want: ['NAME     PORT     X', 'a        80       y'],
  },
  {
    name: 'widest cell decides, padding 1',
    rows: [
      ['ADDRESSES', 'PORT', 'MATCH'],
      ['0.0.0.0', '15006', 'ALL'],
      ['10.96.0.10', '53', 'Trans: raw_buffer'],
    ],
    padding: 1,
    want: ['ADDRESSES  PORT  MATCH', '0.0.0.0    15006 ALL', '10.96.0.10 53    Trans: raw_buffer'],
  },
  {
    name: 'aligned cell is padded even when the last cell is empty (trailing spaces)',
    rows: [
      ['NAME', 'DR'],
      ['foo', ''],
      ['barbaz', 'x'],
    ],
    padding: 5,
    want: ['NAME       DR', 'foo        ', 'barbaz     x'],
  },
  {
    name: 'empty middle column still gets the padding',
    rows: [
      ['a', '', 'b'],
      ['c', '', 'd'],
    ],
    padding: 2,
    want: ['a    b', 'c    d'],
  },
  {
    name: 'text after the last tab is not aligned',
    rows: [
      ['a', 'long last cell'],
      ['bb', 'x'],
    ],
    padding: 1,
    want: ['a  long last cell', 'bb x'],
  },
  {
    name: 'column block ends at a row without that column',
    rows: [['a', 'b'], ['x'], ['cccc', 'd']],
    padding: 1,
    want: ['a b', 'x', 'cccc d'],
  },
  {
    name: 'nested blocks: rows with fewer cells share only the leading columns',
    rows: [
      ['a', 'b', 'c'],
      ['aaaa', 'bbbbbb'],
      ['x', 'y', 'z'],
    ],
    padding: 1,
    // column 0 spans all three rows (width 5); column 1 is a separate block in rows 0 and 2
    want: ['a    b c', 'aaaa bbbbbb', 'x    y z'],
  },
  {
    name: 'inner column widths are per block',
    rows: [['a', 'bb', 'c'], ['a', 'b'], ['a', 'b', 'c'], ['aa', 'bbbb', 'c']],
    padding: 1,
    want: ['a  bb c', 'a  b', 'a  b    c', 'aa bbbb c'],
  },
  {
    name: 'empty row splits blocks',
    rows: [['aaaa', 'b'], [], ['c', 'd']],
    padding: 1,
    want: ['aaaa b', '', 'c d'],
  },
  {
    name: 'unicode widths count code points (é, CJK, astral emoji, combining mark)',
    rows: [
      ['é', 'x'],
      ['日本', 'x'],
      ['😀', 'x'],
      ['e\u0301', 'x'],
      ['ab', 'x'],
    ],
    padding: 1,
    want: ['é  x', '日本 x', '😀  x', 'e\u0301 x', 'ab x'],
  },
  {
    name: 'padding 5 vs 1 on the same rows (5)',
    rows: [
      ['a', 'b'],
      ['ccc', 'd'],
    ],
    padding: 5,
    want: ['a       b', 'ccc     d'],
  },
  {
    name: 'padding 5 vs 1 on the same rows (1)',
    rows: [
      ['a', 'b'],
      ['ccc', 'd'],
    ],
    padding: 1,
    want: ['a   b', 'ccc d'],
  },
  {
    name: 'padding 0',
    rows: [
      ['a', 'b'],
      ['ccc', 'd'],
    ],
    padding: 0,
    want: ['a  b', 'cccd'],
  },
]

describe('formatTable (Go text/tabwriter)', () => {
  for (const c of cases) {
    test(c.name, () => {
      const out = formatTable(c.rows, c.padding)
      assert.equal(out, c.want.length === 0 ? '' : `${c.want.join('\n')}\n`)
    })
  }

  test('styled cells keep the layout; the styler only wraps the text', () => {
    const styler: Styler = (text, style) => `<${style}>${text}</${style}>`
    const rows: Row[] = [
      [{text: 'NAME', style: 'header'}, {text: 'STATUS', style: 'header'}, {text: 'CLUSTER', style: 'header'}],
      ['10.0.0.1:80', {text: 'HEALTHY', style: 'good'}, 'c1'],
      ['10.0.0.22:8080', {text: 'UNHEALTHY', style: 'bad'}, {text: 'last', style: 'warn'}],
    ]
    const plain = formatTable(rows, 5)
    const styled = formatTable(rows, 5, styler)
    assert.equal(plain, formatTable(rows.map((r) => r.map((c) => (typeof c === 'string' ? c : c.text))), 5))
    assert.equal(styled.replace(/<\/?[a-z]+>/g, ''), plain)
    assert.match(styled, /^<header>NAME<\/header> {15}<header>STATUS<\/header> {8}<header>CLUSTER<\/header>\n/)
    assert.match(styled, /<bad>UNHEALTHY<\/bad> {5}<warn>last<\/warn>\n$/)
  })

  test('an empty styled cell is not wrapped', () => {
    const styler: Styler = (text) => `[${text}]`
    assert.equal(formatTable([[{text: '', style: 'bad'}, 'x']], 1, styler), ' x\n')
  })

  test('without a styler, styles are ignored', () => {
    assert.equal(formatTable([[{text: 'a', style: 'header'}, {text: 'b', style: 'header'}]], 2), 'a  b\n')
  })

  test('a 2000-row table has a single width per column', () => {
    const rows: Row[] = Array.from({length: 2000}, (_, i) => [String(i), 'x'])
    const out = formatTable(rows, 5).split('\n')
    assert.equal(out[0], '0        x')
    assert.equal(out[1999], '1999     x')
  })
})

test('control characters in cells are escaped as kubectl does, not sent to the terminal (defect 17)', async () => {
  const {formatTable, escapeControls} = await import('../../src/output/tabwriter.js')
  assert.equal(escapeControls('a\u001b[31mb\r\nc\td\u0007'), 'a^[[31mb\\r\\nc\\td\\x07')
  assert.equal(escapeControls('plain-name'), 'plain-name')
  const out = formatTable([['NAME', 'X'], ['evil\u001b]0;title\u0007\nrow', 'y']], 2)
  assert.equal(out, 'NAME                     X\nevil^[]0;title\\x07\\nrow  y\n')
})

test('tables whose rows have the same number of cells (the one-pass layout) print as the cell-by-cell layout does', async () => {
  const {default: fc} = await import('fast-check')
  // a styler that changes nothing takes formatTable's general path: both must give the same bytes, whatever the
  // cells hold (control characters to escape, surrogate pairs that count as one rune, lone surrogates, empty cells)
  const same: Styler = (text) => text
  const piece = fc.constantFrom('a', 'bb', '', ' ', 'é', '😀', '\uD800', '\uE000', '\u001b', '\n', '\t', '\u0085', 'SYNCED (3m)', 'x'.repeat(30))
  const text = fc.array(piece, {maxLength: 4}).map((p) => p.join(''))
  const cell = fc.oneof(text, fc.record({text, style: fc.constantFrom('header', 'good')}))
  const table = fc.integer({min: 1, max: 5}).chain((n) => fc.array(fc.array(cell, {minLength: n, maxLength: n}), {maxLength: 8}))
  fc.assert(
    fc.property(table, fc.integer({min: 0, max: 6}), (rows, padding) => {
      assert.equal(formatTable(rows, padding), formatTable(rows, padding, same))
    }),
    {numRuns: 2000},
  )
})
