/** releaseBytes (src/util/buffers.ts): a fan-out's answer freed as soon as its proxy is checked. */
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {releaseBytes} from '../../src/util/buffers.js'

const external = (): number => process.memoryUsage().arrayBuffers

test('an answer that owns its ArrayBuffer is freed at once, without a collection', () => {
  const size = 64 * 1024 * 1024
  const before = external()
  const answer = Buffer.allocUnsafe(size)
  answer.fill(1)
  assert.ok(external() - before >= size, 'the answer counts as ArrayBuffer memory')
  assert.equal(releaseBytes(answer), true)
  // the Buffer object is still reachable here: only the detach can have given the memory back
  assert.ok(external() - before < size / 2, `external memory back near where it was (${external() - before} bytes above)`)
  assert.equal(answer.length, 0)
  assert.equal(answer.buffer.byteLength, 0)
})

test('a view into a larger buffer is left alone (it shares the memory with other views)', () => {
  const whole = Buffer.alloc(1024 * 1024, 7)
  const part = whole.subarray(1, 1000)
  assert.equal(releaseBytes(part), false)
  assert.equal(whole.length, 1024 * 1024)
  assert.equal(part[0], 7)
  const tail = whole.subarray(0, 1000)
  assert.equal(releaseBytes(tail), false, 'starting at 0 is not enough: it must cover the whole buffer')
  assert.equal(whole[999], 7)
})

test("a small Buffer from Node's pool is never detached (the pool's other Buffers would lose their bytes)", () => {
  const a = Buffer.from('first')
  const b = Buffer.from('second')
  assert.ok(a.buffer === b.buffer || a.buffer.byteLength > a.length, 'pooled')
  assert.equal(releaseBytes(a), false)
  assert.equal(b.toString(), 'second')
})

test('released twice or empty: nothing happens', () => {
  const answer = Buffer.allocUnsafe(1 << 20)
  assert.equal(releaseBytes(answer), true)
  assert.equal(releaseBytes(answer), false)
  assert.equal(releaseBytes(new Uint8Array(0)), false)
})
