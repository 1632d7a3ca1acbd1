/**
 * What the HTTP connection manager does to a request before routing (spec §5.3, HCM decodeHeaders and
 * ConnectionManagerUtility::maybeNormalizePath / maybeNormalizeHost): absolute-path check, fragment, escaped
 * slashes, RFC 3986 normalisation, slash merging, then the Host (trailing dot, port). These change what the
 * router matches (and send upstream); the result says each change, or the response Envoy sends instead.
 *
 * `hcm` is the HttpConnectionManager (the filter's typed_config); snake_case or lowerCamelCase.
 */
import {get, getBool, isObject, type JsonObject} from '../envoy/fields.js'
import type {HttpOutcome, HttpRequest} from './http.js'
import {portStart} from './http.js'

export interface PreparedRequest {
  /** the request as the router sees it */
  request: HttpRequest
  /** each change made, in order (`merge_slashes: /a//b → /a/b`) */
  steps: string[]
  assumptions: string[]
  /** the response Envoy sends instead of routing (404, 400, 307) */
  outcome?: HttpOutcome
}

const ESCAPED_SLASHES: Record<string, string> = {
  '0': 'IMPLEMENTATION_SPECIFIC_DEFAULT',
  '1': 'KEEP_UNCHANGED',
  '2': 'REJECT_REQUEST',
  '3': 'UNESCAPE_AND_REDIRECT',
  '4': 'UNESCAPE_AND_FORWARD',
}

function splitQuery(path: string): [string, string] {
  const q = path.indexOf('?')
  return q < 0 ? [path, ''] : [path.slice(0, q), path.slice(q)]
}

/** `.` or `..` segments, also percent-encoded (`%2e`, `.%2E`) as the URL canonicaliser reads them. */
function dotKind(seg: string): 0 | 1 | 2 {
  const s = seg.replace(/%2e/gi, '.')
  return s === '.' ? 1 : s === '..' ? 2 : 0
}

/**
 * RFC 3986 dot-segment removal as Envoy's URL canonicaliser does it on the path (query untouched): backslashes
 * read as slashes, `.` dropped, `..` removes the previous segment (never above the root).
 */
export function normalizePathDots(path: string): string {
  const [p, query] = splitQuery(path)
  const segs = p.replace(/\\/g, '/').split('/')
  const out: string[] = []
  for (let i = 1; i < segs.length; i++) {
    const k = dotKind(segs[i])
    const last = i === segs.length - 1
    if (k === 1) {
      if (last) out.push('')
    } else if (k === 2) {
      out.pop()
      if (last) out.push('')
    } else out.push(segs[i])
  }
  return `/${out.join('/')}${query}`
}

/** merge_slashes: runs of `/` in the path become one (query untouched). */
export function mergeSlashes(path: string): string {
  const [p, query] = splitQuery(path)
  return p.replace(/\/{2,}/g, '/') + query
}

/** %2F and %5C (either case) in the path become `/` and `\` (PathUtil::unescapeSlashes); whether any were found. */
function unescapeSlashes(path: string): [string, boolean] {
  const [p, query] = splitQuery(path)
  const out = p.replace(/%2f/gi, '/').replace(/%5c/gi, '\\')
  return [out + query, out !== p]
}

/** strip_trailing_host_dot: `foo.com.` and `foo.com.:80` lose the dot. */
function stripTrailingDot(host: string): string {
  const p = portStart(host)
  const name = p >= 0 ? host.slice(0, p) : host
  if (!name.endsWith('.')) return host
  return name.slice(0, -1) + (p >= 0 ? host.slice(p) : '')
}

/**
 * Applies the HCM's request normalisation to `req`. `localPort` is the port the connection arrived on (the
 * restored destination port), for strip_matching_host_port.
 */
export function prepareRequest(hcm: JsonObject | undefined, req: HttpRequest, opts: {localPort?: number} = {}): PreparedRequest {
  const steps: string[] = []
  const assumptions: string[] = []
  let path = req.path
  let authority = req.authority
  const done = (outcome?: HttpOutcome): PreparedRequest => ({request: {...req, path, authority}, steps, assumptions, ...(outcome ? {outcome} : {})})
  // 1. the path must be absolute (origin form)
  if (path === '') return done({status: 404, details: 'missing_path'})
  if (!path.startsWith('/')) return done({status: 404, details: 'absolute_path'})
  // 2. a fragment never reaches the router
  const hash = path.indexOf('#')
  if (hash >= 0) {
    steps.push(`fragment ${path.slice(hash)} dropped`)
    assumptions.push('clients do not send the #fragment; Envoy rejects a path carrying one (400) when http_reject_path_with_fragment is on')
    path = path.slice(0, hash)
  }
  // 3. escaped slashes (unset = IMPLEMENTATION_SPECIFIC_DEFAULT = keep, unless a runtime override says otherwise)
  const raw = get(hcm, 'path_with_escaped_slashes_action')
  const action = raw === undefined ? 'IMPLEMENTATION_SPECIFIC_DEFAULT' : (ESCAPED_SLASHES[String(raw)] ?? String(raw))
  let redirect = false
  if (action !== 'KEEP_UNCHANGED' && action !== 'IMPLEMENTATION_SPECIFIC_DEFAULT') {
    const [unescaped, found] = unescapeSlashes(path)
    if (found) {
      if (action === 'REJECT_REQUEST') {
        steps.push('path_with_escaped_slashes_action REJECT_REQUEST: the path has %2F or %5C')
        return done({status: 400, details: 'path_normalization_failed'})
      }
      steps.push(`path_with_escaped_slashes_action ${action}: ${path} → ${unescaped}`)
      path = unescaped
      redirect = action === 'UNESCAPE_AND_REDIRECT'
    }
  }
  // 4. normalize_path (BoolValue; absent = off unless the runtime key http_connection_manager.normalize_path is set)
  const np = get(hcm, 'normalize_path')
  const normalize = isObject(np) ? get(np, 'value') === true : np === true || np === 'true'
  if (np === undefined) assumptions.push('normalize_path is unset: off unless the runtime key http_connection_manager.normalize_path turns it on')
  if (normalize) {
    const n = normalizePathDots(path)
    if (n !== path) steps.push(`normalize_path: ${path} → ${n}`)
    path = n
  }
  // 5. merge_slashes, after normalisation
  if (getBool(hcm, 'merge_slashes')) {
    const m = mergeSlashes(path)
    if (m !== path) steps.push(`merge_slashes: ${path} → ${m}`)
    path = m
  }
  if (redirect) return done({status: 307, details: 'path_normalization_failed', location: path})
  // 6. the Host: trailing dot, then the port (these change the Host sent upstream too)
  if (getBool(hcm, 'strip_trailing_host_dot')) {
    const h = stripTrailingDot(authority)
    if (h !== authority) steps.push(`strip_trailing_host_dot: ${authority} → ${h}`)
    authority = h
  }
  const p = portStart(authority)
  if (p >= 0) {
    const port = authority.slice(p + 1)
    if (getBool(hcm, 'strip_any_host_port')) {
      steps.push(`strip_any_host_port: ${authority} → ${authority.slice(0, p)}`)
      authority = authority.slice(0, p)
    } else if (getBool(hcm, 'strip_matching_host_port')) {
      if (opts.localPort === undefined) assumptions.push(`strip_matching_host_port: the connection's port is not known, so :${port} is kept`)
      else if (String(opts.localPort) === port) {
        steps.push(`strip_matching_host_port: ${authority} → ${authority.slice(0, p)}`)
        authority = authority.slice(0, p)
      }
    }
  }
  return done()
}
