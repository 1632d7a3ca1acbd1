/**
 * `dashboard controlz` and `dashboard istiod-debug` (docs/istioctl-behaviour.md §12.4): an istiod pod chosen by
 * name, `-l` (with `app=istiod` added, as istioctl appends `, app=istiod`) or `-r` (`istio.io/rev=<r>,app=istiod`),
 * searched in the istio namespace (`-i`); then the same forward, URL and browser as `dashboard envoy`.
 * - controlz: ControlZ, istiod's introspection UI, on `--ctrlz_port` (default 9876);
 * - istiod-debug: the "Pilot Debug Console" at `/debug` on the monitoring port (the pod's `prometheus.io/port`
 *   annotation, else 15014).
 * istioctl ≥ 1.28 opens the first istiod of the revision whatever name or selector was given; meshctl opens the pod
 * that was named or selected.
 */
import {ClusterError, isMeshctlError, UsageError} from '../errors/index.js'
import type {KubeApi} from '../kube/api.js'
import {listPods, type Pod, resolveTarget} from '../kube/pods.js'
import {parseTarget} from '../kube/refs.js'
import {type DashboardIo, serveDashboard} from './cli.js'

export interface IstiodChoice {
  name?: string
  selector?: string
  revision?: string
}

/** istioctl's checks: exactly one of a name, --selector, --revision. */
export function checkIstiodChoice(c: IstiodChoice): void {
  const given = [c.name, c.selector, c.revision].filter((v) => v !== undefined && v !== '').length
  if (given === 0) throw new UsageError('specify a pod, --selector, or --revision')
  if (given > 1) throw new UsageError('only one of name, --selector, or --revision can be specified')
}

/** The selector istioctl lists with: the user's (or the revision's) plus `app=istiod`. */
export function istiodSelector(c: IstiodChoice): string {
  return c.revision ? `istio.io/rev=${c.revision},app=istiod` : `${c.selector},app=istiod`
}

export async function chooseIstiodPod(api: KubeApi, c: IstiodChoice, istioNamespace: string, warn: (m: string) => void): Promise<Pod> {
  checkIstiodChoice(c)
  if (c.name) return resolveTarget(api, parseTarget(c.name, istioNamespace))
  const selector = istiodSelector(c)
  let pods: Pod[]
  try {
    pods = await listPods(api, istioNamespace, selector)
  } catch (err) {
    if (!isMeshctlError(err)) throw err
    throw new ClusterError(`not able to locate pod with selector ${selector}: ${err.message}`, {code: err.code, hint: err.hint, cause: err})
  }
  if (pods.length === 0) {
    throw new ClusterError(`no pods found with selector ${selector} in namespace ${istioNamespace}`, {code: 'E_NOT_FOUND', hint: 'check -l/-r and -i/--istio-namespace'})
  }
  if (pods.length > 1) warn(`more than 1 pods fits selector: ${selector}; will use pod: ${pods[0]!.metadata.name}`)
  return pods[0]!
}

export interface IstiodDashboardFlags extends IstiodChoice {
  kubeconfig?: string
  context?: string
  'istio-namespace': string
  timeout: number
  port: number
  address: string
  browser: boolean
  /** controlz: ControlZ's port in the pod */
  'ctrlz_port'?: number
}

export async function runIstiodDashboard(kind: 'controlz' | 'istiod-debug', flags: IstiodDashboardFlags, io?: DashboardIo): Promise<void> {
  checkIstiodChoice(flags)
  const {parseListenAddress} = await import('./listen.js')
  const address = parseListenAddress(flags.address)
  const {KubeApi} = await import('../kube/api.js')
  const api = await KubeApi.open({kubeconfig: flags.kubeconfig, context: flags.context, timeoutMs: flags.timeout})
  const err = (t: string): void => (io ? io.err(t) : void process.stderr.write(t))
  const pod = await chooseIstiodPod(api, flags, flags['istio-namespace'], (m) => err(`Warning: ${m}\n`))
  if (kind === 'controlz') {
    const uiPort = flags.ctrlz_port ?? 9876
    await serveDashboard(api, pod, {uiPort, path: '', container: '', what: "istiod's ControlZ", canChange: 'change its logging levels', address, port: flags.port, browser: flags.browser}, io)
    return
  }
  const {monitoringPort} = await import('../istiod/live.js')
  await serveDashboard(api, pod, {uiPort: monitoringPort(pod), path: '/debug', container: '', what: "istiod's debug endpoints", canChange: 'read the whole mesh config and push to every proxy', address, port: flags.port, browser: flags.browser}, io)
}
