/** The one way meshctl turns a view into bytes on stdout: colour decided once, YAML loaded only when asked. */
import type {CompiledQuery} from '../output/query.js'
import {wantColor} from '../output/color.js'
import {type OutputFormat, render} from '../output/render.js'
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

export async function renderResult(result: ViewResult, opts: PrintOptions): Promise<string> {
  const styler = opts.format === 'short' && !opts.query ? await stdoutStyler(opts.color) : undefined
  const toYaml = opts.format === 'yaml' ? (await import('../output/yaml.js')).goYaml : undefined
  const width = process.stdout.isTTY && process.env.TERM !== 'dumb' ? process.stdout.columns || 80 : undefined
  return render(result, {format: opts.format, query: opts.query, styler, toYaml, width})
}

/** Writes everything to stdout and waits until it is flushed (large outputs, pipes). */
export function writeStdout(text: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    if (text.length === 0) return resolve()
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()))
  })
}
