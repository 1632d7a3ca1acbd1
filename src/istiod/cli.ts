/**
 * The body of `proxy-status`: pick the source (a saved file today; live istiod through the same StatusSource
 * seam later), decode, filter, build the view, print, then apply --fail-on. The command only parses flags.
 */
import {ExitCode, ProxyError} from '../errors/index.js'
import type {CompiledQuery} from '../output/query.js'
import type {OutputFormat} from '../output/render.js'
import {renderResult, writeStdout} from '../cli/print.js'
import {proxyStatusQueryView, proxyStatusView} from '../views/proxy-status.js'
import {decodeStatusDocuments, filterNamespace} from './decode.js'
import {type FailOnCondition, failOnSummary, findOutOfSync} from './fail-on.js'
import type {StatusOutputFormat} from './flags.js'
import {allProxies} from './model.js'
import {fileStatusSource, type StatusSource} from './source.js'

export interface ProxyStatusOptions {
  pod?: string
  file?: string
  output: StatusOutputFormat
  verbosity: number
  namespace?: string
  'istio-namespace': string
  revision?: string
  query?: CompiledQuery
  color?: boolean
  'fail-on'?: FailOnCondition[]
  // live access (as proxy-config)
  kubeconfig?: string
  context?: string
  timeout?: number
  transport?: 'port-forward' | 'exec'
  'proxy-admin-port'?: number
  container?: string
  via?: 'auto' | 'http' | 'xds'
  'xds-address'?: string
  'xds-port'?: number
  plaintext?: boolean
}

export interface ProxyStatusDeps {
  /** where the sync status comes from (default: --file, else live) */
  source?: StatusSource
  now?: () => Date
}

async function openApi(opts: ProxyStatusOptions) {
  const {KubeApi} = await import('../kube/api.js')
  return KubeApi.open({kubeconfig: opts.kubeconfig, context: opts.context, namespace: opts.namespace, timeoutMs: opts.timeout ?? 30_000})
}

const warn = (message: string): void => {
  process.stderr.write(`Warning: ${message}\n`)
}

/** The source the flags ask for: --file, else every running istiod of the cluster. */
export async function pickSource(opts: ProxyStatusOptions): Promise<StatusSource> {
  if (opts.file !== undefined) return fileStatusSource(opts.file)
  const {liveStatusSource} = await import('./live.js')
  const access = {port: opts['xds-port'] ?? (opts.plaintext ? 15010 : 15012), plaintext: opts.plaintext ?? false, address: opts['xds-address']}
  return liveStatusSource(await openApi(opts), opts['xds-address'] ? 'xds' : (opts.via ?? 'auto'), access, warn)
}

/**
 * `ps <pod>`: istiod's config for the proxy against Envoy's own (from the pod, or --file), compared after
 * istioctl's normalisation. Exit 0 either way, as istioctl; the text says Match or Don't Match.
 */
async function runSyncDiff(opts: ProxyStatusOptions): Promise<void> {
  const api = await openApi(opts)
  const {parseTarget} = await import('../kube/refs.js')
  const {checkPodReachable, podId, resolveTarget} = await import('../kube/pods.js')
  const {istiodConfigFor, istiodPods} = await import('./live.js')
  const {asConfigDump, parseAdminDocument} = await import('../envoy/document.js')
  const {syncDiffView} = await import('../views/sync-diff.js')
  const pod = await resolveTarget(api, parseTarget(opts.pod!, api.namespace))
  const id = podId(pod)
  if (pod.metadata.labels?.app === 'ztunnel' || pod.metadata.name.startsWith('ztunnel')) {
    await writeStdout(`Sync diff is not available for ztunnel pod ${id}\n`)
    return
  }
  let envoyBytes: Uint8Array
  let envoySource: string
  if (opts.file !== undefined) {
    const {readInput} = await import('../sources/file.js')
    const input = await readInput(opts.file)
    envoyBytes = input.bytes
    envoySource = input.source
  } else {
    const container = opts.container ?? 'istio-proxy'
    checkPodReachable(pod, container)
    const {adminGet} = await import('../kube/admin.js')
    try {
      envoyBytes = await adminGet(api, pod, 'config_dump', {transport: opts.transport ?? 'port-forward', adminPort: opts['proxy-admin-port'] ?? 15000, container})
    } catch (err) {
      if (err instanceof Error && 'exitCode' in err) (err as {message: string}).message = `could not contact sidecar: ${err.message}`
      throw err
    }
    envoySource = `Envoy of ${id}`
  }
  const pods = await istiodPods(api, opts['istio-namespace'], opts.revision)
  const found = await istiodConfigFor(api, pods, id)
  if (!found) {
    throw new ProxyError(`proxy ${id} is not connected to any istiod in "${opts['istio-namespace']}" (asked ${pods.map((p) => p.metadata.name).join(', ')})`, {
      code: 'E_NOT_CONNECTED',
      hint: 'check -r/--revision, or that the pod has a sidecar connected to this control plane (meshctl ps)',
    })
  }
  const istiod = asConfigDump(parseAdminDocument(found.bytes, `istiod ${found.istiod}`), 'sync diff')
  const envoy = asConfigDump(parseAdminDocument(envoyBytes, envoySource), 'sync diff')
  const result = syncDiffView(istiod, envoy)
  await writeStdout(await renderResult(result, {format: FORMAT[opts.output], query: opts.query, color: opts.color}))
}

const FORMAT: Record<StatusOutputFormat, OutputFormat> = {table: 'short', json: 'json', yaml: 'yaml'}

export async function runProxyStatus(opts: ProxyStatusOptions, deps: ProxyStatusDeps = {}): Promise<void> {
  if (opts.pod !== undefined) return runSyncDiff(opts)
  const source = deps.source ?? (await pickSource(opts))
  const docs = await source.fetch({namespace: opts.namespace, istioNamespace: opts['istio-namespace'], revision: opts.revision})
  const all = decodeStatusDocuments(docs)
  const set = filterNamespace(all, opts.namespace)
  const now = (deps.now ?? (() => new Date()))()

  const result = opts.query ? proxyStatusQueryView(set) : proxyStatusView(set, {now, verbosity: opts.verbosity})
  const out = await renderResult(result, {format: FORMAT[opts.output], query: opts.query, color: opts.color})

  // an empty mesh prints the header alone, silently, as istioctl ≥ 1.28; a -n that matched nothing is worth a note
  const total = allProxies(all).length
  if (allProxies(set).length === 0 && total > 0) {
    const istiods = `${all.istiods.length} istiod${all.istiods.length === 1 ? '' : 's'}`
    process.stderr.write(`Warning: no proxies in namespace "${opts.namespace}" (${total} in other namespaces, checked ${istiods})\n`)
  }
  await writeStdout(out)

  const conditions = opts['fail-on']
  if (conditions && conditions.length > 0) {
    const found = findOutOfSync(allProxies(set), conditions)
    if (found.length > 0) {
      process.stderr.write(`${failOnSummary(found)}\n`)
      process.exitCode = ExitCode.CONDITION
    }
  }
}
