/** What a view produces: blocks of short output (tables or text) and the document for json/yaml/--query. */
import type {Json} from '../envoy/fields.js'
import type {ReportTable} from '../output/report.js'
import type {Row} from '../output/tabwriter.js'

/** A table's first row is its header unless `headless` (the bootstrap version summary has none). */
export type Block =
  | {kind: 'table'; rows: Row[]; padding: number; headless?: boolean}
  | {kind: 'text'; text: string}
  /** a report table of meshctl's own views (trace, check, diff): cli-table3, wrapped to a terminal's width */
  | {kind: 'report'; table: ReportTable}

export interface ViewResult {
  /** short output */
  blocks: Block[]
  /** the machine-readable document (json, yaml, --query act on it) */
  data: () => Json
  /** when set, `-o json|yaml` print these bytes as they are (pc all echoes the input) */
  rawJson?: () => string
  /** with rawJson: the same JSON as bytes, when the input is JSON (`-o json` writes them as they are, whatever their size) */
  rawBytes?: () => Uint8Array | undefined
  /** notes for stderr: what the output could not show, and why */
  warnings?: string[]
}

export const header = (...names: string[]): Row => names.map((text) => ({text, style: 'header'}))

export const table = (rows: Row[], padding: number, headless = false): Block => (headless ? {kind: 'table', rows, padding, headless} : {kind: 'table', rows, padding})
export const text = (t: string): Block => ({kind: 'text', text: t})
export const report = (t: ReportTable): Block => ({kind: 'report', table: t})
