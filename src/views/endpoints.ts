/**
 * `pc endpoints` (from Envoy's `/clusters?format=json`, §4.4) and `pc eds` (from the EndpointsConfigDump
 * of a config_dump taken with include_eds, §4.5).
 */
import type {ClustersStatus, ConfigDump} from '../envoy/document.js'
import {describeLocality, edsAddress, hostAddress, lbEndpointPort} from '../envoy/endpoints.js'
import {get, getArray, getBool, getObject, getString, isObject, type Json, type JsonObject} from '../envoy/fields.js'
import {clusterNameLess, parseClusterName} from '../envoy/istio.js'
import {convertMessage, resourceJson} from '../envoy/protojson.js'
import {InputError} from '../errors/index.js'
import type {Row} from '../output/tabwriter.js'
import {goSortSlice} from '../util/gosort.js'
import {header, table, type ViewResult} from './types.js'

export interface EndpointFilter {
  address?: string
  port?: number
  cluster?: string
  status?: string
}

const ci = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase()

/**
 * --address on either input: the bare IP or `ip:port` (`[ip]:port` for IPv6). istioctl compares the bare IP on
 * /clusters input and `ip:port` on EDS input; a user should not have to know which one the command read.
 */
export function addressMatches(address: string, port: number, want: string): boolean {
  if (ci(address, want)) return true
  return port !== 0 && (ci(`${address}:${port}`, want) || ci(`[${address}]:${port}`, want))
}

/** Styles for health statuses on a terminal. */
export function statusStyle(status: string): string | undefined {
  if (status === 'HEALTHY') return 'good'
  if (status === 'UNHEALTHY' || status === 'TIMEOUT' || status === 'FAILED') return 'bad'
  if (status === 'DRAINING' || status === 'DEGRADED') return 'warn'
  return undefined
}
const styled = (text: string): Row[number] => {
  const style = statusStyle(text)
  return style ? {text, style} : text
}

// ---------------------------------------------------------------- /clusters?format=json

interface HostRow {
  address: string
  port: number
  status: string
  outlier: string
  cluster: string
}

function hostRow(cluster: string, host: Json): HostRow {
  const {address, port} = hostAddress(get(host, 'address'))
  const health = getObject(host, 'health_status')
  return {
    address,
    port,
    status: getString(health, 'eds_health_status') || 'UNKNOWN',
    outlier: getBool(health, 'failed_outlier_check') ? 'FAILED' : 'OK',
    cluster,
  }
}

function hostMatches(h: HostRow, f: EndpointFilter): boolean {
  if (f.address && !addressMatches(h.address, h.port, f.address)) return false
  if (f.port && h.port !== f.port) return false
  if (f.cluster && !ci(h.cluster, f.cluster)) return false
  if (f.status && !ci(h.status, f.status)) return false
  return true
}

export function clusterStatusView(doc: ClustersStatus, f: EndpointFilter): ViewResult {
  const rows: HostRow[] = []
  // indices, not objects: each cluster is decoded, reduced to its rows and let go; -o json decodes the matches again
  const matchedClusters: number[] = []
  // the per-host `stats` arrays (a third of the answer) are never shown: not decoded
  for (const [index, cs] of doc.statuses('stats')) {
    const name = getString(cs, 'name')
    let any = false
    for (const host of getArray(cs, 'host_statuses')) {
      const h = hostRow(name, host)
      if (hostMatches(h, f)) {
        rows.push(h)
        any = true
      }
    }
    if (any) matchedClusters.push(index)
  }
  goSortSlice(rows, (a, b) => {
    if (a.address !== b.address) return a.address < b.address
    if (a.port !== b.port) return a.port < b.port
    return a.cluster < b.cluster
  })
  const table_: Row[] = [header('ENDPOINT', 'STATUS', 'OUTLIER CHECK', 'CLUSTER')]
  for (const h of rows) {
    table_.push([h.port === 0 ? h.address : `${h.address}:${h.port}`, styled(h.status), h.outlier === 'FAILED' ? {text: 'FAILED', style: 'bad'} : 'OK', h.cluster])
  }
  return {blocks: [table(table_, 5)], data: (): Json => matchedClusters.map((i) => convertMessage(doc.status(i)))}
}

// ---------------------------------------------------------------- EDS

/** Every ClusterLoadAssignment of the dump: dynamic, then static; none when the section is absent. */
export function listAssignments(dump: ConfigDump): JsonObject[] {
  const section = dump.section('endpoints')
  if (!section) return []
  const out: JsonObject[] = []
  for (const entry of [...getArray(section, 'dynamic_endpoint_configs'), ...getArray(section, 'static_endpoint_configs')]) {
    const cla = get(entry, 'endpoint_config')
    if (isObject(cla)) out.push(cla)
  }
  return out
}

function lbAddresses(lb: Json): string[] {
  const ep = get(lb, 'endpoint')
  return [edsAddress(get(ep, 'address')), ...getArray(ep, 'additional_addresses').map((a) => edsAddress(get(a, 'address')))]
}

function lbMatches(cluster: string, lb: Json, f: EndpointFilter): boolean {
  if (f.address && !lbAddresses(lb).some((a) => ci(a, f.address!) || addressMatches(a.replace(/:\d+$/, ''), 0, f.address!))) return false
  if (f.port && lbEndpointPort(lb) !== f.port) return false
  if (f.cluster && !ci(cluster, f.cluster)) return false
  if (f.status && !ci(getString(lb, 'health_status') || 'UNKNOWN', f.status)) return false
  return true
}

/** The assignments with only the matching endpoints; localities emptied by the filter keep no endpoint list. */
export function selectAssignments(dump: ConfigDump, f: EndpointFilter): JsonObject[] {
  const out: JsonObject[] = []
  for (const cla of listAssignments(dump)) {
    const cluster = getString(cla, 'cluster_name')
    let kept = 0
    let changed = false
    const localities = getArray(cla, 'endpoints').map((loc) => {
      if (!isObject(loc)) return loc
      const all = getArray(loc, 'lb_endpoints')
      const lbs = all.filter((lb) => lbMatches(cluster, lb, f))
      kept += lbs.length
      // nothing filtered out: the locality as it is (the common case, and no copy of a large EDS section)
      if (lbs.length === all.length && lbs.length > 0) return loc
      changed = true
      // rebuild in the same key order; a locality left without endpoints keeps no endpoint list
      const copy: JsonObject = {}
      for (const [k, v] of Object.entries(loc)) {
        if (k === 'lb_endpoints' || k === 'lbEndpoints') {
          if (lbs.length > 0) copy[k] = lbs
        } else copy[k] = v
      }
      return copy
    })
    if (kept === 0) continue
    out.push(changed ? (Object.fromEntries(Object.entries(cla).map(([k, v]) => [k, k === 'endpoints' ? localities : v])) as JsonObject) : cla)
  }
  const keyed = out.map((cla) => ({cla, key: parseClusterName(getString(cla, 'cluster_name'))}))
  goSortSlice(keyed, (a, b) => clusterNameLess(a.key, b.key))
  return keyed.map((k) => k.cla)
}

/** Rows of the EDS table; `prefix` is `endpoint/` in `pc all`. */
export function edsRows(assignments: JsonObject[], prefix = ''): Row[] {
  const rows: Row[] = []
  for (const cla of assignments) {
    const cluster = getString(cla, 'cluster_name')
    for (const loc of getArray(cla, 'endpoints')) {
      const locality = describeLocality(get(loc, 'locality'))
      for (const lb of getArray(loc, 'lb_endpoints')) {
        const status = getString(lb, 'health_status') || 'UNKNOWN'
        rows.push([prefix + lbAddresses(lb).join(','), styled(status), locality, cluster])
      }
    }
  }
  return rows
}

export function edsView(dump: ConfigDump, f: EndpointFilter, prefix = ''): ViewResult {
  // as pc endpoints and every other view: a dump without the section the view reads is an input error (exit 3),
  // not a lone header (pc all reports it as a skipped section)
  if (!dump.section('endpoints')) {
    throw new InputError('the config dump has no EndpointsConfigDump section (it was taken without include_eds)', {
      code: 'E_NO_ENDPOINTS',
      hint: "capture it with: kubectl exec <pod> -c istio-proxy -- pilot-agent request GET 'config_dump?include_eds' > dump.json",
    })
  }
  const selected = selectAssignments(dump, f)
  return {
    warnings: [],
    blocks: [table([header('NAME', 'STATUS', 'LOCALITY', 'CLUSTER'), ...edsRows(selected, prefix)], 5)],
    data: (): Json => selected.map(resourceJson),
  }
}

/**
 * `pc endpoints`: from `/clusters?format=json`; given a config_dump, from its EDS section (with a note),
 * and when the dump carries no endpoints at all, an error that says how to capture what is needed.
 */
export function endpointsView(doc: ClustersStatus | ConfigDump, f: EndpointFilter): ViewResult {
  if (doc.kind === 'clusters') return clusterStatusView(doc, f)
  if (!doc.section('endpoints')) {
    throw new InputError('the input is a config_dump without endpoints (it was taken without include_eds)', {
      code: 'E_NO_ENDPOINTS',
      hint: "capture Envoy's endpoint health with: kubectl exec <pod> -c istio-proxy -- pilot-agent request GET 'clusters?format=json' > clusters.json",
    })
  }
  const result = edsView(doc, f)
  return {
    ...result,
    warnings: ['the input is a config_dump: showing the endpoints of its EDS section (health as pushed by the control plane; outlier-detection state needs /clusters?format=json)'],
  }
}
