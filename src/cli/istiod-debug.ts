/**
 * The body of `istiod debug [<endpoint>]`: ask istiod's debug interface (every replica, `-r`, one pod, or a saved
 * answer with --file), sort the answers out, decode the common types into tables, print. Without an endpoint:
 * the list of what the (first) replica serves.
 */
import {ProxyError, UsageError} from '../errors/index.js'
import {debugPath, debugView, decodeDebugIndex, indexView, type ReplicaAnswer, usableAnswers} from '../istiod/debug.js'
import type {CompiledQuery} from '../output/query.js'
import type {OutputFormat} from '../output/render.js'
import type {ViewResult} from '../views/types.js'
import {renderResult, writeStdout} from './print.js'

export interface IstiodDebugFlags {
  file?: string
  proxy?: string
  param?: string[]
  'istio-namespace': string
  revision?: string
  istiod?: string
  output: OutputFormat
  query?: CompiledQuery
  color?: boolean
  kubeconfig?: string
  context?: string
  timeout: number
  via: 'auto' | 'http' | 'xds'
  'xds-address'?: string
  'xds-port'?: number
  plaintext?: boolean
}

const warn = (m: string): void => void process.stderr.write(`Warning: ${m}\n`)

/** `--param k=v` pairs (and --proxy as proxyID). */
export function debugParams(flags: Pick<IstiodDebugFlags, 'proxy' | 'param'>): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const p of flags.param ?? []) {
    const i = p.indexOf('=')
    if (i <= 0) throw new UsageError(`--param "${p}" is not <name>=<value>`)
    out.push([p.slice(0, i), p.slice(i + 1)])
  }
  if (flags.proxy !== undefined) out.push(['proxyID', flags.proxy])
  return out
}

export async function runIstiodDebug(endpoint: string | undefined, flags: IstiodDebugFlags): Promise<void> {
  const params = debugParams(flags)
  if (endpoint === undefined && params.length > 0) throw new UsageError('--proxy and --param need an endpoint, e.g. `istiod debug edsz --proxy <pod>.<namespace>`')
  if (flags.istiod && flags.revision) throw new UsageError('give either --istiod or -r/--revision, not both')
  const path = endpoint === undefined ? 'debug' : debugPath(endpoint, params)
  let answers: ReplicaAnswer[]
  if (flags.file !== undefined) {
    const {readInput} = await import('../sources/file.js')
    const {bytes, source} = await readInput(flags.file)
    answers = [{istiod: source, status: 200, body: Buffer.from(bytes).toString('utf8')}]
  } else {
    const {KubeApi} = await import('../kube/api.js')
    const {askIstiods} = await import('../istiod/debug-live.js')
    const api = await KubeApi.open({kubeconfig: flags.kubeconfig, context: flags.context, timeoutMs: flags.timeout})
    const access = {port: flags['xds-port'] ?? (flags.plaintext ? 15010 : 15012), plaintext: flags.plaintext ?? false, address: flags['xds-address']}
    const targets = {istioNamespace: flags['istio-namespace'], revision: flags.revision, pod: flags.istiod, first: endpoint === undefined}
    answers = await askIstiods(api, targets, path, flags['xds-address'] ? 'xds' : flags.via, access, warn)
  }
  let view: ViewResult
  if (endpoint === undefined) {
    const a = answers[0]!
    if (a.status !== 200) throw new ProxyError(`istiod ${a.istiod} answered ${a.status} for /debug: ${a.body.trim().split('\n')[0]?.slice(0, 200)}`, {code: 'E_ISTIOD'})
    view = indexView(decodeDebugIndex(a.body))
  } else {
    view = debugView(endpoint, usableAnswers(endpoint, answers, warn, params.find(([k]) => k === 'proxyID')?.[1]), new Date())
  }
  await writeStdout(await renderResult(view, {format: flags.output, query: flags.query, color: flags.color}))
}
