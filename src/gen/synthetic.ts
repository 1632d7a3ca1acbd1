/**
 * A deterministic, arbitrarily large mesh for benchmarks (100 to 500k services). Nothing per service is
 * stored except a few typed-array entries: services, workloads, pods, DestinationRules and VirtualServices
 * are recomputed from (seed, index) on every access, so the model for 70k services takes a few MB.
 *
 * Per service (seeded): 1-3 ports (HTTP 60%, gRPC 15%, TCP 15%, unnamed/sniffed 5%, HTTPS 5%); ~2% are
 * headless StatefulSets; 8% have a v2 Deployment and a DestinationRule with subsets v1/v2 (half of them
 * with outlier detection), and half of those a VirtualService (header canary + 90/10 split); 1-2 replicas
 * per workload, about 1% of pods not Ready. istiod, an ingress gateway (with a Gateway and routes to the
 * first HTTP services), kube-dns and the API server complete the picture.
 */
import {GenError} from './errors.js'
import type {
  Collection,
  DestinationRule,
  Gateway,
  MeshLookup,
  MeshModel,
  Namespace,
  NodeInfo,
  Pod,
  PortProtocol,
  Service,
  ServicePort,
  VirtualService,
  Workload,
} from './model.js'
import {DEFAULT_EPOCH, intToIp, ipToInt, lazyCollection, listOf, podLabels, podName, replicaSetName, serviceFqdn} from './model.js'
import {hash32, hexFrom, Prng} from './prng.js'
import {DEFAULT_ISTIO_VERSION} from './bookinfo.js'

export interface SyntheticOptions {
  /** number of application services (the infrastructure services come on top) */
  services: number
  /** number of application namespaces (default: one per 250 services) */
  namespaces?: number
  seed?: number
  istioVersion?: string
  mtlsMode?: 'PERMISSIVE' | 'STRICT'
  ignorePortInHostMatching?: boolean
}

export const MAX_SYNTHETIC_SERVICES = 500_000

const TEAMS = ['payments', 'checkout', 'catalog', 'search', 'identity', 'ledger', 'shipping', 'inventory', 'pricing', 'reviews', 'media', 'notify', 'fraud', 'billing', 'profile', 'orders']
const KINDS = ['api', 'worker', 'gateway', 'store', 'cache', 'indexer', 'scheduler', 'frontend', 'backend', 'proxy', 'events', 'sync']
const INFRA_NS = ['istio-system', 'kube-system', 'default']
const ZONES = ['us-central1-a', 'us-central1-b', 'us-central1-c']

interface PortPick {
  protocol: PortProtocol
  ports: readonly number[]
  name: (port: number) => string
}

const PORT_PICKS: readonly [number, PortPick][] = [
  [0.6, {protocol: 'http', ports: [8080, 80, 9080, 8000, 3000, 5000, 8081], name: (p) => (p === 8080 || p === 80 ? 'http' : `http-${p}`)}],
  [0.75, {protocol: 'grpc', ports: [9090, 50051, 9000], name: () => 'grpc'}],
  [0.9, {protocol: 'tcp', ports: [5432, 6379, 27017, 9092, 11211, 3306], name: (p) => `tcp-${p}`}],
  [0.95, {protocol: 'auto', ports: [8080, 7070, 8088, 4000], name: () => ''}],
  [1, {protocol: 'https', ports: [443, 8443], name: () => 'https'}],
]

interface ServiceShape {
  ports: ServicePort[]
  headless: boolean
  /** has a v2 workload and a DestinationRule with subsets */
  subsets: boolean
  outlier: boolean
  virtualService: boolean
}

function shapeOf(seed: number, i: number): ServiceShape {
  const rng = new Prng(hash32(`${seed}/svc/${i}`))
  const r = rng.next()
  const count = r < 0.9 ? 1 : r < 0.99 ? 2 : 3
  const ports: ServicePort[] = []
  for (let k = 0; k < count; k++) {
    const x = rng.next()
    const pick = PORT_PICKS.find(([p]) => x < p)![1]
    const port = rng.pick(pick.ports)
    if (ports.some((q) => q.port === port)) continue
    const name = pick.name(port)
    ports.push({name: ports.some((q) => q.name === name && name !== '') ? `${name}-${k}` : name, port, targetPort: port === 80 ? 8080 : port, protocol: pick.protocol})
  }
  const headless = ports.every((p) => p.protocol === 'tcp') && rng.chance(0.13) // ≈2% of all services
  const subsets = !headless && rng.chance(0.08)
  return {ports, headless, subsets, outlier: subsets && rng.chance(0.5), virtualService: subsets && ports.some((p) => p.protocol === 'http') && rng.chance(0.5)}
}

const APP_IP_BASE = ipToInt('10.104.0.0')
const POD_IP_BASE = ipToInt('10.32.0.2')
const NODE_IP_BASE = ipToInt('10.128.0.10')

/** The mesh. `services` application services plus 4 infrastructure services. */
export function syntheticMesh(opts: SyntheticOptions): MeshModel {
  const n = Math.floor(opts.services)
  if (!(n >= 1 && n <= MAX_SYNTHETIC_SERVICES)) throw new GenError(`--services must be between 1 and ${MAX_SYNTHETIC_SERVICES}, got ${opts.services}`)
  const seed = opts.seed ?? 1
  const nsCount = Math.max(1, Math.min(n, Math.floor(opts.namespaces ?? Math.ceil(n / 250))))
  const version = opts.istioVersion ?? DEFAULT_ISTIO_VERSION

  // Compact per-service/per-workload tables (the only per-item memory the model keeps)
  const flags = new Uint8Array(n) // bit0 subsets, bit1 outlier, bit2 vs, bit3 headless
  const wlStart = new Int32Array(n + 1)
  const drList: number[] = []
  const vsList: number[] = []
  for (let i = 0; i < n; i++) {
    const s = shapeOf(seed, i)
    flags[i] = (s.subsets ? 1 : 0) | (s.outlier ? 2 : 0) | (s.virtualService ? 4 : 0) | (s.headless ? 8 : 0)
    wlStart[i + 1] = wlStart[i] + (s.subsets ? 2 : 1)
    if (s.subsets) drList.push(i)
    if (s.virtualService) vsList.push(i)
  }
  const appWorkloads = wlStart[n]
  const replicas = new Uint8Array(appWorkloads)
  const podStart = new Int32Array(appWorkloads + 1)
  for (let j = 0; j < appWorkloads; j++) {
    replicas[j] = 1 + (hash32(`${seed}/rep/${j}`) % 2)
    podStart[j + 1] = podStart[j] + replicas[j]
  }
  const appPods = podStart[appWorkloads]
  const nodeCount = Math.max(3, Math.ceil(appPods / 40))

  const nsName = (k: number) => (nsCount <= TEAMS.length ? TEAMS[k] : `${TEAMS[k % TEAMS.length]}-${Math.floor(k / TEAMS.length) + 1}`)
  const nsOf = (i: number) => Math.floor((i * nsCount) / n)
  const svcName = (i: number) => {
    const h = hash32(`${seed}/name/${i}`)
    return `${TEAMS[h % TEAMS.length]}-${KINDS[(h >>> 8) % KINDS.length]}-${i}`
  }

  const node = (k: number): NodeInfo => ({
    name: `gke-synthetic-pool-${hexFrom(`${seed}/pool/${Math.floor(k / 100)}`, 4)}-${hexFrom(`${seed}/node/${k}`, 2)}`,
    ip: intToIp(NODE_IP_BASE + k),
    locality: {region: 'us-central1', zone: ZONES[k % ZONES.length]},
  })

  const appService = (i: number): Service => {
    const s = shapeOf(seed, i)
    const name = svcName(i)
    const namespace = nsName(nsOf(i))
    return {
      kind: 'Service',
      name,
      namespace,
      hostname: serviceFqdn(name, namespace),
      // an odd multiplier permutes [0, 2^19), so VIPs are unique but look scattered
      clusterIP: s.headless ? undefined : intToIp(APP_IP_BASE + ((i * 40503 + 977) % 524288)),
      ports: s.ports,
      selector: {app: name},
      resolution: s.headless ? 'Passthrough' : 'ClientSideLB',
    }
  }

  const appWorkload = (j: number): Workload => {
    const i = upperBound(wlStart, j) - 1
    const v = j - wlStart[i] + 1
    const name = svcName(i)
    const namespace = nsName(nsOf(i))
    const headless = (flags[i] & 8) !== 0
    const notReady: number[] = []
    for (let r = 0; r < replicas[j]; r++) if (hash32(`${seed}/ready/${podStart[j] + r}`) % 100 === 0) notReady.push(r)
    return {
      kind: headless ? 'StatefulSet' : 'Deployment',
      name: headless ? name : `${name}-v${v}`,
      namespace,
      labels: {app: name, version: `v${v}`},
      replicas: replicas[j],
      serviceAccount: name,
      proxy: 'sidecar',
      container: {name, image: `registry.example.com/${namespace}/${name}:1.${(i % 17) + v}.0`, ports: shapeOf(seed, i).ports.map((p) => p.targetPort)},
      notReady,
    }
  }

  // infrastructure: istio-system (istiod, ingress gateway) and kube-system (DNS), the API server
  const infraServices: Service[] = [
    {
      kind: 'Service',
      name: 'istiod',
      namespace: 'istio-system',
      hostname: serviceFqdn('istiod', 'istio-system'),
      clusterIP: '10.96.5.10',
      ports: [
        {name: 'grpc-xds', port: 15010, targetPort: 15010, protocol: 'grpc'},
        {name: 'https-dns', port: 15012, targetPort: 15012, protocol: 'https'},
        {name: 'https-webhook', port: 443, targetPort: 15017, protocol: 'https'},
        {name: 'http-monitoring', port: 15014, targetPort: 15014, protocol: 'http'},
      ],
      selector: {app: 'istiod'},
      resolution: 'ClientSideLB',
    },
    {
      kind: 'Service',
      name: 'istio-ingressgateway',
      namespace: 'istio-system',
      hostname: serviceFqdn('istio-ingressgateway', 'istio-system'),
      clusterIP: '10.96.200.15',
      ports: [
        {name: 'status-port', port: 15021, targetPort: 15021, protocol: 'auto'},
        {name: 'http2', port: 80, targetPort: 8080, protocol: 'http2'},
        {name: 'https', port: 443, targetPort: 8443, protocol: 'https'},
      ],
      selector: {istio: 'ingressgateway'},
      resolution: 'ClientSideLB',
    },
    {
      kind: 'Service',
      name: 'kube-dns',
      namespace: 'kube-system',
      hostname: serviceFqdn('kube-dns', 'kube-system'),
      clusterIP: '10.96.0.10',
      ports: [
        {name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'tcp'},
        {name: 'metrics', port: 9153, targetPort: 9153, protocol: 'auto'},
      ],
      selector: {'k8s-app': 'kube-dns'},
      resolution: 'ClientSideLB',
    },
    {
      kind: 'Service',
      name: 'kubernetes',
      namespace: 'default',
      hostname: serviceFqdn('kubernetes', 'default'),
      clusterIP: '10.96.0.1',
      ports: [{name: 'https', port: 443, targetPort: 6443, protocol: 'https'}],
      resolution: 'ClientSideLB',
      endpoints: [{address: '10.128.0.2', port: 6443, locality: {region: 'us-central1', zone: ZONES[0]}}],
    },
  ]
  const infraWorkloads: Workload[] = [
    {
      kind: 'Deployment',
      name: 'istiod',
      namespace: 'istio-system',
      labels: {app: 'istiod', istio: 'pilot'},
      replicas: 2,
      serviceAccount: 'istiod',
      proxy: 'none',
      container: {name: 'discovery', image: `docker.io/istio/pilot:${version}`, ports: [8080, 15010, 15012, 15014, 15017]},
    },
    {
      kind: 'Deployment',
      name: 'istio-ingressgateway',
      namespace: 'istio-system',
      labels: {app: 'istio-ingressgateway', istio: 'ingressgateway'},
      replicas: 2,
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
  const infraByHost = new Map(infraServices.map((s) => [s.hostname, s]))

  const podsOf = (w: Workload, j: number, firstIp: number): Pod[] => {
    const out: Pod[] = []
    for (let r = 0; r < w.replicas; r++) {
      const name = podName(w, r)
      out.push({
        name,
        namespace: w.namespace,
        workload: w,
        ordinal: r,
        replicaSet: w.kind === 'Deployment' ? replicaSetName(w) : undefined,
        ip: intToIp(firstIp + r),
        node: node(hash32(`${seed}/sched/${j}/${r}`) % nodeCount),
        ready: !(w.notReady ?? []).includes(r),
        labels: podLabels(w, r),
      })
    }
    return out
  }

  /** Application service index from a hostname `<team>-<kind>-<i>.<ns>.svc.cluster.local`, or -1. */
  const indexOfHost = (hostname: string): number => {
    const m = /-(\d+)\.[^.]+\.svc\.cluster\.local$/.exec(hostname)
    if (!m) return -1
    const i = Number(m[1])
    return i < n && serviceFqdn(svcName(i), nsName(nsOf(i))) === hostname ? i : -1
  }
  const indexOfWorkload = (w: Workload): number => {
    const i = indexOfHost(serviceFqdn(w.labels['app'] ?? '', w.namespace))
    if (i < 0) return -1
    return wlStart[i] + (w.labels['version'] === 'v2' ? 1 : 0)
  }

  const destinationRule = (i: number): DestinationRule => {
    const name = svcName(i)
    return {
      name,
      namespace: nsName(nsOf(i)),
      host: name,
      trafficPolicy: flags[i] & 2 ? {outlierDetection: {consecutive5xxErrors: 5, interval: '30s', baseEjectionTime: '60s', maxEjectionPercent: 50}} : undefined,
      subsets: [
        {name: 'v1', labels: {version: 'v1'}},
        {name: 'v2', labels: {version: 'v2'}},
      ],
    }
  }
  const virtualService = (i: number): VirtualService => {
    const name = svcName(i)
    return {
      name,
      namespace: nsName(nsOf(i)),
      hosts: [name],
      http: [
        {name: 'canary', match: [{headers: {'x-canary': {exact: 'true'}}}], route: [{destination: {host: name, subset: 'v2'}}]},
        {
          name: 'split',
          route: [
            {destination: {host: name, subset: 'v1'}, weight: 90},
            {destination: {host: name, subset: 'v2'}, weight: 10},
          ],
        },
      ],
    }
  }

  // the ingress gateway routes /<service> to the first HTTP services
  const gatewayTargets: number[] = []
  for (let i = 0; i < n && gatewayTargets.length < 20; i++) if (shapeOf(seed, i).ports[0]?.protocol === 'http' && !(flags[i] & 8)) gatewayTargets.push(i)
  const gateway: Gateway = {
    name: 'public-gateway',
    namespace: 'istio-system',
    selector: {istio: 'ingressgateway'},
    servers: [{port: {number: 8080, name: 'http', protocol: 'HTTP'}, hosts: ['*']}],
  }
  const gatewayVs: VirtualService = {
    name: 'public-routes',
    namespace: 'istio-system',
    hosts: ['*'],
    gateways: ['public-gateway'],
    http: gatewayTargets.map((i) => ({
      match: [{uri: {prefix: `/${svcName(i)}`}}],
      route: [{destination: {host: serviceFqdn(svcName(i), nsName(nsOf(i))), port: shapeOf(seed, i).ports[0].port}}],
    })),
  }

  const workloadsCol = lazyCollection(appWorkloads + infraWorkloads.length, (j) => (j < appWorkloads ? appWorkload(j) : infraWorkloads[j - appWorkloads]))
  const infraPodBase = POD_IP_BASE + appPods + 16
  const infraPods = new Map<Workload, Pod[]>()
  let infraIp = infraPodBase
  for (let k = 0; k < infraWorkloads.length; k++) {
    infraPods.set(infraWorkloads[k], podsOf(infraWorkloads[k], appWorkloads + k, infraIp))
    infraIp += infraWorkloads[k].replicas
  }

  const lookup: MeshLookup = {
    pods: (w) => {
      const infra = infraPods.get(w)
      if (infra) return infra
      const j = indexOfWorkload(w)
      return j < 0 ? [] : podsOf(w, j, POD_IP_BASE + podStart[j])
    },
    workloadsOf: (s) => {
      const i = indexOfHost(s.hostname)
      if (i >= 0) {
        const out = [appWorkload(wlStart[i])]
        if (flags[i] & 1) out.push(appWorkload(wlStart[i] + 1))
        return out
      }
      return s.selector ? infraWorkloads.filter((w) => w.namespace === s.namespace && Object.entries(s.selector!).every(([k, v]) => w.labels[k] === v)) : []
    },
    servicesOf: (w) => {
      const j = indexOfWorkload(w)
      if (j >= 0) return [appService(upperBound(wlStart, j) - 1)]
      return infraServices.filter((s) => s.selector && s.namespace === w.namespace && Object.entries(s.selector).every(([k, v]) => w.labels[k] === v))
    },
    serviceByHost: (h) => {
      const i = indexOfHost(h)
      return i >= 0 ? appService(i) : infraByHost.get(h)
    },
    destinationRuleFor: (h) => {
      const i = indexOfHost(h)
      return i >= 0 && flags[i] & 1 ? destinationRule(i) : undefined
    },
    virtualServicesFor: (h, g) => {
      if (g === 'mesh') {
        const i = indexOfHost(h)
        return i >= 0 && flags[i] & 4 ? [virtualService(i)] : []
      }
      return g === 'istio-system/public-gateway' ? [gatewayVs] : []
    },
    workloadByName: (ns, name) => {
      const infra = infraWorkloads.find((w) => w.namespace === ns && w.name === name)
      if (infra) return infra
      const m = /^(.*-(\d+))(?:-v([12]))?$/.exec(name)
      if (!m) return undefined
      const i = Number(m[2])
      if (i >= n || svcName(i) !== m[1] || nsName(nsOf(i)) !== ns) return undefined
      const headless = (flags[i] & 8) !== 0
      if (headless !== (m[3] === undefined)) return undefined
      const v = m[3] === '2' ? 2 : 1
      if (v === 2 && !(flags[i] & 1)) return undefined
      return appWorkload(wlStart[i] + v - 1)
    },
  }

  const namespaces: Collection<Namespace> = lazyCollection<Namespace>(nsCount + 3, (k) =>
    k < nsCount
      ? {name: nsName(k), labels: {'istio-injection': 'enabled', 'kubernetes.io/metadata.name': nsName(k)} as Record<string, string>}
      : {name: INFRA_NS[k - nsCount], labels: {'kubernetes.io/metadata.name': INFRA_NS[k - nsCount]}},
  )

  return {
    name: `synthetic-${n}`,
    istio: {version, revision: 'default', proxySha: hexFrom(`istio-proxy/${version}`, 20)},
    trustDomain: 'cluster.local',
    clusterId: 'Kubernetes',
    mtlsMode: opts.mtlsMode ?? 'PERMISSIVE',
    outboundTrafficPolicy: 'ALLOW_ANY',
    ignorePortInHostMatching: opts.ignorePortInHostMatching ?? true,
    epoch: DEFAULT_EPOCH,
    namespaces,
    nodes: lazyCollection(nodeCount, node),
    services: lazyCollection(n + infraServices.length, (i) => (i < n ? appService(i) : infraServices[i - n])),
    workloads: workloadsCol,
    destinationRules: lazyCollection(drList.length, (k) => destinationRule(drList[k])),
    virtualServices: lazyCollection(vsList.length + 1, (k) => (k < vsList.length ? virtualService(vsList[k]) : gatewayVs)),
    gateways: listOf([gateway]),
    wasmPlugins: listOf([]),
    lookup,
  }
}

/** First index k with arr[k] > x (arr ascending). */
function upperBound(arr: Int32Array, x: number): number {
  let lo = 0
  let hi = arr.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (arr[mid] <= x) lo = mid + 1
    else hi = mid
  }
  return lo
}
