/**
 * ztunnel-config (zc) against the sandbox in ambient mode (a ztunnel per node answering ztunnel's admin API, the
 * `ambient` namespace with captured workloads and an Envoy waypoint): pod selection as istioctl (the DaemonSet's
 * pod, --node, a workload pod's node), live output equal to --file output on the same dump, zc log changing the
 * ztunnel's level, pc on the waypoint and on a ztunnel, ps listing both kinds of proxy.
 */
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {AMBIENT_NAMESPACE, ambientMesh, meshPods} from '../../src/gen/ambient.js'
import {bookinfo, configDump, proxyInfo} from '../../src/gen/index.js'
import {type Sandbox, startSandbox} from '../../src/sandbox/cluster.js'
import {bookinfoSandboxSpec} from '../../src/sandbox/mesh.js'
import {ztunnelPods} from '../../src/sandbox/ztunnel.js'
import {assertOneLineError, type CliResult, runCli} from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'meshctl-zc-live-'))
const mesh = bookinfo()
const amb = ambientMesh(mesh)
const ztunnels = ztunnelPods(mesh)
const ambientPods = meshPods(amb)
const waypoint = ambientPods.find((p) => p.workload.name === 'waypoint')!
const client = ambientPods.find((p) => p.workload.name === 'client')!
const echo = ambientPods.find((p) => p.workload.name === 'echo-v1')!
const ztunnelOf = (node: string): string => ztunnels.find((z) => z.node === node)!.name
let sb: Sandbox
const zc = (args: string[]): Promise<CliResult> => runCli(['zc', ...args], {env: {KUBECONFIG: sb.kubeconfigPath}})

before(async () => {
  sb = await startSandbox(bookinfoSandboxSpec({ambient: true}), {kubeconfigPath: join(tmp, 'kubeconfig')})
})
after(async () => {
  await sb?.close()
  rmSync(tmp, {recursive: true, force: true})
})

describe('which ztunnel', () => {
  test('without a pod: the DaemonSet pod kubectl would pick; its dump as --file gives the same tables', async () => {
    const all = await zc(['all', '-o', 'json'])
    assert.equal(all.code, 0, all.stderr)
    const file = join(tmp, 'ztunnel.json')
    writeFileSync(file, all.stdout)
    for (const view of ['workloads', 'services', 'policies', 'all']) {
      const live = await zc([view])
      assert.equal(live.code, 0, live.stderr)
      const offline = await runCli(['zc', view, '-f', file])
      assert.equal(live.stdout, offline.stdout, view)
    }
    const w = await zc(['workloads', '--workload-namespace', AMBIENT_NAMESPACE])
    const rows = w.stdout.trim().split('\n').slice(1)
    assert.equal(rows.length, ambientPods.length)
    assert.match(rows.find((r) => r.includes(client.name))!, /waypoint\s+HBONE$/)
    assert.match(rows.find((r) => r.includes(waypoint.name))!, /None\s+TCP$/)
  })
  test('certificates and connections need one ztunnel: several run, so a pod or --node is required (exit 2)', async () => {
    await assertOneLineError(await zc(['certificates']), 2, /ztunnel pod name or --node must be set; 3 ztunnel pods run in istio-system/)
    await assertOneLineError(await zc(['connections']), 2, /ztunnel pod name or --node must be set/)
  })
  test('--node picks that node\'s ztunnel: certificates of the ambient identities there', async () => {
    const res = await zc(['certificates', '--node', client.node.name])
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stdout, /spiffe:\/\/cluster\.local\/ns\/ambient\/sa\/client\s+Leaf\s+Available\s+true\s+[0-9a-f]+/)
    assert.match(res.stdout, /sa\/client\s+Root\s+Available\s+true/)
    const byName = await zc(['certificates', `${ztunnelOf(client.node.name)}`])
    assert.equal(byName.stdout, res.stdout)
    await assertOneLineError(await zc(['certificates', '--node', 'no-such-node']), 4, /no ztunnel pod found on node no-such-node/)
  })
  test('a workload pod: its node\'s ztunnel, rows narrowed to the pod', async () => {
    const w = await zc(['workloads', `${client.name}.${AMBIENT_NAMESPACE}`])
    assert.equal(w.code, 0, w.stderr)
    const rows = w.stdout.trim().split('\n')
    assert.equal(rows.length, 2)
    assert.match(rows[1]!, new RegExp(`^ambient\\s+${client.name}\\s+${client.ip.replaceAll('.', '\\.')}\\s+${client.node.name}\\s+waypoint\\s+HBONE$`))
    const c = await zc(['connections', `deploy/client.${AMBIENT_NAMESPACE}`])
    assert.equal(c.code, 0, c.stderr)
    const crow = c.stdout.trim().split('\n').slice(1)
    assert.ok(crow.length >= 1)
    for (const r of crow) assert.match(r, new RegExp(`^${client.name}\\.ambient\\s+Outbound\\s+${client.name}\\.ambient:\\d+\\s+${waypoint.name}\\.ambient:15008\\s+echo\\.ambient\\.svc\\.cluster\\.local:8080\\s+HBONE$`))
    const raw = await zc(['connections', `${client.name}.${AMBIENT_NAMESPACE}`, '--raw'])
    assert.match(raw.stdout, new RegExp(`${waypoint.ip.replaceAll('.', '\\.')}:15008\\s+10\\.96\\.40\\.10:8080`))
  })
  test('an echo pod sees the waypoint inbound', async () => {
    const c = await zc(['connections', `${echo.name}.${AMBIENT_NAMESPACE}`, '--direction', 'inbound'])
    assert.equal(c.code, 0, c.stderr)
    assert.match(c.stdout, /Inbound\s+echo-v1-\S+\.ambient:8080\s+waypoint-\S+\.ambient:\d+\s+echo\.ambient\.svc\.cluster\.local\s+HBONE/)
  })
  test('failures: no such pod (4), nothing on the admin port (5), no DaemonSet in the istio namespace (4)', async () => {
    await assertOneLineError(await zc(['workloads', 'ztunnel-nope']), 4, /pod "ztunnel-nope" not found in namespace "istio-system"/)
    await assertOneLineError(await zc(['workloads', ztunnels[0]!.name, '--proxy-admin-port', '15999']), 5, /nothing listens on port 15999/)
    await assertOneLineError(await zc(['workloads', '-i', 'default']), 4, /daemonsets\.apps "ztunnel" not found in namespace "default"/)
  })
})

describe('zc log', () => {
  test('every ztunnel without a pod; --level changes one; --reset restores info', async () => {
    const all = await zc(['log'])
    assert.equal(all.code, 0, all.stderr)
    for (const z of ztunnels) assert.match(all.stdout, new RegExp(`${z.name}\\.istio-system:\\ncurrent log level is hickory_server::server::server_future=off,info\\n`))
    const one = ztunnels[1]!.name
    const set = await zc(['log', one, '--level', 'ztunnel::pool:debug,warn'])
    assert.equal(set.code, 0, set.stderr)
    assert.equal(set.stdout, `${one}.istio-system:\ncurrent log level is hickory_server::server::server_future=off,ztunnel::pool=debug,warn\n\n`)
    const after = await zc(['log'])
    assert.match(after.stdout, new RegExp(`${one}\\.istio-system:\\ncurrent log level is [^\\n]*ztunnel::pool=debug,warn`))
    assert.match(after.stdout, new RegExp(`${ztunnels[0]!.name}\\.istio-system:\\ncurrent log level is hickory_server::server::server_future=off,info\\n`))
    const byNode = await zc(['log', '--node', ztunnels[1]!.node])
    assert.equal(byNode.stdout, `${one}.istio-system:\ncurrent log level is hickory_server::server::server_future=off,ztunnel::pool=debug,warn\n\n`)
    await assertOneLineError(await zc(['log', '-f', 'x.json']), 2, /--file does not apply to zc log/)
    const reset = await zc(['log', one, '-r'])
    assert.equal(reset.code, 0, reset.stderr)
    assert.match(reset.stderr, /log level reset; using default value "info" for Ztunnel/)
    assert.match(reset.stdout, /current log level is hickory_server::server::server_future=off,info\n/)
  })
  test('ztunnel refuses a level it does not know (exit 5); a non-ztunnel pod is refused before any request (exit 3)', async () => {
    await assertOneLineError(await zc(['log', ztunnels[0]!.name, '--level', 'warning,ztunnel::pool:debug']), 5, /answered 400 .*failed to set new level/)
    await assertOneLineError(await zc(['log', `${client.name}.${AMBIENT_NAMESPACE}`]), 3, new RegExp(`workloads command is only supported by Ztunnel proxies: ${client.name}`))
  })
})

describe('pc and ps in ambient mode', () => {
  test('pc on a ztunnel pod says to use zc (exit 3)', async () => {
    const res = await runCli(['pc', 'clusters', `${ztunnels[0]!.name}.istio-system`], {env: {KUBECONFIG: sb.kubeconfigPath}})
    await assertOneLineError(res, 3, /is a ztunnel \(ambient mode\), not an Envoy proxy.*use meshctl zc all/)
  })
  test('the waypoint is an Envoy: every pc view works, live equal to --file on its generated dump', async () => {
    const file = join(tmp, 'waypoint.json')
    writeFileSync(file, JSON.stringify(configDump(amb, proxyInfo(amb, waypoint), {includeEds: true})))
    for (const view of ['clusters', 'listeners', 'routes', 'secret', 'bootstrap', 'ecds', 'eds', 'all']) {
      const live = await runCli(['pc', view, `deploy/waypoint.${AMBIENT_NAMESPACE}`], {env: {KUBECONFIG: sb.kubeconfigPath}})
      assert.equal(live.code, 0, `${view}: ${live.stderr}`)
      const offline = await runCli(['pc', view, '-f', file])
      if (view === 'bootstrap') {
        // live asks for config_dump?mask=bootstrap, and Envoy's mask drops the section's last_updated
        const {lastUpdated: _dropped, ...rest} = JSON.parse(offline.stdout)
        assert.deepEqual(JSON.parse(live.stdout), rest)
      } else assert.equal(live.stdout, offline.stdout, view)
    }
    const routes = await runCli(['pc', 'routes', `deploy/waypoint.${AMBIENT_NAMESPACE}`], {env: {KUBECONFIG: sb.kubeconfigPath}})
    assert.match(routes.stdout, /http\.15008\s+echo\.ambient\.svc\.cluster\.local:15008\s+echo\.ambient\.svc\.cluster\.local\s+\/\*\s+echo\.ambient/)
    const ep = await runCli(['pc', 'endpoints', `deploy/waypoint.${AMBIENT_NAMESPACE}`], {env: {KUBECONFIG: sb.kubeconfigPath}})
    assert.equal(ep.code, 0, ep.stderr)
  })
  test('ps lists the ztunnels and the waypoint as istiod does', async () => {
    const res = await runCli(['ps'], {env: {KUBECONFIG: sb.kubeconfigPath}})
    assert.equal(res.code, 0, res.stderr)
    for (const z of ztunnels) assert.match(res.stdout, new RegExp(`${z.name}\\.istio-system\\s+Kubernetes(\\s+IGNORED){5}\\s+istiod-`))
    assert.match(res.stdout, new RegExp(`${waypoint.name}\\.ambient\\s+Kubernetes(\\s+SYNCED \\([^)]+\\)){4}`))
    const v = await runCli(['ps', '-v', '1', '-o', 'json'], {env: {KUBECONFIG: sb.kubeconfigPath}})
    assert.match(v.stdout, /istio\.workload\.Address/)
    const diff = await runCli(['ps', `${ztunnels[0]!.name}.istio-system`], {env: {KUBECONFIG: sb.kubeconfigPath}})
    assert.match(diff.stdout, /Sync diff is not available for ztunnel pod/)
    const wdiff = await runCli(['ps', `deploy/waypoint.${AMBIENT_NAMESPACE}`], {env: {KUBECONFIG: sb.kubeconfigPath}})
    assert.match(wdiff.stdout, /Clusters Match\nListeners Match\nRoutes Match/)
  })
})
