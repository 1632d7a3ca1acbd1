/**
 * A faithful re-implementation of Go's text/tabwriter as istioctl uses it (space padding, left aligned,
 * no flags), so that meshctl's tables are byte-identical to istioctl's.
 *
 * A table is a list of rows; a row is a list of cells. Every cell but the last is "tab-terminated" and
 * belongs to an aligned column; the last cell of a row is written as is. Column widths are computed per
 * column block (consecutive rows that all have a terminated cell in that column), as Go does: width =
 * widest cell (in Unicode code points) + padding. Aligned cells are padded even when what follows is empty,
 * which is why istioctl's tables carry trailing spaces.
 *
 * Styling (colour) is applied after layout, so escape codes never count towards a width.
 */

export interface StyledCell {
  text: string
  /** A style name the caller's theme understands (e.g. `header`, `good`, `bad`, `warn`). */
  style?: string
}

export type Cell = string | StyledCell

export type Row = Cell[]

export type Styler = (text: string, style: string) => string

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f]/g

/**
 * A name from the input never drives the terminal or breaks a row: control characters are escaped, ESC as `^[` and
 * carriage return as `\r` as kubectl's printers do (cli-runtime EscapeTerminal), newline and tab as `\n`, `\t`,
 * any other as `\xNN`.
 */
export function escapeControls(s: string): string {
  if (!CONTROL.test(s)) return s
  return s.replace(CONTROL_ALL, (c) => {
    if (c === '\u001b') return '^['
    if (c === '\r') return '\\r'
    if (c === '\n') return '\\n'
    if (c === '\t') return '\\t'
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`
  })
}

const cellText = (c: Cell): string => escapeControls(typeof c === 'string' ? c : c.text)
const cellStyle = (c: Cell): string | undefined => (typeof c === 'string' ? undefined : c.style)

const SURROGATE = /[\uD800-\uDFFF]/

/** Width in code points, as Go's utf8.RuneCount. */
function runeWidth(s: string): number {
  // without surrogates every UTF-16 unit is one code point (the native search is much faster than the loop)
  if (!SURROGATE.test(s)) return s.length
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i)
    // a high surrogate followed by a low one is a single code point
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) i++
    }
    n++
  }
  return n
}

/** A character other than newline that makes a cell print differently (escaped) or count differently (a surrogate). */
const NOT_PLAIN = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\uD800-\uDFFF]/

/**
 * formatTable's result for the common table, without styles, whose rows all have the same number of cells: then
 * every column is one column block spanning all rows (Go's blocks end only at a row without a cell in the column),
 * so each width is the column's widest cell plus padding, found in one pass, and the text is joined once from its
 * pieces (no string per line). It assumes that every cell prints as it is and that its width is its length, and
 * checks that on the result: undefined (formatTable's general path then measures cell by cell) when the text has a
 * character to escape or a surrogate, or more newlines than rows (a cell with a newline).
 */
function formatUniform(rows: readonly Row[], padding: number): string | undefined {
  const n = rows.length
  if (n === 0) return undefined
  const cells = rows[0]!.length
  if (cells === 0) return undefined
  for (let i = 1; i < n; i++) if (rows[i]!.length !== cells) return undefined
  const last = cells - 1
  const widths: number[] = new Array(last).fill(0)
  for (let i = 0; i < n; i++) {
    const row = rows[i]!
    for (let j = 0; j < last; j++) {
      const c = row[j]!
      const w = (typeof c === 'string' ? c : c.text).length
      if (w > widths[j]!) widths[j] = w
    }
  }
  for (let j = 0; j < last; j++) widths[j] = widths[j]! + padding
  const pieces: string[] = new Array(2 * cells * n)
  let k = 0
  for (let i = 0; i < n; i++) {
    const row = rows[i]!
    for (let j = 0; j < last; j++) {
      const c = row[j]!
      const text = typeof c === 'string' ? c : c.text
      pieces[k++] = text
      pieces[k++] = spaces(widths[j]! - text.length)
    }
    const c = row[last]!
    pieces[k++] = typeof c === 'string' ? c : c.text
    pieces[k++] = '\n'
  }
  const text = pieces.join('')
  if (NOT_PLAIN.test(text)) return undefined
  let lines = 0
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++
  return lines === n ? text : undefined
}

/**
 * Formats rows like Go's `tabwriter.NewWriter(w, 0, 8, padding, ' ', 0)` fed with `cell\tcell\t...\n` lines.
 * Returns the text, every row ended by a newline.
 */
export function formatTable(rows: readonly Row[], padding: number, styler?: Styler): string {
  if (styler === undefined) {
    const plain = formatUniform(rows, padding)
    if (plain !== undefined) return plain
  }
  const widthsOf: number[][] = new Array(rows.length)
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]
    const w: number[] = new Array(row.length)
    for (let j = 0; j < row.length; j++) w[j] = runeWidth(cellText(row[j]))
    widthsOf[i] = w
  }
  // every piece of the output in order, joined once at the end: a table of 300k rows is built without the
  // memory of one concatenated string per line
  const out: string[] = []
  const widths: number[] = []

  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      const row = rows[i]
      const w = widthsOf[i]
      for (let j = 0; j < row.length; j++) {
        const cell = row[j]
        const raw = cellText(cell)
        const style = cellStyle(cell)
        out.push(style && styler && raw !== '' ? styler(raw, style) : raw)
        if (j < widths.length) out.push(spaces(widths[j] - w[j]))
      }
      out.push('\n')
    }
  }

  const format = (line0: number, line1: number): void => {
    const column = widths.length
    for (let cur = line0; cur < line1; cur++) {
      if (column >= rows[cur].length - 1) continue
      // this row has a terminated cell in `column`: a column block starts here
      writeLines(line0, cur)
      line0 = cur
      let width = 0
      for (; cur < line1; cur++) {
        if (column >= rows[cur].length - 1) break
        const w = widthsOf[cur][column] + padding
        if (w > width) width = w
      }
      widths.push(width)
      format(line0, cur)
      widths.pop()
      line0 = cur
      // Go's loop continues from `cur` (the row that ended the block) after its own increment; the block
      // loop already consumed rows up to `cur`, which has no cell in this column, so re-examine nothing.
      cur--
    }
    writeLines(line0, line1)
  }

  format(0, rows.length)
  return out.join('')
}

const SPACES: string[] = []
/** `n` spaces (none for n <= 0), one shared string per width */
function spaces(n: number): string {
  if (n <= 0) return ''
  let pad = SPACES[n]
  if (pad === undefined) {
    pad = ' '.repeat(n)
    SPACES[n] = pad
  }
  return pad
}
