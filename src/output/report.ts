/**
 * Report tables for meshctl's own views (trace, check, diff), rendered with cli-table3. istioctl-identical views
 * keep the Go-tabwriter renderer (tabwriter.ts); these have no istioctl original to match, so they are made for
 * reading: on a terminal a boxed table whose long cells wrap to fit the terminal's width, piped a plain table
 * (columns separated by spaces, no box characters, no wrapping, no trailing blanks) that grep and awk can read.
 * Pure: the caller says whether it is a terminal (its width) and whether to colour.
 */
import {createRequire} from 'node:module'
import type TableClass from 'cli-table3'
import {escapeControls, type Styler} from './tabwriter.js'

// loaded when a report is first drawn: every view's renderer imports this module, and most (the istioctl tables,
// ps) never draw a report; cli-table3 and its string-width dependencies cost ~5 ms of each start
let Table: typeof TableClass | undefined
function newTable(options: TableClass.TableConstructorOptions): TableClass.Table {
  Table ??= createRequire(import.meta.url)('cli-table3') as typeof TableClass
  return new Table(options)
}

export type ReportCell = string | {text: string; style?: string}

export interface ReportTable {
  columns: string[]
  rows: ReportCell[][]
}

export interface ReportOptions {
  /** the terminal's width in columns; undefined when the output is not a terminal */
  width?: number
  styler?: Styler
}

const cellText = (c: ReportCell): string => (typeof c === 'string' ? c : c.text)

/** Control characters (ESC, newlines) would break the table or the terminal: escaped as in every table (tabwriter.ts). */
const printable = escapeControls

const NO_BORDER = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
}

/**
 * Column widths that fit `width`: every column gets its natural width while the table fits; otherwise the widest
 * columns are narrowed, one character at a time, down to a floor of 8 (wrapping does the rest).
 */
function fitWidths(natural: number[], width: number): number[] {
  const widths = natural.map((w) => w + 2)
  let total = widths.reduce((a, b) => a + b, 0) + natural.length + 1
  while (total > width) {
    let widest = -1
    for (let i = 0; i < widths.length; i++) if (widths[i]! > 10 && (widest < 0 || widths[i]! > widths[widest]!)) widest = i
    if (widest < 0) break
    widths[widest]!--
    total--
  }
  return widths
}

export function renderReport(t: ReportTable, opts: ReportOptions = {}): string {
  const style = (c: ReportCell, header = false): string => {
    const text = printable(cellText(c))
    if (!opts.styler) return text
    if (header) return opts.styler(text, 'header')
    return typeof c === 'string' || !c.style ? text : opts.styler(text, c.style)
  }
  if (opts.width === undefined) {
    const table = newTable({head: t.columns.map((h) => style(h, true)), chars: NO_BORDER, style: {head: [], border: [], 'padding-left': 0, 'padding-right': 0}})
    for (const r of t.rows) table.push(r.map((c) => style(c)))
    return `${table
      .toString()
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n')}\n`
  }
  const natural = t.columns.map((h, i) => Math.max(h.length, ...t.rows.map((r) => Math.max(...printable(cellText(r[i] ?? '')).split('\n').map((s) => s.length)))))
  const widths = fitWidths(natural, opts.width)
  // wrapped here, not by cli-table3: its word wrap cuts a word longer than the column with an ellipsis, and a
  // cluster or route name is exactly such a word, which the reader needs whole
  const cell = (c: ReportCell, i: number, header = false): string => {
    const lines = wrapText(printable(cellText(c)), Math.max(1, widths[i]! - 2))
    if (!opts.styler) return lines.join('\n')
    const st = header ? 'header' : typeof c === 'string' ? undefined : c.style
    return st ? lines.map((l) => opts.styler!(l, st)).join('\n') : lines.join('\n')
  }
  const table = newTable({
    head: t.columns.map((h, i) => cell(h, i, true)),
    colWidths: widths,
    style: {head: [], border: []},
  })
  for (const r of t.rows) table.push(r.map((c, i) => cell(c, i)))
  return `${table.toString()}\n`
}

/** Greedy word wrap to `width` columns; a word longer than the width is broken across lines, never cut. */
export function wrapText(text: string, width: number): string[] {
  const out: string[] = []
  for (const para of text.split('\n')) {
    let line = ''
    for (const word of para.split(' ')) {
      let w = word
      if (line !== '' && line.length + 1 + w.length <= width) {
        line += ` ${w}`
        continue
      }
      if (line !== '') out.push(line)
      while (w.length > width) {
        out.push(w.slice(0, width))
        w = w.slice(width)
      }
      line = w
    }
    out.push(line)
  }
  return out
}
