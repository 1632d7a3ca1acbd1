/**
 * A small demo mesh for `npm run demo` / `npm run sandbox` (see ./main.ts): bookinfo-style workloads with sidecars,
 * istiod, a Pending pod and a pod without a sidecar, each sidecar answering on 15000 with the Envoy admin emulation.
 *
 * The config dumps here are deliberately small and hand-written (a handful of clusters, listeners, routes, secrets
 * and endpoints per proxy). A realistic generator can be plugged in through `DemoOptions.configDumpFor` /
 * `clustersFor`, or by giving main.ts a `--spec <module>`.
 */
import {createHash} from 'node:crypto'
import {envoyAdminHandler} from './envoy-admin.js'
import type {EnvoyConfigDump} from './envoy-admin.js'
import type {SandboxPod, SandboxSpec, SandboxWorkload} from './types.js'

type Obj = Record<string, unknown>

export interface DemoService {
  name: string
  namespace: string
  port: number
  /** pod name -> pod IP */
  pods: Record<string, string>
}

export interface DemoOptions {
  configDumpFor?: (pod: SandboxPod, services: DemoService[]) => EnvoyConfigDump
  clustersFor?: (pod: SandboxPod, services: DemoService[]) => Obj
}

const A = 'type.googleapis.com/envoy.admin.v3.'
const CLUSTER = 'type.googleapis.com/envoy.config.cluster.v3.Cluster'
const LISTENER = 'type.googleapis.com/envoy.config.listener.v3.Listener'
const ROUTE = 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration'
const CLA = 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment'
const SECRET = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret'

const fqdn = (s: DemoService): string => `${s.name}.${s.namespace}.svc.cluster.local`
const outbound = (s: DemoService): string => `outbound|${s.port}||${fqdn(s)}`

/** A minimal but well-formed Envoy /config_dump?include_eds for one sidecar. */
export function miniConfigDump(pod: SandboxPod, services: DemoService[]): EnvoyConfigDump {
  const now = '2026-01-01T00:00:00Z'
  const version = `${now}/12`
  const app = pod.labels?.app ?? pod.name
  const ip = pod.ip ?? '10.244.0.2'
  const eds = (name: string): Obj => ({
    version_info: version,
    cluster: {'@type': CLUSTER, name, type: 'EDS', eds_cluster_config: {eds_config: {ads: {}, initial_fetch_timeout: '0s', resource_api_version: 'V3'}, service_name: name}, connect_timeout: '10s', lb_policy: 'LEAST_REQUEST', circuit_breakers: {thresholds: [{max_connections: 4294967295, max_pending_requests: 4294967295, max_requests: 4294967295, max_retries: 4294967295}]}},
    last_updated: now,
  })
  const staticCluster = (name: string, type: string, extra: Obj = {}): Obj => ({cluster: {'@type': CLUSTER, name, type, connect_timeout: '1s', ...extra}, last_updated: now})
  const ports = [...new Set(services.map((s) => s.port))]
  return {
    configs: [
      {
        '@type': `${A}BootstrapConfigDump`,
        bootstrap: {
          node: {
            id: `sidecar~${ip}~${pod.name}.${pod.namespace}~${pod.namespace}.svc.cluster.local`,
            cluster: `${app}.${pod.namespace}`,
            metadata: {ISTIO_VERSION: '1.24.2', NAME: pod.name, NAMESPACE: pod.namespace, CLUSTER_ID: 'Kubernetes', LABELS: pod.labels ?? {}},
            user_agent_name: 'envoy',
          },
          static_resources: {clusters: [{name: 'prometheus_stats'}, {name: 'agent'}, {name: 'sds-grpc'}, {name: 'xds-grpc'}]},
          dynamic_resources: {lds_config: {ads: {}, resource_api_version: 'V3'}, cds_config: {ads: {}, resource_api_version: 'V3'}},
          admin: {address: {socket_address: {address: '127.0.0.1', port_value: 15000}}},
        },
        last_updated: now,
      },
      {
        '@type': `${A}ClustersConfigDump`,
        version_info: version,
        static_clusters: [
          staticCluster('agent', 'STATIC'),
          staticCluster('prometheus_stats', 'STATIC'),
          staticCluster('sds-grpc', 'STATIC'),
          staticCluster('xds-grpc', 'STRICT_DNS'),
        ],
        dynamic_active_clusters: [
          {version_info: version, cluster: {'@type': CLUSTER, name: 'BlackHoleCluster', type: 'STATIC', connect_timeout: '10s'}, last_updated: now},
          {version_info: version, cluster: {'@type': CLUSTER, name: 'InboundPassthroughCluster', type: 'ORIGINAL_DST', connect_timeout: '10s', lb_policy: 'CLUSTER_PROVIDED'}, last_updated: now},
          {version_info: version, cluster: {'@type': CLUSTER, name: 'PassthroughCluster', type: 'ORIGINAL_DST', connect_timeout: '10s', lb_policy: 'CLUSTER_PROVIDED'}, last_updated: now},
          ...services.map((s) => eds(outbound(s))),
        ],
      },
      {
        '@type': `${A}ListenersConfigDump`,
        version_info: version,
        dynamic_listeners: [
          ...[
            ['virtualOutbound', '0.0.0.0', 15001],
            ['virtualInbound', '0.0.0.0', 15006],
            ...ports.map((p) => [`0.0.0.0_${p}`, '0.0.0.0', p] as const),
          ].map(([name, address, port]) => ({
            name,
            active_state: {version_info: version, listener: {'@type': LISTENER, name, address: {socket_address: {address, port_value: port}}, traffic_direction: name === 'virtualInbound' ? 'INBOUND' : 'OUTBOUND'}, last_updated: now},
          })),
        ],
      },
      {
        '@type': `${A}RoutesConfigDump`,
        dynamic_route_configs: ports.map((p) => ({
          version_info: version,
          route_config: {
            '@type': ROUTE,
            name: String(p),
            virtual_hosts: [
              ...services
                .filter((s) => s.port === p)
                .map((s) => ({name: `${fqdn(s)}:${p}`, domains: [fqdn(s), s.name], routes: [{match: {prefix: '/'}, route: {cluster: outbound(s), timeout: '0s'}, name: 'default'}]})),
              {name: 'allow_any', domains: ['*'], routes: [{match: {prefix: '/'}, route: {cluster: 'PassthroughCluster', timeout: '0s'}, name: 'allow_any'}]},
            ],
            validate_clusters: false,
          },
          last_updated: now,
        })),
      },
      {
        '@type': `${A}SecretsConfigDump`,
        dynamic_active_secrets: ['default', 'ROOTCA'].map((name) => ({
          name,
          version_info: now,
          last_updated: now,
          secret: {'@type': SECRET, name, ...(name === 'default' ? {tls_certificate: {certificate_chain: {inline_bytes: 'LS0tLS1CRUdJTi...'}, private_key: {inline_bytes: 'W3JlZGFjdGVkXQ=='}}} : {validation_context: {trusted_ca: {inline_bytes: 'LS0tLS1CRUdJTi...'}}})},
        })),
      },
      {
        '@type': `${A}EndpointsConfigDump`,
        dynamic_endpoint_configs: services.map((s) => ({
          endpoint_config: {
            '@type': CLA,
            cluster_name: outbound(s),
            endpoints: [{locality: {}, lb_endpoints: Object.values(s.pods).map((ip) => ({endpoint: {address: {socket_address: {address: ip, port_value: s.port}}}, health_status: 'HEALTHY', load_balancing_weight: 1}))}],
            policy: {overprovisioning_factor: 140},
          },
        })),
      },
    ],
  }
}

/** `/clusters?format=json` matching miniConfigDump. */
export function miniClusters(_pod: SandboxPod, services: DemoService[]): Obj {
  const hostStatus = (ip: string, port: number): Obj => ({
    address: {socket_address: {address: ip, port_value: port}},
    stats: [{name: 'cx_connect_fail'}, {name: 'cx_total', value: '2'}, {type: 'GAUGE', name: 'cx_active'}, {name: 'rq_error'}, {name: 'rq_success', value: '2'}, {name: 'rq_timeout'}, {name: 'rq_total', value: '2'}],
    health_status: {eds_health_status: 'HEALTHY'},
    weight: 1,
    locality: {},
  })
  const thresholds = {thresholds: [{max_connections: {value: 4294967295}, max_pending_requests: {value: 4294967295}, max_requests: {value: 4294967295}, max_retries: {value: 4294967295}}, {priority: 'HIGH', max_connections: {value: 1024}, max_pending_requests: {value: 1024}, max_requests: {value: 1024}, max_retries: {value: 3}}]}
  return {
    cluster_statuses: [
      ...services.map((s) => ({name: outbound(s), added_via_api: true, circuit_breakers: thresholds, observability_name: outbound(s), eds_service_name: outbound(s), host_statuses: Object.values(s.pods).map((ip) => hostStatus(ip, s.port))})),
      {name: 'BlackHoleCluster', added_via_api: true, circuit_breakers: thresholds, observability_name: 'BlackHoleCluster'},
      {name: 'xds-grpc', circuit_breakers: thresholds, observability_name: 'xds-grpc', host_statuses: [{address: {pipe: {path: './var/run/istio/xds.sock'}}, stats: [{name: 'cx_total', value: '1'}], health_status: {eds_health_status: 'HEALTHY'}, weight: 1}]},
    ],
  }
}

interface Workload {
  app: string
  version?: string
  namespace: string
  replicas: number
  sidecar: boolean
  port: number
}

const WORKLOADS: Workload[] = [
  {app: 'productpage', version: 'v1', namespace: 'bookinfo', replicas: 1, sidecar: true, port: 9080},
  {app: 'details', version: 'v1', namespace: 'bookinfo', replicas: 1, sidecar: true, port: 9080},
  {app: 'reviews', version: 'v1', namespace: 'bookinfo', replicas: 1, sidecar: true, port: 9080},
  {app: 'reviews', version: 'v2', namespace: 'bookinfo', replicas: 2, sidecar: true, port: 9080},
  {app: 'ratings', version: 'v1', namespace: 'bookinfo', replicas: 1, sidecar: true, port: 9080},
  {app: 'legacy', namespace: 'default', replicas: 1, sidecar: false, port: 8080},
]

/** Stable name suffixes in the alphabet Kubernetes uses for generated names (rand.SafeEncodeString). */
function hash(s: string, n: number): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789'
  const digest = createHash('sha1').update(s).digest()
  return [...digest.subarray(0, n)].map((b) => alphabet[b % alphabet.length]).join('')
}

export function demoSpec(opts: DemoOptions = {}): SandboxSpec {
  const pods: SandboxPod[] = []
  const services = new Map<string, DemoService>()
  let ipIndex = 10
  for (const w of WORKLOADS) {
    const deploy = w.version ? `${w.app}-${w.version}` : w.app
    const rs = `${deploy}-${hash(`rs/${deploy}`, 9)}`
    const key = `${w.namespace}/${w.app}`
    const svc = services.get(key) ?? {name: w.app, namespace: w.namespace, port: w.port, pods: {}}
    services.set(key, svc)
    for (let i = 0; i < w.replicas; i++) {
      const name = `${rs}-${hash(`pod/${deploy}/${i}`, 5)}`
      const ip = `10.244.0.${ipIndex++}`
      svc.pods[name] = ip
      const labels: Record<string, string> = {app: w.app, 'pod-template-hash': rs.slice(deploy.length + 1)}
      if (w.version) labels.version = w.version
      if (w.sidecar) {
        labels['security.istio.io/tlsMode'] = 'istio'
        labels['service.istio.io/canonical-name'] = w.app
        if (w.version) labels['service.istio.io/canonical-revision'] = w.version
      }
      pods.push({
        name,
        namespace: w.namespace,
        ip,
        labels,
        annotations: w.sidecar ? {'sidecar.istio.io/status': '{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["istio-envoy","istio-data","istio-podinfo","istio-token","istiod-ca-cert"],"revision":"default"}'} : undefined,
        ownerReferences: [{apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs}],
        containers: w.sidecar
          ? [{name: w.app, ports: [{containerPort: w.port}]}, {name: 'istio-proxy', ports: [{containerPort: 15090, name: 'http-envoy-prom'}]}]
          : [{name: w.app, ports: [{containerPort: w.port}]}],
        initContainers: w.sidecar ? [{name: 'istio-init'}] : undefined,
        ageSeconds: 2 * 3600 + ipIndex * 60,
      })
    }
  }
  const meshServices = [...services.values()].filter((s) => s.namespace === 'bookinfo')
  for (const p of pods) {
    if (!p.containers.some((c) => c.name === 'istio-proxy')) continue
    const dump = (opts.configDumpFor ?? miniConfigDump)(p, meshServices)
    const clusters = (opts.clustersFor ?? miniClusters)(p, meshServices)
    p.ports = {15000: envoyAdminHandler({configDump: () => structuredClone(dump), clustersJson: () => structuredClone(clusters)})}
  }
  // a rollout stuck in ContainerCreating, so error paths can be tried too
  pods.push({
    name: `reviews-v3-${hash('rs/reviews-v3', 9)}-${hash('pod/reviews-v3', 5)}`,
    namespace: 'bookinfo',
    phase: 'Pending',
    labels: {app: 'reviews', version: 'v3', 'security.istio.io/tlsMode': 'istio'},
    containers: [{name: 'reviews'}, {name: 'istio-proxy'}],
    initContainers: [{name: 'istio-init'}],
    ageSeconds: 90,
  })
  const syncz = (): Obj[] =>
    pods
      .filter((p) => p.ports?.[15000])
      .map((p) => ({
        cluster_id: 'Kubernetes',
        proxy: `${p.name}.${p.namespace}`,
        proxy_type: 'sidecar',
        istio_version: '1.24.2',
        cluster_sent: 'f2a0e9b1-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
        cluster_acked: 'f2a0e9b1-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
        listener_sent: '7b6c5d4e-3f2a-4b1c-9d8e-7f6a5b4c3d2e',
        listener_acked: '7b6c5d4e-3f2a-4b1c-9d8e-7f6a5b4c3d2e',
        route_sent: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
        route_acked: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
        endpoint_sent: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
        endpoint_acked: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
      }))
  const istiodRs = `istiod-${hash('rs/istiod', 9)}`
  pods.push({
    name: `${istiodRs}-${hash('pod/istiod', 5)}`,
    namespace: 'istio-system',
    labels: {app: 'istiod', istio: 'pilot', 'istio.io/rev': 'default'},
    ownerReferences: [{apiVersion: 'apps/v1', kind: 'ReplicaSet', name: istiodRs}],
    containers: [{name: 'discovery', ports: [{containerPort: 8080}, {containerPort: 15010}, {containerPort: 15017}, {containerPort: 15014}]}],
    ports: {
      15014: (req, res) => {
        if (req.url?.startsWith('/debug/syncz')) {
          res.setHeader('content-type', 'application/json')
          res.end(JSON.stringify(syncz()))
        } else if (req.url?.startsWith('/version')) res.end('1.24.2')
        else {
          res.statusCode = 404
          res.end('404 page not found\n')
        }
      },
    },
    ageSeconds: 3 * 86400,
  })
  const deployments: SandboxWorkload[] = WORKLOADS.map((w) => {
    const name = w.version ? `${w.app}-${w.version}` : w.app
    const selector: Record<string, string> = {app: w.app}
    if (w.version) selector.version = w.version
    return {name, namespace: w.namespace, labels: {app: w.app}, selector, replicas: w.replicas, containers: [{name: w.app}], ageSeconds: 3 * 3600}
  })
  deployments.push({name: 'reviews-v3', namespace: 'bookinfo', labels: {app: 'reviews'}, selector: {app: 'reviews', version: 'v3'}, replicas: 1, readyReplicas: 0, containers: [{name: 'reviews'}], ageSeconds: 90})
  deployments.push({name: 'istiod', namespace: 'istio-system', labels: {app: 'istiod'}, selector: {app: 'istiod', istio: 'pilot'}, replicas: 1, containers: [{name: 'discovery'}], ageSeconds: 3 * 86400})
  return {
    namespaces: [{name: 'bookinfo', labels: {'istio-injection': 'enabled'}}, 'istio-system', 'default'],
    pods,
    deployments,
    services: [
      ...[...services.values()].map((s) => ({name: s.name, namespace: s.namespace, labels: {app: s.name, service: s.name}, selector: {app: s.name}, ports: [{port: s.port, name: 'http'}]})),
      {name: 'istiod', namespace: 'istio-system', labels: {app: 'istiod'}, selector: {app: 'istiod', istio: 'pilot'}, ports: [{port: 15010, name: 'grpc-xds'}, {port: 15012, name: 'https-dns'}, {port: 443, name: 'https-webhook', targetPort: 15017}, {port: 15014, name: 'http-monitoring'}]},
    ],
    tokens: {'sandbox-demo-token': {user: 'demo'}},
  }
}
