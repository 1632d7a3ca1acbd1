/**
 * The body of `proxy-status`: pick the source (a saved file, or every live istiod replica), decode each answer as
 * it arrives, filter, build the view, print, then apply --fail-on. The command only parses flags.
 */
import {ExitCode, ProxyError, UsageError} from '../errors/index.js'
import {withoutTurbofan} from '../util/v8-tuning.js'
import type {CompiledQuery} from '../output/query.js'
import type {OutputFormat} from '../output/render.js'
import {renderResult, stdoutStyler, stdoutWidth, writeStdout} from '../cli/print.js'
import {proxyStatusQueryView, proxyStatusView} from '../views/proxy-status.js'
import {decodeStatusDocument, filterNamespace, type RawStatusDocument} from './decode.js'
import {FAIL_ON_CONDITIONS, type FailOnCondition, failOnSummary, findOutOfSync} from './fail-on.js'
import type {StatusOutputFormat} from './flags.js'
import {allProxies, proxyCount, type StatusSet} from './model.js'
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
  /** with a pod: diff's resource-by-resource comparison instead of istioctl's text diff */
  semantic?: boolean
  /** --watch interval in ms */
  watch?: number
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
  /** the command line after `ps`, for --watch's status line */
  argv?: string[]
}

async function openApi(opts: ProxyStatusOptions) {
  const {KubeApi} = await import('../kube/api.js')
  return KubeApi.open({kubeconfig: opts.kubeconfig, context: opts.context, namespace: opts.namespace, timeoutMs: opts.timeout ?? 30_000})
}

const warn = (message: string): void => {
  process.stderr.write(`Warning: ${message}\n`)
}

/** The source the flags ask for: --file, else every running istiod of the cluster. */
export async function pickSource(opts: ProxyStatusOptions, onWarning: (message: string) => void = warn): Promise<StatusSource> {
  if (opts.file !== undefined) return fileStatusSource(opts.file)
  const {liveStatusSource} = await import('./live.js')
  const access = {port: opts['xds-port'] ?? (opts.plaintext ? 15010 : 15012), plaintext: opts.plaintext ?? false, address: opts['xds-address']}
  return liveStatusSource(await openApi(opts), opts['xds-address'] ? 'xds' : (opts.via ?? 'auto'), access, onWarning)
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
  if (opts.semantic) return semanticSyncDiff(istiod, envoy, {istiod: `istiod ${found.istiod}`, envoy: `Envoy ${id}`}, opts)
  const result = syncDiffView(istiod, envoy)
  await writeStdout(await renderResult(result, {format: FORMAT[opts.output], query: opts.query, color: opts.color}))
}

/**
 * `ps <pod> --semantic`: the same two config dumps as the text diff (istiod's for the proxy, Envoy's own), compared
 * by diff's engine over what istioctl compares (dynamic clusters, listeners and route configurations), so that
 * spelling, key order, default values and versions/timestamps (istio#21709, #12958) are no difference. Exit 0 either
 * way, as the text diff; `--fail-on` does not apply to one pod.
 */
async function semanticSyncDiff(
  istiod: import('../envoy/document.js').ConfigDump,
  envoy: import('../envoy/document.js').ConfigDump,
  sides: {istiod: string; envoy: string},
  opts: ProxyStatusOptions,
): Promise<void> {
  const {buildGraph} = await import('../graph/graph.js')
  const {diffGraphs} = await import('../diff/engine.js')
  const view = await import('../views/diff.js')
  const result = diffGraphs(buildGraph(istiod), buildGraph(envoy), {types: ['clusters', 'listeners', 'routes'], dynamicOnly: true, normalize: false})
  const names = {a: sides.istiod, b: sides.envoy}
  if (opts.output !== 'table') {
    const doc = view.diffDocument(result, names)
    const text = opts.output === 'yaml' ? `${(await import('../output/yaml.js')).goYaml(doc)}\n` : `${(await import('../output/json.js')).goJson(doc)}\n`
    await writeStdout(text)
    return
  }
  const styler = await stdoutStyler(opts.color)
  await writeStdout(view.diffText(result, names, {width: stdoutWidth(), styler}))
}

const FORMAT: Record<StatusOutputFormat, OutputFormat> = {table: 'short', json: 'json', yaml: 'yaml'}

/** One look at the mesh: fetched, decoded, filtered by -n, rendered; with the note an empty -n deserves. */
async function snapshot(opts: ProxyStatusOptions, source: StatusSource, now: Date, beforeDecode?: () => void) {
  // `beforeDecode` once, before the first answer is decoded
  let before = beforeDecode
  const decode = (doc: RawStatusDocument) => {
    before?.()
    before = undefined
    return decodeStatusDocument(doc)
  }
  const decoded = await source.fetch({namespace: opts.namespace, istioNamespace: opts['istio-namespace'], revision: opts.revision}, decode)
  const all: StatusSet = {istiods: decoded.flat()}
  const set = filterNamespace(all, opts.namespace)
  const result = opts.query ? proxyStatusQueryView(set) : proxyStatusView(set, {now, verbosity: opts.verbosity})
  const text = await renderResult(result, {format: FORMAT[opts.output], query: opts.query, color: opts.color})
  // an empty mesh prints the header alone, silently, as istioctl ≥ 1.28; a -n that matched nothing is worth a note
  const total = proxyCount(all)
  let note: string | undefined
  if (total > 0 && proxyCount(set) === 0) {
    const istiods = `${all.istiods.length} istiod${all.istiods.length === 1 ? '' : 's'}`
    note = `no proxies in namespace "${opts.namespace}" (${total} in other namespaces, checked ${istiods})`
  }
  return {set, text, note}
}

function checkWatchCombination(opts: ProxyStatusOptions): void {
  if (opts.pod !== undefined) {
    throw new UsageError(`--watch refreshes the mesh-wide table; it does not take a pod (got "${opts.pod}")`, {hint: 'use meshctl ps --watch -n <namespace>'})
  }
  if (opts['fail-on']) throw new UsageError('--fail-on checks one snapshot and cannot be combined with --watch', {hint: 'run meshctl ps --fail-on ... in a loop instead'})
  if (opts.file === '-') throw new UsageError('--watch cannot re-read standard input; give --file a path (it is read again at every refresh)')
}

async function watchProxyStatus(opts: ProxyStatusOptions, source: StatusSource, deps: ProxyStatusDeps, warnings: string[]): Promise<void> {
  const {watchLoop} = await import('../cli/watch.js')
  const {watchStopSignal} = await import('../cli/signals.js')
  const {wantColor} = await import('../output/color.js')
  const signal = watchStopSignal()
  // the command as typed, without the --watch flag itself (as watch(1) shows it)
  const {normalizeWatchArgv} = await import('./flags.js')
  const title = ['meshctl ps', ...normalizeWatchArgv(deps.argv ?? []).filter((a) => !a.startsWith('--watch='))].join(' ')
  await watchLoop({
    intervalMs: opts.watch!,
    title,
    format: opts.output,
    unit: {one: 'proxy', many: 'proxies'},
    color: wantColor({flag: opts.color, isTTY: Boolean(process.stdout.isTTY), env: process.env}),
    signal,
    refresh: async () => {
      warnings.length = 0
      const {set, text, note} = await snapshot(opts, source, (deps.now ?? (() => new Date()))())
      const proxies = allProxies(set)
      const behind = findOutOfSync(proxies, FAIL_ON_CONDITIONS).length
      const counted = `${proxies.length} ${proxies.length === 1 ? 'proxy' : 'proxies'}`
      const summary = note ?? (behind > 0 ? `${counted}, ${behind} not in sync` : `${counted}, all in sync`)
      return {text, summary, alarm: behind > 0 || note !== undefined, warnings: [...warnings]}
    },
  })
  // stopped: the command returns; a refresh still in flight (a slow istiod) does not hold the process open until its
  // timeout (src/cli/exit.ts ends it a moment later)
}


export async function runProxyStatus(opts: ProxyStatusOptions, deps: ProxyStatusDeps = {}): Promise<void> {
  if (opts.watch !== undefined) checkWatchCombination(opts)
  if (opts.semantic && opts.pod === undefined) throw new UsageError('--semantic compares one proxy with istiod\'s view of it; give a pod', {hint: 'meshctl ps <pod> --semantic'})
  if (opts.semantic && opts.query) throw new UsageError('--query applies to the text diff\'s document; with --semantic use -o json')
  if (opts.pod !== undefined) return runSyncDiff(opts)
  if (opts.watch !== undefined) {
    // a replica that fails is news for this refresh's status line, not a line that scrolls the redrawn screen
    const warnings: string[] = []
    // a Ctrl-C while the kube API and istiod are still being found stops as one during the watch does: exit 0
    const {watchStopSignal} = await import('../cli/signals.js')
    const signal = watchStopSignal()
    const stopped = new Promise<undefined>((resolve) => (signal.aborted ? resolve(undefined) : signal.addEventListener('abort', () => resolve(undefined), {once: true})))
    const source = deps.source ?? (await Promise.race([pickSource(opts, (m) => warnings.push(m)), stopped]))
    // stopped before the watch began: done (what is still looking for istiod is cut short by src/cli/exit.ts)
    if (source === undefined || signal.aborted) return
    return watchProxyStatus(opts, source, deps, warnings)
  }
  // TurboFan off for the decode and the table (v8-tuning.ts), from the first answer decoded: once the Kubernetes stack
  // has been compiled, since V8 checks code caches against a hash of its flags (set before, every live command
  // after a ps rejected the cache of 23 modules that ps had written, and the other way round)
  const fast = deps.source === undefined && opts.output === 'table' && !opts.query
  const source = deps.source ?? (await pickSource(opts))
  const {set, text, note} = await snapshot(opts, source, (deps.now ?? (() => new Date()))(), fast ? withoutTurbofan : undefined)
  if (note) process.stderr.write(`Warning: ${note}\n`)
  await writeStdout(text)

  const conditions = opts['fail-on']
  if (conditions && conditions.length > 0) {
    const found = findOutOfSync(allProxies(set), conditions)
    if (found.length > 0) {
      process.stderr.write(`${failOnSummary(found)}\n`)
      process.exitCode = ExitCode.CONDITION
    }
  }
}
