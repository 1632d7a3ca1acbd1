/**
 * The resources diff compares, taken from the config graph (../graph), each under its identity:
 *
 * | type      | identity                                      | document                                            |
 * |-----------|-----------------------------------------------|-----------------------------------------------------|
 * | clusters  | cluster name                                  | the Cluster                                         |
 * | listeners | listener name                                 | the Listener (inline route configurations included) |
 * | routes    | route configuration name                      | the RouteConfiguration without its virtual hosts,   |
 * |           |   / virtual host name                         |   the VirtualHost without its routes (+ `_routes`:  |
 * |           |   / route name, else its match                |   their names in order: Envoy takes the first match)|
 * |           |                                               |   and each Route                                    |
 * | endpoints | EDS cluster name                              | the ClusterLoadAssignment                           |
 * | secrets   | secret name                                   | the Secret                                          |
 * | bootstrap | `bootstrap`                                   | the Bootstrap                                       |
 *
 * A name with several copies (an active listener and its warming replacement, a warming cluster) is compared by
 * the copy that takes traffic (static or active), else the one there is; a copy that does not take traffic says
 * so in `_state` (`warming`, `draining`, `error`). Bookkeeping (`version_info`, `last_updated`, `error_state`'s
 * time) lives beside the resource, not in it: with `includeMeta` it is added as `_meta`.
 */
import type {Json, JsonObject} from '../envoy/fields.js'
import {get, getArray, getString, isObject} from '../envoy/fields.js'
import type {ConfigGraph, ResourceMeta} from '../graph/graph.js'
import {canonical} from './normalize.js'

export const DIFF_TYPES = ['clusters', 'listeners', 'routes', 'endpoints', 'secrets', 'bootstrap'] as const
export type DiffType = (typeof DIFF_TYPES)[number]

export interface Resource {
  type: DiffType
  name: string
  doc: Json
  /** secrets: a workload certificate (per pod by nature) */
  cert?: boolean
  /** holds per-pod values when it is the pod's own: the bootstrap, inbound listeners, clusters and routes */
  perPod?: boolean
}

/** Which resources to compare: `--type` and the proxy-config filters. */
export interface ResourceFilter {
  types?: readonly DiffType[]
  /** clusters and endpoints: substring of the service FQDN (the 4th field of an Istio cluster name, else the name) */
  fqdn?: string
  /** clusters and endpoints: the port of an Istio cluster name; listeners: their port; routes: the route configuration named for it */
  port?: number
  /** any type: the resource's (for routes: the route configuration's) exact name */
  name?: string
  /** clusters and endpoints: the exact cluster name */
  cluster?: string
}

/** The types a filter narrows to when --type is not given: a filter only applies to some. */
export function typesOf(f: ResourceFilter): DiffType[] {
  if (f.types && f.types.length > 0) return [...f.types]
  let types: DiffType[] = [...DIFF_TYPES]
  if (f.fqdn !== undefined || f.cluster !== undefined) types = types.filter((t) => t === 'clusters' || t === 'endpoints')
  if (f.port !== undefined) types = types.filter((t) => t !== 'secrets' && t !== 'bootstrap')
  return types
}

/** `outbound|9080|v1|reviews.default.svc.cluster.local` → its port and FQDN; other names: the name as the FQDN. */
function istioClusterParts(name: string): {port?: number; fqdn: string} {
  const parts = name.split('|')
  if (parts.length === 4) return {port: Number(parts[1]) || undefined, fqdn: parts[3]!}
  return {fqdn: name}
}

export function clusterMatches(name: string, f: ResourceFilter): boolean {
  if (f.cluster !== undefined && name !== f.cluster) return false
  if (f.name !== undefined && name !== f.name) return false
  if (f.fqdn === undefined && f.port === undefined) return true
  const p = istioClusterParts(name)
  if (f.fqdn !== undefined && !p.fqdn.includes(f.fqdn)) return false
  if (f.port !== undefined && p.port !== f.port) return false
  return true
}

/** Route configurations are named for their port (`9080`, `http.8080`, `inbound|9080||`, `0.0.0.0_9080`). */
export function routeConfigMatches(name: string, f: ResourceFilter): boolean {
  if (f.name !== undefined && name !== f.name) return false
  if (f.port !== undefined) {
    const n = String(f.port)
    if (!(name === n || name.endsWith(`.${n}`) || name.endsWith(`_${n}`) || name.includes(`|${n}|`))) return false
  }
  return true
}

function withMeta(doc: JsonObject, meta: ResourceMeta, state: string | undefined, includeMeta: boolean): JsonObject {
  if (state === undefined && !includeMeta) return doc
  const out: JsonObject = {...doc}
  if (state !== undefined) out._state = state
  if (includeMeta) {
    const m: JsonObject = {}
    if (meta.versionInfo !== undefined) m.version_info = meta.versionInfo
    if (meta.lastUpdated !== undefined) m.last_updated = meta.lastUpdated
    if (meta.error) m.error_state = meta.error.lastUpdateAttempt ? {details: meta.error.details, last_update_attempt: meta.error.lastUpdateAttempt} : {details: meta.error.details}
    out._meta = m
  }
  return out
}

/** The copy that takes traffic, else the first; and its state when it does not take traffic. */
export function pick<T extends {state: string}>(copies: T[]): {copy: T; state?: string} {
  const live = copies.find((c) => c.state === 'active' || c.state === 'static')
  if (live) return {copy: live}
  return {copy: copies[0]!, state: copies[0]!.state}
}

function without(obj: JsonObject, ...names: string[]): JsonObject {
  const out: JsonObject = {}
  const drop = new Set(names)
  for (const k of Object.keys(obj)) if (!drop.has(k)) out[k] = obj[k]!
  return out
}

/** A route's identity within its virtual host: its name, else its match (normalised, as compact JSON). */
function routeKey(raw: JsonObject, index: number): string {
  const name = getString(raw, 'name')
  if (name !== '') return name
  const m = get(raw, 'match')
  // the match in its normalised form: the same route in either spelling has the same identity
  return m === undefined ? `#${index}` : `match:${JSON.stringify(canonical(m))}`
}

/** Disambiguates repeated identities in one list (`x`, `x#2`, ...): Envoy does not require route names to be unique. */
function uniqueNames(names: string[]): string[] {
  const seen = new Map<string, number>()
  return names.map((n) => {
    const c = (seen.get(n) ?? 0) + 1
    seen.set(n, c)
    return c === 1 ? n : `${n}#${c}`
  })
}

export interface ResourceOptions {
  includeMeta: boolean
  /** only the dynamic resources (what a control plane sends): `ps --semantic` compares istiod's view with them */
  dynamicOnly?: boolean
  /** applied to the identity of per-pod resources (an inbound listener named for the pod IP) */
  rename?: (name: string) => string
}

/**
 * Where a proxy's own pod IP and name are per-pod by nature: its inbound side (listeners with traffic_direction
 * INBOUND or named virtualInbound, `inbound|...` clusters and route configurations). Not outbound resources nor
 * EDS: there an IP is a destination, the same for every replica (a headless service's per-pod listeners name
 * each replica's IP, the proxy's own among them).
 */
export const inboundName = (name: string): boolean => /^inbound[|_]|^Inbound|^virtualInbound$/.test(name)

/**
 * A route configuration as diff's resources: the configuration without its virtual hosts, each virtual host without
 * its routes (with `_routes`, their identities in order), each route.
 */
export function routeConfigResources(name: string, raw: JsonObject, meta: ResourceMeta, opts: ResourceOptions): Resource[] {
  const out: Resource[] = []
  const type = 'routes'
  const perPod = inboundName(name)
  const ren = perPod && opts.rename ? opts.rename : (s: string) => s
  const rcName = ren(name)
  out.push({type, name: rcName, doc: withMeta(without(raw, 'virtual_hosts', 'virtualHosts'), meta, undefined, opts.includeMeta), perPod})
  // names as the graph gives them (../graph/graph.ts routeConfigNode): the virtual host's name, else its position
  const vhs = getArray(raw, 'virtual_hosts').filter(isObject)
  const vhNames = uniqueNames(vhs.map((vh, i) => ren(getString(vh, 'name') || `#${i}`)))
  vhs.forEach((vh, i) => {
    const vhName = `${rcName}/${vhNames[i]}`
    const routes = getArray(vh, 'routes').filter(isObject)
    const routeNames = uniqueNames(routes.map((r, j) => ren(routeKey(r, j))))
    out.push({type, name: vhName, doc: {...without(vh, 'routes'), ...(routeNames.length > 0 ? {_routes: routeNames} : {})}, perPod})
    for (let j = 0; j < routes.length; j++) out.push({type, name: `${vhName}/${routeNames[j]}`, doc: routes[j]!, perPod})
  })
  return out
}

/** The resources of one type in a graph, by identity. */
export function resourcesOf(g: ConfigGraph, type: DiffType, f: ResourceFilter, opts: ResourceOptions): Map<string, Resource> {
  const out = new Map<string, Resource>()
  const rename = opts.rename ?? ((s: string) => s)
  const add = (r: Resource): void => {
    out.set(r.name, r)
  }
  switch (type) {
    case 'clusters':
      for (const [name, copies] of g.clusterCopies) {
        if (!clusterMatches(name, f)) continue
        const usable = opts.dynamicOnly ? copies.filter((c) => c.state !== 'static') : copies
        if (usable.length === 0) continue
        const {copy, state} = pick(usable)
        const perPod = inboundName(name)
        add({type, name: perPod ? rename(name) : name, doc: withMeta(copy.raw, copy.meta, state, opts.includeMeta), perPod})
      }
      break
    case 'listeners': {
      const byName = new Map<string, typeof g.listeners>()
      for (const l of g.listeners) {
        if (opts.dynamicOnly && l.state === 'static') continue
        if (f.name !== undefined && l.name !== f.name) continue
        if (f.port !== undefined && l.port !== f.port) continue
        const list = byName.get(l.name)
        if (list) list.push(l)
        else byName.set(l.name, [l])
      }
      for (const [name, copies] of byName) {
        const {copy, state} = pick(copies)
        const perPod = getString(copy.raw, 'traffic_direction') === 'INBOUND' || inboundName(name)
        add({type, name: perPod ? rename(name) : name, doc: withMeta(copy.raw, copy.meta, state, opts.includeMeta), perPod})
      }
      break
    }
    case 'routes':
      for (const rc of g.routeConfigs.values()) {
        if (opts.dynamicOnly && rc.origin !== 'rds') continue
        if (!routeConfigMatches(rc.name, f)) continue
        for (const r of routeConfigResources(rc.name, rc.raw, rc.meta, opts)) add(r)
      }
      break
    case 'endpoints':
      // EDS is not per pod: a replica's own IP is one destination among the others, for every replica
      for (const [name, eds] of g.endpointConfigs ?? []) {
        if (!clusterMatches(name, f) || !eds.raw) continue
        add({type, name, doc: eds.raw})
      }
      break
    case 'secrets':
      for (const [name, copies] of g.secretCopies) {
        if (f.name !== undefined && name !== f.name) continue
        const usable = opts.dynamicOnly ? copies.filter((c) => c.state !== 'static') : copies
        if (usable.length === 0) continue
        const {copy, state} = pick(usable)
        const tls = get(copy.raw, 'tls_certificate')
        add({type, name: rename(name), doc: withMeta(copy.raw, copy.meta, state, opts.includeMeta), cert: isObject(tls)})
      }
      break
    case 'bootstrap': {
      if (opts.dynamicOnly) break
      const b = g.bootstrap
      if (b && (f.name === undefined || f.name === 'bootstrap')) add({type, name: 'bootstrap', doc: b, perPod: true})
      break
    }
  }
  return out
}

/** A proxy's per-pod values, from its bootstrap node: `sidecar~<ip>~<pod>.<namespace>~<namespace>.svc.cluster.local`. */
export function podValuesOf(g: ConfigGraph): {ips: string[]; podName: string; nodeId: string} {
  const node = g.node
  const parts = node.id.split('~')
  const ips = new Set<string>()
  if (parts.length >= 3 && parts[1] !== '') ips.add(parts[1]!)
  const instance = node.metadata.INSTANCE_IPS
  if (typeof instance === 'string') for (const ip of instance.split(',')) if (ip.trim() !== '') ips.add(ip.trim())
  const named = node.metadata.NAME
  const podName = typeof named === 'string' && named !== '' ? named : parts.length >= 3 ? parts[2]!.split('.')[0]! : ''
  return {ips: [...ips], podName, nodeId: node.id}
}
