/** `pc listeners`: istioctl's listener summary (docs/istioctl-behaviour.md §4.2). */
import type {ConfigDump} from '../envoy/document.js'
import {get, getArray, getString, isObject, type Json, type JsonObject} from '../envoy/fields.js'
import {
  describeChainDestination,
  describeChainMatch,
  filterChains,
  listenerAdditionalAddresses,
  listenerAddress,
  listenerPort,
  listenerType,
} from '../envoy/listeners.js'
import {resourceJson} from '../envoy/protojson.js'
import {InputError} from '../errors/index.js'
import type {Row} from '../output/tabwriter.js'
import {goSortSlice} from '../util/gosort.js'
import {header, table, type ViewResult} from './types.js'

export interface ListenerFilter {
  address?: string
  port?: number
  type?: string
}

/** Active dynamic listeners (warming/draining-only entries skipped), then static ones. */
export function listListeners(dump: ConfigDump): JsonObject[] {
  const section = dump.requireSection('listeners', 'listener dump: ')
  const out: JsonObject[] = []
  for (const entry of getArray(section, 'dynamic_listeners')) {
    const l = get(get(entry, 'active_state'), 'listener')
    if (isObject(l)) out.push(l)
  }
  // API v2 dumps kept active listeners in their own list
  for (const entry of getArray(section, 'dynamic_active_listeners')) {
    const l = get(entry, 'listener')
    if (isObject(l)) out.push(l)
  }
  for (const entry of getArray(section, 'static_listeners')) {
    const l = get(entry, 'listener')
    if (isObject(l)) out.push(l)
  }
  if (out.length === 0) throw new InputError('no listeners found', {code: 'E_EMPTY_VIEW'})
  return out
}

export function listenerMatches(l: Json, f: ListenerFilter): boolean {
  if (f.address) {
    const want = f.address.toLowerCase()
    const all = [listenerAddress(l), ...listenerAdditionalAddresses(l)]
    if (!all.some((a) => a.toLowerCase() === want)) return false
  }
  if (f.port && listenerPort(l) !== f.port) return false
  if (f.type && listenerType(l).toLowerCase() !== f.type.toLowerCase()) return false
  return true
}

interface Summary {
  l: JsonObject
  address: string
  addresses: string
  port: number
  type: string
}

function summarize(l: JsonObject): Summary {
  const address = listenerAddress(l)
  return {l, address, addresses: [address, ...listenerAdditionalAddresses(l)].join(','), port: listenerPort(l), type: listenerType(l)}
}

export function listenersView(dump: ConfigDump, f: ListenerFilter, verbose: boolean, typed = false): ViewResult {
  const selected = listListeners(dump).filter((l) => listenerMatches(l, f))
  const sorted = selected.map(summarize)
  goSortSlice(sorted, (a, b) => {
    if (a.port !== b.port) return a.port < b.port
    if (a.address !== b.address) return a.address < b.address
    return a.type < b.type
  })
  const lead = (s: Summary): string[] => (typed ? [`listener/${getString(s.l, 'name')}`] : [])
  const rows: Row[] = []
  if (verbose) {
    rows.push(header(...(typed ? ['NAME'] : []), 'ADDRESSES', 'PORT', 'MATCH', 'DESTINATION'))
    for (const s of sorted) {
      const chains = filterChains(s.l).map((c) => ({match: describeChainMatch(c), destination: describeChainDestination(c)}))
      goSortSlice(chains, (a, b) => a.destination > b.destination)
      for (const c of chains) rows.push([...lead(s), s.addresses, String(s.port), c.match, c.destination])
    }
  } else {
    rows.push(header(...(typed ? ['NAME'] : []), 'ADDRESSES', 'PORT', 'TYPE'))
    for (const s of sorted) rows.push([...lead(s), s.addresses, String(s.port), s.type])
  }
  return {
    blocks: [table(rows, 1)],
    // -o json keeps dump order (istioctl prints the filtered listeners unsorted)
    data: (): Json => selected.map(resourceJson),
  }
}
