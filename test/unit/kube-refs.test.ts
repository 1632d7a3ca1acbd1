/** Pod references as istioctl parses them (istio's own vectors) and the kinds meshctl resolves. */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {test} from 'node:test'
import {UsageError} from '../../src/errors/index.js'
import {pickPod, type Pod, selectorString} from '../../src/kube/pods.js'
import {parseTarget, splitRef} from '../../src/kube/refs.js'
import {sharedUrl} from '../helpers/shared.js'

const vectors = JSON.parse(
  readFileSync(sharedUrl('conformance/istioctl/derived/vectors/pod-ref-parsing.json'), 'utf8'),
) as {cases: Array<{ref: string; defaultNs: string; name: string; ns: string}>}

test('istio pod-ref vectors', () => {
  assert.ok(vectors.cases.length >= 11)
  for (const c of vectors.cases) assert.deepEqual(splitRef(c.ref, c.defaultNs), {name: c.name, namespace: c.ns}, c.ref)
})

test('typed references', () => {
  assert.deepEqual(parseTarget('deploy/reviews-v1.bookinfo', 'default'), {text: 'deploy/reviews-v1.bookinfo', kind: 'deployment', name: 'reviews-v1', namespace: 'bookinfo'})
  assert.equal(parseTarget('svc/reviews', 'ns').kind, 'service')
  assert.equal(parseTarget('statefulset.apps/redis', 'ns').kind, 'statefulset')
  assert.equal(parseTarget('pod/x', 'ns').kind, 'pod')
  assert.deepEqual(parseTarget('productpage-v1-abc', 'bookinfo'), {text: 'productpage-v1-abc', kind: 'pod', name: 'productpage-v1-abc', namespace: 'bookinfo'})
  assert.throws(() => parseTarget('serviceaccount/sleep', 'ns'), (e: unknown) => e instanceof UsageError && /"serviceaccount\/sleep" does not refer to a pod/.test(e.message))
  assert.throws(() => parseTarget('deploy/', 'ns'), UsageError)
})

test('label selectors from workload specs', () => {
  assert.equal(selectorString({app: 'reviews', version: 'v1'}), 'app=reviews,version=v1')
  assert.equal(
    selectorString({matchLabels: {app: 'a'}, matchExpressions: [{key: 'tier', operator: 'In', values: ['x', 'y']}, {key: 'gone', operator: 'DoesNotExist'}]}),
    'app=a,tier in (x,y),!gone',
  )
  assert.equal(selectorString(undefined), '')
})

test('picking one pod for a workload prefers scheduled, running, ready, newest', () => {
  const pod = (name: string, s: Partial<{node: string; phase: string; ready: boolean; created: string}>): Pod => ({
    metadata: {name, namespace: 'ns', creationTimestamp: s.created ?? '2026-01-01T00:00:00Z'},
    spec: {nodeName: s.node},
    status: {phase: s.phase, conditions: [{type: 'Ready', status: s.ready ? 'True' : 'False'}]},
  })
  const pods = [
    pod('unscheduled', {phase: 'Pending'}),
    pod('pending', {node: 'n', phase: 'Pending'}),
    pod('running-not-ready', {node: 'n', phase: 'Running'}),
    pod('ready-old', {node: 'n', phase: 'Running', ready: true, created: '2025-01-01T00:00:00Z'}),
    pod('ready-new', {node: 'n', phase: 'Running', ready: true, created: '2026-06-01T00:00:00Z'}),
  ]
  assert.equal(pickPod(pods)?.metadata.name, 'ready-new')
  assert.equal(pickPod(pods.slice(0, 3))?.metadata.name, 'running-not-ready')
  assert.equal(pickPod([]), undefined)
})

test('each view asks Envoy for no more than it shows (istioctl >= 1.26 paths)', async () => {
  const {adminPath} = await import('../../src/sources/pod.js')
  const {NEEDS} = await import('../../src/sources/types.js')
  assert.equal(adminPath(NEEDS.clusters), 'config_dump?mask=dynamic_active_clusters,dynamic_warming_clusters,static_clusters')
  assert.equal(adminPath(NEEDS.listeners), 'config_dump?mask=dynamic_listeners,static_listeners')
  assert.equal(adminPath(NEEDS.routes), 'config_dump?mask=dynamic_route_configs,static_route_configs')
  assert.equal(adminPath(NEEDS.secrets), 'config_dump?mask=dynamic_active_secrets,dynamic_warming_secrets')
  assert.equal(adminPath(NEEDS.bootstrap), 'config_dump?mask=bootstrap')
  assert.equal(adminPath(NEEDS.full), 'config_dump?include_eds=true')
  assert.equal(adminPath(NEEDS.endpoints), 'clusters?format=json')
})

test('a trailing dot names no namespace: a usage error, not a lookup in namespace "" (defect 17)', () => {
  assert.throws(() => parseTarget('productpage-v1-abc.', 'default'), (e: {exitCode: number; message: string}) => e.exitCode === 2 && /ends with "\." but names no namespace/.test(e.message))
  assert.equal(parseTarget('productpage-v1-abc.bookinfo', 'default').namespace, 'bookinfo')
})

test('label selectors: kubectl grammar; anything else a usage error before the API server is asked (defect 17)', async () => {
  const {checkLabelSelector} = await import('../../src/kube/refs.js')
  for (const ok of ['app=reviews', 'app==reviews', 'app!=reviews', 'app', '!canary', 'app in (a,b)', 'app notin (a, b)', 'app=reviews,version=v1', 'app.kubernetes.io/name=x', 'tier=', 'n>1', 'x in ()']) {
    assert.doesNotThrow(() => checkLabelSelector(ok), ok)
  }
  for (const bad of ['!!!bad', 'app=re views', '=x', 'app=a=b', 'app in a,b', ',']) {
    assert.throws(() => checkLabelSelector(bad), (e: {exitCode: number; message: string}) => e.exitCode === 2 && /is not a label selector/.test(e.message), bad)
  }
})
