/**
 * The matchers Envoy's router uses, replayed over config JSON (snake_case or lowerCamelCase): RE2 regexes,
 * StringMatcher, HeaderMatcher, query parameter matchers, fractional percentages, durations, URI templates and
 * Envoy's `%COMMAND%` header values. Pure; nothing here throws on odd config (a bad regex is a non-match with a
 * reason, as Envoy would have rejected the config).
 *
 * Spec: ../shared/docs/envoy-request-path.md §7 (tags HU, MAT, CU, CFG).
 */
import {createRequire} from 'node:module'
import type {RE2JS} from 're2js'
import {get, getArray, getBool, getNumber, getObject, getString, isObject, type JsonObject} from '../envoy/fields.js'

// ---------------------------------------------------------------------------------------------------------------
// RE2

const regexCache = new Map<string, RE2JS | string>()

// loaded with the first regex: most requests meet none (re2js is 260 KB, ~8 ms of a start)
let re2: typeof RE2JS | undefined
const RE2 = (): typeof RE2JS => (re2 ??= (createRequire(import.meta.url)('re2js') as typeof import('re2js')).RE2JS)

/** A compiled RE2 pattern, or the compile error's message. Compiled once per pattern per process. */
export function compileRe2(pattern: string, ignoreCase = false): RE2JS | string {
  const key = ignoreCase ? `i\u0000${pattern}` : pattern
  let re = regexCache.get(key)
  if (re === undefined) {
    try {
      const R = RE2()
      re = R.compile(pattern, ignoreCase ? R.CASE_INSENSITIVE : 0)
    } catch (err) {
      re = `invalid RE2 regex ${JSON.stringify(pattern)}: ${(err as Error).message}`
    }
    if (regexCache.size > 20000) regexCache.clear()
    regexCache.set(key, re)
  }
  return re
}

/** RE2::FullMatch: the whole input must match (Envoy's safe_regex is always a full match, MAT). */
export function fullMatch(pattern: string, input: string, ignoreCase = false): boolean | string {
  const re = compileRe2(pattern, ignoreCase)
  return typeof re === 'string' ? re : re.testExact(input)
}

/**
 * RE2::GlobalReplace as Envoy's `regex_rewrite` / `host_rewrite_path_regex` use it: every non-overlapping match
 * replaced; an empty match right where the previous match ended is skipped (RE2's rule, unlike Java's);
 * `\0`..`\9` in the substitution insert groups, `\\` a backslash.
 */
export function re2ReplaceAll(pattern: string, input: string, substitution: string): string | {error: string} {
  const re = compileRe2(pattern)
  if (typeof re === 'string') return {error: re}
  const m = re.matcher(input)
  let out = ''
  let pos = 0
  let lastEnd = -1
  let count = 0
  while (pos <= input.length && m.find(pos)) {
    const start = m.start()
    const end = m.end()
    if (start === end && start === lastEnd) {
      // disallow an empty match at the end of the previous one: copy one character and move on
      if (pos < input.length) out += input.slice(pos, pos + 1)
      pos++
      continue
    }
    out += input.slice(pos, start)
    out += rewriteGroups(substitution, (n) => (n <= m.groupCount() ? (m.group(n) ?? '') : ''))
    pos = end
    lastEnd = end
    count++
  }
  if (count === 0) return input
  return out + input.slice(pos)
}

function rewriteGroups(sub: string, group: (n: number) => string): string {
  let out = ''
  for (let i = 0; i < sub.length; i++) {
    const c = sub[i]
    if (c === '\\' && i + 1 < sub.length) {
      const d = sub[i + 1]
      if (d >= '0' && d <= '9') {
        out += group(d.charCodeAt(0) - 48)
        i++
        continue
      }
      if (d === '\\') {
        out += '\\'
        i++
        continue
      }
    }
    out += c
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// StringMatcher (type.matcher.v3.StringMatcher)

export interface MatchResult {
  ok: boolean
  /** why it failed (or what it matched), for candidates */
  why: string
  /** an unknown condition (custom matcher, bad regex): the result is not Envoy's */
  unknown?: boolean
}

/** Human form of a StringMatcher: `exact "x"`, `prefix "/a" (ignore case)`, `regex "^a.*$"`. */
export function describeStringMatcher(m: JsonObject | undefined): string {
  if (!m) return 'any'
  const ic = getBool(m, 'ignore_case') ? ' (ignore case)' : ''
  for (const k of ['exact', 'prefix', 'suffix', 'contains'] as const) {
    const v = get(m, k)
    if (typeof v === 'string') return `${k} ${JSON.stringify(v)}${ic}`
  }
  const re = getObject(m, 'safe_regex')
  if (re) return `regex ${JSON.stringify(getString(re, 'regex'))}`
  if (getObject(m, 'custom')) return `custom matcher ${getString(getObject(m, 'custom'), 'name')}`
  return 'any'
}

/** StringMatcher.match (MAT): `exact` "" matches only ""; ignore_case is ASCII and does not apply to regexes. */
export function matchString(m: JsonObject | undefined, value: string): MatchResult {
  if (!m) return {ok: true, why: 'any value'}
  const ic = getBool(m, 'ignore_case')
  const v = ic ? value.toLowerCase() : value
  const norm = (s: string) => (ic ? s.toLowerCase() : s)
  const exact = get(m, 'exact')
  if (typeof exact === 'string') return {ok: v === norm(exact), why: describeStringMatcher(m)}
  const prefix = get(m, 'prefix')
  if (typeof prefix === 'string') return {ok: v.startsWith(norm(prefix)), why: describeStringMatcher(m)}
  const suffix = get(m, 'suffix')
  if (typeof suffix === 'string') return {ok: v.endsWith(norm(suffix)), why: describeStringMatcher(m)}
  const contains = get(m, 'contains')
  if (typeof contains === 'string') return {ok: v.includes(norm(contains)), why: describeStringMatcher(m)}
  const re = getObject(m, 'safe_regex')
  if (re) {
    const r = fullMatch(getString(re, 'regex'), value)
    if (typeof r === 'string') return {ok: false, why: r, unknown: true}
    return {ok: r, why: describeStringMatcher(m)}
  }
  if (getObject(m, 'custom')) return {ok: false, why: `${describeStringMatcher(m)} (an extension meshctl cannot evaluate)`, unknown: true}
  // proto3 JSON omits an empty `exact: ""`
  return {ok: value === '', why: 'exact ""'}
}

// ---------------------------------------------------------------------------------------------------------------
// Headers

/** Request headers for matching: lowercase name → every value in order (pseudo-headers included). */
export type HeaderTable = Map<string, string[]>

export function headerTable(pairs: ReadonlyArray<readonly [string, string]>): HeaderTable {
  const t: HeaderTable = new Map()
  for (const [name, value] of pairs) {
    const k = name.toLowerCase()
    const list = t.get(k)
    if (list) list.push(value)
    else t.set(k, [value])
  }
  return t
}

/** getAllOfHeaderAsString (HU): repeated headers joined with ','; undefined when absent. */
export function headerValue(t: HeaderTable, name: string): string | undefined {
  const v = t.get(name.toLowerCase())
  return v === undefined ? undefined : v.join(',')
}

const HEADER_SPECIFIERS = ['exact_match', 'safe_regex_match', 'range_match', 'present_match', 'prefix_match', 'suffix_match', 'contains_match', 'string_match']

/** `:method exact "GET"`, `x-user present`, `end-user not prefix "a"`. */
export function describeHeaderMatcher(h: JsonObject): string {
  const name = getString(h, 'name')
  const not = getBool(h, 'invert_match') ? 'not ' : ''
  const missing = getBool(h, 'treat_missing_header_as_empty') ? ' (missing = "")' : ''
  let spec = 'present'
  const sm = getObject(h, 'string_match')
  if (sm) spec = describeStringMatcher(sm)
  else if (get(h, 'exact_match') !== undefined) spec = `exact ${JSON.stringify(getString(h, 'exact_match'))}`
  else if (getObject(h, 'safe_regex_match')) spec = `regex ${JSON.stringify(getString(getObject(h, 'safe_regex_match'), 'regex'))}`
  else if (getObject(h, 'range_match')) {
    const r = getObject(h, 'range_match')
    spec = `in range [${getNumber(r, 'start')}, ${getNumber(r, 'end')})`
  } else if (get(h, 'present_match') !== undefined) spec = getBool(h, 'present_match') ? 'present' : 'absent'
  else if (get(h, 'prefix_match') !== undefined) spec = `prefix ${JSON.stringify(getString(h, 'prefix_match'))}`
  else if (get(h, 'suffix_match') !== undefined) spec = `suffix ${JSON.stringify(getString(h, 'suffix_match'))}`
  else if (get(h, 'contains_match') !== undefined) spec = `contains ${JSON.stringify(getString(h, 'contains_match'))}`
  return `${name} ${not}${spec}${missing}`
}

/** absl::SimpleAtoi: optional surrounding whitespace and sign, decimal digits only. */
function simpleAtoi(s: string): number | undefined {
  return /^\s*[+-]?\d+\s*$/.test(s) ? Number(s.trim()) : undefined
}

/**
 * HeaderUtility::matchHeaders (HU). A missing header (not treated as empty) matches only a presence check that
 * expects absence, or an inverted presence check — every other specifier is false even when inverted.
 */
export function matchHeader(h: JsonObject, t: HeaderTable): MatchResult {
  const name = getString(h, 'name')
  const desc = describeHeaderMatcher(h)
  const invert = getBool(h, 'invert_match')
  const found = headerValue(t, name)
  const kind = HEADER_SPECIFIERS.find((k) => get(h, k) !== undefined) ?? 'present'
  // a name-only matcher is a presence check (HeaderData's default)
  const presentExpected = kind === 'present_match' ? getBool(h, 'present_match') : kind === 'present' ? true : undefined
  if (found === undefined && !getBool(h, 'treat_missing_header_as_empty')) {
    const isPresence = presentExpected !== undefined
    const ok = invert ? isPresence && presentExpected === true : isPresence && presentExpected === false
    return {ok, why: `${desc}: ${name} is absent`}
  }
  const value = found ?? ''
  let match: boolean
  let unknown = false
  let note = ''
  switch (kind) {
    case 'exact_match': {
      const want = getString(h, 'exact_match')
      // deprecated exact_match: an empty expected value matches any value
      match = want === '' || value === want
      break
    }
    case 'safe_regex_match': {
      const r = fullMatch(getString(getObject(h, 'safe_regex_match'), 'regex'), value)
      if (typeof r === 'string') {
        match = false
        unknown = true
        note = r
      } else match = r
      break
    }
    case 'range_match': {
      const r = getObject(h, 'range_match')
      const n = simpleAtoi(value)
      match = n !== undefined && n >= getNumber(r, 'start') && n < getNumber(r, 'end')
      break
    }
    case 'present_match':
    case 'present':
      match = presentExpected === true
      break
    case 'prefix_match':
      match = value.startsWith(getString(h, 'prefix_match'))
      break
    case 'suffix_match':
      match = value.endsWith(getString(h, 'suffix_match'))
      break
    case 'contains_match':
      match = value.includes(getString(h, 'contains_match'))
      break
    default: {
      const r = matchString(getObject(h, 'string_match'), value)
      match = r.ok
      unknown = r.unknown === true
      if (unknown) note = r.why
    }
  }
  const ok = match !== invert
  const shown = found === undefined ? 'absent, treated as ""' : JSON.stringify(value)
  return {ok, why: note || `${desc}: ${name} is ${shown}`, ...(unknown ? {unknown} : {})}
}

// ---------------------------------------------------------------------------------------------------------------
// Query parameters (CU QueryParameterMatcher)

/** The query string's parameters, first value per name, not percent-decoded (CU). */
export function queryParams(path: string): Map<string, string> {
  const out = new Map<string, string>()
  const q = path.indexOf('?')
  if (q < 0) return out
  let query = path.slice(q + 1)
  const hash = query.indexOf('#')
  if (hash >= 0) query = query.slice(0, hash)
  for (const part of query.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const name = eq < 0 ? part : part.slice(0, eq)
    const value = eq < 0 ? '' : part.slice(eq + 1)
    if (!out.has(name)) out.set(name, value)
  }
  return out
}

export function matchQueryParameter(qm: JsonObject, params: Map<string, string>): MatchResult {
  const name = getString(qm, 'name')
  const value = params.get(name)
  const present = get(qm, 'present_match')
  if (present !== undefined) {
    const want = getBool(qm, 'present_match')
    const ok = want === (value !== undefined)
    return {ok, why: `query ${name} ${want ? 'present' : 'absent'}: ${value === undefined ? 'absent' : 'present'}`}
  }
  if (value === undefined) return {ok: false, why: `query ${name}: absent`}
  const sm = getObject(qm, 'string_match')
  if (!sm) return {ok: true, why: `query ${name} present`}
  const r = matchString(sm, value)
  return {ok: r.ok, why: `query ${name} ${describeStringMatcher(sm)}: first value ${JSON.stringify(value)}`, ...(r.unknown ? {unknown: true} : {})}
}

// ---------------------------------------------------------------------------------------------------------------
// Percentages and durations

const DENOMINATORS: Record<string, number> = {HUNDRED: 100, TEN_THOUSAND: 10000, MILLION: 1000000, '0': 100, '1': 10000, '2': 1000000}

/** A FractionalPercent as numerator/denominator (denominator default HUNDRED). */
export function fraction(fp: JsonObject | undefined): {numerator: number; denominator: number} {
  const d = get(fp, 'denominator')
  const denominator = d === undefined ? 100 : (DENOMINATORS[String(d)] ?? 100)
  return {numerator: getNumber(fp, 'numerator'), denominator}
}

/** percent of a FractionalPercent, capped at 100 (a numerator above the denominator means always). */
export function fractionPercent(fp: JsonObject | undefined): number {
  const {numerator, denominator} = fraction(fp)
  return Math.min(100, (numerator / denominator) * 100)
}

/** `type.v3.Percent` {value} or a FractionalPercent, as a percentage. */
export function anyPercent(p: JsonObject | undefined): number | undefined {
  if (!p) return undefined
  if (get(p, 'numerator') !== undefined || get(p, 'denominator') !== undefined) return fractionPercent(p)
  if (get(p, 'value') !== undefined) return getNumber(p, 'value')
  return 0
}

/** A protobuf Duration: `"1.5s"` (JSON) or `{seconds, nanos}`; milliseconds, undefined when absent or unreadable. */
export function durationMs(v: unknown): number | undefined {
  if (typeof v === 'string') {
    const m = /^(-?\d+(?:\.\d+)?)s$/.exec(v.trim())
    return m ? Math.round(Number(m[1]) * 1000 * 1000) / 1000 : undefined
  }
  if (isObject(v)) return getNumber(v, 'seconds') * 1000 + getNumber(v, 'nanos') / 1e6
  return undefined
}

/** `15s`, `1.5s`, `250ms`, `0s`. */
export function formatMs(ms: number): string {
  if (ms < 1000 && ms !== 0 && ms % 1 === 0) return `${ms}ms`
  return `${Number((ms / 1000).toFixed(3))}s`
}

// ---------------------------------------------------------------------------------------------------------------
// URI templates (envoy.path.match.uri_template / envoy.path.rewrite.uri_template)

// uri_template_internal: a path segment's characters (unreserved, pct-encoded, sub-delims but `*`, `:@=`)
const SEGMENT_CHARS = "a-zA-Z0-9\\-._~%!$&'()+,;:@="

export interface UriTemplate {
  regex: RegExp
  variables: string[]
  error?: string
}

const templateCache = new Map<string, UriTemplate>()

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
}

function operatorRegex(op: string): string | undefined {
  if (op === '*') return `[${SEGMENT_CHARS}]+`
  if (op === '**') return `[${SEGMENT_CHARS}/]*`
  return undefined
}

/**
 * Compiles a path template: `*` one segment, `**` the rest of the path (last only), `{name}` = `{name=*}`,
 * `{name=**}`, `{name=a/*}`; anything else literal. Matching is on the whole path without query.
 */
export function compileUriTemplate(template: string): UriTemplate {
  const cached = templateCache.get(template)
  if (cached) return cached
  const variables: string[] = []
  let source = ''
  let error: string | undefined
  let i = 0
  while (i < template.length) {
    const c = template[i]
    if (c === '{') {
      const close = template.indexOf('}', i)
      if (close < 0) {
        error = `unterminated variable in ${template}`
        break
      }
      const body = template.slice(i + 1, close)
      const eq = body.indexOf('=')
      const name = eq < 0 ? body : body.slice(0, eq)
      const pattern = eq < 0 ? '*' : body.slice(eq + 1)
      const parts = pattern.split('/').map((p) => operatorRegex(p) ?? escapeRegex(p))
      variables.push(name)
      source += `(${parts.join('/')})`
      i = close + 1
    } else if (c === '*') {
      const op = template[i + 1] === '*' ? '**' : '*'
      source += operatorRegex(op)
      i += op.length
    } else {
      source += escapeRegex(c)
      i++
    }
  }
  let t: UriTemplate
  try {
    t = {regex: new RegExp(`^${source}$`), variables, ...(error ? {error} : {})}
  } catch (err) {
    t = {regex: /(?!)/, variables, error: (err as Error).message}
  }
  templateCache.set(template, t)
  return t
}

/** The variables a template captured from a path, or undefined when it does not match. */
export function matchUriTemplate(template: string, path: string): Record<string, string> | undefined {
  const t = compileUriTemplate(template)
  const m = t.regex.exec(path)
  if (!m) return undefined
  const vars: Record<string, string> = {}
  t.variables.forEach((name, k) => {
    vars[name] = m[k + 1] ?? ''
  })
  return vars
}

/** A rewrite template (`/{b}/{a}`) filled from the match's variables; an unknown variable is an error. */
export function fillUriTemplate(rewrite: string, vars: Record<string, string>): string | {error: string} {
  let missing = ''
  const out = rewrite.replace(/\{([^}]*)\}/g, (_m, name: string) => {
    if (!(name in vars)) missing = name
    return vars[name] ?? ''
  })
  return missing ? {error: `variable ${missing} is not captured by the match template`} : out
}

// ---------------------------------------------------------------------------------------------------------------
// Metadata (type.matcher.v3.MetadataMatcher), for dynamic_metadata when the caller supplies it

function valueMatches(vm: JsonObject | undefined, v: unknown): boolean {
  if (!vm) return false
  if (get(vm, 'null_match') !== undefined) return v === null
  if (get(vm, 'present_match') !== undefined) return getBool(vm, 'present_match') === (v !== undefined)
  if (get(vm, 'bool_match') !== undefined) return v === getBool(vm, 'bool_match')
  const dm = getObject(vm, 'double_match')
  if (dm) {
    if (typeof v !== 'number') return false
    if (get(dm, 'exact') !== undefined) return v === getNumber(dm, 'exact')
    const r = getObject(dm, 'range')
    return v >= getNumber(r, 'start') && v < getNumber(r, 'end')
  }
  const sm = getObject(vm, 'string_match')
  if (sm) return typeof v === 'string' && matchString(sm, v).ok
  const lm = getObject(vm, 'list_match')
  if (lm) return Array.isArray(v) && v.some((e) => valueMatches(getObject(lm, 'one_of'), e))
  return false
}

/** MetadataMatcher over `metadata` (filter namespace → struct). */
export function matchMetadata(mm: JsonObject, metadata: JsonObject): boolean {
  let cur: unknown = get(metadata, 'filter_metadata') !== undefined ? getObject(metadata, 'filter_metadata') : metadata
  cur = isObject(cur) ? cur[getString(mm, 'filter')] : undefined
  for (const seg of getArray(mm, 'path')) {
    cur = isObject(cur) ? cur[getString(seg, 'key')] : undefined
  }
  const ok = valueMatches(getObject(mm, 'value'), cur)
  return ok !== getBool(mm, 'invert')
}

// ---------------------------------------------------------------------------------------------------------------
// Header values

/** Whether a header value uses Envoy's `%COMMAND%` substitution (its value is decided per request). */
export function isDynamicHeaderValue(v: string): boolean {
  return /%[A-Z][A-Z0-9_]*(\([^)]*\))?(:\d+)?%/.test(v.replace(/%%/g, ''))
}
