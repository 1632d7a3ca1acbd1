/** Completion against the sandbox: pod names for the pod argument (in -n's namespace, else the context's), namespaces for -n/-i, through bash too. */
import assert from 'node:assert/strict'
import {execFile, execFileSync} from 'node:child_process'
import {promisify} from 'node:util'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {type Sandbox, startSandbox} from '../../src/sandbox/cluster.js'
import {BOOKINFO_ISTIOD} from '../../src/sandbox/istiod.js'
import {bookinfoSandboxSpec} from '../../src/sandbox/mesh.js'
import {BIN, runCli} from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'meshctl-completion-live-'))
let sb: Sandbox
const values = async (args: string[]): Promise<string[]> => {
  const res = await runCli(['__complete', '--', ...args], {env: {KUBECONFIG: sb.kubeconfigPath}})
  assert.equal(res.code, 0, res.stderr)
  return res.stdout.trimEnd().split('\n').slice(0, -1)
}

before(async () => {
  sb = await startSandbox(bookinfoSandboxSpec({istiod: 'full'}), {kubeconfigPath: join(tmp, 'kubeconfig')})
})
after(async () => {
  await sb?.close()
  rmSync(tmp, {recursive: true, force: true})
})

describe('__complete with a cluster', () => {
  test("pod names of the context's namespace, of -n's, filtered by what is typed", async () => {
    const pods = await values(['pc', 'clusters', ''])
    const productpage = BOOKINFO_ISTIOD.diverged.split('.')[0]!
    assert.ok(pods.includes(productpage), pods.join(' '))
    assert.ok(!pods.some((p) => p.startsWith('istiod-')), 'not from istio-system')
    assert.deepEqual(await values(['pc', 'clusters', '-n', 'istio-system', 'istiod-c']), [BOOKINFO_ISTIOD.canaryPod])
    assert.deepEqual(await values(['ps', '--namespace=istio-system', 'istiod-']), [...BOOKINFO_ISTIOD.pods, BOOKINFO_ISTIOD.canaryPod].sort())
    // both of rootca-compare's pods; nothing after them
    const rootca = ['pc', 'rootca-compare', '-n', 'istio-system']
    assert.deepEqual(await values([...rootca, 'istiod-c']), [BOOKINFO_ISTIOD.canaryPod])
    assert.deepEqual(await values([...rootca, BOOKINFO_ISTIOD.pods[0], 'istiod-c']), [BOOKINFO_ISTIOD.canaryPod])
    assert.deepEqual(await values([...rootca, BOOKINFO_ISTIOD.pods[0], BOOKINFO_ISTIOD.canaryPod, 'istiod-c']), [])
  })
  test('namespaces for -n and -i', async () => {
    const ns = await values(['pc', 'routes', '-n', ''])
    for (const n of ['default', 'foo', 'istio-system']) assert.ok(ns.includes(n), ns.join(' '))
    assert.deepEqual(await values(['ps', '-i', 'istio-']), ['istio-system'])
  })
  test('bash at a TAB completes a pod name', async () => {
    const script = execFileSync(process.execPath, [BIN, 'completion', 'bash'], {encoding: 'utf8'})
    const program = `${script}\nCOMP_WORDS=('${BIN}' pc routes -n istio-system istiod-c); COMP_CWORD=5\n_meshctl_complete\nprintf '%s\\n' "\${COMPREPLY[@]}"`
    // asynchronously: this process serves the sandbox the completion asks
    const {stdout: out} = await promisify(execFile)('bash', ['-c', program], {encoding: 'utf8', env: {...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}`, KUBECONFIG: sb.kubeconfigPath}})
    assert.equal(out, `${BOOKINFO_ISTIOD.canaryPod}\n`)
  })
})
