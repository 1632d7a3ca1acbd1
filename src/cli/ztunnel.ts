/**
 * The shared body of the `ztunnel-config` (`zc`) commands (docs/istioctl-behaviour.md §11): pick the dump (a
 * saved file, or the `/config_dump` of a ztunnel pod chosen as istioctl does), decode, build the view, print.
 */
import {asError, ClusterError, InputError, isMeshctlError, type MeshctlError, ProxyError, UsageError} from '../errors/index.js'
import type {KubeApi} from '../kube/api.js'
import {isZtunnelPod, type Pod} from '../kube/pods.js'
import type {CompiledQuery} from '../output/query.js'
import type {OutputFormat} from '../output/render.js'
import type {ViewResult} from '../views/types.js'
import {parseZtunnelDump, type ZtunnelDump} from '../ztunnel/dump.js'
import {renderResult, writeStdout} from './print.js'

/** How every zc command reaches a ztunnel (or reads a saved dump). */
interface ZtunnelAccessFlags {
  file?: string
  node?: string
  'proxy-admin-port': number
  kubeconfig?: string
  context?: string
  namespace?: string
  'istio-namespace': string
  timeout: number
}

export interface ZtunnelFlagValues extends ZtunnelAccessFlags {
  output: OutputFormat
  query?: CompiledQuery
  color?: boolean
}

/** A workload pod given instead of a ztunnel: the views narrow their rows to it. */
export interface TargetWorkload {
  name: string
  namespace: string
}

export interface ZtunnelViewSpec {
  /** `certificate` and `connections` need to know which ztunnel: without a pod or --node, exactly one must run */
  needsOneZtunnel?: boolean
  build: (dump: ZtunnelDump, ctx: {target?: TargetWorkload; raw: () => string; now: number}) => ViewResult
}

const DAEMONSET = 'ztunnel'

export {isZtunnelPod} from '../kube/pods.js'

/** Arguments checked before anything is read (istioctl's order): --file, --node and a pod exclude each other. */
export function checkZtunnelArgs(pod: string | undefined, flags: {file?: string; node?: string}): void {
  const given = [pod !== undefined, flags.file !== undefined, flags.node !== undefined].filter(Boolean).length
  if (given > 1) throw new UsageError('at most one of --file, --node, or pod name must be passed')
}

const enc = encodeURIComponent

async function openApi(flags: ZtunnelFlagValues): Promise<KubeApi> {
  const {KubeApi} = await import('../kube/api.js')
  // a reference without a namespace is looked up in -n, else in the istio namespace (not the context's)
  return KubeApi.open({kubeconfig: flags.kubeconfig, context: flags.context, namespace: flags.namespace ?? flags['istio-namespace'], timeoutMs: flags.timeout})
}

/** The pods of the ztunnel DaemonSet (on one node when given), in kubectl's first-pod order. */
async function ztunnelPods(api: KubeApi, istioNamespace: string, node?: string): Promise<Pod[]> {
  const {pickPod, selectorString} = await import('../kube/pods.js')
  let ds: {spec?: {selector?: {matchLabels?: Record<string, string>}}}
  try {
    ds = await api.get(`/apis/apps/v1/namespaces/${enc(istioNamespace)}/daemonsets/${DAEMONSET}`, `getting daemonset ${DAEMONSET}.${istioNamespace}`)
  } catch (err) {
    if (err instanceof ClusterError && err.code === 'E_NOT_FOUND') {
      throw new ClusterError(`daemonsets.apps "${DAEMONSET}" not found in namespace "${istioNamespace}"`, {
        code: 'E_NOT_FOUND',
        hint: 'is ambient mode installed? the istio namespace is set with -i/--istio-namespace',
      })
    }
    throw err
  }
  const selector = selectorString({matchLabels: ds.spec?.selector?.matchLabels ?? {}})
  if (selector === '') throw new ClusterError(`daemonset ${DAEMONSET}.${istioNamespace} has no pod selector`, {code: 'E_SELECTOR', hint: 'selector is required'})
  const field = node !== undefined ? `&fieldSelector=${enc(`spec.nodeName=${node}`)}` : ''
  const list = await api.get<{items?: Pod[]}>(`/api/v1/namespaces/${enc(istioNamespace)}/pods?labelSelector=${enc(selector)}${field}`, `listing ztunnel pods`)
  const pods = list.items ?? []
  const first = pickPod(pods)
  return first ? [first, ...pods.filter((p) => p !== first)] : []
}

async function ztunnelOnNode(api: KubeApi, istioNamespace: string, node: string): Promise<Pod> {
  const [pod] = await ztunnelPods(api, istioNamespace, node)
  if (!pod) throw new ClusterError(`no ztunnel pod found on node ${node}`, {code: 'E_NOT_FOUND', hint: `check the node name (kubectl get pods -n ${istioNamespace} -o wide)`})
  return pod
}

/**
 * The ztunnel a command talks to (§11.2): the one on --node; the pod given (a ztunnel, or a workload pod whose
 * node's ztunnel is used and which becomes the target); else the DaemonSet's first pod.
 */
export async function chooseZtunnel(
  api: KubeApi,
  pod: string | undefined,
  flags: {node?: string; 'istio-namespace': string},
  needsOne: boolean,
): Promise<{ztunnel: Pod; target?: TargetWorkload}> {
  const istioNs = flags['istio-namespace']
  if (flags.node !== undefined) return {ztunnel: await ztunnelOnNode(api, istioNs, flags.node)}
  const {podId, resolveTarget} = await import('../kube/pods.js')
  if (pod === undefined) {
    const pods = await ztunnelPods(api, istioNs)
    if (needsOne && pods.length !== 1) {
      throw new UsageError('ztunnel pod name or --node must be set', {
        hint: `${pods.length} ztunnel pods run in ${istioNs}; name one, give --node, or give a workload pod to use its node's ztunnel`,
      })
    }
    if (pods.length === 0) throw new ClusterError(`no ztunnel pods found in namespace "${istioNs}"`, {code: 'E_NOT_FOUND', hint: 'is ambient mode installed?'})
    return {ztunnel: pods[0]!}
  }
  const {parseTarget} = await import('../kube/refs.js')
  const found = await resolveTarget(api, parseTarget(pod, api.namespace))
  if (isZtunnelPod(found)) return {ztunnel: found}
  // a workload pod: the ztunnel on its node serves it (istioctl ≥ 1.30)
  const node = found.spec?.nodeName
  if (!node) throw new ClusterError(`pod ${podId(found)} is not scheduled to a node`, {code: 'E_POD_NOT_RUNNING'})
  try {
    return {ztunnel: await ztunnelOnNode(api, istioNs, node), target: {name: found.metadata.name, namespace: found.metadata.namespace}}
  } catch (err) {
    if (isMeshctlError(err)) throw new ClusterError(`failed to find ztunnel on node ${node} for pod ${podId(found)}: ${err.message}`, {code: err.code, hint: err.hint})
    throw err
  }
}

function checkRunning(pod: Pod, id: string): void {
  const phase = pod.status?.phase ?? 'Unknown'
  if (phase !== 'Running') {
    throw new ClusterError(`ztunnel pod ${id} is not running (phase ${phase})`, {code: 'E_POD_NOT_RUNNING', hint: `see kubectl describe pod ${pod.metadata.name} -n ${pod.metadata.namespace}`})
  }
}

/** One request to the ztunnel's admin port over a port-forward; a non-200 answer is a ProxyError. */
export async function ztunnelAdmin(api: KubeApi, pod: Pod, port: number, method: 'GET' | 'POST', path: string): Promise<Buffer> {
  const {portForwardRequest} = await import('../kube/transport.js')
  const {podId} = await import('../kube/pods.js')
  const id = podId(pod)
  checkRunning(pod, id)
  const res = await portForwardRequest(api, pod.metadata.namespace, pod.metadata.name, port, method, path)
  if (res.status !== 200) {
    const first = res.body.toString('utf8').trim().split('\n')[0]?.slice(0, 200) ?? ''
    throw new ProxyError(`ztunnel admin on ${id}:${port} answered ${res.status} for ${method} /${path}${first ? `: ${first}` : ''}`, {code: 'E_ADMIN'})
  }
  return res.body
}

export async function runZtunnelView(pod: string | undefined, flags: ZtunnelFlagValues, spec: ZtunnelViewSpec): Promise<void> {
  checkZtunnelArgs(pod, flags)
  let bytes: Uint8Array
  let source: string
  let target: TargetWorkload | undefined
  if (flags.file !== undefined) {
    const {readInput} = await import('../sources/file.js')
    const input = await readInput(flags.file)
    bytes = input.bytes
    source = input.source
  } else {
    const api = await openApi(flags)
    const chosen = await chooseZtunnel(api, pod, flags, spec.needsOneZtunnel ?? false)
    target = chosen.target
    const {podId} = await import('../kube/pods.js')
    source = `ztunnel ${podId(chosen.ztunnel)}`
    bytes = await ztunnelAdmin(api, chosen.ztunnel, flags['proxy-admin-port'], 'GET', 'config_dump')
  }
  const dump = parseZtunnelDump(bytes, source)
  // `all -o json` prints the bytes as they came plus a newline, as istioctl (ztunnel's answer has no final newline)
  const raw = (): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8').replace(/^\uFEFF/, '')
  const result = spec.build(dump, {target, raw, now: Date.now()})
  let out: string
  try {
    out = await renderResult(result, {format: flags.output, query: flags.query, color: flags.color})
  } catch (err) {
    // JSON, YAML and JMESPath walk values recursively: a value nested thousands deep (an authorization policy's
    // `Presence` is any JSON) exhausts the stack; that is the input's doing, not a bug
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      throw new InputError(`${source}: a value is nested too deeply to print as ${flags.query ? 'a query result' : flags.output.toUpperCase()}`, {
        code: 'E_TOO_DEEP',
        hint: 'the table (-o short) still shows it',
      })
    }
    throw err
  }
  await writeStdout(out)
}

export interface ZtunnelLogFlags extends ZtunnelAccessFlags {
  level?: string
  reset?: boolean
  output?: string
}

/**
 * `zc log`: one `POST /logging?level=...` per ztunnel (the pod given, else every pod of the DaemonSet), printing
 * `<pod>.<namespace>:` and ztunnel's answer for each. A pod that fails is reported on stderr after the others'
 * output (istioctl reports only the last failure; meshctl names every one) and sets the exit code.
 */
export async function runZtunnelLog(pod: string | undefined, flags: ZtunnelLogFlags): Promise<void> {
  checkZtunnelArgs(pod, flags)
  const {ztunnelLogOutput, ztunnelLogRequest} = await import('../ztunnel/log.js')
  const query = ztunnelLogRequest(flags)
  // istioctl accepts and ignores --file here; meshctl says why it cannot apply
  if (flags.file !== undefined) throw new UsageError('--file does not apply to zc log: it reads and changes the log levels of a running ztunnel', {hint: 'give a ztunnel pod, --node, or nothing for every ztunnel'})
  const api = await openApi({...flags, output: 'short'})
  const {podId, resolveTarget} = await import('../kube/pods.js')
  let pods: Pod[]
  if (pod !== undefined) {
    const {parseTarget} = await import('../kube/refs.js')
    const found = await resolveTarget(api, parseTarget(pod, api.namespace))
    if (!isZtunnelPod(found)) {
      throw new InputError(`workloads command is only supported by Ztunnel proxies: ${found.metadata.name}`, {
        code: 'E_NOT_ZTUNNEL',
        hint: 'give a ztunnel pod, or none for every ztunnel; an Envoy proxy\'s log levels are pc log\'s',
      })
    }
    pods = [found]
  } else if (flags.node !== undefined) {
    // istioctl ignores --node for log; meshctl uses it as the other subcommands do
    pods = [await ztunnelOnNode(api, flags['istio-namespace'], flags.node)]
  } else {
    pods = await ztunnelPods(api, flags['istio-namespace'])
  }
  if (flags.reset) process.stderr.write('Warning: log level reset; using default value "info" for Ztunnel\n')
  const failures: Array<{id: string; err: MeshctlError | Error}> = []
  for (const p of pods) {
    const id = podId(p)
    try {
      const body = await ztunnelAdmin(api, p, flags['proxy-admin-port'], 'POST', `logging?${query}`)
      await writeStdout(ztunnelLogOutput(id, body.toString('utf8')))
    } catch (err) {
      failures.push({id, err: asError(err)})
    }
  }
  if (failures.length === 0) return
  if (pods.length === 1) throw failures[0]!.err
  for (const {id, err} of failures) process.stderr.write(`Error: ${id}: failed to execute command on Ztunnel: ${isMeshctlError(err) ? err.oneLine : err.message}\n`)
  const first = failures[0]!.err
  process.exitCode = isMeshctlError(first) ? first.exitCode : 1
}
