/**
 * trace against pods of the sandbox cluster: the seeds' walk live (productpage → reviews) over both transports
 * gives the same steps as the same dump from a file (with its /clusters answer), a gateway is traced from its
 * listener, and a pod that is not an Envoy (a ztunnel, no sidecar) gets one line.
 */
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {bookinfo, clustersStatus, configDump, proxies} from '../../src/gen/index.js'
import {type Sandbox, startSandbox} from '../../src/sandbox/cluster.js'
import {bookinfoSandboxSpec} from '../../src/sandbox/mesh.js'
import {type CliResult, runCli} from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'meshctl-live-trace-'))
const mesh = bookinfo()
const product = proxies(mesh).find((p) => p.pod.startsWith('productpage-'))!
let sb: Sandbox
const live = (args: string[]): Promise<CliResult> => runCli(args, {env: {KUBECONFIG: sb.kubeconfigPath}})

before(async () => {
  sb = await startSandbox(bookinfoSandboxSpec({ambient: true}), {kubeconfigPath: join(tmp, 'kubeconfig')})
})
after(async () => {
  await sb?.close()
  rmSync(tmp, {recursive: true, force: true})
})

interface Trace {
  steps: Array<{step: string; name: string; why: string; result: string}>
  verdict: {outcome: string; code?: number; flag?: string}
}
/** The steps without the proxy's name (which differs between a pod and a file). */
const shape = (t: Trace): string[] => t.steps.map((s) => `${s.step}|${s.name}|${s.result}|${s.why}`)

describe('trace live', () => {
  for (const transport of ['port-forward', 'exec']) {
    test(`productpage → reviews over ${transport} equals the same dump and /clusters from files`, async () => {
      const dump = join(tmp, 'pp.json')
      const clusters = join(tmp, 'pp.clusters.json')
      writeFileSync(dump, JSON.stringify(configDump(mesh, product, {includeEds: true})))
      writeFileSync(clusters, JSON.stringify(clustersStatus(mesh, product)))
      const url = 'http://reviews:9080/reviews/0'
      const r = await live(['trace', 'deploy/productpage-v1', url, '--transport', transport, '-o', 'json'])
      const f = await runCli(['trace', '-f', dump, '--clusters-file', clusters, url, '-o', 'json'])
      assert.equal(r.code, f.code, r.stderr)
      const lt = JSON.parse(r.stdout) as Trace
      assert.deepEqual(shape(lt), shape(JSON.parse(f.stdout) as Trace))
      assert.ok(lt.steps.some((s) => s.step === 'endpoints'))
    })
  }
  test('the table names the pod', async () => {
    const r = await live(['trace', 'deploy/productpage-v1', 'http://reviews:9080/reviews/0', '-H', 'end-user: jason'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /from productpage-v1-\S+\.default \(outbound/)
    assert.match(r.stdout, /^OK: reaches/m)
  })
  test('the ingress gateway is traced from its listener', async () => {
    const r = await live(['trace', 'deploy/istio-ingressgateway.istio-system', 'http://bookinfo.example.com/productpage', '-o', 'json'])
    assert.equal(r.code, 0, r.stderr)
    const t = JSON.parse(r.stdout) as Trace
    assert.equal(t.steps[0]!.name, '0.0.0.0_8080')
    assert.equal(t.verdict.outcome, 'endpoint')
  })
  test('a ztunnel pod: use zc (exit 3, one line)', async () => {
    const r = await live(['trace', 'ds/ztunnel.istio-system', 'http://a/'])
    assert.equal(r.code, 3, r.stderr)
    assert.match(r.stderr, /is a ztunnel \(ambient mode\), not an Envoy proxy; use meshctl zc/)
    assert.equal(r.stderr.trim().split('\n').length, 1)
  })
})
