/** Istio conventions in Envoy config: cluster names and the `istio` filter metadata. */
import {get, getObject, getString} from './fields.js'

export interface ClusterKey {
  /** true when the name has Istio's `direction|port|subset|hostname` form (at least 4 `|`-parts) */
  istio: boolean
  direction: string
  port: number
  subset: string
  hostname: string
}

/**
 * Parses an Istio cluster name as istioctl does (pilot's ParseSubsetKey): `direction|port|subset|hostname`.
 * With more than 4 parts the hostname is empty; a name with fewer parts is all hostname.
 */
export function parseClusterName(name: string): ClusterKey {
  const parts = name.split('|')
  if (parts.length < 4) return {istio: false, direction: '', port: 0, subset: '', hostname: name}
  const hostname = parts.slice(3).join('|')
  const port = /^[+-]?\d+$/.test(parts[1]) ? Number.parseInt(parts[1], 10) : 0
  return {istio: true, direction: parts[0], port: Number.isFinite(port) ? port : 0, subset: parts[2], hostname: hostname.includes('|') ? '' : hostname}
}

/** Compares two cluster names by istioctl's key: hostname, subset, port, direction. */
export function clusterNameLess(a: ClusterKey, b: ClusterKey): boolean {
  if (a.hostname !== b.hostname) return a.hostname < b.hostname
  if (a.subset !== b.subset) return a.subset < b.subset
  if (a.port !== b.port) return a.port < b.port
  return a.direction < b.direction
}

/**
 * Renders `metadata.filter_metadata.istio.config` (e.g. `/apis/networking.istio.io/v1/namespaces/default/
 * virtual-service/reviews`) as `reviews.default`; empty when absent; `<unknown>` when it is not an Istio
 * networking resource path.
 */
export function renderIstioConfig(resource: unknown): string {
  const istio = getObject(getObject(get(resource, 'metadata'), 'filter_metadata'), 'istio')
  if (!istio || get(istio, 'config') === undefined) return ''
  const config = getString(istio, 'config')
  if (config.startsWith('/apis/networking.istio.io/')) {
    const pieces = config.split('/')
    return pieces.length === 8 ? `${pieces[7]}.${pieces[5]}` : ''
  }
  return '<unknown>'
}
