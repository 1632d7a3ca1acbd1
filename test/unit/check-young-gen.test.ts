/** check -A's bound on V8's young generation (src/util/v8-tuning.ts boundYoungGeneration), in a process of its own. */
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {getHeapSpaceStatistics} from 'node:v8'
import {boundYoungGeneration} from '../../src/util/v8-tuning.js'

const youngSize = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size

/** What makes V8 grow its young generation: objects that live across scavenges (a few proxies' graphs at a time). */
function churn(rounds = 1500): void {
  const live: unknown[] = []
  for (let i = 0; i < rounds; i++) {
    live.push(JSON.parse(JSON.stringify(Array.from({length: 2000}, (_, j) => ({a: j, b: `x${j}`})))))
    if (live.length > 8) live.shift()
  }
}

test('held at its size while at the cap, and free to grow again once released', () => {
  // past V8's initial 1 MB first, as a fan-out is long before it reaches the cap: V8 leaves its minimum size
  // whatever the growth factor (a process that has loaded little, like this one, starts there)
  churn(50)
  // a cap of one byte: the young generation is at it from the start
  const young = boundYoungGeneration(1)
  young.poll()
  const frozen = youngSize()
  churn()
  young.poll()
  assert.ok(youngSize() <= frozen, `grew from ${frozen} to ${youngSize()} while at the cap`)
  young.release()
  churn()
  assert.ok(youngSize() > frozen, `did not grow past ${frozen} once released`)
})
