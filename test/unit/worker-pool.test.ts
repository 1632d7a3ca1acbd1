/**
 * src/util/worker-pool.ts (check's worker threads): tasks answered in order of their own, buffers moved rather than
 * copied, a task's error carried with its fields, a worker that dies (an exit, out of memory) failing only the task
 * it ran and replaced, the tasks queued behind it served by the others, and close().
 * Also src/cli/check-worker.ts's task: the same findings as checking on the main thread, answers freed after.
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {checkTask} from '../../src/cli/check-worker.js'
import {checkGraph, checkTime} from '../../src/check/index.js'
import {transferable, WorkerStoppedError, workerPool} from '../../src/util/worker-pool.js'
import {dumpOf, edsCluster, graphOf, hcmChain, listener, route, routeConfig} from '../helpers/dumps.js'
import type {PoolTask} from '../helpers/pool-worker.js'

const SCRIPT = new URL('../helpers/pool-worker.js', import.meta.url)

describe('workerPool', () => {
  test('runs tasks on the workers; a buffer given in the transfer list is moved (detached here)', async () => {
    const pool = workerPool<PoolTask, number>(SCRIPT, 2)
    try {
      const bytes = new Uint8Array(1 << 16).fill(1)
      const t = transferable(bytes)
      assert.equal(t.view, bytes, 'a view spanning its whole buffer is moved as it is')
      const sums = await Promise.all([pool.run({op: 'sum', bytes: t.view}, [t.buffer]), pool.run({op: 'sum', bytes: new Uint8Array([1, 2, 3])})])
      assert.deepEqual(sums, [1 << 16, 6])
      assert.equal(bytes.byteLength, 0, 'moved, not copied')
    } finally {
      await pool.close()
    }
  })
  test('ready() settles once every worker serves tasks, and also when one has died (and its replacement serves)', async () => {
    const pool = workerPool<PoolTask, number>(SCRIPT, 2)
    try {
      await pool.ready()
      await assert.rejects(pool.run({op: 'exit'}))
      await pool.ready()
      assert.equal(pool.size, 2)
    } finally {
      await pool.close()
    }
  })
  test('transferable copies a view into a shared buffer (Node pool slices) instead of detaching the others', () => {
    const shared = Buffer.from('abc')
    const t = transferable(shared)
    assert.notEqual(t.view.buffer, shared.buffer)
    assert.deepEqual([...t.view], [...shared])
    assert.equal(t.view.byteLength, t.buffer.byteLength)
  })
  test("a task that throws rejects with the error's message and fields (oneLine, exitCode, code); the worker goes on", async () => {
    const pool = workerPool<PoolTask, number>(SCRIPT, 1)
    try {
      const err = await pool.run({op: 'throw'}).then(
        () => assert.fail('resolved'),
        (e: unknown) => e as Error & {oneLine?: string; exitCode?: number; code?: string},
      )
      assert.equal(err.message, 'dump.json is not JSON')
      assert.equal(err.code, 'E_BAD_JSON')
      assert.equal(typeof err.exitCode, 'number')
      assert.match(err.oneLine!, /dump\.json is not JSON.*save it again/)
      assert.equal(await pool.run({op: 'sum', bytes: new Uint8Array([5])}), 5)
    } finally {
      await pool.close()
    }
  })
  test('a worker that exits fails the task it ran (WorkerStoppedError); it is replaced, and the others are served', async () => {
    const pool = workerPool<PoolTask, number>(SCRIPT, 2, {name: 'test'})
    try {
      // the busy task occupies one worker, so the exit goes to the other
      const busy = pool.run({op: 'wait', ms: 300})
      const exit = pool.run({op: 'exit'})
      await assert.rejects(exit, (err: unknown) => err instanceof WorkerStoppedError && /^test thread stopped \(exit code 3\)$/.test(err.message) && !err.outOfMemory)
      assert.equal(await busy, 300)
      assert.equal(await pool.run({op: 'sum', bytes: new Uint8Array([2, 2])}), 4)
      await pool.ready()
      assert.equal(pool.size, 2, 'the dead worker was replaced')
    } finally {
      await pool.close()
    }
  })
  test('the tasks queued behind one that kills its worker keep their moved buffers and are served', async () => {
    const pool = workerPool<PoolTask, number>(SCRIPT, 1, {name: 'test'})
    try {
      const views = [1, 2, 3].map((n) => transferable(new Uint8Array(1024).fill(n)))
      const exit = pool.run({op: 'exit'})
      const sums = views.map((t) => pool.run({op: 'sum', bytes: t.view}, [t.buffer]))
      await assert.rejects(exit, WorkerStoppedError)
      assert.deepEqual(await Promise.all(sums), [1024, 2048, 3072])
    } finally {
      await pool.close()
    }
  })
  test('a worker that runs out of memory: its task rejects saying so, the next tasks are served', async () => {
    const pool = workerPool<PoolTask, number>(SCRIPT, 1, {name: 'test', resourceLimits: {maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4}})
    try {
      await assert.rejects(pool.run({op: 'grow'}), (err: unknown) => err instanceof WorkerStoppedError && err.outOfMemory && /^test thread ran out of memory$/.test(err.message))
      assert.equal(await pool.run({op: 'sum', bytes: new Uint8Array([5])}), 5)
    } finally {
      await pool.close()
    }
  })
  test('a worker whose module does not load is not replaced: with none left, run rejects', async () => {
    const pool = workerPool<PoolTask, number>({source: "throw new Error('no such module')"}, 1, {name: 'test'})
    try {
      await assert.rejects(pool.run({op: 'sum', bytes: new Uint8Array([1])}), /test thread failed: no such module|no test thread is running/)
      await pool.ready()
      assert.equal(pool.size, 0)
      await assert.rejects(pool.run({op: 'sum', bytes: new Uint8Array([1])}), /no test thread is running/)
    } finally {
      await pool.close()
    }
  })
  test('close() rejects what is still queued or running, and stops the workers', async () => {
    const pool = workerPool<PoolTask, number>(SCRIPT, 1, {name: 'test'})
    await pool.ready()
    const running = assert.rejects(pool.run({op: 'wait', ms: 200}), /test threads were stopped/)
    const queued = assert.rejects(pool.run({op: 'sum', bytes: new Uint8Array([1])}), /test threads were stopped/)
    await pool.close()
    await running
    await queued
    assert.equal(pool.size, 0)
  })
})

describe('check-worker: one proxy checked from its answers', () => {
  const parts = {
    listeners: [listener('0.0.0.0_9080', 9080, [hcmChain('9080')])],
    clusters: [edsCluster('outbound|9080||reviews.default.svc.cluster.local')],
    routes: [routeConfig('9080', [{name: 'reviews', domains: ['reviews'], routes: [route({prefix: '/'}, 'outbound|9080|v4|reviews.default.svc.cluster.local')]}])],
    endpoints: {'outbound|9080||reviews.default.svc.cluster.local': [{address: '10.0.0.2'}]},
  }
  const now = new Date('2025-06-02T10:00:00Z')
  test('the findings of checkGraph on the same dump, and the answers freed once checked', () => {
    const bytes = Buffer.from(JSON.stringify(dumpOf(parts)))
    const own = transferable(new Uint8Array(bytes)).view
    // a plain Uint8Array, as the answers reach a worker
    const r = checkTask({id: 'p.default', dump: {bytes: own, source: 'p.default'}, certWarnMs: 6 * 3_600_000, now})
    assert.equal(r.kind, 'checked')
    const graph = graphOf(parts)
    const time = checkTime(graph, {saved: false, now})
    const expected = checkGraph(graph, {proxy: 'p.default', time, certWarnMs: 6 * 3_600_000})
    assert.ok(expected.some((f) => f.code === 'ROUTE_CLUSTER_MISSING'))
    assert.deepEqual(r.kind === 'checked' && r.findings, expected)
    assert.deepEqual(r.kind === 'checked' && r.time, {at: now, source: 'now'})
    assert.equal(own.byteLength, 0, 'the answer was freed (releaseBytes)')
  })
  test('a /clusters answer where the dump should be is unreadable (a finding of the proxy), not a thrown error', () => {
    const clusters = Buffer.from(JSON.stringify({cluster_statuses: []}))
    const r = checkTask({id: 'p.default', dump: {bytes: clusters, source: 'p.default'}, certWarnMs: 1, now})
    assert.equal(r.kind, 'unreadable')
    assert.match(r.kind === 'unreadable' ? r.error.message : '', /p\.default is a \/clusters answer, not a config dump/)
  })
})

describe("check: a proxy whose check killed its thread", () => {
  test('is that proxy\'s PROXY_UNREACHABLE finding, saying why and how big its answers were', async () => {
    const {checkThreadStopped} = await import('../../src/cli/check.js')
    const {unreachableFinding} = await import('../../src/check/index.js')
    const oom = unreachableFinding('big-1.default', checkThreadStopped(new WorkerStoppedError('check thread ran out of memory', true), 3 * (1 << 20) + 1000))
    assert.equal(oom.code, 'PROXY_UNREACHABLE')
    assert.equal(oom.severity, 'error')
    assert.match(oom.message, /^not checked: the check thread ran out of memory on its config \(3\.0 MB of admin answers\); check it alone with `meshctl check <pod>`, or give Node more heap/)
    const exited = unreachableFinding('odd-1.default', checkThreadStopped(new WorkerStoppedError('check thread stopped (exit code 7)', false), 1 << 20))
    assert.match(exited.message, /^not checked: check thread stopped \(exit code 7\) while checking it \(1\.0 MB of admin answers\)/)
  })
})
