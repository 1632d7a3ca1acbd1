/**
 * A few worker threads (node:worker_threads) that run one kind of task, for CPU-bound work a command can do beside
 * its network reads: `check -A` reads proxies on the main thread and decodes and checks them on workers, so a second
 * CPU does the checks while the first keeps the port-forwards busy (BENCHMARKS.md, issue 12).
 *
 * The main side: `workerPool(script, size)` starts `size` workers of a module file (or of source text evaluated as
 * CommonJS: the single executable's workers, src/cli/worker-script.ts); `run(input, transfer)` posts the
 * input to the worker with the fewest tasks (`transfer`: ArrayBuffers moved to it, not copied; they are detached
 * here) and settles with its answer. A task that throws in the worker rejects with an Error carrying the thrown
 * error's message, stack and own string/number fields (a MeshctlError's `oneLine` and `exitCode` among them). A
 * worker that dies (an uncaught error, out of memory) rejects its pending tasks; the others go on; when none is
 * left, `run` rejects. `close()` stops them all (a worker keeps the process alive until then).
 * The worker side: `serveTasks(handler)` in the worker's module answers each task with what `handler` returns.
 */
import {isMainThread, parentPort, type TransferListItem, Worker, type ResourceLimits} from 'node:worker_threads'
import {spansItsBuffer} from './buffers.js'
import {asError} from '../errors/index.js'

/** What a worker runs: an ES module file, or source text evaluated as CommonJS (`require` at hand). */
export type WorkerScript = URL | {source: string}

export interface WorkerPool<I, O> {
  run(input: I, transfer?: readonly TransferListItem[]): Promise<O>
  /** settles once every worker has loaded its module and serves tasks (or has died) */
  ready(): Promise<void>
  close(): Promise<void>
  /** workers still running */
  readonly size: number
}

interface Task<I> {
  seq: number
  input: I
}

type Reply<O> = {seq: number; ok: O} | {seq: number; error: SerializedError} | {ready: true}

/** An error as it crosses to the other thread: structured clone keeps only the standard fields of an Error. */
export interface SerializedError {
  name: string
  message: string
  stack?: string
  /** the error's own string and number fields (`code`, `exitCode`, ...) and its getters' values (`oneLine`) */
  fields: Record<string, string | number>
}

export function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return {name: 'Error', message: String(err), fields: {}}
  const fields: Record<string, string | number> = {}
  for (const key of Object.keys(err)) {
    const v = (err as unknown as Record<string, unknown>)[key]
    if (typeof v === 'string' || typeof v === 'number') fields[key] = v
  }
  const oneLine = (err as {oneLine?: unknown}).oneLine
  if (typeof oneLine === 'string') fields.oneLine = oneLine
  return {name: err.name, message: err.message, stack: err.stack, fields}
}

/** The Error a serialized one stands for: its message and stack, its fields as own properties. */
export function deserializeError(e: SerializedError): Error {
  const err = new Error(e.message)
  err.name = e.name
  if (e.stack !== undefined) err.stack = e.stack
  Object.assign(err, e.fields)
  return err
}

interface Slot {
  worker: Worker
  pending: Map<number, {resolve: (v: unknown) => void; reject: (e: Error) => void}>
  dead: boolean
  ready: Promise<void>
  /** settles `ready` (the worker said so, or died) */
  markReady: () => void
}

export function workerPool<I, O>(script: WorkerScript, size: number, options: {resourceLimits?: ResourceLimits; name?: string} = {}): WorkerPool<I, O> {
  const name = options.name ?? 'worker'
  const slots: Slot[] = []
  let seq = 0
  const fail = (slot: Slot, err: Error): void => {
    slot.markReady()
    slot.dead = true
    for (const p of slot.pending.values()) p.reject(err)
    slot.pending.clear()
  }
  for (let i = 0; i < size; i++) {
    const file = script instanceof URL
    const worker = new Worker(file ? script : script.source, {eval: !file, resourceLimits: options.resourceLimits, stdout: false, stderr: false})
    let markReady = (): void => {}
    const ready = new Promise<void>((resolve) => (markReady = resolve))
    const slot: Slot = {worker, pending: new Map(), dead: false, ready, markReady}
    worker.on('message', (r: Reply<O>) => {
      if ('ready' in r) return slot.markReady()
      const p = slot.pending.get(r.seq)
      if (!p) return
      slot.pending.delete(r.seq)
      if ('ok' in r) p.resolve(r.ok)
      else p.reject(deserializeError(r.error))
    })
    worker.on('error', (err) => fail(slot, new Error(`${name} thread failed: ${err.message}`, {cause: err})))
    worker.on('exit', (code) => fail(slot, new Error(`${name} thread stopped (exit code ${code})`)))
    slots.push(slot)
  }
  return {
    get size() {
      return slots.filter((s) => !s.dead).length
    },
    async ready(): Promise<void> {
      await Promise.all(slots.map((s) => s.ready))
    },
    run(input: I, transfer: readonly TransferListItem[] = []): Promise<O> {
      let best: Slot | undefined
      for (const s of slots) if (!s.dead && (!best || s.pending.size < best.pending.size)) best = s
      if (!best) return Promise.reject(new Error(`no ${name} thread is running`))
      const slot = best
      const n = seq++
      return new Promise<O>((resolve, reject) => {
        slot.pending.set(n, {resolve: resolve as (v: unknown) => void, reject})
        try {
          slot.worker.postMessage({seq: n, input} satisfies Task<I>, transfer as TransferListItem[])
        } catch (err) {
          slot.pending.delete(n)
          reject(asError(err))
        }
      })
    },
    async close(): Promise<void> {
      await Promise.all(
        slots.map(async (s) => {
          s.dead = true
          await s.worker.terminate()
        }),
      )
    },
  }
}

/** The worker side: answers every task posted by the pool with what `handler` returns (copied back: plain data). */
export function serveTasks<I, O>(handler: (input: I) => O): void {
  if (isMainThread || !parentPort) throw new Error('serveTasks runs in a worker thread')
  const port = parentPort
  port.on('message', (task: Task<I>) => {
    let reply: Reply<O>
    try {
      reply = {seq: task.seq, ok: handler(task.input)}
    } catch (err) {
      reply = {seq: task.seq, error: serializeError(err)}
    }
    port.postMessage(reply)
  })
  // the module that called this has been loaded and evaluated
  port.postMessage({ready: true})
}

/**
 * The bytes of `bytes` as an ArrayBuffer that can be moved to another thread: its own buffer when it spans all of it
 * (moved: `bytes` is then detached here), else a copy (a view into a shared buffer, such as Node's pool).
 */
export function transferable(bytes: Uint8Array): {view: Uint8Array; buffer: ArrayBuffer} {
  if (spansItsBuffer(bytes)) return {view: bytes, buffer: bytes.buffer as ArrayBuffer}
  const copy = new Uint8Array(bytes)
  return {view: copy, buffer: copy.buffer}
}
