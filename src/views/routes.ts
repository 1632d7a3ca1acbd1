/** `pc routes`: istioctl's route summary (docs/istioctl-behaviour.md §4.3). */
import type {ConfigDump} from '../envoy/document.js'
import {get, getArray, getString, isObject, type Json, type JsonObject} from '../envoy/fields.js'
import {renderIstioConfig} from '../envoy/istio.js'
import {resourceJson} from '../envoy/protojson.js'
import {describeDomains, describeMatch, routeCluster} from '../envoy/routes.js'
import {InputError} from '../errors/index.js'
import type {Row} from '../output/tabwriter.js'
import {goSortSlice} from '../util/gosort.js'
import {header, table, type ViewResult} from './types.js'

export interface RouteFilter {
  name?: string
}

/** Dynamic route configurations, then static ones (routes inlined in listeners are not included). */
export function listRouteConfigs(dump: ConfigDump): JsonObject[] {
  const section = dump.requireSection('routes')
  const out: JsonObject[] = []
  for (const entry of [...getArray(section, 'dynamic_route_configs'), ...getArray(section, 'static_route_configs')]) {
    const rc = get(entry, 'route_config')
    if (isObject(rc)) out.push(rc)
  }
  if (out.length === 0) throw new InputError('no routes found', {code: 'E_EMPTY_VIEW'})
  return out
}

const asInt = (s: string): number | undefined => (/^[+-]?\d+$/.test(s) ? Number.parseInt(s, 10) : undefined)

/** istioctl's order: only numeric names are compared (a non-strict order, reproduced through Go's sort). */
export function sortRouteConfigs(configs: JsonObject[]): JsonObject[] {
  const keyed = configs.map((rc) => ({rc, n: asInt(getString(rc, 'name'))}))
  goSortSlice(keyed, (a, b) => a.n !== undefined && b.n !== undefined && a.n < b.n)
  return keyed.map((k) => k.rc)
}

export function selectRouteConfigs(dump: ConfigDump, f: RouteFilter): JsonObject[] {
  const all = listRouteConfigs(dump).filter((rc) => !f.name || getString(rc, 'name') === f.name)
  return sortRouteConfigs(all)
}

/** Rows of the verbose route table; `prefix` is `route/` in `pc all`. */
export function routeRows(configs: JsonObject[], prefix = ''): Row[] {
  const rows: Row[] = []
  for (const rc of configs) {
    const name = prefix + getString(rc, 'name')
    for (const vh of getArray(rc, 'virtual_hosts')) {
      const vhName = getString(vh, 'name')
      const domains = describeDomains(getArray(vh, 'domains').map(String))
      const routes = getArray(vh, 'routes')
      if (routes.length === 0) {
        rows.push([name, vhName, domains, '/*', '404'])
        continue
      }
      for (const r of routes) {
        if (routeCluster(r) === 'PassthroughCluster') continue
        rows.push([name, vhName, domains, describeMatch(get(r, 'match')), renderIstioConfig(r)])
      }
    }
  }
  return rows
}

export function routesView(dump: ConfigDump, f: RouteFilter, verbose: boolean, prefix = ''): ViewResult {
  const configs = selectRouteConfigs(dump, f)
  const rows: Row[] = verbose
    ? [header('NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'VIRTUAL SERVICE'), ...routeRows(configs, prefix)]
    : [header('NAME', 'VIRTUAL HOSTS'), ...configs.map((rc) => [prefix + getString(rc, 'name'), String(getArray(rc, 'virtual_hosts').length)])]
  return {blocks: [table(rows, 5)], data: (): Json => configs.map(resourceJson)}
}
