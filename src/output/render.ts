/** Turns a view's result into the bytes to print, for every output format. Pure. */
import {InputError} from '../errors/index.js'
import type {ViewResult} from '../views/types.js'
import {goJson} from './json.js'
import type {CompiledQuery} from './query.js'
import {renderReport} from './report.js'
import {formatTable, type Styler} from './tabwriter.js'

export const OUTPUT_FORMATS = ['short', 'json', 'yaml'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

export interface RenderOptions {
  format: OutputFormat
  query?: CompiledQuery
  /** colours table cells; absent when output is not a terminal */
  styler?: Styler
  /** the terminal's width for report tables; absent when output is not a terminal (plain tables) */
  width?: number
  /** converts a document to YAML (injected so the YAML library loads only when needed) */
  toYaml?: (value: unknown) => string
}

export function renderShort(result: ViewResult, styler?: Styler, width?: number): string {
  return result.blocks
    .map((b) => (b.kind === 'table' ? formatTable(b.rows, b.padding, styler) : b.kind === 'report' ? renderReport(b.table, {width, styler}) : b.text))
    .join('')
}

/**
 * Runs a conversion that recurses over the input (proto-JSON conversion, YAML, JMESPath): an input nested deeper than
 * the stack allows (thousands of levels of metadata) is an input error (exit 3), not a crash. Tables do not recurse.
 */
export function guardDepth<T>(convert: () => T): T {
  try {
    return convert()
  } catch (err) {
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      throw new InputError('the input is nested too deeply to convert for -o json/yaml or --query', {
        code: 'E_TOO_DEEP',
        hint: 'the table output (no -o, no --query) still works',
      })
    }
    throw err
  }
}

/**
 * The document of a view that echoes its input (`pc all`): the input parsed whole. Its sections are decoded lazily
 * and only where a table needs them, so a syntax error can first show here: an input error (exit 3), not a crash.
 */
export function parseRawJson(result: ViewResult & {rawJson: () => string}): unknown {
  try {
    return JSON.parse(result.rawJson())
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err
    throw new InputError(`the input is not valid JSON: ${err.message}`, {
      code: 'E_JSON_PARSE',
      hint: '-o yaml and --query read the input whole; fix or re-capture it (a table view shows the sections that do parse)',
    })
  }
}

export function render(result: ViewResult, opts: RenderOptions): string {
  return guardDepth(() => renderUnguarded(result, opts))
}

function renderUnguarded(result: ViewResult, opts: RenderOptions): string {
  if (opts.query) {
    const base = result.rawJson ? parseRawJson({...result, rawJson: result.rawJson}) : result.data()
    const value = opts.query.search(base)
    if (opts.format === 'yaml') return yaml(opts, value)
    return `${goJson(value)}\n`
  }
  switch (opts.format) {
    case 'short':
      return renderShort(result, opts.styler, opts.width)
    case 'json':
      return result.rawJson ? `${result.rawJson()}\n` : `${goJson(result.data())}\n`
    case 'yaml':
      return yaml(opts, result.rawJson ? parseRawJson({...result, rawJson: result.rawJson}) : result.data())
  }
}

function yaml(opts: RenderOptions, value: unknown): string {
  if (!opts.toYaml) throw new Error('YAML output requested without a YAML converter')
  // istioctl prints the converted text plus one more newline
  return `${opts.toYaml(value)}\n`
}
