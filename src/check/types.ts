/**
 * What `check` reports: findings, each with a stable code (registry.ts), a severity, the proxy, the resource it is
 * about, a one-line message and a hint naming the likely Istio cause. Pure types.
 */

export type Severity = 'error' | 'warning' | 'info'

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info']

/** error > warning > info: `rank(a) >= rank(b)` means a is at least as severe as b. */
export function severityRank(s: Severity): number {
  return s === 'error' ? 2 : s === 'warning' ? 1 : 0
}

/** The resource a finding is about: `route`, `listener`, `cluster`, `secret`, `routeConfig`, `virtualHost`, `proxy`, ... */
export interface FindingResource {
  type: string
  name: string
}

/** One finding; these are the stable JSON field names of `check -o json`. */
export interface Finding {
  proxy: string
  severity: Severity
  code: string
  resource: FindingResource
  message: string
  hint?: string
}

/** The time the time-dependent checks (certificate expiry, warming age) compare against, and where it came from. */
export interface CheckTime {
  at: Date
  /** `--at`, the dump's latest `last_updated`, or the clock (a live proxy, or a dump that tells no time) */
  source: 'flag' | 'dump' | 'now'
}

export interface CheckOptions {
  /** the proxy's name in the findings (`<pod>.<namespace>` or the file) */
  proxy: string
  time: CheckTime
  /** warn about certificates that expire within this many ms */
  certWarnMs: number
}

/** Istio issues workload certificates for 24 h and rotates them when half is left; a quarter left means rotation is failing. */
export const DEFAULT_CERT_WARN_MS = 6 * 3_600_000
