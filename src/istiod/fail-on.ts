/**
 * `--fail-on`: which sync states make `proxy-status` exit with code 10 (after printing its output), and the
 * one-line summary it writes to stderr. Pure.
 */
import {UsageError} from '../errors/index.js'
import type {ProxySync, SyncStatus, TypeSync} from './model.js'
import {goLess, shortType, subscribedOrder} from './xds-types.js'

export const FAIL_ON_CONDITIONS = ['stale', 'error', 'not-sent'] as const
export type FailOnCondition = (typeof FAIL_ON_CONDITIONS)[number]

const STATUS_OF: Record<FailOnCondition, SyncStatus> = {stale: 'STALE', error: 'ERROR', 'not-sent': 'NOT SENT'}

/** `stale,error` → the conditions; `any` means all three. Unknown words are a usage error. */
export function parseFailOn(value: string): FailOnCondition[] {
  const words = value
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter((w) => w !== '')
  if (words.length === 0) throw new UsageError(`--fail-on needs a comma-separated list of ${FAIL_ON_CONDITIONS.join(', ')} (or any)`)
  const out = new Set<FailOnCondition>()
  for (const w of words) {
    if (w === 'any') for (const c of FAIL_ON_CONDITIONS) out.add(c)
    else if ((FAIL_ON_CONDITIONS as readonly string[]).includes(w)) out.add(w as FailOnCondition)
    else throw new UsageError(`--fail-on "${w}" is not a condition; use a comma-separated list of ${FAIL_ON_CONDITIONS.join(', ')} (or any)`)
  }
  return FAIL_ON_CONDITIONS.filter((c) => out.has(c))
}

export interface OutOfSync {
  proxy: ProxySync
  /** the matching types, in istioctl's type order (CDS, LDS, EDS, RDS, then by type URL) */
  types: TypeSync[]
}

/** The proxies with at least one type in a state the conditions name, sorted by proxy ID. */
export function findOutOfSync(proxies: readonly ProxySync[], conditions: readonly FailOnCondition[]): OutOfSync[] {
  const wanted = new Set(conditions.map((c) => STATUS_OF[c]))
  const out: OutOfSync[] = []
  for (const proxy of proxies) {
    const order = subscribedOrder(proxy.types.map((t) => t.typeUrl))
    const types = order.map((u) => proxy.types.find((t) => t.typeUrl === u)!).filter((t) => wanted.has(t.status))
    if (types.length > 0) out.push({proxy, types})
  }
  return out.sort((a, b) => (a.proxy.id === b.proxy.id ? 0 : goLess(a.proxy.id, b.proxy.id) ? -1 : 1))
}

/**
 * `proxy-status: 2 proxies not in sync: a.ns (CDS STALE), b.ns (LDS ERROR, EDS NOT SENT)`; after `limit`
 * proxies the rest is counted (`, and 12 more`).
 */
export function failOnSummary(found: readonly OutOfSync[], limit = 10): string {
  const n = found.length
  const items = found.slice(0, limit).map((f) => `${f.proxy.id} (${f.types.map((t) => `${shortType(t.typeUrl)} ${t.status}`).join(', ')})`)
  const more = n > limit ? `, and ${n - limit} more` : ''
  return `proxy-status: ${n} ${n === 1 ? 'proxy' : 'proxies'} not in sync: ${items.join(', ')}${more}`
}
