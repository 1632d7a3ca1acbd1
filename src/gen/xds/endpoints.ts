/**
 * Endpoints of a cluster: the pods behind a service port (optionally narrowed to a DestinationRule subset),
 * or the static endpoints of the API server / ServiceEntries. Used by EDS (ClusterLoadAssignment), by
 * `/clusters?format=json`, and by STRICT_DNS clusters' resolved addresses.
 */
import type {Locality, Pod, Service, ServicePort, Subset} from '../model.js'
import {hash32} from '../prng.js'
import type {ProxyContext} from './common.js'
import {socketAddress, T} from './common.js'

export interface Endpoint {
  address: string
  port: number
  healthy: boolean
  locality?: Locality
  pod?: Pod
  /** for DNS clusters: the name that was resolved */
  hostname?: string
  /** a unix socket instead of address:port (the agent's SDS/XDS sockets) */
  pipe?: string
}

/** A stable "resolved" public address for a DNS name (never contacted; it only has to look plausible). */
export function resolvedAddress(host: string): string {
  const h = hash32(host)
  return `${[34, 35, 52, 104, 151][h % 5]}.${(h >>> 8) & 255}.${(h >>> 16) & 255}.${((h >>> 24) % 250) + 2}`
}

export function endpointsOf(ctx: ProxyContext, svc: Service, port: ServicePort, subset?: Subset): Endpoint[] {
  const out: Endpoint[] = []
  if (svc.resolution === 'DNSLB' || svc.resolution === 'DNSRoundRobinLB') {
    out.push({address: resolvedAddress(svc.hostname), port: port.targetPort, healthy: true, hostname: svc.hostname})
    return out
  }
  for (const e of svc.endpoints ?? []) out.push({address: e.address, port: e.port ?? port.targetPort, healthy: true, locality: e.locality})
  for (const w of ctx.mesh.lookup.workloadsOf(svc)) {
    if (subset && !labelsSubset(subset.labels, w.labels)) continue
    for (const pod of ctx.mesh.lookup.pods(w)) {
      out.push({address: pod.ip, port: port.targetPort, healthy: pod.ready, locality: pod.node.locality, pod})
    }
  }
  return out
}

function labelsSubset(sel: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  for (const k in sel) if (labels[k] !== sel[k]) return false
  return true
}

/** Istio's endpoint workload metadata: `<workload>;<namespace>;<canonical name>;<canonical revision>;<cluster>`. */
function workloadMetadata(ctx: ProxyContext, pod: Pod): string {
  const w = pod.workload
  return `${w.name};${pod.namespace};${w.labels['app'] ?? w.name};${w.labels['version'] ?? 'latest'};${ctx.mesh.clusterId}`
}

function lbEndpoint(ctx: ProxyContext, e: Endpoint): object {
  const endpoint: Record<string, unknown> = {address: e.pipe ? {pipe: {path: e.pipe}} : socketAddress(e.address, e.port), health_check_config: {}}
  if (e.hostname) endpoint['hostname'] = e.hostname
  const out: Record<string, unknown> = {endpoint, health_status: e.healthy ? 'HEALTHY' : 'UNHEALTHY'}
  if (e.pod) {
    const fm: Record<string, unknown> = {istio: {workload: workloadMetadata(ctx, e.pod)}}
    // Istio marks endpoints that have a sidecar, so the cluster's transport_socket_matches pick mTLS for them
    if (e.pod.workload.proxy !== 'none') fm['envoy.transport_socket_match'] = {tlsMode: 'istio'}
    out['metadata'] = {filter_metadata: fm}
  } else if (e.hostname) {
    out['metadata'] = {}
  }
  out['load_balancing_weight'] = 1
  return out
}

/** Groups endpoints by locality (sorted by region/zone) the way Istio sends LocalityLbEndpoints. */
export function localityGroups(endpoints: readonly Endpoint[]): {locality?: Locality; endpoints: Endpoint[]}[] {
  const groups = new Map<string, {locality?: Locality; endpoints: Endpoint[]}>()
  for (const e of endpoints) {
    const key = e.locality ? `${e.locality.region}/${e.locality.zone}/${e.locality.subzone ?? ''}` : ''
    let g = groups.get(key)
    if (!g) {
      g = {locality: e.locality, endpoints: []}
      groups.set(key, g)
    }
    g.endpoints.push(e)
  }
  return [...groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, g]) => g)
}

export function localityJson(l?: Locality): object {
  if (!l) return {}
  const out: Record<string, string> = {region: l.region, zone: l.zone}
  if (l.subzone) out['subzone'] = l.subzone
  return out
}

/** A ClusterLoadAssignment; with no endpoints it carries only the name and policy, as Envoy dumps it. */
export function clusterLoadAssignment(ctx: ProxyContext, name: string, endpoints: readonly Endpoint[] | undefined, withType = true): object {
  const out: Record<string, unknown> = {}
  if (withType) out['@type'] = T.cla
  out['cluster_name'] = name
  if (endpoints && endpoints.length > 0) {
    out['endpoints'] = localityGroups(endpoints).map((g) => ({
      locality: localityJson(g.locality),
      lb_endpoints: g.endpoints.map((e) => lbEndpoint(ctx, e)),
      load_balancing_weight: g.endpoints.length,
    }))
  }
  out['policy'] = {overprovisioning_factor: 140}
  return out
}
