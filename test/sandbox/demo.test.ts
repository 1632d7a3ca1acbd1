/**
 * The demo mesh behind `npm run demo` / `npm run sandbox`: every sidecar answers istioctl's admin requests through a
 * port-forward, istiod answers /debug/syncz, and the CLI entry point starts, prints its KUBECONFIG and stops cleanly.
 */
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {test} from 'node:test'
import {startSandbox} from '../../src/sandbox/cluster.js'
import {demoSpec} from '../../src/sandbox/demo.js'
import {parseArgs} from '../../src/sandbox/main.js'
import {apiRequest, clientNodeForwardGet, kubeConfigFor} from '../fixtures/sandbox/client.js'
import {tempHome} from '../fixtures/sandbox/tiny.js'

test('demo mesh: sidecars serve masked config dumps and clusters, istiod serves syncz', {timeout: 20_000}, async () => {
  const spec = demoSpec()
  const sb = await startSandbox(spec)
  try {
    const kc = kubeConfigFor(sb)
    const sidecars = spec.pods!.filter((p) => p.ports?.[15000])
    assert.ok(sidecars.length >= 5)
    for (const p of sidecars) {
      const r = await clientNodeForwardGet(kc, p.namespace, p.name, 15000, '/config_dump?mask=dynamic_active_clusters,dynamic_warming_clusters,static_clusters')
      assert.equal(r.status, 200, p.name)
      const names = JSON.parse(r.body).configs[0].dynamic_active_clusters.map((c: any) => c.cluster.name)
      assert.ok(names.includes('outbound|9080||reviews.bookinfo.svc.cluster.local'), p.name)
    }
    const pp = sidecars.find((p) => p.labels?.app === 'productpage')!
    const clusters = JSON.parse((await clientNodeForwardGet(kc, 'bookinfo', pp.name, 15000, '/clusters?format=json')).body)
    const reviews = clusters.cluster_statuses.find((c: any) => c.name === 'outbound|9080||reviews.bookinfo.svc.cluster.local')
    assert.equal(reviews.host_statuses.length, 3, 'reviews v1 + 2x v2')
    const eds = JSON.parse((await clientNodeForwardGet(kc, 'bookinfo', pp.name, 15000, '/config_dump?include_eds=true')).body)
    assert.equal(eds.configs.at(-1)['@type'], 'type.googleapis.com/envoy.admin.v3.EndpointsConfigDump')
    const istiod = spec.pods!.find((p) => p.labels?.app === 'istiod')!
    const syncz = JSON.parse((await clientNodeForwardGet(kc, 'istio-system', istiod.name, 15014, '/debug/syncz')).body)
    assert.equal(syncz.length, sidecars.length)
    assert.ok(syncz.some((s: any) => s.proxy === `${pp.name}.bookinfo`))
    const pending = (await apiRequest(sb, '/api/v1/namespaces/bookinfo/pods?fieldSelector=status.phase%3DPending')).json()
    assert.equal(pending.items.length, 1)
  } finally {
    await sb.close()
  }
})

test('sandbox CLI options', {timeout: 5000}, () => {
  assert.deepEqual(parseArgs([]), {namespace: 'default'})
  assert.deepEqual(parseArgs(['--port', '6443', '--namespace=default']), {namespace: 'default', port: 6443})
  assert.match(parseArgs(['--bogus']) as string, /^unknown option --bogus\nusage: sandbox/)
  assert.match(parseArgs(['--port', 'x']) as string, /^invalid --port/)
})

test('sandbox CLI: prints the KUBECONFIG, serves, stops on SIGTERM', {timeout: 20_000}, async () => {
  const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/sandbox/main.js')
  const home = tempHome()
  const kubeconfig = path.join(home, 'kubeconfig')
  const child = spawn(process.execPath, [main, '--kubeconfig', kubeconfig], {stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)))
  const kill = setTimeout(() => child.kill('SIGKILL'), 15_000)
  try {
    await new Promise<void>((resolve, reject) => {
      const check = setInterval(() => {
        if (out.includes('Press Ctrl-C')) {
          clearInterval(check)
          resolve()
        }
      }, 50)
      closed.then(() => {
        clearInterval(check)
        reject(new Error(`sandbox CLI exited early: ${out}`))
      })
    })
    assert.match(out, new RegExp(`export KUBECONFIG=${kubeconfig.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
    assert.match(out, /meshctl proxy-config clusters productpage-v1-[a-z0-9]+-[a-z0-9]+\.default/)
    assert.ok(fs.existsSync(kubeconfig))
    child.kill('SIGTERM')
    assert.equal(await closed, 0)
    assert.match(out, /sandbox stopped\n$/)
  } finally {
    clearTimeout(kill)
    if (child.exitCode === null) child.kill('SIGKILL')
    fs.rmSync(home, {recursive: true, force: true})
  }
})
