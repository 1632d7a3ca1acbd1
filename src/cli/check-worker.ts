/**
 * A worker thread of a mesh-wide `check` (src/cli/check.ts): each task is one proxy's admin answers, moved here from
 * the main thread (which keeps reading the other proxies meanwhile); the worker builds the proxy's config graph,
 * runs every check on it, frees the answers and sends back the findings. Answers that are not a proxy's (a parse
 * error, a /clusters answer where the dump should be) come back as `unreadable`, which the main thread reports as
 * that proxy's finding, as it does for a proxy that does not answer.
 */
import {checkGraph, checkTime, type CheckTime, type Finding} from '../check/index.js'
import {isMainThread} from 'node:worker_threads'
import type {ConfigGraph} from '../graph/graph.js'
import type {Fetched} from '../sources/types.js'
import {releaseBytes} from '../util/buffers.js'
import {releaseHeapPagesEvery} from '../util/v8-tuning.js'
import {serializeError, type SerializedError, serveTasks} from '../util/worker-pool.js'
import {graphOfAnswers} from './proxy-graph.js'
import {asError} from '../errors/index.js'

export interface CheckTask {
  id: string
  dump: Fetched
  clusters?: Fetched
  certWarnMs: number
  at?: Date
  now: Date
}

/** A proxy checked, or answers that cannot be read as a proxy's (`E`: the error itself here, serialized across threads). */
export type CheckTaskResult<E = SerializedError> = {kind: 'checked'; time: CheckTime; findings: Finding[]} | {kind: 'unreadable'; error: E}

/** How many proxies a worker checks between two collections that give V8's free pages back (as check.ts's main thread). */
const RELEASE_PAGES_EVERY = 32

export function checkTask(task: CheckTask): CheckTaskResult<Error> {
  try {
    let graph: ConfigGraph
    try {
      graph = graphOfAnswers(task.dump, task.clusters, {compact: true})
    } catch (err) {
      return {kind: 'unreadable', error: asError(err)}
    }
    const time = checkTime(graph, {at: task.at, saved: false, now: task.now})
    return {kind: 'checked', time, findings: checkGraph(graph, {proxy: task.id, time, certWarnMs: task.certWarnMs})}
  } finally {
    // the graph reads parts of the answers lazily: they are freed once the checks are done, not left to a full
    // collection (src/util/buffers.ts)
    releaseBytes(task.dump.bytes)
    if (task.clusters) releaseBytes(task.clusters.bytes)
  }
}

if (!isMainThread) {
  const pages = releaseHeapPagesEvery(RELEASE_PAGES_EVERY)
  serveTasks<CheckTask, CheckTaskResult>((task) => {
    // the answers arrive as plain Uint8Arrays, which the decoders read as they read Buffers
    const r = checkTask(task)
    pages.tick()
    return r.kind === 'unreadable' ? {kind: 'unreadable', error: serializeError(r.error)} : r
  })
}
