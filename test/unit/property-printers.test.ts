/**
 * Property tests of the printers (issue 14, section 4): any view document through -o json, -o yaml and --query, and
 * any --query text through the compiler. A result or a documented error (exit 2 or 3), never another exception.
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import fc from 'fast-check'
import {compileQuery} from '../../src/output/query.js'
import {render} from '../../src/output/render.js'
import {goYaml} from '../../src/output/yaml.js'
import type {Json} from '../../src/envoy/fields.js'
import {anyJson, deepJson, documented, oddString, RUNS} from '../helpers/property.js'

const QUERIES = ['@', '[0]', '[].name', 'max_by(@, &name)', 'sort_by(@, &to_string(@))', 'length(@)', '*.*', 'keys(@)', '[?name]', 'to_array(@)[0]']

describe('printers over arbitrary documents: a result or exit 2/3', () => {
  test('-o json, -o yaml, --query of any JSON document', () => {
    fc.assert(
      fc.property(anyJson, fc.constantFrom(...QUERIES), (doc, q) => {
        const view = {blocks: [], data: () => doc as Json}
        documented(() => {
          const json = render(view, {format: 'json'})
          // -o json is JSON, and the same document
          assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(doc)))
        }, '-o json')
        documented(() => render(view, {format: 'yaml', toYaml: goYaml}), '-o yaml')
        documented(() => render(view, {format: 'json', query: compileQuery(q)}), `--query ${q}`)
      }),
      {numRuns: RUNS},
    )
  })
  test('a view echoing input that is not JSON', () => {
    fc.assert(
      fc.property(oddString, (text) => {
        const view = {blocks: [], data: () => null, rawJson: () => text}
        documented(() => render(view, {format: 'yaml', toYaml: goYaml}), '-o yaml')
        documented(() => render(view, {format: 'json', query: compileQuery('@')}), '--query')
      }),
      {numRuns: RUNS},
    )
  })
  test('any --query text: compiled, or a usage error naming where', () => {
    fc.assert(
      fc.property(fc.oneof(oddString, fc.stringMatching(/^[[\]@.*&|?!(),'"`a-z0-9 <>=]{0,20}$/)), (q) => {
        documented(() => compileQuery(q).search({a: [1, 'x', {b: null}]}), `--query ${JSON.stringify(q)}`)
      }),
      {numRuns: RUNS},
    )
  })
  test('deeply nested documents', () => {
    fc.assert(
      fc.property(fc.integer({min: 1, max: 20_000}), (depth) => {
        const doc = JSON.parse(deepJson(Math.min(depth, 9000))) as Json
        const view = {blocks: [], data: () => doc}
        documented(() => render(view, {format: 'json'}), '-o json')
        documented(() => render(view, {format: 'yaml', toYaml: goYaml}), '-o yaml')
        documented(() => render(view, {format: 'json', query: compileQuery('a.a.a')}), '--query')
      }),
      {numRuns: 10, examples: [[9000]]},
    )
  })
})
