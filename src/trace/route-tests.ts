/**
 * Route-table tests in the schema of Envoy's router_check_tool (`envoy.RouterCheckToolSchema.Validation`, spec
 * ../shared/docs/envoy-request-path.md §11; Envoy docs configuration/operations/tools/router_check.rst and
 * test/tools/router_check/router.cc), run by meshctl's routing engine (./http.ts) instead of a built Envoy.
 *
 * The tool's semantics are kept: the request is `:authority`, `:path`, `:method`, `:scheme` and x-forwarded-proto
 * (https when `ssl`), x-envoy-internal when `internal`, then the additional headers; `random_value` (default 0)
 * picks weighted clusters and decides runtime fractions; a runtime fraction route is enabled only when the test's
 * `runtime` names its key and `random_value % denominator < numerator` (a numerator of 0 counts as 1); the
 * request and response headers are finalised (rewrites, header mutations) before any field is compared; a field
 * given as "" expects none. Pure: decoded documents in, results out.
 */
import {createRequire} from 'node:module'
import {InputError} from '../errors/index.js'
import {type AdminDocument, decodeDocument, parseJsonBytes} from '../envoy/document.js'
import {get, getArray, getObject, getString, isObject, type Json, type JsonObject} from '../envoy/fields.js'
import {applyHeaderMutations, type HttpDecision, type HttpRequest, routeHttp, virtualClusterName} from './http.js'
import {describeHeaderMatcher, headerTable, matchHeader} from './matchers.js'

export interface RouteTest {
  name: string
  request: HttpRequest
  responseHeaders: Array<[string, string]>
  validate: JsonObject
}

export interface RouteTestsDocument {
  tests: RouteTest[]
}

export interface FieldCheck {
  /** the validate field (`cluster_name`, `request_header_matches[0]`, ...) */
  field: string
  expected: string
  actual: string
  passed: boolean
}

export interface RouteTestResult {
  name: string
  passed: boolean
  checks: FieldCheck[]
  /** what the routing engine assumed (from the decision) */
  assumptions: string[]
}

export interface RouteTestsReport {
  routeConfigName: string
  passed: number
  failed: number
  results: RouteTestResult[]
}

const INPUT_FIELDS = new Set([
  'authority',
  'path',
  'method',
  'internal',
  'random_value',
  'ssl',
  'runtime',
  'additional_request_headers',
  'additional_response_headers',
  'dynamic_metadata',
  // the legacy JSON schema
  ':authority',
  ':path',
  ':method',
  'additional_headers',
])

const VALIDATE_FIELDS = new Set([
  'cluster_name',
  'virtual_cluster_name',
  'virtual_host_name',
  'host_rewrite',
  'path_rewrite',
  'path_redirect',
  'code_redirect',
  'request_header_matches',
  'response_header_matches',
  'request_header_fields',
  'response_header_fields',
  // the legacy JSON schema
  'header_fields',
  'custom_header_fields',
])

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

function checkKeys(obj: JsonObject, known: Set<string>, where: string, source: string): void {
  for (const k of Object.keys(obj)) {
    if (!known.has(k) && !known.has(snake(k))) {
      throw new InputError(`${source}: ${where} has an unknown field "${k}"`, {code: 'E_ROUTE_TESTS', hint: `known fields: ${[...known].filter((f) => !f.startsWith(':')).join(', ')}`})
    }
  }
}

/** `[{key, value}]` (or the legacy `[{field, value}]`) as header pairs. */
function headerPairs(list: Json[], where: string, source: string): Array<[string, string]> {
  return list.map((h, i) => {
    if (!isObject(h)) throw new InputError(`${source}: ${where}[${i}] is not an object with key and value`, {code: 'E_ROUTE_TESTS'})
    const key = getString(h, 'key') || getString(h, 'field')
    if (!key) throw new InputError(`${source}: ${where}[${i}] has no key`, {code: 'E_ROUTE_TESTS'})
    return [key.toLowerCase(), getString(h, 'value')] as [string, string]
  })
}

/**
 * Reads a tests document (already decoded from JSON or YAML): `{tests: [...]}` (or the legacy top-level array).
 * A top-level `runtime` (meshctl's addition) is the default for tests that name none. Unknown fields are
 * rejected, as the tool's strict proto parsing does, so a misspelt field cannot pass silently.
 */
export function parseRouteTests(doc: Json, source: string): RouteTestsDocument {
  let list: Json[]
  let defaultRuntime = ''
  if (Array.isArray(doc)) list = doc
  else if (isObject(doc) && Array.isArray(get(doc, 'tests'))) {
    list = getArray(doc, 'tests')
    defaultRuntime = getString(doc, 'runtime')
    checkKeys(doc, new Set(['tests', 'runtime']), 'the tests document', source)
  } else throw new InputError(`${source} is not a route tests document: expected an object with a "tests" array (router_check_tool's schema)`, {code: 'E_ROUTE_TESTS'})
  if (list.length === 0) throw new InputError(`${source} has no tests`, {code: 'E_ROUTE_TESTS'})
  const tests = list.map((t, i): RouteTest => {
    if (!isObject(t)) throw new InputError(`${source}: tests[${i}] is not an object`, {code: 'E_ROUTE_TESTS'})
    const name = getString(t, 'test_name') || `tests[${i}]`
    const where = `tests[${i}] (${name})`
    checkKeys(t, new Set(['test_name', 'input', 'validate']), where, source)
    const input = getObject(t, 'input')
    const validate = getObject(t, 'validate')
    if (!input) throw new InputError(`${source}: ${where} has no input`, {code: 'E_ROUTE_TESTS'})
    if (!validate) throw new InputError(`${source}: ${where} has no validate`, {code: 'E_ROUTE_TESTS'})
    checkKeys(input, INPUT_FIELDS, `${where} input`, source)
    checkKeys(validate, VALIDATE_FIELDS, `${where} validate`, source)
    if (Object.keys(validate).length === 0) throw new InputError(`${source}: ${where} validates nothing (give at least one field)`, {code: 'E_ROUTE_TESTS'})
    const authority = getString(input, 'authority') || getString(input, ':authority')
    const path = getString(input, 'path') || getString(input, ':path')
    if (!authority) throw new InputError(`${source}: ${where} input.authority is required`, {code: 'E_ROUTE_TESTS'})
    if (!path) throw new InputError(`${source}: ${where} input.path is required`, {code: 'E_ROUTE_TESTS'})
    const rvRaw = get(input, 'random_value')
    const randomValue = rvRaw === undefined ? 0 : Number(rvRaw)
    if (!Number.isInteger(randomValue) || randomValue < 0) throw new InputError(`${source}: ${where} input.random_value must be a non-negative integer, got ${JSON.stringify(rvRaw)}`, {code: 'E_ROUTE_TESTS'})
    const runtime = get(input, 'runtime')
    const runtimeKeys = Array.isArray(runtime) ? runtime.map(String) : typeof runtime === 'string' ? [runtime] : defaultRuntime ? [defaultRuntime] : []
    const dynamicMetadata: JsonObject = {}
    for (const dm of getArray(input, 'dynamic_metadata')) {
      const ns = getString(dm, 'metadata_namespace')
      const value = getObject(dm, 'value') ?? getObject(getObject(dm, 'typed_value'), 'value') ?? {}
      if (ns) dynamicMetadata[ns] = {...(isObject(dynamicMetadata[ns]) ? dynamicMetadata[ns] : {}), ...value}
    }
    const ssl = get(input, 'ssl') === true || get(input, 'ssl') === 'true'
    return {
      name,
      request: {
        method: getString(input, 'method') || getString(input, ':method') || 'GET',
        authority,
        path,
        scheme: ssl ? 'https' : 'http',
        headers: [
          ...headerPairs(getArray(input, 'additional_request_headers'), `${where} input.additional_request_headers`, source),
          ...headerPairs(getArray(input, 'additional_headers'), `${where} input.additional_headers`, source),
        ],
        randomValue,
        runtimeEnabled: new Set(runtimeKeys.filter((k) => k !== '')),
        internal: get(input, 'internal') === true || get(input, 'internal') === 'true',
        // the tool's stream has no TLS connection, no filter state, and only the dynamic metadata the test sets
        tls: {presented: false, validated: false},
        dynamicMetadata,
      },
      responseHeaders: headerPairs(getArray(input, 'additional_response_headers'), `${where} input.additional_response_headers`, source),
      validate,
    }
  })
  return {tests}
}

/** A route config's name for messages. */
function rcName(rc: Json | undefined): string {
  return getString(rc, 'name')
}

function listNames(names: string[]): string {
  const shown = names.slice(0, 20).map((n) => (n === '' ? '(unnamed)' : n))
  return shown.join(', ') + (names.length > 20 ? `, ... (${names.length - 20} more)` : '')
}

/**
 * The RouteConfiguration to test: the document itself when it is one (as router_check_tool takes it), else the
 * route config called `name` in a config_dump's RoutesConfigDump (dynamic_route_configs, static_route_configs).
 * Missing or ambiguous names are an InputError that lists the names there are.
 */
export function selectRouteConfig(doc: Json, name: string | undefined, source: string): JsonObject {
  const isBare = isObject(doc) && get(doc, 'configs') === undefined && (get(doc, 'virtual_hosts') !== undefined || (typeof get(doc, 'name') === 'string' && get(doc, '@type') === undefined))
  if (isBare) {
    if (name !== undefined && rcName(doc) !== name) {
      throw new InputError(`${source} is a single RouteConfiguration named ${JSON.stringify(rcName(doc))}, not ${JSON.stringify(name)}`, {code: 'E_ROUTE_NAME', hint: 'drop --route-name, or give a config_dump'})
    }
    return doc as JsonObject
  }
  return selectRouteConfigInDump(decodeDocument(doc, source), name, source)
}

/** The route config called `name` (or the only one) in a decoded admin document (a config_dump). */
export function selectRouteConfigInDump(dump: AdminDocument, name: string | undefined, source: string): JsonObject {
  if (dump.kind !== 'config_dump') throw new InputError(`${source} is Envoy's /clusters answer, not a route configuration or a config_dump`, {code: 'E_WRONG_DOCUMENT'})
  const found: JsonObject[] = []
  for (const section of dump.sections('routes')) {
    for (const field of ['dynamic_route_configs', 'static_route_configs']) {
      for (const e of getArray(section, field)) {
        const rc = getObject(e, 'route_config')
        if (rc) found.push(rc)
      }
    }
  }
  if (found.length === 0) throw new InputError(`${source} has no route configurations (no RoutesConfigDump with route_config entries)`, {code: 'E_NO_ROUTES'})
  const names = [...new Set(found.map(rcName))]
  if (name === undefined) {
    if (found.length === 1) return found[0]
    throw new InputError(`${source} holds ${found.length} route configurations; choose one with --route-name`, {code: 'E_ROUTE_NAME', hint: `names: ${listNames(names)}`})
  }
  const matches = found.filter((rc) => rcName(rc) === name)
  if (matches.length === 0) throw new InputError(`${source} has no route configuration named ${JSON.stringify(name)}`, {code: 'E_ROUTE_NAME', hint: `names: ${listNames(names)}`})
  // inline configs reappear in static_route_configs under the same name (trap 24): identical copies are one config
  const distinct = new Set(matches.map((m) => JSON.stringify(m)))
  if (distinct.size > 1) {
    throw new InputError(`${source} has ${matches.length} different route configurations named ${JSON.stringify(name)}`, {
      code: 'E_ROUTE_NAME',
      hint: 'save the one to test as its own file (a bare RouteConfiguration)',
    })
  }
  return matches[0]
}

/** Parses JSON (with byte-offset errors) or YAML text into a document. */
export function parseStructured(bytes: Uint8Array, source: string): Json {
  // loaded only for YAML input, as src/envoy/document.ts does
  const parseYaml = (text: string): unknown => (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text, {maxAliasCount: 10000})
  let i = 0
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09 || bytes[i] === 0xef || bytes[i] === 0xbb || bytes[i] === 0xbf)) i++
  if (i >= bytes.length) throw new InputError(`${source} is empty`, {code: 'E_EMPTY'})
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8').replace(/^\uFEFF/, '')
  if (bytes[i] === 0x7b || bytes[i] === 0x5b) {
    try {
      return JSON.parse(text) as Json
    } catch {
      // lenient JSON (comments, trailing commas, unquoted keys) is often valid YAML; else report the JSON error
      try {
        const v = parseYaml(text)
        if (v !== null && typeof v === 'object') return v as Json
      } catch {
        // fall through to the JSON error, which says where
      }
      return parseJsonBytes(bytes, source)
    }
  }
  try {
    return parseYaml(text) as Json
  } catch (err) {
    const pos = (err as {linePos?: Array<{line: number; col: number}>}).linePos?.[0]
    const where = pos ? ` at line ${pos.line}, column ${pos.col}` : ''
    throw new InputError(`${source} is neither JSON nor YAML: YAML error${where}: ${String((err as Error).message).split('\n')[0]}`, {code: 'E_YAML_PARSE'})
  }
}

function str(v: Json | undefined): string {
  if (isObject(v) && get(v, 'value') !== undefined) return str(get(v, 'value'))
  return v === undefined || v === null ? '' : String(v)
}

/** Runs every test against one route configuration. */
export function runRouteTestsOn(routeConfig: JsonObject, doc: RouteTestsDocument): RouteTestsReport {
  const results = doc.tests.map((t) => runOne(routeConfig, t))
  const passed = results.filter((r) => r.passed).length
  return {routeConfigName: rcName(routeConfig), passed, failed: results.length - passed, results}
}

function runOne(rc: JsonObject, t: RouteTest): RouteTestResult {
  const d: HttpDecision = routeHttp(rc, t.request)
  const action = d.action
  // the tool's "route entry" (forwarding routes) and "direct response entry" (redirects, direct responses, require_tls)
  const forwarding = action !== undefined && action.kind !== 'redirect' && action.kind !== 'direct_response' && action.kind !== 'non_forwarding' && action.kind !== 'filter_action'
  const sslRedirect = d.virtualHost.outcome?.status === 301 && d.virtualHost.matched
  const directEntry = sslRedirect || action?.kind === 'redirect' || action?.kind === 'direct_response'
  const reqHeaders: Array<[string, string]> = action ? action.requestHeaders : []
  let respHeaders: Array<[string, string]> = t.responseHeaders
  let redirectUrl = ''
  let code = 0
  if (sslRedirect) {
    redirectUrl = d.virtualHost.outcome!.location ?? ''
    code = 301
    respHeaders = [...respHeaders, [':status', '301']]
  } else if (action?.kind === 'redirect') {
    redirectUrl = action.redirect!.url
    code = action.redirect!.code
  } else if (action?.kind === 'direct_response') {
    redirectUrl = action.outcome?.location ?? newUriOfRequest(action.requestHeaders)
    code = action.directResponse!.status
  }
  if (action && (action.kind === 'redirect' || action.kind === 'direct_response')) {
    // sendLocalReply's headers, then the route's response header mutations
    const local: Array<[string, string]> = [[':status', String(code)]]
    const body = action.directResponse?.body ?? ''
    if (body !== '') local.push(['content-length', String(Buffer.byteLength(body))], ['content-type', 'text/plain'])
    respHeaders = applyHeaderMutations([...respHeaders, ...local], action.effects.responseHeaderMutations)
  } else if (forwarding && action) respHeaders = applyHeaderMutations(respHeaders, action.effects.responseHeaderMutations)
  const finalRequest = action ? reqHeaders : requestHeadersOf(t.request)
  const first = (list: Array<[string, string]>, name: string) => list.find(([n]) => n === name.toLowerCase())?.[1] ?? ''
  const checks: FieldCheck[] = []
  const v = t.validate
  const cmp = (field: string, actual: string) => {
    const raw = get(v, field)
    if (raw === undefined) return
    const expected = str(raw)
    checks.push({field, expected, actual, passed: expected === actual})
  }
  cmp('cluster_name', forwarding ? action!.clusterName : '')
  cmp('virtual_cluster_name', forwarding ? virtualClusterName(d.virtualHost.virtualHost!, reqHeaders) : '')
  cmp('virtual_host_name', forwarding ? d.virtualHost.name : '')
  cmp('path_rewrite', forwarding ? first(reqHeaders, ':path') : '')
  cmp('host_rewrite', forwarding ? first(reqHeaders, ':authority') : '')
  cmp('path_redirect', directEntry ? redirectUrl : '')
  cmp('code_redirect', directEntry ? String(code) : '0')
  const matchers = (field: string, headers: Array<[string, string]>) => {
    const table = headerTable(headers)
    getArray(v, field).forEach((h, i) => {
      if (!isObject(h)) return
      const r = matchHeader(h, table)
      const name = getString(h, 'name').toLowerCase()
      const actual = table.get(name)
      checks.push({field: `${field}[${i}]`, expected: describeHeaderMatcher(h), actual: actual === undefined ? `${name} absent` : `${name}: ${actual.join(',')}`, passed: r.ok})
    })
  }
  matchers('request_header_matches', finalRequest)
  matchers('response_header_matches', respHeaders)
  const fields = (field: string, headers: Array<[string, string]>) => {
    getArray(v, field).forEach((h) => {
      const key = (getString(h, 'key') || getString(h, 'field')).toLowerCase()
      const expected = getString(h, 'value')
      const actual = first(headers, key)
      checks.push({field: `${field} ${key}`, expected, actual, passed: expected === actual})
    })
  }
  fields('request_header_fields', finalRequest)
  fields('header_fields', finalRequest)
  fields('response_header_fields', respHeaders)
  fields('custom_header_fields', finalRequest)
  return {name: t.name, passed: checks.every((c) => c.passed), checks, assumptions: d.assumptions}
}

function requestHeadersOf(req: HttpRequest): Array<[string, string]> {
  const list: Array<[string, string]> = [
    [':authority', req.authority],
    [':path', req.path],
    [':method', req.method],
    ['x-forwarded-proto', req.scheme],
    [':scheme', req.scheme],
  ]
  if (req.internal) list.push(['x-envoy-internal', 'true'])
  return [...list, ...req.headers]
}

/** newUri without a redirect config: the request's own URL (what a non-3xx direct response reports). */
function newUriOfRequest(headers: Array<[string, string]>): string {
  const h = (n: string) => headers.find(([k]) => k === n)?.[1] ?? ''
  const path = h(':path')
  return `${h(':scheme')}://${h(':authority')}${path.startsWith('/') ? path : `/${path}`}`
}
