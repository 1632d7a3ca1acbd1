/**
 * The body of `meshctl diff`: read the sides (a saved dump where the argument is an existing file, else a pod), run
 * the engine (src/diff), print (src/views/diff.ts), set the exit code. Three modes:
 *
 *  - `diff <a> <b>`: two proxies (or a proxy and a snapshot); exit 10 with --exit-code when they differ;
 *  - `diff -l <selector>`: every matching pod against the majority of them (replicas of one workload);
 *  - `diff <ref> --watch [interval]`: a snapshot, then at each refresh only what changed since the previous one,
 *    timestamped; piped with -o json a stream of JSON documents (one per refresh that changed something). Ctrl-C
 *    stops it with exit 0.
 */
import {setTimeout as sleep} from 'node:timers/promises'
import type {DiffOptions, DiffResult} from '../diff/engine.js'
import {DIFF_TYPES, type DiffType} from '../diff/resources.js'
import {ExitCode, InputError, isMeshctlError, UsageError} from '../errors/index.js'
import type {OutputFormat} from '../output/render.js'
import {stdoutStyler, stdoutWidth, writeStdout} from './print.js'
import {isExistingFile, type LoadedProxy, loadFileProxy, loadProxy, type ProxyFlagValues} from './proxies.js'

export interface DiffFlagValues extends ProxyFlagValues {
  output: OutputFormat
  color?: boolean
  type?: DiffType[]
  fqdn?: string
  port?: number
  name?: string
  cluster?: string
  'include-meta': boolean
  normalize: boolean
  stat: boolean
  'exit-code': boolean
  /** --watch interval in ms */
  watch?: number
}

/** `--type clusters,routes`: the resource types to compare (singular forms and `all` accepted). */
export function parseTypes(value: string): DiffType[] {
  const out = new Set<DiffType>()
  for (const raw of value.split(',').map((s) => s.trim().toLowerCase())) {
    if (raw === '') continue
    if (raw === 'all') {
      for (const t of DIFF_TYPES) out.add(t)
      continue
    }
    const t = DIFF_TYPES.find((x) => x === raw || x === `${raw}s` || (x === 'secrets' && raw === 'secret'))
    if (!t) throw new UsageError(`--type "${raw}" is not a resource type; use a comma-separated list of ${DIFF_TYPES.join(', ')}`)
    out.add(t)
  }
  if (out.size === 0) throw new UsageError('--type needs at least one resource type')
  return DIFF_TYPES.filter((t) => out.has(t))
}

function engineOptions(flags: DiffFlagValues): DiffOptions {
  return {types: flags.type, fqdn: flags.fqdn, port: flags.port ? flags.port : undefined, name: flags.name, cluster: flags.cluster, includeMeta: flags['include-meta'], normalize: flags.normalize}
}

async function loadSide(ref: string, flags: DiffFlagValues): Promise<LoadedProxy> {
  if (await isExistingFile(ref)) return loadFileProxy(ref)
  // a side that names a dump file that is not there: say so, rather than look for a pod of that name
  if (/\.(json|ya?ml)$/i.test(ref)) throw new InputError(`${ref}: no such file`, {code: 'E_NO_FILE', hint: 'a side is a pod, or a saved dump that exists (meshctl pc all <pod> -o json > before.json)'})
  return loadProxy(ref, {...flags, file: undefined}, {command: 'diff', health: false})
}

interface Presentation {
  width?: number
  styler?: import('../output/tabwriter.js').Styler
  toYaml?: (v: unknown) => string
}

async function presentation(flags: DiffFlagValues): Promise<Presentation> {
  return {
    width: stdoutWidth(),
    styler: flags.output === 'short' ? await stdoutStyler(flags.color) : undefined,
    toYaml: flags.output === 'yaml' ? (await import('../output/yaml.js')).goYaml : undefined,
  }
}

async function printDocument(doc: unknown, flags: DiffFlagValues, p: Presentation): Promise<void> {
  if (flags.output === 'yaml') await writeStdout(`${p.toYaml!(doc)}\n`)
  else {
    const {goJson} = await import('../output/json.js')
    await writeStdout(`${goJson(doc)}\n`)
  }
}

function checkCombination(refs: string[], flags: DiffFlagValues): void {
  if (flags.selector !== undefined) {
    if (refs.length > 0) throw new UsageError(`diff -l compares the pods of the selector with each other; it takes no pod or file (got "${refs.join(' ')}")`)
    if (flags.watch !== undefined) throw new UsageError('--watch follows one proxy; it cannot be combined with -l')
    if (flags.stat) throw new UsageError('--stat counts the changes between two sides; with -l the table is per pod already')
    return
  }
  if (flags.watch !== undefined) {
    if (refs.length !== 1) throw new UsageError(`diff --watch follows one proxy (or file) and shows its changes; give exactly one (got ${refs.length})`)
    if (refs[0] === '-') throw new UsageError('--watch cannot re-read standard input; give a pod or a file path')
    return
  }
  if (refs.length !== 2) {
    throw new UsageError(`diff needs two sides (got ${refs.length})`, {hint: 'meshctl diff <pod-or-file> <pod-or-file>, meshctl diff -l <selector>, or meshctl diff <pod> --watch'})
  }
  if (refs[0] === '-' && refs[1] === '-') throw new UsageError('only one side can be standard input (-)')
}

export async function runDiff(refs: string[], flags: DiffFlagValues): Promise<void> {
  checkCombination(refs, flags)
  if (flags.selector !== undefined) return runReplicas(flags)
  if (flags.watch !== undefined) return runWatch(refs[0]!, flags)
  const {diffGraphs} = await import('../diff/engine.js')
  // both sides at once (two pods' admin answers arrive side by side); a failure is the first side's, as reading them in
  // turn would report, and the first side's comes as soon as it fails
  const pb = loadSide(refs[1]!, flags)
  pb.catch(() => undefined)
  const a = await loadSide(refs[0]!, flags)
  const b = await pb
  const result = diffGraphs(a.graph, b.graph, engineOptions(flags))
  await printResult(result, {a: a.id, b: b.id}, flags, await presentation(flags))
  if (!result.equal && flags['exit-code']) process.exitCode = ExitCode.CONDITION
}

async function printResult(result: DiffResult, sides: {a: string; b: string}, flags: DiffFlagValues, p: Presentation): Promise<void> {
  const view = await import('../views/diff.js')
  for (const w of result.warnings) process.stderr.write(`Warning: ${w}\n`)
  if (flags.output !== 'short') return printDocument(view.diffDocument(result, sides), flags, p)
  await writeStdout(view.diffText(result, sides, {width: p.width, styler: p.styler, stat: flags.stat}))
}

async function runReplicas(flags: DiffFlagValues): Promise<void> {
  const {ReplicaComparison} = await import('../diff/engine.js')
  const {forEachProxy} = await import('./proxies.js')
  const cmp = new ReplicaComparison(engineOptions(flags))
  const failed: Array<{id: string; err: Error}> = []
  await forEachProxy(flags, {all: false, health: false}, (o) => {
    if ('error' in o) failed.push({id: o.id, err: o.error})
    else cmp.add(o.id, o.proxy.graph)
  })
  const report = cmp.result()
  if (report.pods.length === 0) throw failed[0]!.err
  const p = await presentation(flags)
  const view = await import('../views/diff.js')
  if (flags.output !== 'short') await printDocument(view.replicaDocument(report), flags, p)
  else await writeStdout(view.replicaText(report, {width: p.width, styler: p.styler}))
  if (report.pods.length === 1) process.stderr.write(`Warning: only one pod (${report.pods[0]}) could be compared: no majority to compare it with\n`)
  for (const {id, err} of failed) process.stderr.write(`Error: ${id}: ${isMeshctlError(err) ? err.oneLine : err.message}\n`)
  const differs = report.results.some((r) => r.differences.length > 0) || report.noMajority.length > 0
  if (failed.length > 0) {
    const first = failed[0]!.err
    process.exitCode = isMeshctlError(first) ? first.exitCode : 1
  } else if (differs && flags['exit-code']) process.exitCode = ExitCode.CONDITION
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/**
 * `--watch`: the first snapshot must load (a wrong pod fails at once); a later refresh that fails is reported on
 * stderr and the previous snapshot stays the reference.
 */
async function runWatch(ref: string, flags: DiffFlagValues): Promise<void> {
  const {diffGraphs} = await import('../diff/engine.js')
  const {clock, formatInterval} = await import('../output/watch-frame.js')
  const view = await import('../views/diff.js')
  const p = await presentation(flags)
  const controller = new AbortController()
  const stop = (): void => controller.abort()
  for (const sig of STOP_SIGNALS) process.on(sig, stop)
  const stopped = new Promise<'stop'>((resolve) => controller.signal.addEventListener('abort', () => resolve('stop'), {once: true}))
  try {
    let prev = await loadSide(ref, flags)
    let prevAt = new Date()
    process.stderr.write(`${clock(prevAt)} watching ${prev.id} every ${formatInterval(flags.watch!)}: each change since the previous refresh is printed; Ctrl-C stops\n`)
    while (!controller.signal.aborted) {
      await sleep(flags.watch!, undefined, {signal: controller.signal}).catch(() => {})
      if (controller.signal.aborted) break
      let next: LoadedProxy | 'stop'
      try {
        next = await Promise.race([loadSide(ref, flags), stopped])
      } catch (err) {
        if (controller.signal.aborted) break
        process.stderr.write(`Warning: refresh at ${clock(new Date())} failed: ${isMeshctlError(err) ? err.oneLine : (err as Error).message}\n`)
        continue
      }
      if (next === 'stop') break
      const at = new Date()
      const result = diffGraphs(prev.graph, next.graph, engineOptions(flags))
      if (!result.equal) {
        if (flags.output === 'short') {
          const n = result.changes.length
          const head = `${clock(at)} ${n} change${n === 1 ? '' : 's'} since ${clock(prevAt)}`
          await writeStdout(`${p.styler ? p.styler(head, 'header') : head}\n${view.summaryTable(result.changes, p)}${view.fieldDiffs(result.changes, p)}\n`)
        } else {
          const doc = {time: at.toISOString(), since: prevAt.toISOString(), ...view.diffDocument(result, {a: prev.id, b: next.id})}
          await printDocument(doc, flags, p)
          if (flags.output === 'yaml') await writeStdout('---\n')
        }
      }
      prev = next
      prevAt = at
    }
  } finally {
    for (const sig of STOP_SIGNALS) process.off(sig, stop)
  }
  // stopped: the command returns; a refresh still in flight does not hold the process open until its timeout
  // (./exit.ts ends it a moment later)
}
