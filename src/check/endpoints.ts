/**
 * Clusters that cannot send traffic anywhere useful. Envoy's rules (docs/envoy-request-path.md §9.3, §9.4):
 * EDS `UNKNOWN`/`HEALTHY` hosts are healthy, `UNHEALTHY`/`TIMEOUT`/`DRAINING` are not, `DEGRADED` hosts are used
 * when healthy ones fall short; any failed flag from `/clusters` (outlier ejection, active health check) makes a
 * host unhealthy. Only a cluster with no selectable host at all answers `503 UH`: when every host is unhealthy, panic
 * mode (healthy share below `healthy_panic_threshold`, 50% by default) balances over all of them, so traffic still
 * goes out, to hosts that are probably failing. Istio's STATIC `BlackHoleCluster` has no endpoints by design.
 * An absent EndpointsConfigDump means "unknown", never "empty" (trap 23).
 */
import type {ClusterNode, ConfigGraph, HostNode} from '../graph/graph.js'
import {makeFinding} from './registry.js'
import type {CheckOptions, Finding} from './types.js'

const UNHEALTHY_EDS = new Set(['UNHEALTHY', 'TIMEOUT', 'DRAINING'])

/** Why a host is not healthy ('' when healthy, `DEGRADED` when only degraded). */
export function hostProblem(h: HostNode): string {
  if (h.failed && h.failed.length > 0) return h.failed.join('+')
  if (UNHEALTHY_EDS.has(h.edsHealth)) return h.edsHealth
  if (h.edsHealth === 'DEGRADED') return 'DEGRADED'
  return ''
}

function countBy(values: string[]): string {
  const m = new Map<string, number>()
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1)
  return [...m].map(([k, n]) => `${n} ${k}`).join(', ')
}

/** Clusters whose endpoints are worth checking: EDS, and STATIC ones with their own load_assignment. */
function checkable(c: ClusterNode): boolean {
  if (c.discovery === 'EDS') return true
  // Istio's BlackHoleCluster is a STATIC cluster without endpoints, on purpose (buildBlackHoleCluster)
  return c.discovery === 'STATIC' && c.name !== 'BlackHoleCluster'
}

export function checkEndpoints(graph: ConfigGraph, opts: CheckOptions, referenced: ReadonlySet<string>): Finding[] {
  const out: Finding[] = []
  let unknown = 0
  for (const [name, copies] of graph.clusterCopies) {
    const c = copies.find((x) => x.state !== 'warming')
    if (!c || !checkable(c)) continue
    const eps = graph.endpointsOf(c)
    if (!eps) {
      if (c.discovery === 'EDS') unknown++
      continue
    }
    const resource = {type: 'cluster', name}
    const used = referenced.has(name)
    if (eps.hosts.length === 0) {
      if (used) out.push(makeFinding(opts.proxy, 'ENDPOINTS_NONE', resource, 'no endpoints at all: 503 UH (no healthy upstream)', endpointsHint(name)))
      else out.push(makeFinding(opts.proxy, 'ENDPOINTS_NONE_UNUSED', resource, 'no endpoints; no route or TCP proxy of this proxy uses the cluster now'))
      continue
    }
    if (!used) continue
    // one pass over the hosts (a sidecar has 10,000 clusters): the lowest priority, and the lowest with a healthy
    // (else a degraded) host
    let lowest = Infinity
    let lowestHealthy = Infinity
    let lowestUsable = Infinity
    for (const h of eps.hosts) {
      const problem = hostProblem(h)
      if (h.priority < lowest) lowest = h.priority
      if (problem === '' && h.priority < lowestHealthy) lowestHealthy = h.priority
      if ((problem === '' || problem === 'DEGRADED') && h.priority < lowestUsable) lowestUsable = h.priority
    }
    if (lowestUsable === Infinity) {
      const problems = eps.hosts.map(hostProblem)
      const n = eps.hosts.length
      const allEjected = problems.every((p) => p.split('+').includes('failed_outlier_check'))
      if (allEjected) {
        out.push(makeFinding(opts.proxy, 'ENDPOINTS_ALL_EJECTED', resource, `${n === 1 ? 'its only endpoint was' : `all ${n} endpoints were`} ejected by outlier detection: Envoy's panic mode sends traffic to ${n === 1 ? 'it' : 'them'} anyway`, 'the upstream keeps failing (5xx, connection errors); the DestinationRule outlierDetection ejected every host'))
      } else {
        out.push(makeFinding(opts.proxy, 'ENDPOINTS_NONE_HEALTHY', resource, `no healthy endpoint (${countBy(problems)}): Envoy's panic mode sends traffic to unhealthy hosts`, 'the pods behind the service are not Ready, or fail health checks'))
      }
      continue
    }
    // no healthy host at all: the degraded ones take the traffic
    const lowestTaken = lowestHealthy !== Infinity ? lowestHealthy : lowestUsable
    if (lowestTaken > lowest) {
      out.push(makeFinding(opts.proxy, 'ENDPOINTS_FAILOVER_ONLY', resource, `no healthy endpoint in priority ${lowest}: traffic fails over to priority ${lowestTaken}`, 'the local zone or region has no Ready pod; locality failover (DestinationRule localityLbSetting / outlierDetection) sends traffic further away'))
    }
  }
  if (unknown > 0 && !graph.endpointsKnown) {
    out.push(makeFinding(opts.proxy, 'ENDPOINTS_UNKNOWN', {type: 'proxy', name: opts.proxy}, `the dump has no endpoints for its ${unknown} EDS cluster${unknown === 1 ? '' : 's'}: endpoint checks skipped`, 'save it with config_dump?include_eds=true, or pass --clusters-file'))
  }
  return out
}

function endpointsHint(cluster: string): string {
  const m = /^outbound\|(\d+)\|([^|]*)\|(.+)$/.exec(cluster)
  if (!m) return 'the cluster has no hosts: check what should feed it (EDS, load_assignment)'
  if (m[2] !== '') return `no Ready pod of ${m[3]} has the labels of DestinationRule subset "${m[2]}"`
  return `the Service ${m[3]} selects no Ready pod on port ${m[1]} (scaled to zero, wrong selector, or pods not Ready)`
}
