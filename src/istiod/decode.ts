/**
 * Decoding istiod's sync status, in every form meshctl accepts, into the proxy-status model. Pure: bytes or
 * values in, model out; every problem is a one-line InputError (exit 3) naming the input and the place.
 *
 * Accepted documents (JSON, or the same as YAML):
 *  - HTTP `GET /debug/syncz` (monitoring port 15014): an array of SyncStatus entries, snake_case. Current
 *    istiods add a `resources` map {typeURL: {sent, acked, sentTime, lastError}}; older ones only the flat
 *    `cluster_sent`/`cluster_acked`/... nonces (istioctl ≤ 1.21's source).
 *  - The xDS `istio.io/debug/syncz` answer: a DiscoveryResponse whose resources are ClientConfigs (node.id,
 *    node.metadata CLUSTER_ID/NAMESPACE/ISTIO_VERSION, genericXdsConfigs — or the deprecated xdsConfig),
 *    exactly as `istioctl ps -o json` (1.30+) and `meshctl ps -o json` print it; lowerCamelCase or snake_case.
 *  - An array of DiscoveryResponses (one per istiod).
 *  - An object mapping istiod names to either of the first two (what `meshctl ps -o json` prints for several
 *    istiods).
 */
import {createRequire} from 'node:module'
import {parseJsonBytes} from '../envoy/document.js'
import {get, getArray, getObject, getString, isObject, type Json, type JsonObject, typeUrl} from '../envoy/fields.js'
import {InputError} from '../errors/index.js'
import type {IstiodStatus, ProxySync, StatusSet, SyncStatus, TypeSync} from './model.js'
import {CLIENT_CONFIG_TYPE, FLAT_FIELDS, goLess, PER_XDS_FIELDS} from './xds-types.js'

/** One document as a source hands it over: the bytes, how to name them, and the istiod they came from if known. */
export interface RawStatusDocument {
  bytes: Uint8Array
  /** for messages: a file name, `stdin`, or `istiod-abc (istio-system)` */
  source: string
  /** the istiod the document came from (live sources know it; a file may name its istiods itself) */
  istiod?: string
}

export const HOW_TO_SAVE_SYNCZ = 'save one with: kubectl exec -n istio-system deploy/istiod -- curl -s localhost:15014/debug/syncz > syncz.json'

const EXPECTED =
  'expected a /debug/syncz array, a DiscoveryResponse (istioctl ps -o json), an array of DiscoveryResponses, or an object mapping istiod names to either'

function describeValue(v: Json | undefined): string {
  if (v === undefined) return 'missing'
  if (Array.isArray(v)) return `an array of ${v.length} item${v.length === 1 ? '' : 's'}`
  if (isObject(v)) {
    const keys = Object.keys(v)
    return keys.length === 0 ? 'an empty object' : `an object with keys ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', ...' : ''}`
  }
  return v === null ? 'null' : `a ${typeof v}`
}

const fail = (message: string, hint?: string): never => {
  throw new InputError(message, {code: 'E_SYNC_STATUS', ...(hint ? {hint} : {})})
}

// ---------------------------------------------------------------------------------------------------------
// bytes

function firstNonSpace(buf: Uint8Array): number {
  let i = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0
  while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i++
  return i
}

/**
 * Parses a document: JSON (syntax errors with the byte offset), or YAML when it does not start like JSON.
 * Text that is neither an object nor an array is reported as invalid JSON, where it stops being JSON.
 */
export function parseStatusBytes(bytes: Uint8Array, source: string): Json {
  const start = firstNonSpace(bytes)
  if (start >= bytes.length) fail(`${source} is empty`, HOW_TO_SAVE_SYNCZ)
  const c = bytes[start]
  if (c === 0x7b /* { */ || c === 0x5b /* [ */) return parseJsonBytes(bytes, source)
  let value: unknown
  try {
    // loaded only for YAML input: most runs never need it
    const {parse: parseYaml} = createRequire(import.meta.url)('yaml') as typeof import('yaml')
    value = parseYaml(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), {uniqueKeys: false})
  } catch (err) {
    // YAML that does not parse (a syntax error, or an alias bomb the parser refuses) is reported as such, not as
    // "invalid JSON at byte 0"
    const pos = (err as {linePos?: Array<{line: number; col: number}>}).linePos?.[0]
    const where = pos ? ` at line ${pos.line}, column ${pos.col}` : ''
    return fail(`${source} is neither JSON nor YAML: YAML error${where}: ${String((err as Error).message).split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, HOW_TO_SAVE_SYNCZ)
  }
  if (isObject(value) || Array.isArray(value)) return value as Json
  // a scalar or unparsable text: say where it stops being JSON (throws), or what JSON value it is
  const json = parseJsonBytes(bytes, source)
  return fail(`${source} is not istiod sync status: ${EXPECTED}; got ${describeValue(json)}`, HOW_TO_SAVE_SYNCZ)
}

// ---------------------------------------------------------------------------------------------------------
// shapes

const RESPONSE_KEYS = ['version_info', 'resources', 'type_url', 'control_plane', 'nonce', 'canary']
const SYNCZ_KEYS = ['proxy', 'cluster_id', 'proxy_type', 'proxy_version', 'istio_version']

/** A DiscoveryResponse: an object with one of its fields, or `{}` (an empty answer, printed as `{ }`). */
function isDiscoveryResponse(v: Json): v is JsonObject {
  if (!isObject(v)) return false
  if (Object.keys(v).length === 0) return true
  return RESPONSE_KEYS.some((k) => get(v, k) !== undefined) && !SYNCZ_KEYS.some((k) => k in v)
}

function isSynczEntry(v: Json): v is JsonObject {
  return isObject(v) && (SYNCZ_KEYS.some((k) => k in v) || FLAT_FIELDS.some((f) => `${f.prefix}_sent` in v))
}

/** Decodes one parsed document into the istiods it holds. `istiod` names a bare document's istiod. */
export function decodeStatusValue(value: Json, source: string, istiod?: string): IstiodStatus[] {
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(isDiscoveryResponse) && !value.every((v) => Object.keys(v as JsonObject).length === 0)) {
      return value.map((dr, i) => decodeDiscoveryResponse(dr as JsonObject, `${source}: [${i}]`, istiod))
    }
    return [decodeSyncz(value, source, istiod ?? '')]
  }
  if (isDiscoveryResponse(value)) return [decodeDiscoveryResponse(value, source, istiod)]
  if (isObject(value) && Array.isArray(value.configs)) {
    fail(`${source} is an Envoy config dump, not istiod sync status (proxy-status reads istiod's /debug/syncz)`, HOW_TO_SAVE_SYNCZ)
  }
  if (isObject(value) && isSynczEntry(value)) fail(`${source} is a single /debug/syncz entry, not the array istiod answers; wrap it in [ ]`)
  if (isObject(value) && Object.values(value).every((v) => Array.isArray(v) || isObject(v))) {
    // istiod name → its answer
    return Object.entries(value).map(([name, v]) => {
      const where = `${source}: "${name}"`
      if (Array.isArray(v)) return decodeSyncz(v, where, name)
      if (isDiscoveryResponse(v)) return decodeDiscoveryResponse(v, where, name)
      return fail(`${where} is ${describeValue(v)}, expected a /debug/syncz array or a DiscoveryResponse`)
    })
  }
  return fail(`${source} is not istiod sync status: ${EXPECTED}; got ${describeValue(value)}`, HOW_TO_SAVE_SYNCZ)
}

/** Reads and decodes one document: the istiods it holds (a live answer holds one; a saved file may hold several). */
export function decodeStatusDocument(doc: RawStatusDocument): IstiodStatus[] {
  return decodeStatusValue(parseStatusBytes(doc.bytes, doc.source), doc.source, doc.istiod)
}

/** Reads and decodes every document, in order. */
export function decodeStatusDocuments(docs: readonly RawStatusDocument[]): StatusSet {
  return {istiods: docs.flatMap(decodeStatusDocument)}
}

// ---------------------------------------------------------------------------------------------------------
// timestamps

const RFC3339 = /^(\d{4})-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/

/**
 * Timestamps already read, by their text: a push reaches many proxies at once, so thousands of syncz entries share
 * a few sentTimes (the Dates are never mutated). `null` is Go's zero time (not known), so that one `get` tells a
 * timestamp not seen yet (undefined) from one that means nothing. Bounded, for `ps --watch`.
 */
const seenTimestamps = new Map<string, Date | null>()

/**
 * A proto Timestamp or Go time.Time in JSON: an RFC 3339 string (or `{seconds, nanos}`). Go's zero time
 * (`0001-01-01T00:00:00Z`, what syncz writes for a type never sent) means "not known": undefined. `where` names
 * the place in the input for an error (a function: spelled out only then).
 */
export function parseTimestamp(v: Json | undefined, where: string | (() => string)): Date | undefined {
  if (v === undefined || v === null || v === '') return undefined
  const at = (): string => (typeof where === 'string' ? where : where())
  if (typeof v === 'string') {
    const seen = seenTimestamps.get(v)
    if (seen !== undefined) return seen ?? undefined
    const m = RFC3339.exec(v)
    const ms = m ? Date.parse(v.replace(' ', 'T')) : Number.NaN
    if (!m || Number.isNaN(ms)) return fail(`${at()} is "${v}", not an RFC 3339 timestamp`)
    const d = Number(m[1]) <= 1 ? null : new Date(ms)
    if (seenTimestamps.size >= 10_000) seenTimestamps.clear()
    seenTimestamps.set(v, d)
    return d ?? undefined
  }
  if (isObject(v) && (v.seconds !== undefined || v.nanos !== undefined)) {
    const s = Number(v.seconds ?? 0)
    const n = Number(v.nanos ?? 0)
    if (!Number.isFinite(s) || !Number.isFinite(n)) return fail(`${at()} is not a timestamp`)
    return new Date(s * 1000 + Math.trunc(n / 1e6))
  }
  return fail(`${at()} is ${describeValue(v)}, not a timestamp`)
}

/** A Date as proto-JSON prints a Timestamp: UTC, `Z`, fractional seconds only when not zero. */
export function formatTimestamp(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z')
}

// ---------------------------------------------------------------------------------------------------------
// xDS: DiscoveryResponse of ClientConfigs

/** The control plane ID as istioctl's CpInfo reads it: `MISSING` without a control plane, `INVALID` when not JSON. */
export function controlPlaneId(dr: JsonObject): string {
  const cp = get(dr, 'control_plane')
  if (cp === undefined || cp === null) return 'MISSING'
  const identifier = getString(cp, 'identifier')
  try {
    const parsed = JSON.parse(identifier) as unknown
    if (!isObject(parsed)) return 'INVALID'
    return typeof parsed.ID === 'string' ? parsed.ID : ''
  } catch {
    return 'INVALID'
  }
}

const ENUM_BY_NUMBER = ['UNKNOWN', 'SYNCED', 'NOT_SENT', 'STALE', 'ERROR'] as const

/** An xDS ConfigStatus (enum name or number; absent = UNKNOWN) in the table's words. */
function configStatus(v: Json | undefined, where: string): SyncStatus {
  const name = typeof v === 'number' ? ENUM_BY_NUMBER[v] : v === undefined || v === null ? 'UNKNOWN' : v
  switch (name) {
    case 'UNKNOWN':
      return 'IGNORED'
    case 'SYNCED':
      return 'SYNCED'
    case 'NOT_SENT':
      return 'NOT SENT'
    case 'STALE':
      return 'STALE'
    case 'ERROR':
      return 'ERROR'
    default:
      return fail(`${where} configStatus is ${typeof v === 'string' ? `"${v}"` : describeValue(v as Json)}; expected one of UNKNOWN, SYNCED, NOT_SENT, STALE, ERROR`)
  }
}

/**
 * The rank of each type URL seen so far in Go's byte order. A mesh has a handful of type URLs and each proxy
 * reports them again: comparing ranks saves comparing their long common prefix (`type.googleapis.com/envoy.`)
 * character by character, four times per proxy.
 */
const typeRank = new Map<string, number>()

function rankOf(url: string): number {
  let r = typeRank.get(url)
  if (r === undefined) {
    // a new URL: rank every known one again (bounded, for `ps --watch` against an odd istiod)
    if (typeRank.size >= 1000) typeRank.clear()
    const urls = [...typeRank.keys(), url].sort((a, b) => (a === b ? 0 : goLess(a, b) ? -1 : 1))
    for (let i = 0; i < urls.length; i++) typeRank.set(urls[i]!, i)
    r = typeRank.get(url)!
  }
  return r
}

/**
 * The type URLs of the last list found in order. Most proxies subscribe to the same types as the proxy before
 * them, and istiod writes them in order already (Go's encoding/json sorts map keys): comparing with that list (the
 * same parsed key strings) settles the order without looking the URLs up.
 */
let lastInOrder: readonly string[] = []

/** Types sorted by type URL (in place). */
function sortTypes(types: TypeSync[]): TypeSync[] {
  const n = types.length
  if (n === lastInOrder.length) {
    let i = 0
    while (i < n && types[i]!.typeUrl === lastInOrder[i]) i++
    if (i === n) return types
  }
  let prev = n > 0 ? rankOf(types[0]!.typeUrl) : 0
  for (let i = 1; i < n; i++) {
    const r = rankOf(types[i]!.typeUrl)
    // equal ranks are equal URLs: Go's order is strict, and a repeated URL is sorted like any other pair
    if (r <= prev) return types.sort((a, b) => rankOf(a.typeUrl) - rankOf(b.typeUrl))
    prev = r
  }
  // strictly increasing: a list a later proxy can be compared with
  lastInOrder = types.map((t) => t.typeUrl)
  return types
}

/** Types by URL, the last entry for a URL winning (as istioctl's map), sorted by type URL. */
function sortedTypes(byUrl: Map<string, TypeSync>): TypeSync[] {
  return sortTypes([...byUrl.values()])
}

function clientConfigTypes(cc: JsonObject, where: string): TypeSync[] {
  const byUrl = new Map<string, TypeSync>()
  const generic = get(cc, 'generic_xds_configs')
  if (generic !== undefined && generic !== null && !Array.isArray(generic)) fail(`${where} genericXdsConfigs is ${describeValue(generic)}, expected an array`)
  if (Array.isArray(generic) && generic.length > 0) {
    generic.forEach((g, i) => {
      const at = `${where} genericXdsConfigs[${i}]`
      if (!isObject(g)) fail(`${at} is ${describeValue(g)}, expected an object`)
      const url = getString(g, 'type_url')
      const t: TypeSync = {typeUrl: url, status: configStatus(get(g, 'config_status'), at)}
      const updated = parseTimestamp(get(g, 'last_updated'), `${at} lastUpdated`)
      if (updated) t.lastUpdated = updated
      const details = getString(getObject(g, 'error_state'), 'details')
      if (details) t.error = details
      byUrl.set(url, t)
    })
    return sortedTypes(byUrl)
  }
  // the deprecated PerXdsConfig form (istiod < 1.11): the type is the oneof that is set
  getArray(cc, 'xds_config').forEach((x, i) => {
    const field = PER_XDS_FIELDS.find((f) => get(x, f.field) !== undefined)
    if (!field) return
    byUrl.set(field.typeUrl, {typeUrl: field.typeUrl, status: configStatus(get(x, 'status'), `${where} xdsConfig[${i}]`)})
  })
  return sortedTypes(byUrl)
}

function isClientConfigType(url: string): boolean {
  return url === '' || url === CLIENT_CONFIG_TYPE || url.endsWith('/envoy.service.status.v3.ClientConfig')
}

/** One istiod's xDS answer. `name` is the istiod's name when the input gave one (a map key, a live pod). */
export function decodeDiscoveryResponse(dr: JsonObject, source: string, name?: string): IstiodStatus {
  const id = controlPlaneId(dr)
  const resources = get(dr, 'resources')
  if (resources !== undefined && resources !== null && !Array.isArray(resources)) {
    fail(`${source}: "resources" is ${describeValue(resources)}, expected an array of ClientConfig`)
  }
  const proxies: ProxySync[] = ((resources as Json[] | undefined) ?? []).map((r, i) => {
    const where = `${source}: resources[${i}]`
    if (!isObject(r)) return fail(`${where} is ${describeValue(r)}, expected a ClientConfig object`)
    const url = typeUrl(r)
    if (!isClientConfigType(url)) return fail(`${where} is a ${url}, not a ${CLIENT_CONFIG_TYPE}`)
    const node = getObject(r, 'node')
    const meta = getObject(node, 'metadata')
    const proxyId = getString(node, 'id')
    return {
      id: proxyId,
      clusterId: getString(meta, 'CLUSTER_ID'),
      namespace: getString(meta, 'NAMESPACE'),
      istioVersion: getString(meta, 'ISTIO_VERSION'),
      istiod: id,
      types: clientConfigTypes(r, proxyId ? `${where} (${proxyId})` : where),
    }
  })
  return {name: name ?? (id === 'MISSING' || id === 'INVALID' ? '' : id), origin: 'xds', response: dr, proxies}
}

// ---------------------------------------------------------------------------------------------------------
// HTTP /debug/syncz

/** The namespace part of a proxy ID `<pod>.<namespace>` (pod names may contain dots, namespaces cannot). */
export function namespaceOfProxyId(id: string): string {
  const dot = id.lastIndexOf('.')
  return dot >= 0 ? id.slice(dot + 1) : ''
}

/** Where entry `index` of a syncz array is, for a message. */
const entryAt = (source: string, index: number, id: string): string => `${source}: [${index}] (${id})`

/**
 * Current istiod: status per subscribed type from `resources`, with the xDS rules (statusgen.go). The hot
 * loop of `ps` (five types for each of thousands of proxies, run once per process, so mostly before V8 has
 * optimised it: every call and every object counts): fields are read directly when they are what istiod writes
 * (strings), through getString only otherwise; no closure unless a timestamp is new; the place in the input
 * (`where` of entry `index`) is spelled out only for a message.
 */
function resourceTypes(resources: JsonObject, source: string, index: number, id: string): TypeSync[] {
  // gathered in a reused array and copied out at their exact number (an array grown by push keeps room for 17)
  const types = scratchTypes
  types.length = 0
  // the keys of a parsed object are distinct: one entry per type URL, as istioctl's map
  for (const url in resources) {
    const r = resources[url]
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      return fail(`${entryAt(source, index, id)} resources["${url}"] is ${describeValue(r)}, expected {sent, acked, sentTime, lastError}`)
    }
    let sent = r.sent
    if (typeof sent !== 'string') sent = getString(r, 'sent')
    let acked = r.acked
    if (typeof acked !== 'string') acked = getString(r, 'acked')
    // either spelling, as get(): last_error, then lastError
    let error = r.last_error
    if (error === undefined) error = r.lastError
    if (typeof error !== 'string') error = error === undefined ? '' : getString(r, 'last_error')
    const status: SyncStatus = error ? 'ERROR' : !sent ? 'NOT SENT' : acked === sent ? 'SYNCED' : 'STALE'
    // a push reaches many proxies at once: most sentTimes are already known (null: Go's zero time)
    const at = r.sentTime ?? r.sent_time
    let sentTime = typeof at === 'string' ? seenTimestamps.get(at) : undefined
    if (sentTime === undefined) sentTime = parseTimestamp(at, () => `${entryAt(source, index, id)} resources["${url}"] sentTime`) ?? null
    // the usual fields in the literal (a field added later would cost the object a second allocation); the
    // optional fields in the same order everywhere
    const t: TypeSync = sentTime ? {typeUrl: url, status, lastUpdated: sentTime} : {typeUrl: url, status}
    if (error) t.error = error
    types.push(t)
  }
  return sortTypes(types.slice())
}

const scratchTypes: TypeSync[] = []

/** Older istiod: the five core types from the flat nonces, with istioctl ≤ 1.21's rules. */
function flatTypes(entry: JsonObject, ztunnel: boolean): TypeSync[] {
  const byUrl = new Map<string, TypeSync>()
  for (const {typeUrl: url, prefix} of FLAT_FIELDS) {
    const sent = getString(entry, `${prefix}_sent`)
    const acked = getString(entry, `${prefix}_acked`)
    let t: TypeSync
    if (!sent) t = {typeUrl: url, status: ztunnel ? 'IGNORED' : 'NOT SENT'}
    else if (sent === acked) t = {typeUrl: url, status: 'SYNCED'}
    else if (!acked) t = {typeUrl: url, status: 'STALE', neverAcknowledged: true}
    else t = {typeUrl: url, status: 'STALE'}
    byUrl.set(url, t)
  }
  return sortedTypes(byUrl)
}

/** The ClientConfig istiod's xDS answer would hold for this proxy. */
function clientConfigOf(p: ProxySync): JsonObject {
  const metadata: JsonObject = {}
  if (p.clusterId) metadata.CLUSTER_ID = p.clusterId
  if (p.istioVersion) metadata.ISTIO_VERSION = p.istioVersion
  if (p.namespace) metadata.NAMESPACE = p.namespace
  const node: JsonObject = {id: p.id}
  if (Object.keys(metadata).length > 0) node.metadata = metadata
  const configs: Json[] = p.types.map((t) => {
    const g: JsonObject = {typeUrl: t.typeUrl}
    if (t.lastUpdated) g.lastUpdated = formatTimestamp(t.lastUpdated)
    const enumName = t.status === 'IGNORED' ? undefined : t.status === 'NOT SENT' ? 'NOT_SENT' : t.status
    if (enumName) g.configStatus = enumName
    if (t.error) g.errorState = {details: t.error}
    return g
  })
  const cc: JsonObject = {'@type': CLIENT_CONFIG_TYPE, node}
  if (configs.length > 0) cc.genericXdsConfigs = configs
  return cc
}

/** One istiod's HTTP `/debug/syncz` array. `name` is the istiod ('' when the input does not say). */
export function decodeSyncz(entries: Json[], source: string, name: string): IstiodStatus {
  const proxies: ProxySync[] = new Array(entries.length)
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return fail(`${source}: [${i}] is ${describeValue(e)}, expected a /debug/syncz entry object`)
    // as resourceTypes: the strings istiod writes read directly, anything else through getString
    let id = e.proxy
    if (typeof id !== 'string') id = getString(e, 'proxy')
    if (!id) {
      return isSynczEntry(e)
        ? fail(`${source}: [${i}] has no "proxy" (the proxy ID)`)
        : fail(`${source} is not istiod sync status: ${EXPECTED}; ${source}: [${i}] is ${describeValue(e)}`, HOW_TO_SAVE_SYNCZ)
    }
    let clusterId = e.cluster_id
    if (typeof clusterId !== 'string') clusterId = getString(e, 'cluster_id')
    let istioVersion = e.istio_version
    if (typeof istioVersion !== 'string') istioVersion = getString(e, 'istio_version')
    let proxyType = e.proxy_type
    if (typeof proxyType !== 'string') proxyType = getString(e, 'proxy_type')
    let proxyVersion = e.proxy_version
    if (typeof proxyVersion !== 'string') proxyVersion = getString(e, 'proxy_version')
    const resources = e.resources
    if (resources !== undefined && resources !== null && !isObject(resources)) fail(`${source}: [${i}] "resources" is ${describeValue(resources)}, expected an object keyed by type URL`)
    // an empty `resources` is an older istiod's answer too
    let types = isObject(resources) ? resourceTypes(resources, source, i, id) : undefined
    if (types === undefined || types.length === 0) types = flatTypes(e, proxyType === 'ztunnel')
    const namespace = namespaceOfProxyId(id)
    // what every current istiod writes in the literal (fields added later would cost the object a second allocation)
    let p: ProxySync
    if (proxyVersion && proxyType) p = {id, clusterId, namespace, istioVersion, istiod: name, types, proxyVersion, proxyType}
    else {
      p = {id, clusterId, namespace, istioVersion, istiod: name, types}
      if (proxyVersion) p.proxyVersion = proxyVersion
      if (proxyType) p.proxyType = proxyType
    }
    proxies[i] = p
  }
  // the DiscoveryResponse form is for -o json|yaml only: built when first asked for
  return withLazyResponse({name, origin: 'syncz', proxies}, () => {
    const response: JsonObject = {}
    if (proxies.length > 0) response.resources = proxies.map(clientConfigOf)
    response.typeUrl = CLIENT_CONFIG_TYPE
    if (name) response.controlPlane = {identifier: JSON.stringify({Component: 'istiod', ID: name})}
    return response
  })
}

/** An IstiodStatus whose `response` is made on first use (and kept). */
function withLazyResponse(status: Omit<IstiodStatus, 'response'>, make: () => JsonObject): IstiodStatus {
  let response: JsonObject | undefined
  return {
    ...status,
    get response(): JsonObject {
      if (response === undefined) response = make()
      return response
    },
  }
}

// ---------------------------------------------------------------------------------------------------------
// filtering

/** `-n`: keeps the proxies of one namespace, in the model and in each istiod's response (as istioctl 1.30). */
export function filterNamespace(set: StatusSet, namespace: string | undefined): StatusSet {
  if (!namespace) return set
  return {
    istiods: set.istiods.map((i) =>
      withLazyResponse({name: i.name, origin: i.origin, proxies: i.proxies.filter((p) => p.namespace === namespace)}, () => {
        const response: JsonObject = {...i.response}
        const resources = get(i.response, 'resources')
        if (Array.isArray(resources)) {
          const kept = resources.filter((r) => getString(getObject(getObject(r, 'node'), 'metadata'), 'NAMESPACE') === namespace)
          if (kept.length > 0) response.resources = kept
          else delete response.resources
        }
        return response
      }),
    ),
  }
}
