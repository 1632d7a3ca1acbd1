/**
 * diff's fast path for the large sections of a dump (clusters, endpoints, listeners, routes): each resource is located in the
 * section's bytes (../envoy/split.ts splitContainer: Envoy, istioctl and kubectl print one value per line, so a
 * value's extent is found from its indentation without parsing it) and named from its `name` / `cluster_name`
 * alone. Two resources whose JSON text is byte for byte the same are the same configuration and are never decoded:
 * comparing replicas or snapshots of one proxy, that is nearly all of them. The others are decoded (JSON.parse of
 * their bytes) and compared as data by the engine, like every resource of the graph path.
 *
 * undefined whenever the input is not laid out that way (compact JSON, YAML, a dump already decoded): the engine
 * then reads the section through the config graph.
 */
import {isObject, type Json, type JsonObject} from '../envoy/fields.js'
import type {ConfigDump} from '../envoy/document.js'
import {splitContainer} from '../envoy/split.js'

export type RawType = 'clusters' | 'endpoints' | 'listeners' | 'routes'

export interface RawResource {
  name: string
  /** static, active, warming (clusters, listeners); draining (listeners); eds (endpoints); static, rds (routes) */
  state: string
  /** the resource's JSON text (a view of the section's bytes) */
  bytes: Buffer
  /** listeners: traffic_direction INBOUND */
  inbound?: boolean
}

const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength))

/** The arrays of a section that hold resources, in both spellings, and the state of what they hold. */
const ARRAYS: Record<RawType, Record<string, string>> = {
  listeners: {static_listeners: 'static', staticListeners: 'static', dynamic_listeners: 'dynamic', dynamicListeners: 'dynamic'},
  routes: {static_route_configs: 'static', staticRouteConfigs: 'static', dynamic_route_configs: 'rds', dynamicRouteConfigs: 'rds'},
  clusters: {
    static_clusters: 'static',
    staticClusters: 'static',
    dynamic_active_clusters: 'active',
    dynamicActiveClusters: 'active',
    dynamic_warming_clusters: 'warming',
    dynamicWarmingClusters: 'warming',
  },
  endpoints: {
    static_endpoint_configs: 'eds',
    staticEndpointConfigs: 'eds',
    dynamic_endpoint_configs: 'eds',
    dynamicEndpointConfigs: 'eds',
  },
}
const WRAPPED: Record<RawType, string[]> = {
  clusters: ['cluster'],
  endpoints: ['endpoint_config', 'endpointConfig'],
  listeners: ['listener'],
  routes: ['route_config', 'routeConfig'],
}
const NAME: Record<RawType, string[]> = {clusters: ['name'], endpoints: ['cluster_name', 'clusterName'], listeners: ['name'], routes: ['name']}
const SECTION: Record<RawType, 'clusters' | 'endpoints' | 'listeners' | 'routes'> = {clusters: 'clusters', endpoints: 'endpoints', listeners: 'listeners', routes: 'routes'}
/** a dynamic listener's copies, each under its state (error_state holds no listener to compare: the graph path reads it) */
const LISTENER_STATES: Record<string, string> = {
  active_state: 'active',
  activeState: 'active',
  warming_state: 'warming',
  warmingState: 'warming',
  draining_state: 'draining',
  drainingState: 'draining',
}

/** A string value's text, decoded; undefined when it is not a JSON string. */
function stringAt(buf: Buffer, start: number, end: number): string | undefined {
  if (buf[start] !== 0x22) return undefined
  try {
    const v: unknown = JSON.parse(buf.toString('utf8', start, end))
    return typeof v === 'string' ? v : undefined
  } catch {
    return undefined
  }
}

/**
 * The clusters (EDS assignments, listeners, route configurations) of a dump by name, each copy with its bytes;
 * undefined when the section is not at hand as bytes or not laid out one value per line, or holds what only the
 * graph path reads (a listener in error_state).
 */
export function rawResources(dump: ConfigDump, type: RawType): Map<string, RawResource[]> | undefined {
  const kind = SECTION[type]
  const bytes = dump.sectionBytes(kind)
  if (!bytes) return dump.sections(kind).length === 0 ? new Map() : undefined
  const buf = asBuffer(bytes)
  const top = splitContainer(buf)
  if (!top) return undefined
  const out = new Map<string, RawResource[]>()
  for (const field of top) {
    const state = ARRAYS[type][field.key ?? '']
    if (state === undefined) continue
    if (buf[field.start] === 0x5b && buf[field.start + 1] === 0x5d) continue // []
    const elements = splitContainer(buf, field.start, field.end)
    if (!elements) return undefined
    for (const el of elements) {
      const members = splitContainer(buf, el.start, el.end)
      if (!members) return undefined
      // where the resource is: in the element (`cluster`, `route_config` ...), or a dynamic listener's state objects
      const holders: Array<{state: string; start: number; end: number}> = []
      if (type === 'listeners' && state === 'dynamic') {
        if (members.some((m) => m.key === 'error_state' || m.key === 'errorState')) return undefined
        for (const m of members) {
          const st = LISTENER_STATES[m.key ?? '']
          if (st === undefined) continue
          const inner = splitContainer(buf, m.start, m.end)?.find((x) => x.key === 'listener')
          if (!inner) return undefined
          holders.push({state: st, start: inner.start, end: inner.end})
        }
      } else {
        const wrapped = members.find((m) => WRAPPED[type].includes(m.key ?? ''))
        if (!wrapped) return undefined
        holders.push({state, start: wrapped.start, end: wrapped.end})
      }
      for (const h of holders) {
        const fields = splitContainer(buf, h.start, h.end)
        const nameField = fields?.find((f) => NAME[type].includes(f.key ?? ''))
        // an unnamed resource (a bootstrap listener may have no name) is named '' as the graph names it
        const name = nameField ? stringAt(buf, nameField.start, nameField.end) : fields ? '' : undefined
        if (name === undefined) return undefined
        const r: RawResource = {name, state: h.state, bytes: buf.subarray(h.start, h.end)}
        if (type === 'listeners') {
          const dir = fields!.find((f) => f.key === 'traffic_direction' || f.key === 'trafficDirection')
          r.inbound = dir !== undefined && stringAt(buf, dir.start, dir.end) === 'INBOUND'
        }
        const list = out.get(name)
        if (!list) out.set(name, [r])
        // as the graph: the last EDS assignment of a name wins; a dynamic route configuration wins over a static one
        else if (type === 'endpoints' || (type === 'routes' && r.state === 'rds')) list[0] = r
        else if (type !== 'routes') list.push(r)
      }
    }
  }
  return out
}

/** The resource decoded; a value that does not decode is an error the caller reports through the graph path. */
export function decodeRaw(r: RawResource): JsonObject {
  const v = JSON.parse(r.bytes.toString('utf8')) as Json
  if (!isObject(v)) throw new SyntaxError(`${r.name} is not an object`)
  return v
}

/**
 * How many of diff's resources a route configuration's bytes hold (itself, its virtual hosts, their routes: see
 * ./resources.ts routeConfigResources), counted without decoding; undefined when its layout is not one value per line.
 */
export function routeResourceCount(bytes: Buffer): number | undefined {
  const fields = splitContainer(bytes)
  if (!fields) return undefined
  const vhField = fields.find((f) => f.key === 'virtual_hosts' || f.key === 'virtualHosts')
  if (!vhField || (bytes[vhField.start] === 0x5b && bytes[vhField.start + 1] === 0x5d)) return 1
  const vhs = splitContainer(bytes, vhField.start, vhField.end)
  if (!vhs) return undefined
  let n = 1 + vhs.length
  for (const vh of vhs) {
    const routes = splitContainer(bytes, vh.start, vh.end)?.find((f) => f.key === 'routes')
    if (!routes || (bytes[routes.start] === 0x5b && bytes[routes.start + 1] === 0x5d)) continue
    const list = splitContainer(bytes, routes.start, routes.end)
    if (!list) return undefined
    n += list.length
  }
  return n
}
