/**
 * Ambient mode in the sandbox: the `ztunnel` DaemonSet (one pod per node of the mesh, in istio-system) whose pods
 * answer ztunnel's admin API on 15000, and the `ambient` namespace of ../gen/ambient.ts (captured workloads and an
 * Envoy waypoint, served like every other generator pod by ./mesh.ts).
 *
 * ztunnel's admin API (ztunnel's src/admin.rs), as `ztunnelAdminHandler`:
 * - `GET /config_dump`: the JSON of `ztunnelConfigDump` (workloads, services, policies, certificates,
 *   workloadState), pretty-printed with two spaces as ztunnel's serde printer does;
 * - `POST /logging[?level=<filter>][&reset]`: changes the tracing filter (`<level>` for everything,
 *   `<target>:<level>` or `<target>=<level>` items, comma-separated; levels trace, debug, info, warn, error, off)
 *   and answers `current log level is <filter>`; `reset` restores `info`; a bad filter is a 400 with ztunnel's
 *   text; `GET /logging` answers the current filter; other methods 405;
 * - `/healthz/ready` on 15021, `/quitquitquit`; any other path 404.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import {type ZtunnelPodInfo, ztunnelConfigDump} from '../gen/ambient.js'
import type {MeshModel} from '../gen/model.js'
import {k8sSuffix} from '../gen/prng.js'
import type {PortHandler, SandboxPod, SandboxWorkload} from './types.js'

export const ZTUNNEL_DAEMONSET = 'ztunnel'
const ISTIO_NAMESPACE = 'istio-system'
const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'off'])
/** ztunnel's default filter keeps one noisy DNS target off */
const DEFAULT_TARGETS: ReadonlyArray<[string, string]> = [['hickory_server::server::server_future', 'off']]

/** ztunnel's log filter: per-target levels plus the level of everything else. */
export class ZtunnelLogFilter {
  private targets = new Map<string, string>(DEFAULT_TARGETS)
  private base = 'info'

  toString(): string {
    return [...[...this.targets].map(([t, l]) => `${t}=${l}`), this.base].join(',')
  }

  reset(): void {
    this.targets = new Map(DEFAULT_TARGETS)
    this.base = 'info'
  }

  /** Applies a filter text; returns an error text (nothing changed) when an item is not valid. */
  set(filter: string): string | undefined {
    const next = new Map(this.targets)
    let base = this.base
    for (const item of filter.split(',')) {
      if (item === '') continue
      // `<target>=<level>`, or istioctl's `<target>:<level>` where the target may hold `::` (ztunnel::pool:debug)
      const eq = item.lastIndexOf('=')
      const dc = item.lastIndexOf('::')
      const colon = item.indexOf(':', dc < 0 ? 0 : dc + 2)
      const sep = eq >= 0 ? eq : colon
      if (sep < 0) {
        if (!LEVELS.has(item.toLowerCase())) return `invalid level "${item}"`
        base = item.toLowerCase()
        continue
      }
      const target = item.slice(0, sep)
      const level = item.slice(sep + 1).toLowerCase()
      if (target === '' || !LEVELS.has(level)) return `invalid filter directive "${item}"`
      next.set(target, level)
    }
    this.targets = next
    this.base = base
    return undefined
  }
}

function text(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status
  res.setHeader('content-type', 'text/plain; charset=utf-8')
  res.end(body)
}

/** ztunnel's admin port: see the module comment. */
export function ztunnelAdminHandler(dump: () => unknown, filter = new ZtunnelLogFilter()): PortHandler {
  let cached: string | undefined
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    // drain the request body (none is expected)
    req.resume()
    switch (url.pathname) {
      case '/config_dump':
        if (req.method !== 'GET') return text(res, 405, 'Method Not Allowed\n')
        cached ??= JSON.stringify(dump(), null, 2)
        res.setHeader('content-type', 'application/json')
        res.end(cached)
        return
      case '/logging': {
        if (req.method === 'GET') return text(res, 200, `current log level is ${filter}\n`)
        if (req.method !== 'POST') return text(res, 405, 'Method Not Allowed\n')
        // the query is read raw, as istioctl sends it (not URL-encoded)
        const raw = (req.url ?? '').split('?')[1] ?? ''
        const params = raw.split('&')
        if (params.includes('reset')) {
          filter.reset()
          return text(res, 200, `current log level is ${filter}\n`)
        }
        const level = params.find((p) => p.startsWith('level='))?.slice('level='.length) ?? ''
        if (level !== '') {
          const err = filter.set(level)
          if (err) return text(res, 400, `failed to set new level: ${err}\n`)
        }
        return text(res, 200, `current log level is ${filter}\n`)
      }
      case '/quitquitquit':
        return req.method === 'POST' ? text(res, 200, '') : text(res, 405, 'Method Not Allowed\n')
      default:
        return text(res, 404, '404 Not Found\n')
    }
  }
}

/** The ztunnel pod name on each node (DaemonSet pods: `ztunnel-` and five characters). */
export function ztunnelPods(base: MeshModel): ZtunnelPodInfo[] {
  return [...base.nodes].map((n, i) => ({name: `ztunnel-${k8sSuffix(`ztunnel/${n.name}`, 5)}`, namespace: ISTIO_NAMESPACE, ip: `10.244.3.${100 + i}`, node: n.name}))
}

/** The DaemonSet and its pods, each answering its node's config dump (computed on first request). */
export function ztunnelSpec(meshes: readonly MeshModel[], now: Date): {daemonset: SandboxWorkload; pods: SandboxPod[]} {
  const base = meshes[0]!
  const infos = ztunnelPods(base)
  const image = `docker.io/istio/ztunnel:${base.istio.version}`
  const labels = {app: 'ztunnel', 'sidecar.istio.io/inject': 'false'}
  const hash = k8sSuffix('ztunnel/controller-revision', 10)
  const pods: SandboxPod[] = infos.map((z) => ({
    name: z.name,
    namespace: z.namespace,
    labels: {...labels, 'controller-revision-hash': hash, 'pod-template-generation': '1'},
    annotations: {'prometheus.io/port': '15020', 'prometheus.io/scrape': 'true', 'sidecar.istio.io/inject': 'false'},
    phase: 'Running',
    ready: true,
    ip: z.ip,
    nodeName: z.node,
    ownerReferences: [{apiVersion: 'apps/v1', kind: 'DaemonSet', name: ZTUNNEL_DAEMONSET}],
    containers: [{name: 'istio-proxy', image, ports: [{containerPort: 15020, name: 'ztunnel-stats', protocol: 'TCP'}]}],
    ageSeconds: 2 * 86400,
    ports: {
      15000: ztunnelAdminHandler(() => ztunnelConfigDump(meshes, infos, z.node, now)),
      15021: (req, res) => text(res, (req.url ?? '').startsWith('/healthz/ready') ? 200 : 404, ''),
    },
  }))
  const daemonset: SandboxWorkload = {
    name: ZTUNNEL_DAEMONSET,
    namespace: ISTIO_NAMESPACE,
    labels: {app: 'ztunnel'},
    selector: {app: 'ztunnel'},
    replicas: pods.length,
    readyReplicas: pods.length,
    containers: [{name: 'istio-proxy', image}],
    ageSeconds: 2 * 86400,
  }
  return {daemonset, pods}
}
