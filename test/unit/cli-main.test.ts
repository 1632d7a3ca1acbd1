/** The command line as pflag reads it, before oclif does (src/cli/main.ts). */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {editDistance, type FlagShape, normalizeCommandArgv, suggest} from '../../src/cli/main.js'

const FLAGS: FlagShape[] = [
  {name: 'verbose', type: 'boolean', allowNo: true, default: true},
  {name: 'plaintext', type: 'boolean'},
  {name: 'always', type: 'boolean', default: true},
  {name: 'output', type: 'option', char: 'o'},
  {name: 'label', type: 'option', multiple: true},
  {name: 'file', type: 'option', char: 'f'},
]

describe('normalizeCommandArgv', () => {
  test('booleans with =value (Go ParseBool values)', () => {
    assert.deepEqual(normalizeCommandArgv(['pod', '--verbose=false', '--verbose=T', '--verbose=1'], FLAGS), ['pod', '--no-verbose', '--verbose', '--verbose'])
    assert.deepEqual(normalizeCommandArgv(['--plaintext=false', 'x'], FLAGS), ['x'])
    assert.deepEqual(normalizeCommandArgv(['--plaintext=true'], FLAGS), ['--plaintext'])
    assert.throws(() => normalizeCommandArgv(['--always=false'], FLAGS), (e: {exitCode: number}) => e.exitCode === 2)
    assert.throws(() => normalizeCommandArgv(['--verbose=no'], FLAGS), /invalid argument "no" for "--verbose" flag/)
  })
  test('a repeated option keeps its last value, in every spelling; multiple options keep all', () => {
    assert.deepEqual(normalizeCommandArgv(['-o', 'yaml', 'pod', '--output=json'], FLAGS), ['pod', '--output=json'])
    assert.deepEqual(normalizeCommandArgv(['-ojson', '-f', 'a', '-o', 'yaml'], FLAGS), ['-f', 'a', '-o', 'yaml'])
    assert.deepEqual(normalizeCommandArgv(['--label', 'a', '--label', 'b'], FLAGS), ['--label', 'a', '--label', 'b'])
  })
  test('-h is --help; nothing after -- is touched', () => {
    assert.deepEqual(normalizeCommandArgv(['-h'], FLAGS), ['--help'])
    assert.deepEqual(normalizeCommandArgv(['--', '--verbose=false', '-h'], FLAGS), ['--', '--verbose=false', '-h'])
    assert.deepEqual(normalizeCommandArgv(['-h'], [{name: 'host', type: 'option', char: 'h'}]), ['-h'])
  })
})

test('did you mean', () => {
  assert.equal(editDistance('clustrs', 'clusters'), 1)
  assert.equal(editDistance('', 'abc'), 3)
  assert.equal(suggest('clustrs', ['clusters', 'cluster', 'listeners', 'c']), 'clusters')
  assert.equal(suggest('zzzzzzzz', ['clusters', 'routes']), undefined)
})
