/** `pc clusters`: istioctl's cluster summary (docs/istioctl-behaviour.md §4.1). */
import type {ConfigDump} from '../envoy/document.js'
import {get, getArray, getObject, getString, isObject, type Json, type JsonObject} from '../envoy/fields.js'
import {clusterNameLess, parseClusterName, renderIstioConfig} from '../envoy/istio.js'
import {resourceJson} from '../envoy/protojson.js'
import {eitherSpelling} from '../envoy/split.js'
import {InputError} from '../errors/index.js'
import type {Row} from '../output/tabwriter.js'
import {goSortSlice} from '../util/gosort.js'
import {type Block, header, table, type ViewResult} from './types.js'

export interface ClusterFilter {
  fqdn?: string
  direction?: string
  subset?: string
  port?: number
}

const CLUSTER_TYPES = new Set(['STATIC', 'STRICT_DNS', 'LOGICAL_DNS', 'EDS', 'ORIGINAL_DST'])

/** What the clusters table reads of each cluster: its name, type and Istio config metadata. */
const TABLE_CLUSTER = {cluster: {name: true, type: true, metadata: {filter_metadata: {istio: {config: true}}}}} as const
const TABLE_FIELDS = eitherSpelling({dynamic_active_clusters: [TABLE_CLUSTER], static_clusters: [TABLE_CLUSTER]})

/**
 * The clusters istioctl shows: dynamic active, then static (warming clusters are never shown). With `tableOnly`,
 * each cluster holds only what the table reads (the rest of a large dump is skipped, not decoded).
 */
export function listClusters(dump: ConfigDump, tableOnly = false): JsonObject[] {
  const section = tableOnly ? dump.requireSectionProjected('clusters', TABLE_FIELDS) : dump.requireSection('clusters')
  const out: JsonObject[] = []
  for (const entry of [...getArray(section, 'dynamic_active_clusters'), ...getArray(section, 'static_clusters')]) {
    const c = get(entry, 'cluster')
    if (isObject(c)) out.push(c)
  }
  return out
}

export function clusterMatches(name: string, f: ClusterFilter): boolean {
  if (f.fqdn && !name.includes(f.fqdn)) return false
  if (f.direction && !name.includes(f.direction)) return false
  if (f.subset && !name.includes(f.subset)) return false
  if (f.port && !name.includes(`|${f.port}|`)) return false
  return true
}

/** Envoy's discovery type; a custom cluster_type (aggregate, ...) or none shows STATIC, as in istioctl. */
export function clusterType(c: JsonObject): string {
  const t = getString(c, 'type')
  return CLUSTER_TYPES.has(t) ? t : 'STATIC'
}

/** Filters and sorts clusters as istioctl (Go's sort.Slice on hostname, subset, port, direction). */
export function selectClusters(dump: ConfigDump, f: ClusterFilter, tableOnly = false): JsonObject[] {
  const all = listClusters(dump, tableOnly)
  if (all.length === 0) throw new InputError('no clusters found', {code: 'E_EMPTY_VIEW'})
  const keyed = all.filter((c) => clusterMatches(getString(c, 'name'), f)).map((c) => ({c, key: parseClusterName(getString(c, 'name'))}))
  goSortSlice(keyed, (a, b) => clusterNameLess(a.key, b.key))
  return keyed.map((k) => k.c)
}

/** One summary row; with `typed`, the leading NAME column of `pc all` (and its SERVICE FQDN quirk). */
export function clusterRow(c: JsonObject, typed: boolean): Row {
  const name = getString(c, 'name')
  const key = parseClusterName(name)
  const dr = renderIstioConfig(c)
  const kind = clusterType(c)
  const lead = typed ? [`cluster/${name}`] : []
  if (key.istio) return [...lead, key.hostname, String(key.port), key.subset || '-', key.direction, kind, dr]
  // istioctl renames the cluster in place before printing, so the FQDN column repeats the typed name
  if (typed && name === '') return [`cluster/`, '-', '-', '-', kind, dr]
  return [...lead, typed ? `cluster/${name}` : name, '-', '-', '-', kind, dr]
}

/**
 * The table is built when `blocks` is first read, from the clusters' table fields only; `data()` decodes them whole.
 * A missing or empty section throws from whichever is asked for first.
 */
export function clustersView(dump: ConfigDump, f: ClusterFilter, typed = false): ViewResult {
  const head = typed
    ? header('NAME', 'SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE')
    : header('SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE')
  let blocks: Block[] | undefined
  return {
    get blocks(): Block[] {
      blocks ??= [table([head, ...selectClusters(dump, f, true).map((c) => clusterRow(c, typed))], 5)]
      return blocks
    },
    data: (): Json => selectClusters(dump, f).map(resourceJson),
  }
}

export {getObject}
