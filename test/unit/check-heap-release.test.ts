/**
 * check -A's collections (src/util/v8-tuning.ts): V8's free heap pages given back every few proxies
 * (releaseHeapPagesEvery), the young generation collected every few MB read from the network
 * (collectReadBuffersEvery, fed through src/util/read-hook.ts). In a process of their own (node --test runs each file
 * in one), since they change V8 flags.
 */
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {PerformanceObserver, constants} from 'node:perf_hooks'
import {setFlagsFromString} from 'node:v8'
import {runInNewContext} from 'node:vm'
import {countReadBytes} from '../../src/util/read-hook.js'
import {collectReadBuffersEvery, releaseHeapPagesEvery} from '../../src/util/v8-tuning.js'

const MB = 1024 * 1024

/** The kinds of the collections V8 makes while `fn` runs (and the observer's queue is flushed). */
async function collectionsDuring(fn: () => void): Promise<number[]> {
  const kinds: number[] = []
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) kinds.push((e as unknown as {detail: {kind: number}}).detail.kind)
  })
  obs.observe({entryTypes: ['gc']})
  fn()
  // entries are delivered asynchronously
  await new Promise((resolve) => setTimeout(resolve, 50))
  obs.disconnect()
  return kinds
}

test('the young generation is collected each time the bytes read reach the budget, and no more once released', async () => {
  // the test runner's own start-up work collected first, so that what follows sees only what it causes
  await collectionsDuring(() => {})
  const reads = collectReadBuffersEvery(4 * MB)
  const under = await collectionsDuring(() => countReadBytes(3 * MB))
  assert.ok(!under.includes(constants.NODE_PERFORMANCE_GC_MINOR), `a minor collection before the budget was read (${under})`)
  const over = await collectionsDuring(() => countReadBytes(2 * MB))
  assert.ok(over.includes(constants.NODE_PERFORMANCE_GC_MINOR), `no minor collection once 5 MB were read (${over})`)
  reads.release()
  const after = await collectionsDuring(() => countReadBytes(64 * MB))
  assert.ok(!after.includes(constants.NODE_PERFORMANCE_GC_MINOR), `a minor collection after release (${after})`)
})

test('every n-th proxy, a full collection gives the heap pages it frees back to the system', async () => {
  const pages = releaseHeapPagesEvery(3)
  let garbage: unknown[] | undefined = Array.from({length: 1_000_000}, (_, i) => ({i, s: `x${i}`}))
  assert.ok(garbage.length > 0)
  garbage = undefined
  // an ordinary full collection first: it frees the garbage's objects (so V8 has no collection of its own to finish
  // while the ticks are counted) but keeps their pages in V8's pool, resident
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as (o: {type: 'major'}) => void)({type: 'major'})
  const before = process.memoryUsage().rss
  const first = await collectionsDuring(() => {
    pages.tick()
    pages.tick()
  })
  assert.ok(!first.includes(constants.NODE_PERFORMANCE_GC_MAJOR), `a full collection before the 3rd proxy (${first})`)
  const third = await collectionsDuring(() => pages.tick())
  assert.ok(third.includes(constants.NODE_PERFORMANCE_GC_MAJOR), `no full collection at the 3rd proxy (${third})`)
  const freed = before - process.memoryUsage().rss
  // ~100 MB of objects were garbage: most of their pages go back to the system, not to V8's pool
  assert.ok(freed > 40 * MB, `RSS fell by ${Math.round(freed / MB)} MB only`)
})
