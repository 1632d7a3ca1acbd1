/**
 * A few worker threads (node:worker_threads) that run one kind of task, for CPU-bound work a command can do beside
 * its network reads: `check -A` reads proxies on the main thread and decodes and checks them on workers, so a second
 * CPU does the checks while the first keeps the port-forwards busy (BENCHMARKS.md, issue 12).
 *
 * The main side: `workerPool(script, size)` starts `size` workers of a module file (or of source text evaluated as
 * CommonJS: the single executable's workers, src/cli/worker-script.ts); `run(input, transfer)` queues the input and
 * settles with its answer. A worker runs one task at a time and gets the next queued one as soon as it answers (so
 * tasks go to whichever worker is free first); `transfer` lists ArrayBuffers moved to the worker when the task is
 * posted, not copied (they are detached here then). A task that throws in the worker rejects with an Error carrying
 * the thrown error's message, stack and own string/number fields (a MeshctlError's `oneLine` and `exitCode` among
 * them). A worker that dies (an uncaught error, out of memory) rejects the one task it was running with a
 * WorkerStoppedError; the queued tasks, still on this side with their buffers, go to the others, and a worker that
 * had started serving is replaced by a new one (one that dies before it serves is not: its module does not load).
 * With no worker left, the queued tasks and later ones reject. `close()` stops them all (a worker keeps the process
 * alive until then).
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

/** A worker runs one task at a time, so its answer is to the task it was last given. */
interface Task<I> {
  input: I
}

type Reply<O> = {ok: O} | {error: SerializedError} | {ready: true}

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

/** The task a worker was running when it died: its error says why (`outOfMemory` when V8 hit the heap limit). */
export class WorkerStoppedError extends Error {
  readonly code = 'E_WORKER_STOPPED'
  readonly outOfMemory: boolean
  constructor(message: string, outOfMemory: boolean, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'WorkerStoppedError'
    this.outOfMemory = outOfMemory
  }
}

interface Waiting<I> {
  input: I
  transfer: readonly TransferListItem[]
  resolve: (v: unknown) => void
  reject: (e: Error) => void
}

interface Slot<I> {
  worker: Worker
  /** the task it runs (one at a time) */
  current: Waiting<I> | undefined
  dead: boolean
  /** it said it serves tasks: its module loaded */
  served: boolean
  ready: Promise<void>
  /** settles `ready` (the worker said so, or died) */
  markReady: () => void
}

export function workerPool<I, O>(script: WorkerScript, size: number, options: {resourceLimits?: ResourceLimits; name?: string} = {}): WorkerPool<I, O> {
  const name = options.name ?? 'worker'
  const slots: Slot<I>[] = []
  const queue: Waiting<I>[] = []
  let closed = false
  const post = (slot: Slot<I>, task: Waiting<I>): void => {
    slot.current = task
    try {
      slot.worker.postMessage({input: task.input} satisfies Task<I>, task.transfer as TransferListItem[])
    } catch (err) {
      slot.current = undefined
      task.reject(asError(err))
    }
  }
  // the queued tasks to the free workers; with none alive, they fail
  const pump = (): void => {
    for (const slot of slots) {
      if (queue.length === 0) return
      if (!slot.dead && !slot.current) post(slot, queue.shift()!)
    }
    if (queue.length > 0 && slots.every((s) => s.dead)) {
      for (const t of queue.splice(0)) t.reject(new Error(`no ${name} thread is running`))
    }
  }
  const start = (i: number): void => {
    const file = script instanceof URL
    const worker = new Worker(file ? script : script.source, {eval: !file, resourceLimits: options.resourceLimits, stdout: false, stderr: false})
    let markReady = (): void => {}
    const ready = new Promise<void>((resolve) => (markReady = resolve))
    const slot: Slot<I> = {worker, current: undefined, dead: false, served: false, ready, markReady}
    const died = (err: WorkerStoppedError): void => {
      if (slot.dead) return
      slot.dead = true
      slot.markReady()
      slot.current?.reject(err)
      slot.current = undefined
      // a worker that served tasks died of one (out of memory on a huge input): the others deserve a thread
      if (!closed && slot.served) start(i)
      pump()
    }
    worker.on('message', (r: Reply<O>) => {
      if ('ready' in r) {
        slot.served = true
        return slot.markReady()
      }
      const task = slot.current
      slot.current = undefined
      if (task) {
        if ('ok' in r) task.resolve(r.ok)
        else task.reject(deserializeError(r.error))
      }
      pump()
    })
    worker.on('error', (err) => {
      const oom = (err as {code?: string}).code === 'ERR_WORKER_OUT_OF_MEMORY'
      died(new WorkerStoppedError(oom ? `${name} thread ran out of memory` : `${name} thread failed: ${err.message}`, oom, {cause: err}))
    })
    worker.on('exit', (code) => died(new WorkerStoppedError(`${name} thread stopped (exit code ${code})`, false)))
    slots[i] = slot
  }
  for (let i = 0; i < size; i++) start(i)
  return {
    get size() {
      return slots.filter((s) => !s.dead).length
    },
    async ready(): Promise<void> {
      await Promise.all(slots.map((s) => s.ready))
    },
    run(input: I, transfer: readonly TransferListItem[] = []): Promise<O> {
      if (closed || slots.every((s) => s.dead)) return Promise.reject(new Error(`no ${name} thread is running`))
      return new Promise<O>((resolve, reject) => {
        queue.push({input, transfer, resolve: resolve as (v: unknown) => void, reject})
        pump()
      })
    },
    async close(): Promise<void> {
      closed = true
      for (const t of queue.splice(0)) t.reject(new Error(`the ${name} threads were stopped`))
      await Promise.all(
        slots.map(async (s) => {
          s.dead = true
          s.current?.reject(new Error(`the ${name} threads were stopped`))
          s.current = undefined
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
      reply = {ok: handler(task.input)}
    } catch (err) {
      reply = {error: serializeError(err)}
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
