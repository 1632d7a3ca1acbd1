/**
 * A generator mesh (../gen: `bookinfo()`, `syntheticMesh()`) as a sandbox cluster: the same pods, workloads and
 * Services the generator's config dumps talk about, with every Envoy answering on its admin port with the generator's
 * output. This is what `npm run sandbox` serves by default (see ./main.ts):
 *
 * ```ts
 * const sb = await startSandbox(bookinfoSandboxSpec())
 * // KUBECONFIG=<sb.kubeconfigPath> meshctl proxy-config clusters deploy/productpage-v1
 * ```
 *
 * What `meshSandboxSpec(mesh)` produces:
 * - the model's namespaces (with their labels);
 * - one pod per model pod (Envoy or not), with the model's name, labels, IP, node and readiness; `ownerReferences`
 *   to its ReplicaSet (Deployments) or StatefulSet; containers: the app container (image, ports) plus `istio-proxy`
 *   (gateways: `istio-proxy` only), `istio-init` as init container of injected pods, and the annotations the sidecar
 *   injector leaves (`sidecar.istio.io/status`, `prometheus.io/*`, ...), the same as the `ANNOTATIONS` in the
 *   generated bootstrap node metadata;
 * - on every Envoy pod: `opts.adminPort` (default 15000) served by `envoyAdminHandler` over the generator's
 *   `configDump(mesh, proxy, {includeEds: true})` (with `opts.changes`' live edits applied, ./changes.ts) and
 *   `clustersStatus(mesh, proxy)`, each computed on first use and
 *   cached per pod (the emulation applies mask / resource / name_regex and drops EndpointsConfigDump without
 *   `include_eds`, as Envoy does); 15020 (pilot-agent: `/healthz/ready`, merged `/stats/prometheus`, `/debug/ndsz`, the `/debug/pprof/` index), 15021
 *   (Envoy's readiness listener: `/healthz/ready`, 503 on a not-Ready pod) and 15090 (`/stats/prometheus`);
 *   `kubectl exec -c istio-proxy` gets the default sidecar tools (`pilot-agent request`, `curl`, ...);
 * - Deployments and ReplicaSets (selector = template labels, + `pod-template-hash` for ReplicaSets; replicas and
 *   readyReplicas from the pods), StatefulSets, and the Kubernetes Services of the model (selector, ports,
 *   ClusterIP or `None` for headless ones). ServiceEntries are Istio config, not Kubernetes Services: left out.
 *
 * With `extras` (default true):
 * - istiod (the model's, or one added if the model has none) gets the control plane's labels and annotations and
 *   answers on 15014/8080 (`/debug/syncz`, `/debug/config_dump?proxyID=`, `/version`, `/ready`, `/metrics`) and on
 *   15010/15012 (xDS debug requests over gRPC; 15012 with TLS and a TokenRequest token): see ./istiod.ts. By
 *   default every model proxy is SYNCED on every istiod; `istiod: 'full'` adds replicas, a canary revision and
 *   proxies in every sync state;
 * - the failure-mode pods in `default` (names in FAILURE_PODS), each with its Deployment and ReplicaSet so
 *   `deploy/<name>` resolves too:
 *   - `pending`: Pending, scheduled, containers still being created (STATUS ContainerCreating, no IP): exec and
 *     port-forward fail with the kubelet's errors;
 *   - `unscheduled`: Pending, no node (STATUS Pending): `pod ... does not have a host assigned`;
 *   - `noSidecar`: Running and Ready, only the app container (`sidecar.istio.io/inject: "false"`): nothing on 15000,
 *     no `istio-proxy` container to exec into;
 *   - `deadAdmin`: Running and Ready (2/2) with `istio-proxy`, but nothing listens on 15000 (or any Envoy port):
 *     port-forward gets the kubelet's `connection refused` text, `pilot-agent request` its dial error;
 *   - `notReady`: Running but `istio-proxy` not Ready (STATUS CrashLoopBackOff, 1/2, restarts): Envoy is down between
 *     restarts, so its ports refuse connections too; its log shows why.
 *   (Not-Ready pods whose Envoy does answer come from the model itself, e.g. Bookinfo's second `inventory-v1` replica.)
 */
import type {IncomingMessage, RequestListener, ServerResponse} from 'node:http'
import {bookinfo} from '../gen/bookinfo.js'
import {clustersStatus} from '../gen/clusters-status.js'
import type {ClustersStatusJson} from '../gen/clusters-status.js'
import {configDump} from '../gen/configdump.js'
import type {ConfigDumpJson} from '../gen/configdump.js'
import {replicaSetName} from '../gen/model.js'
import type {MeshModel, Pod, Workload} from '../gen/model.js'
import {hash32} from '../gen/prng.js'
import {proxyInfo} from '../gen/proxies.js'
import type {ProxyInfo} from '../gen/proxies.js'
import type {MeshChanges} from './changes.js'
import {envoyAdminHandler} from './envoy-admin.js'
import {ambientMesh, meshPods} from '../gen/ambient.js'
import {type ExtraProxy, installIstiod, type IstiodSandboxOptions} from './istiod.js'
import {ndszJson, pprofIndexHtml} from './istiod-debug.js'
import {ztunnelSpec} from './ztunnel.js'
import type {EnvoyConfigDump} from './envoy-admin.js'
import type {OwnerReference, PortHandler, SandboxContainer, SandboxPod, SandboxService, SandboxSpec, SandboxWorkload} from './types.js'

export interface MeshSandboxOptions {
  /** the port Envoy's admin API answers on (default 15000, as Istio configures it) */
  adminPort?: number
  /** istiod's debug endpoints and the failure-mode pods (FAILURE_PODS); default true */
  extras?: boolean
  /**
   * with extras: the control plane's layout (./istiod.ts): `basic` (default: the model's istiod, every proxy SYNCED)
   * or `full` (several replicas, a canary revision, every sync state, a diverged and a disconnected proxy)
   */
  istiod?: 'basic' | 'full' | IstiodSandboxOptions
  /**
   * ambient mode (./ztunnel.ts, ../gen/ambient.ts): the `ztunnel` DaemonSet (a pod per node answering ztunnel's
   * admin API) and the `ambient` namespace (captured workloads and an Envoy waypoint); with extras, istiod lists
   * the ztunnels and the waypoint among its proxies. Default false.
   */
  ambient?: boolean
  /** the instant certificate validity and push ages count from (default: now) */
  now?: Date
  /** live edits of what the Envoys answer on /config_dump (./changes.ts): the mesh changing while it runs */
  changes?: MeshChanges
}

/** The failure-mode pods `extras` adds, all in namespace FAILURE_NAMESPACE. See the module comment. */
export const FAILURE_PODS = {
  /** Pending, scheduled, ContainerCreating */
  pending: 'pending-668b6bc9b-g44vn',
  /** Pending, not scheduled (no node) */
  unscheduled: 'unscheduled-5fbfff7b85-ncqbr',
  /** Running, Ready, only an app container: no istio-proxy */
  noSidecar: 'no-sidecar-c9b44d788-v8ltq',
  /** Running, Ready, istio-proxy present, but 15000 refuses connections */
  deadAdmin: 'dead-admin-65fc58bdd9-2xmqw',
  /** Running, istio-proxy not Ready (CrashLoopBackOff); its ports refuse connections */
  notReady: 'crashloop-755fcfc87d-95dbs',
} as const

export const FAILURE_NAMESPACE = 'default'

export const DEFAULT_ADMIN_PORT = 15000

const APPS_V1 = 'apps/v1'
const WORKLOAD_AGE = 3 * 86400

// -----------------------------------------------------------------------------------------------------------------
// pods

/** The pod annotations Istio's injector and Kubernetes leave; same as the generated bootstrap's ANNOTATIONS. */
function proxyAnnotations(mesh: MeshModel, w: Workload, router: boolean): Record<string, string> {
  const a: Record<string, string> = {
    'istio.io/rev': mesh.istio.revision,
    'kubectl.kubernetes.io/default-container': w.container?.name ?? 'istio-proxy',
    'prometheus.io/path': '/stats/prometheus',
    'prometheus.io/port': '15020',
    'prometheus.io/scrape': 'true',
  }
  if (!router) {
    a['sidecar.istio.io/status'] = JSON.stringify({
      initContainers: ['istio-init'],
      containers: ['istio-proxy'],
      volumes: ['workload-socket', 'credential-socket', 'workload-certs', 'istio-envoy', 'istio-data', 'istio-podinfo', 'istio-token', 'istiod-ca-cert'],
      imagePullSecrets: null,
      revision: mesh.istio.revision,
    })
  }
  return a
}

function proxyImage(mesh: MeshModel): string {
  return `docker.io/istio/proxyv2:${mesh.istio.version}`
}

function istioProxyContainer(mesh: MeshModel, router: boolean, extra: Partial<SandboxContainer> = {}): SandboxContainer {
  const ports = router
    ? [{containerPort: 15021, name: 'status-port'}, {containerPort: 8080, name: 'http2'}, {containerPort: 8443, name: 'https'}, {containerPort: 15090, name: 'http-envoy-prom'}]
    : [{containerPort: 15090, name: 'http-envoy-prom'}]
  return {name: 'istio-proxy', image: proxyImage(mesh), ports: ports.map((p) => ({...p, protocol: 'TCP'})), ...extra}
}

function appContainer(w: Workload, ready?: boolean): SandboxContainer | undefined {
  if (!w.container) return undefined
  const c: SandboxContainer = {name: w.container.name, image: w.container.image, ports: w.container.ports.map((p) => ({containerPort: p, protocol: 'TCP'}))}
  if (ready !== undefined) c.ready = ready
  return c
}

function ownerOf(pod: Pod): OwnerReference[] {
  const w = pod.workload
  return w.kind === 'Deployment' ? [{apiVersion: APPS_V1, kind: 'ReplicaSet', name: pod.replicaSet ?? replicaSetName(w)}] : [{apiVersion: APPS_V1, kind: 'StatefulSet', name: w.name}]
}

/** Pod ages vary a little around the workload's, as after a rollout. */
function podAge(pod: Pod): number {
  return 2 * 86400 + (hash32(`age/${pod.namespace}/${pod.name}`) % 7200)
}

/** pilot-agent's readiness answer: 200 with no body when ready, 503 otherwise. */
function readyProbe(ready: boolean): (res: ServerResponse) => void {
  return (res) => {
    res.statusCode = ready ? 200 : 503
    res.end()
  }
}

function notFound(res: ServerResponse): void {
  res.statusCode = 404
  res.setHeader('content-type', 'text/plain; charset=utf-8')
  res.end('404 page not found\n')
}

/** Re-dispatches a request to the admin handler under another path (the merged / Envoy prometheus endpoints). */
function viaAdmin(admin: RequestListener, path: string, req: IncomingMessage, res: ServerResponse): void {
  req.url = path
  admin(req, res)
}

/** The loopback listeners of a pod with a working Envoy. */
function envoyPorts(mesh: MeshModel, proxy: ProxyInfo, adminPort: number, changes?: MeshChanges, labels: Record<string, string> = {}): Record<number, PortHandler> {
  let dump: ConfigDumpJson | undefined
  let clusters: ClustersStatusJson | undefined
  const admin = envoyAdminHandler({
    configDump: () => {
      dump ??= configDump(mesh, proxy, {includeEds: true})
      const answer = changes ? changes.apply({name: proxy.pod, namespace: proxy.namespace, labels}, dump) : dump
      return answer as EnvoyConfigDump
    },
    clustersJson: () => {
      clusters ??= clustersStatus(mesh, proxy)
      return clusters as unknown as Record<string, unknown>
    },
  })
  const ready = readyProbe(proxy.ready)
  let ndsz: string | undefined
  const ports: Record<number, PortHandler> = {}
  ports[adminPort] = admin
  // pilot-agent's status server
  ports[15020] = (req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/healthz/ready') ready(res)
    else if (path === '/stats/prometheus') viaAdmin(admin, '/stats/prometheus', req, res)
    else if (path === '/quitquitquit' && req.method === 'POST') res.end()
    else if (path === '/debug/ndsz') {
      res.setHeader('content-type', 'application/json')
      ndsz ??= ndszJson(mesh)
      res.end(ndsz)
    } else if (path === '/debug/pprof/') {
      res.setHeader('content-type', 'text/html; charset=utf-8')
      res.end(pprofIndexHtml())
    }
    else notFound(res)
  }
  // Envoy's static listeners from the bootstrap: readiness (routed to the agent) and Prometheus
  ports[15021] = (req, res) => ((req.url ?? '/').split('?')[0] === '/healthz/ready' ? ready(res) : notFound(res))
  ports[15090] = (req, res) => ((req.url ?? '/').split('?')[0] === '/stats/prometheus' ? viaAdmin(admin, '/stats/prometheus', req, res) : notFound(res))
  return ports
}

function podFor(mesh: MeshModel, pod: Pod, adminPort: number, changes?: MeshChanges): SandboxPod {
  const w = pod.workload
  const base: SandboxPod = {
    name: pod.name,
    namespace: pod.namespace,
    labels: {...pod.labels},
    phase: 'Running',
    ready: pod.ready,
    ip: pod.ip,
    nodeName: pod.node.name,
    ownerReferences: ownerOf(pod),
    containers: [],
    ageSeconds: podAge(pod),
  }
  if (w.proxy === 'none') {
    base.containers = [appContainer(w, pod.ready) ?? {name: w.name, ready: pod.ready}]
    return base
  }
  const proxy = proxyInfo(mesh, pod)
  const router = proxy.kind === 'router'
  const byName = new Map(proxy.containers.map((c) => [c.name, c]))
  const app = appContainer(w, byName.get(w.container?.name ?? '')?.ready)
  base.containers = [...(app ? [app] : []), istioProxyContainer(mesh, router, {ready: byName.get('istio-proxy')?.ready})]
  if (!router) base.initContainers = [{name: 'istio-init', image: proxyImage(mesh)}]
  base.annotations = proxyAnnotations(mesh, w, router)
  base.ports = envoyPorts(mesh, proxy, adminPort, changes, pod.labels)
  return base
}

// -----------------------------------------------------------------------------------------------------------------
// workloads and services

function workloadObjects(mesh: MeshModel, w: Workload, pods: readonly Pod[]): {deployments: SandboxWorkload[]; replicasets: SandboxWorkload[]; statefulsets: SandboxWorkload[]} {
  const ready = pods.filter((p) => p.ready).length
  const containers = w.container ? [{name: w.container.name, image: w.container.image}] : [{name: 'istio-proxy', image: proxyImage(mesh)}]
  const common = {namespace: w.namespace, labels: {...w.labels}, replicas: w.replicas, readyReplicas: ready, containers, ageSeconds: WORKLOAD_AGE}
  if (w.kind === 'StatefulSet') return {deployments: [], replicasets: [], statefulsets: [{...common, name: w.name, selector: {...w.labels}}]}
  const rs = replicaSetName(w)
  const hash = rs.slice(w.name.length + 1)
  return {
    deployments: [{...common, name: w.name, selector: {...w.labels}}],
    replicasets: [
      {
        ...common,
        name: rs,
        labels: {...w.labels, 'pod-template-hash': hash},
        selector: {...w.labels, 'pod-template-hash': hash},
        annotations: {'deployment.kubernetes.io/desired-replicas': String(w.replicas), 'deployment.kubernetes.io/max-replicas': String(w.replicas + Math.ceil(w.replicas / 4)), 'deployment.kubernetes.io/revision': '1'},
        ownerReferences: [{apiVersion: APPS_V1, kind: 'Deployment', name: w.name}],
      },
    ],
    statefulsets: [],
  }
}

function servicesOf(mesh: MeshModel): SandboxService[] {
  const out: SandboxService[] = []
  for (const s of mesh.services) {
    if (s.kind !== 'Service') continue
    const app = s.selector?.app
    out.push({
      name: s.name,
      namespace: s.namespace,
      labels: app ? {app, service: s.name} : s.selector ? undefined : {component: 'apiserver', provider: 'kubernetes'},
      selector: s.selector ? {...s.selector} : undefined,
      clusterIP: s.clusterIP ?? 'None',
      ports: s.ports.map((p) => ({port: p.port, targetPort: p.targetPort, name: p.name || undefined, protocol: 'TCP'})),
      ageSeconds: s.namespace === 'default' && s.name === 'kubernetes' ? 30 * 86400 : WORKLOAD_AGE,
    })
  }
  return out
}

// -----------------------------------------------------------------------------------------------------------------
// extras: istiod (./istiod.ts)

const istiodOptions = (o: MeshSandboxOptions['istiod']): IstiodSandboxOptions => (typeof o === 'string' ? {mode: o} : (o ?? {}))

// -----------------------------------------------------------------------------------------------------------------
// extras: failure-mode pods

const CRASHLOOP_LOG = [
  '2025-06-02T09:10:41.118064Z\tinfo\tFLAG: --concurrency="0"',
  '2025-06-02T09:10:41.121907Z\tinfo\tVersion 1.24.3-8f1e2d6c4b0a9e7f5d3c1b2a0f9e8d7c6b5a4f3e-Clean',
  '2025-06-02T09:10:41.412551Z\tinfo\tcache\tgenerated new workload certificate\tresourceName=default latency=211.30ms ttl=23h59m58.58s',
  '2025-06-02T09:10:41.430087Z\tinfo\tStarting proxy agent',
  '2025-06-02T09:10:41.436420Z\tinfo\tEnvoy command: [-c etc/istio/proxy/envoy-rev.json --drain-time-s 45 --drain-strategy immediate --local-address-ip-version v4 --file-flush-interval-msec 1000 --disable-hot-restart --allow-unknown-static-fields -l warning --component-log-level misc:error --concurrency 2]',
  '2025-06-02T09:10:41.522874Z\tcritical\tenvoy main external/envoy/source/server/server.cc:131\terror initializing config \'  etc/istio/proxy/envoy-rev.json\': Protobuf message (type envoy.config.bootstrap.v3.Bootstrap reason INVALID_ARGUMENT:(static_resources.listeners[0]) address: value is required) has unknown fields\tthread=14',
  '2025-06-02T09:10:41.523102Z\terror\tEnvoy exited with error: exit status 1',
  '2025-06-02T09:10:41.523119Z\terror\tcannot start the e2e proxy: exit status 1',
  '',
].join('\n')

interface FailureDef {
  pod: string
  labels: Record<string, string>
  overrides: Partial<SandboxPod>
  ready: number
  sidecar: boolean
}

function failureSpecs(mesh: MeshModel, app: (name: string) => SandboxContainer): FailureDef[] {
  return [
    {pod: FAILURE_PODS.pending, labels: {app: 'pending'}, sidecar: true, ready: 0, overrides: {phase: 'Pending', ageSeconds: 95}},
    {pod: FAILURE_PODS.unscheduled, labels: {app: 'unscheduled'}, sidecar: true, ready: 0, overrides: {phase: 'Pending', nodeName: null, ageSeconds: 310}},
    {
      pod: FAILURE_PODS.noSidecar,
      labels: {app: 'no-sidecar', 'sidecar.istio.io/inject': 'false'},
      sidecar: false,
      ready: 1,
      overrides: {ip: '10.244.3.12', ageSeconds: 26 * 3600},
    },
    {pod: FAILURE_PODS.deadAdmin, labels: {app: 'dead-admin'}, sidecar: true, ready: 1, overrides: {ip: '10.244.3.13', ageSeconds: 5 * 3600, ports: {}}},
    {
      pod: FAILURE_PODS.notReady,
      labels: {app: 'crashloop'},
      sidecar: true,
      ready: 0,
      overrides: {
        ip: '10.244.3.14',
        reason: 'CrashLoopBackOff',
        ready: false,
        ageSeconds: 47 * 60,
        containers: [{...app('crashloop'), ready: true}, istioProxyContainer(mesh, false, {ready: false, restartCount: 13, logs: CRASHLOOP_LOG})],
        ports: {},
      },
    },
  ]
}

function addFailurePods(mesh: MeshModel, spec: Required<Pick<SandboxSpec, 'pods' | 'deployments' | 'replicasets'>>): void {
  const ns = FAILURE_NAMESPACE
  const app = (name: string): SandboxContainer => ({name, image: `ghcr.io/example/${name}:1.0.0`, ports: [{containerPort: 8080, protocol: 'TCP'}]})
  for (const f of failureSpecs(mesh, app)) {
    const rs = f.pod.slice(0, f.pod.lastIndexOf('-'))
    const deploy = rs.slice(0, rs.lastIndexOf('-'))
    const hash = rs.slice(deploy.length + 1)
    const containers = [app(deploy)]
    spec.deployments.push({name: deploy, namespace: ns, labels: {...f.labels}, selector: {app: f.labels.app!}, replicas: 1, readyReplicas: f.ready, containers, ageSeconds: f.overrides.ageSeconds})
    spec.replicasets.push({
      name: rs,
      namespace: ns,
      labels: {...f.labels, 'pod-template-hash': hash},
      selector: {app: f.labels.app!, 'pod-template-hash': hash},
      replicas: 1,
      readyReplicas: f.ready,
      containers,
      ownerReferences: [{apiVersion: APPS_V1, kind: 'Deployment', name: deploy}],
      ageSeconds: f.overrides.ageSeconds,
    })
    const pod: SandboxPod = {
      name: f.pod,
      namespace: ns,
      labels: {...f.labels, 'pod-template-hash': hash},
      ownerReferences: [{apiVersion: APPS_V1, kind: 'ReplicaSet', name: rs}],
      containers: [app(deploy)],
      nodeName: mesh.nodes.size ? mesh.nodes.at(hash32(f.pod) % mesh.nodes.size).name : undefined,
    }
    if (f.sidecar) {
      pod.labels = {...pod.labels, 'security.istio.io/tlsMode': 'istio', 'service.istio.io/canonical-name': f.labels.app!, 'service.istio.io/canonical-revision': 'latest'}
      pod.containers = [app(deploy), istioProxyContainer(mesh, false)]
      pod.initContainers = [{name: 'istio-init', image: proxyImage(mesh)}]
      const w: Workload = {kind: 'Deployment', name: deploy, namespace: ns, labels: f.labels, replicas: 1, serviceAccount: 'default', proxy: 'sidecar', container: {name: deploy, image: '', ports: [8080]}}
      pod.annotations = proxyAnnotations(mesh, w, false)
    }
    spec.pods.push({...pod, ...f.overrides})
  }
}

// -----------------------------------------------------------------------------------------------------------------

/** A sandbox cluster serving a generator mesh: see the module comment. */
export function meshSandboxSpec(mesh: MeshModel, opts: MeshSandboxOptions = {}): SandboxSpec {
  const adminPort = opts.adminPort ?? DEFAULT_ADMIN_PORT
  const extras = opts.extras ?? true
  const pods: SandboxPod[] = []
  const deployments: SandboxWorkload[] = []
  const replicasets: SandboxWorkload[] = []
  const statefulsets: SandboxWorkload[] = []
  for (const w of mesh.workloads) {
    const wpods = mesh.lookup.pods(w)
    const objs = workloadObjects(mesh, w, wpods)
    deployments.push(...objs.deployments)
    replicasets.push(...objs.replicasets)
    statefulsets.push(...objs.statefulsets)
    for (const pod of wpods) pods.push(podFor(mesh, pod, adminPort, opts.changes))
  }
  const services = servicesOf(mesh)
  const daemonsets: SandboxWorkload[] = []
  const extraNamespaces: MeshModel[] = []
  const extraProxies: ExtraProxy[] = []
  if (opts.ambient) {
    const amb = ambientMesh(mesh)
    const sub = meshSandboxSpec(amb, {adminPort, extras: false})
    pods.push(...(sub.pods ?? []))
    deployments.push(...((sub.deployments ?? []) as SandboxWorkload[]))
    replicasets.push(...((sub.replicasets ?? []) as SandboxWorkload[]))
    services.push(...((sub.services ?? []) as SandboxService[]))
    extraNamespaces.push(amb)
    const z = ztunnelSpec([mesh, amb], opts.now ?? new Date())
    pods.push(...z.pods)
    daemonsets.push(z.daemonset)
    for (const p of z.pods) extraProxies.push({pod: p.name, namespace: p.namespace, kind: 'ztunnel'})
    for (const p of meshPods(amb)) {
      if (p.workload.proxy !== 'none') extraProxies.push({pod: p.name, namespace: p.namespace, kind: 'router', mesh: amb, info: proxyInfo(amb, p)})
    }
  }
  if (extras) {
    const io = istiodOptions(opts.istiod)
    installIstiod(mesh, {pods, deployments, replicasets, services}, extraProxies.length > 0 ? {...io, extraProxies: [...(io.extraProxies ?? []), ...extraProxies]} : io)
    addFailurePods(mesh, {pods, deployments, replicasets})
  }
  const namespaces = [...mesh.namespaces, ...extraNamespaces.flatMap((m) => [...m.namespaces])].map((n) => ({name: n.name, labels: {...n.labels}, ageSeconds: 30 * 86400}))
  for (const ns of ['default', 'istio-system', 'kube-system']) if (!namespaces.some((n) => n.name === ns)) namespaces.push({name: ns, labels: {}, ageSeconds: 30 * 86400})
  return {namespaces, pods, deployments, replicasets, statefulsets, services, ...(daemonsets.length > 0 ? {daemonsets} : {})}
}

/**
 * The Bookinfo sample mesh (`bookinfo()`: namespaces default and foo, istio-system, kube-system) as a sandbox; with
 * `faults`, the broken proxies `check` and `trace` explain (bookinfo's `faults` option: a route to a missing subset,
 * a service without endpoints, a REGISTRY_ONLY sidecar, a proxy with rejected, warming and expired config).
 */
export function bookinfoSandboxSpec(opts: MeshSandboxOptions & {faults?: boolean} = {}): SandboxSpec {
  return meshSandboxSpec(bookinfo({faults: opts.faults}), opts)
}
