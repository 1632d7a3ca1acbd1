/**
 * `--watch`: refresh a view every interval until stopped (Ctrl-C, or the signal given).
 *
 * - On a terminal, the frame (a status line, then the output cut to the terminal by `fitFrame`) is redrawn in place
 *   with log-update, which rewrites only the lines that changed; a resize redraws at once. When stopped, the last
 *   frame stays on the screen and the cursor comes back below it.
 * - Piped, every refresh is printed whole, one after the other: tables separated by a blank line, YAML documents by
 *   `---`, JSON documents back to back (`jq` reads such a stream), so a log of snapshots can be kept.
 *
 * The first refresh must succeed (a wrong kubeconfig or namespace fails at once, as without --watch); a later one
 * that fails (istiod restarting, a dropped port-forward) is reported in the status line, or on stderr when piped,
 * and the last good output stays until the next refresh works.
 */
import {setTimeout as sleep} from 'node:timers/promises'
import {clock, fitFrame, formatInterval} from '../output/watch-frame.js'

export interface Snapshot {
  /** the rendered output, as printed without --watch */
  text: string
  /** for the status line, e.g. `14 proxies, 2 not in sync` */
  summary?: string
  /** the summary reports a problem (drawn in yellow) */
  alarm?: boolean
  /** partial failures of this refresh (one istiod of three did not answer): in the status line, or on stderr when piped */
  warnings?: string[]
}

export interface WatchOptions {
  intervalMs: number
  refresh: () => Promise<Snapshot>
  /** the command as the status line shows it, e.g. `meshctl ps -n foo` */
  title: string
  format: 'table' | 'json' | 'yaml'
  /** what one line of table output is, for the hidden-lines note */
  unit?: {one: string; many: string}
  color: boolean
  /** stops the loop; the caller ties it to SIGINT/SIGTERM */
  signal: AbortSignal
  stdout?: NodeJS.WriteStream
  stderr?: NodeJS.WritableStream
  now?: () => Date
  /** TERM=dumb: no redrawing in place (default: process.env) */
  env?: NodeJS.ProcessEnv
}

const paint = (color: boolean, code: number, text: string): string => (color ? `\x1b[${code}m${text}\x1b[39m` : text)

function oneLine(err: unknown): string {
  const text = err && typeof err === 'object' && 'oneLine' in err ? String((err as {oneLine: unknown}).oneLine) : err instanceof Error ? err.message : String(err)
  return text.replace(/\s*\n\s*/g, ' ')
}

/** Resolves when the signal aborts; never rejects. */
function aborted(signal: AbortSignal): Promise<'stop'> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve('stop')
    else signal.addEventListener('abort', () => resolve('stop'), {once: true})
  })
}

export async function watchLoop(opts: WatchOptions): Promise<void> {
  const stdout = opts.stdout ?? process.stdout
  const stderr = opts.stderr ?? process.stderr
  const now = opts.now ?? (() => new Date())
  // a terminal that cannot move the cursor (TERM=dumb: Emacs shells, some CI logs) gets snapshots one after another
  const tty = Boolean(stdout.isTTY) && (opts.env ?? process.env).TERM !== 'dumb'
  const stopped = aborted(opts.signal)
  const unit = opts.format === 'table' ? (opts.unit ?? {one: 'line', many: 'lines'}) : {one: 'line', many: 'lines'}

  let last: (Snapshot & {at: Date}) | undefined
  let failure: {at: Date; message: string} | undefined
  let draw: ((frame: string) => void) & {done?: () => void} = () => {}
  let redraw = (): void => {}
  if (tty) {
    const {createLogUpdate} = await import('log-update')
    // the cursor is hidden here, on the stream drawn to (log-update's own hiding writes to stderr, which may be a log file)
    const update = createLogUpdate(stdout, {showCursor: true})
    stdout.write('\x1b[?25l')
    draw = Object.assign((frame: string) => update(frame), {done: () => update.done()})
    redraw = () => {
      // what changes comes first, so that a narrow terminal cuts the command, not the news
      const parts = [`Every ${formatInterval(opts.intervalMs)}`]
      if (last) parts.push(clock(last.at), last.summary ? paint(opts.color, last.alarm ? 33 : 32, last.summary) : '')
      else parts.push('asking…')
      if (last?.warnings?.length) parts.push(paint(opts.color, 33, `Warning: ${last.warnings.join('; ')}`))
      if (failure) parts.push(paint(opts.color, 31, `refresh at ${clock(failure.at)} failed: ${failure.message}`))
      parts.push(opts.title)
      const status = parts.filter((p) => p !== '').join(' · ')
      draw(fitFrame(status, last?.text ?? '', {columns: stdout.columns ?? 80, rows: stdout.rows ?? 24}, unit))
    }
    stdout.on('resize', redraw)
    redraw()
  }

  let printed = 0
  const print = (text: string): void => {
    const sep = printed === 0 ? '' : opts.format === 'table' ? '\n' : opts.format === 'yaml' ? '---\n' : ''
    stdout.write(sep + text)
    printed++
  }

  try {
    while (!opts.signal.aborted) {
      const started = Date.now()
      let outcome: Snapshot | 'stop'
      try {
        outcome = await Promise.race([opts.refresh(), stopped])
      } catch (err) {
        // the first refresh decides whether watching makes sense at all
        if (!last) throw err
        failure = {at: now(), message: oneLine(err)}
        if (tty) redraw()
        else stderr.write(`Warning: refresh at ${clock(failure.at)} failed: ${failure.message}\n`)
        outcome = last
      }
      if (outcome === 'stop') break
      if (outcome !== last) {
        last = {...outcome, at: now()}
        failure = undefined
        if (tty) redraw()
        else {
          for (const w of outcome.warnings ?? []) stderr.write(`Warning: ${w}\n`)
          print(outcome.text)
        }
      }
      const wait = Math.max(0, opts.intervalMs - (Date.now() - started))
      await sleep(wait, undefined, {signal: opts.signal}).catch(() => {})
    }
  } finally {
    if (tty) {
      stdout.off('resize', redraw)
      draw.done?.()
      stdout.write('\x1b[?25h')
    }
  }
}
