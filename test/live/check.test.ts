/**
 * check against the sandbox: Bookinfo with its faults (bookinfoSandboxSpec({faults: true})) and the full control
 * plane (istiod replicas, a canary, proxies in every sync state), read live over port-forward: one pod, -l, and -A
 * with istiod's sync view. Every fault the mesh carries is found; a proxy that does not answer is a finding.
 */
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {availableParallelism, tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {BOOKINFO_FAULTS} from '../../src/gen/bookinfo.js'
import {type Sandbox, startSandbox} from '../../src/sandbox/cluster.js'
import {bookinfoSandboxSpec, FAILURE_PODS} from '../../src/sandbox/mesh.js'
import {forEachProxy, forEachProxyAnswers} from '../../src/cli/proxies.js'
import {releaseBytes} from '../../src/util/buffers.js'
import {type CliResult, ROOT, runCli} from '../helpers/cli.js'

interface Row {
  proxy: string
  severity: string
  code: string
  resource: {type: string; name: string}
  message: string
  hint?: string
}

const tmp = mkdtempSync(join(tmpdir(), 'meshctl-check-live-'))
let sb: Sandbox
const check = (args: string[]): Promise<CliResult> => runCli(['check', ...args], {env: {KUBECONFIG: sb.kubeconfigPath}, timeoutMs: 120_000})
let mesh: Row[] = []

before(async () => {
  sb = await startSandbox(bookinfoSandboxSpec({istiod: 'full', faults: true}), {kubeconfigPath: join(tmp, 'kubeconfig')})
})
after(async () => {
  await sb?.close()
  rmSync(tmp, {recursive: true, force: true})
})

const rowsOf = (res: CliResult): Row[] => JSON.parse(res.stdout) as Row[]
const of = (code: string, proxy?: RegExp): Row[] => mesh.filter((r) => r.code === code && (!proxy || proxy.test(r.proxy)))

describe('check -A: every proxy of the mesh', () => {
  test('runs over every proxy, exits 10 (errors exist), JSON findings with stable fields', async () => {
    const res = await check(['-A', '-o', 'json'])
    assert.equal(res.code, 10, res.stderr)
    mesh = rowsOf(res)
    for (const r of mesh) assert.deepEqual(Object.keys(r).filter((k) => k !== 'hint'), ['proxy', 'severity', 'code', 'resource', 'message'])
    assert.doesNotMatch(res.stderr, /checking \[/, 'no progress bar when stderr is not a terminal')
  })
  test('(a) the route to the missing subset v4: 503 NC, "a DestinationRule subset is missing"', () => {
    const rows = of('ROUTE_CLUSTER_MISSING', /^productpage-v1-/)
    assert.equal(rows.length, 1)
    assert.match(rows[0]!.message, new RegExp(`outbound\\|9080\\|${BOOKINFO_FAULTS.missingSubset}\\|reviews\\.default\\.svc\\.cluster\\.local`))
    assert.match(rows[0]!.hint!, /a DestinationRule subset is missing/)
  })
  test('(b) ratings-broken has no endpoints at all: 503 UH', () => {
    assert.ok(of('ENDPOINTS_NONE', /^productpage-v1-/).some((r) => r.resource.name === 'outbound|9080||ratings-broken.default.svc.cluster.local'))
  })
  test('(c) sleep-locked runs REGISTRY_ONLY', () => {
    assert.equal(of('OUTBOUND_REGISTRY_ONLY').map((r) => r.proxy.split('-').slice(0, 2).join('-')).join(), 'sleep-locked')
  })
  test('legacy-api-v1: rejected listener, warming listener and cluster, expired certificate; the shadowed /v2 route everywhere', () => {
    const legacy = /^legacy-api-v1-.*\.foo$/
    for (const code of ['CONFIG_REJECTED', 'LISTENER_WARMING', 'CLUSTER_WARMING', 'CERT_EXPIRED']) assert.equal(of(code, legacy).length, 1, code)
    assert.ok(of('ROUTE_SHADOWED', /^details-v1-/).some((r) => r.resource.name.endsWith('legacy-api.foo.svc.cluster.local:8080/v2')))
  })
  test("istiod's view: a NACK (SYNC_ERROR), pushes not acknowledged, a proxy no istiod lists", () => {
    assert.ok(of('SYNC_ERROR').length > 0)
    assert.ok(of('SYNC_STALE').length + of('SYNC_NOT_SENT').length > 0)
    assert.equal(of('SYNC_NOT_CONNECTED').length, 1)
  })
  test('pods whose Envoy does not answer are findings, not an abort', () => {
    const down = of('PROXY_UNREACHABLE').map((r) => r.proxy)
    assert.ok(down.some((p) => p.startsWith(FAILURE_PODS.deadAdmin)), down.join())
    assert.ok(down.some((p) => p.startsWith(FAILURE_PODS.notReady)), down.join())
  })
  test('on worker threads (MESHCTL_CHECK_WORKERS=2) and on the main thread (=0): the same findings, the same exit code', async () => {
    const run = (n: string): Promise<CliResult> => runCli(['check', '-A', '-o', 'json'], {env: {KUBECONFIG: sb.kubeconfigPath, MESHCTL_CHECK_WORKERS: n, MESHCTL_DEBUG: '1'}, timeoutMs: 120_000})
    const [two, none] = [await run('2'), await run('0')]
    assert.match(two.stderr, /^meshctl: checking on 2 worker threads$/m)
    assert.doesNotMatch(none.stderr, /worker thread/)
    assert.equal(two.code, 10, two.stderr)
    assert.equal(none.code, 10, none.stderr)
    assert.deepEqual(rowsOf(two), rowsOf(none))
    assert.deepEqual(rowsOf(two), mesh)
  })
  test("check -A leaves the compile cache nothing the next start rejects (V8's flags are back to their defaults)", async () => {
    const cache = join(tmp, 'compile-cache')
    const env = {KUBECONFIG: sb.kubeconfigPath, NODE_COMPILE_CACHE: cache}
    const next = async (): Promise<string> => {
      const [trace, live] = [
        await runCli(['trace', '-f', join(ROOT, 'test/fixtures/dumps/mini-sidecar.json'), 'http://reviews:9080/'], {env: {...env, NODE_DEBUG_NATIVE: 'COMPILE_CACHE'}}),
        await runCli(['pc', 'clusters', 'deploy/productpage-v1'], {env: {...env, NODE_DEBUG_NATIVE: 'COMPILE_CACHE'}}),
      ]
      return trace.stderr + live.stderr
    }
    await next()
    for (const workers of ['2', '0']) {
      const r = await runCli(['check', '-A', '-o', 'json'], {env: {...env, MESHCTL_CHECK_WORKERS: workers}, timeoutMs: 120_000})
      assert.equal(r.code, 10, r.stderr)
      assert.doesNotMatch(await next(), /was rejected/, `after check -A with MESHCTL_CHECK_WORKERS=${workers}`)
    }
  })
  test('MESHCTL_CHECK_WORKERS that is not a number: a usage error, exit 2', async () => {
    const r = await runCli(['check', '-A'], {env: {KUBECONFIG: sb.kubeconfigPath, MESHCTL_CHECK_WORKERS: 'many'}})
    assert.equal(r.code, 2)
    assert.equal(r.stderr, 'Error: MESHCTL_CHECK_WORKERS is "many"; give a number of worker threads (0: check on the main thread)\n')
  })
  test('short output: one row per code with counts and proxies, then the summary; --ignore and --fail-on', async () => {
    const res = await check(['-A', '--ignore', 'PASSTHROUGH_USED,ENDPOINTS_NONE_UNUSED'])
    assert.equal(res.code, 10)
    assert.match(res.stdout, /^SEVERITY\s+CODE\s+COUNT\s+PROXIES\s+EXAMPLE/m)
    assert.match(res.stdout, /^ERROR\s+ROUTE_CLUSTER_MISSING\s+\d+\s/m)
    assert.doesNotMatch(res.stdout, /PASSTHROUGH_USED|ENDPOINTS_NONE_UNUSED/)
    assert.match(res.stdout, /\d+ errors?, \d+ warnings?, \d+ info in \d+ of \d+ proxies\n$/)
    const quiet = await check(['-A', '--ignore', [...new Set(mesh.filter((r) => r.severity === 'error').map((r) => r.code))].join(','), '-o', 'json'])
    assert.equal(quiet.code, 0, 'no error left: exit 0 at --fail-on error')
  })
})

describe('check one pod, and -l', () => {
  test('deploy/legacy-api-v1 -n foo: its own table, exit 10', async () => {
    const res = await check(['deploy/legacy-api-v1', '-n', 'foo'])
    assert.equal(res.code, 10, res.stderr)
    assert.match(res.stdout, /^SEVERITY\s+CODE\s+RESOURCE\s+MESSAGE/m)
    assert.match(res.stdout, /CONFIG_REJECTED\s+listener 0\.0\.0\.0_9090/)
    assert.match(res.stdout, /in 1 of 1 proxy\n$/)
  })
  test('where the checks run: a few proxies on the main thread, a mesh on worker threads (one per CPU beyond the first)', async () => {
    const env = {KUBECONFIG: sb.kubeconfigPath, MESHCTL_DEBUG: '1'}
    const few = await runCli(['check', '-l', 'app=reviews', '-o', 'json'], {env})
    assert.match(few.stderr, /^meshctl: checking on the main thread \(3 proxies\)$/m)
    const mesh = await runCli(['check', '-A', '-o', 'json'], {env, timeoutMs: 120_000})
    const cpus = availableParallelism()
    const expected = cpus < 2 ? 'the main thread \\(one CPU\\)' : `${Math.min(cpus - 1, 4)} worker threads?`
    assert.match(mesh.stderr, new RegExp(`^meshctl: checking on ${expected}$`, 'm'))
  })
  test('-l app=reviews: every reviews pod, --verbose lists them per proxy with hints', async () => {
    const res = await check(['-l', 'app=reviews', '--verbose'])
    assert.equal(res.code, 10, res.stderr)
    assert.equal(res.stdout.match(/^reviews-v\d-/gm)?.length, 3)
    assert.match(res.stdout, /HINT/)
  })
  test('a pod whose admin port is dead: PROXY_UNREACHABLE, exit 10 (not an abort)', async () => {
    const res = await check([FAILURE_PODS.deadAdmin, '-o', 'json'])
    assert.equal(res.code, 10, res.stderr)
    assert.deepEqual(rowsOf(res).map((r) => r.code), ['PROXY_UNREACHABLE'])
  })
})

describe('forEachProxyAnswers (how check -A reads the mesh)', () => {
  const flags = () => ({kubeconfig: sb.kubeconfigPath, transport: 'port-forward' as const, 'proxy-admin-port': 15000, container: 'istio-proxy', timeout: 30_000, 'max-concurrency': 4})
  test('a digest that rejects stops the run at its turn: the proxies before it were handed over, none after', async () => {
    const ids: string[] = []
    await forEachProxy(flags(), {all: true}, (o) => {
      if (!('error' in o)) ids.push(o.id)
    })
    const bad = ids[5]!
    const seen: string[] = []
    await assert.rejects(
      forEachProxyAnswers(
        flags(),
        {all: true},
        async (a) => {
          if (a.id === bad) throw new Error(`cannot digest ${a.id}`)
          return {id: a.id, proxy: a.id}
        },
        (o) => {
          seen.push(o.id)
        },
      ),
      new RegExp(`cannot digest ${bad.replaceAll('.', '\\.')}`),
    )
    assert.ok(!seen.includes(bad))
    assert.deepEqual(seen.filter((id) => ids.includes(id)), ids.slice(0, 5))
  })
  test("forEachProxyAnswers: each proxy's two answers, in the same order and with the same outcomes; the digest's own error outcome passes through", async () => {
    const plain: string[] = []
    await forEachProxy(flags(), {all: true}, (o) => {
      plain.push('error' in o ? `${o.id} error` : `${o.id} ${o.proxy.id}`)
    })
    const answered: string[] = []
    let unreadable = ''
    await forEachProxyAnswers(
      flags(),
      {all: true},
      async (a) => {
        assert.match(Buffer.from(a.dump.bytes).subarray(0, 200).toString(), /"configs"/)
        assert.match(Buffer.from(a.clusters!.bytes).subarray(0, 200).toString(), /"cluster_statuses"/)
        releaseBytes(a.dump.bytes)
        if (!unreadable) {
          unreadable = a.id
          return {id: a.id, error: new Error('not a proxy')}
        }
        return {id: a.id, proxy: a.id}
      },
      (o) => {
        answered.push('error' in o ? `${o.id} error` : `${o.id} ${o.proxy}`)
      },
    )
    assert.deepEqual(
      answered,
      plain.map((line) => (line.startsWith(`${unreadable} `) ? `${unreadable} error` : line)),
    )
  })
})
