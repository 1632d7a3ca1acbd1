/**
 * `zc log`: the request istioctl sends to ztunnel's `/logging` and how it checks `--level` first
 * (docs/istioctl-behaviour.md §11.8, §4.10). Pure.
 */
import {UsageError} from '../errors/index.js'

/** The level names istioctl knows (case-sensitive). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warning', 'warn', 'error', 'critical', 'off'] as const

const known = (level: string): boolean => (LOG_LEVELS as readonly string[]).includes(level)

/**
 * Checks `--level` as istioctl does: `,`-separated items; an item without `:`/`=` is a level for every logger;
 * otherwise the text after the last `::` is cut at the first `:` or `=` into logger and level. Logger names are
 * not checked for ztunnel (they are ztunnel's Rust targets, e.g. `ztunnel::pool`); levels are.
 */
export function checkZtunnelLevel(level: string): void {
  for (const item of level.split(',')) {
    if (!item.includes(':') && !item.includes('=')) {
      if (!known(item)) throw new UsageError(`unrecognized logging level: ${item}`)
      continue
    }
    const parts = item.split('::')
    const last = parts[parts.length - 1]!
    const cut = last.search(/[:=]/)
    const lvl = cut < 0 ? last : last.slice(cut + 1)
    if (!known(lvl)) throw new UsageError(`unrecognized logging level: ${lvl}`)
  }
}

/**
 * The query of `POST /logging` for the flags: `level=<raw --level text>` (not URL-encoded, as istioctl sends it),
 * except that exactly `warning` becomes `warn` and exactly `critical` becomes `error` (ztunnel's names);
 * `--reset` asks for `level=info&reset`.
 */
export function ztunnelLoggingQuery(opts: {level?: string; reset?: boolean}): string {
  if (opts.reset) return 'level=info&reset'
  const raw = opts.level ?? ''
  const sent = raw === 'warning' ? 'warn' : raw === 'critical' ? 'error' : raw
  return `level=${sent}`
}

/** Checks `zc log`'s flags in istioctl's order; returns the query to send. */
export function ztunnelLogRequest(opts: {level?: string; reset?: boolean; output?: string}): string {
  if (opts.level !== undefined && opts.reset) throw new UsageError('--level cannot be combined with --reset')
  if (opts.output !== undefined && opts.output !== '' && opts.output !== 'short') throw new UsageError('--output is not applicable for this command')
  if (opts.level !== undefined) checkZtunnelLevel(opts.level)
  return ztunnelLoggingQuery(opts)
}

/** What `zc log` prints for one ztunnel: `<pod>.<namespace>:`, then its answer, then a newline. */
export function ztunnelLogOutput(podId: string, body: string): string {
  return `${podId}:\n${body}\n`
}
