/**
 * Pieces shared by the xDS builders: the per-dump context (which proxy, which Istio version, the fixed
 * clock), type URLs, and the config snippets Istio repeats everywhere (ADS config sources, SDS secret
 * references, TLS contexts, telemetry filters).
 */
import type {CertValidity} from '../certs.js'
import type {MeshModel, Pod} from '../model.js'
import {istioMinor} from '../model.js'
import {hash32} from '../prng.js'
import type {ProxyInfo} from '../proxies.js'

export const T = {
  bootstrapDump: 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump',
  clustersDump: 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
  ecdsDump: 'type.googleapis.com/envoy.admin.v3.EcdsConfigDump',
  endpointsDump: 'type.googleapis.com/envoy.admin.v3.EndpointsConfigDump',
  listenersDump: 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
  scopedRoutesDump: 'type.googleapis.com/envoy.admin.v3.ScopedRoutesConfigDump',
  routesDump: 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
  secretsDump: 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump',
  cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  routeConfig: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  cla: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  secret: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
  typedExtensionConfig: 'type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig',
  hcm: 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  tcpProxy: 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
  router: 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
  upstreamTls: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
  downstreamTls: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
  rawBuffer: 'type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer',
  httpProtocolOptions: 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
  typedStruct: 'type.googleapis.com/udpa.type.v1.TypedStruct',
  statsPlugin: 'type.googleapis.com/stats.PluginConfig',
  wasm: 'type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm',
} as const

/** The fixed clock of one dump: every timestamp derives from the mesh epoch, never from the wall clock. */
export class Clock {
  private readonly base: number

  constructor(readonly epoch: string) {
    this.base = Date.parse(epoch)
    if (Number.isNaN(this.base)) throw new Error(`bad epoch: ${epoch}`)
  }

  /** Envoy's `last_updated`: the epoch plus `offsetMs`, millisecond precision. */
  at(offsetMs: number): string {
    return new Date(this.base + offsetMs).toISOString()
  }

  /** A stable per-resource `last_updated` between 1.5 s and 4 s after the epoch (resources arrive in a burst). */
  stamp(key: string): string {
    return this.at(1500 + (hash32(key) % 2500))
  }

  /** Istio's xDS version: `<push time>/<push counter>`. */
  version(counter: number): string {
    return `${this.epoch}/${counter}`
  }
}

export interface DumpOptions {
  /** add the EndpointsConfigDump section (`/config_dump?include_eds=true`) */
  includeEds?: boolean
  /** validity of the workload certificate in secret `default` (default: 2 minutes before the epoch to 2045-01-01) */
  leafValidity?: CertValidity
}

export interface ProxyContext {
  mesh: MeshModel
  pod: Pod
  proxy: ProxyInfo
  router: boolean
  /** Istio minor version, e.g. 24 for 1.24.3 */
  minor: number
  /** telemetry filters delivered by ECDS (Istio ≥ 1.22) instead of inline `istio.stats` */
  ecds: boolean
  /** `InboundPassthroughCluster` (Istio ≥ 1.21) or `InboundPassthroughClusterIpv4` (older) */
  inboundPassthrough: string
  clock: Clock
  /** xDS version string shared by the resources of this dump */
  versionInfo: string
  opts: DumpOptions
}

export function proxyContext(mesh: MeshModel, pod: Pod, proxy: ProxyInfo, opts: DumpOptions): ProxyContext {
  const minor = istioMinor(mesh.istio.version)
  const clock = new Clock(mesh.epoch)
  return {
    mesh,
    pod,
    proxy,
    router: proxy.kind === 'router',
    minor,
    ecds: minor >= 22,
    inboundPassthrough: minor >= 21 ? 'InboundPassthroughCluster' : 'InboundPassthroughClusterIpv4',
    clock,
    versionInfo: clock.version(20 + (hash32(mesh.name) % 40)),
    opts,
  }
}

/** The proxy's outbound traffic policy: its workload's Sidecar override, else the mesh's. */
export function outboundPolicy(ctx: ProxyContext): 'ALLOW_ANY' | 'REGISTRY_ONLY' {
  return ctx.pod.workload.outboundTrafficPolicy ?? ctx.mesh.outboundTrafficPolicy
}

// ---------------------------------------------------------------------------------------------------------
// Snippets

export const ADS_SOURCE = {ads: {}, initial_fetch_timeout: '0s', resource_api_version: 'V3'}

/** An SDS secret served by the Istio agent over the `sds-grpc` cluster (`default`, `ROOTCA`). */
export function sdsSecretConfig(name: string): object {
  return {
    name,
    sds_config: {
      api_config_source: {
        api_type: 'GRPC',
        grpc_services: [{envoy_grpc: {cluster_name: 'sds-grpc'}}],
        set_node_on_first_message_only: true,
        transport_api_version: 'V3',
      },
      initial_fetch_timeout: '0s',
      resource_api_version: 'V3',
    },
  }
}

export const DEFAULT_CIRCUIT_BREAKERS = {
  thresholds: [
    {
      max_connections: 4294967295,
      max_pending_requests: 4294967295,
      max_requests: 4294967295,
      max_retries: 4294967295,
      track_remaining: true,
    },
  ],
}

export const RAW_BUFFER_SOCKET = {name: 'envoy.transport_sockets.raw_buffer', typed_config: {'@type': T.rawBuffer}}

/** Upstream mTLS with the workload certificate, verifying the server's SPIFFE identities. */
export function upstreamIstioTls(sni: string, sans: readonly string[], alpn: readonly string[] = ['istio-peer-exchange', 'istio']): object {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': T.upstreamTls,
      common_tls_context: {
        tls_params: {tls_minimum_protocol_version: 'TLSv1_2', tls_maximum_protocol_version: 'TLSv1_3'},
        alpn_protocols: alpn,
        tls_certificate_sds_secret_configs: [sdsSecretConfig('default')],
        combined_validation_context: {
          default_validation_context: {match_subject_alt_names: sans.map((s) => ({exact: s}))},
          validation_context_sds_secret_config: sdsSecretConfig('ROOTCA'),
        },
      },
      sni,
    },
  }
}

/** Inbound mTLS termination: any identity of the trust domain, client certificate required. */
export function downstreamIstioTls(trustDomain: string, alpn: readonly string[]): object {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': T.downstreamTls,
      common_tls_context: {
        tls_params: {tls_minimum_protocol_version: 'TLSv1_2', tls_maximum_protocol_version: 'TLSv1_3'},
        alpn_protocols: alpn,
        tls_certificate_sds_secret_configs: [sdsSecretConfig('default')],
        combined_validation_context: {
          default_validation_context: {match_subject_alt_names: [{prefix: `spiffe://${trustDomain}/`}]},
          validation_context_sds_secret_config: sdsSecretConfig('ROOTCA'),
        },
      },
      require_client_certificate: true,
    },
  }
}

/** The metadata-exchange filter Istio puts on clusters and inbound chains. */
export function metadataExchangeFilter(minor: number): object {
  if (minor >= 20) {
    return {
      name: 'istio.metadata_exchange',
      typed_config: {
        '@type': T.typedStruct,
        type_url: 'type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange',
        value: {protocol: 'istio-peer-exchange', enable_discovery: true},
      },
    }
  }
  return {
    name: 'istio.metadata_exchange',
    typed_config: {'@type': 'type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange', protocol: 'istio-peer-exchange'},
  }
}

export type TrafficClass = 'sidecar/Inbound' | 'sidecar/Outbound' | 'router/Gateway'

/** Name of Istio's Prometheus telemetry filter for a listener class and protocol (also its ECDS resource name). */
export function telemetryFilterName(cls: TrafficClass, proto: 'HTTP' | 'TCP'): string {
  return `istio.io/telemetry/stats/prometheus/${cls}/${proto}`
}

/**
 * The stats filter: with ECDS (Istio ≥ 1.22) the listener only names it and points at ADS, and the config
 * itself appears in an EcdsConfigDump section; before that it is inline as `istio.stats`.
 */
export function statsFilter(ctx: ProxyContext, cls: TrafficClass, proto: 'HTTP' | 'TCP'): object {
  if (ctx.ecds) {
    return {
      name: telemetryFilterName(cls, proto),
      config_discovery: {config_source: ADS_SOURCE, type_urls: [T.statsPlugin]},
    }
  }
  const typed: Record<string, unknown> = {'@type': T.statsPlugin}
  if (cls === 'sidecar/Inbound') typed['disable_host_header_fallback'] = true
  return {name: 'istio.stats', typed_config: typed}
}

export function tcpProxyFilter(cluster: string): object {
  return {name: 'envoy.filters.network.tcp_proxy', typed_config: {'@type': T.tcpProxy, stat_prefix: cluster, cluster}}
}

export function socketAddress(address: string, port: number): object {
  return {socket_address: {address, port_value: port}}
}

/** Envoy's version for an Istio release: istio/proxy 1.x builds Envoy 1.(x+8). */
export function envoyVersion(istioVersion: string): {major_number: number; minor_number: number; patch: number} {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(istioVersion)
  const minor = m ? Number(m[2]) : 24
  const patch = m?.[3] ? Number(m[3]) : 0
  return {major_number: 1, minor_number: minor + 8, patch}
}
