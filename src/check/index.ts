/**
 * `check`'s engine: every family of checks over one proxy's config graph, and the bookkeeping around findings
 * (which time to use, --ignore, --fail-on, summaries). Pure: the command edge (src/cli/check.ts) fetches.
 */
import type {ConfigGraph, Edge} from '../graph/graph.js'
import {checkCerts} from './certs.js'
import {checkEndpoints} from './endpoints.js'
import {checkPolicy} from './policy.js'
import {checkReferences} from './refs.js'
import {FINDINGS, makeFinding} from './registry.js'
import {checkRoutes} from './routes.js'
import {checkState} from './state.js'
import {type CheckOptions, type CheckTime, type Finding, type Severity, severityRank} from './types.js'

export {checkSync, skewProblem} from './sync.js'
export {FINDINGS, findingsMarkdown, findingSpec, isFindingCode, makeFinding} from './registry.js'
export * from './types.js'

const ORDER = new Map(FINDINGS.map((f, i) => [f.code, i]))

/** Findings sorted: most severe first, then by the registry's order, then by resource. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      (ORDER.get(a.code) ?? 0) - (ORDER.get(b.code) ?? 0) ||
      (a.resource.name < b.resource.name ? -1 : a.resource.name > b.resource.name ? 1 : 0),
  )
}

/** Every check over one proxy's config. */
export function checkGraph(graph: ConfigGraph, opts: CheckOptions): Finding[] {
  // one pass over the edges (38,500 on a 10,000-service proxy), keeping only what the checks read: the dangling
  // ones, and the clusters something sends traffic to (routes, weighted clusters, mirrors, tcp_proxy)
  const dangling: Edge[] = []
  const referenced = new Set<string>()
  for (const e of graph.edges()) {
    if (e.to.type === 'cluster') referenced.add(e.to.name)
    if (!e.resolved) dangling.push(e)
  }
  return sortFindings([
    ...checkReferences(graph, opts, dangling),
    ...checkEndpoints(graph, opts, referenced),
    ...checkState(graph, opts),
    ...checkCerts(graph, opts),
    ...checkRoutes(graph, opts),
    ...checkPolicy(graph, opts),
  ])
}

/** A proxy that could not be read is a finding of its own. */
export function unreachableFinding(proxy: string, err: Error): Finding {
  const text = (err as {oneLine?: string}).oneLine ?? err.message
  return makeFinding(proxy, 'PROXY_UNREACHABLE', {type: 'proxy', name: proxy}, text.replace(/\s*\n\s*/g, ' '))
}

/**
 * The time the time-dependent checks use: `--at`; for a saved dump its latest `last_updated` (the dump was taken
 * then or later); otherwise the clock.
 */
export function checkTime(graph: ConfigGraph | undefined, opts: {at?: Date; saved: boolean; now: Date}): CheckTime {
  if (opts.at) return {at: opts.at, source: 'flag'}
  if (opts.saved && graph) {
    const t = graph.latestUpdate
    if (t) return {at: new Date(t), source: 'dump'}
  }
  return {at: opts.now, source: 'now'}
}

/** Drops findings of the `--ignore` codes. */
export function withoutIgnored(findings: Finding[], ignore: ReadonlySet<string>): Finding[] {
  return ignore.size === 0 ? findings : findings.filter((f) => !ignore.has(f.code))
}

/** Whether a finding at `level` or above exists (`--fail-on`). */
export function failsAt(findings: readonly Finding[], level: Severity): boolean {
  const min = severityRank(level)
  return findings.some((f) => severityRank(f.severity) >= min)
}

/** `3 errors, 5 warnings, 1 info in 2 of 14 proxies` / `no findings in 14 proxies`. */
export function summaryLine(findings: readonly Finding[], proxies: number): string {
  const n = {error: 0, warning: 0, info: 0}
  const affected = new Set<string>()
  for (const f of findings) {
    n[f.severity]++
    affected.add(f.proxy)
  }
  const of = proxies === 1 ? 'proxy' : 'proxies'
  if (findings.length === 0) return `no findings in ${proxies} ${of}`
  const parts = [
    n.error > 0 ? `${n.error} error${n.error === 1 ? '' : 's'}` : '',
    n.warning > 0 ? `${n.warning} warning${n.warning === 1 ? '' : 's'}` : '',
    n.info > 0 ? `${n.info} info` : '',
  ].filter((s) => s !== '')
  return `${parts.join(', ')} in ${affected.size} of ${proxies} ${of}`
}
