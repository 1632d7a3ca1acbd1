/** Describing Envoy route configuration the way istioctl does (docs/istioctl-behaviour.md §4.2.2, §4.3). */
import {get, getArray, getObject, getString, type Json} from './fields.js'

/** §4.3.1: `/api*`, `PathPrefix:/get`, `/exact`, `regex ^/v[0-9]+/.*`; '' when none applies. */
export function describeMatch(match: Json | undefined): string {
  const conds: string[] = []
  const prefix = getString(match, 'prefix')
  if (prefix !== '') conds.push(`${prefix}*`)
  const sep = getString(match, 'path_separated_prefix')
  if (sep !== '') conds.push(`PathPrefix:${sep}`)
  const exact = getString(match, 'path')
  if (exact !== '') conds.push(exact)
  const safeRegex = getObject(match, 'safe_regex')
  if (safeRegex) conds.push(`regex ${getString(safeRegex, 'regex')}`)
  else {
    // API v2's deprecated `regex` match
    const legacy = get(match, 'regex')
    if (typeof legacy === 'string' && legacy !== '') conds.push(`regex ${legacy}`)
  }
  return conds.join(' ')
}

/** The single cluster a route forwards to, or '' (weighted clusters, redirects, direct responses...). */
export function routeCluster(route: Json): string {
  return getString(getObject(route, 'route'), 'cluster')
}

/** Cluster names that contain `Cluster` are printed bare (PassthroughCluster), others as `Cluster: <name>`. */
export function describeCluster(name: string): string {
  return name.includes('Cluster') ? name : `Cluster: ${name}`
}

function isMatchAll(domains: Json[]): boolean {
  return domains.length === 1 && domains[0] === '*'
}

/** A route configuration inlined in an HTTP connection manager (listener DESTINATION column). */
export function describeInlineRouteConfig(rc: Json): string {
  const vhosts = getArray(rc, 'virtual_hosts')
  if (vhosts.length === 1) {
    const vh = vhosts[0]
    const routes = getArray(vh, 'routes')
    if (isMatchAll(getArray(vh, 'domains')) && routes.length === 1 && getString(get(routes[0], 'match'), 'prefix') === '/') {
      const cluster = routeCluster(routes[0])
      if (cluster !== '') return describeCluster(cluster)
    }
  }
  const parts = vhosts.map((vh) => {
    const domains = getArray(vh, 'domains')
    const routes = getArray(vh, 'routes').map((r) => describeMatch(get(r, 'match'))).join(', ')
    return isMatchAll(domains) ? routes : `${domains.map(String).join('/')} ${routes}`
  })
  return `Inline Route: ${parts.join('; ')}`
}

/**
 * §4.3.2: the DOMAINS column. One domain is shown as is; otherwise port-qualified names are dropped, the
 * `.svc.cluster.local` / `.svc` expansions of names also present are dropped, and past two the rest is counted.
 */
export function describeDomains(domains: readonly string[]): string {
  if (domains.length === 0) return ''
  if (domains.length === 1) return domains[0]
  const kept = domains.filter((d) => !d.includes(':') || (d.split(':').length > 3 && d.endsWith(']')))
  const present = new Set(kept)
  const unexpanded = kept.filter((d) => {
    if (d.endsWith('.svc.cluster.local') && present.has(d.slice(0, -'.svc.cluster.local'.length))) return false
    if (d.endsWith('.svc') && present.has(d.slice(0, -'.svc'.length))) return false
    return true
  })
  if (unexpanded.length > 2) return `${unexpanded.slice(0, 2).join(', ')} + ${unexpanded.length - 2} more...`
  return unexpanded.join(', ')
}
