/**
 * `meshctl demo` (and `npm run demo`, a thin wrapper): starts the sandbox cluster (a local Kubernetes API server whose
 * pods run the Bookinfo mesh made by the project's generator, with Envoy admin emulation), then takes a short tour of
 * meshctl against it: live views over port-forward and exec, -l fan-out, an error, istiod's view, ambient mode (zc, a
 * waypoint), and the same views from a saved dump. Prints each command and its output; fails (exit 1) when a command
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
import {startSandbox} from '../sandbox/cluster.js'
import {bookinfoSandboxSpec, FAILURE_PODS} from '../sandbox/mesh.js'

/** One stop: why, the command line (`kubectl ...`, else meshctl's arguments), the exit code it must have, Ctrl-C after ms. */
export interface TourStep {
  why: string
  args: string[]
  expected: number
  interruptAfterMs?: number
}

/** The tour; `dir` holds the sample dumps. */
export function tourSteps(dir: string): TourStep[] {
  const s = (why: string, args: string[], expected = 0, interruptAfterMs?: number): TourStep => ({why, args, expected, interruptAfterMs})
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
    s('Which versions run where: the client, every istiod, every proxy:', ['version']),
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
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, interruptAfterMs?: number): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {env, stdio: ['ignore', 'pipe', 'pipe']})
    // a command that runs until Ctrl-C (ps --watch) gets its SIGINT after a while
    const timer = interruptAfterMs ? setTimeout(() => child.kill('SIGINT'), interruptAfterMs) : undefined
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
    const sb = await startSandbox(bookinfoSandboxSpec({istiod: 'full', ambient: true}), {kubeconfigPath: join(dir, 'kubeconfig')})
    const env = {...process.env, KUBECONFIG: sb.kubeconfigPath, NO_COLOR: process.env.NO_COLOR ?? ''}
    try {
      const steps = tourSteps(dir)
      for (const [i, step] of steps.entries()) {
        if (opts.only && !opts.only.includes(i)) continue
        const kubectl = step.args[0] === 'kubectl'
        const shown = step.args.map(quote).join(' ').replaceAll(`${dir}/`, '')
        write(`\n# ${step.why}\n$ ${kubectl ? '' : 'meshctl '}${shown}\n`)
        const r = kubectl ? await run('kubectl', step.args.slice(1), env) : await run(opts.node ?? process.execPath, [opts.bin, ...step.args], env, step.interruptAfterMs)
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
