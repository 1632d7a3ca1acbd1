/**
 * Where trace, check and diff get the proxies they look at: a saved dump (with an optional `/clusters` answer for
 * host health), one pod, every pod of a `-l` selector, or every proxy of the mesh (`-A`). Each proxy becomes one
 * config graph (src/graph). Live, a proxy is asked for `config_dump?include_eds=true` and, unless told otherwise,
 * `clusters?format=json` (live health and outlier ejection, which the config dump does not carry).
 *
 * Fan-out keeps at most `max-concurrency` proxies in flight and hands each graph to the caller as soon as it is
 * built, in order, so a mesh-wide run holds a few dumps at a time, never all of them.
 */
import type {ClustersStatus} from '../envoy/document.js'
import {asError, UsageError} from '../errors/index.js'
import type {ConfigGraph, GraphOptions} from '../graph/graph.js'
import {fileSource} from '../sources/file.js'
import type {DumpSource, Fetched, Need} from '../sources/types.js'
import type {LiveFlagValues} from './run-view.js'

export interface ProxyFlagValues extends LiveFlagValues {
  file?: string
  'clusters-file'?: string
}

export interface LoadedProxy {
  /** `<pod>.<namespace>`, or the file's path */
  id: string
  graph: ConfigGraph
  /** where it came from: `file` or `pod` */
  origin: 'file' | 'pod'
}

const DUMP_NEED: Need = {kind: 'config_dump', includeEds: true}
const CLUSTERS_NEED: Need = {kind: 'clusters'}

/** The proxy's config graph. */
async function graphFrom(source: DumpSource, health: DumpSource | undefined, options: GraphOptions = {}): Promise<ConfigGraph> {
  // the graph's code loads while the answers are fetched (live), not before the requests go out
  const graphModule = import('./proxy-graph.js')
  graphModule.catch(() => {})
  // both answers asked for at once (live: two admin requests in flight, not one after the other, over one
  // port-forward when the same pod gives both)
  const [dumpAnswer, healthAnswer] = askBoth(source, health)
  const input = await dumpAnswer
  const {buildGraph, clustersStatus, dumpDocument} = await graphModule
  // the dump is parsed while /clusters may still be arriving
  const doc = dumpDocument(input)
  let status: ClustersStatus | undefined
  if (healthAnswer) {
    const h = await healthAnswer
    status = clustersStatus(h)
  }
  return buildGraph(doc, status, options)
}

/** The config dump and (with `health`) the /clusters answer, asked for at once. */
function askBoth(source: DumpSource, health: DumpSource | undefined): [Promise<Fetched>, Promise<Fetched> | undefined] {
  const [dumpAnswer, healthAnswer] =
    health === source && source.fetchEach ? source.fetchEach([DUMP_NEED, CLUSTERS_NEED]) : [source.fetch(DUMP_NEED), health?.fetch(CLUSTERS_NEED)]
  healthAnswer?.catch(() => {})
  return [dumpAnswer!, healthAnswer]
}

/** The proxy named by a file flag: the dump, and `--clusters-file` for health. */
export async function loadFileProxy(path: string, clustersFile?: string, options: GraphOptions = {}): Promise<LoadedProxy> {
  return {id: path === '-' ? 'stdin' : path, origin: 'file', graph: await graphFrom(fileSource(path), clustersFile ? fileSource(clustersFile) : undefined, options)}
}

/** A dump file given where a pod reference could be (diff's sides): a path that exists. */
export async function isExistingFile(ref: string): Promise<boolean> {
  const {statSync} = await import('node:fs')
  try {
    return ref === '-' || statSync(ref).isFile()
  } catch {
    return false
  }
}

interface LiveContext {
  api: import('../kube/api.js').KubeApi
  admin: import('../kube/admin.js').AdminOptions
  podSource: typeof import('../sources/pod.js').podSource
  podId: typeof import('../kube/pods.js').podId
  checkPodReachable: typeof import('../kube/pods.js').checkPodReachable
  checkNotZtunnel: typeof import('../kube/pods.js').checkNotZtunnel
  isZtunnelPod: typeof import('../kube/pods.js').isZtunnelPod
}

async function openLive(flags: Omit<LiveFlagValues, 'selector' | 'max-concurrency'>): Promise<LiveContext> {
  // everything Kubernetes is loaded only now (client-node is slow to import)
  const {KubeApi} = await import('../kube/api.js')
  const {checkNotZtunnel, checkPodReachable, isZtunnelPod, podId} = await import('../kube/pods.js')
  const {podSource} = await import('../sources/pod.js')
  const api = await KubeApi.open({kubeconfig: flags.kubeconfig, context: flags.context, namespace: flags.namespace, timeoutMs: flags.timeout})
  return {api, admin: {transport: flags.transport, adminPort: flags['proxy-admin-port'], container: flags.container}, podSource, podId, checkPodReachable, checkNotZtunnel, isZtunnelPod}
}

type Pod = import('../kube/pods.js').Pod

/** The pod's admin interface as a source, once the pod is known to have a reachable Envoy (not a ztunnel). */
function adminSource(live: LiveContext, pod: Pod): DumpSource {
  live.checkNotZtunnel(pod)
  live.checkPodReachable(pod, live.admin.container)
  return live.podSource(live.api, pod, live.admin)
}

async function podGraph(live: LiveContext, pod: Pod, health: boolean, options: GraphOptions = {}): Promise<LoadedProxy> {
  const src = adminSource(live, pod)
  return {id: live.podId(pod), origin: 'pod', graph: await graphFrom(src, health ? src : undefined, options)}
}

/** One proxy: `-f` (with `--clusters-file`) or a pod reference. `health` also asks a live proxy for /clusters. */
export async function loadProxy(ref: string | undefined, flags: Omit<ProxyFlagValues, 'selector' | 'max-concurrency'>, opts: {command: string; health?: boolean; graph?: GraphOptions}): Promise<LoadedProxy> {
  if ((ref === undefined) === (flags.file === undefined)) {
    throw new UsageError(`${opts.command} needs a pod or --file (exactly one of them)`, {hint: `e.g. meshctl ${opts.command} deploy/productpage-v1 ... or meshctl ${opts.command} -f dump.json ...`})
  }
  if (flags['clusters-file'] !== undefined && flags.file === undefined) throw new UsageError('--clusters-file goes with --file (a live proxy is asked for its /clusters itself)')
  if (flags.file !== undefined) return loadFileProxy(flags.file, flags['clusters-file'], opts.graph)
  const live = await openLive(flags)
  const {parseTarget} = await import('../kube/refs.js')
  const {resolveTarget} = await import('../kube/pods.js')
  const pod = await resolveTarget(live.api, parseTarget(ref!, live.api.namespace))
  return podGraph(live, pod, opts.health ?? true, opts.graph)
}

export type ProxyOutcome = {id: string; proxy: LoadedProxy} | {id: string; error: Error}

/** Runs `work` over items with at most `limit` in flight, handing results to `each` in the items' order. */
async function orderedPool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>, each: (r: R, i: number) => Promise<void> | void): Promise<void> {
  const slots: Array<Promise<R> | undefined> = new Array(items.length)
  let started = 0
  const start = (): void => {
    if (started < items.length) {
      const i = started++
      slots[i] = work(items[i]!)
    }
  }
  for (let i = 0; i < Math.min(limit, items.length); i++) start()
  for (let i = 0; i < items.length; i++) {
    const r = await slots[i]!
    slots[i] = undefined
    start()
    await each(r, i)
  }
}

/**
 * Every proxy of a `-l` selector (in `-n`'s namespace) or, with `all`, of the whole mesh (every pod in every
 * namespace with the proxy container: sidecars, gateways, waypoints; ztunnels are left to `zc`). `each` gets each
 * proxy (or its error: a proxy that fails is an outcome, not an abort) as soon as it and those before it are done.
 */
export async function forEachProxy(
  flags: ProxyFlagValues,
  opts: {all: boolean; health?: boolean; graph?: GraphOptions; onTotal?: (n: number) => void},
  each: (o: ProxyOutcome) => Promise<void> | void,
): Promise<number> {
  return fanOut(
    flags,
    opts,
    async (live, p, id): Promise<Done<LoadedProxy>> => {
      try {
        return {id, proxy: await podGraph(live, p, opts.health ?? true, opts.graph)}
      } catch (err) {
        return {id, error: asError(err)}
      }
    },
    each,
  )
}

export type DigestOutcome<T> = {id: string; proxy: T} | {id: string; error: Error}

/** A proxy's admin answers as read live: its config dump and, unless told otherwise, its /clusters. */
export interface ProxyAnswers {
  id: string
  dump: Fetched
  clusters?: Fetched
}

/**
 * Every proxy of forEachProxy, reduced by `digest` the moment its answers have arrived (before the proxies ahead of
 * it are done), from the answers as read (check decodes them on worker threads, src/cli/check.ts): a proxy that
 * finished early then waits for its turn holding only what `digest` settles with (check: its findings), not its
 * dump and graph. `digest` settles with the proxy's outcome: its result, or an error when the answers cannot be
 * read as a proxy's (a finding, as for a proxy that does not answer); a rejection is thrown in the proxies' order,
 * as if `each` had thrown it. The answers are `digest`'s: it frees them (releaseBytes: left to the collector, each
 * 3-4 MB answer lived until a full collection, and set the run's peak RSS) or hands them on.
 */
export async function forEachProxyAnswers<T>(
  flags: ProxyFlagValues,
  opts: {all: boolean; health?: boolean; onTotal?: (n: number) => void},
  digest: (answers: ProxyAnswers) => Promise<DigestOutcome<T>>,
  each: (o: DigestOutcome<T>) => Promise<void> | void,
): Promise<number> {
  return fanOut(
    flags,
    opts,
    async (live, p, id) => {
      let answers: ProxyAnswers
      try {
        const src = adminSource(live, p)
        const [dump, clusters] = askBoth(src, (opts.health ?? true) ? src : undefined)
        answers = {id, dump: await dump, clusters: await clusters}
      } catch (err) {
        return {id, error: asError(err)}
      }
      try {
        return await digest(answers)
      } catch (err) {
        // kept for its turn: a rejected slot nobody awaits yet would be an unhandled rejection
        return {id, failed: err}
      }
    },
    each,
  )
}

type Done<T> = DigestOutcome<T> | {id: string; failed: unknown}

/**
 * The pods of `-l` (or, with `all`, of the mesh), `step` run on each with at most --max-concurrency in flight, and
 * `each` given the outcomes in the pods' order. A step's `failed` is thrown at its turn.
 */
async function fanOut<T>(
  flags: ProxyFlagValues,
  opts: {all: boolean; onTotal?: (n: number) => void},
  step: (live: LiveContext, pod: Pod, id: string) => Promise<Done<T>>,
  each: (o: DigestOutcome<T>) => Promise<void> | void,
): Promise<number> {
  const live = await openLive(flags)
  const {listPods} = await import('../kube/pods.js')
  const {ClusterError} = await import('../errors/index.js')
  let pods = await listPods(live.api, opts.all ? undefined : live.api.namespace, opts.all ? '' : (flags.selector ?? ''))
  if (opts.all) pods = pods.filter((p) => (p.spec?.containers ?? []).some((c) => c.name === live.admin.container) && !live.isZtunnelPod(p))
  if (pods.length === 0) {
    throw new ClusterError(opts.all ? `no pod in any namespace has a ${live.admin.container} container` : `no pods match selector ${flags.selector} in namespace ${live.api.namespace}`, {
      code: 'E_NOT_FOUND',
      hint: opts.all ? 'is Istio installed in this cluster (--context)?' : 'check the labels and -n',
    })
  }
  pods.sort((a, b) => live.podId(a).localeCompare(live.podId(b)))
  opts.onTotal?.(pods.length)
  await orderedPool(
    pods,
    flags['max-concurrency'],
    (p) => step(live, p, live.podId(p)),
    (d) => {
      if ('failed' in d) throw d.failed
      return each(d)
    },
  )
  return pods.length
}
