/**
 * `proxy-status` (`ps`): istiod's view of every proxy's xDS sync state (docs/istioctl-behaviour.md §5). Pure:
 * the model and the clock in, tables and documents out.
 *
 * Table layouts:
 *  - `types` (default): `NAME CLUSTER CDS LDS EDS RDS ECDS ISTIOD VERSION`, as istioctl 1.23–1.26 (the layout
 *    conformance expects); a type the proxy did not report is `IGNORED`; pushes with a known time get `(age)`.
 *  - `subscribed`: istioctl ≥ 1.27's `NAME CLUSTER ISTIOD VERSION SUBSCRIBED TYPES`.
 *  - `xds-1.21`: istioctl ≤ 1.21's `x proxy-status` (raw enum names such as `NOT_SENT`; header only when a
 *    proxy is listed).
 *  - `syncz-1.21`: istioctl ≤ 1.21's `proxy-status` over HTTP `/debug/syncz` (`STALE (Never Acknowledged)`,
 *    rows by cluster then name, VERSION falling back to `<proxy version>*`).
 * `verbosity > 0` (with `types` or `subscribed`): one column per type, the reported ones plus the five core
 * ones, ordered by type URL (istioctl ≥ 1.27 `-v 1`).
 */
import {isObject, type Json, type JsonObject} from '../envoy/fields.js'
import {age} from '../istiod/age.js'
import {formatTimestamp} from '../istiod/decode.js'
import {allProxies, type ProxySync, type StatusSet, type SyncStatus, type TypeSync, typeOf} from '../istiod/model.js'
import {CORE_COLUMNS, goLess, goLessOver, goSortStrings, jsOrderIsGoOrder, shortType, subscribedOrder} from '../istiod/xds-types.js'
import type {Cell, Row} from '../output/tabwriter.js'
import {goJson} from '../output/json.js'
import {goSorted} from '../util/gosort.js'
import {header, table, type ViewResult} from './types.js'

export type StatusLayout = 'types' | 'subscribed' | 'xds-1.21' | 'syncz-1.21'

export const STATUS_LAYOUTS: readonly StatusLayout[] = ['types', 'subscribed', 'xds-1.21', 'syncz-1.21']

export interface ProxyStatusViewOptions {
  /** the clock ages are computed against */
  now: Date
  /** > 0: every type in its own column (istioctl `-v 1`) */
  verbosity?: number
  /** default `types` */
  layout?: StatusLayout
}

const PADDING = 5

/** The table cell style of a status: `good` SYNCED, `warn` STALE / NOT SENT, `bad` ERROR. */
export function statusStyle(status: SyncStatus): string | undefined {
  switch (status) {
    case 'SYNCED':
      return 'good'
    case 'STALE':
    case 'NOT SENT':
      return 'warn'
    case 'ERROR':
      return 'bad'
    default:
      return undefined
  }
}

/** A status as the current tables print it: `IGNORED`, `NOT SENT`, `SYNCED (3m)`, `STALE (Never Acknowledged)`. */
export function statusText(t: TypeSync | undefined, now: Date): string {
  if (!t) return 'IGNORED'
  if (t.status === 'IGNORED' || t.status === 'NOT SENT') return t.status
  if (t.neverAcknowledged && t.status === 'STALE') return 'STALE (Never Acknowledged)'
  return t.lastUpdated ? `${t.status} (${age(t.lastUpdated, now)})` : t.status
}

function statusCell(t: TypeSync | undefined, now: Date): Cell {
  const text = statusText(t, now)
  const style = statusStyle(t?.status ?? 'IGNORED')
  return style ? {text, style} : text
}

/** Proxies ordered as istioctl: Go's sort.Slice on the proxy ID (byte order). */
export function sortProxies(proxies: readonly ProxySync[]): ProxySync[] {
  const ids: string[] = new Array(proxies.length)
  for (let i = 0; i < proxies.length; i++) ids[i] = proxies[i]!.id
  if (!jsOrderIsGoOrder(ids)) return goSorted(proxies, (a, b) => goLess(a.id, b.id))
  // JS's `<` is Go's order for these IDs: the engine's sort with a three-way comparison of the IDs (one comparison
  // per pair, not two calls of `less`); distinct IDs have one sorted order, so any sort gives Go's result. Equal IDs
  // go to the Go port (goSorted), which puts them where Go's unstable sort does: a sort compares every two elements
  // that end up next to each other, so equal IDs are always compared, and seen
  let equal = false
  const out = proxies.slice().sort((a, b) => {
    const x = a.id
    const y = b.id
    if (x < y) return -1
    if (x > y) return 1
    equal = true
    return 0
  })
  return equal ? goSorted(proxies, (a, b) => a.id < b.id) : out
}

/** Every type URL any proxy reported. */
function seenTypes(proxies: readonly ProxySync[]): Set<string> {
  return new Set(proxies.flatMap((p) => p.types.map((t) => t.typeUrl)))
}

/**
 * statusCell with each distinct cell made once: a push reaches thousands of proxies at the same time (decode.ts
 * shares one Date per timestamp), so a 5,000-proxy table has a few hundred distinct cells, not 25,000. Kept by push
 * time, then by status in SYNC_STATUSES' order (an index, not a property named by the status: a lookup by varying
 * names is slow in code V8 has not optimised yet).
 */
function statusCells(now: Date): (t: TypeSync | undefined) => Cell {
  const made = new Map<Date | undefined, Array<Cell | undefined>>()
  return (t) => {
    if (t === undefined || t.neverAcknowledged) return statusCell(t, now)
    const s = t.status
    const k = s === 'SYNCED' ? 0 : s === 'STALE' ? 1 : s === 'NOT SENT' ? 2 : s === 'ERROR' ? 3 : 4
    let cells = made.get(t.lastUpdated)
    if (cells === undefined) {
      cells = [undefined, undefined, undefined, undefined, undefined]
      made.set(t.lastUpdated, cells)
    }
    let cell = cells[k]
    if (cell === undefined) {
      cell = statusCell(t, now)
      cells[k] = cell
    }
    return cell
  }
}

/**
 * VERSION: istio_version; a legacy /debug/syncz answer that has only proxy_version shows `<proxy_version>*`, as
 * istioctl 1.21 printed it (golden singleStatusFallback.txt), rather than nothing.
 */
function versionCell(p: ProxySync): string {
  return p.istioVersion || (p.proxyVersion ? `${p.proxyVersion}*` : '')
}

function typesTable(proxies: readonly ProxySync[], now: Date): Row[] {
  const rows: Row[] = new Array(proxies.length + 1)
  rows[0] = header('NAME', 'CLUSTER', ...CORE_COLUMNS.map(shortType), 'ISTIOD', 'VERSION')
  const cell = statusCells(now)
  const [cds, lds, eds, rds, ecds] = CORE_COLUMNS
  // one pass over each proxy's types for the five columns (typeOf per column would be five), the first entry of a
  // URL as typeOf takes it
  for (let i = 0; i < proxies.length; i++) {
    const p = proxies[i]!
    const types = p.types
    let c: TypeSync | undefined
    let l: TypeSync | undefined
    let e: TypeSync | undefined
    let r: TypeSync | undefined
    let x: TypeSync | undefined
    for (let j = 0; j < types.length; j++) {
      const t = types[j]!
      const u = t.typeUrl
      if (u === cds) c ??= t
      else if (u === lds) l ??= t
      else if (u === eds) e ??= t
      else if (u === rds) r ??= t
      else if (u === ecds) x ??= t
    }
    rows[i + 1] = [p.id, p.clusterId, cell(c), cell(l), cell(e), cell(r), cell(x), p.istiod, versionCell(p)]
  }
  return rows
}

function verboseTable(proxies: ProxySync[], now: Date): Row[] {
  const types = goSortStrings(new Set([...seenTypes(proxies), ...CORE_COLUMNS]))
  const head = header('NAME', 'CLUSTER', ...types.map(shortType), 'ISTIOD', 'VERSION')
  const cell = statusCells(now)
  return [head, ...proxies.map((p): Row => [p.id, p.clusterId, ...types.map((u) => cell(typeOf(p, u))), p.istiod, versionCell(p)])]
}

/** SUBSCRIBED TYPES: `0`, or the count of types not IGNORED and their short names, in istioctl's type order. */
export function subscribedTypes(p: ProxySync, order: readonly string[]): string {
  const names = order.filter((u) => {
    const t = typeOf(p, u)
    return t !== undefined && t.status !== 'IGNORED'
  })
  return names.length === 0 ? '0' : `${names.length} (${names.map(shortType).join(',')})`
}

function subscribedTable(proxies: ProxySync[]): Row[] {
  const order = subscribedOrder(seenTypes(proxies))
  return [header('NAME', 'CLUSTER', 'ISTIOD', 'VERSION', 'SUBSCRIBED TYPES'), ...proxies.map((p): Row => [p.id, p.clusterId, p.istiod, versionCell(p), subscribedTypes(p, order)])]
}

const ENUM_NAME: Record<SyncStatus, string> = {SYNCED: 'SYNCED', STALE: 'STALE', 'NOT SENT': 'NOT_SENT', ERROR: 'ERROR', IGNORED: 'IGNORED'}

function xds121Table(proxies: ProxySync[]): Row[] {
  if (proxies.length === 0) return []
  const head = header('NAME', 'CLUSTER', ...CORE_COLUMNS.map(shortType), 'ISTIOD', 'VERSION')
  return [
    head,
    ...proxies.map((p): Row => [
      p.id,
      p.clusterId,
      ...CORE_COLUMNS.map((u): Cell => {
        const t = typeOf(p, u)
        if (!t) return ''
        const style = statusStyle(t.status)
        return style ? {text: ENUM_NAME[t.status], style} : ENUM_NAME[t.status]
      }),
      p.istiod,
      p.istioVersion,
    ]),
  ]
}

function syncz121Table(proxies: readonly ProxySync[]): Row[] {
  const less = goLessOver(proxies.flatMap((p) => [p.id, p.clusterId]))
  const sorted = goSorted(proxies, (a, b) => (a.clusterId !== b.clusterId ? less(a.clusterId, b.clusterId) : less(a.id, b.id)))
  const head = header('NAME', 'CLUSTER', ...CORE_COLUMNS.map(shortType), 'ISTIOD', 'VERSION')
  return [
    head,
    ...sorted.map((p): Row => [
      p.id,
      p.clusterId,
      ...CORE_COLUMNS.map((u): Cell => {
        const t = typeOf(p, u) ?? {typeUrl: u, status: p.proxyType === 'ztunnel' ? 'IGNORED' : 'NOT SENT'}
        const text = t.status === 'STALE' && t.neverAcknowledged ? 'STALE (Never Acknowledged)' : t.status
        const style = statusStyle(t.status)
        return style ? {text, style} : text
      }),
      p.istiod,
      p.istioVersion || `${p.proxyVersion ?? ''}*`,
    ]),
  ]
}

/**
 * The document of `-o json|yaml`, as istioctl 1.30 prints it: one istiod → its DiscoveryResponse; several →
 * one object keyed by istiod name (istioctl prints the responses one after the other, which no JSON parser
 * reads as one document; this object is also what `--file` accepts back).
 */
export function responseDocument(set: StatusSet): Json {
  if (set.istiods.length === 1) return set.istiods[0].response
  const out: JsonObject = {}
  set.istiods.forEach((i, n) => {
    let key = i.name || `unknown-${n + 1}`
    for (let k = 2; key in out; k++) key = `${i.name || 'unknown'}-${k}`
    out[key] = i.response
  })
  return out
}

/** JSON text of the document; an empty response prints `{`, blank line, `}` as istioctl's jsonpb printer does. */
export function responseJson(set: StatusSet): string {
  const doc = responseDocument(set)
  return isObject(doc) && Object.keys(doc).length === 0 ? '{\n\n}' : goJson(doc)
}

/** A stable key per type in the query document: the short name, or the type URL when taken or absent. */
function typeKeys(types: readonly TypeSync[]): string[] {
  const used = new Set<string>()
  return types.map((t) => {
    const short = shortType(t.typeUrl)
    const key = used.has(short) ? t.typeUrl : short
    used.add(key)
    return key
  })
}

/**
 * The document `--query` runs on: every proxy (sorted by name) with its sync state per type.
 * `[{name, cluster, namespace, istiod, version, proxyType?, proxyVersion?, sync: {CDS: "SYNCED", ...},
 *   types: [{type, typeUrl, status, neverAcknowledged?, lastUpdated?, error?}]}]`; statuses are the table's
 * words without ages (SYNCED, STALE, NOT SENT, ERROR, IGNORED).
 */
export function statusDocument(set: StatusSet): Json {
  return sortProxies(allProxies(set)).map((p) => {
    const keys = typeKeys(p.types)
    const sync: JsonObject = {}
    p.types.forEach((t, i) => {
      sync[keys[i]] = t.status
    })
    const o: JsonObject = {name: p.id, cluster: p.clusterId, namespace: p.namespace, istiod: p.istiod, version: p.istioVersion}
    if (p.proxyType) o.proxyType = p.proxyType
    if (p.proxyVersion) o.proxyVersion = p.proxyVersion
    o.sync = sync
    o.types = p.types.map((t, i) => {
      const e: JsonObject = {type: keys[i], typeUrl: t.typeUrl, status: t.status}
      if (t.neverAcknowledged) e.neverAcknowledged = true
      if (t.lastUpdated) e.lastUpdated = formatTimestamp(t.lastUpdated)
      if (t.error) e.error = t.error
      return e
    })
    return o
  })
}

/** Rows of the chosen layout (header first; `xds-1.21` has none without proxies). */
export function proxyStatusRows(set: StatusSet, opts: ProxyStatusViewOptions): Row[] {
  const layout = opts.layout ?? 'types'
  const proxies = allProxies(set)
  if (layout === 'syncz-1.21') return syncz121Table(proxies)
  const sorted = sortProxies(proxies)
  if (layout === 'xds-1.21') return xds121Table(sorted)
  if ((opts.verbosity ?? 0) > 0) return verboseTable(sorted, opts.now)
  return layout === 'subscribed' ? subscribedTable(sorted) : typesTable(sorted, opts.now)
}

export function proxyStatusView(set: StatusSet, opts: ProxyStatusViewOptions): ViewResult {
  const rows = proxyStatusRows(set, opts)
  return {
    blocks: rows.length > 0 ? [table(rows, PADDING)] : [],
    data: () => responseDocument(set),
    rawJson: () => responseJson(set),
  }
}

/** The same view for `--query`: its document is the proxy list of `statusDocument`. */
export function proxyStatusQueryView(set: StatusSet): ViewResult {
  return {blocks: [], data: () => statusDocument(set)}
}
