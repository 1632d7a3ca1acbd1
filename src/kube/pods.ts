/** Finding the pods a command targets: one pod, a workload's best pod, or every pod matching -l. */
import {ClusterError, InputError, ProxyError, UsageError} from '../errors/index.js'
import type {KubeApi} from './api.js'
import {checkLabelSelector, type TargetRef, type WorkloadKind} from './refs.js'

export interface Pod {
  metadata: {name: string; namespace: string; labels?: Record<string, string>; creationTimestamp?: string; deletionTimestamp?: string}
  spec?: {nodeName?: string; containers?: Array<{name: string}>; initContainers?: Array<{name: string; restartPolicy?: string}>}
  status?: {
    phase?: string
    reason?: string
    conditions?: Array<{type: string; status: string}>
    containerStatuses?: Array<{name: string; ready?: boolean; state?: {waiting?: {reason?: string}}}>
  }
}

interface LabelSelector {
  matchLabels?: Record<string, string>
  matchExpressions?: Array<{key: string; operator: string; values?: string[]}>
}

const API_PATH: Record<Exclude<WorkloadKind, 'pod'>, string> = {
  deployment: '/apis/apps/v1/namespaces/%ns/deployments/%name',
  replicaset: '/apis/apps/v1/namespaces/%ns/replicasets/%name',
  statefulset: '/apis/apps/v1/namespaces/%ns/statefulsets/%name',
  daemonset: '/apis/apps/v1/namespaces/%ns/daemonsets/%name',
  service: '/api/v1/namespaces/%ns/services/%name',
  job: '/apis/batch/v1/namespaces/%ns/jobs/%name',
}

const enc = encodeURIComponent

export const podId = (p: Pod): string => `${p.metadata.name}.${p.metadata.namespace}`

/** istioctl's ztunnel test (istioctl/pkg/util/ambient): label `app` decides when present, else the name's `ztunnel` prefix. */
export function isZtunnelPod(pod: Pod): boolean {
  const app = pod.metadata.labels?.app
  return app !== undefined ? app === 'ztunnel' : pod.metadata.name.startsWith('ztunnel')
}

/** An Envoy command (pc, trace, check, diff) on a ztunnel pod: one clear line pointing at `zc` (exit 3: the proxy holds no Envoy config). */
export function checkNotZtunnel(pod: Pod): void {
  if (!isZtunnelPod(pod)) return
  const id = podId(pod)
  throw new InputError(`pod ${id} is a ztunnel (ambient mode), not an Envoy proxy`, {
    code: 'E_ZTUNNEL_POD',
    hint: `use meshctl zc all ${id} (or zc workloads, services, policies, certificates, connections)`,
  })
}

/** A label selector as the `labelSelector` query parameter. */
export function selectorString(sel: LabelSelector | Record<string, string> | undefined): string {
  if (!sel) return ''
  const s = sel as LabelSelector
  const isSpec = s.matchLabels !== undefined || s.matchExpressions !== undefined
  const labels = isSpec ? (s.matchLabels ?? {}) : (sel as Record<string, string>)
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`)
  for (const e of isSpec ? (s.matchExpressions ?? []) : []) {
    const values = (e.values ?? []).join(',')
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`)
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`)
    else if (e.operator === 'Exists') parts.push(e.key)
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`)
  }
  return parts.join(',')
}

export async function getPod(api: KubeApi, namespace: string, name: string): Promise<Pod> {
  return api.get<Pod>(`/api/v1/namespaces/${enc(namespace)}/pods/${enc(name)}`, `getting pod ${name}.${namespace}`)
}

export async function listPods(api: KubeApi, namespace: string | undefined, selector: string): Promise<Pod[]> {
  const base = namespace ? `/api/v1/namespaces/${enc(namespace)}/pods` : '/api/v1/pods'
  if (selector) checkLabelSelector(selector)
  const q = selector ? `?labelSelector=${enc(selector)}` : ''
  const list = await api.get<{items?: Pod[]}>(`${base}${q}`, `listing pods${selector ? ` with selector ${selector}` : ''}`)
  return list.items ?? []
}

const isReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false
const PHASE_RANK: Record<string, number> = {Running: 3, Unknown: 2, Pending: 1}

/** kubectl's preference when one pod must stand for a workload: scheduled, running, ready, then the newest. */
export function pickPod(pods: Pod[]): Pod | undefined {
  const live = pods.filter((p) => !p.metadata.deletionTimestamp)
  const ranked = (live.length ? live : pods).slice().sort((a, b) => {
    const sa = a.spec?.nodeName ? 1 : 0
    const sb = b.spec?.nodeName ? 1 : 0
    if (sa !== sb) return sb - sa
    const pa = PHASE_RANK[a.status?.phase ?? ''] ?? 0
    const pb = PHASE_RANK[b.status?.phase ?? ''] ?? 0
    if (pa !== pb) return pb - pa
    const ra = isReady(a) ? 1 : 0
    const rb = isReady(b) ? 1 : 0
    if (ra !== rb) return rb - ra
    return (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '')
  })
  return ranked[0]
}

/**
 * Every pod a reference names: the pod itself, or all pods of the workload's selector in its namespace, in the
 * API server's list order and without a readiness filter (istioctl's rule for `pc log`, §2.1).
 */
export async function resolveTargets(api: KubeApi, ref: TargetRef): Promise<Pod[]> {
  if (ref.kind === 'pod') return [await resolveTarget(api, ref)]
  const {selector, pods} = await workloadPods(api, ref)
  if (pods.length === 0) throw new ClusterError(`no pods match "${ref.text}" (selector ${selector} in namespace ${ref.namespace})`, {code: 'E_NOT_FOUND'})
  return pods
}

async function workloadPods(api: KubeApi, ref: TargetRef): Promise<{selector: string; pods: Pod[]}> {
  const path = API_PATH[ref.kind as Exclude<WorkloadKind, 'pod'>].replace('%ns', enc(ref.namespace)).replace('%name', enc(ref.name))
  let obj: {spec?: {selector?: LabelSelector | Record<string, string>}}
  try {
    obj = await api.get(path, `getting ${ref.kind} ${ref.name}.${ref.namespace}`)
  } catch (err) {
    if (err instanceof ClusterError && err.code === 'E_NOT_FOUND') {
      throw new ClusterError(`${ref.kind} "${ref.name}" not found in namespace "${ref.namespace}"`, {code: 'E_NOT_FOUND', hint: 'check the name and -n'})
    }
    throw err
  }
  const selector = selectorString(obj.spec?.selector)
  if (selector === '') throw new UsageError(`"${ref.text}" does not refer to a pod: the ${ref.kind} has no pod selector`)
  return {selector, pods: await listPods(api, ref.namespace, selector)}
}

/** The one pod a reference names. */
export async function resolveTarget(api: KubeApi, ref: TargetRef): Promise<Pod> {
  if (ref.kind === 'pod') {
    try {
      return await getPod(api, ref.namespace, ref.name)
    } catch (err) {
      if (err instanceof ClusterError && err.code === 'E_NOT_FOUND') {
        throw new ClusterError(`pod "${ref.name}" not found in namespace "${ref.namespace}"`, {
          code: 'E_NOT_FOUND',
          hint: `check the name and -n (context "${api.context}")`,
        })
      }
      throw err
    }
  }
  const {selector, pods} = await workloadPods(api, ref)
  const pod = pickPod(pods)
  if (!pod) throw new ClusterError(`no pods match "${ref.text}" (selector ${selector} in namespace ${ref.namespace})`, {code: 'E_NOT_FOUND'})
  return pod
}

/** Checks made before any stream is opened, so failures say what is wrong with the pod. */
export function checkPodReachable(pod: Pod, container: string): void {
  const id = podId(pod)
  const phase = pod.status?.phase ?? 'Unknown'
  if (phase !== 'Running') {
    const why = pod.status?.containerStatuses?.find((c) => c.state?.waiting?.reason)?.state?.waiting?.reason ?? pod.status?.reason
    throw new ClusterError(`pod ${id} is not running (phase ${phase}${why ? `, ${why}` : ''})`, {
      code: 'E_POD_NOT_RUNNING',
      hint: `see kubectl describe pod ${pod.metadata.name} -n ${pod.metadata.namespace}`,
    })
  }
  const names = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')].map((c) => c.name)
  if (!names.includes(container)) {
    throw new ProxyError(`pod ${id} has no ${container} container (it has: ${names.join(', ') || 'none'})`, {
      code: 'E_NO_SIDECAR',
      hint: container === 'istio-proxy' ? 'is it injected with an Envoy sidecar? for another proxy container use --container' : 'pick one of those with --container',
    })
  }
}
