/**
 * The pods that run an Envoy (injected sidecars and gateway "routers"), described the way a test, the
 * sandbox cluster emulator, or istioctl's pod resolution needs them.
 */
import {GenError} from './errors.js'
import type {Locality, MeshModel, Pod, Workload} from './model.js'
import {CLUSTER_DOMAIN} from './model.js'
import {hexFrom} from './prng.js'

export interface ContainerInfo {
  name: string
  image: string
  ready: boolean
}

export interface ProxyInfo {
  pod: string
  namespace: string
  kind: 'sidecar' | 'router'
  ip: string
  labels: Readonly<Record<string, string>>
  /** `app` label (or the workload name) */
  app: string
  /** `version` label, or '' */
  version: string
  node: string
  nodeIP: string
  locality: Locality
  istioVersion: string
  /** owning workload: Deployment or StatefulSet name */
  workloadKind: 'Deployment' | 'StatefulSet'
  workload: string
  /** the ReplicaSet (`productpage-v1-7d6f4b8c5d`) for Deployments, undefined for StatefulSets */
  replicaSet?: string
  serviceAccount: string
  ready: boolean
  phase: 'Running'
  /** app container first, then istio-proxy (gateways have only istio-proxy) */
  containers: readonly ContainerInfo[]
  /** Envoy node id: `sidecar~10.244.1.14~details-v1-…-….default~default.svc.cluster.local` */
  nodeId: string
  /** Envoy node cluster (`<app>.<namespace>`) */
  serviceCluster: string
}

export function proxyInfo(mesh: MeshModel, pod: Pod): ProxyInfo {
  const w = pod.workload
  if (w.proxy === 'none') throw new GenError(`pod ${pod.name}.${pod.namespace} has no Envoy proxy`)
  const kind = w.proxy
  const app = w.labels['app'] ?? w.name
  const containers: ContainerInfo[] = []
  if (w.container) containers.push({name: w.container.name, image: w.container.image, ready: pod.ready})
  containers.push({name: 'istio-proxy', image: `docker.io/istio/proxyv2:${mesh.istio.version}`, ready: pod.ready})
  return {
    pod: pod.name,
    namespace: pod.namespace,
    kind,
    ip: pod.ip,
    labels: pod.labels,
    app,
    version: w.labels['version'] ?? '',
    node: pod.node.name,
    nodeIP: pod.node.ip,
    locality: pod.node.locality,
    istioVersion: mesh.istio.version,
    workloadKind: w.kind,
    workload: w.name,
    replicaSet: pod.replicaSet,
    serviceAccount: w.serviceAccount,
    ready: pod.ready,
    phase: 'Running',
    containers,
    nodeId: `${kind}~${pod.ip}~${pod.name}.${pod.namespace}~${pod.namespace}.${CLUSTER_DOMAIN}`,
    serviceCluster: `${app}.${pod.namespace}`,
  }
}

/** Every pod with an Envoy, in workload order (then replica ordinal). */
export function proxies(mesh: MeshModel): ProxyInfo[] {
  const out: ProxyInfo[] = []
  for (const w of mesh.workloads) {
    if (w.proxy === 'none') continue
    for (const pod of mesh.lookup.pods(w)) out.push(proxyInfo(mesh, pod))
  }
  return out
}

/** Lazily iterates the proxies (for meshes with 100k+ pods). */
export function* iterateProxies(mesh: MeshModel): Generator<ProxyInfo> {
  for (const w of mesh.workloads) {
    if (w.proxy === 'none') continue
    for (const pod of mesh.lookup.pods(w)) yield proxyInfo(mesh, pod)
  }
}

/**
 * Finds a pod by istioctl-style reference: `<pod>.<namespace>`, or `<pod>` (then `defaultNamespace`, or the
 * only pod of that name in any namespace). Pod names encode their workload (`<deployment>-<rs hash>-<id>`
 * or `<statefulset>-<ordinal>`), so this does not scan the mesh.
 */
export function findPod(mesh: MeshModel, ref: string, defaultNamespace?: string): Pod | undefined {
  const candidates: [string, string][] = []
  const dot = ref.indexOf('.')
  if (dot > 0) candidates.push([ref.slice(0, dot), ref.slice(dot + 1)])
  else if (defaultNamespace) candidates.push([ref, defaultNamespace])
  else for (const ns of mesh.namespaces) candidates.push([ref, ns.name])
  for (const [name, ns] of candidates) {
    const pod = podByName(mesh, ns, name)
    if (pod) return pod
  }
  return undefined
}

function podByName(mesh: MeshModel, namespace: string, name: string): Pod | undefined {
  const parts = name.split('-')
  // Deployment pods: strip `-<rs hash>-<pod id>`; StatefulSet pods: strip `-<ordinal>`
  const guesses: [string, number][] = []
  if (parts.length >= 3) guesses.push([parts.slice(0, -2).join('-'), -1])
  if (parts.length >= 2 && /^\d+$/.test(parts[parts.length - 1])) guesses.push([parts.slice(0, -1).join('-'), Number(parts[parts.length - 1])])
  for (const [wname, ordinal] of guesses) {
    const w: Workload | undefined = mesh.lookup.workloadByName(namespace, wname)
    if (!w) continue
    const pods = mesh.lookup.pods(w)
    if (ordinal >= 0) {
      if (pods[ordinal]?.name === name) return pods[ordinal]
      continue
    }
    const p = pods.find((x) => x.name === name)
    if (p) return p
  }
  return undefined
}

/** Resolves a proxy reference (a ProxyInfo, or `<pod>[.<namespace>]`) to its pod; throws GenError if none. */
export function resolveProxy(mesh: MeshModel, proxy: string | ProxyInfo): Pod {
  const ref = typeof proxy === 'string' ? proxy : `${proxy.pod}.${proxy.namespace}`
  const pod = findPod(mesh, ref)
  if (!pod) throw new GenError(`no pod "${ref}" in mesh ${mesh.name} (use --list to see the proxies)`)
  if (pod.workload.proxy === 'none') throw new GenError(`pod ${pod.name}.${pod.namespace} has no Envoy proxy (not injected)`)
  return pod
}

/** The istio-proxy container id, for realism in pod status. */
export function proxyContainerId(p: ProxyInfo): string {
  return `containerd://${hexFrom(`cid/${p.namespace}/${p.pod}`, 32)}`
}
