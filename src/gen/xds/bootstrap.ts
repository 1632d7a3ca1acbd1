/**
 * The bootstrap Envoy starts from (written by the Istio agent): node identity and metadata, the static
 * listeners for Prometheus (15090) and readiness (15021), the static clusters for the agent, stats and the
 * agent's SDS/XDS unix sockets, and ADS pointing at `xds-grpc`.
 */
import {hexFrom} from '../prng.js'
import type {ProxyContext} from './common.js'
import {envoyVersion, socketAddress, T} from './common.js'

function staticRoute(prefix: string, cluster: string): object {
  return {virtual_hosts: [{name: 'backend', domains: ['*'], routes: [{match: {prefix}, route: {cluster}}]}]}
}

function staticHcmListener(port: number, statPrefix: string, prefix: string, cluster: string, withType: boolean): object {
  const l: Record<string, unknown> = {}
  if (withType) l['@type'] = T.listener
  l['address'] = socketAddress('0.0.0.0', port)
  l['filter_chains'] = [
    {
      filters: [
        {
          name: 'envoy.filters.network.http_connection_manager',
          typed_config: {
            '@type': T.hcm,
            stat_prefix: statPrefix,
            route_config: staticRoute(prefix, cluster),
            http_filters: [{name: 'envoy.filters.http.router', typed_config: {'@type': T.router}}],
          },
        },
      ],
    },
  ]
  return l
}

/** The two bootstrap listeners: 15090 (`/stats/prometheus`) and 15021 (`/healthz/ready`). */
export function staticListeners(withType: boolean): object[] {
  return [
    staticHcmListener(15090, 'stats', '/stats/prometheus', 'prometheus_stats', withType),
    staticHcmListener(15021, 'agent', '/healthz/ready', 'agent', withType),
  ]
}

/** Inline route configs of the static listeners (Envoy lists them as static route configs). */
export function staticListenerRoutes(): object[] {
  return [staticRoute('/stats/prometheus', 'prometheus_stats'), staticRoute('/healthz/ready', 'agent')]
}

const H2_OPTIONS = {
  'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
    '@type': T.httpProtocolOptions,
    explicit_http_config: {http2_protocol_options: {}},
  },
}

export interface StaticClusterInfo {
  name: string
  /** `127.0.0.1:15000` or a unix socket path */
  address: {ip: string; port: number} | {pipe: string}
}

/** The agent's unix sockets: SDS (workload certificates) and the XDS proxy to istiod. */
export const SDS_SOCKET = './var/run/secrets/workload-spiffe-uds/socket'
export const XDS_SOCKET = './etc/istio/proxy/XDS'

export const STATIC_CLUSTERS: readonly StaticClusterInfo[] = [
  {name: 'agent', address: {ip: '127.0.0.1', port: 15020}},
  {name: 'prometheus_stats', address: {ip: '127.0.0.1', port: 15000}},
  {name: 'sds-grpc', address: {pipe: SDS_SOCKET}},
  {name: 'xds-grpc', address: {pipe: XDS_SOCKET}},
]

function addressJson(a: StaticClusterInfo['address']): object {
  return 'pipe' in a ? {pipe: {path: a.pipe}} : socketAddress(a.ip, a.port)
}

export function staticCluster(info: StaticClusterInfo, withType: boolean): object {
  const c: Record<string, unknown> = {}
  if (withType) c['@type'] = T.cluster
  c['name'] = info.name
  c['type'] = 'STATIC'
  const grpc = info.name === 'sds-grpc' || info.name === 'xds-grpc'
  c['connect_timeout'] = grpc ? '1s' : '0.250s'
  if (info.name === 'xds-grpc') {
    c['max_requests_per_connection'] = 1
    c['circuit_breakers'] = {
      thresholds: [
        {max_connections: 100000, max_pending_requests: 100000, max_requests: 100000},
        {priority: 'HIGH', max_connections: 100000, max_pending_requests: 100000, max_requests: 100000},
      ],
    }
    c['upstream_connection_options'] = {tcp_keepalive: {keepalive_time: 300}}
  }
  c['load_assignment'] = {cluster_name: info.name, endpoints: [{lb_endpoints: [{endpoint: {address: addressJson(info.address)}}]}]}
  if (grpc) c['typed_extension_protocol_options'] = H2_OPTIONS
  return c
}

const EXTENSIONS: readonly [string, string, string?][] = [
  ['envoy.filters.http.router', 'envoy.filters.http', 'envoy.extensions.filters.http.router.v3.Router'],
  ['envoy.filters.http.fault', 'envoy.filters.http', 'envoy.extensions.filters.http.fault.v3.HTTPFault'],
  ['envoy.filters.http.cors', 'envoy.filters.http', 'envoy.extensions.filters.http.cors.v3.Cors'],
  ['envoy.filters.http.grpc_stats', 'envoy.filters.http', 'envoy.extensions.filters.http.grpc_stats.v3.FilterConfig'],
  ['envoy.filters.http.wasm', 'envoy.filters.http', 'envoy.extensions.filters.http.wasm.v3.Wasm'],
  ['istio.alpn', 'envoy.filters.http', 'istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig'],
  ['istio.metadata_exchange', 'envoy.filters.http', 'io.istio.http.peer_metadata.Config'],
  ['istio.stats', 'envoy.filters.http', 'stats.PluginConfig'],
  ['envoy.filters.network.http_connection_manager', 'envoy.filters.network', 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager'],
  ['envoy.filters.network.tcp_proxy', 'envoy.filters.network', 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy'],
  ['istio.metadata_exchange', 'envoy.filters.network', 'envoy.tcp.metadataexchange.config.MetadataExchange'],
  ['istio.stats', 'envoy.filters.network', 'stats.PluginConfig'],
  ['envoy.filters.listener.original_dst', 'envoy.filters.listener', 'envoy.extensions.filters.listener.original_dst.v3.OriginalDst'],
  ['envoy.filters.listener.tls_inspector', 'envoy.filters.listener', 'envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector'],
  ['envoy.filters.listener.http_inspector', 'envoy.filters.listener', 'envoy.extensions.filters.listener.http_inspector.v3.HttpInspector'],
  ['envoy.transport_sockets.tls', 'envoy.transport_sockets.upstream', 'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext'],
  ['envoy.transport_sockets.raw_buffer', 'envoy.transport_sockets.upstream', 'envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer'],
  ['envoy.tracers.zipkin', 'envoy.tracers', 'envoy.config.trace.v3.ZipkinConfig'],
  ['envoy.access_loggers.file', 'envoy.access_loggers', 'envoy.extensions.access_loggers.file.v3.FileAccessLog'],
  ['envoy.wasm.runtime.v8', 'envoy.wasm.runtime'],
]

/** The istio-proxy build SHA for a version (stable, looks like a git commit). */
export function proxySha(ctx: ProxyContext): string {
  return ctx.mesh.istio.proxySha || hexFrom(`istio-proxy/${ctx.mesh.istio.version}`, 20)
}

export function bootstrap(ctx: ProxyContext): object {
  const {proxy, pod, mesh} = ctx
  const w = pod.workload
  const sha = proxySha(ctx)
  const metadata: Record<string, unknown> = {
    ANNOTATIONS: {
      'istio.io/rev': mesh.istio.revision,
      'kubectl.kubernetes.io/default-container': w.container?.name ?? 'istio-proxy',
      'kubernetes.io/config.source': 'api',
      'prometheus.io/path': '/stats/prometheus',
      'prometheus.io/port': '15020',
      'prometheus.io/scrape': 'true',
      ...(ctx.router
        ? {}
        : {
            'sidecar.istio.io/status': JSON.stringify({
              initContainers: ['istio-init'],
              containers: ['istio-proxy'],
              volumes: ['workload-socket', 'credential-socket', 'workload-certs', 'istio-envoy', 'istio-data', 'istio-podinfo', 'istio-token', 'istiod-ca-cert'],
              imagePullSecrets: null,
              revision: mesh.istio.revision,
            }),
          }),
    },
    APP_CONTAINERS: ctx.router ? undefined : (w.container?.name ?? ''),
    CLUSTER_ID: mesh.clusterId,
    ENVOY_PROMETHEUS_PORT: 15090,
    ENVOY_STATUS_PORT: 15021,
    INSTANCE_IPS: proxy.ip,
    INTERCEPTION_MODE: 'REDIRECT',
    ISTIO_PROXY_SHA: sha,
    ISTIO_VERSION: mesh.istio.version,
    LABELS: Object.fromEntries(Object.entries(proxy.labels).filter(([k]) => k !== 'pod-template-hash' && !k.startsWith('statefulset.kubernetes.io/'))),
    MESH_ID: mesh.trustDomain,
    NAME: proxy.pod,
    NAMESPACE: proxy.namespace,
    NODE_NAME: proxy.node,
    OWNER: `kubernetes://apis/apps/v1/namespaces/${proxy.namespace}/${w.kind === 'Deployment' ? 'deployments' : 'statefulsets'}/${w.name}`,
    PILOT_SAN: ['istiod.istio-system.svc'],
    POD_PORTS: JSON.stringify((w.container?.ports ?? []).map((p) => ({containerPort: p, protocol: 'TCP'}))),
    PROXY_CONFIG: {
      binaryPath: '/usr/local/bin/envoy',
      concurrency: 2,
      configPath: './etc/istio/proxy',
      controlPlaneAuthPolicy: 'MUTUAL_TLS',
      discoveryAddress: 'istiod.istio-system.svc:15012',
      drainDuration: '45s',
      proxyAdminPort: 15000,
      serviceCluster: 'istio-proxy',
      statNameLength: 189,
      statusPort: 15020,
      terminationDrainDuration: '5s',
    },
    SERVICE_ACCOUNT: proxy.serviceAccount,
    UNPRIVILEGED_POD: ctx.router ? 'true' : undefined,
    WORKLOAD_NAME: w.name,
  }
  for (const k of Object.keys(metadata)) if (metadata[k] === undefined) delete metadata[k]
  const ev = envoyVersion(mesh.istio.version)
  return {
    node: {
      id: proxy.nodeId,
      cluster: proxy.serviceCluster,
      metadata,
      locality: {region: proxy.locality.region, zone: proxy.locality.zone},
      user_agent_name: 'envoy',
      user_agent_build_version: {
        version: ev,
        metadata: {'build.type': 'RELEASE', 'revision.sha': sha, 'revision.status': 'Clean', 'ssl.version': 'BoringSSL'},
      },
      extensions: EXTENSIONS.map(([name, category, type]) => (type ? {name, category, type_urls: [type]} : {name, category})),
    },
    static_resources: {
      listeners: staticListeners(false),
      clusters: STATIC_CLUSTERS.map((c) => staticCluster(c, false)),
    },
    dynamic_resources: {
      lds_config: {ads: {}, initial_fetch_timeout: '0s', resource_api_version: 'V3'},
      cds_config: {ads: {}, initial_fetch_timeout: '0s', resource_api_version: 'V3'},
      ads_config: {
        api_type: 'GRPC',
        grpc_services: [{envoy_grpc: {cluster_name: 'xds-grpc'}}],
        set_node_on_first_message_only: true,
        transport_api_version: 'V3',
      },
    },
    admin: {
      profile_path: '/var/lib/istio/data/envoy.prof',
      address: socketAddress('127.0.0.1', 15000),
      access_log: [
        {
          name: 'envoy.access_loggers.file',
          typed_config: {'@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog', path: '/dev/null'},
        },
      ],
    },
    stats_config: {
      stats_tags: [
        {tag_name: 'cluster_name', regex: '^cluster\\.((.+?(\\..+?\\.svc\\.cluster\\.local)?)\\.)'},
        {tag_name: 'tcp_prefix', regex: '^tcp\\.((.*?)\\.)\\w+?$'},
        {tag_name: 'response_code', regex: '_rq(_(\\d{3}))$'},
        {tag_name: 'response_code_class', regex: '_rq(_(\\dxx))$'},
        {tag_name: 'listener_address', regex: '^listener\\.(((?:[_.[:digit:]]*|[_\\[\\]aAbBcCdDeEfF[:digit:]]*))\\.)'},
      ],
      use_all_default_tags: false,
      stats_matcher: {
        inclusion_list: {
          patterns: [
            {prefix: 'reporter='},
            {prefix: 'cluster_manager'},
            {prefix: 'listener_manager'},
            {prefix: 'server'},
            {prefix: 'cluster.xds-grpc'},
            {prefix: 'wasm'},
            {suffix: 'rbac.allowed'},
            {suffix: 'rbac.denied'},
            {prefix: 'component'},
            {prefix: 'istio'},
          ],
        },
      },
    },
    layered_runtime: {
      layers: [
        {
          name: 'global config',
          static_layer: {
            'envoy.deprecated_features:envoy.config.listener.v3.Listener.hidden_envoy_deprecated_use_original_dst': 'true',
            'envoy.reloadable_features.http_reject_path_with_fragment': 'false',
            'overload.global_downstream_max_connections': '2147483647',
            're2.max_program_size.error_level': '32768',
          },
        },
        {name: 'admin', admin_layer: {}},
      ],
    },
    bootstrap_extensions: [
      {
        name: 'envoy.bootstrap.internal_listener',
        typed_config: {
          '@type': T.typedStruct,
          type_url: 'type.googleapis.com/envoy.extensions.bootstrap.internal_listener.v3.InternalListener',
          value: {buffer_size_kb: 64},
        },
      },
    ],
  }
}
