/**
 * `istiod debug` against the sandbox's control plane (full layout: two default replicas and a canary): the index,
 * decoded tables that agree with the layout (which proxy is on which istiod), proxy-scoped endpoints, both
 * transports, the documented errors and exit codes.
 */
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {bookinfo} from '../../src/gen/index.js'
import {type Sandbox, startSandbox} from '../../src/sandbox/cluster.js'
import {istiodLayout} from '../../src/sandbox/istiod.js'
import {bookinfoSandboxSpec} from '../../src/sandbox/mesh.js'
import {assertOneLineError, type CliResult, runCli} from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'meshctl-live-istiod-'))
const mesh = bookinfo()
const layout = istiodLayout(mesh, {mode: 'full'})
let sb: Sandbox
const live = (args: string[]): Promise<CliResult> => runCli(args, {env: {KUBECONFIG: sb.kubeconfigPath}})

before(async () => {
  sb = await startSandbox(bookinfoSandboxSpec({istiod: 'full'}), {kubeconfigPath: join(tmp, 'kubeconfig')})
})
after(async () => {
  await sb?.close()
  rmSync(tmp, {recursive: true, force: true})
})

describe('istiod debug live', () => {
  test('no endpoint: the /debug index of one replica, over HTTP (with descriptions) and xDS (names)', async () => {
    const r = await live(['istiod', 'debug'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^ENDPOINT +DESCRIPTION\n/)
    assert.match(r.stdout, /^adsz +Status and debug interface for ADS$/m)
    const x = await live(['istiod', 'debug', '--via', 'xds'])
    assert.equal(x.code, 0, x.stderr)
    assert.equal(x.stdout.split('\n')[0], 'ENDPOINT')
    assert.deepEqual(x.stdout.trim().split('\n').slice(1), r.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]))
  })

  test('adsz: every connected proxy once per istiod it is connected to, with that istiod', async () => {
    const r = await live(['istiod', 'debug', 'adsz'])
    assert.equal(r.code, 0, r.stderr)
    const rows = r.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s{2,}/))
    const want = layout.proxies.flatMap((p) => p.istiods.map((i) => `${p.id} ${i}`)).sort()
    assert.deepEqual(rows.map((c) => `${c[0]} ${c[1]}`).sort(), want)
    for (const c of rows) assert.match(c[2]!, /^\d+[smhd]/, 'a connection age')
    const canary = await live(['istiod', 'debug', 'adsz', '-r', 'canary', '-o', 'json'])
    const doc = JSON.parse(canary.stdout) as {totalClients: number; clients: unknown[]}
    assert.equal(doc.totalClients, layout.proxies.filter((p) => p.revision === 'canary' && p.istiods.length > 0).length)
  })

  test('registryz and configz tables from every replica, merged (ISTIOD all)', async () => {
    const reg = await live(['istiod', 'debug', 'registryz'])
    assert.equal(reg.code, 0, reg.stderr)
    const services = [...mesh.services]
    assert.equal(reg.stdout.trim().split('\n').length, services.length + 1)
    assert.match(reg.stdout, /^reviews\.default\.svc\.cluster\.local +default +\S+ +9080\/HTTP +ClientSideLB +Kubernetes +all$/m)
    const cfg = await live(['istiod', 'debug', 'configz', '--istiod', layout.replicas[0]!.pod])
    assert.equal(cfg.code, 0, cfg.stderr)
    assert.match(cfg.stdout, /^KIND +NAMESPACE +NAME +API VERSION +RESOURCE VERSION\n/)
    assert.match(cfg.stdout, /^VirtualService +default +reviews +networking\.istio\.io\/v1 +\d+$/m)
  })

  test('a proxy-scoped endpoint: from the replica it is connected to; over xDS the same; errors', async () => {
    const p = layout.proxies.find((x) => x.istiods.length === 1)!
    const http = await live(['istiod', 'debug', 'edsz', '--proxy', p.id, '-o', 'json'])
    assert.equal(http.code, 0, http.stderr)
    assert.match(JSON.parse(http.stdout).configs[0]['@type'], /EndpointsConfigDump$/)
    const xds = await live(['istiod', 'debug', `edsz?proxyID=${p.id}`, '--via', 'xds', '-o', 'json'])
    assert.equal(xds.code, 0, xds.stderr)
    assert.deepEqual(JSON.parse(xds.stdout), JSON.parse(http.stdout))
    await assertOneLineError(await live(['istiod', 'debug', 'edsz']), 2, /needs a proxy; give --proxy/)
    await assertOneLineError(await live(['istiod', 'debug', 'edsz', '--proxy', 'nosuch.default']), 5, /proxy nosuch\.default is not connected to any of the 3 istiods/)
    await assertOneLineError(await live(['istiod', 'debug', 'nosuchz']), 2, /does not serve \/debug\/nosuchz/)
    await assertOneLineError(await live(['istiod', 'debug', 'adsz', '-r', 'nosuchrev']), 4, /no running Istio pods/)
  })

  test('--query over the answers keyed by istiod; --file reads a saved answer', async () => {
    const q = await live(['istiod', 'debug', 'connections', '--query', 'keys(@)'])
    assert.deepEqual(JSON.parse(q.stdout), layout.replicas.map((r) => r.pod).sort())
    const saved = await live(['istiod', 'debug', 'registryz', '--istiod', layout.replicas[0]!.pod, '-o', 'json'])
    const file = join(tmp, 'registryz.json')
    writeFileSync(file, saved.stdout)
    const fromFile = await runCli(['istiod', 'debug', 'registryz', '-f', file])
    assert.equal(fromFile.code, 0, fromFile.stderr)
    const liveOne = await live(['istiod', 'debug', 'registryz', '--istiod', layout.replicas[0]!.pod])
    assert.equal(fromFile.stdout, liveOne.stdout)
  })
})
