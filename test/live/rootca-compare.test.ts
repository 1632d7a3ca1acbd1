/**
 * `pc rootca-compare` against the sandbox: Bookinfo's proxies share the mesh root (istioctl's "identical ROOTCA"
 * sentence, exit 0); a pod added here whose Envoy trusts another root gives the "non identical" sentence and exit 10;
 * a pod with no ROOTCA secret gives istioctl's "cannot find ROOTCA from secret" (exit 3).
 */
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {bookinfo, configDump, proxies, rootCertPem} from '../../src/gen/index.js'
import {type Sandbox, startSandbox} from '../../src/sandbox/cluster.js'
import {envoyAdminHandler, type EnvoyConfigDump} from '../../src/sandbox/envoy-admin.js'
import {bookinfoSandboxSpec} from '../../src/sandbox/mesh.js'
import type {SandboxPod} from '../../src/sandbox/types.js'
import {assertOneLineError, type CliResult, runCli} from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'meshctl-live-rootca-'))
const mesh = bookinfo()
const all = proxies(mesh)
const product = all.find((p) => p.pod.startsWith('productpage-'))!
const reviews = all.find((p) => p.pod.startsWith('reviews-v1'))!
let sb: Sandbox
const live = (args: string[]): Promise<CliResult> => runCli(args, {env: {KUBECONFIG: sb.kubeconfigPath}})

type Secret = {name: string; secret: {validation_context?: {trusted_ca?: {inline_bytes: string}}}}

/** productpage's dump with its ROOTCA replaced (`root`) or removed (undefined). */
function dumpWithRoot(root: string | undefined): EnvoyConfigDump {
  const dump = structuredClone(configDump(mesh, product, {includeEds: true})) as unknown as EnvoyConfigDump
  for (const c of dump.configs ?? []) {
    const secrets = (c as {dynamic_active_secrets?: Secret[]}).dynamic_active_secrets
    if (!secrets) continue
    const i = secrets.findIndex((s) => s.name === 'ROOTCA')
    assert.ok(i >= 0, 'the generator gives every proxy a ROOTCA secret')
    if (root === undefined) secrets.splice(i, 1)
    else secrets[i]!.secret.validation_context!.trusted_ca!.inline_bytes = Buffer.from(root).toString('base64')
  }
  return dump
}

function podLike(name: string, dump: EnvoyConfigDump, spec: {pods?: SandboxPod[]}): SandboxPod {
  const base = spec.pods!.find((p) => p.name === product.pod)!
  return {...base, name, labels: {app: name}, ownerReferences: undefined, ports: {15000: envoyAdminHandler({configDump: () => dump})}}
}

before(async () => {
  const spec = bookinfoSandboxSpec()
  spec.pods!.push(podLike('other-root', dumpWithRoot(rootCertPem('other.example')), spec), podLike('no-rootca', dumpWithRoot(undefined), spec))
  sb = await startSandbox(spec, {kubeconfigPath: join(tmp, 'kubeconfig')})
})
after(async () => {
  await sb?.close()
  rmSync(tmp, {recursive: true, force: true})
})

describe('pc rootca-compare live', () => {
  test('two Bookinfo proxies share the mesh root: istioctl\'s sentence, exit 0 (over exec too)', async () => {
    for (const transport of ['port-forward', 'exec']) {
      const r = await live(['pc', 'rootca-compare', `${product.pod}.${product.namespace}`, 'deploy/reviews-v1', '--transport', transport])
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stdout, `Both [${product.pod}.${product.namespace}] and [${reviews.pod}.${reviews.namespace}] have the identical ROOTCA, theoretically the connectivity between them is available\n`)
    }
  })
  test('another root: the non-identical sentence as the error, exit 10', async () => {
    const r = await live(['pc', 'rc', product.pod, 'other-root'])
    await assertOneLineError(r, 10, new RegExp(`^Error: Both \\[${product.pod}\\.default\\] and \\[other-root\\.default\\] have the non identical ROOTCA, theoretically the connectivity between them is unavailable$`))
  })
  test('no ROOTCA secret: exit 3; wrong number of pods: exit 2', async () => {
    await assertOneLineError(await live(['pc', 'rc', product.pod, 'no-rootca']), 3, /cannot find ROOTCA from secret of no-rootca\.default/)
    await assertOneLineError(await live(['pc', 'rc', product.pod]), 2, /accepts 2 arg\(s\), received 1/)
  })
})
