/** Ages as istioctl prints them after a status (kubectl's HumanDuration, §5.3), with a frozen clock. */
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {age, humanDuration} from '../../src/istiod/age.js'

const S = 1000
const M = 60 * S
const H = 60 * M
const D = 24 * H
const NOW = new Date('2026-06-01T12:00:00Z')

const cases: Array<[string, number, string]> = [
  ['59s', 59 * S, '59s'],
  ['0s', 0, '0s'],
  ['119s stays in seconds', 119 * S + 999, '119s'],
  ['2m30s', 2 * M + 30 * S, '2m30s'],
  ['2m exactly', 2 * M, '2m'],
  ['7m', 7 * M, '7m'],
  ['9m59s', 9 * M + 59 * S, '9m59s'],
  ['10m drops seconds', 10 * M + 30 * S, '10m'],
  ['179m', 179 * M, '179m'],
  ['3h', 3 * H, '3h'],
  ['5h20m', 5 * H + 20 * M, '5h20m'],
  ['7h59m', 7 * H + 59 * M, '7h59m'],
  ['8h', 8 * H + 30 * M, '8h'],
  ['30h', 30 * H, '30h'],
  ['47h', 47 * H + 59 * M, '47h'],
  ['2d', 2 * D, '2d'],
  ['3d4h', 3 * D + 4 * H, '3d4h'],
  ['7d23h', 7 * D + 23 * H, '7d23h'],
  ['8d', 8 * D + 5 * H, '8d'],
  ['400d', 400 * D, '400d'],
  ['729d', 729 * D, '729d'],
  ['2y30d', (2 * 365 + 30) * D, '2y30d'],
  ['3y', 3 * 365 * D, '3y'],
  ['7y364d', (7 * 365 + 364) * D, '7y364d'],
  ['8y', 8 * 365 * D + 100 * D, '8y'],
  ['slightly negative (clock skew) is 0s', -1 * S, '0s'],
  ['-1.9s truncates to -1s: 0s', -1900, '0s'],
  ['negative beyond a second', -2 * S, '<invalid>'],
  ['far in the future', -5 * H, '<invalid>'],
]

for (const [name, ms, want] of cases) {
  test(`humanDuration: ${name}`, () => {
    assert.equal(humanDuration(ms), want)
    assert.equal(age(new Date(NOW.getTime() - ms), NOW), want)
  })
}
