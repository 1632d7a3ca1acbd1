/**
 * The body of `pc rootca-compare <a> <b>`: both proxies' secrets (the `pc secret` request), their ROOTCA
 * certificates compared. Match: istioctl's sentence on stdout, exit 0. No match: istioctl's sentence as the error,
 * exit 10 (the command worked and found the condition; 1 would mean a meshctl bug).
 */
import {ExitCode, MeshctlError, UsageError} from '../errors/index.js'
import {rootCaCertificates, rootCaMatchText, rootCaMismatchText, shareRootCa} from '../views/rootca.js'
import {writeStdout} from './print.js'

export interface RootCaFlags {
  kubeconfig?: string
  context?: string
  namespace?: string
  transport: 'port-forward' | 'exec'
  'proxy-admin-port': number
  container: string
  timeout: number
}

export async function runRootCaCompare(refs: string[], flags: RootCaFlags): Promise<void> {
  if (refs.length !== 2) throw new UsageError(`rootca-compare accepts 2 arg(s), received ${refs.length}`, {hint: 'give two pods: rootca-compare <pod-a> <pod-b>'})
  const {KubeApi} = await import('../kube/api.js')
  const {parseTarget} = await import('../kube/refs.js')
  const {checkPodReachable, podId, resolveTarget} = await import('../kube/pods.js')
  const {adminGet} = await import('../kube/admin.js')
  const {adminPath} = await import('../sources/pod.js')
  const {NEEDS} = await import('../sources/types.js')
  const {asConfigDump, parseAdminDocument} = await import('../envoy/document.js')
  const api = await KubeApi.open({kubeconfig: flags.kubeconfig, context: flags.context, namespace: flags.namespace, timeoutMs: flags.timeout})
  const admin = {transport: flags.transport, adminPort: flags['proxy-admin-port'], container: flags.container}
  const roots = await Promise.all(
    refs.map(async (ref) => {
      const pod = await resolveTarget(api, parseTarget(ref, api.namespace))
      checkPodReachable(pod, flags.container)
      const id = podId(pod)
      const dump = asConfigDump(parseAdminDocument(await adminGet(api, pod, adminPath(NEEDS.secrets), admin), id), 'secret')
      return {id, certs: rootCaCertificates(dump, id)}
    }),
  )
  const [a, b] = roots as [(typeof roots)[0], (typeof roots)[0]]
  if (!shareRootCa(a.certs, b.certs)) throw new MeshctlError(rootCaMismatchText(a.id, b.id), ExitCode.CONDITION, {code: 'E_ROOTCA_MISMATCH'})
  await writeStdout(`${rootCaMatchText(a.id, b.id)}\n`)
}
