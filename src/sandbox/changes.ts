/**
 * The sandbox mesh changing while it runs: edits to what some Envoys answer on `/config_dump`, made and undone by
 * the demo and the tests while meshctl watches (`diff --watch`) or compares replicas (`diff -l`).
 *
 * ```ts
 * const changes = new MeshChanges()
 * const sb = await startSandbox(bookinfoSandboxSpec({changes}))
 * const undo = changes.setRouteTimeout({pod: /^reviews-v2-/}, '7s')    // a route edit on one proxy
 * changes.removeEndpoint({app: 'productpage'}, 'outbound|9080||reviews.default.svc.cluster.local')  // an endpoint gone
 * undo()
 * ```
 *
 * Each edit runs on a copy of the proxy's generated dump at every request, so undoing one (or `clear()`) brings
 * the original back. Edits change the config dump only, not `/clusters` (live host health).
 */

type Obj = Record<string, unknown>

/** Which proxies an edit applies to: every field given must match. */
export interface ProxyMatch {
  namespace?: string
  /** the pod name, or a pattern */
  pod?: string | RegExp
  /** the pod's `app` label */
  app?: string
}

export interface ProxyIdentity {
  name: string
  namespace: string
  labels: Record<string, string>
}

interface Edit {
  match: ProxyMatch
  what: string
  apply: (dump: Obj) => void
}

const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : [])
const section = (dump: Obj, kind: string): Obj | undefined => arr(dump.configs).find((c) => String(c['@type']).endsWith(`.${kind}`))

function matches(m: ProxyMatch, p: ProxyIdentity): boolean {
  if (m.namespace !== undefined && m.namespace !== p.namespace) return false
  if (m.app !== undefined && p.labels.app !== m.app) return false
  if (m.pod !== undefined && !(typeof m.pod === 'string' ? m.pod === p.name : m.pod.test(p.name))) return false
  return true
}

export class MeshChanges {
  private edits: Edit[] = []

  /** What is in effect, in order (for messages). */
  get active(): string[] {
    return this.edits.map((e) => e.what)
  }

  /** Adds an edit of the dumps of the matching proxies; returns its undo. */
  edit(match: ProxyMatch, what: string, apply: (dump: Obj) => void): () => void {
    const e: Edit = {match, what, apply}
    this.edits.push(e)
    return () => {
      this.edits = this.edits.filter((x) => x !== e)
    }
  }

  clear(): void {
    this.edits = []
  }

  /**
   * A route edit: the `timeout` of the first route with a route action in each route configuration (or only in
   * `routeConfig`) of the matching proxies.
   */
  setRouteTimeout(match: ProxyMatch, timeout: string, routeConfig?: string): () => void {
    return this.edit(match, `route timeout ${timeout}${routeConfig ? ` in ${routeConfig}` : ''}`, (dump) => {
      for (const rc of arr(section(dump, 'RoutesConfigDump')?.dynamic_route_configs)) {
        const conf = rc.route_config as Obj | undefined
        if (!conf || (routeConfig !== undefined && conf.name !== routeConfig)) continue
        const route = arr(conf.virtual_hosts)
          .flatMap((vh) => arr(vh.routes))
          .find((r) => r.route !== undefined)
        if (route) (route.route as Obj).timeout = timeout
      }
    })
  }

  /** An endpoint gone: `address` (else the last one) from the EDS assignment of `cluster` on the matching proxies. */
  removeEndpoint(match: ProxyMatch, cluster: string, address?: string): () => void {
    return this.edit(match, `endpoint ${address ?? '(last)'} of ${cluster} gone`, (dump) => {
      for (const e of arr(section(dump, 'EndpointsConfigDump')?.dynamic_endpoint_configs)) {
        const cla = e.endpoint_config as Obj | undefined
        if (!cla || cla.cluster_name !== cluster) continue
        for (const group of arr(cla.endpoints)) {
          const lbs = arr(group.lb_endpoints)
          const at = address === undefined ? lbs.length - 1 : lbs.findIndex((lb) => ((lb.endpoint as Obj | undefined)?.address as {socket_address?: {address?: string}} | undefined)?.socket_address?.address === address)
          if (at >= 0) {
            lbs.splice(at, 1)
            return
          }
        }
      }
    })
  }

  /** The dump a proxy answers with: the original when no edit applies to it, else an edited copy. */
  apply<T>(proxy: ProxyIdentity, dump: T): T {
    const mine = this.edits.filter((e) => matches(e.match, proxy))
    if (mine.length === 0) return dump
    const copy = structuredClone(dump) as Obj
    for (const e of mine) e.apply(copy)
    return copy as T
  }
}
