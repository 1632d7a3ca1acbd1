/** Describing Envoy listeners as istioctl does (docs/istioctl-behaviour.md §4.2). */
import {get, getArray, getNumber, getObject, getString, isObject, type Json, type JsonObject} from './fields.js'
import {describeCluster, describeInlineRouteConfig} from './routes.js'

/** Network filter names, current and the API v2 era's (istioctl knows only the current ones). */
const HCM_NAMES = new Set(['envoy.filters.network.http_connection_manager', 'envoy.http_connection_manager'])
const TCP_NAMES = new Set(['envoy.filters.network.tcp_proxy', 'envoy.tcp_proxy'])

export const isHttpFilter = (f: Json): boolean => HCM_NAMES.has(getString(f, 'name'))
export const isTcpFilter = (f: Json): boolean => TCP_NAMES.has(getString(f, 'name'))

/** The filter's configuration (typed_config, or API v2's Struct `config`). */
export function filterConfig(f: Json): JsonObject | undefined {
  return getObject(f, 'typed_config') ?? getObject(f, 'config')
}

/** A tcp_proxy that sends to BlackHoleCluster does not count as TCP (as istioctl, which greps the bytes). */
function isBlackHole(f: Json): boolean {
  const cfg = filterConfig(f)
  return cfg !== undefined && JSON.stringify(cfg).includes('BlackHoleCluster')
}

export function listenerAddress(l: Json): string {
  const address = get(l, 'address')
  const sock = getObject(address, 'socket_address')
  if (sock) return getString(sock, 'address')
  const pipe = getObject(address, 'pipe')
  if (pipe) return getString(pipe, 'path')
  return ''
}

export function listenerAdditionalAddresses(l: Json): string[] {
  return getArray(l, 'additional_addresses').map((a) => getString(getObject(get(a, 'address'), 'socket_address'), 'address'))
}

export function listenerPort(l: Json): number {
  return getNumber(getObject(get(l, 'address'), 'socket_address'), 'port_value')
}

export function filterChains(l: Json): Json[] {
  const chains = [...getArray(l, 'filter_chains')]
  const def = get(l, 'default_filter_chain')
  if (isObject(def)) chains.push(def)
  return chains
}

/** HTTP, TCP, HTTP+TCP or UNKNOWN, from the network filters of every chain. */
export function listenerType(l: Json): string {
  let http = 0
  let tcp = 0
  for (const chain of filterChains(l)) {
    for (const f of getArray(chain, 'filters')) {
      if (isHttpFilter(f)) http++
      else if (isTcpFilter(f) && !isBlackHole(f)) tcp++
    }
  }
  if (http > 0) return tcp === 0 ? 'HTTP' : 'HTTP+TCP'
  return tcp > 0 ? 'TCP' : 'UNKNOWN'
}

const APP_PROTOCOLS: Array<[string, string[]]> = [
  ['App: HTTP', ['http/1.0', 'http/1.1', 'h2c']],
  ['App: HTTP TLS', ['http/1.0', 'http/1.1', 'h2c', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2']],
  ['App: Istio HTTP Plain', ['istio', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2']],
  ['App: TCP TLS', ['istio-peer-exchange', 'istio']],
]

const sameList = (a: readonly Json[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i])

/** §4.2.1: the MATCH column of a filter chain. */
export function describeChainMatch(chain: Json): string {
  const match = get(chain, 'filter_chain_match')
  const parts: string[] = []
  const sni = getArray(match, 'server_names')
  if (sni.length > 0) parts.push(`SNI: ${sni.join(',')}`)
  const transport = getString(match, 'transport_protocol')
  if (transport !== '') parts.push(`Trans: ${transport}`)
  const alpn = getArray(match, 'application_protocols')
  if (alpn.length > 0) {
    const known = APP_PROTOCOLS.find(([, list]) => sameList(alpn, list))
    parts.push(known ? known[0] : `App: ${alpn.join(',')}`)
  }
  const dp = get(match, 'destination_port')
  // destination_port is a UInt32Value: {"value": N} in some encoders, a bare number in Envoy's JSON
  const port = dp === undefined ? '' : `:${isObject(dp) ? getNumber(dp, 'value') : Number(dp) || 0}`
  const ranges = getArray(match, 'prefix_ranges')
  if (ranges.length > 0) {
    const list = ranges.map((r) => `${getString(r, 'address_prefix')}/${getNumber(r, 'prefix_len')}`)
    parts.push(`Addr: ${list.join(',')}${port}`)
  } else if (port !== '') {
    parts.push(`Addr: *${port}`)
  }
  return parts.length === 0 ? 'ALL' : parts.join('; ')
}

/** §4.2.2: the DESTINATION column of a filter chain. */
export function describeChainDestination(chain: Json): string {
  for (const f of getArray(chain, 'filters')) {
    if (isHttpFilter(f)) {
      const cfg = filterConfig(f)
      const inline = getObject(cfg, 'route_config')
      if (inline) return describeInlineRouteConfig(inline)
      const rds = getString(getObject(cfg, 'rds'), 'route_config_name')
      if (rds !== '') return `Route: ${rds}`
      return 'HTTP'
    }
    if (isTcpFilter(f) && !isBlackHole(f)) {
      return describeCluster(getString(filterConfig(f), 'cluster'))
    }
  }
  return 'Non-HTTP/Non-TCP'
}
