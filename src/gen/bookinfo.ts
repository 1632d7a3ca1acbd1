/**
 * The Bookinfo sample as installed by the Istio docs (samples/bookinfo/platform/kube/bookinfo.yaml,
 * networking/bookinfo-gateway.yaml, destination-rule-all.yaml and a reviews VirtualService), plus a second
 * application namespace `foo` with the usual docs helpers (httpbin, sleep, tcp-echo), a headless StatefulSet,
 * a service on an unnamed port (protocol sniffing) and two ServiceEntries, so lists span namespaces, listener
 * kinds and cluster types the way a real cluster's do.
 */
import type {HttpRoute, MeshModel, NodeInfo, PortProtocol, Service, ServicePort, VirtualService, Workload} from './model.js'
import {createMesh, serviceFqdn} from './model.js'

export interface BookinfoOptions {
  /** namespace of the Bookinfo services (default `default`) */
  namespace?: string
  /** Istio version string (default 1.24.3); decides version-dependent shapes */
  istioVersion?: string
  mtlsMode?: 'PERMISSIVE' | 'STRICT'
  /** false gives the classic virtual host domains with `:port` variants (default false, see MeshModel) */
  ignorePortInHostMatching?: boolean
  /**
   * Add the broken things `trace` and `check` explain (default false; only additions: new pods, services and one
   * more reviews route, so every proxy of the plain mesh keeps its config otherwise):
   * - the reviews VirtualService routes `end-user: canary` to subset v4, which no DestinationRule defines: every
   *   sidecar's route names `outbound|9080|v4|reviews.<ns>.svc.cluster.local`, which no cluster has (503 NC);
   * - Service `ratings-broken` selects no pod: its cluster has no endpoints (503 UH);
   * - `sleep-locked` (namespace foo) runs with a Sidecar's outbound traffic policy REGISTRY_ONLY: virtualOutbound's
   *   catch-all goes to BlackHoleCluster and the shared HTTP port route configs end with `block_all` (502);
   * - `legacy-api` (foo): a VirtualService whose catch-all route comes before `/v2` (shadowed), and its
   *   `legacy-api-v1` proxy has a listener Envoy rejected (a broken Lua EnvoyFilter), a listener and a cluster stuck
   *   warming, and an expired workload certificate.
   */
  faults?: boolean
}

/** The names the fault options give things (for tests and the demo). */
export const BOOKINFO_FAULTS = {
  missingSubset: 'v4',
  noEndpointsService: 'ratings-broken',
  registryOnlyWorkload: 'sleep-locked',
  faultyWorkload: 'legacy-api-v1',
  warmingCluster: 'outbound|8443||payments.foo.svc.cluster.local',
  rejectedListenerPort: 9090,
  warmingListenerPort: 9443,
} as const

export const DEFAULT_ISTIO_VERSION = '1.24.3'

function port(name: string, p: number, protocol: PortProtocol, targetPort = p): ServicePort {
  return {name, port: p, targetPort, protocol}
}

function k8sService(name: string, namespace: string, clusterIP: string | undefined, ports: ServicePort[], selector: Record<string, string>): Service {
  return {
    kind: 'Service',
    name,
    namespace,
    hostname: serviceFqdn(name, namespace),
    clusterIP,
    ports,
    selector,
    resolution: clusterIP === undefined ? 'Passthrough' : 'ClientSideLB',
  }
}

function app(
  namespace: string,
  name: string,
  version: string | undefined,
  sa: string,
  image: string,
  ports: number[],
  extra: Partial<Workload> = {},
): Workload {
  const labels: Record<string, string> = {app: name}
  if (version) labels['version'] = version
  return {
    kind: 'Deployment',
    name: version ? `${name}-${version}` : name,
    namespace,
    labels,
    replicas: 1,
    serviceAccount: sa,
    proxy: 'sidecar',
    container: {name, image, ports},
    ...extra,
  }
}

/** The Bookinfo mesh. Deterministic: no options → always the same model. */
export function bookinfo(opts: BookinfoOptions = {}): MeshModel {
  const ns = opts.namespace ?? 'default'
  const version = opts.istioVersion ?? DEFAULT_ISTIO_VERSION
  const bi = (n: string) => `docker.io/istio/examples-bookinfo-${n}:1.20.2`

  const nodes: NodeInfo[] = [
    {name: 'gke-meshctl-demo-default-pool-5c1f8a2e-0x4k', ip: '10.128.0.11', locality: {region: 'us-east1', zone: 'us-east1-b'}},
    {name: 'gke-meshctl-demo-default-pool-5c1f8a2e-7rqd', ip: '10.128.0.12', locality: {region: 'us-east1', zone: 'us-east1-c'}},
    {name: 'gke-meshctl-demo-default-pool-5c1f8a2e-m2vt', ip: '10.128.0.13', locality: {region: 'us-east1', zone: 'us-east1-d'}},
  ]

  const http = (p: number, tp = p) => port('http', p, 'http', tp)
  const services: Service[] = [
    // Bookinfo (ports are named `http`, so Istio treats them as HTTP: shared 0.0.0.0_9080 listener, route `9080`)
    k8sService('details', ns, '10.96.91.27', [http(9080)], {app: 'details'}),
    k8sService('productpage', ns, '10.96.118.41', [http(9080)], {app: 'productpage'}),
    k8sService('ratings', ns, '10.96.47.160', [http(9080)], {app: 'ratings'}),
    k8sService('reviews', ns, '10.96.213.98', [http(9080)], {app: 'reviews'}),
    {
      kind: 'Service',
      name: 'kubernetes',
      namespace: 'default',
      hostname: serviceFqdn('kubernetes', 'default'),
      clusterIP: '10.96.0.1',
      ports: [port('https', 443, 'https', 6443)],
      resolution: 'ClientSideLB',
      endpoints: [{address: '10.128.0.2', port: 6443, locality: {region: 'us-east1', zone: 'us-east1-b'}}],
    },
    // second application namespace
    k8sService('httpbin', 'foo', '10.96.30.12', [port('http', 8000, 'http', 8080)], {app: 'httpbin'}),
    k8sService('sleep', 'foo', '10.96.30.77', [port('http', 80, 'http')], {app: 'sleep'}),
    k8sService('tcp-echo', 'foo', '10.96.30.140', [port('tcp', 9000, 'tcp'), port('tcp-other', 9001, 'tcp')], {app: 'tcp-echo'}),
    // headless: ORIGINAL_DST cluster, one listener per pod IP
    k8sService('redis', 'foo', undefined, [port('tcp-redis', 6379, 'tcp')], {app: 'redis'}),
    // unnamed port: protocol sniffing (`10.96.30.201_8080` listener, route `inventory.foo.svc.cluster.local:8080`)
    k8sService('inventory', 'foo', '10.96.30.201', [port('', 8080, 'auto')], {app: 'inventory'}),
    {
      kind: 'ServiceEntry',
      name: 'httpbin-ext',
      namespace: 'foo',
      hostname: 'httpbin.org',
      ports: [port('http', 80, 'http')],
      resolution: 'DNSLB',
      meshExternal: true,
    },
    {
      kind: 'ServiceEntry',
      name: 'github-api',
      namespace: 'foo',
      hostname: 'api.github.com',
      ports: [port('tls', 443, 'tls')],
      resolution: 'DNSLB',
      meshExternal: true,
    },
    // control plane and gateways
    k8sService(
      'istiod',
      'istio-system',
      '10.96.5.10',
      [port('grpc-xds', 15010, 'grpc'), port('https-dns', 15012, 'https'), port('https-webhook', 443, 'https', 15017), port('http-monitoring', 15014, 'http')],
      {app: 'istiod', istio: 'pilot'},
    ),
    k8sService(
      'istio-ingressgateway',
      'istio-system',
      '10.96.200.15',
      [port('status-port', 15021, 'auto'), port('http2', 80, 'http2', 8080), port('https', 443, 'https', 8443)],
      {app: 'istio-ingressgateway', istio: 'ingressgateway'},
    ),
    k8sService('kube-dns', 'kube-system', '10.96.0.10', [port('dns-tcp', 53, 'tcp'), port('metrics', 9153, 'auto')], {'k8s-app': 'kube-dns'}),
  ]

  const workloads: Workload[] = [
    app(ns, 'details', 'v1', 'bookinfo-details', bi('details-v1'), [9080]),
    app(ns, 'productpage', 'v1', 'bookinfo-productpage', bi('productpage-v1'), [9080]),
    app(ns, 'ratings', 'v1', 'bookinfo-ratings', bi('ratings-v1'), [9080]),
    app(ns, 'reviews', 'v1', 'bookinfo-reviews', bi('reviews-v1'), [9080]),
    app(ns, 'reviews', 'v2', 'bookinfo-reviews', bi('reviews-v2'), [9080]),
    app(ns, 'reviews', 'v3', 'bookinfo-reviews', bi('reviews-v3'), [9080]),
    app('foo', 'httpbin', 'v1', 'httpbin', 'docker.io/mccutchen/go-httpbin:v2.15.0', [8080]),
    app('foo', 'sleep', undefined, 'sleep', 'curlimages/curl:8.8.0', []),
    app('foo', 'tcp-echo', 'v1', 'default', 'docker.io/istio/tcp-echo-server:1.3', [9000, 9001]),
    {...app('foo', 'redis', undefined, 'default', 'docker.io/library/redis:7.2', [6379]), kind: 'StatefulSet', replicas: 2},
    // one of the two replicas is not Ready: its endpoint is UNHEALTHY in EDS and /clusters
    {...app('foo', 'inventory', 'v1', 'default', 'ghcr.io/example/inventory:0.9.1', [8080]), replicas: 2, notReady: [1]},
    {
      kind: 'Deployment',
      name: 'istiod',
      namespace: 'istio-system',
      labels: {app: 'istiod', istio: 'pilot', 'istio.io/rev': 'default'},
      replicas: 1,
      serviceAccount: 'istiod',
      proxy: 'none',
      container: {name: 'discovery', image: `docker.io/istio/pilot:${version}`, ports: [8080, 15010, 15012, 15014, 15017]},
    },
    {
      kind: 'Deployment',
      name: 'istio-ingressgateway',
      namespace: 'istio-system',
      labels: {app: 'istio-ingressgateway', istio: 'ingressgateway', 'istio.io/rev': 'default'},
      replicas: 1,
      serviceAccount: 'istio-ingressgateway-service-account',
      proxy: 'router',
    },
    {
      kind: 'Deployment',
      name: 'coredns',
      namespace: 'kube-system',
      labels: {'k8s-app': 'kube-dns'},
      replicas: 2,
      serviceAccount: 'coredns',
      proxy: 'none',
      container: {name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.11.3', ports: [53, 9153]},
    },
  ]

  if (opts.faults) {
    services.push(k8sService(BOOKINFO_FAULTS.noEndpointsService, ns, '10.96.47.161', [http(9080)], {app: BOOKINFO_FAULTS.noEndpointsService}))
    services.push(k8sService('legacy-api', 'foo', '10.96.30.90', [port('http', 8080, 'http')], {app: 'legacy-api'}))
    workloads.push({...app('foo', 'sleep-locked', undefined, 'sleep', 'curlimages/curl:8.8.0', []), outboundTrafficPolicy: 'REGISTRY_ONLY'})
    workloads.push({
      ...app('foo', 'legacy-api', 'v1', 'default', 'ghcr.io/example/legacy-api:2.3.0', [8080]),
      faults: {
        rejectedListenerPort: BOOKINFO_FAULTS.rejectedListenerPort,
        warmingListenerPort: BOOKINFO_FAULTS.warmingListenerPort,
        warmingCluster: BOOKINFO_FAULTS.warmingCluster,
        expiredCertificate: true,
      },
    })
  }
  const reviewsRoutes: HttpRoute[] = [
    {name: 'jason', match: [{headers: {'end-user': {exact: 'jason'}}}], route: [{destination: {host: 'reviews', subset: 'v2'}}]},
    {
      name: 'split',
      route: [
        {destination: {host: 'reviews', subset: 'v1'}, weight: 50},
        {destination: {host: 'reviews', subset: 'v3'}, weight: 50},
      ],
    },
  ]
  // a canary subset the DestinationRule never got (the route comes first so it is reachable)
  if (opts.faults) reviewsRoutes.unshift({name: 'canary', match: [{headers: {'end-user': {exact: 'canary'}}}], route: [{destination: {host: 'reviews', subset: BOOKINFO_FAULTS.missingSubset}}]})
  const faultVirtualServices: VirtualService[] = opts.faults
    ? [
        {
          name: 'legacy-api',
          namespace: 'foo',
          hosts: ['legacy-api'],
          // the catch-all first: the /v2 route after it can never match
          http: [
            {name: 'everything', route: [{destination: {host: 'legacy-api'}}]},
            {name: 'v2', match: [{uri: {prefix: '/v2'}}], route: [{destination: {host: 'legacy-api'}}], timeout: '3s'},
          ],
        },
      ]
    : []

  return createMesh({
    name: 'bookinfo',
    istio: {version, revision: 'default', proxySha: 'c1b5b0b8d3e2f4a69780d1c2b3a4f5e6d7c8b9a0'},
    mtlsMode: opts.mtlsMode ?? 'PERMISSIVE',
    ignorePortInHostMatching: opts.ignorePortInHostMatching ?? false,
    podCidr: '10.244.1.14',
    namespaces: [
      {name: 'default', labels: {'istio-injection': 'enabled', 'kubernetes.io/metadata.name': 'default'}},
      ...(ns === 'default' ? [] : [{name: ns, labels: {'istio-injection': 'enabled', 'kubernetes.io/metadata.name': ns}}]),
      {name: 'foo', labels: {'istio-injection': 'enabled', 'kubernetes.io/metadata.name': 'foo'}},
      {name: 'istio-system', labels: {'kubernetes.io/metadata.name': 'istio-system'}},
      {name: 'kube-system', labels: {'kubernetes.io/metadata.name': 'kube-system'}},
    ],
    nodes,
    services,
    workloads,
    destinationRules: [
      // samples/bookinfo/networking/destination-rule-all.yaml (reviews gets outlier detection on top)
      {name: 'productpage', namespace: ns, host: 'productpage', subsets: [{name: 'v1', labels: {version: 'v1'}}]},
      {
        name: 'reviews',
        namespace: ns,
        host: 'reviews',
        trafficPolicy: {outlierDetection: {consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50}},
        subsets: [
          {name: 'v1', labels: {version: 'v1'}},
          {name: 'v2', labels: {version: 'v2'}},
          {name: 'v3', labels: {version: 'v3'}},
        ],
      },
      {
        name: 'ratings',
        namespace: ns,
        host: 'ratings',
        subsets: [
          {name: 'v1', labels: {version: 'v1'}},
          {name: 'v2', labels: {version: 'v2'}},
          {name: 'v2-mysql', labels: {version: 'v2-mysql'}},
          {name: 'v2-mysql-vm', labels: {version: 'v2-mysql-vm'}},
        ],
      },
      {
        name: 'details',
        namespace: ns,
        host: 'details',
        subsets: [
          {name: 'v1', labels: {version: 'v1'}},
          {name: 'v2', labels: {version: 'v2'}},
        ],
      },
      // the circuit-breaking task's rule
      {
        name: 'httpbin',
        namespace: 'foo',
        host: 'httpbin',
        trafficPolicy: {
          connectionPool: {tcp: {maxConnections: 1}, http: {http1MaxPendingRequests: 1, maxRequestsPerConnection: 1}},
          outlierDetection: {consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '3m', maxEjectionPercent: 100},
        },
        subsets: [],
      },
      {name: 'istiod', namespace: 'istio-system', host: 'istiod.istio-system.svc.cluster.local', trafficPolicy: {tls: {mode: 'DISABLE'}}, subsets: []},
    ],
    virtualServices: [
      {name: 'reviews', namespace: ns, hosts: ['reviews'], http: reviewsRoutes},
      {
        name: 'bookinfo',
        namespace: ns,
        hosts: ['*'],
        gateways: ['bookinfo-gateway'],
        http: [
          {
            match: [
              {uri: {exact: '/productpage'}},
              {uri: {prefix: '/static'}},
              {uri: {exact: '/login'}},
              {uri: {exact: '/logout'}},
              {uri: {prefix: '/api/v1/products'}},
            ],
            route: [{destination: {host: 'productpage', port: 9080}}],
          },
        ],
      },
      {
        name: 'httpbin',
        namespace: 'foo',
        hosts: ['httpbin'],
        http: [
          {name: 'status', match: [{uri: {prefix: '/status'}}], route: [{destination: {host: 'httpbin'}}], timeout: '5s'},
          {name: 'delay', match: [{uri: {regex: '/delay/[0-9]+'}}], route: [{destination: {host: 'httpbin'}}], timeout: '15s'},
          {route: [{destination: {host: 'httpbin'}}], retries: {attempts: 3, perTryTimeout: '2s', retryOn: '5xx,connect-failure'}},
        ],
      },
      ...faultVirtualServices,
    ],
    gateways: [
      {
        name: 'bookinfo-gateway',
        namespace: ns,
        selector: {istio: 'ingressgateway'},
        servers: [
          {port: {number: 8080, name: 'http', protocol: 'HTTP'}, hosts: ['*']},
          {port: {number: 8443, name: 'https', protocol: 'HTTPS'}, hosts: ['bookinfo.example.com'], tls: {mode: 'SIMPLE', credentialName: 'bookinfo-credential'}},
        ],
      },
    ],
    wasmPlugins: [
      {
        name: 'productpage-headers',
        namespace: ns,
        selector: {app: 'productpage'},
        url: 'oci://ghcr.io/example/wasm-add-header:0.3.0',
        sha256: '5b6f0d1c7e2a4938b1d0c6a9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b',
      },
    ],
  })
}
