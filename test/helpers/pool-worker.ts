/**
 * A worker for test/unit/worker-pool.test.ts: answers `sum` with the sum of the bytes it was given, throws for `throw`,
 * exits for `exit`, keeps allocating for `grow` (until its heap limit stops it).
 */
import {InputError} from '../../src/errors/index.js'
import {serveTasks} from '../../src/util/worker-pool.js'

export type PoolTask = {op: 'sum'; bytes: Uint8Array} | {op: 'throw'} | {op: 'exit'} | {op: 'wait'; ms: number} | {op: 'grow'}

serveTasks<PoolTask, number>((task) => {
  if (task.op === 'throw') throw new InputError('dump.json is not JSON', {code: 'E_BAD_JSON', hint: 'save it again'})
  if (task.op === 'exit') process.exit(3)
  if (task.op === 'grow') {
    const kept: number[][] = []
    for (;;) kept.push(new Array(1 << 16).fill(kept.length))
  }
  if (task.op === 'wait') {
    const until = Date.now() + task.ms
    while (Date.now() < until) {
      // busy: the task stays pending this long
    }
    return task.ms
  }
  let sum = 0
  for (const b of task.bytes) sum += b
  return sum
})
