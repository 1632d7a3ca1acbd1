/**
 * proxy-config against pods of the sandbox cluster (a local API server speaking the real exec and
 * port-forward protocols, each sidecar serving the generator's Bookinfo dumps): every view gives the same
 * output live, over both transports, as with --file on the same dump; references, -l fan-out, and every
 * failure a user can meet produce one actionable line and the documented exit code.
 */
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {bookinfo, clustersStatus, configDump, proxies} from '../../src/gen/index.js'
import {type Sandbox, startSandbox} from '../../src/sandbox/cluster.js'
import {bookinfoSandboxSpec, FAILURE_NAMESPACE, FAILURE_PODS} from '../../src/sandbox/mesh.js'
import {assertOneLineError, type CliResult, runCli} from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'meshctl-live-'))
const mesh = bookinfo()
const product = proxies(mesh).find((p) => p.pod.startsWith('productpage-'))!
const gateway = proxies(mesh).find((p) => p.kind === 'router')!
let sb: Sandbox
const env = (): Record<string, string> => ({KUBECONFIG: sb.kubeconfigPath})
const live = (args: string[], extra: Record<string, string> = {}): Promise<CliResult> => runCli(args, {env: {...env(), ...extra}})

function dumpFiles(p: typeof product): {dump: string; clusters: string} {
  const dump = join(tmp, `${p.pod}.json`)
  const clusters = join(tmp, `${p.pod}.clusters.json`)
  writeFileSync(dump, JSON.stringify(configDump(mesh, p, {includeEds: true})))
  writeFileSync(clusters, JSON.stringify(clustersStatus(mesh, p)))
  return {dump, clusters}
}

before(async () => {
  sb = await startSandbox(bookinfoSandboxSpec(), {kubeconfigPath: join(tmp, 'kubeconfig')})
})
after(async () => {
  await sb?.close()
  rmSync(tmp, {recursive: true, force: true})
})


describe('live output equals --file output on the same dump', () => {
  const views: Array<[string, string[]]> = [
    ['clusters', []],
    ['listeners', []],
    ['routes', []],
    ['secret', []],
    ['bootstrap', ['-o', 'short']],
    ['bootstrap', []],
    ['ecds', []],
    ['eds', []],
    ['all', []],
    ['clusters', ['-o', 'json']],
    ['listeners', ['-o', 'yaml']],
    ['routes', ['--name', '9080', '-o', 'json']],
  ]
  for (const transport of ['port-forward', 'exec']) {
    for (const [view, extra] of views) {
      test(`pc ${view} ${extra.join(' ')} over ${transport}`, async () => {
        const files = dumpFiles(product)
        const got = await live(['pc', view, product.pod, '-n', product.namespace, '--transport', transport, ...extra])
        const want = await runCli(['pc', view, '-f', files.dump, ...extra])
        assert.equal(got.code, 0, got.stderr)
        if (view === 'bootstrap' && extra.length === 0) {
          // live asks for config_dump?mask=bootstrap, and Envoy's mask drops the section's last_updated
          const {lastUpdated: _dropped, ...rest} = JSON.parse(want.stdout)
          assert.deepEqual(JSON.parse(got.stdout), rest)
        } else assert.equal(got.stdout, want.stdout)
      })
    }
    test(`pc endpoints over ${transport} equals /clusters?format=json from a file`, async () => {
      const files = dumpFiles(product)
      const got = await live(['pc', 'endpoints', product.pod, '-n', product.namespace, '--transport', transport])
      const want = await runCli(['pc', 'endpoints', '-f', files.clusters])
      assert.equal(got.code, 0, got.stderr)
      assert.equal(got.stdout, want.stdout)
    })
  }
  test('the ingress gateway, by deployment reference with the namespace in it', async () => {
    const files = dumpFiles(gateway)
    const got = await live(['pc', 'routes', `deploy/${gateway.workload}.${gateway.namespace}`])
    const want = await runCli(['pc', 'routes', '-f', files.dump])
    assert.equal(got.code, 0, got.stderr)
    assert.equal(got.stdout, want.stdout)
  })
  test('only what the view needs is fetched (istioctl masks)', async () => {
    const before = sb.requests.length
    await live(['pc', 'clusters', product.pod, '-n', product.namespace])
    const paths = sb.requests.slice(before).map((r) => r.path)
    assert.ok(paths.some((p) => p.includes(`/pods/${product.pod}/portforward`)), paths.join('\n'))
  })
})

describe('references and fan-out', () => {
  test('svc/ and deploy/ references pick a running pod', async () => {
    const svc = await live(['pc', 'bootstrap', 'svc/reviews', '-n', 'default', '-o', 'short'])
    assert.equal(svc.code, 0, svc.stderr)
    assert.match(svc.stdout, /Istio Version:/)
  })
  test('-l fans out to every matching pod: POD column, JSON keyed by pod', async () => {
    const res = await live(['pc', 'clusters', '-l', 'app=reviews', '-n', 'default', '--fqdn', 'ratings'])
    assert.equal(res.code, 0, res.stderr)
    const pods = proxies(mesh).filter((p) => p.labels.app === 'reviews' && p.namespace === 'default')
    assert.match(res.stdout, /^POD\s+SERVICE FQDN/)
    for (const p of pods) assert.match(res.stdout, new RegExp(`^${p.pod}\\.default\\s`, 'm'))
    const json = await live(['pc', 'clusters', '-l', 'app=reviews', '-n', 'default', '-o', 'json', '--max-concurrency', '2'])
    assert.deepEqual(Object.keys(JSON.parse(json.stdout)).sort(), pods.map((p) => `${p.pod}.default`).sort())
  })
  test('a failing pod is reported without losing the others', async () => {
    for (const [ns, name] of [[product.namespace, product.pod], [FAILURE_NAMESPACE, FAILURE_PODS.deadAdmin]]) {
      const pod = sb.getPod(ns, name)!
      sb.updatePod(ns, name, {labels: {...pod.labels, 'meshctl-test': 'fanout'}})
    }
    const res = await live(['pc', 'bootstrap', '-o', 'short', '-n', 'default', '-l', 'meshctl-test=fanout'])
    assert.equal(res.code, 5, res.stderr)
    assert.match(res.stdout, new RegExp(`^${product.pod}\\.default\\s+Istio Version:`, 'm'))
    assert.doesNotMatch(res.stdout, /^POD/)
    assert.match(res.stderr, /^Error: dead-admin[\w-]+\.default: nothing listens on port 15000/m)
  })
})

describe('errors a user can act on', () => {
  test('pod not found', async () => await assertOneLineError(await live(['pc', 'clusters', 'nope-123', '-n', 'default']), 4, /pod "nope-123" not found in namespace "default"/))
  test('workload not found', async () => await assertOneLineError(await live(['pc', 'clusters', 'deploy/nope']), 4, /deployment "nope" not found in namespace "default"/))
  test('selector matches nothing', async () => await assertOneLineError(await live(['pc', 'clusters', '-l', 'app=nothing-here']), 4, /no pods match selector app=nothing-here in namespace default/))
  test('pod not running', async () => await assertOneLineError(await live(['pc', 'clusters', FAILURE_PODS.pending, '-n', FAILURE_NAMESPACE]), 4, /is not running \(phase Pending/))
  test('no sidecar: names the containers it has', async () =>
    await assertOneLineError(await live(['pc', 'clusters', FAILURE_PODS.noSidecar, '-n', FAILURE_NAMESPACE]), 5, /has no istio-proxy container \(it has: [\w-]+/))
  test('admin port not listening (port-forward)', async () =>
    await assertOneLineError(await live(['pc', 'clusters', FAILURE_PODS.deadAdmin, '-n', FAILURE_NAMESPACE]), 5, /nothing listens on port 15000 in pod dead-admin[\w-]+\.default \(connection refused\)/))
  test('admin port not listening (exec)', async () =>
    await assertOneLineError(await live(['pc', 'clusters', FAILURE_PODS.deadAdmin, '-n', FAILURE_NAMESPACE, '--transport', 'exec']), 5, /nothing listens on port 15000|failed in dead-admin/))
  test('wrong --proxy-admin-port', async () =>
    await assertOneLineError(await live(['pc', 'clusters', product.pod, '-n', product.namespace, '--proxy-admin-port', '15999']), 5, /nothing listens on port 15999/))
  test('bad --proxy-admin-port is a usage error', async () =>
    await assertOneLineError(await live(['pc', 'clusters', product.pod, '--proxy-admin-port', '70000']), 2, /--proxy-admin-port "70000": port number 70000 must be in the range 1\.\.65535/))
  test('RBAC denial names the verb and resource', async () => {
    sb.setToken('no-pf-token', {user: 'viewer', deny: [{verb: 'create', resource: 'pods', subresource: 'portforward'}]})
    const kc = sb.writeKubeconfig(join(tmp, 'viewer.kubeconfig'), {user: 'no-pf-token'})
    const res = await runCli(['pc', 'clusters', product.pod, '-n', product.namespace], {env: {KUBECONFIG: kc}})
    await assertOneLineError(res, 4, /cannot create resource "pods\/portforward".*permission to create pods\/portforward/)
  })
  test('expired credentials', async () => {
    sb.setToken('old-token', {user: 'old', expired: true})
    const kc = sb.writeKubeconfig(join(tmp, 'old.kubeconfig'), {user: 'old-token'})
    await assertOneLineError(await runCli(['pc', 'clusters', product.pod, '-n', product.namespace], {env: {KUBECONFIG: kc}}), 4, /rejected the credentials .*401.*expired/)
  })
  test('unknown context', async () => await assertOneLineError(await live(['pc', 'clusters', product.pod, '--context', 'nowhere']), 4, /context "nowhere" is not in the kubeconfig; known contexts: sandbox/))
  test('unreachable API server', async () => {
    const kc = join(tmp, 'unreachable.kubeconfig')
    writeFileSync(kc, sb.kubeconfig().replace(/https:\/\/127\.0\.0\.1:\d+/, 'https://127.0.0.1:1'))
    await assertOneLineError(await runCli(['pc', 'clusters', product.pod], {env: {KUBECONFIG: kc}}), 4, /cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/)
  })
  test('an API server that never answers: --timeout', async () => {
    sb.setMode('hang')
    try {
      const started = Date.now()
      const res = await live(['pc', 'clusters', product.pod, '--timeout', '1s'])
      await assertOneLineError(res, 4, /timed out after 1s/)
      assert.ok(Date.now() - started < 15_000)
    } finally {
      sb.setMode('normal')
    }
  })
})
