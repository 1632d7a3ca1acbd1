/**
 * diff against the sandbox cluster (Bookinfo from the generator, istiod 'full'), whose mesh changes while the
 * tests run (src/sandbox/changes.ts): a route edit on one reviews pod, an endpoint gone from productpage's view.
 * Pods against pods and saved snapshots, -l against the majority, --watch catching a change, ps --semantic.
 */
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, afterEach, before, describe, test} from 'node:test'
import {MeshChanges} from '../../src/sandbox/changes.js'
import {type Sandbox, startSandbox} from '../../src/sandbox/cluster.js'
import {BOOKINFO_ISTIOD} from '../../src/sandbox/istiod.js'
import {bookinfoSandboxSpec} from '../../src/sandbox/mesh.js'
import {assertOneLineError, BIN, type CliResult, runCli, start} from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'meshctl-diff-live-'))
const changes = new MeshChanges()
let sb: Sandbox
const cli = (args: string[]): Promise<CliResult> => runCli(args, {env: {KUBECONFIG: sb.kubeconfigPath}, timeoutMs: 60_000})
const REVIEWS_V2 = 'reviews-v2-79b4679796-px2hv'
const REVIEWS_CLUSTER = 'outbound|9080||reviews.default.svc.cluster.local'

before(async () => {
  sb = await startSandbox(bookinfoSandboxSpec({istiod: 'full', changes}), {kubeconfigPath: join(tmp, 'kubeconfig')})
})
after(async () => {
  await sb?.close()
  rmSync(tmp, {recursive: true, force: true})
})
afterEach(() => changes.clear())

describe('diff: pods and snapshots', () => {
  test('a pod against itself is equal; against a snapshot taken with pc all -o json, equal until the mesh changes', async () => {
    const same = await cli(['diff', 'deploy/productpage-v1', 'deploy/productpage-v1', '--exit-code'])
    assert.equal(same.code, 0, same.stderr)
    assert.match(same.stdout, /No differences \(\d+ resources compared/)

    const snap = await cli(['pc', 'all', REVIEWS_V2, '-o', 'json'])
    assert.equal(snap.code, 0, snap.stderr)
    const file = join(tmp, 'before.json')
    writeFileSync(file, snap.stdout)
    assert.equal((await cli(['diff', REVIEWS_V2, file, '--exit-code'])).code, 0)

    changes.setRouteTimeout({pod: REVIEWS_V2}, '7s', '9080')
    const res = await cli(['diff', file, REVIEWS_V2, '--exit-code'])
    assert.equal(res.code, 10, res.stderr)
    assert.match(res.stdout, /^routes\s+9080\/\S+\s+changed\s+\/route\/timeout$/m)
    assert.match(res.stdout, /~ \/route\/timeout: "\S+" → "7s"/)
    const json = JSON.parse((await cli(['diff', file, REVIEWS_V2, '-o', 'json'])).stdout)
    assert.equal(json.equal, false)
    assert.equal(json.summary.routes.changed, 1)
    assert.deepEqual(json.resources[0].patch, [{op: 'replace', path: '/route/timeout', value: '7s'}])
  })

  test('two replicas of different pods: per-pod values normalised and said so', async () => {
    const [p0, p1] = ['reviews-v1-67c9647854-ndshr', 'reviews-v3-69558b8894-sg94x']
    const res = await cli(['diff', p0, p1, '--type', 'clusters,routes,endpoints,secrets'])
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stdout, /^Normalised per-pod values: pod IP \(10\.[\d.]+ \| 10\.[\d.]+ → <pod-ip>\), pod name \(reviews-v1-\S+ \| reviews-v3-\S+ → <pod-name>\)/m)
    assert.match(res.stdout, /No differences/)
  })

  test('usage errors: one line, exit 2', async () => {
    await assertOneLineError(await cli(['diff', 'deploy/productpage-v1']), 2, /diff needs two sides \(got 1\)/)
    await assertOneLineError(await cli(['diff', '-l', 'app=reviews', 'x']), 2, /takes no pod or file/)
    await assertOneLineError(await cli(['diff', 'a', 'b', '--type', 'nope']), 2, /--type "nope" is not a resource type/)
    await assertOneLineError(await cli(['diff', 'deploy/productpage-v1', join(tmp, 'missing.json')]), 3, /missing\.json: no such file/)
  })

  test('two sides read at once: when both fail, the first side\'s error is the one reported', async () => {
    await assertOneLineError(await cli(['diff', 'no-such-first', 'no-such-second']), 4, /no-such-first/)
    await assertOneLineError(await cli(['diff', 'deploy/productpage-v1', 'no-such-second']), 4, /no-such-second/)
  })
})

describe('diff -l: replicas against their majority', () => {
  test('every reviews pod as the majority; then the odd one is named, with the field', async () => {
    const args = ['diff', '-l', 'app=reviews', '--type', 'clusters,routes,endpoints', '--exit-code']
    const same = await cli(args)
    assert.equal(same.code, 0, same.stderr)
    assert.equal(same.stdout.match(/as majority/g)?.length, 3, same.stdout)

    changes.setRouteTimeout({pod: REVIEWS_V2}, '7s', '9080')
    const res = await cli(args)
    assert.equal(res.code, 10, res.stderr)
    assert.match(res.stdout, new RegExp(`^${REVIEWS_V2}\\.default\\s+1 resource differ\\s+routes 9080/\\S+: /route/timeout$`, 'm'))
    assert.equal(res.stdout.match(/as majority/g)?.length, 2)
    const doc = JSON.parse((await cli(['diff', '-l', 'app=reviews', '--type', 'routes', '-o', 'json'])).stdout)
    const odd = doc.results.find((r: {pod: string}) => r.pod.startsWith(REVIEWS_V2))
    assert.deepEqual(odd.differences[0].fields, ['/route/timeout'])
  })
})

describe('diff --watch', () => {
  test('a snapshot, then only what changed, timestamped; Ctrl-C exits 0', async () => {
    const run = start(process.execPath, [BIN, 'diff', 'deploy/productpage-v1', '--watch', '500ms'], {KUBECONFIG: sb.kubeconfigPath})
    try {
      // the snapshot is taken (said on stderr) before the mesh changes
      for (let i = 0; i < 200 && !/watching productpage-v1-\S+ every 500ms/.test(run.err()); i++) await new Promise((r) => setTimeout(r, 50))
      assert.match(run.err(), /watching productpage-v1-\S+ every 500ms/)
      changes.removeEndpoint({app: 'productpage'}, REVIEWS_CLUSTER)
      await run.until((o) => /endpoints\s+outbound\|9080\|\|reviews\S+\s+changed/.test(o) && o.endsWith('\n\n'), 'the endpoint change')
      assert.match(run.out(), /^\d\d:\d\d:\d\d 1 change since \d\d:\d\d:\d\d$/m)
      // the last endpoint of its locality group: the group's list is gone
      assert.match(run.out(), /^ {2}- \/endpoints\/\d+\/lb_endpoints(\/\d+)?: \[?\{"endpoint"/m)
      changes.clear()
      await run.until((o) => (o.match(/1 change since/g) ?? []).length >= 2, 'the endpoint back')
      run.child.kill('SIGINT')
      const {code} = await run.exited
      assert.equal(code, 0, run.err())
      assert.match(run.out().split(/\n(?=\d\d:\d\d:\d\d )/).at(-1)!, /\+ \/endpoints\/\d+\/lb_endpoints/)
    } finally {
      run.child.kill('SIGKILL')
    }
  })

  test('piped with -o json: one JSON document per change', async () => {
    const run = start(process.execPath, [BIN, 'diff', 'deploy/productpage-v1', '--watch', '500ms', '-o', 'json', '--type', 'routes'], {KUBECONFIG: sb.kubeconfigPath})
    try {
      for (let i = 0; i < 200 && !/watching/.test(run.err()); i++) await new Promise((r) => setTimeout(r, 50))
      changes.setRouteTimeout({app: 'productpage'}, '3s', '9080')
      await run.until((o) => o.trimEnd().endsWith('}') && o.includes('"/route/timeout"'), 'a JSON document')
      run.child.kill('SIGINT')
      assert.equal((await run.exited).code, 0)
      const doc = JSON.parse(run.out())
      assert.match(doc.time, /^\d{4}-\d\d-\d\dT/)
      assert.equal(doc.resources[0].fields[0], '/route/timeout')
    } finally {
      run.child.kill('SIGKILL')
    }
  })
})

describe('ps <pod> --semantic', () => {
  test('a proxy in sync: no differences; the text output is unchanged without the flag', async () => {
    const res = await cli(['ps', 'deploy/details-v1', '--semantic'])
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stdout, /^--- a: istiod istiod-\S+\n\+\+\+ b: Envoy details-v1-\S+\nNo differences \(\d+ resources compared: clusters, listeners, routes\)\.\n$/)
    const text = await cli(['ps', 'deploy/details-v1'])
    assert.match(text.stdout, /^Clusters Match\nListeners Match\nRoutes Match/)
  })
  test('the diverged proxy: istiod has a cluster Envoy lacks, and another route timeout', async () => {
    const [name, ns] = BOOKINFO_ISTIOD.diverged.split('.')
    const res = await cli(['ps', name!, '-n', ns!, '--semantic', '-o', 'json'])
    assert.equal(res.code, 0, res.stderr)
    const doc = JSON.parse(res.stdout)
    assert.deepEqual(
      doc.resources.map((r: {type: string; change: string; fields: string[]}) => [r.type, r.change, r.fields]),
      [
        ['clusters', 'removed', []],
        ['routes', 'changed', ['/route/timeout']],
      ],
    )
  })
  test('--semantic needs a pod', async () => assertOneLineError(await cli(['ps', '--semantic']), 2, /--semantic compares one proxy/))
})
