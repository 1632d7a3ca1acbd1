/**
 * Turning input bytes into a decoded Envoy admin document: a `/config_dump` (any of its forms) or a
 * `/clusters?format=json` answer. Pure: bytes in, objects out; every problem is an InputError whose
 * message says what was wrong and where (byte offset for JSON syntax errors).
 *
 * Accepted config_dump forms:
 *  - Envoy's own JSON (snake_case), and the lowerCamelCase form protojson/istioctl print;
 *  - the same as YAML;
 *  - dumps taken with `?mask=` (sections with only some fields) and `?resource=` (one config entry per
 *    resource, typed `...ClustersConfigDump.DynamicCluster` etc.), regrouped here into ordinary sections;
 *  - API v3 (`envoy.admin.v3`) and the older v2 (`envoy.admin.v2alpha`) type URLs;
 *  - a bare section object (`{"@type": "...ClustersConfigDump", ...}`) or an array of sections.
 */
import {createRequire} from 'node:module'
import {InputError} from '../errors/index.js'
import {findJsonError} from './json-error.js'
import {type ByteReader, locateConfigEntries, locateConfigEntriesIn, type ScannedEntry} from './scan.js'
import {type ElementSink, findArrayElements, parseLarge, parseProjected, type Projection, projectFromReader, SplitLayoutError, splitContainer, streamTopArray, textWithoutArrays} from './split.js'
import {get, getArray, isObject, type Json, type JsonObject, noteUnreadable, typeName, typeUrl} from './fields.js'

export type SectionKind = 'bootstrap' | 'clusters' | 'listeners' | 'scopedRoutes' | 'routes' | 'secrets' | 'endpoints' | 'ecds'

/** The short message name of each section kind, as the last segment of its type URL. */
const SECTION_MESSAGE: Record<SectionKind, string> = {
  bootstrap: 'BootstrapConfigDump',
  clusters: 'ClustersConfigDump',
  listeners: 'ListenersConfigDump',
  scopedRoutes: 'ScopedRoutesConfigDump',
  routes: 'RoutesConfigDump',
  secrets: 'SecretsConfigDump',
  endpoints: 'EndpointsConfigDump',
  ecds: 'EcdsConfigDump',
}

/** The v3 type URL of a section kind, used in messages (as istioctl words them). */
export function sectionTypeUrl(kind: SectionKind): string {
  return `type.googleapis.com/envoy.admin.v3.${SECTION_MESSAGE[kind]}`
}

/** `?resource=` answers: the type of a single resource → the section and field it belongs to. */
const RESOURCE_ENTRY: Record<string, {kind: SectionKind; field: string}> = {
  'ClustersConfigDump.DynamicCluster': {kind: 'clusters', field: 'dynamic_active_clusters'},
  'ClustersConfigDump.StaticCluster': {kind: 'clusters', field: 'static_clusters'},
  'ListenersConfigDump.DynamicListener': {kind: 'listeners', field: 'dynamic_listeners'},
  'ListenersConfigDump.StaticListener': {kind: 'listeners', field: 'static_listeners'},
  'RoutesConfigDump.DynamicRouteConfig': {kind: 'routes', field: 'dynamic_route_configs'},
  'RoutesConfigDump.StaticRouteConfig': {kind: 'routes', field: 'static_route_configs'},
  'ScopedRoutesConfigDump.DynamicScopedRouteConfigs': {kind: 'scopedRoutes', field: 'dynamic_scoped_route_configs'},
  'ScopedRoutesConfigDump.InlineScopedRouteConfigs': {kind: 'scopedRoutes', field: 'inline_scoped_route_configs'},
  'SecretsConfigDump.DynamicSecret': {kind: 'secrets', field: 'dynamic_active_secrets'},
  'SecretsConfigDump.StaticSecret': {kind: 'secrets', field: 'static_secrets'},
  'EndpointsConfigDump.DynamicEndpointConfig': {kind: 'endpoints', field: 'dynamic_endpoint_configs'},
  'EndpointsConfigDump.StaticEndpointConfig': {kind: 'endpoints', field: 'static_endpoint_configs'},
  'EcdsConfigDump.EcdsFilterConfig': {kind: 'ecds', field: 'ecds_filters'},
}

function sectionKindOf(url: string): SectionKind | undefined {
  const name = typeName(url)
  const last = name.slice(name.lastIndexOf('.') + 1)
  for (const [kind, message] of Object.entries(SECTION_MESSAGE)) {
    if (last === message) return kind as SectionKind
  }
  return undefined
}

function resourceEntryOf(url: string): {kind: SectionKind; field: string} | undefined {
  const name = typeName(url)
  // envoy.admin.v3.ClustersConfigDump.DynamicCluster → ClustersConfigDump.DynamicCluster
  const parts = name.split('.')
  return parts.length >= 2 ? RESOURCE_ENTRY[parts.slice(-2).join('.')] : undefined
}

/** One entry of a dump's `configs` array: its type is known up front, its content decoded on first use. */
export interface ConfigEntry {
  readonly type: string
  load(): JsonObject
  /** drops the decoded value, if it was decoded from bytes that are still at hand (the next load() decodes again) */
  forget?(): void
  /** the entry with only what `p` names decoded (not kept); undefined when its bytes cannot be cut that way */
  project?(p: Projection): JsonObject | undefined
  /** the value at input bytes [start, end) (an `@range` a projection gave), when they lie in this entry */
  decodeRange?(start: number, end: number): Json | undefined
  /** the elements of its arrays `keys` whose text holds `needle`, decoded (split.ts findArrayElements); undefined when it cannot tell */
  findElements?(keys: readonly string[], needles: readonly string[]): Array<{key: string; value: Json}> | undefined
  /** the entry's JSON text as it is in the input (not kept), when the input is at hand as bytes */
  bytes?(): Uint8Array
  /**
   * the entry read through once, the elements of the arrays `p` reaches into handed to `sink` one at a time (split.ts
   * projectFromReader) and not kept; false when its bytes cannot be cut that way (the sink may have had some)
   */
  stream?(p: Projection, sink: ElementSink): boolean
}

const eager = (cfg: JsonObject): ConfigEntry => ({type: typeUrl(cfg), load: () => cfg})

/**
 * A decoded `/config_dump`. Sections are kept as Envoy wrote them and decoded only when a view asks for
 * them (a dump located by the byte scanner parses nothing else).
 */
export class ConfigDump {
  readonly kind = 'config_dump' as const
  private readonly entries: readonly ConfigEntry[]
  private readonly rawOf: () => Json
  private readonly cache = new Map<SectionKind, JsonObject[]>()

  constructor(configs: JsonObject[] | readonly ConfigEntry[], raw: Json | (() => Json)) {
    this.entries = (configs as Array<JsonObject | ConfigEntry>).map((c) =>
      typeof (c as ConfigEntry).load === 'function' && typeof (c as ConfigEntry).type === 'string' ? (c as ConfigEntry) : eager(c as JsonObject),
    )
    this.rawOf = typeof raw === 'function' ? raw : () => raw
  }

  /** The document as given (for `pc all -o yaml` of a non-JSON input). Decodes everything. */
  get raw(): Json {
    return this.rawOf()
  }

  /** Every config entry, decoded. */
  get configs(): JsonObject[] {
    return this.entries.map((e) => e.load())
  }

  /** The type URL of every config entry, in document order (nothing decoded). */
  get types(): string[] {
    return this.entries.map((e) => e.type)
  }

  /** Every section of that kind, in document order (resource-style entries regrouped into one section). */
  sections(kind: SectionKind): JsonObject[] {
    const cached = this.cache.get(kind)
    if (cached) return cached
    const out: JsonObject[] = []
    let grouped: JsonObject | undefined
    for (const e of this.entries) {
      if (sectionKindOf(e.type) === kind) {
        out.push(e.load())
        continue
      }
      const entry = resourceEntryOf(e.type)
      if (entry?.kind === kind) {
        if (!grouped) {
          grouped = {'@type': sectionTypeUrl(kind)}
          out.push(grouped)
        }
        if (!Array.isArray(grouped[entry.field])) grouped[entry.field] = []
        ;(grouped[entry.field] as Json[]).push(e.load())
      }
    }
    this.cache.set(kind, out)
    return out
  }

  /**
   * Drops every decoded section that can be decoded again from the input bytes: `pc all` builds one table after
   * another and calls this in between, so a huge dump never has all its sections decoded at once.
   */
  forgetDecoded(): void {
    if (!this.entries.every((e) => e.forget)) return
    for (const e of this.entries) e.forget!()
    this.cache.clear()
  }

  /**
   * The section of that kind decoded only as far as `p` says (see split.ts parseProjected), for a view that reads a
   * few fields of each resource (a table): much less work on a large dump. Where the input cannot be cut that way
   * (compact JSON, YAML, a dump already decoded) the whole section, which reads the same. Not cached. The last
   * section of the kind wins, as section().
   */
  sectionProjected(kind: SectionKind, p: Projection): JsonObject | undefined {
    if (this.cache.has(kind)) return this.section(kind)
    const own = this.entries.filter((e) => sectionKindOf(e.type) === kind)
    // resource-style entries (config_dump?resource=...) are regrouped by sections()
    if (own.length === 0 || this.entries.some((e) => resourceEntryOf(e.type)?.kind === kind)) return this.section(kind)
    const last = own[own.length - 1]!
    return last.project?.(p) ?? this.section(kind)
  }

  /**
   * The sections of that kind read through once, in document order, without being decoded whole: the elements of
   * the arrays `p` reaches into (e.g. `{dynamic_active_clusters: [true]}`) go to `sink` one at a time with their
   * input byte range and the section's index among those of the kind (decodeRange decodes one again), and nothing is kept, so that a caller indexing a few fields
   * of each resource of a huge section never holds the section's objects. false when that cannot be done here (a
   * section already decoded, resource-style entries, a dump not read from bytes, a layout that is not one value per
   * line, no section of the kind): the sink may then have had some of the elements, and the caller reads sections()
   * instead.
   */
  streamSection(kind: SectionKind, p: Projection, sink: (key: string, value: Json, start: number, end: number, section: number) => void): boolean {
    if (this.cache.has(kind) || this.entries.some((e) => resourceEntryOf(e.type)?.kind === kind)) return false
    const own = this.entries.filter((e) => sectionKindOf(e.type) === kind)
    if (own.length === 0 || !own.every((e) => e.stream)) return false
    for (const [i, e] of own.entries()) if (!e.stream!(p, (key, value, start, end) => sink(key, value, start, end, i))) return false
    return true
  }

  /**
   * The JSON text of the section of that kind as it is in the input, not decoded (diff compares resources' bytes
   * before decoding them); undefined when the dump has several sections of the kind, resource-style entries, or was
   * not read from bytes (then decode it with section()).
   */
  sectionBytes(kind: SectionKind): Uint8Array | undefined {
    if (this.entries.some((e) => resourceEntryOf(e.type)?.kind === kind)) return undefined
    const own = this.entries.filter((e) => sectionKindOf(e.type) === kind)
    return own.length === 1 ? own[0]!.bytes?.() : undefined
  }

  /**
   * The elements of the arrays `keys` (give both spellings) of the one section of that kind whose text holds one
   * of `needles`, decoded, found without reading the rest of the section: a lookup by name in a huge dump. The caller
   * checks that each is the one it wants. undefined when that cannot be done here (a small or compact input, a
   * section already decoded, resource-style entries): then look through the decoded section.
   */
  findElements(kind: SectionKind, keys: readonly string[], needles: readonly string[]): Array<{key: string; value: Json}> | undefined {
    if (this.cache.has(kind)) return undefined
    const own = this.entries.filter((e) => sectionKindOf(e.type) === kind)
    if (own.length !== 1 || this.entries.some((e) => resourceEntryOf(e.type)?.kind === kind)) return undefined
    return own[0]!.findElements?.(keys, needles)
  }

  /**
   * The value at input bytes [start, end) of a section of that kind: an object a projection indexed with `@range`,
   * decoded whole now. undefined when no entry holds those bytes.
   */
  decodeRange(kind: SectionKind, start: number, end: number): Json | undefined {
    for (const e of this.entries) {
      if (sectionKindOf(e.type) !== kind || !e.decodeRange) continue
      const v = e.decodeRange(start, end)
      if (v !== undefined) return v
    }
    return undefined
  }

  /** Like sectionProjected(), but a missing section is an InputError as requireSection()'s. */
  requireSectionProjected(kind: SectionKind, p: Projection, prefix = ''): JsonObject {
    return this.sectionProjected(kind, p) ?? this.requireSection(kind, prefix)
  }

  /** The section of that kind; when there are several, the last wins (as istioctl). */
  section(kind: SectionKind): JsonObject | undefined {
    const all = this.sections(kind)
    return all.length > 0 ? all[all.length - 1] : undefined
  }

  /** Like section(), but a missing section is an InputError worded as istioctl's. */
  requireSection(kind: SectionKind, prefix = ''): JsonObject {
    const s = this.section(kind)
    if (!s) {
      throw new InputError(`${prefix}config dump has no configuration type ${sectionTypeUrl(kind)}`, {
        code: 'E_NO_SECTION',
        hint: this.entries.length === 0 ? 'the dump has no config sections at all' : `it has: ${this.describeSections()}`,
      })
    }
    return s
  }

  describeSections(): string {
    const names = this.types.map((t) => typeName(t).split('.').pop() || '(untyped)')
    return [...new Set(names)].join(', ') || 'nothing'
  }
}

/** Where a ClustersStatus gets its cluster statuses: all at hand, or decoded one by one from the input's bytes. */
interface StatusList {
  /**
   * every entry of the `cluster_statuses` array in order, each decoded when reached (not kept); with `omit`, the
   * arrays under that key may be left empty (a view that never reads them decodes less)
   */
  each(omit?: string): Iterable<Json>
  /** entry i, decoded again (after a pass of each()); `omit` as for each() */
  at(i: number, omit?: string): Json
  /**
   * the `name` of every entry in order (undefined for one that has none), found without decoding the entries whose
   * name opens them; absent when entries cannot be reached by index before a pass of each()
   */
  names?(): Array<string | undefined>
}

/**
 * A decoded `/clusters?format=json` answer. A large one is not decoded up front: `statuses()` decodes one cluster
 * at a time and keeps none, so a view that reduces each cluster to a few table cells never holds the whole
 * answer as objects (a 70k-service mesh's answer is 240 MB of JSON, several times that as objects).
 */
export class ClustersStatus {
  readonly kind = 'clusters' as const
  private readonly list: StatusList
  private readonly rawOf: () => Json
  constructor(statuses: JsonObject[] | StatusList, raw: Json | (() => Json)) {
    this.list = Array.isArray(statuses) ? {each: () => statuses, at: (i) => statuses[i]!} : statuses
    this.rawOf = typeof raw === 'function' ? raw : () => raw
  }

  /**
   * Every cluster status with its index in the answer, decoded as it is reached (entries that are not objects are
   * skipped). `omit` names a key whose arrays the caller does not read (`stats`): they may come back empty.
   */
  *statuses(omit?: string): Generator<[index: number, status: JsonObject]> {
    let i = 0
    for (const s of this.list.each(omit)) {
      if (isObject(s)) yield [i, s]
      i++
    }
  }

  /** The status at an index `statuses()` gave, decoded again. */
  status(index: number): JsonObject {
    const s = this.list.at(index)
    if (!isObject(s)) throw new Error(`cluster status ${index} is not an object`)
    return s
  }

  /**
   * The status of the cluster named `name` (the last one, should the answer name it twice, as an index by name
   * keeps it), or undefined. An answer split into entries decodes that one only: the others are told apart by the
   * name that opens them (Envoy prints `name` first). `omit` as for statuses().
   */
  named(name: string, omit?: string): JsonObject | undefined {
    this.nameList ??= this.list.names?.() ?? null
    if (this.nameList === null) {
      let found: JsonObject | undefined
      for (const [, s] of this.statuses(omit)) if (get(s, 'name') === name) found = s
      return found
    }
    const i = this.nameList.lastIndexOf(name)
    if (i < 0) return undefined
    const s = this.list.at(i, omit)
    return isObject(s) ? s : undefined
  }

  private nameList?: Array<string | undefined> | null

  /** Every cluster status, decoded (all at once: prefer statuses() for large answers). */
  get clusterStatuses(): JsonObject[] {
    return [...this.statuses()].map(([, s]) => s)
  }

  /** The document as given. */
  get raw(): Json {
    return this.rawOf()
  }
}

/**
 * A pretty-printed `{"cluster_statuses": [...]}` whose entries are decoded one by one from `buf` (./split.ts);
 * undefined when the bytes are not laid out that way. Should an entry not decode (a layout split.ts misjudged),
 * the whole document is decoded once, which either reports the syntax error where it is or serves the rest.
 */
function lazyClustersStatus(buf: Uint8Array, source: string): ClustersStatus | undefined {
  const top = splitContainer(buf)
  if (top?.length !== 1 || (top[0]!.key !== 'cluster_statuses' && top[0]!.key !== 'clusterStatuses')) return undefined
  const entries = splitContainer(buf, top[0]!.start, top[0]!.end)
  if (!entries) return undefined
  const b = bufferView(buf)
  let whole: Json[] | undefined
  const decodeWhole = (): Json[] => {
    if (!whole) {
      const doc = parseJsonBytes(buf, source)
      whole = getArray(doc, 'cluster_statuses')
    }
    return whole
  }
  const decode = (i: number, omit?: string): Json => {
    if (whole) return whole[i] ?? null
    const e = entries[i]!
    try {
      return JSON.parse(omit ? textWithoutArrays(b, e.start, e.end, omit) : b.toString('utf8', e.start, e.end)) as Json
    } catch {
      return decodeWhole()[i] ?? null
    }
  }
  const list: StatusList = {
    *each(omit) {
      for (let i = 0; i < (whole ? whole.length : entries.length); i++) yield decode(i, omit)
    },
    at: (i, omit) => decode(i, omit),
    names: () => {
      const out: Array<string | undefined> = []
      for (let i = 0; i < (whole ? whole.length : entries.length); i++) {
        const e = entries[i]
        const named = whole || !e ? undefined : NAME_FIRST.exec(b.toString('utf8', e.start, Math.min(e.end, e.start + 1024)))
        try {
          if (named) {
            out.push(JSON.parse(`"${named[1]}"`) as string)
            continue
          }
        } catch {
          // not a JSON string after all: decoded below
        }
        // not opened by its name: decoded, to read it
        const v = decode(i, 'host_statuses')
        const n = isObject(v) ? get(v, 'name') : undefined
        out.push(typeof n === 'string' ? n : undefined)
      }
      return out
    },
  }
  return new ClustersStatus(list, () => parseJsonBytes(buf, source))
}

/** A cluster status whose first member is its name: `{` then `"name": "<JSON string>"` then `,` or `}`. */
const NAME_FIRST = /^\{\s*"name"\s*:\s*"((?:[^"\\\u0000-\u001f]|\\.)*)"\s*[,}]/

export type AdminDocument = ConfigDump | ClustersStatus

/** 1-based line and column of a byte offset, for messages. */
function lineCol(buf: Uint8Array, offset: number): string {
  let line = 1
  let lastNl = -1
  const end = Math.min(offset, buf.length)
  for (let i = 0; i < end; i++) {
    if (buf[i] === 10) {
      line++
      lastNl = i
    }
  }
  return `line ${line}, column ${offset - lastNl}`
}

function firstNonSpace(buf: Uint8Array): number {
  let i = 0
  // skip a UTF-8 byte order mark
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3
  while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i++
  return i
}

/**
 * Parses JSON, reporting syntax errors with a byte offset. A large pretty-printed document is parsed piece by piece
 * (./split.ts), so it never becomes one string as large as the file.
 */
export function parseJsonBytes(buf: Uint8Array, source: string): Json {
  const pieces = parseLarge(buf)
  if (pieces !== undefined) return pieces
  const text = bufferView(buf).toString('utf8').replace(/^\uFEFF/, '')
  try {
    return JSON.parse(text) as Json
  } catch (err) {
    const {offset, message} = findJsonError(buf)
    throw new InputError(`${source}: invalid JSON at byte ${offset} (${lineCol(buf, offset)}): ${message}`, {code: 'E_JSON_PARSE', cause: err})
  }
}

/** Envoy's plain-text /clusters output (`name::host:port::stat::value`), which meshctl recognises. */
function looksLikeClustersText(text: string): boolean {
  const first = text.split('\n', 1)[0]
  return /^[^\s:]+(?:[^\s]*)::(?:default_priority|high_priority|added_via_api|observability_name|[^:]+:\d+::)/.test(first)
}

/** Per-cluster lines of the text format that are not about a host. */
const CLUSTER_LEVEL_STATS = new Set(['default_priority', 'high_priority', 'observability_name', 'added_via_api', 'eds_service_name'])

/**
 * Parses Envoy's plain-text `/clusters` into the same shape as `/clusters?format=json`. Host lines are
 * `cluster::host::stat::value`; the host may itself contain `::` (IPv6), so the line is cut at the first
 * and at the last two separators.
 */
export function parseClustersText(text: string): JsonObject {
  const byName = new Map<string, {name: string; hosts: Map<string, JsonObject>}>()
  for (const line of text.split(/\r?\n/)) {
    const first = line.indexOf('::')
    if (first < 0) continue
    const name = line.slice(0, first)
    let c = byName.get(name)
    if (!c) {
      c = {name, hosts: new Map()}
      byName.set(name, c)
    }
    const rest = line.slice(first + 2)
    const last = rest.lastIndexOf('::')
    if (last < 0) continue
    const value = rest.slice(last + 2)
    const beforeValue = rest.slice(0, last)
    const mid = beforeValue.lastIndexOf('::')
    if (mid < 0) continue
    const host = beforeValue.slice(0, mid)
    const stat = beforeValue.slice(mid + 2)
    if (CLUSTER_LEVEL_STATS.has(host) || host === '') continue
    let h = c.hosts.get(host)
    if (!h) {
      const m = /^(.*):(\d+)$/.exec(host)
      const address: JsonObject = m
        ? {socket_address: {address: m[1].replace(/^\[(.*)\]$/, '$1'), port_value: Number(m[2])}}
        : {pipe: {path: host}}
      h = {address, stats: [], health_status: {}} as JsonObject
      c.hosts.set(host, h)
    }
    const hs = h.health_status as JsonObject
    if (stat === 'health_flags') {
      // "healthy", or failure flags run together: "/failed_outlier_check/failed_eds_health"
      if (value === 'healthy') hs.eds_health_status = 'HEALTHY'
      if (value.includes('/failed_eds_health')) hs.eds_health_status = 'UNHEALTHY'
      if (value.includes('/pending_dynamic_removal') || value.includes('/eds_status_draining')) hs.eds_health_status = 'DRAINING'
      if (value.includes('/degraded_eds_health')) hs.eds_health_status = 'DEGRADED'
      if (value.includes('/failed_outlier_check')) hs.failed_outlier_check = true
      if (value.includes('/failed_active_hc')) hs.failed_active_health_check = true
    } else if (stat === 'weight') {
      h.weight = Number(value)
    } else if (stat === 'region' || stat === 'zone' || stat === 'sub_zone') {
      if (!h.locality) h.locality = {}
      if (value) (h.locality as JsonObject)[stat] = value
    } else if (/^\d+$/.test(value)) {
      ;(h.stats as Json[]).push({name: stat, value})
    }
  }
  return {
    cluster_statuses: [...byName.values()].map((c) => ({name: c.name, ...(c.hosts.size > 0 ? {host_statuses: [...c.hosts.values()]} : {})})),
  }
}

function describeValue(v: Json): string {
  if (Array.isArray(v)) return `an array of ${v.length} item${v.length === 1 ? '' : 's'}`
  if (isObject(v)) {
    const keys = Object.keys(v)
    return keys.length === 0 ? 'an empty object' : `an object with keys ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', ...' : ''}`
  }
  return v === null ? 'null' : `a ${typeof v}`
}

const HOW_TO_CAPTURE =
  'capture one with: kubectl exec <pod> -c istio-proxy -- pilot-agent request GET config_dump > dump.json'

/** ztunnel's /config_dump: an object of workloads, services, ... (src/ztunnel decodes it), never `configs`. */
function isZtunnelShape(value: JsonObject): boolean {
  const keys = Object.keys(value).map((k) => k.toLowerCase())
  return ['workloads', 'services', 'workloadstate'].some((k) => keys.includes(k))
}

/** Decodes a parsed JSON/YAML value into a config_dump or a clusters status document. */
export function decodeDocument(value: Json, source: string): AdminDocument {
  if (isObject(value)) {
    const configs = get(value, 'configs')
    if (Array.isArray(configs)) {
      const bad = configs.findIndex((c) => !isObject(c))
      if (bad >= 0) throw new InputError(`${source}: configs[${bad}] is ${describeValue(configs[bad])}, expected a config section object`, {code: 'E_NOT_DUMP'})
      return new ConfigDump(configs as JsonObject[], value)
    }
    const statuses = get(value, 'cluster_statuses')
    if (Array.isArray(statuses)) {
      return new ClustersStatus(statuses.filter(isObject), value)
    }
    if (configs !== undefined) throw new InputError(`${source}: "configs" is ${describeValue(configs)}, expected an array of config sections`, {code: 'E_NOT_DUMP'})
    // a single section, e.g. saved with `jq '.configs[1]'`
    const url = typeUrl(value)
    if (url && (sectionKindOf(url) || resourceEntryOf(url))) return new ConfigDump([value], value)
    if (Object.keys(value).length === 0) return new ConfigDump([], value)
  }
  if (Array.isArray(value) && value.length > 0 && value.every((v) => isObject(v) && (sectionKindOf(typeUrl(v)) || resourceEntryOf(typeUrl(v))))) {
    return new ConfigDump(value as JsonObject[], value)
  }
  if (isObject(value) && isZtunnelShape(value)) {
    throw new InputError(`${source} is a ztunnel config dump (ambient mode), not an Envoy one`, {
      code: 'E_ZTUNNEL_DUMP',
      hint: `use meshctl zc all -f ${source} (or zc workloads, services, policies, certificates, connections)`,
    })
  }
  throw new InputError(`${source} is not an Envoy config dump: expected an object with a "configs" array (or "cluster_statuses"), got ${describeValue(value)}`, {
    code: 'E_NOT_DUMP',
    hint: HOW_TO_CAPTURE,
  })
}

/** `{...}, {...}` (config entries back to back) as objects; undefined when that is not what the bytes are. */
function parseSeveral(bytes: Uint8Array): JsonObject[] | undefined {
  try {
    const list = JSON.parse(`[${bufferView(bytes).toString('utf8')}]`) as Json[]
    return list.length > 0 && list.every(isObject) ? (list as JsonObject[]) : undefined
  } catch {
    return undefined
  }
}

/**
 * A config_dump whose located entries are decoded on first use from `read(start, end)` (large ones piece by
 * piece, ./split.ts). A syntax error is reported where it is, from the whole input.
 */
function lazyConfigDump(
  read: (start: number, end: number) => Uint8Array,
  whole: () => Uint8Array,
  scanned: ScannedEntry[],
  source: string,
  reader?: ByteReader,
): ConfigDump {
  const entries: ConfigEntry[] = scanned.map(({start, end, type}) => {
    let value: JsonObject | undefined
    // a file through its reader; bytes in memory (a live answer) through the same interface, searched and walked in place
    const from: ByteReader = reader ?? {size: end, read: (s, e) => bufferView(read(s, e))}
    return {
      type,
      forget: () => {
        value = undefined
      },
      load: () => {
        if (value) return value
        const bytes = read(start, end)
        try {
          value = (parseLarge(bytes) ?? JSON.parse(bufferView(bytes).toString('utf8'))) as JsonObject
        } catch {
          // the locator checks structure only; report the syntax error where it is
          parseJsonBytes(whole(), source)
          // the input is valid JSON: the fast locator took this entry and the ones after it that it does not recognise
          // (an `@type` that is a number, or not first) for one; this entry is the first of them
          const several = parseSeveral(bytes)
          if (!several) throw new InputError(`${source}: invalid JSON in the config section at bytes ${start}-${end}`, {code: 'E_JSON_PARSE'})
          value = several[0]!
          for (const other of several.slice(1)) {
            noteUnreadable(`a config entry whose @type is ${JSON.stringify(get(other, '@type') ?? null).slice(0, 80)} is not a config_dump section; skipped`)
          }
        }
        return value
      },
      bytes: () => read(start, end),
      project: (p) => {
        if (value) return value
        // from a file: streamed through a small window; else (or should that not go) from the section's bytes
        const v = (reader && projectFromReader(reader, start, end, p)) ?? parseProjected(read(start, end), p, 0, undefined, undefined, start)
        return isObject(v) ? v : undefined
      },
      findElements: (keys, needles) => {
        if (value) return undefined
        // a lookup by name decodes the element it finds, not a projection of every element of the section
        const found = findArrayElements(from, start, end, keys, needles)
        if (!found || found.length > 64) return undefined
        try {
          return found.map((f) => ({key: f.key, value: JSON.parse(from.read(f.start, f.end).toString('utf8')) as Json}))
        } catch {
          return undefined
        }
      },
      stream: (p, sink) => {
        if (value) return false
        // an input held in memory is walked through the same window as a file
        return projectFromReader(from, start, end, p, undefined, sink) !== undefined
      },
      decodeRange: (s, e) => {
        if (s < start || e > end || s >= e) return undefined
        const bytes = read(s, e)
        return JSON.parse(bufferView(bytes).toString('utf8')) as Json
      },
    }
  })
  return new ConfigDump(entries, () => parseJsonBytes(whole(), source))
}

/**
 * A `/clusters?format=json` answer read through a ByteReader, cluster by cluster (./split.ts streamTopArray): the
 * file is never held whole. Should the layout change part-way, or an entry not decode, the whole document is
 * decoded once (reporting a syntax error where it is) and serves the rest.
 */
function streamedClustersStatus(reader: ByteReader, source: string): ClustersStatus | undefined {
  const stream = streamTopArray(reader, ['cluster_statuses', 'clusterStatuses'])
  if (!stream) return undefined
  const ranges: Array<[number, number]> = []
  let whole: Json[] | undefined
  const decodeWhole = (): Json[] => {
    whole ??= getArray(parseJsonBytes(reader.read(0, reader.size), source), 'cluster_statuses')
    return whole
  }
  const list: StatusList = {
    *each(omit) {
      ranges.length = 0
      let i = 0
      try {
        for (const e of stream.elements()) {
          ranges.push([e.start, e.end])
          yield JSON.parse(omit ? textWithoutArrays(e.bytes, 0, e.bytes.length, omit) : e.bytes.toString('utf8')) as Json
          i++
        }
        return
      } catch (err) {
        if (!(err instanceof SplitLayoutError) && !(err instanceof SyntaxError)) throw err
      }
      // what was yielded was cut right (a wrong cut cannot parse); the rest comes from the whole document
      const all = decodeWhole()
      for (; i < all.length; i++) yield all[i]!
    },
    at: (i) => {
      if (whole) return whole[i] ?? null
      const r = ranges[i]
      return r ? (JSON.parse(reader.read(r[0], r[1]).toString('utf8')) as Json) : (decodeWhole()[i] ?? null)
    },
  }
  return new ClustersStatus(list, () => parseJsonBytes(reader.read(0, reader.size), source))
}

/**
 * A config_dump read through a ByteReader (a large file): its entries are located chunk by chunk and each section
 * is read and decoded only when a view asks for it, so the file is never held whole. Any other document (or a
 * dump laid out differently) is read whole and parsed by parseAdminDocument.
 */
export function parseAdminReader(reader: ByteReader, source: string, chunkSize?: number): AdminDocument {
  const head = reader.read(0, Math.min(reader.size, 4096))
  const start = firstNonSpace(head)
  const scanned = start < head.length && head[start] === 0x7b /* { */ ? locateConfigEntriesIn(reader, chunkSize) : undefined
  if (!scanned) return streamedClustersStatus(reader, source) ?? parseAdminDocument(reader.read(0, reader.size), source)
  return lazyConfigDump(
    (start, end) => reader.read(start, end),
    () => reader.read(0, reader.size),
    scanned,
    source,
    reader,
  )
}

/** The start of a `/clusters?format=json` answer: its first key. */
const CLUSTERS_HEAD = /^\{\s*"(?:cluster_statuses|clusterStatuses)"/

/** Parses input bytes (JSON, YAML, or Envoy's plain-text /clusters) into an admin document. */
export function parseAdminDocument(buf: Uint8Array, source: string): AdminDocument {
  const start = firstNonSpace(buf)
  if (start >= buf.length) throw new InputError(`${source} is empty`, {code: 'E_EMPTY', hint: HOW_TO_CAPTURE})
  const c = buf[start]
  if (c === 0x7b /* { */) {
    // a /clusters?format=json answer (its first key says so): its clusters decoded one at a time
    if (CLUSTERS_HEAD.test(Buffer.from(buf.buffer, buf.byteOffset + start, Math.min(64, buf.length - start)).toString('latin1'))) {
      const clusters = lazyClustersStatus(buf, source)
      if (clusters) return clusters
    }
    // a config_dump: locate its sections and decode none of them yet
    const scanned = locateConfigEntries(buf)
    if (scanned) return lazyConfigDump((start, end) => buf.subarray(start, end), () => buf, scanned, source)
  }
  if (c === 0x7b /* { */ || c === 0x5b /* [ */) return decodeDocument(parseJsonBytes(buf, source), source)
  const text = bufferView(buf).toString('utf8')
  if (looksLikeClustersText(text)) {
    const doc = parseClustersText(text)
    return new ClustersStatus(getArray(doc, 'cluster_statuses') as JsonObject[], doc)
  }
  let value: unknown
  try {
    // loaded only for YAML input: most runs never need it
    const {parse: parseYaml} = createRequire(import.meta.url)('yaml') as typeof import('yaml')
    value = parseYaml(text, {maxAliasCount: 10000, uniqueKeys: false})
  } catch (err) {
    const pos = (err as {linePos?: Array<{line: number; col: number}>}).linePos?.[0]
    const where = pos ? ` at line ${pos.line}, column ${pos.col}` : ''
    throw new InputError(`${source} is neither JSON nor YAML: YAML error${where}: ${String((err as Error).message).split('\n')[0]}`, {
      code: 'E_YAML_PARSE',
      hint: HOW_TO_CAPTURE,
    })
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    // valid JSON (and YAML) that is a scalar: say what it is, not "plain text"
    const kind = value === null ? 'null' : typeof value === 'string' ? (/^\s*"/.test(text) ? 'a string' : undefined) : `a ${typeof value}`
    if (kind !== undefined) {
      const shown = value === null ? '' : ` (${JSON.stringify(value).slice(0, 40)})`
      throw new InputError(`${source} is not an Envoy config dump: it is ${kind}${shown}, not an object`, {
        code: 'E_NOT_DUMP',
        hint: HOW_TO_CAPTURE,
      })
    }
    throw new InputError(`${source} is not an Envoy config dump: it is plain text, not JSON or YAML`, {code: 'E_NOT_DUMP', hint: HOW_TO_CAPTURE})
  }
  return decodeDocument(value as Json, source)
}

/** The document as a config_dump; a `/clusters` answer given to a config view is explained, not misread. */
export function asConfigDump(doc: AdminDocument, view: string): ConfigDump {
  if (doc.kind === 'config_dump') return doc
  // `pc all` reads every section: "no all configuration" would not be English
  const what = view === 'all' ? 'config sections' : `${view} configuration`
  throw new InputError(`the input is Envoy's /clusters answer, not a config_dump, so it has no ${what}`, {
    code: 'E_WRONG_DOCUMENT',
    hint: view === 'eds' ? 'use `meshctl pc endpoints -f` for it' : HOW_TO_CAPTURE,
  })
}

/** The bytes as a Buffer, not copied. */
function bufferView(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength)
}
