/**
 * `dashboard envoy` (`dashboard proxy`) without the CLI: choose the one pod (a reference or a -l selector, with
 * istioctl's messages), check it can serve Envoy's admin UI, and start the local forward (./forward.ts).
 *
 * ```ts
 * const api = await KubeApi.open({timeoutMs: 30_000})
 * const pod = await choosePod(api, {name: 'deploy/productpage-v1.bookinfo'})
 * const dash = await startEnvoyDashboard(api, pod, {uiPort: 15000, ports: [0]})
 * // dash.url = http://localhost:<port> serves Envoy's admin home page
 * await dash.close()
 * ```
 */
import {ClusterError, isMeshctlError, ProxyError, UsageError} from '../errors/index.js'
import type {KubeApi} from '../kube/api.js'
import {checkPodReachable, listPods, type Pod, resolveTarget} from '../kube/pods.js'
import {parseTarget} from '../kube/refs.js'
import {portForwardRequest} from '../kube/transport.js'
import {type ForwardHandle, forwardError, startForward} from './forward.js'
import type {ListenAddress} from './listen.js'

export interface PodChoice {
  /** `[<type>/]<name>[.<namespace>]` */
  name?: string
  /** -l */
  selector?: string
}

/** istioctl's argument rules: exactly one of a name or a selector. */
export function checkPodChoice(choice: PodChoice): void {
  const hasName = choice.name !== undefined && choice.name !== ''
  const hasSelector = choice.selector !== undefined && choice.selector !== ''
  if (!hasName && !hasSelector) throw new UsageError('specify a pod or --selector')
  if (hasName && hasSelector) throw new UsageError('name cannot be provided when a selector is specified')
}

/** The pod to forward to. With a selector matching several pods, the first is used and `warn` says so. */
export async function choosePod(api: KubeApi, choice: PodChoice, warn: (message: string) => void = () => {}): Promise<Pod> {
  checkPodChoice(choice)
  if (choice.name) return resolveTarget(api, parseTarget(choice.name, api.namespace))
  const selector = choice.selector!
  let pods: Pod[]
  try {
    pods = await listPods(api, api.namespace, selector)
  } catch (err) {
    if (!isMeshctlError(err)) throw err
    throw new ClusterError(`not able to locate pod with selector ${selector}: ${err.message}`, {code: err.code, hint: err.hint, cause: err})
  }
  if (pods.length === 0) {
    throw new ClusterError(`no pods found with selector ${selector} in namespace ${api.namespace}`, {code: 'E_NOT_FOUND', hint: 'check the labels and -n'})
  }
  if (pods.length > 1) warn(`more than 1 pods fits selector: ${selector}; will use pod: ${pods[0].metadata.name}`)
  return pods[0]
}

export interface EnvoyDashboardOptions {
  /** Envoy's admin port in the pod (--ui-port); default 15000 */
  uiPort?: number
  /** --address; default localhost */
  address?: ListenAddress | string
  /** local ports to try in order (see portPreferences); default: uiPort, then any free port */
  ports?: number[]
  /** the container that must exist in the pod; default istio-proxy; '' skips the check */
  container?: string
  /** ask Envoy for /ready once before listening, so a dead admin port fails now (default true) */
  probe?: boolean
  /** a browser connection could not be forwarded */
  onError?: (err: Error) => void
  halfCloseIdleMs?: number
}

/** One admin request through a port-forward: fails with a clear error when nothing answers on the port. */
export async function probeAdmin(api: KubeApi, pod: Pod, port: number): Promise<void> {
  const {name, namespace} = pod.metadata
  try {
    // any HTTP answer will do (503 while Envoy starts or drains still means the UI is there)
    await portForwardRequest(api, namespace, name, port, 'GET', 'ready')
  } catch (err) {
    if (err instanceof ProxyError && err.code === 'E_ADMIN_PORT') {
      const text = /connection refused/.test(err.message) ? 'connection refused' : err.message.replace(/^port-forward to \S+ failed: /, '')
      throw forwardError(text, {name, namespace, port})
    }
    throw err
  }
}

/** Checks the pod, then listens locally; each connection is forwarded to the pod's admin port. */
export async function startEnvoyDashboard(api: KubeApi, pod: Pod, opts: EnvoyDashboardOptions = {}): Promise<ForwardHandle> {
  const uiPort = opts.uiPort ?? 15000
  const container = opts.container ?? 'istio-proxy'
  try {
    // with no container to look for, only the phase is checked (checkPodReachable checks it first)
    if (container !== '') checkPodReachable(pod, container)
    else if ((pod.status?.phase ?? 'Unknown') !== 'Running') checkPodReachable(pod, '')
  } catch (err) {
    // checkPodReachable's hint points at proxy-config's --container, which this command has not
    if (err instanceof ProxyError && err.code === 'E_NO_SIDECAR') throw new ProxyError(err.message, {code: err.code, hint: 'is it injected with an Envoy sidecar?'})
    throw err
  }
  if (opts.probe ?? true) await probeAdmin(api, pod, uiPort)
  return startForward(api, {name: pod.metadata.name, namespace: pod.metadata.namespace, port: uiPort}, {
    address: opts.address,
    ports: opts.ports ?? [uiPort, 0],
    onError: opts.onError,
    halfCloseIdleMs: opts.halfCloseIdleMs,
  })
}
