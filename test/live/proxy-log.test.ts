/**
 * `pc log` against the sandbox: each sidecar's Envoy emulation keeps its own logger levels, so a level set through
 * meshctl is read back, over both transports, on exactly the pods named.
 */
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {bookinfo, proxies} from '../../src/gen/index.js'
import {type Sandbox, startSandbox} from '../../src/sandbox/cluster.js'
import {bookinfoSandboxSpec, FAILURE_NAMESPACE, FAILURE_PODS} from '../../src/sandbox/mesh.js'
import {assertOneLineError, type CliResult, runCli} from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'meshctl-live-log-'))
const mesh = bookinfo()
const sidecars = proxies(mesh).filter((p) => p.kind === 'sidecar')
const reviews = sidecars.filter((p) => p.labels.app === 'reviews')
const product = sidecars.find((p) => p.pod.startsWith('productpage-'))!
let sb: Sandbox
const live = (args: string[]): Promise<CliResult> => runCli(args, {env: {KUBECONFIG: sb.kubeconfigPath}})
const levelOf = (out: string, logger: string): string | undefined => new RegExp(`^  ${logger}: (\\S+)$`, 'm').exec(out)?.[1]

before(async () => {
  sb = await startSandbox(bookinfoSandboxSpec(), {kubeconfigPath: join(tmp, 'kubeconfig')})
})
after(async () => {
  await sb?.close()
  rmSync(tmp, {recursive: true, force: true})
})

describe('pc log live', () => {
  test('read only: the block is <pod>.<ns>: and Envoy\'s listing, nothing changes, nothing on stderr', async () => {
    const r = await live(['pc', 'log', `${product.pod}.${product.namespace}`])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`^${product.pod}\\.${product.namespace}:\\nactive loggers:\\n`))
    assert.equal(levelOf(r.stdout, 'http'), 'warning')
    assert.ok(r.stdout.endsWith(': warning\n\n'), 'Envoy\'s listing as it is, ending with an empty line')
    assert.equal(r.stderr, '')
  })

  for (const transport of ['port-forward', 'exec']) {
    test(`set one logger and read it back over ${transport}; other pods keep theirs`, async () => {
      const level = transport === 'exec' ? 'trace' : 'debug'
      const set = await live(['pc', 'log', product.pod, '-n', product.namespace, '--level', `http:${level}`, '--transport', transport])
      assert.equal(set.code, 0, set.stderr)
      assert.equal(levelOf(set.stdout, 'http'), level)
      assert.match(set.stderr, new RegExp(`^${product.pod}\\.${product.namespace}: changed http: \\S+ -> ${level}\\n$`))
      const read = await live(['pc', 'log', product.pod, '-n', product.namespace, '--transport', transport])
      assert.equal(levelOf(read.stdout, 'http'), level)
      assert.equal(levelOf(read.stdout, 'admin'), 'warning')
      const other = await live(['pc', 'log', reviews[0]!.pod, '-n', reviews[0]!.namespace])
      assert.equal(levelOf(other.stdout, 'http'), 'warning')
    })
  }

  test('-l sets every matching pod, in list order, and --reset puts them back (no ConfigMap: warning, with istioctl\'s warning)', async () => {
    const set = await live(['pc', 'log', '-l', 'app=reviews', '-n', reviews[0]!.namespace, '--level', 'error'])
    assert.equal(set.code, 0, set.stderr)
    const blocks = set.stdout.split(/^(?=\S+:\n)/m)
    assert.equal(blocks.length, reviews.length)
    for (const b of blocks) assert.equal(levelOf(b, 'http'), 'error')
    assert.deepEqual(blocks.map((b) => b.split(':')[0]).sort(), reviews.map((p) => `${p.pod}.${p.namespace}`).sort())
    const reset = await live(['pc', 'log', 'deploy/reviews-v1', '-n', reviews[0]!.namespace, '-r'])
    assert.equal(reset.code, 0, reset.stderr)
    assert.match(reset.stderr, /unable to get logLevel from ConfigMap istio-sidecar-injector, using default value "warning" for envoy proxies/)
    assert.equal(levelOf(reset.stdout, 'http'), 'warning')
    const v2 = reviews.find((p) => p.pod.startsWith('reviews-v2'))!
    assert.equal(levelOf((await live(['pc', 'log', v2.pod, '-n', v2.namespace])).stdout, 'http'), 'error', 'reviews-v2 was not reset')
  })

  test('errors: unknown logger (exit 2), a pod without Envoy (exit 5), no pod (exit 2), nothing matching (exit 4)', async () => {
    await assertOneLineError(await live(['pc', 'log', product.pod, '-n', product.namespace, '--level', 'nosuchlogger:debug']), 2, /unrecognized logger name: nosuchlogger/)
    await assertOneLineError(await live(['pc', 'log', FAILURE_PODS.deadAdmin, '-n', FAILURE_NAMESPACE]), 5, /nothing listens on port 15000/)
    await assertOneLineError(await live(['pc', 'log']), 2, /log requires pod name or --selector/)
    await assertOneLineError(await live(['pc', 'log', '-l', 'app=nosuch']), 4, /no pods found/)
    await assertOneLineError(await live(['pc', 'log', 'deploy/nosuch', '--level', 'debug']), 4, /deployment "nosuch" not found/)
  })
})
