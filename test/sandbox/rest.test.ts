/**
 * The sandbox API server over HTTPS (its own CA): authentication, RBAC-style 403s, discovery, list/get with
 * selectors, Status bodies byte-for-byte like the API server's, Tables, pods/log, watch.
 */
import assert from 'node:assert/strict'
import {afterEach, beforeEach, describe, test} from 'node:test'
import {type Sandbox, startSandbox} from '../../src/sandbox/cluster.js'
import {apiRequest} from '../fixtures/sandbox/client.js'
import {EXPIRED_TOKEN, RESTRICTED_TOKEN, tinySpec} from '../fixtures/sandbox/tiny.js'

// one fresh sandbox per test (~30 ms); describe() scopes the hooks when the files share a process (index.ts)
describe('REST API', () => {
  let sb: Sandbox
  beforeEach(async () => {
    sb = await startSandbox(tinySpec())
  })
  afterEach(() => sb.close())

  const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'

  test('401 Unauthorized without a token, with an unknown one, with an expired one', {timeout: 10_000}, async () => {
    const body = '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}'
    for (const token of [null, 'wrong-token', EXPIRED_TOKEN]) {
      for (const path of ['/api/v1/pods', '/version']) {
        const r = await apiRequest(sb, path, {token})
        assert.equal(r.status, 401, `${path} with ${token}`)
        assert.equal(r.headers['content-type'], 'application/json')
        assert.equal(r.text, body)
      }
    }
  })

  test('discovery: /version, /api, /api/v1, /apis, /apis/apps/v1, /apis/batch/v1', {timeout: 10_000}, async () => {
    const version = (await apiRequest(sb, '/version')).json()
    assert.equal(version.major, '1')
    assert.match(version.gitVersion, /^v1\.\d+\.\d+/)
    const api = (await apiRequest(sb, '/api')).json()
    assert.equal(api.kind, 'APIVersions')
    assert.deepEqual(api.versions, ['v1'])
    const v1 = (await apiRequest(sb, '/api/v1')).json()
    assert.equal(v1.kind, 'APIResourceList')
    assert.equal(v1.groupVersion, 'v1')
    const names = v1.resources.map((r: any) => r.name)
    for (const n of ['pods', 'pods/exec', 'pods/portforward', 'pods/log', 'services', 'namespaces']) assert.ok(names.includes(n), n)
    const pods = v1.resources.find((r: any) => r.name === 'pods')
    assert.deepEqual(pods.shortNames, ['po'])
    assert.equal(pods.namespaced, true)
    assert.deepEqual(v1.resources.find((r: any) => r.name === 'pods/exec').verbs, ['create', 'get'])
    assert.equal(v1.resources.find((r: any) => r.name === 'namespaces').namespaced, false)
    const apis = (await apiRequest(sb, '/apis')).json()
    assert.equal(apis.kind, 'APIGroupList')
    assert.deepEqual(apis.groups.map((g: any) => g.preferredVersion.groupVersion), ['apps/v1', 'batch/v1'])
    const apps = (await apiRequest(sb, '/apis/apps/v1')).json()
    assert.deepEqual(apps.resources.filter((r: any) => !r.name.includes('/')).map((r: any) => `${r.name}:${r.shortNames}`), ['deployments:deploy', 'replicasets:rs', 'statefulsets:sts', 'daemonsets:ds'])
    assert.ok((await apiRequest(sb, '/apis/batch/v1')).json().resources.some((r: any) => r.name === 'jobs'))
    const unknown = await apiRequest(sb, '/apis/networking.istio.io/v1')
    assert.equal(unknown.status, 404)
    assert.equal(unknown.text, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}')
  })

  test('namespaces: list and get', {timeout: 10_000}, async () => {
    const list = (await apiRequest(sb, '/api/v1/namespaces')).json()
    assert.equal(list.kind, 'NamespaceList')
    assert.deepEqual(list.items.map((n: any) => n.metadata.name), ['bookinfo', 'default', 'istio-system', 'kube-node-lease', 'kube-public', 'kube-system'])
    assert.equal((await apiRequest(sb, '/api/v1/namespaces/bookinfo')).json().status.phase, 'Active')
    const missing = await apiRequest(sb, '/api/v1/namespaces/nope')
    assert.equal(missing.text, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"namespaces \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","kind":"namespaces"},"code":404}')
  })

  test('pods: list across and within namespaces, kind/apiVersion/resourceVersion, items sorted', {timeout: 10_000}, async () => {
    const all = (await apiRequest(sb, '/api/v1/pods')).json()
    assert.equal(all.kind, 'PodList')
    assert.equal(all.apiVersion, 'v1')
    assert.match(all.metadata.resourceVersion, /^\d+$/)
    assert.equal(all.items.length, 10)
    assert.equal(all.items[0].kind, undefined, 'list items carry no kind, like the API server')
    assert.equal(all.items.at(-1).metadata.namespace, 'istio-system')
    const bookinfo = (await apiRequest(sb, '/api/v1/namespaces/bookinfo/pods')).json()
    assert.equal(bookinfo.items.length, 9)
    assert.deepEqual((await apiRequest(sb, '/api/v1/namespaces/nowhere/pods')).json().items, [], 'unknown namespace: empty list')
    const pod = (await apiRequest(sb, '/api/v1/namespaces/bookinfo/pods/productpage-v1-7d4f8b-abcde')).json()
    assert.equal(pod.kind, 'Pod')
    assert.equal(pod.apiVersion, 'v1')
    assert.equal(pod.status.phase, 'Running')
    assert.deepEqual(pod.spec.containers.map((c: any) => c.name), ['productpage', 'istio-proxy'])
    assert.equal(pod.status.conditions.find((c: any) => c.type === 'Ready').status, 'True')
    assert.equal(pod.metadata.ownerReferences[0].kind, 'ReplicaSet')
    assert.match(pod.status.podIP, /^10\.244\.\d+\.\d+$/)
    const notReady = (await apiRequest(sb, '/api/v1/namespaces/bookinfo/pods/reviews-v2-6b8d9-pq7rs')).json()
    assert.equal(notReady.status.conditions.find((c: any) => c.type === 'Ready').status, 'False')
    const unscheduled = (await apiRequest(sb, '/api/v1/namespaces/bookinfo/pods/unscheduled-1234-aaaaa')).json()
    assert.equal(unscheduled.spec.nodeName, undefined)
    assert.equal(unscheduled.status.phase, 'Pending')
  })

  test('pods: labelSelector and fieldSelector', {timeout: 10_000}, async () => {
    const names = async (q: string): Promise<string[]> => {
      const r = await apiRequest(sb, `/api/v1/namespaces/bookinfo/pods?${q}`)
      assert.equal(r.status, 200, `${q}: ${r.text}`)
      return r.json().items.map((p: any) => p.metadata.name)
    }
    const ls = (s: string): string => `labelSelector=${encodeURIComponent(s)}`
    assert.deepEqual(await names(ls('app=reviews')), ['reviews-v1-5c9f7-xk2lp', 'reviews-v2-6b8d9-pq7rs'])
    assert.deepEqual(await names(ls('app=reviews,version!=v1')), ['reviews-v2-6b8d9-pq7rs'])
    assert.deepEqual(await names(ls('app in (productpage,native)')), ['native-sidecar-eeeee', 'productpage-v1-7d4f8b-abcde'])
    assert.deepEqual(await names(ls('app notin (reviews,pending,unscheduled,refused,failed,nosidecar,native)')), ['productpage-v1-7d4f8b-abcde'])
    assert.deepEqual(await names(ls('version')), ['productpage-v1-7d4f8b-abcde', 'reviews-v1-5c9f7-xk2lp', 'reviews-v2-6b8d9-pq7rs'])
    assert.equal((await names(ls('!version'))).length, 6)
    assert.deepEqual(await names(`fieldSelector=${encodeURIComponent('metadata.name=refused-5d6e-bbbbb')}`), ['refused-5d6e-bbbbb'])
    const running = await names(`fieldSelector=${encodeURIComponent('status.phase=Running')}`)
    assert.ok(!running.includes('pending-7f9c-zzzzz') && !running.includes('failed-job-ccccc') && running.includes('refused-5d6e-bbbbb'))
    assert.deepEqual(await names(`fieldSelector=${encodeURIComponent('status.phase!=Running')}&${ls('app=failed')}`), ['failed-job-ccccc'])
    const badField = await apiRequest(sb, '/api/v1/pods?fieldSelector=spec.foo%3Dbar')
    assert.equal(badField.status, 400)
    assert.equal(badField.json().message, 'field label not supported: spec.foo')
    assert.equal(badField.json().reason, 'BadRequest')
    const badLabel = await apiRequest(sb, `/api/v1/pods?${ls('app in reviews')}`)
    assert.equal(badLabel.status, 400)
  })

  test('404 bodies exactly like the API server, core and apps groups', {timeout: 10_000}, async () => {
    const pod = await apiRequest(sb, '/api/v1/namespaces/bookinfo/pods/nope')
    assert.equal(pod.status, 404)
    assert.equal(pod.text, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","kind":"pods"},"code":404}')
    const deploy = await apiRequest(sb, '/apis/apps/v1/namespaces/bookinfo/deployments/nope')
    assert.equal(deploy.text, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","group":"apps","kind":"deployments"},"code":404}')
    assert.equal((await apiRequest(sb, '/api/v1/namespaces/other/pods/productpage-v1-7d4f8b-abcde')).status, 404)
  })

  test('workloads and services: selectors and status for meshctl and kubectl', {timeout: 10_000}, async () => {
    const d = (await apiRequest(sb, '/apis/apps/v1/namespaces/bookinfo/deployments/productpage-v1')).json()
    assert.equal(d.kind, 'Deployment')
    assert.equal(d.apiVersion, 'apps/v1')
    assert.deepEqual(d.spec.selector, {matchLabels: {app: 'productpage', version: 'v1'}})
    assert.deepEqual(d.spec.template.metadata.labels, {app: 'productpage', version: 'v1'})
    assert.equal(d.status.readyReplicas, 1)
    const reviews = (await apiRequest(sb, '/apis/apps/v1/namespaces/bookinfo/deployments/reviews-v2')).json()
    assert.deepEqual(reviews.spec.selector.matchExpressions, [{key: 'version', operator: 'In', values: ['v2']}])
    assert.equal(reviews.status.readyReplicas, undefined)
    assert.equal((await apiRequest(sb, '/apis/apps/v1/deployments')).json().items.length, 3)
    const rs = (await apiRequest(sb, '/apis/apps/v1/namespaces/bookinfo/replicasets/productpage-v1-7d4f8b')).json()
    assert.equal(rs.metadata.ownerReferences[0].name, 'productpage-v1')
    assert.equal((await apiRequest(sb, '/apis/apps/v1/namespaces/bookinfo/statefulsets/ratings-db')).json().status.readyReplicas, 1)
    assert.equal((await apiRequest(sb, '/apis/apps/v1/namespaces/istio-system/daemonsets/ztunnel')).json().spec.selector.matchLabels.app, 'ztunnel')
    const job = (await apiRequest(sb, '/apis/batch/v1/namespaces/bookinfo/jobs/migrate')).json()
    assert.equal(job.apiVersion, 'batch/v1')
    assert.equal(job.status.succeeded, 1)
    const svc = (await apiRequest(sb, '/api/v1/namespaces/bookinfo/services/productpage')).json()
    assert.deepEqual(svc.spec.selector, {app: 'productpage'})
    assert.equal(svc.spec.ports[0].port, 9080)
    assert.equal((await apiRequest(sb, '/api/v1/services')).json().kind, 'ServiceList')
  })

  test('Tables when kubectl asks for them', {timeout: 10_000}, async () => {
    const t = (await apiRequest(sb, '/api/v1/namespaces/bookinfo/pods?labelSelector=app%3Dreviews', {accept: TABLE})).json()
    assert.equal(t.kind, 'Table')
    assert.equal(t.apiVersion, 'meta.k8s.io/v1')
    assert.deepEqual(t.columnDefinitions.filter((c: any) => c.priority === 0).map((c: any) => c.name), ['Name', 'Ready', 'Status', 'Restarts', 'Age'])
    assert.deepEqual(t.rows[0].cells.slice(0, 4), ['reviews-v1-5c9f7-xk2lp', '2/2', 'Running', '0'])
    assert.deepEqual(t.rows[1].cells.slice(0, 4), ['reviews-v2-6b8d9-pq7rs', '0/2', 'Running', '0'])
    assert.equal(t.rows[0].cells[4], '60m')
    assert.equal(t.rows[0].object.kind, 'PartialObjectMetadata')
    assert.equal(t.rows[0].object.metadata.namespace, 'bookinfo')
    const one = (await apiRequest(sb, '/apis/apps/v1/namespaces/bookinfo/deployments/productpage-v1', {accept: TABLE})).json()
    assert.deepEqual(one.rows[0].cells.slice(0, 4), ['productpage-v1', '1/1', 1, 1])
    const pending = (await apiRequest(sb, '/api/v1/namespaces/bookinfo/pods/pending-7f9c-zzzzz', {accept: TABLE})).json()
    assert.equal(pending.rows[0].cells[2], 'ContainerCreating')
  })

  test('RBAC denials: 403 with the API server text; non-upgrade exec is 400', {timeout: 10_000}, async () => {
    const denied = await apiRequest(sb, '/api/v1/namespaces/istio-system/pods', {token: RESTRICTED_TOKEN})
    assert.equal(denied.status, 403)
    assert.equal(
      denied.text,
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods is forbidden: User \\"bob\\" cannot list resource \\"pods\\" in API group \\"\\" in the namespace \\"istio-system\\"","reason":"Forbidden","details":{"kind":"pods"},"code":403}',
    )
    assert.equal((await apiRequest(sb, '/api/v1/namespaces/bookinfo/pods', {token: RESTRICTED_TOKEN})).status, 200)
    assert.equal((await apiRequest(sb, '/api/v1/pods', {token: RESTRICTED_TOKEN})).status, 200, 'the rule is namespaced')
    const exec = await apiRequest(sb, '/api/v1/namespaces/bookinfo/pods/productpage-v1-7d4f8b-abcde/exec?command=ls', {token: RESTRICTED_TOKEN, method: 'POST'})
    assert.equal(exec.json().message, 'pods "productpage-v1-7d4f8b-abcde" is forbidden: User "bob" cannot create resource "pods/exec" in API group "" in the namespace "bookinfo"')
    assert.deepEqual(exec.json().details, {name: 'productpage-v1-7d4f8b-abcde', kind: 'pods'})
    const noUpgrade = await apiRequest(sb, '/api/v1/namespaces/bookinfo/pods/productpage-v1-7d4f8b-abcde/exec?command=ls')
    assert.equal(noUpgrade.status, 400)
    assert.equal(noUpgrade.json().message, 'Upgrade request required')
    assert.equal((await apiRequest(sb, '/api/v1/namespaces/bookinfo/pods/x', {method: 'DELETE'})).status, 405)
  })

  test('pods/log', {timeout: 10_000}, async () => {
    sb.updatePod('bookinfo', 'nosidecar-6c7d-ddddd', {containers: [{name: 'nosidecar', logs: 'line 1\nline 2\n'}]})
    const log = await apiRequest(sb, '/api/v1/namespaces/bookinfo/pods/nosidecar-6c7d-ddddd/log')
    assert.equal(log.status, 200)
    assert.equal(log.text, 'line 1\nline 2\n')
    const ambiguous = await apiRequest(sb, '/api/v1/namespaces/bookinfo/pods/productpage-v1-7d4f8b-abcde/log')
    assert.equal(ambiguous.json().message, 'a container name must be specified for pod productpage-v1-7d4f8b-abcde, choose one of: [productpage istio-proxy]')
    const waiting = await apiRequest(sb, '/api/v1/namespaces/bookinfo/pods/pending-7f9c-zzzzz/log?container=istio-proxy')
    assert.equal(waiting.json().message, 'container "istio-proxy" in pod "pending-7f9c-zzzzz" is waiting to start: ContainerCreating')
  })

  test('watch: replays ADDED, streams changes made through the Sandbox API, ends at timeoutSeconds', {timeout: 10_000}, async () => {
    const watch = apiRequest(sb, '/api/v1/namespaces/bookinfo/pods?watch=true&labelSelector=app%3Dreviews&timeoutSeconds=1')
    await new Promise((r) => setTimeout(r, 200))
    sb.updatePod('bookinfo', 'reviews-v2-6b8d9-pq7rs', {ready: true})
    const events = (await watch).text.trim().split('\n').map((l) => JSON.parse(l))
    assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED reviews-v1-5c9f7-xk2lp', 'ADDED reviews-v2-6b8d9-pq7rs', 'MODIFIED reviews-v2-6b8d9-pq7rs'])
    assert.equal(events[2].object.status.conditions.find((c: any) => c.type === 'Ready').status, 'True')
    // what `kubectl get -w` asks for: one-row Tables, and no replay when it gives the list's resourceVersion
    const rv = (await apiRequest(sb, '/api/v1/namespaces/bookinfo/pods')).json().metadata.resourceVersion
    const tw = apiRequest(sb, `/api/v1/namespaces/bookinfo/pods?watch=true&resourceVersion=${rv}&timeoutSeconds=1`, {accept: TABLE})
    await new Promise((r) => setTimeout(r, 200))
    sb.deletePod('bookinfo', 'reviews-v1-5c9f7-xk2lp')
    const tableEvents = (await tw).text.trim().split('\n').map((l) => JSON.parse(l))
    assert.deepEqual(tableEvents.map((e) => `${e.type} ${e.object.kind} ${e.object.rows[0].cells[0]}`), ['DELETED Table reviews-v1-5c9f7-xk2lp'])
  })

  test('request log records user, status and kind', {timeout: 10_000}, async () => {
    await apiRequest(sb, '/api/v1/namespaces/bookinfo/pods/productpage-v1-7d4f8b-abcde')
    const r = sb.requests.findLast((x) => x.path === '/api/v1/namespaces/bookinfo/pods/productpage-v1-7d4f8b-abcde')!
    assert.equal(r.user, 'alice')
    assert.equal(r.status, 200)
    assert.equal(r.kind, 'rest')
    assert.equal(r.resource, 'pods')
    assert.equal(r.namespace, 'bookinfo')
    await apiRequest(sb, '/api/v1/pods', {token: 'wrong'})
    const denied = sb.requests.at(-1)!
    assert.equal(denied.status, 401)
    assert.equal(denied.user, undefined)
  })
})
