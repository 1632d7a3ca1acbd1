/**
 * releaseBytes (src/util/buffers.ts): a fan-out's answer freed as soon as its proxy is checked; allocPages: a large
 * answer's memory in pages of its own, given back to the system when it is released.
 */
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {readFileSync} from 'node:fs'
import {allocPages, OWN_PAGES_MIN, releaseBytes} from '../../src/util/buffers.js'

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

/** Resident memory of the process, from /proc (Linux); undefined elsewhere. */
function residentBytes(): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))
    return m ? Number(m[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}

test('allocPages: a large buffer spans its own ArrayBuffer, is used like any Buffer and can be released', () => {
  const b = allocPages(OWN_PAGES_MIN + 5)
  assert.ok(Buffer.isBuffer(b))
  assert.equal(b.length, OWN_PAGES_MIN + 5)
  assert.equal(b.byteOffset, 0)
  assert.equal(b.buffer.byteLength, b.length)
  Buffer.from('{"configs":[]}').copy(b, 10)
  assert.equal(b.toString('utf8', 10, 24), '{"configs":[]}')
  assert.deepEqual(JSON.parse(b.subarray(10, 24).toString()), {configs: []})
  assert.equal(releaseBytes(b), true)
  assert.equal(b.length, 0)
})

test('allocPages: a small buffer is an ordinary one (no pages of its own for a few bytes)', () => {
  const b = allocPages(100)
  assert.equal(b.length, 100)
  assert.equal((b.buffer as ArrayBuffer & {resizable?: boolean}).resizable ?? false, false)
})

test('allocPages: released answers give their memory back to the system, even between small allocations that stay', () => {
  // a few-MB buffer from malloc, freed: glibc then serves blocks up to that size from its heap (its mmap threshold
  // follows the largest block freed), as it does after a fan-out's first answers
  releaseBytes(Buffer.allocUnsafe(6 * 1024 * 1024).fill(1))
  const before = residentBytes()
  if (before === undefined) return
  // 16 answers of 4 MB, each followed by a small buffer that lives on: memory from malloc's heap below such a
  // buffer stays resident after the answer is freed; pages of the answer's own are unmapped at once
  const kept: Buffer[] = []
  const answers: Buffer[] = []
  for (let i = 0; i < 16; i++) {
    const a = allocPages(4 * 1024 * 1024)
    a.fill(i + 1)
    answers.push(a)
    kept.push(Buffer.allocUnsafeSlow(64 * 1024).fill(1))
  }
  const full = residentBytes()!
  assert.ok(full - before > 48 * 1024 * 1024, `the answers are resident (${full - before} bytes)`)
  for (const a of answers) assert.equal(releaseBytes(a), true)
  const after = residentBytes()!
  assert.ok(full - after > 48 * 1024 * 1024, `released answers leave the process (${full - after} of ${16 * 4 * 1024 * 1024} bytes given back)`)
  assert.equal(kept.length, 16)
})
