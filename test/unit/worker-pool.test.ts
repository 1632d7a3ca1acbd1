/**
 * src/util/worker-pool.ts (check's worker threads): tasks answered in order of their own, buffers moved rather than
 * copied, a task's error carried with its fields, a worker that dies failing its own tasks only, and close().
 * Also src/cli/check-worker.ts's task: the same findings as checking on the main thread, answers freed after.
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {checkTask} from '../../src/cli/check-worker.js'
import {checkGraph, checkTime} from '../../src/check/index.js'
import {transferable, workerPool} from '../../src/util/worker-pool.js'
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
  test('ready() settles once every worker serves tasks, and also when one has died', async () => {
    const pool = workerPool<PoolTask, number>(SCRIPT, 2)
    try {
      await pool.ready()
      await assert.rejects(pool.run({op: 'exit'}))
      await pool.ready()
      assert.equal(pool.size, 1)
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
  test("a worker that exits fails its pending tasks; the others are served; with none left, run rejects", async () => {
    const pool = workerPool<PoolTask, number>(SCRIPT, 2, {name: 'test'})
    try {
      // the busy task occupies one worker, so the exit goes to the other (the least busy)
      const busy = pool.run({op: 'wait', ms: 300})
      await assert.rejects(pool.run({op: 'exit'}), /test thread stopped \(exit code 3\)/)
      assert.equal(await busy, 300)
      assert.equal(pool.size, 1)
      assert.equal(await pool.run({op: 'sum', bytes: new Uint8Array([2, 2])}), 4)
      await assert.rejects(pool.run({op: 'exit'}), /exit code 3/)
      await assert.rejects(pool.run({op: 'sum', bytes: new Uint8Array([1])}), /no test thread is running/)
    } finally {
      await pool.close()
    }
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
