/**
 * What `--watch` draws on a terminal, as a pure function: a status line, a blank line, then the rendered output,
 * cut to the terminal so that redrawing in place never scrolls: lines longer than the terminal end in `…`, and an
 * output taller than it keeps its first lines (the table header included) and says how many are hidden.
 */
import cliTruncate from 'cli-truncate'

export interface FrameSize {
  columns: number
  rows: number
}

/**
 * The frame for one refresh. `status` is the first line; `body` the rendered output (ends with a newline or not).
 * `unit` names what a body line is (`{one: 'proxy', many: 'proxies'}`), for the hidden-lines note.
 */
export function fitFrame(status: string, body: string, size: FrameSize, unit = {one: 'line', many: 'lines'}): string {
  const columns = Math.max(1, size.columns)
  const cut = (line: string): string => (line.length <= columns && !/[^\x20-\x7e]/.test(line) ? line : cliTruncate(line, columns))
  const lines = body.replace(/\n$/, '').split('\n')
  // the status line, a blank line, and one line for the note when needed; the last terminal row stays free for the
  // cursor, or the terminal scrolls by one on every redraw
  const room = Math.max(1, size.rows - 3)
  let shown = lines
  let note: string | undefined
  if (lines.length > room) {
    shown = lines.slice(0, Math.max(1, room - 1))
    const hidden = lines.length - shown.length
    note = `… ${hidden} more ${hidden === 1 ? unit.one : unit.many} below the screen; narrow with -n or --query, or pipe the output`
  }
  return [status, '', ...shown, ...(note ? [note] : [])].map(cut).join('\n')
}

/** `2s`, `1.5s`, `500ms`, `1m`: an interval as the status line shows it. */
export function formatInterval(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  if (ms < 1000) return `${ms}ms`
  return `${ms / 1000}s`
}

/** The clock as the status line shows it: local time, HH:MM:SS. */
export function clock(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}
