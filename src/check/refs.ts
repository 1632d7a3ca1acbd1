/**
 * Dangling references: what the config names and the proxy does not have (the graph's edges, src/graph). Istio
 * does not validate that a route's cluster exists (docs/envoy-request-path.md §9.1): a VirtualService naming a
 * subset no DestinationRule defines gives routes to `outbound|<port>|<subset>|<host>`, which no cluster has, and
 * Envoy answers `503 NC`. xDS ordering makes the same happen briefly during pushes; a dump that keeps it is broken.
 */
import type {ConfigGraph, Edge} from '../graph/graph.js'
import {makeFinding} from './registry.js'
import type {CheckOptions, Finding} from './types.js'

const ISTIO_CLUSTER = /^(outbound|inbound)\|(\d+)\|([^|]*)\|(.+)$/

/** The likely Istio cause of a route to a cluster the proxy does not have. */
export function missingClusterHint(graph: ConfigGraph, name: string): string {
  const m = ISTIO_CLUSTER.exec(name)
  if (!m) return 'the control plane named a cluster it did not send (check its logs), or a static config typo'
  const [, dir, port, subset, host] = m
  if (dir === 'outbound' && subset !== '') {
    const base = `outbound|${port}||${host}`
    if (graph.clusterCopies.has(base)) return `a DestinationRule subset is missing: no subset "${subset}" for ${host} (the VirtualService names it; the DestinationRule must define it with labels that match pods)`
    return `neither the subset "${subset}" nor the service ${host}:${port} is known to this proxy: a missing DestinationRule subset and Service/ServiceEntry, or a Sidecar resource hiding the host`
  }
  return `no Service or ServiceEntry ${host} with port ${port} is visible to this proxy: check the host name and port in the VirtualService, a missing ServiceEntry, or a Sidecar resource's egress hosts`
}

export function checkReferences(graph: ConfigGraph, opts: CheckOptions, edges: Iterable<Edge> = graph.edges()): Finding[] {
  const out: Finding[] = []
  const seen = new Set<string>()
  const once = (e: Edge): boolean => {
    const key = `${e.from.type} ${e.from.name} ${e.via} ${e.to.name}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  }
  for (const e of edges) {
    if (e.resolved || !once(e)) continue
    const warming = e.targetState === 'warming'
    const from = {type: e.from.type, name: e.from.name}
    switch (e.via) {
      case 'route.cluster':
      case 'route.weighted_clusters':
        if (warming) out.push(makeFinding(opts.proxy, 'ROUTE_CLUSTER_WARMING', from, `routes to cluster ${e.to.name}, which is still warming: 503 NC until it is ready`))
        else out.push(makeFinding(opts.proxy, 'ROUTE_CLUSTER_MISSING', from, `routes${e.via === 'route.weighted_clusters' ? ' (weighted)' : ''} to cluster ${e.to.name}, which the proxy does not have: 503 NC`, missingClusterHint(graph, e.to.name)))
        break
      case 'route.request_mirror_policies':
        if (!warming) out.push(makeFinding(opts.proxy, 'MIRROR_CLUSTER_MISSING', from, `mirrors to cluster ${e.to.name}, which the proxy does not have: mirrored requests are dropped`, missingClusterHint(graph, e.to.name)))
        break
      case 'tcp_proxy':
      case 'tcp_proxy.weighted_clusters':
        if (warming) out.push(makeFinding(opts.proxy, 'ROUTE_CLUSTER_WARMING', from, `tcp_proxy sends to cluster ${e.to.name}, which is still warming: connections are closed until it is ready`))
        else out.push(makeFinding(opts.proxy, 'TCP_CLUSTER_MISSING', from, `tcp_proxy sends to cluster ${e.to.name}, which the proxy does not have: connections are closed`, missingClusterHint(graph, e.to.name)))
        break
      case 'rds':
        out.push(makeFinding(opts.proxy, 'RDS_MISSING', from, `uses route configuration "${e.to.name}" (RDS), which the proxy does not have: 404 NR`, 'istiod has not pushed RDS for it, or the proxy rejected it (look for CONFIG_REJECTED / SYNC_ERROR)'))
        break
      case 'srds':
        out.push(makeFinding(opts.proxy, 'SRDS_MISSING', from, `uses scoped routes${e.to.name ? ` "${e.to.name}"` : ''}, but the proxy has no route scopes: 404 NR`))
        break
      case 'scope':
        out.push(makeFinding(opts.proxy, 'SRDS_MISSING', {type: 'scopedRoute', name: e.from.name}, `route scope ${e.from.name} names route configuration "${e.to.name}", which the proxy does not have: 404 NR for its requests`))
        break
      case 'sds':
        if (warming && neverSent(graph, e.to.name)) {
          out.push(makeFinding(opts.proxy, 'SECRET_MISSING', from, `needs secret ${e.to.name} (SDS), which the SDS server never sent: it waits in dynamic_warming_secrets, uninitialized`, secretHint(e.to.name)))
        } else if (warming) out.push(makeFinding(opts.proxy, 'SECRET_WARMING_REF', from, `needs secret ${e.to.name}, which is still warming`))
        else out.push(makeFinding(opts.proxy, 'SECRET_MISSING', from, `needs secret ${e.to.name} (SDS), which the proxy does not have`, secretHint(e.to.name)))
        break
    }
  }
  return out
}

/**
 * A warming secret that never had content: Envoy lists a secret it asked SDS for as warming, with version
 * `uninitialized` and only its name, until the first answer; one that stays so is missing at the source.
 */
function neverSent(graph: ConfigGraph, name: string): boolean {
  const copies = graph.secretCopies.get(name) ?? []
  return copies.length > 0 && copies.every((c) => c.meta.versionInfo === undefined || c.meta.versionInfo === 'uninitialized') && copies.every((c) => Object.keys(c.raw).every((k) => k === '@type' || k === 'name'))
}

function secretHint(name: string): string {
  if (/^kubernetes(-ingress)?:\/\//.test(name)) return `the Kubernetes Secret ${name.replace(/^kubernetes(-ingress)?:\/\//, '')} (a Gateway credentialName) is missing from the gateway's namespace, or not readable by istiod`
  if (name === 'default' || name === 'ROOTCA') return 'istio-agent has not provided the workload certificate: check it can reach istiod (CSR)'
  return 'the SDS server has not provided it: check the secret exists where the control plane looks for it'
}
