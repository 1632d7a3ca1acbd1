/**
 * The body of `proxy-status`: pick the source (a saved file today; live istiod through the same StatusSource
 * seam later), decode, filter, build the view, print, then apply --fail-on. The command only parses flags.
 */
import {ExitCode, UsageError} from '../errors/index.js'
import type {CompiledQuery} from '../output/query.js'
import {type OutputFormat, render} from '../output/render.js'
import {wantColor} from '../output/theme.js'
import {proxyStatusQueryView, proxyStatusView} from '../views/proxy-status.js'
import {decodeStatusDocuments, filterNamespace} from './decode.js'
import {type FailOnCondition, failOnSummary, findOutOfSync} from './fail-on.js'
import type {StatusOutputFormat} from './flags.js'
import {allProxies} from './model.js'
import {fileStatusSource, liveStatusSource, type StatusSource} from './source.js'

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
}

export interface ProxyStatusDeps {
  /** where the sync status comes from (default: --file, else live) */
  source?: StatusSource
  now?: () => Date
}

/** `ps <pod>` is the per-proxy sync diff (istioctl §6), which is not in this build yet. */
export function podDiffUnavailable(pod: string, file: string | undefined): UsageError {
  return new UsageError(
    file !== undefined
      ? `proxy-status ${pod} --file (the sync diff between a proxy's config dump and istiod's view of it) is not available yet in this build`
      : `proxy-status ${pod} (the sync diff of one proxy) needs live istiod access, which is not available yet in this build`,
    {code: 'E_NOT_IMPLEMENTED', hint: "without a pod, proxy-status --file <syncz.json> lists every proxy's sync state"},
  )
}

/** The source the flags ask for: --file, else live istiod (which this build does not have yet). */
export function pickSource(opts: Pick<ProxyStatusOptions, 'file'>): StatusSource {
  return opts.file !== undefined ? fileStatusSource(opts.file) : liveStatusSource()
}

const FORMAT: Record<StatusOutputFormat, OutputFormat> = {table: 'short', json: 'json', yaml: 'yaml'}

export async function runProxyStatus(opts: ProxyStatusOptions, deps: ProxyStatusDeps = {}): Promise<void> {
  if (opts.pod !== undefined) throw podDiffUnavailable(opts.pod, opts.file)
  const source = deps.source ?? pickSource(opts)
  const docs = await source.fetch({namespace: opts.namespace, istioNamespace: opts['istio-namespace'], revision: opts.revision})
  const all = decodeStatusDocuments(docs)
  const set = filterNamespace(all, opts.namespace)
  const now = (deps.now ?? (() => new Date()))()

  const result = opts.query ? proxyStatusQueryView(set) : proxyStatusView(set, {now, verbosity: opts.verbosity})
  const format = FORMAT[opts.output]
  const color = wantColor({flag: opts.color, isTTY: Boolean(process.stdout.isTTY), env: process.env})
  const styler = color && format === 'short' && !opts.query ? (await import('../output/theme.js')).makeStyler() : undefined
  const toYaml = format === 'yaml' ? (await import('../output/yaml.js')).goYaml : undefined
  const out = render(result, {format, query: opts.query, styler, toYaml})

  // an empty mesh prints the header alone, silently, as istioctl ≥ 1.28; a -n that matched nothing is worth a note
  const total = allProxies(all).length
  if (allProxies(set).length === 0 && total > 0) {
    const istiods = `${all.istiods.length} istiod${all.istiods.length === 1 ? '' : 's'}`
    process.stderr.write(`Warning: no proxies in namespace "${opts.namespace}" (${total} in other namespaces, checked ${istiods})\n`)
  }
  await write(out)

  const conditions = opts['fail-on']
  if (conditions && conditions.length > 0) {
    const found = findOutOfSync(allProxies(set), conditions)
    if (found.length > 0) {
      process.stderr.write(`${failOnSummary(found)}\n`)
      process.exitCode = ExitCode.CONDITION
    }
  }
}

/** Writes everything to stdout and waits until it is flushed (large outputs, pipes). */
function write(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (text === '') return resolve()
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()))
  })
}
