/**
 * `check`'s output: the findings as data (an array with stable field names: proxy, severity, code, resource {type,
 * name}, message, hint) and as report tables (cli-table3, src/output/report.ts): one table per proxy for a single
 * proxy or `--verbose`; mesh-wide, one row per code with its count and the affected proxies. A summary line ends
 * the short output; the time the time-dependent checks used is said when it matters.
 */
import type {Finding} from '../check/types.js'
import type {Json} from '../envoy/fields.js'
import {type ReportCell, renderReport} from '../output/report.js'
import type {Styler} from '../output/tabwriter.js'
import {text, type ViewResult} from './types.js'
import {sortFindings, summaryLine} from '../check/index.js'
import type {CheckTime} from '../check/types.js'

export interface CheckRun {
  findings: Finding[]
  /** how many proxies were checked (reachable or not) */
  proxies: number
  /** the proxies in order, for the per-proxy tables */
  proxyIds: string[]
  /** the time used by the time-dependent checks (one per run: a saved dump's, --at's, or the clock) */
  time?: CheckTime
  /** one proxy (a pod or a file): per-proxy table even without --verbose */
  single: boolean
}

export interface CheckViewOptions {
  verbose: boolean
  width?: number
  styler?: Styler
}

const SEVERITY_STYLE = {error: 'bad', warning: 'warn', info: 'dim'} as const

function sev(f: Finding): ReportCell {
  return {text: f.severity.toUpperCase(), style: SEVERITY_STYLE[f.severity]}
}

function timeNote(t: CheckTime | undefined): string {
  if (!t) return ''
  const iso = t.at.toISOString().replace(/\.\d{3}Z$/, 'Z')
  const why = t.source === 'flag' ? '--at' : t.source === 'dump' ? "the dump's latest last_updated" : 'now'
  return `Time checks (certificates, warming) at ${iso} (${why}).\n`
}

function proxyTable(findings: Finding[], opts: CheckViewOptions, withHint: boolean): string {
  const columns = withHint ? ['SEVERITY', 'CODE', 'RESOURCE', 'MESSAGE', 'HINT'] : ['SEVERITY', 'CODE', 'RESOURCE', 'MESSAGE']
  const rows = findings.map((f) => {
    const row: ReportCell[] = [sev(f), f.code, `${f.resource.type} ${f.resource.name}`, f.message]
    if (withHint) row.push(f.hint ?? '')
    return row
  })
  return renderReport({columns, rows}, {width: opts.width, styler: opts.styler})
}

function groupedTable(findings: Finding[], opts: CheckViewOptions): string {
  const groups = new Map<string, Finding[]>()
  for (const f of findings) {
    const g = groups.get(f.code)
    if (g) g.push(f)
    else groups.set(f.code, [f])
  }
  const rows: ReportCell[][] = []
  // most severe first, then in the registry's order (sortFindings' order, applied to one finding per code)
  const firsts = sortFindings([...groups.values()].map((g) => g[0]!))
  for (const first of firsts) {
    const code = first.code
    const list = groups.get(code)!
    const proxies = [...new Set(list.map((f) => f.proxy))]
    const shown = proxies.slice(0, 5).join(', ') + (proxies.length > 5 ? `, and ${proxies.length - 5} more` : '')
    rows.push([sev(list[0]!), code, String(list.length), shown, list[0]!.message])
  }
  return renderReport({columns: ['SEVERITY', 'CODE', 'COUNT', 'PROXIES', 'EXAMPLE'], rows}, {width: opts.width, styler: opts.styler})
}

/** The findings as the document of -o json|yaml and --query. */
export function findingsData(findings: readonly Finding[]): Json {
  return findings.map((f) => {
    const o: {[k: string]: Json} = {proxy: f.proxy, severity: f.severity, code: f.code, resource: {type: f.resource.type, name: f.resource.name}, message: f.message}
    if (f.hint !== undefined) o.hint = f.hint
    return o
  })
}

export function checkView(run: CheckRun, opts: CheckViewOptions): ViewResult {
  const data = (): Json => findingsData(run.findings)
  let out = ''
  if (run.single || opts.verbose) {
    const byProxy = new Map<string, Finding[]>()
    for (const f of run.findings) {
      const list = byProxy.get(f.proxy)
      if (list) list.push(f)
      else byProxy.set(f.proxy, [f])
    }
    for (const id of run.proxyIds) {
      const list = byProxy.get(id)
      if (!list) continue
      if (!run.single) out += `\n${id}\n`
      out += proxyTable(list, opts, opts.verbose)
    }
  } else if (run.findings.length > 0) {
    out += groupedTable(run.findings, opts)
  }
  const usesTime = run.findings.some((f) => f.code.startsWith('CERT_') || f.code.endsWith('_WARMING'))
  if (usesTime || run.time?.source !== 'now') out += timeNote(run.time)
  out += `${summaryLine(run.findings, run.proxies)}\n`
  return {blocks: [text(out)], data}
}
