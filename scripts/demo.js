// `npm run demo`: starts the sandbox cluster (a local Kubernetes API server whose pods run the Bookinfo mesh
// made by the project's generator, with Envoy admin emulation), then takes a short tour of meshctl against
// it: live views over port-forward and exec, -l fan-out, an error, ambient mode (zc, a waypoint), and the same
// views from a saved dump.
// Prints each command and its output; exits non-zero if any command does not do what the tour expects.
import {spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {startSandbox} from '../dist/src/sandbox/cluster.js'
import {MeshChanges} from '../dist/src/sandbox/changes.js'
import {bookinfoSandboxSpec, FAILURE_PODS} from '../dist/src/sandbox/mesh.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = join(root, 'bin/run.js')
// MESHCTL_BIN=<executable>: take the tour with it instead of bin/run.js (e.g. the single executable,
// MESHCTL_BIN=dist/bin/meshctl-linux-x64 npm run demo)
const meshctl = process.env.MESHCTL_BIN ? [process.env.MESHCTL_BIN] : [process.execPath, bin]
const dir = mkdtempSync(join(tmpdir(), 'meshctl-demo-'))
// the mesh changes while the tour runs (a route edit, an endpoint going away): see src/sandbox/changes.ts; and it has
// the faults check and trace explain: a route to a missing subset, a service without endpoints, a REGISTRY_ONLY
// sidecar, a proxy with rejected, warming and expired config
const changes = new MeshChanges()
const sb = await startSandbox(bookinfoSandboxSpec({istiod: 'full', ambient: true, changes, faults: true}), {kubeconfigPath: join(dir, 'kubeconfig')})
const env = {...process.env, KUBECONFIG: sb.kubeconfigPath, NO_COLOR: process.env.NO_COLOR ?? ''}

const gen = spawnSync(process.execPath, [join(root, 'scripts/sample.js'), dir], {stdio: ['ignore', 'ignore', 'inherit']})
if (gen.status !== 0) process.exit(gen.status ?? 1)

/** Runs a command without blocking this process, which serves the sandbox cluster. */
function run(cmd, args, interruptAfterMs, during) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {env, stdio: ['ignore', 'pipe', 'pipe']})
    // a command that runs until Ctrl-C (ps --watch) gets its SIGINT after a while
    if (interruptAfterMs) setTimeout(() => child.kill('SIGINT'), interruptAfterMs)
    // the mesh changing while a command watches it
    if (during) setTimeout(during.fn, during.afterMs)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', (error) => resolve({status: null, stdout, stderr, error}))
    child.on('close', (status) => resolve({status, stdout, stderr}))
  })
}

const quote = (a) => (!/[\s|?*'"[\]]/.test(a) ? a : a.includes("'") ? `"${a}"` : `'${a}'`)

/** [why, args, expected exit code, interrupt after ms, {before, during: {afterMs, fn}} (mesh changes)] */
const tour = [
  ['The sandbox cluster: Bookinfo with sidecars, an ingress gateway, istiod, and a few broken pods.', ['kubectl', 'get', 'pods', '-A'], 0],
  ['Which clusters does productpage know for reviews, and which DestinationRule made them?', ['pc', 'clusters', 'deploy/productpage-v1', '--fqdn', 'reviews'], 0],
  ['Its listeners on port 9080, one row per filter chain:', ['pc', 'listeners', 'deploy/productpage-v1', '--port', '9080'], 0],
  ['The routes behind RDS 9080, with the VirtualService of each (over exec this time):', ['pc', 'routes', 'deploy/productpage-v1', '--name', '9080', '--transport', 'exec'], 0],
  ['Endpoints of reviews as Envoy sees them (health, outlier detection):', ['pc', 'endpoints', 'svc/productpage', '--cluster', 'outbound|9080||reviews.default.svc.cluster.local'], 0],
  ['Certificates:', ['pc', 'secret', 'deploy/productpage-v1'], 0],
  ['Every reviews pod at once (-l fans out in parallel):', ['pc', 'bootstrap', '-l', 'app=reviews', '-o', 'short'], 0],
  ['The ingress gateway routes:', ['pc', 'routes', 'deploy/istio-ingressgateway.istio-system'], 0],
  ['A pod whose Envoy admin port is dead: one line that says what is wrong.', ['pc', 'clusters', FAILURE_PODS.deadAdmin], 5],
  ['For scripts: JSON through a JMESPath query.', ['pc', 'clusters', 'deploy/reviews-v2', '--query', "[?type=='EDS'].name | [:4]"], 0],
  ["istiod's view of every proxy: which pushes were acknowledged (three replicas, a canary revision):", ['ps'], 0],
  ['For CI: fail when a proxy NACKed its config (exit 10, the culprits on stderr).', ['ps', '--fail-on', 'error', '-n', 'foo'], 10],
  ['Watching: ps asks again every second until Ctrl-C (redrawn in place on a terminal; piped here, one table per refresh):', ['ps', '--watch', '1s', '-n', 'istio-system'], 0, 2500],
  ['Does productpage run what istiod computed for it?', ['ps', 'deploy/productpage-v1'], 0],
  ['Ambient mode: the workloads a ztunnel knows in namespace ambient (captured over HBONE, sent through the waypoint):', ['zc', 'workloads', '--workload-namespace', 'ambient'], 0],
  ["A workload pod's connections, from the ztunnel on its node:", ['zc', 'connections', 'deploy/client.ambient'], 0],
  ["The waypoint is an Envoy: its routes, as for any proxy.", ['pc', 'routes', 'deploy/waypoint.ambient'], 0],
  ['The same comparison resource by resource (spelling, key order, defaults and versions do not count):', ['ps', 'deploy/productpage-v1', '--semantic'], 0],
  [
    'Every reviews pod should route and balance the same way. One reviews-v2 route just got another timeout: diff -l compares each pod with the majority.',
    ['diff', '-l', 'app=reviews', '--type', 'clusters,routes,endpoints'],
    0,
    undefined,
    {before: () => changes.setRouteTimeout({pod: /^reviews-v2-/}, '7s', '9080')},
  ],
  [
    'Watching a proxy: diff --watch takes a snapshot, then prints only what changes. Here a reviews endpoint goes away from productpage:',
    ['diff', 'deploy/productpage-v1', '--watch', '1s'],
    0,
    5000,
    {during: {afterMs: 2500, fn: () => changes.removeEndpoint({app: 'productpage'}, 'outbound|9080||reviews.default.svc.cluster.local')}},
  ],
  ['Offline, from a saved dump: the same tables.', ['pc', 'clusters', '-f', join(dir, 'reviews-v2.json'), '--subset', 'v3'], 0],
  ["The seeds' walk, done for you: one request from productpage to reviews, hop by hop, as Envoy decides it.", ['trace', 'deploy/productpage-v1', 'http://reviews:9080/reviews/0', '-H', 'end-user: jason'], 0],
  ['A canary user routed to a subset no DestinationRule defines: 503 NC, and the likely cause (exit 10).', ['trace', 'deploy/productpage-v1', 'http://reviews:9080/reviews/0', '-H', 'end-user: canary'], 10],
  ['A service with no endpoint: 503 UH.', ['trace', 'deploy/productpage-v1', 'http://ratings-broken:9080/ratings/0'], 10],
  ['A sidecar with outbound traffic policy REGISTRY_ONLY calling a host the mesh does not know: Istio answers 502 itself.', ['trace', 'deploy/sleep-locked', '-n', 'foo', 'http://unknown.example.org/'], 0],
  ['What is broken, mesh-wide: every proxy checked (and istiod asked), one row per finding code; exit 10 because errors exist.', ['check', '-A'], 10],
  ['One proxy in detail, with the likely Istio cause of each finding:', ['check', 'deploy/legacy-api-v1', '-n', 'foo', '--verbose'], 10],
  ['For CI: the errors as JSON, through a query.', ['check', '-A', '-o', 'json', '--query', "[?severity=='error'].[proxy, code, resource.name] | [:6]"], 10],
]

let failed = 0
try {
  for (const [why, args, expected, interruptAfterMs, mesh] of tour) {
    mesh?.before?.()
    const shown = args.map(quote).join(' ').replaceAll(`${dir}/`, '')
    process.stdout.write(`\n# ${why}\n$ ${args[0] === 'kubectl' ? '' : 'meshctl '}${shown}\n`)
    const r = args[0] === 'kubectl' ? await run('kubectl', args.slice(1)) : await run(meshctl[0], [...meshctl.slice(1), ...args], interruptAfterMs, mesh?.during)
    if (args[0] === 'kubectl' && r.error) {
      process.stdout.write('(kubectl is not installed; skipping)\n')
      continue
    }
    process.stdout.write(r.stdout)
    if (r.stderr) process.stdout.write(r.stderr)
    if (r.status !== expected) {
      failed++
      process.stderr.write(`demo: that command exited ${r.status}, expected ${expected}\n`)
    }
  }
} finally {
  await sb.close()
  rmSync(dir, {recursive: true, force: true})
}
process.stdout.write(failed ? `\n${failed} demo command(s) did not behave as expected\n` : '\nDemo complete: every command behaved as expected.\n')
process.exit(failed ? 1 : 0)
