/**
 * istiod's debug interface (`/debug/<type>` on its monitoring and HTTP ports, or `istio.io/debug` over xDS;
 * docs/istioctl-behaviour.md §12): the answers of one or several replicas, classified, decoded and made into
 * tables for the common types. Pure.
 *
 * - `debugIndex`: the "Pilot Debug Console" HTML index (`/debug`) or the JSON `list` -> endpoint + description;
 * - `adsz` / `connections`: one row per connected proxy (proxy, istiod, connection age, address, watched types);
 * - `registryz`: one row per service; `configz`: one row per config object; `endpointz` / `endpointShardz`: one row
 *   per service shard; `push_status`: one row per (metric, key).
 * Anything else is shown as istiod's answer, re-indented when it is JSON.
 */
import {InputError, ProxyError, UsageError} from '../errors/index.js'
import type {Json} from '../envoy/fields.js'
import type {Row} from '../output/tabwriter.js'
import {header, table, text, type ViewResult} from '../views/types.js'
import {humanDuration} from './age.js'
import {shortType} from './xds-types.js'

/** One replica's answer to one debug request. */
export interface ReplicaAnswer {
  /** the istiod pod (or the file) that answered */
  istiod: string
  /** HTTP status; xDS loses it (istiod sends only the body), so 200 there */
  status: number
  body: string
}

export const NOT_CONNECTED_TEXT = 'Proxy not connected to this Pilot instance'
export const NEEDS_PROXY_TEXT = 'You must provide a proxyID in the query string'
const NOT_FOUND_TEXT = '404 page not found'

/** `adsz` and `adsz?push=true` -> `adsz`; leading `/debug/` or `/` dropped. */
export function debugType(endpoint: string): string {
  return endpoint.replace(/^\/?(debug\/)?/, '').split('?')[0]!
}

/** The path after the port (`debug/edsz?proxyID=a.b`), with the parameters given as flags added. */
export function debugPath(endpoint: string, params: ReadonlyArray<[string, string]>): string {
  const e = endpoint.replace(/^\/?(debug\/?)?/, '')
  const q = new URLSearchParams(e.includes('?') ? e.slice(e.indexOf('?') + 1) : '')
  for (const [k, v] of params) q.set(k, v)
  const qs = q.toString()
  return `debug/${e.split('?')[0]}${qs ? `?${qs}` : ''}`
}

/**
 * Sorts the answers out, the way istioctl's internal-debug reads bodies (the status is lost over xDS): a replica that
 * does not have the proxy is dropped (all of them: an error); `404 page not found` and the proxyID demand are usage
 * errors; other non-200 answers are failures of that replica (reported by `warn` while another answered).
 */
export function usableAnswers(endpoint: string, answers: ReplicaAnswer[], warn: (m: string) => void, proxy?: string): ReplicaAnswer[] {
  const type = debugType(endpoint)
  const kept: ReplicaAnswer[] = []
  const failures: string[] = []
  let notConnected = 0
  for (const a of answers) {
    const head = a.body.slice(0, 300)
    if (head.includes(NEEDS_PROXY_TEXT)) {
      throw new UsageError(`istiod's /debug/${type} needs a proxy`, {hint: 'give --proxy <pod>.<namespace>'})
    }
    if (head.startsWith(NOT_FOUND_TEXT) || (a.status === 404 && head.includes(NOT_FOUND_TEXT))) {
      throw new UsageError(`istiod ${a.istiod} does not serve /debug/${type}`, {hint: '`meshctl istiod debug` lists what it serves'})
    }
    if (head.includes(NOT_CONNECTED_TEXT)) {
      notConnected++
      continue
    }
    if (a.status !== 200) {
      failures.push(`istiod ${a.istiod} answered ${a.status} for /debug/${type}: ${a.body.trim().split('\n')[0]?.slice(0, 200) ?? ''}`)
      continue
    }
    kept.push(a)
  }
  if (kept.length === 0) {
    if (failures.length > 0) throw new ProxyError(failures[0]!, {code: 'E_ISTIOD'})
    if (notConnected > 0) {
      throw new ProxyError(`${proxy ? `proxy ${proxy}` : 'the proxy'} is not connected to ${notConnected === 1 ? 'this istiod' : `any of the ${notConnected} istiods asked`}`, {
        code: 'E_NOT_CONNECTED',
        hint: 'check --proxy (<pod>.<namespace>) and -r/--revision; `meshctl ps` shows which istiod serves it',
      })
    }
  }
  for (const f of failures) warn(`${f} (the other istiods answered)`)
  return kept
}

/** The body as JSON, or an InputError naming who sent it. */
function parseJson(a: ReplicaAnswer): unknown {
  try {
    return JSON.parse(a.body)
  } catch (err) {
    throw new InputError(`istiod ${a.istiod}'s answer is not JSON (${(err as Error).message})`, {code: 'E_JSON_PARSE'})
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '')

// ---------------------------------------------------------------------------------------------------------------
// index

export interface IndexRow {
  endpoint: string
  description: string
}

const unescapeHtml = (s: string): string =>
  s.replace(/&(lt|gt|amp|quot|#39);/g, (_m, e: string) => ({lt: '<', gt: '>', amp: '&', quot: '"', '#39': "'"})[e] ?? '')

/** istiod's `/debug` HTML index (rows of `<a href='/debug/x'>` + description cell), or the JSON `list` (names only). */
export function decodeDebugIndex(body: string): IndexRow[] {
  const trimmed = body.trimStart()
  if (trimmed.startsWith('[')) {
    const list = JSON.parse(trimmed) as unknown
    if (Array.isArray(list)) return list.map((e) => ({endpoint: str(e).replace(/^\/debug\//, ''), description: ''}))
  }
  const rows: IndexRow[] = []
  const re = /<a\s+href=['"]([^'"]+)['"][^>]*>[\s\S]*?<\/a>\s*<\/td>\s*<td>([\s\S]*?)<\/td>/gi
  for (const m of body.matchAll(re)) {
    rows.push({endpoint: unescapeHtml(m[1]!).replace(/^\/debug\//, ''), description: unescapeHtml(m[2]!).replace(/\s+/g, ' ').trim()})
  }
  if (rows.length === 0) throw new InputError('the /debug index holds no endpoints (neither the HTML table nor a JSON list)', {code: 'E_NOT_INDEX'})
  return rows
}

/** `ENDPOINT DESCRIPTION`; only ENDPOINT for the xDS `list`, which has no descriptions. */
export function indexView(rows: IndexRow[]): ViewResult {
  const described = rows.some((r) => r.description !== '')
  const body: Row[] = rows.map((r) => (described ? [r.endpoint, r.description] : [r.endpoint]))
  return {blocks: [table([described ? header('ENDPOINT', 'DESCRIPTION') : header('ENDPOINT'), ...body], 3)], data: () => rows as unknown as Json}
}

// ---------------------------------------------------------------------------------------------------------------
// decoded types

export interface AdsClientRow {
  proxy: string
  istiod: string
  connectionId: string
  connectedAt: string
  address: string
  /** short type -> number of watched resource names */
  watches: Record<string, number>
}

/** `sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local-12` -> `pod.ns` (the connection ID is the node ID plus `-<n>`). */
export function proxyOfConnection(id: string): string {
  const parts = id.split('~')
  return parts.length >= 4 ? parts[2]! : id.replace(/-\d+$/, '')
}

export function decodeAdsz(a: ReplicaAnswer): AdsClientRow[] {
  const doc = parseJson(a)
  if (!isObj(doc) || !('totalClients' in doc || 'clients' in doc)) throw new InputError(`istiod ${a.istiod}'s answer is not an adsz document ({totalClients, clients})`, {code: 'E_NOT_ADSZ'})
  const clients = Array.isArray(doc.clients) ? doc.clients : []
  return clients.filter(isObj).map((c) => {
    const watches: Record<string, number> = {}
    if (isObj(c.watches)) for (const [t, names] of Object.entries(c.watches)) watches[shortType(t)] = Array.isArray(names) ? names.length : 0
    const id = str(c.connectionId)
    return {proxy: proxyOfConnection(id), istiod: a.istiod, connectionId: id, connectedAt: str(c.connectedAt), address: str(c.address), watches}
  })
}

export interface ServiceRow {
  hostname: string
  namespace: string
  registry: string
  address: string
  ports: string
  resolution: string
  external: boolean
}

/** model.Resolution's Go constants (pilot/pkg/model/service.go). */
const RESOLUTIONS = ['ClientSideLB', 'DNSLB', 'DNSRoundRobinLB', 'Passthrough', 'Alias']

export function decodeRegistryz(a: ReplicaAnswer): ServiceRow[] {
  const doc = parseJson(a)
  if (!Array.isArray(doc)) throw new InputError(`istiod ${a.istiod}'s answer is not a registryz document (a list of services)`, {code: 'E_NOT_REGISTRYZ'})
  return doc.filter(isObj).map((s) => {
    const attrs = isObj(s.Attributes) ? s.Attributes : {}
    const ports = Array.isArray(s.ports) ? s.ports.filter(isObj).map((p) => `${str(p.port)}/${str(p.protocol)}`) : []
    const res = s.Resolution
    return {
      hostname: str(s.hostname),
      namespace: str(attrs.Namespace),
      registry: str(attrs.ServiceRegistry),
      address: str(s.defaultAddress),
      ports: ports.join(','),
      resolution: typeof res === 'number' ? (RESOLUTIONS[res] ?? String(res)) : str(res),
      external: s.MeshExternal === true,
    }
  })
}

export interface ConfigRow {
  kind: string
  namespace: string
  name: string
  apiVersion: string
  resourceVersion: string
}

export function decodeConfigz(a: ReplicaAnswer): ConfigRow[] {
  const doc = parseJson(a)
  if (!Array.isArray(doc)) throw new InputError(`istiod ${a.istiod}'s answer is not a configz document (a list of config objects)`, {code: 'E_NOT_CONFIGZ'})
  return doc.filter(isObj).map((c) => {
    const md = isObj(c.metadata) ? c.metadata : {}
    return {kind: str(c.kind), namespace: str(md.namespace), name: str(md.name), apiVersion: str(c.apiVersion), resourceVersion: str(md.resourceVersion)}
  })
}

export interface ShardRow {
  hostname: string
  namespace: string
  shard: string
  endpoints: number
  healthy: number
}

/** istio's model.HealthStatus: Healthy = 1 (0, unset, counts as healthy too: istiod treats it so). */
const isHealthy = (e: Record<string, unknown>): boolean => e.HealthStatus === undefined || e.HealthStatus === 0 || e.HealthStatus === 1

export function decodeEndpointz(a: ReplicaAnswer): ShardRow[] {
  const doc = parseJson(a)
  if (!isObj(doc)) throw new InputError(`istiod ${a.istiod}'s answer is not an endpointz document ({hostname: {namespace: {Shards}}})`, {code: 'E_NOT_ENDPOINTZ'})
  const rows: ShardRow[] = []
  for (const [hostname, byNs] of Object.entries(doc)) {
    if (!isObj(byNs)) continue
    for (const [namespace, entry] of Object.entries(byNs)) {
      const shards = isObj(entry) && isObj(entry.Shards) ? entry.Shards : {}
      for (const [shard, eps] of Object.entries(shards)) {
        const list = Array.isArray(eps) ? eps.filter(isObj) : []
        rows.push({hostname, namespace, shard, endpoints: list.length, healthy: list.filter(isHealthy).length})
      }
    }
  }
  return rows
}

export interface PushStatusRow {
  metric: string
  key: string
  proxy: string
  message: string
}

export function decodePushStatus(a: ReplicaAnswer): PushStatusRow[] {
  if (a.body.trim() === '') return [] // istiod answers nothing before its first push
  const doc = parseJson(a)
  if (!isObj(doc)) throw new InputError(`istiod ${a.istiod}'s answer is not a push_status document`, {code: 'E_NOT_PUSH_STATUS'})
  const rows: PushStatusRow[] = []
  for (const [metric, byKey] of Object.entries(doc)) {
    if (!isObj(byKey)) continue
    for (const [key, v] of Object.entries(byKey)) rows.push({metric, key, proxy: str(isObj(v) ? v.proxy : ''), message: str(isObj(v) ? v.message : '')})
  }
  return rows
}

// ---------------------------------------------------------------------------------------------------------------
// the view

/** Types decoded into tables. */
export const TABLE_TYPES = ['adsz', 'connections', 'registryz', 'configz', 'endpointz', 'endpointShardz', 'push_status'] as const

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Rows from several replicas: identical rows are shown once, their ISTIOD cell `all` when every replica has them,
 * else the replicas' names. One replica: no ISTIOD column.
 */
function mergeReplicas(perReplica: Array<{istiod: string; rows: string[][]}>): Row[] {
  if (perReplica.length === 1) return perReplica[0]!.rows
  const seen = new Map<string, {row: string[]; istiods: string[]}>()
  for (const r of perReplica) {
    for (const row of r.rows) {
      const key = JSON.stringify(row)
      const e = seen.get(key)
      if (e) {
        if (!e.istiods.includes(r.istiod)) e.istiods.push(r.istiod)
      } else seen.set(key, {row, istiods: [r.istiod]})
    }
  }
  return [...seen.values()].map(({row, istiods}) => [...row, istiods.length === perReplica.length ? 'all' : istiods.join(',')])
}

function tableView(head: string[], perReplica: Array<{istiod: string; rows: string[][]}>, data: Json): ViewResult {
  for (const r of perReplica) r.rows.sort((a, b) => a.reduce((acc, cell, i) => acc || byText(cell, b[i] ?? ''), 0))
  const rows = mergeReplicas(perReplica)
  const cols = perReplica.length > 1 ? [...head, 'ISTIOD'] : head
  return {blocks: [table([header(...cols), ...rows], 3)], data: () => data}
}

/** The document of `-o json|yaml` and `--query`: istiod's answer, or an object of them keyed by istiod. */
export function answersDocument(answers: ReplicaAnswer[]): Json {
  const value = (a: ReplicaAnswer): Json => {
    try {
      return JSON.parse(a.body) as Json
    } catch {
      return a.body
    }
  }
  if (answers.length === 1) return value(answers[0]!)
  const out: Record<string, Json> = {}
  for (const a of answers) out[a.istiod] = value(a)
  return out
}

function watchesText(w: Record<string, number>): string {
  const order = ['CDS', 'LDS', 'EDS', 'RDS', 'SDS', 'ECDS', 'NDS', 'PCDS', 'WDS', 'WADS']
  const keys = Object.keys(w).sort((a, b) => {
    const ia = order.indexOf(a)
    const ib = order.indexOf(b)
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || byText(a, b)
  })
  return keys.map((k) => (w[k]! > 0 ? `${k}(${w[k]})` : k)).join(',')
}

/** The table (or text) for an endpoint's answers; `now` for connection ages. */
export function debugView(endpoint: string, answers: ReplicaAnswer[], now: Date): ViewResult {
  const type = debugType(endpoint)
  const data = answersDocument(answers)
  const per = <T>(decode: (a: ReplicaAnswer) => T[], row: (r: T) => string[]): Array<{istiod: string; rows: string[][]}> =>
    answers.map((a) => ({istiod: a.istiod, rows: decode(a).map(row)}))
  if (/push=true/.test(endpoint) || answers.every((a) => !a.body.trimStart().startsWith('{') && !a.body.trimStart().startsWith('[') && a.body.trim() !== '')) {
    return rawView(answers, data)
  }
  switch (type) {
    case 'adsz':
    case 'connections': {
      const rows = answers.flatMap(decodeAdsz).sort((a, b) => byText(a.proxy, b.proxy) || byText(a.istiod, b.istiod) || byText(a.connectionId, b.connectionId))
      const ageOf = (t: string): string => {
        const ms = Date.parse(t)
        return Number.isNaN(ms) ? '' : humanDuration(now.getTime() - ms)
      }
      const full = type === 'adsz'
      const head = full ? header('PROXY', 'ISTIOD', 'CONNECTED', 'ADDRESS', 'WATCHED') : header('PROXY', 'ISTIOD', 'CONNECTED', 'ADDRESS')
      const body: Row[] = rows.map((r) => [r.proxy, r.istiod, ageOf(r.connectedAt), r.address, ...(full ? [watchesText(r.watches)] : [])])
      return {blocks: [table([head, ...body], 3)], data: () => data}
    }
    case 'registryz':
      return tableView(['SERVICE', 'NAMESPACE', 'ADDRESS', 'PORTS', 'RESOLUTION', 'REGISTRY'], per(decodeRegistryz, (s) => [s.hostname, s.namespace, s.address, s.ports, s.resolution + (s.external ? ' (external)' : ''), s.registry]), data)
    case 'configz':
      return tableView(['KIND', 'NAMESPACE', 'NAME', 'API VERSION', 'RESOURCE VERSION'], per(decodeConfigz, (c) => [c.kind, c.namespace, c.name, c.apiVersion, c.resourceVersion]), data)
    case 'endpointz':
    case 'endpointShardz':
      return tableView(['SERVICE', 'NAMESPACE', 'SHARD', 'ENDPOINTS', 'HEALTHY'], per(decodeEndpointz, (s) => [s.hostname, s.namespace, s.shard, String(s.endpoints), String(s.healthy)]), data)
    case 'push_status':
      return tableView(['METRIC', 'KEY', 'PROXY', 'MESSAGE'], per(decodePushStatus, (p) => [p.metric, p.key, p.proxy, p.message]), data)
    default:
      return rawView(answers, data)
  }
}

/** Any other answer: JSON re-indented (2 spaces, as istioctl's internal-debug), text as it is; one block per replica. */
function rawView(answers: ReplicaAnswer[], data: Json): ViewResult {
  const show = (a: ReplicaAnswer): string => {
    try {
      return `${JSON.stringify(JSON.parse(a.body), null, 2)}\n`
    } catch {
      return a.body.endsWith('\n') || a.body === '' ? a.body : `${a.body}\n`
    }
  }
  if (answers.length === 1) return {blocks: [text(show(answers[0]!))], data: () => data}
  return {blocks: answers.map((a, i) => text(`${i > 0 ? '\n' : ''}# istiod ${a.istiod}\n${show(a)}`)), data: () => data}
}
