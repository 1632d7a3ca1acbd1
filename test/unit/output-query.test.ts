/** --query's JMESPath: max_by / min_by with string keys (a bug of the library, worked around in src/output/query.ts). */
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {compileQuery} from '../../src/output/query.js'

const data = [
  {name: 'b', port: 2},
  {name: 'a', port: 1},
  {name: 'c', port: 3},
  {name: 'c', port: 4},
]

test('max_by / min_by with string keys return the element, not null (defect 18)', () => {
  assert.deepEqual(compileQuery('max_by(@, &name)').search(data), {name: 'c', port: 3})
  assert.deepEqual(compileQuery('min_by(@, &name)').search(data), {name: 'a', port: 1})
})

test('max_by / min_by with number keys, empty arrays, mixed keys', () => {
  assert.deepEqual(compileQuery('max_by(@, &port)').search(data), {name: 'c', port: 4})
  assert.deepEqual(compileQuery('min_by(@, &port)').search(data), {name: 'a', port: 1})
  assert.equal(compileQuery('max_by(@, &port)').search([]), null)
  // a falsy element is still an answer
  assert.equal(compileQuery('max_by(@, &@)').search([0]), 0)
  assert.throws(() => compileQuery('max_by(@, &v)').search([{v: 1}, {v: 'x'}]), (e: {exitCode: number}) => e.exitCode === 2)
  assert.throws(() => compileQuery('max_by(@, &v)').search([{v: true}]), (e: {exitCode: number; message: string}) => e.exitCode === 2 && /Invalid type/.test(e.message))
})
