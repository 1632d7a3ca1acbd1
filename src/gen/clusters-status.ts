/**
 * Envoy's `/clusters?format=json`: every cluster with its hosts, their stats, EDS health and outlier
 * state. Hosts of not-Ready pods are UNHEALTHY; for services whose DestinationRule enables outlier
 * detection and that have at least two pods, the last pod is reported as ejected (`failed_outlier_check`),
 * so `pc endpoint --status` and the OUTLIER CHECK column have something to find.
 */
import type {ConfigDumpOptions, ProxyRef} from './configdump.js'
import {clusterEndpoints, prepare, staticClusterEndpoints} from './configdump.js'
import {lazyArray, lazyObject, materialize, streamJson} from './lazy.js'
import type {ChunkWriter, LazyObject} from './lazy.js'
import type {MeshModel, Service} from './model.js'
import {Prng} from './prng.js'
import type {ProxyContext} from './xds/common.js'
import {socketAddress} from './xds/common.js'
import type {Endpoint} from './xds/endpoints.js'
import {localityJson} from './xds/endpoints.js'

function stat(name: string, value: number, gauge = false): object {
  const s: Record<string, unknown> = {}
  if (gauge) s['type'] = 'GAUGE'
  if (value !== 0) s['value'] = String(value) // Envoy omits zero values
  s['name'] = name
  return s
}

function hostStats(key: string, ejected: boolean, healthy: boolean): object[] {
  const rng = new Prng(key)
  const total = healthy ? rng.int(20, 40000) : rng.int(0, 40)
  const errors = ejected ? Math.max(5, Math.floor(total * 0.2)) : healthy ? rng.int(0, Math.floor(total / 500)) : total
  const timeouts = ejected ? rng.int(1, 5) : 0
  const cx = healthy ? rng.int(1, Math.max(1, Math.floor(total / 50))) : rng.int(0, 3)
  return [
    stat('cx_connect_fail', healthy && !ejected ? 0 : rng.int(1, 9)),
    stat('cx_total', cx),
    stat('rq_error', errors),
    stat('rq_success', Math.max(0, total - errors)),
    stat('rq_timeout', timeouts),
    stat('rq_total', total),
    stat('cx_active', healthy ? rng.int(0, 3) : 0, true),
    stat('rq_active', healthy ? rng.int(0, 2) : 0, true),
  ]
}

/** Pods that outlier detection has ejected: the last pod (by ordinal) of services with outlier detection and ≥ 2 pods. */
function ejectedAddresses(ctx: ProxyContext, svc: Service): Set<string> {
  const out = new Set<string>()
  const dr = ctx.mesh.lookup.destinationRuleFor(svc.hostname)
  if (!dr?.trafficPolicy?.outlierDetection) return out
  const pods = ctx.mesh.lookup.workloadsOf(svc).flatMap((w) => ctx.mesh.lookup.pods(w))
  if (pods.length >= 2) out.add(pods[pods.length - 1].ip)
  return out
}

function hostStatus(clusterName: string, e: Endpoint, ejected: boolean): object {
  const h: Record<string, unknown> = {
    address: e.pipe ? {pipe: {path: e.pipe}} : socketAddress(e.address, e.port),
    stats: hostStats(`${clusterName}/${e.pipe ?? e.address}:${e.port}`, ejected, e.healthy),
  }
  const health: Record<string, unknown> = {eds_health_status: e.healthy ? 'HEALTHY' : 'UNHEALTHY'}
  if (ejected) health['failed_outlier_check'] = true
  h['health_status'] = health
  h['weight'] = 1
  if (e.hostname) h['hostname'] = e.hostname
  h['locality'] = localityJson(e.locality)
  return h
}

function clusterStatus(name: string, endpoints: readonly Endpoint[], opts: {dynamic: boolean; eds: boolean; ejected?: Set<string>}): object {
  const c: Record<string, unknown> = {name}
  if (opts.dynamic) c['added_via_api'] = true
  if (endpoints.length > 0) c['host_statuses'] = endpoints.map((e) => hostStatus(name, e, opts.ejected?.has(e.address) ?? false))
  c['circuit_breakers'] = {thresholds: [THRESHOLD, {priority: 'HIGH', ...THRESHOLD}]}
  c['observability_name'] = name
  if (opts.eds) c['eds_service_name'] = name
  return c
}

const MAX = 4294967295
const THRESHOLD = {max_connections: MAX, max_pending_requests: MAX, max_requests: MAX, max_retries: MAX}

/** The `/clusters?format=json` document as a lazy tree (stream it for huge meshes). */
export function clustersStatusDocument(mesh: MeshModel, proxyRef: ProxyRef, opts: ConfigDumpOptions = {}): LazyObject {
  const {ctx, plan} = prepare(mesh, proxyRef, opts)
  return lazyObject({
    cluster_statuses: lazyArray(function* () {
      for (const ref of plan.clusters) {
        const endpoints = clusterEndpoints(ctx, ref) ?? []
        if (ref.kind === 'outbound') {
          const svc = mesh.services.at(ref.s)
          yield clusterStatus(ref.name, endpoints, {dynamic: true, eds: svc.resolution === 'ClientSideLB', ejected: ejectedAddresses(ctx, svc)})
        } else yield clusterStatus(ref.name, endpoints, {dynamic: true, eds: false})
      }
      for (const s of staticClusterEndpoints()) yield clusterStatus(s.name, s.endpoints, {dynamic: false, eds: false})
    }),
  })
}

/** A plain `/clusters?format=json` document. */
export interface ClustersStatusJson {
  cluster_statuses: Array<{name: string; [field: string]: unknown}>
}

/** Envoy's `/clusters?format=json` for one proxy. */
export function clustersStatus(mesh: MeshModel, proxyRef: ProxyRef, opts: ConfigDumpOptions = {}): ClustersStatusJson {
  return materialize(clustersStatusDocument(mesh, proxyRef, opts)) as ClustersStatusJson
}

/** Streams `JSON.stringify(clustersStatus(...), null, 2)`. */
export async function writeClustersStatus(mesh: MeshModel, proxyRef: ProxyRef, opts: ConfigDumpOptions, write: ChunkWriter): Promise<void> {
  await streamJson(clustersStatusDocument(mesh, proxyRef, opts), write)
}
