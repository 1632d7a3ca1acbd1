/**
 * `meshctl demo` (and `npm run demo`, a thin wrapper): starts the sandbox cluster (a local Kubernetes API server whose
 * pods run the Bookinfo mesh made by the project's generator, with Envoy admin emulation), then takes a short tour of
 * meshctl against it: live views over port-forward and exec, -l fan-out, an error, istiod's view, trace's walk and its
 * failures, check over the whole mesh, diff of replicas and over time, ambient mode (zc, a waypoint), and the same
 * views from a saved dump. Prints each command and its output; fails (exit 1) when a command
 * does not do what the tour expects.
 *
 * Everything it needs ships in the npm package: the sandbox and the generator are in the bundle, the commands are
 * run with the meshctl executable that runs the demo (`bin`), the sample dumps are written to a temporary directory.
 */
import {spawn} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {bookinfo, proxies, writeDumpToFile} from '../gen/index.js'
import {MeshChanges} from '../sandbox/changes.js'
import {startSandbox} from '../sandbox/cluster.js'
import {bookinfoSandboxSpec, FAILURE_PODS} from '../sandbox/mesh.js'

/**
 * One stop: why, the command line (`kubectl ...`, else meshctl's arguments), the exit code it must have, Ctrl-C after
 * ms, and how the mesh changes around it (before it runs, or while it runs: ../sandbox/changes.ts).
 */
export interface TourStep {
  why: string
  args: string[]
  expected: number
  interruptAfterMs?: number
  mesh?: {before?: () => void; during?: {afterMs: number; fn: () => void}}
}

/** The tour; `dir` holds the sample dumps. */
export function tourSteps(dir: string, changes: MeshChanges = new MeshChanges()): TourStep[] {
  const s = (why: string, args: string[], expected = 0, interruptAfterMs?: number, mesh?: TourStep['mesh']): TourStep => ({why, args, expected, interruptAfterMs, mesh})
  return [
    s('The sandbox cluster: Bookinfo with sidecars, an ingress gateway, istiod, and a few broken pods.', ['kubectl', 'get', 'pods', '-A']),
    s('Which clusters does productpage know for reviews, and which DestinationRule made them?', ['pc', 'clusters', 'deploy/productpage-v1', '--fqdn', 'reviews']),
    s('Its listeners on port 9080, one row per filter chain:', ['pc', 'listeners', 'deploy/productpage-v1', '--port', '9080']),
    s('The routes behind RDS 9080, with the VirtualService of each (over exec this time):', ['pc', 'routes', 'deploy/productpage-v1', '--name', '9080', '--transport', 'exec']),
    s('Endpoints of reviews as Envoy sees them (health, outlier detection):', ['pc', 'endpoints', 'svc/productpage', '--cluster', 'outbound|9080||reviews.default.svc.cluster.local']),
    s('Certificates:', ['pc', 'secret', 'deploy/productpage-v1']),
    s('Every reviews pod at once (-l fans out in parallel):', ['pc', 'bootstrap', '-l', 'app=reviews', '-o', 'short']),
    s('The ingress gateway routes:', ['pc', 'routes', 'deploy/istio-ingressgateway.istio-system']),
    s('A pod whose Envoy admin port is dead: one line that says what is wrong.', ['pc', 'clusters', FAILURE_PODS.deadAdmin], 5),
    s('For scripts: JSON through a JMESPath query.', ['pc', 'clusters', 'deploy/reviews-v2', '--query', "[?type=='EDS'].name | [:4]"]),
    s("istiod's view of every proxy: which pushes were acknowledged (three replicas, a canary revision):", ['ps']),
    s('For CI: fail when a proxy NACKed its config (exit 10, the culprits on stderr).', ['ps', '--fail-on', 'error', '-n', 'foo'], 10),
    s('Watching: ps asks again every second until Ctrl-C (redrawn in place on a terminal; piped here, one table per refresh):', ['ps', '--watch', '1s', '-n', 'istio-system'], 0, 2500),
    s('Does productpage run what istiod computed for it?', ['ps', 'deploy/productpage-v1']),
    s('The same comparison resource by resource (spelling, key order, defaults and versions do not count):', ['ps', 'deploy/productpage-v1', '--semantic']),
    s('Which versions run where: the client, every istiod, every proxy:', ['version']),
    s("The seeds' walk, done for you: one request from productpage to reviews, hop by hop, as Envoy decides it.", ['trace', 'deploy/productpage-v1', 'http://reviews:9080/reviews/0', '-H', 'end-user: jason']),
    s('A canary user routed to a subset no DestinationRule defines: 503 NC, and the likely cause (exit 10).', ['trace', 'deploy/productpage-v1', 'http://reviews:9080/reviews/0', '-H', 'end-user: canary'], 10),
    s('A service with no endpoint: 503 UH.', ['trace', 'deploy/productpage-v1', 'http://ratings-broken:9080/ratings/0'], 10),
    s('A sidecar with outbound traffic policy REGISTRY_ONLY calling a host the mesh does not know: Istio answers 502 itself.', ['trace', 'deploy/sleep-locked', '-n', 'foo', 'http://unknown.example.org/']),
    s('What is broken, mesh-wide: every proxy checked (and istiod asked), one row per finding code; exit 10 because errors exist.', ['check', '-A'], 10),
    s('One proxy in detail, with the likely Istio cause of each finding:', ['check', 'deploy/legacy-api-v1', '-n', 'foo', '--verbose'], 10),
    s('For CI: the errors as JSON, through a query.', ['check', '-A', '-o', 'json', '--query', "[?severity=='error'].[proxy, code, resource.name] | [:6]"], 10),
    s(
      'Every reviews pod should route and balance the same way. One reviews-v2 route just got another timeout: diff -l compares each pod with the majority.',
      ['diff', '-l', 'app=reviews', '--type', 'clusters,routes,endpoints'],
      0,
      undefined,
      {before: () => changes.setRouteTimeout({pod: /^reviews-v2-/}, '7s', '9080')},
    ),
    s(
      'Watching a proxy: diff --watch takes a snapshot, then prints only what changes. Here a reviews endpoint goes away from productpage:',
      ['diff', 'deploy/productpage-v1', '--watch', '1s'],
      0,
      5000,
      {during: {afterMs: 2500, fn: () => changes.removeEndpoint({app: 'productpage'}, 'outbound|9080||reviews.default.svc.cluster.local')}},
    ),
    s('Ambient mode: the workloads a ztunnel knows in namespace ambient (captured over HBONE, sent through the waypoint):', ['zc', 'workloads', '--workload-namespace', 'ambient']),
    s("A workload pod's connections, from the ztunnel on its node:", ['zc', 'connections', 'deploy/client.ambient']),
    s('The waypoint is an Envoy: its routes, as for any proxy.', ['pc', 'routes', 'deploy/waypoint.ambient']),
    s('Offline, from a saved dump: the same tables.', ['pc', 'clusters', '-f', join(dir, 'reviews-v2.json'), '--subset', 'v3']),
  ]
}

/** The sample dumps the README's quick start uses: `<dir>/<app>.json` (config_dump with EDS) and `<app>.clusters.json`. */
export async function writeSamples(dir: string, onWrite: (line: string) => void = () => {}): Promise<void> {
  const mesh = bookinfo()
  const wanted = ['productpage', 'reviews-v2', 'istio-ingressgateway']
  for (const p of proxies(mesh)) {
    const short = wanted.find((w) => p.pod.startsWith(`${w}-`))
    if (!short) continue
    await writeDumpToFile(mesh, p, join(dir, `${short}.json`), {includeEds: true})
    await writeDumpToFile(mesh, p, join(dir, `${short}.clusters.json`), {format: 'clusters'})
    onWrite(`wrote ${dir}/${short}.json and ${short}.clusters.json (pod ${p.pod}.${p.namespace})`)
  }
}

interface Ran {
  status: number | null
  stdout: string
  stderr: string
  error?: Error
}

/** Runs a command without blocking this process, which serves the sandbox cluster. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, interruptAfterMs?: number, during?: {afterMs: number; fn: () => void}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {env, stdio: ['ignore', 'pipe', 'pipe']})
    // a command that runs until Ctrl-C (ps --watch) gets its SIGINT after a while
    const timer = interruptAfterMs ? setTimeout(() => child.kill('SIGINT'), interruptAfterMs) : undefined
    // the mesh changing while a command watches it
    const change = during ? setTimeout(during.fn, during.afterMs) : undefined
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d
    })
    child.on('error', (error) => resolve({status: null, stdout, stderr, error}))
    child.on('close', (status) => {
      clearTimeout(timer)
      clearTimeout(change)
      resolve({status, stdout, stderr})
    })
  })
}

const quote = (a: string): string => (!/[\s|?*'"[\]]/.test(a) ? a : a.includes("'") ? `"${a}"` : `'${a}'`)

export interface DemoOptions {
  /** the meshctl executable the tour runs (bin/run.js of this installation) */
  bin: string
  /** the Node.js that runs it (default: this one) */
  node?: string
  write?: (text: string) => void
  /** only the steps whose index is listed (tests) */
  only?: number[]
}

/** Runs the tour; resolves with the number of steps that did not behave as expected (0: all did). */
export async function runDemo(opts: DemoOptions): Promise<number> {
  const write = opts.write ?? ((t: string) => process.stdout.write(t))
  const dir = await mkdtemp(join(tmpdir(), 'meshctl-demo-'))
  let failed = 0
  try {
    await writeSamples(dir)
    // the mesh has the faults check and trace explain (a route to a missing subset, a service without endpoints, a
    // REGISTRY_ONLY sidecar, a proxy with rejected, warming and expired config), and it changes while the tour runs
    const changes = new MeshChanges()
    const sb = await startSandbox(bookinfoSandboxSpec({istiod: 'full', ambient: true, faults: true, changes}), {kubeconfigPath: join(dir, 'kubeconfig')})
    const env = {...process.env, KUBECONFIG: sb.kubeconfigPath, NO_COLOR: process.env.NO_COLOR ?? ''}
    try {
      const steps = tourSteps(dir, changes)
      for (const [i, step] of steps.entries()) {
        if (opts.only && !opts.only.includes(i)) continue
        const kubectl = step.args[0] === 'kubectl'
        const shown = step.args.map(quote).join(' ').replaceAll(`${dir}/`, '')
        write(`\n# ${step.why}\n$ ${kubectl ? '' : 'meshctl '}${shown}\n`)
        step.mesh?.before?.()
        // MESHCTL_BIN=<executable>: the tour runs it instead (e.g. the single executable, MESHCTL_BIN=dist/bin/meshctl-linux-x64 npm run demo)
        const exe = process.env.MESHCTL_BIN ? [process.env.MESHCTL_BIN] : [opts.node ?? process.execPath, opts.bin]
        const r = kubectl ? await run('kubectl', step.args.slice(1), env) : await run(exe[0]!, [...exe.slice(1), ...step.args], env, step.interruptAfterMs, step.mesh?.during)
        if (kubectl && r.error) {
          write('(kubectl is not installed; skipping)\n')
          continue
        }
        write(r.stdout)
        if (r.stderr) write(r.stderr)
        if (r.status !== step.expected) {
          failed++
          process.stderr.write(`demo: that command exited ${r.status}, expected ${step.expected}\n`)
        }
      }
    } finally {
      await sb.close()
    }
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
  write(failed ? `\n${failed} demo command(s) did not behave as expected\n` : '\nDemo complete: every command behaved as expected.\n')
  return failed
}
