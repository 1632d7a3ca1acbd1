/**
 * The HTTP half of `meshctl trace`: given ONE route configuration (Envoy `RouteConfiguration` JSON, snake_case or
 * lowerCamelCase) and a request, decide what Envoy's router decides — the virtual host (§6), the route (§7) and
 * what the route does (§8) — and say why, what else was tried, and what depends on state a dump lacks.
 *
 * Pure and plain: decisions are JSON-serialisable data (`trace -o json` prints them); field names are camelCase
 * and stable (docs/trace-routing.md). Spec: ../shared/docs/envoy-request-path.md (tags CFG, HU, HUT, MAT, CU, WCS,
 * RT, RCP name Envoy's source files). Performance: a route config's domains are indexed once (WeakMap per config
 * object), so a lookup among 10k virtual hosts costs one map probe per distinct wildcard length.
 */
import {get, getArray, getBool, getNumber, getObject, getString, isObject, type Json, type JsonObject} from '../envoy/fields.js'
import {
  anyPercent,
  describeHeaderMatcher,
  describeStringMatcher,
  durationMs,
  fillUriTemplate,
  formatMs,
  fraction,
  fractionPercent,
  fullMatch,
  type HeaderTable,
  headerTable,
  headerValue,
  isDynamicHeaderValue,
  matchHeader,
  matchMetadata,
  matchQueryParameter,
  matchUriTemplate,
  queryParams,
  re2ReplaceAll,
} from './matchers.js'

export interface HttpRequest {
  /** `GET` */
  method: string
  /** the Host header as sent, may carry `:port` ('' = no Host) */
  authority: string
  /** path + `?query` (+ `#fragment`) */
  path: string
  /** x-forwarded-proto */
  scheme: 'http' | 'https'
  /** extra headers (lowercase names), not pseudo-headers */
  headers: Array<[name: string, value: string]>
  /** router_check_tool's random_value: weighted pick and runtime fractions */
  randomValue?: number
  /**
   * Runtime keys the caller turned on. When given, runtime fractions follow router_check_tool: a route is enabled
   * only if its key is listed and `randomValue % denominator < numerator`, a numerator of 0 counting as 1.
   */
  runtimeEnabled?: ReadonlySet<string>
  /** x-envoy-internal: true */
  internal?: boolean
  /** the downstream client certificate (route `tls_context` matches); absent = plaintext, reported */
  tls?: {presented: boolean; validated: boolean}
  /** dynamic metadata (filter namespace → struct) for `dynamic_metadata` matchers; absent = unknown, reported */
  dynamicMetadata?: JsonObject
}

/** Something tried and rejected, for `--verbose`. index -1 = not one object (e.g. the exact-domain lookup). */
export interface Candidate {
  index: number
  name: string
  why: string
}

/** How routing itself ends the request (when it does): status, response flag (none for redirects/direct responses). */
export interface HttpOutcome {
  status: number
  /** Envoy's response flag (`NR`, `NC`); absent when Envoy sets none */
  flag?: string
  /** response code details as Envoy logs them */
  details: string
  location?: string
  body?: string
}

export type VhostMatchKind = 'exact' | 'suffixWildcard' | 'prefixWildcard' | 'catchAll' | 'none'

export interface VhostDecision {
  matched: boolean
  /** index in virtual_hosts, -1 when none */
  index: number
  name: string
  /** the domain that matched (`*.example.com`), '' when none */
  domain: string
  matchKind: VhostMatchKind
  /** the host as matched: lowercased, port removed under ignore_port_in_host_matching */
  host: string
  reason: string
  candidates: Candidate[]
  assumptions: string[]
  /** 404 NR (no virtual host) or the require_tls 301 */
  outcome?: HttpOutcome
  /** the virtual host routes by an xDS `matcher` tree instead of `routes` */
  usesMatcher: boolean
  virtualHost?: JsonObject
}

export interface RouteDecision {
  matched: boolean
  index: number
  name: string
  /** the route's match, described (`prefix /api, header :method exact "GET"`) */
  match: string
  reason: string
  candidates: Candidate[]
  assumptions: string[]
  /** 404 NR when nothing matched */
  outcome?: HttpOutcome
  route?: JsonObject
}

export type ActionKind = 'cluster' | 'cluster_header' | 'weighted' | 'redirect' | 'direct_response' | 'non_forwarding' | 'filter_action' | 'unknown'

export interface WeightedEntry {
  index: number
  name: string
  /** the entry names its cluster through a request header */
  clusterHeader?: string
  weight: number
  /** share of traffic, percent */
  percent: number
  /** [from, to) of `value % total` that picks this entry */
  range: [number, number]
  picked: boolean
}

export interface WeightedDecision {
  totalWeight: number
  entries: WeightedEntry[]
  /** index of the picked entry, -1 when none was picked */
  picked: number
  /** what picked it */
  pickedBy: 'pick' | 'randomValue' | 'header' | 'none'
  /** the value taken modulo totalWeight, when there was one */
  value?: number
}

export interface HeaderMutation {
  source: 'weightedCluster' | 'route' | 'virtualHost' | 'routeConfig'
  action: 'append' | 'addIfAbsent' | 'overwrite' | 'overwriteIfExists' | 'remove'
  name: string
  value?: string
  /** the value uses `%COMMAND%` substitution, decided per request */
  dynamic?: boolean
  keepEmpty?: boolean
}

export interface ActionEffects {
  /** the forwarded (or redirected) path when a rewrite changed it */
  pathRewrite?: {from: string; to: string; how: string}
  hostRewrite?: {from: string; to?: string; how: string}
  timeout?: {value: string; ms: number; source: 'route' | 'envoyDefault' | 'grpcTimeout'; disabled: boolean}
  retryPolicy?: {source: 'route' | 'virtualHost'; retryOn: string; numRetries: number; perTryTimeout?: string; retriableStatusCodes: number[]}
  mirrors: Array<{cluster: string; clusterHeader?: string; percent: number; source: 'route' | 'virtualHost' | 'routeConfig'}>
  fault?: {
    source: 'weightedCluster' | 'route' | 'virtualHost' | 'routeConfig'
    /** false when the fault's own conditions (headers, upstream_cluster, downstream_nodes) exclude this request */
    applies: boolean
    notApplying?: string
    abort?: {httpStatus?: number; grpcStatus?: number; fromHeader?: boolean; percent: number}
    delay?: {fixed?: string; fromHeader?: boolean; percent: number}
  }
  clusterNotFoundResponseCode: number
  istio?: {config: string; kind: string; namespace: string; name: string; routeName: string}
  requestHeaderMutations: HeaderMutation[]
  responseHeaderMutations: HeaderMutation[]
}

export interface ActionDecision {
  kind: ActionKind
  reason: string
  /** the cluster the request goes to ('' when none: redirect, direct response, missing cluster_header, no pick) */
  clusterName: string
  clusterHeader?: string
  weighted?: WeightedDecision
  redirect?: {url: string; code: number}
  directResponse?: {status: number; body?: string; bodySource?: string}
  effects: ActionEffects
  /** the request headers after the route's changes (pseudo-headers first), as the upstream or redirect sees them */
  requestHeaders: Array<[string, string]>
  assumptions: string[]
  outcome?: HttpOutcome
}

export interface HttpDecision {
  virtualHost: VhostDecision
  route?: RouteDecision
  action?: ActionDecision
  /** where routing itself ends the request (404 NR, 301, redirect, direct response, NC for a missing cluster_header) */
  outcome?: HttpOutcome
  assumptions: string[]
}

const MAX_CANDIDATES = 50

// ---------------------------------------------------------------------------------------------------------------
// Request context

interface Ctx {
  headers: HeaderTable
  /** path without query and fragment */
  pathOnly: string
  query?: Map<string, string>
}

const ctxCache = new WeakMap<HttpRequest, Ctx>()

/** The request's headers as Envoy's router sees them: pseudo-headers, x-forwarded-proto, x-envoy-internal, the rest. */
export function requestHeaderList(req: HttpRequest): Array<[string, string]> {
  const list: Array<[string, string]> = []
  if (req.authority !== '') list.push([':authority', req.authority])
  list.push([':path', req.path], [':method', req.method], [':scheme', req.scheme])
  const names = new Set(req.headers.map(([n]) => n.toLowerCase()))
  if (!names.has('x-forwarded-proto')) list.push(['x-forwarded-proto', req.scheme])
  if (req.internal && !names.has('x-envoy-internal')) list.push(['x-envoy-internal', 'true'])
  for (const [n, v] of req.headers) list.push([n.toLowerCase(), v])
  return list
}

function ctxOf(req: HttpRequest): Ctx {
  let c = ctxCache.get(req)
  if (!c) {
    c = {headers: headerTable(requestHeaderList(req)), pathOnly: pathWithoutQuery(req.path)}
    ctxCache.set(req, c)
  }
  return c
}

/** Http::PathUtil::removeQueryAndFragment. */
export function pathWithoutQuery(path: string): string {
  let end = path.length
  const q = path.indexOf('?')
  if (q >= 0) end = q
  const h = path.indexOf('#')
  if (h >= 0 && h < end) end = h
  return path.slice(0, end)
}

// ---------------------------------------------------------------------------------------------------------------
// §6 Virtual host selection

interface DomainIndex {
  exact: Map<string, number>
  suffixLens: number[]
  suffix: Map<number, Map<string, number>>
  prefixLens: number[]
  prefix: Map<number, Map<string, number>>
  star: number
  /** domains listed more than once (Envoy rejects such a config; the first stands here) */
  duplicates: string[]
}

const domainCache = new WeakMap<JsonObject, DomainIndex>()

function addWildcard(lens: number[], maps: Map<number, Map<string, number>>, key: string, i: number, dups: string[], domain: string): void {
  let m = maps.get(key.length)
  if (!m) {
    m = new Map()
    maps.set(key.length, m)
    lens.push(key.length)
  }
  // duplicate domains reject the config in Envoy; the first one stands here
  if (m.has(key)) dups.push(domain)
  else m.set(key, i)
}

/** CFG RouteMatcher constructor: domains lowercased once; wildcards bucketed by length, longest first. */
function domainIndex(routeConfig: JsonObject): DomainIndex {
  let idx = domainCache.get(routeConfig)
  if (idx) return idx
  idx = {exact: new Map(), suffixLens: [], suffix: new Map(), prefixLens: [], prefix: new Map(), star: -1, duplicates: []}
  const vhosts = getArray(routeConfig, 'virtual_hosts')
  for (let i = 0; i < vhosts.length; i++) {
    for (const d of getArray(vhosts[i], 'domains')) {
      if (typeof d !== 'string') continue
      const domain = d.toLowerCase()
      if (domain === '*') {
        if (idx.star < 0) idx.star = i
        else idx.duplicates.push(domain)
      } else if (domain.startsWith('*')) addWildcard(idx.suffixLens, idx.suffix, domain.slice(1), i, idx.duplicates, domain)
      else if (domain.endsWith('*')) addWildcard(idx.prefixLens, idx.prefix, domain.slice(0, -1), i, idx.duplicates, domain)
      else if (idx.exact.has(domain)) idx.duplicates.push(domain)
      else idx.exact.set(domain, i)
    }
  }
  idx.suffixLens.sort((a, b) => b - a)
  idx.prefixLens.sort((a, b) => b - a)
  domainCache.set(routeConfig, idx)
  return idx
}

/** HU getPortStart: the last `:` not inside `[...]` (IPv6). */
export function portStart(host: string): number {
  const colon = host.lastIndexOf(':')
  if (colon < 0) return -1
  const v6end = host.lastIndexOf(']')
  if (v6end < 0 || v6end < colon) return colon + 1 > host.length ? -1 : colon
  return -1
}

function vhostName(vh: Json | undefined): string {
  return getString(vh, 'name')
}

const REQUIRE_TLS: Record<string, 'NONE' | 'EXTERNAL_ONLY' | 'ALL'> = {NONE: 'NONE', EXTERNAL_ONLY: 'EXTERNAL_ONLY', ALL: 'ALL', '0': 'NONE', '1': 'EXTERNAL_ONLY', '2': 'ALL'}

/**
 * CFG findVirtualHost: exact domain, then suffix wildcards (`*.foo.com`, `*foo.com`) longest first, then prefix
 * wildcards (`foo.*`) longest first — a wildcard must cover at least one character — then `*`. Case-insensitive.
 * Then VirtualHostImpl::getRouteFromEntries' TLS check: require_tls ALL (EXTERNAL_ONLY unless x-envoy-internal)
 * and x-forwarded-proto not https ⇒ 301 to `https://<host><path>`.
 */
export function selectVirtualHost(routeConfig: JsonObject, req: HttpRequest): VhostDecision {
  const vhosts = getArray(routeConfig, 'virtual_hosts')
  const idx = domainIndex(routeConfig)
  const ignorePort = getBool(routeConfig, 'ignore_port_in_host_matching')
  const candidates: Candidate[] = []
  const assumptions: string[] = []
  let host = req.authority
  if (ignorePort) {
    const p = portStart(host)
    if (p >= 0) host = host.slice(0, p)
  }
  host = host.toLowerCase()
  if (idx.duplicates.length > 0) {
    const shown = idx.duplicates.slice(0, 5).join(', ') + (idx.duplicates.length > 5 ? ', ...' : '')
    assumptions.push(`domains listed by more than one virtual host (${shown}): Envoy rejects such a route configuration; the first listing is used`)
  }
  const chosen = (i: number, kind: VhostMatchKind, domain: string, reason: string): VhostDecision => {
    const vh = vhosts[i] as JsonObject
    const d: VhostDecision = {
      matched: true,
      index: i,
      name: vhostName(vh),
      domain,
      matchKind: kind,
      host,
      reason,
      candidates,
      assumptions,
      usesMatcher: getObject(vh, 'matcher') !== undefined,
      virtualHost: vh,
    }
    requireTls(d, vh, req)
    return d
  }
  const none = (reason: string): VhostDecision => ({
    matched: false,
    index: -1,
    name: '',
    domain: '',
    matchKind: 'none',
    host,
    reason,
    candidates,
    assumptions,
    usesMatcher: false,
    outcome: {status: 404, flag: 'NR', details: 'route_not_found'},
  })
  // fast path: only a default virtual host (CFG): it takes every request, with or without a Host
  if (idx.exact.size === 0 && idx.suffixLens.length === 0 && idx.prefixLens.length === 0) {
    if (idx.star >= 0) return chosen(idx.star, 'catchAll', '*', `catch-all domain * (the only domain of ${vhostName(vhosts[idx.star]) || `virtual host ${idx.star}`})`)
    return none(vhosts.length === 0 ? 'the route configuration has no virtual hosts' : 'no virtual host has a domain')
  }
  if (req.authority === '') return none('the request has no Host (:authority), so no virtual host is selected')
  const portNote = ignorePort ? '' : portStart(host) >= 0 ? ' (the port is part of the host: ignore_port_in_host_matching is off)' : ''
  const exact = idx.exact.get(host)
  if (exact !== undefined) return chosen(exact, 'exact', host, `exact domain ${host}`)
  candidates.push({index: -1, name: '', why: `no exact domain ${JSON.stringify(host)} among ${idx.exact.size}${portNote}`})
  const note = (i: number, domain: string, why: string) => {
    if (candidates.length < MAX_CANDIDATES) candidates.push({index: i, name: vhostName(vhosts[i]), why: `${domain}: ${why}`})
  }
  const tryWildcards = (lens: number[], maps: Map<number, Map<string, number>>, suffix: boolean): VhostDecision | undefined => {
    for (const len of lens) {
      const m = maps.get(len)!
      if (len >= host.length) {
        // the `*` must stand for at least one character
        for (const [key, i] of m) note(i, suffix ? `*${key}` : `${key}*`, `the host must be longer than ${key.length} characters for the * to cover one`)
        continue
      }
      const key = suffix ? host.slice(host.length - len) : host.slice(0, len)
      const i = m.get(key)
      if (i !== undefined) {
        const domain = suffix ? `*${key}` : `${key}*`
        return chosen(i, suffix ? 'suffixWildcard' : 'prefixWildcard', domain, `${suffix ? 'suffix' : 'prefix'} wildcard ${domain}`)
      }
      for (const [k, j] of m) note(j, suffix ? `*${k}` : `${k}*`, `host ${JSON.stringify(host)} does not ${suffix ? 'end' : 'start'} with ${JSON.stringify(k)}`)
    }
    return undefined
  }
  const wild = tryWildcards(idx.suffixLens, idx.suffix, true) ?? tryWildcards(idx.prefixLens, idx.prefix, false)
  if (wild) return wild
  if (idx.star >= 0) return chosen(idx.star, 'catchAll', '*', `catch-all domain * (no exact or wildcard domain matched ${host})`)
  return none(`no virtual host matches host ${JSON.stringify(host)}${portNote}`)
}

function forwardedProto(req: HttpRequest): string {
  return ctxOf(req).headers.get('x-forwarded-proto')?.[0] ?? req.scheme
}

function requireTls(d: VhostDecision, vh: JsonObject, req: HttpRequest): void {
  const mode = REQUIRE_TLS[getString(vh, 'require_tls')] ?? 'NONE'
  // the x-forwarded-proto header decides (CFG getRouteFromEntries); it is the request's scheme unless given
  const xfp = forwardedProto(req)
  if (mode === 'NONE' || xfp === 'https') return
  const internal = headerValue(ctxOf(req).headers, 'x-envoy-internal') === 'true'
  if (mode === 'EXTERNAL_ONLY' && internal) {
    d.reason += '; require_tls EXTERNAL_ONLY does not apply to an internal request'
    return
  }
  // SslRedirector: https://<Host as sent><path>, 301 (CFG)
  const location = `https://${req.authority}${req.path}`
  d.reason += `; require_tls ${mode} and x-forwarded-proto is ${xfp}: 301 to ${location}`
  d.outcome = {status: 301, details: 'direct_response', location}
}

// ---------------------------------------------------------------------------------------------------------------
// §7 Route matching

/** `prefix /api`, `path /x`, `regex ^/v[0-9]+$`, `path_separated_prefix /a`, `uri_template /x/{y}`, `connect`. */
export function describePathSpecifier(m: Json | undefined): string {
  const ci = caseSensitive(m) ? '' : ' (case-insensitive)'
  if (get(m, 'prefix') !== undefined) return `prefix ${getString(m, 'prefix')}${ci}`
  if (get(m, 'path') !== undefined) return `path ${getString(m, 'path')}${ci}`
  const re = getObject(m, 'safe_regex')
  if (re) return `regex ${getString(re, 'regex')}`
  if (get(m, 'path_separated_prefix') !== undefined) return `path_separated_prefix ${getString(m, 'path_separated_prefix')}${ci}`
  const pmp = getObject(m, 'path_match_policy')
  if (pmp) {
    const tpl = getString(getObject(pmp, 'typed_config'), 'path_template')
    return tpl ? `uri_template ${tpl}` : `path_match_policy ${getString(pmp, 'name')}`
  }
  if (getObject(m, 'connect_matcher')) return 'connect'
  if (typeof get(m, 'regex') === 'string') return `regex ${getString(m, 'regex')} (v2)`
  return 'no path specifier'
}

/** The whole match described: path specifier plus conditions. */
export function describeRouteMatch(m: Json | undefined): string {
  const parts = [describePathSpecifier(m)]
  for (const h of getArray(m, 'headers')) if (isObject(h)) parts.push(`header ${describeHeaderMatcher(h)}`)
  for (const q of getArray(m, 'query_parameters')) {
    if (isObject(q)) {
      const present = get(q, 'present_match')
      const sm = getObject(q, 'string_match')
      parts.push(`query ${getString(q, 'name')} ${present !== undefined ? (getBool(q, 'present_match') ? 'present' : 'absent') : sm ? describeStringMatcher(sm) : 'present'}`)
    }
  }
  if (getObject(m, 'grpc')) parts.push('grpc')
  const rf = getObject(m, 'runtime_fraction')
  if (rf) parts.push(`runtime_fraction ${fractionPercent(getObject(rf, 'default_value'))}%${getString(rf, 'runtime_key') ? ` (${getString(rf, 'runtime_key')})` : ''}`)
  if (getObject(m, 'tls_context')) parts.push('tls_context')
  if (getArray(m, 'dynamic_metadata').length > 0) parts.push('dynamic_metadata')
  if (getArray(m, 'filter_state').length > 0) parts.push('filter_state')
  return parts.join(', ')
}

interface PathMatch {
  ok: boolean
  why: string
  /** what prefix_rewrite replaces (the configured match string, or the whole path for regexes) */
  matched?: string
  vars?: Record<string, string>
  unknown?: boolean
}

function caseSensitive(m: Json | undefined): boolean {
  const v = get(m, 'case_sensitive')
  // BoolValue, default true (RCP)
  if (isObject(v)) return get(v, 'value') !== false
  return v !== false && v !== 'false'
}

/**
 * The path specifier (CFG `*RouteEntryImpl::matches`, MAT): compared with the path without query and fragment, and
 * without everything from the first `;` under ignore_path_parameters_in_path_matching.
 */
function matchPath(m: JsonObject | undefined, req: HttpRequest, ignoreParams: boolean): PathMatch {
  let p = ctxOf(req).pathOnly
  if (ignoreParams) {
    const semi = p.indexOf(';')
    if (semi >= 0) p = p.slice(0, semi)
  }
  const cs = caseSensitive(m)
  const eq = (a: string, b: string) => (cs ? a === b : a.toLowerCase() === b.toLowerCase())
  const starts = (s: string, pre: string) => (cs ? s.startsWith(pre) : s.toLowerCase().startsWith(pre.toLowerCase()))
  const isConnect = req.method.toUpperCase() === 'CONNECT'
  const connectMatcher = getObject(m, 'connect_matcher')
  if (connectMatcher) return isConnect ? {ok: true, why: 'CONNECT request'} : {ok: false, why: `connect_matcher needs a CONNECT request, not ${req.method}`}
  if (get(m, 'prefix') !== undefined) {
    const pre = getString(m, 'prefix')
    return starts(p, pre) ? {ok: true, why: `prefix ${pre}`, matched: pre} : {ok: false, why: `path ${p} does not start with ${pre}${cs ? '' : ' (case-insensitive)'}`}
  }
  if (get(m, 'path') !== undefined) {
    const want = getString(m, 'path')
    return eq(p, want) ? {ok: true, why: `path ${want}`, matched: want} : {ok: false, why: `path ${p} is not ${want}${cs ? '' : ' (case-insensitive)'}`}
  }
  const re = getObject(m, 'safe_regex')
  if (re) {
    const pattern = getString(re, 'regex')
    // full match; case_sensitive does not apply to regexes (CFG)
    const r = fullMatch(pattern, p)
    if (typeof r === 'string') return {ok: false, why: r, unknown: true}
    return r ? {ok: true, why: `regex ${pattern}`, matched: p} : {ok: false, why: `path ${p} does not fully match regex ${pattern}`}
  }
  if (get(m, 'path_separated_prefix') !== undefined) {
    const pre = getString(m, 'path_separated_prefix')
    const ok = starts(p, pre) && (p.length === pre.length || p[pre.length] === '/')
    return ok ? {ok, why: `path_separated_prefix ${pre}`, matched: pre} : {ok, why: `path ${p} is neither ${pre} nor under ${pre}/`}
  }
  const pmp = getObject(m, 'path_match_policy')
  if (pmp) {
    const tpl = getString(getObject(pmp, 'typed_config'), 'path_template')
    if (!tpl) return {ok: false, why: `path_match_policy ${getString(pmp, 'name')} is not a URI template meshctl knows`, unknown: true}
    const vars = matchUriTemplate(tpl, p)
    return vars ? {ok: true, why: `uri_template ${tpl}`, matched: p, vars} : {ok: false, why: `path ${p} does not match template ${tpl}`}
  }
  const legacy = get(m, 'regex')
  if (typeof legacy === 'string') {
    const r = fullMatch(legacy, p)
    if (typeof r === 'string') return {ok: false, why: r, unknown: true}
    return r ? {ok: true, why: `regex ${legacy} (v2 regex evaluated as RE2)`, matched: p} : {ok: false, why: `path ${p} does not fully match regex ${legacy}`}
  }
  return {ok: false, why: 'the route has no path specifier', unknown: true}
}

interface CondResult {
  ok: boolean
  why: string
  /** notes on conditions decided by assumption (kept when they decided the outcome) */
  notes: string[]
}

/**
 * RouteEntryImplBase::matchRoute (CFG), in Envoy's order: runtime fraction, grpc, headers, query parameters,
 * tls_context, dynamic_metadata, filter_state. Conditions meshctl cannot know are assumed (and said).
 */
function matchConditions(m: JsonObject | undefined, req: HttpRequest, label: string): CondResult {
  const ctx = ctxOf(req)
  const notes: string[] = []
  // a failure keeps only the note of the condition that failed, when that condition was itself assumed
  const fail = (why: string, note?: string): CondResult => ({ok: false, why, notes: note ? [note] : []})
  const rf = getObject(m, 'runtime_fraction')
  if (rf) {
    const key = getString(rf, 'runtime_key')
    let {numerator, denominator} = fraction(getObject(rf, 'default_value'))
    const pct = Math.min(100, (numerator / denominator) * 100)
    if (req.runtimeEnabled) {
      // router_check_tool: numerator 0 becomes 1; only a listed runtime key can enable the route
      if (numerator === 0) numerator = 1
      const rv = req.randomValue ?? 0
      if (!req.runtimeEnabled.has(key)) return fail(`runtime_fraction key ${JSON.stringify(key)} is not enabled by the test's runtime`)
      if (rv % denominator >= numerator) return fail(`runtime_fraction: random value ${rv} % ${denominator} = ${rv % denominator} is not below ${numerator}`)
    } else if (req.randomValue !== undefined) {
      const rv = req.randomValue
      const note = key ? `${label}: runtime key ${key} assumed not overridden (its default ${pct}% applies)` : undefined
      if (rv % denominator >= numerator) return fail(`runtime_fraction ${pct}%: random value ${rv} % ${denominator} = ${rv % denominator} is not below ${numerator}`, note)
      if (note) notes.push(note)
    } else if (pct >= 100) {
      if (key) notes.push(`${label}: runtime_fraction 100% assumed (runtime key ${key} may override it)`)
    } else if (numerator === 0) {
      return fail('runtime_fraction 0%', `${label}: runtime_fraction 0% assumed off${key ? ` (runtime key ${key} may enable it)` : ''}`)
    } else {
      notes.push(`${label} matches only ${pct}% of requests (runtime_fraction${key ? ` ${key}` : ''}); assumed to match — give a random value to decide`)
    }
  }
  if (getObject(m, 'grpc')) {
    // Grpc::Common::hasGrpcContentType: exactly application/grpc or application/grpc+...
    const ct = headerValue(ctx.headers, 'content-type') ?? ''
    if (!(ct === 'application/grpc' || ct.startsWith('application/grpc+'))) return fail(`grpc: content-type ${ct ? JSON.stringify(ct) : 'absent'} is not application/grpc`)
  }
  for (const h of getArray(m, 'headers')) {
    if (!isObject(h)) continue
    const r = matchHeader(h, ctx.headers)
    if (!r.ok) return fail(`header ${r.why}`, r.unknown ? `${label}: ${r.why}` : undefined)
    if (r.unknown) notes.push(`${label}: ${r.why}`)
  }
  const qps = getArray(m, 'query_parameters')
  if (qps.length > 0) {
    ctx.query ??= queryParams(req.path)
    for (const q of qps) {
      if (!isObject(q)) continue
      const r = matchQueryParameter(q, ctx.query)
      if (!r.ok) return fail(r.why, r.unknown ? `${label}: ${r.why}` : undefined)
      if (r.unknown) notes.push(`${label}: ${r.why}`)
    }
  }
  const tls = getObject(m, 'tls_context')
  if (tls) {
    const presented = req.tls?.presented ?? false
    const validated = req.tls?.validated ?? false
    const note = req.tls ? undefined : `${label}: tls_context checked against a plaintext downstream (no client certificate)`
    if (get(tls, 'presented') !== undefined && getBool(tls, 'presented') !== presented) return fail(`tls_context: client certificate ${presented ? '' : 'not '}presented`, note)
    if (get(tls, 'validated') !== undefined && getBool(tls, 'validated') !== validated) return fail(`tls_context: client certificate ${validated ? '' : 'not '}validated`, note)
    if (note) notes.push(note)
  }
  const dm = getArray(m, 'dynamic_metadata')
  if (dm.length > 0) {
    if (req.dynamicMetadata) {
      for (const mm of dm) if (isObject(mm) && !matchMetadata(mm, req.dynamicMetadata)) return fail(`dynamic_metadata ${getString(mm, 'filter')} does not match`)
    } else {
      return fail(
        'dynamic_metadata unknown (assumed not to match)',
        `${label} needs dynamic metadata (${dm.map((x) => getString(x, 'filter')).join(', ')}; e.g. JWT claims), which a dump does not show: assumed absent, so the route is skipped`,
      )
    }
  }
  const fs = getArray(m, 'filter_state')
  if (fs.length > 0) {
    return fail('filter_state unknown (assumed not to match)', `${label} needs filter state (${fs.map((x) => getString(x, 'key')).join(', ')}), decided at run time: assumed absent, so the route is skipped`)
  }
  return {ok: true, why: '', notes}
}

function routeLabel(r: Json, i: number): string {
  const n = getString(r, 'name')
  return n ? `route ${i} (${n})` : `route ${i}`
}

/**
 * First match wins (RCP; CFG getRouteFromRoutes). `routeConfig` carries ignore_path_parameters_in_path_matching.
 */
export function matchRoute(vhost: JsonObject, req: HttpRequest, routeConfig?: JsonObject): RouteDecision {
  const candidates: Candidate[] = []
  const assumptions: string[] = []
  const nr: HttpOutcome = {status: 404, flag: 'NR', details: 'route_not_found'}
  if (getObject(vhost, 'matcher')) {
    assumptions.push('the virtual host routes by an xDS matcher tree, which meshctl does not evaluate')
    return {matched: false, index: -1, name: '', match: '', reason: 'the virtual host routes by a `matcher` tree (not evaluated)', candidates, assumptions}
  }
  const routes = getArray(vhost, 'routes')
  const ignoreParams = getBool(routeConfig, 'ignore_path_parameters_in_path_matching')
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i]
    if (!isObject(r)) continue
    const m = getObject(r, 'match')
    const label = routeLabel(r, i)
    const pm = matchPath(m, req, ignoreParams)
    if (pm.unknown) assumptions.push(`${label}: ${pm.why}`)
    if (!pm.ok) {
      if (candidates.length < MAX_CANDIDATES) candidates.push({index: i, name: getString(r, 'name'), why: pm.why})
      continue
    }
    const c = matchConditions(m, req, label)
    assumptions.push(...c.notes)
    if (!c.ok) {
      if (candidates.length < MAX_CANDIDATES) candidates.push({index: i, name: getString(r, 'name'), why: `${pm.why} matches, but ${c.why}`})
      continue
    }
    const desc = describeRouteMatch(m)
    return {matched: true, index: i, name: getString(r, 'name'), match: desc, reason: desc, candidates, assumptions, route: r}
  }
  if (candidates.length >= MAX_CANDIDATES && routes.length > MAX_CANDIDATES) candidates.push({index: -1, name: '', why: `... and ${routes.length - MAX_CANDIDATES} more routes`})
  return {
    matched: false,
    index: -1,
    name: '',
    match: '',
    reason: routes.length === 0 ? 'the virtual host has no routes' : `none of the ${routes.length} routes matches ${req.method} ${req.path}`,
    candidates,
    assumptions,
    outcome: nr,
  }
}

// ---------------------------------------------------------------------------------------------------------------
// §8 Actions

const REDIRECT_CODES: Record<string, number> = {
  MOVED_PERMANENTLY: 301,
  FOUND: 302,
  SEE_OTHER: 303,
  TEMPORARY_REDIRECT: 307,
  PERMANENT_REDIRECT: 308,
  '0': 301,
  '1': 302,
  '2': 303,
  '3': 307,
  '4': 308,
}

const CLUSTER_NOT_FOUND_CODES: Record<string, number> = {SERVICE_UNAVAILABLE: 503, NOT_FOUND: 404, INTERNAL_SERVER_ERROR: 500, '0': 503, '1': 404, '2': 500}

/** Default route timeout when RouteAction.timeout is absent (CFG DEFAULT_ROUTE_TIMEOUT_MS). */
const DEFAULT_TIMEOUT_MS = 15000

const FAULT_FILTERS = ['envoy.filters.http.fault', 'envoy.fault']

function headerOptionMutations(list: Json[], source: HeaderMutation['source']): HeaderMutation[] {
  const out: HeaderMutation[] = []
  for (const o of list) {
    const h = getObject(o, 'header')
    if (!h) continue
    const name = getString(h, 'key').toLowerCase()
    const rawValue = get(h, 'raw_value')
    const value = typeof rawValue === 'string' && get(h, 'value') === undefined ? Buffer.from(rawValue, 'base64').toString('utf8') : getString(h, 'value')
    const appendAction = getString(o, 'append_action')
    let action: HeaderMutation['action'] = 'append'
    if (appendAction === 'ADD_IF_ABSENT' || appendAction === '1') action = 'addIfAbsent'
    else if (appendAction === 'OVERWRITE_IF_EXISTS_OR_ADD' || appendAction === '2') action = 'overwrite'
    else if (appendAction === 'OVERWRITE_IF_EXISTS' || appendAction === '3') action = 'overwriteIfExists'
    else if (!appendAction && get(o, 'append') !== undefined) {
      // deprecated `append` (BoolValue): false = overwrite
      const a = get(o, 'append')
      action = (isObject(a) ? get(a, 'value') : a) === false || a === 'false' ? 'overwrite' : 'append'
    }
    out.push({source, action, name, value, ...(isDynamicHeaderValue(value) ? {dynamic: true} : {}), ...(getBool(o, 'keep_empty_value') ? {keepEmpty: true} : {})})
  }
  return out
}

/** One level's HeaderParser: removals first, then additions (Envoy's remove-before-add). */
function levelMutations(obj: Json | undefined, dir: 'request' | 'response', source: HeaderMutation['source']): HeaderMutation[] {
  const removes = getArray(obj, `${dir}_headers_to_remove`).map((n): HeaderMutation => ({source, action: 'remove', name: String(n).toLowerCase()}))
  return [...removes, ...headerOptionMutations(getArray(obj, `${dir}_headers_to_add`), source)]
}

/**
 * Header mutations in the order Envoy applies them (CFG getHeaderParsers): a weighted cluster entry's own first,
 * then route, virtual host, route configuration — or route configuration, virtual host, route under
 * most_specific_header_mutations_wins (the last applied wins an overwrite).
 */
function mutations(dir: 'request' | 'response', entry: Json | undefined, route: JsonObject, vhost: JsonObject, rc: JsonObject): HeaderMutation[] {
  const levels: HeaderMutation[][] = [levelMutations(route, dir, 'route'), levelMutations(vhost, dir, 'virtualHost'), levelMutations(rc, dir, 'routeConfig')]
  if (getBool(rc, 'most_specific_header_mutations_wins')) levels.reverse()
  const first = entry ? levelMutations(entry, dir, 'weightedCluster') : []
  return [...first, ...levels.flat()]
}

/** Applies header mutations to a header list (names lowercase); returns a new list. */
export function applyHeaderMutations(headers: ReadonlyArray<readonly [string, string]>, muts: readonly HeaderMutation[]): Array<[string, string]> {
  let list: Array<[string, string]> = headers.map(([n, v]) => [n, v])
  for (const m of muts) {
    const has = list.some(([n]) => n === m.name)
    if (m.action === 'remove') {
      // pseudo-headers and Host cannot be removed by header mutations
      if (!m.name.startsWith(':') && m.name !== 'host') list = list.filter(([n]) => n !== m.name)
      continue
    }
    const value = m.value ?? ''
    if (value === '' && !m.keepEmpty) continue
    if (m.action === 'addIfAbsent' && has) continue
    if (m.action === 'overwriteIfExists' && !has) continue
    if (m.action === 'overwrite' || m.action === 'overwriteIfExists') {
      const at = list.findIndex(([n]) => n === m.name)
      list = list.filter(([n], k) => n !== m.name || k === at)
      if (at >= 0) list[list.findIndex(([n]) => n === m.name)] = [m.name, value]
      else list.push([m.name, value])
      continue
    }
    list.push([m.name, value])
  }
  return list
}

function setHeader(list: Array<[string, string]>, name: string, value: string): void {
  const at = list.findIndex(([n]) => n === name)
  if (at >= 0) list[at] = [name, value]
  else list.push([name, value])
}

function getHeader(list: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  return list.find(([n]) => n === name)?.[1]
}

function perFilterConfig(obj: Json | undefined): JsonObject | undefined {
  const tpfc = getObject(obj, 'typed_per_filter_config')
  if (!tpfc) return undefined
  for (const k of FAULT_FILTERS) {
    let c = tpfc[k]
    if (!isObject(c)) continue
    // envoy.config.route.v3.FilterConfig wraps the real config
    if (getObject(c, 'config')) {
      if (getBool(c, 'disabled')) return undefined
      c = getObject(c, 'config')!
    }
    return c
  }
  return undefined
}

function faultEffect(entry: Json | undefined, route: JsonObject, vhost: JsonObject, rc: JsonObject, headers: HeaderTable, cluster: string): ActionEffects['fault'] {
  // the most specific per-filter config wins
  const levels: Array<[NonNullable<ActionEffects['fault']>['source'], Json | undefined]> = [
    ['weightedCluster', entry],
    ['route', route],
    ['virtualHost', vhost],
    ['routeConfig', rc],
  ]
  for (const [source, obj] of levels) {
    const f = perFilterConfig(obj)
    if (!f) continue
    const out: NonNullable<ActionEffects['fault']> = {source, applies: true}
    // FaultFilter::decodeHeaders: the fault only applies to its upstream cluster, its downstream nodes, its headers
    const upstream = getString(f, 'upstream_cluster')
    const nodes = getArray(f, 'downstream_nodes').map(String)
    const failing = getArray(f, 'headers')
      .filter(isObject)
      .find((h) => !matchHeader(h, headers).ok)
    if (upstream && upstream !== cluster) out.notApplying = `the fault targets upstream cluster ${upstream}`
    else if (nodes.length > 0 && !nodes.includes(headers.get('x-envoy-downstream-service-node')?.[0] ?? '')) out.notApplying = `the fault targets downstream nodes ${nodes.join(', ')} (x-envoy-downstream-service-node)`
    else if (failing) out.notApplying = `the fault's header condition fails: ${describeHeaderMatcher(failing)}`
    if (out.notApplying) out.applies = false
    const abort = getObject(f, 'abort')
    if (abort) {
      out.abort = {percent: anyPercent(getObject(abort, 'percentage')) ?? 0}
      if (get(abort, 'http_status') !== undefined) out.abort.httpStatus = getNumber(abort, 'http_status')
      if (get(abort, 'grpc_status') !== undefined) out.abort.grpcStatus = getNumber(abort, 'grpc_status')
      if (getObject(abort, 'header_abort')) out.abort.fromHeader = true
    }
    const delay = getObject(f, 'delay')
    if (delay) {
      out.delay = {percent: anyPercent(getObject(delay, 'percentage')) ?? 0}
      const ms = durationMs(get(delay, 'fixed_delay'))
      if (ms !== undefined) out.delay.fixed = formatMs(ms)
      if (getObject(delay, 'header_delay')) out.delay.fromHeader = true
    }
    return out
  }
  return undefined
}

/** `/apis/networking.istio.io/v1/namespaces/<ns>/virtual-service/<name>` (Istio util.BuildConfigInfoMetadata). */
function istioProvenance(route: JsonObject): ActionEffects['istio'] {
  const config = getString(getObject(getObject(getObject(route, 'metadata'), 'filter_metadata'), 'istio'), 'config')
  if (!config) return undefined
  const m = /^\/apis\/[^/]+\/[^/]+\/namespaces\/([^/]+)\/([^/]+)\/(.+)$/.exec(config)
  return {config, kind: m ? m[2] : '', namespace: m ? m[1] : '', name: m ? m[3] : '', routeName: getString(route, 'name')}
}

function retryEffect(action: JsonObject | undefined, vhost: JsonObject): ActionEffects['retryPolicy'] {
  // the route's policy replaces the virtual host's (no merge)
  let rp = getObject(action, 'retry_policy')
  let source: 'route' | 'virtualHost' = 'route'
  if (!rp) {
    rp = getObject(vhost, 'retry_policy')
    source = 'virtualHost'
  }
  if (!rp) return undefined
  const per = durationMs(get(rp, 'per_try_timeout'))
  return {
    source,
    retryOn: getString(rp, 'retry_on'),
    // num_retries defaults to 1 (RCP RetryPolicy)
    numRetries: get(rp, 'num_retries') === undefined ? 1 : getNumber(rp, 'num_retries'),
    ...(per !== undefined ? {perTryTimeout: formatMs(per)} : {}),
    retriableStatusCodes: getArray(rp, 'retriable_status_codes').map(Number),
  }
}

function mirrorEffect(action: JsonObject | undefined, vhost: JsonObject, rc: JsonObject): ActionEffects['mirrors'] {
  // the most specific level that has mirror policies wins
  const levels: Array<['route' | 'virtualHost' | 'routeConfig', Json[]]> = [
    ['route', [...getArray(action, 'request_mirror_policies'), ...(getObject(action, 'request_mirror_policy') ? [getObject(action, 'request_mirror_policy')!] : [])]],
    ['virtualHost', getArray(vhost, 'request_mirror_policies')],
    ['routeConfig', getArray(rc, 'request_mirror_policies')],
  ]
  for (const [source, list] of levels) {
    if (list.length === 0) continue
    return list.map((p) => {
      const rf = getObject(p, 'runtime_fraction')
      const ch = getString(p, 'cluster_header')
      return {
        cluster: getString(p, 'cluster'),
        ...(ch ? {clusterHeader: ch} : {}),
        percent: rf ? fractionPercent(getObject(rf, 'default_value')) : 100,
        source,
      }
    })
  }
  return []
}

/** Route/redirect path rewrite (CFG currentUrlPathAfterRewriteWithMatchedPath); undefined when nothing rewrites. */
function rewritePath(spec: JsonObject | undefined, route: JsonObject, req: HttpRequest, routeConfig: JsonObject): {to: string; how: string} | {error: string} | undefined {
  if (!spec) return undefined
  const path = req.path
  const prefixRewrite = get(spec, 'prefix_rewrite')
  if (typeof prefixRewrite === 'string' && prefixRewrite !== '') {
    const pm = matchPath(getObject(route, 'match'), req, getBool(routeConfig, 'ignore_path_parameters_in_path_matching'))
    const matched = pm.matched ?? ''
    // literal surgery: the configured match string is replaced, the rest (query included) kept (trap 14)
    return {to: prefixRewrite + path.slice(matched.length), how: `prefix_rewrite ${JSON.stringify(matched)} → ${JSON.stringify(prefixRewrite)}`}
  }
  const rr = getObject(spec, 'regex_rewrite')
  if (rr) {
    const pattern = getString(getObject(rr, 'pattern'), 'regex')
    const sub = getString(rr, 'substitution')
    const just = pathWithoutQuery(path)
    const r = re2ReplaceAll(pattern, just, sub)
    if (typeof r !== 'string') return r
    // the query (and fragment) is re-appended
    return {to: r + path.slice(just.length), how: `regex_rewrite ${JSON.stringify(pattern)} → ${JSON.stringify(sub)}`}
  }
  const prp = getObject(spec, 'path_rewrite_policy')
  if (prp) {
    const tpl = getString(getObject(prp, 'typed_config'), 'path_template_rewrite')
    if (!tpl) return {error: `path_rewrite_policy ${getString(prp, 'name')} is not a URI template rewrite meshctl knows`}
    const pm = matchPath(getObject(route, 'match'), req, getBool(routeConfig, 'ignore_path_parameters_in_path_matching'))
    const filled = fillUriTemplate(tpl, pm.vars ?? {})
    if (typeof filled !== 'string') return filled
    // CFG currentUrlPathAfterRewriteWithMatchedPath: the rewriter gets the path without query and its result
    // replaces the whole :path, so (unlike regex_rewrite) the query is not carried over
    return {to: filled, how: `uri_template rewrite ${tpl}${path.length > pathWithoutQuery(path).length ? ' (the query is dropped)' : ''}`}
  }
  return undefined
}

/** HUT processRequestHost: drop the port when a new port is set, or the scheme changes away from its default port. */
function redirectHost(req: HttpRequest, newScheme: string, newPort: string): string {
  const host = req.authority
  if (host === '') return host
  let end: number
  if (host[0] === '[') {
    end = host.lastIndexOf(']:')
    if (end >= 0) end += 1
  } else end = host.lastIndexOf(':')
  if (end < 0) return host
  const port = host.slice(end)
  let remove = newPort !== ''
  // port stripping follows x-forwarded-proto, so http://foo.com:80 keeps its port when served over TLS
  const xfp = forwardedProto(req)
  if (newScheme !== xfp) {
    remove ||= xfp === 'https' && port === ':443'
    remove ||= xfp === 'http' && port === ':80'
  }
  return remove ? host.slice(0, end) : host
}

/** HUT newUri: the redirect URL (or the Location of a 3xx/201 direct response, redirect undefined). */
function newUri(redirect: JsonObject | undefined, req: HttpRequest, path: string): string {
  const schemeRedirect = getString(redirect, 'scheme_redirect')
  const scheme = schemeRedirect || (getBool(redirect, 'https_redirect') ? 'https' : req.scheme)
  const portValue = getNumber(redirect, 'port_redirect')
  const port = portValue ? `:${portValue}` : ''
  const host = getString(redirect, 'host_redirect') || redirectHost(req, scheme, port)
  const pathRedirect = getString(redirect, 'path_redirect')
  const redirectHasQuery = pathRedirect.includes('?')
  let finalPath: string
  if (pathRedirect) {
    // a query in path_redirect wins over the request's and is never stripped
    if (redirectHasQuery) finalPath = pathRedirect
    else {
      const q = path.indexOf('?')
      finalPath = q >= 0 ? pathRedirect + path.slice(q) : pathRedirect
    }
  } else finalPath = path
  if (!finalPath.startsWith('/')) finalPath = `/${finalPath}`
  if (redirect && !redirectHasQuery && getBool(redirect, 'strip_query')) {
    const q = finalPath.indexOf('?')
    if (q >= 0) finalPath = finalPath.slice(0, q)
  }
  return `${scheme}://${host}${port}${finalPath}`
}

function bodyOf(dr: JsonObject): {body?: string; bodySource?: string} {
  const b = getObject(dr, 'body')
  if (!b) return {}
  if (get(b, 'inline_string') !== undefined) return {body: getString(b, 'inline_string'), bodySource: 'inline_string'}
  if (get(b, 'inline_bytes') !== undefined) return {body: Buffer.from(getString(b, 'inline_bytes'), 'base64').toString('utf8'), bodySource: 'inline_bytes'}
  if (get(b, 'filename') !== undefined) return {bodySource: `file ${getString(b, 'filename')}`}
  if (get(b, 'environment_variable') !== undefined) return {bodySource: `environment variable ${getString(b, 'environment_variable')}`}
  return {}
}

/** The grpc-timeout header (`<digits><unit>`, H M S m u n) in milliseconds (Grpc::Common::getGrpcTimeout). */
function grpcTimeoutMs(v: string | undefined): number | undefined {
  const m = v === undefined ? null : /^(\d{1,8})([HMSmun])$/.exec(v)
  if (!m) return undefined
  const n = Number(m[1])
  const factor: Record<string, number> = {H: 3600000, M: 60000, S: 1000, m: 1, u: 0.001, n: 0.000001}
  return Math.ceil(n * factor[m[2]])
}

function singleInteger(v: string | undefined): number | undefined {
  if (v === undefined || v.includes(',')) return undefined
  return /^\s*\+?\d+\s*$/.test(v) ? Number(v.trim()) : undefined
}

/**
 * What the matched route does (§8): the cluster (direct, from a header, weighted pick), a redirect, a direct
 * response, and its effects on the request. `opts.pick` picks a weighted entry by 0-based index.
 */
export function decideAction(route: JsonObject, vhost: JsonObject, routeConfig: JsonObject, req: HttpRequest, opts: {pick?: number} = {}): ActionDecision {
  const ctx = ctxOf(req)
  const assumptions: string[] = []
  const action = getObject(route, 'route')
  const redirect = getObject(route, 'redirect')
  const direct = getObject(route, 'direct_response')
  const cnfRaw = getString(action, 'cluster_not_found_response_code')
  const effects: ActionEffects = {
    mirrors: [],
    clusterNotFoundResponseCode: CLUSTER_NOT_FOUND_CODES[cnfRaw || '0'] ?? 503,
    requestHeaderMutations: [],
    responseHeaderMutations: [],
  }
  const istio = istioProvenance(route)
  if (istio) effects.istio = istio
  let headers = requestHeaderList(req)
  const base = {effects, assumptions}

  if (redirect) {
    const code = REDIRECT_CODES[getString(redirect, 'response_code') || '0'] ?? 301
    let path = req.path
    const rw = rewritePath(redirect, route, req, routeConfig)
    if (rw && 'error' in rw) assumptions.push(`redirect path rewrite not applied: ${rw.error}`)
    else if (rw) {
      effects.pathRewrite = {from: path, to: rw.to, how: rw.how}
      path = rw.to
      setHeader(headers, 'x-envoy-original-path', req.path)
      setHeader(headers, ':path', path)
    }
    const url = newUri(redirect, req, path)
    effects.responseHeaderMutations = mutations('response', undefined, route, vhost, routeConfig)
    return {
      kind: 'redirect',
      reason: `redirect ${code} to ${url}`,
      clusterName: '',
      redirect: {url, code},
      ...base,
      requestHeaders: headers,
      outcome: {status: code, details: 'direct_response', location: url},
    }
  }
  if (direct) {
    const status = getNumber(direct, 'status')
    const body = bodyOf(direct)
    effects.responseHeaderMutations = mutations('response', undefined, route, vhost, routeConfig)
    const outcome: HttpOutcome = {status, details: 'direct_response', ...(body.body !== undefined ? {body: body.body} : {})}
    // RT: a Location is added for 201 and 3xx direct responses
    if (status === 201 || (status >= 300 && status < 400)) outcome.location = newUri(undefined, req, req.path)
    return {
      kind: 'direct_response',
      reason: `direct response ${status}${body.body !== undefined ? ` with a ${body.body.length}-character body` : ''}${body.bodySource && body.body === undefined ? ` (body from ${body.bodySource})` : ''}`,
      clusterName: '',
      directResponse: {status, ...body},
      ...base,
      requestHeaders: headers,
      outcome,
    }
  }
  if (getObject(route, 'non_forwarding_action')) {
    return {kind: 'non_forwarding', reason: 'non_forwarding_action: the request is not forwarded by the router (proxyless gRPC servers)', clusterName: '', ...base, requestHeaders: headers}
  }
  if (getObject(route, 'filter_action')) {
    return {kind: 'filter_action', reason: 'filter_action: an HTTP filter handles the request; the router does not forward it', clusterName: '', ...base, requestHeaders: headers}
  }
  if (!action) return {kind: 'unknown', reason: 'the route has no action meshctl knows', clusterName: '', ...base, requestHeaders: headers}

  let kind: ActionKind
  let reason: string
  let clusterName = ''
  let clusterHeader: string | undefined
  let weighted: WeightedDecision | undefined
  let entry: JsonObject | undefined
  let outcome: HttpOutcome | undefined
  const cnf = (why: string): HttpOutcome => ({status: effects.clusterNotFoundResponseCode, flag: 'NC', details: `cluster_not_found: ${why}`})
  const wc = getObject(action, 'weighted_clusters')
  if (get(action, 'cluster') !== undefined && getString(action, 'cluster') !== '') {
    kind = 'cluster'
    clusterName = getString(action, 'cluster')
    reason = `cluster ${clusterName}`
  } else if (get(action, 'cluster_header') !== undefined) {
    kind = 'cluster_header'
    clusterHeader = getString(action, 'cluster_header')
    // CFG pickClusterViaClusterHeader: first value; a missing header gives an empty name, not the next route
    const v = ctx.headers.get(clusterHeader.toLowerCase())?.[0]
    clusterName = v ?? ''
    reason = v === undefined ? `cluster from header ${clusterHeader}, which the request lacks: empty cluster name` : `cluster from header ${clusterHeader}: ${clusterName}`
    if (clusterName === '') outcome = cnf(`header ${clusterHeader} ${v === undefined ? 'is missing' : 'is empty'}`)
  } else if (wc) {
    kind = 'weighted'
    const list = getArray(wc, 'clusters').filter(isObject)
    let total = 0
    const entries: WeightedEntry[] = list.map((c, i) => {
      const w = getNumber(c, 'weight')
      const ch = getString(c, 'cluster_header')
      const e: WeightedEntry = {index: i, name: getString(c, 'name'), weight: w, percent: 0, range: [total, total + w], picked: false, ...(ch ? {clusterHeader: ch} : {})}
      total += w
      return e
    })
    for (const e of entries) e.percent = total > 0 ? Math.round((e.weight / total) * 1e6) / 1e4 : 0
    let picked = -1
    let pickedBy: WeightedDecision['pickedBy'] = 'none'
    let value: number | undefined
    const headerName = getString(wc, 'header_name')
    const headerNum = headerName ? singleInteger(headerValue(ctx.headers, headerName)) : undefined
    if (opts.pick !== undefined) {
      if (opts.pick >= 0 && opts.pick < entries.length) {
        picked = opts.pick
        pickedBy = 'pick'
      } else assumptions.push(`--pick ${opts.pick} is not an entry of the ${entries.length} weighted clusters`)
    } else if (total > 0) {
      // WCS pickWeightedCluster: value % total, ranges [0,w1), [w1,w1+w2), ... in list order
      if (headerNum !== undefined) {
        value = headerNum
        pickedBy = 'header'
      } else if (req.randomValue !== undefined) {
        value = req.randomValue
        pickedBy = 'randomValue'
        if (getBool(wc, 'use_hash_policy')) assumptions.push('weighted clusters use the route hash policy; the random value stands in for the hash')
      }
      if (value !== undefined) {
        const v = value % total
        picked = entries.findIndex((e) => v >= e.range[0] && v < e.range[1])
      }
    }
    if (getString(wc, 'runtime_key_prefix')) assumptions.push(`weights may be overridden at run time (runtime_key_prefix ${getString(wc, 'runtime_key_prefix')})`)
    const legacyTotal = getNumber(wc, 'total_weight')
    if (legacyTotal && legacyTotal !== total) assumptions.push(`legacy total_weight ${legacyTotal} differs from the sum of weights ${total}; current Envoy uses the sum`)
    weighted = {totalWeight: total, entries, picked, pickedBy, ...(value !== undefined ? {value} : {})}
    const shares = entries.map((e) => `${e.name || `header ${e.clusterHeader}`} ${e.percent}%`).join(', ')
    if (picked >= 0) {
      entries[picked].picked = true
      entry = list[picked]
      const e = entries[picked]
      if (e.clusterHeader) {
        const v = ctx.headers.get(e.clusterHeader.toLowerCase())?.[0]
        clusterName = v ?? ''
        if (clusterName === '') outcome = cnf(`header ${e.clusterHeader} of weighted entry ${picked} is missing`)
      } else clusterName = e.name
      const by = pickedBy === 'pick' ? `--pick ${picked}` : `${pickedBy === 'header' ? `header ${headerName}` : 'random value'} ${value} % ${total} = ${value! % total}`
      reason = `weighted clusters (${shares}): ${by} picks ${clusterName || e.name}`
    } else {
      reason = `weighted clusters (${shares}): ${total > 0 ? 'each request picks one by weight' : 'the weights sum to 0'}`
      if (total > 0 && opts.pick === undefined) assumptions.push('the weighted cluster is picked per request at random; give a random value or --pick to choose one')
    }
  } else if (getString(action, 'cluster_specifier_plugin') || getObject(action, 'inline_cluster_specifier_plugin')) {
    kind = 'unknown'
    reason = `a cluster specifier plugin (${getString(action, 'cluster_specifier_plugin') || getString(getObject(action, 'inline_cluster_specifier_plugin'), 'extension') || 'inline'}) picks the cluster at run time`
    assumptions.push(reason)
  } else {
    kind = 'unknown'
    reason = 'the route action names no cluster'
  }

  // effects on the forwarded request (CFG finalizeRequestHeaders): header mutations, host rewrite, path rewrite
  effects.requestHeaderMutations = mutations('request', entry, route, vhost, routeConfig)
  effects.responseHeaderMutations = mutations('response', entry, route, vhost, routeConfig)
  headers = applyHeaderMutations(headers, effects.requestHeaderMutations)
  const oldHost = getHeader(headers, ':authority') ?? ''
  let newHost: string | undefined
  let how = ''
  const entryHost = getString(entry, 'host_rewrite_literal')
  if (entryHost) {
    newHost = entryHost
    how = `host_rewrite_literal of weighted cluster ${getString(entry, 'name')}`
  }
  const literal = getString(action, 'host_rewrite_literal') || getString(action, 'host_rewrite')
  const hostHeader = getString(action, 'host_rewrite_header')
  const hostRegex = getObject(action, 'host_rewrite_path_regex')
  if (literal) {
    newHost = literal
    how = 'host_rewrite_literal'
  } else if (hostHeader) {
    const v = getHeader(headers, hostHeader.toLowerCase())
    if (v) {
      newHost = v
      how = `host_rewrite_header ${hostHeader}`
    } else assumptions.push(`host_rewrite_header ${hostHeader}: the request lacks it, so the Host is kept`)
  } else if (hostRegex) {
    const r = re2ReplaceAll(getString(getObject(hostRegex, 'pattern'), 'regex'), pathWithoutQuery(getHeader(headers, ':path') ?? req.path), getString(hostRegex, 'substitution'))
    if (typeof r === 'string') {
      newHost = r
      how = `host_rewrite_path_regex ${getString(getObject(hostRegex, 'pattern'), 'regex')}`
    } else assumptions.push(`host_rewrite_path_regex not applied: ${r.error}`)
  }
  if (newHost !== undefined) {
    if (getBool(action, 'append_x_forwarded_host') && oldHost) {
      const xfh = getHeader(headers, 'x-forwarded-host')
      setHeader(headers, 'x-forwarded-host', xfh ? `${xfh},${oldHost}` : oldHost)
    }
    setHeader(headers, ':authority', newHost)
    effects.hostRewrite = {from: oldHost, to: newHost, how}
  } else if (getBool(action, 'auto_host_rewrite')) {
    effects.hostRewrite = {from: oldHost, how: 'auto_host_rewrite: the Host becomes the chosen upstream host name (DNS clusters)'}
    assumptions.push('auto_host_rewrite: the Host sent upstream is the chosen endpoint’s host name, known only at run time')
  }
  const rw = rewritePath(action, route, req, routeConfig)
  if (rw && 'error' in rw) assumptions.push(`path rewrite not applied: ${rw.error}`)
  else if (rw) {
    effects.pathRewrite = {from: req.path, to: rw.to, how: rw.how}
    // the router adds x-envoy-original-path unless Envoy headers are suppressed
    setHeader(headers, 'x-envoy-original-path', req.path)
    setHeader(headers, ':path', rw.to)
  }
  const t = get(action, 'timeout')
  const ms = durationMs(t)
  effects.timeout =
    ms === undefined
      ? {value: formatMs(DEFAULT_TIMEOUT_MS), ms: DEFAULT_TIMEOUT_MS, source: 'envoyDefault', disabled: false}
      : {value: formatMs(ms), ms, source: 'route', disabled: ms === 0}
  // RT FilterUtility::finalTimeout: for gRPC with max_grpc_timeout set, the grpc-timeout header (0 = none = no
  // timeout) capped by a non-zero max replaces the route timeout (Istio writes max_grpc_timeout: 0s)
  const maxGrpc = durationMs(get(action, 'max_grpc_timeout'))
  const ct = headerValue(ctx.headers, 'content-type') ?? ''
  if (maxGrpc !== undefined && (ct === 'application/grpc' || ct.startsWith('application/grpc+'))) {
    let g = grpcTimeoutMs(headerValue(ctx.headers, 'grpc-timeout')) ?? 0
    if (maxGrpc !== 0 && (g === 0 || g > maxGrpc)) g = maxGrpc
    effects.timeout = {value: formatMs(g), ms: g, source: 'grpcTimeout', disabled: g === 0}
  }
  const rqTimeout = headerValue(ctx.headers, 'x-envoy-upstream-rq-timeout-ms')
  if (rqTimeout !== undefined) assumptions.push(`x-envoy-upstream-rq-timeout-ms: ${rqTimeout} replaces the route timeout unless Envoy strips it (untrusted external requests)`)
  const retry = retryEffect(action, vhost)
  if (retry) effects.retryPolicy = retry
  effects.mirrors = mirrorEffect(action, vhost, routeConfig)
  const fault = faultEffect(entry, route, vhost, routeConfig, ctx.headers, clusterName)
  if (fault?.applies === false) effects.fault = fault
  else if (fault) {
    effects.fault = fault
    if (fault.abort && fault.abort.percent > 0)
      assumptions.push(`fault injection aborts ${fault.abort.percent}% of requests (${fault.abort.httpStatus ?? (fault.abort.grpcStatus !== undefined ? `gRPC ${fault.abort.grpcStatus}` : 'status from a header')}, flag FI) if the HTTP connection manager has the fault filter`)
    if (fault.delay && fault.delay.percent > 0) assumptions.push(`fault injection delays ${fault.delay.percent}% of requests (${fault.delay.fixed ?? 'delay from a header'}, flag DI) if the HTTP connection manager has the fault filter`)
  }
  if (effects.requestHeaderMutations.some((m) => m.dynamic) || effects.responseHeaderMutations.some((m) => m.dynamic))
    assumptions.push('some added header values use %COMMAND% substitution, shown as configured')
  return {kind, reason, clusterName, ...(clusterHeader !== undefined ? {clusterHeader} : {}), ...(weighted ? {weighted} : {}), ...base, requestHeaders: headers, ...(outcome ? {outcome} : {})}
}

/** selectVirtualHost, matchRoute and decideAction in order; stops where routing ends the request. */
export function routeHttp(routeConfig: JsonObject, req: HttpRequest, opts: {pick?: number} = {}): HttpDecision {
  const virtualHost = selectVirtualHost(routeConfig, req)
  const assumptions = [...virtualHost.assumptions]
  if (!virtualHost.matched || virtualHost.outcome) return {virtualHost, outcome: virtualHost.outcome, assumptions}
  const vh = virtualHost.virtualHost!
  const route = matchRoute(vh, req, routeConfig)
  assumptions.push(...route.assumptions)
  if (!route.matched) return {virtualHost, route, ...(route.outcome ? {outcome: route.outcome} : {}), assumptions}
  const action = decideAction(route.route!, vh, routeConfig, req, opts)
  assumptions.push(...action.assumptions)
  return {virtualHost, route, action, ...(action.outcome ? {outcome: action.outcome} : {}), assumptions}
}

/**
 * The virtual cluster of a request (VirtualHostImpl::virtualClusterFromEntries): the first whose header matchers
 * all match, else `other` when the virtual host has any; '' when it has none.
 */
export function virtualClusterName(vhost: JsonObject, headers: ReadonlyArray<readonly [string, string]>): string {
  const vcs = getArray(vhost, 'virtual_clusters')
  if (vcs.length === 0) return ''
  const t = headerTable(headers)
  for (const vc of vcs) {
    const hs = getArray(vc, 'headers').filter(isObject)
    if (hs.every((h) => matchHeader(h, t).ok)) return getString(vc, 'name')
  }
  return 'other'
}
