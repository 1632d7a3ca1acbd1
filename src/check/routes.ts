/**
 * Route tables that do not do what they say. Routes of a virtual host are tried in order and the first match wins
 * (docs/envoy-request-path.md §7), so a route is dead when an earlier one matches every request it would:
 * - an earlier route with no condition besides a `prefix` of `/` (or empty) catches every request with a path;
 * - an earlier route with exactly the same match;
 * - an earlier unconditional `prefix` P before a later `prefix`/`path` that starts with P, or an earlier
 *   unconditional `path` equal to a later `path` (`prefix` is plain string matching, not segment-aware: trap 13),
 *   or an earlier unconditional `path_separated_prefix` P before a later path/prefix equal to P or under `P/`;
 *   the earlier route must be at least as lenient about case (`case_sensitive: false` covers both; a
 *   case-sensitive one covers only case-sensitive ones). `safe_regex` ignores `case_sensitive` and is never judged.
 * Conditions (headers, query parameters, runtime fractions, grpc, TLS context, metadata) on the earlier route make
 * it narrower, so it shadows only by the identical-match rule; conditions on the later route do not save it.
 *
 * Duplicate domains: Envoy rejects a route configuration in which two virtual hosts share a domain (§6 item 7;
 * domains compare case-insensitively).
 */
import {get, getObject, isObject, type JsonObject} from '../envoy/fields.js'
import type {ConfigGraph, RouteConfigNode, VirtualHostNode} from '../graph/graph.js'
import {makeFinding} from './registry.js'
import type {CheckOptions, Finding} from './types.js'

const CONDITIONS = ['headers', 'query_parameters', 'runtime_fraction', 'grpc', 'tls_context', 'dynamic_metadata', 'filter_state', 'cel_expression']

interface PathMatch {
  kind: 'prefix' | 'path' | 'path_separated_prefix' | 'other'
  value: string
  caseSensitive: boolean
  unconditional: boolean
}

function pathMatch(match: JsonObject | undefined): PathMatch {
  const cs = get(match, 'case_sensitive')
  // case_sensitive is a BoolValue: absent = true; proto JSON may carry it as {value: false}
  const caseSensitive = cs === undefined ? true : isObject(cs) ? get(cs, 'value') !== false : cs !== false
  const unconditional = !CONDITIONS.some((c) => {
    const v = get(match, c)
    return v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)
  })
  for (const kind of ['prefix', 'path', 'path_separated_prefix'] as const) {
    const v = get(match, kind)
    if (typeof v === 'string') return {kind, value: v, caseSensitive, unconditional}
  }
  return {kind: 'other', value: '', caseSensitive, unconditional}
}

const lower = (s: string, cs: boolean): string => (cs ? s : s.toLowerCase())

/** Does the earlier match `a` match every request `b` would? (b's own conditions only narrow b further.) */
export function covers(a: PathMatch, b: PathMatch): boolean {
  if (!a.unconditional || a.kind === 'other' || b.kind === 'other') return false
  // a case-sensitive earlier route does not cover a case-insensitive later one (which matches more spellings)
  if (a.caseSensitive && !b.caseSensitive) return false
  const ci = !a.caseSensitive
  const av = lower(a.value, !ci)
  const bv = lower(b.value, !ci)
  switch (a.kind) {
    case 'prefix':
      if (av === '' || av === '/') return true
      return (b.kind === 'prefix' || b.kind === 'path') && bv.startsWith(av) ? true : b.kind === 'path_separated_prefix' && bv.startsWith(av)
    case 'path':
      return b.kind === 'path' && bv === av
    case 'path_separated_prefix': {
      const under = (v: string): boolean => v === av || v.startsWith(`${av}/`)
      if (b.kind === 'path' || b.kind === 'path_separated_prefix') return under(bv)
      return bv.startsWith(`${av}/`)
    }
  }
}

function routeConfigsToCheck(graph: ConfigGraph): RouteConfigNode[] {
  const out = [...graph.routeConfigs.values()]
  for (const l of graph.activeListeners) {
    for (const chain of [...l.chains, ...(l.defaultChain ? [l.defaultChain] : [])]) {
      if (chain.terminal.kind === 'http_connection_manager' && chain.terminal.routes.kind === 'inline') {
        const rc = graph.routeConfigOf(chain)
        if (rc) out.push(rc)
      }
    }
  }
  return out
}

export function checkRoutes(graph: ConfigGraph, opts: CheckOptions): Finding[] {
  const out: Finding[] = []
  for (const rc of routeConfigsToCheck(graph)) {
    const rcName = rc.name || (rc.owner ? `${rc.owner.listener}/${rc.owner.chain}` : '(inline)')
    const domains = new Map<string, string>()
    // each virtual host in a call of its own: with the loops nested here, V8 compiled the inner loop on-stack (OSR)
    // and left that code, a deoptimisation, at the end of every virtual host (~600 times on a 10,000-service dump)
    for (const vh of rc.virtualHosts) {
      duplicateDomains(vh, rcName, domains, opts, out)
      // a single route shadows nothing (most virtual hosts of a sidecar have one)
      if (vh.routes.length >= 2) shadowedRoutes(vh, rcName, opts, out)
    }
  }
  return out
}

/** DOMAIN_DUPLICATE: a domain of `vh` that an earlier virtual host of the same configuration claims (`domains`). */
function duplicateDomains(vh: VirtualHostNode, rcName: string, domains: Map<string, string>, opts: CheckOptions, out: Finding[]): void {
  for (const d of vh.domains) {
    const key = d.toLowerCase()
    const other = domains.get(key)
    if (other !== undefined && other !== vh.name) {
      out.push(makeFinding(opts.proxy, 'DOMAIN_DUPLICATE', {type: 'virtualHost', name: `${rcName}/${vh.name}`}, `domain "${d}" is also claimed by virtual host ${other}: Envoy rejects the route configuration`, 'two VirtualServices (or a VirtualService and a ServiceEntry) for the same host; merge them'))
    } else domains.set(key, vh.name)
  }
}

/** ROUTE_SHADOWED: each route of `vh` that an earlier route matches whenever it would. */
function shadowedRoutes(vh: VirtualHostNode, rcName: string, opts: CheckOptions, out: Finding[]): void {
  const matches = vh.routes.map((r) => getObject(r.raw, 'match'))
  const paths = matches.map(pathMatch)
  // each match's text once (not once per pair of routes)
  const texts = matches.map((m) => JSON.stringify(m ?? {}))
  for (let j = 1; j < vh.routes.length; j++) {
    for (let i = 0; i < j; i++) {
      // an identical match with a runtime fraction is not dead for sure: the fraction may be drawn per route
      const identical = texts[i] === texts[j] && get(matches[j], 'runtime_fraction') === undefined
      if (identical || covers(paths[i]!, paths[j]!)) {
        const r = vh.routes[j]!
        const earlier = vh.routes[i]!
        out.push(
          makeFinding(
            opts.proxy,
            'ROUTE_SHADOWED',
            {type: 'route', name: `${rcName}/${vh.name}/${r.name}`},
            `can never match: route ${earlier.name} (#${i}) before it matches every request it would (${describe(matches[i])}${identical ? ', the same match' : ''})`,
            'order the VirtualService http routes from the most specific to the least; a catch-all goes last',
          ),
        )
        break
      }
    }
  }
}

function describe(match: JsonObject | undefined): string {
  const p = pathMatch(match)
  const cond = p.unconditional ? '' : ' with conditions'
  if (p.kind === 'other') return `a ${Object.keys(match ?? {})[0] ?? 'match'}${cond}`
  return `${p.kind} "${p.value}"${p.caseSensitive ? '' : ' (any case)'}${cond}`
}
