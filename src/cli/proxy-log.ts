/**
 * The body of `pc log`: read and set Envoy's logger levels on one pod, every pod of a workload, or every pod of a
 * -l selector, with istioctl's sequence of requests, checks and output (docs/istioctl-behaviour.md §4.10):
 *
 * 1. every target gets `POST /logging` (a failure stops everything); the last answer is the logger text `--level`
 *    names are checked against;
 * 2. `--level` / `--reset` become a plan (src/envoy/logging.ts);
 * 3. each target gets the plan's requests in order (`level=` first); its block on stdout is `<pod>.<ns>:` and the
 *    body of its last answer, as Envoy sent it. A target whose last request fails is reported on stderr
 *    (`Error: error configuring log level for <pod>.<ns>: ...`), the others still print; the exit code is then the
 *    first failure's.
 *
 * meshctl adds one stderr line per changed target saying what changed (from the first and the last listing).
 * The Kubernetes side is behind `ProxyLogIo`, so the sequence is tested without a cluster.
 */
import {asError, ClusterError, isMeshctlError, UsageError} from '../errors/index.js'
import {describeChanges, isEmptyPlan, LOG_LEVELS, type LogPlan, loggerChanges, parseActiveLoggers, parseLevelFlag, planQueries, resetPlan} from '../envoy/logging.js'
import {pool} from '../util/pool.js'

export interface ProxyLogFlags {
  selector?: string
  level?: string
  reset: boolean
  /** pc's -o: only `short` (or nothing) applies */
  output?: string
  'max-concurrency': number
}

export interface LogTarget {
  /** `<pod>.<namespace>` */
  id: string
}

export interface ProxyLogIo<T extends LogTarget> {
  /** the pods a reference or a selector names, in order */
  resolve(pod: string | undefined, selector: string | undefined): Promise<T[]>
  /** `POST /logging[?<query>]` on the target's Envoy; the body as sent */
  post(target: T, query: string): Promise<string>
  /** `sidecarInjectorWebhook.global.proxy.logLevel` of the istio-sidecar-injector ConfigMap (throws when unreadable) */
  resetLevel(): Promise<string | undefined>
  out(text: string): void
  err(text: string): void
}

export const RESET_FALLBACK_WARNING = 'unable to get logLevel from ConfigMap istio-sidecar-injector, using default value "warning" for envoy proxies'

/** istioctl's argument checks, in its order, before anything is asked. */
export function checkLogArgs(pod: string | undefined, flags: ProxyLogFlags): void {
  if ((pod === undefined || pod === '') && (flags.selector === undefined || flags.selector === '')) {
    throw new UsageError('log requires pod name or --selector', {hint: 'give a pod ([<type>/]<name>[.<namespace>]) or -l <selector>'})
  }
  if (flags.level !== undefined && flags.reset) throw new UsageError('--level cannot be combined with --reset')
  if (flags.output !== undefined && flags.output !== '' && flags.output !== 'short') throw new UsageError('--output is not applicable for this command')
}

/** --reset's level: the ConfigMap's, when it is one istioctl knows; else `warning` with istioctl's warning. */
async function resetLevelOf<T extends LogTarget>(io: ProxyLogIo<T>): Promise<string> {
  try {
    const level = await io.resetLevel()
    if (level && Object.hasOwn(LOG_LEVELS, level)) return LOG_LEVELS[level]!
  } catch {
    // istioctl: any error reading it falls back too
  }
  io.err(`Warning: ${RESET_FALLBACK_WARNING}\n`)
  return 'warning'
}

/** Runs `pc log`; returns the exit code (0, or the first failing target's). */
export async function runProxyLog<T extends LogTarget>(pod: string | undefined, flags: ProxyLogFlags, io: ProxyLogIo<T>): Promise<number> {
  checkLogArgs(pod, flags)
  // istioctl ignores the positional argument when -l is given
  const targets = await io.resolve(flags.selector ? undefined : pod, flags.selector || undefined)
  if (targets.length === 0) throw new ClusterError('no pods found', {code: 'E_NOT_FOUND', hint: 'check the labels and -n'})
  const limit = Math.max(1, flags['max-concurrency'])

  // step 1: read every target's loggers; the first failure (in target order) stops everything
  const reads = await pool(targets, limit, async (t) => {
    try {
      return {text: await io.post(t, '')}
    } catch (e) {
      return {err: asError(e)}
    }
  })
  for (const r of reads) if ('err' in r) throw r.err
  const before = reads.map((r) => ('text' in r ? r.text : ''))

  // step 2: the plan, checked against the last target's loggers
  let plan: LogPlan = {loggers: new Map()}
  if (flags.reset) plan = resetPlan(await resetLevelOf(io))
  else if (flags.level !== undefined && flags.level !== '') plan = parseLevelFlag(flags.level, before.at(-1)!)
  const queries = planQueries(plan)

  // step 3: each target's requests in order; only the last answer (or error) of a target counts
  const results = await pool(targets, limit, async (t): Promise<{body: string} | {err: Error}> => {
    let last: {body: string} | {err: Error} = {body: ''}
    for (const q of queries) {
      try {
        last = {body: await io.post(t, q)}
      } catch (e) {
        last = {err: asError(e)}
      }
    }
    return last
  })
  let exitCode = 0
  targets.forEach((t, i) => {
    const r = results[i]!
    if ('err' in r) {
      io.err(`Error: error configuring log level for ${t.id}: ${isMeshctlError(r.err) ? r.err.oneLine : r.err.message}\n`)
      if (exitCode === 0) exitCode = isMeshctlError(r.err) ? r.err.exitCode : 1
      return
    }
    io.out(`${t.id}:\n${r.body}`)
    if (!isEmptyPlan(plan)) io.err(`${t.id}: ${describeChanges(loggerChanges(parseActiveLoggers(before[i]!), parseActiveLoggers(r.body)))}\n`)
  })
  return exitCode
}

/**
 * `values` of the istio-sidecar-injector ConfigMap -> sidecarInjectorWebhook.global.proxy.logLevel (istioctl's path;
 * it reads the text as YAML, of which the chart's JSON is a case).
 */
export async function resetLevelFromValues(values: string): Promise<string | undefined> {
  const {parse} = await import('yaml')
  const v = parse(values) as {sidecarInjectorWebhook?: {global?: {proxy?: {logLevel?: unknown}}}} | null
  const level = v?.sidecarInjectorWebhook?.global?.proxy?.logLevel
  return typeof level === 'string' ? level : undefined
}

export interface ProxyLogCommandFlags extends ProxyLogFlags {
  kubeconfig?: string
  context?: string
  namespace?: string
  'istio-namespace': string
  transport: 'port-forward' | 'exec'
  'proxy-admin-port': number
  container: string
  timeout: number
}

/** `pc log` against the cluster: pods through src/kube, requests over the admin transports. */
export async function runProxyLogCommand(pod: string | undefined, flags: ProxyLogCommandFlags): Promise<void> {
  checkLogArgs(pod, flags)
  const {KubeApi} = await import('../kube/api.js')
  const {parseTarget} = await import('../kube/refs.js')
  const {checkPodReachable, listPods, podId, resolveTargets} = await import('../kube/pods.js')
  const {adminRequest} = await import('../kube/admin.js')
  type Target = LogTarget & {pod: import('../kube/pods.js').Pod}
  const api = await KubeApi.open({kubeconfig: flags.kubeconfig, context: flags.context, namespace: flags.namespace, timeoutMs: flags.timeout})
  const admin = {transport: flags.transport, adminPort: flags['proxy-admin-port'], container: flags.container}
  const io: ProxyLogIo<Target> = {
    async resolve(ref, selector) {
      const pods = ref !== undefined ? await resolveTargets(api, parseTarget(ref, api.namespace)) : await listPods(api, api.namespace, selector!)
      return pods.map((p) => ({id: podId(p), pod: p}))
    },
    async post(t, query) {
      checkPodReachable(t.pod, flags.container)
      return (await adminRequest(api, t.pod, 'POST', `logging${query ? `?${query}` : ''}`, admin, true)).toString('utf8')
    },
    async resetLevel() {
      const cm = await api.get<{data?: Record<string, string>}>(
        `/api/v1/namespaces/${encodeURIComponent(flags['istio-namespace'])}/configmaps/istio-sidecar-injector`,
        'getting ConfigMap istio-sidecar-injector',
      )
      return cm.data?.values === undefined ? undefined : resetLevelFromValues(cm.data.values)
    },
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
  }
  process.exitCode = await runProxyLog(pod, flags, io)
}
