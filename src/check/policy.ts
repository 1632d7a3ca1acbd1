/**
 * The sidecar's outbound traffic policy, as its config shows it (docs/envoy-request-path.md §2.2): the
 * `virtualOutbound` listener's catch-all chain goes to `PassthroughCluster` (ALLOW_ANY) or `BlackHoleCluster`
 * (REGISTRY_ONLY), and the last virtual host of each shared HTTP port's route configuration is `allow_any` (→
 * PassthroughCluster) or `block_all` (a direct response 502). Information, not a fault: it explains 502s and
 * dropped connections to hosts the mesh does not know.
 */
import {get, getObject, getNumber} from '../envoy/fields.js'
import type {ConfigGraph} from '../graph/graph.js'
import {makeFinding} from './registry.js'
import type {CheckOptions, Finding} from './types.js'

export function checkPolicy(graph: ConfigGraph, opts: CheckOptions): Finding[] {
  const out: Finding[] = []
  let registryOnly: {type: string; name: string} | undefined
  let passthrough: {type: string; name: string} | undefined
  for (const l of graph.activeListeners) {
    if (get(l.raw, 'use_original_dst') !== true) continue
    for (const chain of [...l.chains, ...(l.defaultChain ? [l.defaultChain] : [])]) {
      // the catch-all: no destination port (the other chain guards 15001 against loops)
      if (getNumber(getObject(chain.raw, 'filter_chain_match'), 'destination_port') !== 0) continue
      if (chain.terminal.kind !== 'tcp_proxy') continue
      const target = chain.terminal.clusters[0]?.name
      if (target === 'BlackHoleCluster') registryOnly ??= {type: 'filterChain', name: `${l.name}/${chain.name}`}
      if (target === 'PassthroughCluster') passthrough ??= {type: 'filterChain', name: `${l.name}/${chain.name}`}
    }
  }
  let blockAll = 0
  for (const rc of graph.routeConfigs.values()) {
    const last = rc.virtualHosts[rc.virtualHosts.length - 1]
    if (!last?.domains.includes('*')) continue
    const r = last.routes[0]
    if (last.name === 'block_all' && getNumber(getObject(r?.raw, 'direct_response'), 'status') === 502) {
      blockAll++
      registryOnly ??= {type: 'virtualHost', name: `${rc.name}/${last.name}`}
    }
    if (last.name === 'allow_any' && r?.clusterRefs.some((c) => c.name === 'PassthroughCluster')) passthrough ??= {type: 'virtualHost', name: `${rc.name}/${last.name}`}
  }
  if (registryOnly) {
    const vh = blockAll > 0 ? `; ${blockAll} route configuration${blockAll === 1 ? '' : 's'} end with block_all (HTTP to unknown hosts: 502)` : ''
    out.push(makeFinding(opts.proxy, 'OUTBOUND_REGISTRY_ONLY', registryOnly, `outbound traffic policy REGISTRY_ONLY: unknown destinations go to BlackHoleCluster${vh}`, 'a Sidecar resource or meshConfig outboundTrafficPolicy.mode REGISTRY_ONLY; external hosts need a ServiceEntry'))
  } else if (passthrough) {
    out.push(makeFinding(opts.proxy, 'PASSTHROUGH_USED', passthrough, 'outbound traffic policy ALLOW_ANY: traffic to unknown destinations leaves through PassthroughCluster'))
  }
  return out
}
