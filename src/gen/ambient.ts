/**
 * Ambient mode for a generator mesh: a namespace whose workloads have no sidecar (their traffic is carried by
 * the ztunnel of their node, over HBONE) and an Envoy waypoint, plus what each ztunnel answers on its admin
 * port's `/config_dump` (the shape istioctl's `ztunnel-config` reads; see docs/istioctl-behaviour.md §11.3 and
 * the dump in shared/conformance/istioctl/.../ztunnel/configdump/testdata/dump.json).
 *
 * `ambientMesh(base)` is a mesh of its own (so the base mesh's proxies and their config stay as they are), on the
 * base's nodes and Istio version:
 * - namespace `ambient` (`istio.io/dataplane-mode=ambient`, `istio.io/use-waypoint=waypoint`);
 * - `echo` v1 and v2 (Deployments, port 8080) behind Service `echo`, `client` behind Service `client`; no proxy;
 * - `waypoint`: a Deployment whose pod runs Envoy (a `router` proxy for the generator) with Service `waypoint`
 *   (15008 HBONE, 15021 status). Its Envoy config is the generator's gateway config for Gateway `waypoint` (an
 *   HTTP server on 15008 for the namespace's hosts) and VirtualService `echo` bound to it (a 90/10 split of echo
 *   v1/v2, with DestinationRule subsets), so `pc routes|clusters|listeners|...` show the namespace's services.
 *   (A real waypoint listens through internal listeners `main_internal` / `connect_terminate`; this keeps the
 *   generator's gateway shape.)
 *
 * `ztunnelConfigDump(meshes, node, now)`: every pod of the given meshes as a ztunnel workload (HBONE for the
 * ambient namespace, TCP for the others; the ambient workloads name the waypoint), every Kubernetes Service with
 * a ClusterIP, the ambient namespace's authorization policies, certificates (a real leaf and root from
 * ./certs.ts) for the ambient identities on `node`, and connection state for the ambient pods on `node`.
 */
import {X509Certificate} from 'node:crypto'
import {workloadCertChainPem} from './certs.js'
import type {MeshModel, Pod, Service, ServicePort, Workload} from './model.js'
import {createMesh, serviceFqdn} from './model.js'
import {hash32} from './prng.js'

export const AMBIENT_NAMESPACE = 'ambient'
export const WAYPOINT_NAME = 'waypoint'
const WAYPOINT_VIP = '10.96.40.30'
const HBONE_PORT = 15008

const port = (name: string, p: number, protocol: ServicePort['protocol'], targetPort = p): ServicePort => ({name, port: p, targetPort, protocol})

function svc(name: string, clusterIP: string, ports: ServicePort[], selector: Record<string, string>): Service {
  return {kind: 'Service', name, namespace: AMBIENT_NAMESPACE, hostname: serviceFqdn(name, AMBIENT_NAMESPACE), clusterIP, ports, selector, resolution: 'ClientSideLB'}
}

/** The ambient namespace with its waypoint, as a mesh on `base`'s nodes: see the module comment. */
export function ambientMesh(base: MeshModel): MeshModel {
  const ns = AMBIENT_NAMESPACE
  const app = (name: string, version: string | undefined, sa: string, image: string, ports: number[], replicas = 1): Workload => ({
    kind: 'Deployment',
    name: version ? `${name}-${version}` : name,
    namespace: ns,
    labels: version ? {app: name, version} : {app: name},
    replicas,
    serviceAccount: sa,
    proxy: 'none',
    container: {name, image, ports},
  })
  const gatewayLabels = {'gateway.networking.k8s.io/gateway-name': WAYPOINT_NAME, 'istio.io/gateway-name': WAYPOINT_NAME}
  return createMesh({
    name: 'ambient',
    istio: base.istio,
    trustDomain: base.trustDomain,
    clusterId: base.clusterId,
    mtlsMode: 'STRICT',
    ignorePortInHostMatching: true,
    epoch: base.epoch,
    podCidr: '10.244.4.10',
    namespaces: [{name: ns, labels: {'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': WAYPOINT_NAME, 'kubernetes.io/metadata.name': ns}}],
    nodes: [...base.nodes],
    services: [
      svc('echo', '10.96.40.10', [port('http', 8080, 'http')], {app: 'echo'}),
      svc('client', '10.96.40.20', [port('http', 80, 'http')], {app: 'client'}),
      svc(WAYPOINT_NAME, WAYPOINT_VIP, [port('mesh', HBONE_PORT, 'tcp'), port('status-port', 15021, 'auto')], {...gatewayLabels}),
    ],
    workloads: [
      app('echo', 'v1', 'echo', 'gcr.io/istio-testing/app:latest', [8080], 2),
      app('echo', 'v2', 'echo', 'gcr.io/istio-testing/app:latest', [8080]),
      app('client', undefined, 'client', 'curlimages/curl:8.8.0', []),
      {kind: 'Deployment', name: WAYPOINT_NAME, namespace: ns, labels: {...gatewayLabels}, replicas: 1, serviceAccount: WAYPOINT_NAME, proxy: 'router'},
    ],
    destinationRules: [
      {
        name: 'echo',
        namespace: ns,
        host: 'echo',
        subsets: [
          {name: 'v1', labels: {version: 'v1'}},
          {name: 'v2', labels: {version: 'v2'}},
        ],
      },
    ],
    virtualServices: [
      {
        name: 'echo',
        namespace: ns,
        hosts: [serviceFqdn('echo', ns)],
        gateways: [`${ns}/${WAYPOINT_NAME}`],
        http: [
          {
            name: 'canary',
            route: [
              {destination: {host: 'echo', subset: 'v1'}, weight: 90},
              {destination: {host: 'echo', subset: 'v2'}, weight: 10},
            ],
            timeout: '3s',
          },
        ],
      },
    ],
    gateways: [
      {
        name: WAYPOINT_NAME,
        namespace: ns,
        selector: {...gatewayLabels},
        servers: [{port: {number: HBONE_PORT, name: 'mesh', protocol: 'HTTP'}, hosts: ['*']}],
      },
    ],
  })
}

/** Every pod of a mesh, in workload order. */
export function meshPods(mesh: MeshModel): Pod[] {
  const out: Pod[] = []
  for (const w of mesh.workloads) out.push(...mesh.lookup.pods(w))
  return out
}

/** A ztunnel pod as the dump lists it among the workloads (ztunnel runs on the host network's pod CIDR). */
export interface ZtunnelPodInfo {
  name: string
  namespace: string
  ip: string
  node: string
}

const uidOf = (namespace: string, name: string, clusterId: string): string => `${clusterId}//Pod/${namespace}/${name}`

type Obj = Record<string, unknown>

function workloadEntry(mesh: MeshModel, pod: Pod, ambient: boolean): Obj {
  const w = pod.workload
  const isWaypoint = w.labels['gateway.networking.k8s.io/gateway-name'] !== undefined
  const e: Obj = {
    workloadIps: [pod.ip],
    protocol: ambient && !isWaypoint ? 'HBONE' : 'TCP',
    uid: uidOf(pod.namespace, pod.name, mesh.clusterId),
    name: pod.name,
    namespace: pod.namespace,
    trustDomain: mesh.trustDomain,
    serviceAccount: w.serviceAccount,
    workloadName: w.name,
    workloadType: w.kind.toLowerCase(),
    canonicalName: w.labels.app ?? w.name,
    canonicalRevision: w.labels.version ?? 'latest',
    node: pod.node.name,
    status: pod.ready ? 'Healthy' : 'Unhealthy',
    clusterId: mesh.clusterId,
    locality: {region: pod.node.locality.region, zone: pod.node.locality.zone},
  }
  // ztunnel sends the namespace's traffic through its waypoint (ztunnel's dump: the waypoint Service's VIP)
  if (ambient && !isWaypoint) e.waypoint = {destination: `/${WAYPOINT_VIP}`, port: HBONE_PORT}
  return e
}

function serviceEntry(mesh: MeshModel, s: Service, ambient: boolean): Obj {
  const key = `${s.namespace}/${s.hostname}`
  const ports: Obj = {}
  for (const p of s.ports) ports[String(p.port)] = p.targetPort
  const endpoints: Obj = {}
  for (const w of mesh.lookup.workloadsOf(s)) {
    for (const pod of mesh.lookup.pods(w)) {
      const uid = uidOf(pod.namespace, pod.name, mesh.clusterId)
      endpoints[`${uid}:/${pod.ip}`] = {workloadUid: uid, service: key, address: `/${pod.ip}`, port: {...ports}}
    }
  }
  const e: Obj = {name: s.name, namespace: s.namespace, hostname: s.hostname, vips: [`/${s.clusterIP}`], ports, endpoints, subjectAltNames: [], ipFamilies: 'IPv4'}
  if (ambient && s.name !== WAYPOINT_NAME) e.waypoint = {destination: `/${WAYPOINT_VIP}`, port: HBONE_PORT}
  return e
}

const POLICIES = [
  {
    name: 'echo-viewer',
    namespace: AMBIENT_NAMESPACE,
    scope: 'WorkloadSelector',
    action: 'Allow',
    rules: [[[{principals: [{Exact: 'cluster.local/ns/ambient/sa/client'}, {Exact: 'cluster.local/ns/ambient/sa/waypoint'}]}], [{destinationPorts: [8080]}]]],
  },
  {name: 'deny-other-namespaces', namespace: AMBIENT_NAMESPACE, scope: 'Namespace', action: 'Deny', rules: [[[{notNamespaces: [{Exact: 'ambient'}, {Exact: 'istio-system'}]}]]]},
]

/** One certificate as ztunnel lists it: serial in decimal, validity in RFC 3339. */
function certOf(pem: string): Obj {
  const x = new X509Certificate(pem)
  const iso = (s: string): string => new Date(s).toISOString().replace(/\.000Z$/, 'Z')
  return {pem, serialNumber: BigInt(`0x${x.serialNumber}`).toString(10), validFrom: iso(x.validFrom), expirationTime: iso(x.validTo)}
}

/** Certificates renew every 24 h: the current one was issued at the last 6-hour boundary before `now`, minus a minute. */
function validity(now: Date): {notBefore: string; notAfter: string} {
  const from = Math.floor(now.getTime() / 21_600_000) * 21_600_000 - 60_000
  const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
  return {notBefore: iso(from), notAfter: iso(from + 86_400_000)}
}

/**
 * What the ztunnel on `node` answers on `/config_dump`. `meshes[0]` is the base mesh; meshes named `ambient`
 * (./ambient.ts) are captured. Deterministic for a given `now` (only certificate times depend on it).
 */
export function ztunnelConfigDump(meshes: readonly MeshModel[], ztunnels: readonly ZtunnelPodInfo[], node: string, now: Date): Obj {
  const workloads: Obj = {}
  const services: Obj = {}
  const workloadState: Obj = {}
  const certificates: Obj[] = []
  const base = meshes[0]!
  for (const mesh of meshes) {
    const ambient = mesh.name === 'ambient'
    for (const pod of meshPods(mesh)) workloads[`/${pod.ip}`] = workloadEntry(mesh, pod, ambient)
    for (const s of mesh.services) {
      if (s.kind === 'Service' && s.clusterIP !== undefined) services[`/${s.clusterIP}`] = serviceEntry(mesh, s, ambient)
    }
  }
  for (const z of ztunnels) {
    workloads[`/${z.ip}`] = {
      workloadIps: [z.ip],
      protocol: 'TCP',
      uid: uidOf(z.namespace, z.name, base.clusterId),
      name: z.name,
      namespace: z.namespace,
      trustDomain: base.trustDomain,
      serviceAccount: 'ztunnel',
      workloadName: 'ztunnel',
      workloadType: 'daemonset',
      canonicalName: 'ztunnel',
      canonicalRevision: 'latest',
      node: z.node,
      status: 'Healthy',
      clusterId: base.clusterId,
    }
  }
  const ambientMeshes = meshes.filter((m) => m.name === 'ambient')
  const identities = new Set<string>()
  for (const mesh of ambientMeshes) {
    const pods = meshPods(mesh)
    const waypoint = pods.find((p) => p.workload.name === WAYPOINT_NAME)
    const echo = pods.filter((p) => p.workload.labels.app === 'echo')
    const clientPod = pods.find((p) => p.workload.labels.app === 'client')
    for (const pod of pods) {
      if (pod.node.name !== node || pod.workload.proxy !== 'none') continue
      identities.add(`${pod.namespace}/${pod.workload.serviceAccount}`)
      const port = (key: string): number => 32768 + (hash32(`${pod.name}/${key}`) % 28000)
      const inbound: Obj[] = []
      const outbound: Obj[] = []
      if (pod === clientPod && waypoint) {
        // client -> echo's VIP, sent to the waypoint over HBONE
        outbound.push({src: `${pod.ip}:${port('o1')}`, originalDst: '10.96.40.10:8080', actualDst: `${waypoint.ip}:${HBONE_PORT}`, protocol: 'HBONE'})
        outbound.push({src: `${pod.ip}:${port('o2')}`, originalDst: '10.96.40.10:8080', actualDst: `${waypoint.ip}:${HBONE_PORT}`, protocol: 'HBONE'})
      }
      if (echo.includes(pod) && waypoint) {
        // the waypoint forwards to the chosen echo pod
        inbound.push({src: `${waypoint.ip}:${port('i1')}`, originalDst: serviceFqdn('echo', mesh.namespaces.at(0).name), actualDst: `${pod.ip}:8080`, protocol: 'HBONE'})
      }
      workloadState[uidOf(pod.namespace, pod.name, mesh.clusterId)] = {
        state: 'Up',
        connections: {inbound, outbound},
        info: {name: pod.name, namespace: pod.namespace, serviceAccount: pod.workload.serviceAccount, trustDomain: ''},
      }
    }
  }
  const v = validity(now)
  for (const id of [...identities].sort()) {
    const [namespace, sa] = id.split('/') as [string, string]
    const pems = workloadCertChainPem(base.trustDomain, namespace, sa, v)
      .split(/(?<=-----END CERTIFICATE-----\n)/)
      .filter((p) => p.includes('BEGIN'))
    const [leaf, ...rest] = pems
    certificates.push({identity: `spiffe://${base.trustDomain}/ns/${namespace}/sa/${sa}`, state: 'Available', certChain: leaf ? [certOf(leaf)] : [], rootCerts: rest.map(certOf)})
  }
  return {workloads, services, policies: ambientMeshes.length > 0 ? POLICIES : [], certificates, workloadState, config: {proxyMode: 'Shared', adminAddr: 'localhost:15000'}}
}
