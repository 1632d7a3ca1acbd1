/** The one duration type of every meshctl flag (--timeout, --watch): grammar, limits, how help shows it. */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {formatDuration, MAX_TIMER_MS, parseDuration} from '../../src/cli/flags.js'
import type {MeshctlError} from '../../src/errors/index.js'

const usage = (pattern: RegExp) => (e: MeshctlError) => e.exitCode === 2 && pattern.test(e.message) && !e.message.includes('\n')

describe('parseDuration', () => {
  test('units and bare seconds', () => {
    assert.equal(parseDuration('30s', 'timeout'), 30_000)
    assert.equal(parseDuration('500ms', 'timeout'), 500)
    assert.equal(parseDuration('1h', 'timeout'), 3_600_000)
    assert.equal(parseDuration('60m', 'timeout'), 3_600_000)
    assert.equal(parseDuration('2', 'timeout'), 2000)
    assert.equal(parseDuration('1.5s', 'timeout'), 1500)
  })
  test('negative, zero, nonsense: one-line usage errors', () => {
    assert.throws(() => parseDuration('-1s', 'timeout'), usage(/--timeout "-1s" must not be negative/))
    assert.throws(() => parseDuration('0s', 'timeout'), usage(/more than zero/))
    assert.throws(() => parseDuration('soon', 'timeout'), usage(/not a duration/))
  })
  test("beyond Node's timer limit (2^31-1 ms) is refused, not taken as an immediate timeout", () => {
    assert.equal(parseDuration(`${MAX_TIMER_MS}ms`, 'timeout'), MAX_TIMER_MS)
    assert.throws(() => parseDuration(`${MAX_TIMER_MS + 1}ms`, 'timeout'), usage(/--timeout .* too long; the longest is 596h/))
    assert.throws(() => parseDuration('600h', 'timeout'), usage(/too long/))
    assert.throws(() => parseDuration('2500000s', 'watch'), usage(/--watch 2500000s is too long/))
  })
  test('formatDuration', () => {
    assert.deepEqual([30_000, 500, 3_600_000, 120_000, 1500, 90_000].map(formatDuration), ['30s', '500ms', '1h', '2m', '1.5s', '90s'])
  })
})

test('timeouts are reported as given: 1ms is not "0.0s" (defect 17)', async () => {
  const {fmtSeconds} = await import('../../src/kube/api.js')
  assert.deepEqual([1, 500, 1000, 1500, 30_000, 1234].map(fmtSeconds), ['1ms', '500ms', '1s', '1.5s', '30s', '1.234s'])
})
