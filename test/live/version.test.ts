/**
 * `meshctl version` against the sandbox's control plane: two istiod replicas of the default revision and a canary, the
 * proxies connected to each (BOOKINFO_ISTIOD); and against a cluster that is not there.
 */
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {parse} from 'yaml'
import {type Sandbox, startSandbox} from '../../src/sandbox/cluster.js'
import {BOOKINFO_ISTIOD} from '../../src/sandbox/istiod.js'
import {bookinfoSandboxSpec} from '../../src/sandbox/mesh.js'
import {DEFAULT_ISTIO_VERSION} from '../../src/gen/bookinfo.js'
import {type CliResult, ROOT, runCli} from '../helpers/cli.js'

const CLIENT: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version

const tmp = mkdtempSync(join(tmpdir(), 'meshctl-version-live-'))
let sb: Sandbox
const version = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(['version', ...args], {env: {KUBECONFIG: sb.kubeconfigPath, ...env}, timeoutMs: 60_000})
const proxies = Object.keys(BOOKINFO_ISTIOD.proxies)

before(async () => {
  sb = await startSandbox(bookinfoSandboxSpec({istiod: 'full'}), {kubeconfigPath: join(tmp, 'kubeconfig')})
})
after(async () => {
  await sb?.close()
  rmSync(tmp, {recursive: true, force: true})
})

describe('meshctl version with a cluster', () => {
  test("istioctl's three lines: client, the control plane (all revisions agree), every connected proxy counted", async () => {
    const res = await version([])
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout, `client version: ${CLIENT}\ncontrol plane version: ${DEFAULT_ISTIO_VERSION}\ndata plane version: ${DEFAULT_ISTIO_VERSION} (${proxies.length} proxies)\n`)
    assert.equal(res.stderr, '')
  })
  test('-o json: every istiod pod with its revision, every proxy once (the disconnected one absent)', async () => {
    const res = await version(['-o', 'json'])
    assert.equal(res.code, 0, res.stderr)
    const doc = JSON.parse(res.stdout)
    assert.deepEqual(
      doc.meshVersion.map((m: {Revision: string; Pod: string}) => `${m.Revision}/${m.Pod}`),
      [`canary/${BOOKINFO_ISTIOD.canaryPod}.istio-system`, ...[...BOOKINFO_ISTIOD.pods].sort().map((p) => `default/${p}.istio-system`)],
    )
    assert.deepEqual(doc.dataPlaneVersion.map((p: {ID: string}) => p.ID), [...proxies].sort())
    assert.ok(doc.dataPlaneVersion.every((p: {IstioVersion: string}) => p.IstioVersion === DEFAULT_ISTIO_VERSION))
    assert.ok(!res.stdout.includes(BOOKINFO_ISTIOD.disconnected))
  })
  test('-r canary: the canary istiod and only the proxies connected to it; -o yaml', async () => {
    const res = await version(['-r', 'canary', '-o', 'yaml'])
    assert.equal(res.code, 0, res.stderr)
    const doc = parse(res.stdout)
    assert.deepEqual(doc.meshVersion.map((m: {Pod: string}) => m.Pod), [`${BOOKINFO_ISTIOD.canaryPod}.istio-system`])
    const canary = Object.entries(BOOKINFO_ISTIOD.proxies).filter(([, [i]]) => i === BOOKINFO_ISTIOD.canaryPod).map(([id]) => id)
    assert.deepEqual(doc.dataPlaneVersion.map((p: {ID: string}) => p.ID), canary.sort())
  })
  test('--short: the client version alone, without touching the cluster (a broken kubeconfig does not matter)', async () => {
    const res = await version(['--short'], {KUBECONFIG: join(tmp, 'does-not-exist')})
    assert.deepEqual([res.code, res.stdout, res.stderr], [0, `client version: ${CLIENT}\n`, ''])
  })
})

describe('meshctl version without the rest', () => {
  test('no istiod in -i: the client version on stdout, why the rest is missing on stderr, exit 4', async () => {
    const res = await version(['-i', 'default'])
    assert.equal(res.code, 4)
    assert.equal(res.stdout, `client version: ${CLIENT}\n`)
    assert.match(res.stderr, /^Error: no running Istio pods in "default"/)
    assert.equal(res.stderr.trimEnd().split('\n').length, 1)
  })
  test('an API server that is not there: the client version (JSON too), one Error line, exit 4', async () => {
    const kc = join(tmp, 'nowhere')
    writeFileSync(
      kc,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{name: 'c', cluster: {server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true}}],
        users: [{name: 'u', user: {token: 't'}}],
        contexts: [{name: 'x', context: {cluster: 'c', user: 'u'}}],
        'current-context': 'x',
      }),
    )
    const res = await version(['-o', 'json', '--timeout', '5s'], {KUBECONFIG: kc})
    assert.equal(res.code, 4, res.stderr)
    assert.deepEqual(JSON.parse(res.stdout), {clientVersion: {version: CLIENT}})
    assert.match(res.stderr, /^Error: .*127\.0\.0\.1:1/)
    assert.equal(res.stderr.trimEnd().split('\n').length, 1)
  })
})
