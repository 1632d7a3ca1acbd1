/**
 * The shared body of every proxy-config command: pick the source (a saved dump, one pod, or every pod of a
 * -l selector), get the bytes, decode, build the view, render, print. Commands only declare flags and pick
 * a view.
 */
import type {Command} from '@oclif/core/command'
import {type AdminDocument, parseAdminDocument, parseAdminReader} from '../envoy/document.js'
import {takeUnreadable} from '../envoy/fields.js'
import {asError, isMeshctlError, type MeshctlError, UsageError} from '../errors/index.js'
import type {CompiledQuery} from '../output/query.js'
import {guardDepth, type OutputFormat} from '../output/render.js'
import {fileSource} from '../sources/file.js'
import {renderResult, writeStdout} from './print.js'
import type {DumpSource, Need} from '../sources/types.js'
import {mergeFanout, type PodResult} from '../views/fanout.js'
import type {ViewResult} from '../views/types.js'
import {pool} from '../util/pool.js'

export interface CommonFlagValues {
  file?: string
  output: OutputFormat
  query?: CompiledQuery
  color?: boolean
}

export interface LiveFlagValues {
  kubeconfig?: string
  context?: string
  namespace?: string
  selector?: string
  transport: 'port-forward' | 'exec'
  'proxy-admin-port': number
  container: string
  timeout: number
  'max-concurrency': number
}

export type ViewFlagValues = CommonFlagValues & LiveFlagValues

export interface ViewSpec {
  /** the subcommand's name in messages, as istioctl: `cluster`, `listener`, ... */
  name: string
  need: Need
  build: (doc: AdminDocument, input: {bytes: Uint8Array; source: string}) => ViewResult
}

function checkArgs(name: string, pod: string | undefined, flags: ViewFlagValues): void {
  const given = [pod !== undefined, flags.file !== undefined, flags.selector !== undefined].filter(Boolean).length
  if (given !== 1) {
    throw new UsageError(`${name} requires pod name or --file parameter (give exactly one of a pod, -l/--selector or --file)`)
  }
}

/**
 * Fetches, decodes and builds what the output needs, so that a bad input fails here (for one pod of a fan-out)
 * and not when printing. With `tableOnly` (short output, no --query) only the rows are built and kept: the input's
 * bytes and decoded sections become garbage before the table is rendered, which on a huge dump is most of the
 * process's memory. Otherwise only the document is built (a view may build its table lazily, from less of the
 * input than the document needs); a view that echoes its input (`rawJson`) keeps it for the printer.
 */
async function buildFrom(source: DumpSource, spec: ViewSpec, tableOnly: boolean): Promise<ViewResult> {
  const input = await source.fetch(spec.need)
  // from here to the return nothing awaits: what the decoding notes as unreadable is this input's
  takeUnreadable()
  const doc = input.reader ? parseAdminReader(input.reader, input.source) : parseAdminDocument(input.bytes, input.source)
  const result = spec.build(doc, input)
  const warnings = (): string[] => [...(result.warnings ?? []), ...takeUnreadable().map((w) => `could not read part of ${input.source}: ${w}`)]
  if (tableOnly) return {blocks: result.blocks, warnings: warnings(), data: () => null}
  if (result.rawJson) return {...result, warnings: warnings()}
  const data = guardDepth(() => result.data())
  return {blocks: [], data: () => data, warnings: warnings()}
}

export async function runView(_cmd: Command, pod: string | undefined, flags: ViewFlagValues, spec: ViewSpec): Promise<void> {
  checkArgs(spec.name, pod, flags)
  let result: ViewResult
  const tableOnly = flags.output === 'short' && flags.query === undefined
  const podErrors: Array<{id: string; err: MeshctlError | Error}> = []
  if (flags.file !== undefined) {
    result = await buildFrom(fileSource(flags.file), spec, tableOnly)
  } else {
    // live: everything Kubernetes is loaded only now (client-node is slow to import)
    const {KubeApi} = await import('../kube/api.js')
    const {parseTarget} = await import('../kube/refs.js')
    const {checkNotZtunnel, checkPodReachable, listPods, podId, resolveTarget} = await import('../kube/pods.js')
    const {podSource} = await import('../sources/pod.js')
    const {ClusterError} = await import('../errors/index.js')
    const api = await KubeApi.open({kubeconfig: flags.kubeconfig, context: flags.context, namespace: flags.namespace, timeoutMs: flags.timeout})
    const admin = {transport: flags.transport, adminPort: flags['proxy-admin-port'], container: flags.container}
    if (pod !== undefined) {
      const target = await resolveTarget(api, parseTarget(pod, api.namespace))
      checkNotZtunnel(target)
      checkPodReachable(target, flags.container)
      result = await buildFrom(podSource(api, target, admin), spec, tableOnly)
    } else {
      const pods = await listPods(api, api.namespace, flags.selector!)
      if (pods.length === 0) {
        throw new ClusterError(`no pods match selector ${flags.selector} in namespace ${api.namespace}`, {code: 'E_NOT_FOUND', hint: 'check the labels and -n'})
      }
      type Outcome = {id: string; result: ViewResult} | {id: string; err: Error}
      const outcomes = await pool(pods, flags['max-concurrency'], async (p): Promise<Outcome> => {
        try {
          checkNotZtunnel(p)
          checkPodReachable(p, flags.container)
          return {id: podId(p), result: await buildFrom(podSource(api, p, admin), spec, tableOnly)}
        } catch (err) {
          return {id: podId(p), err: asError(err)}
        }
      })
      const ok = outcomes.filter((o): o is PodResult => 'result' in o)
      for (const o of outcomes) if ('err' in o) podErrors.push({id: o.id, err: o.err})
      if (ok.length === 0) throw podErrors[0].err
      result = mergeFanout(ok)
    }
  }
  await print(result, flags)
  for (const {id, err} of podErrors) process.stderr.write(`Error: ${id}: ${isMeshctlError(err) ? err.oneLine : err.message}\n`)
  if (podErrors.length > 0) {
    const first = podErrors[0].err
    process.exitCode = isMeshctlError(first) ? first.exitCode : 1
  }
}

async function print(result: ViewResult, flags: CommonFlagValues): Promise<void> {
  const bytes = flags.output === 'json' && flags.query === undefined ? result.rawBytes?.() : undefined
  if (bytes) {
    // the input as it is (pc all -o json), written without becoming one string: a dump past V8's string limit prints too
    for (const w of result.warnings ?? []) process.stderr.write(`Warning: ${w}\n`)
    await writeStdout(bytes)
    await writeStdout('\n')
    return
  }
  const out = await renderResult(result, {format: flags.output, query: flags.query, color: flags.color})
  for (const w of result.warnings ?? []) process.stderr.write(`Warning: ${w}\n`)
  await writeStdout(out)
}
