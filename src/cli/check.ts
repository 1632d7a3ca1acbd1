/**
 * The body of `check`: read the proxies (a dump, a pod, every pod of -l, or the whole mesh with -A), run the checks
 * on each as soon as it arrives and drop its config (a mesh-wide run holds at most --max-concurrency dumps), ask
 * istiod for its sync view in mesh-wide runs (in parallel with the proxies), print, and exit 10 when a finding at
 * the --fail-on level exists. A progress bar goes to stderr only when stderr is a terminal.
 */
import {
  type CheckTime,
  checkGraph,
  checkSync,
  checkTime,
  type Finding,
  failsAt,
  isFindingCode,
  type Severity,
  sortFindings,
  unreachableFinding,
  withoutIgnored,
} from '../check/index.js'
import {debugEnabled, ExitCode, isMeshctlError, ProxyError, UsageError} from '../errors/index.js'
import {boundHeapGrowth, boundYoungGeneration, collectReadBuffersEvery, releaseHeapPagesEvery} from '../util/v8-tuning.js'
import type {GraphOptions} from '../graph/graph.js'
import type {ProxySync} from '../istiod/model.js'
import type {CompiledQuery} from '../output/query.js'
import type {OutputFormat} from '../output/render.js'
import {checkView} from '../views/check.js'
import {renderResult, stdoutStyler, stdoutWidth, writeStdout} from './print.js'
import type {CheckTask, CheckTaskResult} from './check-worker.js'
import {workerScript} from './worker-script.js'
import {type DigestOutcome, forEachProxyAnswers, type LoadedProxy, loadFileProxy, loadProxy, type ProxyAnswers, type ProxyFlagValues} from './proxies.js'

export interface CheckFlagValues extends ProxyFlagValues {
  'all-namespaces'?: boolean
  output: OutputFormat
  query?: CompiledQuery
  color?: boolean
  'fail-on': Severity
  ignore?: string[]
  'cert-warn': number
  at?: Date
  verbose: boolean
  grace: number
  'istio-namespace': string
}

/** `--ignore A,B`: registered codes only. */
export function parseIgnore(value: string): string[] {
  const codes = value
    .split(',')
    .map((c) => c.trim().toUpperCase())
    .filter((c) => c !== '')
  for (const c of codes) if (!isFindingCode(c)) throw new UsageError(`--ignore "${c}" is not a finding code`, {hint: 'the codes are listed in docs/check.md (e.g. ROUTE_SHADOWED, PASSTHROUGH_USED)'})
  return codes
}

/** `--at 2025-06-02T09:14:07Z` (RFC 3339). */
export function parseAt(value: string): Date {
  const ms = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(value.trim()) ? Date.parse(value.trim()) : Number.NaN
  if (!Number.isFinite(ms)) throw new UsageError(`--at "${value}" is not a time; use RFC 3339, e.g. 2025-06-02T09:14:07Z`)
  return new Date(ms)
}

/** A one-line progress bar on stderr, redrawn in place; nothing when stderr is not a terminal. */
function progressBar(enabled: boolean): {total(n: number): void; tick(): void; done(): void} {
  let total = 0
  let n = 0
  let last = 0
  const draw = (): void => {
    const width = 30
    const fill = total > 0 ? Math.round((n / total) * width) : 0
    process.stderr.write(`\r\u001b[2Kchecking [${'#'.repeat(fill)}${' '.repeat(width - fill)}] ${n}/${total} proxies`)
  }
  return {
    total: (t) => {
      total = t
      if (enabled) draw()
    },
    tick: () => {
      n++
      const now = Date.now()
      if (enabled && (now - last > 50 || n === total)) {
        last = now
        draw()
      }
    },
    done: () => {
      if (enabled && total > 0) process.stderr.write('\r\u001b[2K')
    },
  }
}

/** istiod's sync view of every proxy and each istiod's version (from its image tag), for mesh-wide runs. */
async function istiodView(flags: CheckFlagValues, warn: (m: string) => void): Promise<{byProxy: Map<string, ProxySync[]>; versions: Map<string, string>} | undefined> {
  try {
    const {KubeApi} = await import('../kube/api.js')
    const {istiodPods, liveStatusSource} = await import('../istiod/live.js')
    const {decodeStatusDocument} = await import('../istiod/decode.js')
    const api = await KubeApi.open({kubeconfig: flags.kubeconfig, context: flags.context, namespace: flags.namespace, timeoutMs: flags.timeout})
    const pods = await istiodPods(api, flags['istio-namespace'])
    const versions = new Map<string, string>()
    for (const p of pods) {
      const containers = (p.spec?.containers ?? []) as Array<{name: string; image?: string}>
      const image = (containers.find((c) => c.name === 'discovery') ?? containers[0])?.image ?? ''
      const tag = /:(\d+\.\d+[^@:/]*)$/.exec(image)
      if (tag) versions.set(p.metadata.name, tag[1]!)
    }
    const source = liveStatusSource(api, 'auto', {port: 15012, plaintext: false}, warn)
    const decoded = await source.fetch({istioNamespace: flags['istio-namespace'], namespace: flags['all-namespaces'] ? undefined : flags.namespace}, decodeStatusDocument)
    const byProxy = new Map<string, ProxySync[]>()
    // proxies name their istiod by its control plane ID, which is the pod's name for istiods running in Kubernetes
    for (const istiod of decoded.flat()) {
      for (const p of istiod.proxies) {
        const list = byProxy.get(p.id)
        if (list) list.push(p)
        else byProxy.set(p.id, [p])
      }
    }
    return {byProxy, versions}
  } catch (err) {
    warn(`istiod's sync status is not available, sync checks skipped: ${isMeshctlError(err) ? err.oneLine : (err as Error).message}`)
    return undefined
  }
}

/** The checks read every resource's node and few resources' raw config: the graph indexes them compactly. */
const CHECK_GRAPH: GraphOptions = {compact: true}

/**
 * V8's young generation during a mesh-wide run: 16 MB (8 MB semi-spaces). Measured on 101 proxies of a 300-service
 * sandbox mesh with the old generation bounded (boundHeapGrowth), 3 interleaved runs each: peak RSS 201-210 MB
 * against 234-245 MB at 32 MB, CPU time within the runs' noise (one proxy's graph is promoted either way).
 */
const FANOUT_YOUNG_BYTES = 16 * 1024 * 1024

/** How many proxies a mesh-wide run checks between two collections that give V8's free pages back (releaseHeapPagesEvery). */
const RELEASE_PAGES_EVERY = 32

/** How many bytes a mesh-wide run reads between two collections of its young generation (collectReadBuffersEvery). */
const COLLECT_READS_EVERY = 8 * 1024 * 1024

type Checked = {time: CheckTime; findings: Finding[]}

/**
 * V8's settings for a mesh-wide run (src/util/v8-tuning.ts: the young generation and the heap's growth bounded,
 * pooled pages given back, the young generation collected as answers are read), from the first proxy checked
 * (`start`, again at every proxy: it also polls the young generation's size) to `release`, which puts V8's defaults
 * back. Not from the start of the run: V8 checks each code cache against a hash of its flags, so a module compiled
 * while they are changed (the Kubernetes stack, the graph, a worker's modules, all loaded before the first proxy is
 * checked) would leave the compile cache an entry that the next start rejects (NODE_DEBUG_NATIVE=COMPILE_CACHE).
 */
function fanOutTuning(): {start(): void; tick(): void; release(): void} {
  let t: {young: ReturnType<typeof boundYoungGeneration>; old: {release(): void}; pages: {tick(): void}; reads: {release(): void}} | undefined
  return {
    start: () => {
      t ??= {
        young: boundYoungGeneration(FANOUT_YOUNG_BYTES),
        old: boundHeapGrowth(),
        pages: releaseHeapPagesEvery(RELEASE_PAGES_EVERY),
        reads: collectReadBuffersEvery(COLLECT_READS_EVERY),
      }
      t.young.poll()
    },
    tick: () => t?.pages.tick(),
    release: () => {
      t?.young.release()
      t?.old.release()
      t?.reads.release()
    },
  }
}

/** The environment variable that sets how many worker threads a mesh-wide run checks proxies on (0: none). */
export const WORKERS_ENV = 'MESHCTL_CHECK_WORKERS'

/** At most this many check threads by default: each holds a proxy's graph (tens of MB) while it checks it. */
const MAX_DEFAULT_WORKERS = 4

/**
 * How many worker threads a mesh-wide run may check proxies on (src/cli/check-worker.ts): MESHCTL_CHECK_WORKERS when
 * set (0: none), else one per CPU beyond the one that reads the proxies, at most MAX_DEFAULT_WORKERS; never more
 * than --max-concurrency (more threads than proxies in flight would have nothing to do). `explicit`: the
 * environment variable chose.
 */
async function workerThreads(concurrency: number): Promise<{n: number; explicit: boolean}> {
  const asked = process.env[WORKERS_ENV]?.trim()
  if (asked !== undefined && asked !== '' && !/^\d+$/.test(asked)) {
    throw new UsageError(`${WORKERS_ENV} is "${asked}"; give a number of worker threads (0: check on the main thread)`)
  }
  if (asked) return {n: Math.min(Number(asked), concurrency), explicit: true}
  const {availableParallelism} = await import('node:os')
  return {n: Math.min(availableParallelism() - 1, MAX_DEFAULT_WORKERS, concurrency), explicit: false}
}

/**
 * Below this many proxies a run checks them on the main thread, unless MESHCTL_CHECK_WORKERS asks for threads:
 * starting one costs ~40 ms of CPU and ~16 MB, more than it saves on a few proxies (3–6 proxies of the demo mesh
 * took ~30 ms longer with one).
 */
const MIN_WORKER_PROXIES = 8

/** MESHCTL_DEBUG=1: a line on stderr says where the checks run. */
function sayWhere(line: string): void {
  if (debugEnabled()) process.stderr.write(`meshctl: checking on ${line}\n`)
}

/** `n` worker threads checking proxies, or undefined when the worker's module cannot be found (./worker-script.ts). */
async function checkWorkers(n: number): Promise<CheckWorkers | undefined> {
  const script = await workerScript('check')
  if (!script) {
    sayWhere('the main thread (no worker module found)')
    return undefined
  }
  sayWhere(`${n} worker thread${n === 1 ? '' : 's'}`)
  // node:worker_threads only for a mesh-wide run
  const {deserializeError, transferable, WorkerStoppedError, workerPool} = await import('../util/worker-pool.js')
  const pool = workerPool<CheckTask, CheckTaskResult>(script, n, {name: 'check', resourceLimits: {maxYoungGenerationSizeMb: WORKER_YOUNG_MB}})
  return {
    // the answers moved to the worker (not copied), the findings back
    async check(a, o) {
      const size = a.dump.bytes.byteLength + (a.clusters?.bytes.byteLength ?? 0)
      const dump = transferable(a.dump.bytes)
      const clusters = a.clusters && transferable(a.clusters.bytes)
      const task: CheckTask = {id: a.id, dump: {bytes: dump.view, source: a.dump.source}, certWarnMs: o.certWarnMs, at: o.at, now: o.now}
      if (clusters) task.clusters = {bytes: clusters.view, source: a.clusters!.source}
      let r: CheckTaskResult
      try {
        r = await pool.run(task, clusters ? [dump.buffer, clusters.buffer] : [dump.buffer])
      } catch (err) {
        // the thread died of this proxy (out of memory on a huge dump): its finding, and the run goes on
        if (err instanceof WorkerStoppedError) return {id: a.id, error: checkThreadStopped(err, size)}
        throw err
      }
      if (r.kind === 'unreadable') return {id: a.id, error: deserializeError(r.error)}
      return {id: a.id, proxy: {time: r.time, findings: r.findings}}
    },
    ready: () => pool.ready(),
    close: () => pool.close(),
  }
}

/** What a proxy whose check killed its thread is reported as (PROXY_UNREACHABLE: nothing about it was checked). */
export function checkThreadStopped(err: import('../util/worker-pool.js').WorkerStoppedError, answerBytes: number): ProxyError {
  const size = `${(answerBytes / (1 << 20)).toFixed(1)} MB of admin answers`
  return err.outOfMemory
    ? new ProxyError(`not checked: the check thread ran out of memory on its config (${size})`, {
        code: 'E_CHECK_THREAD',
        hint: 'check it alone with `meshctl check <pod>`, or give Node more heap (NODE_OPTIONS=--max-old-space-size=<MB>)',
      })
    : new ProxyError(`not checked: ${err.message} while checking it (${size})`, {code: 'E_CHECK_THREAD', hint: 'rerun with MESHCTL_DEBUG=1, or check it alone with `meshctl check <pod>`'})
}

interface CheckWorkers {
  /** one proxy's answers checked on a worker */
  check(a: ProxyAnswers, o: {certWarnMs: number; at?: Date; now: Date}): Promise<DigestOutcome<Checked>>
  /** every worker has loaded its modules */
  ready(): Promise<void>
  close(): Promise<void>
}

/** A worker's young generation: the main thread's fan-out bound (FANOUT_YOUNG_BYTES), for the same reason. */
const WORKER_YOUNG_MB = 16

export interface CheckDeps {
  now?: () => Date
}

export async function runCheck(pod: string | undefined, flags: CheckFlagValues, deps: CheckDeps = {}): Promise<void> {
  const now = (deps.now ?? (() => new Date()))()
  const all = flags['all-namespaces'] === true
  const meshWide = all || flags.selector !== undefined
  if (meshWide && (pod !== undefined || flags.file !== undefined)) throw new UsageError('-l/--selector and -A/--all-namespaces check many proxies: give no pod and no --file with them')
  if (all && flags.selector !== undefined) throw new UsageError('give either -A/--all-namespaces or -l/--selector, not both')
  const opts = (proxy: LoadedProxy) => ({
    proxy: proxy.id,
    time: checkTime(proxy.graph, {at: flags.at, saved: proxy.origin === 'file', now}),
    certWarnMs: flags['cert-warn'],
  })
  const ignore = new Set(flags.ignore ?? [])
  let findings: Finding[] = []
  const ids: string[] = []
  let time: ReturnType<typeof checkTime> | undefined
  const warnings: string[] = []
  const warn = (m: string): void => {
    warnings.push(m)
  }

  if (!meshWide) {
    let loaded: LoadedProxy | undefined
    try {
      loaded = flags.file !== undefined && pod === undefined ? await loadFileProxy(flags.file, flags['clusters-file'], CHECK_GRAPH) : await loadProxy(pod, flags, {command: 'check', graph: CHECK_GRAPH})
    } catch (err) {
      // a live proxy that does not answer is a finding; bad input and Kubernetes errors are errors
      if (!(isMeshctlError(err) && err.exitCode === ExitCode.PROXY)) throw err
      const id = pod ?? 'proxy'
      findings.push(unreachableFinding(id, err))
      ids.push(id)
    }
    if (loaded) {
      const o = opts(loaded)
      time = o.time
      findings = checkGraph(loaded.graph, o)
      ids.push(loaded.id)
    }
  } else {
    const bar = progressBar(Boolean(process.stderr.isTTY))
    const read = new Set<string>()
    // how many threads may check (a bad MESHCTL_CHECK_WORKERS is an error before anything starts)
    const threads = await workerThreads(flags['max-concurrency'])
    // istiod is asked while the proxies are being read
    const sync = istiodView(flags, warn)
    // the main thread's way to check (also the modules a worker would load, before the tuning changes V8's flags)
    const {checkTask} = await import('./check-worker.js')
    // worker threads once the number of proxies is known: their code loads while the first answers arrive
    let workers: Promise<CheckWorkers | undefined> = Promise.resolve(undefined)
    const onTotal = (n: number): void => {
      bar.total(n)
      if (threads.n >= 1 && (threads.explicit || n >= MIN_WORKER_PROXIES)) workers = checkWorkers(threads.n).catch(() => undefined)
      else sayWhere(`the main thread (${threads.n < 1 ? (threads.explicit ? `${WORKERS_ENV}=0` : 'one CPU') : `${n} prox${n === 1 ? 'y' : 'ies'}`})`)
    }
    const tuning = fanOutTuning()
    const o = {certWarnMs: flags['cert-warn'], at: flags.at, now}
    // each proxy is checked as soon as it is read: one waiting for those ahead of it holds its findings, not its dump
    const checkOne = async (a: ProxyAnswers): Promise<DigestOutcome<Checked>> => {
      const w = await workers
      if (w) {
        await w.ready()
        tuning.start()
        return w.check(a, o)
      }
      tuning.start()
      const r = checkTask({id: a.id, dump: a.dump, clusters: a.clusters, ...o})
      return r.kind === 'unreadable' ? {id: a.id, error: r.error} : {id: a.id, proxy: {time: r.time, findings: r.findings}}
    }
    const onEach = (d: DigestOutcome<Checked>): void => {
      ids.push(d.id)
      if ('error' in d) findings.push(unreachableFinding(d.id, d.error))
      else {
        read.add(d.id)
        time ??= d.proxy.time
        for (const f of d.proxy.findings) findings.push(f)
      }
      bar.tick()
      tuning.tick()
    }
    try {
      await forEachProxyAnswers(flags, {all, onTotal}, checkOne, onEach)
    } finally {
      await (await workers)?.close()
      tuning.release()
      bar.done()
    }
    const view = await sync
    if (view) {
      // a proxy that could not be read is reported as such; istiod's view of it would only repeat that
      for (const id of ids) if (read.has(id)) findings.push(...checkSync(view.byProxy.get(id) ?? [], {proxy: id, now, graceMs: flags.grace, istiodVersions: view.versions}))
      // keep each proxy's findings together, most severe first, proxies in order
      const byProxy = new Map<string, Finding[]>(ids.map((id) => [id, []]))
      for (const f of findings) byProxy.get(f.proxy)?.push(f)
      findings = ids.flatMap((id) => sortFindings(byProxy.get(id)!))
    }
  }
  findings = withoutIgnored(findings, ignore)
  for (const w of warnings) process.stderr.write(`Warning: ${w}\n`)

  const width = flags.output === 'short' && !flags.query ? stdoutWidth() : undefined
  const styler = flags.output === 'short' && !flags.query ? await stdoutStyler(flags.color) : undefined
  const result = checkView({findings, proxies: ids.length, proxyIds: ids, time, single: !meshWide}, {verbose: flags.verbose, width, styler})
  // the report was styled above; renderResult must not style it twice
  await writeStdout(await renderResult(result, {format: flags.output, query: flags.query, color: false}))
  if (failsAt(findings, flags['fail-on'])) process.exitCode = ExitCode.CONDITION
}
