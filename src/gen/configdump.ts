/**
 * `/config_dump`: assembling the sections in Envoy's order and producing them either as one object
 * (`configDump`) or as streamed text (`writeConfigDump`, for dumps too big for one string).
 *
 * Envoy orders sections by its config tracker keys (alphabetical: bootstrap, clusters, ecds_filter_http,
 * ecds_filter_network, endpoints, listeners, route_scopes, routes, secrets), which gives Bootstrap,
 * Clusters, Ecds (HTTP, then network filters), Endpoints (only with `?include_eds=true`), Listeners,
 * ScopedRoutes, Routes, Secrets, matching real Istio dumps.
 */
import type {ChunkWriter, LazyObject, StreamOptions} from './lazy.js'
import {lazyArray, lazyObject, materialize, streamJson} from './lazy.js'
import type {MeshModel} from './model.js'
import type {ProxyInfo} from './proxies.js'
import {proxyInfo, resolveProxy} from './proxies.js'
import {bootstrap, STATIC_CLUSTERS, staticCluster, staticListenerRoutes, staticListeners} from './xds/bootstrap.js'
import {renderCluster} from './xds/clusters.js'
import type {DumpOptions, ProxyContext} from './xds/common.js'
import {proxyContext, T} from './xds/common.js'
import {ecdsSections} from './xds/ecds.js'
import {clusterLoadAssignment, endpointsOf} from './xds/endpoints.js'
import type {Endpoint} from './xds/endpoints.js'
import {renderListener, virtualInboundInlineRoutes} from './xds/listeners.js'
import type {ClusterRef, ProxyPlan} from './xds/plan.js'
import {buildPlan} from './xds/plan.js'
import {renderRouteConfig} from './xds/routes.js'
import {dynamicActiveSecrets} from './xds/secrets.js'

export type ConfigDumpOptions = DumpOptions

/** A proxy reference: `<pod>.<namespace>`, `<pod>`, or a ProxyInfo from `proxies()`. */
export type ProxyRef = string | ProxyInfo

/** The context and plan of one proxy's dump (exposed for clustersStatus and tests). */
export function prepare(mesh: MeshModel, proxyRef: ProxyRef, opts: ConfigDumpOptions = {}): {ctx: ProxyContext; plan: ProxyPlan} {
  const pod = resolveProxy(mesh, proxyRef)
  // an expired workload certificate: issued 25 h before the epoch for Istio's 24 h, so expired an hour ago
  const expired = pod.workload.faults?.expiredCertificate && !opts.leafValidity
  const base = Date.parse(mesh.epoch)
  const o = expired ? {...opts, leafValidity: {notBefore: iso(base - 25 * 3_600_000), notAfter: iso(base - 3_600_000)}} : opts
  const ctx = proxyContext(mesh, pod, proxyInfo(mesh, pod), o)
  return {ctx, plan: buildPlan(ctx)}
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z')

/** The Lua filter a broken EnvoyFilter adds (no source code: Envoy's proto validation rejects it). */
const BROKEN_LUA = {name: 'envoy.filters.http.lua', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua', default_source_code: {}}}

/** dynamic_listeners entries for a workload's listener faults (ProxyFaults). */
function faultyListeners(ctx: ProxyContext): object[] {
  const f = ctx.pod.workload.faults
  if (!f) return []
  const out: object[] = []
  const hcm = (rds: string, extra: object[] = []) => ({
    filters: [
      {
        name: 'envoy.filters.network.http_connection_manager',
        typed_config: {
          '@type': T.hcm,
          stat_prefix: rds,
          rds: {config_source: {ads: {}, initial_fetch_timeout: '0s', resource_api_version: 'V3'}, route_config_name: rds},
          http_filters: [...extra, {name: 'envoy.filters.http.router', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router'}}],
        },
      },
    ],
  })
  const listener = (port: number, chain: object) => ({'@type': T.listener, name: `0.0.0.0_${port}`, address: {socket_address: {address: '0.0.0.0', port_value: port}}, filter_chains: [chain], bind_to_port: false})
  if (f.rejectedListenerPort !== undefined) {
    const port = f.rejectedListenerPort
    out.push({
      name: `0.0.0.0_${port}`,
      error_state: {
        failed_configuration: listener(port, hcm(String(port), [BROKEN_LUA])),
        last_update_attempt: ctx.clock.at(1200),
        details:
          'Proto constraint validation failed (LuaValidationError.DefaultSourceCode: embedded message failed validation | caused by field: "specifier", reason: is required): default_source_code {\n}\n',
      },
    })
  }
  if (f.warmingListenerPort !== undefined) {
    const port = f.warmingListenerPort
    out.push({name: `0.0.0.0_${port}`, warming_state: {version_info: ctx.versionInfo, listener: listener(port, hcm(String(port))), last_updated: ctx.clock.at(-600_000)}})
  }
  return out
}

/** Endpoints of a planned cluster as EDS would send them (undefined for clusters without EDS endpoints). */
export function clusterEndpoints(ctx: ProxyContext, ref: ClusterRef): Endpoint[] | undefined {
  if (ref.kind !== 'outbound') return undefined
  const svc = ctx.mesh.services.at(ref.s)
  const dr = ref.sub >= 0 ? ctx.mesh.lookup.destinationRuleFor(svc.hostname) : undefined
  if (svc.resolution === 'Passthrough') return undefined
  return endpointsOf(ctx, svc, svc.ports[ref.p], dr?.subsets[ref.sub])
}

export function staticClusterEndpoints(): {name: string; endpoints: Endpoint[]}[] {
  return STATIC_CLUSTERS.map((c) => ({
    name: c.name,
    endpoints: ['pipe' in c.address ? {address: '', port: 0, healthy: true, pipe: c.address.pipe} : {address: c.address.ip, port: c.address.port, healthy: true}],
  }))
}

/** The dump as a lazy tree: materialise it or stream it. */
export function configDumpDocument(mesh: MeshModel, proxyRef: ProxyRef, opts: ConfigDumpOptions = {}): LazyObject {
  const {ctx, plan} = prepare(mesh, proxyRef, opts)
  const {clock, versionInfo} = ctx
  const sections: unknown[] = []

  sections.push({'@type': T.bootstrapDump, bootstrap: bootstrap(ctx), last_updated: clock.at(512)})

  sections.push(
    lazyObject({
      '@type': T.clustersDump,
      version_info: versionInfo,
      static_clusters: STATIC_CLUSTERS.map((c) => ({cluster: staticCluster(c, true), last_updated: clock.at(530)})),
      dynamic_active_clusters: lazyArray(function* () {
        for (const ref of plan.clusters) {
          yield {version_info: versionInfo, cluster: renderCluster(ctx, ref), last_updated: clock.stamp(`cds/${ref.name}`)}
        }
      }),
      ...(ctx.pod.workload.faults?.warmingCluster
        ? {
            dynamic_warming_clusters: [
              {
                version_info: versionInfo,
                cluster: {
                  '@type': T.cluster,
                  name: ctx.pod.workload.faults.warmingCluster,
                  type: 'EDS',
                  eds_cluster_config: {eds_config: {ads: {}, initial_fetch_timeout: '0s', resource_api_version: 'V3'}, service_name: ctx.pod.workload.faults.warmingCluster},
                  connect_timeout: '10s',
                },
                last_updated: clock.at(-600_000),
              },
            ],
          }
        : {}),
    }),
  )

  const ecds = ecdsSections(ctx)
  if (ecds.http.length > 0) sections.push({'@type': T.ecdsDump, ecds_filters: ecds.http})
  if (ecds.network.length > 0) sections.push({'@type': T.ecdsDump, ecds_filters: ecds.network})

  if (opts.includeEds) {
    sections.push(
      lazyObject({
        '@type': T.endpointsDump,
        static_endpoint_configs: staticClusterEndpoints().map((c) => ({endpoint_config: clusterLoadAssignment(ctx, c.name, c.endpoints)})),
        dynamic_endpoint_configs: lazyArray(function* () {
          // Envoy dumps an assignment for every cluster; those not fed by EDS carry no endpoints
          for (const ref of plan.clusters) yield {endpoint_config: clusterLoadAssignment(ctx, ref.name, clusterEndpoints(ctx, ref))}
        }),
      }),
    )
  }

  sections.push(
    lazyObject({
      '@type': T.listenersDump,
      version_info: versionInfo,
      static_listeners: staticListeners(true).map((l) => ({listener: l, last_updated: clock.at(540)})),
      dynamic_listeners: lazyArray(function* () {
        for (const ref of plan.listeners) yield renderListener(ctx, ref, plan.inbound)
        yield* faultyListeners(ctx)
      }),
    }),
  )

  sections.push({'@type': T.scopedRoutesDump})

  // Envoy lists inline route configs (static listeners, virtualInbound's HTTP chains) as static routes
  const inline = [...staticListenerRoutes(), ...(ctx.router ? [] : virtualInboundInlineRoutes(ctx, plan.inbound))]
  sections.push(
    lazyObject({
      '@type': T.routesDump,
      static_route_configs: inline.map((rc) => ({route_config: {'@type': T.routeConfig, ...rc}, last_updated: clock.at(545)})),
      dynamic_route_configs: lazyArray(function* () {
        for (const ref of plan.routes) {
          yield lazyObject({version_info: versionInfo, route_config: renderRouteConfig(ctx, ref), last_updated: clock.stamp(`rds/${ref.name}`)})
        }
      }),
    }),
  )

  sections.push({'@type': T.secretsDump, dynamic_active_secrets: dynamicActiveSecrets(ctx, plan)})

  return lazyObject({configs: lazyArray(() => sections)})
}

/** A plain `/config_dump` document: `{configs: [{"@type": "...ConfigDump", ...}, ...]}`. */
export interface ConfigDumpJson {
  configs: Array<{'@type': string; [field: string]: unknown}>
}

/** Envoy's `/config_dump` (or `/config_dump?include_eds=true` with `includeEds`) for one proxy. */
export function configDump(mesh: MeshModel, proxyRef: ProxyRef, opts: ConfigDumpOptions = {}): ConfigDumpJson {
  return materialize(configDumpDocument(mesh, proxyRef, opts)) as ConfigDumpJson
}

/**
 * Streams the same text as `JSON.stringify(configDump(mesh, proxy, opts), null, 2)`, resource by resource,
 * awaiting `write` when it returns a promise. Memory stays bounded by the largest single resource.
 */
export async function writeConfigDump(
  mesh: MeshModel,
  proxyRef: ProxyRef,
  opts: ConfigDumpOptions,
  write: ChunkWriter,
  streamOpts?: StreamOptions,
): Promise<void> {
  await streamJson(configDumpDocument(mesh, proxyRef, opts), write, streamOpts)
}
