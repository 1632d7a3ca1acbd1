/**
 * proxy-status against the sandbox's control plane: three istiod replicas (one on a canary revision), proxies in
 * every sync state, one whose istiod config diverged from its Envoy's and one connected to no istiod; over the
 * HTTP debug interface and over the xDS one (TLS with a TokenRequest token, and plaintext).
 */
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import type http from 'node:http'
import {decodeStatusDocument} from '../../src/istiod/decode.js'
import {httpStatusSource} from '../../src/istiod/live.js'
import {KubeApi} from '../../src/kube/api.js'
import {type Sandbox, startSandbox} from '../../src/sandbox/cluster.js'
import {BOOKINFO_ISTIOD} from '../../src/sandbox/istiod.js'
import {bookinfoSandboxSpec} from '../../src/sandbox/mesh.js'
import {assertOneLineError, BIN, type CliResult, runCli, start} from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'meshctl-ps-live-'))
let sb: Sandbox
const ps = (args: string[]): Promise<CliResult> => runCli(['ps', ...args], {env: {KUBECONFIG: sb.kubeconfigPath}, timeoutMs: 60_000})
/** the table without the `(age)` suffixes, which move with the clock */
const ageless = (s: string): string => s.replace(/ \(\d[\dydhms]*\)/g, '').replace(/ +/g, ' ')

before(async () => {
  sb = await startSandbox(bookinfoSandboxSpec({istiod: 'full'}), {kubeconfigPath: join(tmp, 'kubeconfig')})
})
after(async () => {
  await sb?.close()
  rmSync(tmp, {recursive: true, force: true})
})

describe('the mesh-wide view', () => {
  test('every istiod replica is asked; every connected proxy appears once with its istiod and states', async () => {
    const res = await ps([])
    assert.equal(res.code, 0, res.stderr)
    const rows = res.stdout.trimEnd().split('\n')
    assert.match(rows[0], /^NAME\s+CLUSTER\s+CDS\s+LDS\s+EDS\s+RDS\s+ECDS\s+ISTIOD\s+VERSION$/)
    const expected = Object.entries(BOOKINFO_ISTIOD.proxies)
    assert.equal(rows.length - 1, expected.length)
    for (const [id, [istiod]] of expected) assert.match(res.stdout, new RegExp(`^${id.replaceAll('.', '\\.')}\\s.*\\s${istiod}\\s`, 'm'))
    assert.doesNotMatch(res.stdout, new RegExp(BOOKINFO_ISTIOD.disconnected.split('.')[0]))
    for (const state of ['SYNCED', 'STALE', 'NOT SENT', 'ERROR', 'IGNORED']) assert.ok(res.stdout.includes(state), state)
    assert.match(res.stdout, /STALE \(\d/, 'ages of the last push')
  })
  test('ps and another live command one after the other: neither rejects the code cache the other wrote, and stderr stays empty', async () => {
    // ps turns TurboFan off for its decode; V8 checks code caches against a hash of its flags, so the flag must come
    // after every module ps compiles (set before the Kubernetes stack loaded, each such switch recompiled 23 modules)
    const env = {KUBECONFIG: sb.kubeconfigPath, NODE_COMPILE_CACHE: join(tmp, 'compile-cache'), NODE_DEBUG_NATIVE: 'COMPILE_CACHE'}
    const pc = (): Promise<CliResult> => runCli(['pc', 'clusters', 'deploy/productpage-v1'], {env, timeoutMs: 60_000})
    const status = (): Promise<CliResult> => runCli(['ps'], {env, timeoutMs: 60_000})
    const quiet = (r: CliResult): string => r.stderr.replace(/^\[compile cache\] (?!.*was rejected).*\n/gm, '')
    await pc()
    for (const r of [await status(), await pc(), await status()]) {
      assert.equal(r.code, 0, r.stderr)
      assert.equal(quiet(r), '')
    }
  })
  test('the xDS debug interface gives the same answer (TLS + token, and plaintext), and the process exits', async () => {
    // runCli waits for the child to exit: a port-forward left open (the regression this guards) hangs it
    const http = await ps(['--via', 'http'])
    const xds = await ps(['--via', 'xds'])
    const plain = await ps(['--via', 'xds', '--plaintext'])
    assert.equal(http.code, 0, http.stderr)
    assert.equal(xds.code, 0, xds.stderr)
    assert.equal(plain.code, 0, plain.stderr)
    assert.ok(http.stdout.split('\n').length > 10)
    assert.equal(ageless(xds.stdout), ageless(http.stdout))
    assert.equal(ageless(plain.stdout), ageless(http.stdout))
  })
  test('--watch: every refresh asks istiod again; a replica going down shows at the next one; SIGINT ends it, exit 0', async () => {
    const [ns, pod] = [BOOKINFO_ISTIOD.namespace, BOOKINFO_ISTIOD.pods[1]]
    const gone = Object.entries(BOOKINFO_ISTIOD.proxies).filter(([, [istiod]]) => istiod === pod).map(([id]) => id)
    assert.ok(gone.length > 0)
    const run = start(process.execPath, [BIN, 'ps', '--watch', '500ms', '--via', 'http'], {KUBECONFIG: sb.kubeconfigPath})
    const tables = (o: string): string[] => o.split(/\n(?=NAME\s+CLUSTER)/)
    await run.until((o) => tables(o).length >= 2 && o.endsWith('\n'), 'two tables')
    const before = sb.getPod(ns, pod)!
    sb.updatePod(ns, pod, {ports: {...before.ports, 15014: 'refuse'}})
    try {
      await run.until((o) => !tables(o).at(-1)!.includes(gone[0]!) && o.endsWith('\n'), `a table without ${gone[0]}`)
    } finally {
      sb.updatePod(ns, pod, before)
    }
    await run.until((o) => tables(o).at(-1)!.includes(gone[0]!) && o.endsWith('\n'), `${gone[0]} back`)
    run.child.kill('SIGINT')
    const {code} = await run.exited
    assert.equal(code, 0, run.err())
    const snapshots = tables(run.out())
    assert.equal(ageless(snapshots[0]!).trimEnd(), ageless((await ps(['--via', 'http'])).stdout).trimEnd(), 'the first refresh is what ps prints')
    const without = snapshots.find((t) => !t.includes(gone[0]!))!
    for (const id of gone) assert.ok(!without.includes(id), id)
    assert.match(run.err(), new RegExp(`^Warning: nothing listens on port 15014 in pod ${pod}\\.istio-system .*\\(the other istiods answered\\)$`, 'm'))
  })
  test('-r narrows to a revision, -n to a namespace, -o json is keyed by istiod', async () => {
    const canary = await ps(['-r', 'canary'])
    for (const line of canary.stdout.trimEnd().split('\n').slice(1)) assert.match(line, new RegExp(`${BOOKINFO_ISTIOD.canaryPod}\\s`))
    const foo = await ps(['-n', 'foo', '-o', 'json'])
    const doc = JSON.parse(foo.stdout)
    assert.deepEqual(Object.keys(doc).sort(), [...BOOKINFO_ISTIOD.pods, BOOKINFO_ISTIOD.canaryPod].sort())
  })
  test('--fail-on: exit 10 and one line naming the proxies', async () => {
    const res = await ps(['--fail-on', 'error'])
    assert.equal(res.code, 10)
    assert.match(res.stderr, /^proxy-status: 2 proxies not in sync: redis-1\.foo \(LDS ERROR\), reviews-v2-[\w-]+\.default \(LDS ERROR\)\n$/)
    const none = await ps(['--fail-on', 'any', '-n', 'istio-system'])
    assert.equal(none.code, 0, none.stderr)
  })
  test("each replica's answer is decoded as soon as it is complete, while the others are still on their way", async () => {
    // replica 1 answers only after replica 0's answer went through the decoder: a source that decoded after the
    // last answer would make replica 1 wait out its 10 s hold, and the order below would be the other way round
    const [ns, first, held] = [BOOKINFO_ISTIOD.namespace, BOOKINFO_ISTIOD.pods[0], BOOKINFO_ISTIOD.pods[1]]
    const before = sb.getPod(ns, held)!
    const events: string[] = []
    let release: () => void = () => {}
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    const original = before.ports![15014] as http.RequestListener
    sb.updatePod(ns, held, {
      ports: {
        ...before.ports,
        15014: (req, res) => {
          const hold = setTimeout(release, 10_000)
          void released.then(() => {
            clearTimeout(hold)
            events.push(`${held} answers`)
            original(req, res)
          })
        },
      },
    })
    try {
      const api = await KubeApi.open({kubeconfig: sb.kubeconfigPath, timeoutMs: 20_000})
      const warnings: string[] = []
      const decoded = await httpStatusSource(api, (m) => warnings.push(m)).fetch({istioNamespace: ns}, (doc) => {
        events.push(`${doc.istiod} decoded`)
        if (doc.istiod === first) release()
        return decodeStatusDocument(doc)
      })
      assert.deepEqual(warnings, [])
      const at = (e: string): number => events.indexOf(e)
      assert.ok(at(`${first} decoded`) >= 0 && at(`${first} decoded`) < at(`${held} answers`) && at(`${held} answers`) < at(`${held} decoded`), events.join(', '))
      assert.equal(decoded.length, 3)
      assert.ok(decoded.flat().every((i) => i.proxies.length > 0))
    } finally {
      sb.updatePod(ns, held, {ports: before.ports})
    }
  })
  test('a replica whose answer is not sync status is reported; the others are shown', async () => {
    const [ns, pod] = [BOOKINFO_ISTIOD.namespace, BOOKINFO_ISTIOD.pods[1]]
    const before = sb.getPod(ns, pod)!
    sb.updatePod(ns, pod, {
      ports: {
        ...before.ports,
        15014: (_req, res) => {
          res.writeHead(200, {'content-type': 'text/html'}).end('<html>maintenance</html>\n')
        },
      },
    })
    try {
      const res = await ps(['--via', 'http'])
      assert.equal(res.code, 0, res.stderr)
      assert.match(res.stderr, new RegExp(`^Warning: istiod ${pod}\\.${ns}: invalid JSON at byte 0 .*\\(the other istiods answered\\)$`, 'm'))
      assert.doesNotMatch(res.stdout, /reviews-v2-/)
      assert.match(res.stdout, /reviews-v1-/)
    } finally {
      sb.updatePod(ns, pod, {ports: before.ports})
    }
  })
  test('a replica whose HTTP interface is down: --via http reports it and shows the others', async () => {
    const [ns, pod] = [BOOKINFO_ISTIOD.namespace, BOOKINFO_ISTIOD.pods[1]]
    const before = sb.getPod(ns, pod)!
    sb.updatePod(ns, pod, {ports: {...before.ports, 15014: 'refuse'}})
    try {
      const http = await ps(['--via', 'http'])
      assert.equal(http.code, 0)
      assert.match(http.stderr, /^Warning: nothing listens on port 15014 in pod istiod-[\w-]+\.istio-system .*\(the other istiods answered\)/m)
      assert.doesNotMatch(http.stdout, /reviews-v2-/)
      assert.match(http.stdout, /reviews-v1-/)
    } finally {
      sb.updatePod(ns, pod, {ports: before.ports})
    }
  })
  test('no istiod where asked', async () => assertOneLineError(await ps(['-i', 'nowhere']), 4, /no running Istio pods in "nowhere"/))
})

describe('ps <pod>: Envoy against istiod', () => {
  test('a proxy in sync: everything matches', async () => {
    const res = await ps(['deploy/details-v1'])
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stdout, /^Clusters Match\nListeners Match\nRoutes Match( \(RDS last loaded at .*\))?\n$/)
  })
  test("the diverged proxy: Don't Match, with unified diffs", async () => {
    const [name, ns] = BOOKINFO_ISTIOD.diverged.split('.')
    const res = await ps([name, '-n', ns])
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stdout, /^Clusters Don't Match\n--- Istiod Clusters\n\+\+\+ Envoy Clusters\n@@ /m)
    assert.match(res.stdout, /^Routes Don't Match/m)
  })
  test('over exec too', async () => {
    const res = await ps(['deploy/details-v1', '--transport', 'exec'])
    assert.match(res.stdout, /^Clusters Match\n/)
  })
  test('a proxy connected to no istiod', async () => {
    const [name, ns] = BOOKINFO_ISTIOD.disconnected.split('.')
    await assertOneLineError(await ps([name, '-n', ns]), 5, /proxy tcp-echo-[\w-]+\.foo is not connected to any istiod in "istio-system" \(asked istiod-/)
  })
  test('a ztunnel pod', async () => {
    sb.setPod({name: 'ztunnel-abcde', namespace: 'istio-system', labels: {app: 'ztunnel'}, containers: [{name: 'istio-proxy'}]})
    const res = await ps(['ztunnel-abcde', '-n', 'istio-system'])
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout, 'Sync diff is not available for ztunnel pod ztunnel-abcde.istio-system\n')
  })
})
