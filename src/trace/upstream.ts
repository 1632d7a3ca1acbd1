/**
 * The last hops of a trace: the cluster a request was routed to, and the hosts Envoy would pick from.
 * docs/envoy-request-path.md §9 and §10:
 *  - a cluster that is absent, or only warming, is "cluster not found": HTTP 503 with flag NC (or the route's
 *    cluster_not_found_response_code), a TCP connection closed;
 *  - EDS hosts come from the dump's EndpointsConfigDump (include_eds) or /clusters; without either they are
 *    unknown, and the trace says so rather than guessing;
 *  - health: EDS UNKNOWN and HEALTHY are healthy, UNHEALTHY/TIMEOUT/DRAINING are not, DEGRADED is degraded; any
 *    failed flag from /clusters (active health check, outlier ejection ...) makes a host unhealthy;
 *  - priorities: each priority's availability is its healthy share × overprovisioning factor (default 140) / 100,
 *    capped at 100%; P0 takes load up to that and the rest spills to P1 ...;
 *  - panic: when a priority's healthy share is below healthy_panic_threshold (default 50%) and the levels do not
 *    add up to 100%, Envoy balances over all its hosts, healthy or not (unless fail_traffic_on_panic). So hosts that
 *    are all unhealthy do not give 503 UH: traffic goes to them and fails there (UF, timeouts). UH needs no
 *    selectable host at all: no hosts, or panic with fail_traffic_on_panic.
 * Istio's BlackHoleCluster is a STATIC cluster without hosts: 503 UH for HTTP, a closed connection for TCP.
 */
import {get, getObject, getString} from '../envoy/fields.js'
import {parseClusterName, renderIstioConfig} from '../envoy/istio.js'
import type {ClusterNode, ConfigGraph, EndpointsNode, HostNode} from '../graph/graph.js'

export interface HostView {
  address: string
  port: number
  priority: number
  locality: string
  /** HEALTHY, UNHEALTHY, DEGRADED, DRAINING, TIMEOUT, UNKNOWN (EDS), with /clusters failures */
  health: string
  /** why it is not healthy: EDS status or /clusters flags */
  failed?: string[]
  usable: boolean
}

export interface ClusterDecision {
  name: string
  found: boolean
  /** the copy that exists but cannot take traffic yet */
  warming?: boolean
  discovery?: string
  /** Istio's DestinationRule that made it (metadata.filter_metadata.istio.config) */
  destinationRule?: string
  tls?: string
  /** why it was not found, in Istio's terms */
  hint?: string
}

export interface EndpointDecision {
  /** 'known' when the input had hosts for the cluster; 'unknown' without EDS or /clusters; 'dynamic' for DNS/original-dst */
  knowledge: 'known' | 'unknown' | 'dynamic'
  source?: EndpointsNode['source']
  hosts: HostView[]
  /** the hosts Envoy picks from */
  usable: HostView[]
  panic: boolean
  /** the priority that takes the traffic (lowest with availability) */
  priority?: number
  summary: string
}

function istioConfig(cluster: ClusterNode): string | undefined {
  return renderIstioConfig(cluster.raw) || undefined
}

function tlsMode(cluster: ClusterNode): string | undefined {
  const ts = getObject(cluster.raw, 'transport_socket')
  const matches = get(cluster.raw, 'transport_socket_matches')
  if (Array.isArray(matches) && matches.length > 0) {
    const names = matches.map((m) => getString(m, 'name')).filter((n) => n !== '')
    if (names.includes('tlsMode-istio')) return 'ISTIO_MUTUAL (auto mTLS to sidecar endpoints, plaintext to others)'
    return `transport_socket_matches: ${names.join(', ')}`
  }
  if (ts) {
    const name = getString(ts, 'name')
    const sni = getString(getObject(ts, 'typed_config'), 'sni')
    if (sni.startsWith('outbound_.')) return `ISTIO_MUTUAL (SNI ${sni})`
    if (name.includes('tls')) return sni !== '' ? `TLS (SNI ${sni})` : 'TLS'
    return name || undefined
  }
  return undefined
}

/** Why a cluster an Istio route names is missing, in Istio's terms. */
export function missingClusterHint(name: string): string {
  const key = parseClusterName(name)
  if (key.direction === 'outbound' && key.subset !== '') {
    return `subset "${key.subset}" of ${key.hostname}:${key.port} has no cluster: a VirtualService routes to a subset that no DestinationRule defines (or the DestinationRule is not exported to this namespace)`
  }
  if (key.direction === 'outbound' && key.hostname !== '') {
    return `no cluster for ${key.hostname}:${key.port}: the Service or ServiceEntry does not exist, is not exported to this namespace, or a Sidecar resource hides it from this proxy`
  }
  if (name === '') return 'the route names an empty cluster (a cluster_header that the request did not carry)'
  return 'the control plane has not sent this cluster (xDS ordering, or config that names it by mistake)'
}

export function decideCluster(graph: ConfigGraph, name: string): {decision: ClusterDecision; cluster?: ClusterNode} {
  const cluster = graph.cluster(name)
  if (cluster) {
    return {cluster, decision: {name, found: true, discovery: cluster.discovery, destinationRule: istioConfig(cluster), tls: tlsMode(cluster)}}
  }
  const warming = graph.anyCluster(name)
  if (warming) {
    return {decision: {name, found: false, warming: true, discovery: warming.discovery, hint: 'the cluster is still warming (its endpoints or secrets have not arrived): Envoy does not use it yet'}}
  }
  return {decision: {name, found: false, hint: missingClusterHint(name)}}
}

const UNHEALTHY_EDS = new Set(['UNHEALTHY', 'TIMEOUT', 'DRAINING'])

function hostView(h: HostNode): HostView {
  const failed = [...(h.failed ?? [])]
  if (UNHEALTHY_EDS.has(h.edsHealth)) failed.unshift(`eds_health_status ${h.edsHealth}`)
  const health = failed.length > 0 ? (UNHEALTHY_EDS.has(h.edsHealth) ? h.edsHealth : 'UNHEALTHY') : h.edsHealth === 'DEGRADED' ? 'DEGRADED' : 'HEALTHY'
  return {address: h.address, port: h.port, priority: h.priority, locality: h.locality, health, failed: failed.length > 0 ? failed : undefined, usable: false}
}

function panicThreshold(cluster: ClusterNode): {threshold: number; failOnPanic: boolean} {
  const common = getObject(cluster.raw, 'common_lb_config')
  const t = get(getObject(common, 'healthy_panic_threshold'), 'value')
  const zoneAware = getObject(common, 'zone_aware_lb_config')
  const failOnPanic = get(zoneAware, 'fail_traffic_on_panic') === true || get(getObject(common, 'locality_weighted_lb_config'), 'fail_traffic_on_panic') === true
  return {threshold: t === undefined ? 50 : Number(t), failOnPanic}
}

/**
 * The hosts of a cluster and which of them Envoy would send to. `originalDst` is the connection's original
 * destination, the upstream of an ORIGINAL_DST cluster (Istio's PassthroughCluster, InboundPassthroughCluster).
 */
export function decideEndpoints(graph: ConfigGraph, cluster: ClusterNode, originalDst: {ip: string; port: number}): EndpointDecision {
  if (cluster.discovery === 'ORIGINAL_DST') {
    const host: HostView = {address: originalDst.ip, port: originalDst.port, priority: 0, locality: '', health: 'HEALTHY', usable: true}
    return {knowledge: 'dynamic', hosts: [host], usable: [host], panic: false, summary: `original destination ${originalDst.ip}:${originalDst.port} (ORIGINAL_DST cluster: Envoy connects where the application was connecting)`}
  }
  const eps = graph.endpointsOf(cluster)
  if (!eps) {
    if (cluster.discovery === 'STRICT_DNS' || cluster.discovery === 'LOGICAL_DNS') {
      return {knowledge: 'dynamic', hosts: [], usable: [], panic: false, summary: `${cluster.discovery}: hosts come from DNS at run time`}
    }
    return {knowledge: 'unknown', hosts: [], usable: [], panic: false, summary: 'endpoints are not in the input (take the dump with config_dump?include_eds, or give --clusters-file)'}
  }
  const hosts = eps.hosts.map(hostView)
  if (cluster.discovery === 'STRICT_DNS' || cluster.discovery === 'LOGICAL_DNS') {
    for (const h of hosts) h.usable = true
    return {knowledge: 'dynamic', source: eps.source, hosts, usable: hosts, panic: false, summary: `${cluster.discovery}: ${hosts.map((h) => `${h.address}:${h.port}`).join(', ') || 'no hosts'} resolved by DNS at run time`}
  }
  if (hosts.length === 0) {
    return {knowledge: 'known', source: eps.source, hosts, usable: [], panic: false, summary: 'no endpoints at all: 503 UH (no healthy upstream)'}
  }
  const {threshold, failOnPanic} = panicThreshold(cluster)
  const priorities = [...new Set(hosts.map((h) => h.priority))].sort((a, b) => a - b)
  let remaining = 100
  let panic = false
  let chosen: number | undefined
  const usable: HostView[] = []
  const totalAvailability = Math.min(
    100,
    priorities.reduce((sum, p) => {
      const inP = hosts.filter((h) => h.priority === p)
      const healthy = inP.filter((h) => h.health === 'HEALTHY' || h.health === 'DEGRADED').length
      return sum + Math.min(100, ((healthy / inP.length) * 100 * eps.overprovisioningFactor) / 100)
    }, 0),
  )
  for (const p of priorities) {
    const inP = hosts.filter((h) => h.priority === p)
    const healthy = inP.filter((h) => h.health === 'HEALTHY')
    const degraded = inP.filter((h) => h.health === 'DEGRADED')
    const share = (healthy.length / inP.length) * 100
    const availability = Math.min(100, (((healthy.length + degraded.length) / inP.length) * 100 * eps.overprovisioningFactor) / 100)
    if (totalAvailability < 100 && share < threshold && chosen === undefined) {
      // panic mode for this priority: every host, healthy or not (§9.4)
      panic = true
      chosen = p
      if (!failOnPanic) for (const h of inP) usable.push(h)
      break
    }
    if (availability > 0 && remaining > 0) {
      chosen ??= p
      for (const h of healthy.length > 0 ? healthy : degraded) usable.push(h)
      remaining -= availability
    }
    if (remaining <= 0) break
  }
  for (const h of usable) h.usable = true
  const healthyCount = hosts.filter((h) => h.health === 'HEALTHY').length
  let summary: string
  if (usable.length === 0) summary = `${hosts.length} endpoint(s), none selectable${failOnPanic ? ' (fail_traffic_on_panic)' : ''}: 503 UH (no healthy upstream)`
  else if (panic) summary = `${healthyCount} of ${hosts.length} endpoint(s) healthy, below the panic threshold (${threshold}%): Envoy balances over all ${usable.length} host(s) of priority ${chosen}, unhealthy ones too (requests to those fail: 503 UF or timeouts)`
  else summary = `${usable.length} of ${hosts.length} endpoint(s) take traffic${priorities.length > 1 ? ` (priority ${chosen}${usable.some((h) => h.priority !== chosen) ? ' and spill-over' : ''})` : ''}`
  return {knowledge: 'known', source: eps.source, hosts, usable, panic, priority: chosen, summary}
}
