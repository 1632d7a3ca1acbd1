/** The one way meshctl turns a view into bytes on stdout: colour decided once, YAML loaded only when asked. */
import type {CompiledQuery} from '../output/query.js'
import {wantColor} from '../output/color.js'
import {type OutputFormat, render} from '../output/render.js'
import {renderReport} from '../output/report.js'
import type {Styler} from '../output/tabwriter.js'
import type {ViewResult} from '../views/types.js'

export interface PrintOptions {
  format: OutputFormat
  query?: CompiledQuery
  /** --color / --no-color */
  color?: boolean
}

/**
 * The styler for what goes to stdout when it is to be coloured (--color / --no-color, a terminal, NO_COLOR), else
 * undefined; chalk (../output/theme.ts) is loaded only when colouring.
 */
export async function stdoutStyler(flag: boolean | undefined): Promise<Styler | undefined> {
  return wantColor({flag, isTTY: Boolean(process.stdout.isTTY), env: process.env}) ? (await import('../output/theme.js')).makeStyler() : undefined
}

/** The width what meshctl prints is wrapped to: the terminal's, or none (piped, TERM=dumb, which gets plain output). */
export function stdoutWidth(): number | undefined {
  return process.stdout.isTTY && process.env.TERM !== 'dumb' ? process.stdout.columns || 80 : undefined
}

export async function renderResult(result: ViewResult, opts: PrintOptions): Promise<string> {
  const styler = opts.format === 'short' && !opts.query ? await stdoutStyler(opts.color) : undefined
  const toYaml = opts.format === 'yaml' ? (await import('../output/yaml.js')).goYaml : undefined
  return render(result, {format: opts.format, query: opts.query, styler, toYaml, width: stdoutWidth()})
}

/**
 * Draws a one-cell report for this stdout and throws it away: the first report of a process loads cli-table3 and
 * string-width and runs their code for the first time (~6-10 ms; the next one takes ~1-2 ms). A command that waits on
 * a proxy's answer does this meanwhile, so that the time is not spent after the answer arrives.
 */
export function warmReports(): void {
  renderReport({columns: ['-'], rows: [['-']]}, {width: stdoutWidth()})
}

/** Writes everything to stdout and waits until it is flushed (large outputs, pipes). */
export function writeStdout(text: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    if (text.length === 0) return resolve()
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()))
  })
}
