/** Label and field selector parsing/matching with Kubernetes semantics. */
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {formatLabelSelector, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, SelectorError} from '../../src/sandbox/selectors.js'

const pods: Record<string, Record<string, string>> = {
  a: {app: 'reviews', version: 'v1'},
  b: {app: 'reviews', version: 'v2'},
  c: {app: 'productpage'},
  d: {},
}

function select(sel: string): string[] {
  const reqs = parseLabelSelector(sel)
  return Object.keys(pods).filter((k) => matchesLabels(reqs, pods[k]))
}

test('label selector operators', {timeout: 5000}, () => {
  assert.deepEqual(select(''), ['a', 'b', 'c', 'd'])
  assert.deepEqual(select('app=reviews'), ['a', 'b'])
  assert.deepEqual(select('app==reviews'), ['a', 'b'])
  assert.deepEqual(select('app!=reviews'), ['c', 'd'], '!= matches objects without the key')
  assert.deepEqual(select('app in (reviews, productpage)'), ['a', 'b', 'c'])
  assert.deepEqual(select('version notin (v1)'), ['b', 'c', 'd'], 'notin matches objects without the key')
  assert.deepEqual(select('version'), ['a', 'b'])
  assert.deepEqual(select('!version'), ['c', 'd'])
  assert.deepEqual(select('app=reviews,version=v2'), ['b'])
  assert.deepEqual(select(' app = reviews , !version '), [])
  assert.deepEqual(select('app in (reviews),version notin (v2,v3)'), ['a'])
})

test('label selector errors', {timeout: 5000}, () => {
  assert.throws(() => parseLabelSelector('app=re views'), SelectorError)
  assert.throws(() => parseLabelSelector('app in reviews'), SelectorError)
  assert.throws(() => parseLabelSelector('=x'), SelectorError)
  assert.throws(() => parseLabelSelector('app=,'), SelectorError)
})

test('formatLabelSelector renders metav1.LabelSelector like kubectl', {timeout: 5000}, () => {
  assert.equal(formatLabelSelector({app: 'x', a: 'b'}), 'a=b,app=x')
  assert.equal(
    formatLabelSelector({matchLabels: {app: 'reviews'}, matchExpressions: [{key: 'version', operator: 'In', values: ['v2', 'v1']}, {key: 'canary', operator: 'DoesNotExist'}]}),
    'app=reviews,version in (v1,v2),!canary',
  )
})

test('field selectors', {timeout: 5000}, () => {
  const fields = {'metadata.name': 'x', 'status.phase': 'Running'}
  assert.equal(matchesFields(parseFieldSelector('status.phase=Running'), fields), true)
  assert.equal(matchesFields(parseFieldSelector('status.phase!=Running'), fields), false)
  assert.equal(matchesFields(parseFieldSelector('metadata.name==x,status.phase=Running'), fields), true)
  assert.deepEqual(parseFieldSelector('metadata.name=a\\,b'), [{field: 'metadata.name', op: '=', value: 'a,b'}])
  assert.throws(() => matchesFields(parseFieldSelector('spec.foo=1'), fields), /field label not supported: spec\.foo/)
})
