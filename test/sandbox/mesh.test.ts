/**
 * The generator's meshes as sandbox clusters (src/sandbox/mesh.ts): Bookinfo's pods, workloads and Services resolve
 * the way kubectl and meshctl resolve them, every Envoy answers with exactly the generator's output (through
 * port-forward and through `kubectl exec ... pilot-agent request`), and the failure-mode pods fail as named.
 * One sandbox for the whole file (started in before(), closed in after()); the real kubectl checks are skipped,
 * loudly, when /usr/bin/kubectl is absent.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import {after, before, describe, test} from 'node:test'
import type {KubeConfig} from '@kubernetes/client-node'
import {bookinfo, clustersStatus, configDump, proxies, syntheticMesh} from '../../src/gen/index.js'
import type {MeshModel, ProxyInfo} from '../../src/gen/index.js'
import {type Sandbox, startSandbox} from '../../src/sandbox/cluster.js'
import {parseArgs, scenarioSpec} from '../../src/sandbox/main.js'
import {bookinfoSandboxSpec, FAILURE_NAMESPACE, FAILURE_PODS, meshSandboxSpec} from '../../src/sandbox/mesh.js'
import type {SandboxSpec, SandboxWorkload} from '../../src/sandbox/types.js'
import {apiRequest, clientNodeExec, clientNodeForwardGet, kubeConfigFor, rawWs} from '../fixtures/sandbox/client.js'
import {KUBECTL, kubectlAvailable, runKubectl, tempHome} from '../fixtures/sandbox/tiny.js'

const HAVE_KUBECTL = kubectlAvailable()
if (!HAVE_KUBECTL) console.warn(`\n*** kubectl not found at ${KUBECTL}: the real-kubectl checks of mesh.test are SKIPPED ***\n`)

const T = 'type.googleapis.com/envoy.admin.v3.'
const REFUSED = /failed to connect to localhost:15000 inside namespace "[0-9a-f]{64}", IPv4: dial tcp4 127\.0\.0\.1:15000: connect: connection refused/

/** `{matchLabels}` -> the `labelSelector` query value */
const selectorQuery = (sel: {matchLabels?: Record<string, string>}): string =>
  encodeURIComponent(Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(','))

const names = (list: any): string[] => list.items.map((o: any) => o.metadata.name).sort()

describe('bookinfo mesh as a sandbox cluster', () => {
  const mesh: MeshModel = bookinfo()
  const all: ProxyInfo[] = proxies(mesh)
  const pp = all.find((p) => p.app === 'productpage')!
  let spec: SandboxSpec
  let sb: Sandbox
  let kc: KubeConfig

  before(async () => {
    spec = bookinfoSandboxSpec()
    sb = await startSandbox(spec)
    kc = kubeConfigFor(sb)
  })
  after(() => sb?.close())

  test('label selectors find the Bookinfo pods', {timeout: 15_000}, async () => {
    const reviews = (await apiRequest(sb, '/api/v1/namespaces/default/pods?labelSelector=app%3Dreviews')).json()
    assert.deepEqual(names(reviews), all.filter((p) => p.app === 'reviews').map((p) => p.pod).sort())
    assert.equal(reviews.items.length, 3)
    for (const p of reviews.items) {
      assert.equal(p.status.phase, 'Running')
      assert.deepEqual(p.spec.containers.map((c: any) => c.name), ['reviews', 'istio-proxy'])
      assert.deepEqual(p.spec.initContainers.map((c: any) => c.name), ['istio-init'])
      assert.equal(p.metadata.annotations['sidecar.istio.io/status'].includes('"containers":["istio-proxy"]'), true)
    }
    const v2 = (await apiRequest(sb, '/api/v1/namespaces/default/pods?labelSelector=app%3Dreviews%2Cversion%3Dv2')).json()
    assert.deepEqual(names(v2), [all.find((p) => p.workload === 'reviews-v2')!.pod])
    // every injected pod of the model, plus the failure-mode pods that have an istio-proxy container
    const injected = (await apiRequest(sb, '/api/v1/pods?labelSelector=security.istio.io%2FtlsMode%3Distio')).json()
    const failuresWithProxy = [FAILURE_PODS.pending, FAILURE_PODS.unscheduled, FAILURE_PODS.deadAdmin, FAILURE_PODS.notReady]
    assert.deepEqual(names(injected), [...all.map((p) => p.pod), ...failuresWithProxy].sort())
    // pod details as the model says
    const pod = (await apiRequest(sb, `/api/v1/namespaces/default/pods/${pp.pod}`)).json()
    assert.equal(pod.status.podIP, pp.ip)
    assert.equal(pod.spec.nodeName, pp.node)
    assert.deepEqual(pod.metadata.labels, pp.labels)
    assert.deepEqual(pod.metadata.ownerReferences.map((o: any) => `${o.kind}/${o.name}`), [`ReplicaSet/${pp.replicaSet}`])
    assert.deepEqual(pod.spec.containers.map((c: any) => c.image), pp.containers.map((c) => c.image))
    // a not-Ready replica of the model is not Ready in the cluster either
    const inventory = all.filter((p) => p.app === 'inventory')
    const invPods = (await apiRequest(sb, '/api/v1/namespaces/foo/pods?labelSelector=app%3Dinventory')).json()
    for (const p of inventory) {
      const o = invPods.items.find((i: any) => i.metadata.name === p.pod)
      assert.equal(o.status.conditions.find((c: any) => c.type === 'Ready').status, p.ready ? 'True' : 'False', p.pod)
    }
    assert.deepEqual(inventory.map((p) => p.ready), [true, false])
  })

  test('the pod annotations are the ones in the generated bootstrap', {timeout: 15_000}, () => {
    for (const proxy of [pp, all.find((p) => p.kind === 'router')!]) {
      const bootstrap = configDump(mesh, proxy).configs[0] as any
      const expected = {...bootstrap.bootstrap.node.metadata.ANNOTATIONS}
      delete expected['kubernetes.io/config.source'] // added by the kubelet, not in the API object
      assert.deepEqual(spec.pods!.find((p) => p.name === proxy.pod)!.annotations, expected, proxy.pod)
    }
  })

  test('deploy/, sts/, svc/ resolve to their pods: selectors, owners, replica counts', {timeout: 20_000}, async () => {
    const deploy = (await apiRequest(sb, '/apis/apps/v1/namespaces/default/deployments/productpage-v1')).json()
    assert.deepEqual(deploy.spec.selector, {matchLabels: {app: 'productpage', version: 'v1'}})
    const selected = (await apiRequest(sb, `/api/v1/namespaces/default/pods?labelSelector=${selectorQuery(deploy.spec.selector)}`)).json()
    assert.deepEqual(names(selected), [pp.pod])
    // pod -> ReplicaSet -> Deployment
    const rs = (await apiRequest(sb, `/apis/apps/v1/namespaces/default/replicasets/${pp.replicaSet}`)).json()
    assert.deepEqual(rs.metadata.ownerReferences.map((o: any) => `${o.kind}/${o.name}/${o.uid}`), [`Deployment/productpage-v1/${deploy.metadata.uid}`])
    assert.equal(rs.spec.selector.matchLabels['pod-template-hash'], pp.labels['pod-template-hash'])

    // every Deployment, ReplicaSet and StatefulSet selects exactly its replicas; status counts match the pods
    for (const kind of ['deployments', 'replicasets', 'statefulsets']) {
      const list = (await apiRequest(sb, `/apis/apps/v1/${kind}`)).json()
      assert.ok(list.items.length > 0, kind)
      for (const w of list.items) {
        const pods = (await apiRequest(sb, `/api/v1/namespaces/${w.metadata.namespace}/pods?labelSelector=${selectorQuery(w.spec.selector)}`)).json().items
        const id = `${kind} ${w.metadata.namespace}/${w.metadata.name}`
        assert.equal(pods.length, w.spec.replicas, id)
        const ready = pods.filter((p: any) => p.status.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True').length
        assert.equal(w.status.readyReplicas ?? 0, ready, id)
        if (kind !== 'deployments') for (const p of pods) assert.equal(p.metadata.ownerReferences[0].name, w.metadata.name, id)
      }
    }

    const sts = (await apiRequest(sb, '/apis/apps/v1/namespaces/foo/statefulsets/redis')).json()
    const redis = (await apiRequest(sb, `/api/v1/namespaces/foo/pods?labelSelector=${selectorQuery(sts.spec.selector)}`)).json()
    assert.deepEqual(names(redis), ['redis-0', 'redis-1'])
    assert.deepEqual(redis.items.map((p: any) => p.metadata.ownerReferences[0].kind), ['StatefulSet', 'StatefulSet'])

    const svc = (await apiRequest(sb, '/api/v1/namespaces/default/services/reviews')).json()
    assert.deepEqual(svc.spec.selector, {app: 'reviews'})
    assert.deepEqual(svc.spec.ports, [{name: 'http', protocol: 'TCP', port: 9080, targetPort: 9080}])
    assert.equal(svc.spec.clusterIP, '10.96.213.98')
    const svcPods = (await apiRequest(sb, `/api/v1/namespaces/default/pods?labelSelector=${selectorQuery({matchLabels: svc.spec.selector})}`)).json()
    assert.equal(svcPods.items.length, 3)
    assert.equal((await apiRequest(sb, '/api/v1/namespaces/foo/services/redis')).json().spec.clusterIP, 'None')
    // ServiceEntries are not Kubernetes Services
    assert.equal((await apiRequest(sb, '/api/v1/namespaces/foo/services/httpbin-ext')).status, 404)
  })

  test('port-forward to 15000: config_dump (include_eds, without, mask) and /clusters are the generator\'s', {timeout: 60_000}, async () => {
    const withEds = await clientNodeForwardGet(kc, 'default', pp.pod, 15000, '/config_dump?include_eds')
    assert.equal(withEds.status, 200)
    assert.deepEqual(JSON.parse(withEds.body), configDump(mesh, pp, {includeEds: true}))
    assert.ok(JSON.parse(withEds.body).configs.some((c: any) => c['@type'] === `${T}EndpointsConfigDump`))

    // as Envoy: no include_eds, no EndpointsConfigDump; the rest is unchanged (= the generator without includeEds)
    const plain = JSON.parse((await clientNodeForwardGet(kc, 'default', pp.pod, 15000, '/config_dump')).body)
    assert.ok(!plain.configs.some((c: any) => c['@type'] === `${T}EndpointsConfigDump`))
    assert.deepEqual(plain, configDump(mesh, pp))

    const masked = JSON.parse((await clientNodeForwardGet(kc, 'default', pp.pod, 15000, '/config_dump?mask=dynamic_active_clusters,static_clusters')).body)
    assert.equal(masked.configs.length, 1)
    assert.equal(masked.configs[0]['@type'], `${T}ClustersConfigDump`)
    assert.deepEqual(Object.keys(masked.configs[0]).sort(), ['@type', 'dynamic_active_clusters', 'static_clusters'])
    const full = configDump(mesh, pp).configs.find((c) => c['@type'] === `${T}ClustersConfigDump`)!
    assert.deepEqual(masked.configs[0].dynamic_active_clusters, full.dynamic_active_clusters)

    const clusters = await clientNodeForwardGet(kc, 'default', pp.pod, 15000, '/clusters?format=json')
    assert.deepEqual(JSON.parse(clusters.body), clustersStatus(mesh, pp))

    // every proxy of the mesh (sidecars, StatefulSet pods, the gateway) serves its own dump
    for (const p of all) {
      const r = await clientNodeForwardGet(kc, p.namespace, p.pod, 15000, '/config_dump?include_eds=true')
      assert.deepEqual(JSON.parse(r.body), configDump(mesh, p, {includeEds: true}), p.pod)
    }
  })

  test('health ports: 15021/15020 /healthz/ready (503 on the not-Ready replica), 15090 prometheus', {timeout: 15_000}, async () => {
    assert.equal((await clientNodeForwardGet(kc, 'default', pp.pod, 15021, '/healthz/ready')).status, 200)
    assert.equal((await clientNodeForwardGet(kc, 'default', pp.pod, 15020, '/healthz/ready')).status, 200)
    const notReady = all.find((p) => !p.ready)!
    assert.equal((await clientNodeForwardGet(kc, notReady.namespace, notReady.pod, 15021, '/healthz/ready')).status, 503)
    const prom = await clientNodeForwardGet(kc, 'default', pp.pod, 15090, '/stats/prometheus')
    assert.equal(prom.status, 200)
    assert.match(prom.body, /^# TYPE envoy_/m)
  })

  test('exec: pilot-agent request GET config_dump in istio-proxy returns the same dump', {timeout: 20_000}, async () => {
    const r = await clientNodeExec(kc, 'default', pp.pod, 'istio-proxy', ['pilot-agent', 'request', 'GET', 'config_dump'])
    assert.equal(r.status?.status, 'Success', r.stderr)
    assert.deepEqual(JSON.parse(r.stdout), configDump(mesh, pp))
    const eds = await clientNodeExec(kc, 'default', pp.pod, 'istio-proxy', ['pilot-agent', 'request', 'GET', 'config_dump?include_eds=true'])
    assert.deepEqual(JSON.parse(eds.stdout), configDump(mesh, pp, {includeEds: true}))
    const curl = await clientNodeExec(kc, 'default', pp.pod, 'istio-proxy', ['curl', '-s', 'http://localhost:15000/clusters?format=json'])
    assert.deepEqual(JSON.parse(curl.stdout), clustersStatus(mesh, pp))
  })

  test('istiod: labels, /debug/syncz lists every proxy of the mesh', {timeout: 15_000}, async () => {
    const istiod = (await apiRequest(sb, '/api/v1/namespaces/istio-system/pods?labelSelector=app%3Distiod')).json().items
    assert.equal(istiod.length, 1)
    assert.equal(istiod[0].metadata.labels['istio.io/rev'], 'default')
    assert.equal(istiod[0].metadata.annotations['prometheus.io/port'], '15014')
    const syncz = JSON.parse((await clientNodeForwardGet(kc, 'istio-system', istiod[0].metadata.name, 15014, '/debug/syncz')).body)
    assert.deepEqual(syncz.map((s: any) => s.proxy).sort(), all.map((p) => `${p.pod}.${p.namespace}`).sort())
    const gw = syncz.find((s: any) => s.proxy.startsWith('istio-ingressgateway-'))
    assert.equal(gw.proxy_type, 'router')
    assert.equal(gw.cluster_sent, gw.cluster_acked)
    assert.equal(syncz[0].istio_version, mesh.istio.version)
  })

  test('failure pods behave as named', {timeout: 30_000}, async () => {
    const ns = FAILURE_NAMESPACE
    const get = async (name: string) => (await apiRequest(sb, `/api/v1/namespaces/${ns}/pods/${name}`)).json()
    const ready = (o: any) => o.status.conditions.find((c: any) => c.type === 'Ready')?.status

    // deadAdmin: Running, Ready, istio-proxy present, 15000 refused (port-forward and exec)
    const dead = await get(FAILURE_PODS.deadAdmin)
    assert.equal(dead.status.phase, 'Running')
    assert.equal(ready(dead), 'True')
    assert.deepEqual(dead.spec.containers.map((c: any) => c.name), ['dead-admin', 'istio-proxy'])
    const deadPf = await clientNodeForwardGet(kc, ns, FAILURE_PODS.deadAdmin, 15000, '/config_dump')
    assert.ok(deadPf.error, 'the HTTP request fails')
    assert.match(deadPf.errorChannel, REFUSED)
    const deadExec = await clientNodeExec(kc, ns, FAILURE_PODS.deadAdmin, 'istio-proxy', ['pilot-agent', 'request', 'GET', 'config_dump'])
    assert.equal(deadExec.stderr, 'Error: Get "http://localhost:15000/config_dump": dial tcp 127.0.0.1:15000: connect: connection refused\n')
    assert.equal(deadExec.status?.reason, 'NonZeroExitCode')

    // noSidecar: Running, Ready, only the app container; nothing on 15000; no istio-proxy to exec into
    const none = await get(FAILURE_PODS.noSidecar)
    assert.equal(none.status.phase, 'Running')
    assert.equal(ready(none), 'True')
    assert.deepEqual(none.spec.containers.map((c: any) => c.name), ['no-sidecar'])
    assert.equal(none.spec.initContainers, undefined)
    assert.equal(none.metadata.annotations?.['sidecar.istio.io/status'], undefined)
    assert.match((await clientNodeForwardGet(kc, ns, FAILURE_PODS.noSidecar, 15000, '/ready')).errorChannel, REFUSED)
    const noProxy = await rawWs(sb, `/api/v1/namespaces/${ns}/pods/${FAILURE_PODS.noSidecar}/exec?container=istio-proxy&command=ls&stdout=true`, {protocols: ['v5.channel.k8s.io']})
    assert.equal(noProxy.status, 400)
    assert.equal(JSON.parse(noProxy.body!).message, `container istio-proxy is not valid for pod ${FAILURE_PODS.noSidecar}`)

    // notReady: Running, istio-proxy not Ready (CrashLoopBackOff, restarts), its ports refused, its log says why
    const crash = await get(FAILURE_PODS.notReady)
    assert.equal(crash.status.phase, 'Running')
    assert.equal(ready(crash), 'False')
    const proxyStatus = crash.status.containerStatuses.find((c: any) => c.name === 'istio-proxy')
    assert.equal(proxyStatus.ready, false)
    assert.ok(proxyStatus.restartCount > 0)
    assert.equal(crash.status.containerStatuses.find((c: any) => c.name === 'crashloop').ready, true)
    const table = (await apiRequest(sb, `/api/v1/namespaces/${ns}/pods/${FAILURE_PODS.notReady}`, {accept: 'application/json;as=Table;v=v1;g=meta.k8s.io'})).json()
    assert.equal(table.rows[0].cells[1], '1/2')
    // CrashLoopBackOff once objects.ts gives a not-ready container of a Running pod a waiting state (SandboxPod.reason)
    assert.match(table.rows[0].cells[2], /^(CrashLoopBackOff|Running)$/)
    assert.match((await clientNodeForwardGet(kc, ns, FAILURE_PODS.notReady, 15000, '/ready')).errorChannel, REFUSED)
    const log = await apiRequest(sb, `/api/v1/namespaces/${ns}/pods/${FAILURE_PODS.notReady}/log?container=istio-proxy`)
    assert.match(log.text, /Envoy exited with error/)

    // pending: scheduled, ContainerCreating, no IP; port-forward fails before the upgrade
    const pending = await get(FAILURE_PODS.pending)
    assert.equal(pending.status.phase, 'Pending')
    assert.equal(pending.status.podIP, undefined)
    assert.ok(pending.spec.nodeName)
    const pendingPf = await rawWs(sb, `/api/v1/namespaces/${ns}/pods/${FAILURE_PODS.pending}/portforward?ports=15000`, {protocols: ['v4.channel.k8s.io']})
    assert.equal(pendingPf.status, 500)
    assert.match(pendingPf.body!, new RegExp(`^failed to find sandboxID for pod ${FAILURE_PODS.pending}_${ns}\\(`))

    // unscheduled: no node
    const unscheduled = await rawWs(sb, `/api/v1/namespaces/${ns}/pods/${FAILURE_PODS.unscheduled}/portforward?ports=15000`, {protocols: ['v4.channel.k8s.io']})
    assert.equal(JSON.parse(unscheduled.body!).message, `pod ${FAILURE_PODS.unscheduled} does not have a host assigned`)

    // each has a Deployment, so deploy/<name> resolves as well
    const deploys = names((await apiRequest(sb, `/apis/apps/v1/namespaces/${ns}/deployments`)).json())
    for (const d of ['pending', 'unscheduled', 'no-sidecar', 'dead-admin', 'crashloop']) assert.ok(deploys.includes(d), d)
  })

  test('real kubectl: get pods -A lists the Bookinfo pods; exec pilot-agent request GET server_info', {skip: HAVE_KUBECTL ? false : `kubectl not found: ${KUBECTL}`, timeout: 60_000}, async () => {
    const home = tempHome()
    try {
      const kubectl = (args: string[]) => runKubectl(args, {kubeconfig: sb.kubeconfigPath, home})
      const r = await kubectl(['get', 'pods', '-A'])
      assert.equal(r.code, 0, r.stderr)
      for (const p of all) assert.match(r.stdout, new RegExp(`^${p.namespace}\\s+${p.pod}\\s+${p.kind === 'router' ? '1/1' : p.ready ? '2/2' : '0/2'}\\s+Running\\s+0\\s+`, 'm'), p.pod)
      assert.match(r.stdout, new RegExp(`^default\\s+${FAILURE_PODS.notReady}\\s+1/2\\s+(CrashLoopBackOff|Running)\\s+13\\s+`, 'm'))
      assert.match(r.stdout, new RegExp(`^default\\s+${FAILURE_PODS.pending}\\s+0/2\\s+ContainerCreating\\s+`, 'm'))

      const info = await kubectl(['exec', pp.pod, '-c', 'istio-proxy', '--', 'pilot-agent', 'request', 'GET', 'server_info'])
      assert.equal(info.code, 0, info.stderr)
      const json = JSON.parse(info.stdout)
      assert.equal(json.state, 'LIVE')
      assert.equal(json.node.id, pp.nodeId)

      const deploy = await kubectl(['get', 'deploy/productpage-v1', '-o', 'jsonpath={.spec.selector.matchLabels}'])
      assert.deepEqual(JSON.parse(deploy.stdout), {app: 'productpage', version: 'v1'})
      const sts = await kubectl(['get', 'sts/redis', '-n', 'foo', '-o', 'jsonpath={.status.readyReplicas}'])
      assert.equal(sts.stdout, '2')
    } finally {
      fs.rmSync(home, {recursive: true, force: true})
    }
  })
})

describe('meshSandboxSpec options and other meshes', () => {
  const workloadSelector = (w: SandboxWorkload): Record<string, string> => w.selector as Record<string, string>
  const matches = (sel: Record<string, string>, labels: Record<string, string> = {}): boolean => Object.entries(sel).every(([k, v]) => labels[k] === v)

  test('extras: false leaves out the failure pods and istiod\'s endpoints; adminPort moves Envoy\'s admin', () => {
    const spec = meshSandboxSpec(bookinfo(), {extras: false, adminPort: 15999})
    const podNames = spec.pods!.map((p) => p.name)
    for (const n of Object.values(FAILURE_PODS)) assert.ok(!podNames.includes(n), n)
    const istiod = spec.pods!.find((p) => p.labels?.app === 'istiod')!
    assert.equal(istiod.ports, undefined)
    const pp = spec.pods!.find((p) => p.labels?.app === 'productpage')!
    assert.ok(pp.ports![15999])
    assert.equal(pp.ports![15000], undefined)
    assert.equal(spec.pods!.length, [...bookinfo().workloads].reduce((n, w) => n + w.replicas, 0))
  })

  test('a synthetic mesh: every pod, each workload selecting exactly its replicas', () => {
    const mesh = syntheticMesh({services: 30})
    const spec = meshSandboxSpec(mesh)
    const modelPods = [...mesh.workloads].reduce((n, w) => n + w.replicas, 0)
    assert.equal(spec.pods!.length, modelPods + Object.keys(FAILURE_PODS).length)
    for (const [kind, list] of [['deployments', spec.deployments!], ['replicasets', spec.replicasets!], ['statefulsets', spec.statefulsets!]] as const) {
      for (const w of list as SandboxWorkload[]) {
        const selected = spec.pods!.filter((p) => p.namespace === w.namespace && matches(workloadSelector(w), p.labels))
        assert.equal(selected.length, w.replicas, `${kind} ${w.namespace}/${w.name}`)
      }
    }
    const sidecars = spec.pods!.filter((p) => p.ports?.[15000])
    assert.equal(sidecars.length, proxies(mesh).length)
    assert.equal(spec.pods!.filter((p) => p.labels?.app === 'istiod' && p.ports?.[15014]).length, [...mesh.workloads].find((w) => w.name === 'istiod')!.replicas)
  })

  test('sandbox CLI: --scenario, --services, --no-extras; bookinfo by default', () => {
    assert.deepEqual(parseArgs([]), {namespace: 'default'})
    assert.deepEqual(parseArgs(['--scenario', 'demo']), {scenario: 'demo', namespace: 'bookinfo'})
    assert.deepEqual(parseArgs(['--services=50']), {services: 50, scenario: 'synthetic', namespace: 'default'})
    assert.deepEqual(parseArgs(['--scenario', 'synthetic', '--services', '7', '--no-extras', '-n', 'x']), {scenario: 'synthetic', services: 7, extras: false, namespace: 'x'})
    assert.match(parseArgs(['--scenario', 'nope']) as string, /^invalid --scenario nope/)
    assert.match(parseArgs(['--services', '0']) as string, /^invalid --services/)
    assert.match(parseArgs(['--scenario', 'demo', '--services', '5']) as string, /^--services needs --scenario synthetic/)
    const def = scenarioSpec({})
    assert.ok(def.pods!.some((p) => p.name === FAILURE_PODS.deadAdmin))
    assert.ok(def.pods!.some((p) => p.labels?.app === 'productpage' && p.namespace === 'default'))
    assert.ok(scenarioSpec({scenario: 'demo'}).pods!.some((p) => p.namespace === 'bookinfo'))
  })
})
