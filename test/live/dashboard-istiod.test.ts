/**
 * `dashboard controlz`, `dashboard istiod-debug` and `dashboard envoy --agent` against the sandbox (full istiod
 * layout): the printed URL serves ControlZ, the Pilot Debug Console and pilot-agent's pprof index / ndsz through the
 * forward; istioctl's argument errors (dashboard-cli.json's controlz cases) with exit 2; SIGINT exits 0.
 */
import assert from 'node:assert/strict'
import {type ChildProcess, spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {bookinfo} from '../../src/gen/index.js'
import {checkIstiodChoice, istiodSelector} from '../../src/dashboard/istiod.js'
import {type Sandbox, startSandbox} from '../../src/sandbox/cluster.js'
import {istiodLayout} from '../../src/sandbox/istiod.js'
import {bookinfoSandboxSpec} from '../../src/sandbox/mesh.js'
import {assertOneLineError, BIN, ROOT, runCli} from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'meshctl-live-dash-istiod-'))
const layout = istiodLayout(bookinfo(), {mode: 'full'})
let sb: Sandbox

before(async () => {
  sb = await startSandbox(bookinfoSandboxSpec({istiod: 'full'}), {kubeconfigPath: join(tmp, 'kubeconfig')})
})
after(async () => {
  await sb?.close()
  rmSync(tmp, {recursive: true, force: true})
})

interface Running {
  child: ChildProcess
  out: () => string
  err: () => string
  url: string
  exit: Promise<number | null>
}

async function startCli(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [BIN, ...args], {cwd: ROOT, env: {...process.env, KUBECONFIG: sb.kubeconfigPath, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  let err = ''
  child.stdout!.on('data', (d: Buffer) => (out += d))
  child.stderr!.on('data', (d: Buffer) => (err += d))
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const started = Date.now()
  while (!/skipping opening a browser/.test(out)) {
    if (child.exitCode !== null || Date.now() - started > 20_000) {
      child.kill('SIGKILL')
      throw new Error(`did not start: ${out} ${err}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return {child, out: () => out, err: () => err, url: /^(http:\/\/\S+)$/m.exec(out)![1]!, exit}
}

async function stop(r: Running): Promise<number | null> {
  r.child.kill('SIGINT')
  return r.exit
}

const get = async (url: string): Promise<{status: number; body: string}> => {
  const res = await fetch(url)
  return {status: res.status, body: await res.text()}
}

describe('istiod dashboards live', () => {
  test('controlz by revision: ControlZ home and its JSON scopes; SIGINT exits 0', {timeout: 60_000}, async () => {
    const r = await startCli(['dashboard', 'controlz', '-r', 'canary', '--browser=false', '-p', '0'])
    try {
      assert.match(r.url, /^http:\/\/localhost:\d+$/)
      const home = await get(`${r.url}/`)
      assert.match(home.body, /<title>ControlZ<\/title>/)
      const scopes = JSON.parse((await get(`${r.url}/scopej/`)).body) as Array<{name: string}>
      assert.ok(scopes.some((s) => s.name === 'ads'))
    } finally {
      assert.equal(await stop(r), 0)
    }
  })

  test('istiod-debug by name: the URL ends in /debug and serves the Pilot Debug Console', {timeout: 60_000}, async () => {
    const pod = layout.replicas[0]!.pod
    const r = await startCli(['d', 'istiod-debug', pod, '--browser=false', '--port', '0'])
    try {
      assert.match(r.url, /^http:\/\/localhost:\d+\/debug$/)
      const page = await get(r.url)
      assert.equal(page.status, 200)
      assert.match(page.body, /Pilot Debug Console/)
      assert.match((await get(`${r.url}/adsz`)).body, /"totalClients"/)
      assert.equal(r.err(), '')
    } finally {
      assert.equal(await stop(r), 0)
    }
  })

  test('envoy --agent: pilot-agent\'s pprof index and ndsz on 15020', {timeout: 60_000}, async () => {
    const r = await startCli(['dashboard', 'envoy', 'deploy/productpage-v1', '--agent', '--browser=false', '-p', '0'])
    try {
      assert.match(r.url, /^http:\/\/localhost:\d+\/debug\/pprof\/$/)
      assert.match((await get(r.url)).body, /Types of profiles available/)
      const base = r.url.replace(/\/debug\/pprof\/$/, '')
      const ndsz = JSON.parse((await get(`${base}/debug/ndsz`)).body) as {table: Record<string, {ips: string[]}>}
      assert.ok(ndsz.table['reviews.default.svc.cluster.local']?.ips.length === 1)
      assert.match(r.err(), /also serves \/debug\/ndsz/)
    } finally {
      assert.equal(await stop(r), 0)
    }
  })

  test("istioctl's argument errors (exit 2) and an empty selector (exit 4)", async () => {
    const env = {KUBECONFIG: sb.kubeconfigPath}
    await assertOneLineError(await runCli(['dashboard', 'controlz', '--browser=false'], {env}), 2, /specify a pod, --selector, or --revision/)
    await assertOneLineError(await runCli(['dashboard', 'controlz', '--selector', 'app=example', 'pod-123456-7890', '--browser=false'], {env}), 2, /only one of name, --selector, or --revision can be specified/)
    await assertOneLineError(await runCli(['dashboard', 'istiod-debug', '-l', 'app=example', '--browser=false'], {env}), 4, /no pods found with selector app=example,app=istiod/)
    assert.throws(() => checkIstiodChoice({revision: 'a', name: 'b'}), /only one of/)
    assert.equal(istiodSelector({revision: 'canary'}), 'istio.io/rev=canary,app=istiod')
    assert.equal(istiodSelector({selector: 'x=y'}), 'x=y,app=istiod')
  })
})
