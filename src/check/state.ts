/**
 * Resources Envoy has not taken into use: warming listeners, clusters and secrets (with how long they have been
 * warming, from their `last_updated` to the check's time), and updates Envoy rejected (`error_state`, kept by Envoy
 * with the details and the time of the attempt). Only a listener's `active_state` takes connections, and a warming
 * cluster is not in the thread-local cluster set (docs/envoy-request-path.md §1, trap 9).
 */
import type {ConfigGraph, ResourceMeta} from '../graph/graph.js'
import {humanDuration} from '../istiod/age.js'
import {makeFinding} from './registry.js'
import type {CheckOptions, CheckTime, Finding} from './types.js'

/** `for 5m12s (since 2025-06-02T09:14:07Z)`, or '' when the resource carries no time. */
export function warmingAge(lastUpdated: string | undefined, time: CheckTime): string {
  if (!lastUpdated) return ''
  const t = Date.parse(lastUpdated)
  if (!Number.isFinite(t)) return ''
  return ` for ${humanDuration(time.at.getTime() - t)} (since ${lastUpdated})`
}

function rejected(meta: ResourceMeta): string {
  const e = meta.error!
  const details = e.details.replace(/\s*\n\s*/g, ' ').trim()
  return `Envoy rejected its last update${e.lastUpdateAttempt ? ` (at ${e.lastUpdateAttempt})` : ''}: ${details || '(no details)'}`
}

export function checkState(graph: ConfigGraph, opts: CheckOptions): Finding[] {
  const out: Finding[] = []
  const p = opts.proxy
  // a dump may list one rejection twice (the DeathStarBench dump: once with its name and time, once without):
  // one finding per listener and details, the copy with the time first
  const rejections = new Set<string>()
  const listeners = [...graph.listeners].sort((a, b) => Number(!a.meta.error?.lastUpdateAttempt) - Number(!b.meta.error?.lastUpdateAttempt))
  for (const l of listeners) {
    const resource = {type: 'listener', name: l.name}
    if (l.meta.error) {
      const key = `${l.name}\u0000${l.meta.error.details}`
      if (rejections.has(key)) continue
      rejections.add(key)
    }
    if (l.state === 'warming') out.push(makeFinding(p, 'LISTENER_WARMING', resource, `warming${warmingAge(l.meta.lastUpdated, opts.time)}: takes no connections yet`, 'a listener warms until its route configurations (RDS) and secrets (SDS) arrive'))
    if (l.meta.error) out.push(makeFinding(p, 'CONFIG_REJECTED', resource, rejected(l.meta), l.state === 'error' ? 'no copy of this listener was accepted: it takes no connections; an EnvoyFilter or WasmPlugin is the usual cause' : 'the previous copy stays in use; an EnvoyFilter or WasmPlugin is the usual cause'))
  }
  for (const [name, copies] of graph.clusterCopies) {
    for (const c of copies) {
      if (c.state === 'warming') out.push(makeFinding(p, 'CLUSTER_WARMING', {type: 'cluster', name}, `warming${warmingAge(c.meta.lastUpdated, opts.time)}: not usable, routes to it get 503 NC`, 'a cluster warms until its endpoints (EDS) and secrets arrive'))
      if (c.meta.error) out.push(makeFinding(p, 'CONFIG_REJECTED', {type: 'cluster', name}, rejected(c.meta)))
    }
  }
  for (const rc of graph.routeConfigs.values()) {
    if (rc.meta.error) out.push(makeFinding(p, 'CONFIG_REJECTED', {type: 'routeConfig', name: rc.name}, rejected(rc.meta)))
  }
  for (const [name, copies] of graph.secretCopies) {
    for (const s of copies) {
      if (s.state === 'warming') out.push(makeFinding(p, 'SECRET_WARMING', {type: 'secret', name}, `warming${warmingAge(s.meta.lastUpdated, opts.time)}: not usable yet`, name.startsWith('kubernetes://') ? 'the gateway credential Secret is missing or unreadable' : 'istio-agent has not delivered it'))
      if (s.meta.error) out.push(makeFinding(p, 'CONFIG_REJECTED', {type: 'secret', name}, rejected(s.meta)))
    }
  }
  return out
}
