/**
 * `pc log`: Envoy's logger levels, istioctl's rules (docs/istioctl-behaviour.md §4.10; istioctl/pkg/proxyconfig/
 * proxyconfig.go `logCmd`). Pure: the flag text and the proxy's `active loggers:` listing in, the admin requests
 * (the part after `logging`, e.g. `?level=debug`) out; plus the listing's decoding and what changed between two.
 */
import {UsageError} from '../errors/index.js'

/** istioctl's level table: `warn` is an alias, sent as `warning`. Case-sensitive, as istioctl's map lookup. */
export const LOG_LEVELS: Readonly<Record<string, string>> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warning: 'warning',
  warn: 'warning',
  error: 'error',
  critical: 'critical',
  off: 'off',
}

/** The logger name that stands for every logger (`--level level:debug` = `--level debug`), istioctl's defaultLoggerName. */
export const ALL_LOGGERS = 'level'

/** What to set: `level` (every logger) first when present, then each named logger. An empty plan only reads. */
export interface LogPlan {
  /** the level for every logger, spelled as sent */
  all?: string
  /** logger -> level, in the order first named (istioctl sends them in Go map order, i.e. any order) */
  loggers: Map<string, string>
}

const knownLevel = (text: string): string => {
  const level = Object.hasOwn(LOG_LEVELS, text) ? LOG_LEVELS[text] : undefined
  if (level === undefined) throw new UsageError(`unrecognized logging level: ${text}`, {hint: `use one of ${Object.keys(LOG_LEVELS).join(', ')}`})
  return level
}

/**
 * `--level` as istioctl reads it: comma-separated items; an item without `:` or `=` is a level for every logger and
 * replaces everything collected before it; otherwise the text after the last `::` is split at the first `:` or `=`
 * into logger and level. The logger must occur in `loggerText` (a plain substring test, as istioctl's
 * strings.Contains: partial names pass, and `level` always does), checked before the level. A later item for the
 * same logger wins.
 */
export function parseLevelFlag(flag: string, loggerText: string): LogPlan {
  let levels = new Map<string, string>()
  for (const item of flag.split(',')) {
    if (!item.includes(':') && !item.includes('=')) {
      levels = new Map([[ALL_LOGGERS, knownLevel(item)]])
      continue
    }
    const afterScope = item.includes('::') ? item.slice(item.lastIndexOf('::') + 2) : item
    const cut = afterScope.search(/[:=]/)
    const logger = cut < 0 ? afterScope : afterScope.slice(0, cut)
    const level = cut < 0 ? '' : afterScope.slice(cut + 1)
    if (logger !== ALL_LOGGERS && !loggerText.includes(logger)) {
      throw new UsageError(`unrecognized logger name: ${logger}`, {hint: 'see the loggers this proxy has with `pc log <pod>`'})
    }
    levels.delete(logger)
    levels.set(logger, knownLevel(level))
  }
  const all = levels.get(ALL_LOGGERS)
  levels.delete(ALL_LOGGERS)
  return {all, loggers: levels}
}

/** The plan for `--reset`: every logger to `level` (already one of LOG_LEVELS' values). */
export const resetPlan = (level: string): LogPlan => ({all: level, loggers: new Map()})

/**
 * The admin requests for a plan, as the query after `logging` (`''` = no query): nothing to change -> one plain
 * read; else `level=<l>` first when given, then `<logger>=<l>` per logger. Values are not URL-encoded (istioctl
 * formats the path as text), so an empty logger gives `=<l>`.
 */
export function planQueries(plan: LogPlan): string[] {
  const out: string[] = []
  if (plan.all !== undefined) out.push(`${ALL_LOGGERS}=${plan.all}`)
  for (const [logger, level] of plan.loggers) out.push(`${logger}=${level}`)
  return out.length === 0 ? [''] : out
}

export const isEmptyPlan = (plan: LogPlan): boolean => plan.all === undefined && plan.loggers.size === 0

/**
 * The `active loggers:` listing Envoy's `/logging` answers (`  <name>: <level>` per line; Envoy's fine-grain
 * logging lists `<file>: <level>` the same way) as a map; lines of another shape (the usage text of an error
 * answer) are skipped.
 */
export function parseActiveLoggers(text: string): Map<string, string> {
  const out = new Map<string, string>()
  const start = text.indexOf('active loggers:')
  if (start < 0) return out
  for (const line of text.slice(start + 'active loggers:'.length).split('\n')) {
    const m = /^\s+(\S.*?):\s+(\S+)\s*$/.exec(line)
    if (m) out.set(m[1]!, m[2]!)
  }
  return out
}

export interface LoggerChange {
  logger: string
  from: string
  to: string
}

/** The loggers whose level differs between two listings (in the order of the second). */
export function loggerChanges(before: Map<string, string>, after: Map<string, string>): LoggerChange[] {
  const out: LoggerChange[] = []
  for (const [logger, to] of after) {
    const from = before.get(logger)
    if (from !== undefined && from !== to) out.push({logger, from, to})
  }
  return out
}

/**
 * One line saying what changed on a proxy: each logger when there are a few (`http: warning -> debug, ...`),
 * else a count per new level with the old levels counted (`62 loggers -> debug (were warning 61, error 1)`).
 */
export function describeChanges(changes: LoggerChange[], max = 6): string {
  if (changes.length === 0) return 'no logger changed level'
  if (changes.length <= max) return `changed ${changes.map((c) => `${c.logger}: ${c.from} -> ${c.to}`).join(', ')}`
  const byTo = new Map<string, LoggerChange[]>()
  for (const c of changes) byTo.set(c.to, [...(byTo.get(c.to) ?? []), c])
  const parts = [...byTo].map(([to, cs]) => {
    const was = new Map<string, number>()
    for (const c of cs) was.set(c.from, (was.get(c.from) ?? 0) + 1)
    return `${cs.length} logger${cs.length === 1 ? '' : 's'} -> ${to} (were ${[...was].map(([l, n]) => `${l} ${n}`).join(', ')})`
  })
  return `changed ${parts.join('; ')}`
}
