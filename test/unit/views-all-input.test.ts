/** `pc all -o json|yaml` echo the input: as bytes for -o json (any size), as one string otherwise (bounded). */
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {inputJsonBytes, inputJsonText} from '../../src/views/all.js'
import {InputError} from '../../src/errors/index.js'

const b = (s: string): Buffer => Buffer.from(s, 'utf8')

test('the JSON bytes as they are, without a byte order mark and trailing white space; the same text as inputJsonText', () => {
  for (const text of ['{"configs": []}\n', '\uFEFF  {"a": 1}  \r\n', '[1, 2]']) {
    const bytes = inputJsonBytes(b(text))
    assert.ok(bytes)
    assert.equal(Buffer.from(bytes).toString('utf8'), inputJsonText(() => null, b(text), 'x'))
  }
  assert.equal(inputJsonBytes(b('configs: []\n')), undefined, 'YAML is re-encoded, not echoed')
  assert.equal(inputJsonText(() => ({configs: []}), b('configs: []\n'), 'x'), '{\n  "configs": []\n}')
})

test('an input longer than the longest string: a clear input error (exit 3) that points at -o json', () => {
  assert.throws(
    () => inputJsonText(() => null, b('{"configs": []}'), 'huge.json', 8),
    (err: unknown) => err instanceof InputError && err.exitCode === 3 && /huge\.json is 0 MB, more than -o yaml and --query can hold as one string/.test(err.message) && /-o json/.test(err.oneLine),
  )
})
