/**
 * Tests that pin down what hand-made mutants of the source got past the suite (issue 14, section 4): an Envoy admin
 * answer other than 200 is exit 5 (not 4); the port-forward error channel's text reaches the
 * user without its 2-byte port prefix; and each view asks Envoy for its own admin path and mask (istioctl's).
 */
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import type {IncomingMessage, ServerResponse} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {bookinfo, proxies} from '../../src/gen/index.js'
import {KubeApi} from '../../src/kube/api.js'
import {openPodStream} from '../../src/kube/transport.js'
import {type Sandbox, startSandbox} from '../../src/sandbox/cluster.js'
import {bookinfoSandboxSpec, FAILURE_NAMESPACE, FAILURE_PODS} from '../../src/sandbox/mesh.js'
import {forwardError} from '../../src/sandbox/portforward.js'
import type {PortHandler} from '../../src/sandbox/types.js'
import {assertOneLineError, type CliResult, runCli} from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'meshctl-pins-'))
const product = proxies(bookinfo()).find((p) => p.pod.startsWith('productpage-'))!
let sb: Sandbox
const live = (args: string[]): Promise<CliResult> => runCli(args, {env: {KUBECONFIG: sb.kubeconfigPath}})

before(async () => {
  sb = await startSandbox(bookinfoSandboxSpec(), {kubeconfigPath: join(tmp, 'kubeconfig')})
})
after(async () => {
  await sb?.close()
  rmSync(tmp, {recursive: true, force: true})
})

/** Puts `wrap` in front of the product page's Envoy admin handler for the duration of `run`. */
async function withAdmin(wrap: (req: IncomingMessage, res: ServerResponse, real: (req: IncomingMessage, res: ServerResponse) => void) => void, run: () => Promise<void>): Promise<void> {
  const pod = sb.getPod(product.namespace, product.pod)!
  const ports = pod.ports!
  const real = ports[15000] as PortHandler
  const handler = typeof real === 'function' ? real : (real as {http: (req: IncomingMessage, res: ServerResponse) => void}).http
  sb.updatePod(product.namespace, product.pod, {ports: {...ports, 15000: (req: IncomingMessage, res: ServerResponse) => wrap(req, res, handler)}})
  try {
    await run()
  } finally {
    sb.updatePod(product.namespace, product.pod, {ports})
  }
}

describe('Envoy admin answers other than 200 are the proxy failing: exit 5', () => {
  for (const status of [404, 503]) {
    // over exec, `pilot-agent request` prints the body whatever the status (as the sandbox's pilot-agent does): the
    // status is seen over port-forward only
    for (const transport of ['port-forward']) {
      test(`${status} over ${transport}`, async () => {
        await withAdmin(
          (_req, res) => {
            res.writeHead(status, {'content-type': 'text/plain'})
            res.end(status === 503 ? 'DRAINING\n' : 'invalid path. admin commands are:\n')
          },
          async () => {
            const r = await live(['pc', 'clusters', product.pod, '-n', product.namespace, '--transport', transport])
            await assertOneLineError(r, 5, new RegExp(`Envoy admin on ${product.pod}\\.${product.namespace}:15000 answered ${status} for /config_dump`))
          },
        )
      })
    }
  }
})

test("the port-forward error channel's text without its 2-byte port prefix", async () => {
  const api = await KubeApi.open({kubeconfig: sb.kubeconfigPath, timeoutMs: 10_000})
  const stream = await openPodStream(api, FAILURE_NAMESPACE, FAILURE_PODS.deadAdmin, 15000)
  stream.socket.resume()
  stream.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
  await new Promise((r) => stream.socket.once('close', r).once('end', r))
  await new Promise((r) => setTimeout(r, 50))
  stream.close()
  const expected = forwardError(sb.getPod(FAILURE_NAMESPACE, FAILURE_PODS.deadAdmin)!, 15000).trim()
  assert.equal(stream.errorText(), expected)
})

describe('each view asks Envoy for its own path and mask (istioctl ≥ 1.26)', () => {
  const CASES: Array<[string, string]> = [
    ['clusters', '/config_dump?mask=dynamic_active_clusters,dynamic_warming_clusters,static_clusters'],
    ['listeners', '/config_dump?mask=dynamic_listeners,static_listeners'],
    ['routes', '/config_dump?mask=dynamic_route_configs,static_route_configs'],
    ['secret', '/config_dump?mask=dynamic_active_secrets,dynamic_warming_secrets'],
    ['bootstrap', '/config_dump?mask=bootstrap'],
    ['all', '/config_dump?include_eds=true'],
    ['eds', '/config_dump?include_eds=true'],
    ['ecds', '/config_dump?include_eds=true'],
    ['endpoints', '/clusters?format=json'],
  ]
  for (const [view, path] of CASES) {
    test(`pc ${view}: GET ${path}, and nothing else`, async () => {
      const seen: string[] = []
      await withAdmin(
        (req, res, real) => {
          seen.push(`${req.method} ${decodeURIComponent(req.url ?? '')}`)
          real(req, res)
        },
        async () => {
          const r = await live(['pc', view, product.pod, '-n', product.namespace])
          assert.equal(r.code, 0, r.stderr)
        },
      )
      assert.deepEqual(seen, [`GET ${path}`])
    })
  }
})
